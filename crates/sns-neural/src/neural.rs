//! The neural substrate: [`sns_core::Substrate`] over place units, Hebbian synapses, a contact
//! memory of codes, and planning by spreading activity.

use crate::code::{Code, CodeParams, HarmonicCode};
use crate::graph::{self, PlanScratch, Synapses};
use crate::place::{Buckets, PlaceUnits};
use crate::NeuralError;
use sns_core::{GraphSnapshot, NodeId, PlanCosts, Substrate};
use sns_worlds::{Real, Vec2};
use std::cell::RefCell;

/// Parameters of the neural substrate.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct NeuralParams {
    /// Layout of the harmonic code (`dims` is the `--dims` flag).
    pub code: CodeParams,
}

/// The contact memory: each remembered wall contact is stored as its code `h(c)`.
#[derive(Debug, Clone, Default)]
struct Contacts {
    codes: Vec<Code>,
    /// Decoded positions (for the coarse prefilter only).
    pos: Vec<Vec2>,
    prefilter: Buckets,
}

/// Scratch buffers (not state): query code and candidate lists.
#[derive(Debug, Clone, Default)]
struct Scratch {
    q: Option<Code>,
    cands: Vec<usize>,
    plan: PlanScratch,
}

/// The neural cognitive graph.
#[derive(Debug)]
pub struct Neural {
    code: HarmonicCode,
    units: PlaceUnits,
    syn: Synapses,
    contacts: Contacts,
    /// Cached activity thresholds `(radius, K(radius))` of the radial kernel profile.
    thresholds: RefCell<Vec<(Real, Real)>>,
    scratch: RefCell<Scratch>,
}

impl Neural {
    /// A substrate with an empty graph (checked parameters).
    pub fn new(params: NeuralParams) -> Result<Self, NeuralError> {
        let code = HarmonicCode::new(params.code)?;
        Ok(Neural {
            units: PlaceUnits::new(code.dims()),
            code,
            syn: Synapses::default(),
            contacts: Contacts::default(),
            thresholds: RefCell::new(Vec::new()),
            scratch: RefCell::new(Scratch::default()),
        })
    }

    /// A substrate with `dims` phasors and the default layout otherwise.
    pub fn with_dims(dims: usize) -> Result<Self, NeuralError> {
        Self::new(NeuralParams {
            code: CodeParams {
                dims,
                ..CodeParams::default()
            },
        })
    }

    /// The harmonic code.
    pub fn code(&self) -> &HarmonicCode {
        &self.code
    }

    /// The place units.
    pub fn units(&self) -> &PlaceUnits {
        &self.units
    }

    /// The activity a unit at distance `r` has (the radial kernel profile), cached.
    pub fn threshold(&self, r: Real) -> Real {
        let mut t = self.thresholds.borrow_mut();
        if let Some(&(_, k)) = t.iter().find(|x| x.0 == r) {
            return k;
        }
        let k = self.code.radial_profile(r);
        t.push((r, k));
        k
    }

    /// Runs `f` with the code of `x` in a reused buffer.
    fn with_query<T>(&self, x: Vec2, f: impl FnOnce(&Code, &mut Vec<usize>) -> T) -> T {
        let mut s = self.scratch.borrow_mut();
        let s = &mut *s;
        let q = s.q.get_or_insert_with(|| Code::zeros(self.code.dims()));
        self.code.encode_into(x, q);
        f(q, &mut s.cands)
    }

    /// Whether the behaviour `a -> b` is predicted to fail because of contacts `from..`: a
    /// contact whose code is as similar to the code of a point of the segment as a point at the
    /// clearance distance would be. The segment's code is sampled where the prefilter finds the
    /// closest approach (the sample of highest similarity); the decision is the similarity test.
    fn blocked_by_contacts(&self, a: Vec2, b: Vec2, from: usize, clearance: Real) -> bool {
        let n = self.contacts.codes.len();
        if from >= n {
            return false;
        }
        let theta = self.threshold(clearance);
        let ab = b - a;
        let l2 = ab.norm2();
        let test = |i: usize| -> bool {
            let c = self.contacts.pos[i];
            let t = if l2 > 1e-18 {
                ((c - a).dot(ab) / l2).clamp(0.0, 1.0)
            } else {
                0.0
            };
            let x = a + ab * t;
            // Coarse prefilter: only contacts within twice the clearance are compared.
            if x.dist(c) > 2.0 * clearance {
                return false;
            }
            // Similarity of the contact's code with the code of the segment at x: by shift
            // invariance K(h(c), h(x)) is the kernel of the displacement between them.
            self.code.kernel_of_displacement(x - c) >= theta
        };
        if n - from <= 64 {
            return (from..n).any(test);
        }
        let m = Vec2::new(2.0 * clearance, 2.0 * clearance);
        let lo = Vec2::new(a.x.min(b.x), a.y.min(b.y)) - m;
        let hi = Vec2::new(a.x.max(b.x), a.y.max(b.y)) + m;
        let mut found = false;
        self.contacts.prefilter.for_each_in(lo, hi, |i| {
            if !found && i >= from && test(i) {
                found = true;
            }
        });
        found
    }

    fn syn_blocked(&self, e: usize, costs: &PlanCosts) -> bool {
        if !costs.generalise {
            return false;
        }
        let s = self.syn.get(e);
        let n = self.contacts.codes.len();
        if s.checked.get() < n {
            if !s.blocked.get()
                && self.blocked_by_contacts(
                    self.units.anchor(s.pre),
                    self.units.anchor(s.post),
                    s.checked.get(),
                    costs.body_radius * 0.8,
                )
            {
                s.blocked.set(true);
            }
            s.checked.set(n);
        }
        s.blocked.get()
    }

    fn syn_cost(&self, e: usize, costs: &PlanCosts) -> Real {
        let s = self.syn.get(e);
        let mut w = s.w;
        if self.syn_blocked(e, costs) {
            w *= costs.generalised_factor;
        }
        self.units.anchor(s.pre).dist(self.units.anchor(s.post)) / w.max(1e-12)
            + costs.segment_penalty
    }
}

impl Substrate for Neural {
    fn name(&self) -> &'static str {
        "neural"
    }

    fn add_node(&mut self, pos: Vec2, level: u8) -> NodeId {
        let w = self.code.encode(pos);
        let id = self.units.add(&self.code, &w, level);
        self.syn.ensure_unit(id);
        id
    }

    fn node_pos(&self, n: NodeId) -> Vec2 {
        self.units.anchor(n)
    }

    fn node_level(&self, n: NodeId) -> u8 {
        self.units.level(n)
    }

    fn set_node_level(&mut self, n: NodeId, level: u8) {
        self.units.set_level(n, level);
    }

    fn node_count(&self) -> usize {
        self.units.len()
    }

    fn edge_count(&self) -> usize {
        self.syn.len()
    }

    fn nearest(&self, pos: Vec2) -> Option<(NodeId, Real)> {
        if self.units.is_empty() {
            return None;
        }
        self.with_query(pos, |q, cands| {
            let here = self.code.decode(q);
            // Widen the prefilter until some unit is found; the winner is the most active unit.
            for r in [0.5, 2.0] {
                self.units.candidates(here, r, cands);
                if let Some((u, _)) = self.units.winner(q, cands.iter().copied()) {
                    return Some((u, self.units.anchor(u).dist(here)));
                }
            }
            let (u, _) = self.units.winner(q, 0..self.units.len())?;
            Some((u, self.units.anchor(u).dist(here)))
        })
    }

    fn within(&self, pos: Vec2, radius: Real, max: usize) -> Vec<NodeId> {
        self.with_query(pos, |q, cands| {
            let here = self.code.decode(q);
            self.units.candidates(here, radius, cands);
            let mut found: Vec<(Real, NodeId)> = cands
                .iter()
                .filter(|&&u| self.units.anchor(u).dist(here) <= radius)
                .map(|&u| (self.units.activity(u, q), u))
                .collect();
            // Most active first (nearest first, as the kernel decays with distance).
            found.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
            found.into_iter().take(max).map(|x| x.1).collect()
        })
    }

    fn connect(&mut self, u: NodeId, v: NodeId, w: Real) {
        self.syn.connect(u, v, w);
    }

    fn weight(&self, u: NodeId, v: NodeId) -> Option<Real> {
        self.syn.find(u, v).map(|e| self.syn.get(e).w)
    }

    fn potentiate(&mut self, u: NodeId, v: NodeId, eta: Real) {
        if let Some(e) = self.syn.find(u, v) {
            let n = self.contacts.codes.len();
            let s = self.syn.get_mut(e);
            // Winner-take-all: the departing and the arriving units are the winners, activity 1.
            s.w = graph::potentiate(s.w, eta, 1.0, 1.0);
            // A behaviour that just worked is not blocked, whatever old contacts suggested.
            s.blocked.set(false);
            s.checked.set(n);
        }
    }

    fn depress(&mut self, u: NodeId, v: NodeId, beta: Real) {
        if let Some(e) = self.syn.find(u, v) {
            let s = self.syn.get_mut(e);
            s.w = graph::depress(s.w, beta, 1.0);
        }
    }

    fn record_contact(&mut self, pos: Vec2, _normal: Vec2) {
        let c = self.code.encode(pos);
        let p = self.code.decode(&c);
        self.contacts.prefilter.insert(p, self.contacts.codes.len());
        self.contacts.pos.push(p);
        self.contacts.codes.push(c);
    }

    fn contact_near(&self, pos: Vec2, radius: Real) -> bool {
        if self.contacts.codes.is_empty() {
            return false;
        }
        let theta = self.threshold(radius);
        self.with_query(pos, |q, cands| {
            let here = self.code.decode(q);
            cands.clear();
            let r = Vec2::new(radius, radius);
            self.contacts
                .prefilter
                .for_each_in(here - r, here + r, |i| cands.push(i));
            cands
                .iter()
                .any(|&i| self.contacts.codes[i].similarity(q) >= theta)
        })
    }

    fn contact_count(&self) -> usize {
        self.contacts.codes.len()
    }

    fn predicted_blocked(&self, u: NodeId, v: NodeId, costs: &PlanCosts) -> bool {
        self.syn
            .find(u, v)
            .is_some_and(|e| self.syn_blocked(e, costs))
    }

    fn plan(&self, from: NodeId, goal: NodeId, costs: &PlanCosts) -> Option<(Real, Vec<NodeId>)> {
        let mut s = self.scratch.borrow_mut();
        graph::plan(
            &self.syn,
            self.units.len(),
            from,
            goal,
            |u| self.units.anchor(u),
            |e| self.syn_cost(e, costs),
            &mut s.plan,
        )
    }

    fn snapshot(&self) -> GraphSnapshot {
        GraphSnapshot {
            nodes: (0..self.units.len())
                .map(|u| self.units.anchor(u))
                .collect(),
            edges: self.syn.iter().map(|s| (s.pre, s.post, s.w)).collect(),
            failures: Vec::new(),
        }
    }
}
