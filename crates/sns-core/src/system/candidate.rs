//! Search mode with a hold (the goal region not told, success only signalled): the places
//! tried as the hidden goal, one at a time, refuted when held at without success.

use super::{CellKey, PlaceId, SystemDomain, SystemSubstrate};
use sns_spaces::Point;

/// Search mode with a hold: a place being tried as the hidden goal.
#[derive(Debug, Clone, Copy)]
pub(super) struct Candidate<const D: usize> {
    pub(super) key: CellKey<D>,
    pub(super) centre: Point<D>,
    /// Steps since it was chosen, and consecutive steps within its ball.
    since: u64,
    dwell: u32,
}

impl<const D: usize, const A: usize, S: SystemSubstrate<D>> SystemDomain<D, A, S> {
    /// The radius of a candidate hold (search mode, hold tasks): the kernel's radius.
    pub(super) fn hold_ball(&self) -> f64 {
        self.params.kernel_radius
    }

    /// Search mode with a hold: picks the next place to try holding at, when none is being
    /// tried and the goal has not been found. A place is a candidate when it is not refuted
    /// (held at without success) or given up, and the state could stay near it by switching
    /// between levels: on every axis, some level's learned flow there is not above zero and
    /// some level's is not below (within an eighth of the hold's radius per step), or a level
    /// is untried
    /// (optimistic). The nearest candidate to the state, fewest attempts first, is taken.
    pub(super) fn pick_candidate(&mut self, u: &Point<D>) {
        if self.task.goal.is_some()
            || self.task.hold_steps <= 1
            || !self.learned_goal.is_empty()
            || self.candidate.is_some()
        {
            return;
        }
        let drift = self.hold_ball() / 8.0;
        let levels = self.prims.levels().len();
        let mut best: Option<(u32, f64, PlaceId)> = None;
        for p in 0..self.mem.len() as PlaceId {
            let key = self.mem.key(p);
            if self.refuted.contains(&key) {
                continue;
            }
            let tries = self.attempts.get(&key).copied().unwrap_or(0);
            if tries >= self.params.refine_after {
                continue;
            }
            let centre = self.mem.centre(p);
            let mut lo = [f64::INFINITY; D];
            let mut hi = [f64::NEG_INFINITY; D];
            let mut untried = false;
            for l in 0..levels {
                match self.mem.predict(&centre, l, self.radius) {
                    Some(f) => {
                        for i in 0..D {
                            lo[i] = lo[i].min(f[i]);
                            hi[i] = hi[i].max(f[i]);
                        }
                    }
                    None => untried = true,
                }
            }
            let stays = untried || (0..D).all(|i| lo[i] <= drift && hi[i] >= -drift);
            if !stays {
                continue;
            }
            let d = self.geo.dist(u, &centre);
            if best.map_or(true, |b| (tries, d) < (b.0, b.1)) {
                best = Some((tries, d, p));
            }
        }
        if let Some((_, _, p)) = best {
            self.candidate = Some(Candidate {
                key: self.mem.key(p),
                centre: self.mem.centre(p),
                since: 0,
                dwell: 0,
            });
            self.route.clear();
            self.held = 0;
        }
    }

    /// Search mode with a hold: follows the attempt at the current candidate. Holding at it for
    /// the whole hold without success refutes it; leaving it after entering, or not entering it
    /// within ten holds' time, is an attempt (after `refine_after` attempts it is given up).
    pub(super) fn track_candidate(&mut self, u: &Point<D>) {
        let hold = self.task.hold_steps;
        let Some(mut c) = self.candidate.take() else {
            return;
        };
        c.since += 1;
        let inside = self.geo.dist(u, &c.centre) <= self.hold_ball();
        let mut done = false;
        if inside {
            c.dwell += 1;
            if c.dwell >= hold {
                // Held there without success: refuted, and the places near postponed (a
                // failure generalises to similar behaviours).
                self.refuted.insert(c.key);
                self.stats.holds_refuted += 1;
                let mut near = Vec::new();
                self.mem.near(&c.centre, self.hold_ball(), &mut near);
                for q in near {
                    *self.attempts.entry(self.mem.key(q)).or_insert(0) += 1;
                }
                done = true;
            }
        } else if c.dwell > 0 || c.since > 10 * u64::from(hold) {
            *self.attempts.entry(c.key).or_insert(0) += 1;
            self.stats.holds_failed += 1;
            done = true;
        }
        if done {
            self.route.clear();
            self.held = 0;
        } else {
            self.candidate = Some(c);
        }
    }
}
