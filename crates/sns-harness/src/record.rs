//! An optional, subsampled event log of a run, for animated replays.
//!
//! A [`Recorder`] is fed by [`crate::runner::run_recorded`] at every step. It keeps
//!
//! - the ball's position every [`RecordSpec::position_every`] steps (and at every trial's start
//!   and end),
//! - a *graph frame* every [`RecordSpec::graph_every`] steps (and at every trial's end): the agent's
//!   [`sns_core::GraphSnapshot`] taken then, stored as a diff against the previous frame (nodes
//!   that appeared or vanished, edges whose effectiveness changed by at least
//!   [`WEIGHT_QUANTUM`]), and the failure points seen for the first time.
//!
//! Failures are only seen when a snapshot is taken, so their time stamp is accurate to one graph
//! interval.
//!
//! **Subsampling.** Long runs would give huge logs, so both streams are capped: when the number of
//! graph frames exceeds [`RecordSpec::max_frames`] the graph interval doubles and the frames that no
//! longer fall on a multiple of it are merged into the next kept one (their changes are kept, only
//! the intermediate states are lost); positions do the same with [`RecordSpec::max_positions`].
//! A run of any length thus gives at most `max_frames` graph frames and `max_positions` positions
//! (plus two per trial), and the agent's snapshot is taken less often as the run grows.
//! Coordinates are rounded to the millimetre and weights to [`WEIGHT_QUANTUM`].

use serde::Serialize;
use sns_core::MazeAgent;
use sns_worlds::Vec2;
use std::collections::HashMap;

/// Effectiveness changes smaller than this are not recorded (weights are rounded to it).
pub const WEIGHT_QUANTUM: f64 = 0.01;

/// What to record and how much of it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RecordSpec {
    /// Steps between two position samples at first. Default 5.
    pub position_every: u64,
    /// Most position samples kept (the interval doubles past it). Default 10 000.
    pub max_positions: usize,
    /// Steps between two graph snapshots at first. Default 50.
    pub graph_every: u64,
    /// Most graph frames kept (the interval doubles past it). Default 2000.
    pub max_frames: usize,
}

impl Default for RecordSpec {
    fn default() -> Self {
        RecordSpec {
            position_every: 5,
            max_positions: 10_000,
            graph_every: 50,
            max_frames: 2000,
        }
    }
}

/// One trial's span on the run's global step axis.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TrialSpan {
    /// Trial number, from 1.
    pub trial: u32,
    /// Global step at the trial's start.
    pub t0: u64,
    /// Global step at the trial's end.
    pub t1: u64,
    /// Whether the trial reached the goal.
    pub success: bool,
    /// Ball position at the start.
    pub start: [f64; 2],
    /// Ball position at the end.
    pub end: [f64; 2],
}

/// A position sample `(global step, x, y)`.
pub type PositionSample = (u64, f64, f64);

/// The change of the agent's graph since the previous frame.
#[derive(Debug, Clone, PartialEq, Serialize, Default)]
pub struct GraphFrame {
    /// Global step of the snapshot.
    pub t: u64,
    /// Number of entries of [`Recording::nodes`] known at this time (the table only grows).
    pub nodes: u32,
    /// Nodes (ids into [`Recording::nodes`]) that vanished since the previous frame.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub removed: Vec<u32>,
    /// Edges whose effectiveness changed: `(id into Recording::edges, w)`; `w = 0` means removed.
    pub edges: Vec<(u32, f64)>,
}

/// A failure point and when it was first seen.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FailureEvent {
    /// Global step of the snapshot that first showed it.
    pub t: u64,
    /// Position.
    pub x: f64,
    /// Position.
    pub y: f64,
}

/// The log of a run (serialised into replay pages).
#[derive(Debug, Clone, PartialEq, Serialize, Default)]
pub struct Recording {
    /// Steps between position samples at the end of the run (after any doubling).
    pub position_every: u64,
    /// Steps between graph frames at the end of the run (after any doubling).
    pub graph_every: u64,
    /// Total steps of the run.
    pub total_steps: u64,
    /// Trials in order.
    pub trials: Vec<TrialSpan>,
    /// Position samples in time order.
    pub positions: Vec<PositionSample>,
    /// Every node ever seen, in order of appearance.
    pub nodes: Vec<[f64; 2]>,
    /// Every directed edge ever seen, `(from, to)` as ids into `nodes`.
    pub edges: Vec<(u32, u32)>,
    /// Graph frames in time order.
    pub frames: Vec<GraphFrame>,
    /// Failure points in order of appearance.
    pub failures: Vec<FailureEvent>,
}

/// Collects a [`Recording`] while a run goes on; see the module docs.
#[derive(Debug)]
pub struct Recorder {
    spec: RecordSpec,
    out: Recording,
    t: u64,
    pos_every: u64,
    graph_every: u64,
    // Lookup tables from content to ids (positions by their rounded bits), and the state of the
    // last frame, to compute diffs.
    node_ids: HashMap<(i64, i64), u32>,
    node_alive: Vec<bool>,
    edge_ids: HashMap<(u32, u32), u32>,
    edge_w: Vec<f64>,
    failure_seen: HashMap<(i64, i64), ()>,
    // Kept positions / frames that must survive decimation (trial boundaries).
    pos_keep: Vec<bool>,
    frame_keep: Vec<bool>,
}

fn mm(v: f64) -> f64 {
    (v * 1000.0).round() / 1000.0
}

fn key(p: Vec2) -> (i64, i64) {
    ((p.x * 1000.0).round() as i64, (p.y * 1000.0).round() as i64)
}

fn quantize(w: f64) -> f64 {
    let q = (w / WEIGHT_QUANTUM).round() * WEIGHT_QUANTUM;
    // Rounding to two decimals again keeps the JSON short (0.07 rather than 0.07000000000000001).
    (q * 100.0).round() / 100.0
}

impl Recorder {
    /// A recorder with these limits (intervals of 0 are taken as 1, caps below 2 as 2).
    pub fn new(spec: RecordSpec) -> Self {
        let spec = RecordSpec {
            position_every: spec.position_every.max(1),
            max_positions: spec.max_positions.max(2),
            graph_every: spec.graph_every.max(1),
            max_frames: spec.max_frames.max(2),
        };
        Recorder {
            spec,
            out: Recording::default(),
            t: 0,
            pos_every: spec.position_every,
            graph_every: spec.graph_every,
            node_ids: HashMap::new(),
            node_alive: Vec::new(),
            edge_ids: HashMap::new(),
            edge_w: Vec::new(),
            failure_seen: HashMap::new(),
            pos_keep: Vec::new(),
            frame_keep: Vec::new(),
        }
    }

    /// A trial starts with the ball at `pos`.
    pub fn begin_trial(&mut self, trial: u32, pos: Vec2) {
        let p = [mm(pos.x), mm(pos.y)];
        self.out.trials.push(TrialSpan {
            trial,
            t0: self.t,
            t1: self.t,
            success: false,
            start: p,
            end: p,
        });
        self.push_position(pos, true);
    }

    /// One step was taken; the ball is now at `pos`.
    pub fn step(&mut self, pos: Vec2, agent: &dyn MazeAgent) {
        self.t += 1;
        if self.t % self.pos_every == 0 {
            self.push_position(pos, false);
        }
        if self.t % self.graph_every == 0 {
            self.push_frame(agent, false);
        }
    }

    /// The current trial ended with the ball at `pos`.
    pub fn end_trial(&mut self, success: bool, pos: Vec2, agent: &dyn MazeAgent) {
        let t = self.t;
        if let Some(span) = self.out.trials.last_mut() {
            span.t1 = t;
            span.success = success;
            span.end = [mm(pos.x), mm(pos.y)];
        }
        if self.out.positions.last().map(|s| s.0) != Some(t) {
            self.push_position(pos, true);
        } else if let Some(k) = self.pos_keep.last_mut() {
            *k = true;
        }
        if self.out.frames.last().map(|f| f.t) == Some(t) {
            if let Some(k) = self.frame_keep.last_mut() {
                *k = true;
            }
        } else {
            self.push_frame(agent, true);
        }
    }

    /// The finished log.
    pub fn finish(mut self) -> Recording {
        self.out.total_steps = self.t;
        self.out.position_every = self.pos_every;
        self.out.graph_every = self.graph_every;
        self.out
    }

    /// Upper bound of the samples (or frames) flagged as kept: two per trial.
    fn trials_kept(&self) -> usize {
        2 * self.out.trials.len()
    }

    fn push_position(&mut self, pos: Vec2, keep: bool) {
        self.out.positions.push((self.t, mm(pos.x), mm(pos.y)));
        self.pos_keep.push(keep);
        // Trial boundaries are never dropped, so they do not count against the cap.
        if self.out.positions.len() > self.spec.max_positions + self.trials_kept() {
            self.pos_every *= 2;
            let every = self.pos_every;
            let samples = std::mem::take(&mut self.out.positions);
            let keep = std::mem::take(&mut self.pos_keep);
            let last = samples.len() - 1;
            for (i, (s, k)) in samples.into_iter().zip(keep).enumerate() {
                if k || i == last || s.0 % every == 0 {
                    self.out.positions.push(s);
                    self.pos_keep.push(k);
                }
            }
        }
    }

    fn push_frame(&mut self, agent: &dyn MazeAgent, keep: bool) {
        let Some(snap) = agent.snapshot() else {
            return;
        };
        let mut frame = GraphFrame {
            t: self.t,
            ..GraphFrame::default()
        };
        // Nodes: map snapshot indices to ids, appending unseen positions.
        let mut ids = Vec::with_capacity(snap.nodes.len());
        let mut alive = vec![false; self.node_alive.len()];
        for &p in &snap.nodes {
            let k = key(p);
            let id = match self.node_ids.get(&k) {
                Some(&id) => id,
                None => {
                    let id = self.out.nodes.len() as u32;
                    self.out.nodes.push([mm(p.x), mm(p.y)]);
                    self.node_ids.insert(k, id);
                    self.node_alive.push(false);
                    alive.push(false);
                    id
                }
            };
            alive[id as usize] = true;
            ids.push(id);
        }
        for (id, (&now, was)) in alive.iter().zip(self.node_alive.iter_mut()).enumerate() {
            if *was && !now {
                frame.removed.push(id as u32);
            }
            *was = now;
        }
        frame.nodes = self.out.nodes.len() as u32;
        // Edges: record those whose rounded weight changed, and those that vanished (w = 0).
        let mut seen = vec![false; self.edge_w.len()];
        for &(a, b, w) in &snap.edges {
            let (Some(&ga), Some(&gb)) = (ids.get(a), ids.get(b)) else {
                continue;
            };
            let eid = match self.edge_ids.get(&(ga, gb)) {
                Some(&e) => e,
                None => {
                    let e = self.out.edges.len() as u32;
                    self.out.edges.push((ga, gb));
                    self.edge_ids.insert((ga, gb), e);
                    self.edge_w.push(0.0);
                    seen.push(false);
                    e
                }
            };
            seen[eid as usize] = true;
            // A live edge never reads as removed, however weak.
            let q = if w.is_finite() {
                quantize(w).max(WEIGHT_QUANTUM)
            } else {
                WEIGHT_QUANTUM
            };
            if q != self.edge_w[eid as usize] {
                self.edge_w[eid as usize] = q;
                frame.edges.push((eid, q));
            }
        }
        for (eid, (&s, w)) in seen.iter().zip(self.edge_w.iter_mut()).enumerate() {
            if !s && *w != 0.0 {
                *w = 0.0;
                frame.edges.push((eid as u32, 0.0));
            }
        }
        for &p in &snap.failures {
            let k = key(p);
            if self.failure_seen.insert(k, ()).is_none() {
                self.out.failures.push(FailureEvent {
                    t: self.t,
                    x: mm(p.x),
                    y: mm(p.y),
                });
            }
        }
        self.out.frames.push(frame);
        self.frame_keep.push(keep);
        if self.out.frames.len() > self.spec.max_frames + self.trials_kept() {
            self.decimate_frames();
        }
    }

    /// Doubles the graph interval and merges the frames off it into the next kept one.
    fn decimate_frames(&mut self) {
        self.graph_every *= 2;
        let every = self.graph_every;
        let frames = std::mem::take(&mut self.out.frames);
        let keep = std::mem::take(&mut self.frame_keep);
        let last = frames.len().saturating_sub(1);
        let mut pending: Option<GraphFrame> = None;
        for (i, (f, k)) in frames.into_iter().zip(keep).enumerate() {
            let merged = match pending.take() {
                None => f,
                Some(mut p) => {
                    p.t = f.t;
                    p.nodes = f.nodes;
                    p.removed.extend(f.removed);
                    p.edges.extend(f.edges);
                    p
                }
            };
            if k || i == last || merged.t % every == 0 {
                self.out.frames.push(compact(merged));
                self.frame_keep.push(k);
            } else {
                pending = Some(merged);
            }
        }
    }
}

/// Keeps only the last change of each edge and drops duplicate removals.
fn compact(mut f: GraphFrame) -> GraphFrame {
    let mut last: HashMap<u32, usize> = HashMap::new();
    for (i, &(e, _)) in f.edges.iter().enumerate() {
        last.insert(e, i);
    }
    let mut i = 0;
    f.edges.retain(|&(e, _)| {
        let k = last.get(&e) == Some(&i);
        i += 1;
        k
    });
    f.removed.sort_unstable();
    f.removed.dedup();
    f
}

#[cfg(test)]
mod tests {
    use super::*;
    use sns_core::{Agent, GraphSnapshot};
    use sns_worlds::Observation;

    /// A fake agent whose graph gains a node every 100 steps, with one edge whose weight decays.
    struct Growing {
        steps: u64,
    }

    impl Agent<Observation, Vec2> for Growing {
        fn name(&self) -> &str {
            "growing"
        }
        fn begin_trial(&mut self, _: &Observation) {}
        fn act(&mut self, _: &Observation) -> Vec2 {
            self.steps += 1;
            Vec2::ZERO
        }
        fn end_trial(&mut self, _: bool) {}
    }

    impl MazeAgent for Growing {
        fn snapshot(&self) -> Option<GraphSnapshot> {
            let n = 1 + (self.steps / 100) as usize;
            let nodes = (0..n).map(|i| Vec2::new(i as f64, 0.0)).collect();
            let edges = (1..n).map(|i| (i - 1, i, 1.0 / i as f64)).collect();
            let failures = (0..n / 3).map(|i| Vec2::new(i as f64, 1.0)).collect();
            Some(GraphSnapshot {
                nodes,
                edges,
                failures,
            })
        }
    }

    fn record(spec: RecordSpec, trials: u32, steps: u64) -> Recording {
        let mut agent = Growing { steps: 0 };
        let mut rec = Recorder::new(spec);
        for k in 1..=trials {
            rec.begin_trial(k, Vec2::new(0.0, 0.0));
            for s in 0..steps {
                agent.steps += 1;
                rec.step(Vec2::new(s as f64 * 0.001, 0.0), &agent);
            }
            rec.end_trial(k % 2 == 0, Vec2::new(1.0, 1.0), &agent);
        }
        rec.finish()
    }

    /// Replays the frames and returns the final edge weights.
    fn replay(r: &Recording) -> Vec<f64> {
        let mut w = vec![0.0; r.edges.len()];
        for f in &r.frames {
            for &(e, v) in &f.edges {
                w[e as usize] = v;
            }
        }
        w
    }

    #[test]
    fn short_run_keeps_every_interval_and_trial_bounds() {
        let r = record(RecordSpec::default(), 2, 1000);
        assert_eq!(r.total_steps, 2000);
        assert_eq!(r.trials.len(), 2);
        assert_eq!((r.trials[1].t0, r.trials[1].t1), (1000, 2000));
        assert_eq!(r.graph_every, 50);
        assert_eq!(r.frames.len(), 40);
        assert_eq!(r.nodes.len(), 21);
        assert_eq!(r.failures.len(), 7);
        let w = replay(&r);
        assert_eq!(w.len(), 20);
        assert!((w[19] - 0.05).abs() < 1e-9, "{w:?}");
    }

    #[test]
    fn long_run_is_capped_and_diffs_survive_decimation() {
        let spec = RecordSpec {
            max_frames: 100,
            max_positions: 300,
            ..RecordSpec::default()
        };
        let r = record(spec, 3, 40_000);
        assert!(r.frames.len() <= 100 + 6, "{}", r.frames.len());
        assert!(r.positions.len() <= 300 + 6, "{}", r.positions.len());
        assert!(r.graph_every > 50 && r.position_every > 5);
        // The final state is the same as without any decimation.
        let full = record(RecordSpec::default(), 3, 40_000);
        assert_eq!(replay(&r), replay(&full));
        assert_eq!(r.nodes, full.nodes);
        // Frames and positions stay in time order, and every trial end has a frame.
        assert!(r.frames.windows(2).all(|w| w[0].t < w[1].t));
        // A trial's end and the next one's start share a time stamp.
        assert!(r.positions.windows(2).all(|w| w[0].0 <= w[1].0));
        for span in &r.trials {
            assert!(r.frames.iter().any(|f| f.t == span.t1));
            assert!(r.positions.iter().any(|p| p.0 == span.t1));
        }
    }
}
