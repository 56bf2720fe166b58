//! `sns bench`: the cross product agents x worlds x seeds, run in parallel, archived.
//!
//! Each job is one run (K trials) of one agent in one world with one seed; jobs run in parallel on
//! rayon's pool and their rows come back in job order, so the outputs do not depend on scheduling.
//! Everything but the wall-clock times is a function of the seeds. Three files are written
//! (after ripgrep's benchsuite): `runs.csv` with one row per trial ([`RUNS_COLUMNS`]),
//! `summary.md` with one line per agent x world, and `run.toml` with the exact command, version,
//! commit, machine and resolved configuration.
//!
//! Mazes and classic-control worlds share one `runs.csv` format: the `maze` column holds the
//! world's label (maze, `maze:task`, control world or scenario name); a maze row leaves
//! `optimal_steps` and `return` empty, a control row leaves `task`, `path_length` and
//! `shortest_path` empty (and always has a `return`, which is how a reader tells them apart). Each file is written atomically
//! ([`crate::output`]), and each on its own: one that cannot be written does not stop the others.
//!
//! A benchmark can be stopped (Ctrl-C in `sns bench`, see [`bench_to_dir_until`]): no new job is
//! started, the running ones finish, and the files hold the finished runs, marked interrupted.

use crate::agents::{AgentError, AgentKind, AgentSpec};
use crate::control::{check_control_run, run_control, ControlRunSpec, ControlWorldKind};
use crate::runner::{check_run, run_scenario, RunError, RunSpec};
use crate::scenario::ControlScenario;
use crate::scenario::Scenario;
use crate::stats::quantile;
use rayon::prelude::*;
use serde::Serialize;
use sns_core::system::SystemParams;
use sns_core::MazeParams;
use sns_worlds::env::TaskSpec;
use sns_worlds::maze::{ogbench_tasks, MazeMap};
use sns_worlds::physics::Dynamics;
use sns_worlds::{EnvConfig, MazeEnv, WorldError};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Instant;
use thiserror::Error;

/// The columns of `runs.csv`, in order.
pub const RUNS_COLUMNS: &[&str] = &[
    "agent",
    "maze",
    "task",
    "seed",
    "trial",
    "success",
    "steps",
    "path_length",
    "shortest_path",
    "wall_time",
    "optimal_steps",
    "return",
];

/// What can go wrong in a benchmark.
#[derive(Debug, Error)]
#[non_exhaustive]
pub enum BenchError {
    /// A world or scenario is invalid.
    #[error(transparent)]
    World(#[from] WorldError),
    /// A world name like `large:x` is malformed.
    #[error("world '{0}': {1}")]
    BadWorld(String, String),
    /// An agent name is unknown or malformed.
    #[error("agent '{0}'")]
    BadAgent(String, #[source] AgentError),
    /// A run failed, or would fail (the check before the first run). The message is the
    /// context; the cause is the source (`{:#}` in anyhow prints both, once).
    #[error("{agent} on {world} seed {seed}")]
    Run {
        /// Agent label.
        agent: String,
        /// World label.
        world: String,
        /// Seed.
        seed: u64,
        /// The error.
        source: RunError,
    },
    /// An output file could not be written.
    #[error("{path}: {reason}")]
    Output {
        /// The file.
        path: String,
        /// What went wrong.
        reason: String,
    },
    /// Nothing to run.
    #[error("nothing to run: {0}")]
    Empty(String),
}

/// One world of the benchmark.
#[derive(Debug, Clone, PartialEq)]
pub enum World {
    /// A maze, with an OGBench task or (without) the seeded PointMaze draw.
    Maze {
        /// Built-in name or map path.
        name: String,
        /// OGBench task 1..=5.
        task: Option<u32>,
    },
    /// A changing-world scenario.
    Scenario(Arc<Scenario>),
    /// A classic-control world, changed by a scenario when one is given.
    Control {
        /// The world.
        kind: ControlWorldKind,
        /// Its scenario, if any.
        scenario: Option<Arc<ControlScenario>>,
    },
}

impl World {
    /// Parses `large`, `large:3` (OGBench task 3) or a generated maze's spec (`perfect:41x41:3`,
    /// whose colons separate the generator's arguments), and checks it.
    pub fn parse_maze(s: &str) -> Result<World, BenchError> {
        let generated = sns_worlds::generate::from_spec(s).is_some();
        let (name, task) = match s.split_once(':').filter(|_| !generated) {
            Some((n, t)) => {
                let k = t.parse::<u32>().map_err(|_| {
                    BenchError::BadWorld(s.into(), format!("'{t}' is not a task number 1 to 5"))
                })?;
                (n, Some(k))
            }
            None => (s, None),
        };
        let w = World::Maze {
            name: name.to_string(),
            task,
        };
        let map = MazeMap::load(name)?;
        MazeEnv::new(map, w.env_config(Dynamics::default(), 1))?;
        Ok(w)
    }

    /// The label in the results (`large`, `large:3`, or the scenario's name).
    pub fn label(&self) -> String {
        match self {
            World::Maze { name, task: None } => name.clone(),
            World::Maze {
                name,
                task: Some(k),
            } => format!("{name}:{k}"),
            World::Scenario(s) => s.name.clone(),
            World::Control {
                scenario: Some(s), ..
            } => s.name.clone(),
            World::Control { kind, .. } => kind.name().to_string(),
        }
    }

    /// A classic-control world by name (`mountaincar`), or else a maze as [`World::parse_maze`]
    /// reads it: what `sns bench --worlds` takes.
    pub fn parse(s: &str) -> Result<World, BenchError> {
        match s.parse::<ControlWorldKind>() {
            Ok(kind) => Ok(World::Control {
                kind,
                scenario: None,
            }),
            Err(_) => World::parse_maze(s),
        }
    }

    /// The OGBench task number, if any.
    pub fn task_number(&self) -> Option<u32> {
        match self {
            World::Maze { task, .. } => *task,
            World::Scenario(s) => s.task.task,
            World::Control { .. } => None,
        }
    }

    fn env_config(&self, dynamics: Dynamics, max_steps: u64) -> EnvConfig {
        let task = match self {
            World::Maze { task, .. } => TaskSpec {
                task: *task,
                ..TaskSpec::default()
            },
            World::Scenario(s) => s.task,
            World::Control { .. } => TaskSpec::default(),
        };
        EnvConfig {
            dynamics,
            max_steps,
            task,
            hide_goal: false,
        }
    }
}

/// `worlds` followed by OGBench tasks 1-5 of every maze among them that has them (for `--tasks`).
pub fn with_ogbench_tasks(worlds: Vec<World>) -> Vec<World> {
    let mut extra = Vec::new();
    for w in &worlds {
        if let World::Maze { name, task: None } = w {
            if ogbench_tasks(name).is_some() {
                extra.extend((1..=5).map(|k| World::Maze {
                    name: name.clone(),
                    task: Some(k),
                }));
            }
        }
    }
    let mut all = worlds;
    for e in extra {
        if !all.contains(&e) {
            all.push(e);
        }
    }
    all
}

/// One agent of the benchmark: the label written in the results and how to build it.
#[derive(Debug, Clone, PartialEq)]
pub struct BenchAgent {
    /// Label as given (`dstar:0.1`).
    pub label: String,
    /// Spec.
    pub spec: AgentSpec,
}

impl BenchAgent {
    /// Parses `NAME` or `NAME:PARAM` (see [`AgentKind`]).
    pub fn parse(s: &str) -> Result<BenchAgent, BenchError> {
        let kind: AgentKind = s.parse().map_err(|e| BenchError::BadAgent(s.into(), e))?;
        Ok(BenchAgent {
            label: s.to_string(),
            spec: AgentSpec::new(kind),
        })
    }
}

/// The benchmark to run.
#[derive(Debug, Clone)]
pub struct BenchSpec {
    /// Agents.
    pub agents: Vec<BenchAgent>,
    /// Worlds.
    pub worlds: Vec<World>,
    /// Seeds 0..seeds.
    pub seeds: u64,
    /// Trials per run (a scenario's own `trials`, when it sets one, wins).
    pub trials: u32,
    /// Dynamics.
    pub dynamics: Dynamics,
    /// Step budget per trial.
    pub max_steps: u64,
    /// Search mode: the goal's position is not sensed, only success (`--hide-goal`).
    pub hide_goal: bool,
}

/// One row of `runs.csv`: one trial (written by the bench, read back by `sns plot`).
#[derive(Debug, Clone, PartialEq, Serialize, serde::Deserialize)]
pub struct BenchRow {
    /// Agent label.
    pub agent: String,
    /// World label (maze, `maze:task`, control world, or scenario name).
    pub maze: String,
    /// OGBench task, if any.
    pub task: Option<u32>,
    /// Seed.
    pub seed: u64,
    /// Trial, from 1.
    pub trial: u32,
    /// Goal reached within the budget.
    pub success: bool,
    /// Steps taken.
    pub steps: u64,
    /// Length of the ball's path in metres (empty on a control world).
    pub path_length: Option<f64>,
    /// Oracle shortest path `L*` at the start of the trial (empty when unreachable, and on a
    /// control world).
    pub shortest_path: Option<f64>,
    /// Wall-clock seconds.
    pub wall_time: f64,
    /// Control worlds: the oracle's minimum steps from the trial's start (empty without an
    /// oracle, when unreachable, and on a maze).
    #[serde(default)]
    pub optimal_steps: Option<u64>,
    /// Control worlds: Gymnasium's reward summed over the trial (empty on a maze).
    #[serde(default, rename = "return")]
    pub ret: Option<f64>,
}

/// Checks every job as its run would before its first step (see [`check_run`]), without running
/// any: a benchmark that would fail at its last job fails before its first.
pub fn check_bench(spec: &BenchSpec) -> Result<(), BenchError> {
    if spec.agents.is_empty() || spec.worlds.is_empty() || spec.seeds == 0 {
        return Err(BenchError::Empty(
            "need at least one agent, one world and one seed".into(),
        ));
    }
    let check = |agent: &BenchAgent, world: &World, seed: u64| {
        let checked = match world {
            World::Control { scenario, .. } => check_control_run(
                &control_spec(spec, world, seed),
                scenario.as_deref(),
                &agent.spec,
            ),
            _ => {
                let (run_spec, scenario) = job_spec(spec, world, seed);
                check_run(&run_spec, scenario, &agent.spec)
            }
        };
        checked.map_err(|e| BenchError::Run {
            agent: agent.label.clone(),
            world: world.label(),
            seed,
            source: e,
        })
    };
    for world in &spec.worlds {
        // What an agent refuses does not depend on the seed: seed 0 stands for all.
        for agent in &spec.agents {
            check(agent, world, 0)?;
        }
        // The task each seed draws must suit the scenario's changes, whatever the agent.
        if let World::Scenario(_) = world {
            for seed in 1..spec.seeds {
                check(&spec.agents[0], world, seed)?;
            }
        }
    }
    Ok(())
}

/// Runs every job; `job_done` is called once per finished run (for a progress bar). Every job is
/// checked first ([`check_bench`]).
pub fn run_bench(
    spec: &BenchSpec,
    job_done: &(dyn Fn() + Sync),
) -> Result<Vec<BenchRow>, BenchError> {
    Ok(run_bench_until(spec, job_done, &AtomicBool::new(false))?.rows)
}

/// The runs a benchmark finished.
#[derive(Debug, Clone, PartialEq)]
pub struct FinishedRuns {
    /// The rows of the finished runs, in job order.
    pub rows: Vec<BenchRow>,
    /// Runs finished.
    pub done: u64,
    /// Runs in the benchmark.
    pub total: u64,
}

impl FinishedRuns {
    /// Whether some runs were not done (the benchmark was stopped).
    pub fn interrupted(&self) -> bool {
        self.done < self.total
    }
}

/// Runs the jobs until `stop` is set: from then on no job starts, the running ones finish, and
/// the rows of the finished ones come back (in job order: the rows a full run gives, less those of
/// the runs not done). `job_done` is called once per finished run. Every job is checked first
/// ([`check_bench`]).
pub fn run_bench_until(
    spec: &BenchSpec,
    job_done: &(dyn Fn() + Sync),
    stop: &AtomicBool,
) -> Result<FinishedRuns, BenchError> {
    check_bench(spec)?;
    let jobs: Vec<(&BenchAgent, &World, u64)> = spec
        .agents
        .iter()
        .flat_map(|a| {
            spec.worlds
                .iter()
                .flat_map(move |w| (0..spec.seeds).map(move |s| (a, w, s)))
        })
        .collect();
    let results: Vec<Option<Result<Vec<BenchRow>, BenchError>>> = jobs
        .par_iter()
        .map(|&(agent, world, seed)| {
            // Checked when the job starts: a stop skips the jobs not yet started.
            if stop.load(Ordering::SeqCst) {
                return None;
            }
            let rows = run_job(spec, agent, world, seed);
            job_done();
            Some(rows)
        })
        .collect();
    let mut rows = Vec::new();
    let mut done = 0;
    for r in results.into_iter().flatten() {
        rows.extend(r?);
        done += 1;
    }
    Ok(FinishedRuns {
        rows,
        done,
        total: jobs.len() as u64,
    })
}

/// Number of runs [`run_bench`] will do.
pub fn job_count(spec: &BenchSpec) -> u64 {
    spec.agents.len() as u64 * spec.worlds.len() as u64 * spec.seeds
}

/// The run of one job on a control world.
fn control_spec(spec: &BenchSpec, world: &World, seed: u64) -> ControlRunSpec {
    let (kind, trials) = match world {
        World::Control { kind, scenario } => (
            *kind,
            scenario
                .as_ref()
                .and_then(|s| s.trials)
                .unwrap_or(spec.trials),
        ),
        // Never called for a maze; a mountaincar run of the bench's size stands in.
        _ => (ControlWorldKind::MountainCar, spec.trials),
    };
    ControlRunSpec {
        world: kind,
        seed,
        trials,
        max_steps: spec.max_steps,
        hide_goal: spec.hide_goal,
    }
}

/// The run of one job, and its scenario.
fn job_spec<'a>(spec: &BenchSpec, world: &'a World, seed: u64) -> (RunSpec, Option<&'a Scenario>) {
    let (maze, scenario, trials) = match world {
        World::Maze { name, .. } => (name.clone(), None, spec.trials),
        World::Scenario(s) => (
            s.maze.clone(),
            Some(s.as_ref()),
            s.trials.unwrap_or(spec.trials),
        ),
        World::Control { .. } => (String::new(), None, spec.trials),
    };
    let run_spec = RunSpec {
        maze,
        seed,
        trials,
        dynamics: spec.dynamics,
        max_steps: spec.max_steps,
        task: world.env_config(spec.dynamics, spec.max_steps).task,
        hide_goal: spec.hide_goal,
        ..RunSpec::default()
    };
    (run_spec, scenario)
}

fn run_job(
    spec: &BenchSpec,
    agent: &BenchAgent,
    world: &World,
    seed: u64,
) -> Result<Vec<BenchRow>, BenchError> {
    let failed = |e| BenchError::Run {
        agent: agent.label.clone(),
        world: world.label(),
        seed,
        source: e,
    };
    if let World::Control { scenario, .. } = world {
        let result = run_control(
            &control_spec(spec, world, seed),
            scenario.as_deref(),
            &agent.spec,
            &mut |_| {},
        )
        .map_err(failed)?;
        return Ok(result
            .trials
            .iter()
            .map(|t| BenchRow {
                agent: agent.label.clone(),
                maze: world.label(),
                task: None,
                seed,
                trial: t.trial,
                success: t.success,
                steps: t.steps,
                path_length: None,
                shortest_path: None,
                wall_time: t.wall_time,
                optimal_steps: t.optimal_steps,
                ret: Some(t.ret),
            })
            .collect());
    }
    let (run_spec, scenario) = job_spec(spec, world, seed);
    let result = run_scenario(&run_spec, scenario, &agent.spec, &mut |_| {}).map_err(|e| {
        BenchError::Run {
            agent: agent.label.clone(),
            world: world.label(),
            seed,
            source: e,
        }
    })?;
    Ok(result
        .trials
        .iter()
        .map(|t| BenchRow {
            agent: agent.label.clone(),
            maze: world.label(),
            task: world.task_number(),
            seed,
            trial: t.trial,
            success: t.success,
            steps: t.steps,
            path_length: Some(t.path_length),
            shortest_path: t.shortest_path,
            wall_time: t.wall_time,
            optimal_steps: None,
            ret: None,
        })
        .collect())
}

/// Writes `runs.csv` (atomically: a failed or killed write leaves the previous file).
pub fn write_runs_csv(path: &Path, rows: &[BenchRow]) -> Result<(), BenchError> {
    // csv reports I/O failures inside its own error; give them back as they were.
    let to_io = |e: csv::Error| {
        if e.is_io_error() {
            match e.into_kind() {
                csv::ErrorKind::Io(io) => io,
                _ => std::io::Error::other("csv"),
            }
        } else {
            std::io::Error::other(e.to_string())
        }
    };
    crate::output::write_with(path, |out| {
        let mut w = csv::Writer::from_writer(out);
        // An empty run still gets its header.
        if rows.is_empty() {
            w.write_record(RUNS_COLUMNS).map_err(to_io)?;
        }
        for r in rows {
            w.serialize(r).map_err(to_io)?;
        }
        w.flush()
    })
    .map_err(output_error)
}

/// An output file that could not be written, as a [`BenchError`].
fn output_error(e: crate::output::OutputError) -> BenchError {
    BenchError::Output {
        path: e.path.display().to_string(),
        reason: e.cause.to_string(),
    }
}

/// `median [p25-p75]` of `v`, or `-`.
fn median_iqr(mut v: Vec<f64>, decimals: usize) -> String {
    v.sort_by(f64::total_cmp);
    match (quantile(&v, 0.5), quantile(&v, 0.25), quantile(&v, 0.75)) {
        (Some(m), Some(a), Some(b)) => {
            format!("{m:.decimals$} [{a:.decimals$}-{b:.decimals$}]")
        }
        _ => "-".into(),
    }
}

/// SPL (Anderson et al. 2018) over `rows`: mean of `S_i L_i / max(L_i, P_i)`; rows without `L*`
/// are left out.
fn spl(rows: &[&BenchRow]) -> Option<f64> {
    let terms: Vec<f64> = rows
        .iter()
        .filter_map(|r| {
            let l = r.shortest_path?;
            let p = r.path_length?;
            Some(if r.success {
                l / l.max(p).max(1e-12)
            } else {
                0.0
            })
        })
        .collect();
    (!terms.is_empty()).then(|| terms.iter().sum::<f64>() / terms.len() as f64)
}

/// The Markdown summary: per agent x world, success rate, steps and path / L* (median and
/// inter-quartile range, over the successful trials) for the first and the last trial, and SPL;
/// then the median steps of every trial (the learning curve, and recovery after a change).
pub fn summary_markdown(rows: &[BenchRow]) -> String {
    // Groups in order of first appearance (the job order), never a hash order.
    let mut groups: Vec<((String, String), Vec<&BenchRow>)> = Vec::new();
    for r in rows {
        let key = (r.agent.clone(), r.maze.clone());
        match groups.iter_mut().find(|(k, _)| *k == key) {
            Some((_, v)) => v.push(r),
            None => groups.push((key, vec![r])),
        }
    }
    let max_trial = rows.iter().map(|r| r.trial).max().unwrap_or(1);
    // A control row always has a return; a maze row never.
    let is_control = |rs: &[&BenchRow]| rs.first().is_some_and(|r| r.ret.is_some());
    let (control, groups): (Vec<_>, Vec<_>) =
        groups.into_iter().partition(|(_, rs)| is_control(rs));
    let mut s = String::new();
    if groups.is_empty() {
        s.push_str(&control_summary(&control));
    } else {
        s.push_str(
        "Medians and inter-quartile ranges [p25-p75] are over successful trials; success and SPL \
         over all trials of that kind. SPL = mean S_i L_i / max(L_i, P_i) (Anderson et al. 2018), \
         L* = oracle shortest path at the start of the trial. T1 = first trial, TK = last.\n\n",
    );
        s.push_str("| agent | maze | runs | success | steps T1 | steps TK | path/L* T1 | path/L* TK | SPL T1 | SPL TK |\n");
        s.push_str("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|\n");
        for ((agent, maze), rs) in &groups {
            let last = rs.iter().map(|r| r.trial).max().unwrap_or(1);
            let runs = {
                let mut seeds: Vec<u64> = rs.iter().map(|r| r.seed).collect();
                seeds.sort_unstable();
                seeds.dedup();
                seeds.len()
            };
            let succ = rs.iter().filter(|r| r.success).count() as f64 / rs.len().max(1) as f64;
            let of = |k: u32| -> Vec<&BenchRow> {
                rs.iter().copied().filter(|r| r.trial == k).collect()
            };
            let steps = |v: &[&BenchRow]| {
                median_iqr(
                    v.iter()
                        .filter(|r| r.success)
                        .map(|r| r.steps as f64)
                        .collect(),
                    0,
                )
            };
            let ratio = |v: &[&BenchRow]| {
                median_iqr(
                    v.iter()
                        .filter(|r| r.success)
                        .filter_map(|r| Some(r.path_length? / r.shortest_path?))
                        .collect(),
                    2,
                )
            };
            let fmt_spl = |v: &[&BenchRow]| spl(v).map_or("-".into(), |x| format!("{x:.2}"));
            let (t1, tk) = (of(1), of(last));
            s.push_str(&format!(
                "| {agent} | {maze} | {runs} | {:.0}% | {} | {} | {} | {} | {} | {} |\n",
                succ * 100.0,
                steps(&t1),
                steps(&tk),
                ratio(&t1),
                ratio(&tk),
                fmt_spl(&t1),
                fmt_spl(&tk),
            ));
        }
        if !control.is_empty() {
            s.push('\n');
            s.push_str(&control_summary(&control));
        }
    }
    let column = if control.is_empty() { "maze" } else { "world" };
    let groups: Vec<_> = groups.into_iter().chain(control).collect();
    if max_trial > 1 {
        s.push_str("\nMedian steps per trial (successful trials; successes/runs in parentheses when not all succeeded):\n\n");
        s.push_str(&format!("| agent | {column} |"));
        for k in 1..=max_trial {
            s.push_str(&format!(" T{k} |"));
        }
        s.push_str("\n|---|---|");
        for _ in 1..=max_trial {
            s.push_str("---:|");
        }
        s.push('\n');
        for ((agent, maze), rs) in &groups {
            s.push_str(&format!("| {agent} | {maze} |"));
            for k in 1..=max_trial {
                let all: Vec<&&BenchRow> = rs.iter().filter(|r| r.trial == k).collect();
                let mut ok: Vec<f64> = all
                    .iter()
                    .filter(|r| r.success)
                    .map(|r| r.steps as f64)
                    .collect();
                ok.sort_by(f64::total_cmp);
                let med = quantile(&ok, 0.5).map_or("-".into(), |m| format!("{m:.0}"));
                if all.is_empty() {
                    s.push_str(" |");
                } else if ok.len() == all.len() {
                    s.push_str(&format!(" {med} |"));
                } else {
                    s.push_str(&format!(" {med} ({}/{}) |", ok.len(), all.len()));
                }
            }
            s.push('\n');
        }
    }
    s
}

/// The summary table of the control worlds' groups: success, steps, steps / optimal and return
/// of the first and the last trial.
fn control_summary(groups: &[((String, String), Vec<&BenchRow>)]) -> String {
    let mut s = String::new();
    s.push_str(
        "Classic-control worlds. Medians and inter-quartile ranges [p25-p75] of steps and \
         steps/optimal are over successful trials, of the return over all trials; optimal = the \
         oracle's minimum steps from the trial's start (grid oracles on mountaincar and pendulum, an upper bound by search on the 4-D worlds). \
         T1 = first trial, TK = last.\n\n",
    );
    s.push_str("| agent | world | runs | success | steps T1 | steps TK | steps/optimal T1 | steps/optimal TK | return T1 | return TK |\n");
    s.push_str("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|\n");
    for ((agent, world), rs) in groups {
        let last = rs.iter().map(|r| r.trial).max().unwrap_or(1);
        let mut seeds: Vec<u64> = rs.iter().map(|r| r.seed).collect();
        seeds.sort_unstable();
        seeds.dedup();
        let succ = rs.iter().filter(|r| r.success).count() as f64 / rs.len().max(1) as f64;
        let of =
            |k: u32| -> Vec<&BenchRow> { rs.iter().copied().filter(|r| r.trial == k).collect() };
        let ok = |v: &[&BenchRow], f: &dyn Fn(&BenchRow) -> Option<f64>, d: usize| {
            median_iqr(
                v.iter()
                    .filter(|r| r.success)
                    .filter_map(|r| f(r))
                    .collect(),
                d,
            )
        };
        let steps = |r: &BenchRow| Some(r.steps as f64);
        let ratio = |r: &BenchRow| {
            r.optimal_steps
                .filter(|&o| o > 0)
                .map(|o| r.steps as f64 / o as f64)
        };
        let ret = |v: &[&BenchRow]| median_iqr(v.iter().filter_map(|r| r.ret).collect(), 1);
        let (t1, tk) = (of(1), of(last));
        s.push_str(&format!(
            "| {agent} | {world} | {} | {:.0}% | {} | {} | {} | {} | {} | {} |\n",
            seeds.len(),
            succ * 100.0,
            ok(&t1, &steps, 0),
            ok(&tk, &steps, 0),
            ok(&t1, &ratio, 2),
            ok(&tk, &ratio, 2),
            ret(&t1),
            ret(&tk),
        ));
    }
    s
}

/// Where and on what a benchmark ran (`run.toml`).
#[derive(Debug, Clone, Serialize)]
pub struct RunMeta {
    /// The exact command line.
    pub command: String,
    /// Version of the `sns` binary.
    pub version: String,
    /// `git rev-parse HEAD`, when available.
    pub commit: Option<String>,
    /// Whether tracked files outside `bench/` had uncommitted changes.
    pub dirty: Option<bool>,
    /// Unix time at the start, in seconds.
    pub started_unix: u64,
    /// Wall-clock duration in seconds.
    pub wall_time: f64,
    /// Whether the benchmark was stopped (Ctrl-C) before every run was done.
    pub interrupted: bool,
    /// Runs finished (their rows are in `runs.csv`).
    pub runs_done: u64,
    /// Runs in the benchmark.
    pub runs_total: u64,
    /// The machine.
    pub machine: Machine,
    /// The resolved configuration.
    pub config: ConfigMeta,
}

/// The machine a benchmark ran on.
#[derive(Debug, Clone, Serialize)]
pub struct Machine {
    /// Host name.
    pub hostname: String,
    /// CPU model (`/proc/cpuinfo`).
    pub cpu: String,
    /// Logical cores.
    pub cores: usize,
    /// Worker threads used.
    pub threads: usize,
    /// Operating system.
    pub os: String,
}

/// The resolved configuration of a benchmark.
#[derive(Debug, Clone, Serialize)]
pub struct ConfigMeta {
    /// Agent labels.
    pub agents: Vec<String>,
    /// World labels.
    pub worlds: Vec<String>,
    /// Scenario files, if any (maze and control).
    pub scenario_files: Vec<String>,
    /// The labels of the classic-control worlds among `worlds`, as `label = world`
    /// (`mountaincar-half-power = mountaincar`); `dynamics` applies to the mazes only.
    pub control_worlds: Vec<String>,
    /// Seeds 0..seeds.
    pub seeds: u64,
    /// Trials per run.
    pub trials: u32,
    /// Dynamics.
    pub dynamics: String,
    /// Step budget per trial.
    pub max_steps: u64,
    /// Search mode (the goal's position hidden from every agent).
    pub hide_goal: bool,
    /// D* Lite grid resolution of every `dstar` agent, in metres.
    pub dstar_resolution: Vec<(String, f64)>,
    /// Every SNS parameter's value (defaults included) as the agents were given them (`sns bench`
    /// gives every agent the same; a library caller with different ones sees the first agent's),
    /// so that a run with `--param` is archived with what it changed.
    pub params: MazeParams,
    /// Every parameter of the control agent (the SNS agent on the control worlds), as
    /// `params`.
    #[serde(default)]
    pub system_params: SystemParams,
}

fn git(args: &[&str]) -> Option<String> {
    let out = std::process::Command::new("git").args(args).output().ok()?;
    out.status
        .success()
        .then(|| String::from_utf8_lossy(&out.stdout).trim().to_string())
}

fn machine() -> Machine {
    let read = |p: &str| std::fs::read_to_string(p).ok();
    let hostname = read("/proc/sys/kernel/hostname")
        .or_else(|| read("/etc/hostname"))
        .map_or_else(|| "unknown".into(), |s| s.trim().to_string());
    let cpuinfo = read("/proc/cpuinfo").unwrap_or_default();
    let cpu = cpuinfo
        .lines()
        .find(|l| l.starts_with("model name"))
        .and_then(|l| l.split_once(':'))
        .map_or_else(|| "unknown".into(), |(_, m)| m.trim().to_string());
    let cores = cpuinfo
        .lines()
        .filter(|l| l.starts_with("processor"))
        .count()
        .max(std::thread::available_parallelism().map_or(1, |n| n.get()));
    Machine {
        hostname,
        cpu,
        cores,
        threads: rayon::current_num_threads(),
        os: format!("{} {}", std::env::consts::OS, std::env::consts::ARCH),
    }
}

/// The source the benchmark runs from: the commit, and whether tracked files had uncommitted
/// changes. Read before the run, so that the benchmark's own output files do not count, and
/// outside the repository's `bench/` folder, which holds archived results rather than code (so that
/// benchmarks run one after another in one checkout, each rewriting its archive, stay clean).
#[derive(Debug, Clone, PartialEq)]
pub struct Source {
    /// `git rev-parse HEAD`, when available.
    pub commit: Option<String>,
    /// Whether tracked files had uncommitted changes.
    pub dirty: Option<bool>,
}

impl Source {
    /// The state of the working tree now.
    pub fn now() -> Source {
        Source {
            commit: git(&["rev-parse", "HEAD"]),
            dirty: git(&[
                "status",
                "--porcelain",
                "--untracked-files=no",
                "--",
                ":(top)",
                ":(top,exclude)bench",
            ])
            .map(|s| !s.is_empty()),
        }
    }
}

/// Describes the run for `run.toml` (as complete: see [`RunMeta::interrupted`]).
pub fn run_meta(
    spec: &BenchSpec,
    command: String,
    version: &str,
    source: Source,
    started: std::time::SystemTime,
    wall_time: f64,
) -> RunMeta {
    let total = job_count(spec);
    RunMeta {
        interrupted: false,
        runs_done: total,
        runs_total: total,
        command,
        version: version.to_string(),
        commit: source.commit,
        dirty: source.dirty,
        started_unix: started
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_secs()),
        wall_time,
        machine: machine(),
        config: ConfigMeta {
            agents: spec.agents.iter().map(|a| a.label.clone()).collect(),
            worlds: spec.worlds.iter().map(World::label).collect(),
            scenario_files: spec
                .worlds
                .iter()
                .filter_map(|w| match w {
                    World::Scenario(s) => Some(s.file.clone()),
                    World::Control {
                        scenario: Some(s), ..
                    } => Some(s.file.clone()),
                    _ => None,
                })
                .collect(),
            control_worlds: spec
                .worlds
                .iter()
                .filter_map(|w| match w {
                    World::Control { kind, .. } => Some(format!("{} = {}", w.label(), kind.name())),
                    _ => None,
                })
                .collect(),
            seeds: spec.seeds,
            trials: spec.trials,
            dynamics: spec.dynamics.name().into(),
            max_steps: spec.max_steps,
            hide_goal: spec.hide_goal,
            dstar_resolution: spec
                .agents
                .iter()
                .filter_map(|a| match a.spec.kind {
                    AgentKind::DStar { resolution } => Some((a.label.clone(), resolution)),
                    _ => None,
                })
                .collect(),
            params: spec
                .agents
                .first()
                .map_or_else(MazeParams::default, |a| *a.spec.params),
            system_params: spec
                .agents
                .first()
                .map_or_else(SystemParams::default, |a| a.spec.system),
        },
    }
}

/// Runs the benchmark and writes `runs.csv`, `summary.md` and `run.toml` into `out`; returns the
/// rows and the summary, or the first file that could not be written (see [`bench_to_dir_until`]
/// to keep the results when a file fails, and to stop a benchmark).
pub fn bench_to_dir(
    spec: &BenchSpec,
    out: &Path,
    command: String,
    version: &str,
    job_done: &(dyn Fn() + Sync),
) -> Result<(Vec<BenchRow>, String), BenchError> {
    let o = bench_to_dir_until(
        spec,
        out,
        command,
        version,
        job_done,
        &AtomicBool::new(false),
    )?;
    match o.write_errors.into_iter().next() {
        Some(e) => Err(e),
        None => Ok((o.runs.rows, o.summary)),
    }
}

/// What [`bench_to_dir_until`] did.
#[derive(Debug)]
pub struct BenchOutcome {
    /// The finished runs.
    pub runs: FinishedRuns,
    /// The summary (as in `summary.md`, without its header).
    pub summary: String,
    /// The files written.
    pub written: Vec<PathBuf>,
    /// The files that could not be written (the others were written all the same).
    pub write_errors: Vec<BenchError>,
}

/// Checks that `out` can be the output folder: a folder, or nothing yet.
pub fn check_out_dir(out: &Path) -> Result<(), BenchError> {
    match std::fs::metadata(out) {
        Ok(m) if !m.is_dir() => Err(BenchError::Output {
            path: out.display().to_string(),
            reason: "exists and is not a folder (the output must be a folder, where runs.csv, \
                     summary.md and run.toml are written)"
                .into(),
        }),
        _ => Ok(()),
    }
}

/// Runs the benchmark until `stop` is set (see [`run_bench_until`]) and writes `runs.csv`,
/// `summary.md` and `run.toml` into `out` (created if missing) with the finished runs; a stopped
/// benchmark is marked interrupted in `summary.md` and `run.toml`. A file that cannot be written
/// is reported in [`BenchOutcome::write_errors`] and the others are written all the same. Fails
/// before running anything when `out` is not a folder and cannot be made one.
pub fn bench_to_dir_until(
    spec: &BenchSpec,
    out: &Path,
    command: String,
    version: &str,
    job_done: &(dyn Fn() + Sync),
    stop: &AtomicBool,
) -> Result<BenchOutcome, BenchError> {
    check_out_dir(out)?;
    // Before anything is written: the outputs may be tracked files (bench/full in this repository).
    let source = Source::now();
    std::fs::create_dir_all(out).map_err(|e| BenchError::Output {
        path: out.display().to_string(),
        reason: format!("cannot create the output folder: {e}"),
    })?;
    let started = std::time::SystemTime::now();
    let t0 = Instant::now();
    let runs = run_bench_until(spec, job_done, stop)?;
    let wall = t0.elapsed().as_secs_f64();
    let mut written = Vec::new();
    let mut write_errors = Vec::new();
    let mut keep = |path: PathBuf, r: Result<(), BenchError>| match r {
        Ok(()) => written.push(path),
        Err(e) => write_errors.push(e),
    };
    let rp = out.join("runs.csv");
    keep(rp.clone(), write_runs_csv(&rp, &runs.rows));
    let summary = summary_markdown(&runs.rows);
    let sp = out.join("summary.md");
    let mut header = format!("# sns bench\n\n`{command}`\n\n");
    if runs.interrupted() {
        header.push_str(&format!(
            "**Interrupted**: {} of {} runs finished; the tables are over those.\n\n",
            runs.done, runs.total
        ));
    }
    keep(
        sp.clone(),
        crate::output::write_file(&sp, format!("{header}{summary}").as_bytes())
            .map_err(output_error),
    );
    let mut meta = run_meta(spec, command, version, source, started, wall);
    meta.interrupted = runs.interrupted();
    meta.runs_done = runs.done;
    meta.runs_total = runs.total;
    let mp = out.join("run.toml");
    let toml = toml::to_string_pretty(&meta).map_err(|e| BenchError::Output {
        path: mp.display().to_string(),
        reason: e.to_string(),
    });
    keep(
        mp.clone(),
        toml.and_then(|t| crate::output::write_file(&mp, t.as_bytes()).map_err(output_error)),
    );
    Ok(BenchOutcome {
        runs,
        summary,
        written,
        write_errors,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Regression: an agent that could not be built on some world was found only when its job
    /// ran, after every valid job had run, and the whole benchmark was thrown away.
    #[test]
    fn every_job_is_checked_before_the_first_runs() {
        let mut neural = BenchAgent::parse("sns:neural").expect("agent");
        neural.spec.dims = Some(100); // not a multiple of 12
        let spec = BenchSpec {
            agents: vec![BenchAgent::parse("random").expect("agent"), neural],
            worlds: vec![World::parse_maze("u").expect("u")],
            seeds: 3,
            trials: 1,
            dynamics: Dynamics::Kinematic,
            max_steps: 100,
            hide_goal: false,
        };
        let ran = std::sync::atomic::AtomicUsize::new(0);
        let e = run_bench(&spec, &|| {
            ran.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        })
        .expect_err("dims 100 is refused");
        assert_eq!(ran.into_inner(), 0, "jobs ran before the check failed");
        // The message and its cause, as `{:#}` shows them: the cause once.
        let full = format!(
            "{e}: {}",
            std::error::Error::source(&e).map_or(String::new(), |s| s.to_string())
        );
        assert!(full.starts_with("sns:neural on u seed 0: "), "{full}");
        assert_eq!(full.matches("--dims 100").count(), 1, "{full}");
    }

    /// A benchmark of `seeds` quick runs (random agent, maze u, 200 steps).
    fn quick_spec(seeds: u64) -> BenchSpec {
        BenchSpec {
            agents: vec![BenchAgent::parse("random").expect("agent")],
            worlds: vec![World::parse_maze("u").expect("u")],
            seeds,
            trials: 2,
            dynamics: Dynamics::Kinematic,
            max_steps: 200,
            hide_goal: false,
        }
    }

    fn scratch(tag: &str) -> PathBuf {
        let d = std::env::temp_dir().join(format!("sns-bench-{tag}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&d);
        d
    }

    fn read_csv(path: &Path) -> Vec<BenchRow> {
        csv::Reader::from_path(path)
            .expect("open runs.csv")
            .deserialize()
            .collect::<Result<Vec<BenchRow>, _>>()
            .expect("valid runs.csv")
    }

    #[test]
    fn a_stopped_bench_keeps_the_finished_runs_and_says_so() {
        let spec = quick_spec(40);
        let stop = AtomicBool::new(false);
        let done = std::sync::atomic::AtomicU64::new(0);
        let out = scratch("stop");
        // Stop after the third finished run: the jobs already running finish, no new one starts.
        let o = bench_to_dir_until(
            &spec,
            &out,
            "test".into(),
            "0",
            &|| {
                if done.fetch_add(1, Ordering::SeqCst) + 1 >= 3 {
                    stop.store(true, Ordering::SeqCst);
                }
            },
            &stop,
        )
        .expect("bench");
        assert!(o.write_errors.is_empty(), "{:?}", o.write_errors);
        assert!(o.runs.interrupted(), "{} of {}", o.runs.done, o.runs.total);
        assert!(o.runs.done >= 3 && o.runs.done < 40, "{}", o.runs.done);
        assert_eq!(o.runs.rows.len() as u64, 2 * o.runs.done);
        let rows = read_csv(&out.join("runs.csv"));
        assert_eq!(rows, o.runs.rows);
        // The rows are those of the full run, less the runs not done.
        let full = run_bench(&spec, &|| {}).expect("full bench");
        assert!(rows.iter().all(|r| full
            .iter()
            .any(|f| f.seed == r.seed && f.trial == r.trial && f.steps == r.steps)));
        let meta: toml::Value =
            toml::from_str(&std::fs::read_to_string(out.join("run.toml")).expect("run.toml"))
                .expect("valid toml");
        assert_eq!(meta["interrupted"].as_bool(), Some(true));
        assert_eq!(meta["runs_done"].as_integer(), Some(o.runs.done as i64));
        assert_eq!(meta["runs_total"].as_integer(), Some(40));
        let summary = std::fs::read_to_string(out.join("summary.md")).expect("summary");
        assert!(summary.contains("**Interrupted**"), "{summary}");
        std::fs::remove_dir_all(&out).expect("clean up");
    }

    #[test]
    fn a_file_that_cannot_be_written_does_not_stop_the_others() {
        let out = scratch("partial");
        // runs.csv is taken by a folder: it fails, summary.md and run.toml are written.
        std::fs::create_dir_all(out.join("runs.csv")).expect("dir");
        let o = bench_to_dir_until(
            &quick_spec(2),
            &out,
            "test".into(),
            "0",
            &|| {},
            &AtomicBool::new(false),
        )
        .expect("bench");
        assert_eq!(o.write_errors.len(), 1, "{:?}", o.write_errors);
        assert!(o.write_errors[0].to_string().contains("runs.csv"));
        assert_eq!(
            o.written,
            vec![out.join("summary.md"), out.join("run.toml")]
        );
        assert!(!o.summary.is_empty() && o.runs.rows.len() == 4);
        let meta = std::fs::read_to_string(out.join("run.toml")).expect("run.toml");
        assert!(meta.contains("interrupted = false"), "{meta}");
        std::fs::remove_dir_all(&out).expect("clean up");
    }

    #[test]
    fn an_out_that_is_a_file_is_refused_before_running() {
        let out = scratch("file");
        std::fs::write(&out, "not a folder").expect("file");
        let ran = std::sync::atomic::AtomicU64::new(0);
        let e = bench_to_dir_until(
            &quick_spec(2),
            &out,
            "test".into(),
            "0",
            &|| {
                ran.fetch_add(1, Ordering::SeqCst);
            },
            &AtomicBool::new(false),
        )
        .expect_err("a file");
        assert!(e.to_string().contains("not a folder"), "{e}");
        assert_eq!(ran.load(Ordering::SeqCst), 0);
        std::fs::remove_file(&out).expect("clean up");
    }

    #[test]
    fn world_labels_and_tasks() {
        let w = World::parse_maze("large:3").expect("valid");
        assert_eq!(w.label(), "large:3");
        assert_eq!(w.task_number(), Some(3));
        assert!(World::parse_maze("large:9").is_err());
        assert!(World::parse_maze("u:1").is_err());
        assert!(World::parse_maze("nosuchmaze").is_err());
        // A generated maze's colons are its arguments, not a task.
        let g = World::parse_maze("perfect:9x7:3").expect("valid");
        assert_eq!(
            (g.label(), g.task_number()),
            ("perfect:9x7:3".to_string(), None)
        );
        assert!(World::parse_maze("perfect:9x7").is_err());
        let all = with_ogbench_tasks(vec![
            World::parse_maze("u").expect("u"),
            World::parse_maze("medium").expect("medium"),
        ]);
        assert_eq!(all.len(), 7);
    }
}
