//! `sns plot`: figures of a benchmark folder, made from its `runs.csv` as a separate step; and
//! `sns rate-maps`: pictures of the neural substrate over a maze.

use anyhow::{Context, Result};
use clap::Args;
use std::path::PathBuf;

/// Flags of `sns plot`.
#[derive(Args, Debug)]
pub struct PlotArgs {
    /// Benchmark output folder holding runs.csv (as written by `sns bench`); the figures
    /// (learning_curves.svg/.png, path_ratio.svg/.png) are written beside it.
    pub dir: PathBuf,
}

/// Runs `sns plot`.
pub fn run(args: PlotArgs) -> Result<()> {
    let written = sns_viz::bench_plot::plot_dir(&args.dir).context("sns plot")?;
    let list: String = written
        .iter()
        .map(|p| format!("{}\n", p.display()))
        .collect();
    crate::output::print(&list)?;
    Ok(())
}

/// Flags of `sns rate-maps`.
#[derive(Args, Debug)]
pub struct RateMapsArgs {
    /// Built-in maze name or map file.
    #[arg(long, default_value = "large")]
    pub maze: String,
    /// Output picture (.png).
    #[arg(long, value_name = "FILE.png")]
    pub out: PathBuf,
    /// Number of phasors of the harmonic code: a multiple of 12, at most 1536 (as `sns run
    /// --dims`).
    #[arg(long, default_value_t = sns_neural::DEFAULT_DIMS,
          value_parser = clap::builder::RangedU64ValueParser::<usize>::new()
              .range(1..=sns_harness::MAX_DIMS as u64))]
    pub dims: usize,
    /// Seed of the code's rotations and phases.
    #[arg(long, default_value_t = 0)]
    pub seed: u64,
}

/// Runs `sns rate-maps`.
pub fn rate_maps(args: RateMapsArgs) -> Result<()> {
    let map = sns_worlds::MazeMap::load(&args.maze)?;
    let code = sns_neural::HarmonicCode::new(sns_neural::CodeParams {
        dims: args.dims,
        seed: args.seed,
        ..sns_neural::CodeParams::default()
    })
    .context("--dims")?;
    sns_viz::neural::write_rate_maps(&code, &map, &args.out).context("--out")?;
    Ok(())
}
