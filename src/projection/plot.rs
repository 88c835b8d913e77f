//! An SVG chart of the class balances and the OC over a projection. A
//! class's balance is a line; what losses wrote off it is a red hatched band
//! above the line (up to where the balance would be had it only been paid
//! down), so a writedown is never mistaken for a paydown. Year grid lines
//! fall on January.

use std::fmt::Write as _;

use super::{PeriodRecord, Projection};
use crate::num::Num;

const WIDTH: f64 = 960.0;
const HEIGHT: f64 = 540.0;
const LEFT: f64 = 80.0;
const RIGHT: f64 = 170.0;
const TOP: f64 = 40.0;
const BOTTOM: f64 = 50.0;

const COLORS: [&str; 12] = [
    "#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f",
    "#bcbd22", "#17becf", "#393b79", "#637939",
];

fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

/// A "nice" step for about `n` ticks over `max`.
fn tick_step(max: f64, n: f64) -> f64 {
    let raw = (max / n).max(1e-9);
    let mag = 10f64.powf(raw.log10().floor());
    let norm = raw / mag;
    let nice = if norm <= 1.0 {
        1.0
    } else if norm <= 2.0 {
        2.0
    } else if norm <= 5.0 {
        5.0
    } else {
        10.0
    };
    nice * mag
}

/// Months from `start` (year, month) to the first January at or after it.
fn months_to_january(month: u32) -> u32 {
    (13 - month) % 12
}

/// The chart: one line per principal class (ending balance) and one for the
/// OC; a hatched band for each class's cumulative writedowns.
pub fn svg<T: Num>(p: &Projection, records: &[PeriodRecord<T>], title: &str) -> String {
    let deal = p.deal;
    let mut series: Vec<(String, Vec<f64>)> = Vec::new();
    // Per class series: its cumulative writedowns at each point (0 at the start).
    let mut written: Vec<Vec<f64>> = Vec::new();
    for (k, c) in deal.classes.iter().enumerate() {
        if c.has_principal()
            && !c.original_balance.is_zero()
            && Some(k) != deal.oc.as_ref().and_then(|o| o.holder)
        {
            let start = p.start.state.balances[k];
            let mut v = vec![start.to_string().parse::<f64>().unwrap_or(0.0)];
            v.extend(records.iter().map(|r| r.result.classes[k].ending.to_f64()));
            series.push((c.name.clone(), v));
            let mut total = 0.0;
            let mut w = vec![0.0];
            w.extend(records.iter().map(|r| {
                total += r.result.classes[k].writedown.to_f64();
                total
            }));
            written.push(w);
        }
    }
    if deal.oc.is_some() {
        let start = p.start.state.oc;
        let mut v = vec![start.to_string().parse::<f64>().unwrap_or(0.0)];
        v.extend(records.iter().map(|r| r.result.deal.oc_ending.to_f64()));
        series.push(("OC".to_string(), v));
    }
    let n = records.len().max(1) as f64;
    let max = series
        .iter()
        .flat_map(|(_, v)| v.iter().copied())
        .fold(0.0f64, f64::max)
        .max(1.0);
    let ystep = tick_step(max, 6.0);
    let ymax = (max / ystep).ceil() * ystep;
    let pw = WIDTH - LEFT - RIGHT;
    let ph = HEIGHT - TOP - BOTTOM;
    let x = |m: f64| LEFT + pw * m / n;
    let x_at = |m: usize| x(m as f64);
    let y = |v: f64| TOP + ph * (1.0 - v / ymax);

    let mut s = String::new();
    let _ = writeln!(
        s,
        r#"<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{HEIGHT}" viewBox="0 0 {WIDTH} {HEIGHT}" font-family="sans-serif" font-size="12">"#
    );
    let _ = writeln!(
        s,
        r##"<defs><pattern id="written-down" width="6" height="6" patternUnits="userSpaceOnUse" patternTransform="rotate(45)"><rect width="6" height="6" fill="#d62728" fill-opacity="0.15"/><line x1="0" y1="0" x2="0" y2="6" stroke="#d62728" stroke-width="2"/></pattern></defs>"##
    );
    let _ = writeln!(s, r#"<rect width="100%" height="100%" fill="white"/>"#);
    let _ = writeln!(
        s,
        r#"<text x="{LEFT}" y="24" font-size="15">{}</text>"#,
        escape(title)
    );
    // Axes and grid.
    let mut v = 0.0;
    while v <= ymax + ystep / 2.0 {
        let yy = y(v);
        let _ = writeln!(
            s,
            r##"<line x1="{LEFT}" y1="{yy:.1}" x2="{:.1}" y2="{yy:.1}" stroke="#e0e0e0"/><text x="{:.1}" y="{:.1}" text-anchor="end">{:.0}M</text>"##,
            LEFT + pw,
            LEFT - 6.0,
            yy + 4.0,
            v / 1e6
        );
        v += ystep;
    }
    // Point m is m months after the filing: a grid line on each January
    // (every other one on a long projection).
    let xstep = if n > 120.0 { 24.0 } else { 12.0 };
    let mut m = months_to_january(chrono::Datelike::month(&p.start.date)) as f64;
    while m <= n {
        let xx = x(m);
        let label = crate::calendar::add_months(
            chrono::Datelike::year(&p.start.date),
            chrono::Datelike::month(&p.start.date),
            m as i32,
        );
        let _ = writeln!(
            s,
            r##"<line x1="{xx:.1}" y1="{TOP}" x2="{xx:.1}" y2="{:.1}" stroke="#f0f0f0"/><text x="{xx:.1}" y="{:.1}" text-anchor="middle">{}</text>"##,
            TOP + ph,
            TOP + ph + 18.0,
            label.0
        );
        m += xstep;
    }
    let _ = writeln!(
        s,
        r##"<rect x="{LEFT}" y="{TOP}" width="{pw}" height="{ph}" fill="none" stroke="#444"/>"##
    );
    // Writedowns: a hatched band from the balance up by what was written off.
    let mut any_writedown = false;
    for ((_, values), w) in series.iter().zip(&written) {
        if w.iter().all(|&x| x <= 0.0) {
            continue;
        }
        any_writedown = true;
        let upper = values
            .iter()
            .zip(w)
            .enumerate()
            .map(|(m, (&v, &x))| format!("{:.1},{:.1}", x_at(m), y(v + x)));
        let lower: Vec<String> = values
            .iter()
            .enumerate()
            .map(|(m, &v)| format!("{:.1},{:.1}", x_at(m), y(v)))
            .collect();
        let points: Vec<String> = upper.chain(lower.into_iter().rev()).collect();
        let _ = writeln!(
            s,
            r##"<polygon class="writedown" fill="url(#written-down)" stroke="#d62728" stroke-width="0.6" points="{}"/>"##,
            points.join(" ")
        );
    }
    // Lines and legend.
    for (i, (name, values)) in series.iter().enumerate() {
        let color = COLORS[i % COLORS.len()];
        let points: Vec<String> = values
            .iter()
            .enumerate()
            .map(|(m, &v)| format!("{:.1},{:.1}", x(m as f64), y(v)))
            .collect();
        let dash = if name == "OC" {
            r#" stroke-dasharray="6,3""#
        } else {
            ""
        };
        let _ = writeln!(
            s,
            r#"<polyline fill="none" stroke="{color}" stroke-width="1.6"{dash} points="{}"/>"#,
            points.join(" ")
        );
        let ly = TOP + 14.0 + 18.0 * i as f64;
        let lx = LEFT + pw + 16.0;
        let _ = writeln!(
            s,
            r#"<line x1="{lx}" y1="{:.1}" x2="{:.1}" y2="{:.1}" stroke="{color}" stroke-width="3"{dash}/><text x="{:.1}" y="{:.1}">{}</text>"#,
            ly - 4.0,
            lx + 22.0,
            ly - 4.0,
            lx + 28.0,
            ly,
            escape(name)
        );
    }
    if any_writedown {
        let ly = TOP + 14.0 + 18.0 * series.len() as f64;
        let lx = LEFT + pw + 16.0;
        let _ = writeln!(
            s,
            r##"<rect x="{lx}" y="{:.1}" width="22" height="10" fill="url(#written-down)" stroke="#d62728" stroke-width="0.6"/><text x="{:.1}" y="{:.1}">written down</text>"##,
            ly - 9.0,
            lx + 28.0,
            ly
        );
    }
    let _ = writeln!(
        s,
        r#"<text x="{:.1}" y="{:.1}" text-anchor="middle">distribution date</text>"#,
        LEFT + pw / 2.0,
        HEIGHT - 8.0
    );
    s.push_str("</svg>\n");
    s
}

#[cfg(test)]
mod tests {
    use super::months_to_january;

    #[test]
    fn the_first_year_line_is_on_january() {
        assert_eq!(months_to_january(12), 1);
        assert_eq!(months_to_january(1), 0);
        assert_eq!(months_to_january(2), 11);
        assert_eq!(months_to_january(7), 6);
    }
}
