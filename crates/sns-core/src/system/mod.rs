//! SNS on dynamical systems: the domain of any [`Task`] over a state space (classic control);
//! the agent is `Sns<SystemDomain<D, A, S>>` ([`SystemSns`]).
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
//! use sns_core::system::{SystemDomain, SystemParams};
//! use sns_core::Sns;
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
//! let mut agent = Sns::new(SystemDomain::new(task, SystemParams::default(), 0).unwrap());
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

mod candidate;
pub mod fit;
pub mod geometry;
pub mod harmonic;
pub mod hold;
mod model;
mod params;
pub mod primitive;
mod route;
pub mod substrate;

pub use geometry::{CellKey, Geometry};
pub use params::SystemParams;
pub use primitive::{Primitive, Primitives};
pub use substrate::{PlaceId, SymbolicSystem, SystemSubstrate};

use crate::fxhash::{FxHashMap, FxHashSet};
use crate::sns::{Domain, Outcome, Sns};
use candidate::Candidate;
use route::{Leg, Promise};
use sns_spaces::{BoxSpace, Point, Region, Sensed, Task};
use std::collections::VecDeque;
use std::sync::Arc;
use thiserror::Error;

/// Why a control agent cannot be built.
#[derive(Debug, Clone, PartialEq, Error)]
#[non_exhaustive]
pub enum SystemError {
    /// A parameter is out of its range.
    #[error("parameter {name} = {value:?} is out of range: it must be {range}")]
    BadParam {
        /// The parameter.
        name: &'static str,
        /// Its value.
        value: f64,
        /// Its valid range, in words (`in [1e-6, 0.5]`).
        range: &'static str,
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
    /// Route searches that stopped at the expansion limit.
    pub truncated: u64,
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
    /// Search mode with a hold: places held at without success.
    pub holds_refuted: u64,
    /// Search mode with a hold: attempts at holding that left the place, never reached it, or
    /// that the model knew no way to.
    pub holds_failed: u64,
    /// Steps whose level the hold controller chose (`SystemParams::hold_control`).
    pub held_control: u64,
}

/// A primitive being executed: primitive `prim` decided in cell `key` (place `place`) at the
/// domain's step `decided_at`, with the landing its plan expected.
#[derive(Debug, Clone, Copy)]
pub struct PrimitiveRun<const D: usize> {
    prim: usize,
    place: Option<PlaceId>,
    key: CellKey<D>,
    decided_at: u64,
    duration: u32,
    /// The landing cell the plan expected (`None`: an untried outcome, or no plan).
    expect: Option<CellKey<D>>,
    /// The plan expected the state to be in the goal region at the end (hold tasks).
    expect_goal: bool,
}

impl<const D: usize> PrimitiveRun<D> {
    /// The primitive, by its index in the order of simplicity ([`SystemDomain::primitives`]).
    pub fn primitive(&self) -> usize {
        self.prim
    }
}

/// The SNS agent for a control task: SNS over the system domain.
pub type SystemSns<const D: usize, const A: usize, S = SymbolicSystem<D>> =
    Sns<SystemDomain<D, A, S>>;

/// The domain of a control task, generic over the state dimension `D`, the action dimension
/// `A` and the substrate `S` that stores its graph: places are cells of the normalised state
/// space, behaviours action primitives, outcomes learned where executed.
#[derive(Debug, Clone)]
pub struct SystemDomain<const D: usize, const A: usize, S: SystemSubstrate<D> = SymbolicSystem<D>> {
    task: Task<D, A>,
    params: SystemParams,
    geo: Geometry<D>,
    prims: Primitives<A>,
    mem: S,
    /// Per place: refinement depth and failures since the last refinement.
    depth: Vec<u32>,
    failures: Vec<u32>,
    /// The kernel's radius (halved when no route is left).
    radius: f64,
    /// The rest of the planned route.
    route: VecDeque<Leg<D>>,
    /// This trial, per untried outcome (its cell and level) routes were planned to: the cells
    /// where those routes were planned, and the last of them.
    promise_cells: FxHashMap<Promise<D>, (FxHashSet<CellKey<D>>, CellKey<D>, u32)>,
    /// Per untried outcome (cell, level): the trust in its promise, depressed each time the
    /// routes to it lead back to where they were already decided (a loop that never reaches
    /// it); the optimistic cost there is divided by it.
    promise_w: FxHashMap<Promise<D>, f64>,
    /// Steps sensed: the clock a primitive's hold is timed by (reported as `stats().steps`).
    clock: u64,
    /// This step's state, its cell and its place (set when the step is sensed).
    here: Option<(Point<D>, CellKey<D>, Option<PlaceId>)>,
    /// The last step: where it started, its place and level.
    prev: Option<(Point<D>, Option<PlaceId>, usize)>,
    /// Consecutive steps sensed in the goal region.
    held: u32,
    /// The fastest flow seen (normalised units per step).
    vmax: f64,
    /// Per axis, the largest change of the flow between two consecutive steps seen
    /// (normalised units per step per step): the braking bound of a hold.
    amax: Point<D>,
    /// The flow of the last step sensed, kept for the braking bound (`None` at a trial's start,
    /// and always when the bound is off).
    last_flow: Option<Point<D>>,
    /// Trials solved so far.
    solved: u32,
    /// Search mode: cells where success was signalled.
    learned_goal: FxHashSet<CellKey<D>>,
    /// Search mode: the last `hold_steps` states and levels.
    recent: VecDeque<(Point<D>, usize)>,
    /// Search mode with a hold: the place being tried, those held at without success, and
    /// the attempts at each.
    candidate: Option<Candidate<D>>,
    refuted: FxHashSet<CellKey<D>>,
    attempts: FxHashMap<CellKey<D>, u32>,
    /// The hold controller's samples: the steps taken from states in the goal region (a ring
    /// of at most [`HOLD_SAMPLES`], the oldest replaced), and the next to replace.
    hold_samples: Vec<hold::Sample<D, A>>,
    hold_next: usize,
    /// The harmonic flow readout (`harmonic_order` > 0).
    flow_model: Option<harmonic::HarmonicFlow<D, A>>,
    /// The readout linearised at cell centres, per cell and level (cleared when the readout is
    /// re-solved).
    flow_cache: std::cell::RefCell<FxHashMap<(CellKey<D>, usize), fit::Fit<D>>>,
    seed: u64,
    stats: SystemStats,
}

/// The most samples the hold controller keeps.
const HOLD_SAMPLES: usize = 20_000;

/// `a` normalised to `[-1, 1]` per axis over the action box `actions` (0 on an axis of no width).
pub fn normalise_action<const A: usize>(actions: &BoxSpace<A>, a: &Point<A>) -> Point<A> {
    let (lo, hi) = (actions.low(), actions.high());
    std::array::from_fn(|k| {
        let half = 0.5 * (hi[k] - lo[k]);
        if half > 0.0 {
            (a[k] - 0.5 * (hi[k] + lo[k])) / half
        } else {
            0.0
        }
    })
}

impl<const D: usize, const A: usize> SystemDomain<D, A, SymbolicSystem<D>> {
    /// The domain of `task` with the symbolic substrate. The `seed` is kept for substrates and
    /// records; the symbolic agent is deterministic and breaks ties by the order of simplicity.
    pub fn new(task: Task<D, A>, params: SystemParams, seed: u64) -> Result<Self, SystemError> {
        params.validate()?;
        let geo = Geometry::new(task.space, params.cell);
        let mem = SymbolicSystem::new(geo.clone(), params.kernel_radius.max(params.cell));
        Self::with_substrate(task, params, seed, mem)
    }
}

impl<const D: usize, const A: usize, S: SystemSubstrate<D>> SystemDomain<D, A, S> {
    /// The domain of `task` storing its graph in `mem` (an empty substrate over the task's
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
        let space = task.space;
        Ok(Self {
            radius: params.kernel_radius,
            task,
            params,
            geo,
            prims,
            mem,
            depth: Vec::new(),
            failures: Vec::new(),
            route: VecDeque::new(),
            promise_cells: FxHashMap::default(),
            promise_w: FxHashMap::default(),
            clock: 0,
            here: None,
            prev: None,
            held: 0,
            vmax: 0.0,
            amax: [0.0; D],
            last_flow: None,
            solved: 0,
            learned_goal: FxHashSet::default(),
            recent: VecDeque::new(),
            candidate: None,
            refuted: FxHashSet::default(),
            attempts: FxHashMap::default(),
            hold_samples: Vec::new(),
            hold_next: 0,
            flow_model: (params.harmonic_order > 0).then(|| {
                harmonic::HarmonicFlow::new(
                    space,
                    u8::try_from(params.harmonic_order).unwrap_or(u8::MAX),
                )
            }),
            flow_cache: std::cell::RefCell::new(FxHashMap::default()),
            seed,
            stats: SystemStats::default(),
        })
    }

    /// The counters so far.
    pub fn stats(&self) -> SystemStats {
        SystemStats {
            places: self.mem.len(),
            steps: self.clock,
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

    /// Forgets what belongs to one trial (the route, the recent states, the hold, the routes'
    /// promises), keeping what was learned.
    fn forget_trial(&mut self) {
        self.prev = None;
        self.last_flow = None;
        self.route.clear();
        self.recent.clear();
        self.held = 0;
        self.promise_cells.clear();
    }

    /// The task's goal region moved (a goal the agent is told; a scenario moved it): routes lead
    /// to `goal` from now on, and what was learned of the dynamics is kept. In search mode (no
    /// goal told) nothing changes: the goal is found by its success signal.
    pub fn set_goal(&mut self, goal: Arc<dyn Region<D>>) {
        if self.task.goal.is_some() {
            self.task.goal = Some(goal);
            self.route.clear();
        }
    }

    /// The consecutive steps in the goal region a route must plan: the task's hold, and half as
    /// many again for a hold task (a margin against the learned outcomes' errors: a route that
    /// leaves the region right at the end of the hold fails on the smallest error).
    fn hold_target(&self) -> u32 {
        let h = self.task.hold_steps;
        if h > 1 {
            h + h / 2
        } else {
            h
        }
    }

    /// Optimism's habituation factor on unexplored space.
    fn habituation(&self) -> f64 {
        self.params.habituation_rule().factor(self.solved)
    }

    /// Whether a normalised point lies in the goal (told, or learned in search mode).
    fn in_goal(&self, u: &Point<D>) -> bool {
        match (&self.task.goal, &self.candidate) {
            (Some(g), _) => g.contains(&self.task.space, &self.geo.from_u(u)),
            (None, Some(c)) => self.geo.dist(u, &c.centre) <= self.hold_ball(),
            (None, None) => self.learned_goal.contains(&self.geo.key(u)),
        }
    }

    /// Whether the hold controller is on: a hold task with the option on and its goal region
    /// told. Not in search mode (measured on the pendulum with the goal hidden: on candidate
    /// holds and on the cells remembered from a success, it shortens the first trials but
    /// holds the second ones where the hidden region is not, 5 of 10 failing, or lengthens them
    /// 6 times).
    fn hold_controlled(&self) -> bool {
        self.params.hold_control && self.task.hold_steps > 1 && self.task.goal.is_some()
    }

    /// An action normalised to `[-1, 1]` per axis over the action box.
    fn norm_action(&self, a: &Point<A>) -> Point<A> {
        normalise_action(&self.task.actions, a)
    }

    /// The hold controller (`hold.rs`): the level nearest the regulator's action of the
    /// locally linear model fitted to the samples nearest `u`, around the model's rest point
    /// nearest `u`; `None` (the search decides) with too few samples, no rest point in the goal
    /// region, or a model the regulator cannot stabilise.
    fn hold_level(&self, u: &Point<D>) -> Option<usize> {
        let k = 16 * (1 + D + A);
        let geo = &self.geo;
        let m = hold::fit(&self.hold_samples, u, k, |a, b| geo.diff(a, b))?;
        let (dz, a0) = hold::rest(&m)?;
        let target: Point<D> = std::array::from_fn(|i| u[i] + dz[i]);
        let target = geo.to_u(&geo.from_u(&target));
        if !self.in_goal(&target) {
            return None;
        }
        let gain = hold::gain(&m, self.params.hold_effort)?;
        let a: Point<A> = std::array::from_fn(|q| {
            (a0[q] + (0..D).map(|i| gain[q * D + i] * dz[i]).sum::<f64>()).clamp(-1.0, 1.0)
        });
        let levels = self.prims.levels();
        (0..levels.len()).min_by(|&x, &y| {
            let d = |l: usize| {
                let n = self.norm_action(&levels[l].0);
                (0..A).map(|q| (n[q] - a[q]).powi(2)).sum::<f64>()
            };
            d(x).total_cmp(&d(y))
        })
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
        self.depth.push(0);
        self.failures.push(0);
        Some(p)
    }

    /// The smallest kernel radius: half a cell's diagonal, so that the outcome learned in a
    /// cell (at the mean state it was measured from) still covers the cell, and a level
    /// executed in a place is not untried there again.
    fn min_radius(&self) -> f64 {
        0.5 * self.params.cell * (D as f64).sqrt()
    }

    /// Whether two cells are the same or next to each other (on every axis at most one cell
    /// apart, across the period on a periodic axis): the tolerance of the failure test and of
    /// route following.
    fn adjacent(&self, a: &CellKey<D>, b: &CellKey<D>) -> bool {
        (0..D).all(|i| {
            let d = (a[i] - b[i]).abs();
            let n = self.geo.cells_per_period()[i];
            d <= 1 || n - d <= 1
        })
    }

    /// Whether a primitive that ended at `u` (cell `key`) landed where its leg expected: next to
    /// (or in) the cell `expect`, and in the goal region if `goal`. The one tolerance both for
    /// judging a primitive ([`Self::verdict`]) and for following a route from a neighbouring cell
    /// ([`Self::still_lands`]).
    fn landed_as_expected(
        &self,
        expect: CellKey<D>,
        goal: bool,
        u: &Point<D>,
        key: &CellKey<D>,
    ) -> bool {
        (!goal || self.in_goal(u)) && self.adjacent(&expect, key)
    }

    /// The verdict on the primitive that just ended at `u` (cell `key`): arrived when it landed
    /// where the plan needed (the expected cell or one next to it, and in the goal region when
    /// the plan expected it there), failed otherwise; unjudged when nothing was expected of it
    /// (an untried outcome, or no plan: its steps taught its outcome) or it had no place.
    fn verdict(&self, ex: &PrimitiveRun<D>, u: &Point<D>, key: &CellKey<D>) -> Outcome {
        match (ex.place, ex.expect) {
            (None, _) | (_, None) => Outcome::Unjudged,
            (_, Some(e)) if self.landed_as_expected(e, ex.expect_goal, u, key) => Outcome::Arrived,
            _ => Outcome::Failed,
        }
    }

    /// Judges the primitive that just ended at `u` (cell `key`; `success`: it completed the
    /// task), see [`Self::verdict`] and [`Self::reinforce`].
    #[cfg(test)]
    fn finish(&mut self, ex: PrimitiveRun<D>, u: &Point<D>, key: &CellKey<D>, success: bool) {
        let outcome = if success {
            Outcome::Arrived
        } else {
            self.verdict(&ex, u, key)
        };
        self.reinforce(&ex, outcome);
    }

    /// Mutation by the verdict on `ex`: Hebbian potentiation when it arrived, depression (and,
    /// after repeated failures at a place, refinement of its primitives) when it failed.
    fn reinforce(&mut self, ex: &PrimitiveRun<D>, outcome: Outcome) {
        let Some(p) = ex.place else {
            return;
        };
        let ok = match outcome {
            Outcome::Unjudged => return,
            Outcome::Arrived => true,
            Outcome::Failed => false,
        };
        if !ok {
            self.route.clear();
        }
        let w = self.mem.effectiveness(p, ex.prim).unwrap_or(1.0);
        let pi = p as usize;
        let w = if ok {
            self.params.hebbian().potentiate(w)
        } else {
            let can = self.depth[pi] < self.prims.max_depth();
            if self
                .params
                .refinement_rule()
                .fail(&mut self.failures[pi], can)
            {
                self.depth[pi] += 1;
                self.stats.refinements += 1;
            }
            self.params.hebbian().depress(w)
        };
        self.mem.set_effectiveness(p, ex.prim, w);
    }
}

impl<const D: usize, const A: usize, S: SystemSubstrate<D>> Domain for SystemDomain<D, A, S> {
    type Obs = Sensed<D>;
    type Act = Point<A>;
    type Behaviour = PrimitiveRun<D>;

    fn begin_trial(&mut self, _obs: &Sensed<D>) {
        if let Some(h) = &mut self.flow_model {
            h.solve();
            self.flow_cache.get_mut().clear();
        }
        self.forget_trial();
    }

    fn sense(
        &mut self,
        obs: &Sensed<D>,
        under_way: &mut Option<PrimitiveRun<D>>,
    ) -> Option<Point<A>> {
        self.clock += 1;
        let u = self.geo.to_u(&obs.state);
        if u.iter().any(|x| !x.is_finite()) {
            // A state the space cannot hold: act with the first primitive, learn nothing.
            *under_way = None;
            self.here = None;
            self.prev = None;
            self.route.clear();
            return Some(self.prims.all()[0].level);
        }
        // Learn the last step's outcome where it was taken.
        if let Some((pu, pp, level)) = self.prev.take() {
            let flow = self.geo.diff(&pu, &u);
            if let Some(h) = &mut self.flow_model {
                let a = normalise_action(&self.task.actions, &self.prims.levels()[level].0);
                if h.learn(&self.geo.from_u(&pu), &a, &flow) {
                    self.flow_cache.get_mut().clear();
                }
            }
            if let Some(pp) = pp {
                self.mem
                    .learn(pp, level, pu, flow, self.params.min_learning_rate);
                self.vmax = self.vmax.max(geometry::norm(&flow));
            }
            if self.hold_controlled() && self.in_goal(&pu) {
                let a = self.norm_action(&self.prims.levels()[level].0);
                let s = hold::Sample { u: pu, a, flow };
                if self.hold_samples.len() < HOLD_SAMPLES {
                    self.hold_samples.push(s);
                } else {
                    self.hold_samples[self.hold_next] = s;
                    self.hold_next = (self.hold_next + 1) % HOLD_SAMPLES;
                }
            }
            // The braking bound (only when on): how fast the flow itself can change, per axis.
            if self.params.hold_braking {
                if let Some(last) = self.last_flow {
                    for i in 0..D {
                        self.amax[i] = self.amax[i].max((flow[i] - last[i]).abs());
                    }
                }
                self.last_flow = Some(flow);
            }
        }
        self.track_candidate(&u);
        self.pick_candidate(&u);
        self.held = if self.in_goal(&u) { self.held + 1 } else { 0 };
        let key = self.geo.key(&u);
        let place = self.place_of(key);
        self.here = Some((u, key, place));
        if self.hold_controlled() && self.held > 0 {
            if let Some(level) = self.hold_level(&u) {
                // The controller holds: the primitive under way (if any) ends unjudged.
                *under_way = None;
                self.route.clear();
                self.stats.held_control += 1;
                // (Never in search mode, so there are no recent states to remember.)
                self.prev = Some((u, place, level));
                return Some(self.prims.levels()[level].0);
            }
        }
        None
    }

    /// A primitive ends when the state leaves the cell it was decided in, or its hold is over.
    fn monitor(&mut self, ex: &mut PrimitiveRun<D>, _obs: &Sensed<D>) -> Option<Outcome> {
        let (u, key, _) = self.here?;
        let executed = self.clock - ex.decided_at;
        (ex.key != key || executed >= u64::from(ex.duration)).then(|| self.verdict(ex, &u, &key))
    }

    fn judge(&mut self, ex: PrimitiveRun<D>, outcome: Outcome, _obs: &Sensed<D>) {
        self.reinforce(&ex, outcome);
    }

    fn decide(&mut self, _obs: &Sensed<D>) -> Option<PrimitiveRun<D>> {
        let (u, key, place) = self.here?;
        Some(self.plan_next(&u, key, place))
    }

    fn act(&mut self, ex: Option<&PrimitiveRun<D>>, _obs: &Sensed<D>) -> Point<A> {
        let (Some(ex), Some((u, _, place))) = (ex, self.here) else {
            return self.prims.all()[0].level;
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

    fn end_trial(&mut self, under_way: Option<PrimitiveRun<D>>, success: bool) {
        if success {
            self.solved += 1;
            // The primitive that completed the task did what the plan needed.
            if let Some(ex) = under_way {
                self.reinforce(&ex, Outcome::Arrived);
            }
            self.candidate = None;
            if self.task.goal.is_none() {
                // Search mode: remember where success came (the cells of the last hold, and
                // the cell the last step was heading into).
                let recent: Vec<(Point<D>, usize)> = self.recent.iter().copied().collect();
                for (u, _) in &recent {
                    self.learned_goal.insert(self.geo.key(u));
                }
                if let Some((u, level)) = recent.last() {
                    if let Some(f) = self.mem.predict(u, *level, self.radius) {
                        let next: Point<D> = std::array::from_fn(|i| u[i] + f[i]);
                        let next = self.geo.to_u(&self.geo.from_u(&next));
                        self.learned_goal.insert(self.geo.key(&next));
                    }
                }
            }
        }
        self.forget_trial();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use sns_spaces::{BoxRegion, BoxSpace, StateSpace};
    use std::sync::Arc;

    fn line_task() -> Task<1, 1> {
        let space = StateSpace::new(
            BoxSpace::new([0.0], [1.0]).expect("ordered"),
            [1.0],
            [false],
        )
        .expect("valid");
        Task {
            space,
            actions: BoxSpace::new([-1.0], [1.0]).expect("ordered"),
            levels: None,
            goal: Some(Arc::new(BoxRegion {
                low: [0.9],
                high: [f64::INFINITY],
            })),
            hold_steps: 1,
            dt: 0.0,
        }
    }

    /// `interpolate_levels`: a level with nothing learned near a state is predicted between the
    /// nearest learned levels below and above it, linearly in the level; without a learned
    /// level on both sides (or with the option off) it stays unknown (optimistic).
    #[test]
    fn an_untried_level_between_tried_ones_is_interpolated() {
        let params = SystemParams {
            interpolate_levels: true,
            ..SystemParams::default()
        };
        let mut a = SystemDomain::new(line_task(), params, 0).expect("valid");
        let level = |x: f64| {
            a.prims
                .levels()
                .iter()
                .position(|(l, _)| (l[0] - x).abs() < 1e-12)
                .unwrap_or_else(|| panic!("no level {x}"))
        };
        let (lo, mid, quarter, hi) = (level(-1.0), level(0.0), level(0.5), level(1.0));
        let u = [0.5];
        let p = a.place_of(a.geo.key(&u)).expect("under the cap");
        a.mem.learn(p, lo, u, [-0.02], 1.0);
        assert_eq!(a.predict_level(&u, mid), None, "nothing learned above");
        a.mem.learn(p, hi, u, [0.04], 1.0);
        let at = |a: &SystemDomain<1, 1>, l| a.predict_level(&u, l).expect("between learned")[0];
        assert!((at(&a, mid) - 0.01).abs() < 1e-9, "{}", at(&a, mid));
        assert!(
            (at(&a, quarter) - 0.025).abs() < 1e-9,
            "{}",
            at(&a, quarter)
        );
        // The nearest learned levels are used: a learned 0 makes 0.5 the mean of 0 and 1.
        a.mem.learn(p, mid, u, [0.0], 1.0);
        assert!((at(&a, quarter) - 0.02).abs() < 1e-9, "{}", at(&a, quarter));
        a.params.interpolate_levels = false;
        assert_eq!(a.predict_level(&u, quarter), None, "option off");
        assert_eq!(a.predict_level(&[0.9], mid), None, "nothing learned near");
    }

    /// The braking bound: a hold cannot start where the flow, braking at the largest change of
    /// flow seen, carries the state out of the region; there the heuristic adds the time to
    /// stop and come back (and restarts the hold). A slow state, or the option off, is unchanged.
    #[test]
    fn braking_bounds_a_hold_that_cannot_stop() {
        let mut task = line_task();
        task.hold_steps = 10;
        task.goal = Some(Arc::new(BoxRegion {
            low: [0.4],
            high: [0.6],
        }));
        let params = SystemParams {
            hold_braking: true,
            ..SystemParams::default()
        };
        let mut a = SystemDomain::new(task.clone(), params, 0).expect("valid");
        a.vmax = 0.05;
        a.amax = [0.001];
        let u = [0.5];
        // Slow: stops after 0.045, inside.
        assert_eq!(a.braking(&u, &[0.01]), None);
        let still = a.heuristic(&u, &[0.0], 3);
        assert_eq!(still, f64::from(a.hold_target() - 4));
        assert_eq!(a.heuristic(&u, &[0.01], 3), still);
        // Fast, either way: stops 0.435 away, 0.335 outside: 29 steps to stop, 25.9 back.
        let t = 29.0 + (2.0 * 0.335 / 0.001f64).sqrt();
        for v in [0.03, -0.03] {
            let b = a.braking(&u, &[v]).expect("cannot stop inside");
            assert!((b - t).abs() < 1e-6, "{b} {t}");
            let h = a.heuristic(&u, &[v], 3);
            assert!(
                (h - (t + f64::from(a.hold_target() - 1))).abs() < 1e-6,
                "{h}"
            );
        }
        // A first-order axis (the flow can change by more than itself in a step) never binds.
        a.amax = [0.1];
        assert_eq!(a.braking(&u, &[0.03]), None);
        // Off (the default), the heuristic ignores the flow.
        let mut off = SystemDomain::new(task, SystemParams::default(), 0).expect("valid");
        off.vmax = 0.05;
        off.amax = [0.001];
        assert_eq!(off.heuristic(&u, &[0.03], 3), still);
    }

    /// The hold controller: with too few samples seen in the region it leaves the decision to
    /// the search; with enough samples of an unstable system (`x' = x + 0.05 v`,
    /// `v' = v + 0.05 (x + a)`, the region `|x| <= 0.2`), it chooses each step's level, pushing
    /// a state tilted and falling to one side back toward the other, and a state falling back
    /// toward the middle the other way (braking).
    #[test]
    fn hold_controller_regulates_from_samples_seen_in_the_region() {
        let space = StateSpace::new(
            BoxSpace::new([-1.0, -1.0], [1.0, 1.0]).expect("ordered"),
            [2.0, 2.0],
            [false, false],
        )
        .expect("valid");
        let task = Task {
            space,
            actions: BoxSpace::new([-1.0], [1.0]).expect("ordered"),
            levels: None,
            goal: Some(Arc::new(BoxRegion {
                low: [-0.2, f64::NEG_INFINITY],
                high: [0.2, f64::INFINITY],
            })),
            hold_steps: 100,
            dt: 0.0,
        };
        let params = SystemParams {
            hold_control: true,
            ..SystemParams::default()
        };
        let mut a = SystemDomain::new(task, params, 0).expect("valid");
        let step = |s: &Point<2>, f: f64| [s[0] + 0.05 * s[1], s[1] + 0.05 * (s[0] + f)];
        let mut uniform = crate::testutil::uniform(7);
        let mut next = || uniform() * 2.0 - 1.0;
        let mut feed = |a: &mut SystemDomain<2, 1>, n: usize| {
            for _ in 0..n {
                let s = [0.2 * next(), 0.3 * next()];
                let f = next();
                let (u, v) = (a.geo.to_u(&s), a.geo.to_u(&step(&s, f)));
                let flow = a.geo.diff(&u, &v);
                a.hold_samples.push(hold::Sample { u, a: [f], flow });
            }
        };
        let tilted = a.geo.to_u(&[0.1, 0.1]);
        feed(&mut a, 10);
        assert_eq!(a.hold_level(&tilted), None, "too few samples");
        feed(&mut a, 400);
        let level = |a: &SystemDomain<2, 1>, s: Point<2>| {
            let l = a.hold_level(&a.geo.to_u(&s)).expect("regulates");
            a.prims.levels()[l].0[0]
        };
        assert!(level(&a, [0.1, 0.1]) < -0.5);
        assert!(level(&a, [-0.1, -0.1]) > 0.5);
        // Near the middle and falling back fast toward the other side: brakes.
        assert!(level(&a, [0.02, -0.3]) > 0.0);
    }

    /// A route is followed from a cell next to the one its next leg starts from while that
    /// leg, simulated from the state, still lands next to where it was expected
    /// (`follow_near`), or completes the task; a leg that would not, a leg toward an untried
    /// outcome, a leg expected in the goal region that lands outside it, or any deviation with
    /// the option off, is planned afresh.
    #[test]
    fn a_route_is_followed_from_a_neighbouring_cell_while_its_leg_still_lands() {
        for near in [true, false] {
            let params = SystemParams {
                follow_near: near,
                ..SystemParams::default()
            };
            let mut a = SystemDomain::new(line_task(), params, 0).expect("valid");
            // The level +1 moves the state 0.01 a step (two thirds of a cell) everywhere.
            let up = (0..a.prims.upto(0).len())
                .find(|&k| a.prims.all()[k].level[0] > 0.5)
                .expect("a bang-bang level +1");
            let level = a.prims.all()[up].level_index;
            for i in 0..64 {
                let u = [(f64::from(i) + 0.5) / 64.0];
                let p = a.place_of(a.geo.key(&u)).expect("under the cap");
                a.mem.learn(p, level, u, [0.01], 1.0);
            }
            let cell = |i: i64| [i];
            // (leg's start, state's cell, expected landing, expected in the goal, followed):
            // one cell on from the start, +1 lands one more on (cell 22), next to 21: followed
            // with the option on; far from the expectation, toward an untried outcome (nothing
            // expected), or expected in the goal region but landing outside it: searched afresh.
            // From cell 57 (x 0.898), +1 completes the task (x >= 0.9) in one step: followed.
            let cases = [
                (20, 21, Some(cell(21)), false, near),
                (20, 21, Some(cell(25)), false, false),
                (20, 21, None, false, false),
                (20, 21, Some(cell(21)), true, false),
                (56, 57, Some(cell(57)), false, near),
            ];
            for (from, at, expect, goal, follows) in cases {
                let leg = Leg {
                    from: cell(from),
                    prim: up,
                    expect,
                    goal,
                };
                let u = a.geo.centre(&cell(at));
                let place = a.place_of(cell(at));
                a.route = VecDeque::from([leg]);
                let plans = a.stats.plans;
                let ex = a.plan_next(&u, cell(at), place);
                assert_eq!(
                    a.stats.plans == plans,
                    follows,
                    "near {near} from {from} at {at} expect {expect:?} goal {goal}"
                );
                if follows {
                    assert_eq!((ex.prim, ex.expect), (up, expect), "the leg itself");
                }
            }
        }
    }

    /// Repeated failures at a place offer its next depth of primitives (levels halfway between,
    /// halved holds), and depress the failing primitive; a success potentiates it.
    #[test]
    fn failures_refine_the_place_they_happen_at() {
        let mut a = SystemDomain::new(line_task(), SystemParams::default(), 0).expect("valid");
        let key = a.geo.key(&[0.5]);
        let p = a.place_of(key).expect("under the cap");
        let far = a.geo.key(&[0.1]);
        let ex = PrimitiveRun {
            prim: 0,
            place: Some(p),
            key,
            decided_at: 0,
            duration: 32,
            expect: Some(far),
            expect_goal: false,
        };
        let here = a.geo.centre(&key);
        assert_eq!(
            a.prims.upto(a.depth[p as usize]).len(),
            2,
            "bang-bang first"
        );
        for _ in 0..a.params.refine_after {
            a.finish(ex, &here, &key, false);
        }
        assert_eq!(a.depth[p as usize], 1);
        assert_eq!(a.prims.upto(a.depth[p as usize]).len(), 6);
        let w = a.mem.effectiveness(p, 0).expect("tried");
        assert!((w - 0.5f64.powi(3)).abs() < 1e-12, "{w}");
        // Landing next to the expected cell is not a failure.
        let ex = PrimitiveRun {
            expect: Some(key),
            ..ex
        };
        a.finish(ex, &here, &key, false);
        assert!(a.mem.effectiveness(p, 0).expect("tried") > w);
        assert_eq!(a.stats().refinements, 1);
    }
}
