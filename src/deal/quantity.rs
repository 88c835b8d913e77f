//! The deal quantities an expression can name: a small closed vocabulary.
//!
//! | written | is |
//! |---|---|
//! | `pool.FIELD`, `group[G].FIELD` | the collateral this period: `beginning`, `ending`, `cutoff`, `interest`, `principal`, `scheduled_principal`, `prepayments`, `unscheduled_principal` (prepayments, liquidation proceeds and repurchases), `liquidation_proceeds`, `repurchases`, `realized_loss`, `premiums`, `net_wac`, `delinquent` (60+ days, foreclosure, REO), `cumulative_loss` |
//! | `balance[C, ...]` | the classes' principal balance now (an allocation's name stands for its classes); `.beginning`, `.original` |
//! | `interest[C, ...]` | the classes' interest accrued this period; `.due` what is due and unpaid now, `.paid` |
//! | `account[A]` | the account's balance now; `.beginning`, `.target` (a reserve's) |
//! | `fee[F].rate`, `.due`, `.paid` | a fee's rate (a fraction a year), what is due this period (with any unpaid), what was paid |
//! | `oc.FIELD` | overcollateralization: `beginning`, `target`, `last_target`, `floor`, `current` (as the period stands), `deficiency`, `excess` (both before this period's principal) |
//! | `index` | the deal's index rate for the accrual period |
//! | `period`, `days` | the distribution's number (the first is 1); actual days in the accrual period |
//! | `stepdown`, `trigger`, `trigger[T]` | 1 once the step-down date has occurred; 1 while any (or the named) trigger is breached |
//! | `schedule[S]` | a scheduled balance for this period (a PAC or TAC schedule) |
//! | `step[S].amount`, `.available`, `.left` | what the named step paid or moved, what its source held before it, and after |
//! | `swap[S].FIELD` | a `[[swap]]` this period: `notional`, `rate` (its floating rate), `net` (the trust's net receipt: receipt less payment, below zero when the trust pays), `payment` (the net swap payment the trust owes this period), `receipt` (what the counterparty pays the trust), `termination` (a termination payment the trust owes: this period's and any unpaid from before) |
//! | `cap[C].FIELD` | a `[[cap]]` this period: `notional`, `payment` (what it pays the trust) |
//! | `NAME`, `quantity[NAME]` | one of the deal's `[[quantity]]` entries |

use super::expr::{ExprError, Name, Path};

/// A collateral figure of the period.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PoolField {
    Beginning,
    Ending,
    Cutoff,
    Interest,
    Principal,
    ScheduledPrincipal,
    Prepayments,
    UnscheduledPrincipal,
    LiquidationProceeds,
    Repurchases,
    RealizedLoss,
    Premiums,
    NetWac,
    Delinquent,
    CumulativeLoss,
}

impl PoolField {
    pub const ALL: [(&'static str, PoolField); 15] = [
        ("beginning", PoolField::Beginning),
        ("ending", PoolField::Ending),
        ("cutoff", PoolField::Cutoff),
        ("interest", PoolField::Interest),
        ("principal", PoolField::Principal),
        ("scheduled_principal", PoolField::ScheduledPrincipal),
        ("prepayments", PoolField::Prepayments),
        ("unscheduled_principal", PoolField::UnscheduledPrincipal),
        ("liquidation_proceeds", PoolField::LiquidationProceeds),
        ("repurchases", PoolField::Repurchases),
        ("realized_loss", PoolField::RealizedLoss),
        ("premiums", PoolField::Premiums),
        ("net_wac", PoolField::NetWac),
        ("delinquent", PoolField::Delinquent),
        ("cumulative_loss", PoolField::CumulativeLoss),
    ];

    pub fn name(self) -> &'static str {
        Self::ALL
            .iter()
            .find(|(_, f)| *f == self)
            .map(|(n, _)| *n)
            .unwrap_or("?")
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum BalanceAt {
    Current,
    Beginning,
    Original,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum InterestField {
    Accrued,
    Due,
    Paid,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum AccountField {
    Balance,
    Beginning,
    Target,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum FeeField {
    Rate,
    Due,
    Paid,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum OcField {
    Beginning,
    Target,
    LastTarget,
    Floor,
    Current,
    Deficiency,
    Excess,
}

impl OcField {
    pub const ALL: [(&'static str, OcField); 7] = [
        ("beginning", OcField::Beginning),
        ("target", OcField::Target),
        ("last_target", OcField::LastTarget),
        ("floor", OcField::Floor),
        ("current", OcField::Current),
        ("deficiency", OcField::Deficiency),
        ("excess", OcField::Excess),
    ];
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum StepField {
    Amount,
    Available,
    Left,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SwapField {
    Notional,
    Rate,
    Net,
    Payment,
    Receipt,
    Termination,
}

impl SwapField {
    pub const ALL: [(&'static str, SwapField); 6] = [
        ("notional", SwapField::Notional),
        ("rate", SwapField::Rate),
        ("net", SwapField::Net),
        ("payment", SwapField::Payment),
        ("receipt", SwapField::Receipt),
        ("termination", SwapField::Termination),
    ];
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CapField {
    Notional,
    Payment,
}

impl CapField {
    pub const ALL: [(&'static str, CapField); 2] = [
        ("notional", CapField::Notional),
        ("payment", CapField::Payment),
    ];
}

/// One quantity, its names resolved to indices into the deal.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Quantity {
    Pool {
        group: Option<usize>,
        field: PoolField,
    },
    Balance {
        classes: Vec<usize>,
        at: BalanceAt,
    },
    Interest {
        classes: Vec<usize>,
        field: InterestField,
    },
    Account {
        account: usize,
        field: AccountField,
    },
    Fee {
        fee: usize,
        field: FeeField,
    },
    Named(usize),
    Oc(OcField),
    Index,
    Period,
    Days,
    Stepdown,
    Trigger(Option<usize>),
    Schedule(usize),
    Step {
        step: usize,
        field: StepField,
    },
    Swap {
        swap: usize,
        field: SwapField,
    },
    Cap {
        cap: usize,
        field: CapField,
    },
}

impl Quantity {
    /// Whether the quantity's value is settled before the waterfall's first
    /// step and cannot move while the steps run: the collateral's figures,
    /// what the determination works out (triggers, step-down, named
    /// quantities, accrued interest, the OC target, the derivatives'
    /// amounts) and beginning balances. Balances now, what is due or paid so
    /// far and the steps' own figures move. A test that reads only settled
    /// quantities has one value a period, however many steps it gates.
    pub fn settled_before_the_waterfall(&self) -> bool {
        match self {
            Quantity::Pool { .. }
            | Quantity::Named(_)
            | Quantity::Index
            | Quantity::Period
            | Quantity::Days
            | Quantity::Stepdown
            | Quantity::Trigger(_)
            | Quantity::Schedule(_) => true,
            Quantity::Balance { at, .. } => match at {
                BalanceAt::Beginning | BalanceAt::Original => true,
                BalanceAt::Current => false,
            },
            Quantity::Interest { field, .. } => match field {
                InterestField::Accrued => true,
                InterestField::Due | InterestField::Paid => false,
            },
            Quantity::Account { field, .. } => match field {
                AccountField::Beginning => true,
                // A target that is not a reserve's is worked out when first
                // read, from whatever it reads then.
                AccountField::Balance | AccountField::Target => false,
            },
            Quantity::Fee { field, .. } => match field {
                FeeField::Rate => true,
                FeeField::Due | FeeField::Paid => false,
            },
            Quantity::Oc(field) => match field {
                OcField::Beginning
                | OcField::Target
                | OcField::LastTarget
                | OcField::Deficiency
                | OcField::Excess => true,
                // The floor is worked out when first read.
                OcField::Floor | OcField::Current => false,
            },
            Quantity::Swap { field, .. } => match field {
                SwapField::Notional
                | SwapField::Rate
                | SwapField::Net
                | SwapField::Payment
                | SwapField::Receipt => true,
                SwapField::Termination => false,
            },
            Quantity::Cap { field, .. } => match field {
                CapField::Notional | CapField::Payment => true,
            },
            Quantity::Step { .. } => false,
        }
    }
}

/// The names a deal defines, for resolving paths. Each list is in deal order.
#[derive(Debug, Clone, Default)]
pub struct Names {
    pub classes: Vec<String>,
    /// Allocations with the classes each expands to.
    pub allocations: Vec<(String, Vec<usize>)>,
    pub groups: Vec<String>,
    pub accounts: Vec<String>,
    pub fees: Vec<String>,
    pub quantities: Vec<String>,
    pub triggers: Vec<String>,
    pub schedules: Vec<String>,
    pub steps: Vec<String>,
    pub swaps: Vec<String>,
    pub caps: Vec<String>,
    /// Whether the deal has an `[overcollateralization]` section.
    pub has_oc: bool,
}

fn find(list: &[String], n: &Name, what: &str) -> Result<usize, ExprError> {
    list.iter()
        .position(|x| x == &n.text)
        .ok_or_else(|| ExprError::new(n.at.clone(), unknown(what, &n.text, list)))
}

/// "no class named "X" (the deal defines: A, B)".
pub fn unknown(what: &str, name: &str, list: &[String]) -> String {
    let mut names: Vec<&str> = Vec::new();
    for n in list {
        if !n.is_empty() && !names.contains(&n.as_str()) {
            names.push(n);
        }
    }
    let known = if names.is_empty() {
        "none".to_string()
    } else {
        names.join(", ")
    };
    format!("no {what} named \"{name}\" (the deal defines: {known})")
}

impl Names {
    /// Classes named (or allocations, expanded), in the order written.
    pub fn class_set(&self, names: &[Name]) -> Result<Vec<usize>, ExprError> {
        let mut out = Vec::new();
        for n in names {
            if let Some(k) = self.classes.iter().position(|c| c == &n.text) {
                out.push(k);
            } else if let Some((_, members)) = self.allocations.iter().find(|(a, _)| a == &n.text) {
                out.extend(members.iter().copied());
            } else {
                let mut known = self.classes.clone();
                known.extend(self.allocations.iter().map(|(a, _)| a.clone()));
                return Err(ExprError::new(
                    n.at.clone(),
                    unknown("class or allocation", &n.text, &known),
                ));
            }
        }
        Ok(out)
    }

    /// Resolve one path.
    pub fn resolve(&self, p: &Path) -> Result<Quantity, ExprError> {
        let head = p.head.text.as_str();
        let field = p.fields.first();
        let fname = field.map(|f| f.text.as_str());
        if p.fields.len() > 1 {
            return Err(ExprError::new(
                p.fields[1].at.clone(),
                format!("\"{}\" has no field \"{}\"", p.text(), p.fields[1].text),
            ));
        }
        let no_args = |what: &str| -> Result<(), ExprError> {
            match &p.args {
                Some(a) => Err(ExprError::new(
                    a.first().map(|n| n.at.clone()).unwrap_or(p.at.clone()),
                    format!("{what} takes no names in brackets"),
                )),
                None => Ok(()),
            }
        };
        let args = || -> Result<&Vec<Name>, ExprError> {
            p.args.as_ref().ok_or_else(|| {
                ExprError::new(
                    p.head.at.clone(),
                    format!("{head} needs names in brackets: {head}[...]"),
                )
            })
        };
        let one = || -> Result<&Name, ExprError> {
            let a = args()?;
            if a.len() != 1 {
                return Err(ExprError::new(
                    p.at.clone(),
                    format!("{head}[...] takes one name, found {}", a.len()),
                ));
            }
            Ok(&a[0])
        };
        let bad_field = |choices: &[&str]| -> ExprError {
            let at = field.map(|f| f.at.clone()).unwrap_or(p.at.clone());
            let found = fname
                .map(|f| format!("\"{f}\""))
                .unwrap_or("nothing".into());
            ExprError::new(
                at,
                format!(
                    "{head} needs a field: one of {}; found {found}",
                    choices.join(", ")
                ),
            )
        };
        let pool_field = || -> Result<PoolField, ExprError> {
            let names: Vec<&str> = PoolField::ALL.iter().map(|(n, _)| *n).collect();
            fname
                .and_then(|f| {
                    PoolField::ALL
                        .iter()
                        .find(|(n, _)| *n == f)
                        .map(|(_, v)| *v)
                })
                .ok_or_else(|| bad_field(&names))
        };
        let plain = |q: Quantity| -> Result<Quantity, ExprError> {
            if let Some(f) = field {
                return Err(ExprError::new(
                    f.at.clone(),
                    format!("{head} has no field \"{}\"", f.text),
                ));
            }
            Ok(q)
        };
        match head {
            "pool" => {
                no_args("pool")?;
                Ok(Quantity::Pool {
                    group: None,
                    field: pool_field()?,
                })
            }
            "group" => {
                let g = find(&self.groups, one()?, "group")?;
                Ok(Quantity::Pool {
                    group: Some(g),
                    field: pool_field()?,
                })
            }
            "balance" => {
                let classes = self.class_set(args()?)?;
                let at = match fname {
                    None => BalanceAt::Current,
                    Some("beginning") => BalanceAt::Beginning,
                    Some("original") => BalanceAt::Original,
                    Some(_) => return Err(bad_field(&["beginning", "original"])),
                };
                Ok(Quantity::Balance { classes, at })
            }
            "interest" => {
                let classes = self.class_set(args()?)?;
                let field = match fname {
                    None => InterestField::Accrued,
                    Some("due") => InterestField::Due,
                    Some("paid") => InterestField::Paid,
                    Some(_) => return Err(bad_field(&["due", "paid"])),
                };
                Ok(Quantity::Interest { classes, field })
            }
            "account" => {
                let account = find(&self.accounts, one()?, "account")?;
                let field = match fname {
                    None => AccountField::Balance,
                    Some("beginning") => AccountField::Beginning,
                    Some("target") => AccountField::Target,
                    Some(_) => return Err(bad_field(&["beginning", "target"])),
                };
                Ok(Quantity::Account { account, field })
            }
            "fee" => {
                let fee = find(&self.fees, one()?, "fee")?;
                let field = match fname {
                    Some("rate") => FeeField::Rate,
                    Some("due") => FeeField::Due,
                    Some("paid") => FeeField::Paid,
                    _ => return Err(bad_field(&["rate", "due", "paid"])),
                };
                Ok(Quantity::Fee { fee, field })
            }
            "oc" => {
                no_args("oc")?;
                if !self.has_oc {
                    return Err(ExprError::new(
                        p.head.at.clone(),
                        "the deal has no [overcollateralization] section for oc.* to read",
                    ));
                }
                let names: Vec<&str> = OcField::ALL.iter().map(|(n, _)| *n).collect();
                let f = fname
                    .and_then(|f| OcField::ALL.iter().find(|(n, _)| *n == f).map(|(_, v)| *v))
                    .ok_or_else(|| bad_field(&names))?;
                Ok(Quantity::Oc(f))
            }
            "schedule" => {
                let s = find(&self.schedules, one()?, "schedule")?;
                plain(Quantity::Schedule(s))
            }
            "trigger" => match &p.args {
                None => plain(Quantity::Trigger(None)),
                Some(_) => {
                    let t = find(&self.triggers, one()?, "trigger")?;
                    plain(Quantity::Trigger(Some(t)))
                }
            },
            "step" => {
                let s = find(&self.steps, one()?, "step")?;
                let field = match fname {
                    Some("amount") => StepField::Amount,
                    Some("available") => StepField::Available,
                    Some("left") => StepField::Left,
                    _ => return Err(bad_field(&["amount", "available", "left"])),
                };
                Ok(Quantity::Step { step: s, field })
            }
            "swap" => {
                let s = find(&self.swaps, one()?, "swap")?;
                let names: Vec<&str> = SwapField::ALL.iter().map(|(n, _)| *n).collect();
                let field = fname
                    .and_then(|f| {
                        SwapField::ALL
                            .iter()
                            .find(|(n, _)| *n == f)
                            .map(|(_, v)| *v)
                    })
                    .ok_or_else(|| bad_field(&names))?;
                Ok(Quantity::Swap { swap: s, field })
            }
            "cap" => {
                let c = find(&self.caps, one()?, "cap")?;
                let names: Vec<&str> = CapField::ALL.iter().map(|(n, _)| *n).collect();
                let field = fname
                    .and_then(|f| CapField::ALL.iter().find(|(n, _)| *n == f).map(|(_, v)| *v))
                    .ok_or_else(|| bad_field(&names))?;
                Ok(Quantity::Cap { cap: c, field })
            }
            "quantity" => {
                let q = find(&self.quantities, one()?, "quantity")?;
                plain(Quantity::Named(q))
            }
            "index" | "period" | "days" | "stepdown" => {
                no_args(head)?;
                plain(match head {
                    "index" => Quantity::Index,
                    "period" => Quantity::Period,
                    "days" => Quantity::Days,
                    _ => Quantity::Stepdown,
                })
            }
            _ => {
                no_args(head)?;
                match self.quantities.iter().position(|q| q == head) {
                    Some(q) => plain(Quantity::Named(q)),
                    None => Err(ExprError::new(
                        p.head.at.clone(),
                        format!(
                            "unknown name \"{head}\": expected pool, group[..], balance[..], interest[..], account[..], fee[..], oc, index, period, days, stepdown, trigger, schedule[..], step[..], swap[..], cap[..] or a [[quantity]] ({})",
                            if self.quantities.is_empty() {
                                "the deal defines none".to_string()
                            } else {
                                self.quantities.join(", ")
                            }
                        ),
                    )),
                }
            }
        }
    }

    /// A quantity written back with the deal's names.
    pub fn display(&self, q: &Quantity) -> String {
        let set = |v: &[usize]| {
            v.iter()
                .map(|&k| self.classes.get(k).map(String::as_str).unwrap_or("?"))
                .collect::<Vec<_>>()
                .join(", ")
        };
        let get = |l: &[String], i: usize| l.get(i).cloned().unwrap_or_else(|| "?".into());
        match q {
            Quantity::Pool { group: None, field } => format!("pool.{}", field.name()),
            Quantity::Pool {
                group: Some(g),
                field,
            } => format!("group[{}].{}", get(&self.groups, *g), field.name()),
            Quantity::Balance { classes, at } => format!(
                "balance[{}]{}",
                set(classes),
                match at {
                    BalanceAt::Current => "",
                    BalanceAt::Beginning => ".beginning",
                    BalanceAt::Original => ".original",
                }
            ),
            Quantity::Interest { classes, field } => format!(
                "interest[{}]{}",
                set(classes),
                match field {
                    InterestField::Accrued => "",
                    InterestField::Due => ".due",
                    InterestField::Paid => ".paid",
                }
            ),
            Quantity::Account { account, field } => format!(
                "account[{}]{}",
                get(&self.accounts, *account),
                match field {
                    AccountField::Balance => "",
                    AccountField::Beginning => ".beginning",
                    AccountField::Target => ".target",
                }
            ),
            Quantity::Fee { fee, field } => format!(
                "fee[{}].{}",
                get(&self.fees, *fee),
                match field {
                    FeeField::Rate => "rate",
                    FeeField::Due => "due",
                    FeeField::Paid => "paid",
                }
            ),
            Quantity::Named(q) => get(&self.quantities, *q),
            Quantity::Oc(f) => format!(
                "oc.{}",
                OcField::ALL
                    .iter()
                    .find(|(_, v)| v == f)
                    .map(|(n, _)| *n)
                    .unwrap_or("?")
            ),
            Quantity::Index => "index".into(),
            Quantity::Period => "period".into(),
            Quantity::Days => "days".into(),
            Quantity::Stepdown => "stepdown".into(),
            Quantity::Trigger(None) => "trigger".into(),
            Quantity::Trigger(Some(t)) => format!("trigger[{}]", get(&self.triggers, *t)),
            Quantity::Schedule(s) => format!("schedule[{}]", get(&self.schedules, *s)),
            Quantity::Step { step, field } => format!(
                "step[{}].{}",
                get(&self.steps, *step),
                match field {
                    StepField::Amount => "amount",
                    StepField::Available => "available",
                    StepField::Left => "left",
                }
            ),
            Quantity::Swap { swap, field } => format!(
                "swap[{}].{}",
                get(&self.swaps, *swap),
                SwapField::ALL
                    .iter()
                    .find(|(_, v)| v == field)
                    .map(|(n, _)| *n)
                    .unwrap_or("?")
            ),
            Quantity::Cap { cap, field } => format!(
                "cap[{}].{}",
                get(&self.caps, *cap),
                CapField::ALL
                    .iter()
                    .find(|(_, v)| v == field)
                    .map(|(n, _)| *n)
                    .unwrap_or("?")
            ),
        }
    }
}
