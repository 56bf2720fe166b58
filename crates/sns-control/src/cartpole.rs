//! A cart-pole swing-up on `CartPole-v1`'s physics.

use crate::params::{closed, positive, ParamSpec, Params};
use crate::{action_f32, angle_normalize, check_state, f32c, ControlError, ControlInfo, Trial};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use sns_spaces::{BoxSpace, Env, StateSpace, Step};
use std::f64::consts::PI;

/// CartPole-v1's physical parameters, by Gymnasium's names (`total_mass` and
/// `polemass_length` are derived from them at every step, as Gymnasium derives them once).
/// Read and set them by name with [`Params::get`] and [`Params::set`] (range checked).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct CartPoleParams {
    /// `gravity`, m/s^2 (9.8).
    pub(crate) gravity: f64,
    /// `masscart`, kg (1).
    pub(crate) masscart: f64,
    /// `masspole`, kg (0.1).
    pub(crate) masspole: f64,
    /// `length`: half the pole's length, m (0.5).
    pub(crate) length: f64,
    /// `force_mag`: the force is clipped to +-`force_mag` N (10).
    pub(crate) force_mag: f64,
    /// `tau`: the time step, s (0.02).
    pub(crate) tau: f64,
    /// `x_threshold`: the track's ends, inelastic stops here (2.4 m).
    pub(crate) x_threshold: f64,
}

impl Default for CartPoleParams {
    fn default() -> Self {
        Self {
            gravity: 9.8,
            masscart: 1.0,
            masspole: 0.1,
            length: 0.5,
            force_mag: 10.0,
            tau: 0.02,
            x_threshold: 2.4,
        }
    }
}

const SPECS: &[ParamSpec] = &[
    closed("gravity", 0.0, 100.0),
    positive("masscart", 100.0),
    positive("masspole", 100.0),
    positive("length", 100.0),
    closed("force_mag", 0.0, 1000.0),
    positive("tau", 1.0),
    positive("x_threshold", 100.0),
];

impl Params for CartPoleParams {
    const WORLD: &'static str = "cartpole-swingup";

    fn specs() -> &'static [ParamSpec] {
        SPECS
    }

    fn slot(&mut self, name: &str) -> Option<&mut f64> {
        Some(match name {
            "gravity" => &mut self.gravity,
            "masscart" => &mut self.masscart,
            "masspole" => &mut self.masspole,
            "length" => &mut self.length,
            "force_mag" => &mut self.force_mag,
            "tau" => &mut self.tau,
            "x_threshold" => &mut self.x_threshold,
            _ => return None,
        })
    }
}

/// The cart-pole swing-up: CartPole-v1's equations and Euler step with a continuous force in
/// [-`force_mag`, `force_mag`] N, the pole starting down, and the track's ends as inelastic stops
/// instead of termination.
///
/// State `[x, x_dot, theta, theta_dot]`, `theta` from upright (unwrapped) as in CartPole-v1.
/// Start: each value `~ U(-0.05, 0.05)` as CartPole-v1 draws it, then `theta += pi` (down).
/// The stops: after the Euler step, a cart beyond `+-x_threshold` is put back on the end and
/// its speed out of the track set to 0 (the pole keeps its state). Reward -1 per step (0 on the
/// step that succeeds): CartPole-v1's +1 per step rewards balancing, not swinging up. Success:
/// `|norm(theta)| <= 0.2` and `|x| <= x_threshold` for [`CartPoleSwingUp::HOLD_STEPS`]
/// consecutive steps (2 s). Observation: the state in float32, as CartPole-v1's.
#[derive(Debug, Clone)]
pub struct CartPoleSwingUp {
    params: CartPoleParams,
    state: [f64; 4],
    rng: ChaCha8Rng,
    trial: Trial,
}

impl Default for CartPoleSwingUp {
    fn default() -> Self {
        Self::new(CartPoleParams::default())
    }
}

impl CartPoleSwingUp {
    /// Consecutive steps upright that count as success.
    pub const HOLD_STEPS: u32 = 100;
    /// How far from upright (rad) counts as upright.
    pub const UPRIGHT: f64 = 0.2;

    /// A world with these parameters, its generator seeded with 0, the pole hanging at rest
    /// until the first reset.
    pub fn new(params: CartPoleParams) -> Self {
        Self {
            params,
            state: [0.0, 0.0, PI, 0.0],
            rng: ChaCha8Rng::seed_from_u64(0),
            trial: Trial::new(Self::HOLD_STEPS),
        }
    }

    /// The parameters.
    pub fn params(&self) -> &CartPoleParams {
        &self.params
    }

    /// The parameters, to set by name ([`Params::set`]); a change applies from the next step.
    pub fn params_mut(&mut self) -> &mut CartPoleParams {
        &mut self.params
    }

    /// Truncates trials after this many steps (`None`: never, the default).
    pub fn set_max_steps(&mut self, max_steps: Option<u64>) {
        self.trial.max_steps = max_steps;
    }

    /// The state `[x, x_dot, theta, theta_dot]`.
    pub fn state(&self) -> [f64; 4] {
        self.state
    }

    /// The state space: `x` on the track, `theta` periodic; the speeds are unbounded in the
    /// physics, so their bounds here (+-10 m/s, +-30 rad/s) only set the scale.
    pub fn state_space(&self) -> StateSpace<4> {
        let x = self.params.x_threshold;
        let b = BoxSpace::new([-x, -10.0, -PI, -30.0], [x, 10.0, PI, 30.0]).expect("ordered");
        StateSpace::new(
            b,
            [2.0 * x, 20.0, 2.0 * PI, 60.0],
            [false, false, true, false],
        )
        .expect("positive scales")
    }

    /// The observation space: the state, `x` on the track (the stops keep it there), the rest
    /// unbounded (the angle is not wrapped, as in CartPole-v1).
    pub fn observation_space(&self) -> BoxSpace<4> {
        let (x, inf) = (f32c(self.params.x_threshold), f64::INFINITY);
        BoxSpace::new([-x, -inf, -inf, -inf], [x, inf, inf, inf]).expect("ordered")
    }

    /// The action space, `Box(-force_mag, force_mag, (1,))`.
    pub fn action_space(&self) -> BoxSpace<1> {
        let f = self.params.force_mag;
        BoxSpace::new([-f], [f]).expect("ordered")
    }

    /// Starts a trial at exactly `state`.
    pub fn reset_to(
        &mut self,
        state: [f64; 4],
    ) -> Result<([f64; 4], ControlInfo<4>), ControlError> {
        check_state(&state)?;
        self.state = state;
        self.trial.restart();
        Ok((self.obs(), self.trial.info(self.state)))
    }

    fn obs(&self) -> [f64; 4] {
        self.state.map(f32c)
    }

    /// One step: CartPole-v1's equations with `force`, term for term in its order, its Euler
    /// update, then the stops.
    fn physics(&mut self, force: f64) {
        let p = &self.params;
        let total_mass = p.masspole + p.masscart;
        let polemass_length = p.masspole * p.length;
        let [mut x, mut x_dot, mut theta, mut theta_dot] = self.state;
        let costheta = theta.cos();
        let sintheta = theta.sin();
        let temp = (force + polemass_length * (theta_dot * theta_dot) * sintheta) / total_mass;
        let thetaacc = (p.gravity * sintheta - costheta * temp)
            / (p.length * (4.0 / 3.0 - p.masspole * (costheta * costheta) / total_mass));
        let xacc = temp - polemass_length * thetaacc * costheta / total_mass;
        x += p.tau * x_dot;
        x_dot += p.tau * xacc;
        theta += p.tau * theta_dot;
        theta_dot += p.tau * thetaacc;
        let end = p.x_threshold;
        if x > end {
            x = end;
            x_dot = x_dot.min(0.0);
        } else if x < -end {
            x = -end;
            x_dot = x_dot.max(0.0);
        }
        self.state = [x, x_dot, theta, theta_dot];
    }
}

impl Env for CartPoleSwingUp {
    type Obs = [f64; 4];
    type Act = [f64; 1];
    type Info = ControlInfo<4>;

    fn reset(&mut self, seed: Option<u64>) -> ([f64; 4], ControlInfo<4>) {
        if let Some(s) = seed {
            self.rng = ChaCha8Rng::seed_from_u64(s);
        }
        let mut s: [f64; 4] = std::array::from_fn(|_| self.rng.gen_range(-0.05..0.05));
        s[2] += PI;
        self.state = s;
        self.trial.restart();
        (self.obs(), self.trial.info(self.state))
    }

    fn step(&mut self, action: &[f64; 1]) -> Step<[f64; 4], ControlInfo<4>> {
        let f = self.params.force_mag;
        let force = (action_f32(action[0]) as f64).clamp(-f, f);
        self.physics(force);
        let [x, _, theta, _] = self.state;
        let up =
            angle_normalize(theta).abs() <= Self::UPRIGHT && x.abs() <= self.params.x_threshold;
        let (terminated, truncated) = self.trial.record(up);
        Step {
            obs: self.obs(),
            reward: if terminated { 0.0 } else { -1.0 },
            terminated,
            truncated,
            info: self.trial.info(self.state),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Total energy of the cart and a uniform rod of half-length `length` (pivot height zero).
    fn energy(p: &CartPoleParams, s: &[f64; 4]) -> f64 {
        let [_, v, th, w] = *s;
        let (m, mp, l) = (p.masscart, p.masspole, p.length);
        // Rod centre velocity: cart + rotation; moment of inertia about the centre m l^2 / 3.
        let vx = v + l * w * th.cos();
        let vy = -l * w * th.sin();
        0.5 * m * v * v
            + 0.5 * mp * (vx * vx + vy * vy)
            + 0.5 * (mp * l * l / 3.0) * w * w
            + mp * p.gravity * l * th.cos()
    }

    #[test]
    fn reset_starts_the_pole_down() {
        let mut w = CartPoleSwingUp::default();
        w.reset(Some(11));
        for _ in 0..1000 {
            let (o, i) = w.reset(None);
            let [x, v, th, om] = i.state;
            assert!(x.abs() <= 0.05 && v.abs() <= 0.05 && om.abs() <= 0.05);
            assert!((th - PI).abs() <= 0.05);
            assert_eq!(o, i.state.map(f32c));
        }
    }

    #[test]
    fn unforced_swing_roughly_keeps_its_energy() {
        // Explicit Euler gains energy (fast at tau = 0.02); with a small step the equations
        // must conserve the energy of a cart and a uniform rod.
        let mut w = CartPoleSwingUp::default();
        w.params_mut().set("tau", 1e-5).expect("in range");
        w.reset_to([0.0, 0.0, PI / 2.0, 0.0]).expect("finite");
        let e0 = energy(w.params(), &w.state());
        let mut swing = 0.0f64;
        for _ in 0..100_000 {
            w.step(&[0.0]);
            swing = swing.max(w.state()[3].abs());
        }
        let e1 = energy(w.params(), &w.state());
        assert!(swing > 3.0, "it swung: {swing}");
        // The swing's energy scale is m_p g l = 0.49 J.
        assert!((e1 - e0).abs() < 2e-3, "{e0} -> {e1}");
    }

    #[test]
    fn track_ends_are_inelastic_stops_and_force_is_clipped() {
        let mut w = CartPoleSwingUp::default();
        w.reset_to([2.39, 1.0, PI, 0.0]).expect("finite");
        let s = w.step(&[10.0]);
        assert_eq!(s.info.state[0], 2.4);
        assert_eq!(s.info.state[1], 0.0);
        assert!(!s.terminated);
        w.reset_to([-2.4, -0.5, PI, 0.0]).expect("finite");
        let s = w.step(&[-10.0]);
        assert_eq!((s.info.state[0], s.info.state[1]), (-2.4, 0.0));
        let mut a = CartPoleSwingUp::default();
        let mut b = CartPoleSwingUp::default();
        a.reset_to([0.0, 0.0, PI, 0.0]).expect("finite");
        b.reset_to([0.0, 0.0, PI, 0.0]).expect("finite");
        a.step(&[1e6]);
        b.step(&[10.0]);
        assert_eq!(a.state(), b.state());
    }

    #[test]
    fn balancing_upright_for_100_steps_is_success() {
        let mut w = CartPoleSwingUp::default();
        w.reset_to([0.0, 0.0, 0.0, 0.0]).expect("finite");
        let mut end = None;
        for t in 1..=300u32 {
            let [x, v, th, om] = w.state();
            // A stabilising linear feedback.
            let u = 1.0 * x + 2.0 * v + 30.0 * angle_normalize(th) + 5.0 * om;
            let s = w.step(&[u]);
            if s.terminated {
                end = Some(t);
                assert_eq!(s.reward, 0.0);
                break;
            }
            assert_eq!(s.reward, -1.0);
        }
        assert_eq!(end, Some(CartPoleSwingUp::HOLD_STEPS));
        w.reset_to([0.0, 0.0, PI, 0.0]).expect("finite");
        assert_eq!(w.step(&[0.0]).info.held, 0);
    }

    #[test]
    fn parameters_are_range_checked() {
        let mut w = CartPoleSwingUp::default();
        assert!(w.params_mut().set("length", -0.5).is_err());
        assert!(w.params_mut().set("force_mag", 1e9).is_err());
        w.params_mut().set("length", 1.0).expect("in range");
        assert_eq!(w.params().get("length"), Ok(1.0));
        assert!(w.reset_to([0.0, 0.0, f64::INFINITY, 0.0]).is_err());
    }
}
