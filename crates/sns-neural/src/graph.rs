//! The Hebbian cognitive graph: synapses between place units, their learning rules, and
//! planning by spreading activity from the goal.
//!
//! # Synapses
//! A synapse `u -> v` (a behaviour: drive from `u`'s place to `v`'s place) has an efficacy
//! `w in (0, 1]`. The matrix is sparse: each unit keeps its efferent and afferent synapse indices.
//!
//! # Learning rules
//! - Potentiation (success, the behaviour reached `v`): `w <- w + eta * pre * post * (1 - w)`,
//!   with `pre` the activity of `u` when the behaviour started and `post` the activity of `v` on
//!   arrival. Under the winner-take-all readout of the place units the winners' normalised
//!   activities are 1, and the rule is the symbolic `w <- w + eta (1 - w)`.
//! - Depression (failure, a neuromodulatory signal `m in [0, 1]`): `w <- w (1 - m (1 - beta))`,
//!   which is `w <- beta w` for the full failure signal `m = 1`.
//!
//! # Planning by activity
//! Activity is injected at the goal unit (`a_goal = 1`) and propagates backward through the
//! synapses, attenuated by the cost of each behaviour:
//!
//! `a_u = max_v exp(-lambda c(u, v)) a_v`, `c(u, v) = |x_u - x_v| / w_uv + segment_penalty`.
//!
//! Its fixed point is `a_u = exp(-lambda D(u))` with `D(u)` the cheapest cost from `u` to the goal
//! (the Bellman equation in log space), for every `lambda > 0`. The agent, at unit `u`, follows the
//! most active neighbour `argmax_v exp(-lambda c(u, v)) a_v`. We work in log space (`D`), where
//! the values are exact; [`relax_sync`] runs the literal synchronous dynamics (every unit
//! updated from its successors each tick, Bellman-Ford), and [`plan`] runs the same relaxation
//! asynchronously as a wave front: units take their final activity in decreasing order of
//! activity (Dijkstra order), the wave spreading first toward the agent (an A* focus with the
//! admissible bias `|x_u - x_agent|`), and it stops once the agent's unit is settled. Both give
//! the same activities on the agent's path, hence the same behaviour as a fresh shortest-path
//! search. The agent itself uses these activities maintained incrementally
//! ([`sns_core::plan`], through `Neural`'s `Substrate::plan`); [`plan`] is the reference.

use sns_core::failure::EdgeFailure;
use sns_core::familiar::FamiliarCache;
use sns_worlds::{Real, Vec2};
use std::cmp::Ordering;
use std::collections::BinaryHeap;

/// Hebbian potentiation: `w + eta * pre * post * (1 - w)`.
#[inline]
pub fn potentiate(w: Real, eta: Real, pre: Real, post: Real) -> Real {
    w + eta * pre * post * (1.0 - w)
}

/// Depression under a failure signal `m in [0, 1]`: `w (1 - m (1 - beta))`.
#[inline]
pub fn depress(w: Real, beta: Real, m: Real) -> Real {
    w * (1.0 - m * (1.0 - beta))
}

/// One synapse.
#[derive(Debug, Clone)]
pub struct Synapse {
    /// Presynaptic unit (where the behaviour starts).
    pub pre: usize,
    /// Postsynaptic unit (where it leads).
    pub post: usize,
    /// Efficacy in (0, 1]; `None` while untried (the baseline efficacy of untried synapses,
    /// `PlanCosts::w_untried`, then applies).
    pub w: Option<Real>,
    /// The failure model's lazy cache of this behaviour's prediction (and whether its last
    /// execution succeeded, which overrides the generalisation of failures from contacts).
    pub failure: EdgeFailure,
    /// Whether the behaviour's segment lies in familiar space (lazy cache).
    pub familiar: FamiliarCache,
}

/// The sparse synapse matrix.
#[derive(Debug, Clone, Default)]
pub struct Synapses {
    syn: Vec<Synapse>,
    out: Vec<Vec<u32>>,
    inn: Vec<Vec<u32>>,
}

impl Synapses {
    /// Makes room for unit `u`.
    pub fn ensure_unit(&mut self, u: usize) {
        if self.out.len() <= u {
            self.out.resize_with(u + 1, Vec::new);
            self.inn.resize_with(u + 1, Vec::new);
        }
    }

    /// Number of synapses.
    pub fn len(&self) -> usize {
        self.syn.len()
    }

    /// Whether there is no synapse.
    pub fn is_empty(&self) -> bool {
        self.syn.is_empty()
    }

    /// The synapse `u -> v`, if any.
    pub fn find(&self, u: usize, v: usize) -> Option<usize> {
        self.out
            .get(u)?
            .iter()
            .map(|&e| e as usize)
            .find(|&e| self.syn[e].post == v)
    }

    /// Synapse `e`.
    pub fn get(&self, e: usize) -> &Synapse {
        &self.syn[e]
    }

    /// Synapse `e`, mutable.
    pub fn get_mut(&mut self, e: usize) -> &mut Synapse {
        &mut self.syn[e]
    }

    /// All synapses.
    pub fn iter(&self) -> impl Iterator<Item = &Synapse> {
        self.syn.iter()
    }

    /// Efferent synapse indices of `u`.
    pub fn out(&self, u: usize) -> &[u32] {
        self.out.get(u).map_or(&[], |v| v.as_slice())
    }

    /// Afferent synapse indices of `v`.
    pub fn inn(&self, v: usize) -> &[u32] {
        self.inn.get(v).map_or(&[], |x| x.as_slice())
    }

    /// Adds `u -> v` with efficacy `w` (`None`: untried) unless it exists or `u == v`.
    pub fn connect(&mut self, u: usize, v: usize, w: Option<Real>) {
        if u == v || self.find(u, v).is_some() {
            return;
        }
        self.ensure_unit(u.max(v));
        let e = self.syn.len() as u32;
        self.syn.push(Synapse {
            pre: u,
            post: v,
            w,
            failure: EdgeFailure::default(),
            familiar: FamiliarCache::default(),
        });
        self.out[u].push(e);
        self.inn[v].push(e);
    }
}

#[derive(Debug, Clone, Copy, PartialEq)]
struct Entry {
    f: Real,
    u: usize,
}
impl Eq for Entry {}
impl Ord for Entry {
    fn cmp(&self, o: &Self) -> Ordering {
        // A min-heap on f, ties by index for determinism.
        o.f.total_cmp(&self.f).then(o.u.cmp(&self.u))
    }
}
impl PartialOrd for Entry {
    fn partial_cmp(&self, o: &Self) -> Option<Ordering> {
        Some(self.cmp(o))
    }
}

/// Scratch buffers of the planner, kept apart from the graph's state.
#[derive(Debug, Clone, Default)]
pub struct PlanScratch {
    dist: Vec<Real>,
    next: Vec<usize>,
    done: Vec<bool>,
    touched: Vec<usize>,
    heap: BinaryHeap<Entry>,
}

/// Plans by spreading activity backward from `goal` until it reaches `from` (see the module
/// docs). `cost(e)` is the cost of synapse `e`, `pos(u)` the anchor of unit `u`, `n` the number of
/// units. Returns the cost `D(from)` (so that `a_from = exp(-lambda D)`) and the path
/// `from -> goal` obtained by following, from each unit, its most active successor.
///
/// Complexity: `O(E log V)` in the worst case; usually only the units between the goal and the
/// agent are settled.
pub fn plan(
    syn: &Synapses,
    n: usize,
    from: usize,
    goal: usize,
    pos: impl Fn(usize) -> Vec2,
    cost: impl Fn(usize) -> Real,
    scratch: &mut PlanScratch,
) -> Option<(Real, Vec<usize>)> {
    if from >= n || goal >= n {
        return None;
    }
    if from == goal {
        return Some((0.0, vec![from]));
    }
    let s = scratch;
    if s.dist.len() < n {
        s.dist.resize(n, Real::INFINITY);
        s.next.resize(n, usize::MAX);
        s.done.resize(n, false);
    }
    for &u in &s.touched {
        s.dist[u] = Real::INFINITY;
        s.next[u] = usize::MAX;
        s.done[u] = false;
    }
    s.touched.clear();
    s.heap.clear();
    let agent = pos(from);
    s.dist[goal] = 0.0;
    s.touched.push(goal);
    s.heap.push(Entry {
        f: pos(goal).dist(agent),
        u: goal,
    });
    while let Some(Entry { u: v, .. }) = s.heap.pop() {
        if s.done[v] {
            continue;
        }
        s.done[v] = true;
        if v == from {
            break;
        }
        let dv = s.dist[v];
        for &e in syn.inn(v) {
            let e = e as usize;
            let u = syn.get(e).pre;
            if s.done[u] {
                continue;
            }
            let d = dv + cost(e);
            if d < s.dist[u] {
                if s.dist[u].is_infinite() {
                    s.touched.push(u);
                }
                s.dist[u] = d;
                s.next[u] = v;
                s.heap.push(Entry {
                    f: d + pos(u).dist(agent),
                    u,
                });
            }
        }
    }
    if !s.done[from] {
        return None;
    }
    let mut path = vec![from];
    let mut u = from;
    while u != goal {
        u = s.next[u];
        if u == usize::MAX || path.len() > n {
            return None;
        }
        path.push(u);
    }
    Some((s.dist[from], path))
}

/// The literal synchronous dynamics: every tick, every unit takes
/// `a_u = max_v exp(-lambda c(u, v)) a_v` from its successors (in log space,
/// `D_u = min_v c(u, v) + D_v`), until nothing changes (at most `n` ticks). Returns `D` for every
/// unit (infinite where no activity arrives). `O(n E)`: for tests and the docs, not for control.
pub fn relax_sync(
    syn: &Synapses,
    n: usize,
    goal: usize,
    cost: impl Fn(usize) -> Real,
) -> Vec<Real> {
    let mut d = vec![Real::INFINITY; n];
    if goal < n {
        d[goal] = 0.0;
    }
    for _ in 0..n {
        let prev = d.clone();
        let mut changed = false;
        for (u, du) in d.iter_mut().enumerate() {
            for &e in syn.out(u) {
                let e = e as usize;
                let c = cost(e) + prev[syn.get(e).post];
                if c < *du {
                    *du = c;
                    changed = true;
                }
            }
        }
        if !changed {
            break;
        }
    }
    d
}
