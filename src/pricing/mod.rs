//! Bond analytics for a class's projected cash flows: price/yield, weighted
//! average life, duration, convexity and discount margin; price tables
//! ([`table`]) and prospectus price/yield matrices ([`matrix`]) of a class
//! across scenarios, settled on any date ([`settle`]), with prices in 32nds
//! ([`quote`]).
//!
//! These are analytics, not cash, so everything here is `f64` and every
//! function is pure and deterministic (fixed iteration caps, no randomness).
//!
//! # Conventions (the market's for mortgage and asset-backed bonds)
//!
//! * **Settlement.** The functions here price the [`Flow`]s they are given
//!   from time 0, the settlement. A projection starts right after a
//!   distribution, and by default settlement is that distribution date, with
//!   no accrued interest; [`settle`] moves settlement to any later date,
//!   drops the flows on or before it, times the rest from it and works out
//!   the accrued interest that turns a clean price into the dirty price the
//!   flows are discounted to.
//! * **Time** is 30/360 in months: distribution `n` after settlement is at
//!   `months = n`. [`Flow::days`] (actual days in the accrual period ending at the
//!   flow) is used only by the floating-rate discount margin.
//! * **Price** is in percent of the current face at settlement ([`Bond::balance`]):
//!   100 is par. The amount paid is `price / 100 × balance`: the price handed
//!   to these functions is the dirty price (clean plus accrued, see [`settle`]).
//!   Quotes in 32nds (`99-16+`) are read and written by [`quote`].
//! * **Yield** is compounded monthly and quoted bond-equivalent. The monthly rate
//!   `m` solves `price / 100 × balance = Σ CF_t / (1 + m)^months_t` with
//!   `CF_t = principal_t + interest_t`. The quoted yield is the bond-equivalent
//!   yield (BEY, semi-annual compounding) `y = 2·((1 + m)^6 − 1)`; the
//!   mortgage-equivalent yield (monthly compounding) is `12·m`. All yields are
//!   fractions (0.06 is 6%). See [`bey_from_monthly_rate`] and friends.
//! * **Weighted average life** is `Σ principal_t × months_t / 12 / Σ principal_t`,
//!   in years.
//! * **Durations and convexity** are with respect to the BEY `y`, in years:
//!   Macaulay `D = Σ (t/12)·CF_t·v^t / P` with `v = 1/(1 + m)`; modified
//!   `−(dP/dy)/P = D / (1 + y/2)` (exact for the BEY convention, since
//!   `(1 + m)^6 = 1 + y/2`); convexity `(d²P/dy²)/P`, in years² (not divided
//!   by 100).
//! * **Discount margin** of a floating-rate class is the constant spread `dm`
//!   with `price / 100 × balance = Σ CF_t × Π_{j≤t} 1 / (1 + (index_j + dm) ×
//!   days_j / 360)` (actual/360, compounding period by period over the flows in
//!   the order given, which must be the order of payment).
//!
//! # Root finding
//!
//! Yields and discount margins are found by bracketing (expanding from a start
//! point until the price error changes sign, never leaving the rate's domain)
//! then Brent's method, to `|Δx| ≤ 2ε|x| + 5e-16` in the monthly rate (or the
//! margin), at most [`MAX_ITERATIONS`] steps each. The price is decreasing in the
//! rate when every cash flow is non-negative, so the root is then unique. When
//! there is no solution — a price that is not positive and finite, a balance that
//! is not positive and finite, no flows, a non-finite field, no sign change found
//! — the solvers return `None`.

pub mod matrix;
pub mod quote;
pub mod settle;
pub mod table;

use serde::{Deserialize, Serialize};

/// Iteration cap for the bracket expansion and for Brent's method, each.
pub const MAX_ITERATIONS: usize = 200;

/// Absolute tolerance on the solved monthly rate or discount margin (Brent's
/// method adds `2ε|x|` to it).
pub const RATE_TOLERANCE: f64 = 1e-15;

/// One projected payment of a class after settlement.
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize, Deserialize)]
pub struct Flow {
    /// Time from settlement in months, 30/360: distribution `n` is `n` months.
    pub months: f64,
    /// Actual days in the accrual period ending at this flow (for floating-rate
    /// discounting, actual/360).
    pub days: f64,
    /// Principal paid at this flow.
    pub principal: f64,
    /// Interest paid at this flow.
    pub interest: f64,
    /// The one-month index rate for the period, a fraction (0.0112 is 1.12%),
    /// for the discount margin.
    pub index: f64,
}

impl Flow {
    /// Principal plus interest.
    pub fn cash_flow(&self) -> f64 {
        self.principal + self.interest
    }
}

/// A class's projected cash flows after settlement.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct Bond {
    /// Current face at settlement; prices are in percent of it.
    pub balance: f64,
    /// The flows in order of payment.
    pub flows: Vec<Flow>,
}

impl Bond {
    /// True when there is something to price: a positive finite balance, at
    /// least one flow, and every field of every flow finite with `months >= 0`.
    fn is_priceable(&self) -> bool {
        self.balance.is_finite()
            && self.balance > 0.0
            && !self.flows.is_empty()
            && self.flows.iter().all(|f| {
                f.months.is_finite()
                    && f.months >= 0.0
                    && f.principal.is_finite()
                    && f.interest.is_finite()
            })
    }

    /// Present value of the flows at monthly rate `m`: `Σ CF_t (1 + m)^(−t)`.
    fn pv_monthly(&self, m: f64) -> f64 {
        let v = 1.0 + m;
        self.flows
            .iter()
            .map(|f| f.cash_flow() * v.powf(-f.months))
            .sum()
    }

    /// Present value at discount margin `dm` (see the module conventions).
    fn pv_margin(&self, dm: f64) -> f64 {
        let mut discount = 1.0;
        let mut pv = 0.0;
        for f in &self.flows {
            discount /= 1.0 + (f.index + dm) * f.days / 360.0;
            pv += f.cash_flow() * discount;
        }
        pv
    }

    /// The amount paid for the bond at `price` (percent of face).
    fn amount(&self, price: f64) -> f64 {
        price / 100.0 * self.balance
    }
}

// ---------------------------------------------------------------------------
// Yield conventions
// ---------------------------------------------------------------------------

/// Monthly rate `m` for a bond-equivalent yield: `(1 + y/2)^(1/6) − 1`.
/// NaN when `y <= −2`.
pub fn monthly_rate_from_bey(y: f64) -> f64 {
    if y <= -2.0 {
        return f64::NAN;
    }
    (1.0 + y / 2.0).powf(1.0 / 6.0) - 1.0
}

/// Bond-equivalent yield for a monthly rate: `2·((1 + m)^6 − 1)`.
pub fn bey_from_monthly_rate(m: f64) -> f64 {
    2.0 * ((1.0 + m).powi(6) - 1.0)
}

/// Mortgage-equivalent (monthly-compounded) yield `12·m` for a BEY.
pub fn mortgage_yield_from_bey(y: f64) -> f64 {
    12.0 * monthly_rate_from_bey(y)
}

/// BEY for a mortgage-equivalent yield `12·m`.
pub fn bey_from_mortgage_yield(mortgage_yield: f64) -> f64 {
    bey_from_monthly_rate(mortgage_yield / 12.0)
}

// ---------------------------------------------------------------------------
// Price and yield
// ---------------------------------------------------------------------------

/// Price (percent of current face, no accrued) at bond-equivalent yield `y`.
///
/// NaN when the bond cannot be priced (balance not positive and finite, no
/// flows, non-finite fields) or `y <= −2`.
pub fn price_from_yield(bond: &Bond, y: f64) -> f64 {
    price_from_monthly_rate(bond, monthly_rate_from_bey(y))
}

/// Price at a mortgage-equivalent yield (`12·m`, monthly compounding).
pub fn price_from_mortgage_yield(bond: &Bond, mortgage_yield: f64) -> f64 {
    price_from_monthly_rate(bond, mortgage_yield / 12.0)
}

fn price_from_monthly_rate(bond: &Bond, m: f64) -> f64 {
    if !bond.is_priceable() || !m.is_finite() || m <= -1.0 {
        return f64::NAN;
    }
    100.0 * bond.pv_monthly(m) / bond.balance
}

/// Bond-equivalent yield (fraction) at `price` (percent of current face).
/// `None` when there is no solution (see the module docs).
pub fn yield_from_price(bond: &Bond, price: f64) -> Option<f64> {
    monthly_rate_from_price(bond, price).map(bey_from_monthly_rate)
}

/// Mortgage-equivalent yield `12·m` (fraction) at `price`.
pub fn mortgage_yield_from_price(bond: &Bond, price: f64) -> Option<f64> {
    monthly_rate_from_price(bond, price).map(|m| 12.0 * m)
}

/// The monthly rate `m` at `price`.
pub fn monthly_rate_from_price(bond: &Bond, price: f64) -> Option<f64> {
    if !bond.is_priceable() || !price.is_finite() || price <= 0.0 {
        return None;
    }
    let target = bond.amount(price);
    solve_decreasing(|m| bond.pv_monthly(m) - target, -1.0, 0.005, 0.01)
}

// ---------------------------------------------------------------------------
// Average life, duration, convexity
// ---------------------------------------------------------------------------

/// Weighted average life in years: `Σ principal_t × months_t / 12 / Σ principal_t`.
/// `None` when there is no principal (or a field is not finite).
pub fn weighted_average_life(bond: &Bond) -> Option<f64> {
    let total: f64 = bond.flows.iter().map(|f| f.principal).sum();
    let weighted: f64 = bond.flows.iter().map(|f| f.principal * f.months).sum();
    let wal = weighted / 12.0 / total;
    (total != 0.0 && wal.is_finite()).then_some(wal)
}

/// Sums needed by the duration measures at BEY `y`:
/// `(P, Σ t·CF·v^t, Σ t²·CF·v^t, 1 + m)` with `t` in months.
fn moments(bond: &Bond, y: f64) -> Option<(f64, f64, f64, f64)> {
    let m = monthly_rate_from_bey(y);
    if !bond.is_priceable() || !m.is_finite() || m <= -1.0 {
        return None;
    }
    let base = 1.0 + m;
    let (mut p, mut s1, mut s2) = (0.0, 0.0, 0.0);
    for f in &bond.flows {
        let pv = f.cash_flow() * base.powf(-f.months);
        p += pv;
        s1 += f.months * pv;
        s2 += f.months * f.months * pv;
    }
    (p > 0.0 && p.is_finite()).then_some((p, s1, s2, base))
}

/// Macaulay duration in years at BEY `y`: `Σ (t/12)·CF_t·v^t / P`.
/// `None` when the present value is not positive or the bond cannot be priced.
pub fn macaulay_duration(bond: &Bond, y: f64) -> Option<f64> {
    let (p, s1, _, _) = moments(bond, y)?;
    Some(s1 / 12.0 / p)
}

/// Modified duration `−(dP/dy)/P` in years with respect to the BEY `y`.
///
/// With `P(y) = Σ CF_t (1 + y/2)^(−t/6)`, `dP/dy = −Σ (t/12)·CF_t·(1 + y/2)^(−t/6 − 1)`,
/// so the modified duration is exactly the Macaulay duration (years) divided by
/// `1 + y/2 = (1 + m)^6`.
pub fn modified_duration(bond: &Bond, y: f64) -> Option<f64> {
    let (p, s1, _, base) = moments(bond, y)?;
    Some(s1 / 12.0 / p / base.powi(6))
}

/// Convexity `(d²P/dy²)/P` in years² with respect to the BEY `y`:
/// `Σ (t/12)·(t/12 + 1/2)·CF_t·v^t / (P·(1 + y/2)²)`.
pub fn convexity(bond: &Bond, y: f64) -> Option<f64> {
    let (p, s1, s2, base) = moments(bond, y)?;
    let sum = s2 / 144.0 + s1 / 24.0;
    Some(sum / p / base.powi(12))
}

// ---------------------------------------------------------------------------
// Discount margin
// ---------------------------------------------------------------------------

/// Price (percent of current face) at discount margin `dm` (fraction, 0.005 is
/// 50 bp) over each period's index, actual/360 (see the module conventions).
///
/// NaN when the bond cannot be priced, a `days` or `index` is not finite, `days`
/// is negative, or a period's discount factor `1 + (index + dm)·days/360` is not
/// positive.
pub fn price_from_discount_margin(bond: &Bond, dm: f64) -> f64 {
    if !margin_priceable(bond) || !dm.is_finite() || dm <= margin_lower_bound(bond) {
        return f64::NAN;
    }
    100.0 * bond.pv_margin(dm) / bond.balance
}

/// Discount margin (fraction) at `price` (percent of current face).
/// `None` when there is no solution (see the module docs).
pub fn discount_margin(bond: &Bond, price: f64) -> Option<f64> {
    if !margin_priceable(bond) || !price.is_finite() || price <= 0.0 {
        return None;
    }
    let target = bond.amount(price);
    let lower = margin_lower_bound(bond);
    let start = if lower < 0.0 { 0.0 } else { lower + 0.01 };
    solve_decreasing(|dm| bond.pv_margin(dm) - target, lower, start, 0.01)
}

fn margin_priceable(bond: &Bond) -> bool {
    bond.is_priceable()
        && bond
            .flows
            .iter()
            .all(|f| f.days.is_finite() && f.days >= 0.0 && f.index.is_finite())
}

/// The margin below which some period's discount factor `1 + (index + dm)·days/360`
/// is not positive: `max_j(−index_j − 360/days_j)` over periods with `days > 0`.
fn margin_lower_bound(bond: &Bond) -> f64 {
    bond.flows
        .iter()
        .filter(|f| f.days > 0.0)
        .map(|f| -f.index - 360.0 / f.days)
        .fold(f64::NEG_INFINITY, f64::max)
}

// ---------------------------------------------------------------------------
// Price/yield table
// ---------------------------------------------------------------------------

/// One line of a price/yield table.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Row {
    /// The scenario the cash flows were projected under.
    pub scenario: String,
    /// Price, percent of current face.
    pub price: f64,
    /// Bond-equivalent yield (fraction), `None` when there is no solution.
    pub yield_bey: Option<f64>,
    /// Weighted average life, years (does not depend on the price).
    pub wal: Option<f64>,
    /// Modified duration at `yield_bey`, years.
    pub modified_duration: Option<f64>,
    /// Discount margin (fraction); only computed when the table is for a
    /// floating-rate class, else `None`.
    pub discount_margin: Option<f64>,
}

/// A price/yield table: one [`Row`] per scenario and price, scenarios in the
/// order given and, within a scenario, prices in the order given.
///
/// `floating` says whether the class floats; when it does, each row also carries
/// the discount margin at its price.
pub fn price_yield_table(
    bond_per_scenario: &[(String, Bond)],
    prices: &[f64],
    floating: bool,
) -> Vec<Row> {
    let mut rows = Vec::with_capacity(bond_per_scenario.len() * prices.len());
    for (scenario, bond) in bond_per_scenario {
        let wal = weighted_average_life(bond);
        for &price in prices {
            let yield_bey = yield_from_price(bond, price);
            rows.push(Row {
                scenario: scenario.clone(),
                price,
                yield_bey,
                wal,
                modified_duration: yield_bey.and_then(|y| modified_duration(bond, y)),
                discount_margin: if floating {
                    discount_margin(bond, price)
                } else {
                    None
                },
            });
        }
    }
    rows
}

// ---------------------------------------------------------------------------
// Root finding
// ---------------------------------------------------------------------------

/// Root of `f`, expected decreasing, on the open domain `(lower, ∞)`.
///
/// Brackets the root by expanding from `start` (upward with doubling steps when
/// `f(start) > 0`; downward with doubling steps, never past halfway to `lower`,
/// when `f(start) < 0`), keeping both ends where `f` is finite, then refines it
/// with [`brent`]. `None` if no sign change is found within [`MAX_ITERATIONS`].
fn solve_decreasing(f: impl Fn(f64) -> f64, lower: f64, start: f64, step: f64) -> Option<f64> {
    let f0 = f(start);
    if !f0.is_finite() {
        return None;
    }
    if f0 == 0.0 {
        return Some(start);
    }
    let mut step = step;
    let (mut a, mut fa) = (start, f0);
    for _ in 0..MAX_ITERATIONS {
        let mut b = if f0 > 0.0 { a + step } else { a - step };
        if b <= lower {
            b = lower + (a - lower) / 2.0;
        }
        let mut fb = f(b);
        // Near the domain's edge the value can overflow: step back toward `a`.
        let mut backoff = 0;
        while !fb.is_finite() && backoff < MAX_ITERATIONS {
            b = a + (b - a) / 2.0;
            fb = f(b);
            backoff += 1;
        }
        if !fb.is_finite() || b == a {
            return None;
        }
        if fb == 0.0 {
            return Some(b);
        }
        if (fa > 0.0) != (fb > 0.0) {
            return brent(&f, a, b, fa, fb);
        }
        a = b;
        fa = fb;
        step *= 2.0;
    }
    None
}

/// Brent's method on a bracket `[a, b]` with `f(a)`, `f(b)` finite and of
/// opposite signs (Numerical Recipes' `zbrent`): inverse quadratic or secant
/// steps when they stay well inside the bracket, bisection otherwise. Stops when
/// the bracket is within `2ε|b| + RATE_TOLERANCE/2` of the estimate, at most
/// [`MAX_ITERATIONS`] steps; `None` if the cap is hit or `f` stops being finite.
fn brent(f: &impl Fn(f64) -> f64, a: f64, b: f64, fa: f64, fb: f64) -> Option<f64> {
    let (mut a, mut b, mut fa, mut fb) = (a, b, fa, fb);
    if (fa > 0.0) == (fb > 0.0) {
        return None;
    }
    let (mut c, mut fc) = (b, fb);
    let (mut d, mut e) = (b - a, b - a);
    for _ in 0..MAX_ITERATIONS {
        if (fb > 0.0 && fc > 0.0) || (fb < 0.0 && fc < 0.0) {
            (c, fc) = (a, fa);
            d = b - a;
            e = d;
        }
        if fc.abs() < fb.abs() {
            (a, fa) = (b, fb);
            (b, fb) = (c, fc);
            (c, fc) = (a, fa);
        }
        let tol = 2.0 * f64::EPSILON * b.abs() + 0.5 * RATE_TOLERANCE;
        let xm = 0.5 * (c - b);
        if xm.abs() <= tol || fb == 0.0 {
            return Some(b);
        }
        if e.abs() >= tol && fa.abs() > fb.abs() {
            let s = fb / fa;
            let (mut p, mut q) = if a == c {
                (2.0 * xm * s, 1.0 - s)
            } else {
                let q = fa / fc;
                let r = fb / fc;
                (
                    s * (2.0 * xm * q * (q - r) - (b - a) * (r - 1.0)),
                    (q - 1.0) * (r - 1.0) * (s - 1.0),
                )
            };
            if p > 0.0 {
                q = -q;
            }
            p = p.abs();
            let min1 = 3.0 * xm * q - (tol * q).abs();
            let min2 = (e * q).abs();
            if 2.0 * p < min1.min(min2) {
                e = d;
                d = p / q;
            } else {
                d = xm;
                e = d;
            }
        } else {
            d = xm;
            e = d;
        }
        (a, fa) = (b, fb);
        b += if d.abs() > tol { d } else { tol.copysign(xm) };
        fb = f(b);
        if !fb.is_finite() {
            return None;
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn zero(months: f64, face: f64) -> Bond {
        Bond {
            balance: face,
            flows: vec![Flow {
                months,
                days: 30.0,
                principal: face,
                ..Flow::default()
            }],
        }
    }

    #[test]
    fn brent_finds_sqrt_two() {
        // f(x) = 2 − x² is decreasing on (0, ∞) with root √2.
        let r = solve_decreasing(|x| 2.0 - x * x, 0.0, 0.5, 0.25).unwrap();
        assert!((r - std::f64::consts::SQRT_2).abs() < 1e-14);
    }

    #[test]
    fn brent_rejects_unbracketed() {
        assert_eq!(brent(&|x| x, 1.0, 2.0, 1.0, 2.0), None);
        // Never crosses zero: the expansion gives up.
        assert_eq!(
            solve_decreasing(|x: f64| (-x).exp() + 1.0, -1.0, 0.0, 0.01),
            None
        );
    }

    #[test]
    fn rate_conversions_round_trip() {
        for y in [-0.5, -0.01, 0.0, 0.03, 0.0607550187875, 0.25, 1.5] {
            let m = monthly_rate_from_bey(y);
            assert!((bey_from_monthly_rate(m) - y).abs() < 1e-14, "{y}");
            assert!((bey_from_mortgage_yield(mortgage_yield_from_bey(y)) - y).abs() < 1e-14);
        }
        assert!(monthly_rate_from_bey(-2.0).is_nan());
    }

    #[test]
    fn huge_price_needs_a_rate_near_minus_one() {
        // A one-month zero at price 10,000: 1/(1+m) = 100, m = −0.99.
        let bond = zero(1.0, 100.0);
        let m = monthly_rate_from_price(&bond, 10_000.0).unwrap();
        assert!((m + 0.99).abs() < 1e-13, "{m}");
    }

    #[test]
    fn long_bond_at_extreme_prices_stays_finite() {
        // 360 months of interest at 1 plus par: overflow territory for (1+m)^−360
        // near m = −1 must be stepped around.
        let mut flows: Vec<Flow> = (1..=360)
            .map(|n| Flow {
                months: n as f64,
                days: 30.0,
                interest: 1.0,
                ..Flow::default()
            })
            .collect();
        flows[359].principal = 100.0;
        let bond = Bond {
            balance: 100.0,
            flows,
        };
        for price in [1e-3, 1.0, 50.0, 460.0, 1e4, 1e8] {
            let y = yield_from_price(&bond, price).unwrap();
            let back = price_from_yield(&bond, y);
            assert!(((back - price) / price).abs() < 1e-9, "{price} {y} {back}");
        }
    }

    #[test]
    fn discount_margin_respects_domain() {
        // One 30-day period, index 1%: factor 1 + (0.01 + dm)/12 must stay > 0.
        let bond = Bond {
            balance: 100.0,
            flows: vec![Flow {
                months: 1.0,
                days: 30.0,
                principal: 100.0,
                interest: 0.0,
                index: 0.01,
            }],
        };
        assert!(margin_lower_bound(&bond) == -0.01 - 12.0);
        // Price 200: 1 + (0.01 + dm)/12 = 0.5 → dm = −6.01.
        let dm = discount_margin(&bond, 200.0).unwrap();
        assert!((dm + 6.01).abs() < 1e-12, "{dm}");
        assert!(price_from_discount_margin(&bond, -12.5).is_nan());
    }

    #[test]
    fn table_shape_and_float_flag() {
        let bonds = vec![
            ("fast".to_string(), zero(12.0, 100.0)),
            ("slow".to_string(), zero(24.0, 100.0)),
        ];
        let rows = price_yield_table(&bonds, &[90.0, 100.0, 0.0], false);
        assert_eq!(rows.len(), 6);
        assert_eq!(rows[0].scenario, "fast");
        assert_eq!(rows[3].scenario, "slow");
        assert_eq!(rows[4].price, 100.0);
        assert!(rows.iter().all(|r| r.discount_margin.is_none()));
        assert_eq!(rows[2].yield_bey, None);
        assert_eq!(rows[2].modified_duration, None);
        assert_eq!(rows[3].wal, Some(2.0));
        let floating = price_yield_table(&bonds, &[90.0], true);
        assert!(floating.iter().all(|r| r.discount_margin.is_some()));
    }
}
