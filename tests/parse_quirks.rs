//! The trustee report parser on the two seed reports: real printed figures,
//! and every quirk of the US Bank layout the parser has to survive.

use std::path::Path;

use rust_decimal::Decimal;
use rust_decimal_macros::dec;
use waterfall::report::{Printed, Report, Warning, parse};

const HE4: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/deals/absc-2003-he4/filings/2003-12-15.txt"
);
const HE2: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/deals/absc-2003-he2/filings/2003-12-15.txt"
);

fn text(path: &str) -> String {
    std::fs::read_to_string(path).expect("seed report")
}

fn parsed(path: &str) -> (Report, Vec<Warning>) {
    parse(Path::new(path), &text(path)).expect("seed report parses")
}

fn he4() -> Report {
    parsed(HE4).0
}

fn he2() -> Report {
    parsed(HE2).0
}

/// Value of a printed figure that must be there.
fn v(p: &Option<Printed>) -> Decimal {
    p.as_ref().expect("figure printed").value
}

fn line(p: &Option<Printed>) -> usize {
    p.as_ref().expect("figure printed").line
}

/// The 1-based number of the first line of `path` containing `needle`.
fn line_of(path: &str, needle: &str) -> usize {
    text(path)
        .lines()
        .position(|l| l.contains(needle))
        .map(|k| k + 1)
        .unwrap_or_else(|| panic!("{needle:?} not in {path}"))
}

// ---- heading ------------------------------------------------------------------

#[test]
fn trust_series_and_distribution_date() {
    let r = he4();
    assert_eq!(
        r.trust,
        "Asset Backed Securities Corporation, Home Equity Loan Trust, Series 2003-HE4"
    );
    assert_eq!(r.series, "2003-HE4");
    assert_eq!(
        r.distribution_date,
        chrono::NaiveDate::from_ymd_opt(2003, 12, 15)
    );
    assert_eq!(he2().series, "2003-HE2");
}

#[test]
fn classes_follow_the_distribution_summary_order() {
    let names: Vec<String> = he4().classes.iter().map(|c| c.name.clone()).collect();
    assert_eq!(
        names,
        [
            "A-1", "A-2", "A-3", "A-4", "A-IO", "A-IO-INV", "M-1", "M-2", "M-3", "M-4", "M5-A",
            "M5-B", "P", "X", "R", "B-IO"
        ]
    );
    assert_eq!(he2().classes.len(), 13);
}

// ---- the seed reports' warnings, exactly ---------------------------------------

#[test]
fn he4_warns_only_about_its_shifted_per_1000_interest_table() {
    let (_, warnings) = parsed(HE4);
    assert_eq!(warnings.len(), 1, "{warnings:#?}");
    assert_eq!(warnings[0].line, line_of(HE4, "     Class         1.09707"));
    assert!(
        warnings[0]
            .message
            .contains("per-$1,000 interest table rows are shifted: row labelled 'Class' holds A-1"),
        "{}",
        warnings[0].message
    );
}

#[test]
fn he2_warns_only_that_its_interest_and_distribution_totals_leave_out_b_io() {
    let (_, warnings) = parsed(HE2);
    let lines: Vec<usize> = warnings.iter().map(|w| w.line).collect();
    assert_eq!(
        lines,
        [
            line_of(HE2, "1.12000%      4,020,519"),
            line_of(HE2, "23,761,979")
        ],
        "{warnings:#?}"
    );
}

// ---- quirk 1: HE4's per-$1,000 Int/Total table is shifted one row -------------------

#[test]
fn he4_per_1000_interest_row_labelled_class_is_a_1() {
    let r = he4();
    let a1 = r.class("A-1").unwrap();
    assert_eq!(v(&a1.per_1000.interest), dec!(1.09707));
    assert_eq!(v(&a1.per_1000.total), dec!(24.49321));
    assert_eq!(
        line(&a1.per_1000.interest),
        line_of(HE4, "     Class         1.09707")
    );
    // The row labelled "A-1" holds A-2's figures.
    assert_eq!(v(&r.class("A-2").unwrap().per_1000.interest), dec!(1.09063));
}

#[test]
fn he4_per_1000_interest_of_m5_b_p_and_b_io_come_from_rows_labelled_m5_a_m5_b_and_r() {
    let r = he4();
    assert_eq!(
        v(&r.class("M5-B").unwrap().per_1000.interest),
        dec!(3.98222)
    );
    let p = r.class("P").unwrap();
    assert_eq!(v(&p.per_1000.interest), dec!(2936705.2));
    assert_eq!(p.per_1000.interest.unwrap().decimals, 5);
    assert_eq!(
        line(&p.per_1000.interest),
        line_of(HE4, "M5-B      2936705.20000")
    );
    let b_io = r.class("B-IO").unwrap();
    assert_eq!(v(&b_io.per_1000.interest), dec!(2.91667));
    assert_eq!(v(&b_io.per_1000.total), dec!(2.91667));
    assert_eq!(
        line(&b_io.per_1000.interest),
        line_of(HE4, "       R           2.91667")
    );
}

#[test]
fn he4_per_1000_principal_and_ending_tables_are_not_shifted() {
    let a1 = he4().class("A-1").unwrap().clone();
    assert_eq!(v(&a1.per_1000.principal), dec!(23.39614));
    assert_eq!(v(&a1.per_1000.interest_carry_forward), dec!(0));
    assert_eq!(v(&a1.per_1000.ending_balance), dec!(936.14466));
}

// ---- quirk 2: HE2's unlabelled tables are positional ---------------------------------

#[test]
fn he2_rate_interest_rows_are_positional_and_the_total_row_rate_is_libor() {
    let r = he2();
    let index = r.index_rate.unwrap();
    assert_eq!(index.value, dec!(0.0112));
    assert_eq!(index.decimals, 7);
    assert_eq!(index.line, line_of(HE2, "1.12000%      4,020,519"));
    let a1 = r.class("A-1").unwrap();
    assert_eq!(v(&a1.rate), dec!(0.015));
    assert_eq!(v(&a1.interest), dec!(383810));
    assert_eq!(v(&r.class("X").unwrap().rate), dec!(0.0458824));
    assert_eq!(v(&r.class("B-IO").unwrap().interest), dec!(186667));
    assert!(
        r.classes.iter().all(|c| c.name != "Total"),
        "the total row is not a class"
    );
    assert_eq!(he4().index_rate, None, "HE4 prints no LIBOR");
}

#[test]
fn he2_interest_shortfall_and_ending_balance_rows_are_positional() {
    let r = he2();
    assert_eq!(v(&r.class("A-1").unwrap().ending_balance), dec!(314665768));
    assert_eq!(v(&r.class("B-IO").unwrap().ending_balance), dec!(64000000));
    assert_eq!(v(&r.class("A-IO-INV").unwrap().interest_shortfall), dec!(0));
    assert_eq!(v(&r.totals.interest_shortfall), dec!(0));
    assert_eq!(v(&r.totals.ending_balance), dec!(608198344));
}

#[test]
fn he2_per_1000_interest_table_is_unlabelled_with_a_spare_total_row() {
    let r = he2();
    assert_eq!(v(&r.class("A-1").unwrap().per_1000.interest), dec!(0.96677));
    assert_eq!(v(&r.class("A-1").unwrap().per_1000.total), dec!(37.02170));
    assert_eq!(
        v(&r.class("B-IO").unwrap().per_1000.interest),
        dec!(2.91667)
    );
}

#[test]
fn he2_ending_per_1000_table_is_read_by_label_and_has_no_b_io() {
    let r = he2();
    assert_eq!(
        v(&r.class("R").unwrap().per_1000.ending_balance),
        dec!(1000)
    );
    assert_eq!(
        v(&r.class("A-IO-INV").unwrap().per_1000.ending_balance),
        dec!(706.98630)
    );
    assert_eq!(r.class("B-IO").unwrap().per_1000.ending_balance, None);
}

// ---- quirk 3: HE2's totals do not foot ---------------------------------------------

#[test]
fn he2_total_interest_4_020_519_is_parsed_as_printed_and_flagged_on_its_line() {
    let (r, warnings) = parsed(HE2);
    assert_eq!(v(&r.totals.interest), dec!(4020519));
    let total_line = line(&r.totals.interest);
    assert_eq!(total_line, line_of(HE2, "1.12000%      4,020,519"));
    let w = warnings
        .iter()
        .find(|w| w.line == total_line)
        .expect("a footing warning on the total row");
    assert!(
        w.message
            .starts_with("total interest 4,020,519 does not foot"),
        "{}",
        w.message
    );
    // Every class row, B-IO's 186,667 included, sums to 4,207,188.
    assert!(w.message.contains("4,207,188"), "{}", w.message);
}

#[test]
fn he2_total_distribution_23_761_979_is_flagged() {
    let (r, warnings) = parsed(HE2);
    assert_eq!(v(&r.totals.total_distribution), dec!(23761979));
    let w = warnings
        .iter()
        .find(|w| w.line == line(&r.totals.total_distribution))
        .expect("a footing warning");
    assert!(
        w.message
            .starts_with("total distribution 23,761,979 does not foot"),
        "{}",
        w.message
    );
}

#[test]
fn balance_totals_cover_only_the_classes_that_carry_principal() {
    // 1,008,600,100 = A-1..A-4 + M-1..M5-B + P; the IO notionals, X and R are out.
    let r = he4();
    assert_eq!(v(&r.totals.original_balance), dec!(1008600100));
    assert_eq!(v(&r.totals.beginning_balance), dec!(968043484));
    assert_eq!(v(&r.totals.principal), dec!(21410211));
    assert_eq!(v(&r.totals.ending_balance), dec!(946633273));
    assert_eq!(v(&r.totals.interest), dec!(2146327));
    assert_eq!(v(&r.totals.total_distribution), dec!(23556539));
    // HE4's rate/interest Total row has no rate: the interest is right-aligned.
    assert_eq!(r.totals.realized_loss, None);
}

// ---- quirk 4: number styles and abbreviated labels ---------------------------

#[test]
fn he2_group_1_net_liquidation_proceeds_print_as_779_in_parentheses() {
    let r = he2();
    let g1 = r.group("1").unwrap();
    assert_eq!(v(&g1.net_liquidation_proceeds), dec!(-779));
    assert_eq!(v(&g1.realized_losses), dec!(779));
    assert_eq!(v(&r.group("2").unwrap().realized_losses), dec!(16661));
    assert_eq!(v(&r.pool.realized_losses), dec!(17440));
}

#[test]
fn n_a_is_none_for_p_rate_and_senior_losses() {
    let r = he4();
    assert_eq!(r.class("P").unwrap().rate, None);
    assert_eq!(v(&r.class("P").unwrap().interest), dec!(293671));
    assert_eq!(r.class("A-1").unwrap().realized_loss, None);
    assert_eq!(v(&r.class("M-1").unwrap().realized_loss), dec!(0));
}

#[test]
fn collateral_labels_of_both_reports() {
    // "Loan Purch Prcie" (HE4) / "Loan Purch." (HE2), "Prepays+Curts" / "Prep (Incls".
    let r = he4();
    let g1 = r.group("1").unwrap();
    assert_eq!(v(&g1.repurchases), dec!(470254));
    assert_eq!(v(&g1.beginning_balance), dec!(596836025));
    assert_eq!(v(&g1.prepayments), dec!(8706352));
    assert_eq!(v(&g1.principal_remittance), dec!(9656964));
    assert_eq!(v(&g1.ending_count), dec!(3985));
    assert_eq!(g1.nonrecoverable_advances, None);
    assert_eq!(v(&r.pool.ending_balance), dec!(958052265));
    assert_eq!(r.pool.name, "TOTAL");
    let r = he2();
    let g2 = r.group("2").unwrap();
    assert_eq!(v(&g2.beginning_balance), dec!(223221261));
    assert_eq!(v(&g2.prepayments), dec!(5216267));
    assert_eq!(v(&g2.repurchases), dec!(0));
    assert_eq!(v(&g2.nonrecoverable_advances), dec!(0));
    assert_eq!(v(&r.pool.principal_remittance), dec!(19724020));
}

#[test]
fn interest_remittance_is_the_unlabelled_row_after_the_deductions() {
    let r = he4();
    let remit: Vec<Decimal> = r.groups.iter().map(|g| v(&g.interest_remittance)).collect();
    assert_eq!(remit, [dec!(3531979), dec!(2205560)]);
    assert_eq!(v(&r.pool.interest_remittance), dec!(5737540));
    assert_eq!(
        line(&r.pool.interest_remittance),
        line_of(HE4, "                    3,531,979")
    );
    let r = he2();
    let remit: Vec<Decimal> = r.groups.iter().map(|g| v(&g.interest_remittance)).collect();
    assert_eq!(remit, [dec!(2494838), dec!(1341366)]);
}

#[test]
fn servicing_fee_per_group_in_he4_and_in_total_in_he2() {
    let r = he4();
    let fees: Vec<Decimal> = r.servicing_fee_by_group.iter().map(|p| p.value).collect();
    assert_eq!(fees, [dec!(248681), dec!(157813)]);
    assert_eq!(r.servicing_fee_total, None);
    let r = he2();
    assert!(r.servicing_fee_by_group.is_empty());
    assert_eq!(v(&r.servicing_fee_total), dec!(267501));
}

#[test]
fn he4_delinquency_groups_printed_side_by_side() {
    let r = he4();
    let g1 = r.delinquency_by_group[0].days_30_59.as_ref().unwrap();
    assert_eq!(
        (g1.count.value, g1.balance.value),
        (dec!(86), dec!(11852961))
    );
    let g2 = r.delinquency_by_group[1].days_30_59.as_ref().unwrap();
    assert_eq!(
        (g2.count.value, g2.balance.value),
        (dec!(31), dec!(5750748.73))
    );
    assert_eq!(g2.balance.line, line_of(HE4, "30-59 days           86"));
    let total = r.delinquency_total.days_60_89.as_ref().unwrap();
    assert_eq!(
        (total.balance.value, total.balance.decimals),
        (dec!(5187860.5), 1)
    );
}

#[test]
fn he2_delinquency_total_60_89_balance() {
    let r = he2();
    let d = r.delinquency_total.days_60_89.as_ref().unwrap();
    assert_eq!(
        (d.count.value, d.balance.value),
        (dec!(29), dec!(5093808.65))
    );
    let g2 = r.delinquency_by_group[1].days_90_plus.as_ref().unwrap();
    assert_eq!(g2.balance.value, dec!(1031856.75));
}

#[test]
fn foreclosure_bankruptcy_reo_and_outstanding_loans() {
    let r = he4();
    let fc = r.delinquency_by_group[1].foreclosure.as_ref().unwrap();
    assert_eq!(
        (fc.count.value, fc.balance.value),
        (dec!(19), dec!(3281515.73))
    );
    // "Outstanding Loan" (group 1) and "Out Loans" (group 2, TOTAL).
    assert_eq!(
        r.delinquency_by_group[0]
            .outstanding
            .as_ref()
            .unwrap()
            .count
            .value,
        dec!(3985)
    );
    assert_eq!(
        r.delinquency_by_group[1]
            .outstanding
            .as_ref()
            .unwrap()
            .count
            .value,
        dec!(2137)
    );
    assert_eq!(
        r.delinquency_total
            .outstanding
            .as_ref()
            .unwrap()
            .balance
            .value,
        dec!(958052265)
    );
    let r = he2();
    let reo = r.delinquency_total.reo.as_ref().unwrap();
    assert_eq!(
        (reo.count.value, reo.balance.value),
        (dec!(3), dec!(288261.82))
    );
    assert_eq!(v(&r.delinquency_total.reo_market_value), dec!(307000));
    assert_eq!(v(&r.delinquency_by_group[0].reo_market_value), dec!(307000));
    assert_eq!(
        r.delinquency_by_group[1]
            .bankruptcy
            .as_ref()
            .unwrap()
            .balance
            .value,
        dec!(2861562.78)
    );
}

#[test]
fn shortfall_tables_map_bio_to_b_io_and_leave_out_r() {
    let r = he4();
    let b_io = r.class("B-IO").unwrap();
    assert_eq!(v(&b_io.unpaid_interest), dec!(0));
    assert_eq!(v(&b_io.prepayment_interest_shortfall), dec!(0));
    assert_eq!(v(&b_io.net_wac_carryover), dec!(0));
    assert_eq!(
        line(&b_io.unpaid_interest),
        line_of(
            HE4,
            "      BIO           0.00           0.00             0.00"
        )
    );
    let rr = r.class("R").unwrap();
    assert_eq!((rr.unpaid_interest, rr.relief_act_shortfall), (None, None));
    assert_eq!(
        v(&he2().class("M-5").unwrap().relief_act_shortfall),
        dec!(0)
    );
}

#[test]
fn prepayment_premiums_with_differently_truncated_labels() {
    let pp = he4().prepayment_premiums;
    assert_eq!(v(&pp.loans_collected), dec!(53));
    assert_eq!(v(&pp.loans_scheduled), dec!(55));
    assert_eq!(v(&pp.balance_of_loans), dec!(10837822.99));
    assert_eq!(
        (v(&pp.amount), pp.amount.unwrap().decimals),
        (dec!(293670.52), 2)
    );
    // HE2: "Number of Loans for which Prepayment Premiums" is the scheduled count.
    let pp = he2().prepayment_premiums;
    assert_eq!(v(&pp.loans_collected), dec!(81));
    assert_eq!(v(&pp.loans_scheduled), dec!(84));
    assert_eq!(v(&pp.balance_of_loans), dec!(13834306));
    assert_eq!(v(&pp.amount), dec!(401118));
}

#[test]
fn pool_figures_below_the_tables() {
    let r = he4();
    assert_eq!(v(&r.aggregate_ending_balance), dec!(958052265));
    assert_eq!(v(&r.ending_oc), dec!(11418992));
    assert_eq!(v(&r.liquidated_loans), dec!(0));
    assert_eq!(v(&r.advances_current), dec!(3558881.64));
    assert_eq!(v(&r.advances_outstanding_prior), dec!(1319718.49));
    assert_eq!(v(&r.current_realized_losses), dec!(0));
    assert_eq!(v(&r.wam), dec!(348));
    assert_eq!(v(&r.wac_gross), dec!(0.0755780));
    assert_eq!(v(&r.wac_net), dec!(0.0705780));
    assert_eq!(v(&r.loan_count), dec!(6122));
    assert_eq!(v(&r.oc_target), dec!(22189283));
    assert_eq!(v(&r.credit_enhancement), dec!(0.19938275));
    assert_eq!(v(&r.oc_increase), dec!(3875973.80));
    assert_eq!(v(&r.oc_release), dec!(0));
    assert_eq!(v(&r.oc_deficiency), dec!(14646264.28));
    assert_eq!(v(&r.excess_oc), dec!(0));
    assert_eq!(v(&r.yield_maintenance_payment), dec!(0));
    assert_eq!(v(&r.net_monthly_excess_cash_flow), dec!(3875973.80));
    assert_eq!(v(&r.extraordinary_trust_expenses), dec!(0));
    assert_eq!(v(&r.available_distribution_amount), dec!(23565447.75));
    assert_eq!(v(&r.deposit_to_net_wac_reserve_fund), dec!(0));
    let r = he2();
    // "Ending Overcollateralization Amount", "Real. Losses incurred during the related Due P".
    assert_eq!(v(&r.ending_oc), dec!(14344337));
    assert_eq!(v(&r.liquidated_loans), dec!(1));
    assert_eq!(v(&r.current_realized_losses), dec!(17440));
    assert_eq!(v(&r.cumulative_realized_losses), dec!(39920));
    assert_eq!(v(&r.credit_enhancement), dec!(0.22394342));
    assert_eq!(v(&r.oc_deficiency), dec!(17440));
}

#[test]
fn he2_has_no_available_distribution_amount_or_named_rates() {
    let r = he2();
    assert_eq!(r.available_distribution_amount, None);
    assert_eq!(r.deposit_to_net_wac_reserve_fund, None);
    assert!(r.named_rates.is_empty());
}

#[test]
fn he4_named_rates_a_io_net_wac_and_b_io_cap() {
    let r = he4();
    let a_io = r.named_rate("Class A-IO Net WAC Rate").unwrap();
    assert_eq!((a_io.value, a_io.decimals), (dec!(0.070468419), 9));
    assert_eq!(
        r.named_rate("Class B-IO Cap Rate").unwrap().value,
        dec!(0.067475348)
    );
    assert_eq!(r.named_rates.len(), 2);
}

#[test]
fn trigger_step_down_and_other_flags() {
    let r = he4();
    assert!(!r.trigger_event.as_ref().unwrap().value);
    assert!(!r.stepdown_occurred.as_ref().unwrap().value);
    assert!(r.other_flags.is_empty());
    // HE2 spells it "Trigger Event Occurance".
    let r = he2();
    let trigger = r.trigger_event.as_ref().unwrap();
    assert_eq!(
        (trigger.value, trigger.line),
        (false, line_of(HE2, "Trigger Event Occurance"))
    );
    assert!(!r.stepdown_occurred.as_ref().unwrap().value);
    assert_eq!(r.other_flags.len(), 1);
    let (label, flag) = &r.other_flags[0];
    assert_eq!(label, "Has Fairbanks failed the Termination Test");
    assert!(!flag.value);
}

#[test]
fn cusips_per_class() {
    let r = he4();
    assert_eq!(r.class("A-1").unwrap().cusip.as_deref(), Some("04541GER9"));
    assert_eq!(r.class("B-IO").unwrap().cusip.as_deref(), Some("04541GFA5"));
    assert_eq!(
        he2().class("A-IO-INV").unwrap().cusip.as_deref(),
        Some("04541GDX7")
    );
}

// ---- quirk 5: P's per-$1,000 figures ----------------------------------------------

#[test]
fn he2_p_per_1000_is_4_011_176_60() {
    let p = he2().class("P").unwrap().clone();
    assert_eq!(v(&p.per_1000.interest), dec!(4011176.6));
    assert_eq!(v(&p.per_1000.total), dec!(4011176.6));
}

// ---- quirk 6: tabs, ragged spacing, hyphenated class names ---------------------

#[test]
fn tabs_and_ragged_spacing_read_the_same_as_spaces() {
    let original = text(HE4);
    let ragged: String = original
        .lines()
        .enumerate()
        .map(|(k, l)| {
            let sep = ["\t", " \t ", "   ", "\t\t"][k % 4];
            let joined = l.split_whitespace().collect::<Vec<_>>().join(sep);
            format!("{}{joined}\t\n", if k % 3 == 0 { "\t" } else { "" })
        })
        .collect();
    let a = parse(Path::new(HE4), &original).unwrap();
    let b = parse(Path::new(HE4), &ragged).unwrap();
    assert_eq!(
        serde_json::to_value(&a.0).unwrap(),
        serde_json::to_value(&b.0).unwrap()
    );
    assert_eq!(a.1, b.1);
}

#[test]
fn hyphenated_class_names_are_single_labels() {
    let r = he4();
    let inv = r.class("A-IO-INV").unwrap();
    assert_eq!(v(&inv.beginning_balance), dec!(817167112));
    assert_eq!(v(&inv.ending_balance), dec!(763970281));
    assert_eq!(v(&r.class("M5-A").unwrap().rate), dec!(0.0512));
}

// ---- quirk 7: collateral footing -------------------------------------------------

#[test]
fn a_collateral_figure_that_does_not_foot_is_a_warning_on_its_line() {
    let broken = text(HE4).replace(
        "  Tot Prin Remit    9,656,964",
        "  Tot Prin Remit    9,656,974",
    );
    let (r, warnings) = parse(Path::new(HE4), &broken).unwrap();
    let at = line_of(HE4, "  Tot Prin Remit");
    assert_eq!(
        v(&r.group("1").unwrap().principal_remittance),
        dec!(9656974)
    );
    let messages: Vec<&str> = warnings
        .iter()
        .filter(|w| w.line == at)
        .map(|w| w.message.as_str())
        .collect();
    assert!(
        messages
            .iter()
            .any(|m| m.starts_with("group 1 principal remittance 9,656,974 does not foot")),
        "{messages:#?}"
    );
    assert!(
        messages
            .iter()
            .any(|m| m.starts_with("TOTAL principal remittance")),
        "{messages:#?}"
    );
}

#[test]
fn seed_collateral_tables_foot_within_rounding() {
    // HE2 group 2: 196,545 + 5,216,267 + 10,047 = 5,422,859, printed 5,422,860.
    for path in [HE4, HE2] {
        let (_, warnings) = parsed(path);
        assert!(
            warnings
                .iter()
                .all(|w| !w.message.contains("group") && !w.message.starts_with("TOTAL")),
            "{warnings:#?}"
        );
    }
}

// ---- bad input -------------------------------------------------------------------

#[test]
fn a_file_that_is_not_a_trustee_report_is_an_error_at_its_end() {
    let text = "name = \"absc-2003-he4\"\n[[class]]\nname = \"A-1\"\n";
    let e = parse(Path::new("deal.toml"), text).unwrap_err().to_string();
    assert!(e.starts_with("deal.toml:4: "), "{e}");
    assert!(e.contains("STATEMENT TO CERTIFICATEHOLDERS"), "{e}");
    assert!(e.ends_with("found end of file"), "{e}");
}

#[test]
fn an_empty_file_is_an_error_at_line_1() {
    let e = parse(Path::new("empty.txt"), "").unwrap_err().to_string();
    assert!(e.starts_with("empty.txt:1: "), "{e}");
    assert!(e.contains("empty file"), "{e}");
}

#[test]
fn a_report_without_the_distribution_summary_names_the_table() {
    // Cut just after the "DISTRIBUTION SUMMARY" heading, before its table.
    let report = text(HE4);
    let keep = line_of(HE4, "DISTRIBUTION SUMMARY");
    let cut: String = report
        .lines()
        .take(keep)
        .map(|l| format!("{l}\n"))
        .collect();
    let e = parse(Path::new("report.txt"), &cut)
        .unwrap_err()
        .to_string();
    assert_eq!(
        e,
        format!(
            "report.txt:{}: expected the DISTRIBUTION SUMMARY table (\"Class  Orig Bal  Beg Bal  Prin\"), found end of file",
            keep + 1
        )
    );
}

#[test]
fn a_report_without_a_distribution_date_is_an_error() {
    let report = text(HE2).replace("Distribution Date:                   15-Dec-03", "");
    let e = parse(Path::new("report.txt"), &report)
        .unwrap_err()
        .to_string();
    assert!(e.starts_with("report.txt:"), "{e}");
    assert!(e.contains("Distribution Date"), "{e}");
    let report = text(HE2).replace(
        "Distribution Date:                   15-Dec-03",
        "Distribution Date: 15-Dex-03",
    );
    let e = parse(Path::new("report.txt"), &report)
        .unwrap_err()
        .to_string();
    assert!(
        e.starts_with(&format!(
            "report.txt:{}: ",
            line_of(HE2, "Distribution Date:")
        )),
        "{e}"
    );
}

#[test]
fn a_report_cut_short_before_a_core_table_says_which_and_where_the_file_ends() {
    let report = text(HE4);
    let keep = line_of(HE4, "     Class        Int Short       End Bal") - 1;
    let cut: String = report
        .lines()
        .take(keep)
        .map(|l| format!("{l}\n"))
        .collect();
    let e = parse(Path::new("report.txt"), &cut)
        .unwrap_err()
        .to_string();
    assert!(e.starts_with(&format!("report.txt:{}: ", keep + 1)), "{e}");
    assert!(e.contains("interest shortfall/ending balance table"), "{e}");
    assert!(e.contains(&format!("the file ends at line {keep}")), "{e}");
    assert!(
        e.contains("Beg Bal"),
        "the collateral table is missing too: {e}"
    );
}

#[test]
fn a_report_cut_short_after_the_core_tables_parses_what_is_there() {
    let report = text(HE4);
    let keep = line_of(HE4, "                    3,531,979");
    let cut: String = report
        .lines()
        .take(keep)
        .map(|l| format!("{l}\n"))
        .collect();
    let (r, _) = parse(Path::new("report.txt"), &cut).unwrap();
    assert_eq!(v(&r.pool.interest_remittance), dec!(5737540));
    assert!(r.servicing_fee_by_group.is_empty());
    assert_eq!(r.available_distribution_amount, None);
    assert!(r.trigger_event.is_none());
}
