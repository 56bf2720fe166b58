//! One run: K trials of the same start -> goal task with one agent, learning kept across trials.

use crate::agents::{make_agent, AgentContext, AgentError, AgentSpec};
use crate::record::Recorder;
use crate::scenario::Scenario;
use serde::Serialize;
use sns_baselines::LiveMap;
use sns_core::MazeAgent;
use sns_worlds::env::TaskSpec;
use sns_worlds::maze::MazeMap;
use sns_worlds::oracle::shortest_path;
use sns_worlds::physics::Dynamics;
use sns_worlds::{EnvConfig, MazeEnv, Vec2, WorldError};
use std::time::Instant;
use thiserror::Error;

/// What can stop a run before it starts.
#[derive(Debug, Error)]
#[non_exhaustive]
pub enum RunError {
    /// The world or the scenario could not be built, or does not fit the run.
    #[error(transparent)]
    World(#[from] WorldError),
    /// The agent could not be built.
    #[error(transparent)]
    Agent(#[from] AgentError),
    /// A control world refused a state.
    #[error(transparent)]
    Control(#[from] sns_control::ControlError),
    /// A control world refused a parameter (boxed: it is the largest cause, and every result
    /// of a run carries this error's size).
    #[error(transparent)]
    Param(Box<sns_control::ParamError>),
}

impl From<sns_control::ParamError> for RunError {
    fn from(e: sns_control::ParamError) -> Self {
        RunError::Param(Box::new(e))
    }
}

/// At most this many trajectory points are kept per trial (the interval doubles past it).
pub const MAX_TRAJECTORY_POINTS: usize = 100_000;

/// What to run.
#[derive(Debug, Clone, PartialEq)]
pub struct RunSpec {
    /// Built-in maze name or map file path.
    pub maze: String,
    /// Seed of the task draw (and of everything else).
    pub seed: u64,
    /// Number of trials.
    pub trials: u32,
    /// Dynamics.
    pub dynamics: Dynamics,
    /// Step budget per trial.
    pub max_steps: u64,
    /// Start / goal selection.
    pub task: TaskSpec,
    /// Record the trajectory every this many steps (0: do not record).
    pub record_every: u64,
    /// Search mode: the goal's position is not sensed, only the success signal.
    pub hide_goal: bool,
}

impl Default for RunSpec {
    fn default() -> Self {
        RunSpec {
            maze: "large".into(),
            seed: 0,
            trials: 3,
            dynamics: Dynamics::PointMaze,
            max_steps: 100_000,
            task: TaskSpec::default(),
            record_every: 0,
            hide_goal: false,
        }
    }
}

/// The result of one trial.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TrialResult {
    /// Trial number, from 1.
    pub trial: u32,
    /// Whether the goal was reached within the step budget.
    pub success: bool,
    /// Steps taken.
    pub steps: u64,
    /// Length of the ball's trajectory in metres.
    pub path_length: f64,
    /// Wall-clock time of the trial in seconds.
    pub wall_time: f64,
    /// Oracle shortest path `L*` on the map as it is at the start of this trial (it differs from
    /// the run's when a scenario changed the map); null when unreachable.
    pub shortest_path: Option<f64>,
    /// Recorded positions (every `record_every` steps), when asked for.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub trajectory: Vec<Vec2>,
}

/// Size of the agent's graph at the end of the run.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Default)]
pub struct GraphSize {
    /// Nodes.
    pub nodes: usize,
    /// Directed edges.
    pub edges: usize,
}

/// The result of a run (the JSON printed by `sns run --json`).
#[derive(Debug, Clone, Serialize)]
pub struct RunResult {
    /// Maze name or path.
    pub maze: String,
    /// Seed.
    pub seed: u64,
    /// Dynamics name.
    pub dynamics: String,
    /// Search mode: the goal's position was not sensed.
    pub hide_goal: bool,
    /// Agent name.
    pub agent: String,
    /// Substrate name.
    pub substrate: String,
    /// Start position.
    pub start: [f64; 2],
    /// Goal position.
    pub goal: [f64; 2],
    /// Oracle shortest path length `L*` (null when the goal is unreachable).
    pub shortest_path: Option<f64>,
    /// Per-trial results.
    pub trials: Vec<TrialResult>,
    /// Final graph size.
    pub graph: GraphSize,
    /// Environment steps per second of wall-clock time over the whole run.
    pub steps_per_second: f64,
    /// The agent's graph at the end (for plots), not serialised in the summary JSON.
    #[serde(skip)]
    pub snapshot: Option<sns_core::GraphSnapshot>,
    /// The map (for plots).
    #[serde(skip)]
    pub map: Option<MazeMap>,
    /// Scenario changes, when and where they happened.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub changes: Vec<ChangeEvent>,
}

/// A scenario change as it happened.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ChangeEvent {
    /// Trial, from 1.
    pub trial: u32,
    /// Steps of the trial taken when it was applied (0: before the trial).
    pub step: u64,
    /// What changed.
    pub what: String,
    /// Ball position right after the change.
    pub ball: [f64; 2],
}

/// A run ready to go: its world reset to the task, and its agent built.
struct Prepared {
    map: MazeMap,
    env: MazeEnv,
    start: Vec2,
    goal: Vec2,
    live: LiveMap,
    agent: Box<dyn MazeAgent + Send>,
}

/// Everything a run checks and builds before its first step.
fn prepare(
    spec: &RunSpec,
    scenario: Option<&Scenario>,
    agent: &AgentSpec,
) -> Result<Prepared, RunError> {
    // What needs no world first, so that a bad flag is named before a bad file is read.
    agent.check()?;
    let map = MazeMap::load(&spec.maze)?;
    let config = EnvConfig {
        dynamics: spec.dynamics,
        max_steps: spec.max_steps,
        task: spec.task,
        hide_goal: spec.hide_goal,
    };
    let mut env = MazeEnv::new(map.clone(), config)?;
    env.reset(spec.seed);
    let (start, goal) = (env.start(), env.goal());
    if let Some(sc) = scenario {
        sc.check_trials(spec.trials)?;
        sc.check_steps(spec.max_steps)?;
        sc.check_task(env.map(), start, goal)?;
    }
    let live = LiveMap::new(env.map().clone());
    let ctx = AgentContext {
        seed: spec.seed,
        map: live.clone(),
        hide_goal: spec.hide_goal,
    };
    let agent = make_agent(agent, &ctx)?;
    Ok(Prepared {
        map,
        env,
        start,
        goal,
        live,
        agent,
    })
}

/// Checks everything [`run_scenario`] would check before its first step (the maze, the task,
/// the scenario against the task and the number of trials, the agent against the world), and
/// runs nothing: a benchmark checks every job this way before it starts the first.
pub fn check_run(
    spec: &RunSpec,
    scenario: Option<&Scenario>,
    agent: &AgentSpec,
) -> Result<(), RunError> {
    prepare(spec, scenario, agent).map(drop)
}

/// A value computed once per map version (the last version's is kept).
#[derive(Debug, Default)]
struct ByVersion<T> {
    last: Option<(u64, T)>,
}

impl<T> ByVersion<T> {
    /// The value for `version`, computed by `compute` only when the version differs from the last.
    fn get(&mut self, version: u64, compute: impl FnOnce() -> T) -> &T {
        if self.last.as_ref().map(|(v, _)| *v) != Some(version) {
            self.last = None;
        }
        &self.last.get_or_insert_with(|| (version, compute())).1
    }
}

/// Runs `spec` with the agent `agent`; `progress` is called with the total steps so far every
/// 1000 steps.
pub fn run(
    spec: &RunSpec,
    agent: &AgentSpec,
    progress: &mut dyn FnMut(u64),
) -> Result<RunResult, RunError> {
    run_recorded(spec, agent, progress, None)
}

/// Like [`run`], and also feeds `recorder` (when given) the run's events, for replays.
pub fn run_recorded(
    spec: &RunSpec,
    agent: &AgentSpec,
    progress: &mut dyn FnMut(u64),
    recorder: Option<&mut Recorder>,
) -> Result<RunResult, RunError> {
    run_scenario_recorded(spec, None, agent, progress, recorder)
}

/// Like [`run`], in a changing world: `scenario`'s changes are applied at their trial and step
/// (the caller takes maze and task from the scenario, see [`Scenario`]).
pub fn run_scenario(
    spec: &RunSpec,
    scenario: Option<&Scenario>,
    agent: &AgentSpec,
    progress: &mut dyn FnMut(u64),
) -> Result<RunResult, RunError> {
    run_scenario_recorded(spec, scenario, agent, progress, None)
}

/// [`run_scenario`] with a [`Recorder`] (for `sns run --scenario --report`): the one runner the
/// other entry points call.
pub fn run_scenario_recorded(
    spec: &RunSpec,
    scenario: Option<&Scenario>,
    agent: &AgentSpec,
    progress: &mut dyn FnMut(u64),
    mut recorder: Option<&mut Recorder>,
) -> Result<RunResult, RunError> {
    let Prepared {
        map,
        mut env,
        start,
        goal,
        live,
        agent: mut agent_box,
    } = prepare(spec, scenario, agent)?;
    let agent = agent_box.as_mut();
    // L* by map version: start and goal are fixed for the run, so the oracle searches again only
    // after a scenario changed the map, not at every trial.
    let mut lstar = ByVersion::default();
    let shortest = *lstar.get(live.version(), || {
        shortest_path(env.map(), start, goal).map(|p| p.length)
    });
    let mut changes = Vec::new();
    // Applies the changes due now and tells the oracle's view of the map; true if any applied.
    let mut apply_due = |env: &mut MazeEnv, k: u32, step: u64| -> bool {
        let mut any = false;
        for ch in scenario.into_iter().flat_map(|sc| sc.due(k, step)) {
            ch.apply(env);
            changes.push(ChangeEvent {
                trial: k,
                step,
                what: ch.describe(),
                ball: env.ball().pos.to_array(),
            });
            any = true;
        }
        if any {
            live.set(env.map().clone());
        }
        any
    };
    let mut trials = Vec::new();
    let mut total_steps = 0u64;
    let t_run = Instant::now();
    for k in 1..=spec.trials {
        let t0 = Instant::now();
        apply_due(&mut env, k, 0);
        let trial_shortest = *lstar.get(live.version(), || {
            shortest_path(env.map(), start, goal).map(|p| p.length)
        });
        let (mut obs, _) = env.restart();
        agent.begin_trial(&obs);
        if let Some(r) = recorder.as_deref_mut() {
            r.begin_trial(k, obs.position);
        }
        let mut path = 0.0;
        let mut traj = Vec::new();
        let mut every = spec.record_every;
        let mut success = obs.success;
        while !success {
            let prev = obs.position;
            let s = env.step(agent.act(&obs));
            obs = s.obs;
            path += prev.dist(obs.position);
            let mut done = s.terminated;
            let now = env.steps();
            if apply_due(&mut env, k, now) {
                // The agent sees the changed world (a ball pushed out of a new wall) at once.
                obs = env.observation();
                done = obs.success;
            }
            total_steps += 1;
            if every > 0 && env.steps() % every == 0 {
                traj.push(obs.position);
                // Bounded memory on long runs: past the cap, keep every other point and record
                // half as often.
                if traj.len() >= MAX_TRAJECTORY_POINTS {
                    traj = traj.into_iter().step_by(2).collect();
                    every *= 2;
                }
            }
            if let Some(r) = recorder.as_deref_mut() {
                r.step(obs.position, &*agent);
            }
            if total_steps % 1000 == 0 {
                progress(total_steps);
            }
            success = done;
            if !done && env.steps() >= spec.max_steps {
                break;
            }
        }
        if spec.record_every > 0 {
            traj.push(obs.position);
        }
        agent.end_trial(success);
        if let Some(r) = recorder.as_deref_mut() {
            r.end_trial(success, obs.position, &*agent);
        }
        trials.push(TrialResult {
            trial: k,
            success,
            steps: env.steps(),
            path_length: path,
            wall_time: t0.elapsed().as_secs_f64(),
            shortest_path: trial_shortest,
            trajectory: traj,
        });
    }
    let secs = t_run.elapsed().as_secs_f64().max(1e-9);
    let snapshot = agent.snapshot();
    let graph = snapshot
        .as_ref()
        .map_or(GraphSize::default(), |s| GraphSize {
            nodes: s.nodes.len(),
            edges: s.edges.len(),
        });
    Ok(RunResult {
        maze: spec.maze.clone(),
        seed: spec.seed,
        dynamics: spec.dynamics.name().into(),
        hide_goal: spec.hide_goal,
        agent: agent.name().into(),
        substrate: agent.substrate().into(),
        start: start.to_array(),
        goal: goal.to_array(),
        shortest_path: shortest,
        trials,
        graph,
        steps_per_second: total_steps as f64 / secs,
        snapshot,
        map: Some(map),
        changes,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn by_version_computes_once_per_version() {
        let mut calls = 0;
        let mut memo = ByVersion::default();
        for version in [0, 0, 0, 1, 1, 2, 2, 2] {
            let v = *memo.get(version, || {
                calls += 1;
                version * 10
            });
            assert_eq!(v, version * 10);
        }
        assert_eq!(calls, 3, "one computation per map version, not per trial");
    }
}
