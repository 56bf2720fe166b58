//! Oracles for the 4-D worlds (the acrobot, both action types, and the cart-pole swing-up): a
//! beam search over action sequences with the world's true model.
//!
//! Method. From the trial's start, a breadth-first search by time step: layer `t` holds states
//! reached by sequences of `t` actions from a finite set (the acrobot: torque -1, 0, +1; the
//! cart-pole: force `-force_mag, 0, +force_mag`), each step taken by the world's own `step`
//! (Gymnasium's exact physics, from the exact state, never a snapped one). Two children of a
//! layer that fall in the same cell of a fine grid are merged (the one with the better score is
//! kept), and when a layer holds more than the beam's width, only the best-scored states are kept
//! (score: the acrobot's mechanical energy; the cart-pole's pole energy against the upright
//! one, with the cart's distance from the centre). The first layer with a successful state gives
//! the answer, and its action sequence is the plan:
//! - the acrobot: success is the world's (tip height > 1 after the step);
//! - the cart-pole: success needs 100 consecutive steps upright on the track. The search looks
//!   for the first step `T` landing upright on the track from which a fixed stabilising
//!   feedback (`u = 1 x + 2 v + 30 theta + 5 omega`, clipped by the world to the force bounds)
//!   keeps the pole upright on the track for the 99 steps after, checked with the true model;
//!   then success comes at `T + 99` and the plan is the search's actions followed by the
//!   feedback's.
//!
//! What it is. The number returned is the length of an action sequence that, replayed in the
//! world from the start, succeeds at exactly that step (and not before): an **upper bound** on
//! the minimum steps over the discretised actions, and so on the minimum over the continuous
//! actions where the world has them. What it is not: the exact minimum. The merging and the
//! beam can drop the state a shorter sequence goes through, the finite action set leaves out
//! intermediate torques and forces, and for the cart-pole the hold is one feedback's (a better
//! catch could arrive upright earlier). On short horizons it equals exhaustive search over the
//! same actions (test `search_matches_exhaustive_search_near_the_goal`).

use crate::{angle_normalize, Acrobot, AcrobotParams, CartPoleParams, CartPoleSwingUp, Torque};
use sns_spaces::{Env, StateSpace};
use std::collections::HashMap;
use std::sync::Mutex;

/// A world as the search needs it: a step from an exact state, a score and a merging cell.
trait Model<const D: usize>: Clone + Send {
    /// The actions searched.
    fn actions(&self) -> Vec<f64>;
    /// One step from exactly `s` with `a`: the landing state and whether it is in the success
    /// region (for the hold worlds: inside the region to hold).
    fn step_from(&mut self, s: [f64; D], a: f64) -> ([f64; D], bool);
    /// Higher is more promising (the beam keeps the highest).
    fn score(&self, s: &[f64; D]) -> f64;
    /// The merging cell of a state.
    fn cell(&self, s: &[f64; D]) -> [i32; D];
    /// For a world whose success needs holding: from `s`, just landed in the region, the hold
    /// policy's actions for the remaining steps, if it holds (`None`: it does not). Reaching
    /// worlds succeed on landing: `Some(vec![])`.
    fn hold(&mut self, s: [f64; D]) -> Option<Vec<f64>>;
    /// The state space (the policy is keyed by the state as the agent senses it).
    fn space(&self) -> StateSpace<D>;
}

/// The search's limits.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SearchLimits {
    /// The most states kept per layer.
    pub beam: usize,
    /// The deepest layer searched (steps before the hold).
    pub max_depth: usize,
}

/// A found plan: its actions from the start and the sensed states they are taken in.
#[derive(Debug, Clone)]
struct Plan {
    start: Vec<u64>,
    /// Steps to success (`None`: not found within the limits).
    steps: Option<u64>,
    /// The action at each sensed state of the plan's trajectory (bit patterns as keys).
    policy: HashMap<Vec<u64>, f64>,
}

fn bits<const D: usize>(s: &[f64; D]) -> Vec<u64> {
    s.iter().map(|v| v.to_bits()).collect()
}

/// The beam search from `start`: the actions to success, if found.
fn search<const D: usize, M: Model<D>>(
    model: &mut M,
    start: [f64; D],
    limits: SearchLimits,
) -> Option<Vec<f64>> {
    let actions = model.actions();
    let mut frontier = vec![start];
    // Per layer, each kept state's parent (in the layer before) and action index.
    let mut layers: Vec<Vec<(u32, u8)>> = Vec::new();
    let backtrack = |layers: &[Vec<(u32, u8)>], mut i: usize, last: usize| -> Vec<f64> {
        let mut seq = vec![actions[last]];
        for layer in layers.iter().rev() {
            let (p, a) = layer[i];
            seq.push(actions[a as usize]);
            i = p as usize;
        }
        seq.pop(); // the start layer's entry
        seq.reverse();
        seq
    };
    // The start layer: one state, no parent.
    layers.push(vec![(0, 0)]);
    for _depth in 1..=limits.max_depth {
        let mut children: Vec<([f64; D], f64, (u32, u8))> = Vec::new();
        let mut seen: HashMap<[i32; D], usize> = HashMap::new();
        for (i, s) in frontier.iter().enumerate() {
            for (ai, &a) in actions.iter().enumerate() {
                let (next, inside) = model.step_from(*s, a);
                if inside {
                    if let Some(tail) = model.hold(next) {
                        let mut seq = backtrack(&layers, i, ai);
                        // `backtrack` already appended this step's action as the last.
                        seq.extend(tail);
                        return Some(seq);
                    }
                }
                let score = model.score(&next);
                let entry = (next, score, (i as u32, ai as u8));
                let cell = model.cell(&next);
                match seen.get(&cell) {
                    Some(&k) => {
                        if score > children[k].1 {
                            children[k] = entry;
                        }
                    }
                    None => {
                        seen.insert(cell, children.len());
                        children.push(entry);
                    }
                }
            }
        }
        if children.is_empty() {
            return None;
        }
        if children.len() > limits.beam {
            // The best `beam` by score, ties by order (deterministic), kept in order.
            let mut order: Vec<usize> = (0..children.len()).collect();
            order.sort_by(|&a, &b| children[b].1.total_cmp(&children[a].1).then(a.cmp(&b)));
            order.truncate(limits.beam);
            order.sort_unstable();
            children = order.into_iter().map(|k| children[k]).collect();
        }
        frontier = children.iter().map(|c| c.0).collect();
        layers.push(children.iter().map(|c| c.2).collect());
    }
    None
}

/// A search oracle over a model: plans from starts, cached, and the policy that follows them.
#[derive(Debug)]
struct SearchOracle<const D: usize, M> {
    model: M,
    limits: SearchLimits,
    plans: Mutex<Vec<Plan>>,
}

/// How many plans an oracle keeps (one per start, plus re-plans from states off every plan).
const PLANS_KEPT: usize = 64;

impl<const D: usize, M: Model<D>> SearchOracle<D, M> {
    fn new(model: M, limits: SearchLimits) -> Self {
        Self {
            model,
            limits,
            plans: Mutex::new(Vec::new()),
        }
    }

    /// Plans from `start`: the actions, and the policy along the trajectory they produce.
    fn plan(&self, start: [f64; D]) -> Plan {
        let mut model = self.model.clone();
        let seq = search(&mut model, start, self.limits);
        let space = model.space();
        let mut policy = HashMap::new();
        if let Some(seq) = &seq {
            let mut s = start;
            for &a in seq {
                policy.entry(bits(&space.wrap(&s))).or_insert(a);
                s = model.step_from(s, a).0;
            }
        }
        Plan {
            start: bits(&start),
            steps: seq.map(|s| s.len() as u64),
            policy,
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Vec<Plan>> {
        // A poisoned lock only means a planner panicked; the plans kept are whole.
        self.plans.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn keep(&self, plan: Plan) {
        let mut plans = self.lock();
        if plans.len() >= PLANS_KEPT {
            plans.remove(0);
        }
        plans.push(plan);
    }

    fn min_steps(&self, start: [f64; D]) -> Option<u64> {
        let key = bits(&start);
        if let Some(p) = self.lock().iter().find(|p| p.start == key) {
            return p.steps;
        }
        let plan = self.plan(start);
        let steps = plan.steps;
        self.keep(plan);
        steps
    }

    fn actions_to_success(&self, start: [f64; D]) -> Option<Vec<f64>> {
        search(&mut self.model.clone(), start, self.limits)
    }

    fn best_action(&self, sensed: [f64; D]) -> f64 {
        let key = bits(&sensed);
        if let Some(a) = self.lock().iter().find_map(|p| p.policy.get(&key)) {
            return *a;
        }
        // Off every plan (a parameter changed, or the agent started elsewhere): plan from
        // here, taking the sensed state as exact.
        let plan = self.plan(sensed);
        let a = plan.policy.get(&key).copied().unwrap_or(0.0);
        self.keep(plan);
        a
    }
}

/// The acrobot's model (both action types: the searched torques -1, 0, +1 are levels of both).
#[derive(Debug, Clone)]
struct AcrobotModel {
    world: Acrobot,
}

impl AcrobotModel {
    /// The acrobot's mechanical energy (kinetic + potential, zero at the bar), the book's model.
    fn energy(p: &AcrobotParams, s: &[f64; 4]) -> f64 {
        crate::acrobot::energy(p, s)
    }
}

impl Model<4> for AcrobotModel {
    fn actions(&self) -> Vec<f64> {
        vec![-1.0, 0.0, 1.0]
    }
    fn step_from(&mut self, s: [f64; 4], a: f64) -> ([f64; 4], bool) {
        let torque = if a < 0.0 {
            Torque::Negative
        } else if a > 0.0 {
            Torque::Positive
        } else {
            Torque::Zero
        };
        // `reset_to` fails only on a non-finite state, which the physics never produces
        // from a finite one; a failure leaves the state as it was and the step still runs.
        let _ = self.world.reset_to(s);
        let st = self.world.step(&torque);
        (st.info.state, st.terminated)
    }
    fn score(&self, s: &[f64; 4]) -> f64 {
        Self::energy(self.world.params(), s)
    }
    fn cell(&self, s: &[f64; 4]) -> [i32; 4] {
        let h = [0.02, 0.02, 0.05, 0.05];
        std::array::from_fn(|i| (s[i] / h[i]).round() as i32)
    }
    fn hold(&mut self, _s: [f64; 4]) -> Option<Vec<f64>> {
        Some(Vec::new())
    }
    fn space(&self) -> StateSpace<4> {
        self.world.state_space()
    }
}

/// The cart-pole swing-up's model.
#[derive(Debug, Clone)]
struct CartPoleModel {
    world: CartPoleSwingUp,
}

impl CartPoleModel {
    /// The hold's feedback: a stabilising linear law around upright and centred.
    fn feedback(s: &[f64; 4]) -> f64 {
        let [x, v, th, om] = *s;
        1.0 * x + 2.0 * v + 30.0 * angle_normalize(th) + 5.0 * om
    }

    fn upright(&self, s: &[f64; 4]) -> bool {
        angle_normalize(s[2]).abs() <= CartPoleSwingUp::UPRIGHT
            && s[0].abs() <= self.world.params().x_threshold
    }
}

impl Model<4> for CartPoleModel {
    fn actions(&self) -> Vec<f64> {
        let f = self.world.params().force_mag;
        vec![-f, 0.0, f]
    }
    fn step_from(&mut self, s: [f64; 4], a: f64) -> ([f64; 4], bool) {
        // As for the acrobot: `reset_to` fails only on a non-finite state.
        let _ = self.world.reset_to(s);
        let st = self.world.step(&[a]);
        (st.info.state, st.info.held > 0)
    }
    fn score(&self, s: &[f64; 4]) -> f64 {
        let p: &CartPoleParams = self.world.params();
        let [x, v, th, om] = *s;
        // The pole as a uniform rod of half-length `length` about its pivot: energy from
        // hanging still (0) to upright still (2 m g l).
        let (m, l, g) = (p.masspole, p.length, p.gravity);
        let e = 0.5 * (4.0 / 3.0) * m * l * l * om * om + m * g * l * (1.0 + th.cos());
        let up = 2.0 * m * g * l;
        let scale = up.max(1e-9);
        -(e - up).abs() / scale - 0.1 * (x / p.x_threshold).powi(2) - 0.001 * v * v
    }
    fn cell(&self, s: &[f64; 4]) -> [i32; 4] {
        let th = angle_normalize(s[2]);
        let h = [0.02, 0.05, 0.01, 0.05];
        let v = [s[0], s[1], th, s[3]];
        std::array::from_fn(|i| (v[i] / h[i]).round() as i32)
    }
    fn hold(&mut self, s: [f64; 4]) -> Option<Vec<f64>> {
        let mut tail = Vec::new();
        let mut x = s;
        for _ in 1..CartPoleSwingUp::HOLD_STEPS {
            let u = Self::feedback(&x);
            let (next, _) = self.step_from(x, u);
            if !self.upright(&next) {
                return None;
            }
            tail.push(u);
            x = next;
        }
        Some(tail)
    }
    fn space(&self) -> StateSpace<4> {
        self.world.state_space()
    }
}

macro_rules! search_oracle {
    ($(#[$doc:meta])* $name:ident, $model:ident, $world:ident, $params:ty, $limits:expr) => {
        $(#[$doc])*
        #[derive(Debug)]
        pub struct $name {
            inner: SearchOracle<4, $model>,
        }

        impl $name {
            /// The default limits.
            pub const DEFAULT_LIMITS: SearchLimits = $limits;

            /// An oracle for `params` searching within `limits` (nothing is searched until a
            /// start is asked for).
            pub fn new(params: $params, limits: SearchLimits) -> Self {
                let model = $model {
                    world: $world::new(params),
                };
                Self {
                    inner: SearchOracle::new(model, limits),
                }
            }

            /// The steps to success from `start` of the shortest action sequence the search
            /// finds (an upper bound on the minimum; `None`: none found within the limits).
            /// Searched once per start, then kept.
            pub fn min_steps(&self, start: [f64; 4]) -> Option<u64> {
                self.inner.min_steps(start)
            }

            /// The action sequence the search finds from `start`, to success (searched anew).
            pub fn actions_to_success(&self, start: [f64; 4]) -> Option<Vec<f64>> {
                self.inner.actions_to_success(start)
            }

            /// The plan's action at the sensed state `state` (the world's state wrapped into
            /// its state space), planning from `state` when it is on no plan kept.
            pub fn best_action(&self, state: [f64; 4]) -> f64 {
                self.inner.best_action(state)
            }
        }
    };
}

search_oracle!(
    /// The acrobot's search oracle (both `acrobot` and `acrobot-continuous`: torques -1, 0, +1).
    AcrobotOracle,
    AcrobotModel,
    Acrobot,
    AcrobotParams,
    SearchLimits {
        beam: 16000,
        max_depth: 2000,
    }
);

search_oracle!(
    /// The cart-pole swing-up's search oracle (forces `-force_mag, 0, +force_mag`, then the
    /// hold's feedback).
    CartPoleOracle,
    CartPoleModel,
    CartPoleSwingUp,
    CartPoleParams,
    SearchLimits {
        beam: 16000,
        max_depth: 2000,
    }
);

#[cfg(test)]
mod tests {
    use super::*;
    use crate::AcrobotContinuous;

    /// Replays `seq` from `start` in a fresh world; the step of success, if any.
    fn replay<W: Env<Info = crate::ControlInfo<4>>>(
        w: &mut W,
        seq: &[f64],
        act: impl Fn(f64) -> W::Act,
    ) -> Option<u64> {
        for (t, &a) in seq.iter().enumerate() {
            if w.step(&act(a)).terminated {
                return Some(t as u64 + 1);
            }
        }
        None
    }

    fn torque(a: f64) -> Torque {
        if a < 0.0 {
            Torque::Negative
        } else if a > 0.0 {
            Torque::Positive
        } else {
            Torque::Zero
        }
    }

    #[test]
    fn acrobot_plans_replay_to_success_in_exactly_the_claimed_steps() {
        let oracle = AcrobotOracle::new(AcrobotParams::default(), AcrobotOracle::DEFAULT_LIMITS);
        let mut w = Acrobot::default();
        for seed in 0..3 {
            let (_, info) = w.reset(Some(seed));
            let start = info.state;
            let t0 = std::time::Instant::now();
            let claim = oracle.min_steps(start).expect("found");
            eprintln!("seed {seed}: {claim} steps ({:?})", t0.elapsed());
            let seq = oracle.actions_to_success(start).expect("found");
            assert_eq!(seq.len() as u64, claim);
            w.reset_to(start).expect("finite");
            assert_eq!(replay(&mut w, &seq, torque), Some(claim));
            let mut c = AcrobotContinuous::default();
            c.reset_to(start).expect("finite");
            assert_eq!(replay(&mut c, &seq, |a| [a]), Some(claim));
            // The policy the oracle agent follows: the plan, looked up at the sensed states.
            w.reset_to(start).expect("finite");
            let mut s = w.state();
            let mut got = None;
            for t in 1..=2 * claim {
                let st = w.step(&torque(oracle.best_action(w.state_space().wrap(&s))));
                s = st.info.state;
                if st.terminated {
                    got = Some(t);
                    break;
                }
            }
            assert_eq!(got, Some(claim));
            // A swing-up of the length known for Acrobot-v1 (tuned agents average 60 to 100).
            assert!((20..200).contains(&claim), "{claim}");
        }
    }

    /// Every sequence of `depth` actions from `start`: the fewest steps to success, if any.
    fn exhaustive(w: &mut Acrobot, start: [f64; 4], depth: u32) -> Option<u64> {
        let mut best = None;
        for code in 0..3u64.pow(depth) {
            w.reset_to(start).expect("finite");
            let mut c = code;
            for t in 1..=depth as u64 {
                let a = Torque::from_index((c % 3) as usize).expect("0..3");
                c /= 3;
                if w.step(&a).terminated {
                    if best.is_none_or(|b| t < b) {
                        best = Some(t);
                    }
                    break;
                }
            }
        }
        best
    }

    #[test]
    fn search_matches_exhaustive_search_near_the_goal() {
        let oracle = AcrobotOracle::new(AcrobotParams::default(), AcrobotOracle::DEFAULT_LIMITS);
        let mut w = Acrobot::default();
        let mut compared = 0;
        for seed in 0..2 {
            let (_, info) = w.reset(Some(seed));
            let seq = oracle.actions_to_success(info.state).expect("found");
            // States 4 to 7 steps before the plan's success, on its trajectory.
            for back in 4..=7usize {
                w.reset_to(info.state).expect("finite");
                for &a in &seq[..seq.len() - back] {
                    w.step(&torque(a));
                }
                let s = w.state();
                let exact = exhaustive(&mut w, s, back as u32).expect("the plan's tail works");
                let fresh =
                    AcrobotOracle::new(AcrobotParams::default(), AcrobotOracle::DEFAULT_LIMITS);
                let found = fresh.min_steps(s).expect("found");
                assert!(found >= exact, "an upper bound: {found} < {exact}");
                assert_eq!(found, exact, "seed {seed}, {back} steps before");
                compared += 1;
            }
        }
        assert_eq!(compared, 8);
    }

    #[test]
    fn cartpole_plan_swings_up_and_holds() {
        let oracle = CartPoleOracle::new(CartPoleParams::default(), CartPoleOracle::DEFAULT_LIMITS);
        let mut w = CartPoleSwingUp::default();
        for seed in 0..2 {
            let (_, info) = w.reset(Some(seed));
            let start = info.state;
            let t0 = std::time::Instant::now();
            let claim = oracle.min_steps(start).expect("found");
            eprintln!("cart-pole seed {seed}: {claim} steps ({:?})", t0.elapsed());
            let seq = oracle.actions_to_success(start).expect("found");
            assert_eq!(seq.len() as u64, claim);
            w.reset_to(start).expect("finite");
            assert_eq!(replay(&mut w, &seq, |a| [a]), Some(claim));
            assert!(claim > CartPoleSwingUp::HOLD_STEPS as u64, "{claim}");
        }
        // Upright and still: the feedback holds from the first step.
        assert_eq!(oracle.min_steps([0.0; 4]), Some(100));
    }
}
