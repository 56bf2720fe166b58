//! The failure model and the cost model of the SNS algorithm, written once for every substrate.
//!
//! A behaviour that fails against a wall leaves a remembered contact: a wall point `q` with its
//! normal `n`, standing for a straight wall patch through `q` along `n.perp()`, of half-length
//! [`PlanCosts::contact_patch`]. Failures generalise (paper, section 3): a straight behaviour
//! `a -> b` is predicted to fail like the one that made the contact when one of its ends lies
//! inside the wall ([`PlanCosts::behind_patch`]) or its segment passes within the clearance
//! ([`PlanCosts::clearance`]) of the patch. A behaviour whose last execution succeeded is
//! proven: direct evidence beats generalisation. An edge predicted to fail keeps its stored
//! effectiveness times [`PlanCosts::generalised_factor`], and every edge costs
//! `length / effectiveness + segment_penalty` ([`FailureModel::edge_cost`]).
//!
//! Who decides what:
//! - this module keeps the contact memory ([`Contacts`]: wall points, normals, their spatial
//!   prefilter), the wall test around the patch (the prefilter, `behind_patch`), the lazy cache
//!   of each edge's prediction ([`EdgeFailure`]), the prediction for a frontier place's virtual
//!   exit, and the edge cost;
//! - the substrate answers only the question that is its own, through [`PatchTest`]: whether a
//!   segment passes within the clearance of one patch. The symbolic substrate measures it
//!   exactly; the neural substrate compares the codes of the two segments' closest points
//!   (docs/NEURAL.md), so that it is the code that decides how failures generalise there.

use crate::familiar::{FamiliarCache, FamiliarSpace};
use crate::spatial::SpatialHash;
use crate::substrate::PlanCosts;
use sns_worlds::math::point_segment_dist;
use sns_worlds::{Real, Vec2};
use std::cell::Cell;

/// Up to this many contacts (or as many as the buckets the spatial prefilter would visit, if more)
/// are scanned one by one; more go through the prefilter. A fact of the code's layout (both give
/// the same answer), not of the algorithm.
const SCAN_AT_MOST: usize = 64;

/// The contact memory: remembered wall points (as the substrate represents them, decoded from
/// their codes in the neural substrate), their unit normals, and a spatial prefilter.
#[derive(Debug, Clone, Default)]
pub struct Contacts {
    points: Vec<Vec2>,
    normals: Vec<Vec2>,
    hash: SpatialHash,
}

impl Contacts {
    /// Remembers the contact at wall point `q` with unit normal `n`; returns its index.
    pub fn push(&mut self, q: Vec2, n: Vec2) -> usize {
        let i = self.points.len();
        self.hash.insert(q, i);
        self.points.push(q);
        self.normals.push(n);
        i
    }

    /// Number of remembered contacts.
    pub fn len(&self) -> usize {
        self.points.len()
    }

    /// Whether no contact is remembered.
    pub fn is_empty(&self) -> bool {
        self.points.is_empty()
    }

    /// Wall point of contact `i`.
    pub fn point(&self, i: usize) -> Vec2 {
        self.points[i]
    }

    /// Unit normal of contact `i`.
    pub fn normal(&self, i: usize) -> Vec2 {
        self.normals[i]
    }

    /// Whether `f` holds for some contact numbered `from` or more whose prefilter bucket
    /// overlaps the band of half-width `m` around the segment `a -> b` (a superset of the
    /// contacts within `m` of it); only the contacts since `from` are visited.
    pub fn any_near_since(
        &self,
        a: Vec2,
        b: Vec2,
        m: Real,
        from: usize,
        f: impl FnMut(usize) -> bool,
    ) -> bool {
        self.hash.any_near_segment_since(a, b, m, from, f)
    }

    /// Calls `f` for every contact whose prefilter bucket overlaps the box `[lo, hi]` (a
    /// superset of the contacts inside it).
    pub fn for_each_in(&self, lo: Vec2, hi: Vec2, f: impl FnMut(usize)) {
        self.hash.for_each_in(lo, hi, f);
    }
}

/// The straight wall patch a contact stands for: through `centre`, from `centre - t` to
/// `centre + t`, `t` being along the wall with length `half`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Patch {
    /// The remembered wall point.
    pub centre: Vec2,
    /// Half the patch, along the wall (`normal.perp() x half`).
    pub t: Vec2,
    /// The half-length, in metres ([`PlanCosts::contact_patch`]).
    pub half: Real,
}

/// The substrate's own part of the failure model: whether a straight behaviour passes within
/// the clearance of a wall patch.
pub trait PatchTest {
    /// How far from a segment a patch can be and still pass [`PatchTest::passes_patch`], given
    /// the clearance: contacts farther than this plus the patch's half-length from the segment's
    /// bounding box are never tested.
    fn patch_reach(&self, clearance: Real) -> Real;
    /// Whether the segment `a -> b` passes within `clearance` of the wall patch `patch`.
    fn passes_patch(&self, a: Vec2, b: Vec2, patch: &Patch, clearance: Real) -> bool;
}

/// Whether `q` lies in the bounding box of `a` and `b` grown by `m`.
pub fn in_grown_box(a: Vec2, b: Vec2, q: Vec2, m: Real) -> bool {
    q.x >= a.x.min(b.x) - m
        && q.x <= a.x.max(b.x) + m
        && q.y >= a.y.min(b.y) - m
        && q.y <= a.y.max(b.y) + m
}

/// The lazy per-edge cache of the failure prediction, kept in the substrate's edge (a symbolic
/// edge or a synapse): how many contacts were checked, whether one of them predicts that the
/// edge fails, and whether the edge is proven.
#[derive(Debug, Clone, Default)]
pub struct EdgeFailure {
    checked: Cell<usize>,
    blocked: Cell<bool>,
    proven: bool,
}

impl EdgeFailure {
    /// Records the outcome of the edge's last execution: success proves it (direct evidence
    /// beats generalisation), failure withdraws the proof.
    pub fn set_proven(&mut self, proven: bool) {
        self.proven = proven;
    }

    /// Whether the edge's last execution succeeded.
    pub fn proven(&self) -> bool {
        self.proven
    }
}

/// The failure model and the cost model over one substrate's contact memory and patch test,
/// with the costs of one decision.
pub struct FailureModel<'a, T: ?Sized> {
    contacts: &'a Contacts,
    test: &'a T,
    costs: &'a PlanCosts,
}

impl<'a, T: PatchTest + ?Sized> FailureModel<'a, T> {
    /// The model over `contacts`, asking `test` the substrate's question.
    pub fn new(contacts: &'a Contacts, test: &'a T, costs: &'a PlanCosts) -> Self {
        FailureModel {
            contacts,
            test,
            costs,
        }
    }

    /// How far from a segment's bounding box a contact can lie and still change the segment's
    /// prediction: an end behind its patch lies within `wall_depth + half` of it, and the
    /// substrate's test sees no farther than its [`PatchTest::patch_reach`] plus the half-length.
    /// The incremental planner re-examines the edges this near a new contact.
    pub fn contact_reach(&self) -> Real {
        let costs = self.costs;
        self.test.patch_reach(costs.clearance).max(costs.wall_depth) + costs.contact_patch
    }

    /// Whether the straight segment `a -> b` is predicted to fail because of contacts `from..`:
    /// one of its ends lies inside a remembered wall, or it passes within the clearance of a
    /// remembered patch ([`PatchTest::passes_patch`]).
    pub fn segment_blocked(&self, a: Vec2, b: Vec2, from: usize) -> bool {
        self.segment_hits(a, b, from, |_| true)
    }

    /// Whether `f(i)` holds for some contact `i` among `from..` that predicts the segment
    /// `a -> b` to fail (as [`FailureModel::segment_blocked`] decides); `f` returning false
    /// visits every such contact.
    fn segment_hits(
        &self,
        a: Vec2,
        b: Vec2,
        from: usize,
        mut f: impl FnMut(usize) -> bool,
    ) -> bool {
        let costs = self.costs;
        let n = self.contacts.len();
        if from >= n {
            return false;
        }
        let clearance = costs.clearance;
        let half = costs.contact_patch;
        // The rejects are exact (the slack absorbs rounding): the decisions are those of the
        // full test, only cheaper.
        let reach = self.contact_reach();
        let hit = |i: usize| {
            let (q, normal) = (self.contacts.point(i), self.contacts.normal(i));
            if !in_grown_box(a, b, q, reach + 1e-9) || point_segment_dist(q, a, b) > reach + 1e-9 {
                return false;
            }
            if costs.behind_patch(q, normal, a) || costs.behind_patch(q, normal, b) {
                return f(i);
            }
            let patch = Patch {
                centre: q,
                t: normal.perp() * half,
                half,
            };
            self.test.passes_patch(a, b, &patch, clearance) && f(i)
        };
        // A long line's band covers many buckets: fewer new contacts than that are cheaper to
        // scan (the case of an exit checked again after a few contacts).
        if n - from <= SCAN_AT_MOST.max(SpatialHash::band_buckets(a, b, reach)) {
            return (from..n).any(hit);
        }
        // A contact that predicts a failure lies within `reach` of the segment (an end inside
        // its wall, or the segment within the clearance of its patch), so the band around the
        // segment holds every one: a long line costs its length, not its bounding box.
        self.contacts.any_near_since(a, b, reach + 1e-9, from, hit)
    }

    /// Whether the edge `a -> b` with cache `e` is predicted to fail: never when generalisation
    /// is off or the edge is proven; otherwise the contacts made since its last check are tested
    /// (a prediction, once made, stays until the edge is proven).
    pub fn edge_blocked(&self, e: &EdgeFailure, a: Vec2, b: Vec2) -> bool {
        if !self.costs.generalise || e.proven {
            return false;
        }
        let n = self.contacts.len();
        if e.checked.get() < n {
            if !e.blocked.get() && self.segment_blocked(a, b, e.checked.get()) {
                e.blocked.set(true);
            }
            e.checked.set(n);
        }
        e.blocked.get()
    }

    /// Whether a remembered wall among contacts `from..` blocks the first `exit_reach` metres of
    /// the virtual exit from the place at `a` toward the goal at `goal` (the straight line
    /// through unexplored space).
    pub fn exit_blocked(&self, a: Vec2, goal: Vec2, from: usize) -> bool {
        let d = a.dist(goal);
        let b = a + (goal - a) * (self.costs.exit_reach.min(d) / d.max(1e-12));
        self.segment_blocked(a, b, from)
    }

    /// The cost of the edge `a -> b` for planning: `length / effectiveness + segment_penalty`,
    /// the effectiveness being the stored one `w` (untried: the optimism of
    /// [`PlanCosts::effectiveness`], through familiar space per `fam`), times
    /// `generalised_factor` when the edge is predicted to fail.
    pub fn edge_cost(
        &self,
        w: Option<Real>,
        fam: &FamiliarCache,
        e: &EdgeFailure,
        (a, b): (Vec2, Vec2),
        familiar: &FamiliarSpace,
    ) -> Real {
        let costs = self.costs;
        let mut w = costs.effectiveness(w, || fam.get(familiar, a, b));
        if self.edge_blocked(e, a, b) {
            w *= costs.generalised_factor;
        }
        a.dist(b) / w.max(1e-12) + costs.segment_penalty
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{MazeParams, Symbolic};

    /// The full test of one contact, with no prefilter: the reference.
    fn hit(c: &Contacts, i: usize, a: Vec2, b: Vec2, costs: &PlanCosts) -> bool {
        let (q, n) = (c.point(i), c.normal(i));
        let patch = Patch {
            centre: q,
            t: n.perp() * costs.contact_patch,
            half: costs.contact_patch,
        };
        costs.behind_patch(q, n, a)
            || costs.behind_patch(q, n, b)
            || Symbolic::new().passes_patch(a, b, &patch, costs.clearance)
    }

    /// As contacts arrive in batches, the prediction through the box prefilter and the spatial
    /// hash (past `SCAN_AT_MOST` contacts) and the lazily cached prediction of each edge equal
    /// the full test against every contact; a proven edge is never predicted to fail.
    #[test]
    fn prefilter_and_lazy_cache_decide_as_the_full_test() {
        let costs = MazeParams::default().costs();
        let test = Symbolic::new();
        let mut rnd = crate::testutil::uniform(99);
        let mut contacts = Contacts::default();
        // Short edges, and long lines across the field (as frontier exits are), which the
        // prefilter takes through the band around them or scans one by one.
        let edges: Vec<(Vec2, Vec2, EdgeFailure)> = (0..300)
            .map(|k| {
                let a = Vec2::new(rnd() * 10.0, rnd() * 10.0);
                let scale = if k % 5 == 0 { 25.0 } else { 3.0 };
                let d = Vec2::new(rnd() - 0.5, rnd() - 0.5) * scale;
                (a, a + d, EdgeFailure::default())
            })
            .collect();
        let (mut blocked, mut free) = (0, 0);
        for _ in 0..8 {
            for _ in 0..25 {
                let q = Vec2::new(rnd() * 10.0, rnd() * 10.0);
                contacts.push(q, Vec2::new(1.0, 0.0).rotated(rnd() * 6.3));
            }
            let m = FailureModel::new(&contacts, &test, &costs);
            for (a, b, e) in &edges {
                let want = (0..contacts.len()).any(|i| hit(&contacts, i, *a, *b, &costs));
                assert_eq!(m.segment_blocked(*a, *b, 0), want);
                assert_eq!(m.edge_blocked(e, *a, *b), want);
                if want {
                    blocked += 1;
                } else {
                    free += 1;
                }
            }
        }
        assert!(contacts.len() > SCAN_AT_MOST);
        assert!(
            blocked > 200 && free > 200,
            "{blocked} blocked, {free} free"
        );
        let m = FailureModel::new(&contacts, &test, &costs);
        let (a, b, mut e) = edges
            .into_iter()
            .find(|(a, b, e)| m.edge_blocked(e, *a, *b))
            .unwrap();
        e.set_proven(true);
        assert!(
            !m.edge_blocked(&e, a, b),
            "direct evidence beats generalisation"
        );
    }
}
