//! Aligned plain-text tables for terminal output.

/// Column alignment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Align {
    Left,
    Right,
}

/// A table of strings, rendered with columns padded to their widest cell.
#[derive(Debug, Clone, Default)]
pub struct Table {
    pub headers: Vec<String>,
    pub align: Vec<Align>,
    pub rows: Vec<Vec<String>>,
}

impl Table {
    pub fn new(headers: &[&str], align: &[Align]) -> Self {
        Table {
            headers: headers.iter().map(|s| s.to_string()).collect(),
            align: align.to_vec(),
            rows: Vec::new(),
        }
    }

    /// The first `left` columns aligned left (names, dates), the rest right (figures).
    pub fn with_left(headers: &[&str], left: usize) -> Self {
        let align: Vec<Align> = (0..headers.len())
            .map(|i| if i < left { Align::Left } else { Align::Right })
            .collect();
        Table::new(headers, &align)
    }

    pub fn row(&mut self, cells: Vec<String>) {
        self.rows.push(cells);
    }

    /// A rule under the header, then the rows; trailing spaces trimmed.
    pub fn render(&self) -> String {
        let n = self.headers.len();
        let mut widths: Vec<usize> = self.headers.iter().map(|h| width(h)).collect();
        for r in &self.rows {
            for (i, c) in r.iter().enumerate().take(n) {
                widths[i] = widths[i].max(width(c));
            }
        }
        // One line written onto `out`, trailing blanks cut.
        let line = |out: &mut String, cells: &[String]| {
            let start = out.len();
            for (i, w) in widths.iter().enumerate() {
                let c = cells.get(i).map(String::as_str).unwrap_or("");
                let pad = w.saturating_sub(width(c));
                if i > 0 {
                    out.push_str("  ");
                }
                match self.align.get(i).copied().unwrap_or(Align::Left) {
                    Align::Left => {
                        out.push_str(c);
                        spaces(out, pad);
                    }
                    Align::Right => {
                        spaces(out, pad);
                        out.push_str(c);
                    }
                }
            }
            let kept = out[start..].trim_end().len();
            out.truncate(start + kept);
            out.push('\n');
        };
        let total: usize = widths.iter().sum::<usize>() + 2 * widths.len().saturating_sub(1);
        let mut out = String::with_capacity((total + 1) * (self.rows.len() + 2));
        line(&mut out, &self.headers);
        out.extend(std::iter::repeat_n('-', total));
        out.push('\n');
        for r in &self.rows {
            line(&mut out, r);
        }
        out
    }
}

/// A cell's width in characters (in bytes when it is ASCII, as figures are).
fn width(s: &str) -> usize {
    if s.is_ascii() {
        s.len()
    } else {
        s.chars().count()
    }
}

/// `n` spaces onto `out`.
fn spaces(out: &mut String, mut n: usize) {
    const BLANK: &str = "                                                                ";
    while n > 0 {
        let k = n.min(BLANK.len());
        out.push_str(&BLANK[..k]);
        n -= k;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn columns_are_padded_to_the_widest_cell() {
        let mut t = Table::new(&["class", "interest"], &[Align::Left, Align::Right]);
        t.row(vec!["A-1".into(), "552,926".into()]);
        t.row(vec!["A-IO-INV".into(), "0".into()]);
        assert_eq!(
            t.render(),
            "class     interest\n------------------\nA-1        552,926\nA-IO-INV         0\n"
        );
    }

    #[test]
    fn wide_and_non_ascii_cells_pad_by_characters() {
        let long = "x".repeat(150);
        let mut t = Table::new(&["a", "b"], &[Align::Right, Align::Left]);
        t.row(vec!["é".into(), long.clone()]);
        t.row(vec![long.clone(), "ü".into()]);
        let out = t.render();
        let lines: Vec<&str> = out.lines().collect();
        assert_eq!(lines[0], format!("{}a  b", " ".repeat(149)));
        assert_eq!(lines[1], "-".repeat(302));
        assert_eq!(lines[2], format!("{}é  {long}", " ".repeat(149)));
        assert_eq!(lines[3], format!("{long}  ü"));
    }
}
