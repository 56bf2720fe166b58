//! A top-down picture of one run: walls, start, goal with its success circle, each trial's
//! trajectory in its own colour, the cognitive graph at the end (nodes, edges shaded by their
//! effectiveness `w`), and the points where behaviours failed; a legend on the right.
//!
//! In the SVG each wall cell is one `<rect>`, each trial one `<polyline>` (in the colour
//! [`trial_color`] gives it), each graph node one `<circle>` filled with [`NODE_COLOR`], and each
//! graph edge a two-point `<polyline>` in [`EDGE_COLOR`] whose opacity grows with `w`.

use crate::{draw_err, font, Format, VizError};
use plotters::coord::Shift;
use plotters::prelude::*;
use sns_harness::RunResult;
use sns_worlds::maze::MazeMap;
use sns_worlds::GOAL_RADIUS;
use std::path::Path;

/// Wall fill.
pub const WALL_COLOR: RGBColor = RGBColor(0x3a, 0x3d, 0x4a);
/// Graph node fill.
pub const NODE_COLOR: RGBColor = RGBColor(0x12, 0x3c, 0xa0);
/// Graph edge stroke (its opacity encodes the effectiveness).
pub const EDGE_COLOR: RGBColor = RGBColor(0x1f, 0x5f, 0xd0);
/// Failure marks.
pub const FAILURE_COLOR: RGBColor = RGBColor(0xd6, 0x1f, 0x1f);
/// Goal circle.
pub const GOAL_COLOR: RGBColor = RGBColor(0x1a, 0x9a, 0x3c);
/// Start marker.
pub const START_COLOR: RGBColor = RGBColor(0x10, 0x10, 0x10);

/// Most points drawn per trajectory (longer ones are subsampled evenly, keeping the last point).
pub const MAX_TRAJECTORY_POINTS: usize = 4000;

/// Trial colours for runs of up to ten trials (no blue: that is the graph's).
const PALETTE: [RGBColor; 10] = [
    RGBColor(0xf5, 0x82, 0x1f),
    RGBColor(0x2c, 0xa0, 0x2c),
    RGBColor(0x94, 0x67, 0xbd),
    RGBColor(0xe3, 0x77, 0xc2),
    RGBColor(0x8c, 0x56, 0x4b),
    RGBColor(0xbc, 0xbd, 0x22),
    RGBColor(0x17, 0xbe, 0xcf),
    RGBColor(0xff, 0xbb, 0x33),
    RGBColor(0x7f, 0x7f, 0x7f),
    RGBColor(0xaa, 0x00, 0x44),
];

/// The colour of trial `k` (from 1) of `n`: a palette colour for up to ten trials, else a ramp
/// from yellow (first) to purple (last).
pub fn trial_color(k: u32, n: u32) -> RGBColor {
    if n <= PALETTE.len() as u32 {
        return PALETTE[(k.max(1) - 1) as usize % PALETTE.len()];
    }
    let f = (k.saturating_sub(1)) as f64 / (n.max(2) - 1) as f64;
    let lerp = |a: f64, b: f64| (a + (b - a) * f).round().clamp(0.0, 255.0) as u8;
    RGBColor(lerp(240.0, 110.0), lerp(200.0, 20.0), lerp(30.0, 150.0))
}

/// Width of the legend panel in pixels.
const LEGEND_W: u32 = 250;
/// Height of the title strip in pixels.
const TITLE_H: u32 = 34;
/// Margin around the maze in pixels.
const MARGIN: u32 = 12;

/// Largest side of the maze in the picture, in pixels. A maze is drawn at 24 to 90 pixels per
/// metre; one so big that this would exceed 4000 pixels is scaled down to fit (a 2000x2000 map is
/// drawn at 2 pixels per metre), so the bitmap of a PNG stays under about 17 million pixels.
pub const MAX_MAZE_PIXELS: u32 = 4000;

/// Pixel sizes of the picture of `map`: (pixels per metre, total width, total height).
fn layout(map: &MazeMap) -> (f64, u32, u32) {
    let (rows, cols) = (map.rows().max(1) as f64, map.cols().max(1) as f64);
    let fit = f64::from(MAX_MAZE_PIXELS) / cols.max(rows);
    let ppm = (760.0 / cols)
        .min(620.0 / rows)
        .clamp(24.0, 90.0)
        .floor()
        .min(fit);
    let maze_w = maze_px(map.cols(), ppm) + 2 * MARGIN;
    let maze_h = maze_px(map.rows(), ppm) + 2 * MARGIN;
    let legend_h = 360;
    (ppm, maze_w + LEGEND_W, TITLE_H + maze_h.max(legend_h))
}

/// Pixels of `cells` metres at `ppm` pixels per metre.
fn maze_px(cells: usize, ppm: f64) -> u32 {
    (cells as f64 * ppm).round().max(1.0) as u32
}

/// The map a run was made on.
fn map_of(result: &RunResult) -> Result<&sns_worlds::MazeMap, VizError> {
    result
        .map
        .as_ref()
        .ok_or_else(|| VizError::Missing("the run result has no map to draw".into()))
}

/// The picture of `result` as an SVG document.
pub fn run_svg(result: &RunResult) -> Result<String, VizError> {
    let map = map_of(result)?;
    font::ensure()?;
    let (ppm, w, h) = layout(map);
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (w, h)).into_drawing_area();
        draw(&root, result, map, ppm, Format::Svg)?;
        root.present().map_err(draw_err("the SVG"))?;
    }
    Ok(svg)
}

/// Writes the picture of `result` to `path`, as SVG or PNG after its extension.
pub fn write_run_picture(result: &RunResult, path: &Path) -> Result<(), VizError> {
    match Format::from_path(path)? {
        Format::Svg => crate::write_file(path, run_svg(result)?.as_bytes()),
        Format::Png => {
            let map = map_of(result)?;
            font::ensure()?;
            let (ppm, w, h) = layout(map);
            crate::write_png(path, (w, h), |root| {
                draw(root, result, map, ppm, Format::Png)
            })
        }
    }
}

/// A trial's thick trajectory as plotters elements: one path in an SVG (the viewer joins its
/// segments and limits the mitres), one element per segment in a bitmap. Plotters' rasteriser
/// strokes a thick path with unlimited mitred joins, and where a trajectory turns back on itself
/// (a ball bouncing off a wall, a pendulum at the top of its swing) the mitre of that join
/// shoots out of the path, across the picture; separate segments have no joins.
pub(crate) fn trajectory_elements(
    pts: Vec<(f64, f64)>,
    style: ShapeStyle,
    format: Format,
) -> Vec<PathElement<(f64, f64)>> {
    match format {
        Format::Svg => vec![PathElement::new(pts, style)],
        Format::Png => pts
            .windows(2)
            .map(|w| PathElement::new(w.to_vec(), style))
            .collect(),
    }
}

/// Evenly subsamples `pts` to at most `max` points, keeping the first and the last.
pub(crate) fn subsample<T: Copy>(pts: &[T], max: usize) -> Vec<T> {
    if pts.len() <= max || max < 2 {
        return pts.to_vec();
    }
    let step = (pts.len() - 1) as f64 / (max - 1) as f64;
    (0..max)
        .map(|i| pts[((i as f64 * step).round() as usize).min(pts.len() - 1)])
        .collect()
}

fn draw<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    r: &RunResult,
    map: &MazeMap,
    ppm: f64,
    format: Format,
) -> Result<(), VizError> {
    let e = draw_err("the run picture");
    root.fill(&WHITE).map_err(&e)?;
    let (title, body) = root.split_vertically(TITLE_H);
    let maze_w = maze_px(map.cols(), ppm) + 2 * MARGIN;
    let (maze_area, legend) = body.split_horizontally(maze_w);
    let title_style = TextStyle::from((font::FAMILY, 17).into_font()).color(&BLACK);
    let ratio = r
        .trials
        .last()
        .zip(r.shortest_path)
        .map_or(String::new(), |(t, l)| {
            format!("   last path/L* {:.2}", t.path_length / l)
        });
    title
        .draw_text(
            &format!(
                "{} · seed {} · {} ({}) · {} trials{}",
                r.maze,
                r.seed,
                r.agent,
                r.substrate,
                r.trials.len(),
                ratio
            ),
            &title_style,
            (MARGIN as i32, 10),
        )
        .map_err(&e)?;

    let (hw, hh) = (map.cols() as f64 / 2.0, map.rows() as f64 / 2.0);
    let mut chart = ChartBuilder::on(&maze_area)
        .margin(MARGIN)
        .build_cartesian_2d(-hw..hw, -hh..hh)
        .map_err(&e)?;
    // Free space, then one rectangle per wall cell.
    chart
        .draw_series(std::iter::once(Rectangle::new(
            [(-hw, -hh), (hw, hh)],
            RGBColor(0xfb, 0xfb, 0xf8).filled(),
        )))
        .map_err(&e)?;
    let walls = map.cells_where(|c| !c.is_free());
    chart
        .draw_series(walls.iter().map(|&(row, col)| {
            let b = map.cell_box(row as i64, col as i64);
            Rectangle::new(
                [(b.min.x, b.min.y), (b.max.x, b.max.y)],
                WALL_COLOR.filled(),
            )
        }))
        .map_err(&e)?;

    // Graph edges, weakest first so strong ones stay on top.
    if let Some(snap) = &r.snapshot {
        let mut edges: Vec<_> = snap
            .edges
            .iter()
            .filter(|(a, b, _)| *a < snap.nodes.len() && *b < snap.nodes.len())
            .collect();
        edges.sort_by(|x, y| x.2.total_cmp(&y.2));
        chart
            .draw_series(edges.iter().map(|&&(a, b, w)| {
                let (pa, pb) = (snap.nodes[a], snap.nodes[b]);
                let w = if w.is_finite() {
                    w.clamp(0.0, 1.0)
                } else {
                    0.0
                };
                PathElement::new(
                    vec![(pa.x, pa.y), (pb.x, pb.y)],
                    EDGE_COLOR.mix(0.06 + 0.5 * w).stroke_width(1),
                )
            }))
            .map_err(&e)?;
    }

    // Trajectories, one polyline per trial.
    let n = r.trials.len() as u32;
    for t in &r.trials {
        let pts: Vec<(f64, f64)> = std::iter::once((r.start[0], r.start[1]))
            .chain(t.trajectory.iter().map(|p| (p.x, p.y)))
            .collect();
        let pts = subsample(&pts, MAX_TRAJECTORY_POINTS);
        chart
            .draw_series(trajectory_elements(
                pts,
                trial_color(t.trial, n).mix(0.9).stroke_width(3),
                format,
            ))
            .map_err(&e)?;
    }

    // Graph nodes and failure points.
    if let Some(snap) = &r.snapshot {
        chart
            .draw_series(
                snap.nodes
                    .iter()
                    .map(|p| Circle::new((p.x, p.y), 2, NODE_COLOR.filled())),
            )
            .map_err(&e)?;
        chart
            .draw_series(
                snap.failures
                    .iter()
                    .map(|p| Cross::new((p.x, p.y), 4, FAILURE_COLOR.stroke_width(2))),
            )
            .map_err(&e)?;
    }

    // Goal (its success circle to scale) and start.
    let goal_px = (GOAL_RADIUS * ppm).round().max(1.0) as u32;
    let (gx, gy) = (r.goal[0], r.goal[1]);
    chart
        .draw_series([
            Circle::new((gx, gy), goal_px, GOAL_COLOR.mix(0.18).filled()),
            Circle::new((gx, gy), goal_px, GOAL_COLOR.stroke_width(2)),
            Circle::new((gx, gy), 4, GOAL_COLOR.filled()),
        ])
        .map_err(&e)?;
    chart
        .draw_series([
            Circle::new((r.start[0], r.start[1]), 7, WHITE.filled()),
            Circle::new((r.start[0], r.start[1]), 6, START_COLOR.filled()),
        ])
        .map_err(&e)?;

    draw_legend(&legend, r)
}

fn draw_legend<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    r: &RunResult,
) -> Result<(), VizError> {
    let e = draw_err("the legend");
    let (text, head) = legend_styles();
    let mut y = MARGIN as i32;
    let x = 8;
    y = draw_trial_list(
        area,
        "trials",
        (x, y),
        &r.trials,
        |t| t.trial,
        |t| {
            format!(
                "{} {}  {} steps  {:.1} m",
                t.trial,
                if t.success { "reached" } else { "failed" },
                t.steps,
                t.path_length
            )
        },
    )?;
    y += 10;
    area.draw_text("cognitive graph (end)", &head, (x, y))
        .map_err(&e)?;
    y += 20;
    area.draw(&Circle::new((x + 10, y + 7), 3, NODE_COLOR.filled()))
        .map_err(&e)?;
    area.draw_text(
        &format!("{} nodes, {} edges", r.graph.nodes, r.graph.edges),
        &text,
        (x + 26, y),
    )
    .map_err(&e)?;
    y += 19;
    draw_effectiveness_scale(area, &text, (x, y), 0.06, "edge effectiveness w 0 → 1")?;
    y += 19;
    let failures = r.snapshot.as_ref().map_or(0, |s| s.failures.len());
    area.draw(&Cross::new(
        (x + 10, y + 7),
        4,
        FAILURE_COLOR.stroke_width(2),
    ))
    .map_err(&e)?;
    area.draw_text(&format!("failures ({failures})"), &text, (x + 26, y))
        .map_err(&e)?;
    y += 19;
    area.draw(&Circle::new((x + 10, y + 7), 6, START_COLOR.filled()))
        .map_err(&e)?;
    area.draw_text("start", &text, (x + 26, y)).map_err(&e)?;
    y += 19;
    area.draw(&Circle::new((x + 10, y + 7), 7, GOAL_COLOR.stroke_width(2)))
        .map_err(&e)?;
    area.draw_text(
        &format!("goal (success within {GOAL_RADIUS} m)"),
        &text,
        (x + 26, y),
    )
    .map_err(&e)?;
    y += 26;
    let lstar = r
        .shortest_path
        .map_or("unreachable".to_string(), |l| format!("{l:.2} m"));
    area.draw_text(&format!("shortest path L* = {lstar}"), &text, (x, y))
        .map_err(&e)?;
    Ok(())
}

/// The legends' styles: body text and headings.
pub(crate) fn legend_styles() -> (TextStyle<'static>, TextStyle<'static>) {
    (
        TextStyle::from((font::FAMILY, 13).into_font()).color(&BLACK),
        TextStyle::from((font::FAMILY, 14).into_font()).color(&BLACK),
    )
}

/// Draws a legend's list of trials from `(x, y)` under `heading`, one line each: a swatch in
/// [`trial_color`] (of `number(t)` among all) and `label(t)`. A long run (over 12 trials) lists its
/// first six and last five trials only, with "…" between them. Returns the `y` below the list.
pub(crate) fn draw_trial_list<DB: DrawingBackend, T>(
    area: &DrawingArea<DB, Shift>,
    heading: &str,
    (x, mut y): (i32, i32),
    trials: &[T],
    number: impl Fn(&T) -> u32,
    label: impl Fn(&T) -> String,
) -> Result<i32, VizError> {
    let e = draw_err("the legend");
    let (text, head) = legend_styles();
    let text = &text;
    area.draw_text(heading, &head, (x, y)).map_err(&e)?;
    y += 20;
    let n = trials.len() as u32;
    let shown: Vec<_> = if trials.len() > 12 {
        trials[..6]
            .iter()
            .chain(trials[trials.len() - 5..].iter())
            .collect()
    } else {
        trials.iter().collect()
    };
    for (i, t) in shown.iter().enumerate() {
        if trials.len() > 12 && i == 6 {
            area.draw_text("…", text, (x + 26, y)).map_err(&e)?;
            y += 17;
        }
        area.draw(&Rectangle::new(
            [(x, y + 5), (x + 20, y + 9)],
            trial_color(number(t), n).filled(),
        ))
        .map_err(&e)?;
        area.draw_text(&label(t), text, (x + 26, y)).map_err(&e)?;
        y += 17;
    }
    Ok(y)
}

/// Draws a legend's scale of edge effectiveness at `(x, y)`: five swatches of [`EDGE_COLOR`] from
/// opacity `base` (effectiveness 0) to `base + 0.5` (effectiveness 1), then `label`.
pub(crate) fn draw_effectiveness_scale<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    text: &TextStyle,
    (x, y): (i32, i32),
    base: f64,
    label: &str,
) -> Result<(), VizError> {
    let e = draw_err("the legend");
    for (i, w) in [0.0, 0.25, 0.5, 0.75, 1.0].iter().enumerate() {
        let x0 = x + i as i32 * 4;
        area.draw(&Rectangle::new(
            [(x0, y + 3), (x0 + 4, y + 11)],
            EDGE_COLOR.mix(base + 0.5 * w).filled(),
        ))
        .map_err(&e)?;
    }
    area.draw_text(label, text, (x + 26, y)).map_err(&e)?;
    Ok(())
}
