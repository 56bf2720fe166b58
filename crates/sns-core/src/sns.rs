//! The SNS agent, written once: an ordered, exhaustive search over behaviours, driven by a
//! self-modifying cognitive graph, over any [`Domain`].
//!
//! What the algorithm is, independent of the world: at every control step the agent
//! 1. **senses** what the observation teaches (a wall touched, the outcome of the last step
//!    where it was taken, a place entered for the first time);
//! 2. **watches** the behaviour under way (an edge of its graph being executed) until it ends:
//!    it did what the plan needed ([`Outcome::Arrived`]), it did not ([`Outcome::Failed`]), or
//!    it ended without a verdict ([`Outcome::Unjudged`]: abandoned on a predicted failure, or a
//!    behaviour nothing was expected of, an untried one);
//! 3. **mutates** the graph with that verdict (Hebbian potentiation or depression of the
//!    behaviour's effectiveness, the failure generalised to similar behaviours, the places
//!    refined where failures repeat);
//! 4. **decides** the next behaviour: the first of the cheapest plan to the goal over the
//!    graph, in the order of simplicity x effectiveness, unexplored behaviours optimistic;
//! 5. **acts** with the behaviour's motor command.
//!
//! Steps 2 to 4 repeat within one step while behaviours end at once (at most
//! [`MAX_ENDS_PER_STEP`] behaviours end in a step, so a chain of instant arrivals cannot stall
//! the agent). Across trials the agent never resets: a trial that ends in success credits the
//! behaviour that reached the goal, and the domain's count of solved trials habituates the
//! optimism toward what is unexplored ([`crate::learning::Habituation`]).
//!
//! What a place, a behaviour and a failure mean is the domain's: [`crate::maze::MazeDomain`]
//! (places on a lazily laid 2-D lattice, behaviours drives along segments, failures wall
//! patches; the graph in a [`crate::Substrate`], symbolic or neural) and
//! [`crate::system::SystemDomain`] (places cells of a normalised state space, behaviours action
//! primitives whose outcomes are learned where executed, failures generalised by a kernel).
//! `docs/METHOD.md` gives both and the completeness argument for each.

use crate::agent::Agent;

/// The most behaviours that can end (and be replaced) within one control step: a step decides
/// at most one more behaviour than this.
pub const MAX_ENDS_PER_STEP: usize = 4;

/// How a behaviour under way ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// It did what the plan needed (arrived at its place, landed where expected).
    Arrived,
    /// It did not (blocked, stalled, timed out, landed elsewhere).
    Failed,
    /// It ended without a verdict: abandoned because a failure was predicted, or nothing was
    /// expected of it (a behaviour toward an untried outcome).
    Unjudged,
}

/// A world's meaning of the algorithm's terms: what is sensed, what a behaviour is and how it
/// is watched, how a verdict mutates the graph, how the next behaviour is chosen. The agent
/// [`Sns`] calls these in the order of the step loop (module documentation): at every step
/// [`Domain::sense`] first, then (unless it acted) [`Domain::monitor`], [`Domain::judge`] and
/// [`Domain::decide`] on the same observation, and [`Domain::act`] last; so a domain may keep
/// what it derived from the observation in `sense` for the other calls of the step. A domain
/// holds its graph (a substrate), its parameters and everything learned, including the count of
/// solved trials.
///
/// The types a domain is generic over are fixed when it is compiled (the control domain's
/// state and action dimensions are const parameters): a program running several shapes of
/// state space builds one agent type per shape.
pub trait Domain {
    /// What the agent senses at a step.
    type Obs;
    /// What it does at a step.
    type Act;
    /// A behaviour being executed, with what watching it needs (where it started, its steps).
    type Behaviour;

    /// A trial starts with `obs` (nothing is under way).
    fn begin_trial(&mut self, obs: &Self::Obs);

    /// Step 1: learns what `obs` teaches. May end the behaviour `under_way` without judging it
    /// (the goal moved; a reflex takes over) by setting it to `None`, and may act by itself
    /// this step (the goal is reached; a regulator holds the state): `Some(action)` is the
    /// step's action, and steps 2 to 5 are skipped.
    fn sense(
        &mut self,
        obs: &Self::Obs,
        under_way: &mut Option<Self::Behaviour>,
    ) -> Option<Self::Act>;

    /// Step 2: watches `b` at `obs` (from the observation it was decided at on); `Some` when it
    /// has ended.
    fn monitor(&mut self, b: &mut Self::Behaviour, obs: &Self::Obs) -> Option<Outcome>;

    /// Step 3: mutates the graph with the verdict on `b`, ended at `obs`. An
    /// [`Outcome::Unjudged`] behaviour changes no effectiveness, but the domain may still learn
    /// where it stopped (the maze proves the part that was driven).
    fn judge(&mut self, b: Self::Behaviour, outcome: Outcome, obs: &Self::Obs);

    /// Step 4: the next behaviour from `obs`, or `None` when there is none to try (the agent
    /// waits, and decides again at the next step).
    fn decide(&mut self, obs: &Self::Obs) -> Option<Self::Behaviour>;

    /// Step 5: the motor command of `b` (or of waiting) at `obs`.
    fn act(&mut self, b: Option<&Self::Behaviour>, obs: &Self::Obs) -> Self::Act;

    /// The trial ended, in success or not, with `under_way` still executing. A success credits
    /// the behaviour that reached the goal and counts toward the solved trials, which
    /// habituate optimism.
    fn end_trial(&mut self, under_way: Option<Self::Behaviour>, success: bool);
}

/// The Systematic Neural Search agent over domain `D`: the step loop and the trials, written
/// once. `Sns<MazeDomain<S>>` navigates mazes on substrate `S` ([`crate::maze`]);
/// `Sns<SystemDomain<D, A, S>>` controls a dynamical system ([`crate::system`]).
#[derive(Debug, Clone)]
pub struct Sns<D: Domain> {
    pub(crate) domain: D,
    pub(crate) under_way: Option<D::Behaviour>,
}

impl<D: Domain> Sns<D> {
    /// The agent over `domain` (which holds the parameters and an empty graph).
    pub fn new(domain: D) -> Self {
        Sns {
            domain,
            under_way: None,
        }
    }

    /// The domain: its graph, parameters and counters.
    pub fn domain(&self) -> &D {
        &self.domain
    }

    /// The domain, mutably (to tell it of a changed task).
    pub fn domain_mut(&mut self) -> &mut D {
        &mut self.domain
    }

    /// The behaviour being executed.
    pub fn under_way(&self) -> Option<&D::Behaviour> {
        self.under_way.as_ref()
    }
}

impl<D: Domain> Agent<D::Obs, D::Act> for Sns<D> {
    fn name(&self) -> &str {
        "sns"
    }

    fn begin_trial(&mut self, obs: &D::Obs) {
        self.under_way = None;
        self.domain.begin_trial(obs);
    }

    fn act(&mut self, obs: &D::Obs) -> D::Act {
        if let Some(a) = self.domain.sense(obs, &mut self.under_way) {
            return a;
        }
        if self.under_way.is_none() {
            self.under_way = self.domain.decide(obs);
        }
        for _ in 0..MAX_ENDS_PER_STEP {
            let Some(b) = self.under_way.as_mut() else {
                break;
            };
            let Some(outcome) = self.domain.monitor(b, obs) else {
                break;
            };
            if let Some(b) = self.under_way.take() {
                self.domain.judge(b, outcome, obs);
            }
            self.under_way = self.domain.decide(obs);
        }
        self.domain.act(self.under_way.as_ref(), obs)
    }

    fn end_trial(&mut self, success: bool) {
        self.domain.end_trial(self.under_way.take(), success);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A scripted domain on a line: a behaviour is "reach `target`", decided at the position
    /// sensed; it arrives when the position is at its target and fails past it. It records the
    /// calls of the loop.
    #[derive(Default)]
    struct Line {
        /// The targets the next decisions choose, in order (none left: nothing to try).
        targets: Vec<i32>,
        /// The position sensed at this step.
        at: i32,
        /// Positions at which the domain acts by itself (sense returns an action).
        reflex_at: Option<i32>,
        /// Positions at which sense ends the behaviour under way unjudged.
        drop_at: Option<i32>,
        log: Vec<String>,
        solved: u32,
    }

    #[derive(Debug, Clone, PartialEq)]
    struct Reach {
        target: i32,
        watched: u32,
    }

    impl Domain for Line {
        type Obs = i32;
        type Act = i32;
        type Behaviour = Reach;

        fn begin_trial(&mut self, obs: &i32) {
            self.log.push(format!("begin {obs}"));
        }
        fn sense(&mut self, obs: &i32, under_way: &mut Option<Reach>) -> Option<i32> {
            self.at = *obs;
            if self.drop_at == Some(*obs) {
                *under_way = None;
            }
            (self.reflex_at == Some(*obs)).then_some(0)
        }
        fn monitor(&mut self, b: &mut Reach, obs: &i32) -> Option<Outcome> {
            b.watched += 1;
            match obs.cmp(&b.target) {
                std::cmp::Ordering::Equal => Some(Outcome::Arrived),
                std::cmp::Ordering::Greater => Some(Outcome::Failed),
                std::cmp::Ordering::Less => None,
            }
        }
        fn judge(&mut self, b: Reach, outcome: Outcome, obs: &i32) {
            self.log.push(format!(
                "{outcome:?} {} at {obs} watched {}",
                b.target, b.watched
            ));
        }
        fn decide(&mut self, _obs: &i32) -> Option<Reach> {
            if self.targets.is_empty() {
                return None;
            }
            let target = self.targets.remove(0);
            self.log.push(format!("decide {target}"));
            Some(Reach { target, watched: 0 })
        }
        fn act(&mut self, b: Option<&Reach>, _obs: &i32) -> i32 {
            b.map_or(0, |b| (b.target - self.at).signum())
        }
        fn end_trial(&mut self, under_way: Option<Reach>, success: bool) {
            self.solved += u32::from(success);
            let solved = self.solved;
            self.log.push(format!(
                "end {success} solved {solved} under way {:?}",
                under_way.map(|b| b.target)
            ));
        }
    }

    /// The loop decides before it watches (a behaviour can end at the observation it was
    /// decided at), replaces every behaviour that ends, at most `MAX_ENDS_PER_STEP` times
    /// a step, and acts with the one left.
    #[test]
    fn behaviours_that_end_at_once_are_replaced_within_the_step() {
        let mut a = Sns::new(Line {
            targets: vec![0, -1, 0, 0, 0, 0, 3],
            ..Line::default()
        });
        a.begin_trial(&0);
        // Target 0 arrives at once, -1 fails at once, then three more arrivals: the fourth
        // verdict's successor (0) is left under way, unwatched.
        assert_eq!(a.act(&0), 0);
        let log = &a.domain().log;
        assert_eq!(
            log[1..],
            [
                "decide 0",
                "Arrived 0 at 0 watched 1",
                "decide -1",
                "Failed -1 at 0 watched 1",
                "decide 0",
                "Arrived 0 at 0 watched 1",
                "decide 0",
                "Arrived 0 at 0 watched 1",
                "decide 0",
            ]
        );
        assert_eq!(a.under_way().map(|b| b.watched), Some(0));
        // Next step: it arrives, and the drive toward 3 starts.
        assert_eq!(a.act(&0), 1);
        assert_eq!(a.under_way().map(|b| b.target), Some(3));
        assert_eq!(a.act(&1), 1);
        assert_eq!(a.under_way().map(|b| b.watched), Some(2));
        // Nothing left to decide after 3 is reached: the agent waits.
        assert_eq!(a.act(&3), 0);
        assert!(a.under_way().is_none());
        a.end_trial(true);
        assert_eq!(
            a.domain().log.last().map(String::as_str),
            Some("end true solved 1 under way None")
        );
    }

    /// A domain that acts by itself skips watching and deciding (the behaviour under way
    /// stays); one that ends the behaviour under way unjudged gets to decide afresh. The trial's
    /// end hands over the behaviour under way, and a failed trial is not counted as solved.
    #[test]
    fn sensing_can_take_the_step_or_end_the_behaviour() {
        let mut a = Sns::new(Line {
            targets: vec![5, 7],
            reflex_at: Some(2),
            drop_at: Some(3),
            ..Line::default()
        });
        a.begin_trial(&1);
        assert_eq!(a.act(&1), 1);
        let decided = a.domain().log.len();
        assert_eq!(a.act(&2), 0, "the reflex acts");
        assert_eq!(a.domain().log.len(), decided, "nothing watched or decided");
        assert_eq!(a.under_way().map(|b| (b.target, b.watched)), Some((5, 1)));
        assert_eq!(a.act(&3), 1);
        assert_eq!(a.under_way().map(|b| b.target), Some(7), "5 ended unjudged");
        assert!(!a.domain().log.iter().any(|l| l.contains(" 5 at")));
        a.end_trial(false);
        assert_eq!(
            a.domain().log.last().map(String::as_str),
            Some("end false solved 0 under way Some(7)")
        );
        a.begin_trial(&0);
        assert!(
            a.under_way().is_none(),
            "a trial starts with nothing under way"
        );
    }
}
