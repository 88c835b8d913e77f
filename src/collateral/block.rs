//! Loan lines stepped together: a pool's lines grouped into blocks of lines
//! that share a rate plan and a deal group, held as structure-of-arrays
//! (`Vec<f64>` per field) and stepped several lines at a time in a loop with
//! no per-line branch on the plan and no allocation.
//!
//! [`LinePool`] is what a projection asks for each month's collateral cash by
//! group. In `f64` a pool of [`BLOCKS_FROM`] lines or more runs [`Blocks`];
//! a smaller one, and any pool in another number type (the exact `Decimal`
//! path), steps each line's [`LineState`] in order.
//!
//! ## The block stepper
//!
//! - Lines with the same group, kind (fixed or ARM) and age share a
//!   [`RatePlan`]: a block's SMM, MDR, severity, lag and advancing flag are
//!   one number per month for all its lines. Each block is padded to a whole
//!   number of lanes with lines of zero balance (their flows are zero).
//! - Amounts are held as whole cents in `f64` (exact integers below 2^53
//!   cents), so the month's differences (`PERF − NEWDEF − prepayments −
//!   amortization`, ...) are exact and need no rounding, and the group sums
//!   are exact in any order. Each amount the line stepper rounds is rounded
//!   here with the same rule (halves away from zero, with the same allowance
//!   of 1e−15 relative below a half) applied to the same product in cents
//!   instead of dollars; the two products differ by a couple of ulps at
//!   most, so the two steppers can only round differently for a product
//!   within about 1e−15 (relative) of the allowance's edge, which the tests
//!   check does not happen on their tapes.
//! - Months are stepped in windows of [`WINDOW`]: each group of [`LANES`]
//!   lines is loaded once, stepped through the window's months with its
//!   state in registers and cache, and stored back, so a large tape streams
//!   through memory once a window instead of once a month. The ARM index of
//!   a month is known in advance (it comes from the scenario, never from the
//!   waterfall), so computing ahead is safe; months past the one the
//!   projection stops at are simply not used.
//! - The exact path keeps the line stepper ([`LineState`]), per line.

use super::line::{LineKind, LoanLine};
use super::plan::{Assumptions, RatePlan};
use super::project::LineState;
use crate::num::Num;

/// Lines stepped together by the block stepper's inner loop.
pub const LANES: usize = 4;

/// Months stepped per pass over the blocks' state.
pub const WINDOW: u32 = 12;

/// Lines from which `f64` runs the block stepper. A smaller pool (a deal's
/// representative lines, a short tape) steps each line's [`LineState`]:
/// measured whole-process with HE4's structure and tapes of mixed ages and
/// kinds, lines cost less up to 512 (24.2 M against 25.0 M instructions)
/// and blocks less from about a thousand (2,048 lines: 50.6 M against
/// 61.8 M), where their padding and set-up are spread over enough lanes.
pub const BLOCKS_FROM: usize = 512;

/// One group's collateral cash in one month: sums over its lines.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct GroupMonth<T> {
    /// Pool balance (performing plus in foreclosure) at the start of the month.
    pub beginning: T,
    /// Net interest.
    pub interest: T,
    /// Actual amortization plus scheduled principal advanced on defaults.
    pub scheduled: T,
    pub prepayments: T,
    /// Liquidation proceeds.
    pub recoveries: T,
    pub losses: T,
    /// In foreclosure at the end of the month.
    pub in_foreclosure: T,
    /// Sum of each line's net coupon (after the month's reset) times its
    /// beginning balance.
    pub coupon_balance: T,
}

impl<T: Num> GroupMonth<T> {
    pub const ZERO: Self = GroupMonth {
        beginning: T::ZERO,
        interest: T::ZERO,
        scheduled: T::ZERO,
        prepayments: T::ZERO,
        recoveries: T::ZERO,
        losses: T::ZERO,
        in_foreclosure: T::ZERO,
        coupon_balance: T::ZERO,
    };
}

/// A pool's lines being projected, month by month, summed by group.
pub enum LinePool<'p, T: Num> {
    /// Each line's own stepper, in the tape's order.
    Lines(Lines<'p, T>),
    /// The block stepper (`f64` only).
    Blocks(Box<Blocks>, Vec<GroupMonth<T>>),
}

impl<'p, T: Num> LinePool<'p, T> {
    /// The pool for `lines` (line `i` in group `groups[i]` of `ngroups`)
    /// under `a` for `months` months, with the ARM index (a fraction) of
    /// month `m` at `index[m - 1]`; `plans` holds the rate plans the line
    /// stepper borrows. In `f64` a pool of [`BLOCKS_FROM`] lines or more
    /// runs in blocks.
    pub fn new(
        lines: &[LoanLine],
        groups: &[usize],
        ngroups: usize,
        a: &Assumptions,
        months: u32,
        index: &[T],
        plans: &'p mut Vec<RatePlan<T>>,
    ) -> Self {
        if std::any::TypeId::of::<T>() == std::any::TypeId::of::<f64>()
            && lines.len() >= BLOCKS_FROM
        {
            let index: Vec<f64> = index.iter().map(|i| i.to_f64()).collect();
            Blocks::new(lines, groups, ngroups, a, months, index).into()
        } else {
            LinePool::Lines(Lines::new(lines, groups, ngroups, a, months, plans))
        }
    }

    /// The line-by-line pool, in any number type (tests compare it with the
    /// blocks).
    pub fn lines(
        lines: &[LoanLine],
        groups: &[usize],
        ngroups: usize,
        a: &Assumptions,
        months: u32,
        plans: &'p mut Vec<RatePlan<T>>,
    ) -> Self {
        LinePool::Lines(Lines::new(lines, groups, ngroups, a, months, plans))
    }

    /// Step month `month` (1-based, in order) with ARM index `index`
    /// (the line stepper reads it; the blocks have every month's already)
    /// and return its cash by group.
    pub fn month(&mut self, month: u32, index: T) -> &[GroupMonth<T>] {
        match self {
            LinePool::Lines(l) => l.month(month, index),
            LinePool::Blocks(b, out) => {
                let sums = b.month(month);
                for (o, s) in out.iter_mut().zip(sums) {
                    *o = GroupMonth {
                        beginning: T::from_f64(s.beginning),
                        interest: T::from_f64(s.interest),
                        scheduled: T::from_f64(s.scheduled),
                        prepayments: T::from_f64(s.prepayments),
                        recoveries: T::from_f64(s.recoveries),
                        losses: T::from_f64(s.losses),
                        in_foreclosure: T::from_f64(s.in_foreclosure),
                        coupon_balance: T::from_f64(s.coupon_balance),
                    };
                }
                out
            }
        }
    }
}

/// The block stepper as a pool, whatever its size (tests build one to
/// compare it with the lines); its sums are read as `T` (`f64` is the type
/// it is for).
impl<T: Num> From<Blocks> for LinePool<'_, T> {
    fn from(b: Blocks) -> Self {
        let ngroups = b.ngroups;
        LinePool::Blocks(Box::new(b), vec![GroupMonth::ZERO; ngroups])
    }
}

/// The plans for `lines` (one per kind and age) and the plan of each line.
fn plan_lines<T: Num>(
    lines: &[LoanLine],
    a: &Assumptions,
    months: u32,
    plans: &mut Vec<RatePlan<T>>,
) -> Vec<usize> {
    let mut keys: Vec<(LineKind, u32)> = Vec::new();
    plans.clear();
    lines
        .iter()
        .map(|l| {
            let key = (l.kind(), l.age());
            match keys.iter().position(|k| *k == key) {
                Some(p) => p,
                None => {
                    keys.push(key);
                    plans.push(RatePlan::new(a, key.0, key.1, months));
                    keys.len() - 1
                }
            }
        })
        .collect()
}

/// Each line's own stepper.
pub struct Lines<'p, T: Num> {
    states: Vec<LineState<'p, T>>,
    groups: Vec<usize>,
    balances: Vec<T>,
    out: Vec<GroupMonth<T>>,
}

impl<'p, T: Num> Lines<'p, T> {
    fn new(
        lines: &[LoanLine],
        groups: &[usize],
        ngroups: usize,
        a: &Assumptions,
        months: u32,
        plans: &'p mut Vec<RatePlan<T>>,
    ) -> Self {
        let which = plan_lines(lines, a, months, plans);
        let plans: &'p Vec<RatePlan<T>> = plans;
        Lines {
            states: lines
                .iter()
                .zip(&which)
                .map(|(l, &p)| LineState::new(l, &plans[p]))
                .collect(),
            groups: groups.to_vec(),
            balances: lines
                .iter()
                .map(|l| T::from_decimal(l.balance).round_cents())
                .collect(),
            out: vec![GroupMonth::ZERO; ngroups],
        }
    }

    fn month(&mut self, month: u32, index: T) -> &[GroupMonth<T>] {
        for o in self.out.iter_mut() {
            *o = GroupMonth::ZERO;
        }
        for (i, line) in self.states.iter_mut().enumerate() {
            let beginning = self.balances[i];
            let f = line.step(month, index);
            let o = &mut self.out[self.groups[i]];
            o.beginning += beginning;
            o.interest += f.net_interest;
            o.scheduled += f.actual_amortization + f.amort_from_defaults;
            o.prepayments += f.voluntary_prepayments;
            o.recoveries += f.principal_recovery;
            o.losses += f.principal_loss;
            o.coupon_balance += line.net_coupon() * beginning;
            o.in_foreclosure += f.in_foreclosure;
            self.balances[i] = f.pool_balance;
        }
        &self.out
    }
}

/// Lines of one group and one rate plan, structure-of-arrays, padded to a
/// whole number of [`LANES`]. Amounts are whole cents.
#[derive(Debug, Clone)]
struct Block {
    group: usize,
    plan: usize,
    arm: bool,
    /// Each lane's index among the pool's lines (`usize::MAX` for padding).
    line: Vec<usize>,
    perf: Vec<f64>,
    fcl: Vec<f64>,
    factor: Vec<f64>,
    x: Vec<f64>,
    /// Remaining term at the start of the next month.
    remaining: Vec<f64>,
    /// Default cohorts in the ring with a balance.
    pending: Vec<f64>,
    gross: Vec<f64>,
    net: Vec<f64>,
    rate: Vec<f64>,
    /// The foreclosure ring, by group of [`LANES`] lanes: slot `s` of lane
    /// `l` at `(l / LANES * slots + s) * LANES + l % LANES`, so a group's
    /// slots lie together, as the stepper walks them (a group's months, then
    /// the next group's).
    ring_defaulted: Vec<f64>,
    ring_factor: Vec<f64>,
    // ARM reset terms (empty for a fixed block).
    margin: Vec<f64>,
    periodic_cap: Vec<f64>,
    life_cap: Vec<f64>,
    life_floor: Vec<f64>,
    next_reset: Vec<u32>,
    period: Vec<u32>,
    /// By lane group: the first month any of its lanes resets in, once the
    /// stepper has looked (0 before, `u32::MAX` when none will again).
    group_reset: Vec<u32>,
}

/// The sums one lane group adds to, per month of a window:
/// `[field][lane]`, fields in [`GroupMonth`]'s order.
type Acc = [[f64; LANES]; 8];

/// The block stepper: every line of a pool in [`Block`]s.
pub struct Blocks {
    blocks: Vec<Block>,
    plans: Vec<RatePlan<f64>>,
    ngroups: usize,
    months: u32,
    /// Lines held, padding included.
    lanes: usize,
    /// ARM index of month `m` at `index[m - 1]`.
    index: Vec<f64>,
    /// Months stepped so far.
    done: u32,
    /// Sums by month of the current window and group: `[(m - first) * ngroups + g]`.
    window: Vec<GroupMonth<f64>>,
    first: u32,
    acc: Vec<Acc>,
}

/// `x` rounded to a whole number, halves away from zero, with the line
/// stepper's allowance: anything within 1e−15 (relative) below a half
/// counts as the half. No branches and no library call, so it vectorises.
#[inline(always)]
fn round_whole(x: f64) -> f64 {
    let a = x.abs();
    floor_non_negative(a + 0.5 + a * 1e-15).copysign(x)
}

/// `floor(y)` for `y >= 0` by the 2^52 trick: `(y + 2^52) − 2^52` is `y`
/// rounded to the nearest whole number, one less when that is above `y`.
#[inline(always)]
fn floor_non_negative(y: f64) -> f64 {
    const BIG: f64 = 4_503_599_627_370_496.0; // 2^52: above it every f64 is whole
    let t = (y + BIG) - BIG;
    let t = t - if t > y { 1.0 } else { 0.0 };
    if y >= BIG { y } else { t }
}

impl Blocks {
    /// Blocks for `lines` (line `i` in group `groups[i]` of `ngroups`) under
    /// `a` for `months` months, the ARM index of month `m` at `index[m - 1]`.
    pub fn new(
        lines: &[LoanLine],
        groups: &[usize],
        ngroups: usize,
        a: &Assumptions,
        months: u32,
        index: Vec<f64>,
    ) -> Self {
        let mut plans = Vec::new();
        let which = plan_lines::<f64>(lines, a, months, &mut plans);
        // A block per (group, plan), numbered as the tape first shows them.
        let mut block_of_key: Vec<usize> = Vec::new();
        let mut first_line: Vec<usize> = Vec::new();
        let mut count: Vec<usize> = Vec::new();
        let block_of: Vec<usize> = which
            .iter()
            .enumerate()
            .map(|(i, &p)| {
                let key = groups.get(i).copied().unwrap_or(0) * plans.len() + p;
                if key >= block_of_key.len() {
                    block_of_key.resize(key + 1, usize::MAX);
                }
                if block_of_key[key] == usize::MAX {
                    block_of_key[key] = first_line.len();
                    first_line.push(i);
                    count.push(0);
                }
                let b = block_of_key[key];
                count[b] += 1;
                b
            })
            .collect();
        let mut blocks: Vec<Block> = first_line
            .iter()
            .zip(&count)
            .map(|(&i, &n)| {
                let (group, plan) = (groups.get(i).copied().unwrap_or(0), which[i]);
                Block::new(n, group, plan, lines[i].arm.is_some(), &plans[plan])
            })
            .collect();
        // Lanes filled in one pass in the tape's order (each block's lines
        // in that order too), reading the tape's lines once, front to back.
        let mut filled = vec![0; blocks.len()];
        for (i, (line, &b)) in lines.iter().zip(&block_of).enumerate() {
            blocks[b].set_lane(filled[b], i, line);
            filled[b] += 1;
        }
        Blocks {
            lanes: blocks.iter().map(|b| b.line.len()).sum(),
            blocks,
            plans,
            ngroups,
            months,
            index,
            done: 0,
            window: Vec::new(),
            first: 1,
            acc: Vec::new(),
        }
    }

    /// Lines held, padding included (the work a month takes).
    pub fn lanes(&self) -> usize {
        self.lanes
    }

    /// Month `month`'s cash by group, in dollars (1-based; months are asked
    /// for in order, each once).
    pub fn month(&mut self, month: u32) -> &[GroupMonth<f64>] {
        if month > self.done {
            self.step_window(month);
        }
        let i = (month - self.first) as usize * self.ngroups;
        &self.window[i..i + self.ngroups]
    }

    /// Step months `from..` for a window (not past the plan's months).
    fn step_window(&mut self, from: u32) {
        let to = (from + WINDOW - 1).min(self.months.max(from));
        let n = (to - from + 1) as usize;
        self.first = from;
        self.window.clear();
        self.window.resize(n * self.ngroups, GroupMonth::ZERO);
        let index = &self.index;
        let index_at = |m: u32| -> f64 { index.get(m.max(1) as usize - 1).copied().unwrap_or(0.0) };
        // Each block's sums by month of the window. Blocks are independent:
        // a large pool steps them on several threads, and the sums are added
        // in block order whichever thread computed them, so the result does
        // not depend on the threads.
        let plans = &self.plans;
        let step = |b: &mut Block, acc: &mut Vec<Acc>| {
            acc.clear();
            acc.resize(n, [[0.0; LANES]; 8]);
            step_block(b, &plans[b.plan], from, to, &index_at, acc);
        };
        if self.lanes >= PARALLEL_LANES && self.blocks.len() > 1 {
            use rayon::prelude::*;
            let sums: Vec<(usize, Vec<Acc>)> = self
                .blocks
                .par_iter_mut()
                .map(|b| {
                    let mut acc = Vec::new();
                    step(b, &mut acc);
                    (b.group, acc)
                })
                .collect();
            for (group, acc) in &sums {
                add(&mut self.window, self.ngroups, *group, acc);
            }
        } else {
            let mut acc = std::mem::take(&mut self.acc);
            for b in &mut self.blocks {
                step(b, &mut acc);
                add(&mut self.window, self.ngroups, b.group, &acc);
            }
            self.acc = acc;
        }
        // Whole cents to dollars.
        for w in &mut self.window {
            for v in [
                &mut w.beginning,
                &mut w.interest,
                &mut w.scheduled,
                &mut w.prepayments,
                &mut w.recoveries,
                &mut w.losses,
                &mut w.in_foreclosure,
                &mut w.coupon_balance,
            ] {
                *v /= 100.0;
            }
        }
        self.done = to;
    }
}

/// Pools of at least this many lines (padding included) step their blocks
/// on several threads.
const PARALLEL_LANES: usize = 8192;

/// Add a block's lane sums for the window's months to its group's sums.
fn add(window: &mut [GroupMonth<f64>], ngroups: usize, group: usize, acc: &[Acc]) {
    for (k, acc) in acc.iter().enumerate() {
        let w = &mut window[k * ngroups + group];
        let s = |f: usize| acc[f].iter().sum::<f64>();
        // Cent sums are whole numbers: exact in any order.
        w.beginning += s(0);
        w.interest += s(1);
        w.scheduled += s(2);
        w.prepayments += s(3);
        w.recoveries += s(4);
        w.losses += s(5);
        w.in_foreclosure += s(6);
        w.coupon_balance += s(7);
    }
}

/// Step every lane group of `b` through months `from..=to`: with AVX2 where
/// the processor has it (four lines an instruction), else with the baseline
/// instructions. Both run the same operations in the same order (no fused
/// multiply-adds), so they give the same bits.
fn step_block(
    b: &mut Block,
    plan: &RatePlan<f64>,
    from: u32,
    to: u32,
    index_at: &impl Fn(u32) -> f64,
    acc: &mut [Acc],
) {
    #[cfg(target_arch = "x86_64")]
    if std::arch::is_x86_feature_detected!("avx2") {
        // SAFETY: the processor has AVX2 (checked just above).
        unsafe { step_block_avx2(b, plan, from, to, index_at, acc) };
        return;
    }
    step_block_body(b, plan, from, to, index_at, acc);
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
fn step_block_avx2(
    b: &mut Block,
    plan: &RatePlan<f64>,
    from: u32,
    to: u32,
    index_at: &impl Fn(u32) -> f64,
    acc: &mut [Acc],
) {
    step_block_body(b, plan, from, to, index_at, acc);
}

#[inline(always)]
fn step_block_body(
    b: &mut Block,
    plan: &RatePlan<f64>,
    from: u32,
    to: u32,
    index_at: &impl Fn(u32) -> f64,
    acc: &mut [Acc],
) {
    for j in 0..b.line.len() / LANES {
        if b.arm {
            b.step_lanes::<true>(j, plan, from, to, index_at, acc);
        } else {
            b.step_lanes::<false>(j, plan, from, to, index_at, acc);
        }
    }
}

impl Block {
    /// A block of `lines` lines (padded to whole lane groups) of `group`
    /// under plan `plan`, every lane empty until [`Block::set_lane`].
    fn new(lines: usize, group: usize, plan: usize, arm: bool, rates: &RatePlan<f64>) -> Self {
        let n = lines.div_ceil(LANES) * LANES;
        let slots = rates.lag() as usize + 1;
        let arm_terms = |v: f64| if arm { vec![v; n] } else { Vec::new() };
        let arm_months = |v: u32| if arm { vec![v; n] } else { Vec::new() };
        Block {
            group,
            plan,
            arm,
            line: vec![usize::MAX; n],
            perf: vec![0.0; n],
            fcl: vec![0.0; n],
            factor: vec![1.0; n],
            x: vec![1.0; n],
            remaining: vec![0.0; n],
            pending: vec![0.0; n],
            gross: vec![0.0; n],
            net: vec![0.0; n],
            rate: vec![0.0; n],
            ring_defaulted: vec![0.0; slots * n],
            ring_factor: vec![1.0; slots * n],
            margin: arm_terms(0.0),
            periodic_cap: arm_terms(0.0),
            life_cap: arm_terms(0.0),
            life_floor: arm_terms(0.0),
            next_reset: arm_months(u32::MAX),
            period: arm_months(1),
            group_reset: if arm { vec![0; n / LANES] } else { Vec::new() },
        }
    }

    /// Put pool line `i` (`line`) in lane `l`.
    fn set_lane(&mut self, l: usize, i: usize, line: &LoanLine) {
        // The same starting values, computed the same way, as LineState.
        let gross = f64::from_decimal(line.gross_coupon);
        let net = f64::from_decimal(line.net_coupon);
        let rate = gross / 12.0;
        self.line[l] = i;
        self.perf[l] = crate::num::whole_cents(line.balance);
        self.remaining[l] = line.remaining_term as f64;
        self.gross[l] = gross;
        self.net[l] = net;
        self.rate[l] = rate;
        self.x[l] = discount(rate, line.remaining_term);
        if let Some(t) = &line.arm {
            self.margin[l] = f64::from_decimal(t.margin);
            self.periodic_cap[l] = f64::from_decimal(t.periodic_cap);
            self.life_cap[l] = f64::from_decimal(t.life_cap);
            self.life_floor[l] = f64::from_decimal(t.life_floor);
            self.next_reset[l] = t.months_to_next_reset.max(1);
            self.period[l] = t.reset_period.max(1);
        }
    }

    /// Reset lane `l`'s coupon in `month` (as `LineState::reset`).
    #[cold]
    fn reset(&mut self, l: usize, month: u32, index_rate: f64) {
        let prior = self.gross[l];
        let coupon = (index_rate + self.margin[l])
            .max_of(prior - self.periodic_cap[l])
            .min_of(prior + self.periodic_cap[l])
            .max_of(self.life_floor[l])
            .min_of(self.life_cap[l]);
        self.gross[l] = coupon;
        self.net[l] += coupon - prior;
        self.rate[l] = coupon / 12.0;
        self.x[l] = discount(self.rate[l], self.remaining[l] as u32);
        while self.next_reset[l] <= month {
            self.next_reset[l] = self.next_reset[l].saturating_add(self.period[l]);
        }
    }

    /// Step lanes `j * LANES ..` through months `from..=to`, adding each
    /// month's sums to `acc[m - from]`.
    #[inline(always)]
    fn step_lanes<const ARM: bool>(
        &mut self,
        j: usize,
        plan: &RatePlan<f64>,
        from: u32,
        to: u32,
        index_at: &impl Fn(u32) -> f64,
        acc: &mut [Acc],
    ) {
        let base = j * LANES;
        let r = base..base + LANES;
        let load = |v: &[f64]| -> [f64; LANES] {
            let mut a = [0.0; LANES];
            a.copy_from_slice(&v[r.clone()]);
            a
        };
        let mut perf = load(&self.perf);
        let mut fcl = load(&self.fcl);
        let mut factor = load(&self.factor);
        let mut x = load(&self.x);
        let mut remaining = load(&self.remaining);
        let mut pending = load(&self.pending);
        let mut rate = load(&self.rate);
        let mut net = load(&self.net);
        let lag = plan.lag;
        let lag_f = lag as f64;
        let slots = lag as usize + 1;
        let severity = plan.severity;
        let advancing = plan.advancing;
        // The ring's slots of this month's cohort (in) and of the cohort
        // from L months ago (out): `(month - 1) % slots` and `month % slots`,
        // moved on a slot a month.
        let mut head = (from as usize + slots - 1) % slots;
        let mut out = from as usize % slots;
        for month in from..=to {
            if ARM && month >= self.group_reset[j] {
                // Store the lanes' state, reset, reload what a reset changes.
                let mut next = u32::MAX;
                for l in 0..LANES {
                    let i = base + l;
                    if month >= self.next_reset[i] {
                        if perf[l] != 0.0 || fcl[l] != 0.0 {
                            self.remaining[i] = remaining[l];
                            self.reset(i, month, index_at(month));
                            rate[l] = self.rate[i];
                            net[l] = self.net[i];
                            x[l] = self.x[i];
                        } else {
                            // Paid off: a balance never comes back.
                            self.next_reset[i] = u32::MAX;
                        }
                    }
                    next = next.min(self.next_reset[i]);
                }
                self.group_reset[j] = next;
            }
            let smm = plan.smm(month);
            let mdr_m = plan.mdr(month);
            let liquidating = month > lag;
            let acc = &mut acc[(month - from) as usize];
            // Performing loans: defaults, amortization, prepayments.
            let mut f = [0.0; LANES];
            let mut q = [0.0; LANES];
            let mut new_defaults = [0.0; LANES];
            let mut amortization = [0.0; LANES];
            let mut voluntary = [0.0; LANES];
            for l in 0..LANES {
                let perf0 = perf[l];
                let rem = remaining[l];
                let rt = rate[l];
                // Both quotients computed, one kept: no branch per line.
                let level = rt * x[l] / (1.0 - x[l]);
                let straight = 1.0 / rem;
                f[l] = if rem <= 1.0 {
                    1.0
                } else if rt == 0.0 {
                    straight
                } else {
                    level
                };
                q[l] = 1.0 - f[l];
                let mdr = if rem <= lag_f { 0.0 } else { mdr_m };
                new_defaults[l] = round_whole(perf0 * mdr);
                amortization[l] = round_whole((perf0 - new_defaults[l]) * f[l]);
                voluntary[l] = round_whole(perf0 * q[l] * smm)
                    .min_of(perf0 - new_defaults[l] - amortization[l])
                    .pos();
            }
            // The foreclosure ring: this month's cohort in, the one from L
            // months ago out (the same slot when L = 0).
            let h = base * slots + head * LANES;
            self.ring_defaulted[h..h + LANES].copy_from_slice(&new_defaults);
            self.ring_factor[h..h + LANES].copy_from_slice(&factor);
            let o = base * slots + out * LANES;
            let mut defaulted = [0.0; LANES];
            let mut cohort_factor = [0.0; LANES];
            defaulted.copy_from_slice(&self.ring_defaulted[o..o + LANES]);
            cohort_factor.copy_from_slice(&self.ring_factor[o..o + LANES]);
            let mut left = [0.0; LANES];
            for l in 0..LANES {
                let perf0 = perf[l];
                let fcl0 = fcl[l];
                let nd = new_defaults[l];
                let mut pend = pending[l] + if nd != 0.0 { 1.0 } else { 0.0 };
                let liquidate = liquidating && defaulted[l] != 0.0;
                let quotient = factor[l] / cohort_factor[l];
                let ratio = if cohort_factor[l] == 0.0 {
                    0.0
                } else {
                    quotient
                };
                let adb_due = if advancing {
                    round_whole(defaulted[l] * ratio)
                } else {
                    defaulted[l]
                };
                let liquidated = if liquidate { defaulted[l] } else { 0.0 };
                let adb = if liquidate { adb_due } else { 0.0 };
                pend -= if liquidate { 1.0 } else { 0.0 };
                left[l] = if liquidate { 0.0 } else { defaulted[l] };
                let available = if lag == 0 { fcl0 + nd } else { fcl0 };
                let adb = if pend == 0.0 {
                    available
                } else {
                    adb.min_of(available)
                };
                let loss = if liquidated == 0.0 {
                    0.0
                } else {
                    round_whole(liquidated * severity).min_of(adb)
                };
                let recovery = (adb - loss).pos();
                let on_defaults = round_whole((nd + fcl0 - adb) * f[l]);
                let from_defaults = if advancing { on_defaults } else { 0.0 };
                // As LineState: balance × coupon, then ÷ 12.
                let net_interest = round_whole((perf0 - nd) * net[l] / 12.0);

                let p = perf0 - nd - voluntary[l] - amortization[l];
                let c = nd + fcl0 - adb - from_defaults;
                let beginning = perf0 + fcl0;
                acc[0][l] += beginning;
                acc[1][l] += net_interest;
                acc[2][l] += amortization[l] + from_defaults;
                acc[3][l] += voluntary[l];
                acc[4][l] += recovery;
                acc[5][l] += loss;
                acc[6][l] += c;
                acc[7][l] += net[l] * beginning;
                perf[l] = p;
                fcl[l] = c;
                pending[l] = pend;
                factor[l] *= q[l];
                x[l] *= 1.0 + rate[l];
                remaining[l] = (remaining[l] - 1.0).max(0.0);
            }
            self.ring_defaulted[o..o + LANES].copy_from_slice(&left);
            head = if head + 1 == slots { 0 } else { head + 1 };
            out = if out + 1 == slots { 0 } else { out + 1 };
        }
        let store = |v: &mut [f64], a: [f64; LANES]| v[r.clone()].copy_from_slice(&a);
        store(&mut self.perf, perf);
        store(&mut self.fcl, fcl);
        store(&mut self.factor, factor);
        store(&mut self.x, x);
        store(&mut self.remaining, remaining);
        store(&mut self.pending, pending);
        store(&mut self.rate, rate);
        store(&mut self.net, net);
    }
}

/// `(1 + rate)^−months`, as the line stepper computes it.
fn discount(rate: f64, months: u32) -> f64 {
    1.0 / (1.0 + rate).powi(months.min(i32::MAX as u32) as i32)
}
