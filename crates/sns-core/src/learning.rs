//! The learning rules every SNS domain shares: Hebbian effectiveness of behaviours, local
//! refinement where failures repeat, and the habituation of optimism across trials. The maze
//! domain ([`crate::MazeDomain`], effectiveness through its substrate) and the control domain
//! ([`crate::system::SystemDomain`]) apply these, with their own constants
//! ([`crate::MazeParams`], [`crate::system::SystemParams`]); the neural substrate realises the
//! Hebbian rule with unit activities (`sns_neural::graph`).
//!
//! What is the paper's: that the cognitive graph mutates through use, by Hebbian learning, and
//! that the search order weighs effectiveness. What is ours: these formulas and constants.

use sns_worlds::Real;

/// The Hebbian rule of a behaviour's effectiveness `w` in (0, 1]: potentiation when it did what
/// the plan needed, depression when it did not. A plan costs a behaviour its simplicity cost
/// divided by `w`, so depression reorders the search without removing anything from it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Hebbian {
    /// Potentiation rate: `w <- w + eta (1 - w)`.
    pub eta: Real,
    /// Depression factor: `w <- max(beta w, w_min)`.
    pub beta: Real,
    /// Floor of the effectiveness (0: none; a positive floor keeps every cost finite).
    pub w_min: Real,
}

impl Hebbian {
    /// The effectiveness after a success.
    #[inline]
    pub fn potentiate(&self, w: Real) -> Real {
        w + self.eta * (1.0 - w)
    }

    /// The effectiveness after a failure.
    #[inline]
    pub fn depress(&self, w: Real) -> Real {
        (self.beta * w).max(self.w_min)
    }
}

/// Local refinement: a place where behaviours failed `after` times since it was last refined
/// offers finer ones (in a maze, a finer lattice of places around it; in a state space, finer
/// levels and shorter holds). The coarse behaviours are exhausted first, so the search stays
/// ordered by simplicity, and refinement happens only where the coarse ones did not do.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Refinement {
    /// Failures at a place that make it refine.
    pub after: u32,
}

impl Refinement {
    /// Counts a failure at a place whose failures since its last refinement are `count`;
    /// whether it refines now (its count then starts over). A place that `can` not refine (at
    /// the finest level) keeps counting.
    #[inline]
    pub fn fail(&self, count: &mut u32, can: bool) -> bool {
        *count += 1;
        let now = can && *count >= self.after;
        if now {
            *count = 0;
        }
        now
    }
}

/// Habituation of optimism: once the task has been solved `explore_trials` times, each further
/// solved trial makes what is unexplored `rate` times its optimistic cost more expensive, so the
/// agent commits to what it has learned (exploration is not switched off: an unexplored
/// behaviour is still finite and is taken when nothing known is left).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Habituation {
    /// Added to the factor per solved trial beyond `explore_trials`.
    pub rate: Real,
    /// Solved trials before optimism starts to habituate.
    pub explore_trials: u32,
}

impl Habituation {
    /// The factor on unexplored space's optimistic cost after `solved` successful trials:
    /// `1 + rate x max(0, solved - explore_trials)`.
    #[inline]
    pub fn factor(&self, solved: u32) -> Real {
        1.0 + self.rate * Real::from(solved.saturating_sub(self.explore_trials))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn potentiation_approaches_one_and_depression_stops_at_the_floor() {
        let h = Hebbian {
            eta: 0.5,
            beta: 0.5,
            w_min: 0.1,
        };
        assert_eq!(h.potentiate(0.5), 0.75);
        assert_eq!(h.potentiate(1.0), 1.0);
        assert_eq!(h.depress(0.8), 0.4);
        assert_eq!(h.depress(0.15), 0.1);
        let mut w = 1.0;
        for _ in 0..100 {
            w = h.depress(w);
        }
        assert_eq!(w, 0.1);
    }

    #[test]
    fn a_place_refines_at_every_third_failure_until_it_cannot() {
        let r = Refinement { after: 3 };
        let mut count = 0;
        let refined: Vec<bool> = (0..7).map(|_| r.fail(&mut count, true)).collect();
        assert_eq!(
            refined,
            [false, false, true, false, false, true, false],
            "every third failure"
        );
        assert_eq!(count, 1);
        for _ in 0..5 {
            assert!(!r.fail(&mut count, false), "at the finest level");
        }
        assert_eq!(count, 6);
        assert!(
            r.fail(&mut count, true),
            "refines at once when it can again"
        );
        assert_eq!(count, 0);
    }

    #[test]
    fn habituation_starts_after_the_exploring_trials() {
        let h = Habituation {
            rate: 6.0,
            explore_trials: 1,
        };
        assert_eq!(h.factor(0), 1.0);
        assert_eq!(h.factor(1), 1.0);
        assert_eq!(h.factor(2), 7.0);
        assert_eq!(h.factor(3), 13.0);
    }
}
