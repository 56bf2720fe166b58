//! SNS on dynamical systems: the agent for any [`Task`] over a state space (classic control).
//!
//! The same ideas as the maze agent (a cognitive graph of places and behaviours, searched in an
//! order of simplicity and effectiveness, mutated by use), with the mechanics an under-actuated
//! system needs (docs/METHOD.md, section "SNS on dynamical systems"):
//!
//! - **Places** are the cells (edge [`SystemParams::cell`]) of the normalised state space the
//!   state has been in, created when it first enters them: memory grows with what was explored.
//! - **Edges** are action primitives ([`primitive`]): a constant action held until the state
//!   leaves the place (or for at most a duration), enumerated bang-bang and long holds first and
//!   refined dyadically (levels halfway between, halved durations) at the places where the coarse
//!   ones failed [`SystemParams::refine_after`] times.
//! - **Outcomes** are learned where primitives were executed (the mean flow, normalised state
//!   change per step, of each level at each place) and generalise to nearby places through a
//!   kernel ([`SystemSubstrate::predict`]): a failure seen in one state predicts the same outcome
//!   in similar states. A primitive with no outcome learned within the kernel's radius is
//!   **untried** and optimistic: the plan counts it as leading toward the goal at the best speed
//!   seen (the goal region's distance, an admissible heuristic, over the fastest flow seen).
//! - **Effectiveness** (Hebbian): a primitive that lands where the plan needed (a place at
//!   most its own cost worse than planned) is potentiated, otherwise depressed; costs are steps
//!   divided by effectiveness.
//! - **Plan**: the cheapest way (in steps) over the learned graph to the goal region, or to
//!   unexplored space (optimistic), computed backward from them. A hold task plans to the
//!   places of the goal region from which the graph knows how to stay for `hold_steps` steps,
//!   and there chooses the primitive that stays.
//! - **Search mode** (`goal: None`): no heuristic; unexplored space is the only attraction until
//!   success is signalled, where the goal is remembered.
//!
//! ```
//! use sns_core::system::{SystemParams, SystemSns};
//! use sns_spaces::{Agent, BoxRegion, BoxSpace, Sensed, StateSpace, Task};
//! use std::sync::Arc;
//! // A 1-D integrator x' = x + 0.01 a, goal x >= 0.9, from x = 0.
//! let space = StateSpace::new(BoxSpace::new([0.0], [1.0]).unwrap(), [1.0], [false]).unwrap();
//! let task = Task {
//!     space,
//!     actions: BoxSpace::new([-1.0], [1.0]).unwrap(),
//!     levels: None,
//!     goal: Some(Arc::new(BoxRegion { low: [0.9], high: [f64::INFINITY] })),
//!     hold_steps: 1,
//!     dt: 0.0,
//! };
//! let mut agent = SystemSns::new(task, SystemParams::default(), 0).unwrap();
//! let mut x = 0.0_f64;
//! let mut obs = Sensed { state: [x], success: false };
//! agent.begin_trial(&obs);
//! let mut steps = 0;
//! while x < 0.9 && steps < 1000 {
//!     let a = agent.act(&obs)[0].clamp(-1.0, 1.0);
//!     x = (x + 0.01 * a).clamp(0.0, 1.0);
//!     obs = Sensed { state: [x], success: x >= 0.9 };
//!     steps += 1;
//! }
//! agent.end_trial(obs.success);
//! assert!(obs.success, "{steps}");
//! ```

pub mod geometry;
mod params;
pub mod primitive;
pub mod substrate;

pub use geometry::{CellKey, Geometry};
pub use params::SystemParams;
pub use primitive::{Primitive, Primitives};
pub use substrate::{PlaceId, SymbolicSystem, SystemSubstrate};

use crate::fxhash::{FxHashMap, FxHashSet};
use sns_spaces::{Agent, Point, Sensed, Task};
use std::cmp::Ordering;
use std::collections::{BinaryHeap, VecDeque};
use thiserror::Error;

/// Why a control agent cannot be built.
#[derive(Debug, Clone, PartialEq, Error)]
#[non_exhaustive]
pub enum SystemError {
    /// A parameter is out of its range.
    #[error("parameter {name} = {value} is out of range")]
    BadParam {
        /// The parameter.
        name: &'static str,
        /// Its value.
        value: f64,
    },
    /// The action box has an infinite bound or no axis, or a discrete level lies outside it
    /// (or the list of levels is empty).
    #[error("the actions must be a finite box (and any discrete levels inside it)")]
    BadActions,
    /// The state space has an axis with an infinite bound that is not periodic and a scale
    /// that cannot normalise it, or the task asks for no hold at all.
    #[error("the task is not usable: {0}")]
    BadTask(&'static str),
}

/// Counters of a control agent's run.
#[derive(Debug, Clone, Copy, Default, PartialEq, serde::Serialize)]
pub struct SystemStats {
    /// Places created.
    pub places: usize,
    /// Primitives started.
    pub decisions: u64,
    /// Route searches.
    pub plans: u64,
    /// Nodes expanded by the route searches.
    pub expansions: u64,
    /// Places whose primitives were refined one depth.
    pub refinements: u64,
    /// Times the kernel's radius was halved (no way to the goal was left).
    pub kernel_refinements: u32,
    /// Steps in which a new place was needed but the memory cap was reached.
    pub capped: u64,
    /// Steps acted.
    pub steps: u64,
}

/// A primitive being executed.
#[derive(Debug, Clone, Copy)]
struct Exec<const D: usize> {
    prim: usize,
    place: Option<PlaceId>,
    key: CellKey<D>,
    steps: u32,
    duration: u32,
    /// The landing cell the plan expected.
    expect: Option<CellKey<D>>,
    /// Chosen to stay in the goal region (hold tasks).
    stay: bool,
}

/// The predicted result of a primitive.
#[derive(Debug, Clone, Copy)]
enum Outcome<const D: usize> {
    /// Nothing learned near: optimistic.
    Unknown,
    /// Lands at `land` (normalised) after `t` steps.
    Move { t: f64, land: Point<D> },
}

/// A cost in a priority queue (smallest first).
#[derive(Debug, Clone, Copy, PartialEq)]
struct Queued(f64, u32);
impl Eq for Queued {}
impl PartialOrd for Queued {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}
impl Ord for Queued {
    fn cmp(&self, other: &Self) -> Ordering {
        other.0.total_cmp(&self.0).then(other.1.cmp(&self.1))
    }
}

/// The SNS agent for a control task, generic over the state dimension `D`, the action
/// dimension `A` and the substrate `S` that stores its graph.
#[derive(Debug, Clone)]
pub struct SystemSns<const D: usize, const A: usize, S: SystemSubstrate<D> = SymbolicSystem<D>> {
    task: Task<D, A>,
    params: SystemParams,
    geo: Geometry<D>,
    prims: Primitives<A>,
    mem: S,
    levels: usize,
    /// Per place: refinement depth and failures since the last refinement.
    depth: Vec<u32>,
    failures: Vec<u32>,
    /// Per place and level: the kernel's predicted flow, and whether it is up to date.
    pred: Vec<Option<Point<D>>>,
    pred_ok: Vec<bool>,
    radius: f64,
    /// The last plan: cost-to-goal per place; for hold tasks, the goal region's places, how
    /// long the graph can stay from each, and those that can stay for the whole hold.
    route: VecDeque<Leg<D>>,
    in_r: Vec<bool>,
    stay_l: Vec<f64>,
    in_t: Vec<bool>,
    exec: Option<Exec<D>>,
    prev: Option<(Point<D>, Option<PlaceId>, usize)>,
    vmax: f64,
    solved: u32,
    learned_goal: FxHashSet<CellKey<D>>,
    recent: VecDeque<(Point<D>, usize)>,
    near_buf: Vec<PlaceId>,
    seed: u64,
    stats: SystemStats,
}

impl<const D: usize, const A: usize> SystemSns<D, A, SymbolicSystem<D>> {
    /// An agent for `task` with the symbolic substrate. The `seed` is kept for substrates and
    /// records; the symbolic agent is deterministic and breaks ties by the order of simplicity.
    pub fn new(task: Task<D, A>, params: SystemParams, seed: u64) -> Result<Self, SystemError> {
        params.validate()?;
        let geo = Geometry::new(task.space, params.cell);
        let mem = SymbolicSystem::new(geo.clone(), params.kernel_radius.max(params.cell));
        Self::with_substrate(task, params, seed, mem)
    }
}

impl<const D: usize, const A: usize, S: SystemSubstrate<D>> SystemSns<D, A, S> {
    /// An agent for `task` storing its graph in `mem` (an empty substrate over the task's
    /// normalised space, answering kernel queries up to `params.kernel_radius`).
    pub fn with_substrate(
        task: Task<D, A>,
        params: SystemParams,
        seed: u64,
        mem: S,
    ) -> Result<Self, SystemError> {
        params.validate()?;
        if D == 0 {
            return Err(SystemError::BadTask("the state space has no axis"));
        }
        if task.hold_steps == 0 {
            return Err(SystemError::BadTask("hold_steps must be at least 1"));
        }
        let prims = Primitives::new(
            &task.actions,
            task.levels.as_deref(),
            params.max_hold,
            params.max_depth,
        )?;
        let geo = Geometry::new(task.space, params.cell);
        Ok(Self {
            levels: prims.levels().len(),
            radius: params.kernel_radius,
            task,
            params,
            geo,
            prims,
            mem,
            depth: Vec::new(),
            failures: Vec::new(),
            pred: Vec::new(),
            pred_ok: Vec::new(),
            route: VecDeque::new(),
            in_r: Vec::new(),
            stay_l: Vec::new(),
            in_t: Vec::new(),
            exec: None,
            prev: None,
            vmax: 0.0,
            solved: 0,
            learned_goal: FxHashSet::default(),
            recent: VecDeque::new(),
            near_buf: Vec::new(),
            seed,
            stats: SystemStats::default(),
        })
    }

    /// The counters so far.
    pub fn stats(&self) -> SystemStats {
        SystemStats {
            places: self.mem.len(),
            ..self.stats
        }
    }

    /// The substrate (the graph's memory).
    pub fn substrate(&self) -> &S {
        &self.mem
    }

    /// The seed the agent was built with.
    pub fn seed(&self) -> u64 {
        self.seed
    }

    /// The primitives, in the order of simplicity.
    pub fn primitives(&self) -> &Primitives<A> {
        &self.prims
    }

    /// The parameters.
    pub fn params(&self) -> &SystemParams {
        &self.params
    }

    fn reaching(&self) -> bool {
        self.task.hold_steps <= 1
    }

    /// Optimism's habituation factor on unexplored space.
    fn habituation(&self) -> f64 {
        let over = self.solved.saturating_sub(self.params.explore_trials);
        1.0 + self.params.habituation * f64::from(over)
    }

    /// Whether a normalised point lies in the goal (told, or learned in search mode).
    fn in_goal(&self, u: &Point<D>) -> bool {
        match &self.task.goal {
            Some(g) => g.contains(&self.task.space, &self.geo.from_u(u)),
            None => self.learned_goal.contains(&self.geo.key(u)),
        }
    }

    /// A lower bound on the steps from `u` to the goal: the region's distance over the fastest
    /// flow seen (0 when the goal is hidden or nothing has moved yet).
    fn heuristic(&self, u: &Point<D>) -> f64 {
        match &self.task.goal {
            Some(g) if self.vmax > 0.0 => {
                g.distance(&self.task.space, &self.geo.from_u(u)) / self.vmax
            }
            _ => 0.0,
        }
    }

    /// The optimistic cost-to-goal of unexplored space at `u`.
    fn unexplored(&self, u: &Point<D>) -> f64 {
        (1.0 + self.heuristic(u)) * self.habituation()
    }

    /// The kernel's flow for `level` at place `p` (cached).
    fn flow_of(&mut self, p: PlaceId, level: usize) -> Option<Point<D>> {
        let i = p as usize * self.levels + level;
        if !self.pred_ok[i] {
            self.pred[i] = self.mem.predict(&self.mem.centre(p), level, self.radius);
            self.pred_ok[i] = true;
        }
        self.pred[i]
    }

    /// Where `flow` held for at most `duration` steps leads from the centre of a cell: one
    /// cell along its fastest axis (or the whole duration when slower).
    fn outcome_centre(&self, centre: &Point<D>, flow: Option<Point<D>>, duration: u32) -> Outcome<D> {
        let Some(f) = flow else {
            return Outcome::Unknown;
        };
        let fmax = f.iter().fold(0.0_f64, |m, x| m.max(x.abs()));
        let dur = f64::from(duration);
        let t = if fmax > 0.0 {
            (self.geo.cell() / fmax).min(dur)
        } else {
            dur
        };
        let land: Point<D> = std::array::from_fn(|i| centre[i] + f[i] * t);
        Outcome::Move {
            t,
            land: self.geo.to_u(&self.geo.from_u(&land)),
        }
    }

    /// Where `flow` held for at most `duration` steps leads from the exact point `u` of cell
    /// `key`: to the first step outside the cell.
    fn outcome_exact(
        &self,
        u: &Point<D>,
        key: &CellKey<D>,
        flow: Option<Point<D>>,
        duration: u32,
    ) -> Outcome<D> {
        let Some(f) = flow else {
            return Outcome::Unknown;
        };
        let corner = self.geo.corner(key);
        let c = self.geo.cell();
        let mut t_exit = f64::INFINITY;
        for i in 0..D {
            if f[i] > 0.0 {
                t_exit = t_exit.min((corner[i] + c - u[i]) / f[i]);
            } else if f[i] < 0.0 {
                t_exit = t_exit.min((corner[i] - u[i]) / f[i]);
            }
        }
        let dur = f64::from(duration);
        let t = (t_exit.max(0.0) + 1e-9).ceil().clamp(1.0, dur);
        let land: Point<D> = std::array::from_fn(|i| u[i] + f[i] * t);
        Outcome::Move {
            t,
            land: self.geo.to_u(&self.geo.from_u(&land)),
        }
    }

    /// How many steps a primitive keeps the state in the goal region (hold tasks), capped at
    /// the hold.
    fn stay_value(&self, o: &Outcome<D>, from: &CellKey<D>, here: Option<PlaceId>) -> f64 {
        let cap = f64::from(self.task.hold_steps);
        match *o {
            Outcome::Unknown => cap,
            Outcome::Move { t, land } => {
                let lk = self.geo.key(&land);
                let v = match self.mem.find(&lk) {
                    Some(q) if (q as usize) < self.in_r.len() => {
                        if lk == *from {
                            t + here.map_or(0.0, |p| self.stay_l[p as usize])
                        } else if self.in_r[q as usize] {
                            t + self.stay_l[q as usize]
                        } else {
                            t
                        }
                    }
                    _ => {
                        if self.in_goal(&land) {
                            cap
                        } else {
                            t
                        }
                    }
                };
                v.min(cap)
            }
        }
    }

    /// Grows the per-place tables to the substrate's size.
    fn grow(&mut self) {
        let n = self.mem.len();
        self.depth.resize(n, 0);
        self.failures.resize(n, 0);
        self.pred.resize(n * self.levels, None);
        self.pred_ok.resize(n * self.levels, false);
    }

    /// The place of cell `key`, created if new (and under the cap).
    fn place_of(&mut self, key: CellKey<D>) -> Option<PlaceId> {
        if let Some(p) = self.mem.find(&key) {
            return Some(p);
        }
        if self.mem.len() >= self.params.max_places {
            self.stats.capped += 1;
            return None;
        }
        let p = self.mem.insert(key, self.geo.centre(&key));
        self.grow();
        Some(p)
    }

    /// For hold tasks: the goal region's places, how many steps the graph can stay in the
    /// region from each (the greatest fixed point, optimistic for untried primitives and
    /// unexplored cells), and those that can stay the whole hold.
    fn plan_hold(&mut self) {
        let n = self.mem.len();
        let cap = f64::from(self.task.hold_steps);
        let in_r: Vec<bool> = (0..n as PlaceId)
            .map(|p| self.in_goal(&self.mem.centre(p)))
            .collect();
        let region: Vec<PlaceId> = (0..n as PlaceId).filter(|&p| in_r[p as usize]).collect();
        self.in_r = in_r;
        self.stay_l = self
            .in_r
            .iter()
            .map(|&r| if r { cap } else { 0.0 })
            .collect();
        // Outcomes of the region's primitives, computed once.
        let mut outs: Vec<(PlaceId, CellKey<D>, Vec<Outcome<D>>)> = Vec::new();
        for &p in &region {
            let centre = self.mem.centre(p);
            let avail = self.prims.upto(self.depth[p as usize]).len();
            let mut o = Vec::with_capacity(avail);
            for k in 0..avail {
                let prim = self.prims.all()[k];
                let flow = self.flow_of(p, prim.level_index);
                o.push(self.outcome_centre(&centre, flow, prim.duration));
            }
            outs.push((p, self.mem.key(p), o));
        }
        for _ in 0..=self.task.hold_steps.min(256) {
            let mut changed = false;
            for (p, key, o) in &outs {
                let best = o
                    .iter()
                    .map(|x| self.stay_value(x, key, Some(*p)))
                    .fold(0.0_f64, f64::max);
                if best < self.stay_l[*p as usize] - 1e-9 {
                    self.stay_l[*p as usize] = best;
                    changed = true;
                }
            }
            if !changed {
                break;
            }
        }
        self.in_t = self.stay_l.iter().map(|&l| l >= cap - 1e-9).collect();
    }

    /// Whether the cell `key` is a target of the plan: in the goal region (reaching tasks), or
    /// a goal place from which the graph can stay the whole hold, or unexplored and in the
    /// region (hold tasks, optimistic).
    fn target(&self, u: &Point<D>, key: &CellKey<D>) -> bool {
        if self.reaching() {
            return self.in_goal(u);
        }
        match self.mem.find(key) {
            Some(q) if (q as usize) < self.in_t.len() => self.in_t[q as usize],
            _ => self.in_goal(u),
        }
    }

    /// Simulates primitive `prim` from `u` (in cell `key`) with the learned outcomes until the
    /// state leaves the cell, reaches a target, meets an unknown outcome, or the hold ends.
    fn simulate(&self, u: &Point<D>, key: &CellKey<D>, prim: &Primitive<A>) -> (Sim, Point<D>, f64) {
        let mut s = *u;
        let mut steps = 0u32;
        loop {
            let Some(f) = self.mem.predict(&s, prim.level_index, self.radius) else {
                return (Sim::Unknown, s, f64::from(steps));
            };
            let next: Point<D> = std::array::from_fn(|i| s[i] + f[i]);
            s = self.geo.to_u(&self.geo.from_u(&next));
            steps += 1;
            let k = self.geo.key(&s);
            if self.target(&s, &k) {
                return (Sim::Target, s, f64::from(steps));
            }
            if k != *key {
                return (Sim::Landed, s, f64::from(steps));
            }
            if steps >= prim.duration {
                return (Sim::Stayed, s, f64::from(steps));
            }
        }
    }

    /// The cheapest route (in steps over effectiveness) from `u` to a target or to an
    /// unknown outcome (optimistic: the goal's heuristic from there, habituated), by best-first
    /// search over the learned outcomes with one node per cell (the first state that reaches a
    /// cell cheapest stands for it). `None` when no route exists.
    fn search(&mut self, u: &Point<D>, key: CellKey<D>) -> Option<VecDeque<Leg<D>>> {
        self.stats.plans += 1;
        let mut nodes: Vec<Node<D>> = vec![Node {
            u: *u,
            key,
            g: 0.0,
            parent: u32::MAX,
            prim: 0,
        }];
        let mut best_g: FxHashMap<CellKey<D>, f64> = FxHashMap::default();
        best_g.insert(key, 0.0);
        let mut heap = BinaryHeap::new();
        heap.push(Queued(self.heuristic(u), 0));
        // The best terminal: cost, node, primitive, expected landing.
        let mut best: Option<(f64, u32, usize, CellKey<D>)> = None;
        let mut expansions = 0usize;
        while let Some(Queued(f, i)) = heap.pop() {
            if best.is_some_and(|b| f >= b.0) {
                break;
            }
            let n = nodes[i as usize];
            if n.g > best_g.get(&n.key).copied().unwrap_or(f64::INFINITY) + 1e-12 {
                continue;
            }
            expansions += 1;
            if expansions > self.params.max_expansions {
                break;
            }
            let place = self.mem.find(&n.key);
            let depth = place.map_or(0, |p| self.depth.get(p as usize).copied().unwrap_or(0));
            let avail = self.prims.upto(depth).len();
            for k in 0..avail {
                let prim = self.prims.all()[k];
                let w = place
                    .and_then(|p| self.mem.effectiveness(p, k))
                    .unwrap_or(1.0);
                let (sim, s, steps) = self.simulate(&n.u, &n.key, &prim);
                let sk = self.geo.key(&s);
                let cand = match sim {
                    Sim::Target => Some(n.g + steps / w),
                    Sim::Unknown => Some(n.g + steps / w + self.unexplored(&s)),
                    Sim::Stayed => None,
                    Sim::Landed => {
                        let g = n.g + steps / w;
                        if g < best_g.get(&sk).copied().unwrap_or(f64::INFINITY) {
                            best_g.insert(sk, g);
                            nodes.push(Node {
                                u: s,
                                key: sk,
                                g,
                                parent: i,
                                prim: k as u32,
                            });
                            heap.push(Queued(g + self.heuristic(&s), nodes.len() as u32 - 1));
                        }
                        None
                    }
                };
                if let Some(c) = cand {
                    if best.map_or(true, |b| c < b.0) {
                        best = Some((c, i, k, sk));
                    }
                }
            }
        }
        self.stats.expansions += expansions as u64;
        let (_, mut i, k, land) = best?;
        let mut route = VecDeque::new();
        route.push_front(Leg {
            from: nodes[i as usize].key,
            prim: k,
            expect: land,
        });
        while nodes[i as usize].parent != u32::MAX {
            let n = nodes[i as usize];
            let p = n.parent;
            route.push_front(Leg {
                from: nodes[p as usize].key,
                prim: n.prim as usize,
                expect: n.key,
            });
            i = p;
        }
        Some(route)
    }

    /// Chooses the next primitive at `u` (cell `key`, place `place`).
    fn decide(&mut self, u: &Point<D>, key: CellKey<D>, place: Option<PlaceId>) -> Exec<D> {
        self.stats.decisions += 1;
        if !self.reaching() {
            self.plan_hold();
        }
        let depth = place.map_or(0, |p| self.depth[p as usize]);
        let avail = self.prims.upto(depth).len();
        let exec = |prim: usize, expect: Option<CellKey<D>>, stay: bool, s: &Self| Exec {
            prim,
            place,
            key,
            steps: 0,
            duration: s.prims.all()[prim].duration,
            expect,
            stay,
        };
        if !self.reaching() && place.is_some_and(|p| self.in_t[p as usize]) {
            // Hold: the primitive that keeps the state in the region longest.
            self.route.clear();
            let mut best: Option<(f64, usize)> = None;
            for k in 0..avail {
                let prim = self.prims.all()[k];
                let flow = self.mem.predict(u, prim.level_index, self.radius);
                let w = place
                    .and_then(|p| self.mem.effectiveness(p, k))
                    .unwrap_or(1.0);
                let o = self.outcome_exact(u, &key, flow, prim.duration);
                let v = self.stay_value(&o, &key, place) * w;
                if best.map_or(true, |b| v > b.0) {
                    best = Some((v, k));
                }
            }
            let k = best.map_or(0, |b| b.1);
            return exec(k, None, true, self);
        }
        if let Some(leg) = self.route.front().copied() {
            if leg.from == key && leg.prim < avail {
                self.route.pop_front();
                return exec(leg.prim, Some(leg.expect), false, self);
            }
        }
        loop {
            if let Some(mut route) = self.search(u, key) {
                if let Some(leg) = route.pop_front() {
                    self.route = route;
                    return exec(leg.prim, Some(leg.expect), false, self);
                }
            }
            if self.radius <= 0.5 * self.params.cell {
                // Nothing left to plan with: cycle through the primitives.
                self.route.clear();
                let k = (self.stats.decisions % avail as u64) as usize;
                return exec(k, None, false, self);
            }
            // No way to the goal nor to an unknown outcome: generalise less.
            self.radius *= 0.5;
            self.stats.kernel_refinements += 1;
            self.pred_ok.iter_mut().for_each(|x| *x = false);
        }
    }

    /// Judges the primitive that just ended in cell `key`: Hebbian potentiation when it landed
    /// where the plan needed (the expected cell or one next to it; in the region, for a hold),
    /// depression (and refinement after repeated failures) otherwise.
    fn finish(&mut self, ex: Exec<D>, u: &Point<D>, key: &CellKey<D>, success: Option<bool>) {
        let Some(p) = ex.place else {
            return;
        };
        let ok = success.unwrap_or_else(|| {
            if ex.stay {
                self.in_goal(u)
            } else {
                match ex.expect {
                    Some(e) => {
                        self.target(u, key)
                            || (0..D).all(|i| {
                                let d = (e[i] - key[i]).abs();
                                let n = self.geo.cells_per_period()[i];
                                d <= 1 || n - d <= 1
                            })
                    }
                    None => true,
                }
            }
        });
        if !ok {
            self.route.clear();
        }
        let w = self.mem.effectiveness(p, ex.prim).unwrap_or(1.0);
        let pi = p as usize;
        let w = if ok {
            w + self.params.eta * (1.0 - w)
        } else {
            self.failures[pi] += 1;
            if self.failures[pi] >= self.params.refine_after
                && self.depth[pi] < self.prims.max_depth()
            {
                self.depth[pi] += 1;
                self.failures[pi] = 0;
                self.stats.refinements += 1;
            }
            (self.params.beta * w).max(self.params.w_min)
        };
        self.mem.set_effectiveness(p, ex.prim, w);
    }
}

/// How a simulated primitive ends.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Sim {
    Target,
    Unknown,
    Landed,
    Stayed,
}

/// A node of the route search.
#[derive(Debug, Clone, Copy)]
struct Node<const D: usize> {
    u: Point<D>,
    key: CellKey<D>,
    g: f64,
    parent: u32,
    prim: u32,
}

/// One leg of a planned route: primitive `prim` from cell `from`, expected to land in `expect`.
#[derive(Debug, Clone, Copy)]
struct Leg<const D: usize> {
    from: CellKey<D>,
    prim: usize,
    expect: CellKey<D>,
}

impl<const D: usize, const A: usize, S: SystemSubstrate<D>> Agent<Sensed<D>, Point<A>>
    for SystemSns<D, A, S>
{
    fn name(&self) -> &str {
        "sns"
    }

    fn begin_trial(&mut self, _obs: &Sensed<D>) {
        self.exec = None;
        self.prev = None;
        self.route.clear();
        self.recent.clear();
    }

    fn act(&mut self, obs: &Sensed<D>) -> Point<A> {
        self.stats.steps += 1;
        let u = self.geo.to_u(&obs.state);
        if u.iter().any(|x| !x.is_finite()) {
            // A state the space cannot hold: act with the first primitive, learn nothing.
            self.exec = None;
            self.prev = None;
            return self.prims.all()[0].level;
        }
        // Learn the last step's outcome where it was taken.
        if let Some((pu, Some(pp), level)) = self.prev.take() {
            let flow = self.geo.diff(&pu, &u);
            self.mem
                .learn(pp, level, flow, self.params.min_learning_rate);
            self.vmax = self.vmax.max(geometry::norm(&flow));
            let mut buf = std::mem::take(&mut self.near_buf);
            buf.clear();
            self.mem.near(&self.mem.centre(pp), self.radius, &mut buf);
            for &q in &buf {
                self.pred_ok[q as usize * self.levels + level] = false;
            }
            self.near_buf = buf;
        }
        let key = self.geo.key(&u);
        let place = self.place_of(key);
        if let Some(mut ex) = self.exec.take() {
            ex.steps += 1;
            if ex.key != key || ex.steps >= ex.duration {
                self.finish(ex, &u, &key, None);
            } else {
                self.exec = Some(ex);
            }
        }
        let ex = match self.exec {
            Some(ex) => ex,
            None => {
                let ex = self.decide(&u, key, place);
                self.exec = Some(ex);
                ex
            }
        };
        let prim = self.prims.all()[ex.prim];
        self.prev = Some((u, place, prim.level_index));
        if self.task.goal.is_none() {
            self.recent.push_back((u, prim.level_index));
            while self.recent.len() > self.task.hold_steps as usize {
                self.recent.pop_front();
            }
        }
        prim.level
    }

    fn end_trial(&mut self, success: bool) {
        if let Some(ex) = self.exec.take() {
            if success {
                let key = ex.key;
                let u = self.geo.centre(&key);
                self.finish(ex, &u, &key, Some(true));
            }
        }
        if success {
            self.solved += 1;
            if self.task.goal.is_none() {
                // Search mode: remember where success came (the cells of the last hold, and
                // the cell the last step was heading into).
                let recent: Vec<(Point<D>, usize)> = self.recent.iter().copied().collect();
                for (i, (u, level)) in recent.iter().enumerate() {
                    self.learned_goal.insert(self.geo.key(u));
                    if i + 1 == recent.len() {
                        let key = self.geo.key(u);
                        let flow = self.mem.predict(u, *level, self.radius);
                        if let Outcome::Move { land, .. } = self.outcome_exact(u, &key, flow, 1) {
                            self.learned_goal.insert(self.geo.key(&land));
                        }
                    }
                }
            }
        }
        self.exec = None;
        self.prev = None;
        self.recent.clear();
    }
}
