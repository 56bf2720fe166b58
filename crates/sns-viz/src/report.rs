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
//!
//! The maze page and the control page ([`crate::control`]) are made of one template each plus the
//! pieces they share (style, player controls, trial selector, test interface; `src/replay/`),
//! which the templates name as lines `/*SNS:piece*/`, filled in before the data.

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
            steps_per_second: finite_or_zero(result.steps_per_second),
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
    fill_page(TEMPLATE, &data)
}

/// The pieces the maze and the control replay pages share (their style, the replay card, the
/// player's controls, the trial selector's rows, the test interface, helpers), by name. A template
/// holds each piece it uses as a line of its own, `/*SNS:name*/`, which [`fill_page`] replaces
/// with the piece.
const SHARED: [(&str, &str); 11] = [
    ("page_head.html", include_str!("replay/page_head.html")),
    ("replay.css", include_str!("replay/replay.css")),
    ("replay_card.html", include_str!("replay/replay_card.html")),
    ("data_slot.html", include_str!("replay/data_slot.html")),
    ("last_le.js", include_str!("replay/last_le.js")),
    ("colors.js", include_str!("replay/colors.js")),
    ("sync.js", include_str!("replay/sync.js")),
    ("controls.js", include_str!("replay/controls.js")),
    ("trial_select.js", include_str!("replay/trial_select.js")),
    ("trial_rows.js", include_str!("replay/trial_rows.js")),
    ("api.js", include_str!("replay/api.js")),
];

/// The page of `template`: its shared pieces filled in ([`SHARED`]), then `data` as JSON made safe
/// for a `<script>` element ([`escape_for_script`]) in its data slot.
pub(crate) fn fill_page<T: Serialize>(template: &str, data: &T) -> Result<String, VizError> {
    let mut page = template.to_string();
    for (name, piece) in SHARED {
        page = page.replace(&format!("/*SNS:{name}*/\n"), piece);
    }
    if page.contains("/*SNS:") {
        return Err(VizError::Missing(
            "the report template names a shared piece that does not exist".into(),
        ));
    }
    // serde_json writes non-finite numbers as null, which the page treats as missing.
    let json = serde_json::to_string(data).map_err(|e| VizError::Draw {
        what: "the replay data".into(),
        reason: e.to_string(),
    })?;
    let json = escape_for_script(&json);
    let (head, tail) = page
        .split_once(PLACEHOLDER)
        .ok_or_else(|| VizError::Missing("the report template has no data slot".into()))?;
    let mut out = String::with_capacity(page.len() + json.len());
    out.push_str(head);
    out.push_str(&json);
    out.push_str(tail);
    Ok(out)
}

/// `v` where it is finite, else 0 (a rate the page can show).
pub(crate) fn finite_or_zero(v: f64) -> f64 {
    if v.is_finite() {
        v
    } else {
        0.0
    }
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shared_pieces_and_data_are_filled_in() {
        let page = fill_page("a\n/*SNS:last_le.js*/\nb /*SNS_DATA*/ c", &[1, 2]).unwrap();
        let piece = SHARED.iter().find(|(n, _)| *n == "last_le.js").unwrap().1;
        assert_eq!(page, format!("a\n{piece}b [1,2] c"));
    }

    #[test]
    fn an_unknown_piece_or_a_missing_data_slot_is_an_error() {
        assert!(matches!(
            fill_page("/*SNS:nothing.js*/\n/*SNS_DATA*/", &0),
            Err(VizError::Missing(_))
        ));
        assert!(matches!(
            fill_page("/*SNS:api.js*/\n", &0),
            Err(VizError::Missing(_))
        ));
    }

    #[test]
    fn both_templates_use_only_known_pieces() {
        for template in [TEMPLATE, crate::control::TEMPLATE] {
            let page = fill_page(template, &0).unwrap();
            assert!(!page.contains("/*SNS:"));
        }
    }
}
