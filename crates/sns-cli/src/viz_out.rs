//! The picture (`--plot`) and replay page (`--report`) of `sns run`.

use anyhow::{bail, Context, Result};
use sns_harness::{
    ControlRecordSpec, ControlRecorder, ControlRunResult, RecordSpec, Recorder, RunResult,
};
use std::path::{Path, PathBuf};

/// Checks the output paths before a (possibly long) run: known extension, existing folder.
pub fn check_paths(plot: Option<&Path>, report: Option<&Path>) -> Result<()> {
    if let Some(p) = plot {
        sns_viz::Format::from_path(p).with_context(|| "--plot".to_string())?;
        check_parent("--plot", p)?;
    }
    if let Some(p) = report {
        sns_viz::report::check_html_path(p).with_context(|| "--report".to_string())?;
        check_parent("--report", p)?;
    }
    Ok(())
}

fn check_parent(flag: &str, p: &Path) -> Result<()> {
    match p.parent() {
        Some(dir) if !dir.as_os_str().is_empty() && !dir.is_dir() => {
            bail!(
                "{flag} {}: folder {} does not exist",
                p.display(),
                dir.display()
            )
        }
        _ => Ok(()),
    }
}

/// Writes what was asked for, then drops the trajectories (so `--json` prints the same summary
/// with or without `--plot`). Each file is tried even when the other failed; the error names
/// every file that could not be written.
pub fn write(
    result: &mut RunResult,
    recorder: Option<Recorder>,
    limits: &RecordSpec,
    plot: Option<PathBuf>,
    report: Option<PathBuf>,
) -> Result<()> {
    let mut failed = Vec::new();
    if let Some(p) = plot {
        if let Err(e) = sns_viz::picture::write_run_picture(result, &p) {
            failed.push(format!("--plot: {e}"));
        }
    }
    if let (Some(p), Some(rec)) = (report, recorder) {
        if let Err(e) = sns_viz::report::write_report(result, &rec.finish(), limits, &p) {
            failed.push(format!("--report: {e}"));
        }
    }
    for t in &mut result.trials {
        t.trajectory.clear();
    }
    if failed.is_empty() {
        Ok(())
    } else {
        bail!("{}", failed.join("; "))
    }
}

/// [`write()`] for a run on a control world: its phase portrait and its replay page, from one
/// recording.
pub fn write_control(
    result: &ControlRunResult,
    recorder: Option<ControlRecorder>,
    limits: &ControlRecordSpec,
    plot: Option<PathBuf>,
    report: Option<PathBuf>,
) -> Result<()> {
    let Some(rec) = recorder.map(ControlRecorder::finish) else {
        return Ok(());
    };
    let mut failed = Vec::new();
    if let Some(p) = plot {
        if let Err(e) = sns_viz::control::write_control_picture(result, &rec, &p) {
            failed.push(format!("--plot: {e}"));
        }
    }
    if let Some(p) = report {
        if let Err(e) = sns_viz::control::write_control_report(result, &rec, limits, &p) {
            failed.push(format!("--report: {e}"));
        }
    }
    if failed.is_empty() {
        Ok(())
    } else {
        bail!("{}", failed.join("; "))
    }
}
