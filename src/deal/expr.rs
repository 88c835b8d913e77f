//! The deal file's small expression language: the amounts, rates and tests a
//! deal's terms are written in (a limit, a target, a notional, a cap rate, a
//! trigger's test).
//!
//! ```text
//! max(balance[A-1, A-2] - min(round(60% * pool.ending), pool.ending - oc.floor), 0)
//! if(stepdown and not trigger, 4.40% * pool.ending, 2.20% * pool.cutoff)
//! ```
//!
//! Numbers are exact decimals; `2.20%` is 0.022. Operators, loosest first:
//! `or`, `and`, `not`, comparisons (`< <= > >= = !=`), `+ -`, `* /`, unary
//! `-`. A comparison is 1 when true and 0 when false, and any non-zero value
//! is true. Division by zero gives zero. Functions: `min(a, b, ...)`,
//! `max(a, b, ...)`, `if(test, then, else)`, `round(x)` (to the cent, halves
//! away from zero), `abs(x)`. Every other name is a deal quantity
//! ([`super::quantity`]): `pool.ending`, `balance[A-1, A-2]`, `oc.target`,
//! `index`, a `[[quantity]]` of the deal by name. Names inside brackets are
//! the deal's own (class, account, fee, group names) and may hold any
//! character but `,` and `]`.

use std::ops::Range;

use rust_decimal::Decimal;

use super::program::Program;
use super::quantity::Quantity;
use crate::num::{Num, Term};

/// A binary operator.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BinOp {
    Add,
    Sub,
    Mul,
    Div,
    Lt,
    Le,
    Gt,
    Ge,
    Eq,
    Ne,
    And,
    Or,
}

impl BinOp {
    fn symbol(self) -> &'static str {
        match self {
            BinOp::Add => "+",
            BinOp::Sub => "-",
            BinOp::Mul => "*",
            BinOp::Div => "/",
            BinOp::Lt => "<",
            BinOp::Le => "<=",
            BinOp::Gt => ">",
            BinOp::Ge => ">=",
            BinOp::Eq => "=",
            BinOp::Ne => "!=",
            BinOp::And => "and",
            BinOp::Or => "or",
        }
    }
}

/// An expression as written, resolved: the tree `show` and `--explain` write
/// back and the validation walks. [`Expr`] pairs it with its compiled
/// [`Program`].
#[derive(Debug, Clone, PartialEq)]
pub enum Node {
    Num(Term),
    Q(Quantity),
    Neg(Box<Node>),
    Not(Box<Node>),
    Bin(BinOp, Box<Node>, Box<Node>),
    Min(Vec<Node>),
    Max(Vec<Node>),
    If(Box<[Node; 3]>),
    Round(Box<Node>),
    Abs(Box<Node>),
}

/// What an expression reads, resolved while it is evaluated.
pub trait Context<T> {
    fn quantity(&mut self, q: &Quantity) -> T;
}

impl Node {
    /// Every quantity the expression reads.
    pub fn quantities<'a>(&'a self, out: &mut Vec<&'a Quantity>) {
        match self {
            Node::Num(_) => {}
            Node::Q(q) => out.push(q),
            Node::Neg(e) | Node::Not(e) | Node::Round(e) | Node::Abs(e) => e.quantities(out),
            Node::Bin(_, l, r) => {
                l.quantities(out);
                r.quantities(out);
            }
            Node::Min(v) | Node::Max(v) => v.iter().for_each(|e| e.quantities(out)),
            Node::If(x) => x.iter().for_each(|e| e.quantities(out)),
        }
    }

    /// Evaluate the tree in `cx`, in the context's number type: the
    /// definition the compiled [`Program`] follows step for step.
    pub fn eval<T: Num>(&self, cx: &mut impl Context<T>) -> T {
        match self {
            Node::Num(n) => T::of(n),
            Node::Q(q) => cx.quantity(q),
            Node::Neg(e) => -e.eval(cx),
            Node::Not(e) => truth(e.eval(cx) == T::ZERO),
            Node::Bin(op, l, r) => {
                let a = l.eval(cx);
                // `and`/`or` look at their right side only when they must.
                match op {
                    BinOp::And if a == T::ZERO => return T::ZERO,
                    BinOp::Or if a != T::ZERO => return T::ONE,
                    _ => {}
                }
                let b = r.eval(cx);
                op.apply(a, b)
            }
            Node::Min(v) => v
                .iter()
                .map(|e| e.eval(cx))
                .reduce(|a, b| a.min_of(b))
                .unwrap_or(T::ZERO),
            Node::Max(v) => v
                .iter()
                .map(|e| e.eval(cx))
                .reduce(|a, b| a.max_of(b))
                .unwrap_or(T::ZERO),
            Node::If(x) => {
                if x[0].eval(cx) != T::ZERO {
                    x[1].eval(cx)
                } else {
                    x[2].eval(cx)
                }
            }
            Node::Round(e) => e.eval(cx).round_cents(),
            Node::Abs(e) => abs(e.eval(cx)),
        }
    }
}

impl BinOp {
    /// `a op b` once both sides are known (`and`/`or` as tests of `b`: the
    /// left side has been looked at already).
    #[inline]
    pub(crate) fn apply<T: Num>(self, a: T, b: T) -> T {
        match self {
            BinOp::Add => a.add_sat(b),
            BinOp::Sub => a.sub_sat(b),
            BinOp::Mul => a.mul_sat(b),
            BinOp::Div => a.div_sat(b),
            BinOp::Lt => truth(a < b),
            BinOp::Le => truth(a <= b),
            BinOp::Gt => truth(a > b),
            BinOp::Ge => truth(a >= b),
            BinOp::Eq => truth(a == b),
            BinOp::Ne => truth(a != b),
            BinOp::And | BinOp::Or => truth(b != T::ZERO),
        }
    }
}

#[inline]
pub(crate) fn truth<T: Num>(b: bool) -> T {
    if b { T::ONE } else { T::ZERO }
}

#[inline]
pub(crate) fn abs<T: Num>(v: T) -> T {
    if v < T::ZERO { -v } else { v }
}

/// A deal's expression: the tree as written and the same expression
/// compiled to a flat [`Program`] (constant parts folded), which is what
/// runs. Both number types run the one program.
#[derive(Debug, Clone)]
pub struct Expr {
    node: Node,
    program: Program,
}

impl PartialEq for Expr {
    fn eq(&self, other: &Self) -> bool {
        self.node == other.node
    }
}

impl Expr {
    /// Compile a tree.
    pub fn new(node: Node) -> Self {
        let program = Program::compile(&node);
        Expr { node, program }
    }

    /// A constant.
    pub fn num(n: Term) -> Self {
        Expr::new(Node::Num(n))
    }

    /// One quantity.
    pub fn quantity(q: Quantity) -> Self {
        Expr::new(Node::Q(q))
    }

    /// The tree as written.
    pub fn node(&self) -> &Node {
        &self.node
    }

    /// The tree, to build a larger expression from.
    pub fn into_node(self) -> Node {
        self.node
    }

    /// Every quantity the expression reads.
    pub fn quantities<'a>(&'a self, out: &mut Vec<&'a Quantity>) {
        self.node.quantities(out)
    }

    /// Whether every quantity the expression reads is settled before the
    /// waterfall runs ([`Quantity::settled_before_the_waterfall`]).
    pub fn settled_before_the_waterfall(&self) -> bool {
        let mut qs = Vec::new();
        self.quantities(&mut qs);
        qs.iter().all(|q| q.settled_before_the_waterfall())
    }

    /// A constant expression's value (as written: `2.20%`, not `1 + 1`).
    pub fn constant(&self) -> Option<Term> {
        match &self.node {
            Node::Num(n) => Some(*n),
            _ => None,
        }
    }

    /// Evaluate in `cx`, in the context's number type.
    #[inline]
    pub fn eval<T: Num>(&self, cx: &mut impl Context<T>) -> T {
        self.program.eval(cx)
    }

    /// Evaluate as a test.
    #[inline]
    pub fn holds<T: Num>(&self, cx: &mut impl Context<T>) -> bool {
        self.eval(cx) != T::ZERO
    }
}

// --- Parsing -------------------------------------------------------------------

/// A parse or resolution problem at a byte range of the expression's text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExprError {
    pub at: Range<usize>,
    pub message: String,
}

impl ExprError {
    pub fn new(at: Range<usize>, message: impl Into<String>) -> Self {
        ExprError {
            at,
            message: message.into(),
        }
    }
}

/// A name as written, with where it is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Name {
    pub text: String,
    pub at: Range<usize>,
}

/// A quantity as written: `head[args].field.field`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Path {
    pub head: Name,
    pub args: Option<Vec<Name>>,
    pub fields: Vec<Name>,
    pub at: Range<usize>,
}

impl Path {
    /// The path as text, for messages.
    pub fn text(&self) -> String {
        let mut s = self.head.text.clone();
        if let Some(a) = &self.args {
            s.push('[');
            s.push_str(
                &a.iter()
                    .map(|n| n.text.as_str())
                    .collect::<Vec<_>>()
                    .join(", "),
            );
            s.push(']');
        }
        for f in &self.fields {
            s.push('.');
            s.push_str(&f.text);
        }
        s
    }
}

/// Resolves the names an expression uses into quantities.
pub trait Resolve {
    fn quantity(&mut self, path: &Path) -> Result<Quantity, ExprError>;
}

#[derive(Debug, Clone, PartialEq)]
enum Tok {
    Num(Decimal),
    Percent,
    Ident(String),
    Bracketed(Vec<Name>),
    Dot,
    Comma,
    Open,
    Close,
    Op(BinOp),
    Minus,
    Not,
    End,
}

struct Lexer<'a> {
    text: &'a str,
    toks: Vec<(Tok, Range<usize>)>,
}

fn is_ident_start(c: char) -> bool {
    c.is_ascii_alphabetic() || c == '_'
}

fn is_ident(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_'
}

/// Longest expression text accepted (a deal's longest real one is a few
/// hundred characters).
pub const MAX_LEN: usize = 4096;

/// Largest number an expression may write.
const MAX_CONSTANT: Decimal = crate::num::MAX_AMOUNT;

/// Deepest nesting accepted (parentheses and function calls).
pub const MAX_DEPTH: usize = 64;

impl<'a> Lexer<'a> {
    fn run(text: &'a str) -> Result<Vec<(Tok, Range<usize>)>, ExprError> {
        let mut lx = Lexer {
            text,
            toks: Vec::new(),
        };
        let bytes = text.as_bytes();
        let mut i = 0;
        while i < bytes.len() {
            let c = text[i..].chars().next().unwrap_or(' ');
            let start = i;
            if c.is_whitespace() {
                i += c.len_utf8();
                continue;
            }
            if c.is_ascii_digit()
                || (c == '.' && text[i + 1..].starts_with(|d: char| d.is_ascii_digit()))
            {
                let mut j = i;
                while j < bytes.len()
                    && (bytes[j].is_ascii_digit() || bytes[j] == b'.' || bytes[j] == b'_')
                {
                    j += 1;
                }
                let raw: String = text[i..j].chars().filter(|&c| c != '_').collect();
                let value = Decimal::from_str_exact(&raw).map_err(|_| {
                    ExprError::new(i..j, format!("\"{}\" is not a number", &text[i..j]))
                })?;
                lx.toks.push((Tok::Num(value), i..j));
                i = j;
                continue;
            }
            if is_ident_start(c) {
                let mut j = i;
                while j < bytes.len() && is_ident(bytes[j] as char) {
                    j += 1;
                }
                let word = &text[i..j];
                let tok = match word {
                    "and" => Tok::Op(BinOp::And),
                    "or" => Tok::Op(BinOp::Or),
                    "not" => Tok::Not,
                    _ => Tok::Ident(word.to_string()),
                };
                lx.toks.push((tok, i..j));
                i = j;
                continue;
            }
            let two = text.get(i..i + 2).unwrap_or("");
            let (tok, len) = match (c, two) {
                (_, "<=") => (Tok::Op(BinOp::Le), 2),
                (_, ">=") => (Tok::Op(BinOp::Ge), 2),
                (_, "!=") => (Tok::Op(BinOp::Ne), 2),
                (_, "==") => (Tok::Op(BinOp::Eq), 2),
                ('<', _) => (Tok::Op(BinOp::Lt), 1),
                ('>', _) => (Tok::Op(BinOp::Gt), 1),
                ('=', _) => (Tok::Op(BinOp::Eq), 1),
                ('+', _) => (Tok::Op(BinOp::Add), 1),
                ('-', _) => (Tok::Minus, 1),
                ('*', _) => (Tok::Op(BinOp::Mul), 1),
                ('/', _) => (Tok::Op(BinOp::Div), 1),
                ('%', _) => (Tok::Percent, 1),
                ('.', _) => (Tok::Dot, 1),
                (',', _) => (Tok::Comma, 1),
                ('(', _) => (Tok::Open, 1),
                (')', _) => (Tok::Close, 1),
                ('[', _) => {
                    let (names, end) = lx.bracketed(i)?;
                    lx.toks.push((Tok::Bracketed(names), start..end));
                    i = end;
                    continue;
                }
                _ => {
                    return Err(ExprError::new(
                        i..i + c.len_utf8(),
                        format!("unexpected \"{c}\""),
                    ));
                }
            };
            lx.toks.push((tok, i..i + len));
            i += len;
        }
        lx.toks.push((Tok::End, text.len()..text.len()));
        Ok(lx.toks)
    }

    /// `[name, name]` starting at `open`: the names and the end of the `]`.
    fn bracketed(&self, open: usize) -> Result<(Vec<Name>, usize), ExprError> {
        let Some(close) = self.text[open..].find(']').map(|k| open + k) else {
            return Err(ExprError::new(
                open..self.text.len(),
                "a \"[\" is never closed",
            ));
        };
        let mut names = Vec::new();
        let mut from = open + 1;
        for part in self.text[open + 1..close].split(',') {
            let lead = part.len() - part.trim_start().len();
            let text = part.trim();
            let at = from + lead..from + lead + text.len();
            if text.is_empty() {
                return Err(ExprError::new(at, "an empty name in brackets"));
            }
            names.push(Name {
                text: text.to_string(),
                at,
            });
            from += part.len() + 1;
        }
        Ok((names, close + 1))
    }
}

struct Parser<'r, R: Resolve> {
    toks: Vec<(Tok, Range<usize>)>,
    pos: usize,
    depth: usize,
    resolve: &'r mut R,
}

type Parsed = Result<Node, ExprError>;

impl<R: Resolve> Parser<'_, R> {
    fn peek(&self) -> &Tok {
        &self.toks[self.pos].0
    }

    fn span(&self) -> Range<usize> {
        self.toks[self.pos].1.clone()
    }

    fn next(&mut self) -> (Tok, Range<usize>) {
        let t = self.toks[self.pos].clone();
        if self.pos + 1 < self.toks.len() {
            self.pos += 1;
        }
        t
    }

    fn expect(&mut self, tok: Tok, what: &str) -> Result<(), ExprError> {
        if *self.peek() == tok {
            self.next();
            Ok(())
        } else {
            Err(ExprError::new(
                self.span(),
                format!("expected {what}, found {}", self.describe()),
            ))
        }
    }

    fn describe(&self) -> String {
        match self.peek() {
            Tok::End => "the end of the expression".to_string(),
            Tok::Num(n) => format!("the number {n}"),
            Tok::Ident(s) => format!("\"{s}\""),
            Tok::Bracketed(_) => "\"[\"".to_string(),
            Tok::Percent => "\"%\"".to_string(),
            Tok::Dot => "\".\"".to_string(),
            Tok::Comma => "\",\"".to_string(),
            Tok::Open => "\"(\"".to_string(),
            Tok::Close => "\")\"".to_string(),
            Tok::Op(op) => format!("\"{}\"", op.symbol()),
            Tok::Minus => "\"-\"".to_string(),
            Tok::Not => "\"not\"".to_string(),
        }
    }

    fn deeper(&mut self) -> Result<(), ExprError> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return Err(ExprError::new(
                self.span(),
                format!("nested more than {MAX_DEPTH} deep"),
            ));
        }
        Ok(())
    }

    fn binary(&mut self, ops: &[BinOp], next: fn(&mut Self) -> Parsed) -> Parsed {
        let mut left = next(self)?;
        loop {
            let op = match self.peek() {
                Tok::Op(op) if ops.contains(op) => *op,
                Tok::Minus if ops.contains(&BinOp::Sub) => BinOp::Sub,
                _ => return Ok(left),
            };
            self.next();
            let right = next(self)?;
            left = Node::Bin(op, Box::new(left), Box::new(right));
        }
    }

    fn or(&mut self) -> Parsed {
        self.binary(&[BinOp::Or], Self::and)
    }

    fn and(&mut self) -> Parsed {
        self.binary(&[BinOp::And], Self::not)
    }

    fn not(&mut self) -> Parsed {
        if *self.peek() == Tok::Not {
            self.next();
            self.deeper()?;
            let e = self.not()?;
            self.depth -= 1;
            return Ok(Node::Not(Box::new(e)));
        }
        self.comparison()
    }

    fn comparison(&mut self) -> Parsed {
        let left = self.sum()?;
        let op = match self.peek() {
            Tok::Op(
                op @ (BinOp::Lt | BinOp::Le | BinOp::Gt | BinOp::Ge | BinOp::Eq | BinOp::Ne),
            ) => *op,
            _ => return Ok(left),
        };
        self.next();
        let right = self.sum()?;
        Ok(Node::Bin(op, Box::new(left), Box::new(right)))
    }

    fn sum(&mut self) -> Parsed {
        self.binary(&[BinOp::Add, BinOp::Sub], Self::product)
    }

    fn product(&mut self) -> Parsed {
        self.binary(&[BinOp::Mul, BinOp::Div], Self::unary)
    }

    fn unary(&mut self) -> Parsed {
        if *self.peek() == Tok::Minus {
            self.next();
            self.deeper()?;
            let e = self.unary()?;
            self.depth -= 1;
            return Ok(match e {
                Node::Num(n) => Node::Num(Term::new(-n.exact)),
                e => Node::Neg(Box::new(e)),
            });
        }
        self.atom()
    }

    fn atom(&mut self) -> Parsed {
        let (tok, at) = self.next();
        match tok {
            Tok::Num(n) => {
                if n > MAX_CONSTANT {
                    return Err(ExprError::new(
                        at,
                        format!("{n} is larger than any term of a deal (at most 10^15)"),
                    ));
                }
                if *self.peek() == Tok::Percent {
                    self.next();
                    return Ok(Node::Num(Term::new(n / Decimal::ONE_HUNDRED)));
                }
                Ok(Node::Num(Term::new(n)))
            }
            Tok::Open => {
                self.deeper()?;
                let e = self.or()?;
                self.expect(Tok::Close, "\")\"")?;
                self.depth -= 1;
                Ok(e)
            }
            Tok::Ident(word) if *self.peek() == Tok::Open => self.call(word, at),
            Tok::Ident(word) => self.path(Name { text: word, at }),
            _ => {
                self.pos -= usize::from(self.pos > 0 && tok != Tok::End);
                Err(ExprError::new(
                    at,
                    format!(
                        "expected a number, a name or \"(\", found {}",
                        self.describe()
                    ),
                ))
            }
        }
    }

    fn call(&mut self, name: String, at: Range<usize>) -> Parsed {
        self.next(); // (
        self.deeper()?;
        let mut args = Vec::new();
        if *self.peek() != Tok::Close {
            loop {
                args.push(self.or()?);
                if *self.peek() == Tok::Comma {
                    self.next();
                    continue;
                }
                break;
            }
        }
        self.expect(Tok::Close, "\",\" or \")\"")?;
        self.depth -= 1;
        let arity = |n: usize, args: Vec<Node>| -> Result<Vec<Node>, ExprError> {
            if args.len() == n {
                Ok(args)
            } else {
                Err(ExprError::new(
                    at.clone(),
                    format!(
                        "{name}() takes {n} argument{}, found {}",
                        if n == 1 { "" } else { "s" },
                        args.len()
                    ),
                ))
            }
        };
        match name.as_str() {
            "min" | "max" if args.is_empty() => Err(ExprError::new(
                at.clone(),
                format!("{name}() needs at least one argument"),
            )),
            "min" => Ok(Node::Min(args)),
            "max" => Ok(Node::Max(args)),
            "round" => Ok(Node::Round(Box::new(arity(1, args)?.remove(0)))),
            "abs" => Ok(Node::Abs(Box::new(arity(1, args)?.remove(0)))),
            "if" => {
                let mut a = arity(3, args)?.into_iter();
                let (c, t, e) = (a.next(), a.next(), a.next());
                match (c, t, e) {
                    (Some(c), Some(t), Some(e)) => Ok(Node::If(Box::new([c, t, e]))),
                    _ => Err(ExprError::new(at.clone(), "if() takes 3 arguments")),
                }
            }
            _ => Err(ExprError::new(
                at.clone(),
                format!("no function \"{name}\" (there are min, max, if, round and abs)"),
            )),
        }
    }

    fn path(&mut self, head: Name) -> Parsed {
        let start = head.at.start;
        let mut end = head.at.end;
        let mut args = None;
        if let Tok::Bracketed(names) = self.peek().clone() {
            end = self.span().end;
            self.next();
            args = Some(names);
        }
        let mut fields = Vec::new();
        while *self.peek() == Tok::Dot {
            self.next();
            let (tok, at) = self.next();
            match tok {
                Tok::Ident(f) => {
                    end = at.end;
                    fields.push(Name { text: f, at });
                }
                _ => {
                    return Err(ExprError::new(at, "expected a field name after \".\""));
                }
            }
        }
        let path = Path {
            head,
            args,
            fields,
            at: start..end,
        };
        Ok(Node::Q(self.resolve.quantity(&path)?))
    }
}

/// Parse and resolve `text`.
pub fn parse<R: Resolve>(text: &str, resolve: &mut R) -> Result<Expr, ExprError> {
    if text.len() > MAX_LEN {
        return Err(ExprError::new(
            0..0,
            format!(
                "an expression of {} characters is longer than the {MAX_LEN} accepted",
                text.len()
            ),
        ));
    }
    if text.trim().is_empty() {
        return Err(ExprError::new(0..text.len(), "the expression is empty"));
    }
    let toks = Lexer::run(text)?;
    let mut p = Parser {
        toks,
        pos: 0,
        depth: 0,
        resolve,
    };
    let e = p.or()?;
    if *p.peek() != Tok::End {
        return Err(ExprError::new(
            p.span(),
            format!(
                "expected an operator or the end of the expression, found {}",
                p.describe()
            ),
        ));
    }
    Ok(Expr::new(e))
}

/// Write an expression back as text (for `show` and `--explain`), with the
/// deal's names.
pub fn display(e: &Expr, name: &dyn Fn(&Quantity) -> String) -> String {
    fn prec(e: &Node) -> u8 {
        match e {
            Node::Bin(BinOp::Or, ..) => 1,
            Node::Bin(BinOp::And, ..) => 2,
            Node::Not(_) => 3,
            Node::Bin(
                BinOp::Lt | BinOp::Le | BinOp::Gt | BinOp::Ge | BinOp::Eq | BinOp::Ne,
                ..,
            ) => 4,
            Node::Bin(BinOp::Add | BinOp::Sub, ..) => 5,
            Node::Bin(BinOp::Mul | BinOp::Div, ..) => 6,
            Node::Neg(_) => 7,
            _ => 8,
        }
    }
    fn go(e: &Node, name: &dyn Fn(&Quantity) -> String, out: &mut String) {
        let wrap = |child: &Node, min: u8, out: &mut String| {
            if prec(child) < min {
                out.push('(');
                go(child, name, out);
                out.push(')');
            } else {
                go(child, name, out);
            }
        };
        let list = |v: &[Node], out: &mut String| {
            for (i, x) in v.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                go(x, name, out);
            }
        };
        match e {
            Node::Num(n) => out.push_str(&n.to_string()),
            Node::Q(q) => out.push_str(&name(q)),
            Node::Neg(x) => {
                out.push('-');
                wrap(x, 7, out);
            }
            Node::Not(x) => {
                out.push_str("not ");
                wrap(x, 3, out);
            }
            Node::Bin(op, l, r) => {
                let p = prec(e);
                wrap(l, p, out);
                out.push(' ');
                out.push_str(op.symbol());
                out.push(' ');
                wrap(r, p + 1, out);
            }
            Node::Min(v) => {
                out.push_str("min(");
                list(v, out);
                out.push(')');
            }
            Node::Max(v) => {
                out.push_str("max(");
                list(v, out);
                out.push(')');
            }
            Node::If(x) => {
                out.push_str("if(");
                list(&x[..], out);
                out.push(')');
            }
            Node::Round(x) => {
                out.push_str("round(");
                go(x, name, out);
                out.push(')');
            }
            Node::Abs(x) => {
                out.push_str("abs(");
                go(x, name, out);
                out.push(')');
            }
        }
    }
    let mut s = String::new();
    go(&e.node, name, &mut s);
    s
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::deal::quantity::PoolField;
    use rust_decimal_macros::dec;

    /// Resolves `pool.ending`, `pool.beginning` and `balance[...]` (classes by
    /// the position of their name in a fixed list).
    struct Names;

    impl Resolve for Names {
        fn quantity(&mut self, p: &Path) -> Result<Quantity, ExprError> {
            let classes = ["A-1", "A-2", "M-1"];
            match (
                p.head.text.as_str(),
                p.fields.first().map(|f| f.text.as_str()),
            ) {
                ("pool", Some("ending")) => Ok(Quantity::Pool {
                    group: None,
                    field: PoolField::Ending,
                }),
                ("pool", Some("beginning")) => Ok(Quantity::Pool {
                    group: None,
                    field: PoolField::Beginning,
                }),
                ("balance", None) => {
                    let mut v = Vec::new();
                    for n in p.args.iter().flatten() {
                        match classes.iter().position(|c| *c == n.text) {
                            Some(k) => v.push(k),
                            None => return Err(ExprError::new(n.at.clone(), "no such class")),
                        }
                    }
                    Ok(Quantity::Balance {
                        classes: v,
                        at: crate::deal::quantity::BalanceAt::Current,
                    })
                }
                _ => Err(ExprError::new(
                    p.at.clone(),
                    format!("unknown {}", p.text()),
                )),
            }
        }
    }

    /// Pool ending 1,000; pool beginning 1,200; balances 500, 300, 100.
    struct Values;

    impl Context<Decimal> for Values {
        fn quantity(&mut self, q: &Quantity) -> Decimal {
            match q {
                Quantity::Pool {
                    field: PoolField::Ending,
                    ..
                } => dec!(1000),
                Quantity::Pool { .. } => dec!(1200),
                Quantity::Balance { classes, .. } => classes
                    .iter()
                    .map(|&k| [dec!(500), dec!(300), dec!(100)][k])
                    .sum(),
                _ => Decimal::ZERO,
            }
        }
    }

    fn eval(text: &str) -> Decimal {
        let e = parse(text, &mut Names).unwrap();
        let exact: Decimal = e.eval(&mut Values);
        let fast: f64 = e.eval(&mut Fast);
        assert!((fast - exact.to_string().parse::<f64>().unwrap()).abs() < 1e-9);
        exact
    }

    struct Fast;

    impl Context<f64> for Fast {
        fn quantity(&mut self, q: &Quantity) -> f64 {
            crate::num::Num::to_f64(Values.quantity(q))
        }
    }

    #[test]
    fn arithmetic_follows_the_usual_precedence() {
        assert_eq!(eval("1 + 2 * 3"), dec!(7));
        assert_eq!(eval("(1 + 2) * 3"), dec!(9));
        assert_eq!(eval("10 - 4 - 3"), dec!(3));
        assert_eq!(eval("-2 * -3"), dec!(6));
        assert_eq!(eval("2.20% * 1000"), dec!(22.0000));
        assert_eq!(eval("1 / 0"), dec!(0));
    }

    #[test]
    fn quantities_and_functions() {
        // A senior principal distribution amount: seniors down to 60% of the pool.
        assert_eq!(
            eval("max(balance[A-1, A-2] - round(60% * pool.ending), 0)"),
            dec!(200)
        );
        assert_eq!(eval("min(balance[A-1], balance[ A-2 ], 400)"), dec!(300));
        assert_eq!(eval("if(balance[M-1] > 0, 1, 2)"), dec!(1));
        assert_eq!(eval("round(1 / 3)"), dec!(0.33));
        assert_eq!(eval("abs(pool.ending - pool.beginning)"), dec!(200));
    }

    #[test]
    fn tests_are_one_or_zero() {
        assert_eq!(
            eval("pool.ending < pool.beginning and not balance[M-1] = 0"),
            dec!(1)
        );
        assert_eq!(
            eval("pool.ending >= pool.beginning or balance[A-1] != 500"),
            dec!(0)
        );
        assert_eq!(eval("1 <= 1"), dec!(1));
    }

    #[test]
    fn errors_say_where() {
        let e = parse("max(balance[A-1, B] - 1, 0)", &mut Names).unwrap_err();
        assert_eq!(e.at, 17..18);
        let e = parse("1 +", &mut Names).unwrap_err();
        assert!(e.message.contains("found the end"), "{}", e.message);
        let e = parse("sqrt(4)", &mut Names).unwrap_err();
        assert!(e.message.contains("no function \"sqrt\""), "{}", e.message);
        let e = parse("if(1, 2)", &mut Names).unwrap_err();
        assert!(e.message.contains("takes 3 arguments"), "{}", e.message);
        let e = parse("balance[A-1", &mut Names).unwrap_err();
        assert!(e.message.contains("never closed"), "{}", e.message);
        let e = parse("1 2", &mut Names).unwrap_err();
        assert_eq!(e.at, 2..3);
        let deep = format!("{}1{}", "(".repeat(100), ")".repeat(100));
        assert!(
            parse(&deep, &mut Names)
                .unwrap_err()
                .message
                .contains("nested")
        );
    }

    #[test]
    fn display_writes_it_back() {
        let e = parse("max(1 - (2 - 3), 4 * (5 + 6))", &mut Names).unwrap();
        let s = display(&e, &|_| "q".to_string());
        assert_eq!(s, "max(1 - (2 - 3), 4 * (5 + 6))");
    }
}
