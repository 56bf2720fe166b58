//! Pictures of runs on the classic-control worlds: a phase portrait of each trial's trajectory
//! with the agent's places over it ([`write_control_picture`]), and a self-contained replay page
//! that animates the system itself (the car on its hill, the pendulum, the acrobot's two links,
//! the cart and its pole) beside the phase portrait ([`control_report_html`]).
//!
//! Both read a [`ControlRunResult`] and the [`ControlRecording`] of the same run. The state
//! space is shown in [`panels`]: one for the 2-D worlds (MountainCar position/velocity, pendulum
//! angle/angular speed), two for the 4-D ones (acrobot `theta1`/`theta2` and the two joint speeds;
//! cart-pole `theta`/`theta_dot` and `x`/`theta`). Angles are wrapped into `[-pi, pi)` and a
//! trajectory that wraps is broken there rather than drawn across the panel. The goal region is
//! shaded as the world's own goal test ([`sns_harness::control::goal_test`]) finds it on a grid of
//! the panel, the coordinates not shown set to 0 (the acrobot's goal depends on its angles only,
//! the cart-pole's on `x` and `theta`, so their panels show it exactly). When a scenario changed
//! the goal, the region after the change is shaded too, in another colour.
//!
//! In the SVG each trial's trajectory is one or more `<polyline>`s in [`trial_color`], each place
//! one `<circle>` filled with [`NODE_COLOR`], and each place's edge (its most effective primitive,
//! see [`sns_harness::agents::PlaceView`]) a two-point `<polyline>` in [`EDGE_COLOR`] whose opacity
//! grows with its effectiveness.

use crate::picture::{
    draw_effectiveness_scale, draw_trial_list, legend_styles, subsample, trajectory_elements,
    trial_color, EDGE_COLOR, GOAL_COLOR, MAX_TRAJECTORY_POINTS, NODE_COLOR, START_COLOR,
};
use crate::report::{fill_page, finite_or_zero};
use crate::{draw_err, font, Format, VizError};
use plotters::coord::Shift;
use plotters::prelude::*;
use serde::Serialize;
use sns_harness::control::goal_test;
use sns_harness::control_record::{ControlRecordSpec, ParamsAt};
use sns_harness::{ControlRecording, ControlRunResult, ControlWorldKind};
use std::path::Path;

/// Goal region after a scenario's change of it.
pub const GOAL_AFTER_COLOR: RGBColor = RGBColor(0x17, 0x9c, 0xb0);

/// Cells of the goal region's grid per panel (columns, rows).
pub const GOAL_GRID: (usize, usize) = (160, 120);

/// One panel of a phase portrait: which coordinates it shows and over what ranges.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Panel {
    /// The state coordinate on the horizontal axis.
    pub x: usize,
    /// The state coordinate on the vertical axis.
    pub y: usize,
    /// Label of the horizontal axis.
    pub xlabel: &'static str,
    /// Label of the vertical axis.
    pub ylabel: &'static str,
    /// Range of the horizontal axis.
    pub xr: [f64; 2],
    /// Range of the vertical axis.
    pub yr: [f64; 2],
    /// The goal region on a [`GOAL_GRID`] of the panel: one character per cell, `1` inside,
    /// rows from the top.
    pub goal: String,
    /// The goal region after a scenario changed it, when it differs from `goal`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub goal_after: Option<String>,
}

/// How a panel's axis is chosen: a state coordinate, its label, and whether its range is the
/// state space's bounds (positions and angles) or fitted to the trajectories (speeds whose
/// bounds only set a scale).
struct AxisDef(usize, &'static str, bool);

/// The panels of `world`, as (horizontal, vertical) axes.
fn panel_axes(world: ControlWorldKind) -> Vec<(AxisDef, AxisDef)> {
    use ControlWorldKind::*;
    match world {
        MountainCar => vec![(
            AxisDef(0, "position x", false),
            AxisDef(1, "velocity v (per step)", false),
        )],
        Pendulum => vec![(
            AxisDef(0, "angle theta (rad, 0 upright)", false),
            AxisDef(1, "angular speed (rad/s)", false),
        )],
        Acrobot | AcrobotContinuous => vec![
            (
                AxisDef(0, "theta1 (rad, 0 hanging)", false),
                AxisDef(1, "theta2 (rad, relative to link 1)", false),
            ),
            (
                AxisDef(2, "joint speed omega1 (rad/s)", true),
                AxisDef(3, "joint speed omega2 (rad/s)", true),
            ),
        ],
        CartPoleSwingUp => vec![
            (
                AxisDef(2, "pole angle theta (rad, 0 upright)", false),
                AxisDef(3, "pole speed theta_dot (rad/s)", true),
            ),
            (
                AxisDef(0, "cart position x (m)", false),
                AxisDef(2, "pole angle theta (rad, 0 upright)", false),
            ),
        ],
    }
}

/// The world of a recording.
fn world_of(rec: &ControlRecording) -> Result<ControlWorldKind, VizError> {
    rec.world.parse::<ControlWorldKind>().map_err(|_| {
        VizError::Missing(format!(
            "the recording is of '{}', not of a classic-control world",
            rec.world
        ))
    })
}

/// The range of coordinate `i`: the space's bounds, or (when `fit` or a bound is infinite) the
/// recorded states' extent with a margin, symmetric about 0, within the bounds.
fn axis_range(rec: &ControlRecording, i: usize, fit: bool) -> Result<[f64; 2], VizError> {
    let ax = rec
        .axes
        .get(i)
        .ok_or_else(|| VizError::Missing(format!("the recording has no state coordinate {i}")))?;
    let bounded = ax.low.is_finite() && ax.high.is_finite() && ax.high > ax.low;
    if bounded && (!fit || ax.periodic) {
        return Ok([ax.low, ax.high]);
    }
    let m = rec
        .trials
        .iter()
        .flat_map(|t| t.samples.iter())
        .filter_map(|s| s.2.get(i))
        .filter(|v| v.is_finite())
        .fold(0.0f64, |m, v| m.max(v.abs()));
    let mut half = (m * 1.08).max(1e-3);
    if bounded {
        half = half.min(ax.high.abs().max(ax.low.abs()));
    }
    Ok([-half, half])
}

/// The goal region of `world` with `params` on the grid of a panel (see [`Panel::goal`]).
fn goal_grid(
    world: ControlWorldKind,
    params: &ParamsAt,
    dims: usize,
    (x, y): (usize, usize),
    (xr, yr): ([f64; 2], [f64; 2]),
    rec: &ControlRecording,
) -> Result<String, VizError> {
    let test = goal_test(world, &params.values).map_err(|e| VizError::Missing(e.to_string()))?;
    // The coordinates not shown: 0, or the nearest bound when 0 is outside.
    let mut s: Vec<f64> = (0..dims)
        .map(|i| {
            rec.axes
                .get(i)
                .map_or(0.0, |a| 0.0f64.clamp(a.low.min(a.high), a.high.max(a.low)))
        })
        .collect();
    let (nx, ny) = GOAL_GRID;
    let mut out = String::with_capacity(nx * ny);
    for r in 0..ny {
        for c in 0..nx {
            s[x] = xr[0] + (c as f64 + 0.5) / nx as f64 * (xr[1] - xr[0]);
            s[y] = yr[1] - (r as f64 + 0.5) / ny as f64 * (yr[1] - yr[0]);
            out.push(if test(&s) { '1' } else { '0' });
        }
    }
    Ok(out)
}

/// The panels of the phase portrait of `rec`, with their ranges and goal regions.
pub fn panels(rec: &ControlRecording) -> Result<Vec<Panel>, VizError> {
    let world = world_of(rec)?;
    let dims = rec.axes.len();
    let first = rec
        .params
        .first()
        .ok_or_else(|| VizError::Missing("the recording has no parameters".into()))?;
    let last = rec.params.last().unwrap_or(first);
    panel_axes(world)
        .into_iter()
        .map(|(ax, ay)| {
            let (xr, yr) = (axis_range(rec, ax.0, ax.2)?, axis_range(rec, ay.0, ay.2)?);
            let goal = goal_grid(world, first, dims, (ax.0, ay.0), (xr, yr), rec)?;
            let after = goal_grid(world, last, dims, (ax.0, ay.0), (xr, yr), rec)?;
            Ok(Panel {
                x: ax.0,
                y: ay.0,
                xlabel: ax.1,
                ylabel: ay.1,
                xr,
                yr,
                goal_after: (after != goal).then_some(after),
                goal,
            })
        })
        .collect()
}

/// Width of one panel in pixels.
const PANEL_W: u32 = 560;
/// Height of a panel in pixels.
const PANEL_H: u32 = 480;
/// Width of the legend.
const LEGEND_W: u32 = 270;
/// Height of the title strip.
const TITLE_H: u32 = 34;

/// Pixel size of the picture with `n` panels.
fn size(n: usize) -> (u32, u32) {
    (PANEL_W * n.max(1) as u32 + LEGEND_W, TITLE_H + PANEL_H)
}

/// The pixel size (width, height) of the phase portrait of a run on `world`: one panel of
/// 560 x 480 pixels per pair of coordinates shown, a legend and a title.
pub fn picture_size(world: ControlWorldKind) -> (u32, u32) {
    size(panel_axes(world).len())
}

/// The phase portrait of a control run as an SVG document.
pub fn control_svg(result: &ControlRunResult, rec: &ControlRecording) -> Result<String, VizError> {
    font::ensure()?;
    let ps = panels(rec)?;
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, size(ps.len())).into_drawing_area();
        draw(&root, result, rec, &ps, Format::Svg)?;
        root.present().map_err(draw_err("the SVG"))?;
    }
    Ok(svg)
}

/// Writes the phase portrait of a control run to `path`, as SVG or PNG after its extension.
pub fn write_control_picture(
    result: &ControlRunResult,
    rec: &ControlRecording,
    path: &Path,
) -> Result<(), VizError> {
    match Format::from_path(path)? {
        Format::Svg => crate::write_file(path, control_svg(result, rec)?.as_bytes()),
        Format::Png => {
            font::ensure()?;
            let ps = panels(rec)?;
            crate::write_png(path, size(ps.len()), |root| {
                draw(root, result, rec, &ps, Format::Png)
            })
        }
    }
}

/// Whether two consecutive samples lie on either side of a wrap of a periodic axis shown.
fn wraps(rec: &ControlRecording, axes: [usize; 2], a: &[f64], b: &[f64]) -> bool {
    axes.iter()
        .any(|&i| match (rec.axes.get(i), a.get(i), b.get(i)) {
            (Some(ax), Some(p), Some(q)) if ax.periodic => (q - p).abs() > (ax.high - ax.low) / 2.0,
            _ => false,
        })
}

/// The rectangles (in cell units: column range, row) of the `1` runs of a goal grid.
fn grid_runs(grid: &str) -> Vec<(usize, usize, usize)> {
    let (nx, _) = GOAL_GRID;
    let mut runs = Vec::new();
    for (r, row) in grid.as_bytes().chunks(nx).enumerate() {
        let mut c = 0;
        while c < row.len() {
            if row[c] == b'1' {
                let c0 = c;
                while c < row.len() && row[c] == b'1' {
                    c += 1;
                }
                runs.push((c0, c, r));
            } else {
                c += 1;
            }
        }
    }
    runs
}

fn draw<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    r: &ControlRunResult,
    rec: &ControlRecording,
    ps: &[Panel],
    format: Format,
) -> Result<(), VizError> {
    let e = draw_err("the phase portrait");
    root.fill(&WHITE).map_err(&e)?;
    let (title, body) = root.split_vertically(TITLE_H);
    let title_style = TextStyle::from((font::FAMILY, 17).into_font()).color(&BLACK);
    title
        .draw_text(
            &format!(
                "{} ({}) · seed {} · {} ({}) · {} trials{}",
                r.world,
                r.dynamics,
                r.seed,
                r.agent,
                r.substrate,
                r.trials.len(),
                if r.hide_goal { " · goal hidden" } else { "" }
            ),
            &title_style,
            (12, 10),
        )
        .map_err(&e)?;
    let (plots, legend) = body.split_horizontally(PANEL_W * ps.len() as u32);
    let areas = plots.split_evenly((1, ps.len()));
    let n = r.trials.len() as u32;
    for (area, p) in areas.iter().zip(ps) {
        let label = TextStyle::from((font::FAMILY, 13).into_font()).color(&BLACK);
        let mut chart = ChartBuilder::on(area)
            .margin(12)
            .x_label_area_size(38)
            .y_label_area_size(54)
            .build_cartesian_2d(p.xr[0]..p.xr[1], p.yr[0]..p.yr[1])
            .map_err(&e)?;
        chart
            .configure_mesh()
            .x_desc(p.xlabel)
            .y_desc(p.ylabel)
            .axis_desc_style(label.clone())
            .label_style(label)
            .light_line_style(RGBColor(0xee, 0xee, 0xee))
            .draw()
            .map_err(&e)?;
        // The goal region(s), one rectangle per run of cells in a row.
        let (nx, ny) = GOAL_GRID;
        let (cw, ch) = (
            (p.xr[1] - p.xr[0]) / nx as f64,
            (p.yr[1] - p.yr[0]) / ny as f64,
        );
        let mut goals = vec![(&p.goal, GOAL_COLOR)];
        if let Some(g) = &p.goal_after {
            goals.push((g, GOAL_AFTER_COLOR));
        }
        for (grid, colour) in goals {
            chart
                .draw_series(grid_runs(grid).into_iter().map(|(c0, c1, row)| {
                    let x0 = p.xr[0] + c0 as f64 * cw;
                    let x1 = p.xr[0] + c1 as f64 * cw;
                    let y1 = p.yr[1] - row as f64 * ch;
                    Rectangle::new([(x0, y1 - ch), (x1, y1)], colour.mix(0.16).filled())
                }))
                .map_err(&e)?;
        }
        // Edges, weakest first, then the places.
        let mut edges: Vec<_> = rec
            .places
            .iter()
            .filter_map(|pl| pl.edge.as_ref().map(|ed| (pl, ed)))
            .collect();
        edges.sort_by(|a, b| a.1.w.total_cmp(&b.1.w));
        let at = |s: &[f64]| (s.get(p.x).copied(), s.get(p.y).copied());
        chart
            .draw_series(edges.iter().filter_map(|(pl, ed)| {
                let ((Some(x0), Some(y0)), (Some(x1), Some(y1))) = (at(&pl.state), at(&ed.to))
                else {
                    return None;
                };
                Some(PathElement::new(
                    vec![(x0, y0), (x1, y1)],
                    EDGE_COLOR.mix(0.08 + 0.5 * ed.w).stroke_width(1),
                ))
            }))
            .map_err(&e)?;
        // Trajectories, broken where a shown angle wraps.
        for (tr, res) in rec.trials.iter().zip(&r.trials) {
            let pts: Vec<&[f64]> = tr.samples.iter().map(|s| s.2.as_slice()).collect();
            let pts = subsample(&pts, MAX_TRAJECTORY_POINTS);
            let mut piece: Vec<(f64, f64)> = Vec::new();
            let colour = trial_color(res.trial, n).mix(0.85).stroke_width(2);
            let mut pieces = Vec::new();
            for (i, s) in pts.iter().enumerate() {
                if i > 0 && wraps(rec, [p.x, p.y], pts[i - 1], s) {
                    pieces.push(std::mem::take(&mut piece));
                }
                if let (Some(x), Some(y)) = at(s) {
                    piece.push((x, y));
                }
            }
            pieces.push(piece);
            chart
                .draw_series(
                    pieces
                        .into_iter()
                        .filter(|pc| !pc.is_empty())
                        .flat_map(|pc| trajectory_elements(pc, colour, format)),
                )
                .map_err(&e)?;
            if let Some((Some(x), Some(y))) = pts.last().map(|s| at(s)) {
                chart
                    .draw_series([Circle::new((x, y), 4, trial_color(res.trial, n).filled())])
                    .map_err(&e)?;
            }
        }
        chart
            .draw_series(rec.places.iter().filter_map(|pl| match at(&pl.state) {
                (Some(x), Some(y)) => Some(Circle::new((x, y), 1, NODE_COLOR.mix(0.7).filled())),
                _ => None,
            }))
            .map_err(&e)?;
        // The start as sensed (wrapped), as the trajectories are drawn.
        let start = rec
            .trials
            .first()
            .and_then(|t| t.samples.first())
            .map_or(r.start.as_slice(), |s| s.2.as_slice());
        if let (Some(x), Some(y)) = at(start) {
            chart
                .draw_series([
                    Circle::new((x, y), 7, WHITE.filled()),
                    Circle::new((x, y), 6, START_COLOR.filled()),
                ])
                .map_err(&e)?;
        }
    }
    draw_legend(&legend, r, rec)
}

fn draw_legend<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    r: &ControlRunResult,
    rec: &ControlRecording,
) -> Result<(), VizError> {
    let e = draw_err("the legend");
    let (text, head) = legend_styles();
    let (x, mut y) = (8, 14);
    y = draw_trial_list(
        area,
        "trials (steps / optimal)",
        (x, y),
        &r.trials,
        |t| t.trial,
        |t| {
            let opt = t.optimal_steps.map_or("-".to_string(), |o| o.to_string());
            format!(
                "{} {}  {} / {}  return {:.1}",
                t.trial,
                if t.success { "solved" } else { "failed" },
                t.steps,
                opt,
                t.ret
            )
        },
    )?;
    y += 10;
    area.draw_text("the agent's graph (end)", &head, (x, y))
        .map_err(&e)?;
    y += 20;
    area.draw(&Circle::new((x + 10, y + 7), 2, NODE_COLOR.filled()))
        .map_err(&e)?;
    let places = if rec.place_every > 1 {
        format!(
            "{} places (every {}th drawn)",
            rec.places_total, rec.place_every
        )
    } else {
        format!("{} places", rec.places_total)
    };
    area.draw_text(&places, &text, (x + 26, y)).map_err(&e)?;
    y += 19;
    draw_effectiveness_scale(
        area,
        &text,
        (x, y),
        0.08,
        "best primitive, effectiveness 0 → 1",
    )?;
    y += 19;
    area.draw(&Circle::new((x + 10, y + 7), 6, START_COLOR.filled()))
        .map_err(&e)?;
    area.draw_text("start (every trial)", &text, (x + 26, y))
        .map_err(&e)?;
    y += 19;
    area.draw(&Rectangle::new(
        [(x + 2, y + 1), (x + 18, y + 13)],
        GOAL_COLOR.mix(0.3).filled(),
    ))
    .map_err(&e)?;
    area.draw_text("goal region", &text, (x + 26, y))
        .map_err(&e)?;
    y += 19;
    if rec.params.len() > 1 {
        area.draw(&Rectangle::new(
            [(x + 2, y + 1), (x + 18, y + 13)],
            GOAL_AFTER_COLOR.mix(0.3).filled(),
        ))
        .map_err(&e)?;
        area.draw_text("goal region after a change", &text, (x + 26, y))
            .map_err(&e)?;
        y += 19;
    }
    y += 8;
    for line in wrap_words(&format!("success: {}", r.goal), 36) {
        area.draw_text(&line, &text, (x, y)).map_err(&e)?;
        y += 17;
    }
    area.draw_text(
        &format!("states every {} steps", rec.every),
        &text,
        (x, y + 4),
    )
    .map_err(&e)?;
    Ok(())
}

/// `s` cut into lines of at most about `width` characters at spaces.
fn wrap_words(s: &str, width: usize) -> Vec<String> {
    let mut lines = vec![String::new()];
    for w in s.split_whitespace() {
        let last = lines.last_mut().expect("one line at least");
        if !last.is_empty() && last.len() + 1 + w.len() > width {
            lines.push(w.to_string());
        } else {
            if !last.is_empty() {
                last.push(' ');
            }
            last.push_str(w);
        }
    }
    lines
}

/// The control page's template (its shared pieces named, see [`crate::report`]).
pub(crate) const TEMPLATE: &str = include_str!("control_template.html");

#[derive(Serialize)]
struct Meta<'a> {
    world: &'a str,
    seed: u64,
    agent: &'a str,
    substrate: &'a str,
    dynamics: &'a str,
    hide_goal: bool,
    start: &'a [f64],
    goal: &'a str,
    steps_per_second: f64,
}

#[derive(Serialize)]
struct TrialRow {
    trial: u32,
    success: bool,
    steps: u64,
    optimal_steps: Option<u64>,
    ret: f64,
    wall_time: f64,
}

#[derive(Serialize)]
struct Limits {
    max_states: usize,
    max_places: usize,
}

#[derive(Serialize)]
struct Data<'a> {
    meta: Meta<'a>,
    trials: Vec<TrialRow>,
    rec: &'a ControlRecording,
    panels: Vec<Panel>,
    grid: [usize; 2],
    limits: Limits,
}

/// The replay page of the control run `result`, recorded as `rec` with the limits `limits`:
/// one HTML file, its script and style inline, its data embedded as JSON made safe for a
/// `<script>` element ([`escape_for_script`](crate::report::escape_for_script)).
///
/// For tests the page exposes `window.__sns` as the maze page does (`ballPosition()`, the
/// state's coordinates on the first panel's axes; `time()`, `play()`, `pause()`, `seek(t)`,
/// `isPlaying()`, `totalSteps`; and `state()`, the whole state shown) and mirrors the shown
/// position in the canvas's `data-ball` attribute.
pub fn control_report_html(
    result: &ControlRunResult,
    rec: &ControlRecording,
    limits: &ControlRecordSpec,
) -> Result<String, VizError> {
    let data = Data {
        meta: Meta {
            world: &result.world,
            seed: result.seed,
            agent: &result.agent,
            substrate: &result.substrate,
            dynamics: &result.dynamics,
            hide_goal: result.hide_goal,
            start: &result.start,
            goal: &result.goal,
            steps_per_second: finite_or_zero(result.steps_per_second),
        },
        trials: result
            .trials
            .iter()
            .map(|t| TrialRow {
                trial: t.trial,
                success: t.success,
                steps: t.steps,
                optimal_steps: t.optimal_steps,
                ret: t.ret,
                wall_time: t.wall_time,
            })
            .collect(),
        rec,
        panels: panels(rec)?,
        grid: [GOAL_GRID.0, GOAL_GRID.1],
        limits: Limits {
            max_states: limits.max_states,
            max_places: limits.max_places,
        },
    };
    fill_page(TEMPLATE, &data)
}

/// Writes the replay page of a control run to `path` (which must end in `.html` or `.htm`).
pub fn write_control_report(
    result: &ControlRunResult,
    rec: &ControlRecording,
    limits: &ControlRecordSpec,
    path: &Path,
) -> Result<(), VizError> {
    crate::report::check_html_path(path)?;
    crate::write_file(path, control_report_html(result, rec, limits)?.as_bytes())
}
