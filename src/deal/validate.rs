//! From the deal file as written to the validated [`Deal`]: every name a
//! term uses must exist, every number must be in its range, every expression
//! must parse, nothing may depend on itself, and all problems are reported
//! together, each at its line and column.

use std::collections::HashMap;
use std::ops::Range;
use std::path::Path;

use rust_decimal::Decimal;
use serde::de::DeserializeOwned;
use toml::de::{DeTable, DeValue};

use super::expr::{self, ExprError, Node, Path as ExprPath, Resolve};
use super::file::*;
use super::quantity::{AccountField, FeeField, Names, OcField};
use super::steps::{ACTIONS, Action, Step};
use super::*;
use crate::calendar::{BusinessDay, Calendar, DayCount, Holidays};
use crate::num::{Term, percent};
use crate::tomlfile::{Amount, Source, Spanned};

/// Largest balance, notional or amount a deal file may state: ten trillion.
pub const MAX_BALANCE: Decimal = Decimal::from_parts(1_316_134_912, 2_328, 0, false, 0);

/// Longest loan term, in months.
pub const MAX_TERM: u32 = 600;

pub(super) fn validate(src: &Source) -> Result<Deal> {
    // Parsed once: the typed file, and the waterfall's tables with their
    // positions (each step's fields are read by its action).
    let tables = src.tables()?;
    let file: DealFile = src.parse_tables(tables.clone())?;
    let mut cx = Checker {
        tables: Some(tables),
        src,
        errors: Vec::new(),
        names: Names::default(),
        class_principal: Vec::new(),
        reserves: Vec::new(),
        implicit: Vec::new(),
        swap_accounts: Vec::new(),
    };
    let deal = cx.deal(file);
    Error::collect(cx.errors)?;
    let mut deal = deal.ok_or_else(|| Error::file(&src.path, "the deal file is not valid"))?;
    crate::structuring::fill_bands(&mut deal)?;
    Ok(deal)
}

/// Validation's working state: the file, the problems found so far, and the
/// names the deal defines. The waterfall's actions check their fields with it.
pub struct Checker<'a> {
    src: &'a Source,
    /// The file's tables, until the waterfall's steps are read from them.
    tables: Option<toml::Spanned<DeTable<'a>>>,
    errors: Vec<Error>,
    names: Names,
    /// Per class: whether it has a principal balance (no notional).
    class_principal: Vec<bool>,
    /// Per account: whether it is a reserve.
    reserves: Vec<bool>,
    /// Allocations made for steps that list `classes` with a `rule`.
    implicit: Vec<Allocation>,
    /// Per swap: the account its net payments are paid from.
    swap_accounts: Vec<usize>,
}

fn choices(list: &[&str]) -> String {
    list.iter()
        .map(|s| format!("\"{s}\""))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Whether a quantity's name can be written bare in an expression.
fn is_identifier(s: &str) -> bool {
    let mut c = s.chars();
    c.next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && c.all(|c| c.is_ascii_alphanumeric() || c == '_')
}

/// Names an expression reserves.
const KEYWORDS: [&str; 21] = [
    "pool", "group", "balance", "interest", "account", "fee", "oc", "index", "period", "days",
    "stepdown", "trigger", "schedule", "step", "quantity", "and", "or", "not", "if", "swap", "cap",
];

struct Resolver<'n> {
    names: &'n Names,
}

impl Resolve for Resolver<'_> {
    fn quantity(&mut self, p: &ExprPath) -> std::result::Result<Quantity, ExprError> {
        self.names.resolve(p)
    }
}

impl<'a> Checker<'a> {
    // --- Helpers the steps use -------------------------------------------------------

    pub fn err(&mut self, span: Range<usize>, message: impl Into<String>) {
        let e = self.src.error(span, message);
        self.errors.push(e);
    }

    fn err_s<T>(&mut self, s: &Spanned<T>, message: impl Into<String>) {
        self.err(s.span(), message);
    }

    fn lookup(&mut self, what: &str, list: &[String], s: &Spanned<String>) -> Option<usize> {
        let name = s.get_ref().trim();
        let found = list.iter().position(|x| x == name);
        if found.is_none() {
            let msg = quantity::unknown(what, name, list);
            self.err_s(s, msg);
        }
        found
    }

    pub fn class(&mut self, s: &Spanned<String>) -> Option<usize> {
        let list = self.names.classes.clone();
        self.lookup("class", &list, s)
    }

    pub fn class_has_principal(&self, k: usize) -> bool {
        self.class_principal.get(k).copied().unwrap_or(false)
    }

    /// Classes by name (an allocation's name stands for its classes), at
    /// least one; `at` is where to point when the list is empty.
    pub fn classes(&mut self, list: &[Spanned<String>], at: Range<usize>) -> Option<Vec<usize>> {
        if list.is_empty() {
            self.err(at, "the step lists no `classes`");
            return None;
        }
        let mut out = Vec::new();
        let mut ok = true;
        for s in list {
            let name = s.get_ref().trim();
            if let Some(k) = self.names.classes.iter().position(|c| c == name) {
                out.push(k);
            } else if let Some((_, members)) =
                self.names.allocations.iter().find(|(a, _)| a == name)
            {
                out.extend(members.iter().copied());
            } else {
                let mut known = self.names.classes.clone();
                known.extend(self.names.allocations.iter().map(|(a, _)| a.clone()));
                let msg = quantity::unknown("class or allocation", name, &known);
                self.err_s(s, msg);
                ok = false;
            }
        }
        ok.then_some(out)
    }

    /// A class or an allocation.
    pub fn target(&mut self, s: &Spanned<String>) -> Option<Target> {
        let name = s.get_ref().trim();
        if let Some(k) = self.names.classes.iter().position(|c| c == name) {
            return Some(Target::Class(k));
        }
        if let Some(a) = self.names.allocations.iter().position(|(n, _)| n == name) {
            return Some(Target::Allocation(a));
        }
        let mut known = self.names.classes.clone();
        known.extend(self.names.allocations.iter().map(|(a, _)| a.clone()));
        let msg = quantity::unknown("class or allocation", name, &known);
        self.err_s(s, msg);
        None
    }

    /// An allocation of `classes` by `rule`, for a step that lists them.
    pub fn implicit_allocation(&mut self, classes: Vec<usize>, rule: Rule) -> Target {
        let index = self.names.allocations.len() + self.implicit.len();
        self.implicit.push(Allocation {
            name: format!("(step {index})"),
            rule,
            members: classes.into_iter().map(Target::Class).collect(),
        });
        Target::Allocation(index)
    }

    pub fn account(&mut self, s: &Spanned<String>) -> Option<usize> {
        let list = self.names.accounts.clone();
        self.lookup("account", &list, s)
    }

    /// An account that is a reserve.
    pub fn reserve(&mut self, s: &Spanned<String>) -> Option<usize> {
        let a = self.account(s)?;
        if !self.reserves[a] {
            self.err_s(
                s,
                format!(
                    "account \"{}\" is not a reserve (kind = \"reserve\")",
                    s.get_ref()
                ),
            );
            return None;
        }
        Some(a)
    }

    pub fn fee(&mut self, s: &Spanned<String>) -> Option<usize> {
        let list = self.names.fees.clone();
        self.lookup("fee", &list, s)
    }

    /// A swap, and the account its net payments are paid from.
    pub fn swap(&mut self, s: &Spanned<String>) -> Option<(usize, usize)> {
        let list = self.names.swaps.clone();
        let i = self.lookup("swap", &list, s)?;
        Some((i, *self.swap_accounts.get(i)?))
    }

    pub fn group(&mut self, s: &Spanned<String>) -> Option<usize> {
        let list = self.names.groups.clone();
        self.lookup("group", &list, s)
    }

    /// A sharing rule: `sequential` (the default), `pro-rata`, and `fixed`
    /// where fixed weights are allowed (allocations).
    pub fn rule(&mut self, s: &Option<Spanned<String>>, fixed_ok: bool) -> Option<Rule> {
        let Some(s) = s else {
            return Some(Rule::Sequential);
        };
        match s.get_ref().trim() {
            "sequential" => Some(Rule::Sequential),
            "pro-rata" => Some(Rule::ProRata),
            "fixed" if fixed_ok => Some(Rule::Fixed(Vec::new())),
            other => {
                let mut list = vec!["sequential", "pro-rata"];
                if fixed_ok {
                    list.push("fixed");
                }
                self.err_s(
                    s,
                    format!(
                        "unknown rule \"{other}\": expected one of {}",
                        choices(&list)
                    ),
                );
                None
            }
        }
    }

    /// Parse an expression written at `s`.
    pub fn expr(&mut self, s: &Spanned<String>) -> Option<Expr> {
        let text = s.get_ref();
        let mut r = Resolver { names: &self.names };
        match expr::parse(text, &mut r) {
            Ok(e) => Some(e),
            Err(e) => {
                // Point inside the string where it was written plainly.
                let span = s.span();
                let raw = self.src.text.get(span.clone()).unwrap_or("");
                let open = if raw.starts_with("\"\"\"") || raw.starts_with("'''") {
                    3
                } else {
                    1
                };
                let plain = !raw.contains('\\') && raw.len() == text.len() + 2 * open;
                let at = if plain {
                    span.start + open + e.at.start
                } else {
                    span.start
                };
                self.err(at..at, e.message);
                None
            }
        }
    }

    /// An optional expression: `Some(None)` when not given, `None` when bad.
    pub fn opt_expr(&mut self, s: &Option<Spanned<String>>) -> Option<Option<Expr>> {
        match s {
            None => Some(None),
            Some(s) => self.expr(s).map(Some),
        }
    }

    /// Deserialize an action's fields from its table, errors located.
    pub(crate) fn fields<T: DeserializeOwned>(&mut self, table: Spanned<DeTable<'_>>) -> Option<T> {
        match T::deserialize(toml::de::Deserializer::from(table)) {
            Ok(v) => Some(v),
            Err(e) => {
                let at = e.span().map(|s| s.start).unwrap_or(0);
                self.err(at..at, e.message().trim_end().to_string());
                None
            }
        }
    }

    // --- Numbers in range --------------------------------------------------------

    /// An amount from 0 to [`MAX_BALANCE`].
    fn balance(&mut self, s: &Spanned<Amount>, what: &str) -> Decimal {
        let v = s.get_ref().0;
        if v.is_sign_negative() || v > MAX_BALANCE {
            self.err_s(s, format!("{what} must be between 0 and 10^13, found {v}"));
            return Decimal::ZERO;
        }
        v
    }

    /// A percentage from `lo` to `hi` (written in percent), as a fraction.
    pub(crate) fn pct_in(&mut self, s: &Spanned<Amount>, what: &str, lo: i64, hi: i64) -> Decimal {
        let v = s.get_ref().0;
        if v < Decimal::from(lo) || v > Decimal::from(hi) {
            self.err_s(
                s,
                format!("{what} is a percentage from {lo} to {hi}, found {v}"),
            );
            return Decimal::ZERO;
        }
        percent(v)
    }

    fn pct(&mut self, s: &Spanned<Amount>, what: &str) -> Decimal {
        self.pct_in(s, what, 0, 100)
    }

    fn months(&mut self, s: &Spanned<u32>, what: &str, lo: u32) -> u32 {
        let v = *s.get_ref();
        if v < lo || v > MAX_TERM {
            self.err_s(
                s,
                format!("{what} is a number of months from {lo} to {MAX_TERM}, found {v}"),
            );
            return lo.max(1);
        }
        v
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
            self.err_s(
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

    pub(crate) fn day_count(&mut self, s: &Spanned<String>) -> Option<DayCount> {
        let opts: Vec<(&str, DayCount)> = DayCount::ALL.iter().map(|d| (d.name(), *d)).collect();
        self.keyword(s, "day count", &opts)
    }

    fn date_in_range(&mut self, d: chrono::NaiveDate, span: Range<usize>) {
        use chrono::Datelike;
        if !(1900..=2200).contains(&d.year()) {
            self.err(span, format!("{d} is outside the years 1900 to 2200"));
        }
    }

    // --- Names ---------------------------------------------------------------------

    /// Register the names of one kind, refusing empty and duplicate ones.
    fn register(&mut self, what: &str, names: &[&Spanned<String>]) -> Vec<String> {
        let mut out: Vec<String> = Vec::new();
        for s in names {
            let n = s.get_ref().trim().to_string();
            if n.is_empty() {
                self.err_s(s, format!("{what} name is empty"));
            } else if out.contains(&n) {
                self.err_s(s, format!("{what} \"{n}\" is defined twice"));
            } else if n.contains(',') || n.contains(']') || n.contains('[') {
                self.err_s(
                    s,
                    format!("{what} name \"{n}\" may not hold \",\", \"[\" or \"]\""),
                );
            }
            out.push(n);
        }
        out
    }

    // --- The deal ----------------------------------------------------------------------

    fn deal(&mut self, f: DealFile) -> Option<Deal> {
        let calendar = self.calendar(&f.calendar);
        let cutoff = f.deal.cutoff_balance.get_ref().0;
        if cutoff <= Decimal::ZERO || cutoff > MAX_BALANCE {
            self.err_s(
                &f.deal.cutoff_balance,
                format!("cutoff_balance must be positive and at most 10^13, found {cutoff}"),
            );
        }
        self.date_in_range(f.deal.closing_date.0, 0..0);
        self.date_in_range(f.deal.first_distribution_date.0, 0..0);
        if f.deal.first_distribution_date.0 <= f.deal.closing_date.0 {
            self.err(
                f.deal.cutoff_balance.span(),
                format!(
                    "the first distribution date {} must come after the closing date {}",
                    f.deal.first_distribution_date.0, f.deal.closing_date.0
                ),
            );
        }
        if f.class.is_empty() {
            self.errors
                .push(Error::file(&self.src.path, "the deal defines no [[class]]"));
        }

        // Every name first, so that any term can refer to any part.
        let n = &mut Names::default();
        n.classes = self.register(
            "class",
            &f.class.iter().map(|c| &c.name).collect::<Vec<_>>(),
        );
        n.groups = self.register(
            "group",
            &f.group.iter().map(|g| &g.name).collect::<Vec<_>>(),
        );
        n.accounts = self.register(
            "account",
            &f.account
                .iter()
                .map(|a| &a.get_ref().name)
                .collect::<Vec<_>>(),
        );
        n.fees = self.register("fee", &f.fee.iter().map(|x| &x.name).collect::<Vec<_>>());
        n.quantities = self.register(
            "quantity",
            &f.quantity.iter().map(|q| &q.name).collect::<Vec<_>>(),
        );
        for q in &f.quantity {
            let name = q.name.get_ref().trim();
            if !is_identifier(name) || KEYWORDS.contains(&name) {
                self.err_s(
                    &q.name,
                    format!("a quantity's name is a word of letters, digits and _ (not a reserved word like pool or balance), found \"{name}\""),
                );
            }
        }
        n.swaps = self.register("swap", &f.swap.iter().map(|s| &s.name).collect::<Vec<_>>());
        n.caps = self.register("cap", &f.cap.iter().map(|c| &c.name).collect::<Vec<_>>());
        n.triggers = self.register(
            "trigger",
            &f.trigger.iter().map(|t| &t.name).collect::<Vec<_>>(),
        );
        n.schedules = self.register(
            "schedule",
            &f.schedule.iter().map(|s| &s.name).collect::<Vec<_>>(),
        );
        let alloc_names = self.register(
            "allocation",
            &f.allocation.iter().map(|a| &a.name).collect::<Vec<_>>(),
        );
        for a in &f.allocation {
            if n.classes.iter().any(|c| c == a.name.get_ref().trim()) {
                self.err_s(
                    &a.name,
                    format!(
                        "allocation \"{}\" has the name of a class",
                        a.name.get_ref()
                    ),
                );
            }
        }
        n.has_oc = f.overcollateralization.is_some();
        self.names = n.clone();
        self.names.allocations = alloc_names
            .iter()
            .map(|a| (a.clone(), Vec::new()))
            .collect();
        self.class_principal = f
            .class
            .iter()
            .map(|c| c.notional.is_none() && c.notional_schedule.is_none())
            .collect();

        let allocations = self.allocations(&f.allocation);
        for (i, a) in allocations.iter().enumerate() {
            let mut classes = Vec::new();
            expand(&allocations, Target::Allocation(i), &mut classes, 0);
            self.names.allocations[i] = (a.name.clone(), classes);
        }

        // The waterfall's step names, before any expression reads them.
        let steps_src = self.step_tables();
        self.names.steps = steps_src
            .iter()
            .map(|s| s.name.clone().unwrap_or_default())
            .collect();
        let named: Vec<&(Range<usize>, String)> = steps_src
            .iter()
            .filter_map(|s| s.name_at.as_ref())
            .collect();
        for (i, (span, name)) in named.iter().enumerate() {
            if !is_identifier(name) {
                self.err(
                    span.clone(),
                    format!("a step's name is a word of letters, digits and _, found \"{name}\""),
                );
            }
            if named[..i].iter().any(|(_, m)| m == name) {
                self.err(span.clone(), format!("step \"{name}\" is named twice"));
            }
        }

        let groups = f
            .group
            .iter()
            .map(|g| self.group_def(g))
            .collect::<Vec<_>>();
        let collateral = self.collateral(&f.collateral);
        let classes = f
            .class
            .iter()
            .map(|c| self.class_def(c))
            .collect::<Vec<_>>();
        self.reserves = f
            .account
            .iter()
            .map(|a| {
                a.get_ref()
                    .kind
                    .as_ref()
                    .is_some_and(|k| k.get_ref().trim() == "reserve")
            })
            .collect();
        let accounts = f
            .account
            .iter()
            .map(|a| self.account_def(a))
            .collect::<Vec<_>>();
        self.check_routing(&accounts, &f.account, groups.len());
        let fees = f
            .fee
            .iter()
            .filter_map(|x| self.fee_def(x))
            .collect::<Vec<_>>();
        let quantities = f
            .quantity
            .iter()
            .filter_map(|q| self.quantity_def(q))
            .collect::<Vec<_>>();
        let oc = f.overcollateralization.as_ref().and_then(|o| self.oc(o));
        let stepdown = f.stepdown.as_ref().map(|s| {
            self.date_in_range(s.earliest.0, 0..0);
            Stepdown {
                earliest: s.earliest.0,
                test: s.test.as_ref().and_then(|t| self.expr(t)),
            }
        });
        let triggers = f
            .trigger
            .iter()
            .filter_map(|t| self.trigger(t))
            .collect::<Vec<_>>();
        let call = f.clean_up_call.as_ref().map(|c| CleanUpCall {
            fraction_of_cutoff: self.pct(&c.percent_of_cutoff, "percent_of_cutoff"),
        });
        let schedules = f
            .schedule
            .iter()
            .filter_map(|s| self.schedule(s))
            .collect::<Vec<_>>();
        let swaps: Vec<Swap> = f
            .swap
            .iter()
            .filter_map(|s| derivative::check_swap(s, self))
            .collect();
        let caps: Vec<Cap> = f
            .cap
            .iter()
            .filter_map(|c| derivative::check_cap(c, self))
            .collect();
        self.swap_accounts = swaps.iter().map(|s| s.payments_from).collect();
        let steps = steps_src
            .into_iter()
            .filter_map(|s| self.step(s))
            .collect::<Vec<_>>();
        let report = self.report(&f.report);
        if f.account.is_empty() {
            self.err(
                f.waterfall.span(),
                "the deal declares no [[account]]: the waterfall needs at least one to pay from",
            );
        }
        let mut allocations = allocations;
        allocations.append(&mut self.implicit);

        let deal = Deal {
            short_name: f
                .deal
                .short_name
                .clone()
                .unwrap_or_else(|| f.deal.name.clone()),
            name: f.deal.name.clone(),
            series: f.deal.series.clone(),
            index_name: f
                .deal
                .index
                .clone()
                .unwrap_or_else(|| "1M LIBOR".to_string()),
            first_distribution_date: f.deal.first_distribution_date.0,
            closing_date: f.deal.closing_date.0,
            cutoff_balance: cutoff,
            calendar,
            groups,
            collateral,
            accounts,
            fees,
            classes,
            quantities,
            oc,
            stepdown,
            triggers,
            call,
            allocations,
            schedules,
            coupon_splits: Vec::new(),
            swaps,
            caps,
            steps,
            report,
            names: self.names.clone(),
            path: self.src.path.clone(),
        };
        let mut deal = deal;
        deal.coupon_splits = f
            .coupon_split
            .iter()
            .filter_map(|c| self.coupon_split(c, &deal.classes))
            .collect();
        if self.errors.is_empty() {
            self.check_cycles(&deal, &f);
        }
        Some(deal)
    }

    fn calendar(&mut self, c: &CalendarSection) -> Calendar {
        let day = *c.payment_day.get_ref();
        if !(1..=31).contains(&day) {
            self.err_s(
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
                        ("none", BusinessDay::None),
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

    fn collateral(&mut self, c: &Option<CollateralSection>) -> CollateralTerms {
        let Some(c) = c else {
            return CollateralTerms::default();
        };
        CollateralTerms {
            servicing_fee: c
                .servicing_fee
                .as_ref()
                .map(|s| self.pct(s, "servicing_fee"))
                .unwrap_or_default(),
            arm_index_spread: c
                .arm_index_spread
                .as_ref()
                .map(|s| self.pct_in(s, "arm_index_spread", -100, 100))
                .unwrap_or_default(),
            loan_tape: c
                .loan_tape
                .as_ref()
                .map(|t| self.src.path.parent().unwrap_or(Path::new(".")).join(t)),
        }
    }

    fn group_def(&mut self, g: &GroupSection) -> Group {
        let mut lines = Vec::new();
        let mut total = Decimal::ZERO;
        let errors_before = self.errors.len();
        for (i, l) in g.line.iter().enumerate() {
            let line = l.get_ref();
            let arm = self
                .keyword(&line.kind, "loan type", &[("fixed", false), ("arm", true)])
                .unwrap_or(false);
            if arm && (line.margin.is_none() || line.reset_period.is_none()) {
                self.err_s(l, "an ARM line needs `margin` and `reset_period`");
            }
            if line.gross_coupon.is_some() && line.coupon_spread.is_some() {
                self.err_s(l, "give either `gross_coupon` or `coupon_spread`, not both");
            }
            let share = self.pct(&line.share, "a line's share");
            total += line.share.get_ref().0;
            let opt_pct = |cx: &mut Self, s: &Option<Spanned<Amount>>, what: &str| {
                s.as_ref().map(|s| cx.pct(s, what))
            };
            let gross_coupon = opt_pct(self, &line.gross_coupon, "gross_coupon");
            let net_coupon = opt_pct(self, &line.net_coupon, "net_coupon");
            if let (Some(g), Some(n)) = (gross_coupon, net_coupon)
                && n > g
            {
                self.err_s(l, "the net coupon must not exceed the gross coupon");
            }
            let original_term = line
                .original_term
                .as_ref()
                .map(|t| self.months(t, "original_term", 1))
                .unwrap_or(360);
            let remaining_term = line
                .remaining_term
                .as_ref()
                .map(|t| self.months(t, "remaining_term", 1));
            if remaining_term.is_some_and(|r| r > original_term) {
                self.err_s(l, "remaining_term must not exceed original_term");
            }
            lines.push(LineAssumption {
                name: line
                    .name
                    .clone()
                    .unwrap_or_else(|| format!("{} line {}", g.name.get_ref(), i + 1)),
                share,
                arm,
                gross_coupon,
                net_coupon,
                coupon_spread: line
                    .coupon_spread
                    .as_ref()
                    .map(|c| self.pct_in(c, "coupon_spread", -100, 100))
                    .unwrap_or_default(),
                original_term,
                remaining_term,
                margin: opt_pct(self, &line.margin, "margin").unwrap_or_default(),
                months_to_next_reset: line
                    .months_to_next_reset
                    .as_ref()
                    .map(|m| self.months(m, "months_to_next_reset", 1))
                    .unwrap_or(1),
                reset_period: line
                    .reset_period
                    .as_ref()
                    .map(|m| self.months(m, "reset_period", 1))
                    .unwrap_or(6),
                periodic_cap: opt_pct(self, &line.periodic_cap, "periodic_cap")
                    .unwrap_or(Decimal::ONE),
                life_cap_over_coupon: opt_pct(
                    self,
                    &line.life_cap_over_coupon,
                    "life_cap_over_coupon",
                )
                .unwrap_or(Decimal::ONE),
                life_floor: opt_pct(self, &line.life_floor, "life_floor"),
            });
        }
        if !g.line.is_empty() && total != Decimal::ONE_HUNDRED && self.errors.len() == errors_before
        {
            self.err_s(
                &g.name,
                format!(
                    "the shares of group \"{}\"'s lines add up to {total}%, not 100%",
                    g.name.get_ref()
                ),
            );
        }
        Group {
            name: g.name.get_ref().trim().to_string(),
            cutoff_balance: g
                .cutoff_balance
                .as_ref()
                .map(|b| self.balance(b, "a group's cutoff_balance")),
            cutoff_wac: g.cutoff_wac.as_ref().map(|c| self.pct(c, "cutoff_wac")),
            cutoff_net_wac: g
                .cutoff_net_wac
                .as_ref()
                .map(|c| self.pct(c, "cutoff_net_wac")),
            cutoff_wam: g
                .cutoff_wam
                .as_ref()
                .map(|m| self.months(m, "cutoff_wam", 1)),
            lines,
        }
    }

    fn coupon_kind(
        &mut self,
        fixed: &Option<Spanned<Amount>>,
        margin: &Option<Spanned<Amount>>,
        multiplier: Option<&Spanned<Amount>>,
    ) -> Option<CouponKind> {
        match (fixed, margin) {
            (Some(f), None) => Some(CouponKind::Fixed(Term::new(self.pct(f, "a fixed coupon")))),
            (None, Some(m)) => {
                let mult = match multiplier {
                    Some(x) => {
                        let v = x.get_ref().0;
                        if v.abs() > Decimal::ONE_HUNDRED {
                            self.err_s(
                                x,
                                format!("multiplier must be between -100 and 100, found {v}"),
                            );
                        }
                        v
                    }
                    None => Decimal::ONE,
                };
                Some(CouponKind::Floating {
                    multiplier: Term::new(mult),
                    margin: Term::new(self.pct_in(m, "a margin", -100, 100)),
                })
            }
            _ => None,
        }
    }

    fn coupon(&mut self, s: &Spanned<CouponSection>) -> Coupon {
        let c = s.get_ref();
        let forms = [c.fixed.is_some(), c.margin.is_some(), c.wac.is_some()]
            .iter()
            .filter(|&&b| b)
            .count();
        let shape = "a coupon is one of { fixed = \"7.5\" }, { margin = \"0.35\" [, multiplier = \"-3\"] } or { wac = \"pool\" [, less = \"0.25\"] }, each with optional cap, floor, capped_by, after_call and step_up";
        if forms != 1 {
            self.err_s(s, shape);
            return Coupon::NONE;
        }
        if c.multiplier.is_some() && c.margin.is_none() {
            self.err_s(s, "`multiplier` goes with `margin` (a floating coupon)");
        }
        if c.less.is_some() && c.wac.is_none() {
            self.err_s(s, "`less` goes with `wac` (a net WAC coupon)");
        }
        let kind = if let Some(w) = &c.wac {
            let group = match w.get_ref().trim() {
                "pool" => None,
                _ => self.group(w),
            };
            CouponKind::Wac {
                group,
                less: Term::new(
                    c.less
                        .as_ref()
                        .map(|l| self.pct(l, "less"))
                        .unwrap_or_default(),
                ),
            }
        } else {
            self.coupon_kind(&c.fixed, &c.margin, c.multiplier.as_ref())
                .unwrap_or(CouponKind::None)
        };
        let capped_by = c.capped_by.as_ref().and_then(|r| {
            let list = self.names.quantities.clone();
            self.lookup("quantity", &list, r)
        });
        let mut step_ups = Vec::new();
        let mut step_up = |cx: &mut Self, u: &Spanned<StepUpSection>, from: StepUpFrom| {
            let v = u.get_ref();
            let floating = matches!(kind, CouponKind::Floating { .. });
            let k = match (&v.fixed, &v.margin) {
                (Some(_), None) if !floating => cx.coupon_kind(&v.fixed, &None, None),
                (None, Some(_)) if floating => {
                    let mult = match &kind {
                        CouponKind::Floating { multiplier, .. } => *multiplier,
                        _ => Term::new(Decimal::ONE),
                    };
                    cx.coupon_kind(&None, &v.margin, None).map(|k| match k {
                        CouponKind::Floating { margin, .. } => CouponKind::Floating {
                            multiplier: mult,
                            margin,
                        },
                        k => k,
                    })
                }
                _ => {
                    cx.err_s(u, "a step-up gives a new `margin` for a floating coupon, or a new `fixed` rate for a fixed one");
                    None
                }
            };
            if let Some(k) = k {
                step_ups.push(StepUp { from, kind: k });
            }
        };
        if let Some(u) = &c.after_call {
            if u.get_ref().from.is_some() {
                self.err_s(
                    u,
                    "after_call takes effect after the call date: it has no `from`",
                );
            }
            step_up(self, u, StepUpFrom::Call);
        }
        for u in &c.step_up {
            match u.get_ref().from {
                Some(d) => step_up(self, u, StepUpFrom::Date(d.0)),
                None => self.err_s(u, "a step_up needs `from`, the date it takes effect"),
            }
        }
        Coupon {
            kind,
            cap: c
                .cap
                .as_ref()
                .map(|x| Term::new(self.pct_in(x, "cap", -100, 100))),
            floor: c
                .floor
                .as_ref()
                .map(|x| Term::new(self.pct_in(x, "floor", -100, 100))),
            capped_by,
            step_ups,
        }
    }

    fn class_def(&mut self, c: &ClassSection) -> Class {
        let original = c
            .original_balance
            .as_ref()
            .map(|b| self.balance(b, "original_balance"))
            .unwrap_or_default();
        let coupon = c
            .coupon
            .as_ref()
            .map(|s| self.coupon(s))
            .unwrap_or(Coupon::NONE);
        let day_count = match &c.day_count {
            Some(d) => self.day_count(d).unwrap_or(DayCount::Act360),
            None => match coupon.kind {
                CouponKind::Floating { .. } => DayCount::Act360,
                _ => DayCount::Thirty360,
            },
        };
        let notional = match (&c.notional, &c.notional_schedule) {
            (Some(_), Some(s)) => {
                self.err_s(
                    s,
                    "give either `notional` (a quantity) or `notional_schedule`, not both",
                );
                None
            }
            (Some(e), None) => self.expr(e).map(Notional::Of),
            (None, Some(s)) => self.notional_schedule(s).map(Notional::Schedule),
            (None, None) => None,
        };
        Class {
            name: c.name.get_ref().trim().to_string(),
            original_balance: original,
            coupon,
            day_count,
            notional,
            interest_on_unpaid: c.interest_on_unpaid,
        }
    }

    fn notional_schedule(&mut self, s: &Spanned<NotionalSection>) -> Option<NotionalSchedule> {
        let n = s.get_ref();
        let extend = match &n.extend {
            None => Extend::Flat,
            Some(e) => self.keyword(
                e,
                "notional extension",
                &[
                    ("flat", Extend::Flat),
                    ("last-step", Extend::LastStep),
                    ("last-ratio", Extend::LastRatio),
                ],
            )?,
        };
        let mut entries = Vec::new();
        for e in &n.entries {
            self.date_in_range(e.date.0, e.notional.span());
            let v = self.balance(&e.notional, "a notional");
            if entries.last().is_some_and(|(d, _)| *d >= e.date.0) {
                self.err_s(
                    &e.notional,
                    "notional entries must be in date order, one per date",
                );
            }
            entries.push((e.date.0, v));
        }
        if entries.is_empty() {
            self.err_s(s, "a notional schedule needs at least one entry");
            return None;
        }
        Some(NotionalSchedule {
            entries,
            extend,
            ends: n.ends.map(|d| d.0),
        })
    }

    fn account_def(&mut self, s: &Spanned<AccountSection>) -> Account {
        let a = s.get_ref();
        let kind_name = a.kind.as_ref().map(|k| k.get_ref().trim().to_string());
        let kind = match kind_name.as_deref() {
            None | Some("collection") => {
                if a.target.is_some() || a.initial_balance.is_some() {
                    self.err_s(s, "only a reserve (kind = \"reserve\") has a `target` or an `initial_balance`");
                }
                AccountKind::Collection
            }
            Some("reserve") => {
                let target = match &a.target {
                    Some(t) => self.expr(t),
                    None => {
                        self.err_s(s, "a reserve needs a `target` (an amount or an expression)");
                        None
                    }
                };
                AccountKind::Reserve {
                    initial: a
                        .initial_balance
                        .as_ref()
                        .map(|b| self.balance(b, "initial_balance"))
                        .unwrap_or_default(),
                    target: target.unwrap_or(Expr::num(Term::ZERO)),
                }
            }
            Some(other) => {
                if let Some(k) = &a.kind {
                    self.err_s(k, format!("unknown account kind \"{other}\": expected one of \"collection\", \"reserve\""));
                }
                AccountKind::Collection
            }
        };
        let mut receives = Vec::new();
        for r in &a.receives {
            if let Some(f) = self.keyword(r, "collateral flow", &Flow::ALL) {
                if receives.contains(&f) {
                    self.err_s(r, format!("\"{}\" is listed twice", f.name()));
                }
                receives.push(f);
            }
        }
        let group = a.group.as_ref().and_then(|g| self.group(g));
        if group.is_some() && receives.contains(&Flow::Premiums) {
            self.err_s(
                s,
                "premiums are the pool's: a group's account cannot receive them",
            );
        }
        Account {
            name: a.name.get_ref().trim().to_string(),
            kind,
            receives,
            group,
        }
    }

    /// Each group's interest, scheduled and unscheduled principal, and the
    /// premiums, go to exactly one account.
    fn check_routing(
        &mut self,
        accounts: &[Account],
        raw: &[Spanned<AccountSection>],
        groups: usize,
    ) {
        if accounts.is_empty() {
            return;
        }
        let groups = groups.max(1);
        // Count per (group, component): 0 interest, 1 scheduled, 2 unscheduled.
        let mut count = vec![[0u32; 3]; groups];
        let mut premiums = 0;
        for a in accounts {
            for f in &a.receives {
                let parts: &[usize] = match f {
                    Flow::Interest => &[0],
                    Flow::Principal => &[1, 2],
                    Flow::ScheduledPrincipal => &[1],
                    Flow::UnscheduledPrincipal => &[2],
                    Flow::Premiums => {
                        premiums += 1;
                        &[]
                    }
                };
                for (g, c) in count.iter_mut().enumerate() {
                    if a.group.is_none_or(|x| x == g) {
                        for &p in parts {
                            c[p] += 1;
                        }
                    }
                }
            }
        }
        let at = raw[0].span();
        let what = ["interest", "scheduled principal", "unscheduled principal"];
        for (g, c) in count.iter().enumerate() {
            for p in 0..3 {
                if c[p] != 1 {
                    let group = if groups > 1 {
                        format!(
                            " of group {}",
                            self.names.groups.get(g).cloned().unwrap_or_default()
                        )
                    } else {
                        String::new()
                    };
                    self.err(
                        at.clone(),
                        format!(
                            "the collateral's {}{group} goes to {} accounts: every collateral flow must go to exactly one account's `receives`",
                            what[p], c[p]
                        ),
                    );
                }
            }
        }
        if premiums > 1 {
            self.err(at, "premiums go to more than one account");
        }
    }

    fn fee_def(&mut self, f: &FeeSection) -> Option<Fee> {
        let due = match (&f.rate, &f.amount) {
            (Some(r), None) => {
                let rate = Term::new(self.pct(r, "a fee rate"));
                let basis = match &f.basis {
                    Some(b) => self.expr(b)?,
                    None => Expr::quantity(Quantity::Pool {
                        group: None,
                        field: quantity::PoolField::Beginning,
                    }),
                };
                FeeDue::Rate { rate, basis }
            }
            (None, Some(a)) => {
                if let Some(b) = &f.basis {
                    self.err_s(b, "`basis` goes with `rate`");
                }
                FeeDue::Amount(self.expr(a)?)
            }
            _ => {
                self.err_s(
                    &f.name,
                    "a fee has either a `rate` (percent a year of `basis`) or an `amount`",
                );
                return None;
            }
        };
        Some(Fee {
            name: f.name.get_ref().trim().to_string(),
            due,
            day_count: f
                .day_count
                .as_ref()
                .and_then(|d| self.day_count(d))
                .unwrap_or(DayCount::Thirty360),
            carry_unpaid: f.carry_unpaid,
        })
    }

    fn quantity_def(&mut self, q: &QuantitySection) -> Option<NamedQuantity> {
        let unit = match &q.unit {
            None => Unit::Amount,
            Some(u) => self.keyword(
                u,
                "unit",
                &[
                    ("amount", Unit::Amount),
                    ("rate", Unit::Rate),
                    ("number", Unit::Number),
                ],
            )?,
        };
        let value = match (&q.value, q.by_period.is_empty()) {
            (Some(v), true) => self.expr(v)?,
            (None, false) => self.by_period(
                q.by_period.iter().map(|e| (&e.from, &e.value)).collect(),
                q.name.span(),
            )?,
            _ => {
                self.err_s(
                    &q.name,
                    "a quantity has a `value` (an expression) or a `by_period` list, one of the two",
                );
                return None;
            }
        };
        Some(NamedQuantity {
            name: q.name.get_ref().trim().to_string(),
            label: q.label.clone(),
            unit,
            value,
        })
    }

    /// A value by distribution number, `[{ from = 1, value = "..." }, ...]`:
    /// each entry's expression from its `from` up to the next entry's, the
    /// last one's from then on. The first entry is from 1 and each `from`
    /// is later than the one before. It becomes
    /// `if(period < FROM2, VALUE1, if(period < FROM3, VALUE2, ...))`.
    pub fn by_period(
        &mut self,
        entries: Vec<(&Spanned<i64>, &Spanned<String>)>,
        at: Range<usize>,
    ) -> Option<Expr> {
        if entries.is_empty() {
            self.err(at, "`by_period` lists no entry");
            return None;
        }
        let mut ok = true;
        let mut last = 0i64;
        for (i, (from, _)) in entries.iter().enumerate() {
            let f = *from.get_ref();
            if i == 0 && f != 1 {
                self.err_s(from, format!("the first entry is from period 1, found {f}"));
                ok = false;
            } else if i > 0 && (f <= last || f > i64::from(MAX_TERM) * 2) {
                self.err_s(
                    from,
                    format!(
                        "each `from` is a period after the one before ({last}) and at most {}, found {f}",
                        MAX_TERM * 2
                    ),
                );
                ok = false;
            }
            last = f;
        }
        let values: Vec<Option<Expr>> = entries.iter().map(|(_, v)| self.expr(v)).collect();
        if !ok {
            return None;
        }
        let mut values: Vec<Expr> = values.into_iter().collect::<Option<Vec<_>>>()?;
        let mut e = values.pop()?;
        for (i, v) in values.into_iter().enumerate().rev() {
            let next = Term::new(Decimal::from(*entries[i + 1].0.get_ref()));
            let test = Node::Bin(
                expr::BinOp::Lt,
                Box::new(Node::Q(Quantity::Period)),
                Box::new(Node::Num(next)),
            );
            e = Expr::new(Node::If(Box::new([test, v.into_node(), e.into_node()])));
        }
        Some(e)
    }

    fn oc(&mut self, o: &OcSection) -> Option<Oc> {
        let holder = match &o.holder {
            Some(h) => {
                let k = self.class(h)?;
                if !self.class_has_principal(k) {
                    self.err_s(h, "the OC's holder cannot have a notional");
                }
                Some(k)
            }
            None => None,
        };
        let target = self.expr(&o.target);
        let floor = self.opt_expr(&o.floor);
        let contract = self.opt_expr(&o.contract_target);
        // The contract's target is shown beside the one the deal uses, once
        // for the deal: a figure of the cut-off balance and numbers only.
        if let (Some(Some(e)), Some(s)) = (&contract, &o.contract_target) {
            let mut read = Vec::new();
            e.quantities(&mut read);
            let cutoff = Quantity::Pool {
                group: None,
                field: super::quantity::PoolField::Cutoff,
            };
            if read.iter().any(|q| **q != cutoff) {
                self.err_s(
                    s,
                    "contract_target is a figure of the deal (like round(0.75% * pool.cutoff)): it may read pool.cutoff and numbers only",
                );
            }
        }
        Some(Oc {
            holder,
            target: target?,
            floor: floor?,
            contract_target: contract?,
        })
    }

    fn trigger(&mut self, t: &TriggerSection) -> Option<Trigger> {
        let kind = match t.kind.get_ref().trim() {
            "delinquency" => {
                let months = match &t.rolling_months {
                    Some(m) => self
                        .months(m, "rolling_months", 1)
                        .min(crate::waterfall::DELINQUENCY_HISTORY as u32),
                    None => 1,
                };
                let Some(limit) = &t.limit else {
                    self.err_s(&t.kind, "a delinquency trigger needs a `limit`: the rolling 60+ day delinquency rate it must not exceed");
                    return None;
                };
                TriggerKind::Delinquency {
                    rolling_months: months,
                    limit: self.expr(limit)?,
                }
            }
            "cumulative-loss" => {
                if t.schedule.is_empty() {
                    self.err_s(
                        &t.kind,
                        "a cumulative-loss trigger needs a `schedule` of { from, percent } entries",
                    );
                    return None;
                }
                let mut schedule: Vec<(chrono::NaiveDate, Term)> = Vec::new();
                for e in &t.schedule {
                    let p = self.pct(&e.percent, "a cumulative loss limit");
                    if schedule.last().is_some_and(|(d, _)| *d >= e.from.0) {
                        self.err_s(&e.percent, "schedule entries must be in date order");
                    }
                    schedule.push((e.from.0, Term::new(p)));
                }
                TriggerKind::CumulativeLoss { schedule }
            }
            "test" => {
                let Some(test) = &t.test else {
                    self.err_s(
                        &t.kind,
                        "a test trigger needs a `test` (breached while it holds)",
                    );
                    return None;
                };
                TriggerKind::Test(self.expr(test)?)
            }
            other => {
                self.err_s(&t.kind, format!("unknown trigger kind \"{other}\": expected one of \"delinquency\", \"cumulative-loss\", \"test\""));
                return None;
            }
        };
        Some(Trigger {
            name: t.name.get_ref().trim().to_string(),
            kind,
        })
    }

    fn allocations(&mut self, list: &[AllocationSection]) -> Vec<Allocation> {
        let mut out = Vec::new();
        for a in list {
            let rule = self
                .rule(&Some(a.rule.clone()), true)
                .unwrap_or(Rule::Sequential);
            let mut members = Vec::new();
            for m in &a.members {
                if let Some(t) = self.target(m) {
                    members.push(t);
                }
            }
            if a.members.is_empty() {
                self.err_s(&a.name, "an allocation needs `members`");
            }
            let rule = match rule {
                Rule::Fixed(_) => {
                    if a.weights.len() != a.members.len() {
                        self.err_s(
                            &a.rule,
                            format!(
                                "a fixed allocation needs one weight per member: {} members, {} weight{}",
                                a.members.len(),
                                a.weights.len(),
                                if a.weights.len() == 1 { "" } else { "s" }
                            ),
                        );
                    }
                    let w: Vec<Term> = a
                        .weights
                        .iter()
                        .map(|w| {
                            let v = w.get_ref().0;
                            if v <= Decimal::ZERO || v > MAX_BALANCE {
                                self.err_s(
                                    w,
                                    format!(
                                        "a weight must be positive and at most 10^13, found {v}"
                                    ),
                                );
                            }
                            Term::new(v)
                        })
                        .collect();
                    Rule::Fixed(w)
                }
                r => {
                    if !a.weights.is_empty() {
                        self.err_s(&a.rule, "`weights` go with rule = \"fixed\"");
                    }
                    r
                }
            };
            out.push(Allocation {
                name: a.name.get_ref().trim().to_string(),
                rule,
                members,
            });
        }
        // An allocation may not contain itself, directly or through others.
        let mut cyclic = false;
        for (i, a) in list.iter().enumerate() {
            if reaches(&out, i, i, 0) {
                cyclic = true;
                self.err_s(
                    &a.name,
                    format!(
                        "allocation \"{}\" contains itself (through its members)",
                        a.name.get_ref()
                    ),
                );
            }
        }
        if cyclic {
            // Keep only classes so nothing downstream follows the cycle.
            for a in out.iter_mut() {
                a.members.retain(|m| matches!(m, Target::Class(_)));
            }
        }
        out
    }

    fn schedule(&mut self, s: &ScheduleSection) -> Option<Schedule> {
        let source = match (&s.band, s.balances.is_empty()) {
            (Some(b), true) => {
                let band = b.get_ref();
                let (low, high) = match (&band.low, &band.high, &band.speed) {
                    (Some(l), Some(h), None) => (self.speed(l), self.speed(h)),
                    (None, None, Some(s)) => {
                        let one = self.speed(s);
                        (one.clone(), one)
                    }
                    _ => {
                        self.err_s(b, "a band is { original, low, high } (a PAC: the smaller of the collateral's principal at two speeds) or { original, speed } (a TAC: at one speed)");
                        return None;
                    }
                };
                let (low, high) = (low?, high?);
                ScheduleSource::Band {
                    original: self.balance(&band.original, "a schedule's original balance"),
                    low,
                    high,
                    balances: Vec::new(),
                }
            }
            (None, false) => ScheduleSource::Given(
                s.balances
                    .iter()
                    .map(|b| self.balance(b, "a scheduled balance"))
                    .collect(),
            ),
            _ => {
                self.err_s(&s.name, "a schedule has either `balances` (by period) or a `band = { original, low, high }`");
                return None;
            }
        };
        Some(Schedule {
            name: s.name.get_ref().trim().to_string(),
            source,
        })
    }

    /// A `[[coupon_split]]`: its classes' weighted coupons add up to the
    /// parent's wherever no cap or floor binds (see [`super::split`]).
    fn coupon_split(&mut self, c: &CouponSplitSection, classes: &[Class]) -> Option<CouponSplit> {
        let parent = self.pct_in(&c.parent, "a coupon_split's parent coupon", -100, 100);
        let mut ks = Vec::new();
        for s in &c.classes {
            ks.push(self.class(s));
        }
        let at = c.parent.span();
        if c.classes.len() < 2 || c.weights.len() != c.classes.len() {
            self.err(
                at,
                format!(
                    "a coupon_split needs two or more classes and one weight each: {} classes, {} weights",
                    c.classes.len(),
                    c.weights.len()
                ),
            );
            return None;
        }
        let mut weights = Vec::new();
        for w in &c.weights {
            let v = w.get_ref().0;
            if v <= Decimal::ZERO || v > MAX_BALANCE {
                self.err_s(
                    w,
                    format!("a weight must be positive and at most 10^13, found {v}"),
                );
                return None;
            }
            weights.push(v);
        }
        let ks: Vec<usize> = ks.into_iter().collect::<Option<_>>()?;
        // The classes are the parent's balance in the split's proportions.
        let total_w: Decimal = weights.iter().sum();
        let total_b: Decimal = ks.iter().map(|&k| classes[k].original_balance).sum();
        for (j, &k) in ks.iter().enumerate() {
            if classes[k].original_balance * total_w != weights[j] * total_b {
                self.err_s(
                    &c.weights[j],
                    format!(
                        "{}'s original balance {} is not its weight's share of the split's {}",
                        classes[k].name,
                        crate::format::money(classes[k].original_balance),
                        crate::format::money(total_b)
                    ),
                );
                return None;
            }
        }
        let coupons: Vec<(&str, &Coupon)> = ks
            .iter()
            .map(|&k| (classes[k].name.as_str(), &classes[k].coupon))
            .collect();
        match split::check(parent, ks.clone(), &coupons, weights) {
            Ok(s) => Some(s),
            Err(why) => {
                let names: Vec<&str> = coupons.iter().map(|(n, _)| *n).collect();
                self.err(at, format!("coupon split of {}: {why}", names.join(", ")));
                None
            }
        }
    }

    fn speed(&mut self, s: &Spanned<String>) -> Option<crate::collateral::Prepay> {
        use std::str::FromStr;
        match crate::collateral::Prepay::from_str(s.get_ref()).and_then(|p| p.validate().map(|_| p))
        {
            Ok(p) => Some(p),
            Err(e) => {
                self.err_s(s, e.to_string());
                None
            }
        }
    }

    fn report(&mut self, r: &Option<ReportSection>) -> ReportTerms {
        let default = ReportTerms {
            given: false,
            layout: crate::report::Layout::UsBankStatement,
            tolerance: Decimal::ONE,
            figures: Vec::new(),
            not_modelled: Vec::new(),
        };
        let Some(r) = r else {
            return default;
        };
        let layout = match &r.layout {
            Some(l) => {
                let opts: Vec<(&str, crate::report::Layout)> = crate::report::Layout::ALL
                    .iter()
                    .map(|l| (l.name(), *l))
                    .collect();
                self.keyword(l, "report layout", &opts)
                    .unwrap_or(default.layout)
            }
            None => default.layout,
        };
        let tolerance = match &r.tolerance {
            Some(t) => {
                let v = t.get_ref().0;
                if v.is_sign_negative() || v > Decimal::from(1_000_000) {
                    self.err_s(
                        t,
                        format!("tolerance is an amount from 0 to 1,000,000, found {v}"),
                    );
                }
                v
            }
            None => Decimal::ONE,
        };
        let mut figures = Vec::new();
        for (path, e) in &r.figures {
            match crate::report::FigurePath::parse(path) {
                Some(p) if p.to_string() == path.trim() => {}
                _ => self.err_s(e, format!("\"{path}\" is not a figure path (like class[A-1].rate, oc.release or net_monthly_excess_cash_flow)")),
            }
            if let Some(e) = self.expr(e) {
                figures.push((path.trim().to_string(), e));
            }
        }
        ReportTerms {
            given: true,
            layout,
            tolerance,
            figures,
            not_modelled: r
                .not_modelled
                .iter()
                .map(|(p, w)| (p.trim().to_string(), w.clone()))
                .collect(),
        }
    }

    // --- The waterfall -----------------------------------------------------------------

    /// The `[[waterfall]]` tables, read from the source with their positions.
    fn step_tables(&mut self) -> Vec<StepSource<'a>> {
        let Some(root) = self.tables.take() else {
            return Vec::new();
        };
        let root = root.into_inner();
        let Some((_, wf)) = root.iter().find(|(k, _)| k.get_ref() == "waterfall") else {
            return Vec::new();
        };
        let wf_span = wf.span();
        let DeValue::Array(items) = wf.get_ref() else {
            self.err(wf_span, "`waterfall` must be a list of [[waterfall]] steps");
            return Vec::new();
        };
        let mut out = Vec::new();
        let src = self.src;
        let mut lines = crate::tomlfile::LineCounter::new(&src.text);
        for item in items.iter() {
            let span = item.span();
            let DeValue::Table(table) = item.get_ref() else {
                self.err(span, "each waterfall step is a table ([[waterfall]])");
                continue;
            };
            let mut table = table.clone();
            let mut take = |key: &str| -> Option<(Range<usize>, String, bool)> {
                let k = table.keys().find(|k| k.get_ref() == key).cloned()?;
                let v = table.remove(&k)?;
                let at = v.span();
                match v.into_inner() {
                    DeValue::String(s) => Some((at, s.to_string(), true)),
                    _ => Some((at, String::new(), false)),
                }
            };
            let action = take("action");
            let when = take("when");
            let name = take("name");
            let line = lines.line_at(span.start);
            let action = match action {
                None => {
                    self.err(
                        span.clone(),
                        format!(
                            "the step has no `action`: expected one of {}",
                            choices(ACTIONS)
                        ),
                    );
                    None
                }
                Some((at, _, false)) => {
                    self.err(at, "`action` is a string: the action's name");
                    None
                }
                Some((at, a, true)) => Some((at, a)),
            };
            let string =
                |cx: &mut Self, v: Option<(Range<usize>, String, bool)>, what: &str| match v {
                    Some((at, s, true)) => Some((at, s)),
                    Some((at, _, false)) => {
                        cx.err(at, format!("`{what}` is a string"));
                        None
                    }
                    None => None,
                };
            let when = string(self, when, "when");
            let name = string(self, name, "name");
            out.push(StepSource {
                table: toml::Spanned::new(span.clone(), table),
                span,
                action,
                when,
                name: name.as_ref().map(|(_, n)| n.clone()),
                name_at: name,
                line,
            });
        }
        out
    }

    fn step(&mut self, s: StepSource<'_>) -> Option<Step> {
        let (at, name) = s.action?;
        let when = match &s.when {
            Some((span, text)) => {
                let spanned = toml::Spanned::new(span.clone(), text.clone());
                Some(self.expr(&spanned)?)
            }
            None => None,
        };
        let action: Action = match Action::read(name.trim(), s.table, at.clone(), self) {
            Some(a) => a?,
            None => {
                self.err(
                    at,
                    format!(
                        "unknown action \"{name}\": expected one of {}",
                        choices(ACTIONS)
                    ),
                );
                return None;
            }
        };
        let _ = s.span;
        Some(Step {
            action,
            when,
            name: s.name,
            line: s.line,
        })
    }

    // --- Nothing may depend on itself -----------------------------------------------

    fn check_cycles(&mut self, deal: &Deal, f: &DealFile) {
        use super::quantity::InterestField;
        // Nodes: what the determination works out, each with the
        // expressions it reads.
        #[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
        enum Node {
            Named(usize),
            Class(usize),
            Trigger(usize),
            Stepdown,
            OcTarget,
            OcFloor,
            AccountTarget(usize),
            Fee(usize),
            Swap(usize),
            Cap(usize),
        }
        let exprs = |n: Node| -> Vec<&Expr> {
            match n {
                Node::Named(q) => vec![&deal.quantities[q].value],
                Node::Class(k) => match &deal.classes[k].notional {
                    Some(Notional::Of(e)) => vec![e],
                    _ => vec![],
                },
                Node::Trigger(t) => match &deal.triggers[t].kind {
                    TriggerKind::Delinquency { limit, .. } => vec![limit],
                    TriggerKind::Test(e) => vec![e],
                    TriggerKind::CumulativeLoss { .. } => vec![],
                },
                Node::Stepdown => deal
                    .stepdown
                    .iter()
                    .filter_map(|s| s.test.as_ref())
                    .collect(),
                Node::OcTarget => deal.oc.iter().map(|o| &o.target).collect(),
                Node::OcFloor => deal.oc.iter().filter_map(|o| o.floor.as_ref()).collect(),
                Node::AccountTarget(a) => match &deal.accounts[a].kind {
                    AccountKind::Reserve { target, .. } => vec![target],
                    _ => vec![],
                },
                Node::Fee(i) => match &deal.fees[i].due {
                    FeeDue::Rate { basis, .. } => vec![basis],
                    FeeDue::Amount(e) => vec![e],
                },
                Node::Swap(s) => vec![&deal.swaps[s].notional],
                Node::Cap(c) => vec![&deal.caps[c].notional],
            }
        };
        let edges = |n: Node| -> (Vec<Node>, bool) {
            let mut out = Vec::new();
            let mut reads_step = false;
            if let Node::Class(k) = n
                && let Some(q) = deal.classes[k].coupon.capped_by
            {
                out.push(Node::Named(q));
            }
            for e in exprs(n) {
                let mut qs = Vec::new();
                e.quantities(&mut qs);
                for q in qs {
                    match q {
                        Quantity::Named(i) => out.push(Node::Named(*i)),
                        Quantity::Interest { classes, field }
                            if *field == InterestField::Accrued || *field == InterestField::Due =>
                        {
                            out.extend(classes.iter().map(|&k| Node::Class(k)));
                        }
                        Quantity::Trigger(Some(t)) => out.push(Node::Trigger(*t)),
                        Quantity::Trigger(None) => {
                            out.extend((0..deal.triggers.len()).map(Node::Trigger))
                        }
                        Quantity::Stepdown => out.push(Node::Stepdown),
                        Quantity::Oc(OcField::Target | OcField::Deficiency | OcField::Excess) => {
                            out.push(Node::OcTarget)
                        }
                        Quantity::Oc(OcField::Floor) => out.push(Node::OcFloor),
                        Quantity::Account {
                            account,
                            field: AccountField::Target,
                        } => out.push(Node::AccountTarget(*account)),
                        Quantity::Fee {
                            fee,
                            field: FeeField::Due,
                        } => out.push(Node::Fee(*fee)),
                        Quantity::Step { .. } => reads_step = true,
                        Quantity::Swap { swap, .. } => out.push(Node::Swap(*swap)),
                        Quantity::Cap { cap, .. } => out.push(Node::Cap(*cap)),
                        _ => {}
                    }
                }
            }
            (out, reads_step)
        };
        let name = |n: Node| -> String {
            match n {
                Node::Named(q) => format!("quantity {}", deal.quantities[q].name),
                Node::Class(k) => format!("the interest of {}", deal.classes[k].name),
                Node::Trigger(t) => format!("trigger {}", deal.triggers[t].name),
                Node::Stepdown => "the step-down test".into(),
                Node::OcTarget => "the OC target".into(),
                Node::OcFloor => "the OC floor".into(),
                Node::AccountTarget(a) => {
                    format!("the target of account {}", deal.accounts[a].name)
                }
                Node::Fee(i) => format!("fee {}", deal.fees[i].name),
                Node::Swap(s) => format!("the notional of swap {}", deal.swaps[s].name),
                Node::Cap(c) => format!("the notional of cap {}", deal.caps[c].name),
            }
        };
        let span = |n: Node| -> Range<usize> {
            match n {
                Node::Named(q) => f.quantity[q]
                    .value
                    .as_ref()
                    .map(|v| v.span())
                    .unwrap_or(f.quantity[q].name.span()),
                Node::Class(k) => f.class[k].name.span(),
                Node::Trigger(t) => f.trigger[t].name.span(),
                Node::Fee(i) => f.fee[i].name.span(),
                Node::Swap(s) => f.swap[s].name.span(),
                Node::Cap(c) => f.cap[c].name.span(),
                Node::AccountTarget(a) => f.account[a].span(),
                Node::OcTarget | Node::OcFloor => f
                    .overcollateralization
                    .as_ref()
                    .map(|o| o.target.span())
                    .unwrap_or(0..0),
                Node::Stepdown => f
                    .stepdown
                    .as_ref()
                    .and_then(|s| s.test.as_ref().map(|t| t.span()))
                    .unwrap_or(0..0),
            }
        };
        let mut nodes: Vec<Node> = Vec::new();
        nodes.extend((0..deal.quantities.len()).map(Node::Named));
        nodes.extend((0..deal.classes.len()).map(Node::Class));
        nodes.extend((0..deal.triggers.len()).map(Node::Trigger));
        nodes.extend([Node::Stepdown, Node::OcTarget, Node::OcFloor]);
        nodes.extend((0..deal.accounts.len()).map(Node::AccountTarget));
        nodes.extend((0..deal.fees.len()).map(Node::Fee));
        nodes.extend((0..deal.swaps.len()).map(Node::Swap));
        nodes.extend((0..deal.caps.len()).map(Node::Cap));
        // Depth-first, colouring: 0 new, 1 on the path, 2 done.
        let mut colour: HashMap<Node, u8> = HashMap::new();
        let mut reported = false;
        for &start in &nodes {
            let (_, reads_step) = edges(start);
            if reads_step {
                self.err(
                    span(start),
                    format!(
                        "{} is worked out before the waterfall runs: it cannot read step[...]",
                        name(start)
                    ),
                );
            }
            if reported || colour.get(&start).copied().unwrap_or(0) == 2 {
                continue;
            }
            let mut path: Vec<(Node, Vec<Node>)> = vec![(start, edges(start).0)];
            colour.insert(start, 1);
            while let Some((node, next)) = path.last_mut() {
                let node = *node;
                match next.pop() {
                    None => {
                        colour.insert(node, 2);
                        path.pop();
                    }
                    Some(m) => match colour.get(&m).copied().unwrap_or(0) {
                        0 => {
                            colour.insert(m, 1);
                            let e = edges(m).0;
                            path.push((m, e));
                        }
                        1 => {
                            let from = path.iter().position(|(n, _)| *n == m).unwrap_or(0);
                            let chain: Vec<String> = path[from..]
                                .iter()
                                .map(|(n, _)| name(*n))
                                .chain([name(m)])
                                .collect();
                            self.err(
                                span(m),
                                format!("{} depends on itself: {}", name(m), chain.join(" -> ")),
                            );
                            reported = true;
                            break;
                        }
                        _ => {}
                    },
                }
            }
        }
    }
}

/// One `[[waterfall]]` table, its common fields taken out.
struct StepSource<'a> {
    table: toml::Spanned<DeTable<'a>>,
    span: Range<usize>,
    action: Option<(Range<usize>, String)>,
    when: Option<(Range<usize>, String)>,
    name: Option<String>,
    name_at: Option<(Range<usize>, String)>,
    line: usize,
}

/// Whether allocation `from` reaches allocation `goal` through its members.
fn reaches(list: &[Allocation], from: usize, goal: usize, depth: usize) -> bool {
    if depth > list.len() {
        return false;
    }
    list[from].members.iter().any(|m| match m {
        Target::Allocation(a) => *a == goal || reaches(list, *a, goal, depth + 1),
        Target::Class(_) => false,
    })
}

/// The classes of a target, nested allocations expanded (cycles cut off).
fn expand(list: &[Allocation], t: Target, out: &mut Vec<usize>, depth: usize) {
    match t {
        Target::Class(k) => out.push(k),
        Target::Allocation(a) if depth <= list.len() => {
            for &m in &list[a].members {
                expand(list, m, out, depth + 1);
            }
        }
        Target::Allocation(_) => {}
    }
}
