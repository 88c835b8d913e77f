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
        let mut widths: Vec<usize> = self.headers.iter().map(|h| h.chars().count()).collect();
        for r in &self.rows {
            for (i, c) in r.iter().enumerate().take(n) {
                widths[i] = widths[i].max(c.chars().count());
            }
        }
        // One line written onto `out`, trailing blanks cut.
        let line = |out: &mut String, cells: &[String]| {
            let start = out.len();
            for (i, w) in widths.iter().enumerate() {
                let c = cells.get(i).map(String::as_str).unwrap_or("");
                let pad = w.saturating_sub(c.chars().count());
                if i > 0 {
                    out.push_str("  ");
                }
                match self.align.get(i).copied().unwrap_or(Align::Left) {
                    Align::Left => {
                        out.push_str(c);
                        out.extend(std::iter::repeat_n(' ', pad));
                    }
                    Align::Right => {
                        out.extend(std::iter::repeat_n(' ', pad));
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
}
