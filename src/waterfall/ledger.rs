//! The period's ledger: what each waterfall step had, paid and left. The
//! engine writes it as it runs (`--explain` prints it); projections use
//! [`NoLedger`], which compiles the recording away.

/// One payment a step made.
#[derive(Debug, Clone, PartialEq)]
pub struct Payment<T> {
    /// A class, a fee or an account.
    pub to: String,
    /// "interest", "principal", "fee", "transfer", "writedown", ...
    pub what: &'static str,
    pub due: Option<T>,
    pub paid: T,
}

/// What one step did.
#[derive(Debug, Clone, PartialEq)]
pub struct Entry<T> {
    /// Index of the step in the deal's waterfall.
    pub step: usize,
    /// The step's source account.
    pub account: Option<usize>,
    /// The source account's balance before and after the step.
    pub before: T,
    pub after: T,
    pub payments: Vec<Payment<T>>,
    /// Figures the step worked from ("deficiency 14,646,264.28"), or why it
    /// did nothing.
    pub note: String,
}

/// Where the engine records steps.
pub trait Ledger<T> {
    /// Whether anything is recorded; the engine skips building entries when not.
    const ON: bool;
    fn record(&mut self, entry: Entry<T>);
}

/// Records nothing.
#[derive(Debug, Default, Clone, Copy)]
pub struct NoLedger;

impl<T> Ledger<T> for NoLedger {
    const ON: bool = false;
    fn record(&mut self, _: Entry<T>) {}
}

/// Keeps every entry.
#[derive(Debug, Clone, PartialEq)]
pub struct Explain<T> {
    pub entries: Vec<Entry<T>>,
}

impl<T> Default for Explain<T> {
    fn default() -> Self {
        Explain {
            entries: Vec::new(),
        }
    }
}

impl<T> Ledger<T> for Explain<T> {
    const ON: bool = true;
    fn record(&mut self, entry: Entry<T>) {
        self.entries.push(entry);
    }
}
