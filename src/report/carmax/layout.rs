//! The certificate's layout as data: which figure each printed row carries.
//!
//! [`LAYOUT`] has one entry per row of the CarMax servicer certificate
//! template, in print order: the row's key (`"8a"`), a pattern its label must
//! match, and one [`Slot`] per figure the row prints (its unit and the *figure
//! path* it is). `{class}` in a pattern or a path stands for the entry's class
//! (`"A-2b"`); `{date}` in a pattern matches any `m/d/yyyy` date (the stale
//! SOFR dates of rows 15 and 16).
//!
//! # Figure paths
//!
//! A figure path names what a figure *is*, in terms the reconciliation engine
//! resolves against a deal's names:
//!
//! - `class[NAME].FIELD`, FIELD one of [`CLASS_FIELDS`]; `notes.FIELD` for
//!   the all-notes totals of rows 8i and 9i ([`NOTES_FIELDS`]);
//! - `pool.FIELD`, FIELD one of [`POOL_FIELDS`];
//! - the single figures of [`SCALARS`] (`index`, `oc.target`, `remainder`, ...);
//! - `fee[NAME].FIELD` ([`FEES`]), `quantity[NAME]` ([`QUANTITIES`]),
//!   `account[NAME].FIELD` ([`ACCOUNTS`]).
//!
//! A figure the certificate prints more than once under one definition (the
//! note payment account deposit of rows 44c, 45q, 46i and 61; each class's
//! distribution in rows 46a-h and 65-72; the reserve draw of rows 24, 43c, 52
//! and 59; the excess collections of rows 44e, 47, 48, 62 and 73; ...) has one
//! path, so every print of it is compared.

use super::Unit;
use crate::report::filing::{FigurePath, Subject};

/// One figure a row prints: its unit and its figure path.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Slot {
    pub unit: Unit,
    /// The figure path; `{class}` stands for the row's class.
    pub path: &'static str,
}

/// One row of the certificate template.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RowSpec {
    /// `"8a"`, `"26"`: the row's number and letter as printed.
    pub key: &'static str,
    /// The class the row is about (`"A-2b"`), or `""`.
    pub class: &'static str,
    /// The label the row must carry: case and runs of spaces do not matter;
    /// `{class}` is [`RowSpec::class`], `{date}` any `m/d/yyyy` date.
    pub label: &'static str,
    /// The figures of the row, in print order; empty for a heading row
    /// ("8. Note Balances").
    pub slots: &'static [Slot],
}

macro_rules! spec {
    ($key:literal, $label:literal, [$($unit:ident $path:literal),* $(,)?]) => {
        RowSpec { key: $key, class: "", label: $label, slots: &[$(Slot { unit: Unit::$unit, path: $path }),*] }
    };
    ($key:literal @ $class:literal, $label:literal, [$($unit:ident $path:literal),* $(,)?]) => {
        RowSpec { key: $key, class: $class, label: $label, slots: &[$(Slot { unit: Unit::$unit, path: $path }),*] }
    };
}

/// Every row of the template, in print order. Row 29s is in the template
/// (its letter is skipped in the certificates: A-4's total is "sum q - s")
/// but no certificate prints it: see [`OPTIONAL`].
#[rustfmt::skip]
pub const LAYOUT: &[RowSpec] = &[
    spec!("1", "Pool Balance on the close of the last day of the preceding Collection Period", [Dollars "pool.beginning_balance"]),
    spec!("2", "Collections allocable to Principal", [Dollars "pool.principal_collections"]),
    spec!("3", "Purchase Amount allocable to Principal", [Dollars "pool.purchases_principal"]),
    spec!("4", "Defaulted Receivables", [Dollars "pool.defaults"]),
    spec!("5", "Pool Balance on the close of the last day of the related Collection Period", [Dollars "pool.ending_balance"]),
    spec!("6", "Total number of Receivables outstanding on the close of the last day of the related Collection Period", [Count "pool.count"]),
    spec!("7", "Initial Pool Balance", [Dollars "pool.initial_balance"]),
    spec!("8", "Note Balances", []),
    spec!("8a" @ "A-1", "Class {class} Note Balance", [Dollars "class[{class}].beginning_balance", Dollars "class[{class}].ending_balance"]),
    spec!("8b" @ "A-2a", "Class {class} Note Balance", [Dollars "class[{class}].beginning_balance", Dollars "class[{class}].ending_balance"]),
    spec!("8c" @ "A-2b", "Class {class} Floating Rate Note Balance", [Dollars "class[{class}].beginning_balance", Dollars "class[{class}].ending_balance"]),
    spec!("8d" @ "A-3", "Class {class} Note Balance", [Dollars "class[{class}].beginning_balance", Dollars "class[{class}].ending_balance"]),
    spec!("8e" @ "A-4", "Class {class} Note Balance", [Dollars "class[{class}].beginning_balance", Dollars "class[{class}].ending_balance"]),
    spec!("8f" @ "B", "Class {class} Note Balance", [Dollars "class[{class}].beginning_balance", Dollars "class[{class}].ending_balance"]),
    spec!("8g" @ "C", "Class {class} Note Balance", [Dollars "class[{class}].beginning_balance", Dollars "class[{class}].ending_balance"]),
    spec!("8h" @ "D", "Class {class} Note Balance", [Dollars "class[{class}].beginning_balance", Dollars "class[{class}].ending_balance"]),
    spec!("8i", "Note Balance (sum a - h)", [Dollars "notes.beginning_balance", Dollars "notes.ending_balance"]),
    spec!("9", "Pool Factors", []),
    spec!("9a" @ "A-1", "Class {class} Note Pool Factor", [Number "class[{class}].factor_beginning", Number "class[{class}].factor_ending"]),
    spec!("9b" @ "A-2a", "Class {class} Note Pool Factor", [Number "class[{class}].factor_beginning", Number "class[{class}].factor_ending"]),
    spec!("9c" @ "A-2b", "Class {class} Floating Rate Note Pool Factor", [Number "class[{class}].factor_beginning", Number "class[{class}].factor_ending"]),
    spec!("9d" @ "A-3", "Class {class} Note Pool Factor", [Number "class[{class}].factor_beginning", Number "class[{class}].factor_ending"]),
    spec!("9e" @ "A-4", "Class {class} Note Pool Factor", [Number "class[{class}].factor_beginning", Number "class[{class}].factor_ending"]),
    spec!("9f" @ "B", "Class {class} Note Pool Factor", [Number "class[{class}].factor_beginning", Number "class[{class}].factor_ending"]),
    spec!("9g" @ "C", "Class {class} Note Pool Factor", [Number "class[{class}].factor_beginning", Number "class[{class}].factor_ending"]),
    spec!("9h" @ "D", "Class {class} Note Pool Factor", [Number "class[{class}].factor_beginning", Number "class[{class}].factor_ending"]),
    spec!("9i", "Note Pool Factor", [Number "notes.factor_beginning", Number "notes.factor_ending"]),
    spec!("10", "Overcollateralization Target Amount", [Dollars "oc.target"]),
    spec!("11", "Current overcollateralization amount (Pool Balance - Note Balance)", [Dollars "oc.amount"]),
    spec!("12", "Weighted Average Coupon", [Percent "pool.wac"]),
    spec!("13", "Weighted Average Original Term", [Months "pool.original_term"]),
    spec!("14", "Weighted Average Remaining Term", [Months "pool.remaining_term"]),
    spec!("15", "30 day Average SOFR for the accrual period ending {date}", [Percent "index"]),
    spec!("16" @ "A-2b", "Note Rate applicable to the Class {class} notes for the interest period ending {date}", [Percent "class[{class}].rate"]),
    spec!("17", "Finance Charges:", []),
    spec!("17a", "Collections allocable to Finance Charge", [Dollars "pool.interest_collections"]),
    spec!("17b", "Liquidation Proceeds allocable to Finance Charge", [Dollars "pool.liquidation_proceeds_interest"]),
    spec!("17c", "Purchase Amount allocable to Finance Charge", [Dollars "pool.purchases_interest"]),
    spec!("17d", "Available Finance Charge Collections (sum a - c)", [Dollars "pool.available_interest"]),
    spec!("18", "Principal:", []),
    spec!("18a", "Collections allocable to Principal", [Dollars "pool.principal_collections"]),
    spec!("18b", "Liquidation Proceeds allocable to Principal", [Dollars "pool.liquidation_proceeds_principal"]),
    spec!("18c", "Purchase Amount allocable to Principal", [Dollars "pool.purchases_principal"]),
    spec!("18d", "Available Principal Collections (sum a - c)", [Dollars "pool.available_principal"]),
    spec!("19", "Total Finance Charge and Principal Collections (17d + 18d)", [Dollars "pool.collections"]),
    spec!("20", "Interest Income from Collection Account", [Dollars "account[collection].earnings"]),
    spec!("21", "Simple Interest Advances", [Dollars "pool.advances"]),
    spec!("22", "Available Collections (Ln19 + 20 + 21)", [Dollars "pool.available_collections"]),
    spec!("23", "Available Collections", [Dollars "pool.available_collections"]),
    spec!("24", "Reserve Account Draw Amount", [Dollars "account[reserve].draw"]),
    spec!("25", "Available Funds", [Dollars "available_funds"]),
    spec!("26", "Servicing Fee", [Percent "fee[servicing].rate"]),
    spec!("26a", "Monthly Servicing Fee", [Dollars "fee[servicing].accrued"]),
    spec!("26b", "Amount Unpaid from Prior Months", [Dollars "fee[servicing].carry_in"]),
    spec!("26c", "Amount Paid", [Dollars "fee[servicing].paid"]),
    spec!("26d", "Shortfall Amount (a + b - c)", [Dollars "fee[servicing].shortfall"]),
    spec!("27", "Unreimbursed Servicer Advances", [Dollars "unreimbursed_advances"]),
    spec!("28", "Successor Servicer and Asset Representations Reviewer Unpaid Expenses and Indemnity Amounts", []),
    spec!("28a", "Successor Servicer Unpaid Transition Expenses and Indemnity Amounts (Capped at $175,000 annually)", [Dollars "fee[successor-servicer].due"]),
    spec!("28b", "Successor Servicer Amount Paid", [Dollars "fee[successor-servicer].paid"]),
    spec!("28c", "Successor Servicer Shortfall Amount (a - b)", [Dollars "fee[successor-servicer].shortfall"]),
    spec!("28d", "Asset Representations Reviewer Fees, Expenses and Indemnity Amounts (Capped at $175,000 annually)", [Dollars "fee[asset-representations-reviewer].due"]),
    spec!("28e", "Asset Representations Reviewer Amount Paid", [Dollars "fee[asset-representations-reviewer].paid"]),
    spec!("28f", "Asset Representations Reviewer Shortfall Amount (d - e)", [Dollars "fee[asset-representations-reviewer].shortfall"]),
    spec!("29", "Class A Noteholder Interest Amounts", []),
    spec!("29a" @ "A-1", "Class {class} Monthly Interest", [Dollars "class[{class}].accrued"]),
    spec!("29b" @ "A-1", "Additional Note Interest related to Class {class} Monthly Interest", [Dollars "class[{class}].interest_carry_in"]),
    spec!("29c" @ "A-1", "Interest Due on Additional Note Interest related to Class {class} Monthly Interest", [Dollars "class[{class}].interest_on_carry"]),
    spec!("29d" @ "A-1", "Total Class {class} Note Interest (sum a - c)", [Dollars "class[{class}].interest_due"]),
    spec!("29e" @ "A-2a", "Class {class} Monthly Interest", [Dollars "class[{class}].accrued"]),
    spec!("29f" @ "A-2a", "Additional Note Interest related to Class {class} Monthly Interest", [Dollars "class[{class}].interest_carry_in"]),
    spec!("29g" @ "A-2a", "Interest Due on Additional Note Interest related to Class {class} Monthly Interest", [Dollars "class[{class}].interest_on_carry"]),
    spec!("29h" @ "A-2a", "Total Class {class} Note Interest (sum e - g)", [Dollars "class[{class}].interest_due"]),
    spec!("29i" @ "A-2b", "Class {class} Monthly Interest", [Dollars "class[{class}].accrued"]),
    spec!("29j" @ "A-2b", "Additional Note Interest related to Class {class} Monthly Interest", [Dollars "class[{class}].interest_carry_in"]),
    spec!("29k" @ "A-2b", "Interest Due on Additional Note Interest related to Class {class} Monthly Interest", [Dollars "class[{class}].interest_on_carry"]),
    spec!("29l" @ "A-2b", "Total Class {class} Note Interest (sum i - k)", [Dollars "class[{class}].interest_due"]),
    spec!("29m" @ "A-3", "Class {class} Monthly Interest", [Dollars "class[{class}].accrued"]),
    spec!("29n" @ "A-3", "Additional Note Interest related to Class {class} Monthly Interest", [Dollars "class[{class}].interest_carry_in"]),
    spec!("29o" @ "A-3", "Interest Due on Additional Note Interest related to Class {class} Monthly Interest", [Dollars "class[{class}].interest_on_carry"]),
    spec!("29p" @ "A-3", "Total Class {class} Note Interest (sum m - o)", [Dollars "class[{class}].interest_due"]),
    spec!("29q" @ "A-4", "Class {class} Monthly Interest", [Dollars "class[{class}].accrued"]),
    spec!("29r" @ "A-4", "Additional Note Interest related to Class {class} Monthly Interest", [Dollars "class[{class}].interest_carry_in"]),
    spec!("29s" @ "A-4", "Interest Due on Additional Note Interest related to Class {class} Monthly Interest", [Dollars "class[{class}].interest_on_carry"]),
    spec!("29t" @ "A-4", "Total Class {class} Note Interest (sum q - s)", [Dollars "class[{class}].interest_due"]),
    spec!("30", "Priority Principal Distributable Amount", [Dollars "quantity[priority_principal]"]),
    spec!("31", "Class B Noteholder Interest Amount", []),
    spec!("31a" @ "B", "Class {class} Monthly Interest", [Dollars "class[{class}].accrued"]),
    spec!("31b" @ "B", "Additional Note Interest related to Class {class} Monthly Interest", [Dollars "class[{class}].interest_carry_in"]),
    spec!("31c" @ "B", "Interest Due on Additional Note Interest related to Class {class} Monthly Interest", [Dollars "class[{class}].interest_on_carry"]),
    spec!("31d" @ "B", "Total Class {class} Note Interest (sum a - c)", [Dollars "class[{class}].interest_due"]),
    spec!("32", "Secondary Principal Distributable Amount", [Dollars "quantity[secondary_principal]"]),
    spec!("33", "Class C Noteholder Interest Amount", []),
    spec!("33a" @ "C", "Class {class} Monthly Interest", [Dollars "class[{class}].accrued"]),
    spec!("33b" @ "C", "Additional Note Interest related to Class {class} Monthly Interest", [Dollars "class[{class}].interest_carry_in"]),
    spec!("33c" @ "C", "Interest Due on Additional Note Interest related to Class {class} Monthly Interest", [Dollars "class[{class}].interest_on_carry"]),
    spec!("33d" @ "C", "Total Class {class} Note Interest (sum a - c)", [Dollars "class[{class}].interest_due"]),
    spec!("34", "Tertiary Principal Distributable Amount", [Dollars "quantity[tertiary_principal]"]),
    spec!("35", "Class D Noteholder Interest Amount", []),
    spec!("35a" @ "D", "Class {class} Monthly Interest", [Dollars "class[{class}].accrued"]),
    spec!("35b" @ "D", "Additional Note Interest related to Class {class} Monthly Interest", [Dollars "class[{class}].interest_carry_in"]),
    spec!("35c" @ "D", "Interest Due on Additional Note Interest related to Class {class} Monthly Interest", [Dollars "class[{class}].interest_on_carry"]),
    spec!("35d" @ "D", "Total Class {class} Note Interest (sum a - c)", [Dollars "class[{class}].interest_due"]),
    spec!("36", "Quaternary Principal Distributable Amount", [Dollars "quantity[quaternary_principal]"]),
    spec!("37", "Required Payment Amount (Ln 26 + Ln 28 + (sum of Ln 29 through Ln 36))", [Dollars "quantity[required_payment_amount]"]),
    spec!("38", "Reserve Account Deficiency", [Dollars "account[reserve].deficiency"]),
    spec!("39", "Regular Principal Distributable Amount", [Dollars "quantity[regular_principal]"]),
    spec!("40", "Remaining Unpaid Servicer Transition Expenses and Additional Servicing Fees, if any", [Dollars "quantity[uncapped_successor_servicer_expenses]"]),
    spec!("41", "Remaining Unpaid Trustee and Asset Representations Reviewer Fees, Expenses and Indemnity Amounts, if any", []),
    spec!("41a", "Remaining Unpaid Trustee Fees, Expenses and Indemnity Amounts", [Dollars "quantity[uncapped_trustee_expenses]"]),
    spec!("41b", "Remaining Unpaid Asset Representations Reviewer Fees, Expenses and Indemnity Amounts", [Dollars "quantity[uncapped_asset_representations_reviewer_expenses]"]),
    spec!("42", "Remaining Unpaid Successor Servicer Indemnity Amounts, if any", [Dollars "quantity[uncapped_successor_servicer_indemnity]"]),
    spec!("43", "Deposits", []),
    spec!("43a", "Total Daily Deposits of Finance Charge Collections", [Dollars "pool.available_interest"]),
    spec!("43b", "Total Daily Deposits of Principal Collections", [Dollars "pool.available_principal"]),
    spec!("43c", "Withdrawal from Reserve Account", [Dollars "account[reserve].draw"]),
    spec!("43d", "Interest Income", [Dollars "account[collection].earnings"]),
    spec!("43e", "Total Deposits to Collection Account (sum a - d)", [Dollars "account[collection].deposits"]),
    spec!("44", "Withdrawals", []),
    spec!("44a", "Servicing Fee and Unreimbursed Servicer Advances", [Dollars "account[collection].withdrawal_servicer"]),
    spec!("44b", "Successor Servicer Transition Expenses and Indemnity Amounts", [Dollars "account[collection].withdrawal_successor_servicer"]),
    spec!("44c", "Deposit to Note Payment Account for Monthly Note Interest/Principal", [Dollars "account[note_payment].deposit"]),
    spec!("44d", "Deposit to Reserve Account", [Dollars "account[reserve].deposit"]),
    spec!("44e", "Excess Collections (Deposit to Certificate Payment Account for payment to Certificateholder)", [Dollars "remainder"]),
    spec!("44f", "Total Withdrawals from Collection Account (sum a - e)", [Dollars "account[collection].withdrawals"]),
    spec!("45", "Deposits", []),
    spec!("45a" @ "A-1", "Class {class} Interest Distribution", [Dollars "class[{class}].interest_paid"]),
    spec!("45b" @ "A-2a", "Class {class} Interest Distribution", [Dollars "class[{class}].interest_paid"]),
    spec!("45c" @ "A-2b", "Class {class} Interest Distribution", [Dollars "class[{class}].interest_paid"]),
    spec!("45d" @ "A-3", "Class {class} Interest Distribution", [Dollars "class[{class}].interest_paid"]),
    spec!("45e" @ "A-4", "Class {class} Interest Distribution", [Dollars "class[{class}].interest_paid"]),
    spec!("45f" @ "B", "Class {class} Interest Distribution", [Dollars "class[{class}].interest_paid"]),
    spec!("45g" @ "C", "Class {class} Interest Distribution", [Dollars "class[{class}].interest_paid"]),
    spec!("45h" @ "D", "Class {class} Interest Distribution", [Dollars "class[{class}].interest_paid"]),
    spec!("45i" @ "A-1", "Class {class} Principal Distribution", [Dollars "class[{class}].principal"]),
    spec!("45j" @ "A-2a", "Class {class} Principal Distribution", [Dollars "class[{class}].principal"]),
    spec!("45k" @ "A-2b", "Class {class} Principal Distribution", [Dollars "class[{class}].principal"]),
    spec!("45l" @ "A-3", "Class {class} Principal Distribution", [Dollars "class[{class}].principal"]),
    spec!("45m" @ "A-4", "Class {class} Principal Distribution", [Dollars "class[{class}].principal"]),
    spec!("45n" @ "B", "Class {class} Principal Distribution", [Dollars "class[{class}].principal"]),
    spec!("45o" @ "C", "Class {class} Principal Distribution", [Dollars "class[{class}].principal"]),
    spec!("45p" @ "D", "Class {class} Principal Distribution", [Dollars "class[{class}].principal"]),
    spec!("45q", "Total Deposits to Note Payment Account (sum a - p)", [Dollars "account[note_payment].deposit"]),
    spec!("46", "Withdrawals", []),
    spec!("46a" @ "A-1", "Class {class} Distribution", [Dollars "class[{class}].total_distribution"]),
    spec!("46b" @ "A-2a", "Class {class} Distribution", [Dollars "class[{class}].total_distribution"]),
    spec!("46c" @ "A-2b", "Class {class} Distribution", [Dollars "class[{class}].total_distribution"]),
    spec!("46d" @ "A-3", "Class {class} Distribution", [Dollars "class[{class}].total_distribution"]),
    spec!("46e" @ "A-4", "Class {class} Distribution", [Dollars "class[{class}].total_distribution"]),
    spec!("46f" @ "B", "Class {class} Distribution", [Dollars "class[{class}].total_distribution"]),
    spec!("46g" @ "C", "Class {class} Distribution", [Dollars "class[{class}].total_distribution"]),
    spec!("46h" @ "D", "Class {class} Distribution", [Dollars "class[{class}].total_distribution"]),
    spec!("46i", "Total Withdrawals from Note Payment Account (sum a - h)", [Dollars "account[note_payment].deposit"]),
    spec!("47", "Deposits to Certificate Payment Account from Excess Collections", [Dollars "remainder"]),
    spec!("48", "Withdrawals from Certificate Payment Account for Certificateholder Distribution", [Dollars "remainder"]),
    spec!("49", "Required Reserve Account Amount (1.00% of Initial Pool Balance)", [Dollars "account[reserve].required"]),
    spec!("50", "Beginning Balance (as of end of preceding Distribution Date)", [Dollars "account[reserve].beginning"]),
    spec!("51", "Investment Earnings", [Dollars "account[reserve].earnings"]),
    spec!("52", "Reserve Account Draw Amount", [Dollars "account[reserve].draw"]),
    spec!("53", "Reserve Account Amount (Ln 50 + Ln 51 - Ln 52)", [Dollars "account[reserve].balance_before_deposit"]),
    spec!("54", "Deposit from Available Funds (Ln 44d)", [Dollars "account[reserve].deposit"]),
    spec!("55", "If Reserve Account Balance exceeds Required Reserve Account Amount, payment to", []),
    spec!("55a", "the Note Payment Account for the payment of principal to the extent of any unfunded Regular Principal Distribution Amount; and", [Dollars "account[reserve].release_to_principal"]),
    spec!("55b", "any Successor Servicer for the payment of any unfunded Transition Costs and Additional Servicing Fee", [Dollars "account[reserve].release_to_servicer"]),
    spec!("56", "Payment to Depositor if Reserve Account Balance exceeds Required Reserve Account Amount and to the extent no unfunded amounts described in Ln 55 exist", [Dollars "account[reserve].release"]),
    spec!("57", "Ending Balance (Ln53 + Ln54 - Ln55 - Ln56)", [Dollars "account[reserve].ending"]),
    spec!("58", "Reserve Account Deficiency (Ln50 - Ln57)", [Dollars "account[reserve].decrease"]),
    spec!("59", "Amount to be deposited from the Reserve Account into the Collection Account", [Dollars "account[reserve].draw"]),
    spec!("60", "Amount to be paid to Servicer from the Collection Account", [Dollars "account[collection].withdrawal_servicer"]),
    spec!("61", "Amount to be deposited from the Collection Account into the Note Payment Account", [Dollars "account[note_payment].deposit"]),
    spec!("62", "Amount to be deposited from the Collection Account into the Certificate Payment Account", [Dollars "remainder"]),
    spec!("63", "Amount to be deposited from the Collection Account into the Reserve Account", [Dollars "account[reserve].deposit"]),
    spec!("64", "Amount to be deposited from the Reserve Account, if Reserve Account Balance exceeds Required Reserve Account Amount, into", []),
    spec!("64a", "the Note Payment Account for any unfunded Regular Principal Distributable Amount", [Dollars "account[reserve].release_to_principal"]),
    spec!("64b", "the Depositor, if no unfunded Regular Principal distributable amount exists", [Dollars "account[reserve].release"]),
    spec!("65" @ "A-1", "Amount to be paid to Class {class} Noteholders from the Note Payment Account", [Dollars "class[{class}].total_distribution"]),
    spec!("66" @ "A-2a", "Amount to be paid to Class {class} Noteholders from the Note Payment Account", [Dollars "class[{class}].total_distribution"]),
    spec!("67" @ "A-2b", "Amount to be paid to Class {class} Noteholders from the Note Payment Account", [Dollars "class[{class}].total_distribution"]),
    spec!("68" @ "A-3", "Amount to be paid to Class {class} Noteholders from the Note Payment Account", [Dollars "class[{class}].total_distribution"]),
    spec!("69" @ "A-4", "Amount to be paid to Class {class} Noteholders from the Note Payment Account", [Dollars "class[{class}].total_distribution"]),
    spec!("70" @ "B", "Amount to be paid to Class {class} Noteholders from the Note Payment Account", [Dollars "class[{class}].total_distribution"]),
    spec!("71" @ "C", "Amount to be paid to Class {class} Noteholders from the Note Payment Account", [Dollars "class[{class}].total_distribution"]),
    spec!("72" @ "D", "Amount to be paid to Class {class} Noteholders from the Note Payment Account", [Dollars "class[{class}].total_distribution"]),
    spec!("73", "Amount to be paid to Certificateholders from the Certificate Payment Account with respect to Excess Collections", [Dollars "remainder"]),
    spec!("74", "Delinquency Analysis", []),
    spec!("74a", "31 to 60 days past due", [Count "pool.delinquent_31_60_count", Dollars "pool.delinquent_31_60"]),
    spec!("74b", "61 to 90 days past due", [Count "pool.delinquent_61_90_count", Dollars "pool.delinquent_61_90"]),
    spec!("74c", "91 to 120 days past due", [Count "pool.delinquent_91_120_count", Dollars "pool.delinquent_91_120"]),
    spec!("74d", "121 or more days past due", [Count "pool.delinquent_121_plus_count", Dollars "pool.delinquent_121_plus"]),
    spec!("74e", "Total Past Due (sum a - d)", [Count "pool.delinquent_total_count", Dollars "pool.delinquent_total"]),
    spec!("74f", "Delinquent Loans as a percentage of end of period Pool Balance (Ln 74e / Ln 5)", [Percent "pool.delinquency_percent"]),
    spec!("75", "Has a Delinquency Trigger Event occurred?", [Flag "delinquency_trigger"]),
    spec!("76", "Defaulted Receivables (charge-offs)", [Count "pool.defaults_count", Dollars "pool.defaults"]),
    spec!("77", "Recoveries", [Count "pool.recoveries_count", Dollars "pool.recoveries"]),
    spec!("78", "Net Losses (Ln 76 - Ln 77)", [Dollars "pool.net_losses"]),
    spec!("79", "Ratio of Net Losses to Beginning of Period Pool Balance (Ln 78 / Ln 1)", [Percent "pool.net_loss_ratio"]),
    spec!("80", "Defaulted Receivables (charge-offs)", [Count "pool.cumulative_defaults_count", Dollars "pool.cumulative_defaults"]),
    spec!("81", "Recoveries", [Count "pool.cumulative_recoveries_count", Dollars "pool.cumulative_recoveries"]),
    spec!("82", "Cumulative Net Losses (Ln 80 - Ln 81)", [Dollars "pool.cumulative_net_losses"]),
    spec!("83", "Ratio of Cumulative Net Losses to Initial Pool Balance (Ln 82 / Ln 7)", [Percent "pool.cumulative_net_loss_ratio"]),
    spec!("84", "Average Net Loss on Defaulted Receivables", [Dollars "pool.average_net_loss"]),
    spec!("85", "Principal Balance of Receivables extended during the Collection Period", [Dollars "pool.extensions"]),
    spec!("86", "Pool Balance on the close of the last day of the preceding Collection Period", [Dollars "pool.beginning_balance"]),
    spec!("87", "Ratio of extensions to pool balance (Ln 85 / Ln 86)", [Percent "pool.extension_ratio"]),
//missing set()
];

/// Rows of [`LAYOUT`] a certificate may leave out without a warning.
pub const OPTIONAL: &[&str] = &["29s"];

/// What the layout knows about rows whose print contradicts their figures or
/// their own label; shown with the row.
pub const NOTES: &[(&str, &str)] = &[
    (
        "15",
        "the date in the label is stale in several certificates; the rate is this period's",
    ),
    (
        "16",
        "the date in the label is stale in several certificates; the rate is this period's",
    ),
    (
        "26",
        "prints 0.15% while the fee (26a) is 1.00% a year / 12 of the pool balance (row 1)",
    ),
    (
        "29t",
        "its label sums q - s, but no certificate prints row 29s",
    ),
    (
        "37",
        "sums 26a + 26b, 28a + 28d, the class interest totals (29d, 29h, 29l, 29p, 29t, 31d, 33d, 35d) and rows 30, 32, 34, 36",
    ),
    (
        "49",
        "the label says 1.00% of the Initial Pool Balance; the amount is 0.25%",
    ),
    (
        "58",
        "beginning less ending balance (Ln50 - Ln57), not the shortfall to the required amount (row 38)",
    ),
];

/// Fields of `class[NAME].FIELD`.
pub const CLASS_FIELDS: &[&str] = &[
    "beginning_balance",
    "ending_balance",
    "factor_beginning",
    "factor_ending",
    "rate",
    "accrued",
    "interest_carry_in",
    "interest_on_carry",
    "interest_due",
    "interest_paid",
    "principal",
    "total_distribution",
];

/// Fields of `notes.FIELD`: all classes together (rows 8i and 9i).
pub const NOTES_FIELDS: &[&str] = &[
    "beginning_balance",
    "ending_balance",
    "factor_beginning",
    "factor_ending",
];

/// Fields of `pool.FIELD`.
pub const POOL_FIELDS: &[&str] = &[
    "beginning_balance",
    "ending_balance",
    "initial_balance",
    "principal_collections",
    "purchases_principal",
    "defaults",
    "count",
    "interest_collections",
    "liquidation_proceeds_interest",
    "purchases_interest",
    "available_interest",
    "liquidation_proceeds_principal",
    "available_principal",
    "collections",
    "advances",
    "available_collections",
    "wac",
    "original_term",
    "remaining_term",
    "delinquent_31_60",
    "delinquent_61_90",
    "delinquent_91_120",
    "delinquent_121_plus",
    "delinquent_total",
    "delinquent_31_60_count",
    "delinquent_61_90_count",
    "delinquent_91_120_count",
    "delinquent_121_plus_count",
    "delinquent_total_count",
    "delinquency_percent",
    "recoveries",
    "net_losses",
    "net_loss_ratio",
    "cumulative_defaults",
    "cumulative_recoveries",
    "cumulative_net_losses",
    "cumulative_net_loss_ratio",
    "average_net_loss",
    "extensions",
    "extension_ratio",
    "defaults_count",
    "recoveries_count",
    "cumulative_defaults_count",
    "cumulative_recoveries_count",
];

/// Paths that are a single figure.
pub const SCALARS: &[&str] = &[
    "index",
    "oc.target",
    "oc.amount",
    "available_funds",
    "remainder",
    "delinquency_trigger",
    "unreimbursed_advances",
];

/// `fee[NAME]` and its fields. The servicing fee's `rate` is row 26's
/// printed (and wrong) percentage.
pub const FEES: &[(&str, &[&str])] = &[
    (
        "servicing",
        &["rate", "accrued", "carry_in", "paid", "shortfall"],
    ),
    ("successor-servicer", &["due", "paid", "shortfall"]),
    (
        "asset-representations-reviewer",
        &["due", "paid", "shortfall"],
    ),
];

/// Names of `quantity[NAME]`: amounts the deal defines. The `uncapped_...`
/// ones are the expenses above the $175,000 annual cap, paid after regular
/// principal (rows 40-42).
pub const QUANTITIES: &[&str] = &[
    "priority_principal",
    "secondary_principal",
    "tertiary_principal",
    "quaternary_principal",
    "regular_principal",
    "required_payment_amount",
    "uncapped_successor_servicer_expenses",
    "uncapped_trustee_expenses",
    "uncapped_asset_representations_reviewer_expenses",
    "uncapped_successor_servicer_indemnity",
];

/// `account[NAME]` and its fields.
///
/// - reserve: `decrease` is row 58 (beginning less ending balance),
///   `deficiency` row 38 (the shortfall to the required amount the waterfall
///   deposits); `release` is the excess paid to the depositor (rows 56, 64b).
/// - collection: `deposits` and `withdrawals` are the totals (43e, 44f);
///   `earnings` its investment earnings (20 = 43d), part of Available Funds;
///   `withdrawal_servicer` pays the servicing fee and advances (44a, 60),
///   `withdrawal_successor_servicer` its transition costs (44b). The
///   collection account's other deposits are pool figures (43a = 17d,
///   43b = 18d) and the reserve draw (43c).
/// - note_payment: `deposit` is what the collection account pays into it and
///   it pays out to the noteholders (44c, 45q, 46i, 61).
pub const ACCOUNTS: &[(&str, &[&str])] = &[
    (
        "reserve",
        &[
            "required",
            "beginning",
            "earnings",
            "draw",
            "balance_before_deposit",
            "deposit",
            "release_to_principal",
            "release_to_servicer",
            "release",
            "ending",
            "deficiency",
            "decrease",
        ],
    ),
    (
        "collection",
        &[
            "deposits",
            "earnings",
            "withdrawals",
            "withdrawal_servicer",
            "withdrawal_successor_servicer",
        ],
    ),
    ("note_payment", &["deposit"]),
];

/// [`LAYOUT`] looked up: each key's first entry, each entry's label
/// pattern normalized ([`normalize`]), built once.
struct Index {
    /// By [`key_number`]: the first position of the row key in the
    /// template, plus one (0: no such row).
    by_key: Vec<u16>,
    /// Each row's label pattern, normalized and split at its `{date}`:
    /// the text before, and after if it has one.
    patterns: Vec<(String, Option<String>)>,
    /// Each row's slots' figure paths, with the class filled in: as text,
    /// and parsed.
    path_texts: Vec<Vec<String>>,
    paths: Vec<Vec<Option<FigurePath>>>,
}

/// Row keys as the template writes them: a number from 1 to 99 and at
/// most one lower-case letter (`"8a"`, `"26"`), numbered from 0 to
/// 99 x 27. Any other text is no row key of the template.
fn key_number(key: &str) -> Option<usize> {
    let (digits, letter) = match key.as_bytes() {
        [d @ b'1'..=b'9', rest @ ..] => match rest {
            [] => (usize::from(d - b'0'), 0),
            [e @ b'0'..=b'9'] => (usize::from(d - b'0') * 10 + usize::from(e - b'0'), 0),
            [l @ b'a'..=b'z'] => (usize::from(d - b'0'), usize::from(l - b'a') + 1),
            [e @ b'0'..=b'9', l @ b'a'..=b'z'] => (
                usize::from(d - b'0') * 10 + usize::from(e - b'0'),
                usize::from(l - b'a') + 1,
            ),
            _ => return None,
        },
        _ => return None,
    };
    Some(digits * 27 + letter)
}

static INDEX: std::sync::LazyLock<Index> = std::sync::LazyLock::new(|| {
    let mut by_key = vec![0u16; 100 * 27];
    for (i, s) in LAYOUT.iter().enumerate() {
        // The layout's own test holds every key to the form.
        if let Some(n) = key_number(s.key)
            && by_key[n] == 0
        {
            by_key[n] = i as u16 + 1;
        }
    }
    Index {
        by_key,
        patterns: LAYOUT.iter().map(RowSpec::split_pattern).collect(),
        path_texts: LAYOUT
            .iter()
            .map(|s| {
                (0..s.slots.len())
                    .map(|k| s.fill_path(k).unwrap_or_default())
                    .collect()
            })
            .collect(),
        paths: LAYOUT
            .iter()
            .map(|s| (0..s.slots.len()).map(|k| s.parse_path(k)).collect())
            .collect(),
    }
});

/// The entry for a row key.
pub fn spec(key: &str) -> Option<&'static RowSpec> {
    position(key).map(|i| &LAYOUT[i])
}

/// The note for a row key, if the layout has one.
pub fn note(key: &str) -> Option<&'static str> {
    NOTES.iter().find(|(k, _)| *k == key).map(|(_, n)| *n)
}

/// Position of a row key in the template.
pub(super) fn position(key: &str) -> Option<usize> {
    let at = *INDEX.by_key.get(key_number(key)?)?;
    (at > 0).then(|| usize::from(at) - 1)
}

impl RowSpec {
    /// Where this entry is in [`LAYOUT`], if it is the template's own (the
    /// one whose worked-out patterns and paths [`INDEX`] holds).
    fn in_template(&self) -> Option<usize> {
        position(self.key).filter(|&at| std::ptr::eq(&LAYOUT[at], self))
    }

    /// The figure path of slot `i`, with the class filled in.
    pub fn path(&self, i: usize) -> Option<String> {
        match self.in_template() {
            Some(at) => INDEX.path_texts[at].get(i).cloned(),
            None => self.fill_path(i),
        }
    }

    fn fill_path(&self, i: usize) -> Option<String> {
        self.slots
            .get(i)
            .map(|s| s.path.replace("{class}", self.class))
    }

    /// The figure path of slot `i` as a path (an unknown one as
    /// [`Subject::Other`]); the template's rows' are parsed once.
    pub fn figure_path(&self, i: usize) -> Option<FigurePath> {
        match self.in_template() {
            Some(at) => INDEX.paths[at].get(i)?.clone(),
            None => self.parse_path(i),
        }
    }

    fn parse_path(&self, i: usize) -> Option<FigurePath> {
        let path = self.fill_path(i)?;
        Some(FigurePath::parse(&path).unwrap_or_else(|| FigurePath::new(Subject::Other(path), "")))
    }

    /// Does a printed label match this row's pattern? With the date the
    /// pattern's `{date}` matched, as printed.
    pub fn matches(&self, label: &str) -> Option<Option<String>> {
        self.matches_normalized(&normalize(label))
    }

    /// The label pattern with the class filled in, normalized, split at
    /// its `{date}`.
    fn split_pattern(&self) -> (String, Option<String>) {
        let pattern = normalize(&self.label.replace("{class}", self.class));
        match pattern.split_once("{date}") {
            None => (pattern, None),
            Some((before, after)) => (before.to_string(), Some(after.to_string())),
        }
    }

    /// [`RowSpec::matches`] for a label already [`normalize`]d.
    pub(super) fn matches_normalized(&self, label: &str) -> Option<Option<String>> {
        let own;
        let (before, after) = match self.in_template() {
            Some(i) => &INDEX.patterns[i],
            None => {
                own = self.split_pattern();
                &own
            }
        };
        match after {
            None => (before == label).then_some(None),
            Some(after) => {
                let middle = label
                    .strip_prefix(before.as_str())?
                    .strip_suffix(after.as_str())?;
                super::text::us_date(middle).map(|_| Some(middle.to_string()))
            }
        }
    }
}

/// Lower case, runs of whitespace as one space, trimmed.
pub(super) fn normalize(s: &str) -> String {
    if s.is_ascii() {
        // Every label the layout knows: bytes lowered as they are copied,
        // ASCII whitespace (all `split_whitespace` finds in ASCII) collapsed.
        // U+000B counts as whitespace for `split_whitespace`, not for
        // `u8::is_ascii_whitespace`.
        let blank = |b: &u8| b.is_ascii_whitespace() || *b == 0x0B;
        let mut out = Vec::with_capacity(s.len());
        for word in s.as_bytes().split(blank) {
            if word.is_empty() {
                continue;
            }
            if !out.is_empty() {
                out.push(b' ');
            }
            out.extend(word.iter().map(u8::to_ascii_lowercase));
        }
        // Bytes of an ASCII string, lowered: still ASCII.
        return String::from_utf8(out).unwrap_or_default();
    }
    let mut out = String::with_capacity(s.len());
    for word in s.split_whitespace() {
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(word);
    }
    if out.is_ascii() {
        // Every label the layout knows: lowered in place, no second string.
        out.make_ascii_lowercase();
        out
    } else {
        out.to_lowercase()
    }
}

/// Is `path` in the figure path vocabulary? Class names are not checked
/// beyond being non-empty and bracket-free: the deal file names its classes.
pub fn is_figure_path(path: &str) -> bool {
    if SCALARS.contains(&path) {
        return true;
    }
    if let Some(field) = path.strip_prefix("pool.") {
        return POOL_FIELDS.contains(&field);
    }
    if let Some(field) = path.strip_prefix("notes.") {
        return NOTES_FIELDS.contains(&field);
    }
    if let Some(name) =
        bracketed(path, "quantity[").and_then(|(n, rest)| rest.is_empty().then_some(n))
    {
        return QUANTITIES.contains(&name);
    }
    if let Some((name, rest)) = bracketed(path, "class[") {
        return !name.is_empty()
            && rest
                .strip_prefix('.')
                .is_some_and(|f| CLASS_FIELDS.contains(&f));
    }
    for (prefix, table) in [("fee[", FEES), ("account[", ACCOUNTS)] {
        if let Some((name, rest)) = bracketed(path, prefix) {
            return table.iter().any(|(n, fields)| {
                *n == name && rest.strip_prefix('.').is_some_and(|f| fields.contains(&f))
            });
        }
    }
    false
}

/// `prefix NAME ] rest` as `(NAME, rest)`.
fn bracketed<'a>(path: &'a str, prefix: &str) -> Option<(&'a str, &'a str)> {
    let inner = path.strip_prefix(prefix)?;
    let (name, rest) = inner.split_once(']')?;
    (!name.contains('[')).then_some((name, rest))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeSet;

    #[test]
    fn a_label_is_normalized_as_lowered_words_joined_by_one_space() {
        let by_definition = |s: &str| {
            s.split_whitespace()
                .collect::<Vec<_>>()
                .join(" ")
                .to_lowercase()
        };
        let labels = [
            "  Class A-2b  Floating Rate\tNote Balance ",
            "Pool Balance on the close of the last day",
            "a\x0bb\x0cc\rd\ne",
            "",
            "   ",
            "Reserve\u{a0}Account Draw",
            "ÉTAT  du Pool",
            "MIXED Case   WORDS",
        ];
        for l in labels {
            assert_eq!(normalize(l), by_definition(l), "{l:?}");
        }
        // Every byte as a one-character label, and between two words.
        for b in 0u8..128 {
            let l = format!("Ab{}Cd", b as char);
            assert_eq!(normalize(&l), by_definition(&l), "{l:?}");
        }
    }

    #[test]
    fn a_slots_parsed_path_writes_back_as_its_path() {
        for s in LAYOUT {
            for k in 0..s.slots.len() {
                let parsed = s.figure_path(k).unwrap();
                assert_eq!(Some(parsed.id()), s.path(k), "row {} slot {k}", s.key);
            }
        }
    }

    #[test]
    fn every_row_key_finds_its_first_row() {
        for (i, s) in LAYOUT.iter().enumerate() {
            let first = LAYOUT.iter().position(|t| t.key == s.key).unwrap();
            assert_eq!(position(s.key), Some(first));
            assert!(first <= i);
        }
        assert_eq!(position("no such row"), None);
        for not_a_key in ["", "0", "08a", "8A", "8aa", "100", "8-", "?a", "8a "] {
            assert_eq!(key_number(not_a_key), None, "{not_a_key:?}");
        }
        assert_eq!(key_number("99z"), Some(99 * 27 + 26));
        // Every key of the template is of the form the table numbers.
        for s in LAYOUT {
            assert!(key_number(s.key).is_some(), "{}", s.key);
        }
    }

    #[test]
    fn keys_are_unique_and_every_path_is_in_the_vocabulary() {
        let mut keys = BTreeSet::new();
        for s in LAYOUT {
            assert!(keys.insert(s.key), "{} twice", s.key);
            assert_eq!(
                s.label.contains("{class}"),
                !s.class.is_empty(),
                "{}",
                s.key
            );
            for i in 0..s.slots.len() {
                let p = s.path(i).unwrap();
                assert!(is_figure_path(&p), "{}: {p}", s.key);
                assert!(!p.contains('{'), "{}: {p}", s.key);
            }
        }
        for k in OPTIONAL.iter().chain(NOTES.iter().map(|(k, _)| k)) {
            assert!(spec(k).is_some(), "{k}");
        }
    }

    #[test]
    fn vocabulary_refuses_near_misses() {
        for p in [
            "class[A-1].ending_balance",
            "pool.cumulative_recoveries_count",
            "fee[successor-servicer].due",
            "account[reserve].release_to_principal",
            "quantity[regular_principal]",
            "oc.target",
        ] {
            assert!(is_figure_path(p), "{p}");
        }
        for p in [
            "class[].ending_balance",
            "class[A-1].balance",
            "class[A-1]ending_balance",
            "pool.",
            "fee[servicing].due",
            "account[reserve]",
            "quantity[regular_principal].x",
            "quantity[fee]",
            "oc",
            "",
        ] {
            assert!(!is_figure_path(p), "{p}");
        }
    }

    #[test]
    fn labels_match_with_their_class_and_any_date() {
        let s = spec("8c").unwrap();
        assert!(
            s.matches("Class A-2b  Floating Rate Note Balance")
                .is_some()
        );
        assert!(s.matches("Class A-2a Floating Rate Note Balance").is_none());
        let s = spec("15").unwrap();
        assert_eq!(
            s.matches("30 day Average SOFR for the accrual period ending 8/14/2023"),
            Some(Some("8/14/2023".to_string()))
        );
        assert!(
            s.matches("30 day Average SOFR for the accrual period ending soon")
                .is_none()
        );
    }
}
