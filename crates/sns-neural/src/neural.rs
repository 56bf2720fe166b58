//! The neural substrate: [`sns_core::Substrate`] over place units, Hebbian synapses, a contact
//! memory of codes, and planning by spreading activity, maintained incrementally: the activity
//! spread from the goal is repaired where synapses changed ([`sns_core::plan`], D* Lite, whose
//! `g` is the log activity of [`crate::graph`]) instead of spread anew at every decision.
//!
//! The failure model and the cost model are the algorithm's ([`sns_core::failure`]); this
//! substrate answers their one question in its own terms ([`PatchTest`]): whether a behaviour
//! passes within the clearance of a remembered wall patch is decided by the similarity of the
//! codes of the two closest points, so that the code decides how failures generalise.

use crate::code::{Code, CodeParams, HarmonicCode};
use crate::graph::{self, PlanScratch, Synapses};
use crate::place::PlaceUnits;
use crate::NeuralError;
use sns_core::failure::{Contacts, EdgeFailure, Patch, PatchTest};
use sns_core::familiar::FamiliarSpace;
use sns_core::plan::{PlanGraph, Replanner};
use sns_core::{GraphSnapshot, Hebbian, NodeId, PlanCosts, Substrate};
use sns_worlds::{Real, Vec2};
use std::cell::RefCell;

/// Parameters of the neural substrate.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct NeuralParams {
    /// Layout of the harmonic code (`dims` is the `--dims` flag).
    pub code: CodeParams,
}

/// Scratch buffers (not state): query code and candidate lists.
#[derive(Debug, Clone, Default)]
struct Scratch {
    q: Option<Code>,
    cands: Vec<usize>,
    plan: PlanScratch,
}

/// The synapses as the incremental planner reads them, with the costs of one plan.
struct View<'a> {
    n: &'a Neural,
    costs: &'a PlanCosts,
    familiar: &'a FamiliarSpace,
}

impl PlanGraph for View<'_> {
    fn node_count(&self) -> usize {
        self.n.units.len()
    }
    fn pos(&self, u: NodeId) -> Vec2 {
        self.n.units.anchor(u)
    }
    fn for_each_out(&self, u: NodeId, f: &mut dyn FnMut(NodeId, Real)) {
        for &e in self.n.syn.out(u) {
            let e = e as usize;
            f(
                self.n.syn.get(e).post,
                self.n.syn_cost(e, self.costs, self.familiar),
            );
        }
    }
    fn nodes_near(&self, p: Vec2, radius: Real, out: &mut Vec<NodeId>) {
        let mut c = Vec::new();
        self.n.units.candidates(p, radius, &mut c);
        out.extend(c);
    }
    fn contact_count(&self) -> usize {
        self.n.contacts.len()
    }
    fn contact_point(&self, i: usize) -> Vec2 {
        self.n.contacts.point(i)
    }
    fn exit_blocked(&self, u: NodeId, goal: Vec2, from: usize) -> bool {
        self.n
            .failure(self.costs)
            .exit_blocked(self.n.units.anchor(u), goal, from)
    }
    fn contact_reach(&self) -> Real {
        self.n.failure(self.costs).contact_reach()
    }
}

/// The neural cognitive graph.
#[derive(Debug)]
pub struct Neural {
    code: HarmonicCode,
    units: PlaceUnits,
    syn: Synapses,
    /// The contact memory (decoded wall points and normals, with the failure model's
    /// prefilter), and each remembered contact as its code `h(c)`.
    contacts: Contacts,
    contact_codes: Vec<Code>,
    /// Cached activity thresholds `(radius, K(radius))` of the radial kernel profile.
    thresholds: RefCell<Vec<(Real, Real)>>,
    scratch: RefCell<Scratch>,
    /// The incremental planner and what it must re-examine.
    planner: Replanner,
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
            contact_codes: Vec::new(),
            thresholds: RefCell::new(Vec::new()),
            scratch: RefCell::new(Scratch::default()),
            planner: Replanner::new(),
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

    /// Plans by spreading activity anew from the goal until it reaches `from` (the wave front of
    /// [`graph::plan`], not incremental): the reference the incremental planner is tested
    /// against.
    pub fn plan_wave(
        &self,
        from: NodeId,
        goal: NodeId,
        costs: &PlanCosts,
        familiar: &FamiliarSpace,
    ) -> Option<(Real, Vec<NodeId>)> {
        let mut s = self.scratch.borrow_mut();
        graph::plan(
            &self.syn,
            self.units.len(),
            from,
            goal,
            |u| self.units.anchor(u),
            |e| self.syn_cost(e, costs, familiar),
            &mut s.plan,
        )
    }

    /// Runs `f` with the code of `x` in a reused buffer.
    fn with_query<T>(&self, x: Vec2, f: impl FnOnce(&Code, &mut Vec<usize>) -> T) -> T {
        let mut s = self.scratch.borrow_mut();
        let s = &mut *s;
        let q = s.q.get_or_insert_with(|| Code::zeros(self.code.dims()));
        self.code.encode_into(x, q);
        f(q, &mut s.cands)
    }

    fn syn_cost(&self, e: usize, costs: &PlanCosts, familiar: &FamiliarSpace) -> Real {
        let s = self.syn.get(e);
        let ends = (self.units.anchor(s.pre), self.units.anchor(s.post));
        self.failure(costs)
            .edge_cost(s.w, &s.familiar, &s.failure, ends, familiar)
    }
}

impl PatchTest for Neural {
    /// The similarity test below compares only pairs within twice the clearance.
    fn patch_reach(&self, clearance: Real) -> Real {
        2.0 * clearance
    }

    /// A contact stands for a wall patch along the wall (perpendicular to its normal). The
    /// behaviour passes within the clearance of it when the code of a point of the segment is as
    /// similar to the code of a point of the patch as two points at the clearance distance would
    /// be. Both codes are sampled at the closest approach (the samples of highest similarity);
    /// the decision is the similarity test.
    fn passes_patch(&self, a: Vec2, b: Vec2, patch: &Patch, clearance: Real) -> bool {
        let (x, y) = closest_points(a, b, patch.centre - patch.t, patch.centre + patch.t);
        // Coarse prefilter: only pairs within twice the clearance are compared.
        if x.dist(y) > 2.0 * clearance {
            return false;
        }
        // Similarity of the two sampled codes: by shift invariance K(h(x), h(y)) is the kernel
        // of their displacement.
        self.code.kernel_of_displacement(x - y) >= self.threshold(clearance)
    }
}

/// The closest pair of points between segments `a-b` and `c-d` (2-D: the intersection when
/// they cross, else an endpoint of one against the other segment).
fn closest_points(a: Vec2, b: Vec2, c: Vec2, d: Vec2) -> (Vec2, Vec2) {
    let (r, s) = (b - a, d - c);
    let den = r.cross(s);
    if den.abs() > 1e-15 {
        let t = (c - a).cross(s) / den;
        let u = (c - a).cross(r) / den;
        if (0.0..=1.0).contains(&t) && (0.0..=1.0).contains(&u) {
            let p = a + r * t;
            return (p, p);
        }
    }
    let proj = |p: Vec2, q0: Vec2, q1: Vec2| -> Vec2 {
        let e = q1 - q0;
        let l2 = e.norm2();
        if l2 < 1e-18 {
            return q0;
        }
        q0 + e * ((p - q0).dot(e) / l2).clamp(0.0, 1.0)
    };
    [
        (a, proj(a, c, d)),
        (b, proj(b, c, d)),
        (proj(c, a, b), c),
        (proj(d, a, b), d),
    ]
    .into_iter()
    .min_by(|p, q| p.0.dist(p.1).total_cmp(&q.0.dist(q.1)))
    .unwrap_or((a, c))
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

    fn nearest_within(&self, pos: Vec2, radius: Option<Real>) -> Option<(NodeId, Real)> {
        if self.units.is_empty() {
            return None;
        }
        self.with_query(pos, |q, cands| {
            let here = self.code.decode(q);
            // The winner is the most active unit among the prefilter's candidates.
            let (u, _) = match radius {
                Some(r) => {
                    self.units.candidates(here, r, cands);
                    self.units.winner(q, cands.iter().copied())
                }
                None => self.units.winner(q, 0..self.units.len()),
            }?;
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

    fn connect(&mut self, u: NodeId, v: NodeId, w: Option<Real>) {
        let before = self.syn.len();
        self.syn.connect(u, v, w);
        if self.syn.len() > before {
            self.planner.edge_added(u, v);
        }
    }

    fn weight(&self, u: NodeId, v: NodeId, costs: &PlanCosts) -> Option<Real> {
        self.syn
            .find(u, v)
            .map(|e| self.syn.get(e).w.unwrap_or(costs.w_untried))
    }

    fn potentiate(&mut self, u: NodeId, v: NodeId, rule: &Hebbian, costs: &PlanCosts) {
        if let Some(e) = self.syn.find(u, v) {
            let s = self.syn.get_mut(e);
            // Winner-take-all: the departing and the arriving units are the winners, activity 1.
            let w = s.w.unwrap_or(costs.w_untried);
            s.w = Some(graph::potentiate(w, rule.eta, 1.0, 1.0));
            s.failure.set_proven(true);
            self.planner.edge_changed(u);
        }
    }

    fn depress(&mut self, u: NodeId, v: NodeId, rule: &Hebbian, costs: &PlanCosts) {
        if let Some(e) = self.syn.find(u, v) {
            let s = self.syn.get_mut(e);
            s.w = Some(graph::depress(
                s.w.unwrap_or(costs.w_untried),
                rule.beta,
                1.0,
            ));
            s.failure.set_proven(false);
            self.planner.edge_changed(u);
        }
    }

    fn transfer(&mut self, u: NodeId, v: NodeId, w: Real) {
        self.connect(u, v, None);
        if let Some(e) = self.syn.find(u, v) {
            let s = self.syn.get_mut(e);
            if s.w.is_none() {
                s.w = Some(w);
                s.failure.set_proven(true);
                self.planner.edge_changed(u);
            }
        }
    }

    fn record_contact(&mut self, pos: Vec2, normal: Vec2) {
        let c = self.code.encode(pos);
        self.contacts.push(self.code.decode(&c), normal);
        self.contact_codes.push(c);
    }

    fn contact_near(&self, pos: Vec2, radius: Real) -> bool {
        if self.contact_codes.is_empty() {
            return false;
        }
        let theta = self.threshold(radius);
        self.with_query(pos, |q, cands| {
            let here = self.code.decode(q);
            cands.clear();
            let r = Vec2::new(radius, radius);
            self.contacts
                .for_each_in(here - r, here + r, |i| cands.push(i));
            cands
                .iter()
                .any(|&i| self.contact_codes[i].similarity(q) >= theta)
        })
    }

    fn contacts(&self) -> &Contacts {
        &self.contacts
    }

    fn edge_failure(&self, u: NodeId, v: NodeId) -> Option<&EdgeFailure> {
        self.syn.find(u, v).map(|e| &self.syn.get(e).failure)
    }

    fn set_frontier(&mut self, u: NodeId, frontier: bool) {
        self.planner.set_exit(u, frontier);
    }

    fn plan(
        &mut self,
        from: NodeId,
        goal: NodeId,
        costs: &PlanCosts,
        familiar: &FamiliarSpace,
        ahead: Real,
    ) -> Option<(Real, Vec<NodeId>)> {
        let mut planner = std::mem::take(&mut self.planner);
        let view = View {
            n: self,
            costs,
            familiar,
        };
        let r = planner.plan(&view, from, goal, costs, familiar, ahead);
        self.planner = planner;
        r
    }

    fn plan_expansions(&self) -> u64 {
        self.planner.planner().expansions()
    }

    fn snapshot(&self) -> GraphSnapshot {
        GraphSnapshot {
            nodes: (0..self.units.len())
                .map(|u| self.units.anchor(u))
                .collect(),
            edges: self
                .syn
                .iter()
                .map(|s| (s.pre, s.post, s.w.unwrap_or(0.0)))
                .collect(),
            failures: Vec::new(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::{Rng, SeedableRng};
    use rand_chacha::ChaCha8Rng;
    use sns_core::Symbolic;

    fn costs(generalise: bool) -> PlanCosts {
        let mut c = sns_core::MazeParams::default().costs();
        c.generalise = generalise;
        c.w_untried = 0.8;
        c
    }

    /// The same random graph in both substrates: nodes, edges, weights (and contacts).
    fn twin_graphs(seed: u64, n: usize, contacts: usize) -> (Neural, Symbolic) {
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        let mut neu = Neural::with_dims(DIMS).unwrap();
        let mut sym = Symbolic::new();
        for _ in 0..n {
            let p = Vec2::new(rng.gen_range(-5.0..5.0), rng.gen_range(-5.0..5.0));
            let level = rng.gen_range(0..3);
            assert_eq!(neu.add_node(p, level), sym.add_node(p, level));
        }
        for _ in 0..n * 4 {
            let (u, v) = (rng.gen_range(0..n), rng.gen_range(0..n));
            let w = rng.gen_range(0.05..1.0);
            let w = (w <= 0.9).then_some(w);
            neu.connect(u, v, w);
            sym.connect(u, v, w);
        }
        for _ in 0..contacts {
            let p = Vec2::new(rng.gen_range(-5.0..5.0), rng.gen_range(-5.0..5.0));
            let n = Vec2::new(1.0, 0.0).rotated(rng.gen_range(0.0..std::f64::consts::TAU));
            neu.record_contact(p, n);
            sym.record_contact(p, n);
        }
        (neu, sym)
    }

    const DIMS: usize = crate::DEFAULT_DIMS;

    #[test]
    fn planning_by_activity_picks_the_symbolic_a_star_path() {
        let c = costs(false);
        let mut compared = 0;
        for seed in 0..40 {
            let (mut neu, mut sym) = twin_graphs(seed, 60, 0);
            for k in 0..10 {
                let (from, goal) = ((seed as usize * 7 + k) % 60, (k * 13 + 5) % 60);
                let none = FamiliarSpace::default();
                let wave = neu.plan_wave(from, goal, &c, &none);
                let a = neu.plan(from, goal, &c, &none, Real::INFINITY);
                let b = sym.plan(from, goal, &c, &none, Real::INFINITY);
                assert_eq!(
                    wave.as_ref().map(|w| w.1.clone()),
                    a.as_ref().map(|w| w.1.clone()),
                    "the incremental activity agrees with a new wave"
                );
                match (a, b) {
                    (Some((ca, pa)), Some((cb, pb))) => {
                        assert!((ca - cb).abs() < 1e-9, "cost {ca} vs {cb}");
                        assert_eq!(pa, pb, "seed {seed} from {from} goal {goal}");
                        compared += 1;
                    }
                    (None, None) => {}
                    (a, b) => panic!("seed {seed}: {a:?} vs {b:?}"),
                }
            }
        }
        assert!(compared > 200, "only {compared} reachable pairs");
    }

    #[test]
    fn wave_front_and_synchronous_dynamics_agree() {
        let c = costs(true);
        for seed in 0..10 {
            let (neu, _) = twin_graphs(seed, 50, 30);
            let n = neu.node_count();
            let none = FamiliarSpace::default();
            let d = graph::relax_sync(&neu.syn, n, 0, |e| neu.syn_cost(e, &c, &none));
            for (from, &df) in d.iter().enumerate().skip(1) {
                match neu.plan_wave(from, 0, &c, &none) {
                    Some((cost, _)) => assert!((cost - df).abs() < 1e-9),
                    None => assert!(df.is_infinite()),
                }
            }
        }
    }

    #[test]
    fn generalisation_agrees_with_the_geometric_test_away_from_the_threshold() {
        let c = costs(true);
        let clearance = c.clearance;
        let (mut agree, mut total) = (0, 0);
        for seed in 0..20 {
            let (neu, sym) = twin_graphs(seed, 40, 200);
            for s in neu.syn.iter() {
                let (a, b) = (neu.node_pos(s.pre), neu.node_pos(s.post));
                let d = (0..neu.contacts.len())
                    .map(|i| {
                        let t = neu.contacts.normal(i).perp() * c.contact_patch;
                        let q = neu.contacts.point(i);
                        let (x, y) = closest_points(a, b, q - t, q + t);
                        x.dist(y)
                    })
                    .fold(Real::INFINITY, Real::min);
                // Near the threshold the kernel's anisotropy may decide either way.
                if (d - clearance).abs() < 0.2 * clearance {
                    continue;
                }
                total += 1;
                agree += (neu.predicted_blocked(s.pre, s.post, &c)
                    == sym.predicted_blocked(s.pre, s.post, &c)) as usize;
            }
        }
        assert!(total > 1000);
        assert_eq!(agree, total);
    }

    /// 400 random units in a 10 x 10 m square centred on `centre`, 500 queries: the winner is
    /// the nearest unit (or one at a similar distance) and `within` finds exactly the units in
    /// range.
    fn check_place_unit_readout(neu: &mut Neural, centre: Vec2) {
        let mut rng = ChaCha8Rng::seed_from_u64(5);
        let mut square = || centre + Vec2::new(rng.gen_range(-5.0..5.0), rng.gen_range(-5.0..5.0));
        let pts: Vec<Vec2> = (0..400).map(|_| square()).collect();
        for &p in &pts {
            neu.add_node(p, 0);
        }
        let queries: Vec<Vec2> = (0..500).map(|_| square()).collect();
        let mut exact = 0;
        let mut worst: Real = 0.0;
        for q in queries {
            let (best, dbest) = pts
                .iter()
                .enumerate()
                .map(|(i, p)| (i, p.dist(q)))
                .min_by(|a, b| a.1.total_cmp(&b.1))
                .unwrap();
            let (n, d) = neu.nearest(q).unwrap();
            // The winner is the nearest unit, or one at a similar distance (the kernel is not
            // perfectly isotropic); a unit within 0.2 m always wins (the kernel is steep there).
            worst = worst.max(d - dbest);
            if dbest < 0.2 {
                assert_eq!(n, best, "winner at {d}, nearest at {dbest}");
            }
            assert!((pts[n].dist(q) - d).abs() < 1e-8);
            exact += (n == best) as usize;
            let inside: Vec<usize> = neu.within(q, 1.5, usize::MAX);
            let truth = pts.iter().filter(|p| p.dist(q) <= 1.5).count();
            assert_eq!(inside.len(), truth);
        }
        println!("winner = nearest {exact}/500, worst excess distance {worst:.3} m");
        assert!(
            exact >= 425,
            "winner was the nearest unit {exact}/500 times"
        );
        assert!(worst < 0.25, "worst excess distance {worst}");
    }

    #[test]
    fn place_unit_readout_matches_distances() {
        let mut neu = Neural::with_dims(DIMS).unwrap();
        check_place_unit_readout(&mut neu, Vec2::ZERO);
    }

    /// The layout derived for a 201 x 201-cell maze (240 dims) reads place units out as well
    /// near its far corner, 135 m from the origin, as the default code does near the origin.
    #[test]
    fn place_unit_readout_at_the_far_corner_of_a_201_cell_maze() {
        let reach = (201.0 as Real).hypot(201.0) / 2.0;
        let code = CodeParams::for_reach(reach, None).unwrap();
        assert_eq!(code.dims, 240);
        let mut neu = Neural::new(NeuralParams { code }).unwrap();
        check_place_unit_readout(&mut neu, Vec2::new(95.0, -95.0));
    }

    #[test]
    fn hebbian_rules_match_the_symbolic_ones() {
        let mut neu = Neural::with_dims(DIMS).unwrap();
        let a = neu.add_node(Vec2::new(0.0, 0.0), 0);
        let b = neu.add_node(Vec2::new(1.0, 0.0), 0);
        let c = costs(true);
        neu.connect(a, b, None);
        assert_eq!(neu.weight(a, b, &c), Some(0.8));
        let rule = Hebbian {
            eta: 0.5,
            beta: 0.3,
            w_min: 0.0,
        };
        neu.potentiate(a, b, &rule, &c);
        assert!((neu.weight(a, b, &c).unwrap() - 0.9).abs() < 1e-12);
        neu.depress(a, b, &rule, &c);
        assert!((neu.weight(a, b, &c).unwrap() - 0.27).abs() < 1e-12);
        assert_eq!(neu.weight(b, a, &c), None);
        assert!((graph::potentiate(0.5, 0.5, 0.5, 0.5) - 0.5625).abs() < 1e-12);
        assert!((graph::depress(0.5, 0.3, 0.5) - 0.325).abs() < 1e-12);
    }

    /// `transfer` does what the symbolic substrate's does: an untried behaviour (new or not) takes
    /// the effectiveness and the proof it is given; a tried one keeps what it learned.
    #[test]
    fn transfer_matches_the_symbolic_one() {
        let c = costs(true);
        let rule = Hebbian {
            eta: 0.5,
            beta: 0.3,
            w_min: 0.0,
        };
        let mut neu = Neural::with_dims(DIMS).unwrap();
        let mut sym = Symbolic::new();
        fn case<S: Substrate>(
            s: &mut S,
            c: &PlanCosts,
            rule: &Hebbian,
        ) -> Vec<(Option<Real>, bool)> {
            let ids: Vec<NodeId> = (0..4)
                .map(|k| s.add_node(Vec2::new(k as Real, 0.0), 0))
                .collect();
            s.connect(ids[0], ids[2], None);
            s.connect(ids[0], ids[3], None);
            s.depress(ids[0], ids[3], rule, c);
            s.transfer(ids[0], ids[1], 0.9); // new edge
            s.transfer(ids[0], ids[2], 0.7); // untried edge
            s.transfer(ids[0], ids[3], 0.95); // tried (depressed): kept
            s.transfer(ids[0], ids[1], 0.2); // transferred already: kept
            (1..4)
                .map(|k| {
                    let proven = s.edge_failure(ids[0], ids[k]).is_some_and(|e| e.proven());
                    (s.weight(ids[0], ids[k], c), proven)
                })
                .collect()
        }
        let got = case(&mut neu, &c, &rule);
        // The same up to the last bits of the neural depression's form (`w (1 - m (1 - beta))`).
        for (x, y) in got.iter().zip(case(&mut sym, &c, &rule)) {
            assert_eq!(x.1, y.1, "{got:?}");
            assert!((x.0.unwrap() - y.0.unwrap()).abs() < 1e-12, "{got:?}");
        }
        assert_eq!(got[0], (Some(0.9), true));
        assert_eq!(got[1], (Some(0.7), true));
        assert!(
            !got[2].1 && (got[2].0.unwrap() - 0.24).abs() < 1e-12,
            "{got:?}"
        );
    }

    /// The planner re-examines edges as far from a new contact as the neural test can see
    /// (twice the clearance), not only the symbolic test's reach (regression: the planner used
    /// `max(clearance, wall_depth) + patch` for both substrates, short of the neural reach when
    /// `wall_depth` is below twice the clearance), and with such a wall depth the incremental plans
    /// stay those of a new wave as contacts arrive.
    #[test]
    fn the_planner_looks_as_far_from_a_contact_as_the_neural_test_sees() {
        let mut c = costs(true);
        c.wall_depth = 0.01;
        let (neu, _) = twin_graphs(1, 10, 0);
        let view = View {
            n: &neu,
            costs: &c,
            familiar: &FamiliarSpace::default(),
        };
        let want = 2.0 * c.clearance + c.contact_patch;
        assert!((view.contact_reach() - want).abs() < 1e-12);
        let mut rng = ChaCha8Rng::seed_from_u64(77);
        let none = FamiliarSpace::default();
        let mut compared = 0;
        for seed in 0..6 {
            let (mut neu, _) = twin_graphs(seed, 80, 0);
            for k in 0..40 {
                let p = Vec2::new(rng.gen_range(-5.0..5.0), rng.gen_range(-5.0..5.0));
                let n = Vec2::new(1.0, 0.0).rotated(rng.gen_range(0.0..std::f64::consts::TAU));
                neu.record_contact(p, n);
                let (from, goal) = ((k * 7 + seed as usize) % 80, 3);
                let a = neu.plan(from, goal, &c, &none, Real::INFINITY);
                let wave = neu.plan_wave(from, goal, &c, &none);
                match (a, wave) {
                    (Some((ca, _)), Some((cw, _))) => {
                        assert!((ca - cw).abs() <= 1e-9 * cw.max(1.0), "{ca} vs {cw}");
                        compared += 1;
                    }
                    (a, w) => assert_eq!(a.is_none(), w.is_none()),
                }
            }
        }
        assert!(compared > 50, "{compared}");
    }
}
