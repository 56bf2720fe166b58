//! `sns bench`.

use crate::run_cmd::DynamicsArg;
use anyhow::{bail, Result};
use clap::Args;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use sns_harness::bench::{
    bench_to_dir_until, check_out_dir, job_count, with_ogbench_tasks, BenchAgent, BenchSpec, World,
};
use sns_harness::scenario::load_any;
use sns_harness::AnyScenario;
use sns_worlds::physics::Dynamics;
use std::io::IsTerminal;
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

/// Flags of `sns bench`.
#[derive(Args, Debug)]
pub struct BenchArgs {
    /// Agents, comma-separated: sns, random, bug2, dstar, oracle; `dstar:RES` sets D* Lite's grid
    /// resolution in metres, `sns:neural` the substrate.
    #[arg(
        long,
        value_delimiter = ',',
        default_value = "sns,random,bug2,dstar,oracle"
    )]
    pub agents: Vec<String>,
    /// Mazes, comma-separated: built-in names, map files, or generated mazes' specs
    /// (`perfect:41x41:3`, see `sns mazes`); `large:3` is OGBench task 3 of large. Default: every
    /// built-in maze (unless --scenarios is given).
    #[arg(long, value_delimiter = ',')]
    pub mazes: Option<Vec<String>>,
    /// Worlds, comma-separated: classic-control worlds (mountaincar, pendulum, acrobot,
    /// acrobot-continuous, cartpole-swingup; see `sns worlds`) or mazes as --mazes takes them.
    /// On a control world the agents are sns and sns:neural, random and oracle (mountaincar and
    /// pendulum); a row's `maze` column holds the world's name, its `optimal_steps` and
    /// `return` columns are filled.
    #[arg(long, value_delimiter = ',')]
    pub worlds: Vec<String>,
    /// Also run OGBench tasks 1-5 of every listed maze that has them (medium, large, giant).
    #[arg(long)]
    pub tasks: bool,
    /// Changing-world scenario files, maze or control, comma-separated (a scenario's own `trials`
    /// wins over --trials; its seed is ignored: seeds are 0..N).
    #[arg(long, value_delimiter = ',')]
    pub scenarios: Vec<String>,
    /// Seeds 0..N per agent and world.
    #[arg(long, default_value_t = 10, allow_negative_numbers = true, value_parser = clap::value_parser!(u64).range(1..=100_000))]
    pub seeds: u64,
    /// Trials per run (learning persists across them).
    #[arg(long, default_value_t = 3, allow_negative_numbers = true, value_parser = clap::value_parser!(u32).range(1..=10000))]
    pub trials: u32,
    /// World dynamics.
    #[arg(long, value_enum, default_value = "pointmaze")]
    pub dynamics: DynamicsArg,
    /// Search mode: no agent senses the goal's position, only the success signal (sns and random
    /// can run so; bug2, dstar and the oracle are refused).
    #[arg(long)]
    pub hide_goal: bool,
    /// Step budget of each trial (100 steps = 1 s).
    #[arg(long, default_value_t = 100_000, allow_negative_numbers = true, value_parser = clap::value_parser!(u64).range(1..=100_000_000))]
    pub max_steps: u64,
    /// Set an SNS parameter for every agent, as NAME=VALUE (repeatable), as `sns run --param`
    /// does: a maze agent's (`sns_core::MazeParams`; the controller's, e.g. `cruise_speed`, apply
    /// to the baselines too, which drive with the same controller) on the mazes, the control
    /// agent's (`sns_core::system::SystemParams`, e.g. `hold_control=false`) on the control worlds;
    /// a name both have sets both. run.toml records every parameter's value, so an ablation is
    /// an archived run.
    #[arg(long = "param", value_name = "NAME=VALUE")]
    pub params: Vec<String>,
    /// Output folder for runs.csv, summary.md and run.toml.
    #[arg(long, default_value = "bench-out")]
    pub out: PathBuf,
    /// Worker threads, 1 to 1024 (default: one per core).
    #[arg(long, allow_negative_numbers = true,
          value_parser = clap::builder::RangedU64ValueParser::<usize>::new().range(1..=MAX_THREADS as u64))]
    pub threads: Option<usize>,
    /// No progress bar.
    #[arg(long)]
    pub quiet: bool,
}

/// The most worker threads `--threads` accepts: each has its own stack, and a pool is spawned
/// before any job runs.
pub const MAX_THREADS: usize = 1024;

/// Runs `sns bench`.
pub fn run(args: BenchArgs) -> Result<()> {
    let (params, system) = crate::run_cmd::parse_bench_params(&args.params)?;
    let mut agents = args
        .agents
        .iter()
        .map(|a| BenchAgent::parse(a.trim()))
        .collect::<Result<Vec<_>, _>>()?;
    for a in &mut agents {
        a.spec.params = params;
        a.spec.system = system;
    }
    let only_defaults = args.scenarios.is_empty() && args.worlds.is_empty();
    let maze_names: Vec<String> = match (&args.mazes, only_defaults) {
        (Some(m), _) => m.clone(),
        (None, true) => sns_worlds::maze::BUILTIN
            .iter()
            .map(|(n, _, _)| n.to_string())
            .collect(),
        (None, false) => Vec::new(),
    };
    let mut worlds = maze_names
        .iter()
        .map(|m| World::parse_maze(m.trim()))
        .collect::<Result<Vec<_>, _>>()?;
    for w in &args.worlds {
        let w = World::parse(w.trim()).map_err(|e| anyhow::anyhow!("--worlds: {e}"))?;
        if !worlds.contains(&w) {
            worlds.push(w);
        }
    }
    if args.tasks {
        worlds = with_ogbench_tasks(worlds);
    }
    for f in &args.scenarios {
        worlds.push(match load_any(f)? {
            AnyScenario::Maze(s) => World::Scenario(Arc::new(s)),
            AnyScenario::Control(s) => World::Control {
                kind: s.world,
                scenario: Some(Arc::new(s)),
            },
        });
    }
    if worlds.is_empty() {
        bail!("no mazes, worlds or scenarios to run");
    }
    let spec = BenchSpec {
        agents,
        worlds,
        seeds: args.seeds,
        trials: args.trials,
        dynamics: match args.dynamics {
            DynamicsArg::Pointmaze => Dynamics::PointMaze,
            DynamicsArg::Kinematic => Dynamics::Kinematic,
        },
        max_steps: args.max_steps,
        hide_goal: args.hide_goal,
    };
    if check_out_dir(&args.out).is_err() {
        bail!(
            "--out {}: is a file; --out must be a folder (runs.csv, summary.md and run.toml are \
             written into it)",
            args.out.display()
        );
    }
    // Every job is checked before the first runs (and before the pool is spawned).
    sns_harness::bench::check_bench(&spec)?;
    if let Some(n) = args.threads {
        rayon::ThreadPoolBuilder::new()
            .num_threads(n)
            .build_global()
            .map_err(|e| anyhow::anyhow!("--threads {n}: {e}"))?;
    }
    let bar = if args.quiet || !std::io::stderr().is_terminal() {
        ProgressBar::hidden()
    } else {
        let b = ProgressBar::with_draw_target(Some(job_count(&spec)), ProgressDrawTarget::stderr());
        b.set_style(
            ProgressStyle::with_template(
                "{bar:40} {pos}/{len} runs [{elapsed_precise}, eta {eta}]",
            )
            .unwrap_or_else(|_| ProgressStyle::default_bar()),
        );
        b
    };
    let command = std::env::args()
        .map(|a| {
            if a.is_empty() || a.contains(|c: char| c.is_whitespace() || c == '"' || c == '\'') {
                format!("'{}'", a.replace('\'', "'\\''"))
            } else {
                a
            }
        })
        .collect::<Vec<_>>()
        .join(" ");
    catch_ctrl_c(&bar);
    let outcome = bench_to_dir_until(
        &spec,
        &args.out,
        command,
        env!("CARGO_PKG_VERSION"),
        &|| bar.inc(1),
        &STOP,
    )?;
    bar.finish_and_clear();
    let written: Vec<String> = outcome
        .written
        .iter()
        .map(|p| p.display().to_string())
        .collect();
    let mut text = format!("{}\n", outcome.summary);
    if !written.is_empty() {
        text.push_str(&format!("wrote {}\n", written.join(", ")));
    }
    // Even when a file failed: the summary is what the run computed.
    crate::output::print(&text)?;
    let runs = &outcome.runs;
    if !outcome.write_errors.is_empty() {
        let errors: Vec<String> = outcome.write_errors.iter().map(|e| e.to_string()).collect();
        let stopped = if runs.interrupted() {
            format!(
                " (interrupted: {} of {} runs finished)",
                runs.done, runs.total
            )
        } else {
            String::new()
        };
        bail!("could not write {}{stopped}", errors.join("; "));
    }
    if runs.interrupted() {
        return Err(crate::output::Interrupted(format!(
            "{} of {} runs finished; their rows are in {}",
            runs.done,
            runs.total,
            args.out.join("runs.csv").display()
        ))
        .into());
    }
    Ok(())
}

/// Set by the first Ctrl-C: no new run starts (see `bench_to_dir_until`).
static STOP: AtomicBool = AtomicBool::new(false);

/// On the first Ctrl-C (SIGINT), stop starting runs and let the running ones finish, so that the
/// files hold every finished run; on the second, quit at once without writing (the files of an
/// earlier benchmark in that folder stay as they were: they are replaced only whole).
fn catch_ctrl_c(bar: &ProgressBar) {
    let bar = bar.clone();
    let set = ctrlc::set_handler(move || {
        if STOP.swap(true, Ordering::SeqCst) {
            crate::output::eprint_line("interrupted again: quitting without writing");
            std::process::exit(i32::from(crate::output::EXIT_INTERRUPTED));
        }
        bar.suspend(|| {
            crate::output::eprint_line(
                "interrupted: finishing the running runs, then writing the finished ones \
                 (Ctrl-C again to quit without writing)",
            )
        });
    });
    if let Err(e) = set {
        // The benchmark runs all the same; only Ctrl-C loses its results.
        crate::output::eprint_line(&format!("warning: cannot catch Ctrl-C: {e}"));
    }
}
