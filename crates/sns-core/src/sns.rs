//! The SNS agent: an ordered, exhaustive search over behaviours driven by a self-modifying
//! cognitive graph (see the crate documentation for the method and its completeness argument).
//!
//! One control step:
//! 1. Sense. Remember wall contacts (for the generalisation of failures).
//! 2. Execute the current behaviour, the edge `u -> v` (drive along the segment toward `v`'s anchor),
//!    and watch it: arrival, or failure (contact that blocks progress, no progress for a stall
//!    window, or a timeout proportional to the edge's length).
//! 3. Mutate. On arrival, potentiate the edge. On failure, depress it, anchor a node where progress
//!    stopped, add probe nodes around the obstacle, and refine locally after repeated failures.
//! 4. Re-plan the cheapest path to the goal from where the agent is, at once. Never reset.

use crate::agent::{Agent, GraphSnapshot};
use crate::control::Controller;
use crate::params::SnsParams;
use crate::substrate::{NodeId, PlanCosts, Substrate};
use serde::Serialize;
use sns_worlds::{Observation, Real, Vec2};
use std::collections::HashMap;

/// Counters describing the search so far (all trials).
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize)]
pub struct SnsStats {
    /// Plans computed.
    pub plans: u64,
    /// Behaviours that succeeded (edges traversed).
    pub successes: u64,
    /// Behaviours that failed.
    pub failures: u64,
    /// Local refinements (levels raised).
    pub refinements: u64,
    /// Wall contacts remembered.
    pub contacts: u64,
}

#[derive(Debug, Clone)]
struct Exec {
    from: NodeId,
    to: NodeId,
    origin: Vec2,
    steps: u64,
    best: Real,
    last_improve: u64,
    blocked: u64,
    timeout: u64,
}

/// The Systematic Neural Search agent over a substrate `S`.
#[derive(Debug, Clone)]
pub struct Sns<S: Substrate> {
    params: SnsParams,
    costs: PlanCosts,
    sub: S,
    ctrl: Controller,
    goal: Option<(NodeId, Vec2)>,
    at: Option<NodeId>,
    plan: Vec<NodeId>,
    exec: Option<Exec>,
    fails_at: HashMap<NodeId, u32>,
    failures: Vec<Vec2>,
    last_contact: Option<Vec2>,
    stats: SnsStats,
}

impl<S: Substrate> Sns<S> {
    /// An agent with validated `params` on substrate `sub`.
    pub fn new(params: SnsParams, sub: S) -> Self {
        Sns {
            costs: params.costs(),
            ctrl: Controller::new(params.control),
            params,
            sub,
            goal: None,
            at: None,
            plan: Vec::new(),
            exec: None,
            fails_at: HashMap::new(),
            failures: Vec::new(),
            last_contact: None,
            stats: SnsStats::default(),
        }
    }

    /// The substrate (the cognitive graph).
    pub fn substrate_ref(&self) -> &S {
        &self.sub
    }

    /// Counters of the search.
    pub fn stats(&self) -> SnsStats {
        self.stats
    }

    /// The parameters.
    pub fn params(&self) -> &SnsParams {
        &self.params
    }

    /// The nodes of the current plan, the current target first.
    pub fn current_plan(&self) -> &[NodeId] {
        &self.plan
    }

    /// Makes sure the goal node sits at the sensed goal (a moved goal gets a new node).
    fn sync_goal(&mut self, obs: &Observation) {
        let Some(g) = obs.goal else { return };
        if self.goal.is_some_and(|(_, p)| p.dist(g) < 1e-3) {
            return;
        }
        let id = self.sub.add_node(g, 0);
        for n in 0..self.sub.node_count() {
            if n != id {
                self.sub.connect(n, id, self.params.w_untried);
            }
        }
        self.goal = Some((id, g));
        self.exec = None;
    }

    /// The node equivalent to `pos` at `level`, created (and connected) when there is none.
    fn place(&mut self, pos: Vec2, level: u8) -> NodeId {
        if let Some((n, d)) = self.sub.nearest(pos) {
            if d < self.params.eps(level) || self.sub.node_count() >= self.params.max_nodes {
                return n;
            }
        }
        let id = self.sub.add_node(pos, level);
        let w0 = self.params.w_untried;
        for m in self
            .sub
            .within(pos, self.params.connect_radius, self.params.max_degree + 1)
        {
            if m != id {
                self.sub.connect(id, m, w0);
                self.sub.connect(m, id, w0);
            }
        }
        if let Some((g, _)) = self.goal {
            self.sub.connect(id, g, w0);
        }
        id
    }

    fn remember_contact(&mut self, obs: &Observation) {
        let q = obs.position - obs.contact_normal * self.params.body_radius;
        if self.last_contact.is_some_and(|l| l.dist(q) < 0.04) || self.sub.contact_near(q, 0.04) {
            return;
        }
        self.last_contact = Some(q);
        self.sub.record_contact(q, obs.contact_normal);
        self.stats.contacts += 1;
    }

    /// Chooses the next behaviour: the first edge of the cheapest path from where the agent is.
    fn start_next(&mut self, obs: &Observation) {
        let Some((goal, _)) = self.goal else { return };
        let p = obs.position;
        let from = match self.at {
            Some(n) if self.sub.node_pos(n).dist(p) < 0.5 => n,
            _ => self.place(p, 0),
        };
        self.at = Some(from);
        self.stats.plans += 1;
        self.plan = match self.sub.plan(from, goal, &self.costs) {
            Some((_, path)) if path.len() > 1 => path[1..].to_vec(),
            _ => vec![goal],
        };
        let to = self.plan[0];
        let len = p.dist(self.sub.node_pos(to));
        self.exec = Some(Exec {
            from,
            to,
            origin: p,
            steps: 0,
            best: len,
            last_improve: 0,
            blocked: 0,
            timeout: (len / 0.5 / self.params.control.dt) as u64 + 300,
        });
    }

    fn arrive(&mut self, ex: Exec) {
        self.sub.potentiate(ex.from, ex.to, self.params.eta);
        self.stats.successes += 1;
        self.at = Some(ex.to);
    }

    fn fail(&mut self, ex: Exec, obs: &Observation) {
        let p = obs.position;
        self.sub.depress(ex.from, ex.to, self.params.beta);
        self.stats.failures += 1;
        self.failures.push(p);
        let level = self.sub.node_level(ex.from).max(self.sub.node_level(ex.to));
        let n = if obs.contact {
            obs.contact_normal
        } else {
            Vec2::ZERO
        };
        let c = self.place(p + n * self.params.contact_backoff, level);
        // The part of the behaviour that was executed is a proven behaviour in both directions.
        if c != ex.from && ex.origin.dist(p) > self.params.eps(level) {
            let w = self.params.w_untried + self.params.eta * (1.0 - self.params.w_untried);
            self.sub.connect(ex.from, c, w);
            self.sub.connect(c, ex.from, w);
        }
        let cl = self.sub.node_level(c).max(level);
        let d = self.params.probe(cl);
        if obs.contact {
            // Open new directions around the obstacle: along the wall both ways, and back off.
            let t = n.perp();
            for k in [1.0, 2.0] {
                for s in [1.0, -1.0] {
                    self.place(self.sub.node_pos(c) + t * (s * k * d), cl);
                }
            }
            self.place(self.sub.node_pos(c) + n * d, cl);
        } else {
            let dir = (self.sub.node_pos(ex.to) - ex.origin).normalized().perp();
            for s in [1.0, -1.0] {
                self.place(self.sub.node_pos(c) + dir * (s * d), cl);
            }
        }
        // Repeated failures here: the coarse behaviours around this place are exhausted, refine.
        let count = self.fails_at.entry(c).or_insert(0);
        *count += 1;
        if *count >= self.params.refine_after && cl < self.params.max_level {
            *count = 0;
            let fine = cl + 1;
            self.sub.set_node_level(c, fine);
            self.stats.refinements += 1;
            let d = self.params.probe(fine);
            for k in 0..8 {
                let dir = Vec2::new(1.0, 0.0).rotated(k as Real * std::f64::consts::FRAC_PI_4);
                self.place(self.sub.node_pos(c) + dir * d, fine);
            }
        }
        self.at = Some(c);
    }

    /// Watches the current behaviour; returns `Some(true)` on arrival, `Some(false)` on failure.
    fn monitor(&mut self, obs: &Observation) -> Option<bool> {
        let goal = self.goal.map(|g| g.0);
        let target = self.sub.node_pos(self.exec.as_ref()?.to);
        let ex = self.exec.as_mut()?;
        let p = obs.position;
        let d = p.dist(target);
        ex.steps += 1;
        if d < ex.best - 0.02 {
            ex.best = d;
            ex.last_improve = ex.steps;
        }
        if Some(ex.to) != goal {
            let seg = target - ex.origin;
            let passed = seg.norm() > 1e-9
                && (p - ex.origin).dot(seg) >= seg.norm2()
                && d < 2.0 * self.params.arrive_radius;
            if d < self.params.arrive_radius || passed {
                return Some(true);
            }
        }
        let dir = (target - p).normalized();
        let progress = obs.velocity.dot(dir);
        if obs.contact {
            let steep = obs.contact_normal.dot(dir) < -self.params.steep_contact_cos;
            if progress < 0.2 && (steep || obs.velocity.norm() < 0.5) {
                ex.blocked += 1;
            } else {
                ex.blocked = 0;
            }
        } else {
            ex.blocked = 0;
        }
        let failed = ex.blocked >= self.params.blocked_steps
            || ex.steps - ex.last_improve > self.params.stall_steps
            || ex.steps > ex.timeout;
        failed.then_some(false)
    }

    fn drive(&mut self, obs: &Observation) -> Vec2 {
        let Some(ex) = self.exec.as_ref() else {
            return self.ctrl.track_velocity(obs, Vec2::ZERO);
        };
        let target = self.sub.node_pos(ex.to);
        let exit = if Some(ex.to) == self.goal.map(|g| g.0) {
            self.params.control.cruise_speed
        } else if let Some(&next) = self.plan.get(1) {
            let a = (target - ex.origin).normalized();
            let b = (self.sub.node_pos(next) - target).normalized();
            self.ctrl.turn_speed(a.cross(b).atan2(a.dot(b)))
        } else {
            0.0
        };
        let origin = ex.origin;
        self.ctrl.follow(obs, origin, target, exit)
    }
}

impl<S: Substrate> Agent for Sns<S> {
    fn name(&self) -> &str {
        "sns"
    }

    fn substrate(&self) -> &str {
        self.sub.name()
    }

    fn begin_trial(&mut self, obs: &Observation) {
        self.sync_goal(obs);
        self.exec = None;
        self.plan.clear();
        self.last_contact = None;
        self.at = self
            .sub
            .nearest(obs.position)
            .filter(|&(_, d)| d < self.params.eps0)
            .map(|x| x.0);
    }

    fn act(&mut self, obs: &Observation) -> Vec2 {
        self.ctrl.observe(obs);
        if obs.contact {
            self.remember_contact(obs);
        }
        self.sync_goal(obs);
        if obs.success {
            return self.ctrl.track_velocity(obs, Vec2::ZERO);
        }
        if self.exec.is_none() {
            self.start_next(obs);
        }
        // At most a few decisions per step: a chain of instant arrivals cannot stall the agent.
        for _ in 0..4 {
            match self.monitor(obs) {
                Some(arrived) => {
                    if let Some(ex) = self.exec.take() {
                        if arrived {
                            self.arrive(ex);
                        } else {
                            self.fail(ex, obs);
                        }
                    }
                    self.start_next(obs);
                }
                None => break,
            }
        }
        self.drive(obs)
    }

    fn end_trial(&mut self, _success: bool) {
        self.exec = None;
        self.plan.clear();
        self.at = None;
    }

    fn snapshot(&self) -> Option<GraphSnapshot> {
        let mut s = self.sub.snapshot();
        s.failures = self.failures.clone();
        Some(s)
    }
}
