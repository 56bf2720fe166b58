//! Every world behind one trait, as a control agent meets it: the [`Task`] it is told and the
//! [`Sensed`] state it senses, with actions given as points of the action box.

use crate::{
    Acrobot, AcrobotContinuous, CartPoleSwingUp, ControlError, ControlInfo, MountainCar, Pendulum,
    Torque,
};
use sns_spaces::{BoxRegion, BoxSpace, Env, Point, Region, Sensed, StateSpace, Step, Task};
use std::sync::Arc;

/// A classic-control world as an agent meets it.
///
/// The sensing model: the agent senses the world's full state, wrapped into its state space
/// ([`ControlWorld::sense`]; Gymnasium's observation is a function of the same state, e.g. the
/// pendulum's `[cos th, sin th, w]`), and the success signal. It is told the state space, the
/// actions and, unless the goal is hidden, the goal region ([`ControlWorld::task`]); never the
/// dynamics or their parameters.
pub trait ControlWorld<const D: usize, const A: usize>: Env<Info = ControlInfo<D>> {
    /// The world's name as `sns worlds` lists it.
    fn name(&self) -> &'static str;
    /// The state space the agent senses.
    fn space(&self) -> StateSpace<D>;
    /// The task as the agent is told it; `hide_goal` (search mode) leaves the goal region out.
    fn task(&self, hide_goal: bool) -> Task<D, A>;
    /// Applies an action given as a point of the action box (a world with discrete actions
    /// takes the level nearest to it).
    fn step_point(&mut self, action: &Point<A>) -> Step<Self::Obs, ControlInfo<D>>;
    /// Starts a trial at exactly `state` (no reset noise).
    fn reset_state(&mut self, state: Point<D>)
        -> Result<(Self::Obs, ControlInfo<D>), ControlError>;
    /// What the agent senses given the info of a reset or a step.
    fn sense(&self, info: &ControlInfo<D>) -> Sensed<D> {
        Sensed {
            state: self.space().wrap(&info.state),
            success: info.success,
        }
    }
}

/// Acrobot-v1's goal: the tip higher than one link length above the bar,
/// `-cos th1 - cos(th1 + th2) > 1` (over the state `[th1, th2, w1, w2]`).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct TipAbove;

impl TipAbove {
    fn height(s: &Point<4>) -> f64 {
        -s[0].cos() - (s[1] + s[0]).cos()
    }
}

impl Region<4> for TipAbove {
    fn contains(&self, _space: &StateSpace<4>, s: &Point<4>) -> bool {
        Self::height(s) > 1.0
    }

    /// The height's gradient over the two angles is at most `sqrt(5)` per radian, so the angles
    /// must move at least `(1 - height) / sqrt(5)` radians; divided by the angles' scale.
    fn distance(&self, space: &StateSpace<4>, s: &Point<4>) -> f64 {
        let short = (1.0 - Self::height(s)).max(0.0) / 5f64.sqrt();
        let scale = space.scale()[0].max(space.scale()[1]);
        short / scale
    }
}

/// A task over `space` with the box action space `actions`.
fn task<const D: usize>(
    space: StateSpace<D>,
    actions: BoxSpace<1>,
    goal: Arc<dyn Region<D>>,
    hold_steps: u32,
    hide_goal: bool,
) -> Task<D, 1> {
    Task {
        space,
        actions,
        levels: None,
        goal: (!hide_goal).then_some(goal),
        hold_steps,
        dt: 0.0,
    }
}

impl ControlWorld<2, 1> for MountainCar {
    fn name(&self) -> &'static str {
        "mountaincar"
    }
    fn space(&self) -> StateSpace<2> {
        self.state_space()
    }
    fn task(&self, hide_goal: bool) -> Task<2, 1> {
        let (low, high) = self.params().goal_box();
        let goal = BoxRegion { low, high };
        task(
            self.space(),
            self.action_space(),
            Arc::new(goal),
            1,
            hide_goal,
        )
    }
    fn step_point(&mut self, action: &Point<1>) -> Step<[f64; 2], ControlInfo<2>> {
        self.step(action)
    }
    fn reset_state(&mut self, state: Point<2>) -> Result<([f64; 2], ControlInfo<2>), ControlError> {
        self.reset_to(state)
    }
}

impl ControlWorld<2, 1> for Pendulum {
    fn name(&self) -> &'static str {
        "pendulum"
    }
    fn space(&self) -> StateSpace<2> {
        self.state_space()
    }
    fn task(&self, hide_goal: bool) -> Task<2, 1> {
        let up = BoxRegion {
            low: [-Self::UPRIGHT, f64::NEG_INFINITY],
            high: [Self::UPRIGHT, f64::INFINITY],
        };
        let mut t = task(
            self.space(),
            self.action_space(),
            Arc::new(up),
            Self::HOLD_STEPS,
            hide_goal,
        );
        t.dt = self.params().dt;
        t
    }
    fn step_point(&mut self, action: &Point<1>) -> Step<[f64; 3], ControlInfo<2>> {
        self.step(action)
    }
    fn reset_state(&mut self, state: Point<2>) -> Result<([f64; 3], ControlInfo<2>), ControlError> {
        self.reset_to(state)
    }
}

impl ControlWorld<4, 1> for Acrobot {
    fn name(&self) -> &'static str {
        "acrobot"
    }
    fn space(&self) -> StateSpace<4> {
        self.state_space()
    }
    fn task(&self, hide_goal: bool) -> Task<4, 1> {
        let actions = BoxSpace::new([-1.0], [1.0]).expect("ordered");
        let mut t = task(self.space(), actions, Arc::new(TipAbove), 1, hide_goal);
        t.levels = Some(vec![[-1.0], [0.0], [1.0]]);
        t.dt = self.params().dt;
        t
    }
    fn step_point(&mut self, action: &Point<1>) -> Step<[f64; 6], ControlInfo<4>> {
        let a = action[0];
        let torque = if a.is_nan() || a.abs() < 0.5 {
            Torque::Zero
        } else if a < 0.0 {
            Torque::Negative
        } else {
            Torque::Positive
        };
        self.step(&torque)
    }
    fn reset_state(&mut self, state: Point<4>) -> Result<([f64; 6], ControlInfo<4>), ControlError> {
        self.reset_to(state)
    }
}

impl ControlWorld<4, 1> for AcrobotContinuous {
    fn name(&self) -> &'static str {
        "acrobot-continuous"
    }
    fn space(&self) -> StateSpace<4> {
        self.state_space()
    }
    fn task(&self, hide_goal: bool) -> Task<4, 1> {
        let mut t = task(
            self.space(),
            self.action_space(),
            Arc::new(TipAbove),
            1,
            hide_goal,
        );
        t.dt = self.params().dt;
        t
    }
    fn step_point(&mut self, action: &Point<1>) -> Step<[f64; 6], ControlInfo<4>> {
        self.step(action)
    }
    fn reset_state(&mut self, state: Point<4>) -> Result<([f64; 6], ControlInfo<4>), ControlError> {
        self.reset_to(state)
    }
}

impl ControlWorld<4, 1> for CartPoleSwingUp {
    fn name(&self) -> &'static str {
        "cartpole-swingup"
    }
    fn space(&self) -> StateSpace<4> {
        self.state_space()
    }
    fn task(&self, hide_goal: bool) -> Task<4, 1> {
        let x = self.params().x_threshold;
        let up = BoxRegion {
            low: [-x, f64::NEG_INFINITY, -Self::UPRIGHT, f64::NEG_INFINITY],
            high: [x, f64::INFINITY, Self::UPRIGHT, f64::INFINITY],
        };
        let mut t = task(
            self.space(),
            self.action_space(),
            Arc::new(up),
            Self::HOLD_STEPS,
            hide_goal,
        );
        t.dt = self.params().tau;
        t
    }
    fn step_point(&mut self, action: &Point<1>) -> Step<[f64; 4], ControlInfo<4>> {
        self.step(action)
    }
    fn reset_state(&mut self, state: Point<4>) -> Result<([f64; 4], ControlInfo<4>), ControlError> {
        self.reset_to(state)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The goal region the agent is told agrees with the world's own success test: from states
    /// inside it, a world that needs one step of holding succeeds at once.
    #[test]
    fn the_told_goal_is_the_worlds_success_region() {
        let mut mc = MountainCar::default();
        let t = mc.task(false);
        let goal = t.goal.clone().expect("goal told");
        // One step from x = 0.449 at top speed lands beyond 0.45.
        let (_, info) = mc.reset_state([0.449, 0.07]).expect("finite");
        assert!(!goal.contains(&t.space, &mc.sense(&info).state));
        let s = mc.step_point(&[1.0]);
        assert!(s.terminated);
        assert!(goal.contains(&t.space, &mc.sense(&s.info).state));
        assert!(mc.task(true).goal.is_none(), "search mode hides it");

        let mut ac = Acrobot::default();
        let t = ac.task(false);
        let goal = t.goal.clone().expect("goal told");
        let (_, info) = ac
            .reset_state([std::f64::consts::PI, 0.0, 0.0, 0.0])
            .expect("finite");
        assert!(goal.contains(&t.space, &ac.sense(&info).state));
        assert!(ac.step_point(&[0.2]).terminated);
        let hanging = [0.0; 4];
        assert!(!goal.contains(&t.space, &hanging));
        // Hanging, the tip is 2 below the bar: 3 link lengths short of the goal.
        let d = goal.distance(&t.space, &hanging);
        assert!((d - 3.0 / 5f64.sqrt() / (2.0 * std::f64::consts::PI)).abs() < 1e-12);
    }

    /// The distance the acrobot's goal reports is a lower bound: no state within it of a
    /// sampled state is in the goal.
    #[test]
    fn tip_distance_is_a_lower_bound() {
        let ac = Acrobot::default();
        let space = ac.space();
        let mut x = 0.123_f64;
        for _ in 0..2000 {
            let mut p = [0.0; 4];
            for v in p.iter_mut() {
                x = (x * 9301.0 + 49297.0) % 233280.0;
                *v = (x / 233280.0 - 0.5) * 2.0 * std::f64::consts::PI;
            }
            let d = TipAbove.distance(&space, &p);
            for k in 0..16 {
                let a = k as f64 / 16.0 * 2.0 * std::f64::consts::PI;
                // A point just inside the bound, along a direction in the angle plane.
                let r = 0.999 * d * space.scale()[0];
                let q = [p[0] + r * a.cos(), p[1] + r * a.sin(), p[2], p[3]];
                assert!(
                    !TipAbove.contains(&space, &q) || d == 0.0,
                    "{p:?} {q:?} {d}"
                );
            }
        }
    }

    #[test]
    fn discrete_acrobot_takes_the_nearest_torque() {
        let mut a = Acrobot::default();
        let mut b = Acrobot::default();
        a.reset(Some(3));
        b.reset(Some(3));
        for (u, t) in [
            (0.7, Torque::Positive),
            (-0.9, Torque::Negative),
            (0.1, Torque::Zero),
        ] {
            assert_eq!(a.step_point(&[u]).info.state, b.step(&t).info.state);
        }
        assert_eq!(a.task(false).levels.map(|l| l.len()), Some(3));
    }
}
