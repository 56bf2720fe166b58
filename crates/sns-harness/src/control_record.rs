//! A bounded record of a run on a classic-control world, for its phase portrait (`sns run
//! --plot`) and its replay page (`sns run --report`).
//!
//! A [`ControlRecorder`] is fed by [`crate::control::run_control_recorded`]. It keeps
//!
//! - the state (as the agent senses it: periodic axes wrapped) every
//!   [`ControlRecordSpec::every`] steps of each trial, and at every trial's start and end, each
//!   sample with the number of places the agent's graph had then;
//! - the world's physical parameters at the start and after every change of a scenario (what a
//!   picture needs to draw the hill, the pole or the links as they were);
//! - at the end, the agent's places (every k-th one past [`ControlRecordSpec::max_places`]),
//!   each with its most effective primitive's edge ([`PlaceView`]).
//!
//! **Bounded memory.** When more than [`ControlRecordSpec::max_states`] samples are held (trial
//! ends not counted), the interval doubles and the samples no longer on a multiple of it (counted
//! from their trial's start) are dropped; so a run of any length keeps at most `max_states`
//! samples plus two per trial. Recording reads the agent and never changes it: a recorded run is
//! the run without recording, step for step.

use crate::agents::PlaceView;
use serde::Serialize;
use std::collections::BTreeMap;

/// What to record of a control run, and how much of it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ControlRecordSpec {
    /// Steps between two state samples at first. Default 1 (every step).
    pub every: u64,
    /// Most state samples kept, trial ends aside (the interval doubles past it). Default 20 000.
    pub max_states: usize,
    /// Most places kept (every k-th one past it, in order of creation). Default 20 000.
    pub max_places: usize,
}

impl Default for ControlRecordSpec {
    fn default() -> Self {
        ControlRecordSpec {
            every: 1,
            max_states: 20_000,
            max_places: 20_000,
        }
    }
}

/// One state sample: the run's global step, the number of places the agent's graph had then,
/// and the state (rounded to 1e-6). Serialised as `[t, places, [x0, x1, ...]]`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StateSample(pub u64, pub u32, pub Vec<f64>);

/// One trial's samples.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ControlTrace {
    /// Trial number, from 1.
    pub trial: u32,
    /// Global step at the trial's start.
    pub t0: u64,
    /// Global step at the trial's end.
    pub t1: u64,
    /// Whether the trial succeeded.
    pub success: bool,
    /// The samples in time order: the start, every `every`-th step, the end.
    pub samples: Vec<StateSample>,
}

/// The world's parameters from a global step on.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ParamsAt {
    /// Global step from which they hold.
    pub t: u64,
    /// Every parameter by Gymnasium's name.
    pub values: BTreeMap<String, f64>,
}

/// One axis of the state space.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AxisInfo {
    /// Lower bound (`null` in JSON when infinite).
    pub low: f64,
    /// Upper bound.
    pub high: f64,
    /// Whether it is periodic (an angle, wrapped into `[low, high)`).
    pub periodic: bool,
}

/// The record of a control run (serialised into its replay page).
#[derive(Debug, Clone, PartialEq, Serialize, Default)]
pub struct ControlRecording {
    /// The world's name.
    pub world: String,
    /// The state space's axes.
    pub axes: Vec<AxisInfo>,
    /// Steps between samples at the end of the run (after any doubling).
    pub every: u64,
    /// Total steps of the run.
    pub total_steps: u64,
    /// The trials in order.
    pub trials: Vec<ControlTrace>,
    /// The parameters at the start, then after each change.
    pub params: Vec<ParamsAt>,
    /// The agent's places at the end (every `place_every`-th one), empty for agents without a
    /// graph.
    pub places: Vec<PlaceView>,
    /// How many places the agent had at the end.
    pub places_total: usize,
    /// The stride of `places` over the place ids.
    pub place_every: usize,
}

/// Collects a [`ControlRecording`] while a control run goes on; see the module docs.
#[derive(Debug)]
pub struct ControlRecorder {
    spec: ControlRecordSpec,
    out: ControlRecording,
    /// Samples held that are not a trial's end.
    inner: usize,
}

fn round6(v: f64) -> f64 {
    (v * 1e6).round() / 1e6
}

impl ControlRecorder {
    /// A recorder with these limits (an interval of 0 is taken as 1, caps below 2 as 2).
    pub fn new(spec: ControlRecordSpec) -> Self {
        let spec = ControlRecordSpec {
            every: spec.every.max(1),
            max_states: spec.max_states.max(2),
            max_places: spec.max_places.max(2),
        };
        ControlRecorder {
            spec,
            out: ControlRecording {
                every: spec.every,
                place_every: 1,
                ..ControlRecording::default()
            },
            inner: 0,
        }
    }

    /// The limits in force.
    pub fn spec(&self) -> &ControlRecordSpec {
        &self.spec
    }

    /// The run is on `world`, whose state space has these axes.
    pub fn begin_run(&mut self, world: &str, axes: Vec<AxisInfo>) {
        self.out.world = world.to_string();
        self.out.axes = axes;
    }

    /// The world's parameters are `values` from now on.
    pub fn params(&mut self, values: BTreeMap<String, f64>) {
        let t = self.out.total_steps;
        // Several changes at one step: the last word holds.
        if let Some(last) = self.out.params.last_mut().filter(|p| p.t == t) {
            last.values = values;
        } else {
            self.out.params.push(ParamsAt { t, values });
        }
    }

    /// A trial starts in `state`, the agent's graph having `places` places.
    pub fn begin_trial(&mut self, trial: u32, state: &[f64], places: usize) {
        let t = self.out.total_steps;
        self.out.trials.push(ControlTrace {
            trial,
            t0: t,
            t1: t,
            success: false,
            samples: Vec::new(),
        });
        self.push(state, places);
    }

    /// One step was taken (`steps` of the current trial so far); the state is now `state`.
    pub fn step(&mut self, steps: u64, state: &[f64], places: usize) {
        self.out.total_steps += 1;
        if steps % self.out.every == 0 {
            self.push(state, places);
        }
    }

    /// The current trial ended in `state`.
    pub fn end_trial(&mut self, success: bool, state: &[f64], places: usize) {
        let t = self.out.total_steps;
        let Some(tr) = self.out.trials.last_mut() else {
            return;
        };
        tr.t1 = t;
        tr.success = success;
        if tr.samples.last().is_some_and(|s| s.0 == t) {
            // Already sampled at a multiple of the interval: that sample is now the end.
            self.inner -= 1;
        } else {
            let s = StateSample(t, places as u32, state.iter().map(|&v| round6(v)).collect());
            tr.samples.push(s);
        }
    }

    /// The agent's places at the end of the run (`total` of them; `places` every
    /// `every`-th).
    pub fn set_places(&mut self, places: Vec<PlaceView>, total: usize, every: usize) {
        self.out.places = places;
        self.out.places_total = total;
        self.out.place_every = every.max(1);
    }

    /// The stride over place ids that keeps at most [`ControlRecordSpec::max_places`] of
    /// `total` places.
    pub fn place_stride(&self, total: usize) -> usize {
        total.div_ceil(self.spec.max_places).max(1)
    }

    /// The recording.
    pub fn finish(self) -> ControlRecording {
        self.out
    }

    fn push(&mut self, state: &[f64], places: usize) {
        let t = self.out.total_steps;
        let Some(tr) = self.out.trials.last_mut() else {
            return;
        };
        tr.samples.push(StateSample(
            t,
            places as u32,
            state.iter().map(|&v| round6(v)).collect(),
        ));
        self.inner += 1;
        while self.inner > self.spec.max_states && self.out.every < 1 << 40 {
            self.decimate();
        }
    }

    /// Doubles the interval and drops the samples off it (trial ends kept).
    fn decimate(&mut self) {
        let every = self.out.every * 2;
        self.out.every = every;
        let last = self.out.trials.len();
        let mut inner = 0;
        for (i, tr) in self.out.trials.iter_mut().enumerate() {
            let ended = i + 1 < last;
            let (t0, t1) = (tr.t0, tr.t1);
            tr.samples.retain(|s| {
                let end = ended && s.0 == t1;
                let keep = end || (s.0 - t0) % every == 0;
                if keep && !end {
                    inner += 1;
                }
                keep
            });
        }
        self.inner = inner;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(rec: &mut ControlRecorder, trials: u32, steps: u64) {
        for k in 1..=trials {
            rec.begin_trial(k, &[0.0, f64::from(k)], 0);
            for s in 1..=steps {
                rec.step(s, &[s as f64, f64::from(k)], s as usize);
            }
            rec.end_trial(k % 2 == 0, &[steps as f64, f64::from(k)], steps as usize);
        }
    }

    #[test]
    fn every_step_is_kept_under_the_cap_with_each_trial_start_and_end() {
        let mut rec = ControlRecorder::new(ControlRecordSpec {
            every: 1,
            max_states: 1000,
            max_places: 10,
        });
        run(&mut rec, 2, 37);
        let r = rec.finish();
        assert_eq!(r.every, 1);
        assert_eq!(r.total_steps, 74);
        for tr in &r.trials {
            assert_eq!(tr.samples.len(), 38, "the start and 37 steps");
            assert_eq!(tr.samples[0].0, tr.t0);
            assert_eq!(tr.samples.last().map(|s| s.0), Some(tr.t1));
            assert_eq!(tr.t1 - tr.t0, 37);
        }
        assert!(r.trials[1].success && !r.trials[0].success);
        assert_eq!(r.trials[1].samples[5], StateSample(42, 5, vec![5.0, 2.0]));
    }

    #[test]
    fn a_long_run_doubles_its_interval_and_stays_bounded() {
        let cap = 100;
        let mut rec = ControlRecorder::new(ControlRecordSpec {
            every: 1,
            max_states: cap,
            max_places: 10,
        });
        run(&mut rec, 3, 10_001);
        let r = rec.finish();
        let held: usize = r.trials.iter().map(|t| t.samples.len()).sum();
        assert!(held <= cap + 2 * 3, "{held}");
        assert!(held > cap / 2, "the doubling keeps about half: {held}");
        assert!(r.every.is_power_of_two() && r.every > 1);
        for tr in &r.trials {
            // Starts, ends, and every sample in between on the final interval.
            assert_eq!(tr.samples[0].0, tr.t0);
            assert_eq!(tr.samples.last().map(|s| s.0), Some(tr.t1));
            let inner = &tr.samples[..tr.samples.len() - 1];
            assert!(inner.iter().all(|s| (s.0 - tr.t0) % r.every == 0));
            assert!(tr.samples.windows(2).all(|w| w[0].0 < w[1].0));
        }
    }

    #[test]
    fn the_place_stride_keeps_at_most_the_cap() {
        let rec = ControlRecorder::new(ControlRecordSpec {
            every: 1,
            max_states: 10,
            max_places: 1000,
        });
        assert_eq!(rec.place_stride(0), 1);
        assert_eq!(rec.place_stride(1000), 1);
        assert_eq!(rec.place_stride(1001), 2);
        assert!(2_000_000usize.div_ceil(rec.place_stride(2_000_000)) <= 1000);
    }
}
