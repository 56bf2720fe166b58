//! The route search of the system domain: the cheapest route over the learned outcomes to
//! success or to an untried outcome (A* over cells and held counts, each primitive simulated
//! step by step in the learned model), its heuristic (the goal region's distance over the
//! fastest flow seen, the hold still to do, and the optional braking bound), the promises a
//! route ends at, and the decision that follows a planned route or plans a new one.

use super::{CellKey, PlaceId, Primitive, PrimitiveRun, SystemDomain, SystemSubstrate};
use crate::fxhash::{FxHashMap, FxHashSet};
use sns_spaces::Point;
use std::cmp::Ordering;
use std::collections::{BinaryHeap, VecDeque};

/// A node in a priority queue: smallest estimate first, ties to the deepest (largest cost so
/// far, so that equally good routes are followed to their end instead of widened).
#[derive(Debug, Clone, Copy, PartialEq)]
struct Queued(f64, f64, u32);

impl Eq for Queued {}

impl PartialOrd for Queued {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Queued {
    fn cmp(&self, other: &Self) -> Ordering {
        other
            .0
            .total_cmp(&self.0)
            .then(self.1.total_cmp(&other.1))
            .then(other.2.cmp(&self.2))
    }
}

/// How a simulated primitive ends.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Sim {
    /// The task is done (the goal reached, or held long enough).
    Target,
    /// An outcome nothing was learned near: optimistic.
    Unknown,
    /// The state left the cell, or the hold ended.
    Landed,
}

/// A node of the route search: a simulated state, with the consecutive steps it has spent in
/// the goal region.
#[derive(Debug, Clone, Copy)]
struct Node<const D: usize> {
    u: Point<D>,
    /// The flow of the step that led to `u` (what the braking bound of a hold starts from).
    v: Point<D>,
    key: CellKey<D>,
    held: u32,
    g: f64,
    parent: u32,
    prim: u32,
}

/// Where a simulated route ends and whether it is in the goal region there; `None` at an
/// untried outcome (nothing is expected).
type Landing<const D: usize> = Option<(CellKey<D>, bool)>;

/// An untried outcome a route ends at: the cell where the simulated state met no learned
/// outcome, and the level it was simulating.
pub(super) type Promise<const D: usize> = (CellKey<D>, usize);

/// One leg of a planned route: primitive `prim` from cell `from`, expected to land in `expect`.
#[derive(Debug, Clone, Copy)]
pub(super) struct Leg<const D: usize> {
    pub(super) from: CellKey<D>,
    pub(super) prim: usize,
    /// `None` when the leg ends at an untried outcome (optimism, not a prediction).
    pub(super) expect: Option<CellKey<D>>,
    /// The simulated state ends in the goal region.
    pub(super) goal: bool,
}

impl<const D: usize, const A: usize, S: SystemSubstrate<D>> SystemDomain<D, A, S> {
    /// A lower bound on the steps from `u`, having held `held` steps, to success: the
    /// region's distance over the fastest flow seen (0 when the goal is hidden or nothing has
    /// moved yet), plus the steps still to hold.
    pub(super) fn heuristic(&self, u: &Point<D>, v: &Point<D>, held: u32) -> f64 {
        let reach = match (&self.task.goal, &self.candidate) {
            (Some(g), _) if self.vmax > 0.0 => {
                g.distance(&self.task.space, &self.geo.from_u(u)) / self.vmax
            }
            (None, Some(c)) if self.vmax > 0.0 => {
                (self.geo.dist(u, &c.centre) - self.hold_ball()).max(0.0) / self.vmax
            }
            _ => 0.0,
        };
        let inside = reach == 0.0 && self.in_goal(u);
        let to_hold = if inside {
            self.hold_target().saturating_sub(held + 1)
        } else {
            self.hold_target().saturating_sub(1)
        };
        let brake = if self.params.hold_braking && self.task.hold_steps > 1 {
            self.braking(u, v)
        } else {
            None
        };
        match brake {
            // The state cannot stop in the region: the hold breaks and starts over after the
            // state has come back.
            Some(back) => reach.max(back) + f64::from(self.hold_target().saturating_sub(1)),
            _ => reach + f64::from(to_hold),
        }
    }

    /// The braking bound of a hold (`None` when it does not bind): a hold needs the state to
    /// stay in the region, so it must be able to stop there. With the flow `v` and, per axis,
    /// the largest change of flow per step seen (`amax`), axis `i` needs at least
    /// `|v_i| / a_i` steps to stop and moves at least `v_i^2 / (2 a_i)` meanwhile (a double
    /// integrator braking at its bound). If that travel alone takes the state out of the goal
    /// region (by `d`, the region's distance of the stopping point, clipped to the state box
    /// whose ends stop the state anyway), the state must leave the region and come back: at least
    /// `|v_i| / a_i + sqrt(2 d / a_i)` steps (stop, then return from rest) before a hold can
    /// start. The largest over the axes is returned. An axis whose flow can change as fast as
    /// the flow itself (a first-order axis) stops within a step and never binds.
    pub(super) fn braking(&self, u: &Point<D>, v: &Point<D>) -> Option<f64> {
        let g = self.task.goal.as_ref()?;
        let mut bound: Option<f64> = None;
        for i in 0..D {
            let a = self.amax[i];
            if a <= 0.0 || v[i] == 0.0 {
                continue;
            }
            // In steps: the flow falls by at most `a` a step, so it needs at least
            // `|v| / a - 1` more steps after this one, covering at least
            // `v^2 / (2 a) - |v| / 2` (the discrete sum).
            let speed = v[i].abs();
            let travel = (speed * speed / (2.0 * a) - 0.5 * speed).max(0.0);
            if travel < self.params.cell {
                continue;
            }
            let mut stop = *u;
            stop[i] += travel.copysign(v[i]);
            let d = g.distance(&self.task.space, &self.geo.from_u(&stop));
            if d > 0.0 {
                let t = (speed / a - 1.0).max(0.0) + (2.0 * d / a).sqrt();
                bound = Some(bound.map_or(t, |b: f64| b.max(t)));
            }
        }
        bound
    }

    /// The optimistic cost-to-success of an unknown outcome at `u`: one step and the
    /// heuristic, habituated once the task has been solved.
    fn unexplored(&self, u: &Point<D>, v: &Point<D>, held: u32) -> f64 {
        (1.0 + self.heuristic(u, v, held)) * self.habituation()
    }

    /// Simulates primitive `prim` from `u` (in cell `key`, having held `held` steps) with the
    /// learned outcomes, step by step, until the task is done, an outcome is unknown, the
    /// state leaves the cell or the hold ends (`v`: the flow that led to `u`). Returns how it
    /// ended, the state, the flow of its last step, the held count and the steps.
    fn simulate(
        &self,
        u: &Point<D>,
        v: &Point<D>,
        key: &CellKey<D>,
        held: u32,
        prim: &Primitive<A>,
    ) -> (Sim, Point<D>, Point<D>, u32, f64) {
        let mut s = *u;
        let mut last = *v;
        let mut held = held;
        let mut steps = 0u32;
        loop {
            let Some(f) = self.predict_level(&s, prim.level_index) else {
                return (Sim::Unknown, s, last, held, f64::from(steps));
            };
            last = f;
            let next: Point<D> = std::array::from_fn(|i| s[i] + f[i]);
            s = self.geo.to_u(&self.geo.from_u(&next));
            steps += 1;
            held = if self.in_goal(&s) { held + 1 } else { 0 };
            if held >= self.hold_target() {
                return (Sim::Target, s, last, held, f64::from(steps));
            }
            if self.geo.key(&s) != *key || steps >= prim.duration {
                return (Sim::Landed, s, last, held, f64::from(steps));
            }
        }
    }

    /// The cheapest route (in steps over effectiveness) from `u` to success, or to an unknown
    /// outcome (optimistic, see [`Self::unexplored`]), by best-first (A*) search over the
    /// learned outcomes with one node per cell and held count (the first simulated state that
    /// reaches a cell cheapest stands for it). `None` when no route exists.
    fn search(
        &mut self,
        u: &Point<D>,
        key: CellKey<D>,
    ) -> Option<(VecDeque<Leg<D>>, Option<Promise<D>>)> {
        self.stats.plans += 1;
        let v0 = self.last_flow.unwrap_or([0.0; D]);
        let mut nodes: Vec<Node<D>> = vec![Node {
            u: *u,
            v: v0,
            key,
            held: self.held,
            g: 0.0,
            parent: u32::MAX,
            prim: 0,
        }];
        let mut best_g: FxHashMap<(CellKey<D>, u32), f64> = FxHashMap::default();
        best_g.insert((key, self.held), 0.0);
        let mut heap = BinaryHeap::new();
        heap.push(Queued(self.heuristic(u, &v0, self.held), 0.0, 0));
        // The best end found: cost, node, primitive, expected landing and in the goal there
        // (`None`: an untried outcome, nothing is expected).
        let mut best: Option<(f64, u32, usize, Landing<D>, Option<Promise<D>>)> = None;
        let mut expansions = 0usize;
        while let Some(Queued(f, _, i)) = heap.pop() {
            if best.is_some_and(|b| f >= b.0) {
                break;
            }
            let n = nodes[i as usize];
            if n.g
                > best_g
                    .get(&(n.key, n.held))
                    .copied()
                    .unwrap_or(f64::INFINITY)
            {
                continue;
            }
            expansions += 1;
            if expansions > self.params.max_expansions {
                self.stats.truncated += 1;
                break;
            }
            let place = self.mem.find(&n.key);
            let depth = place.map_or(0, |p| self.depth[p as usize]);
            let avail = self.prims.upto(depth).len();
            for k in 0..avail {
                let prim = self.prims.all()[k];
                let w = place
                    .and_then(|p| self.mem.effectiveness(p, k))
                    .unwrap_or(1.0);
                let (sim, s, sv, held, steps) = self.simulate(&n.u, &n.v, &n.key, n.held, &prim);
                let sk = self.geo.key(&s);
                let g = n.g + steps / w;
                let end = match sim {
                    Sim::Target => Some((g, Some((sk, held > 0)), None)),
                    Sim::Unknown => {
                        let promise = (sk, prim.level_index);
                        let trust = self.promise_w.get(&promise).copied().unwrap_or(1.0);
                        Some((
                            g + self.unexplored(&s, &sv, held) / trust,
                            None,
                            Some(promise),
                        ))
                    }
                    Sim::Landed => {
                        if g < best_g.get(&(sk, held)).copied().unwrap_or(f64::INFINITY) {
                            best_g.insert((sk, held), g);
                            nodes.push(Node {
                                u: s,
                                v: sv,
                                key: sk,
                                held,
                                g,
                                parent: i,
                                prim: k as u32,
                            });
                            let h = self.heuristic(&s, &sv, held);
                            heap.push(Queued(g + h, g, nodes.len() as u32 - 1));
                        }
                        None
                    }
                };
                if let Some((c, land, promise)) = end {
                    if best.map_or(true, |b| c < b.0) {
                        best = Some((c, i, k, land, promise));
                    }
                }
            }
        }
        self.stats.expansions += expansions as u64;
        let (_, mut i, k, land, promise) = best?;
        let mut route = VecDeque::new();
        route.push_front(Leg {
            from: nodes[i as usize].key,
            prim: k,
            expect: land.map(|l| l.0),
            goal: land.is_some_and(|l| l.1),
        });
        while nodes[i as usize].parent != u32::MAX {
            let n = nodes[i as usize];
            let p = n.parent;
            route.push_front(Leg {
                from: nodes[p as usize].key,
                prim: n.prim as usize,
                expect: Some(n.key),
                goal: n.held > 0,
            });
            i = p;
        }
        Some((route, promise))
    }

    /// Keeps track of the untried outcome a new route (planned at cell `key`) promises: a
    /// route planned to a promise from a cell where a route to it was already planned this
    /// trial, the state having planned elsewhere in between, is a loop (the routes toward it lead back instead of reaching it), so its trust is
    /// depressed (as a failing primitive's effectiveness) and the plan moves on to other
    /// outcomes.
    fn track_promise(&mut self, promise: Option<Promise<D>>, key: CellKey<D>) {
        let Some(pr) = promise else {
            return;
        };
        let (cells, last, loops) = self
            .promise_cells
            .entry(pr)
            .or_insert_with(|| (FxHashSet::default(), key, 0));
        // Planned again in the cell of the last plan to it: the state has not left, no loop.
        let back = *last != key && cells.contains(&key);
        *last = key;
        cells.insert(key);
        if !back {
            return;
        }
        cells.clear();
        cells.insert(key);
        *loops += 1;
        if *loops < self.params.refine_after {
            return;
        }
        *loops = 0;
        let w = self.promise_w.entry(pr).or_insert(1.0);
        *w = self.params.hebbian().depress(*w);
    }

    /// Whether `leg`, planned from a cell next to the state's, still does what the route needs
    /// when simulated from the state `u` itself: it lands next to (or in) the cell it was
    /// expected to land in, and in the goal region if it was expected there, or it completes
    /// the task. A leg toward an untried outcome (nothing expected) does not.
    pub(super) fn still_lands(&self, u: &Point<D>, key: CellKey<D>, leg: &Leg<D>) -> bool {
        let Some(e) = leg.expect else {
            return false;
        };
        let v = self.last_flow.unwrap_or([0.0; D]);
        let prim = self.prims.all()[leg.prim];
        let (sim, s, _, _, _) = self.simulate(u, &v, &key, self.held, &prim);
        match sim {
            Sim::Target => true,
            Sim::Unknown => false,
            Sim::Landed => self.landed_as_expected(e, leg.goal, &s, &self.geo.key(&s)),
        }
    }

    /// Chooses the next primitive at `u` (cell `key`, place `place`): the next leg of the
    /// route when the state is where the route expected, a new route otherwise.
    pub(super) fn plan_next(
        &mut self,
        u: &Point<D>,
        key: CellKey<D>,
        place: Option<PlaceId>,
    ) -> PrimitiveRun<D> {
        self.stats.decisions += 1;
        let depth = place.map_or(0, |p| self.depth[p as usize]);
        let avail = self.prims.upto(depth).len();
        let run = |prim: usize, leg: Option<Leg<D>>, s: &Self| PrimitiveRun {
            prim,
            place,
            key,
            decided_at: s.clock,
            duration: s.prims.all()[prim].duration,
            expect: leg.and_then(|l| l.expect),
            expect_goal: leg.is_some_and(|l| l.goal) && s.task.hold_steps > 1,
        };
        // Inside the goal region of a hold task every decision is planned afresh (staying
        // needs the exact state); elsewhere the route is followed while it holds: the state is
        // in the cell its next leg starts from or (`follow_near`) in a cell next to it, from
        // where the leg still lands where the route needs.
        let fresh = self.task.hold_steps > 1 && self.held > 0;
        if let Some(leg) = self.route.front().copied() {
            // The cheap tests first: the leg's simulation only when it could be followed.
            let on_route = leg.prim < avail
                && !fresh
                && (leg.from == key
                    || (self.params.follow_near
                        && self.adjacent(&leg.from, &key)
                        && self.still_lands(u, key, &leg)));
            if on_route {
                self.route.pop_front();
                return run(leg.prim, Some(leg), self);
            }
        }
        loop {
            if let Some((mut route, promise)) = self.search(u, key) {
                self.track_promise(promise, key);
                if let Some(leg) = route.pop_front() {
                    self.route = route;
                    return run(leg.prim, Some(leg), self);
                }
            }
            if let Some(c) = self.candidate.take() {
                // The model knows no way to hold at the candidate: an attempt, try another.
                *self.attempts.entry(c.key).or_insert(0) += 1;
                self.stats.holds_failed += 1;
                self.held = 0;
                self.pick_candidate(u);
                continue;
            }
            if 0.5 * self.radius < self.min_radius() {
                if let Some(p) = place {
                    let pi = p as usize;
                    if self.depth[pi] < self.prims.max_depth() {
                        // Exhaustion refines: the place offers its next depth (finer levels,
                        // shorter holds), whose new levels are untried there.
                        self.depth[pi] += 1;
                        self.failures[pi] = 0;
                        self.stats.refinements += 1;
                        return self.plan_next(u, key, place);
                    }
                }
                // Nothing left to plan with: cycle through the primitives.
                self.route.clear();
                let k = (self.stats.decisions % avail as u64) as usize;
                return run(k, None, self);
            }
            // No way to success nor to an unknown outcome: generalise less.
            self.radius *= 0.5;
            self.stats.kernel_refinements += 1;
        }
    }
}
