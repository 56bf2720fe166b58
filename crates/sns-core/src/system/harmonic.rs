//! A global readout of the flow from a harmonic code of the state (`SystemParams::harmonic_order`,
//! off by default; docs/METHOD.md, "A global readout of the flow").
//!
//! The code: per axis a one-dimensional basis (a periodic axis: `cos k theta` and `sin k theta`,
//! of order `k`; any other: the powers of its coordinate divided by the axis's scale, of order
//! the power), and their products up to a total order. The flow (the normalised state change of
//! one step) is read out linearly, affine in the action `a` normalised to `[-1, 1]` (mechanical
//! systems driven by a force or a torque are): `flow = W0 phi(x) + sum_j a_j Wj phi(x)`. `W` is
//! the ridge regression over every step seen (normal equations accumulated step by step,
//! solved every [`REFIT`] steps and at every trial's start). Nothing in it knows a world: the
//! basis follows from the state space's periodic axes and scales.
//!
//! Where the kernel regression of the learned outcomes (`substrate.rs`) is local (its slopes
//! fitted within a few cells), this readout is global: on the acrobot, one step predicted from
//! what the first two trials saw errs by a median 0.18 cells against the kernel's 1.10, and 10
//! steps by 1.8 against 3.4 (the `model_error` example with `--order 4`).

use super::fit::solve;
use sns_spaces::{Point, StateSpace};

/// The ridge added to the normal equations' diagonal (the code's values are of order 1).
pub const RIDGE: f64 = 1e-3;

/// Steps learned between two solves of the readout.
pub const REFIT: usize = 250;

/// The harmonic flow model.
#[derive(Debug, Clone)]
pub struct HarmonicFlow<const D: usize, const A: usize> {
    space: StateSpace<D>,
    /// Per term, per axis: the index of its 1-D function (0: the constant; periodic axes:
    /// `2k - 1` and `2k` the cosine and sine of order `k`; others: `k` the power `k`).
    terms: Vec<[u8; D]>,
    order: u8,
    /// The normal equations over `n = terms x (1 + A)` regressors (row-major `n x n`), their
    /// right-hand sides (`n x D`), and the steps learned since the last solve.
    m: Vec<f64>,
    rhs: Vec<f64>,
    since: usize,
    /// The readout `W` (`n x D`), once solved.
    coef: Option<Vec<f64>>,
}

impl<const D: usize, const A: usize> HarmonicFlow<D, A> {
    /// The readout over `space`'s code of total order `order`, with nothing learned.
    pub fn new(space: StateSpace<D>, order: u8) -> Self {
        let per_axis: Vec<Vec<(u8, u8)>> = (0..D)
            .map(|i| {
                if space.periodic()[i] {
                    let mut v = vec![(0, 0)];
                    for k in 1..=order {
                        v.push((2 * k - 1, k));
                        v.push((2 * k, k));
                    }
                    v
                } else {
                    (0..=order).map(|k| (k, k)).collect()
                }
            })
            .collect();
        let mut terms: Vec<([u8; D], u8)> = vec![([0; D], 0)];
        for (i, fs) in per_axis.iter().enumerate() {
            let mut next = Vec::new();
            for (t, used) in &terms {
                for &(f, o) in fs {
                    if used + o <= order {
                        let mut n = *t;
                        n[i] = f;
                        next.push((n, used + o));
                    }
                }
            }
            terms = next;
        }
        let terms: Vec<[u8; D]> = terms.into_iter().map(|(t, _)| t).collect();
        let n = terms.len() * (1 + A);
        Self {
            space,
            terms,
            order,
            m: vec![0.0; n * n],
            rhs: vec![0.0; n * D],
            since: 0,
            coef: None,
        }
    }

    /// The regressors at `x` under `a`: the code's terms, then each times each action component.
    fn regressors(&self, x: &Point<D>, a: &Point<A>, out: &mut Vec<f64>) {
        let w = self.space.wrap(x);
        let k = usize::from(self.order);
        let vals: Vec<Vec<f64>> = (0..D)
            .map(|i| {
                if self.space.periodic()[i] {
                    let th = (w[i] - self.space.bounds().low()[i]) / self.space.period(i)
                        * std::f64::consts::TAU;
                    let mut v = vec![1.0];
                    for j in 1..=k {
                        v.push((j as f64 * th).cos());
                        v.push((j as f64 * th).sin());
                    }
                    v
                } else {
                    let s = w[i] / self.space.scale()[i];
                    (0..=k).map(|j| s.powi(j as i32)).collect()
                }
            })
            .collect();
        out.clear();
        let f = self.terms.len();
        out.extend(
            self.terms
                .iter()
                .map(|t| (0..D).map(|i| vals[i][usize::from(t[i])]).product::<f64>()),
        );
        for aj in a {
            for q in 0..f {
                out.push(out[q] * aj);
            }
        }
    }

    /// Learns that from `x` under the normalised action `a` the state moved by `flow`; true when
    /// the readout was re-solved.
    pub fn learn(&mut self, x: &Point<D>, a: &Point<A>, flow: &Point<D>) -> bool {
        let mut psi = Vec::new();
        self.regressors(x, a, &mut psi);
        let n = psi.len();
        for (r, &pr) in psi.iter().enumerate() {
            if pr == 0.0 {
                continue;
            }
            for (m, &pc) in self.m[r * n..(r + 1) * n].iter_mut().zip(&psi) {
                *m += pr * pc;
            }
            for (rhs, f) in self.rhs[r * D..(r + 1) * D].iter_mut().zip(flow) {
                *rhs += pr * f;
            }
        }
        self.since += 1;
        if self.since >= REFIT {
            self.solve();
            return true;
        }
        false
    }

    /// Number of regressors (the code's terms times `1 + A`).
    pub fn regressor_count(&self) -> usize {
        self.terms.len() * (1 + A)
    }

    /// Solves the readout from what was learned (it stays unsolved while the equations are
    /// singular).
    pub fn solve(&mut self) {
        self.since = 0;
        let n = self.regressor_count();
        let mut m = self.m.clone();
        let mut rhs = self.rhs.clone();
        for r in 0..n {
            m[r * n + r] += RIDGE;
        }
        if solve(&mut m, &mut rhs, n, D) {
            self.coef = Some(rhs);
        }
    }

    /// The flow predicted at `x` under the normalised action `a` (`None` before a solve).
    pub fn predict(&self, x: &Point<D>, a: &Point<A>) -> Option<Point<D>> {
        let coef = self.coef.as_ref()?;
        let mut psi = Vec::new();
        self.regressors(x, a, &mut psi);
        Some(std::array::from_fn(|c| {
            psi.iter()
                .enumerate()
                .map(|(r, p)| p * coef[r * D + c])
                .sum()
        }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use sns_spaces::BoxSpace;

    /// A flow in the span of the code (a harmonic of the angle times the speed, plus an action
    /// term) is read back at states never seen, up to the ridge's shrinkage; the readout is
    /// periodic in the angle; nothing is predicted before a solve.
    #[test]
    fn a_flow_in_the_codes_span_is_recovered() {
        let pi = std::f64::consts::PI;
        let b = BoxSpace::new([-pi, -8.0], [pi, 8.0]).expect("ordered");
        let space = StateSpace::new(b, [pi, 8.0], [true, false]).expect("valid");
        let flow = |x: &Point<2>, a: &Point<1>| {
            [
                0.01 * x[0].sin() * x[1] / 8.0,
                0.02 * x[0].cos() + 0.03 * a[0],
            ]
        };
        let mut h = HarmonicFlow::<2, 1>::new(space, 2);
        let mut rnd = crate::testutil::uniform(7);
        let draw = |rnd: &mut dyn FnMut() -> f64| {
            (
                [(rnd() - 0.5) * 2.0 * pi, (rnd() - 0.5) * 16.0],
                [rnd() * 2.0 - 1.0],
            )
        };
        let (x, a) = draw(&mut rnd);
        assert!(h.predict(&x, &a).is_none(), "nothing before a solve");
        for _ in 0..40 * h.regressor_count() {
            let (x, a) = draw(&mut rnd);
            h.learn(&x, &a, &flow(&x, &a));
        }
        h.solve();
        for _ in 0..50 {
            let (x, a) = draw(&mut rnd);
            let got = h.predict(&x, &a).expect("solved");
            let want = flow(&x, &a);
            for c in 0..2 {
                assert!((got[c] - want[c]).abs() < 1e-5, "{got:?} {want:?}");
            }
            let turned = h.predict(&[x[0] + 2.0 * pi, x[1]], &a).expect("solved");
            assert!((turned[0] - got[0]).abs() < 1e-9 && (turned[1] - got[1]).abs() < 1e-9);
        }
    }
}
