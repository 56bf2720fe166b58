//! The normalised state space: coordinates divided by the axes' scales (so a world's state box
//! is about a unit box), periodic axes wrapped, and the cells that are the agent's places.

use sns_spaces::{Point, StateSpace};

/// The integer coordinates of a cell (periodic axes already wrapped).
pub type CellKey<const D: usize> = [i64; D];

/// The normalised state space and its cells of edge `cell`.
#[derive(Debug, Clone)]
pub struct Geometry<const D: usize> {
    space: StateSpace<D>,
    origin: Point<D>,
    scale: Point<D>,
    /// The period in normalised units, on periodic axes.
    period: [Option<f64>; D],
    cell: f64,
    /// Cells per period, on periodic axes.
    cells: [i64; D],
}

impl<const D: usize> Geometry<D> {
    /// The geometry of `space` with cells of edge `cell` (normalised units).
    pub fn new(space: StateSpace<D>, cell: f64) -> Self {
        let origin = std::array::from_fn(|i| {
            let l = space.bounds().low()[i];
            if l.is_finite() {
                l
            } else {
                0.0
            }
        });
        let scale = *space.scale();
        let period =
            std::array::from_fn(|i| space.periodic()[i].then(|| space.period(i) / scale[i]));
        let cells = std::array::from_fn(|i| match period[i] {
            Some(p) => ((p / cell + 1e-9).floor() as i64).max(1),
            None => i64::MAX,
        });
        Self {
            space,
            origin,
            scale,
            period,
            cell,
            cells,
        }
    }

    /// The state space.
    pub fn space(&self) -> &StateSpace<D> {
        &self.space
    }

    /// The cell edge.
    pub fn cell(&self) -> f64 {
        self.cell
    }

    /// A state in normalised coordinates (periodic axes wrapped into `[0, period)`).
    pub fn to_u(&self, x: &Point<D>) -> Point<D> {
        let w = self.space.wrap(x);
        std::array::from_fn(|i| (w[i] - self.origin[i]) / self.scale[i])
    }

    /// The state at normalised coordinates `u` (wrapped and clipped into the space).
    pub fn from_u(&self, u: &Point<D>) -> Point<D> {
        let x: Point<D> = std::array::from_fn(|i| self.origin[i] + u[i] * self.scale[i]);
        self.space.wrap(&x)
    }

    /// The displacement from `a` to `b` (normalised), the short way round periodic axes.
    pub fn diff(&self, a: &Point<D>, b: &Point<D>) -> Point<D> {
        std::array::from_fn(|i| {
            let d = b[i] - a[i];
            match self.period[i] {
                Some(p) => (d + p / 2.0).rem_euclid(p) - p / 2.0,
                None => d,
            }
        })
    }

    /// The normalised distance from `a` to `b`.
    pub fn dist(&self, a: &Point<D>, b: &Point<D>) -> f64 {
        norm(&self.diff(a, b))
    }

    /// The cell holding `u`.
    pub fn key(&self, u: &Point<D>) -> CellKey<D> {
        self.key_at(u, self.cell)
    }

    /// The cell of edge `edge` holding `u`. On a periodic axis the period holds
    /// `floor(period / edge)` cells, the last one a little longer when `edge` does not divide
    /// the period, so that no cell is shorter than `edge`.
    pub fn key_at(&self, u: &Point<D>, edge: f64) -> CellKey<D> {
        std::array::from_fn(|i| {
            let k = (u[i] / edge).floor() as i64;
            match self.period[i] {
                Some(p) => k.rem_euclid(((p / edge + 1e-9).floor() as i64).max(1)),
                None => k,
            }
        })
    }

    /// Wraps a key's periodic coordinates (for keys built by offsetting another).
    pub fn wrap_key_at(&self, k: CellKey<D>, edge: f64) -> CellKey<D> {
        std::array::from_fn(|i| match self.period[i] {
            Some(p) => k[i].rem_euclid(((p / edge + 1e-9).floor() as i64).max(1)),
            None => k[i],
        })
    }

    /// The cells of edge `edge` around cell `c` (itself and its `3^D - 1` neighbours, wrapped
    /// on periodic axes, each once), appended to `out`: the buckets a kernel query of radius at
    /// most `edge` reads.
    pub fn around_at(&self, c: &CellKey<D>, edge: f64, out: &mut Vec<CellKey<D>>) {
        for code in 0..3usize.pow(D as u32) {
            let mut rest = code;
            let k: CellKey<D> = std::array::from_fn(|i| {
                let o = (rest % 3) as i64 - 1;
                rest /= 3;
                c[i] + o
            });
            let k = self.wrap_key_at(k, edge);
            if !out.contains(&k) {
                out.push(k);
            }
        }
    }

    /// The centre of a cell, normalised.
    pub fn centre(&self, k: &CellKey<D>) -> Point<D> {
        std::array::from_fn(|i| (k[i] as f64 + 0.5) * self.cell)
    }

    /// The lower corner of a cell, normalised.
    pub fn corner(&self, k: &CellKey<D>) -> Point<D> {
        std::array::from_fn(|i| k[i] as f64 * self.cell)
    }

    /// Cells per period on periodic axes (`i64::MAX` elsewhere).
    pub fn cells_per_period(&self) -> &[i64; D] {
        &self.cells
    }
}

/// The Euclidean length of a vector.
pub fn norm<const D: usize>(v: &Point<D>) -> f64 {
    v.iter().map(|x| x * x).sum::<f64>().sqrt()
}

#[cfg(test)]
mod tests {
    use super::*;
    use sns_spaces::BoxSpace;
    use std::f64::consts::PI;

    #[test]
    fn cells_wrap_on_angles() {
        let b = BoxSpace::new([-PI, -8.0], [PI, 8.0]).expect("ordered");
        let s = StateSpace::new(b, [2.0 * PI, 16.0], [true, false]).expect("valid");
        let g = Geometry::new(s, 1.0 / 64.0);
        let a = g.to_u(&[PI - 1e-3, 0.0]);
        let c = g.to_u(&[-PI + 1e-3, 0.0]);
        assert!(g.dist(&a, &c) < 1e-3, "{a:?} {c:?}");
        assert_eq!(g.key(&a)[0], 63);
        assert_eq!(g.key(&c)[0], 0);
        assert_eq!(g.wrap_key_at([64, 3], 1.0 / 64.0), [0, 3]);
        let x = g.from_u(&g.centre(&[32, 32]));
        assert!((x[0] - PI / 64.0).abs() < 1e-12 && (x[1] - 0.125).abs() < 1e-12);
    }
}
