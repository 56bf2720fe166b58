//! The locally linear readout of learned outcomes that both control substrates use: the flows
//! learned near a cell's centre, weighted by a kernel (the symbolic substrate's biweight of the
//! distance, the neural one's code overlap), fitted by `f(z) = a + B z` over the offset `z` from
//! the centre in units of the kernel's radius, with a ridge on `B` (so that one outcome, or
//! outcomes on a line, give the weighted mean).

use sns_spaces::Point;

/// The ridge on the slopes, relative to the total weight (slopes in units of the radius).
pub const RIDGE: f64 = 0.05;

/// A locally linear model of a level's flow around a cell's centre: `a + sum_i slopes[i] z_i`
/// for an offset `z` (in units of the kernel's radius).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Fit<const D: usize> {
    /// The flow at the centre.
    pub a: Point<D>,
    /// The flow's change per radius along each axis.
    pub slopes: [Point<D>; D],
}

impl<const D: usize> Fit<D> {
    /// The flow at offset `z` from the centre (normalised units), for a kernel of `radius`.
    pub fn at(&self, z: &Point<D>, radius: f64) -> Point<D> {
        std::array::from_fn(|c| {
            self.a[c]
                + (0..D)
                    .map(|i| self.slopes[i][c] * z[i] / radius)
                    .sum::<f64>()
        })
    }
}

/// The weighted normal equations of a [`Fit`] over the regressors `[1, z]`.
#[derive(Debug, Clone)]
pub struct NormalEquations<const D: usize> {
    m: Vec<f64>,
    rhs: Vec<f64>,
    total: f64,
}

impl<const D: usize> Default for NormalEquations<D> {
    fn default() -> Self {
        Self {
            m: vec![0.0; (D + 1) * (D + 1)],
            rhs: vec![0.0; (D + 1) * D],
            total: 0.0,
        }
    }
}

impl<const D: usize> NormalEquations<D> {
    /// No outcome yet.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds the outcome `flow` seen at offset `z` (in units of the radius) with weight `w`.
    pub fn add(&mut self, w: f64, z: &Point<D>, flow: &Point<D>) {
        let zz = |r: usize| if r == 0 { 1.0 } else { z[r - 1] };
        self.total += w;
        for r in 0..=D {
            for c in 0..=D {
                self.m[r * (D + 1) + c] += w * zz(r) * zz(c);
            }
            for (c, f) in flow.iter().enumerate() {
                self.rhs[r * D + c] += w * zz(r) * f;
            }
        }
    }

    /// The fit, with the ridge [`RIDGE`] on the slopes; `None` without weight, or singular.
    pub fn solve(mut self) -> Option<Fit<D>> {
        if self.total <= 0.0 {
            return None;
        }
        for r in 1..=D {
            self.m[r * (D + 1) + r] += RIDGE * self.total;
        }
        if !solve(&mut self.m, &mut self.rhs, D + 1, D) {
            return None;
        }
        let row = |r: usize| -> Point<D> { std::array::from_fn(|c| self.rhs[r * D + c]) };
        Some(Fit {
            a: row(0),
            slopes: std::array::from_fn(|i| row(i + 1)),
        })
    }
}

/// Solves `m x = rhs` in place (`n` unknowns, `k` right-hand sides, row-major; the solution is
/// left in `rhs`) by Gauss-Jordan elimination with partial pivoting; false when singular.
pub fn solve(m: &mut [f64], rhs: &mut [f64], n: usize, k: usize) -> bool {
    for col in 0..n {
        let Some(piv) =
            (col..n).max_by(|&a, &b| m[a * n + col].abs().total_cmp(&m[b * n + col].abs()))
        else {
            return false;
        };
        if m[piv * n + col].abs() < 1e-12 {
            return false;
        }
        if piv != col {
            for c in 0..n {
                m.swap(piv * n + c, col * n + c);
            }
            for c in 0..k {
                rhs.swap(piv * k + c, col * k + c);
            }
        }
        for r in 0..n {
            if r == col {
                continue;
            }
            let f = m[r * n + col] / m[col * n + col];
            if f == 0.0 {
                continue;
            }
            for c in col..n {
                m[r * n + c] -= f * m[col * n + c];
            }
            for c in 0..k {
                rhs[r * k + c] -= f * rhs[col * k + c];
            }
        }
    }
    for r in 0..n {
        for c in 0..k {
            rhs[r * k + c] /= m[r * n + r];
        }
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Outcomes that are exactly linear in the offset are fitted back, the slopes shrunk by the
    /// ridge exactly as it says (on a symmetric grid the equations separate: a slope `b` comes
    /// back as `b v / (v + RIDGE)`, `v` the mean squared offset), and one outcome is given back
    /// where it was seen.
    #[test]
    fn linear_outcomes_are_recovered_and_one_outcome_is_given_back() {
        let mut ne = NormalEquations::<2>::new();
        let f = |z: &Point<2>| [0.1 + 0.3 * z[0] - 0.2 * z[1], -0.05 + 0.4 * z[1]];
        let mut v = 0.0;
        for i in -3..=3 {
            for j in -3..=3 {
                let z = [i as f64 / 3.0, j as f64 / 3.0];
                ne.add(1.0, &z, &f(&z));
                v += z[0] * z[0] / 49.0;
            }
        }
        let fit = ne.solve().expect("spread samples");
        let shrink = v / (v + RIDGE);
        let want = Fit {
            a: [0.1, -0.05],
            slopes: [[0.3 * shrink, 0.0], [-0.2 * shrink, 0.4 * shrink]],
        };
        for c in 0..2 {
            assert!((fit.a[c] - want.a[c]).abs() < 1e-12, "{fit:?}");
            for i in 0..2 {
                assert!(
                    (fit.slopes[i][c] - want.slopes[i][c]).abs() < 1e-12,
                    "{fit:?}"
                );
            }
        }
        let mut one = NormalEquations::<2>::new();
        one.add(2.0, &[0.3, 0.1], &[0.7, -0.1]);
        let fit = one.solve().expect("the ridge makes one sample solvable");
        let at = fit.at(&[0.3, 0.1], 1.0);
        assert!(
            (at[0] - 0.7).abs() < 1e-9 && (at[1] + 0.1).abs() < 1e-9,
            "{at:?}"
        );
        assert!(
            NormalEquations::<2>::new().solve().is_none(),
            "no weight, no fit"
        );
    }

    /// The solver inverts a matrix: `m x = I` gives `x = m^-1`.
    #[test]
    fn solve_inverts() {
        let mut m = vec![4.0, 1.0, 2.0, 3.0];
        let mut rhs = vec![1.0, 0.0, 0.0, 1.0];
        assert!(solve(&mut m, &mut rhs, 2, 2));
        let want = [0.3, -0.1, -0.2, 0.4];
        for (a, b) in rhs.iter().zip(want) {
            assert!((a - b).abs() < 1e-12, "{rhs:?}");
        }
        assert!(
            !solve(&mut [1.0, 2.0, 2.0, 4.0], &mut [1.0, 1.0], 2, 1),
            "singular"
        );
    }
}
