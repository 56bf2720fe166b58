//! `sns plot`: figures of a benchmark folder, made from its `runs.csv` as a separate step.

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
    for p in written {
        println!("{}", p.display());
    }
    Ok(())
}
