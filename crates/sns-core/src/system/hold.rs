//! The hold controller (on by default, [`SystemParams::hold_control`](super::SystemParams)):
//! inside the goal region of a hold task, each step's level is chosen by a lookahead over a
//! locally linear model fitted to the raw samples nearest the state (not one averaged sample
//! per place and level): `flow = c + J dz + B a` over the offset `dz` from the state
//! (normalised units) and the normalised action `a`. The model's rest point nearest the state
//! (the flow zero, a least-norm state offset and action) is the hold's target, and the level is
//! that of the linear-quadratic regulator of the model around it (an infinite lookahead on the
//! linear model: the discrete Riccati equation, state cost the identity in normalised units,
//! action cost the squared effect of the action on the flow, so that neither depends on units).
//! Nothing here knows the system: only the samples seen in the goal region.

use super::fit::solve;
use sns_spaces::Point;

/// One step seen in the goal region: the normalised state it started from, the normalised
/// action (each axis in `[-1, 1]` over the action box) and the normalised flow.
#[derive(Debug, Clone, Copy)]
pub struct Sample<const D: usize, const A: usize> {
    /// The state (normalised).
    pub u: Point<D>,
    /// The action, normalised to `[-1, 1]` per axis.
    pub a: Point<A>,
    /// The state change of the step (normalised).
    pub flow: Point<D>,
}

/// The ridge on the fit's slopes, relative to the total weight (offsets in units of the
/// neighbourhood's radius, actions in their normalised units).
const RIDGE: f64 = 0.001;

/// A locally affine model of the flow around a state: `c + J dz + B a`.
#[derive(Debug, Clone, PartialEq)]
pub struct Affine<const D: usize, const A: usize> {
    /// The flow at the state with no action.
    pub c: Point<D>,
    /// `j[r][i]`: the change of flow `r` per unit offset along axis `i`.
    pub j: [Point<D>; D],
    /// `b[r][k]`: the change of flow `r` per unit of action axis `k`.
    pub b: [Point<A>; D],
}

impl<const D: usize, const A: usize> Affine<D, A> {
    /// The predicted flow at offset `dz` with action `a`.
    pub fn flow(&self, dz: &Point<D>, a: &Point<A>) -> Point<D> {
        std::array::from_fn(|r| {
            self.c[r]
                + (0..D).map(|i| self.j[r][i] * dz[i]).sum::<f64>()
                + (0..A).map(|k| self.b[r][k] * a[k]).sum::<f64>()
        })
    }
}

/// Fits the affine model at `u0` over the `k` samples nearest it (by `dist`, offsets by
/// `diff`), weighted by a biweight of the distance over a radius just beyond the `k`-th. `None`
/// with fewer than `k` samples, or singular.
pub fn fit<const D: usize, const A: usize>(
    samples: &[Sample<D, A>],
    u0: &Point<D>,
    k: usize,
    diff: impl Fn(&Point<D>, &Point<D>) -> Point<D>,
) -> Option<Affine<D, A>> {
    if k == 0 || samples.len() < k {
        return None;
    }
    let norm = |v: &Point<D>| v.iter().map(|x| x * x).sum::<f64>().sqrt();
    let mut near: Vec<(f64, usize)> = samples
        .iter()
        .enumerate()
        .map(|(i, s)| (norm(&diff(u0, &s.u)), i))
        .collect();
    near.select_nth_unstable_by(k - 1, |a, b| a.0.total_cmp(&b.0));
    let near = &near[..k];
    let radius = near.iter().map(|x| x.0).fold(0.0, f64::max) * 1.25 + 1e-12;
    let n = 1 + D + A;
    let mut m = vec![0.0; n * n];
    let mut rhs = vec![0.0; n * D];
    let mut total = 0.0;
    let mut x = vec![0.0; n];
    for &(d, i) in near {
        let s = &samples[i];
        let q = 1.0 - (d / radius).powi(2);
        let w = q * q;
        let dz = diff(u0, &s.u);
        x[0] = 1.0;
        for c in 0..D {
            x[1 + c] = dz[c] / radius;
        }
        for c in 0..A {
            x[1 + D + c] = s.a[c];
        }
        total += w;
        for r in 0..n {
            for c in 0..n {
                m[r * n + c] += w * x[r] * x[c];
            }
            for c in 0..D {
                rhs[r * D + c] += w * x[r] * s.flow[c];
            }
        }
    }
    if total <= 0.0 {
        return None;
    }
    for r in 1..n {
        m[r * n + r] += RIDGE * total;
    }
    if !solve(&mut m, &mut rhs, n, D) {
        return None;
    }
    let c = std::array::from_fn(|r| rhs[r]);
    let j = std::array::from_fn(|r| std::array::from_fn(|i| rhs[(1 + i) * D + r] / radius));
    let b = std::array::from_fn(|r| std::array::from_fn(|q| rhs[(1 + D + q) * D + r]));
    Some(Affine { c, j, b })
}

/// The model's rest point nearest the state: the offset `dz` and action `a` of least
/// `|dz|^2 + |a|^2` with `c + J dz + B a = 0`. `None` when the model has no rest point.
pub fn rest<const D: usize, const A: usize>(m: &Affine<D, A>) -> Option<(Point<D>, Point<A>)> {
    // z = -M^T (M M^T)^-1 c, M = [J B].
    let mut mm = vec![0.0; D * D];
    for r in 0..D {
        for s in 0..D {
            mm[r * D + s] = (0..D).map(|i| m.j[r][i] * m.j[s][i]).sum::<f64>()
                + (0..A).map(|k| m.b[r][k] * m.b[s][k]).sum::<f64>();
        }
    }
    let scale = (0..D).map(|r| mm[r * D + r]).fold(0.0, f64::max);
    if scale.is_nan() || scale <= 0.0 {
        return None;
    }
    for r in 0..D {
        mm[r * D + r] += 1e-9 * scale;
    }
    let mut y: Vec<f64> = m.c.to_vec();
    if !solve(&mut mm, &mut y, D, 1) {
        return None;
    }
    let dz = std::array::from_fn(|i| -(0..D).map(|r| m.j[r][i] * y[r]).sum::<f64>());
    let a = std::array::from_fn(|k| -(0..D).map(|r| m.b[r][k] * y[r]).sum::<f64>());
    Some((dz, a))
}

/// The gain `K` (`A x D`, row-major) of the infinite-horizon linear-quadratic regulator of
/// `e' = (I + J) e + B v`, state cost the identity, action cost `effort` times the squared
/// effect of each action axis on the flow (the column norms of `B`). `None` when the Riccati
/// iteration does not settle (the model is not stabilisable) or an action has no effect.
pub fn gain<const D: usize, const A: usize>(m: &Affine<D, A>, effort: f64) -> Option<Vec<f64>> {
    let f: Vec<f64> = (0..D * D)
        .map(|x| m.j[x / D][x % D] + if x / D == x % D { 1.0 } else { 0.0 })
        .collect();
    let r: Vec<f64> = (0..A)
        .map(|k| effort * (0..D).map(|i| m.b[i][k] * m.b[i][k]).sum::<f64>())
        .collect();
    if r.iter().any(|x| x.is_nan() || *x <= 0.0) {
        return None;
    }
    let b = |i: usize, k: usize| m.b[i][k];
    let mut p: Vec<f64> = (0..D * D)
        .map(|x| if x / D == x % D { 1.0 } else { 0.0 })
        .collect();
    for _ in 0..2000 {
        // PF (D x D), PB (D x A).
        let pf: Vec<f64> = (0..D * D)
            .map(|x| (0..D).map(|t| p[(x / D) * D + t] * f[t * D + x % D]).sum())
            .collect();
        let pb: Vec<f64> = (0..D * A)
            .map(|x| (0..D).map(|t| p[(x / A) * D + t] * b(t, x % A)).sum())
            .collect();
        // S = R + B^T P B (A x A), G = B^T P F (A x D); K = S^-1 G.
        let mut s: Vec<f64> = (0..A * A)
            .map(|x| {
                (0..D).map(|t| b(t, x / A) * pb[t * A + x % A]).sum::<f64>()
                    + if x / A == x % A { r[x / A] } else { 0.0 }
            })
            .collect();
        let mut k: Vec<f64> = (0..A * D)
            .map(|x| (0..D).map(|t| b(t, x / D) * pf[t * D + x % D]).sum())
            .collect();
        if !solve(&mut s, &mut k, A, D) {
            return None;
        }
        // P' = I + F^T P F - F^T P B K.
        let mut next = vec![0.0; D * D];
        let mut change: f64 = 0.0;
        let mut size: f64 = 0.0;
        for x in 0..D * D {
            let (i, jj) = (x / D, x % D);
            let fpf: f64 = (0..D).map(|t| f[t * D + i] * pf[t * D + jj]).sum();
            let fpbk: f64 = (0..D)
                .map(|t| f[t * D + i] * (0..A).map(|q| pb[t * A + q] * k[q * D + jj]).sum::<f64>())
                .sum();
            next[x] = if i == jj { 1.0 } else { 0.0 } + fpf - fpbk;
            change = change.max((next[x] - p[x]).abs());
            size = size.max(next[x].abs());
        }
        if !size.is_finite() || size > 1e12 {
            return None;
        }
        p = next;
        if change <= 1e-9 * size {
            return Some(k);
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A double integrator unstable like an inverted pendulum, `x' = x + 0.05 v`,
    /// `v' = v + 0.05 (x + a)`, learned from random samples: the fit recovers the model, its
    /// rest point nearest `(0.1, 0)` is the least-norm one on the line of rests `x = -a`,
    /// `v = 0`, and the regulator, rolled out on the true system with the action clipped,
    /// brings a tilted, moving state to rest (uncontrolled, it falls away).
    #[test]
    fn learned_regulator_holds_an_unstable_system() {
        let step = |u: &Point<2>, a: f64| [0.05 * u[1], 0.05 * (u[0] + a)];
        let mut uniform = crate::testutil::uniform(12345);
        let mut next = || uniform() * 2.0 - 1.0;
        let samples: Vec<Sample<2, 1>> = (0..400)
            .map(|_| {
                let u = [0.2 * next(), 0.2 * next()];
                let a = [next()];
                Sample {
                    u,
                    a,
                    flow: step(&u, a[0]),
                }
            })
            .collect();
        let diff = |a: &Point<2>, b: &Point<2>| [b[0] - a[0], b[1] - a[1]];
        let mut u = [0.1, 0.0];
        let m = fit(&samples, &u, 60, diff).expect("fits");
        assert!((m.j[1][0] - 0.05).abs() < 2.5e-3, "{m:?}");
        assert!((m.b[1][0] - 0.05).abs() < 2.5e-3, "{m:?}");
        let (dz, a) = rest(&m).expect("a rest point");
        assert!((dz[0] + 0.05).abs() < 5e-3 && dz[1].abs() < 5e-3, "{dz:?}");
        assert!((a[0] + 0.05).abs() < 5e-3, "{a:?}");
        let mut free = [0.1, 0.05];
        for _ in 0..200 {
            let f = step(&free, 0.0);
            free = [free[0] + f[0], free[1] + f[1]];
        }
        assert!(free[0] > 1.0, "{free:?}");
        u = [0.1, 0.05];
        for _ in 0..200 {
            let m = fit(&samples, &u, 60, diff).expect("fits");
            let (dz, a0) = rest(&m).expect("a rest point");
            let k = gain(&m, 1.0).expect("stabilisable");
            let a = (a0[0] + k[0] * dz[0] + k[1] * dz[1]).clamp(-1.0, 1.0);
            let f = step(&u, a);
            u = [u[0] + f[0], u[1] + f[1]];
        }
        assert!(u[0].abs() < 0.2 && u[1].abs() < 1e-3, "{u:?}");
    }
}
