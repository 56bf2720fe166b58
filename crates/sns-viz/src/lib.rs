//! Pictures of SNS: a top-down picture of a run ([`picture`]), a self-contained HTML replay of a
//! run ([`report`]), the phase portrait and replay page of a run on a classic-control world
//! ([`control`]), plots of a benchmark's `runs.csv` ([`bench_plot`]), and rate maps of the
//! neural substrate's grid and place units ([`neural`]).
//!
//! The core and the harness know nothing of plotting: this crate reads what they return
//! ([`sns_harness::RunResult`], [`sns_harness::Recording`], `runs.csv`). Text is drawn with a font
//! embedded in the binary (DejaVu Sans, see `assets/`), so pictures do not depend on the fonts of
//! the machine.
//!
//! ```
//! use sns_harness::{run, AgentSpec, RunSpec};
//! let spec = RunSpec { maze: "u".into(), trials: 2, record_every: 5, ..RunSpec::default() };
//! let result = run(&spec, &AgentSpec::default(), &mut |_| {}).unwrap();
//! let svg = sns_viz::picture::run_svg(&result).unwrap();
//! assert!(svg.contains("<polyline"));
//! ```
#![deny(missing_docs)]

pub mod bench_plot;
pub mod control;
mod font;
pub mod neural;
pub mod picture;
pub mod report;

use plotters::coord::Shift;
use plotters::prelude::{BitMapBackend, DrawingArea, IntoDrawingArea};
use std::path::{Path, PathBuf};
use thiserror::Error;

/// Most pixels (width x height) of a PNG this crate writes: 40 million, 120 MB of RGB. Pictures of
/// big mazes are scaled down to fit (see [`picture`], [`neural`]); a figure still above it is
/// refused with [`VizError::TooLarge`] before the bitmap is allocated.
pub const MAX_PNG_PIXELS: u64 = 40_000_000;

/// What can go wrong when drawing.
#[derive(Debug, Error)]
#[non_exhaustive]
pub enum VizError {
    /// A file could not be read or written.
    #[error("{path}: {error}")]
    Io {
        /// The file.
        path: PathBuf,
        /// The cause (shown in the message, so not a `source`: chains would repeat it).
        error: std::io::Error,
    },
    /// The output file name has no extension we can write.
    #[error("{path}: unsupported file type (expected .{expected})")]
    Format {
        /// The file.
        path: PathBuf,
        /// The extensions accepted, as text.
        expected: &'static str,
    },
    /// The drawing library failed.
    #[error("drawing {what}: {reason}")]
    Draw {
        /// What was being drawn.
        what: String,
        /// The library's message.
        reason: String,
    },
    /// The input lacks something the picture needs.
    #[error("{0}")]
    Missing(String),
    /// A bitmap would exceed [`MAX_PNG_PIXELS`].
    #[error("{}: a {width}x{height} picture is more than the {MAX_PNG_PIXELS} pixels a PNG may have", path.display())]
    TooLarge {
        /// The file.
        path: PathBuf,
        /// Width in pixels.
        width: u32,
        /// Height in pixels.
        height: u32,
    },
    /// A row of a CSV file is malformed.
    #[error("{path}:{line}: {reason}")]
    Csv {
        /// The file.
        path: PathBuf,
        /// Line number (1-based, the header is line 1).
        line: u64,
        /// What is wrong.
        reason: String,
    },
}

/// The picture formats we write.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// Scalable vector graphics.
    Svg,
    /// Portable network graphics (rendered with the embedded font).
    Png,
}

impl Format {
    /// The format named by a path's extension (`.svg` or `.png`, any case).
    pub fn from_path(path: &Path) -> Result<Format, VizError> {
        match path
            .extension()
            .and_then(|e| e.to_str())
            .map(str::to_ascii_lowercase)
            .as_deref()
        {
            Some("svg") => Ok(Format::Svg),
            Some("png") => Ok(Format::Png),
            _ => Err(VizError::Format {
                path: path.to_path_buf(),
                expected: "svg or .png",
            }),
        }
    }
}

/// Wraps a plotters error with what was being drawn.
pub(crate) fn draw_err<E: std::fmt::Display>(what: &str) -> impl Fn(E) -> VizError + '_ {
    move |e| VizError::Draw {
        what: what.to_string(),
        reason: e.to_string(),
    }
}

/// Writes `bytes` to `path` atomically ([`sns_harness::output`]), naming the file on error.
pub(crate) fn write_file(path: &Path, bytes: &[u8]) -> Result<(), VizError> {
    sns_harness::output::write_file(path, bytes).map_err(io_error)
}

/// An output error as a [`VizError`].
fn io_error(e: sns_harness::output::OutputError) -> VizError {
    VizError::Io {
        path: e.path,
        error: e.cause,
    }
}

/// Draws a `width` x `height` bitmap with `paint` and writes it to `path` as a PNG, atomically.
/// The bitmap is drawn in memory and encoded here (not by plotters, whose write errors neither
/// name the file nor say the cause), so an I/O error is `path: cause`.
pub(crate) fn write_png(
    path: &Path,
    (width, height): (u32, u32),
    paint: impl FnOnce(&DrawingArea<BitMapBackend<'_>, Shift>) -> Result<(), VizError>,
) -> Result<(), VizError> {
    let pixels = u64::from(width) * u64::from(height);
    if pixels > MAX_PNG_PIXELS || width == 0 || height == 0 {
        return Err(VizError::TooLarge {
            path: path.to_path_buf(),
            width,
            height,
        });
    }
    let mut rgb = vec![0u8; pixels as usize * 3];
    {
        let root = BitMapBackend::with_buffer(&mut rgb, (width, height)).into_drawing_area();
        paint(&root)?;
        root.present().map_err(draw_err("the PNG"))?;
    }
    let png_io = |e: png::EncodingError| match e {
        png::EncodingError::IoError(io) => io,
        other => std::io::Error::other(other.to_string()),
    };
    sns_harness::output::write_with(path, |out| {
        let mut enc = png::Encoder::new(out, width, height);
        enc.set_color(png::ColorType::Rgb);
        enc.set_depth(png::BitDepth::Eight);
        let mut w = enc.write_header().map_err(png_io)?;
        w.write_image_data(&rgb).map_err(png_io)?;
        w.finish().map_err(png_io)
    })
    .map_err(io_error)
}
