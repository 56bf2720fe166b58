//! `MountainCarContinuous-v0`.

use crate::params::{closed, positive, whole, ParamSpec, Params};
use crate::{action_f32, check_state, f32c, pow2, ControlError, ControlInfo, Trial};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use sns_spaces::{BoxSpace, Env, StateSpace, Step};

/// MountainCarContinuous-v0's parameters, by Gymnasium's names.
///
/// Read and set them by name with [`Params::get`] and [`Params::set`] (range checked).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct MountainCarParams {
    /// `power`: acceleration per unit of force (0.0015).
    pub(crate) power: f64,
    /// `goal_position`: success at `x >= goal_position` (0.45).
    pub(crate) goal_position: f64,
    /// `goal_velocity`: ... and `v >= goal_velocity` (0).
    pub(crate) goal_velocity: f64,
    /// `goal_left` (not Gymnasium's; 0 or 1, default 0): 1 puts the goal on the left hill,
    /// mirrored: success at `x <= goal_position` and `v <= -goal_velocity` (with
    /// `goal_position = -1.1`: issue 12's "goal on the left hill").
    pub(crate) goal_left: f64,
    /// `max_speed`: the speed is clipped to +-`max_speed` (0.07).
    pub(crate) max_speed: f64,
    /// `min_position`: the inelastic left stop (-1.2).
    pub(crate) min_position: f64,
    /// `max_position`: the right end, where the position is clipped (0.6).
    pub(crate) max_position: f64,
}

impl Default for MountainCarParams {
    fn default() -> Self {
        Self {
            power: 0.0015,
            goal_position: 0.45,
            goal_velocity: 0.0,
            goal_left: 0.0,
            max_speed: 0.07,
            min_position: -1.2,
            max_position: 0.6,
        }
    }
}

const SPECS: &[ParamSpec] = &[
    closed("power", 0.0, 0.1),
    closed("goal_position", -1.2, 0.6),
    closed("goal_velocity", -0.07, 0.07),
    whole("goal_left", 0.0, 1.0),
    positive("max_speed", 1.0),
    closed("min_position", -2.0, -0.6),
    closed("max_position", 0.0, 1.0),
];

impl MountainCarParams {
    /// Whether the goal is on the left hill (`goal_left = 1`): success at `x <= goal_position`
    /// and `v <= -goal_velocity` instead of Gymnasium's `x >= goal_position` and
    /// `v >= goal_velocity`.
    pub fn goal_on_left(&self) -> bool {
        self.goal_left != 0.0
    }

    /// The goal region `[low, high]` over `[x, v]` (unbounded sides infinite).
    pub fn goal_box(&self) -> ([f64; 2], [f64; 2]) {
        if self.goal_on_left() {
            (
                [f64::NEG_INFINITY; 2],
                [self.goal_position, -self.goal_velocity],
            )
        } else {
            ([self.goal_position, self.goal_velocity], [f64::INFINITY; 2])
        }
    }
}

impl Params for MountainCarParams {
    const WORLD: &'static str = "mountaincar";

    fn specs() -> &'static [ParamSpec] {
        SPECS
    }

    fn slot(&mut self, name: &str) -> Option<&mut f64> {
        Some(match name {
            "power" => &mut self.power,
            "goal_position" => &mut self.goal_position,
            "goal_velocity" => &mut self.goal_velocity,
            "goal_left" => &mut self.goal_left,
            "max_speed" => &mut self.max_speed,
            "min_position" => &mut self.min_position,
            "max_position" => &mut self.max_position,
            _ => return None,
        })
    }
}

/// A number as NumPy types it: float64 (NumPy's or a Python float) or NumPy float32. The type
/// decides how Gymnasium's arithmetic and comparisons round (NumPy 2's rules: a Python float
/// meeting a float32 is cast to float32 first).
#[derive(Debug, Clone, Copy)]
struct Num {
    v: f64,
    f32: bool,
}

impl Num {
    fn f64(v: f64) -> Self {
        Self { v, f32: false }
    }

    /// `self > x` for a Python float `x`.
    fn gt(self, x: f64) -> bool {
        if self.f32 {
            (self.v as f32) > (x as f32)
        } else {
            self.v > x
        }
    }

    /// `self < x` for a Python float `x`.
    fn lt(self, x: f64) -> bool {
        if self.f32 {
            (self.v as f32) < (x as f32)
        } else {
            self.v < x
        }
    }

    /// `self >= x` for a Python float `x`.
    fn ge(self, x: f64) -> bool {
        !self.lt(x)
    }

    /// `self <= x` for a Python float `x`.
    fn le(self, x: f64) -> bool {
        !self.gt(x)
    }

    /// `self == x` for a Python float `x`.
    fn eq(self, x: f64) -> bool {
        if self.f32 {
            (self.v as f32) == (x as f32)
        } else {
            self.v == x
        }
    }

    /// `self + other` with NumPy's promotion: float32 only when both are float32, or one is
    /// float32 and the other a Python float; here `other_python` says the latter.
    fn add(self, other: Num, other_python: bool) -> Num {
        if self.f32 && (other.f32 || other_python) {
            Num {
                v: ((self.v as f32) + (other.v as f32)) as f64,
                f32: true,
            }
        } else {
            Num::f64(self.v + other.v)
        }
    }
}

/// MountainCarContinuous-v0: a car in a valley, `x` in [-1.2, 0.6], speed in [-0.07, 0.07],
/// start `x ~ U(-0.6, -0.4)`, `v = 0`; reward 100 at the goal minus `0.1 a^2` per step.
///
/// The state is `[x, v]`. Gymnasium stores it as float64 after a reset and as float32 after
/// every step, and computes the step partly in float32; this world does the same.
#[derive(Debug, Clone)]
pub struct MountainCar {
    params: MountainCarParams,
    state: [f64; 2],
    /// Whether the state is float32 (after a step) rather than float64 (after a reset).
    state_f32: bool,
    rng: ChaCha8Rng,
    trial: Trial,
}

impl Default for MountainCar {
    fn default() -> Self {
        Self::new(MountainCarParams::default())
    }
}

impl MountainCar {
    /// Gymnasium's time limit for MountainCarContinuous-v0 (not applied unless set with
    /// [`Self::set_max_steps`]).
    pub const GYM_MAX_EPISODE_STEPS: u64 = 999;

    /// A world with these parameters, its generator seeded with 0, in the state `[-0.5, 0]`
    /// until the first reset.
    pub fn new(params: MountainCarParams) -> Self {
        Self {
            params,
            state: [-0.5, 0.0],
            state_f32: false,
            rng: ChaCha8Rng::seed_from_u64(0),
            trial: Trial::new(1),
        }
    }

    /// The parameters.
    pub fn params(&self) -> &MountainCarParams {
        &self.params
    }

    /// The parameters, to set by name ([`Params::set`]); a change applies from the next step.
    pub fn params_mut(&mut self) -> &mut MountainCarParams {
        &mut self.params
    }

    /// Truncates trials after this many steps (`None`: never, the default).
    pub fn set_max_steps(&mut self, max_steps: Option<u64>) {
        self.trial.max_steps = max_steps;
    }

    /// The state `[x, v]`.
    pub fn state(&self) -> [f64; 2] {
        self.state
    }

    /// The state space: x in [`min_position`, `max_position`], v in +-`max_speed` (bounds rounded
    /// to float32), no periodic axis.
    pub fn state_space(&self) -> StateSpace<2> {
        let p = &self.params;
        // Rounded to float32 like the state after a step (f32(-1.2) < -1.2), so the state is
        // always inside.
        let b = BoxSpace::new(
            [f32c(p.min_position), f32c(-p.max_speed)],
            [f32c(p.max_position), f32c(p.max_speed)],
        )
        .expect("parameter ranges keep the bounds ordered");
        StateSpace::new(
            b,
            [p.max_position - p.min_position, 2.0 * p.max_speed],
            [false; 2],
        )
        .expect("positive scales")
    }

    /// The observation space, Gymnasium's float32 `Box`: `[x, v]` within the position and speed
    /// bounds, rounded to float32 as the observations are.
    pub fn observation_space(&self) -> BoxSpace<2> {
        *self.state_space().bounds()
    }

    /// The action space, Gymnasium's `Box(-1, 1, (1,))`.
    pub fn action_space(&self) -> BoxSpace<1> {
        BoxSpace::new([-1.0], [1.0]).expect("ordered")
    }

    /// Starts a trial at exactly `state` (held as float64, as after Gymnasium's reset).
    pub fn reset_to(
        &mut self,
        state: [f64; 2],
    ) -> Result<([f64; 2], ControlInfo<2>), ControlError> {
        check_state(&state)?;
        self.state = state;
        self.state_f32 = false;
        self.trial.restart();
        Ok((self.obs(), self.trial.info(self.state)))
    }

    fn obs(&self) -> [f64; 2] {
        [f32c(self.state[0]), f32c(self.state[1])]
    }

    /// Whether `[x, v]` is in the goal region (Gymnasium's termination test; mirrored when the
    /// goal is on the left hill).
    fn at_goal(&self, x: Num, v: Num) -> bool {
        let p = &self.params;
        if p.goal_on_left() {
            x.le(p.goal_position) && v.le(-p.goal_velocity)
        } else {
            x.ge(p.goal_position) && v.ge(p.goal_velocity)
        }
    }

    /// The landing state and whether it is the goal, one step from `state` (taken as float64,
    /// as after a reset) with the action `a`; for the oracle.
    pub(crate) fn transition(&mut self, state: [f64; 2], a: f64) -> ([f64; 2], bool) {
        self.state = state;
        self.state_f32 = false;
        let (_, goal) = self.physics(action_f32(a));
        (self.state, goal)
    }

    /// One step of Gymnasium's dynamics; returns (reward, at goal).
    fn physics(&mut self, a: f32) -> (f64, bool) {
        let p = self.params;
        let x = Num {
            v: self.state[0],
            f32: self.state_f32,
        };
        let v = Num {
            v: self.state[1],
            f32: self.state_f32,
        };
        // `force = min(max(action[0], -1.0), 1.0)`: the float32 action, or a Python float
        // when clipped.
        let force = if a < -1.0 {
            Num::f64(-1.0)
        } else if a > 1.0 {
            Num::f64(1.0)
        } else {
            Num {
                v: a as f64,
                f32: true,
            }
        };
        // `0.0025 * math.cos(3 * position)`: 3 * position in the position's type, the cosine
        // and the product in float64 (a Python float).
        let three_x = if x.f32 {
            (3.0f32 * x.v as f32) as f64
        } else {
            3.0 * x.v
        };
        let hill = 0.0025 * three_x.cos();
        // `force * power - hill`: float32 when the force is, else float64.
        let dv = if force.f32 {
            let fp = (force.v as f32) * (p.power as f32);
            Num {
                v: (fp - hill as f32) as f64,
                f32: true,
            }
        } else {
            Num::f64(force.v * p.power - hill)
        };
        let mut vel = v.add(dv, !dv.f32);
        let mut vel_python = false;
        if vel.gt(p.max_speed) {
            vel = Num::f64(p.max_speed);
            vel_python = true;
        }
        if vel.lt(-p.max_speed) {
            vel = Num::f64(-p.max_speed);
            vel_python = true;
        }
        let mut pos = x.add(vel, vel_python);
        if pos.gt(p.max_position) {
            pos = Num::f64(p.max_position);
        }
        if pos.lt(p.min_position) {
            pos = Num::f64(p.min_position);
        }
        if pos.eq(p.min_position) && vel.lt(0.0) {
            vel = Num::f64(0.0);
        }
        let goal = self.at_goal(pos, vel);
        let a64 = a as f64;
        // `math.pow(action[0], 2) * 0.1`.
        let reward = if goal { 100.0 } else { 0.0 } - pow2(a64) * 0.1;
        self.state = [f32c(pos.v), f32c(vel.v)];
        self.state_f32 = true;
        (reward, goal)
    }
}

impl Env for MountainCar {
    type Obs = [f64; 2];
    type Act = [f64; 1];
    type Info = ControlInfo<2>;

    fn reset(&mut self, seed: Option<u64>) -> ([f64; 2], ControlInfo<2>) {
        if let Some(s) = seed {
            self.rng = ChaCha8Rng::seed_from_u64(s);
        }
        self.state = [self.rng.gen_range(-0.6..-0.4), 0.0];
        self.state_f32 = false;
        self.trial.restart();
        (self.obs(), self.trial.info(self.state))
    }

    fn step(&mut self, action: &[f64; 1]) -> Step<[f64; 2], ControlInfo<2>> {
        let (reward, goal) = self.physics(action_f32(action[0]));
        let (terminated, truncated) = self.trial.record(goal);
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
    fn reset_draws_from_gymnasiums_interval() {
        let mut w = MountainCar::default();
        let (first, _) = w.reset(Some(7));
        let mut xs = vec![];
        for _ in 0..2000 {
            let (o, i) = w.reset(None);
            assert_eq!(i.state[1], 0.0);
            assert!((-0.6..-0.4).contains(&i.state[0]));
            assert_eq!(o[0], f32c(i.state[0]));
            xs.push(i.state[0]);
        }
        let mean = xs.iter().sum::<f64>() / xs.len() as f64;
        assert!((mean + 0.5).abs() < 0.005, "mean {mean}");
        assert!(xs.iter().any(|&x| x < -0.59) && xs.iter().any(|&x| x > -0.41));
        assert_eq!(w.reset(Some(7)).0, first);
    }

    #[test]
    fn speed_is_clipped_and_the_left_stop_is_inelastic() {
        let mut w = MountainCar::default();
        w.reset_to([-0.5, 0.07]).expect("finite");
        w.step(&[1.0]);
        assert!(w.state()[1] <= f32c(0.07));
        w.reset_to([-1.19, -0.07]).expect("finite");
        let s = w.step(&[-1.0]);
        assert_eq!(s.info.state[0], f32c(-1.2));
        assert!(w.state_space().bounds().contains(&s.info.state));
        assert_eq!(s.info.state[1], 0.0);
        // The hill there is steeper than full power: even pushing left, the car leaves the stop.
        let s = w.step(&[-1.0]);
        assert!(
            s.info.state[0] > -1.2 && s.info.state[1] > 0.0,
            "{:?}",
            s.info.state
        );
    }

    #[test]
    fn action_is_clipped_but_charged_in_full() {
        let mut a = MountainCar::default();
        let mut b = MountainCar::default();
        a.reset_to([-0.5, 0.0]).expect("finite");
        b.reset_to([-0.5, 0.0]).expect("finite");
        let sa = a.step(&[5.0]);
        let sb = b.step(&[1.0]);
        assert_eq!(sa.info.state, sb.info.state);
        assert!((sa.reward + 2.5).abs() < 1e-9, "{}", sa.reward);
    }

    #[test]
    fn goal_ends_the_trial_with_the_bonus() {
        let mut w = MountainCar::default();
        w.reset_to([0.44, 0.02]).expect("finite");
        let s = w.step(&[1.0]);
        assert!(s.terminated && s.info.success && !s.truncated);
        assert!((s.reward - 99.9).abs() < 1e-9);
        // Arriving with a negative speed is not the goal (goal_velocity = 0).
        w.reset_to([0.5, -0.01]).expect("finite");
        assert!(!w.step(&[0.0]).terminated);
    }

    #[test]
    fn the_goal_on_the_left_hill_is_mirrored() {
        let mut p = MountainCarParams::default();
        p.set("goal_left", 1.0).expect("a switch");
        p.set("goal_position", -1.1).expect("in range");
        assert!(p.goal_on_left());
        assert!(matches!(
            p.clone().set("goal_left", 0.5),
            Err(crate::ParamError::OutOfRange { whole: true, .. })
        ));
        assert!(p.clone().set("goal_left", 2.0).is_err());
        let mut w = MountainCar::new(p);
        // Arriving at x <= -1.1 moving left is success; the right hill's top is not.
        w.reset_to([-1.09, -0.02]).expect("finite");
        let s = w.step(&[-1.0]);
        assert!(
            s.terminated && s.info.state[0] <= -1.1,
            "{:?}",
            s.info.state
        );
        w.reset_to([0.44, 0.05]).expect("finite");
        let s = w.step(&[1.0]);
        assert!(!s.terminated && s.info.state[0] >= 0.45);
        // Pumping reaches the left goal, within the grid oracle's claim (plus its error).
        let oracle = crate::MountainCarOracle::new(p, crate::MountainCarOracle::DEFAULT_CELLS);
        let claim = oracle.min_steps([-0.5, 0.0]).expect("reachable");
        w.reset_to([-0.5, 0.0]).expect("finite");
        let mut pumped = None;
        for t in 1..=1000u64 {
            // Pumping, but not over the right hill's top (the right end clips the position,
            // not the speed: a car pushed there stays there).
            let [x, v] = w.state();
            let a = if v > 0.0 && x < 0.0 { 1.0 } else { -1.0 };
            if w.step(&[a]).terminated {
                pumped = Some(t);
                break;
            }
        }
        let pumped = pumped.expect("pumping reaches the left hill");
        assert!(
            pumped + 3 >= claim,
            "pumping {pumped} beat the oracle {claim}"
        );
        // The oracle's own policy on the true dynamics gets there within its grid error.
        w.reset_to([-0.5, 0.0]).expect("finite");
        let mut greedy = None;
        for t in 1..=3 * claim {
            if w.step(&[oracle.best_action(w.state())]).terminated {
                greedy = Some(t);
                break;
            }
        }
        let greedy = greedy.expect("the oracle's policy reaches the left hill");
        assert!(
            greedy.abs_diff(claim) <= 3,
            "claimed {claim}, greedy took {greedy}"
        );
    }

    #[test]
    fn energy_pumping_reaches_the_goal_and_no_power_never_does() {
        let mut w = MountainCar::default();
        w.reset_to([-0.5, 0.0]).expect("finite");
        let mut solved = None;
        for t in 0..400 {
            let a = if w.state()[1] >= 0.0 { 1.0 } else { -1.0 };
            if w.step(&[a]).terminated {
                solved = Some(t);
                break;
            }
        }
        assert!(solved.is_some_and(|t| t > 50), "{solved:?}");
        w.params_mut().set("power", 0.0).expect("in range");
        w.reset_to([-0.5, 0.0]).expect("finite");
        let mut top = f64::MIN;
        for _ in 0..2000 {
            let s = w.step(&[1.0]);
            assert!(!s.terminated);
            top = top.max(s.info.state[0]);
        }
        // Without power the car only rocks about where it started, far from the goal.
        assert!(top < -0.4, "{top}");
    }

    #[test]
    fn parameters_are_range_checked() {
        let mut w = MountainCar::default();
        assert!(matches!(
            w.params_mut().set("power", -1.0),
            Err(crate::ParamError::OutOfRange { name: "power", .. })
        ));
        assert!(w.params_mut().set("power", f64::NAN).is_err());
        assert!(matches!(
            w.params_mut().set("gravity", 1.0),
            Err(crate::ParamError::Unknown { .. })
        ));
        w.params_mut().set("goal_position", 0.5).expect("in range");
        assert_eq!(w.params().get("goal_position"), Ok(0.5));
        assert!(w.reset_to([f64::INFINITY, 0.0]).is_err());
    }

    #[test]
    fn truncation_at_the_time_limit() {
        let mut w = MountainCar::default();
        w.set_max_steps(Some(MountainCar::GYM_MAX_EPISODE_STEPS));
        w.reset(Some(1));
        let mut last = None;
        for t in 0..MountainCar::GYM_MAX_EPISODE_STEPS {
            let s = w.step(&[0.0]);
            if s.truncated {
                last = Some(t);
                break;
            }
        }
        assert_eq!(last, Some(MountainCar::GYM_MAX_EPISODE_STEPS - 1));
    }
}
