//! Plots of a benchmark folder's `runs.csv` (one row per trial), made as a separate step:
//!
//! - `learning_curves.svg` / `.png`: steps per trial for each agent (mean over seeds and tasks,
//!   with a band from the lowest to the highest run), one panel per maze, log scale;
//! - `path_ratio.svg` / `.png`: path length / `L*` of the successful trials per agent and maze
//!   (mean with the 10th to 90th percentile), for the first and the last trial of each run.
//!
//! The columns read are `agent, maze, task, seed, trial, success, steps, path_length,
//! shortest_path, wall_time` (others are ignored; `shortest_path` may be empty, and `path_length`
//! too: a classic-control world's rows have none, and appear in the learning curves only).

use crate::{draw_err, font, VizError};
use plotters::coord::Shift;
use plotters::prelude::*;
use sns_harness::stats::quantile_unsorted;
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// One row of `runs.csv`, as `sns bench` writes it.
pub use sns_harness::bench::BenchRow as RunRow;

/// Reads `runs.csv`.
pub fn read_runs(path: &Path) -> Result<Vec<RunRow>, VizError> {
    let file = std::fs::File::open(path).map_err(|error| VizError::Io {
        path: path.to_path_buf(),
        error,
    })?;
    let mut reader = csv::Reader::from_reader(file);
    let mut rows = Vec::new();
    for (i, rec) in reader.deserialize::<RunRow>().enumerate() {
        let row = rec.map_err(|err| VizError::Csv {
            path: path.to_path_buf(),
            line: err.position().map_or(i as u64 + 2, |p| p.line()),
            reason: err.to_string(),
        })?;
        rows.push(row);
    }
    if rows.is_empty() {
        return Err(VizError::Missing(format!(
            "{}: no rows to plot",
            path.display()
        )));
    }
    Ok(rows)
}

/// Reads `DIR/runs.csv` and writes the plots into `DIR`; returns the files written.
pub fn plot_dir(dir: &Path) -> Result<Vec<PathBuf>, VizError> {
    if !dir.is_dir() {
        let what = if dir.exists() {
            "not a folder (give the folder `sns bench --out` wrote)"
        } else {
            "no such folder"
        };
        return Err(VizError::Io {
            path: dir.to_path_buf(),
            error: std::io::Error::new(std::io::ErrorKind::NotFound, what),
        });
    }
    let runs = dir.join("runs.csv");
    if !runs.is_file() {
        return Err(VizError::Missing(format!(
            "{}: no runs.csv file (the folder `sns bench --out` wrote holds one)",
            runs.display()
        )));
    }
    let rows = read_runs(&runs)?;
    font::ensure()?;
    let mut written = Vec::new();
    let stats = Stats::new(&rows);
    for (name, size, fig) in [
        ("learning_curves", stats.grid_size(), Figure::LearningCurves),
        ("path_ratio", (900, 480), Figure::PathRatio),
    ] {
        let svg_path = dir.join(format!("{name}.svg"));
        let mut svg = String::new();
        {
            let root = SVGBackend::with_string(&mut svg, size).into_drawing_area();
            fig.paint(&root, &stats)?;
            root.present().map_err(draw_err(name))?;
        }
        crate::write_file(&svg_path, svg.as_bytes())?;
        written.push(svg_path);
        let png_path = dir.join(format!("{name}.png"));
        crate::write_png(&png_path, size, |root| fig.paint(root, &stats))?;
        written.push(png_path);
    }
    Ok(written)
}

/// The figures, drawn on either backend.
#[derive(Debug, Clone, Copy)]
enum Figure {
    LearningCurves,
    PathRatio,
}

impl Figure {
    fn paint<DB: DrawingBackend>(
        self,
        root: &DrawingArea<DB, Shift>,
        s: &Stats,
    ) -> Result<(), VizError> {
        match self {
            Figure::LearningCurves => draw_learning_curves(root, s),
            Figure::PathRatio => draw_path_ratio(root, s),
        }
    }
}

/// The numbers the plots need, grouped.
struct Stats {
    agents: Vec<String>,
    mazes: Vec<String>,
    /// (maze, agent) -> trial -> steps of every run.
    steps: BTreeMap<(String, String), BTreeMap<u32, Vec<f64>>>,
    /// (maze, agent) -> (first-trial ratios, last-trial ratios), successful trials only.
    ratios: BTreeMap<(String, String), (Vec<f64>, Vec<f64>)>,
}

impl Stats {
    fn new(rows: &[RunRow]) -> Stats {
        let agents: BTreeSet<String> = rows.iter().map(|r| r.agent.clone()).collect();
        let mazes: BTreeSet<String> = rows.iter().map(|r| r.maze.clone()).collect();
        let mut steps: BTreeMap<_, BTreeMap<u32, Vec<f64>>> = BTreeMap::new();
        // Last trial number of each run (agent, maze, task, seed).
        let mut last: BTreeMap<(&str, &str, Option<u32>, u64), u32> = BTreeMap::new();
        for r in rows {
            steps
                .entry((r.maze.clone(), r.agent.clone()))
                .or_default()
                .entry(r.trial)
                .or_default()
                .push(r.steps as f64);
            let k = last
                .entry((&r.agent, &r.maze, r.task, r.seed))
                .or_insert(r.trial);
            *k = (*k).max(r.trial);
        }
        let mut ratios: BTreeMap<_, (Vec<f64>, Vec<f64>)> = BTreeMap::new();
        for r in rows {
            let Some(l) = r.shortest_path.filter(|l| *l > 0.0 && l.is_finite()) else {
                continue;
            };
            // Control worlds have no path length: they are left out here.
            let Some(path) = r.path_length.filter(|p| p.is_finite()) else {
                continue;
            };
            if !r.success {
                continue;
            }
            let e = ratios.entry((r.maze.clone(), r.agent.clone())).or_default();
            if r.trial == 1 {
                e.0.push(path / l);
            }
            if last.get(&(r.agent.as_str(), r.maze.as_str(), r.task, r.seed)) == Some(&r.trial) {
                e.1.push(path / l);
            }
        }
        Stats {
            agents: agents.into_iter().collect(),
            mazes: mazes.into_iter().collect(),
            steps,
            ratios,
        }
    }

    fn grid_size(&self) -> (u32, u32) {
        let (c, r) = grid(self.mazes.len());
        (c * 420, r * 320 + 40)
    }
}

/// Columns and rows of a panel grid for `n` panels.
fn grid(n: usize) -> (u32, u32) {
    let c = (n as f64).sqrt().ceil().max(1.0) as u32;
    let r = (n as u32).div_ceil(c).max(1);
    (c, r)
}

/// Agent colours, in the order of the sorted agent names.
fn agent_color(i: usize) -> RGBColor {
    const C: [RGBColor; 8] = [
        RGBColor(0x1f, 0x5f, 0xd0),
        RGBColor(0xf5, 0x82, 0x1f),
        RGBColor(0x2c, 0xa0, 0x2c),
        RGBColor(0xd6, 0x27, 0x28),
        RGBColor(0x94, 0x67, 0xbd),
        RGBColor(0x8c, 0x56, 0x4b),
        RGBColor(0xe3, 0x77, 0xc2),
        RGBColor(0x7f, 0x7f, 0x7f),
    ];
    C[i % C.len()]
}

fn mean(v: &[f64]) -> f64 {
    v.iter().sum::<f64>() / v.len().max(1) as f64
}

/// The `q` quantile of `v` in any order, NaN (not drawn) when `v` is empty.
fn quantile(v: &[f64], q: f64) -> f64 {
    quantile_unsorted(v, q).unwrap_or(f64::NAN)
}

fn draw_learning_curves<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    s: &Stats,
) -> Result<(), VizError> {
    let e = draw_err("learning curves");
    root.fill(&WHITE).map_err(&e)?;
    let (title, body) = root.split_vertically(40);
    title
        .draw_text(
            "steps per trial (mean over runs; band: min to max)",
            &TextStyle::from((font::FAMILY, 18).into_font()).color(&BLACK),
            (12, 10),
        )
        .map_err(&e)?;
    // One legend for all panels, in the title strip.
    let label = TextStyle::from((font::FAMILY, 14).into_font()).color(&BLACK);
    let mut x = title.dim_in_pixel().0 as i32 - 110 * s.agents.len() as i32;
    for (i, agent) in s.agents.iter().enumerate() {
        title
            .draw(&Rectangle::new(
                [(x, 17), (x + 18, 20)],
                agent_color(i).filled(),
            ))
            .map_err(&e)?;
        title.draw_text(agent, &label, (x + 24, 11)).map_err(&e)?;
        x += 110;
    }
    let (c, r) = grid(s.mazes.len());
    let panels = body.split_evenly((r as usize, c as usize));
    for (maze, panel) in s.mazes.iter().zip(panels.iter()) {
        let series: Vec<(usize, &BTreeMap<u32, Vec<f64>>)> = s
            .agents
            .iter()
            .enumerate()
            .filter_map(|(i, a)| s.steps.get(&(maze.clone(), a.clone())).map(|m| (i, m)))
            .collect();
        let max_trial = series
            .iter()
            .filter_map(|(_, m)| m.keys().next_back().copied())
            .max()
            .unwrap_or(1)
            .max(2);
        let all = series.iter().flat_map(|(_, m)| m.values().flatten());
        let (lo, hi) = all.fold((f64::INFINITY, 1.0f64), |(lo, hi), &v| {
            (lo.min(v), hi.max(v))
        });
        let lo = if lo.is_finite() {
            lo.max(1.0) / 1.5
        } else {
            1.0
        };
        let mut chart = ChartBuilder::on(panel)
            .caption(maze, (font::FAMILY, 16))
            .margin(10)
            .x_label_area_size(34)
            .y_label_area_size(66)
            .build_cartesian_2d(1u32..max_trial, (lo..hi * 1.5).log_scale())
            .map_err(&e)?;
        chart
            .configure_mesh()
            .x_desc("trial")
            .y_desc("steps")
            .y_label_formatter(&|v| format!("{v:.0}"))
            .label_style((font::FAMILY, 12))
            .axis_desc_style((font::FAMILY, 13))
            .light_line_style(RGBColor(0xee, 0xee, 0xee))
            .draw()
            .map_err(&e)?;
        for (i, m) in &series {
            let color = agent_color(*i);
            let upper: Vec<(u32, f64)> = m
                .iter()
                .map(|(&t, v)| (t, v.iter().copied().fold(f64::MIN, f64::max)))
                .collect();
            let lower: Vec<(u32, f64)> = m
                .iter()
                .rev()
                .map(|(&t, v)| (t, v.iter().copied().fold(f64::MAX, f64::min)))
                .collect();
            let band: Vec<(u32, f64)> = upper.into_iter().chain(lower).collect();
            chart
                .draw_series(std::iter::once(Polygon::new(band, color.mix(0.15))))
                .map_err(&e)?;
            let line: Vec<(u32, f64)> = m.iter().map(|(&t, v)| (t, mean(v))).collect();
            chart
                .draw_series(LineSeries::new(line.clone(), color.stroke_width(2)))
                .map_err(&e)?;
            chart
                .draw_series(line.into_iter().map(|p| Circle::new(p, 3, color.filled())))
                .map_err(&e)?;
        }
    }
    Ok(())
}

fn draw_path_ratio<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    s: &Stats,
) -> Result<(), VizError> {
    let e = draw_err("path ratio");
    root.fill(&WHITE).map_err(&e)?;
    let (title, body) = root.split_vertically(40);
    title
        .draw_text(
            "path length / L* of successful trials (mean, whiskers 10th-90th percentile); \
             hollow: first trial, filled: last trial",
            &TextStyle::from((font::FAMILY, 15).into_font()).color(&BLACK),
            (12, 12),
        )
        .map_err(&e)?;
    let nm = s.mazes.len().max(1);
    let na = s.agents.len().max(1);
    let hi = s
        .ratios
        .values()
        .flat_map(|(a, b)| a.iter().chain(b))
        .copied()
        .fold(1.5f64, f64::max)
        .min(50.0);
    let lo = s
        .ratios
        .values()
        .flat_map(|(a, b)| a.iter().chain(b))
        .copied()
        .fold(0.9f64, f64::min)
        .max(0.1);
    // Log scale: the random walk's ratios are tens, the planners' close to 1.
    let mut chart = ChartBuilder::on(&body)
        .margin(14)
        .x_label_area_size(40)
        .y_label_area_size(58)
        .build_cartesian_2d(0.0..nm as f64, (lo * 0.95..hi * 1.08).log_scale())
        .map_err(&e)?;
    let mazes = s.mazes.clone();
    chart
        .configure_mesh()
        .disable_x_mesh()
        .x_labels(nm * 2 + 1)
        .x_label_formatter(&|x: &f64| {
            let i = x.floor() as usize;
            if (x.fract() - 0.5).abs() < 1e-6 && i < mazes.len() {
                mazes[i].clone()
            } else {
                String::new()
            }
        })
        .y_desc("path / L*")
        .label_style((font::FAMILY, 13))
        .axis_desc_style((font::FAMILY, 13))
        .light_line_style(RGBColor(0xee, 0xee, 0xee))
        .draw()
        .map_err(&e)?;
    chart
        .draw_series(std::iter::once(PathElement::new(
            vec![(0.0, 1.0), (nm as f64, 1.0)],
            BLACK.mix(0.4).stroke_width(1),
        )))
        .map_err(&e)?;
    for (ai, agent) in s.agents.iter().enumerate() {
        let color = agent_color(ai);
        let mut first = true;
        for (mi, maze) in s.mazes.iter().enumerate() {
            let Some((r1, rk)) = s.ratios.get(&(maze.clone(), agent.clone())) else {
                continue;
            };
            let slot = 0.8 / na as f64;
            let x = mi as f64 + 0.1 + slot * (ai as f64 + 0.5);
            for (v, dx, filled) in [(r1, -0.18, false), (rk, 0.18, true)] {
                if v.is_empty() {
                    continue;
                }
                let x = x + dx * slot;
                let (m, q1, q9) = (mean(v), quantile(v, 0.1), quantile(v, 0.9));
                chart
                    .draw_series(std::iter::once(PathElement::new(
                        vec![(x, q1.min(hi)), (x, q9.min(hi))],
                        color.stroke_width(2),
                    )))
                    .map_err(&e)?;
                let style = if filled {
                    color.filled()
                } else {
                    color.stroke_width(2)
                };
                let series = chart
                    .draw_series(std::iter::once(Circle::new((x, m.min(hi)), 5, style)))
                    .map_err(&e)?;
                if filled && first {
                    first = false;
                    series
                        .label(agent.clone())
                        .legend(move |(x, y)| Circle::new((x + 8, y), 5, color.filled()));
                }
            }
        }
    }
    chart
        .configure_series_labels()
        .position(SeriesLabelPosition::UpperRight)
        .label_font((font::FAMILY, 13))
        .background_style(WHITE.mix(0.85))
        .border_style(RGBColor(0xbb, 0xbb, 0xbb))
        .draw()
        .map_err(&e)?;
    Ok(())
}
