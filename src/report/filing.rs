//! A filed report as typed figures, whatever its layout: the seam between a
//! trustee's document and the reconciliation.
//!
//! A layout maps each figure it prints to a *figure path* in one vocabulary:
//!
//! | path | is |
//! |---|---|
//! | `class[C].FIELD` | `beginning_balance`, `ending_balance`, `rate`, `accrued`, `interest_carry_in`, `interest_on_carry`, `interest_due`, `interest_paid`, `interest` (all a report's interest column shows), `principal`, `realized_loss`, `interest_shortfall`, `net_wac_carryover`, `total_distribution`, `factor_beginning`, `factor_ending`, `principal_per_1000`, `interest_per_1000`, `total_per_1000`, `ending_per_1000`, `original_balance` |
//! | `pool.FIELD`, `group[G].FIELD` | the collateral: `beginning_balance`, `ending_balance`, `scheduled_principal`, `prepayments`, `principal_collections`, `liquidation_proceeds`, `repurchases`, `recoveries`, `realized_loss`, `principal_remittance`, `interest_remittance`, `premiums`, `net_wac`, `wac`, `wam`, `delinquent_60_plus`, `cumulative_loss`, ... |
//! | `total.FIELD` | a class table's total row |
//! | `account[A].FIELD` | `beginning`, `earnings`, `draw`, `deposit`, `release`, `ending`, `required`, `deficiency` |
//! | `fee[F].FIELD` | `accrued`, `carry_in`, `due`, `paid`, `shortfall` |
//! | `oc.FIELD` | `beginning`, `ending`, `target`, `deficiency`, `excess`, `increase`, `release` |
//! | `swap[S].FIELD` | a swap: `notional`, `rate` (floating), `net` (the trust's net receipt, below zero when it pays), `payment` (the net swap payment the trust owes), `receipt` (what the counterparty paid), `paid` (what the trust paid of its net payment), `shortfall` (unpaid), `termination` (a termination payment owed), `termination_paid` |
//! | `cap[C].FIELD` | a cap or corridor: `notional`, `payment` (what it paid the trust) |
//! | `quantity[Q]`, `rate[LABEL]` | a deal quantity by name, or by the label it is printed with |
//! | `index`, `trigger`, `stepdown`, `available_funds`, ... | deal-wide figures |
//!
//! Reconciliation takes some paths as inputs (the collateral's cash, the
//! beginning balances, the index) and compares the rest with what the engine
//! computes; a path it does not know is listed as not modelled.

use chrono::NaiveDate;
use serde::Serialize;

use super::{Layout, Printed, Warning};

/// What a path's figure is about.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Subject {
    Class(String),
    Pool,
    Group(String),
    Total,
    Account(String),
    Fee(String),
    /// A swap or a cap of the deal, by the deal's name for it.
    Swap(String),
    Cap(String),
    Oc,
    Quantity(String),
    /// A rate printed with a label (`Class A-IO Net WAC Rate`).
    Rate(String),
    Deal,
    /// A path of the layout's own that the vocabulary does not know
    /// (`notes.beginning_balance`): compared only where the deal file's
    /// `[report.figures]` says what it is.
    Other(String),
}

/// A figure's place in the vocabulary: `class[A-1].interest_paid`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
pub struct FigurePath {
    pub subject: Subject,
    pub field: String,
}

impl FigurePath {
    pub fn new(subject: Subject, field: &str) -> Self {
        FigurePath {
            subject,
            field: field.to_string(),
        }
    }

    pub fn class(name: &str, field: &str) -> Self {
        Self::new(Subject::Class(name.to_string()), field)
    }

    pub fn deal(field: &str) -> Self {
        Self::new(Subject::Deal, field)
    }

    /// Parse `class[A-1].rate`, `pool.ending_balance`, `index`.
    pub fn parse(s: &str) -> Option<FigurePath> {
        let s = s.trim();
        let (head, rest) = match s.find(['[', '.']) {
            Some(i) => (&s[..i], &s[i..]),
            None => (s, ""),
        };
        let (name, rest) = if let Some(r) = rest.strip_prefix('[') {
            let close = r.find(']')?;
            (Some(r[..close].trim().to_string()), &r[close + 1..])
        } else {
            (None, rest)
        };
        let field = rest.strip_prefix('.').unwrap_or(rest);
        if field.contains('.') || field.contains('[') {
            return None;
        }
        let bracketed = name.is_some();
        let subject = match (head, name) {
            ("class", Some(n)) => Subject::Class(n),
            ("group", Some(n)) => Subject::Group(n),
            ("account", Some(n)) => Subject::Account(n),
            ("fee", Some(n)) => Subject::Fee(n),
            ("swap", Some(n)) => Subject::Swap(n),
            ("cap", Some(n)) => Subject::Cap(n),
            ("quantity", Some(n)) => Subject::Quantity(n),
            ("rate", Some(n)) => Subject::Rate(n),
            ("pool", None) => Subject::Pool,
            ("total", None) => Subject::Total,
            ("oc", None) => Subject::Oc,
            (_, None)
                if field.is_empty()
                    && head.starts_with(|c: char| c.is_ascii_alphabetic())
                    && head.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') =>
            {
                return Some(FigurePath::deal(head));
            }
            (h, _)
                if !bracketed
                    && !field.is_empty()
                    && ![
                        "class", "group", "account", "fee", "quantity", "rate", "swap", "cap",
                    ]
                    .contains(&h)
                    && h.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
                    && !h.is_empty() =>
            {
                return Some(FigurePath::new(Subject::Other(s.to_string()), ""));
            }
            _ => return None,
        };
        if field.is_empty() && !matches!(subject, Subject::Quantity(_) | Subject::Rate(_)) {
            return None;
        }
        Some(FigurePath {
            subject,
            field: field.to_string(),
        })
    }

    /// What the figure measures, from its field.
    pub fn unit(&self) -> Unit {
        // A layout's own path (`notes.factor_ending`) measures what its last
        // part names.
        let f = match &self.subject {
            Subject::Other(p) => p.rsplit('.').next().unwrap_or(p),
            _ => self.field.as_str(),
        };
        if matches!(self.subject, Subject::Rate(_)) {
            return Unit::Rate;
        }
        if f.ends_with("_per_1000") {
            Unit::Per1000
        } else if f.starts_with("factor") {
            Unit::Factor
        } else if f == "rate"
            || f == "wac"
            || f == "net_wac"
            || f.ends_with("_ratio")
            || f.ends_with("_percent")
            || f == "credit_enhancement"
            || (self.subject == Subject::Deal && f == "index")
        {
            Unit::Rate
        } else if f == "count" || f.ends_with("_count") || f == "wam" || f.ends_with("_term") {
            Unit::Count
        } else if matches!(f, "trigger" | "stepdown" | "delinquency_trigger") {
            Unit::Flag
        } else {
            Unit::Money
        }
    }

    /// The path's text in pieces: `class[`, `A-1`, `]`, `.`, `interest`
    /// (pieces a path does not have are empty).
    fn pieces(&self) -> [&str; 5] {
        let (head, name) = match &self.subject {
            Subject::Class(n) => ("class[", n.as_str()),
            Subject::Group(n) => ("group[", n.as_str()),
            Subject::Account(n) => ("account[", n.as_str()),
            Subject::Fee(n) => ("fee[", n.as_str()),
            Subject::Swap(n) => ("swap[", n.as_str()),
            Subject::Cap(n) => ("cap[", n.as_str()),
            Subject::Quantity(n) => ("quantity[", n.as_str()),
            Subject::Rate(n) => ("rate[", n.as_str()),
            Subject::Pool => ("pool", ""),
            Subject::Total => ("total", ""),
            Subject::Oc => ("oc", ""),
            Subject::Deal => return [&self.field, "", "", "", ""],
            Subject::Other(p) => return [p, "", "", "", ""],
        };
        let close = if head.ends_with('[') { "]" } else { "" };
        let dot = if self.field.is_empty() { "" } else { "." };
        [head, name, close, dot, &self.field]
    }

    /// The path as text (what `to_string` gives), written without the
    /// formatting machinery: reconciliation names every figure by it.
    pub fn id(&self) -> String {
        let pieces = self.pieces();
        let mut out = String::with_capacity(pieces.iter().map(|p| p.len()).sum());
        for p in pieces {
            out.push_str(p);
        }
        out
    }
}

impl std::fmt::Display for FigurePath {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.pieces().iter().try_for_each(|p| f.write_str(p))
    }
}

/// What a figure measures, for display and tolerance.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Unit {
    Money,
    /// A fraction shown as a percentage.
    Rate,
    Per1000,
    /// A balance over the original balance.
    Factor,
    Count,
    /// Yes (1) or no (0).
    Flag,
}

/// One printed figure.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FilingFigure {
    pub path: FigurePath,
    pub printed: Printed,
    /// The label as printed, for messages.
    pub label: String,
    /// The report contradicts itself on this figure (a total that does not
    /// foot, a per-$1,000 figure that is not its amount over the original).
    pub inconsistent: Option<String>,
    /// A total of this many printed rows, each rounded: it may be off by half
    /// a unit of their last digit for each row beyond the first.
    pub summed_rows: u32,
    /// The figure is printed with fewer decimals than its column: damaged.
    pub damaged: Option<String>,
}

impl FilingFigure {
    pub fn new(path: FigurePath, printed: Printed, label: impl Into<String>) -> Self {
        FilingFigure {
            path,
            printed,
            label: label.into(),
            inconsistent: None,
            summed_rows: 1,
            damaged: None,
        }
    }
}

/// A figure the layout expected and did not find.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Missing {
    pub path: FigurePath,
    pub line: usize,
    pub why: String,
}

/// A report as typed figures.
#[derive(Debug, Clone, Serialize)]
pub struct Filing {
    #[serde(serialize_with = "layout_name")]
    pub layout: Layout,
    /// The trust as printed.
    pub trust: String,
    /// The series as printed ("2003-HE4"), where the report prints one.
    pub series: Option<String>,
    pub date: NaiveDate,
    /// The first and last days of the collection period, where printed.
    pub collection_period: Option<(NaiveDate, NaiveDate)>,
    pub figures: Vec<FilingFigure>,
    pub missing: Vec<Missing>,
    pub warnings: Vec<Warning>,
    /// The report as its layout parsed it, kept for the checks that compare
    /// one month's report with the next ([`Layout::sequence_breaks`]).
    #[serde(skip)]
    pub native: Native,
}

/// A report as its layout's parser reads it, beside its typed figures.
#[derive(Debug, Clone, Default)]
pub enum Native {
    /// Nothing kept: the layout has no month-to-month checks.
    #[default]
    None,
    Carmax(std::sync::Arc<crate::report::carmax::Certificate>),
}

fn layout_name<S: serde::Serializer>(l: &Layout, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(l.name())
}

impl Filing {
    /// The first figure at `path`.
    pub fn get(&self, path: &FigurePath) -> Option<&Printed> {
        self.figures
            .iter()
            .find(|f| &f.path == path)
            .map(|f| &f.printed)
    }

    /// The first figure of `subject` with `field`.
    pub fn value(&self, subject: &Subject, field: &str) -> Option<&Printed> {
        self.figures
            .iter()
            .find(|f| &f.path.subject == subject && f.path.field == field)
            .map(|f| &f.printed)
    }

    pub fn class(&self, class: &str, field: &str) -> Option<&Printed> {
        self.value(&Subject::Class(class.to_string()), field)
    }

    /// The classes the report prints, in its order.
    pub fn classes(&self) -> Vec<&str> {
        let mut out: Vec<&str> = Vec::new();
        for f in &self.figures {
            if let Subject::Class(c) = &f.path.subject
                && !out.contains(&c.as_str())
            {
                out.push(c);
            }
        }
        out
    }

    /// The groups the report prints collateral for, in its order.
    pub fn groups(&self) -> Vec<&str> {
        let mut out: Vec<&str> = Vec::new();
        for f in &self.figures {
            if let Subject::Group(g) = &f.path.subject
                && !out.contains(&g.as_str())
            {
                out.push(g);
            }
        }
        out
    }
}

/// `Class A-IO Net WAC Rate` -> `class_a_io_net_wac_rate`.
pub fn slug(s: &str) -> String {
    let mut out = String::new();
    for c in s.chars() {
        if c.is_ascii_alphanumeric() {
            out.push(c.to_ascii_lowercase());
        } else if !out.ends_with('_') && !out.is_empty() {
            out.push('_');
        }
    }
    out.trim_end_matches('_').to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs_are_lowercase_words() {
        assert_eq!(slug("Class A-IO Net WAC Rate"), "class_a_io_net_wac_rate");
        assert_eq!(slug("B-IO Cap Rate"), "b_io_cap_rate");
    }

    #[test]
    fn paths_parse_and_print_back() {
        for s in [
            "class[A-1].interest_paid",
            "group[1].ending_balance",
            "pool.beginning_balance",
            "account[reserve].draw",
            "fee[servicing].paid",
            "swap[swap].payment",
            "cap[corridor].payment",
            "quantity[priority_principal]",
            "rate[Class A-IO Net WAC Rate]",
            "oc.target",
            "total.interest_paid",
            "notes.factor_ending",
            "index",
        ] {
            let p = FigurePath::parse(s).unwrap_or_else(|| panic!("{s}"));
            assert_eq!(p.to_string(), s);
            assert_eq!(p.id(), s);
        }
        assert_eq!(FigurePath::parse("class[A-1]"), None);
        assert_eq!(FigurePath::parse("class.rate"), None);
        assert_eq!(FigurePath::parse("class[A-1].rate.x"), None);
        assert_eq!(FigurePath::parse("oc release"), None);
    }

    #[test]
    fn units_come_from_fields() {
        let u = |s: &str| FigurePath::parse(s).unwrap().unit();
        assert_eq!(u("class[A-1].rate"), Unit::Rate);
        assert_eq!(u("class[A-1].principal_per_1000"), Unit::Per1000);
        assert_eq!(u("class[A-1].factor_ending"), Unit::Factor);
        assert_eq!(u("pool.count"), Unit::Count);
        assert_eq!(u("trigger"), Unit::Flag);
        assert_eq!(u("oc.target"), Unit::Money);
        assert_eq!(u("rate[Class B-IO Cap Rate]"), Unit::Rate);
        assert_eq!(u("notes.factor_ending"), Unit::Factor);
        assert_eq!(u("notes.ending_balance"), Unit::Money);
    }
}
