//! Incremental planning on the cognitive graph: D* Lite (Koenig and Likhachev, 2002) searching
//! backward from the goal, so that a re-plan after a failure, an arrival or a few new places
//! repairs the previous search instead of repeating it.
//!
//! Between two decisions only a few edge costs change (one edge depressed or potentiated, the
//! edges near a few new wall contacts, the edges of a few new places). The planner keeps, for
//! every node `u`, its cost-to-goal `g(u)` and the one-step look-ahead
//! `rhs(u) = min over edges u -> v of c(u, v) + g(v)`; a change of the edges leaving `u` only
//! makes `u` inconsistent (`g != rhs`), and the repair visits only the nodes whose cost-to-goal
//! changes and that could matter for the agent's node (their key is below the agent's). The
//! heuristic toward the agent is the straight-line distance, admissible and consistent because an
//! edge costs at least its length (`length / w + penalty` with `w <= 1`). When a node's
//! cost-to-goal rises, only the predecessors whose look-ahead went through it recompute theirs
//! (the optimised D* Lite of the same paper); a frontier exit's wall check is cached per node and
//! goal and extended only to the contacts made since. The planner keeps the costs of each node's
//! edges as it last read them, filed under both ends, and reads them again only when the node is
//! touched (the same premise the repair rests on: an edge's cost changes only where a change is
//! reported), so a repair that re-examines many nodes does not ask the graph to evaluate their
//! edges again (16 bytes per edge and end). A restart (new goal, exits or planning costs) reads
//! every edge anew.
//!
//! **Optimism about unexplored space** is a set of virtual *exits*: a node marked as an exit (a
//! place at the frontier of the explored region, see [`crate::sns`]) has a virtual edge to the
//! goal costing `distance x (1 / w_untried + segment_penalty / edge_reach) + segment_penalty`, the
//! cost of the straight line through space nobody has laid places in (as if crossed by untried
//! edges of the connection radius). Nothing is laid out in unknown space; memory grows only with
//! what was explored.
//!
//! The substrates ([`crate::Symbolic`], and the neural one in `sns-neural`) own a [`Replanner`]
//! and tell it which edges they add or change; the [`Replanner`] also finds the edges whose cost
//! new wall contacts or newly familiar space may have changed.

use crate::familiar::FamiliarSpace;
use crate::fxhash::FxHashMap;
use crate::substrate::{NodeId, PlanCosts};
use sns_worlds::math::point_segment_dist;
use sns_worlds::{Real, Vec2};
use std::cell::Cell;
use std::cmp::Ordering;
use std::collections::BinaryHeap;

/// Side of a cell of the index of long edges, in metres: a change within this distance of a long
/// edge's segment is found through the 3 x 3 cells around it.
const LONG_CELL: Real = 2.0;

/// Number of bins of the index of exits by their direction from the goal (a fact of the
/// index's layout: a query takes every bin its angular window touches).
const EXIT_BINS: usize = 2048;

/// What the planner needs to read from a graph.
pub trait PlanGraph {
    /// Number of nodes (ids are `0..node_count()`).
    fn node_count(&self) -> usize;
    /// Anchor of node `u`.
    fn pos(&self, u: NodeId) -> Vec2;
    /// Calls `f(v, cost)` for every edge `u -> v`, in a fixed order.
    fn for_each_out(&self, u: NodeId, f: &mut dyn FnMut(NodeId, Real));
    /// Pushes onto `out` every node within `radius` of `p` (a superset is allowed).
    fn nodes_near(&self, p: Vec2, radius: Real, out: &mut Vec<NodeId>);
    /// Number of remembered wall contacts.
    fn contact_count(&self) -> usize;
    /// Wall point of contact `i`.
    fn contact_point(&self, i: usize) -> Vec2;
    /// Whether a remembered wall among contacts `from..` blocks the first `reach` metres of the
    /// straight line from `u` toward `goal` (the start of `u`'s virtual exit; see
    /// [`crate::Substrate::wall_between`]). Contacts are never forgotten, so the planner asks
    /// only about those made since it last asked.
    fn exit_blocked(&self, u: NodeId, goal: Vec2, from: usize) -> bool;
    /// How far from a new contact an edge's failure prediction can change
    /// ([`crate::failure::FailureModel::contact_reach`]).
    fn contact_reach(&self) -> Real;
}

/// What a virtual exit costs: `distance x per_m + add` when its line is free, divided by
/// `blocked` (below 1) when a remembered wall crosses the part of its line that is checked
/// ([`PlanGraph::exit_blocked`]).
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct ExitCost {
    /// Cost per metre of the straight line.
    pub per_m: Real,
    /// Cost added once.
    pub add: Real,
    /// Factor dividing the cost of an exit a remembered wall crosses (1: no prediction).
    pub blocked: Real,
}

impl ExitCost {
    /// An exit costing `distance x per_m + add`, whatever the walls.
    pub fn plain(per_m: Real, add: Real) -> Self {
        ExitCost {
            per_m,
            add,
            blocked: 1.0,
        }
    }
}

/// Priority of a node in the queue: `(min(g, rhs) + h + km, min(g, rhs))`.
type Key = (Real, Real);

fn key_lt(a: Key, b: Key) -> bool {
    a.0 < b.0 || (a.0 == b.0 && a.1 < b.1)
}

#[derive(Debug, Clone, Copy, PartialEq)]
struct Entry {
    k: Key,
    u: NodeId,
}
impl Eq for Entry {}
impl Ord for Entry {
    fn cmp(&self, o: &Self) -> Ordering {
        // A min-heap on the key, ties by node id (determinism).
        o.k.0
            .total_cmp(&self.k.0)
            .then(o.k.1.total_cmp(&self.k.1))
            .then(o.u.cmp(&self.u))
    }
}
impl PartialOrd for Entry {
    fn partial_cmp(&self, o: &Self) -> Option<Ordering> {
        Some(self.cmp(o))
    }
}

/// D* Lite over a [`PlanGraph`] with virtual exits to the goal.
#[derive(Debug, Clone, Default)]
pub struct Incremental {
    g: Vec<Real>,
    rhs: Vec<Real>,
    /// The key under which a node is queued (entries with another key are stale).
    queued: Vec<Option<Key>>,
    heap: BinaryHeap<Entry>,
    exit: Vec<bool>,
    /// Nodes with a real edge to the goal: the real edge (tried, depressed or proven) replaces
    /// their virtual exit, which would otherwise offer the same straight line at the untried
    /// cost however often it failed.
    to_goal: Vec<bool>,
    /// Per node, for the current goal: how many contacts its exit was checked against, and
    /// whether one of them blocks it (a blocked exit stays blocked: contacts are not forgotten).
    exit_checked: Vec<Cell<(usize, bool)>>,
    exits: Vec<NodeId>,
    /// What an exit costs (see [`ExitCost`]).
    exit_cost: ExitCost,
    goal: Option<NodeId>,
    goal_pos: Vec2,
    /// The goal is a sink (search mode): no position, so its heuristic is 0.
    sink: bool,
    /// The agent's node at the last plan, and the key modifier.
    start: Option<NodeId>,
    km: Real,
    dirty: Vec<NodeId>,
    is_dirty: Vec<bool>,
    /// Per node, its edges and their costs as last read from the graph (in the graph's order),
    /// and whether they still hold: the costs of a node's edges change only where the node is
    /// touched (the premise of the incremental repair itself), so a look-ahead reads them here
    /// instead of asking the graph to evaluate every edge again.
    out: Vec<Vec<(NodeId, Real)>>,
    out_fresh: Vec<bool>,
    /// Per node, the sources of its edges with their costs as last read (kept with `out`): every
    /// edge is reported by touching its source, which is read again before the next search.
    inn: Vec<Vec<(NodeId, Real)>>,
    expansions: u64,
}

impl Incremental {
    /// An empty planner.
    pub fn new() -> Self {
        Self::default()
    }

    fn grow(&mut self, n: usize) {
        if self.g.len() < n {
            self.g.resize(n, Real::INFINITY);
            self.rhs.resize(n, Real::INFINITY);
            self.queued.resize(n, None);
            self.exit.resize(n, false);
            self.to_goal.resize(n, false);
            self.exit_checked.resize(n, Cell::new((0, false)));
            self.is_dirty.resize(n, false);
            self.out.resize(n, Vec::new());
            self.out_fresh.resize(n, false);
            self.inn.resize(n, Vec::new());
        }
    }

    /// Reads `u`'s edges and their costs from the graph unless they still hold, and files the
    /// costs under the edges' heads.
    fn refresh(&mut self, gr: &impl PlanGraph, u: NodeId) {
        if self.out_fresh[u] {
            return;
        }
        let out = &mut self.out[u];
        out.clear();
        gr.for_each_out(u, &mut |v, c| out.push((v, c)));
        self.out_fresh[u] = true;
        self.grow(self.out[u].iter().map(|e| e.0 + 1).max().unwrap_or(0));
        for &(v, c) in &self.out[u] {
            let inn = &mut self.inn[v];
            match inn.iter_mut().find(|e| e.0 == u) {
                Some(e) => e.1 = c,
                None => inn.push((u, c)),
            }
        }
    }

    /// The edges leaving `u` (or its exit) may have changed: `u` is re-examined at the next plan.
    pub fn touch(&mut self, u: NodeId) {
        self.touch_exit(u);
        self.out_fresh[u] = false;
    }

    /// The exit of `u` may cost something else (its edges did not change): `u` is re-examined at
    /// the next plan, with the edge costs it has.
    pub fn touch_exit(&mut self, u: NodeId) {
        self.grow(u + 1);
        if !self.is_dirty[u] {
            self.is_dirty[u] = true;
            self.dirty.push(u);
        }
    }

    /// Marks `u` as an exit (a virtual edge to the goal through unexplored space) or not.
    pub fn set_exit(&mut self, u: NodeId, on: bool) {
        self.grow(u + 1);
        if self.exit[u] != on {
            self.exit[u] = on;
            if on {
                self.exits.push(u);
            }
            self.touch(u);
        }
    }

    /// The edge `u -> goal` exists: `u`'s virtual exit is replaced by it (the goal being the one
    /// of the next plan).
    pub fn real_exit(&mut self, u: NodeId) {
        self.grow(u + 1);
        if !self.to_goal[u] {
            self.to_goal[u] = true;
            self.touch(u);
        }
    }

    /// The nodes that were ever marked as exits (some may no longer be).
    pub fn exits(&self) -> &[NodeId] {
        &self.exits
    }

    /// Whether `u` has a virtual exit to the goal.
    pub fn is_exit(&self, u: NodeId) -> bool {
        self.exit.get(u).copied().unwrap_or(false) && !self.to_goal[u]
    }

    /// The cost of the virtual edge `u -> goal` (infinite when `u` is no exit; see [`ExitCost`]).
    pub fn exit_cost(&self, g: &impl PlanGraph, u: NodeId) -> Real {
        if !self.is_exit(u) {
            return Real::INFINITY;
        }
        let ec = self.exit_cost;
        let d = g.pos(u).dist(self.goal_pos);
        let free = d * ec.per_m + ec.add;
        if ec.blocked < 1.0 && self.exit_blocked(g, u) {
            free / ec.blocked
        } else {
            free
        }
    }

    /// Whether a remembered wall blocks `u`'s exit toward the current goal, asking `g` only
    /// about the contacts made since the last time.
    fn exit_blocked(&self, g: &impl PlanGraph, u: NodeId) -> bool {
        let n = g.contact_count();
        let (checked, mut blocked) = self.exit_checked[u].get();
        if checked < n {
            if !blocked {
                blocked = g.exit_blocked(u, self.goal_pos, checked);
            }
            self.exit_checked[u].set((n, blocked));
        }
        blocked
    }

    /// Nodes expanded (made consistent or over-consistent) so far: the work of planning.
    pub fn expansions(&self) -> u64 {
        self.expansions
    }

    /// Forgets the search (the next plan starts from scratch, reading every edge's cost anew).
    pub fn reset(&mut self) {
        self.goal = None;
    }

    fn restart(&mut self, g: &impl PlanGraph, goal: NodeId, exit_cost: ExitCost) {
        self.g.iter_mut().for_each(|x| *x = Real::INFINITY);
        self.rhs.iter_mut().for_each(|x| *x = Real::INFINITY);
        self.queued.iter_mut().for_each(|x| *x = None);
        self.heap.clear();
        self.exits.retain(|&u| self.exit[u]);
        self.exits.sort_unstable();
        self.exits.dedup();
        for &u in &self.dirty {
            self.is_dirty[u] = false;
        }
        self.dirty.clear();
        self.goal = Some(goal);
        self.goal_pos = g.pos(goal);
        self.exit_checked
            .iter_mut()
            .for_each(|c| *c = Cell::new((0, false)));
        self.exit_cost = exit_cost;
        self.start = None;
        self.km = 0.0;
        self.rhs[goal] = 0.0;
        // Every edge's cost is read anew (the costs may be new), and the predecessors filed.
        self.inn.iter_mut().for_each(Vec::clear);
        self.out_fresh.iter_mut().for_each(|f| *f = false);
        for u in 0..g.node_count() {
            self.refresh(g, u);
        }
        self.to_goal.iter_mut().for_each(|x| *x = false);
        for &(u, _) in &self.inn[goal] {
            self.to_goal[u] = true;
        }
    }

    fn key(&self, u: NodeId, start_pos: Vec2, g: &impl PlanGraph) -> Key {
        let m = self.g[u].min(self.rhs[u]);
        let h = if self.sink && Some(u) == self.goal {
            0.0
        } else {
            g.pos(u).dist(start_pos)
        };
        (m + h + self.km, m)
    }

    /// Puts `u` in the queue when inconsistent, takes it out when consistent.
    fn requeue(&mut self, u: NodeId, start_pos: Vec2, g: &impl PlanGraph) {
        if self.g[u] != self.rhs[u] {
            let k = self.key(u, start_pos, g);
            if self.queued[u] != Some(k) {
                self.queued[u] = Some(k);
                self.heap.push(Entry { k, u });
            }
        } else {
            self.queued[u] = None;
        }
    }

    /// `min over edges u -> v of c(u, v) + g(v)`, the exit included.
    fn lookahead(&mut self, gr: &impl PlanGraph, u: NodeId) -> Real {
        if Some(u) == self.goal {
            return 0.0;
        }
        let mut best = self.exit_cost(gr, u);
        self.refresh(gr, u);
        let g = &self.g;
        for &(v, c) in &self.out[u] {
            let x = c + g.get(v).copied().unwrap_or(Real::INFINITY);
            if x < best {
                best = x;
            }
        }
        best
    }

    fn update(&mut self, gr: &impl PlanGraph, u: NodeId, start_pos: Vec2) {
        self.rhs[u] = self.lookahead(gr, u);
        self.requeue(u, start_pos, gr);
    }

    /// The first valid entry of the queue.
    fn top(&mut self) -> Option<Entry> {
        while let Some(&e) = self.heap.peek() {
            if self.queued[e.u] == Some(e.k) {
                return Some(e);
            }
            self.heap.pop();
        }
        None
    }

    fn compute(&mut self, gr: &impl PlanGraph, start: NodeId, start_pos: Vec2) {
        let mut preds: Vec<(NodeId, Real)> = Vec::new();
        while let Some(top) = self.top() {
            let ks = self.key(start, start_pos, gr);
            if !key_lt(top.k, ks) && self.rhs[start] <= self.g[start] {
                break;
            }
            let u = top.u;
            let k_new = self.key(u, start_pos, gr);
            if key_lt(top.k, k_new) {
                self.queued[u] = Some(k_new);
                self.heap.push(Entry { k: k_new, u });
                continue;
            }
            self.heap.pop();
            self.queued[u] = None;
            self.expansions += 1;
            preds.clear();
            preds.extend_from_slice(&self.inn[u]);
            let is_goal = Some(u) == self.goal;
            if is_goal {
                for k in 0..self.exits.len() {
                    let x = self.exits[k];
                    if self.is_exit(x) {
                        preds.push((x, self.exit_cost(gr, x)));
                    }
                }
            }
            if self.g[u] > self.rhs[u] {
                // Over-consistent: its cost-to-goal fell; predecessors may take the new route.
                self.g[u] = self.rhs[u];
                for &(p, c) in &preds {
                    if Some(p) != self.goal && c + self.g[u] < self.rhs[p] {
                        self.rhs[p] = c + self.g[u];
                        self.requeue(p, start_pos, gr);
                    }
                }
            } else {
                // Under-consistent: its cost-to-goal rose; predecessors that used it re-examine.
                // A predecessor whose rhs is below the cost through `u` had it from elsewhere:
                // raising `g[u]` leaves its minimum as it is (the optimised D* Lite of Koenig and
                // Likhachev), so only those that went through `u` (or tie with it) look again.
                let g_old = self.g[u];
                self.g[u] = Real::INFINITY;
                self.update(gr, u, start_pos);
                for &(p, c) in &preds {
                    if self.rhs[p] >= c + g_old {
                        self.update(gr, p, start_pos);
                    }
                }
            }
        }
    }

    /// The cheapest path `from -> goal` (nodes, `from` first; its last edge may be a virtual exit
    /// into `goal`) and its cost. An exit costs as [`ExitCost`] says (at least the distance: the
    /// heuristic's premise); when that or the goal differ from the last plan's, the search starts
    /// over. The path is read out only until
    /// its part beyond the first edge is longer than `ahead` metres (the rest is not needed to
    /// act), so reading it costs nothing that grows with the graph. With `sink` the goal stands
    /// for wherever success is (search mode: its position is unknown, it has no edges out and its
    /// heuristic is 0, which keeps the heuristic consistent whatever the exits cost).
    pub fn plan(
        &mut self,
        gr: &impl PlanGraph,
        from: NodeId,
        goal: NodeId,
        exit_cost: ExitCost,
        ahead: Real,
        sink: bool,
    ) -> Option<(Real, Vec<NodeId>)> {
        let n = gr.node_count();
        if from >= n || goal >= n {
            return None;
        }
        self.grow(n);
        if self.goal != Some(goal) || self.exit_cost != exit_cost || self.sink != sink {
            self.sink = sink;
            self.restart(gr, goal, exit_cost);
        }
        let start_pos = gr.pos(from);
        if let Some(s) = self.start {
            if s != from {
                self.km += gr.pos(s).dist(start_pos);
            }
        }
        self.start = Some(from);
        for k in 0..self.dirty.len() {
            let u = self.dirty[k];
            self.is_dirty[u] = false;
            // Before any search: the predecessors of every node are then known.
            self.refresh(gr, u);
            if Some(u) != self.goal {
                self.update(gr, u, start_pos);
            }
        }
        self.dirty.clear();
        self.requeue(goal, start_pos, gr);
        self.compute(gr, from, start_pos);
        let cost = self.rhs[from].min(self.g[from]);
        if !cost.is_finite() {
            return None;
        }
        let mut path = vec![from];
        let (mut u, mut beyond) = (from, -1.0);
        while u != goal {
            let mut best = (self.exit_cost(gr, u), goal);
            let g = &self.g;
            gr.for_each_out(u, &mut |v, c| {
                let x = c + g[v];
                if x < best.0 {
                    best = (x, v);
                }
            });
            if !best.0.is_finite() || path.len() > n {
                return None;
            }
            let v = best.1;
            if beyond >= 0.0 {
                beyond += gr.pos(u).dist(gr.pos(v));
            } else {
                beyond = 0.0;
            }
            path.push(v);
            u = v;
            if beyond > ahead {
                break;
            }
        }
        Some((cost, path))
    }
}

/// An [`Incremental`] planner with the bookkeeping that tells it which nodes to re-examine: the
/// sources of edges added, potentiated or depressed (reported by the substrate), of edges near
/// new wall contacts (their generalised failure prediction may have changed), and of edges near
/// newly familiar space (their optimism may have changed).
#[derive(Debug, Clone, Default)]
pub struct Replanner {
    planner: Incremental,
    /// Sources of edges longer than `PlanCosts::edge_reach`, by the cells (of side
    /// [`LONG_CELL`]) within one cell of their segment (the short edges are found through their
    /// nodes).
    long: FxHashMap<(i64, i64), Vec<NodeId>>,
    /// Every long edge's source, for changes that reach farther than a cell.
    long_all: Vec<NodeId>,
    /// Exits by their direction seen from the goal `exit_goal` (at `exit_goal_pos`), in
    /// [`EXIT_BINS`] bins of angle: every exit's line ends at the goal, so the exits whose line
    /// passes near a point are those whose direction lies within the angle the point's
    /// neighbourhood subtends at the goal. The index holds a node per exit, whatever the length
    /// of its line (filing the cells along each line, as for long edges, grew with the world).
    exit_bins: Vec<Vec<NodeId>>,
    exit_goal: Option<NodeId>,
    exit_goal_pos: Vec2,
    new_exits: Vec<NodeId>,
    added: Vec<(NodeId, NodeId)>,
    contacts_seen: usize,
    cells_seen: usize,
    near: Vec<NodeId>,
    /// The planning costs of the last plan (the planner's kept edge costs are theirs).
    costs: Option<PlanCosts>,
}

impl Replanner {
    /// An empty planner.
    pub fn new() -> Self {
        Self::default()
    }

    /// The edge `u -> v` was added.
    pub fn edge_added(&mut self, u: NodeId, v: NodeId) {
        self.added.push((u, v));
        self.planner.touch(u);
    }

    /// The effectiveness of an edge leaving `u` changed.
    pub fn edge_changed(&mut self, u: NodeId) {
        self.planner.touch(u);
    }

    /// Marks `u` as a frontier place with a virtual exit to the goal, or not.
    pub fn set_exit(&mut self, u: NodeId, on: bool) {
        if on && !self.planner.is_exit(u) {
            self.new_exits.push(u);
        }
        self.planner.set_exit(u, on);
    }

    /// The planner.
    pub fn planner(&self) -> &Incremental {
        &self.planner
    }

    /// Forgets the search.
    pub fn reset(&mut self) {
        self.planner.reset();
    }

    fn cell(p: Vec2) -> (i64, i64) {
        (
            (p.x / LONG_CELL).floor() as i64,
            (p.y / LONG_CELL).floor() as i64,
        )
    }

    /// Files the long edge `u -> v` under the cells within one cell of its segment.
    fn add_long(&mut self, u: NodeId, a: Vec2, b: Vec2) {
        self.long_all.push(u);
        Self::file(&mut self.long, u, a, b);
    }

    /// Files `u` under the cells within one cell of the segment `a -> b`.
    fn file(index: &mut FxHashMap<(i64, i64), Vec<NodeId>>, u: NodeId, a: Vec2, b: Vec2) {
        // Samples a quarter cell apart: every point within a cell of the segment lies in the 3 x 3
        // cells around a sample's.
        let n = (a.dist(b) / (LONG_CELL / 4.0)).ceil().max(1.0) as usize;
        let mut last = None;
        for k in 0..=n {
            let c = Self::cell(a + (b - a) * (k as Real / n as Real));
            if last == Some(c) {
                continue;
            }
            last = Some(c);
            for di in -1..=1 {
                for dj in -1..=1 {
                    let list = index.entry((c.0 + di, c.1 + dj)).or_default();
                    if list.last() != Some(&u) {
                        list.push(u);
                    }
                }
            }
        }
    }

    /// Touches the sources of every edge whose straight segment may pass within `reach` of `p`.
    fn touch_near(&mut self, gr: &impl PlanGraph, p: Vec2, reach: Real, short: Real) {
        self.near.clear();
        gr.nodes_near(p, short + reach, &mut self.near);
        for k in 0..self.near.len() {
            self.planner.touch(self.near[k]);
        }
        if reach > LONG_CELL {
            for k in 0..self.long_all.len() {
                self.planner.touch(self.long_all[k]);
            }
        } else {
            let c = Self::cell(p);
            for &u in self.long.get(&c).into_iter().flatten() {
                self.planner.touch(u);
            }
        }
    }

    /// The bin of the direction of `p` seen from the goal.
    fn exit_bin(&self, p: Vec2) -> usize {
        let d = p - self.exit_goal_pos;
        let a = d.y.atan2(d.x) + std::f64::consts::PI;
        ((a / std::f64::consts::TAU * EXIT_BINS as Real) as usize).min(EXIT_BINS - 1)
    }

    /// Files the exits set since the last plan (all of them for a new goal) by their direction
    /// from the goal.
    fn file_exits(&mut self, gr: &impl PlanGraph, goal: NodeId) {
        if self.exit_goal != Some(goal) {
            self.exit_goal = Some(goal);
            self.exit_goal_pos = gr.pos(goal);
            self.exit_bins = vec![Vec::new(); EXIT_BINS];
            self.new_exits = self.planner.exits().to_vec();
        }
        for k in 0..self.new_exits.len() {
            let u = self.new_exits[k];
            if self.planner.is_exit(u) {
                let b = self.exit_bin(gr.pos(u));
                self.exit_bins[b].push(u);
            }
        }
        self.new_exits.clear();
    }

    /// Touches the exit (not the edges) of every exit whose checked line (its first `check`
    /// metres toward the goal) passes within `reach` of `p`. Only the exits whose direction from
    /// the goal lies within the angle that the disc of radius `reach` around `p` subtends at the
    /// goal (every one when the disc holds the goal) can, and of those the line is measured.
    /// Exits that are no longer exits are dropped from the index on the way (a place is on the
    /// frontier only briefly).
    fn touch_exits_near(&mut self, gr: &impl PlanGraph, p: Vec2, reach: Real, check: Real) {
        if self.exit_goal.is_none() {
            return;
        }
        let g = self.exit_goal_pos;
        let r = p.dist(g);
        // The window of bins, as its first bin and its width (one bin more each way: the bins'
        // edges and rounding); all of them when the disc holds the goal.
        let (first, width) = if r <= reach {
            (0, EXIT_BINS)
        } else {
            let half = (reach / r).asin() / std::f64::consts::TAU * EXIT_BINS as Real;
            let w = half.ceil() as usize + 1;
            let first = (self.exit_bin(p) + EXIT_BINS - w.min(EXIT_BINS)) % EXIT_BINS;
            (first, (2 * w + 1).min(EXIT_BINS))
        };
        let planner = &mut self.planner;
        for k in 0..width {
            let list = &mut self.exit_bins[(first + k) % EXIT_BINS];
            list.retain(|&u| planner.is_exit(u));
            for &u in list.iter() {
                // Its checked part, from the place toward the goal.
                let a = gr.pos(u);
                let d = a.dist(g);
                let b = a + (g - a) * (check.min(d) / d.max(1e-12));
                if point_segment_dist(p, a, b) <= reach + 1e-9 {
                    planner.touch_exit(u);
                }
            }
        }
    }

    /// See [`Incremental::plan`]; `costs` and `familiar` define the edge costs `gr` reports.
    pub fn plan(
        &mut self,
        gr: &impl PlanGraph,
        from: NodeId,
        goal: NodeId,
        costs: &PlanCosts,
        familiar: &FamiliarSpace,
        ahead: Real,
    ) -> Option<(Real, Vec<NodeId>)> {
        let short = costs.edge_reach;
        if self.costs != Some(*costs) {
            // Every edge may cost something else: the search starts over with costs read anew.
            self.costs = Some(*costs);
            self.planner.reset();
        }
        for k in 0..self.added.len() {
            let (u, v) = self.added[k];
            let (a, b) = (gr.pos(u), gr.pos(v));
            if a.dist(b) > short {
                self.add_long(u, a, b);
            }
            if v == goal {
                self.planner.real_exit(u);
            }
        }
        self.added.clear();
        self.file_exits(gr, goal);
        // New contacts: the failure prediction of edges and exits passing near them may have
        // changed (exits are predicted to fail only outside search mode).
        let contacts = gr.contact_count();
        if contacts > self.contacts_seen && costs.generalise {
            let reach = gr.contact_reach();
            for i in self.contacts_seen..contacts {
                let q = gr.contact_point(i);
                self.touch_near(gr, q, reach, short);
                if !costs.search && costs.exit_reach > 0.0 {
                    self.touch_exits_near(gr, q, reach, costs.exit_reach);
                }
            }
        }
        self.contacts_seen = contacts;
        // Newly familiar space: untried edges through it may have become cheaper (only when
        // familiarity matters, after optimism habituated).
        let cells = familiar.visited_cells();
        if cells > self.cells_seen && costs.w_familiar > costs.w_untried {
            let reach = familiar.radius() + 2.0 * crate::familiar::CELL;
            let cells: Vec<Vec2> = familiar.cells_since(self.cells_seen).collect();
            for c in cells {
                self.touch_near(gr, c, reach, short);
            }
        }
        self.cells_seen = cells;
        // The straight line through unknown space costs what untried places laid along it would:
        // `1 / w_untried` per metre and a segment penalty per edge of the connection radius
        // (a lower bound on such a lattice route, so that laying the places never makes the
        // route through them look cheaper than the exit did).
        // In search mode the goal's position is unknown: every exit costs one segment penalty,
        // so the cheapest plan leads to the nearest frontier place (by the real edges' costs).
        let exit = if costs.search {
            ExitCost::plain(0.0, costs.segment_penalty)
        } else if costs.generalise {
            ExitCost {
                per_m: 1.0 / costs.w_untried + costs.segment_penalty / short,
                add: costs.segment_penalty,
                blocked: costs.generalised_factor,
            }
        } else {
            ExitCost::plain(
                1.0 / costs.w_untried + costs.segment_penalty / short,
                costs.segment_penalty,
            )
        };
        self.planner.plan(gr, from, goal, exit, ahead, costs.search)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// A plain graph with explicit edge costs.
    #[derive(Debug, Clone, Default)]
    struct Plain {
        pos: Vec<Vec2>,
        edges: Vec<(NodeId, NodeId, Real)>,
        /// How many edge costs the planner read.
        evaluated: Cell<usize>,
    }

    impl PlanGraph for Plain {
        fn node_count(&self) -> usize {
            self.pos.len()
        }
        fn pos(&self, u: NodeId) -> Vec2 {
            self.pos[u]
        }
        fn for_each_out(&self, u: NodeId, f: &mut dyn FnMut(NodeId, Real)) {
            self.edges.iter().filter(|e| e.0 == u).for_each(|e| {
                self.evaluated.set(self.evaluated.get() + 1);
                f(e.1, e.2)
            });
        }
        fn nodes_near(&self, _: Vec2, _: Real, out: &mut Vec<NodeId>) {
            out.extend(0..self.pos.len());
        }
        fn contact_count(&self) -> usize {
            0
        }
        fn contact_point(&self, _: usize) -> Vec2 {
            Vec2::ZERO
        }
        fn contact_reach(&self) -> Real {
            0.0
        }
        fn exit_blocked(&self, _: NodeId, _: Vec2, _: usize) -> bool {
            false
        }
    }

    /// Dijkstra from scratch (the reference), exits included.
    fn fresh(g: &Plain, exits: &[bool], from: NodeId, goal: NodeId, ec: ExitCost) -> Real {
        let n = g.pos.len();
        let mut d = vec![Real::INFINITY; n];
        let mut done = vec![false; n];
        d[goal] = 0.0;
        for (u, &e) in exits.iter().enumerate() {
            let real = g.edges.iter().any(|x| x.0 == u && x.1 == goal);
            if e && u != goal && !real {
                d[u] = d[u].min(g.pos[u].dist(g.pos[goal]) * ec.per_m + ec.add);
            }
        }
        while let Some(v) = (0..n)
            .filter(|&v| !done[v] && d[v].is_finite())
            .min_by(|&a, &b| d[a].total_cmp(&d[b]))
        {
            done[v] = true;
            for &(u, w, c) in &g.edges {
                if w == v && d[v] + c < d[u] {
                    d[u] = d[v] + c;
                }
            }
        }
        d[from]
    }

    #[derive(Debug, Clone)]
    enum Op {
        Node(Real, Real),
        Edge(usize, usize, Real),
        Cost(usize, Real),
        Exit(usize, bool),
        Plan(usize),
    }

    fn op() -> impl Strategy<Value = Op> {
        prop_oneof![
            (0.0..10.0, 0.0..10.0).prop_map(|(x, y)| Op::Node(x, y)),
            (0usize..1000, 0usize..1000, 1.0..5.0).prop_map(|(u, v, f)| Op::Edge(u, v, f)),
            (0usize..1000, 0.2..20.0).prop_map(|(e, f)| Op::Cost(e, f)),
            (0usize..1000, any::<bool>()).prop_map(|(u, b)| Op::Exit(u, b)),
            (0usize..1000).prop_map(Op::Plan),
        ]
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(300))]
        /// Whatever the sequence of changes (new nodes, new edges, costs raised or lowered,
        /// exits opened or closed, the agent's node moving), the incremental planner's cost
        /// equals a fresh search's, and its path is a real path of that cost.
        #[test]
        fn incremental_plans_equal_fresh_searches(
            n0 in 2usize..12,
            ops in proptest::collection::vec(op(), 1..120),
        ) {
            let mut g = Plain::default();
            for k in 0..n0 {
                g.pos.push(Vec2::new(k as Real, (k * 7 % 5) as Real));
            }
            let mut exits = vec![false; n0];
            let mut p = Incremental::new();
            let ec = ExitCost::plain(1.25, 0.05);
            let goal = 0;
            let mut plans = 0;
            for o in ops {
                let n = g.pos.len();
                match o {
                    Op::Node(x, y) => {
                        g.pos.push(Vec2::new(x, y));
                        exits.push(false);
                    }
                    Op::Edge(u, v, f) => {
                        let (u, v) = (u % n, v % n);
                        if u != v && !g.edges.iter().any(|e| e.0 == u && e.1 == v) {
                            // An edge costs at least its length (the heuristic's premise).
                            let c = g.pos[u].dist(g.pos[v]) * f + 0.05;
                            g.edges.push((u, v, c));
                            p.touch(u);
                            if v == goal {
                                p.real_exit(u);
                            }
                        }
                    }
                    Op::Cost(e, f) => {
                        if !g.edges.is_empty() {
                            let e = e % g.edges.len();
                            let (u, v, _) = g.edges[e];
                            g.edges[e].2 = g.pos[u].dist(g.pos[v]) * f.max(1.0) + 0.05;
                            p.touch(u);
                        }
                    }
                    Op::Exit(u, b) => {
                        let u = u % n;
                        exits[u] = b;
                        p.set_exit(u, b);
                    }
                    Op::Plan(from) => {
                        let from = from % n;
                        let want = fresh(&g, &exits, from, goal, ec);
                        let got = p.plan(&g, from, goal, ec, Real::INFINITY, false);
                        match got {
                            None => prop_assert!(want.is_infinite(), "none, want {}", want),
                            Some((c, path)) => {
                                prop_assert!((c - want).abs() <= 1e-9 * want.max(1.0), "{} vs {}", c, want);
                                prop_assert_eq!(path[0], from);
                                prop_assert_eq!(*path.last().unwrap(), goal);
                                // The path's own cost is the planned cost.
                                let mut total = 0.0;
                                for w in path.windows(2) {
                                    let real = g.edges.iter().find(|e| e.0 == w[0] && e.1 == w[1]).map(|e| e.2);
                                    let virt = (w[1] == goal && exits[w[0]] && real.is_none()).then(|| g.pos[w[0]].dist(g.pos[goal]) * ec.per_m + ec.add);
                                    let c = match (real, virt) {
                                        (Some(a), Some(b)) => a.min(b),
                                        (a, b) => a.or(b).unwrap_or(Real::INFINITY),
                                    };
                                    total += c;
                                }
                                prop_assert!((total - want).abs() <= 1e-9 * want.max(1.0), "path costs {} vs {}", total, want);
                                plans += 1;
                            }
                        }
                    }
                }
            }
            let _ = plans;
        }
    }

    /// The planner keeps the edge costs it read: a repair after one edge changed evaluates the
    /// changed node's edges and the few it reads the path through, not the edges of every node
    /// it re-examines; and a changed cost reported by `touch` is read again.
    #[test]
    fn edge_costs_are_evaluated_once_until_touched() {
        let mut g = Plain::default();
        let n = 400;
        for k in 0..n {
            g.pos.push(Vec2::new(k as Real * 0.5, 0.0));
        }
        for k in 0..n - 1 {
            g.edges.push((k + 1, k, 0.55));
            g.edges.push((k, k + 1, 0.55));
        }
        let mut p = Incremental::new();
        let ec = ExitCost::plain(1.25, 0.05);
        p.plan(&g, n - 1, 0, ec, 3.0, false).unwrap();
        let first = g.evaluated.replace(0);
        assert!(first >= 2 * (n - 1), "{first}");
        let expanded = p.expansions();
        // The edge into the goal gets more expensive: every node's cost-to-goal rises.
        g.edges[0].2 = 5.0;
        p.touch(1);
        let (cost, _) = p.plan(&g, n - 1, 0, ec, 3.0, false).unwrap();
        let evaluated = g.evaluated.get();
        let want = fresh(&g, &[false; 400], n - 1, 0, ec);
        assert!((cost - want).abs() < 1e-9, "{cost} vs {want}");
        assert!(
            (cost - (5.0 + 0.55 * (n - 2) as Real)).abs() < 1e-9,
            "{cost}"
        );
        assert!(
            p.expansions() - expanded >= n as u64 - 1,
            "the repair re-examined the whole corridor"
        );
        assert!(
            evaluated <= 20,
            "{evaluated} edge costs evaluated for one changed node"
        );
    }

    /// The planner's work between decisions does not grow with the graph: after one plan on a
    /// long corridor graph, a second plan from the next node after one edge's cost changed far
    /// behind the agent expands only a handful of nodes.
    #[test]
    fn a_local_change_costs_local_work() {
        let mut g = Plain::default();
        let n = 2000;
        for k in 0..n {
            g.pos.push(Vec2::new(k as Real * 0.5, 0.0));
        }
        for k in 0..n - 1 {
            g.edges.push((k + 1, k, 0.55));
            g.edges.push((k, k + 1, 0.55));
        }
        let mut p = Incremental::new();
        let ec = ExitCost::plain(1.25, 0.05);
        p.plan(&g, n - 1, 0, ec, 3.0, false).unwrap();
        let first = p.expansions();
        assert!(first >= n as u64 - 1, "{first}");
        // The agent moves one node on; an edge behind it gets more expensive.
        g.edges[2 * (n - 2) + 1].2 = 5.0;
        p.touch(n - 2);
        let (c, path) = p.plan(&g, n - 2, 0, ec, 3.0, false).unwrap();
        assert!((c - 0.55 * (n - 2) as Real).abs() < 1e-6);
        assert!(path.len() <= 9, "read out only a few metres ahead");
        let second = p.expansions() - first;
        assert!(second <= 4, "{second} expansions for a local change");
    }

    /// The index of exits by direction from the goal touches every exit whose checked line
    /// passes within the reach of a new contact (against a brute-force test of every exit's
    /// segment), and leaves most others alone.
    #[test]
    fn exits_near_a_contact_are_all_found_by_their_direction() {
        let mut rnd = crate::testutil::uniform(31);
        let mut g = Plain::default();
        g.pos.push(Vec2::new(3.0, -2.0));
        for _ in 0..600 {
            g.pos
                .push(Vec2::new(rnd() * 100.0 - 50.0, rnd() * 100.0 - 50.0));
        }
        let goal = 0;
        let mut r = Replanner::new();
        for u in 1..g.pos.len() {
            r.set_exit(u, true);
        }
        r.file_exits(&g, goal);
        let (mut touched, mut checks) = (0, 0);
        for k in 0..300 {
            for u in 0..g.pos.len() {
                r.planner.is_dirty[u] = false;
            }
            r.planner.dirty.clear();
            let q = Vec2::new(rnd() * 110.0 - 55.0, rnd() * 110.0 - 55.0);
            let reach = 0.1 + rnd() * 2.0;
            let check = if k % 2 == 0 { 6.0 } else { 1000.0 };
            r.touch_exits_near(&g, q, reach, check);
            let gp = g.pos[goal];
            for u in 1..g.pos.len() {
                let a = g.pos[u];
                let d = a.dist(gp);
                let b = a + (gp - a) * (check.min(d) / d);
                let t = ((q - a).dot(b - a) / (b - a).dot(b - a)).clamp(0.0, 1.0);
                if q.dist(a + (b - a) * t) <= reach {
                    assert!(r.planner.is_dirty[u], "exit {u} at {a:?}, contact {q:?}");
                }
            }
            touched += r.planner.dirty.len();
            checks += g.pos.len() - 1;
        }
        assert!(touched * 10 < checks, "{touched} of {checks} exits touched");
    }
}
