//! `Acrobot-v1` (three torques) and its continuous-torque variant.

use crate::params::{positive, ParamSpec, Params};
use crate::{action_f32, check_state, f32c, pow2, ControlError, ControlInfo, Trial};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use sns_spaces::{BoxSpace, Env, StateSpace, Step};
use std::f64::consts::PI;

/// Acrobot-v1's parameters, by Gymnasium's (class attribute) names.
/// Read and set them by name with [`Params::get`] and [`Params::set`] (range checked).
///
/// As in Gymnasium, `LINK_LENGTH_2` changes nothing in the dynamics (only the drawing), and the
/// success test `-cos(th1) - cos(th1 + th2) > 1` assumes unit links whatever the lengths.
#[derive(Debug, Clone, Copy, PartialEq)]
#[allow(non_snake_case)]
pub struct AcrobotParams {
    /// `dt`: the time step, s (0.2).
    pub(crate) dt: f64,
    /// `LINK_LENGTH_1`, m (1).
    pub(crate) LINK_LENGTH_1: f64,
    /// `LINK_LENGTH_2`, m (1).
    pub(crate) LINK_LENGTH_2: f64,
    /// `LINK_MASS_1`, kg (1).
    pub(crate) LINK_MASS_1: f64,
    /// `LINK_MASS_2`, kg (1).
    pub(crate) LINK_MASS_2: f64,
    /// `LINK_COM_POS_1`: the centre of mass of link 1 from its joint, m (0.5).
    pub(crate) LINK_COM_POS_1: f64,
    /// `LINK_COM_POS_2`, m (0.5).
    pub(crate) LINK_COM_POS_2: f64,
    /// `LINK_MOI`: both links' moment of inertia (1).
    pub(crate) LINK_MOI: f64,
    /// `MAX_VEL_1`: joint 1's speed is clipped to +-`MAX_VEL_1` rad/s (4 pi).
    pub(crate) MAX_VEL_1: f64,
    /// `MAX_VEL_2`, rad/s (9 pi).
    pub(crate) MAX_VEL_2: f64,
}

impl Default for AcrobotParams {
    fn default() -> Self {
        Self {
            dt: 0.2,
            LINK_LENGTH_1: 1.0,
            LINK_LENGTH_2: 1.0,
            LINK_MASS_1: 1.0,
            LINK_MASS_2: 1.0,
            LINK_COM_POS_1: 0.5,
            LINK_COM_POS_2: 0.5,
            LINK_MOI: 1.0,
            MAX_VEL_1: 4.0 * PI,
            MAX_VEL_2: 9.0 * PI,
        }
    }
}

const SPECS: &[ParamSpec] = &[
    positive("dt", 1.0),
    positive("LINK_LENGTH_1", 10.0),
    positive("LINK_LENGTH_2", 10.0),
    positive("LINK_MASS_1", 100.0),
    positive("LINK_MASS_2", 100.0),
    positive("LINK_COM_POS_1", 10.0),
    positive("LINK_COM_POS_2", 10.0),
    positive("LINK_MOI", 100.0),
    positive("MAX_VEL_1", 1000.0),
    positive("MAX_VEL_2", 1000.0),
];

impl Params for AcrobotParams {
    const WORLD: &'static str = "acrobot";

    fn specs() -> &'static [ParamSpec] {
        SPECS
    }

    fn slot(&mut self, name: &str) -> Option<&mut f64> {
        Some(match name {
            "dt" => &mut self.dt,
            "LINK_LENGTH_1" => &mut self.LINK_LENGTH_1,
            "LINK_LENGTH_2" => &mut self.LINK_LENGTH_2,
            "LINK_MASS_1" => &mut self.LINK_MASS_1,
            "LINK_MASS_2" => &mut self.LINK_MASS_2,
            "LINK_COM_POS_1" => &mut self.LINK_COM_POS_1,
            "LINK_COM_POS_2" => &mut self.LINK_COM_POS_2,
            "LINK_MOI" => &mut self.LINK_MOI,
            "MAX_VEL_1" => &mut self.MAX_VEL_1,
            "MAX_VEL_2" => &mut self.MAX_VEL_2,
            _ => return None,
        })
    }
}

/// Acrobot-v1's three actions (Gymnasium's `Discrete(3)`: 0, 1, 2).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Torque {
    /// -1 N m (action 0).
    Negative,
    /// No torque (action 1).
    Zero,
    /// +1 N m (action 2).
    Positive,
}

impl Torque {
    /// Gymnasium's action index (`None` outside 0..=2).
    pub fn from_index(i: usize) -> Option<Self> {
        [Self::Negative, Self::Zero, Self::Positive].get(i).copied()
    }

    /// The torque, N m (`AVAIL_TORQUE[a]`).
    pub fn value(self) -> f64 {
        match self {
            Self::Negative => -1.0,
            Self::Zero => 0.0,
            Self::Positive => 1.0,
        }
    }
}

/// Gymnasium's `wrap(x, -pi, pi)`: whole periods added or subtracted until inside.
fn wrap(mut x: f64) -> f64 {
    let diff = PI - -PI;
    while x > PI {
        x -= diff;
    }
    while x < -PI {
        x += diff;
    }
    x
}

/// The acrobot's physics, shared by both action types.
#[derive(Debug, Clone)]
struct Core {
    params: AcrobotParams,
    state: [f64; 4],
    rng: ChaCha8Rng,
    trial: Trial,
}

impl Core {
    fn new(params: AcrobotParams) -> Self {
        Self {
            params,
            state: [0.0; 4],
            rng: ChaCha8Rng::seed_from_u64(0),
            trial: Trial::new(1),
        }
    }

    /// Gymnasium's `_dsdt` ("book" dynamics), term for term in its order.
    fn dsdt(&self, s: &[f64; 5]) -> [f64; 5] {
        let p = &self.params;
        let (m1, m2) = (p.LINK_MASS_1, p.LINK_MASS_2);
        let l1 = p.LINK_LENGTH_1;
        let (lc1, lc2) = (p.LINK_COM_POS_1, p.LINK_COM_POS_2);
        let (i1, i2) = (p.LINK_MOI, p.LINK_MOI);
        let g = 9.8;
        let a = s[4];
        let (theta1, theta2, dtheta1, dtheta2) = (s[0], s[1], s[2], s[3]);
        let d1 =
            m1 * pow2(lc1) + m2 * (pow2(l1) + pow2(lc2) + 2.0 * l1 * lc2 * theta2.cos()) + i1 + i2;
        let d2 = m2 * (pow2(lc2) + l1 * lc2 * theta2.cos()) + i2;
        let phi2 = m2 * lc2 * g * (theta1 + theta2 - PI / 2.0).cos();
        let phi1 = -m2 * l1 * lc2 * pow2(dtheta2) * theta2.sin()
            - 2.0 * m2 * l1 * lc2 * dtheta2 * dtheta1 * theta2.sin()
            + (m1 * lc1 + m2 * l1) * g * (theta1 - PI / 2.0).cos()
            + phi2;
        let ddtheta2 = (a + d2 / d1 * phi1 - m2 * l1 * lc2 * pow2(dtheta1) * theta2.sin() - phi2)
            / (m2 * pow2(lc2) + i2 - pow2(d2) / d1);
        let ddtheta1 = -(d2 * ddtheta2 + phi1) / d1;
        [dtheta1, dtheta2, ddtheta1, ddtheta2, 0.0]
    }

    /// One step: Gymnasium's `rk4` over `[0, dt]`, then the wraps and speed bounds.
    fn physics(&mut self, torque: f64) -> bool {
        let y0 = [
            self.state[0],
            self.state[1],
            self.state[2],
            self.state[3],
            torque,
        ];
        let dt = self.params.dt - 0.0;
        let dt2 = dt / 2.0;
        let along =
            |k: &[f64; 5], h: f64| -> [f64; 5] { std::array::from_fn(|i| y0[i] + h * k[i]) };
        let k1 = self.dsdt(&y0);
        let k2 = self.dsdt(&along(&k1, dt2));
        let k3 = self.dsdt(&along(&k2, dt2));
        let k4 = self.dsdt(&along(&k3, dt));
        let y: [f64; 5] =
            std::array::from_fn(|i| y0[i] + dt / 6.0 * (k1[i] + 2.0 * k2[i] + 2.0 * k3[i] + k4[i]));
        let p = &self.params;
        self.state = [
            wrap(y[0]),
            wrap(y[1]),
            y[2].max(-p.MAX_VEL_1).min(p.MAX_VEL_1),
            y[3].max(-p.MAX_VEL_2).min(p.MAX_VEL_2),
        ];
        self.terminal()
    }

    /// Gymnasium's `_terminal`: the tip above the bar by more than one link length.
    fn terminal(&self) -> bool {
        let s = &self.state;
        -s[0].cos() - (s[1] + s[0]).cos() > 1.0
    }

    fn obs(&self) -> [f64; 6] {
        let s = &self.state;
        [
            f32c(s[0].cos()),
            f32c(s[0].sin()),
            f32c(s[1].cos()),
            f32c(s[1].sin()),
            f32c(s[2]),
            f32c(s[3]),
        ]
    }

    fn reset(&mut self, seed: Option<u64>) -> ([f64; 6], ControlInfo<4>) {
        if let Some(s) = seed {
            self.rng = ChaCha8Rng::seed_from_u64(s);
        }
        // Gymnasium draws the four values as float64 and keeps them as float32.
        self.state = std::array::from_fn(|_| f32c(self.rng.gen_range(-0.1..0.1)));
        self.trial.restart();
        (self.obs(), self.trial.info(self.state))
    }

    fn reset_to(&mut self, state: [f64; 4]) -> Result<([f64; 6], ControlInfo<4>), ControlError> {
        check_state(&state)?;
        self.state = state;
        self.trial.restart();
        Ok((self.obs(), self.trial.info(self.state)))
    }

    fn step(&mut self, torque: f64) -> Step<[f64; 6], ControlInfo<4>> {
        let goal = self.physics(torque);
        let (terminated, truncated) = self.trial.record(goal);
        Step {
            obs: self.obs(),
            reward: if goal { 0.0 } else { -1.0 },
            terminated,
            truncated,
            info: self.trial.info(self.state),
        }
    }

    fn state_space(&self) -> StateSpace<4> {
        let p = &self.params;
        let b = BoxSpace::new(
            [-PI, -PI, -p.MAX_VEL_1, -p.MAX_VEL_2],
            [PI, PI, p.MAX_VEL_1, p.MAX_VEL_2],
        )
        .expect("ordered");
        StateSpace::new(
            b,
            [2.0 * PI, 2.0 * PI, 2.0 * p.MAX_VEL_1, 2.0 * p.MAX_VEL_2],
            [true, true, false, false],
        )
        .expect("positive scales")
    }
}

macro_rules! acrobot_world {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Debug, Clone)]
        pub struct $name {
            core: Core,
        }

        impl Default for $name {
            fn default() -> Self {
                Self::new(AcrobotParams::default())
            }
        }

        impl $name {
            /// Gymnasium's time limit for Acrobot-v1 (not applied unless set with
            /// [`Self::set_max_steps`]).
            pub const GYM_MAX_EPISODE_STEPS: u64 = 500;

            /// A world with these parameters, its generator seeded with 0, hanging at rest
            /// until the first reset.
            pub fn new(params: AcrobotParams) -> Self {
                Self { core: Core::new(params) }
            }

            /// The parameters.
            pub fn params(&self) -> &AcrobotParams {
                &self.core.params
            }

            /// The parameters, to set by name ([`Params::set`]); a change applies from the next
            /// step.
            pub fn params_mut(&mut self) -> &mut AcrobotParams {
                &mut self.core.params
            }

            /// Truncates trials after this many steps (`None`: never, the default).
            pub fn set_max_steps(&mut self, max_steps: Option<u64>) {
                self.core.trial.max_steps = max_steps;
            }

            /// The state `[th1, th2, w1, w2]` (angles wrapped into [-pi, pi]).
            pub fn state(&self) -> [f64; 4] {
                self.core.state
            }

            /// The state space: both angles periodic, the speeds within their bounds.
            pub fn state_space(&self) -> StateSpace<4> {
                self.core.state_space()
            }

            /// The observation space, Gymnasium's: `[cos th1, sin th1, cos th2, sin th2, w1, w2]`
            /// within `[1, 1, 1, 1, MAX_VEL_1, MAX_VEL_2]` either way.
            pub fn observation_space(&self) -> BoxSpace<6> {
                let p = &self.core.params;
                // Rounded to float32, as the observations are (Gymnasium's float32 `Box`).
                let (v1, v2) = (f32c(p.MAX_VEL_1), f32c(p.MAX_VEL_2));
                BoxSpace::new(
                    [-1.0, -1.0, -1.0, -1.0, -v1, -v2],
                    [1.0, 1.0, 1.0, 1.0, v1, v2],
                )
                .expect("ordered")
            }

            /// Starts a trial at exactly `state`.
            pub fn reset_to(
                &mut self,
                state: [f64; 4],
            ) -> Result<([f64; 6], ControlInfo<4>), ControlError> {
                self.core.reset_to(state)
            }
        }
    };
}

acrobot_world!(
    /// Acrobot-v1: two links hanging from a bar, torque -1, 0 or +1 N m on the second joint,
    /// RK4 over `dt = 0.2` s; start: each of `[th1, th2, w1, w2]` `~ U(-0.1, 0.1)` (kept as
    /// float32); reward -1 per step; success (ends the trial): `-cos(th1) - cos(th1 + th2) > 1`.
    /// Observation `[cos th1, sin th1, cos th2, sin th2, w1, w2]` in float32.
    Acrobot
);

acrobot_world!(
    /// Acrobot-v1's dynamics, start, reward and success with a continuous torque: the action is
    /// clipped to [-1, 1] N m (Gymnasium has no such variant; its `AVAIL_TORQUE` is the only
    /// difference).
    AcrobotContinuous
);

impl Env for Acrobot {
    type Obs = [f64; 6];
    type Act = Torque;
    type Info = ControlInfo<4>;

    fn reset(&mut self, seed: Option<u64>) -> ([f64; 6], ControlInfo<4>) {
        self.core.reset(seed)
    }

    fn step(&mut self, action: &Torque) -> Step<[f64; 6], ControlInfo<4>> {
        self.core.step(action.value())
    }
}

impl Env for AcrobotContinuous {
    type Obs = [f64; 6];
    type Act = [f64; 1];
    type Info = ControlInfo<4>;

    fn reset(&mut self, seed: Option<u64>) -> ([f64; 6], ControlInfo<4>) {
        self.core.reset(seed)
    }

    fn step(&mut self, action: &[f64; 1]) -> Step<[f64; 6], ControlInfo<4>> {
        let u = action_f32(action[0]).clamp(-1.0, 1.0);
        self.core.step(u as f64)
    }
}

impl AcrobotContinuous {
    /// The action space, `Box(-1, 1, (1,))`.
    pub fn action_space(&self) -> BoxSpace<1> {
        BoxSpace::new([-1.0], [1.0]).expect("ordered")
    }
}

/// The acrobot's total energy (kinetic + potential, zero at the bar), from the book's model.
pub(crate) fn energy(p: &AcrobotParams, s: &[f64; 4]) -> f64 {
    let (m1, m2, l1, lc1, lc2, i) = (
        p.LINK_MASS_1,
        p.LINK_MASS_2,
        p.LINK_LENGTH_1,
        p.LINK_COM_POS_1,
        p.LINK_COM_POS_2,
        p.LINK_MOI,
    );
    let [t1, t2, w1, w2] = *s;
    let d11 = m1 * lc1 * lc1 + m2 * (l1 * l1 + lc2 * lc2 + 2.0 * l1 * lc2 * t2.cos()) + 2.0 * i;
    let d12 = m2 * (lc2 * lc2 + l1 * lc2 * t2.cos()) + i;
    let d22 = m2 * lc2 * lc2 + i;
    let kinetic = 0.5 * (d11 * w1 * w1 + 2.0 * d12 * w1 * w2 + d22 * w2 * w2);
    let potential = -9.8 * (m1 * lc1 * t1.cos() + m2 * (l1 * t1.cos() + lc2 * (t1 + t2).cos()));
    kinetic + potential
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unforced_swing_keeps_its_energy() {
        let mut w = Acrobot::default();
        w.reset_to([1.0, -0.5, 0.0, 0.0]).expect("finite");
        let e0 = energy(w.params(), &w.state());
        for _ in 0..200 {
            w.step(&Torque::Zero);
        }
        let e1 = energy(w.params(), &w.state());
        // RK4 at dt = 0.2 drifts a little, but nowhere near the energy's scale (~10).
        assert!((e1 - e0).abs() < 0.1 * e0.abs(), "{e0} -> {e1}");
        assert!(w.state()[0].abs() <= PI && w.state()[1].abs() <= PI);
    }

    #[test]
    fn reset_draws_float32_values_in_the_box() {
        let mut w = Acrobot::default();
        w.reset(Some(5));
        let mut extreme = 0.0f64;
        for _ in 0..1000 {
            let (_, i) = w.reset(None);
            for v in i.state {
                assert!(v.abs() <= 0.1 && v == f32c(v));
                extreme = extreme.max(v.abs());
            }
        }
        assert!(extreme > 0.099);
    }

    #[test]
    fn tip_above_one_link_is_success_and_speeds_are_bounded() {
        let mut w = Acrobot::default();
        // Nearly upright and still: the first step ends the trial.
        w.reset_to([PI - 0.1, 0.0, 0.0, 0.0]).expect("finite");
        let s = w.step(&Torque::Zero);
        assert!(s.terminated && s.info.success && s.reward == 0.0);
        // Hanging still: no success, reward -1.
        w.reset_to([0.0; 4]).expect("finite");
        let s = w.step(&Torque::Zero);
        assert!(!s.terminated && s.reward == -1.0);
        // cos(-pi/2) is not exactly 0 in floating point: it creeps, by 1e-16.
        assert!(
            s.info.state.iter().all(|v| v.abs() < 1e-15),
            "{:?}",
            s.info.state
        );
        // Speeds are bounded even from absurd starts.
        w.reset_to([0.0, 0.0, 100.0, -100.0]).expect("finite");
        let s = w.step(&Torque::Positive);
        assert!(s.info.state[2].abs() <= 4.0 * PI && s.info.state[3].abs() <= 9.0 * PI);
    }

    #[test]
    fn continuous_torque_matches_the_discrete_one_at_the_levels_and_clips() {
        let mut d = Acrobot::default();
        let mut c = AcrobotContinuous::default();
        d.reset_to([0.05, -0.02, 0.01, 0.03]).expect("finite");
        c.reset_to([0.05, -0.02, 0.01, 0.03]).expect("finite");
        for k in 0..30 {
            let (t, u) = [
                (Torque::Positive, 3.0),
                (Torque::Negative, -1.0),
                (Torque::Zero, 0.0),
            ][k % 3];
            d.step(&t);
            c.step(&[u]);
            assert_eq!(d.state(), c.state());
        }
        assert_eq!(Torque::from_index(3), None);
        assert_eq!(Torque::from_index(0), Some(Torque::Negative));
    }

    #[test]
    fn parameters_are_range_checked() {
        let mut w = Acrobot::default();
        assert!(w.params_mut().set("LINK_MASS_2", 0.0).is_err());
        assert!(w.params_mut().set("link_mass_2", 2.0).is_err());
        w.params_mut().set("LINK_MASS_2", 2.0).expect("in range");
        assert_eq!(w.params().get("LINK_MASS_2"), Ok(2.0));
        assert!(w.reset_to([0.0, f64::NAN, 0.0, 0.0]).is_err());
    }
}
