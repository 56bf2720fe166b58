//! The neural substrate of the control agent (`sns_core::system::SystemSns`).
//!
//! [`NeuralSystem`] implements `sns_core::system::SystemSubstrate`: the same places, learned
//! outcomes, kernel and effectiveness as the symbolic `SymbolicSystem`, held by a population of
//! units over a harmonic code of the normalised state space ([`StateCode`]).
//!
//! - **Code.** A normalised state `u` in R^D is `N` unit phasors `h_k(u) = exp(i (omega_k . u +
//!   phi_k))`, in modules of geometric wavelengths (grid-cell-like, as in [`crate::code`]); on a
//!   periodic axis every wave vector has an integer number of cycles per period, so the code of
//!   an angle and of the same angle one turn on are the same code.
//! - **Units.** Each place has, per level it has executed, a conjunctive place-level unit: its
//!   afferent weights are a code, learned by the instar rule toward the codes of the states the
//!   level's steps started from (`c <- c + rate (h(u) - c)`, each phasor renormalised), and its
//!   efferent synapses onto `D` flow units hold the flow it caused (the outstar rule,
//!   `f <- f + rate (flow - f)`), with the symbolic substrate's rate `max(1 / n, min_rate)`.
//! - **Kernel.** A unit's activity for a query state is the code overlap
//!   `a = Re(h(u)^H c) / N`. The weight of its outcome is `((a - theta) / (1 - theta))^2` above
//!   `theta = K(radius)` (the code's own radial profile at the kernel's radius, [`StateCode::
//!   radial_profile`]) and 0 below: similar states, similar codes, similar predicted outcomes,
//!   and no prediction (`None`) when no unit is active above the threshold. The offset of a
//!   unit's anchor from the query is read from the codes too (the phase differences, decoded
//!   coarse to fine, [`StateCode::displacement`]), and the prediction is the locally linear
//!   readout of the active units' flows (weighted least squares on those offsets with a ridge on
//!   the slopes), computed once per cell and level at the cell's centre and evaluated at the
//!   state.
//! - **Prefilter.** Which units are scored is restricted by a coarse map of the places (buckets
//!   of the kernel's radius, the neighbouring ones scored), the analogue of a topographic map, as
//!   for the maze's place units; the decision among them is the code's.
//!
//! Nothing here stores the state a unit learned at other than as its code: the kernel weights
//! and the offsets of the regression both come from code overlap and phase.

use crate::code::CodeParams;
use crate::NeuralError;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use sns_core::fxhash::FxHashMap;
use sns_core::system::fit::{solve, Fit, NormalEquations};
use sns_core::system::{CellKey, Geometry, PlaceId, SystemSubstrate};
use sns_spaces::Point;
use std::cell::RefCell;
use std::f64::consts::{PI, TAU};

/// Phasors per module and state dimension: a module holds `6 D` wave vectors (12 in 2-D, as
/// the maze code's four hexagonal triples).
pub const PHASORS_PER_AXIS: usize = 6;

/// The finest wavelength, in cells: a quarter of it is one cell, so the finest module tells
/// apart states half a cell apart (the smallest kernel radius the agent refines to).
pub const FINEST_CELLS: f64 = 4.0;

/// Directions averaged for the radial profile of the kernel.
const PROFILE_DIRECTIONS: usize = 64;

/// Layout of the state-space code.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct StateCodeParams {
    /// Number of phasors `N`, a multiple of `6 D` with at least two modules.
    pub dims: usize,
    /// Wavelength of the finest module (normalised units).
    pub lambda_min: f64,
    /// Wavelength of the coarsest module (normalised units).
    pub lambda_max: f64,
    /// Seed of the wave vectors' directions and phases.
    pub seed: u64,
}

impl StateCodeParams {
    /// The layout for a task's normalised state space, laid out from its resolution and extent
    /// as the maze code is from the maze's: the finest wavelength [`FINEST_CELLS`] cells, the
    /// coarsest `2 x REACH_MARGIN` times the half diagonal of the normalised box (its periods on
    /// periodic axes), so that the code is unique over the whole space; `dims: None` takes the
    /// fewest modules that span them at the maze code's scale ratio (1.445), `6 D` phasors
    /// each (132 dims for the 2-D worlds, 288 for the 4-D ones); `dims: Some(n)` spreads
    /// `n / (6 D)` modules over the same range ([`NeuralError::StateDims`] unless `n` is a
    /// multiple of `6 D` with at least two modules).
    pub fn for_geometry<const D: usize>(
        geometry: &Geometry<D>,
        dims: Option<usize>,
        seed: u64,
    ) -> Result<Self, NeuralError> {
        let per = PHASORS_PER_AXIS * D;
        let space = geometry.space();
        let diag = (0..D)
            .map(|i| {
                let e = if space.periodic()[i] {
                    space.period(i) / space.scale()[i]
                } else {
                    let b = space.bounds();
                    let w = (b.high()[i] - b.low()[i]) / space.scale()[i];
                    if w.is_finite() {
                        w
                    } else {
                        1.0
                    }
                };
                e * e
            })
            .sum::<f64>()
            .sqrt();
        let lambda_min = FINEST_CELLS * geometry.cell();
        let lambda_max = (crate::REACH_MARGIN * diag).max(2.0 * lambda_min);
        let ratio = CodeParams::default_ratio();
        let mut modules = 2;
        while (lambda_max / lambda_min).powf(1.0 / (modules - 1) as f64) > ratio * (1.0 + 1e-9) {
            modules += 1;
        }
        let dims = dims.unwrap_or(modules * per);
        if dims == 0 || dims % per != 0 || dims / per < 2 {
            return Err(NeuralError::StateDims {
                dims,
                per_module: per,
                derived: modules * per,
            });
        }
        Ok(Self {
            dims,
            lambda_min,
            lambda_max,
            seed,
        })
    }

    /// The number of modules.
    pub fn modules(&self, d: usize) -> usize {
        self.dims / (PHASORS_PER_AXIS * d)
    }
}

/// The harmonic code of a `D`-dimensional normalised state space (see the module's doc).
#[derive(Debug, Clone)]
pub struct StateCode<const D: usize> {
    params: StateCodeParams,
    omega: Vec<Point<D>>,
    phase: Vec<f64>,
    /// Per module, coarsest first: its phasors and the inverse of `sum omega omega^T` (with a
    /// tiny ridge where rounding to whole cycles left an axis out).
    modules: Vec<(std::ops::Range<usize>, [[f64; D]; D])>,
    /// Directions of the radial profile.
    directions: Vec<Point<D>>,
}

impl<const D: usize> StateCode<D> {
    /// The code over `geometry`'s normalised space with the layout `params`.
    pub fn new(geometry: &Geometry<D>, params: StateCodeParams) -> Self {
        let space = geometry.space();
        let period: [Option<f64>; D] = std::array::from_fn(|i| {
            space.periodic()[i].then(|| space.period(i) / space.scale()[i])
        });
        let per = PHASORS_PER_AXIS * D;
        let m = params.modules(D);
        let ratio = (params.lambda_max / params.lambda_min).powf(1.0 / (m - 1) as f64);
        let mut rng = ChaCha8Rng::seed_from_u64(params.seed);
        let mut omega = Vec::with_capacity(params.dims);
        let mut phase = Vec::with_capacity(params.dims);
        let mut modules = Vec::with_capacity(m);
        // Coarsest first, the order of decoding.
        for j in (0..m).rev() {
            let k = 2.0 * PI / (params.lambda_min * ratio.powi(j as i32));
            let start = omega.len();
            for _ in 0..per {
                let dir = random_direction::<D>(&mut rng);
                let w: Point<D> = std::array::from_fn(|i| {
                    let w = k * dir[i];
                    match period[i] {
                        // Whole cycles per period.
                        Some(p) => (w * p / TAU).round() * TAU / p,
                        None => w,
                    }
                });
                omega.push(w);
                phase.push(rng.gen::<f64>() * TAU);
            }
            let range = start..omega.len();
            let mut g = [[0.0; D]; D];
            for w in &omega[range.clone()] {
                for r in 0..D {
                    for c in 0..D {
                        g[r][c] += w[r] * w[c];
                    }
                }
            }
            let trace: f64 = (0..D).map(|i| g[i][i]).sum();
            for (i, row) in g.iter_mut().enumerate() {
                row[i] += 1e-9 * trace.max(1e-300);
            }
            modules.push((range, invert(g)));
        }
        let mut prng = ChaCha8Rng::seed_from_u64(params.seed ^ 0x9e37_79b9_7f4a_7c15);
        let directions = (0..PROFILE_DIRECTIONS)
            .map(|_| random_direction::<D>(&mut prng))
            .collect();
        Self {
            params,
            omega,
            phase,
            modules,
            directions,
        }
    }

    /// The layout.
    pub fn params(&self) -> &StateCodeParams {
        &self.params
    }

    /// The number of phasors `N`.
    pub fn dims(&self) -> usize {
        self.omega.len()
    }

    /// The code of `u` (normalised), as interleaved real and imaginary parts (`2 N` values).
    pub fn encode_into(&self, u: &Point<D>, out: &mut Vec<f32>) {
        out.clear();
        for (w, phi) in self.omega.iter().zip(&self.phase) {
            let a = (0..D).map(|i| w[i] * u[i]).sum::<f64>() + phi;
            let (s, c) = a.sin_cos();
            out.push(c as f32);
            out.push(s as f32);
        }
    }

    /// The code of `u` (see [`StateCode::encode_into`]).
    pub fn encode(&self, u: &Point<D>) -> Vec<f32> {
        let mut out = Vec::with_capacity(2 * self.dims());
        self.encode_into(u, &mut out);
        out
    }

    /// The overlap `Re(a^H b) / N` of two codes: 1 for the same state, smaller the farther
    /// apart (the kernel).
    pub fn overlap(&self, a: &[f32], b: &[f32]) -> f64 {
        // Eight partial sums (the real part of a^H b is the plain dot product of the
        // interleaved parts), so that the loop vectorises.
        let mut acc = [0.0f32; 8];
        let (ac, bc) = (a.chunks_exact(8), b.chunks_exact(8));
        let (ar, br) = (ac.remainder(), bc.remainder());
        for (x, y) in ac.zip(bc) {
            for l in 0..8 {
                acc[l] += x[l] * y[l];
            }
        }
        let tail: f32 = ar.iter().zip(br).map(|(x, y)| x * y).sum();
        f64::from(acc.iter().sum::<f32>() + tail) / self.dims() as f64
    }

    /// The kernel of a displacement `d` (normalised): `mean_k cos(omega_k . d)`, the overlap of
    /// the codes of two states `d` apart (shift-invariant).
    pub fn kernel_of_displacement(&self, d: &Point<D>) -> f64 {
        self.omega
            .iter()
            .map(|w| (0..D).map(|i| w[i] * d[i]).sum::<f64>().cos())
            .sum::<f64>()
            / self.dims() as f64
    }

    /// The kernel at distance `r`, averaged over directions: the overlap expected of two codes
    /// `r` apart. The substrate's threshold at the kernel's radius.
    pub fn radial_profile(&self, r: f64) -> f64 {
        self.directions
            .iter()
            .map(|e| self.kernel_of_displacement(&std::array::from_fn(|i| r * e[i])))
            .sum::<f64>()
            / self.directions.len() as f64
    }

    /// The displacement from the state coded by `from` to the state coded by `to`, read from
    /// their phase differences module by module, coarsest first, each finer module correcting
    /// the estimate by its wrapped residuals (exact for two clean codes within half the finest
    /// unambiguous wavelength; robust to the blur of a learned code).
    pub fn displacement(&self, from: &[f32], to: &[f32]) -> Point<D> {
        let mut z = [0.0; D];
        for (range, ginv) in &self.modules {
            let mut b = [0.0; D];
            for k in range.clone() {
                let (fr, fi) = (from[2 * k], from[2 * k + 1]);
                let (tr, ti) = (to[2 * k], to[2 * k + 1]);
                // arg(conj(from) to) = omega . (x_to - x_from), mod 2 pi.
                let d = f64::from(atan2(fr * ti - fi * tr, fr * tr + fi * ti));
                let w = &self.omega[k];
                let pred = (0..D).map(|i| w[i] * z[i]).sum::<f64>();
                // Wrapped into [-pi, pi] (a few turns at most: the offsets are small).
                let mut r = d - pred;
                while r > PI {
                    r -= TAU;
                }
                while r < -PI {
                    r += TAU;
                }
                for i in 0..D {
                    b[i] += w[i] * r;
                }
            }
            for i in 0..D {
                z[i] += (0..D).map(|j| ginv[i][j] * b[j]).sum::<f64>();
            }
        }
        z
    }
}

/// `atan2(y, x)` within 1e-5 rad (a minimax polynomial for the arctangent on [0, 1] and the
/// octant symmetries): the phase of a phasor, several times faster than the library's, and
/// far finer than the blur of a learned code.
fn atan2(y: f32, x: f32) -> f32 {
    let (ax, ay) = (x.abs(), y.abs());
    let (mx, mn) = if ax > ay { (ax, ay) } else { (ay, ax) };
    if mx == 0.0 {
        return 0.0;
    }
    let t = mn / mx;
    let s = t * t;
    let mut r = ((((-0.013_480_47 * s + 0.057_477_314) * s - 0.121_239_07) * s + 0.195_635_38) * s
        - 0.332_994_57)
        * s
        + 0.999_995_6;
    r *= t;
    if ay > ax {
        r = std::f32::consts::FRAC_PI_2 - r;
    }
    if x < 0.0 {
        r = std::f32::consts::PI - r;
    }
    if y < 0.0 {
        -r
    } else {
        r
    }
}

/// A direction drawn uniformly on the unit sphere of R^D (normalised Gaussian draws).
fn random_direction<const D: usize>(rng: &mut ChaCha8Rng) -> Point<D> {
    loop {
        let g: Point<D> = std::array::from_fn(|_| {
            // Box-Muller.
            let u1: f64 = rng.gen::<f64>().max(1e-300);
            let u2: f64 = rng.gen();
            (-2.0 * u1.ln()).sqrt() * (TAU * u2).cos()
        });
        let n = g.iter().map(|x| x * x).sum::<f64>().sqrt();
        if n > 1e-9 {
            return std::array::from_fn(|i| g[i] / n);
        }
    }
}

/// The inverse of a symmetric positive-definite `D x D` matrix (Gauss-Jordan).
fn invert<const D: usize>(g: [[f64; D]; D]) -> [[f64; D]; D] {
    let mut m: Vec<f64> = g.iter().flatten().copied().collect();
    let mut rhs = vec![0.0; D * D];
    for i in 0..D {
        rhs[i * D + i] = 1.0;
    }
    if !solve(&mut m, &mut rhs, D, D) {
        return [[0.0; D]; D];
    }
    std::array::from_fn(|r| std::array::from_fn(|c| rhs[r * D + c]))
}

/// A place: its cell, the bucket of the coarse map it is in, its place-level units and the
/// effectiveness of its primitives.
#[derive(Debug, Clone)]
struct Place<const D: usize> {
    key: CellKey<D>,
    centre: Point<D>,
    bucket: CellKey<D>,
    /// Per level: the index of its unit (`u32::MAX`: the level never executed here).
    units: Vec<u32>,
    /// Per primitive: effectiveness once tried (the place-primitive synapse).
    w: Vec<Option<f64>>,
}

/// A place-level unit's efferent synapses: the flow it learned, and how many steps taught it.
#[derive(Debug, Clone, Copy)]
struct Unit<const D: usize> {
    flow: Point<D>,
    n: u32,
}

/// Cached readouts for one radius: per (bucket, level), per cell.
type FitCache<const D: usize> = (
    f64,
    FxHashMap<(CellKey<D>, usize), FxHashMap<CellKey<D>, Option<Fit<D>>>>,
);

/// The neural substrate of the control agent (see the module's doc).
#[derive(Debug, Clone)]
pub struct NeuralSystem<const D: usize> {
    geometry: Geometry<D>,
    code: StateCode<D>,
    bucket: f64,
    index: FxHashMap<CellKey<D>, PlaceId>,
    buckets: FxHashMap<CellKey<D>, Vec<PlaceId>>,
    places: Vec<Place<D>>,
    units: Vec<Unit<D>>,
    /// The units' afferent codes, `2 N` values each, in unit order.
    codes: Vec<f32>,
    /// The places' codes (of their cells' centres: the place cells), `2 N` values each.
    place_codes: Vec<f32>,
    /// A query's code.
    scratch: RefCell<Vec<f32>>,
    fits: RefCell<FitCache<D>>,
    /// Kernel thresholds by radius.
    thresholds: RefCell<Vec<(f64, f64)>>,
}

impl<const D: usize> NeuralSystem<D> {
    /// An empty memory over `geometry` with the code `params`, scoring the units of the places
    /// within one bucket of edge `bucket` (at least the kernel's largest radius) of a query.
    pub fn new(geometry: Geometry<D>, bucket: f64, params: StateCodeParams) -> Self {
        let code = StateCode::new(&geometry, params);
        Self {
            geometry,
            code,
            bucket,
            index: FxHashMap::default(),
            buckets: FxHashMap::default(),
            places: Vec::new(),
            units: Vec::new(),
            codes: Vec::new(),
            place_codes: Vec::new(),
            scratch: RefCell::new(Vec::new()),
            fits: RefCell::new((0.0, FxHashMap::default())),
            thresholds: RefCell::new(Vec::new()),
        }
    }

    /// The code.
    pub fn code(&self) -> &StateCode<D> {
        &self.code
    }

    /// The number of place-level units (levels executed at places).
    pub fn units(&self) -> usize {
        self.units.len()
    }

    /// The overlap threshold at kernel radius `radius`: the code's radial profile there.
    pub fn threshold(&self, radius: f64) -> f64 {
        if let Some(&(_, t)) = self.thresholds.borrow().iter().find(|(r, _)| *r == radius) {
            return t;
        }
        let t = self.code.radial_profile(radius);
        self.thresholds.borrow_mut().push((radius, t));
        t
    }

    fn unit_code(&self, j: usize) -> &[f32] {
        let n = 2 * self.code.dims();
        &self.codes[j * n..(j + 1) * n]
    }

    /// The buckets within one of bucket `c`, each once.
    fn bucket_keys(&self, c: &CellKey<D>, out: &mut Vec<CellKey<D>>) {
        self.geometry.around_at(c, self.bucket, out);
    }

    fn place_code(&self, p: PlaceId) -> &[f32] {
        let n = 2 * self.code.dims();
        &self.place_codes[p as usize * n..(p as usize + 1) * n]
    }

    /// The readout of level `level` around the centre `centre` of cell `key`, in bucket `b`.
    fn fit(
        &self,
        key: &CellKey<D>,
        centre: &Point<D>,
        b: &CellKey<D>,
        level: usize,
        radius: f64,
    ) -> Option<Fit<D>> {
        let theta = self.threshold(radius);
        let mut scratch = self.scratch.borrow_mut();
        // The query is the cell's place cell when the cell is a place (the same code).
        let q: &[f32] = match self.index.get(key) {
            Some(&p) => self.place_code(p),
            None => {
                self.code.encode_into(centre, &mut scratch);
                &scratch
            }
        };
        let mut keys = Vec::with_capacity(3usize.pow(D as u32));
        self.bucket_keys(b, &mut keys);
        let mut ne = NormalEquations::<D>::new();
        for k in &keys {
            for &p in self.buckets.get(k).map(Vec::as_slice).unwrap_or(&[]) {
                let place = &self.places[p as usize];
                let Some(&j) = place.units.get(level) else {
                    continue;
                };
                if j == u32::MAX {
                    continue;
                }
                let c = self.unit_code(j as usize);
                let a = self.code.overlap(q, c);
                if a <= theta {
                    continue;
                }
                let z = self.code.displacement(q, c);
                let z: Point<D> = std::array::from_fn(|i| z[i] / radius);
                ne.add(
                    ((a - theta) / (1.0 - theta)).powi(2),
                    &z,
                    &self.units[j as usize].flow,
                );
            }
        }
        ne.solve()
    }
}

impl<const D: usize> SystemSubstrate<D> for NeuralSystem<D> {
    fn find(&self, key: &CellKey<D>) -> Option<PlaceId> {
        self.index.get(key).copied()
    }

    fn insert(&mut self, key: CellKey<D>, centre: Point<D>) -> PlaceId {
        let id = self.places.len() as PlaceId;
        let bucket = self.geometry.key_at(&centre, self.bucket);
        self.places.push(Place {
            key,
            centre,
            bucket,
            units: Vec::new(),
            w: Vec::new(),
        });
        self.index.insert(key, id);
        self.buckets.entry(bucket).or_default().push(id);
        let h = self.code.encode(&centre);
        self.place_codes.extend_from_slice(&h);
        id
    }

    fn len(&self) -> usize {
        self.places.len()
    }

    fn key(&self, p: PlaceId) -> CellKey<D> {
        self.places[p as usize].key
    }

    fn centre(&self, p: PlaceId) -> Point<D> {
        self.places[p as usize].centre
    }

    /// The instar rule on the place-level unit's afferent code (toward the code of `at`) and
    /// the outstar rule on its flow synapses, at the rate `max(1 / n, min_rate)`; a level's
    /// first step at a place recruits its unit with the code of `at`.
    fn learn(&mut self, p: PlaceId, level: usize, at: Point<D>, flow: Point<D>, min_rate: f64) {
        let h = self.code.encode(&at);
        let place = &mut self.places[p as usize];
        if place.units.len() <= level {
            place.units.resize(level + 1, u32::MAX);
        }
        let bucket = place.bucket;
        let j = place.units[level];
        if j == u32::MAX {
            place.units[level] = self.units.len() as u32;
            self.units.push(Unit { flow, n: 1 });
            self.codes.extend_from_slice(&h);
        } else {
            let n2 = h.len();
            let unit = &mut self.units[j as usize];
            let rate = (1.0 / f64::from(unit.n + 1)).max(min_rate);
            unit.flow = std::array::from_fn(|i| unit.flow[i] + rate * (flow[i] - unit.flow[i]));
            unit.n = unit.n.saturating_add(1);
            let c = &mut self.codes[j as usize * n2..(j as usize + 1) * n2];
            let r = rate as f32;
            for (x, y) in c.chunks_exact_mut(2).zip(h.chunks_exact(2)) {
                let re = x[0] + r * (y[0] - x[0]);
                let im = x[1] + r * (y[1] - x[1]);
                let m = (re * re + im * im).sqrt();
                if m > 1e-6 {
                    x[0] = re / m;
                    x[1] = im / m;
                } else {
                    x[0] = y[0];
                    x[1] = y[1];
                }
            }
        }
        // The readouts of the cells whose prefilter scores this unit are stale.
        let cache = self.fits.get_mut();
        if !cache.1.is_empty() {
            let mut keys = Vec::with_capacity(3usize.pow(D as u32));
            self.bucket_keys(&bucket, &mut keys);
            let cache = self.fits.get_mut();
            for k in keys {
                cache.1.remove(&(k, level));
            }
        }
    }

    /// The readout of the active place-level units (see the module's doc), computed at the
    /// centre of `at`'s cell (cached until a unit the cell's prefilter scores learns) and
    /// evaluated at `at`.
    fn predict(&self, at: &Point<D>, level: usize, radius: f64) -> Option<Point<D>> {
        let key = self.geometry.key(at);
        let centre = self.geometry.centre(&key);
        let b = self.geometry.key_at(&centre, self.bucket);
        let cached = {
            let mut cache = self.fits.borrow_mut();
            if cache.0 != radius {
                cache.1.clear();
                cache.0 = radius;
            }
            cache.1.get(&(b, level)).and_then(|g| g.get(&key)).copied()
        };
        let fit = match cached {
            Some(f) => f,
            None => {
                let f = self.fit(&key, &centre, &b, level, radius);
                self.fits
                    .borrow_mut()
                    .1
                    .entry((b, level))
                    .or_default()
                    .insert(key, f);
                f
            }
        }?;
        Some(fit.at(&self.geometry.diff(&centre, at), radius))
    }

    /// The places in the buckets around `at` whose place code (the code of their centre)
    /// overlaps `at`'s above the kernel's threshold at `radius`.
    fn near(&self, at: &Point<D>, radius: f64, out: &mut Vec<PlaceId>) {
        let theta = self.threshold(radius);
        let q = self.code.encode(at);
        let mut keys = Vec::with_capacity(3usize.pow(D as u32));
        self.bucket_keys(&self.geometry.key_at(at, self.bucket), &mut keys);
        for k in &keys {
            for &p in self.buckets.get(k).map(Vec::as_slice).unwrap_or(&[]) {
                if self.code.overlap(&q, self.place_code(p)) > theta {
                    out.push(p);
                }
            }
        }
    }

    fn effectiveness(&self, p: PlaceId, prim: usize) -> Option<f64> {
        self.places[p as usize].w.get(prim).copied().flatten()
    }

    fn set_effectiveness(&mut self, p: PlaceId, prim: usize, w: f64) {
        let place = &mut self.places[p as usize];
        if place.w.len() <= prim {
            place.w.resize(prim + 1, None);
        }
        place.w[prim] = Some(w);
    }

    fn memory_bytes(&self) -> usize {
        let per = std::mem::size_of::<Place<D>>() + 2 * std::mem::size_of::<CellKey<D>>() + 16;
        let places: usize = self
            .places
            .iter()
            .map(|p| per + p.units.capacity() * 4 + p.w.capacity() * 16)
            .sum();
        places
            + self.units.capacity() * std::mem::size_of::<Unit<D>>()
            + (self.codes.capacity() + self.place_codes.capacity()) * std::mem::size_of::<f32>()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use sns_spaces::{BoxSpace, StateSpace};

    /// A pendulum-like space: axis 0 an angle (period 2 pi), axis 1 a speed in +-8; cells 1/64.
    fn angle_speed() -> Geometry<2> {
        let b = BoxSpace::new([-PI, -8.0], [PI, 8.0]).unwrap();
        let s = StateSpace::new(b, [TAU, 16.0], [true, false]).unwrap();
        Geometry::new(s, 1.0 / 64.0)
    }

    fn system(seed: u64) -> NeuralSystem<2> {
        let g = angle_speed();
        let p = StateCodeParams::for_geometry(&g, None, seed).unwrap();
        NeuralSystem::new(g, 2.5 / 64.0, p)
    }

    /// The layout follows the task: 6 D phasors per module, modules from 4 cells to the whole
    /// box; an explicit --dims must split into modules.
    #[test]
    fn layout_is_derived_from_the_task() {
        let g = angle_speed();
        let p = StateCodeParams::for_geometry(&g, None, 0).unwrap();
        assert_eq!(p.dims, 132);
        assert_eq!(p.modules(2), 11);
        assert!((p.lambda_min - 4.0 / 64.0).abs() < 1e-12);
        assert!((p.lambda_max - crate::REACH_MARGIN * 2f64.sqrt()).abs() < 1e-12);
        let b4 = BoxSpace::new([-PI, -PI, -1.0, -1.0], [PI, PI, 1.0, 1.0]).unwrap();
        let s4 = StateSpace::new(b4, [TAU, TAU, 2.0, 2.0], [true, true, false, false]).unwrap();
        let g4 = Geometry::new(s4, 1.0 / 64.0);
        assert_eq!(
            StateCodeParams::for_geometry(&g4, None, 0).unwrap().dims,
            288
        );
        assert_eq!(
            StateCodeParams::for_geometry(&g4, Some(96), 0)
                .unwrap()
                .modules(4),
            4
        );
        for bad in [0, 60, 24] {
            assert_eq!(
                StateCodeParams::for_geometry(&g4, Some(bad), 0),
                Err(NeuralError::StateDims {
                    dims: bad,
                    per_module: 24,
                    derived: 288
                })
            );
        }
    }

    /// Overlap decreases with distance: the radial profile falls monotonically from 1 over the
    /// kernel's reach, and two codes' overlap is the kernel of their displacement.
    #[test]
    fn overlap_decreases_with_distance() {
        let s = system(3);
        let code = s.code();
        let mut last = code.radial_profile(0.0);
        assert!((last - 1.0).abs() < 1e-12);
        for i in 1..=40 {
            let k = code.radial_profile(f64::from(i) * 0.25 / 64.0);
            assert!(k < last, "r = {i}/4 cells: {k} >= {last}");
            last = k;
        }
        assert!(last < 0.8, "{last}");
        // Shift invariance, on codes: along a direction, the overlap with a fixed state falls.
        let u = [0.3, 0.6];
        let h = code.encode(&u);
        let mut prev = 1.0 + 1e-6;
        for i in 0..12 {
            let d = [f64::from(i) * 0.3 / 64.0, f64::from(i) * 0.2 / 64.0];
            let v = code.encode(&[u[0] + d[0], u[1] + d[1]]);
            let o = code.overlap(&h, &v);
            assert!((o - code.kernel_of_displacement(&d)).abs() < 1e-4, "{i}");
            assert!(o < prev, "{i}: {o} >= {prev}");
            prev = o;
        }
    }

    /// On a periodic axis the code wraps: one turn on is the same code, and states on either
    /// side of the seam overlap as states that close; offsets decode the short way round.
    #[test]
    fn code_wraps_on_periodic_axes() {
        let s = system(1);
        let code = s.code();
        let a = code.encode(&[0.2, 0.4]);
        let b = code.encode(&[1.2, 0.4]);
        assert!(code.overlap(&a, &b) > 1.0 - 1e-5);
        let below = code.encode(&[0.999, 0.4]);
        let above = code.encode(&[0.001, 0.4]);
        let o = code.overlap(&below, &above);
        assert!((o - code.kernel_of_displacement(&[0.002, 0.0])).abs() < 1e-4);
        assert!(o > code.radial_profile(0.5 / 64.0), "{o}");
        let z = code.displacement(&below, &above);
        assert!((z[0] - 0.002).abs() < 1e-4 && z[1].abs() < 1e-4, "{z:?}");
        // The speed axis does not wrap: its two ends are far apart.
        let lo = code.encode(&[0.2, 0.0]);
        let hi = code.encode(&[0.2, 1.0]);
        assert!(code.overlap(&lo, &hi) < code.radial_profile(2.5 / 64.0));
    }

    /// Offsets read from the phases of two clean codes agree with the geometry.
    #[test]
    fn offsets_decode_from_phase_differences() {
        let s = system(2);
        let code = s.code();
        let mut rng = ChaCha8Rng::seed_from_u64(9);
        for _ in 0..200 {
            let u = [rng.gen::<f64>(), rng.gen::<f64>()];
            let d = [rng.gen_range(-0.06..0.06), rng.gen_range(-0.06..0.06)];
            let z = code.displacement(&code.encode(&u), &code.encode(&[u[0] + d[0], u[1] + d[1]]));
            assert!(
                (z[0] - d[0]).abs() < 1e-4 && (z[1] - d[1]).abs() < 1e-4,
                "{d:?} {z:?}"
            );
        }
    }

    /// Learned outcomes predict at similar states only, through the code: nothing active
    /// far away (`None`), the taught flow near, a linear field between its samples, and the
    /// same seed the same code.
    #[test]
    fn outcomes_generalise_to_similar_states_only() {
        let mut s = system(0);
        let a = s.insert([9, 9], [9.5 / 64.0, 9.5 / 64.0]);
        let c = s.insert([50, 50], [50.5 / 64.0, 50.5 / 64.0]);
        let r = 2.5 / 64.0;
        s.learn(a, 0, [9.5 / 64.0, 9.5 / 64.0], [0.01, 0.0], 0.25);
        s.learn(c, 0, [50.5 / 64.0, 50.5 / 64.0], [0.0, -0.01], 0.25);
        let p = s.predict(&[10.2 / 64.0, 9.5 / 64.0], 0, r).expect("near a");
        assert!((p[0] - 0.01).abs() < 1e-4 && p[1].abs() < 1e-4, "{p:?}");
        assert!(
            s.predict(&[30.0 / 64.0, 30.0 / 64.0], 0, r).is_none(),
            "far"
        );
        assert!(
            s.predict(&[9.5 / 64.0, 9.5 / 64.0], 1, r).is_none(),
            "other level"
        );
        assert!(
            s.predict(&[9.5 / 64.0, 9.5 / 64.0], 0, 0.25 / 64.0)
                .is_some(),
            "its own cell"
        );
        // Across the angle's seam: a sample at the last cell predicts at the first.
        let e = s.insert([63, 20], [63.5 / 64.0, 20.5 / 64.0]);
        s.learn(e, 2, [63.5 / 64.0, 20.5 / 64.0], [0.0, 0.02], 0.25);
        let p = s
            .predict(&[0.5 / 64.0, 20.5 / 64.0], 2, r)
            .expect("one cell away");
        assert!((p[1] - 0.02).abs() < 1e-3, "{p:?}");
        // A linear field in the first coordinate, sampled at three places.
        for (k, f) in [([20, 20], 0.15), ([21, 20], 0.25), ([20, 21], 0.15)] {
            let u = [(k[0] as f64 + 0.5) / 64.0, (k[1] as f64 + 0.5) / 64.0];
            let p = s.insert(k, u);
            s.learn(p, 1, u, [f, 0.0], 0.25);
        }
        let p = s.predict(&[20.9 / 64.0, 20.6 / 64.0], 1, r).expect("near");
        assert!((p[0] - 0.19).abs() < 0.02, "{p:?}");
        // A second, different outcome moves the unit's flow (rate 1/2).
        s.learn(a, 0, [9.5 / 64.0, 9.5 / 64.0], [0.03, 0.0], 0.25);
        let p = s.predict(&[9.5 / 64.0, 9.5 / 64.0], 0, r).expect("near a");
        assert!((p[0] - 0.02).abs() < 1e-4, "{p:?}");
        let mut out = Vec::new();
        s.near(&[20.6 / 64.0, 20.6 / 64.0], 2.0 / 64.0, &mut out);
        out.sort_unstable();
        assert_eq!(out.len(), 3, "{out:?}");
        assert_eq!(s.units(), 6);
        assert_eq!(
            system(0).code().encode(&[0.1, 0.2]),
            s.code().encode(&[0.1, 0.2])
        );
        assert_ne!(
            system(1).code().encode(&[0.1, 0.2]),
            s.code().encode(&[0.1, 0.2])
        );
    }

    #[test]
    fn fast_atan2_is_within_its_bound() {
        let mut worst = 0.0f64;
        for i in 0..10_000 {
            let a = -PI + TAU * f64::from(i) / 10_000.0;
            for r in [1e-3f64, 0.5, 1.0, 7.0] {
                let (y, x) = ((r * a.sin()) as f32, (r * a.cos()) as f32);
                let e = (f64::from(atan2(y, x)) - f64::from(y.atan2(x))).abs();
                worst = worst.max(e.min(TAU - e));
            }
        }
        assert!(worst < 1e-5, "{worst}");
    }
}
