//! `sns run`.

use anyhow::{bail, Context, Result};
use clap::{Args, ValueEnum};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use sns_core::system::SystemParams;
use sns_core::ValidMazeParams;
use sns_harness::scenario::load_any;
use sns_harness::{
    AgentKind, AgentSpec, AnyScenario, ControlRunResult, ControlRunSpec, ControlScenario,
    ControlWorldKind, RunError, RunResult, RunSpec, SubstrateKind, MAX_DIMS,
};
use sns_worlds::env::TaskSpec;
use sns_worlds::physics::Dynamics;
use std::io::IsTerminal;

/// Dynamics choice on the command line.
#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum DynamicsArg {
    /// PointMaze's damped point mass driven by a force (100 Hz).
    Pointmaze,
    /// Velocity command, for fast experiments.
    Kinematic,
}

/// Substrate choice on the command line.
#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum SubstrateArg {
    /// Explicit graph.
    Symbolic,
    /// Grid-cell code (docs/NEURAL.md).
    Neural,
}

/// `--task`: an OGBench task number, or the seeded PointMaze draw.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum TaskArg {
    /// OGBench task 1 to 5.
    Ogbench(u32),
    /// Start and goal drawn from the seed.
    Random,
}

fn parse_task(s: &str) -> Result<TaskArg, String> {
    match s {
        "random" => Ok(TaskArg::Random),
        _ => match s.parse::<u32>() {
            Ok(k @ 1..=5) => Ok(TaskArg::Ogbench(k)),
            _ => Err("expected an OGBench task 1 to 5, or 'random'".into()),
        },
    }
}

/// Flags of `sns run`.
#[derive(Args, Debug)]
pub struct RunArgs {
    /// Built-in maze name (see `sns mazes`), a generated maze's spec (`perfect:41x41:3`,
    /// `braided:25x25:1`, ...; listed by `sns mazes`), or path to a map file in the PointMaze
    /// encoding (1 wall, 0 free, r start, g goal, c either; one row per line) [default: large].
    #[arg(long)]
    pub maze: Option<String>,
    /// A world: a classic-control world (mountaincar, pendulum, acrobot, acrobot-continuous,
    /// cartpole-swingup; see `sns worlds`) or, as --maze takes it, a maze (name, generated maze's
    /// spec or map file). On a control world the agents are sns (either substrate), random and
    /// oracle, every trial starts from the state the world's reset draws from --seed, and the
    /// maze flags (--dynamics, --start, --goal, --task, --self-motion) are refused (--dims sets
    /// the neural substrate's state-space code, --param the control agent's parameters).
    #[arg(long, value_name = "NAME|PATH", conflicts_with = "maze")]
    pub world: Option<String>,
    /// Seed: draws the start and goal (PointMaze's reset; with an OGBench task only its +-0.25
    /// noise); same seed, same run.
    #[arg(long, default_value_t = 0, allow_negative_numbers = true)]
    pub seed: u64,
    /// Number of trials of the same start -> goal; what the agent learned persists across them.
    #[arg(long, default_value_t = 3, allow_negative_numbers = true,
          value_parser = clap::value_parser!(u32).range(1..=10000))]
    pub trials: u32,
    /// Maze dynamics [default: pointmaze].
    #[arg(long, value_enum)]
    pub dynamics: Option<DynamicsArg>,
    /// Search mode: the agent does not sense the goal's position, only the success signal, and
    /// must search for it (sns and random can; bug2, dstar and the oracle are refused).
    #[arg(long)]
    pub hide_goal: bool,
    /// Step budget of each trial (100 steps = 1 s); a trial that hits it reports success false.
    #[arg(long, default_value_t = 100_000, allow_negative_numbers = true,
          value_parser = clap::value_parser!(u64).range(1..=100_000_000))]
    pub max_steps: u64,
    /// Pin the start cell, as ROW,COL (0-based, row 0 at the top).
    #[arg(long, value_name = "ROW,COL", allow_hyphen_values = true)]
    pub start: Option<String>,
    /// Pin the goal cell, as ROW,COL.
    #[arg(long, value_name = "ROW,COL", allow_hyphen_values = true)]
    pub goal: Option<String>,
    /// OGBench fixed task 1 to 5 (mazes medium, large and giant), or `random`: start and goal
    /// drawn from --seed as PointMaze draws them. Default: task 1 (a task that crosses the maze)
    /// on medium, large and giant when no --start, --goal or --scenario is given; the draw
    /// elsewhere.
    #[arg(long, value_name = "1-5|random", allow_negative_numbers = true, value_parser = parse_task)]
    pub task: Option<TaskArg>,
    /// Agent to run: sns, random, bug2, dstar (dstar:RES sets the grid resolution in metres) or
    /// oracle; on a control world sns (symbolic or neural substrate), random or oracle
    /// (mountaincar and pendulum).
    #[arg(long, default_value = "sns")]
    pub agent: String,
    /// Changing-world scenario file (TOML, see `scenarios/`): it names its maze or world (a
    /// different --maze or --world is refused), its task replaces --task/--start/--goal, its seed
    /// and trials (when it sets them) replace --seed and --trials, and its changes are applied at
    /// their trial and step.
    #[arg(long, value_name = "FILE")]
    pub scenario: Option<String>,
    /// Substrate of the SNS agent [default: symbolic]; `--agent sns:neural` says the same.
    #[arg(long, value_enum)]
    pub substrate: Option<SubstrateArg>,
    /// Dimension of the neural substrate's harmonic code: complex phasors, a multiple of 12
    /// (modules of 4 rotated hexagonal triples), at most 1536 (each graph node stores the code)
    /// [default: derived from the maze's extent, 192 on every maze up to 80 m across, e.g. 204 at
    /// 61x61 cells, 240 at 201x201]; beyond 80 m at least the derived value. On a control world
    /// the state-space code: a multiple of 6 x the state dimension [default: derived from the
    /// task, 132 on the 2-D worlds, 288 on the 4-D ones]. See docs/NEURAL.md.
    #[arg(long, allow_negative_numbers = true,
          value_parser = clap::builder::RangedU64ValueParser::<usize>::new().range(1..=MAX_DIMS as u64))]
    pub dims: Option<usize>,
    /// Neural substrate only: the agent is given its position only at the start of each trial
    /// and navigates on its path-integrated code (velocity x dt).
    #[arg(long)]
    pub self_motion: bool,
    /// Set an SNS parameter, as NAME=VALUE (repeatable), e.g. `--param generalise=false` or
    /// `--param habituation=0`; the names and defaults are those of `sns_core::MazeParams` on a
    /// maze, of `sns_core::system::SystemParams` on a control world (e.g. `--param
    /// hold_control=false`; see docs/METHOD.md).
    #[arg(long = "param", value_name = "NAME=VALUE")]
    pub params: Vec<String>,
    /// Print one JSON object on stdout instead of the table.
    #[arg(long)]
    pub json: bool,
    /// No progress bar.
    #[arg(long)]
    pub quiet: bool,
    /// Also draw a top-down picture of the run (walls, trajectories, final graph, failures) to
    /// FILE.svg or FILE.png; on a control world, the phase portrait of each trial's trajectory
    /// with the agent's places and the goal region.
    #[arg(long, value_name = "FILE")]
    pub plot: Option<std::path::PathBuf>,
    /// Also write a self-contained HTML replay of the run (ball, growing graph, failures) to
    /// FILE.html; on a control world, the system itself (car on its hill, pendulum, acrobot,
    /// cart and pole) beside its phase portrait.
    #[arg(long, value_name = "FILE")]
    pub report: Option<std::path::PathBuf>,
}

/// Parses `ROW,COL`.
pub fn parse_cell(flag: &str, s: &str) -> Result<(usize, usize)> {
    let parts: Vec<&str> = s.split(',').map(str::trim).collect();
    if parts.len() != 2 {
        bail!("--{flag} '{s}': expected ROW,COL (two integers separated by a comma)");
    }
    let num = |p: &str| -> Result<usize> {
        p.parse::<usize>()
            .with_context(|| format!("--{flag} '{s}': '{p}' is not a non-negative integer"))
    };
    Ok((num(parts[0])?, num(parts[1])?))
}

/// Parses `--param NAME=VALUE` flags into checked SNS parameters (the defaults for the others);
/// warns on stderr when `dt` differs from the world's step (`self_motion`: the path integration
/// assumes it too).
pub fn parse_params(pairs: &[String], self_motion: bool) -> Result<sns_core::ValidMazeParams> {
    let mut params = sns_core::MazeParams::default();
    for kv in pairs {
        let (name, value) = split_param(kv)?;
        params
            .set(name, value)
            .map_err(|e| anyhow::anyhow!("--param '{kv}': {e}"))?;
    }
    let params = params
        .check()
        .map_err(|e| anyhow::anyhow!("--param: {e}"))?;
    if params.control.dt != sns_worlds::physics::DT {
        // Allowed (an experiment on a miscalibrated controller), but never what a user wants by
        // accident: the world's step does not change with it.
        eprintln!(
            "warning: --param dt={}: the world steps {} s; the agent's controller{} will assume \
             another step",
            params.control.dt,
            sns_worlds::physics::DT,
            if self_motion {
                " and its path integration"
            } else {
                ""
            }
        );
    }
    Ok(params)
}

/// Splits `--param NAME=VALUE` flags into a name and a value.
fn split_param(kv: &str) -> Result<(&str, &str)> {
    kv.split_once('=')
        .map(|(n, v)| (n.trim(), v.trim()))
        .ok_or_else(|| anyhow::anyhow!("--param '{kv}': expected NAME=VALUE"))
}

/// Parses `--param NAME=VALUE` flags into checked parameters of the control agent
/// (`sns_core::system::SystemParams`; the defaults for the others).
pub fn parse_system_params(pairs: &[String]) -> Result<SystemParams> {
    let mut params = SystemParams::default();
    for kv in pairs {
        let (name, value) = split_param(kv)?;
        params
            .set(name, value)
            .map_err(|e| anyhow::anyhow!("--param '{kv}': {e}"))?;
    }
    params
        .validate()
        .map_err(|e| anyhow::anyhow!("--param: {e}"))?;
    Ok(params)
}

/// Parses `sns bench`'s `--param NAME=VALUE` flags, which apply to every SNS agent: on the mazes
/// each names a `MazeParams` field, on the control worlds a `SystemParams` field, and a name
/// both have (`eta`, `habituation`, ...) sets both; a name neither has is an error.
pub fn parse_bench_params(pairs: &[String]) -> Result<(ValidMazeParams, SystemParams)> {
    let unknown = |e: &sns_core::ParamError| matches!(e, sns_core::ParamError::Unknown { .. });
    let (mut maze, mut control) = (Vec::new(), Vec::new());
    for kv in pairs {
        let (name, value) = split_param(kv)?;
        let m = sns_core::MazeParams::default().set(name, value);
        let c = SystemParams::default().set(name, value);
        match (m, c) {
            (Err(e), Err(f)) if unknown(&e) && unknown(&f) => {
                bail!("--param '{kv}': {e} (neither a maze nor a control-world parameter)")
            }
            (m, c) => {
                if !m.as_ref().is_err_and(unknown) {
                    maze.push(kv.clone());
                }
                if !c.as_ref().is_err_and(unknown) {
                    control.push(kv.clone());
                }
            }
        }
    }
    Ok((parse_params(&maze, false)?, parse_system_params(&control)?))
}

/// Whether `named` (a flag's maze) and `scenario` (a scenario's, a map file's path resolved next
/// to the scenario) are the same maze: the same name or spec, or the same file.
fn same_maze(named: &str, scenario: &str) -> bool {
    let file = |p: &str| std::fs::canonicalize(p).ok();
    named == scenario || file(named).is_some_and(|f| Some(f) == file(scenario))
}

/// Runs `sns run`.
pub fn run(args: RunArgs) -> Result<()> {
    // The world named on the command line, if any (--maze and --world conflict).
    let named = args.world.as_deref().or(args.maze.as_deref());
    let flag = if args.world.is_some() {
        "--world"
    } else {
        "--maze"
    };
    let scenario = match args.scenario.as_deref().map(load_any).transpose()? {
        Some(AnyScenario::Control(sc)) => {
            if let Some(w) = named.filter(|w| *w != sc.world.name()) {
                bail!(
                    "{flag} {w} contradicts the scenario {}, which is for {}",
                    sc.file,
                    sc.world
                );
            }
            return run_control(args, sc.world, Some(sc));
        }
        Some(AnyScenario::Maze(sc)) => {
            if let Some(w) = named.filter(|w| !same_maze(w, &sc.maze)) {
                bail!(
                    "{flag} {w} contradicts the scenario {}, which is for the maze {}",
                    sc.file,
                    sc.maze
                );
            }
            Some(sc)
        }
        None => None,
    };
    let maze = match (&args.world, &scenario) {
        (Some(w), None) => match w.parse::<ControlWorldKind>() {
            Ok(kind) => return run_control(args, kind, None),
            Err(_) => w.clone(),
        },
        (_, Some(sc)) => sc.maze.clone(),
        (None, None) => args.maze.clone().unwrap_or_else(|| "large".into()),
    };
    let task = TaskSpec {
        start: args
            .start
            .as_deref()
            .map(|s| parse_cell("start", s))
            .transpose()?,
        goal: args
            .goal
            .as_deref()
            .map(|s| parse_cell("goal", s))
            .transpose()?,
        task: match args.task {
            Some(TaskArg::Ogbench(k)) => Some(k),
            Some(TaskArg::Random) => None,
            // A newcomer's first run should cross the maze: seed 0's draw on large puts start and
            // goal 0.76 m apart.
            None if args.start.is_none()
                && args.goal.is_none()
                && sns_worlds::maze::ogbench_tasks(&maze).is_some() =>
            {
                Some(1)
            }
            None => None,
        },
    };
    let mut spec = RunSpec {
        maze,
        seed: args.seed,
        trials: args.trials,
        dynamics: match args.dynamics.unwrap_or(DynamicsArg::Pointmaze) {
            DynamicsArg::Pointmaze => Dynamics::PointMaze,
            DynamicsArg::Kinematic => Dynamics::Kinematic,
        },
        max_steps: args.max_steps,
        task,
        record_every: if args.plot.is_some() { 5 } else { 0 },
        hide_goal: args.hide_goal,
    };
    if let Some(sc) = &scenario {
        spec.maze = sc.maze.clone();
        spec.task = sc.task;
        spec.seed = sc.seed.unwrap_or(spec.seed);
        spec.trials = sc.trials.unwrap_or(spec.trials);
    }
    let agent = agent_spec(&args, false)?;
    let bar = progress_bar(args.quiet, spec.max_steps * spec.trials as u64);
    crate::viz_out::check_paths(args.plot.as_deref(), args.report.as_deref())?;
    let limits = sns_harness::RecordSpec::default();
    let mut recorder = args
        .report
        .as_ref()
        .map(|_| sns_harness::Recorder::new(limits));
    let mut result = sns_harness::run_scenario_recorded(
        &spec,
        scenario.as_ref(),
        &agent,
        &mut |steps| bar.set_position(steps),
        recorder.as_mut(),
    )
    .map_err(|e| name_the_flag(e, &args, scenario.is_some()))?;
    bar.finish_and_clear();
    // A picture or page that cannot be written must not cost the run: the results are printed
    // first, then the error.
    let written = crate::viz_out::write(&mut result, recorder, &limits, args.plot, args.report);
    let text = if args.json {
        serde_json::to_string_pretty(&result)? + "\n"
    } else {
        table(&result)
    };
    crate::output::print(&text)?;
    written
}

/// Prefixes the errors about the maze, start, goal or task with the flag that set them (unless a
/// scenario file set them: its errors name the file).
fn name_the_flag(e: RunError, args: &RunArgs, from_scenario: bool) -> anyhow::Error {
    use sns_worlds::WorldError;
    let flag = match &e {
        _ if from_scenario => None,
        RunError::World(WorldError::UnknownMaze(_)) if args.world.is_some() => {
            return anyhow::Error::new(e).context(format!(
                "--world: not a classic-control world ({}; see `sns worlds`) nor a maze",
                ControlWorldKind::names()
            ))
        }
        RunError::World(WorldError::UnknownMaze(_)) => Some(("maze", "")),
        RunError::World(WorldError::BadCell { what, .. }) if what == "start" => {
            Some(("start", args.start.as_deref().unwrap_or("")))
        }
        RunError::World(WorldError::BadCell { what, .. }) if what == "goal" => {
            Some(("goal", args.goal.as_deref().unwrap_or("")))
        }
        RunError::World(WorldError::BadTask { .. }) => Some(("task", "")),
        _ => None,
    };
    match flag {
        Some((flag, "")) => anyhow::Error::new(e).context(format!("--{flag}")),
        Some((flag, value)) => anyhow::Error::new(e).context(format!("--{flag} '{value}'")),
        None => anyhow::Error::new(e),
    }
}

/// The agent the flags ask for: `--agent` (with `--substrate`), `--param` (the maze agent's
/// parameters, or on a control world (`control`) the control agent's), `--dims`,
/// `--self-motion`.
fn agent_spec(args: &RunArgs, control: bool) -> Result<AgentSpec> {
    let substrate = args.substrate.map(|s| match s {
        SubstrateArg::Symbolic => SubstrateKind::Symbolic,
        SubstrateArg::Neural => SubstrateKind::Neural,
    });
    let kind = AgentKind::parse_with_substrate(&args.agent, substrate)
        .map_err(|e| anyhow::anyhow!("--agent '{}': {e}", args.agent))?;
    let (params, system) = if control {
        (
            ValidMazeParams::default(),
            parse_system_params(&args.params)?,
        )
    } else {
        (
            parse_params(&args.params, args.self_motion)?,
            SystemParams::default(),
        )
    };
    Ok(AgentSpec {
        kind,
        params,
        system,
        dims: args.dims,
        self_motion: args.self_motion,
    })
}

/// `sns run` on a classic-control world (named by `--world` or by a control scenario, whose seed
/// and trials, when it sets them, replace --seed and --trials).
fn run_control(
    args: RunArgs,
    world: ControlWorldKind,
    scenario: Option<ControlScenario>,
) -> Result<()> {
    // The maze flags mean nothing here: refused rather than ignored.
    for (given, flag) in [
        (args.dynamics.is_some(), "--dynamics"),
        (args.start.is_some(), "--start"),
        (args.goal.is_some(), "--goal"),
        (args.task.is_some(), "--task"),
        (args.self_motion, "--self-motion"),
    ] {
        if given {
            bail!("{flag} applies to mazes, not to the classic-control world {world}");
        }
    }
    let agent = agent_spec(&args, true)?;
    let mut spec = ControlRunSpec {
        world,
        seed: args.seed,
        trials: args.trials,
        max_steps: args.max_steps,
        hide_goal: args.hide_goal,
    };
    if let Some(sc) = &scenario {
        spec.seed = sc.seed.unwrap_or(spec.seed);
        spec.trials = sc.trials.unwrap_or(spec.trials);
    }
    crate::viz_out::check_paths(args.plot.as_deref(), args.report.as_deref())?;
    let limits = sns_harness::ControlRecordSpec::default();
    let mut recorder = (args.plot.is_some() || args.report.is_some())
        .then(|| sns_harness::ControlRecorder::new(limits));
    let bar = progress_bar(args.quiet, spec.max_steps * spec.trials as u64);
    let result = sns_harness::run_control_recorded(
        &spec,
        scenario.as_ref(),
        &agent,
        &mut |steps| bar.set_position(steps),
        recorder.as_mut(),
    )
    .map_err(|e| match &e {
        RunError::Agent(_) => anyhow::Error::new(e).context(format!("--agent '{}'", args.agent)),
        _ => anyhow::Error::new(e),
    })?;
    bar.finish_and_clear();
    // As for mazes: the results are printed even when a picture cannot be written.
    let written = crate::viz_out::write_control(&result, recorder, &limits, args.plot, args.report);
    let text = if args.json {
        serde_json::to_string_pretty(&result)? + "\n"
    } else {
        control_table(&result)
    };
    crate::output::print(&text)?;
    written
}

/// The per-trial table of `sns run` on a control world.
fn control_table(r: &ControlRunResult) -> String {
    use std::fmt::Write;
    let mut s = String::new();
    let _ = writeln!(
        s,
        "world {} ({})  seed {}  agent {} ({}){}",
        r.world,
        r.dynamics,
        r.seed,
        r.agent,
        r.substrate,
        if r.hide_goal {
            "  search mode: goal hidden"
        } else {
            ""
        }
    );
    let start: Vec<String> = r.start.iter().map(|x| format!("{x:.4}")).collect();
    let _ = writeln!(s, "start [{}]  success: {}", start.join(", "), r.goal);
    let _ = writeln!(
        s,
        "{:>5}  {:>7}  {:>8}  {:>13}  {:>13}  {:>10}",
        "trial", "success", "steps", "optimal steps", "steps/optimal", "return"
    );
    for t in &r.trials {
        let opt = t.optimal_steps.map_or("-".to_string(), |o| o.to_string());
        let ratio = match t.optimal_steps {
            Some(o) if t.success && o > 0 => format!("{:.2}", t.steps as f64 / o as f64),
            _ => "-".to_string(),
        };
        let _ = writeln!(
            s,
            "{:>5}  {:>7}  {:>8}  {:>13}  {:>13}  {:>10.2}",
            t.trial, t.success, t.steps, opt, ratio, t.ret
        );
    }
    let _ = writeln!(s, "speed: {:.0} steps/s", r.steps_per_second);
    for c in &r.changes {
        let state: Vec<String> = c.state.iter().map(|x| format!("{x:.4}")).collect();
        let _ = writeln!(s, "change: {}  (state [{}])", c.what, state.join(", "));
    }
    s
}

/// A progress bar on a terminal's stderr; hidden in pipes and with `--quiet`.
pub fn progress_bar(quiet: bool, len: u64) -> ProgressBar {
    if quiet || !std::io::stderr().is_terminal() {
        return ProgressBar::hidden();
    }
    let bar = ProgressBar::with_draw_target(Some(len), ProgressDrawTarget::stderr());
    bar.set_style(
        ProgressStyle::with_template(
            "{spinner} {pos} steps (budget {len}) {per_sec} [{elapsed_precise}]",
        )
        .unwrap_or_else(|_| ProgressStyle::default_bar()),
    );
    bar
}

/// The per-trial table of `sns run`. Path and path / L* are shown for successful trials only:
/// the path of a trial that did not reach the goal is not a path to it.
fn table(r: &RunResult) -> String {
    use std::fmt::Write;
    let mut s = String::new();
    // Writing to a String cannot fail.
    let _ = writeln!(
        s,
        "maze {}  seed {}  dynamics {}  agent {} ({}){}",
        r.maze,
        r.seed,
        r.dynamics,
        r.agent,
        r.substrate,
        if r.hide_goal {
            "  search mode: goal hidden"
        } else {
            ""
        }
    );
    let _ = writeln!(
        s,
        "start ({:.2}, {:.2})  goal ({:.2}, {:.2})  shortest path L* = {}",
        r.start[0],
        r.start[1],
        r.goal[0],
        r.goal[1],
        r.shortest_path
            .map_or("unreachable".to_string(), |l| format!("{l:.2} m"))
    );
    let _ = writeln!(
        s,
        "{:>5}  {:>7}  {:>8}  {:>11}  {:>8}",
        "trial", "success", "steps", "path (m)", "path/L*"
    );
    for t in &r.trials {
        let (path, ratio) = if t.success {
            (
                format!("{:.2}", t.path_length),
                // L* of this trial: a changing world can change it between trials.
                t.shortest_path
                    .map_or("-".to_string(), |l| format!("{:.2}", t.path_length / l)),
            )
        } else {
            ("-".to_string(), "-".to_string())
        };
        let _ = writeln!(
            s,
            "{:>5}  {:>7}  {:>8}  {:>11}  {:>8}",
            t.trial, t.success, t.steps, path, ratio
        );
    }
    let _ = writeln!(
        s,
        "graph: {} nodes, {} edges   speed: {:.0} steps/s",
        r.graph.nodes, r.graph.edges, r.steps_per_second
    );
    for c in &r.changes {
        let _ = writeln!(
            s,
            "change: {}  (ball at {:.2}, {:.2})",
            c.what, c.ball[0], c.ball[1]
        );
    }
    s
}
