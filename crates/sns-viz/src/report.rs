//! A self-contained HTML replay of one run: one file, its script and style inline, no network.
//!
//! The page animates the ball, the cognitive graph growing and its edges changing strength, and
//! failures flashing as they appear, with play/pause, speed, a time scrubber, a trial selector
//! and the run's summary table. Its data is the run's [`Recording`] (subsampled, see
//! [`sns_harness::record`]), embedded as JSON.
//!
//! For tests the page exposes `window.__sns` (`ballPosition()`, `time()`, `play()`, `pause()`,
//! `seek(t)`, `isPlaying()`, `totalSteps`) and mirrors the ball's position in the canvas's
//! `data-ball` attribute.

use crate::VizError;
use serde::Serialize;
use sns_harness::record::RecordSpec;
use sns_harness::{Recording, RunResult, TrialResult};
use std::path::Path;

const TEMPLATE: &str = include_str!("report_template.html");
const PLACEHOLDER: &str = "/*SNS_DATA*/";

#[derive(Serialize)]
struct Meta<'a> {
    maze: &'a str,
    seed: u64,
    agent: &'a str,
    substrate: &'a str,
    dynamics: &'a str,
    start: [f64; 2],
    goal: [f64; 2],
    goal_radius: f64,
    shortest_path: Option<f64>,
    steps_per_second: f64,
    graph: sns_harness::runner::GraphSize,
}

#[derive(Serialize)]
struct MapData {
    rows: usize,
    cols: usize,
    text: String,
}

#[derive(Serialize)]
struct TrialRow {
    trial: u32,
    success: bool,
    steps: u64,
    path_length: f64,
    wall_time: f64,
}

impl From<&TrialResult> for TrialRow {
    fn from(t: &TrialResult) -> Self {
        TrialRow {
            trial: t.trial,
            success: t.success,
            steps: t.steps,
            path_length: t.path_length,
            wall_time: t.wall_time,
        }
    }
}

#[derive(Serialize)]
struct Limits {
    max_frames: usize,
    max_positions: usize,
}

#[derive(Serialize)]
struct Data<'a> {
    meta: Meta<'a>,
    map: MapData,
    trials: Vec<TrialRow>,
    rec: &'a Recording,
    limits: Limits,
}

/// The replay page of `result`, recorded as `rec` with the limits `limits`.
pub fn report_html(
    result: &RunResult,
    rec: &Recording,
    limits: &RecordSpec,
) -> Result<String, VizError> {
    let map = result
        .map
        .as_ref()
        .ok_or_else(|| VizError::Missing("the run result has no map to replay".into()))?;
    let data = Data {
        meta: Meta {
            maze: &result.maze,
            seed: result.seed,
            agent: &result.agent,
            substrate: &result.substrate,
            dynamics: &result.dynamics,
            start: result.start,
            goal: result.goal,
            goal_radius: sns_worlds::GOAL_RADIUS,
            shortest_path: result.shortest_path,
            steps_per_second: if result.steps_per_second.is_finite() {
                result.steps_per_second
            } else {
                0.0
            },
            graph: result.graph,
        },
        map: MapData {
            rows: map.rows(),
            cols: map.cols(),
            text: map.to_text(),
        },
        trials: result.trials.iter().map(TrialRow::from).collect(),
        rec,
        limits: Limits {
            max_frames: limits.max_frames,
            max_positions: limits.max_positions,
        },
    };
    // serde_json writes non-finite numbers as null, which the page treats as missing.
    let json = serde_json::to_string(&data).map_err(|e| VizError::Draw {
        what: "the replay data".into(),
        reason: e.to_string(),
    })?;
    let json = escape_for_script(&json);
    let (head, tail) = TEMPLATE
        .split_once(PLACEHOLDER)
        .ok_or_else(|| VizError::Missing("the report template has no data slot".into()))?;
    let mut page = String::with_capacity(TEMPLATE.len() + json.len());
    page.push_str(head);
    page.push_str(&json);
    page.push_str(tail);
    Ok(page)
}

/// `json` made safe to sit inside a `<script>` element, still the same JSON: every `<` becomes
/// `\u003c` (so neither `</script>` nor `<!--`, which would change how the HTML parser reads the
/// element, can appear), and U+2028 and U+2029 become `\u2028` and `\u2029` (line terminators in
/// older JavaScript). In JSON these characters can only occur inside strings, where the escapes
/// mean the same characters.
pub fn escape_for_script(json: &str) -> String {
    let mut out = String::with_capacity(json.len());
    for c in json.chars() {
        match c {
            '<' => out.push_str("\\u003c"),
            '\u{2028}' => out.push_str("\\u2028"),
            '\u{2029}' => out.push_str("\\u2029"),
            c => out.push(c),
        }
    }
    out
}

/// Writes the replay page to `path` (which must end in `.html` or `.htm`).
pub fn write_report(
    result: &RunResult,
    rec: &Recording,
    limits: &RecordSpec,
    path: &Path,
) -> Result<(), VizError> {
    check_html_path(path)?;
    crate::write_file(path, report_html(result, rec, limits)?.as_bytes())
}

/// Checks that `path` names an HTML file.
pub fn check_html_path(path: &Path) -> Result<(), VizError> {
    match path
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase)
        .as_deref()
    {
        Some("html" | "htm") => Ok(()),
        _ => Err(VizError::Format {
            path: path.to_path_buf(),
            expected: "html",
        }),
    }
}
