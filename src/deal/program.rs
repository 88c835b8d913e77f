//! An expression compiled to a flat program: what the engine runs, in both
//! number types.
//!
//! The tree a deal file's expression parses to ([`Node`]) is compiled once,
//! when the deal is loaded, to a list of operations on a small value stack:
//! push a constant, push a quantity, apply an operator to the top values,
//! jump. `if`, `and` and `or` become jumps, so a program looks at exactly
//! the parts of the expression the tree's evaluation looks at, in the same
//! order, and computes every value by the same operation on the same
//! operands: the two give the same result, bit for bit, in `Decimal` and in
//! `f64` (the tests hold thousands of generated expressions to it, and
//! `tests/exact_equals_fast.rs` every bundled deal's projections).
//!
//! Parts that read no quantity are folded to one constant at compile time,
//! each number type's value computed by that type's own arithmetic (the
//! exact value in `Decimal`, the fast one in `f64`), as evaluation would.

use super::expr::{BinOp, Context, Node, abs, truth};
use super::quantity::Quantity;
use crate::num::{Num, Term};

/// Values a program may hold on its stack at once. A deeper expression
/// (possible only with deeply nested parentheses) is evaluated as a tree.
const STACK: usize = 16;

/// One operation.
#[derive(Debug, Clone, PartialEq)]
enum Op {
    /// Push a constant.
    Num(Term),
    /// Push the value of quantity `n` of the program's table.
    Q(u32),
    /// Negate the top value.
    Neg,
    /// The top value as a test, inverted (1 if zero, else 0).
    Not,
    /// The top value rounded to the cent (halves away from zero).
    Round,
    Abs,
    /// The top value as a test (1 if non-zero, else 0).
    Truth,
    /// Pop `b`, then `a`; push `a op b` (not `and`/`or`, which jump).
    Bin(BinOp),
    /// `top op constant`: a constant pushed and `Bin` at once.
    BinNum(BinOp, Term),
    /// `top op quantity n`: the quantity pushed and `Bin` at once.
    BinQ(BinOp, u32),
    /// Pop `n` values; push the least (the greatest), folded left to right.
    Min(u32),
    Max(u32),
    /// Pop a test; if it is zero, go to the operation numbered.
    JumpIfZero(u32),
    Jump(u32),
    /// `and`: if the top value is zero, make it 0 and go on from the
    /// operation numbered; else pop it.
    AndElse(u32),
    /// `or`: if the top value is non-zero, make it 1 and go on from the
    /// operation numbered; else pop it.
    OrElse(u32),
}

/// A compiled expression.
#[derive(Debug, Clone, PartialEq)]
pub struct Program {
    code: Box<[Op]>,
    quantities: Box<[Quantity]>,
    /// Most values on the stack at once; over [`STACK`] the tree is kept and
    /// evaluated instead.
    depth: usize,
    tree: Option<Box<Node>>,
}

impl Program {
    /// Compile `node`, folding the parts that read no quantity.
    pub fn compile(node: &Node) -> Program {
        let mut c = Compiler {
            code: Vec::new(),
            quantities: Vec::new(),
            depth: 0,
            max: 0,
        };
        c.node(node);
        let tree = (c.max > STACK).then(|| Box::new(node.clone()));
        Program {
            code: c.code.into_boxed_slice(),
            quantities: c.quantities.into_boxed_slice(),
            depth: c.max,
            tree,
        }
    }

    /// The program's value in `cx`.
    #[inline]
    pub fn eval<T: Num>(&self, cx: &mut impl Context<T>) -> T {
        // The commonest programs: one constant, one quantity.
        match &*self.code {
            [Op::Num(n)] => return T::of(n),
            [Op::Q(q)] => return cx.quantity(&self.quantities[*q as usize]),
            _ => {}
        }
        if let Some(tree) = &self.tree {
            return tree.eval(cx);
        }
        self.run(cx)
    }

    fn run<T: Num>(&self, cx: &mut impl Context<T>) -> T {
        let mut stack = [T::ZERO; STACK];
        let mut sp = 0usize;
        let mut pc = 0usize;
        let code = &*self.code;
        while let Some(op) = code.get(pc) {
            pc += 1;
            match op {
                Op::Num(n) => {
                    stack[sp] = T::of(n);
                    sp += 1;
                }
                Op::Q(q) => {
                    stack[sp] = cx.quantity(&self.quantities[*q as usize]);
                    sp += 1;
                }
                Op::Neg => stack[sp - 1] = -stack[sp - 1],
                Op::Not => stack[sp - 1] = truth(stack[sp - 1] == T::ZERO),
                Op::Round => stack[sp - 1] = stack[sp - 1].round_cents(),
                Op::Abs => stack[sp - 1] = abs(stack[sp - 1]),
                Op::Truth => stack[sp - 1] = truth(stack[sp - 1] != T::ZERO),
                Op::Bin(op) => {
                    sp -= 1;
                    stack[sp - 1] = op.apply(stack[sp - 1], stack[sp]);
                }
                Op::BinNum(op, n) => stack[sp - 1] = op.apply(stack[sp - 1], T::of(n)),
                Op::BinQ(op, q) => {
                    let b = cx.quantity(&self.quantities[*q as usize]);
                    stack[sp - 1] = op.apply(stack[sp - 1], b);
                }
                Op::Min(n) | Op::Max(n) => {
                    let n = *n as usize;
                    let first = sp - n;
                    let mut acc = stack[first];
                    for &v in &stack[first + 1..sp] {
                        acc = if matches!(op, Op::Min(_)) {
                            acc.min_of(v)
                        } else {
                            acc.max_of(v)
                        };
                    }
                    stack[first] = acc;
                    sp = first + 1;
                }
                Op::JumpIfZero(to) => {
                    sp -= 1;
                    if stack[sp] == T::ZERO {
                        pc = *to as usize;
                    }
                }
                Op::Jump(to) => pc = *to as usize,
                Op::AndElse(to) => {
                    if stack[sp - 1] == T::ZERO {
                        stack[sp - 1] = T::ZERO;
                        pc = *to as usize;
                    } else {
                        sp -= 1;
                    }
                }
                Op::OrElse(to) => {
                    if stack[sp - 1] != T::ZERO {
                        stack[sp - 1] = T::ONE;
                        pc = *to as usize;
                    } else {
                        sp -= 1;
                    }
                }
            }
        }
        stack[0]
    }

    /// Operations in the program (after folding).
    pub fn len(&self) -> usize {
        self.code.len()
    }

    pub fn is_empty(&self) -> bool {
        self.code.is_empty()
    }

    /// Most values on the stack at once.
    pub fn depth(&self) -> usize {
        self.depth
    }
}

/// Evaluates nothing but constants: what folding a part without quantities
/// runs.
struct NoQuantities;

impl<T: Num> Context<T> for NoQuantities {
    fn quantity(&mut self, _: &Quantity) -> T {
        T::ZERO
    }
}

fn reads_nothing(node: &Node) -> bool {
    let mut qs = Vec::new();
    node.quantities(&mut qs);
    qs.is_empty()
}

struct Compiler {
    code: Vec<Op>,
    quantities: Vec<Quantity>,
    depth: usize,
    max: usize,
}

impl Compiler {
    fn push(&mut self, op: Op) {
        self.code.push(op);
    }

    fn grow(&mut self) {
        self.depth += 1;
        self.max = self.max.max(self.depth);
    }

    /// Does a jump go to operation `at`? (Then it cannot be fused away.)
    fn is_target(&self, at: usize) -> bool {
        self.code.iter().any(|op| {
            matches!(op, Op::JumpIfZero(t) | Op::Jump(t) | Op::AndElse(t) | Op::OrElse(t) if *t as usize == at)
        })
    }

    fn here(&self) -> u32 {
        self.code.len() as u32
    }

    /// Point the jump at `at` to `to`.
    fn patch(&mut self, at: usize, to: u32) {
        match &mut self.code[at] {
            Op::JumpIfZero(t) | Op::Jump(t) | Op::AndElse(t) | Op::OrElse(t) => *t = to,
            _ => unreachable!("only jumps are patched"),
        }
    }

    fn node(&mut self, node: &Node) {
        if !matches!(node, Node::Num(_)) && reads_nothing(node) {
            let exact: rust_decimal::Decimal = node.eval(&mut NoQuantities);
            let fast: f64 = node.eval(&mut NoQuantities);
            self.push(Op::Num(Term { exact, fast }));
            self.grow();
            return;
        }
        match node {
            Node::Num(n) => {
                self.push(Op::Num(*n));
                self.grow();
            }
            Node::Q(q) => {
                let i = match self.quantities.iter().position(|x| x == q) {
                    Some(i) => i,
                    None => {
                        self.quantities.push(q.clone());
                        self.quantities.len() - 1
                    }
                };
                self.push(Op::Q(i as u32));
                self.grow();
            }
            Node::Neg(e) => {
                self.node(e);
                self.push(Op::Neg);
            }
            Node::Not(e) => {
                self.node(e);
                self.push(Op::Not);
            }
            Node::Round(e) => {
                self.node(e);
                self.push(Op::Round);
            }
            Node::Abs(e) => {
                self.node(e);
                self.push(Op::Abs);
            }
            Node::Bin(op @ (BinOp::And | BinOp::Or), l, r) => {
                self.node(l);
                let at = self.code.len();
                self.push(if *op == BinOp::And {
                    Op::AndElse(0)
                } else {
                    Op::OrElse(0)
                });
                // Past the jump, the left value is popped.
                self.depth -= 1;
                self.node(r);
                self.push(Op::Truth);
                let end = self.here();
                self.patch(at, end);
            }
            Node::Bin(op, l, r) => {
                self.node(l);
                self.node(r);
                // A right side of one push fuses with the operator.
                let fused = match self.code.last() {
                    Some(Op::Num(n)) => Some(Op::BinNum(*op, *n)),
                    Some(Op::Q(q)) => Some(Op::BinQ(*op, *q)),
                    _ => None,
                };
                match fused {
                    Some(f) if !self.is_target(self.code.len() - 1) => {
                        self.code.pop();
                        self.push(f);
                    }
                    _ => self.push(Op::Bin(*op)),
                }
                self.depth -= 1;
            }
            Node::Min(v) | Node::Max(v) => {
                for e in v {
                    self.node(e);
                }
                if v.is_empty() {
                    self.push(Op::Num(Term::ZERO));
                    self.grow();
                    return;
                }
                let n = v.len() as u32;
                self.push(if matches!(node, Node::Min(_)) {
                    Op::Min(n)
                } else {
                    Op::Max(n)
                });
                self.depth -= v.len() - 1;
            }
            Node::If(x) => {
                self.node(&x[0]);
                let test = self.code.len();
                self.push(Op::JumpIfZero(0));
                self.depth -= 1;
                self.node(&x[1]);
                let skip = self.code.len();
                self.push(Op::Jump(0));
                // The else branch starts from the depth before the then branch.
                self.depth -= 1;
                let otherwise = self.here();
                self.patch(test, otherwise);
                self.node(&x[2]);
                let end = self.here();
                self.patch(skip, end);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::deal::quantity::PoolField;
    use rust_decimal::Decimal;
    use rust_decimal_macros::dec;

    /// Quantities by kind: `pool.ending` 1,000,000.005; `pool.beginning` 0;
    /// counts the reads.
    struct Cx {
        reads: Vec<PoolField>,
    }

    impl<T: Num> Context<T> for Cx {
        fn quantity(&mut self, q: &Quantity) -> T {
            match q {
                Quantity::Pool { field, .. } => {
                    self.reads.push(*field);
                    match field {
                        PoolField::Ending => T::from_decimal(dec!(1000000.005)),
                        _ => T::ZERO,
                    }
                }
                _ => T::ZERO,
            }
        }
    }

    fn pool(field: PoolField) -> Node {
        Node::Q(Quantity::Pool { group: None, field })
    }

    fn num(d: Decimal) -> Node {
        Node::Num(Term::new(d))
    }

    fn bin(op: BinOp, a: Node, b: Node) -> Node {
        Node::Bin(op, Box::new(a), Box::new(b))
    }

    /// Tree and program: same value, same reads, in both types; the exact value.
    fn same(node: &Node) -> Decimal {
        let p = Program::compile(node);
        let (mut a, mut b) = (Cx { reads: vec![] }, Cx { reads: vec![] });
        let tree: Decimal = node.eval(&mut a);
        let exact: Decimal = p.eval(&mut b);
        assert_eq!(tree, exact);
        assert_eq!(a.reads, b.reads, "reads in the same order");
        let (mut a, mut b) = (Cx { reads: vec![] }, Cx { reads: vec![] });
        let tree: f64 = node.eval(&mut a);
        let prog: f64 = p.eval(&mut b);
        assert_eq!(tree.to_bits(), prog.to_bits());
        assert_eq!(a.reads, b.reads);
        exact
    }

    #[test]
    fn round_of_a_product_folds_and_matches_by_hand() {
        // round(2.20% * 1,008,603,773) = round(22,189,283.006) = 22,189,283.01
        let e = Node::Round(Box::new(bin(
            BinOp::Mul,
            num(dec!(0.022)),
            num(dec!(1008603773)),
        )));
        let p = Program::compile(&e);
        assert_eq!(p.len(), 1, "folded to one constant");
        let v: Decimal = p.eval(&mut Cx { reads: vec![] });
        assert_eq!(v, dec!(22189283.01));
        let f: f64 = p.eval(&mut Cx { reads: vec![] });
        assert_eq!(f, 22189283.01);
        same(&e);
    }

    #[test]
    fn and_or_and_if_read_only_what_they_must() {
        // pool.beginning is 0: `pool.beginning and pool.ending` never reads the ending.
        let and = bin(
            BinOp::And,
            pool(PoolField::Beginning),
            pool(PoolField::Ending),
        );
        let mut cx = Cx { reads: vec![] };
        let v: Decimal = Program::compile(&and).eval(&mut cx);
        assert_eq!(v, Decimal::ZERO);
        assert_eq!(cx.reads, vec![PoolField::Beginning]);
        same(&and);
        // `pool.ending or pool.beginning` is 1 after one read.
        let or = bin(
            BinOp::Or,
            pool(PoolField::Ending),
            pool(PoolField::Beginning),
        );
        let mut cx = Cx { reads: vec![] };
        let v: Decimal = Program::compile(&or).eval(&mut cx);
        assert_eq!(v, Decimal::ONE);
        assert_eq!(cx.reads, vec![PoolField::Ending]);
        same(&or);
        // if(pool.beginning, pool.ending, 7) = 7, reading the beginning only.
        let e = Node::If(Box::new([
            pool(PoolField::Beginning),
            pool(PoolField::Ending),
            num(dec!(7)),
        ]));
        let mut cx = Cx { reads: vec![] };
        let v: Decimal = Program::compile(&e).eval(&mut cx);
        assert_eq!(v, dec!(7));
        assert_eq!(cx.reads, vec![PoolField::Beginning]);
        same(&e);
    }

    #[test]
    fn min_max_and_nesting_match_the_tree() {
        // max(min(round(60% * pool.ending), pool.ending - 5), 0) + -pool.ending
        let inner = Node::Min(vec![
            Node::Round(Box::new(bin(
                BinOp::Mul,
                num(dec!(0.6)),
                pool(PoolField::Ending),
            ))),
            bin(BinOp::Sub, pool(PoolField::Ending), num(dec!(5))),
        ]);
        let e = bin(
            BinOp::Add,
            Node::Max(vec![inner, num(dec!(0))]),
            Node::Neg(Box::new(pool(PoolField::Ending))),
        );
        let v: Decimal = Program::compile(&e).eval(&mut Cx { reads: vec![] });
        // 60% of 1,000,000.005 is 600,000.003, rounded 600,000.00; less the ending.
        assert_eq!(v, dec!(600000.00) - dec!(1000000.005));
        same(&e);
        for op in [
            BinOp::Lt,
            BinOp::Le,
            BinOp::Gt,
            BinOp::Ge,
            BinOp::Eq,
            BinOp::Ne,
            BinOp::Div,
        ] {
            same(&bin(op, pool(PoolField::Ending), num(dec!(3))));
            same(&Node::Not(Box::new(bin(
                op,
                pool(PoolField::Beginning),
                pool(PoolField::Ending),
            ))));
        }
        same(&Node::Abs(Box::new(Node::Neg(Box::new(pool(
            PoolField::Ending,
        ))))));
    }

    /// A random expression over pool quantities and small constants.
    fn generate(seed: &mut u64, depth: u32) -> Node {
        let mut next = |n: u64| {
            *seed = seed
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            (*seed >> 33) % n
        };
        let leaf = depth == 0 || next(4) == 0;
        if leaf {
            return match next(4) {
                0 => pool(PoolField::Ending),
                1 => pool(PoolField::Beginning),
                2 => num(Decimal::new(next(2001) as i64 - 1000, 2)),
                _ => num(Decimal::ZERO),
            };
        }
        let ops = [
            BinOp::Add,
            BinOp::Sub,
            BinOp::Mul,
            BinOp::Div,
            BinOp::Lt,
            BinOp::Le,
            BinOp::Gt,
            BinOp::Ge,
            BinOp::Eq,
            BinOp::Ne,
            BinOp::And,
            BinOp::Or,
        ];
        let kind = next(9);
        let op = ops[next(ops.len() as u64) as usize];
        let arity = next(3) as usize + 1;
        let sub = |seed: &mut u64| generate(seed, depth - 1);
        match kind {
            0 => Node::Neg(Box::new(sub(seed))),
            1 => Node::Not(Box::new(sub(seed))),
            2 => Node::Round(Box::new(sub(seed))),
            3 => Node::Abs(Box::new(sub(seed))),
            4 => Node::Min((0..arity).map(|_| sub(seed)).collect()),
            5 => Node::Max((0..arity).map(|_| sub(seed)).collect()),
            6 => Node::If(Box::new([sub(seed), sub(seed), sub(seed)])),
            _ => Node::Bin(op, Box::new(sub(seed)), Box::new(sub(seed))),
        }
    }

    #[test]
    fn generated_expressions_run_as_their_trees() {
        let mut seed = 2003;
        let mut folded = 0;
        for _ in 0..5000 {
            let e = generate(&mut seed, 6);
            if Program::compile(&e).len() == 1 {
                folded += 1;
            }
            same(&e);
        }
        // Some fold to a constant, most do not: both kinds were exercised.
        assert!(folded > 100 && folded < 4900, "{folded} of 5000 folded");
    }

    #[test]
    fn a_deep_expression_is_evaluated_as_its_tree() {
        // 1 - (2 - (3 - ... (20 - pool.ending))): 21 values deep.
        let mut e = bin(BinOp::Sub, num(dec!(20)), pool(PoolField::Ending));
        for k in (1..20).rev() {
            e = bin(BinOp::Sub, num(Decimal::from(k)), e);
        }
        let p = Program::compile(&e);
        assert!(p.depth() > STACK);
        // Unwound, it is 1 - 2 + 3 - ... + 19 - 20 + pool.ending: the ten
        // pairs give -10.
        assert_eq!(same(&e), dec!(-10) + dec!(1000000.005));
    }
}
