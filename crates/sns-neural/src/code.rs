//! The harmonic (grid-cell) code of positions.
//!
//! A position `x` in the plane is encoded as a vector of `N` unit phasors
//! `h_k(x) = exp(i (omega_k . x + phi_k))`. The wave vectors are organised as grid modules, as in
//! the medial entorhinal cortex: module `m` has the spatial period (wavelength)
//! `lambda_m = lambda_min * r^m` (geometric scales), and holds `R` hexagonal triples of wave
//! vectors: three vectors of norm `2 pi / lambda_m`, 60 degrees apart, each triple at its own
//! random rotation, each phasor with its own random phase `phi_k` (both drawn from a seeded
//! `ChaCha8Rng`). `N = 3 R M`.
//!
//! - Similarity (the kernel): `K(x, y) = Re(h(x)^H h(y)) / N = mean_k cos(omega_k . (x - y))`,
//!   shift-invariant, 1 at `x = y`, decaying with distance (module by module).
//! - Decoding: coarse-to-fine phase decoding, module by module (see [`HarmonicCode::decode`]).
//! - Path integration: `h(x + dx) = h(x) (.) exp(i Omega dx)`, phasors renormalised to unit
//!   modulus (see [`PathIntegrator`]).
//!
//! Default layout: `N = 192` = 16 modules x 4 rotations x 3 wave vectors, wavelengths from 0.4 m
//! to 100 m (scale ratio 1.445): the finest module resolves a fraction of the 0.1 m body, the
//! coarsest makes the code unique over +-50 m (every built-in maze fits with room to spare).
//!
//! Larger worlds: the range within which the code is unique grows exponentially with the number
//! of modules, so [`CodeParams::for_reach`] keeps the finest wavelength and the default scale
//! ratio and adds coarser modules until the coarsest wavelength covers the world (a 201 x 201-cell
//! maze needs 20 modules, 240 dims); worlds within the default range get the default layout.

use crate::NeuralError;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use sns_worlds::{Real, Vec2};
use std::f64::consts::{PI, TAU};

/// Default code dimension (number of complex phasors).
pub const DEFAULT_DIMS: usize = 192;

/// Hexagonal triples per module of the default layout.
pub const DEFAULT_ROTATIONS: usize = 4;

/// Wavelength of the default layout's finest module, in metres: a fraction of it resolves the
/// 0.1 m body, whatever the size of the world.
pub const DEFAULT_LAMBDA_MIN: Real = 0.4;

/// Wavelength of the default layout's coarsest module, in metres: the code is unique within
/// 50 m of the origin.
pub const DEFAULT_LAMBDA_MAX: Real = 100.0;

/// Safety factor between the farthest distance from the origin a world allows and the radius
/// within which its code must be unique (`lambda_max / 2`): places a little outside the map (a
/// lattice laid past a border wall, a goal sensed through a drifting estimate) still decode, and
/// no position sits at the edge where a phase of the coarsest module wraps.
pub const REACH_MARGIN: Real = 1.25;

/// Layout of the harmonic code.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct CodeParams {
    /// Number of phasors `N`; a multiple of `3 x rotations`. Default [`DEFAULT_DIMS`] (192).
    pub dims: usize,
    /// Hexagonal triples per module, each at its own random rotation. Default 4.
    pub rotations: usize,
    /// Wavelength of the finest module, in metres. Default 0.4.
    pub lambda_min: Real,
    /// Wavelength of the coarsest module, in metres; positions are decodable within
    /// `lambda_max / 2` of the origin. Default 100.
    pub lambda_max: Real,
    /// Seed of the random rotations and phases. Default 0.
    pub seed: u64,
}

impl Default for CodeParams {
    fn default() -> Self {
        CodeParams {
            dims: DEFAULT_DIMS,
            rotations: DEFAULT_ROTATIONS,
            lambda_min: DEFAULT_LAMBDA_MIN,
            lambda_max: DEFAULT_LAMBDA_MAX,
            seed: 0,
        }
    }
}

impl CodeParams {
    /// Checks the layout: one error per broken rule.
    pub fn check(self) -> Result<Self, NeuralError> {
        if self.rotations == 0 || self.dims == 0 || self.dims % (3 * self.rotations) != 0 {
            return Err(NeuralError::Dims {
                dims: self.dims,
                rotations: self.rotations,
            });
        }
        if self.dims / (3 * self.rotations) < 2 {
            return Err(NeuralError::Dims {
                dims: self.dims,
                rotations: self.rotations,
            });
        }
        let ok = self.lambda_min.is_finite()
            && self.lambda_min > 0.0
            && self.lambda_max.is_finite()
            && self.lambda_max > self.lambda_min;
        if !ok {
            return Err(NeuralError::Scales {
                lambda_min: self.lambda_min,
                lambda_max: self.lambda_max,
            });
        }
        Ok(self)
    }

    /// Number of modules `M = N / (3 R)`.
    pub fn modules(&self) -> usize {
        self.dims / (3 * self.rotations)
    }

    /// Ratio between the wavelengths of consecutive modules.
    pub fn scale_ratio(&self) -> Real {
        (self.lambda_max / self.lambda_min).powf(1.0 / (self.modules() - 1) as Real)
    }

    /// The radius around the origin within which every position has its own code and decodes
    /// exactly: `lambda_max / 2` (every phase of the coarsest module stays within `(-pi, pi)`).
    pub fn unique_radius(&self) -> Real {
        self.lambda_max / 2.0
    }

    /// The scale ratio of the default layout, `(100 / 0.4)^(1/15) = 1.445`: the ratio that
    /// [`CodeParams::for_reach`] keeps when it adds modules.
    pub fn default_ratio() -> Real {
        CodeParams::default().scale_ratio()
    }

    /// The coarsest wavelength a world needs whose positions lie within `reach` metres of the
    /// origin: `2 x REACH_MARGIN x reach`, and never less than the default 100 m (so every world
    /// within the default range keeps the default layout).
    pub fn range_for_reach(reach: Real) -> Real {
        (2.0 * REACH_MARGIN * reach).max(DEFAULT_LAMBDA_MAX)
    }

    /// The fewest modules that span `DEFAULT_LAMBDA_MIN..lambda_max` with consecutive wavelengths
    /// at most [`CodeParams::default_ratio`] apart (16 at the default 100 m).
    fn modules_for_range(lambda_max: Real) -> usize {
        let r = Self::default_ratio();
        let mut m = 2;
        // Up to rounding: at 100 m the default's own ratio must give the default's 16 modules.
        while (lambda_max / DEFAULT_LAMBDA_MIN).powf(1.0 / (m - 1) as Real) > r * (1.0 + 1e-9) {
            m += 1;
        }
        m
    }

    /// The fewest dims an explicit `--dims` may have for a world of reach `reach` (metres from
    /// the origin): within the default range any valid layout (2 modules, 24 dims: fewer dims
    /// keep the range with a larger ratio, as always); beyond it, the dims of the derived layout
    /// ([`CodeParams::for_reach`]), so that a stretched range never has a coarser ratio than the
    /// default's.
    pub fn min_dims_for_reach(reach: Real) -> usize {
        let per = 3 * DEFAULT_ROTATIONS;
        let range = Self::range_for_reach(reach);
        if range <= DEFAULT_LAMBDA_MAX {
            2 * per
        } else {
            Self::modules_for_range(range) * per
        }
    }

    /// The layout for a world whose positions lie within `reach` metres of the origin (for a map
    /// centred on the origin: half its diagonal).
    ///
    /// - `dims: None` derives the layout: the default (192 dims, 0.4 to 100 m) when the world
    ///   fits the default range, else the default ratio kept and modules added until the
    ///   coarsest wavelength is [`CodeParams::range_for_reach`] (e.g. 204 dims for a 61 x 61-cell
    ///   maze, 240 for 201 x 201).
    /// - `dims: Some(n)` spreads `n / 12` modules over the same range (0.4 to 100 m within the
    ///   default range, exactly as before), and refuses fewer than
    ///   [`CodeParams::min_dims_for_reach`] beyond it ([`NeuralError::TooFewDims`]).
    ///
    /// The derived layout and the explicit one at the derived dims are the same layout.
    pub fn for_reach(reach: Real, dims: Option<usize>) -> Result<CodeParams, NeuralError> {
        if !(reach.is_finite() && reach >= 0.0) {
            return Err(NeuralError::Reach { reach });
        }
        let range = Self::range_for_reach(reach);
        if range <= DEFAULT_LAMBDA_MAX {
            // Bit for bit the default layout: the built-in mazes' numbers do not change.
            let dims = dims.unwrap_or(DEFAULT_DIMS);
            return CodeParams {
                dims,
                ..CodeParams::default()
            }
            .check();
        }
        let min = Self::min_dims_for_reach(reach);
        let params = CodeParams {
            dims: dims.unwrap_or(min),
            lambda_max: range,
            ..CodeParams::default()
        }
        .check()?;
        if params.dims < min {
            return Err(NeuralError::TooFewDims {
                dims: params.dims,
                min,
                reach,
            });
        }
        Ok(params)
    }
}

/// A code vector: `N` complex numbers stored as separate real and imaginary parts.
#[derive(Debug, Clone, PartialEq)]
pub struct Code {
    /// Real parts.
    pub re: Vec<Real>,
    /// Imaginary parts.
    pub im: Vec<Real>,
}

impl Code {
    /// The zero vector of dimension `n`.
    pub fn zeros(n: usize) -> Code {
        Code {
            re: vec![0.0; n],
            im: vec![0.0; n],
        }
    }

    /// Dimension.
    pub fn len(&self) -> usize {
        self.re.len()
    }

    /// Whether the code is empty.
    pub fn is_empty(&self) -> bool {
        self.re.is_empty()
    }

    /// `Re(self^H other) / N`: the kernel when both are position codes.
    pub fn similarity(&self, other: &Code) -> Real {
        similarity(&self.re, &self.im, &other.re, &other.im)
    }

    /// Adds `scale * other` (superposition, "bundling").
    pub fn add_scaled(&mut self, other: &Code, scale: Real) {
        for k in 0..self.len() {
            self.re[k] += scale * other.re[k];
            self.im[k] += scale * other.im[k];
        }
    }

    /// Renormalises every phasor to unit modulus (phasors that vanished are left alone).
    pub fn renormalise(&mut self) {
        for k in 0..self.len() {
            let m = (self.re[k] * self.re[k] + self.im[k] * self.im[k]).sqrt();
            if m > 1e-300 {
                self.re[k] /= m;
                self.im[k] /= m;
            }
        }
    }
}

/// `Re(a^H b) / N` over split real/imaginary slices.
#[inline]
pub fn similarity(are: &[Real], aim: &[Real], bre: &[Real], bim: &[Real]) -> Real {
    let n = are.len();
    let mut s = 0.0;
    for k in 0..n {
        s += are[k] * bre[k] + aim[k] * bim[k];
    }
    s / n as Real
}

/// The encoder: wave vectors and phases of every phasor.
#[derive(Debug, Clone)]
pub struct HarmonicCode {
    params: CodeParams,
    /// Wave vectors `omega_k` (rad/m), module-major: module `m` owns `3 R` consecutive entries.
    omega: Vec<Vec2>,
    /// Phases `phi_k`.
    phi: Vec<Real>,
    /// Squared norm of the wave vectors of each module.
    norm2: Vec<Real>,
}

impl HarmonicCode {
    /// The code with layout `params` (checked).
    pub fn new(params: CodeParams) -> Result<Self, NeuralError> {
        let params = params.check()?;
        let mut rng = ChaCha8Rng::seed_from_u64(params.seed);
        let (m, r) = (params.modules(), params.rotations);
        let ratio = params.scale_ratio();
        let mut omega = Vec::with_capacity(params.dims);
        let mut phi = Vec::with_capacity(params.dims);
        let mut norm2 = Vec::with_capacity(m);
        for j in 0..m {
            let lambda = params.lambda_min * ratio.powi(j as i32);
            let k = TAU / lambda;
            norm2.push(k * k);
            for _ in 0..r {
                let rot: Real = rng.gen_range(0.0..PI / 3.0);
                for t in 0..3 {
                    let a = rot + t as Real * PI / 3.0;
                    omega.push(Vec2::new(k * a.cos(), k * a.sin()));
                    phi.push(rng.gen_range(0.0..TAU));
                }
            }
        }
        Ok(HarmonicCode {
            params,
            omega,
            phi,
            norm2,
        })
    }

    /// The layout.
    pub fn params(&self) -> &CodeParams {
        &self.params
    }

    /// Number of phasors `N`.
    pub fn dims(&self) -> usize {
        self.params.dims
    }

    /// The wave vectors.
    pub fn omega(&self) -> &[Vec2] {
        &self.omega
    }

    /// `h(x)`.
    pub fn encode(&self, x: Vec2) -> Code {
        let mut c = Code::zeros(self.dims());
        self.encode_into(x, &mut c);
        c
    }

    /// `h(x)` written into `out` (no allocation).
    pub fn encode_into(&self, x: Vec2, out: &mut Code) {
        for k in 0..self.dims() {
            let (s, c) = (self.omega[k].dot(x) + self.phi[k]).sin_cos();
            out.re[k] = c;
            out.im[k] = s;
        }
    }

    /// The kernel computed directly from a displacement: `mean_k cos(omega_k . d)`. Equal to
    /// `K(x, x + d)` for every `x` (shift invariance).
    pub fn kernel_of_displacement(&self, d: Vec2) -> Real {
        self.omega.iter().map(|w| w.dot(d).cos()).sum::<Real>() / self.dims() as Real
    }

    /// The kernel's value at distance `r` averaged over 64 directions: the threshold that an
    /// activity must reach for "closer than `r`".
    pub fn radial_profile(&self, r: Real) -> Real {
        let n = 64;
        (0..n)
            .map(|i| {
                let a = i as Real * TAU / n as Real;
                self.kernel_of_displacement(Vec2::new(r * a.cos(), r * a.sin()))
            })
            .sum::<Real>()
            / n as Real
    }

    /// Decodes a position from a code (a position code, or any vector whose phasors carry
    /// position phases), coarse to fine.
    ///
    /// The coarsest module gives a first estimate by least squares on its phases
    /// (`x = 2 / (3 R |omega|^2) sum_k omega_k theta_k`, exact for hexagonal triples because
    /// `sum_t omega_t omega_t^T = 3/2 |omega|^2 I`). Each finer module then corrects the estimate
    /// by the same formula applied to its phase residuals wrapped to `(-pi, pi]`. Exact for a
    /// noise-free code anywhere within `lambda_max / 2` of the origin; with phase noise, each
    /// module only needs the previous estimate within a fraction of its own wavelength.
    ///
    /// Complexity: `O(N)` (one `atan2` per phasor).
    pub fn decode(&self, c: &Code) -> Vec2 {
        self.decode_phases(c, true)
    }

    /// Decodes the displacement carried by a bound code `h(x) (.) conj(h(y))` (phases
    /// `omega_k . (x - y)`, no `phi_k`): the vector from `y` to `x`.
    pub fn decode_displacement(&self, c: &Code) -> Vec2 {
        self.decode_phases(c, false)
    }

    fn decode_phases(&self, c: &Code, with_phi: bool) -> Vec2 {
        let per = 3 * self.params.rotations;
        let mut x = Vec2::ZERO;
        for m in (0..self.params.modules()).rev() {
            let mut acc = Vec2::ZERO;
            for k in m * per..(m + 1) * per {
                let phase = c.im[k].atan2(c.re[k]) - if with_phi { self.phi[k] } else { 0.0 };
                let resid = wrap(phase - self.omega[k].dot(x));
                acc += self.omega[k] * resid;
            }
            x += acc * (2.0 / (per as Real * self.norm2[m]));
        }
        x
    }

    /// The rotation `exp(i Omega dx)` applied by a self-motion `dx`, written into `out`.
    pub fn motion_into(&self, dx: Vec2, out: &mut Code) {
        for k in 0..self.dims() {
            let (s, c) = self.omega[k].dot(dx).sin_cos();
            out.re[k] = c;
            out.im[k] = s;
        }
    }
}

/// Wraps an angle to `(-pi, pi]`.
#[inline]
pub fn wrap(a: Real) -> Real {
    let r = a - TAU * (a / TAU).round();
    if r <= -PI {
        r + TAU
    } else {
        r
    }
}

/// Path integration in the code: the state is a code, updated from self-motion by phase
/// rotation, `h <- h (.) exp(i Omega dx)`, with every phasor renormalised to unit modulus after
/// each update (rounding would otherwise make the moduli drift away from 1).
#[derive(Debug, Clone)]
pub struct PathIntegrator {
    state: Code,
    rot: Code,
}

impl PathIntegrator {
    /// An integrator whose state is the code of `start`.
    pub fn new(code: &HarmonicCode, start: Vec2) -> Self {
        PathIntegrator {
            state: code.encode(start),
            rot: Code::zeros(code.dims()),
        }
    }

    /// Resets the state to the code of `x`.
    pub fn reset(&mut self, code: &HarmonicCode, x: Vec2) {
        code.encode_into(x, &mut self.state);
    }

    /// Integrates the self-motion `dx` (for example `velocity * dt`).
    pub fn step(&mut self, code: &HarmonicCode, dx: Vec2) {
        code.motion_into(dx, &mut self.rot);
        let s = &mut self.state;
        for k in 0..s.len() {
            let (a, b) = (s.re[k], s.im[k]);
            let (c, d) = (self.rot.re[k], self.rot.im[k]);
            s.re[k] = a * c - b * d;
            s.im[k] = a * d + b * c;
        }
        s.renormalise();
    }

    /// The integrated code.
    pub fn state(&self) -> &Code {
        &self.state
    }

    /// The position decoded from the integrated code.
    pub fn position(&self, code: &HarmonicCode) -> Vec2 {
        code.decode(&self.state)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::{prop_assert, proptest};

    fn code() -> HarmonicCode {
        HarmonicCode::new(CodeParams::default()).unwrap()
    }

    #[test]
    #[ignore = "prints the kernel's radial profile"]
    fn print_profile() {
        let c = code();
        for i in 0..60 {
            let r = i as Real * 0.05;
            println!("{r:.2} {:.4}", c.radial_profile(r));
        }
    }

    #[test]
    fn layout_is_checked() {
        let bad = CodeParams {
            dims: 100,
            ..CodeParams::default()
        };
        assert!(matches!(
            HarmonicCode::new(bad),
            Err(NeuralError::Dims { dims: 100, .. })
        ));
        let p = CodeParams::default();
        assert_eq!(p.modules(), 16);
        assert!((1.4..1.7).contains(&p.scale_ratio()));
    }

    #[test]
    fn kernel_peaks_at_zero_and_decays() {
        let c = code();
        let x = Vec2::new(1.3, -2.1);
        assert!((c.encode(x).similarity(&c.encode(x)) - 1.0).abs() < 1e-12);
        let near = c.radial_profile(0.05);
        let mid = c.radial_profile(0.3);
        let far = c.radial_profile(3.0);
        assert!(near > mid && mid > far, "{near} {mid} {far}");
        // Shift invariance.
        let d = Vec2::new(0.2, 0.1);
        let k1 = c.encode(x).similarity(&c.encode(x + d));
        assert!((k1 - c.kernel_of_displacement(d)).abs() < 1e-9);
    }

    proptest! {
        #[test]
        fn decode_inverts_encode(r in 0.0..45.0f64, a in 0.0..TAU) {
            // Anywhere within lambda_max / 2 = 50 m of the origin.
            let c = code();
            let p = Vec2::new(r * a.cos(), r * a.sin());
            prop_assert!(c.decode(&c.encode(p)).dist(p) < 1e-9);
        }
    }

    /// Path integration over a long, real ball trajectory in the `large` maze: the code is
    /// driven by the ball's per-step displacement only (its self-motion), never by its position.
    #[test]
    fn path_integration_stays_within_a_centimetre_over_100000_steps() {
        use sns_worlds::{EnvConfig, MazeEnv, MazeMap};
        let c = code();
        let map = MazeMap::builtin("large").unwrap();
        let config = EnvConfig {
            max_steps: 200_000,
            ..EnvConfig::default()
        };
        let mut env = MazeEnv::new(map, config).unwrap();
        let (mut obs, _) = env.reset(3);
        let mut pi = PathIntegrator::new(&c, obs.position);
        let mut rng = ChaCha8Rng::seed_from_u64(7);
        let mut action = Vec2::new(1.0, 0.0);
        let mut worst: Real = 0.0;
        for t in 0..100_000 {
            if t % 50 == 0 {
                let a: Real = rng.gen_range(0.0..TAU);
                action = Vec2::new(a.cos(), a.sin());
            }
            let prev = obs.position;
            obs = env.step(action).obs;
            pi.step(&c, obs.position - prev);
            if t % 1000 == 0 {
                worst = worst.max(pi.position(&c).dist(obs.position));
            }
        }
        let err = pi.position(&c).dist(obs.position);
        assert!(err < 0.01 && worst < 0.01, "error {err} worst {worst}");
    }
}

/// Layouts laid out from the world's extent, and what they must still do far from the origin.
#[cfg(test)]
mod range_tests {
    use super::*;
    use proptest::prelude::{prop_assert, proptest};

    /// Half the diagonal of a `cells x cells` map centred on the origin (1 m cells).
    fn reach(cells: usize) -> Real {
        (cells as Real).hypot(cells as Real) / 2.0
    }

    /// The layout the agent derives for a 201 x 201-cell maze (a 100 x 100 perfect maze).
    fn far_code() -> HarmonicCode {
        HarmonicCode::new(CodeParams::for_reach(reach(201), None).unwrap()).unwrap()
    }

    #[test]
    fn worlds_within_the_default_range_keep_the_default_layout() {
        // `giant` (12 x 16), a 41 x 41 maze (58 m across): bit for bit the default.
        for r in [
            0.0,
            10.0,
            reach(41),
            DEFAULT_LAMBDA_MAX / 2.0 / REACH_MARGIN,
        ] {
            assert_eq!(
                CodeParams::for_reach(r, None),
                Ok(CodeParams::default()),
                "{r}"
            );
        }
        // An explicit dimension there is today's layout: the default range, its own ratio.
        let p = CodeParams::for_reach(reach(41), Some(96)).unwrap();
        assert_eq!(
            p,
            CodeParams {
                dims: 96,
                ..CodeParams::default()
            }
        );
        assert_eq!(CodeParams::min_dims_for_reach(reach(41)), 24);
    }

    #[test]
    fn larger_worlds_get_more_modules_at_the_default_ratio() {
        let r0 = CodeParams::default_ratio();
        assert!((r0 - 1.445).abs() < 1e-3, "{r0}");
        let mut last = 0;
        for (cells, dims) in [(61, 204), (101, 216), (201, 240), (2001, 312)] {
            let p = CodeParams::for_reach(reach(cells), None).unwrap();
            assert_eq!(p.dims, dims, "{cells} cells");
            assert!(p.dims > last);
            last = p.dims;
            // Unique with the margin over the whole map, never coarser than the default ratio,
            // and one module fewer would need a coarser ratio (the fewest modules).
            assert!(p.unique_radius() >= REACH_MARGIN * reach(cells) * (1.0 - 1e-12));
            assert!(p.scale_ratio() <= r0 * (1.0 + 1e-9));
            let fewer = CodeParams {
                dims: p.dims - 12,
                ..p
            };
            assert!(fewer.scale_ratio() > r0 * (1.0 + 1e-9));
            assert_eq!(p.lambda_min, DEFAULT_LAMBDA_MIN);
            // An explicit --dims at the derived value is the same layout; one module less is
            // refused with the minimum named; more is accepted.
            assert_eq!(CodeParams::for_reach(reach(cells), Some(dims)), Ok(p));
            assert_eq!(
                CodeParams::for_reach(reach(cells), Some(dims - 12)),
                Err(NeuralError::TooFewDims {
                    dims: dims - 12,
                    min: dims,
                    reach: reach(cells)
                })
            );
            let more = CodeParams::for_reach(reach(cells), Some(dims + 48)).unwrap();
            assert_eq!((more.dims, more.lambda_max), (dims + 48, p.lambda_max));
        }
    }

    #[test]
    fn bad_reaches_and_dims_are_refused() {
        for r in [Real::NAN, Real::INFINITY, -1.0] {
            assert!(matches!(
                CodeParams::for_reach(r, None),
                Err(NeuralError::Reach { .. })
            ));
        }
        // A dimension that does not split into modules is refused as such, first.
        assert!(matches!(
            CodeParams::for_reach(reach(201), Some(100)),
            Err(NeuralError::Dims { dims: 100, .. })
        ));
        let e = CodeParams::for_reach(reach(201), Some(192))
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("--dims 192") && e.contains("at least 240"),
            "{e}"
        );
        assert!(!e.contains('\n'), "{e}");
    }

    /// The test can fail: at the far corner of a 201 x 201-cell maze the default code aliases.
    #[test]
    fn the_default_code_aliases_at_the_far_corner() {
        let c = HarmonicCode::new(CodeParams::default()).unwrap();
        let corner = Vec2::new(100.5, -100.5);
        assert!(c.decode(&c.encode(corner)).dist(corner) > 10.0);
        let far = far_code();
        assert!(far.decode(&far.encode(corner)).dist(corner) < 1e-9);
    }

    proptest! {
        /// Round trip anywhere in the 201 x 201-cell map and in the margin around it.
        #[test]
        fn decode_inverts_encode_over_a_201_cell_maze(
            x in -125.0..125.0f64,
            y in -125.0..125.0f64,
        ) {
            let c = far_code();
            let p = Vec2::new(x, y);
            prop_assert!(c.decode(&c.encode(p)).dist(p) < 1e-8);
        }
    }

    #[test]
    fn decode_inverts_encode_at_the_corners_and_edges_of_a_201_cell_maze() {
        let c = far_code();
        let h = 100.5 * REACH_MARGIN;
        for (x, y) in [
            (h, h),
            (-h, h),
            (h, -h),
            (-h, -h),
            (h, 0.0),
            (0.0, -h),
            (100.5, 37.2),
        ] {
            let p = Vec2::new(x, y);
            let d = c.decode(&c.encode(p)).dist(p);
            assert!(d < 1e-8, "{p:?}: decoded {d} m away");
        }
    }

    /// Path integration from one corner of a 201 x 201-cell maze across it and back, driven by
    /// `velocity * dt` only: about 5 km of path, 500000 steps, a random heading every 200 steps,
    /// sweeping the whole map.
    #[test]
    fn path_integration_over_kilometres_across_a_201_cell_maze() {
        let c = far_code();
        let mut rng = ChaCha8Rng::seed_from_u64(3);
        let mut x = Vec2::new(-99.0, 99.0);
        let mut pi = PathIntegrator::new(&c, x);
        let (dt, speed) = (0.01, 1.0);
        let mut v = Vec2::ZERO;
        let (mut travelled, mut worst, mut span): (Real, Real, Real) = (0.0, 0.0, 0.0);
        for t in 0..500_000 {
            if t % 200 == 0 {
                // Biased toward the far corner for the first half, back for the second.
                let target = if t < 250_000 {
                    Vec2::new(99.0, -99.0)
                } else {
                    Vec2::new(-99.0, 99.0)
                };
                let a: Real = rng.gen_range(-1.2..1.2);
                v = (target - x).normalized().rotated(a) * speed;
            }
            if x.x.abs() > 100.0 {
                v.x = -x.x.signum() * v.x.abs();
            }
            if x.y.abs() > 100.0 {
                v.y = -x.y.signum() * v.y.abs();
            }
            x += v * dt;
            travelled += speed * dt;
            span = span.max(x.dist(Vec2::new(-99.0, 99.0)));
            pi.step(&c, v * dt);
            if t % 5000 == 0 {
                worst = worst.max(pi.position(&c).dist(x));
            }
        }
        assert!(
            span > 250.0,
            "the walk reached only {span} m from its start"
        );
        assert!(travelled > 4000.0);
        let err = pi.position(&c).dist(x);
        assert!(err < 0.01 && worst < 0.01, "error {err} worst {worst}");
    }
}

#[cfg(test)]
mod velocity_tests {
    use super::*;

    /// A bounded random walk in open space, integrated from `velocity * dt` only.
    #[test]
    fn path_integration_of_velocity_over_100000_steps() {
        let c = HarmonicCode::new(CodeParams::default()).unwrap();
        let mut rng = ChaCha8Rng::seed_from_u64(11);
        let mut x = Vec2::new(0.3, -0.2);
        let mut v = Vec2::ZERO;
        let mut pi = PathIntegrator::new(&c, x);
        let dt = 0.01;
        for _ in 0..100_000 {
            v += Vec2::new(rng.gen_range(-1.0..1.0), rng.gen_range(-1.0..1.0)) * 0.5;
            v = v.clamp_each(5.0);
            // Bounded: turn back toward the centre outside a 10 m box.
            if x.x.abs() > 5.0 {
                v.x = -x.x.signum() * v.x.abs();
            }
            if x.y.abs() > 5.0 {
                v.y = -x.y.signum() * v.y.abs();
            }
            x += v * dt;
            pi.step(&c, v * dt);
        }
        let err = pi.position(&c).dist(x);
        assert!(err < 0.01, "error {err}");
    }
}
