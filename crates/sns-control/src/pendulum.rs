//! `Pendulum-v1`, with a swing-up-and-hold success.

use crate::params::{closed, positive, ParamSpec, Params};
use crate::{
    action_f32, angle_normalize, check_state, f32c, pow2, pow2_f32, ControlError, ControlInfo,
    Trial,
};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use sns_spaces::{BoxSpace, Env, StateSpace, Step};
use std::f64::consts::PI;

/// Pendulum-v1's parameters, by Gymnasium's names.
///
/// Read and set them by name with [`Params::get`] and [`Params::set`] (range checked).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PendulumParams {
    /// `max_speed`: the angular speed is clipped to +-`max_speed` rad/s (8).
    pub(crate) max_speed: f64,
    /// `max_torque`: the torque is clipped to +-`max_torque` N m (2).
    pub(crate) max_torque: f64,
    /// `dt`: the time step, s (0.05).
    pub(crate) dt: f64,
    /// `g`: gravity, m/s^2 (10).
    pub(crate) g: f64,
    /// `m`: the mass, kg (1).
    pub(crate) m: f64,
    /// `l`: the length, m (1).
    pub(crate) l: f64,
}

impl Default for PendulumParams {
    fn default() -> Self {
        Self {
            max_speed: 8.0,
            max_torque: 2.0,
            dt: 0.05,
            g: 10.0,
            m: 1.0,
            l: 1.0,
        }
    }
}

const SPECS: &[ParamSpec] = &[
    positive("max_speed", 100.0),
    closed("max_torque", 0.0, 100.0),
    positive("dt", 1.0),
    closed("g", 0.0, 100.0),
    positive("m", 100.0),
    positive("l", 100.0),
];

impl Params for PendulumParams {
    const WORLD: &'static str = "pendulum";

    fn specs() -> &'static [ParamSpec] {
        SPECS
    }

    fn slot(&mut self, name: &str) -> Option<&mut f64> {
        Some(match name {
            "max_speed" => &mut self.max_speed,
            "max_torque" => &mut self.max_torque,
            "dt" => &mut self.dt,
            "g" => &mut self.g,
            "m" => &mut self.m,
            "l" => &mut self.l,
            _ => return None,
        })
    }
}

/// Pendulum-v1: `th` from upright (unwrapped, as Gymnasium keeps it), start `th ~ U(-pi, pi)`,
/// `w ~ U(-1, 1)`; reward `-(norm(th)^2 + 0.1 w^2 + 0.001 u^2)`. Observation
/// `[cos th, sin th, w]` in float32.
///
/// Success: `|norm(th)| <= 0.2` for [`Pendulum::HOLD_STEPS`] consecutive steps (5 s).
#[derive(Debug, Clone)]
pub struct Pendulum {
    params: PendulumParams,
    state: [f64; 2],
    rng: ChaCha8Rng,
    trial: Trial,
}

impl Default for Pendulum {
    fn default() -> Self {
        Self::new(PendulumParams::default())
    }
}

impl Pendulum {
    /// Gymnasium's time limit for Pendulum-v1 (not applied unless set with
    /// [`Self::set_max_steps`]).
    pub const GYM_MAX_EPISODE_STEPS: u64 = 200;
    /// Consecutive steps upright that count as success.
    pub const HOLD_STEPS: u32 = 100;
    /// How far from upright (rad) counts as upright.
    pub const UPRIGHT: f64 = 0.2;

    /// A world with these parameters, its generator seeded with 0, hanging at rest until the
    /// first reset.
    pub fn new(params: PendulumParams) -> Self {
        Self {
            params,
            state: [PI, 0.0],
            rng: ChaCha8Rng::seed_from_u64(0),
            trial: Trial::new(Self::HOLD_STEPS),
        }
    }

    /// The parameters.
    pub fn params(&self) -> &PendulumParams {
        &self.params
    }

    /// The parameters, to set by name ([`Params::set`]); a change applies from the next step.
    pub fn params_mut(&mut self) -> &mut PendulumParams {
        &mut self.params
    }

    /// Truncates trials after this many steps (`None`: never, the default).
    pub fn set_max_steps(&mut self, max_steps: Option<u64>) {
        self.trial.max_steps = max_steps;
    }

    /// The state `[th, w]` (`th` unwrapped).
    pub fn state(&self) -> [f64; 2] {
        self.state
    }

    /// The state space: `th` periodic in [-pi, pi), `w` in +-`max_speed`.
    pub fn state_space(&self) -> StateSpace<2> {
        let s = self.params.max_speed;
        let b = BoxSpace::new([-PI, -s], [PI, s]).expect("ordered");
        StateSpace::new(b, [2.0 * PI, 2.0 * s], [true, false]).expect("positive scales")
    }

    /// The observation space, Gymnasium's: `[cos th, sin th, w]` within `[1, 1, max_speed]` either way.
    pub fn observation_space(&self) -> BoxSpace<3> {
        // Rounded to float32, as the observations are (Gymnasium's float32 `Box`).
        let s = f32c(self.params.max_speed);
        BoxSpace::new([-1.0, -1.0, -s], [1.0, 1.0, s]).expect("ordered")
    }

    /// The action space, Gymnasium's `Box(-max_torque, max_torque, (1,))`.
    pub fn action_space(&self) -> BoxSpace<1> {
        let t = self.params.max_torque;
        BoxSpace::new([-t], [t]).expect("ordered")
    }

    /// Starts a trial at exactly `state` `[th, w]`.
    pub fn reset_to(
        &mut self,
        state: [f64; 2],
    ) -> Result<([f64; 3], ControlInfo<2>), ControlError> {
        check_state(&state)?;
        self.state = state;
        self.trial.restart();
        Ok((self.obs(), self.trial.info(self.state)))
    }

    fn obs(&self) -> [f64; 3] {
        let [th, w] = self.state;
        [f32c(th.cos()), f32c(th.sin()), f32c(w)]
    }

    /// The state one step from `state` with the action `a`; for the oracle.
    pub(crate) fn transition(&mut self, state: [f64; 2], a: f64) -> [f64; 2] {
        self.state = state;
        self.physics(action_f32(a));
        self.state
    }

    /// One step of Gymnasium's dynamics; returns the reward.
    fn physics(&mut self, a: f32) -> f64 {
        let p = self.params;
        let [th, thdot] = self.state;
        // `np.clip(u, -max_torque, max_torque)` on the float32 action: float32 bounds.
        let t32 = p.max_torque as f32;
        let u = a.max(-t32).min(t32);
        // `0.001 * (u**2)` is float32 arithmetic.
        let torque_cost = (0.001f32 * pow2_f32(u)) as f64;
        let costs = pow2(angle_normalize(th)) + 0.1 * pow2(thdot) + torque_cost;
        // `3 * g / (2 * l) * sin(th)` in float64, `3.0 / (m * l**2) * u` in float32.
        let gravity = 3.0 * p.g / (2.0 * p.l) * th.sin();
        let drive = ((3.0 / (p.m * pow2(p.l))) as f32 * u) as f64;
        let newthdot = (thdot + (gravity + drive) * p.dt).clamp(-p.max_speed, p.max_speed);
        let newth = th + newthdot * p.dt;
        self.state = [newth, newthdot];
        -costs
    }
}

impl Env for Pendulum {
    type Obs = [f64; 3];
    type Act = [f64; 1];
    type Info = ControlInfo<2>;

    fn reset(&mut self, seed: Option<u64>) -> ([f64; 3], ControlInfo<2>) {
        if let Some(s) = seed {
            self.rng = ChaCha8Rng::seed_from_u64(s);
        }
        self.state = [self.rng.gen_range(-PI..PI), self.rng.gen_range(-1.0..1.0)];
        self.trial.restart();
        (self.obs(), self.trial.info(self.state))
    }

    fn step(&mut self, action: &[f64; 1]) -> Step<[f64; 3], ControlInfo<2>> {
        let reward = self.physics(action_f32(action[0]));
        let upright = angle_normalize(self.state[0]).abs() <= Self::UPRIGHT;
        let (terminated, truncated) = self.trial.record(upright);
        Step {
            obs: self.obs(),
            reward,
            terminated,
            truncated,
            info: self.trial.info(self.state),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reset_draws_from_gymnasiums_box() {
        let mut w = Pendulum::default();
        let mut lo = [f64::MAX; 2];
        let mut hi = [f64::MIN; 2];
        w.reset(Some(3));
        for _ in 0..3000 {
            let (o, i) = w.reset(None);
            let [th, v] = i.state;
            assert!((-PI..PI).contains(&th) && (-1.0..1.0).contains(&v));
            assert_eq!(o, [f32c(th.cos()), f32c(th.sin()), f32c(v)]);
            for k in 0..2 {
                lo[k] = lo[k].min(i.state[k]);
                hi[k] = hi[k].max(i.state[k]);
            }
        }
        assert!(lo[0] < -3.0 && hi[0] > 3.0 && lo[1] < -0.99 && hi[1] > 0.99);
    }

    #[test]
    fn torque_and_speed_are_clipped() {
        let mut a = Pendulum::default();
        let mut b = Pendulum::default();
        a.reset_to([PI / 2.0, 0.0]).expect("finite");
        b.reset_to([PI / 2.0, 0.0]).expect("finite");
        let ra = a.step(&[10.0]).reward;
        let rb = b.step(&[2.0]).reward;
        assert_eq!(a.state(), b.state());
        assert_eq!(ra, rb, "the clipped torque is charged");
        a.reset_to([0.0, 7.9]).expect("finite");
        for _ in 0..50 {
            let s = a.step(&[2.0]);
            assert!(s.info.state[1].abs() <= 8.0);
        }
    }

    #[test]
    fn free_swing_keeps_its_energy_roughly_and_no_torque_cannot_rise() {
        // From rest at 90 degrees, unforced, the pendulum never gets above its start.
        let mut w = Pendulum::default();
        w.params_mut().set("max_torque", 0.0).expect("in range");
        w.reset_to([PI / 2.0, 0.0]).expect("finite");
        for _ in 0..400 {
            let s = w.step(&[2.0]);
            assert!(!s.terminated);
            assert!(
                angle_normalize(s.info.state[0]).abs() > 0.5,
                "{:?}",
                s.info.state
            );
        }
    }

    #[test]
    fn holding_upright_for_100_steps_is_success() {
        let mut w = Pendulum::default();
        w.reset_to([0.0, 0.0]).expect("finite");
        let mut end = None;
        for t in 1..=200u32 {
            // A PD controller holds it up.
            let [th, v] = w.state();
            let u = -(10.0 * angle_normalize(th) + 2.0 * v);
            let s = w.step(&[u]);
            if s.terminated {
                end = Some(t);
                break;
            }
            assert_eq!(s.info.held, t);
        }
        assert_eq!(end, Some(Pendulum::HOLD_STEPS));
        // Falling resets the count.
        w.reset_to([0.19, 3.0]).expect("finite");
        let s = w.step(&[0.0]);
        assert_eq!(s.info.held, 0);
    }

    #[test]
    fn reward_is_gymnasiums_cost() {
        let mut w = Pendulum::default();
        w.reset_to([PI, 0.0]).expect("finite");
        let r = w.step(&[0.0]).reward;
        assert!((r + PI * PI).abs() < 1e-9, "{r}");
        assert!(w.params_mut().set("m", 0.0).is_err());
        assert!(w.params_mut().set("g", 101.0).is_err());
        w.params_mut().set("m", 1.5).expect("in range");
        assert_eq!(w.params().get("m"), Ok(1.5));
    }
}
