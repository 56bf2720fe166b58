//! Rate maps of the neural substrate over a maze: a few grid units of each module of the
//! harmonic code (`sns_neural::HarmonicCode`), and a few place units.
//!
//! A *grid unit* is one hexagonal triple of phasors of a module (three plane waves 60 degrees
//! apart): its rate at `x` is `max(0, sum_t cos(omega_t . x + phi_t)) / 3`, read from the code
//! `h(x)`. A *place unit* anchored at `a` has the activity `K(h(x), h(a))` of the substrate's place
//! units (`sns_neural::place::PlaceUnits::activity`), clamped to `[0, 1]`. Walls are drawn over
//! the maps, shaded. Modules whose wavelength is far above the maze's size look flat and are left
//! out; at most [`MAX_MODULES`] modules are shown, evenly spread over the rest.
//!
//! The picture is a PNG (per-pixel maps would make SVGs of megabytes).

use crate::{draw_err, font, VizError};
use plotters::coord::Shift;
use plotters::prelude::*;
use sns_neural::code::Code;
use sns_neural::place::PlaceUnits;
use sns_neural::HarmonicCode;
use sns_worlds::maze::MazeMap;
use sns_worlds::Vec2;
use std::path::Path;

/// Most modules shown (one row each).
pub const MAX_MODULES: usize = 6;
/// Grid units shown per module, and place units shown.
pub const UNITS_PER_ROW: usize = 4;

/// Largest side of one rate-map panel in pixels: 6 to 40 pixels per metre, less for mazes
/// bigger than 80 cells on a side (a 2000x2000 map is drawn at 0.24 pixels per metre).
pub const MAX_PANEL_PIXELS: u32 = 480;
const LABEL_W: u32 = 150;
const TITLE_H: u32 = 36;
const GAP: u32 = 6;

/// A perceptual-ish ramp from dark blue (0) through teal and green to yellow (1).
fn ramp(v: f64) -> RGBColor {
    const STOPS: [(f64, [f64; 3]); 5] = [
        (0.0, [38.0, 20.0, 80.0]),
        (0.25, [50.0, 90.0, 140.0]),
        (0.5, [33.0, 145.0, 140.0]),
        (0.75, [110.0, 200.0, 90.0]),
        (1.0, [250.0, 230.0, 35.0]),
    ];
    let v = if v.is_finite() {
        v.clamp(0.0, 1.0)
    } else {
        0.0
    };
    let i = STOPS.iter().rposition(|s| s.0 <= v).unwrap_or(0).min(3);
    let (a, b) = (STOPS[i], STOPS[i + 1]);
    let f = (v - a.0) / (b.0 - a.0);
    let c = |k: usize| (a.1[k] + (b.1[k] - a.1[k]) * f).round() as u8;
    RGBColor(c(0), c(1), c(2))
}

/// Which modules to show: those with a wavelength up to twice the maze's larger side (at least
/// two), at most [`MAX_MODULES`], evenly spread.
fn shown_modules(code: &HarmonicCode, map: &MazeMap) -> Vec<(usize, f64)> {
    let p = code.params();
    let size = map.rows().max(map.cols()) as f64;
    let all: Vec<(usize, f64)> = (0..p.modules())
        .map(|j| (j, p.lambda_min * p.scale_ratio().powi(j as i32)))
        .collect();
    let fit: Vec<_> = all.iter().copied().filter(|m| m.1 <= 2.0 * size).collect();
    let pool = if fit.len() >= 2 { fit } else { all };
    if pool.len() <= MAX_MODULES {
        return pool;
    }
    (0..MAX_MODULES)
        .map(|i| pool[i * (pool.len() - 1) / (MAX_MODULES - 1)])
        .collect()
}

/// Writes the rate maps of `code` over `map` to `path` (a `.png`).
pub fn write_rate_maps(code: &HarmonicCode, map: &MazeMap, path: &Path) -> Result<(), VizError> {
    match crate::Format::from_path(path)? {
        crate::Format::Png => {}
        crate::Format::Svg => {
            return Err(VizError::Format {
                path: path.to_path_buf(),
                expected: "png (rate maps are pixel images)",
            })
        }
    }
    font::ensure()?;
    let modules = shown_modules(code, map);
    let ppm = panel_ppm(map);
    let (pw, ph) = (
        (map.cols() as f64 * ppm).round().max(1.0) as u32,
        (map.rows() as f64 * ppm).round().max(1.0) as u32,
    );
    let rows = modules.len() as u32 + 1;
    let w = LABEL_W + UNITS_PER_ROW as u32 * (pw + GAP) + GAP;
    let h = TITLE_H + rows * (ph + GAP) + GAP;
    crate::write_png(path, (w, h), |root| {
        paint_rate_maps(root, code, map, &modules, ppm, (pw, ph))
    })
}

/// Pixels per metre of a rate map: 6 to 40, and less for a maze so big that a panel would be
/// more than [`MAX_PANEL_PIXELS`] on a side (each pixel is one encoding of the code).
fn panel_ppm(map: &MazeMap) -> f64 {
    let side = map.rows().max(map.cols()).max(1) as f64;
    (220.0 / map.cols().max(1) as f64)
        .floor()
        .clamp(6.0, 40.0)
        .min(f64::from(MAX_PANEL_PIXELS) / side)
}

/// Draws the rate maps (see [`write_rate_maps`]).
fn paint_rate_maps<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    code: &HarmonicCode,
    map: &MazeMap,
    modules: &[(usize, f64)],
    ppm: f64,
    (pw, ph): (u32, u32),
) -> Result<(), VizError> {
    let rows = modules.len() as u32 + 1;
    let e = draw_err("the rate maps");
    root.fill(&WHITE).map_err(&e)?;
    let title = TextStyle::from((font::FAMILY, 16).into_font()).color(&BLACK);
    let label = TextStyle::from((font::FAMILY, 13).into_font()).color(&BLACK);
    root.draw_text(
        &format!(
            "neural substrate over maze {}: grid units ({} phasors, {} modules) and place units",
            map.name,
            code.dims(),
            code.params().modules()
        ),
        &title,
        (8, 10),
    )
    .map_err(&e)?;
    let rot = code.params().rotations;
    let sample = |px: u32, py: u32| -> Vec2 {
        let x = (px as f64 + 0.5) / ppm - map.cols() as f64 / 2.0;
        let y = map.rows() as f64 / 2.0 - (py as f64 + 0.5) / ppm;
        Vec2::new(x, y)
    };
    // Codes of every pixel, shared by all panels.
    let codes: Vec<Code> = (0..ph)
        .flat_map(|py| (0..pw).map(move |px| (px, py)))
        .map(|(px, py)| code.encode(sample(px, py)))
        .collect();
    let at = |row: u32, col: u32| {
        (
            (LABEL_W + GAP + col * (pw + GAP)) as i32,
            (TITLE_H + GAP + row * (ph + GAP)) as i32,
        )
    };
    for (r, &(j, lambda)) in modules.iter().enumerate() {
        let (_, y0) = at(r as u32, 0);
        root.draw_text(
            &format!("module {j}, λ = {lambda:.2} m"),
            &label,
            (8, y0 + ph as i32 / 2 - 7),
        )
        .map_err(&e)?;
        for u in 0..UNITS_PER_ROW.min(rot) {
            let base = j * 3 * rot + 3 * u;
            let origin = at(r as u32, u as u32);
            panel(root, map, ppm, origin, (pw, ph), |i| {
                let c = &codes[i];
                (c.re[base] + c.re[base + 1] + c.re[base + 2]).max(0.0) / 3.0
            })?;
        }
    }
    // Place units anchored at free cells spread over the maze.
    let free = map.free_cells();
    let mut units = PlaceUnits::new(code.dims());
    let n = UNITS_PER_ROW.min(free.len());
    let (_, y0) = at(rows - 1, 0);
    root.draw_text("place units", &label, (8, y0 + ph as i32 / 2 - 7))
        .map_err(&e)?;
    for k in 0..n {
        let cell = free[(k * (free.len() - 1)) / (n - 1).max(1)];
        let u = units.add(code, &code.encode(map.cell_to_xy(cell)), 0);
        let origin = at(rows - 1, k as u32);
        panel(root, map, ppm, origin, (pw, ph), |i| {
            units.activity(u, &codes[i]).clamp(0.0, 1.0)
        })?;
    }
    Ok(())
}

/// One rate map: `rate(i)` for pixel `i` (row-major), walls shaded on top.
fn panel<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    map: &MazeMap,
    ppm: f64,
    (x0, y0): (i32, i32),
    (pw, ph): (u32, u32),
    rate: impl Fn(usize) -> f64,
) -> Result<(), VizError> {
    let e = draw_err("a rate map");
    for py in 0..ph {
        for px in 0..pw {
            let v = rate((py * pw + px) as usize);
            let (r, c) = (
                ((py as f64 + 0.5) / ppm) as i64,
                ((px as f64 + 0.5) / ppm) as i64,
            );
            let col = if map.is_wall(r, c) {
                let k = ramp(v);
                // Walls: the map darkened towards grey, so the maze reads through.
                RGBColor(
                    (k.0 as u32 / 4 + 60) as u8,
                    (k.1 as u32 / 4 + 60) as u8,
                    (k.2 as u32 / 4 + 66) as u8,
                )
            } else {
                ramp(v)
            };
            root.draw_pixel((x0 + px as i32, y0 + py as i32), &col)
                .map_err(&e)?;
        }
    }
    Ok(())
}
