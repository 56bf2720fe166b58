//! `sns`: the command-line front end. It only parses flags and glues the crates together.

mod bench_cmd;
mod output;
mod plot_cmd;
mod run_cmd;
mod viz_out;

use clap::{Parser, Subcommand};
use std::process::ExitCode;

/// Systematic Neural Search: an agent that solves continuous mazes it has never seen, in one life.
#[derive(Parser, Debug)]
#[command(name = "sns", version, about, long_about = None)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Run K trials of one task (a maze's start -> goal, or a control world's) with one agent and
    /// print a per-trial table (or JSON).
    Run(run_cmd::RunArgs),
    /// List the built-in mazes and the generators of seeded mazes.
    Mazes,
    /// List every world: the classic-control worlds, then the mazes.
    Worlds,
    /// Run agents x worlds (mazes, control worlds, scenarios) x seeds in parallel; write runs.csv,
    /// summary.md, run.toml.
    Bench(bench_cmd::BenchArgs),
    /// Plot a benchmark folder: learning curves and path length / L* from DIR/runs.csv.
    Plot(plot_cmd::PlotArgs),
    /// Draw rate maps of the neural substrate (grid units of each module, place units) over a maze.
    RateMaps(plot_cmd::RateMapsArgs),
}

/// Exit code for bad input (flags, files).
const EXIT_BAD_INPUT: u8 = 2;

/// What `sns mazes` prints.
fn mazes_list() -> String {
    let mut list = String::new();
    for (name, desc, text) in sns_worlds::maze::BUILTIN {
        let rows = text.lines().count();
        let cols = text.lines().next().map_or(0, str::len);
        list.push_str(&format!("{name:<8} {rows:>2}x{cols:<2}  {desc}\n"));
    }
    list.push_str(
        "\ngenerated mazes (seeded; use the spec as the maze name, e.g. perfect:41x41:3):\n",
    );
    for (spec, desc) in sns_worlds::generate::SPECS {
        list.push_str(&format!("  {spec:<28} {desc}\n"));
    }
    list
}

/// What `sns worlds` prints: each control world with its description, state, action and
/// success, then the mazes as `sns mazes` lists them.
fn worlds_list() -> String {
    use sns_harness::ControlWorldKind;
    let mut list = String::from("classic-control worlds (sns run --world NAME):\n");
    for k in ControlWorldKind::ALL {
        list.push_str(&format!("{:<19} {}\n", k.name(), k.description()));
        list.push_str(&format!(
            "{:<19} state {}; action {}; success {}; oracle {}\n",
            "",
            k.state(),
            k.action(),
            k.success(),
            if k.has_oracle() { "yes" } else { "no" }
        ));
    }
    list.push_str("\nmazes (sns run --world NAME, or --maze NAME):\n");
    list.push_str(&mazes_list());
    list
}

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(c) => c,
        Err(e) => {
            use clap::error::ErrorKind;
            // clap's whole message: help and version on stdout (exit 0); a usage error on stderr
            // (exit 2) with what clap knows beyond its first line, which can be all that says
            // what is wrong (the missing arguments, the valid values of `--dynamics`).
            let to_stdout = matches!(
                e.kind(),
                ErrorKind::DisplayHelp
                    | ErrorKind::DisplayVersion
                    | ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand
            );
            if let Err(err) = e.print() {
                if to_stdout {
                    return output::fail(&output::StdoutError(err).into());
                }
            }
            return ExitCode::from(e.exit_code() as u8);
        }
    };
    let result = match cli.command {
        Command::Run(args) => run_cmd::run(args),
        Command::Bench(args) => bench_cmd::run(args),
        Command::Plot(args) => plot_cmd::run(args),
        Command::RateMaps(args) => plot_cmd::rate_maps(args),
        Command::Mazes => output::print(&mazes_list()).map_err(anyhow::Error::from),
        Command::Worlds => output::print(&worlds_list()).map_err(anyhow::Error::from),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => output::fail(&e),
    }
}
