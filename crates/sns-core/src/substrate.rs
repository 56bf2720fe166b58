//! What the SNS algorithm needs from the medium that stores its cognitive graph.
//!
//! The algorithm ([`crate::sns`]) is written once against this trait, and so are its cost model
//! and its failure model ([`crate::failure`]: the contact memory, the prediction that a
//! behaviour fails, its lazy per-edge cache, the edge cost) and the nearest-node search
//! ([`Substrate::nearest`]). A substrate stores and plans: the symbolic substrate
//! ([`crate::symbolic`]) stores exact positions, the neural substrate (crate `sns-neural`)
//! stores place units over a harmonic code and Hebbian synapses; each answers the one question
//! of the failure model that depends on its representation ([`PatchTest`]: the symbolic
//! substrate by exact geometry, the neural one by the similarity of codes), and both plan with
//! the incremental planner of [`crate::plan`] over what they store (in the neural substrate its
//! cost-to-goal is the log of the activity spread from the goal). Both must choose the same
//! behaviours up to ties.

use crate::agent::GraphSnapshot;
use crate::failure::{Contacts, EdgeFailure, FailureModel, PatchTest};
use crate::familiar::FamiliarSpace;
use crate::learning::Hebbian;
use sns_worlds::{Real, Vec2};

/// Index of a node (a place / a behaviour end point). Nodes are never removed.
pub type NodeId = usize;

/// The radii, in metres, of the widening prefilter of [`Substrate::nearest`] before every node
/// is scored. A fact of the search's layout: the symbolic answer does not depend on them, the
/// neural one only where the kernel's anisotropy would let a farther unit win.
pub const NEAREST_RINGS: [Real; 2] = [0.5, 2.0];

/// Learning and ordering constants the substrate applies (a view of [`crate::MazeParams`]).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PlanCosts {
    /// Effectiveness assumed for an untried behaviour now (optimism; it habituates as trials
    /// succeed, see [`crate::MazeParams::habituation`]).
    pub w_untried: Real,
    /// Effectiveness assumed for an untried behaviour through familiar space (near where the
    /// body has been): the initial optimism, which does not habituate (see [`crate::familiar`]).
    pub w_familiar: Real,
    /// Cost added per edge (simplicity: fewer segments are simpler), in metres.
    pub segment_penalty: Real,
    /// Factor applied to the effectiveness of an edge predicted to fail by generalisation.
    pub generalised_factor: Real,
    /// Whether failures generalise to similar behaviours.
    pub generalise: bool,
    /// Clearance in metres: a straight behaviour passing closer than this to a remembered wall
    /// patch is predicted to fail (`body_radius x clearance_factor`, see
    /// [`crate::MazeParams::clearance_factor`]).
    pub clearance: Real,
    /// Half-length of the wall patch a contact stands for: a contact at wall point `q` with
    /// normal `n` predicts a straight wall through `q`, perpendicular to `n`, this far each way.
    pub contact_patch: Real,
    /// Depth behind a remembered wall patch within which a place counts as inside the wall
    /// (walls are assumed at least this thick), in metres: a behaviour from or to such a place
    /// is predicted to fail. The corner-cutting radius, the deepest a place can be and still be
    /// counted as reached.
    pub wall_depth: Real,
    /// Length up to which an edge is short, in metres (the connection radius of level 0): the
    /// incremental planner finds the short edges near a new contact through their nodes, and
    /// checks the longer ones one by one.
    pub edge_reach: Real,
    /// How far along a frontier place's virtual exit remembered walls are looked for, in metres
    /// ([`crate::MazeParams::exit_check`]).
    pub exit_reach: Real,
    /// Search mode: the goal's position is not sensed; the planner's goal is a sink reached only
    /// through the frontier places' exits, each costing one segment penalty (see [`crate::plan`]).
    pub search: bool,
}

impl PlanCosts {
    /// Whether the place `x` lies inside the wall that the contact at wall point `q` with normal
    /// `n` stands for: behind the patch (within its half-length along the wall) by at most
    /// `wall_depth`.
    pub fn behind_patch(&self, q: Vec2, n: Vec2, x: Vec2) -> bool {
        let depth = (q - x).dot(n);
        depth > 0.0 && depth <= self.wall_depth && (x - q).dot(n.perp()).abs() <= self.contact_patch
    }

    /// Effectiveness for planning of an edge with stored value `w` (`None`: untried);
    /// `familiar` (whether the edge's segment is familiar) is evaluated only when it matters.
    pub fn effectiveness(&self, w: Option<Real>, familiar: impl FnOnce() -> bool) -> Real {
        match w {
            Some(w) => w,
            None if self.w_familiar > self.w_untried && familiar() => self.w_familiar,
            None => self.w_untried,
        }
    }
}

/// Storage and planning medium of the cognitive graph. Its [`PatchTest`] is the substrate's
/// answer to the failure model's question ([`crate::failure`]).
pub trait Substrate: PatchTest {
    /// "symbolic" or "neural".
    fn name(&self) -> &'static str;
    /// Adds a node anchored at `pos`, at refinement `level`.
    fn add_node(&mut self, pos: Vec2, level: u8) -> NodeId;
    /// The anchor of node `n` as the substrate represents it (decoded, for the neural substrate).
    fn node_pos(&self, n: NodeId) -> Vec2;
    /// Refinement level of `n`.
    fn node_level(&self, n: NodeId) -> u8;
    /// Raises the refinement level of `n`.
    fn set_node_level(&mut self, n: NodeId, level: u8);
    /// Number of nodes.
    fn node_count(&self) -> usize;
    /// Number of directed edges.
    fn edge_count(&self) -> usize;
    /// The node nearest to `pos` (the most active place unit in the neural substrate) among the
    /// candidates the substrate's prefilter finds within `radius` (every node when `None`), and
    /// its distance.
    fn nearest_within(&self, pos: Vec2, radius: Option<Real>) -> Option<(NodeId, Real)>;
    /// The node the agent is nearest to at `pos` and its distance: the nearest within the
    /// widening radii of [`NEAREST_RINGS`], else the nearest of all.
    fn nearest(&self, pos: Vec2) -> Option<(NodeId, Real)> {
        NEAREST_RINGS
            .iter()
            .find_map(|&r| self.nearest_within(pos, Some(r)))
            .or_else(|| self.nearest_within(pos, None))
    }
    /// Nodes within `radius` of `pos`, nearest first, at most `max` of them.
    fn within(&self, pos: Vec2, radius: Real, max: usize) -> Vec<NodeId>;
    /// Adds the edge `u -> v` if it does not exist, with effectiveness `w`, or untried (`None`:
    /// its effectiveness is then `costs.w_untried` at the time of use).
    fn connect(&mut self, u: NodeId, v: NodeId, w: Option<Real>);
    /// Effectiveness of `u -> v` now (None without edge).
    fn weight(&self, u: NodeId, v: NodeId, costs: &PlanCosts) -> Option<Real>;
    /// Hebbian potentiation of `u -> v` after a success: `w <- w + eta (1 - w)`; the edge is
    /// proven ([`EdgeFailure::set_proven`]).
    fn potentiate(&mut self, u: NodeId, v: NodeId, rule: &Hebbian, costs: &PlanCosts);
    /// Depression of `u -> v` after a failure: `w <- beta w`; the edge is no longer proven.
    fn depress(&mut self, u: NodeId, v: NodeId, rule: &Hebbian, costs: &PlanCosts);
    /// Gives the untried behaviour `u -> v` (added if new) the effectiveness `w` of a proven
    /// behaviour it stands in for, and its proof; a behaviour already tried keeps what it
    /// learned.
    fn transfer(&mut self, u: NodeId, v: NodeId, w: Real);
    /// Remembers that the body touched a wall at the wall point `pos` (the body's surface point
    /// along `-normal`), with contact normal `normal`, in [`Substrate::contacts`].
    fn record_contact(&mut self, pos: Vec2, normal: Vec2);
    /// Whether a contact is remembered within `radius` of `pos`.
    fn contact_near(&self, pos: Vec2, radius: Real) -> bool;
    /// The contact memory (as the substrate represents the wall points).
    fn contacts(&self) -> &Contacts;
    /// The failure-prediction cache of the edge `u -> v` (None without edge).
    fn edge_failure(&self, u: NodeId, v: NodeId) -> Option<&EdgeFailure>;
    /// The failure and cost model over this substrate's contacts, with `costs`.
    fn failure<'a>(&'a self, costs: &'a PlanCosts) -> FailureModel<'a, Self> {
        FailureModel::new(self.contacts(), self, costs)
    }
    /// Number of remembered contacts.
    fn contact_count(&self) -> usize {
        self.contacts().len()
    }
    /// Whether the behaviour `u -> v` is predicted to fail because it resembles a failed one: its
    /// segment passes through a remembered wall patch, or one of its ends lies inside the wall
    /// ([`PlanCosts::behind_patch`]); see [`FailureModel::edge_blocked`].
    fn predicted_blocked(&self, u: NodeId, v: NodeId, costs: &PlanCosts) -> bool {
        self.edge_failure(u, v).is_some_and(|e| {
            self.failure(costs)
                .edge_blocked(e, self.node_pos(u), self.node_pos(v))
        })
    }
    /// Whether a remembered wall lies across the straight segment `a -> b`, or holds one of its
    /// ends (the same test as [`Substrate::predicted_blocked`], for any segment, against every
    /// remembered contact).
    fn wall_between(&self, a: Vec2, b: Vec2, costs: &PlanCosts) -> bool {
        self.failure(costs).segment_blocked(a, b, 0)
    }
    /// Marks `u` as a frontier place (next to space where no place was laid yet) or not. A
    /// frontier place has a virtual exit to the goal through unexplored space, costing about
    /// `distance / w_untried` (see [`crate::plan`]).
    fn set_frontier(&mut self, u: NodeId, frontier: bool);
    /// The cheapest path `from -> goal` (node list, `from` first; its last edge may be a frontier
    /// place's virtual exit) and its cost, where an edge costs
    /// `length / effectiveness + segment_penalty`; `familiar` is where the body has been. The
    /// search is incremental ([`crate::plan::Replanner`]): it repairs the previous one. The path is
    /// read out until its part beyond the first edge is longer than `ahead` metres.
    fn plan(
        &mut self,
        from: NodeId,
        goal: NodeId,
        costs: &PlanCosts,
        familiar: &FamiliarSpace,
        ahead: Real,
    ) -> Option<(Real, Vec<NodeId>)>;
    /// Nodes the planner expanded so far (its work, for reports).
    fn plan_expansions(&self) -> u64;
    /// A copy of the graph for reports.
    fn snapshot(&self) -> GraphSnapshot;
}
