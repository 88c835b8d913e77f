//! The reserve account's three actions:
//! - `fund-reserve`: from an account, top a reserve up to its target (and no
//!   more than an optional `limit`);
//! - `draw-reserve`: draw from a reserve into an account, up to `limit` (the
//!   shortfall it covers);
//! - `release-reserve`: pay out what a reserve holds above its target (up to
//!   an optional `limit`) into an account.
//!
//! ```toml
//! [[waterfall]]
//! action = "draw-reserve"
//! reserve = "reserve"
//! to = "available-funds"
//! limit = "max(quantity[required_payment_amount] - account[available-funds], 0)"
//! ```

use std::ops::Range;

use serde::Deserialize;

use super::{ActionKind, limit_text};
use crate::deal::Deal;
use crate::deal::expr::Expr;
use crate::deal::validate::Checker;
use crate::num::Num;
use crate::tomlfile::Spanned;
use crate::waterfall::{Ledger, Payment, Run, money};

/// Which way cash moves between the reserve and the other account.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Fund,
    Draw,
    Release,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FundRaw {
    from: Spanned<String>,
    reserve: Spanned<String>,
    limit: Option<Spanned<String>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OutRaw {
    reserve: Spanned<String>,
    to: Spanned<String>,
    limit: Option<Spanned<String>>,
}

/// A reserve, the other account, a limit.
#[derive(Debug, Clone)]
pub struct Terms {
    pub reserve: usize,
    pub other: usize,
    pub limit: Option<Expr>,
}

fn check(
    reserve: &Spanned<String>,
    other: &Spanned<String>,
    limit: &Option<Spanned<String>>,
    cx: &mut Checker,
) -> Option<Terms> {
    let r = cx.reserve(reserve);
    let o = cx.account(other);
    let l = cx.opt_expr(limit);
    Some(Terms {
        reserve: r?,
        other: o?,
        limit: l?,
    })
}

fn run<T: Num, L: Ledger<T>>(t: &Terms, kind: Kind, r: &mut Run<T, L>, step: usize) -> T {
    let reserve = r.account(t.reserve);
    let target = r.out.accounts[t.reserve].target;
    let (from, to) = match kind {
        Kind::Fund => (t.other, t.reserve),
        Kind::Draw | Kind::Release => (t.reserve, t.other),
    };
    let before = r.account(from);
    let room = match kind {
        Kind::Fund => (target - reserve).pos().min_of(before),
        Kind::Draw => reserve,
        Kind::Release => (reserve - target).pos(),
    };
    let amount = r.limited(room, &t.limit).pos();
    r.transfer(from, to, amount);
    let f = &mut r.out.accounts[t.reserve];
    match kind {
        Kind::Fund => f.funded += amount,
        Kind::Draw => f.drawn += amount,
        Kind::Release => f.released += amount,
    }
    if L::ON {
        let pay = vec![Payment {
            to: format!("{} account", r.deal.accounts[to].name),
            what: match kind {
                Kind::Fund => "reserve deposit",
                Kind::Draw => "reserve draw",
                Kind::Release => "reserve release",
            },
            due: None,
            paid: amount,
        }];
        let note = format!(
            "reserve {} against a target of {}",
            money(reserve),
            money(target)
        );
        r.record(step, Some(from), before, pay, note);
    }
    amount
}

#[derive(Debug, Clone)]
pub struct FundReserve(pub Terms);

impl ActionKind for FundReserve {
    type Raw = FundRaw;
    const NAME: &'static str = "fund-reserve";

    fn check(raw: FundRaw, _at: Range<usize>, cx: &mut Checker) -> Option<Self> {
        check(&raw.reserve, &raw.from, &raw.limit, cx).map(FundReserve)
    }

    fn describe(&self, deal: &Deal) -> String {
        format!(
            "fund reserve {} to its target from {}{}",
            deal.accounts[self.0.reserve].name,
            deal.accounts[self.0.other].name,
            limit_text(deal, &self.0.limit)
        )
    }

    fn source(&self) -> Option<usize> {
        Some(self.0.other)
    }

    fn run<T: Num, L: Ledger<T>>(&self, r: &mut Run<T, L>, step: usize) -> T {
        run(&self.0, Kind::Fund, r, step)
    }
}

#[derive(Debug, Clone)]
pub struct DrawReserve(pub Terms);

impl ActionKind for DrawReserve {
    type Raw = OutRaw;
    const NAME: &'static str = "draw-reserve";

    fn check(raw: OutRaw, at: Range<usize>, cx: &mut Checker) -> Option<Self> {
        if raw.limit.is_none() {
            cx.err(
                at,
                "draw-reserve needs a `limit`: the shortfall the draw covers",
            );
            return None;
        }
        check(&raw.reserve, &raw.to, &raw.limit, cx).map(DrawReserve)
    }

    fn describe(&self, deal: &Deal) -> String {
        format!(
            "draw on reserve {} into {}{}",
            deal.accounts[self.0.reserve].name,
            deal.accounts[self.0.other].name,
            limit_text(deal, &self.0.limit)
        )
    }

    fn source(&self) -> Option<usize> {
        Some(self.0.reserve)
    }

    fn run<T: Num, L: Ledger<T>>(&self, r: &mut Run<T, L>, step: usize) -> T {
        run(&self.0, Kind::Draw, r, step)
    }
}

#[derive(Debug, Clone)]
pub struct ReleaseReserve(pub Terms);

impl ActionKind for ReleaseReserve {
    type Raw = OutRaw;
    const NAME: &'static str = "release-reserve";

    fn check(raw: OutRaw, _at: Range<usize>, cx: &mut Checker) -> Option<Self> {
        check(&raw.reserve, &raw.to, &raw.limit, cx).map(ReleaseReserve)
    }

    fn describe(&self, deal: &Deal) -> String {
        format!(
            "release reserve {} above its target into {}{}",
            deal.accounts[self.0.reserve].name,
            deal.accounts[self.0.other].name,
            limit_text(deal, &self.0.limit)
        )
    }

    fn source(&self) -> Option<usize> {
        Some(self.0.reserve)
    }

    fn run<T: Num, L: Ledger<T>>(&self, r: &mut Run<T, L>, step: usize) -> T {
        run(&self.0, Kind::Release, r, step)
    }
}
