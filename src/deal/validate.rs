//! From the deal file as written to the validated [`Deal`]: every name a step,
//! rate or allocation uses must exist, every term must make sense, and all
//! problems are reported together, each at its line and column.

use std::collections::HashMap;

use rust_decimal::Decimal;

use super::file::*;
use super::*;
use crate::calendar::{BusinessDay, Calendar, DayCount, Holidays};
use crate::num::percent;
use crate::tomlfile::{Source, Spanned};

pub(super) fn validate(src: &Source) -> Result<Deal> {
    let file: DealFile = src.parse()?;
    let mut v = Validator {
        src,
        errors: Vec::new(),
        classes: HashMap::new(),
        groups: HashMap::new(),
        fees: HashMap::new(),
        rates: HashMap::new(),
        allocations: HashMap::new(),
        unknown_kind: Vec::new(),
        names_cap: Vec::new(),
    };
    let deal = v.deal(file);
    Error::collect(v.errors)?;
    Ok(deal)
}

struct Validator<'a> {
    src: &'a Source,
    errors: Vec<Error>,
    classes: HashMap<String, usize>,
    groups: HashMap<String, usize>,
    fees: HashMap<String, usize>,
    rates: HashMap<String, usize>,
    allocations: HashMap<String, usize>,
    /// Classes whose kind was not understood (their kind-based checks are skipped).
    unknown_kind: Vec<bool>,
    /// Classes that name a cap, even one that does not resolve.
    names_cap: Vec<bool>,
}

fn choices(list: &[&str]) -> String {
    list.iter()
        .map(|s| format!("\"{s}\""))
        .collect::<Vec<_>>()
        .join(", ")
}

impl Validator<'_> {
    fn err<T>(&mut self, s: &Spanned<T>, message: impl Into<String>) {
        let e = self.src.error(s.span(), message);
        self.errors.push(e);
    }

    fn err_at(&mut self, span: std::ops::Range<usize>, message: impl Into<String>) {
        let e = self.src.error(span, message);
        self.errors.push(e);
    }

    /// Register a name, refusing duplicates.
    fn name(&mut self, what: &str, s: &Spanned<String>, index: usize, map: Which) {
        let n = s.get_ref().trim().to_string();
        if n.is_empty() {
            self.err(s, format!("{what} name is empty"));
            return;
        }
        let duplicate = match self.map(map).entry(n.clone()) {
            std::collections::hash_map::Entry::Occupied(_) => true,
            std::collections::hash_map::Entry::Vacant(v) => {
                v.insert(index);
                false
            }
        };
        if duplicate {
            self.err(s, format!("{what} \"{n}\" is defined twice"));
        }
    }

    fn map(&mut self, which: Which) -> &mut HashMap<String, usize> {
        match which {
            Which::Class => &mut self.classes,
            Which::Group => &mut self.groups,
            Which::Fee => &mut self.fees,
            Which::Rate => &mut self.rates,
            Which::Allocation => &mut self.allocations,
        }
    }

    fn lookup(&mut self, what: &str, s: &Spanned<String>, which: Which) -> Option<usize> {
        let found = self.map(which).get(s.get_ref().trim()).copied();
        if found.is_none() {
            let mut known: Vec<String> = self.map(which).keys().cloned().collect();
            known.sort();
            self.err(
                s,
                format!(
                    "no {what} named \"{}\" (the deal defines: {})",
                    s.get_ref(),
                    if known.is_empty() {
                        "none".to_string()
                    } else {
                        known.join(", ")
                    }
                ),
            );
        }
        found
    }

    fn fee_name(&self, index: usize) -> String {
        self.fees
            .iter()
            .find(|(_, i)| **i == index)
            .map(|(n, _)| n.clone())
            .unwrap_or_default()
    }

    fn class(&mut self, s: &Spanned<String>) -> Option<usize> {
        self.lookup("class", s, Which::Class)
    }

    fn keyword<T: Copy>(
        &mut self,
        s: &Spanned<String>,
        what: &str,
        options: &[(&str, T)],
    ) -> Option<T> {
        let found = options
            .iter()
            .find(|(k, _)| *k == s.get_ref().trim())
            .map(|(_, v)| *v);
        if found.is_none() {
            let names: Vec<&str> = options.iter().map(|(k, _)| *k).collect();
            self.err(
                s,
                format!(
                    "unknown {what} \"{}\": expected one of {}",
                    s.get_ref(),
                    choices(&names)
                ),
            );
        }
        found
    }

    fn day_count(&mut self, s: &Spanned<String>) -> Option<DayCount> {
        self.keyword(
            s,
            "day count",
            &[
                ("act/360", DayCount::Act360),
                ("30/360", DayCount::Thirty360),
            ],
        )
    }

    fn account(
        &mut self,
        s: &Option<Spanned<String>>,
        step: &Spanned<StepSection>,
        field: &str,
    ) -> Option<Account> {
        match s {
            Some(s) => self.keyword(
                s,
                "account",
                &[
                    ("interest", Account::Interest),
                    ("principal", Account::Principal),
                    ("premiums", Account::Premiums),
                    ("excess", Account::Excess),
                ],
            ),
            None => {
                let action = step.get_ref().action.get_ref().clone();
                self.err_at(
                    step.get_ref().action.span(),
                    format!("step \"{action}\" needs `{field}` (an account: \"interest\", \"principal\", \"premiums\" or \"excess\")"),
                );
                None
            }
        }
    }

    fn nonnegative(&mut self, span: std::ops::Range<usize>, what: &str, d: Decimal) {
        if d.is_sign_negative() {
            self.err_at(span, format!("{what} must not be negative, found {d}"));
        }
    }

    fn deal(&mut self, f: DealFile) -> Deal {
        let calendar = self.calendar(&f.calendar);
        for (i, g) in f.group.iter().enumerate() {
            self.name("group", &g.name, i, Which::Group);
        }
        for (i, fee) in f.fee.iter().enumerate() {
            self.name("fee", &fee.name, i, Which::Fee);
        }
        for (i, c) in f.class.iter().enumerate() {
            self.name("class", &c.name, i, Which::Class);
        }
        for (i, r) in f.rate.iter().enumerate() {
            self.name("rate", &r.name, i, Which::Rate);
        }
        for (i, a) in f.allocation.iter().enumerate() {
            if self.classes.contains_key(a.name.get_ref().trim()) {
                self.err(
                    &a.name,
                    format!(
                        "allocation \"{}\" has the name of a class",
                        a.name.get_ref()
                    ),
                );
            }
            self.name("allocation", &a.name, i, Which::Allocation);
        }
        self.names_cap = f.class.iter().map(|c| c.cap.is_some()).collect();
        if f.class.is_empty() {
            self.errors
                .push(Error::file(&self.src.path, "the deal defines no [[class]]"));
        }

        let fees = f.fee.iter().map(|fee| self.fee(fee)).collect();
        let groups = f.group.iter().map(|g| self.group(g)).collect();
        let classes: Vec<Class> = f.class.iter().map(|c| self.class_def(c)).collect();
        let rates = self.rates(&f.rate, &classes);
        let oc = f
            .overcollateralization
            .as_ref()
            .and_then(|o| self.oc(o, &classes));
        let stepdown = f.stepdown.as_ref().map(|s| Stepdown {
            earliest: s.earliest.0,
            senior_enhancement: percent(s.senior_enhancement.0),
        });
        let triggers = f.trigger.iter().filter_map(|t| self.trigger(t)).collect();
        let call = f.clean_up_call.as_ref().map(|c| CleanUpCall {
            fraction_of_cutoff: percent(c.percent_of_cutoff.0),
        });
        let mut allocations: Vec<Allocation> =
            f.allocation.iter().map(|a| self.allocation(a)).collect();
        self.check_allocation_cycles(&f.allocation, &allocations);
        let steps = f
            .waterfall
            .iter()
            .enumerate()
            .filter_map(|(i, s)| {
                self.step(
                    i,
                    s,
                    &classes,
                    &mut allocations,
                    stepdown.is_some(),
                    f.overcollateralization.is_some(),
                )
            })
            .collect();
        let report = ReportSemantics {
            excess_cash_flow_after_extra_principal: match &f.report.net_monthly_excess_cash_flow {
                Some(s) => self
                    .keyword(
                        s,
                        "net_monthly_excess_cash_flow meaning",
                        &[
                            ("before-extra-principal", false),
                            ("after-extra-principal", true),
                        ],
                    )
                    .unwrap_or(false),
                None => false,
            },
        };
        let collateral = match &f.collateral {
            Some(c) => CollateralTerms {
                servicing_fee: percent(c.servicing_fee.0),
                arm_index_spread: c.arm_index_spread.map(|a| percent(a.0)).unwrap_or_default(),
                loan_tape: c
                    .loan_tape
                    .as_ref()
                    .map(|t| self.src.path.parent().unwrap_or(Path::new(".")).join(t)),
            },
            None => CollateralTerms::default(),
        };
        let cutoff = f.deal.cutoff_balance.get_ref().0;
        if cutoff <= Decimal::ZERO {
            self.err(
                &f.deal.cutoff_balance,
                format!("cutoff_balance must be positive, found {cutoff}"),
            );
        }
        Deal {
            short_name: f
                .deal
                .short_name
                .clone()
                .unwrap_or_else(|| f.deal.name.clone()),
            name: f.deal.name,
            series: f.deal.series,
            index_name: f.deal.index.unwrap_or_else(|| "1M LIBOR".to_string()),
            first_distribution_date: f.deal.first_distribution_date.0,
            closing_date: f.deal.closing_date.0,
            cutoff_balance: cutoff,
            calendar,
            groups,
            fees,
            classes,
            rates,
            oc,
            stepdown,
            triggers,
            call,
            allocations,
            steps,
            report,
            collateral,
            path: self.src.path.clone(),
        }
    }

    fn calendar(&mut self, c: &CalendarSection) -> Calendar {
        let day = *c.payment_day.get_ref();
        if !(1..=31).contains(&day) {
            self.err(
                &c.payment_day,
                format!("payment_day must be a day of the month (1-31), found {day}"),
            );
        }
        Calendar {
            payment_day: day.clamp(1, 31),
            business_day: self
                .keyword(
                    &c.business_day,
                    "business day rule",
                    &[
                        ("following", BusinessDay::Following),
                        ("modified-following", BusinessDay::ModifiedFollowing),
                        ("preceding", BusinessDay::Preceding),
                    ],
                )
                .unwrap_or(BusinessDay::Following),
            holidays: self
                .keyword(
                    &c.holidays,
                    "holiday calendar",
                    &[
                        ("us-federal-reserve", Holidays::UsFederalReserve),
                        ("none", Holidays::None),
                    ],
                )
                .unwrap_or(Holidays::None),
        }
    }

    fn fee(&mut self, f: &FeeSection) -> Fee {
        self.nonnegative(f.name.span(), "a fee rate", f.rate.0);
        Fee {
            name: f.name.get_ref().trim().to_string(),
            rate: percent(f.rate.0),
            day_count: f
                .day_count
                .as_ref()
                .and_then(|d| self.day_count(d))
                .unwrap_or(DayCount::Thirty360),
        }
    }

    fn group(&mut self, g: &GroupSection) -> Group {
        let mut lines = Vec::new();
        let mut total = Decimal::ZERO;
        for (i, l) in g.line.iter().enumerate() {
            let line = l.get_ref();
            let arm = self
                .keyword(&line.kind, "loan type", &[("fixed", false), ("arm", true)])
                .unwrap_or(false);
            if arm && (line.margin.is_none() || line.reset_period.is_none()) {
                self.err(l, "an ARM line needs `margin` and `reset_period`");
            }
            if line.gross_coupon.is_some() && line.coupon_spread.is_some() {
                self.err(l, "give either `gross_coupon` or `coupon_spread`, not both");
            }
            total += line.share.0;
            lines.push(LineAssumption {
                name: line
                    .name
                    .clone()
                    .unwrap_or_else(|| format!("{} line {}", g.name.get_ref(), i + 1)),
                share: percent(line.share.0),
                arm,
                gross_coupon: line.gross_coupon.map(|c| percent(c.0)),
                coupon_spread: line.coupon_spread.map(|c| percent(c.0)).unwrap_or_default(),
                original_term: line.original_term.unwrap_or(360),
                remaining_term: line.remaining_term,
                margin: line.margin.map(|m| percent(m.0)).unwrap_or_default(),
                months_to_next_reset: line.months_to_next_reset.unwrap_or(1),
                reset_period: line.reset_period.unwrap_or(6).max(1),
                periodic_cap: line
                    .periodic_cap
                    .map(|m| percent(m.0))
                    .unwrap_or(Decimal::ONE),
                life_cap_over_coupon: line
                    .life_cap_over_coupon
                    .map(|m| percent(m.0))
                    .unwrap_or(Decimal::ONE),
                life_floor: line.life_floor.map(|m| percent(m.0)),
            });
        }
        if !g.line.is_empty() && total != Decimal::ONE_HUNDRED {
            self.err(
                &g.name,
                format!(
                    "the shares of group \"{}\"'s lines add up to {total}%, not 100%",
                    g.name.get_ref()
                ),
            );
        }
        Group {
            name: g.name.get_ref().trim().to_string(),
            lines,
        }
    }

    fn class_def(&mut self, c: &ClassSection) -> Class {
        let kind = self
            .keyword(
                &c.kind,
                "class kind",
                &[
                    ("senior", ClassKind::Senior),
                    ("mezzanine", ClassKind::Mezzanine),
                    ("interest-only", ClassKind::InterestOnly),
                    ("prepayment-premium", ClassKind::PrepaymentPremium),
                    ("excess", ClassKind::Excess),
                    ("residual", ClassKind::Residual),
                ],
            )
            .unwrap_or(ClassKind::Residual);
        let known = [
            "senior",
            "mezzanine",
            "interest-only",
            "prepayment-premium",
            "excess",
            "residual",
        ]
        .contains(&c.kind.get_ref().trim());
        self.unknown_kind.push(!known);
        let needs_balance = matches!(
            kind,
            ClassKind::Senior
                | ClassKind::Mezzanine
                | ClassKind::InterestOnly
                | ClassKind::PrepaymentPremium
        );
        let original = match &c.original_balance {
            Some(b) => {
                self.nonnegative(b.span(), "original_balance", b.get_ref().0);
                b.get_ref().0
            }
            None => {
                if needs_balance && known {
                    self.err(
                        &c.name,
                        format!(
                            "class \"{}\" ({}) needs `original_balance`",
                            c.name.get_ref(),
                            kind.name()
                        ),
                    );
                }
                Decimal::ZERO
            }
        };
        let coupon = match &c.coupon {
            None => Coupon::None,
            Some(s) => {
                let cp = s.get_ref();
                match (cp.fixed, cp.margin, cp.strike) {
                    (Some(f), None, None) if cp.margin_after_call.is_none() => {
                        Coupon::Fixed(percent(f.0))
                    }
                    (None, Some(m), None) => Coupon::Floating {
                        margin: percent(m.0),
                        margin_after_call: percent(cp.margin_after_call.unwrap_or(m).0),
                    },
                    (None, None, Some(k)) if cp.margin_after_call.is_none() => Coupon::Inverse {
                        strike: percent(k.0),
                    },
                    _ => {
                        self.err(
                            s,
                            "a coupon is one of { fixed = \"4.00\" }, { margin = \"0.35\", margin_after_call = \"0.70\" } or { strike = \"1.34\" }",
                        );
                        Coupon::None
                    }
                }
            }
        };
        if matches!(
            kind,
            ClassKind::Senior | ClassKind::Mezzanine | ClassKind::InterestOnly
        ) && c.coupon.is_none()
        {
            self.err(
                &c.name,
                format!(
                    "class \"{}\" ({}) needs a `coupon`",
                    c.name.get_ref(),
                    kind.name()
                ),
            );
        }
        let day_count = match &c.day_count {
            Some(d) => self.day_count(d).unwrap_or(DayCount::Act360),
            None => match coupon {
                Coupon::Fixed(_) | Coupon::None => DayCount::Thirty360,
                _ => DayCount::Act360,
            },
        };
        let groups = c
            .groups
            .iter()
            .filter_map(|g| self.lookup("group", g, Which::Group))
            .collect();
        let cap = c
            .cap
            .as_ref()
            .and_then(|r| self.lookup("rate", r, Which::Rate));
        let notional = c.notional.as_ref().map(|n| self.notional(n));
        if notional.is_some() && kind != ClassKind::InterestOnly {
            self.err(
                &c.name,
                "only an interest-only class has a `notional` schedule",
            );
        }
        Class {
            name: c.name.get_ref().trim().to_string(),
            kind,
            original_balance: original,
            coupon,
            day_count,
            groups,
            cap,
            target_enhancement: c.target_enhancement.map(|t| percent(t.0)),
            notional,
        }
    }

    fn notional(&mut self, n: &Spanned<NotionalSection>) -> NotionalSchedule {
        let s = n.get_ref();
        let entries: Vec<_> = s
            .schedule
            .iter()
            .map(|e| (e.date.0, e.notional.0))
            .collect();
        if entries.windows(2).any(|w| w[0].0 >= w[1].0) {
            self.err(n, "notional schedule dates must increase");
        }
        if entries.iter().any(|e| e.1.is_sign_negative()) {
            self.err(n, "a notional must not be negative");
        }
        let extend = match &s.extend {
            Some(e) => self
                .keyword(
                    e,
                    "notional extension",
                    &[
                        ("flat", Extend::Flat),
                        ("last-step", Extend::LastStep),
                        ("last-ratio", Extend::LastRatio),
                    ],
                )
                .unwrap_or(Extend::Flat),
            None => Extend::Flat,
        };
        NotionalSchedule {
            entries,
            extend,
            ends: s.ends.map(|d| d.0),
        }
    }

    fn rates(&mut self, raw: &[RateSection], classes: &[Class]) -> Vec<RateDef> {
        let mut out = Vec::new();
        for (i, r) in raw.iter().enumerate() {
            let less_fees = r
                .less_fees
                .iter()
                .filter_map(|f| self.lookup("fee", f, Which::Fee))
                .collect();
            let mut less_interest_of = Vec::new();
            for c in &r.less_interest_of {
                if let Some(k) = self.class(c) {
                    // A class whose interest a rate uses must be capped, if at all, by an earlier rate.
                    if let Some(cap) = classes[k].cap
                        && cap >= i
                    {
                        self.err(
                            c,
                            format!(
                                "rate \"{}\" uses the interest of \"{}\", which is capped by rate \"{}\": define that rate first",
                                r.name.get_ref(),
                                classes[k].name,
                                raw[cap].name.get_ref()
                            ),
                        );
                    }
                    less_interest_of.push(k);
                }
            }
            out.push(RateDef {
                name: r.name.get_ref().trim().to_string(),
                report_label: r.report_label.clone(),
                group: r
                    .group
                    .as_ref()
                    .and_then(|g| self.lookup("group", g, Which::Group)),
                less_fees,
                less_interest_of,
                basis: r
                    .basis
                    .as_ref()
                    .and_then(|b| self.day_count(b))
                    .unwrap_or(DayCount::Thirty360),
            });
        }
        out
    }

    fn oc_amount(&mut self, s: &Spanned<OcAmountSection>, allow_current: bool) -> Option<OcAmount> {
        let a = s.get_ref();
        match (a.amount, a.percent_of_cutoff, a.percent_of_current) {
            (Some(x), None, None) => Some(OcAmount::Amount(x.0)),
            (None, Some(p), None) => Some(OcAmount::OfCutoff(percent(p.0))),
            (None, None, Some(p)) if allow_current => Some(OcAmount::OfCurrent(percent(p.0))),
            _ => {
                self.err(
                    s,
                    if allow_current {
                        "expected one of { amount = \"...\" }, { percent_of_cutoff = \"...\" } or { percent_of_current = \"...\" }"
                    } else {
                        "expected { amount = \"...\" } or { percent_of_cutoff = \"...\" }"
                    },
                );
                None
            }
        }
    }

    fn oc(&mut self, o: &OcSection, classes: &[Class]) -> Option<Oc> {
        let holder = self.class(&o.holder)?;
        if classes[holder].kind != ClassKind::Excess {
            self.err(
                &o.holder,
                format!(
                    "the OC holder \"{}\" must be a class of kind \"excess\"",
                    classes[holder].name
                ),
            );
        }
        let before = self.oc_amount(&o.target_before_stepdown, false)?;
        let after = o
            .target_after_stepdown
            .as_ref()
            .and_then(|a| self.oc_amount(a, true));
        let floor = o.floor.as_ref().and_then(|a| self.oc_amount(a, false));
        Some(Oc {
            holder,
            before_stepdown: before,
            after_stepdown: after,
            floor,
        })
    }

    fn trigger(&mut self, t: &TriggerSection) -> Option<Trigger> {
        let kind = self.keyword(
            &t.kind,
            "trigger kind",
            &[("delinquency", 0), ("cumulative-loss", 1)],
        )?;
        if kind == 0 {
            let Some(p) = t.percent_of_senior_enhancement else {
                self.err(
                    &t.kind,
                    "a delinquency trigger needs `percent_of_senior_enhancement`",
                );
                return None;
            };
            Some(Trigger::Delinquency {
                name: t.name.clone(),
                fraction_of_senior_enhancement: percent(p.0),
                rolling_months: t.rolling_months.unwrap_or(1).max(1),
            })
        } else {
            if t.schedule.is_empty() {
                self.err(&t.kind, "a cumulative-loss trigger needs a `schedule`");
                return None;
            }
            Some(Trigger::CumulativeLoss {
                name: t.name.clone(),
                schedule: t
                    .schedule
                    .iter()
                    .map(|e| (e.from.0, percent(e.percent.0)))
                    .collect(),
            })
        }
    }

    fn rule(
        &mut self,
        s: &Option<Spanned<String>>,
        weights: &[crate::tomlfile::Amount],
        members: usize,
    ) -> Rule {
        let Some(s) = s else { return Rule::Sequential };
        match self.keyword(
            s,
            "rule",
            &[("sequential", 0), ("pro-rata", 1), ("fixed", 2)],
        ) {
            Some(0) | None => Rule::Sequential,
            Some(1) => Rule::ProRata,
            _ => {
                if weights.len() != members {
                    let n = weights.len();
                    let plural = if n == 1 { "" } else { "s" };
                    self.err(
                        s,
                        format!("a fixed rule needs one weight per member: {n} weight{plural} for {members} members"),
                    );
                }
                if weights.iter().any(|w| w.0 <= Decimal::ZERO) {
                    self.err(s, "fixed weights must be positive");
                }
                Rule::Fixed(weights.iter().map(|w| w.0).collect())
            }
        }
    }

    fn target(&mut self, s: &Spanned<String>) -> Option<Target> {
        let name = s.get_ref().trim();
        if let Some(&k) = self.classes.get(name) {
            Some(Target::Class(k))
        } else if let Some(&a) = self.allocations.get(name) {
            Some(Target::Allocation(a))
        } else {
            let mut known: Vec<String> = self
                .classes
                .keys()
                .chain(self.allocations.keys())
                .cloned()
                .collect();
            known.sort();
            self.err(
                s,
                format!(
                    "no class or allocation named \"{name}\" (the deal defines: {})",
                    known.join(", ")
                ),
            );
            None
        }
    }

    fn allocation(&mut self, a: &AllocationSection) -> Allocation {
        let rule = self.rule(&Some(a.rule.clone()), &a.weights, a.members.len());
        if a.members.is_empty() {
            self.err(&a.name, "an allocation needs `members`");
        }
        Allocation {
            name: a.name.get_ref().trim().to_string(),
            rule,
            members: a.members.iter().filter_map(|m| self.target(m)).collect(),
        }
    }

    fn check_allocation_cycles(&mut self, raw: &[AllocationSection], allocs: &[Allocation]) {
        fn visits(allocs: &[Allocation], from: usize, seek: usize, depth: usize) -> bool {
            depth <= allocs.len()
                && allocs[from].members.iter().any(|m| match *m {
                    Target::Allocation(a) => a == seek || visits(allocs, a, seek, depth + 1),
                    Target::Class(_) => false,
                })
        }
        for (i, a) in raw.iter().enumerate() {
            if i < allocs.len() && visits(allocs, i, i, 0) {
                self.err(
                    &a.name,
                    format!("allocation \"{}\" contains itself", a.name.get_ref()),
                );
            }
        }
    }

    fn classes_of(&mut self, list: &[Spanned<String>], step: &Spanned<StepSection>) -> Vec<usize> {
        if list.is_empty() {
            let action = step.get_ref().action.get_ref().clone();
            self.err_at(
                step.get_ref().action.span(),
                format!("step \"{action}\" needs `classes`"),
            );
        }
        list.iter().filter_map(|c| self.class(c)).collect()
    }

    fn step(
        &mut self,
        index: usize,
        s: &Spanned<StepSection>,
        classes: &[Class],
        allocations: &mut Vec<Allocation>,
        has_stepdown: bool,
        has_oc: bool,
    ) -> Option<Step> {
        let st = s.get_ref();
        let line =
            crate::error::Location::from_offset(&self.src.path, &self.src.text, s.span().start)
                .line;
        let action_name = st.action.get_ref().trim().to_string();
        const ACTIONS: [&str; 11] = [
            "pay-fee",
            "pay-interest",
            "transfer",
            "release-oc",
            "pay-extra-principal",
            "pay-principal",
            "write-down",
            "reimburse-writedowns",
            "pay-basis-risk",
            "pay-premiums",
            "pay-remainder",
        ];
        if !ACTIONS.contains(&action_name.as_str()) {
            self.err(
                &st.action,
                format!(
                    "unknown action \"{action_name}\": expected one of {}",
                    choices(&ACTIONS)
                ),
            );
            return None;
        }
        // Fields each action takes; any other field present is an error.
        let allowed: &[&str] = match action_name.as_str() {
            "pay-fee" => &["fee", "from"],
            "pay-interest" | "reimburse-writedowns" | "pay-basis-risk" => {
                &["from", "classes", "rule"]
            }
            "transfer" | "release-oc" | "pay-extra-principal" => &["from", "to"],
            "pay-principal" => &["from", "classes", "rule", "groups", "limit"],
            "write-down" => &["classes"],
            _ => &["from", "to"],
        };
        let present: [(&str, Option<std::ops::Range<usize>>); 7] = [
            ("from", st.from.as_ref().map(|x| x.span())),
            ("to", st.to.as_ref().map(|x| x.span())),
            ("fee", st.fee.as_ref().map(|x| x.span())),
            ("classes", st.classes.first().map(|x| x.span())),
            ("rule", st.rule.as_ref().map(|x| x.span())),
            ("groups", st.groups.first().map(|x| x.group.span())),
            ("limit", st.limit.as_ref().map(|x| x.span())),
        ];
        for (field, span) in present {
            if let Some(span) = span
                && !allowed.contains(&field)
            {
                self.err_at(
                    span,
                    format!(
                        "step \"{action_name}\" takes no `{field}` (it takes: {})",
                        allowed.join(", ")
                    ),
                );
            }
        }
        let when = match &st.when {
            Some(w) => self.keyword(
                w,
                "`when` condition",
                &[
                    ("always", When::Always),
                    ("before-stepdown-or-trigger", When::BeforeStepdownOrTrigger),
                    ("after-stepdown-no-trigger", When::AfterStepdownNoTrigger),
                ],
            )?,
            None => When::Always,
        };
        if when != When::Always && !has_stepdown {
            self.err(
                st.when.as_ref()?,
                "a step-down condition needs a [stepdown] section",
            );
        }
        let to_class = |v: &mut Self| -> Option<usize> {
            match &st.to {
                Some(t) => v.class(t),
                None => {
                    v.err(
                        &st.action,
                        format!("step \"{action_name}\" needs `to` (a class)"),
                    );
                    None
                }
            }
        };
        let principal_bearing = |v: &mut Self, ks: &[usize], span: &Spanned<String>| {
            for &k in ks {
                if !classes[k].kind.carries_principal() && !v.unknown_kind[k] {
                    v.err(
                        span,
                        format!(
                            "class \"{}\" ({}) has no principal balance",
                            classes[k].name,
                            classes[k].kind.name()
                        ),
                    );
                }
            }
        };
        let action = match action_name.as_str() {
            "pay-fee" => {
                let fee = match &st.fee {
                    Some(f) => self.lookup("fee", f, Which::Fee),
                    None => {
                        self.err(&st.action, "step \"pay-fee\" needs `fee`");
                        None
                    }
                };
                let from = self.account(&st.from, s, "from");
                Action::PayFee {
                    fee: fee?,
                    from: from?,
                }
            }
            "pay-interest" | "reimburse-writedowns" | "pay-basis-risk" => {
                let ks = self.classes_of(&st.classes, s);
                let rule = self.rule(&st.rule, &[], ks.len());
                if let Rule::Fixed(_) = rule {
                    self.err(
                        st.rule.as_ref()?,
                        "interest is paid sequentially or pro rata",
                    );
                }
                let from = self.account(&st.from, s, "from")?;
                if action_name == "pay-basis-risk" {
                    for &k in &ks {
                        if classes[k].cap.is_none() && !self.names_cap[k] {
                            self.err(
                                &st.action,
                                format!(
                                    "class \"{}\" has no `cap`, so no basis risk carryover",
                                    classes[k].name
                                ),
                            );
                        }
                    }
                }
                if action_name == "reimburse-writedowns" {
                    principal_bearing(self, &ks, &st.action);
                }
                match action_name.as_str() {
                    "pay-interest" => Action::PayInterest {
                        classes: ks,
                        rule,
                        from,
                    },
                    "pay-basis-risk" => Action::PayBasisRisk {
                        classes: ks,
                        rule,
                        from,
                    },
                    _ => Action::ReimburseWritedowns {
                        classes: ks,
                        rule,
                        from,
                    },
                }
            }
            "transfer" | "release-oc" | "pay-extra-principal" => {
                let from = self.account(&st.from, s, "from");
                let to = self.account(&st.to, s, "to");
                let (from, to) = (from?, to?);
                if from == to {
                    self.err(&st.action, "`from` and `to` are the same account");
                }
                if action_name != "transfer" && !has_oc {
                    self.err(
                        &st.action,
                        format!("step \"{action_name}\" needs an [overcollateralization] section"),
                    );
                }
                match action_name.as_str() {
                    "transfer" => Action::Transfer { from, to },
                    "release-oc" => Action::ReleaseOc { from, to },
                    _ => Action::PayExtraPrincipal { from, to },
                }
            }
            "pay-principal" => {
                let from = self.account(&st.from, s, "from")?;
                let limit = match &st.limit {
                    Some(l) => self.keyword(
                        l,
                        "limit",
                        &[
                            ("none", Limit::None),
                            ("target-enhancement", Limit::TargetEnhancement),
                        ],
                    )?,
                    None => Limit::None,
                };
                let rule_name = st.rule.as_ref().map(|r| r.get_ref().trim().to_string());
                let dist = if rule_name.as_deref() == Some("group-share") {
                    if st.groups.is_empty() {
                        self.err(&st.action, "a group-share step needs `groups = [{ group = \"1\", to = \"A-1\" }, ...]`");
                    }
                    if !st.classes.is_empty() {
                        self.err(
                            &st.classes[0],
                            "a group-share step names its classes in `groups`",
                        );
                    }
                    let mut pairs = Vec::new();
                    for g in &st.groups {
                        let gi = self.lookup("group", &g.group, Which::Group);
                        let t = self.target(&g.to);
                        if let (Some(gi), Some(t)) = (gi, t) {
                            pairs.push((gi, t));
                        }
                    }
                    Distribution::GroupShare(pairs)
                } else {
                    if !st.groups.is_empty() {
                        self.err(&st.groups[0].group, "`groups` needs rule = \"group-share\"");
                    }
                    let members: Vec<Target> = if st.classes.is_empty() {
                        self.err(&st.action, "step \"pay-principal\" needs `classes` or rule = \"group-share\" with `groups`");
                        Vec::new()
                    } else {
                        st.classes.iter().filter_map(|c| self.target(c)).collect()
                    };
                    let rule = self.rule(&st.rule, &[], members.len());
                    if let Rule::Fixed(_) = rule {
                        self.err(
                            st.rule.as_ref()?,
                            "for fixed proportions define an [[allocation]] with weights",
                        );
                    }
                    if members.len() == 1 {
                        Distribution::To(members[0])
                    } else {
                        allocations.push(Allocation {
                            name: format!("step {}", index + 1),
                            rule,
                            members,
                        });
                        Distribution::To(Target::Allocation(allocations.len() - 1))
                    }
                };
                let deal_classes = |t: Target, out: &mut Vec<usize>| expand(allocations, t, out);
                let mut ks = Vec::new();
                match &dist {
                    Distribution::GroupShare(pairs) => {
                        pairs.iter().for_each(|&(_, t)| deal_classes(t, &mut ks))
                    }
                    Distribution::To(t) => deal_classes(*t, &mut ks),
                }
                principal_bearing(self, &ks, &st.action);
                if limit == Limit::TargetEnhancement {
                    if !has_stepdown {
                        self.err(
                            st.limit.as_ref()?,
                            "a target-enhancement limit needs a [stepdown] section",
                        );
                    }
                    for &k in &ks {
                        if classes[k].target_enhancement.is_none()
                            && classes[k].kind != ClassKind::PrepaymentPremium
                        {
                            self.err(
                                st.limit.as_ref()?,
                                format!(
                                    "class \"{}\" has no `target_enhancement` for this limit",
                                    classes[k].name
                                ),
                            );
                        }
                    }
                }
                Action::PayPrincipal { from, dist, limit }
            }
            "write-down" => {
                let ks = self.classes_of(&st.classes, s);
                principal_bearing(self, &ks, &st.action);
                Action::WriteDown { classes: ks }
            }
            "pay-premiums" | "pay-remainder" => {
                let from = self.account(&st.from, s, "from");
                let to = to_class(self);
                let (from, to) = (from?, to?);
                if action_name == "pay-premiums" {
                    Action::PayPremiums { from, to }
                } else {
                    Action::PayRemainder { from, to }
                }
            }
            _ => unreachable!("actions are checked above"),
        };
        let mut label = describe(&action, when, classes, allocations);
        if let Action::PayFee { fee, .. } = action {
            label = label.replace("pay fee", &format!("pay fee {}", self.fee_name(fee)));
        }
        Some(Step {
            action,
            when,
            label,
            line,
        })
    }
}

#[derive(Clone, Copy)]
enum Which {
    Class,
    Group,
    Fee,
    Rate,
    Allocation,
}

fn expand(allocs: &[Allocation], t: Target, out: &mut Vec<usize>) {
    match t {
        Target::Class(k) => out.push(k),
        Target::Allocation(a) => {
            for &m in &allocs[a].members {
                expand(allocs, m, out);
            }
        }
    }
}

fn names(ks: &[usize], classes: &[Class]) -> String {
    ks.iter()
        .map(|&k| classes[k].name.as_str())
        .collect::<Vec<_>>()
        .join(", ")
}

/// A one-line description of a step for the explain ledger.
fn describe(a: &Action, when: When, classes: &[Class], allocs: &[Allocation]) -> String {
    let target = |t: Target| match t {
        Target::Class(k) => classes[k].name.clone(),
        Target::Allocation(i) => allocs[i].name.clone(),
    };
    let text = match a {
        Action::PayFee { from, .. } => format!("pay fee from {}", from.name()),
        Action::PayInterest {
            classes: ks,
            rule,
            from,
        } => {
            format!(
                "pay interest to {} ({}) from {}",
                names(ks, classes),
                rule.name(),
                from.name()
            )
        }
        Action::Transfer { from, to } => {
            format!("transfer what is left of {} to {}", from.name(), to.name())
        }
        Action::ReleaseOc { from, to } => {
            format!("release OC above target: {} to {}", from.name(), to.name())
        }
        Action::PayExtraPrincipal { from, to } => {
            format!(
                "extra principal up to the OC deficiency: {} to {}",
                from.name(),
                to.name()
            )
        }
        Action::PayPrincipal { from, dist, limit } => {
            let to = match dist {
                Distribution::GroupShare(pairs) => {
                    pairs
                        .iter()
                        .map(|&(_, t)| target(t))
                        .collect::<Vec<_>>()
                        .join(" / ")
                        + " by group share"
                }
                Distribution::To(t) => match t {
                    Target::Allocation(i) if allocs[*i].name.starts_with("step ") => {
                        let mut ks = Vec::new();
                        expand(allocs, *t, &mut ks);
                        format!("{} ({})", names(&ks, classes), allocs[*i].rule.name())
                    }
                    _ => target(*t),
                },
            };
            let lim = if *limit == Limit::TargetEnhancement {
                ", down to target enhancement"
            } else {
                ""
            };
            format!("pay principal to {to}{lim} from {}", from.name())
        }
        Action::WriteDown { classes: ks } => {
            format!("write down losses beyond the OC on {}", names(ks, classes))
        }
        Action::ReimburseWritedowns {
            classes: ks,
            rule,
            from,
        } => {
            format!(
                "reimburse writedowns of {} ({}) from {}",
                names(ks, classes),
                rule.name(),
                from.name()
            )
        }
        Action::PayBasisRisk {
            classes: ks,
            rule,
            from,
        } => {
            format!(
                "pay net WAC carryover to {} ({}) from {}",
                names(ks, classes),
                rule.name(),
                from.name()
            )
        }
        Action::PayPremiums { from, to } => format!(
            "pay prepayment premiums to {} from {}",
            classes[*to].name,
            from.name()
        ),
        Action::PayRemainder { from, to } => {
            format!("pay the rest of {} to {}", from.name(), classes[*to].name)
        }
    };
    match when {
        When::Always => text,
        When::BeforeStepdownOrTrigger => format!("[before step-down or trigger] {text}"),
        When::AfterStepdownNoTrigger => format!("[after step-down, no trigger] {text}"),
    }
}
