//! The embedded font: plotters' `ab_glyph` text backend only knows fonts registered from bytes,
//! so pictures look the same on a fresh machine without any system font.

use crate::VizError;
use plotters::style::FontStyle;
use std::sync::OnceLock;

/// DejaVu Sans (Bitstream Vera licence, see `assets/DejaVuSans-LICENSE.txt`).
static DEJAVU_SANS: &[u8] = include_bytes!("../assets/DejaVuSans.ttf");

/// The family name pictures use.
pub(crate) const FAMILY: &str = "sans-serif";

/// Registers the embedded font under [`FAMILY`] (once per process).
pub(crate) fn ensure() -> Result<(), VizError> {
    static DONE: OnceLock<bool> = OnceLock::new();
    let ok = *DONE.get_or_init(|| {
        let normal = plotters::style::register_font(FAMILY, FontStyle::Normal, DEJAVU_SANS);
        // Bold and italic requests fall back to the same face rather than failing.
        let bold = plotters::style::register_font(FAMILY, FontStyle::Bold, DEJAVU_SANS);
        let italic = plotters::style::register_font(FAMILY, FontStyle::Italic, DEJAVU_SANS);
        normal.is_ok() && bold.is_ok() && italic.is_ok()
    });
    if ok {
        Ok(())
    } else {
        Err(VizError::Missing(
            "the embedded font could not be loaded".into(),
        ))
    }
}
