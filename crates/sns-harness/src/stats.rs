//! The statistics of results, written once: the benchmark's summaries and the plots of
//! `sns-viz` use these.

/// Quantile `q` in [0, 1] of sorted `v` (linear interpolation between the closest ranks),
/// `None` when `v` is empty. `q` outside [0, 1] is clamped.
pub fn quantile(v: &[f64], q: f64) -> Option<f64> {
    if v.is_empty() {
        return None;
    }
    let x = q.clamp(0.0, 1.0) * (v.len() - 1) as f64;
    let (i, f) = (x.floor() as usize, x - x.floor());
    let hi = v[(i + 1).min(v.len() - 1)];
    Some(v[i] + f * (hi - v[i]))
}

/// Quantile `q` of `v` in any order (sorted first; see [`quantile`]).
pub fn quantile_unsorted(v: &[f64], q: f64) -> Option<f64> {
    let mut s = v.to_vec();
    s.sort_by(f64::total_cmp);
    quantile(&s, q)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quantiles_interpolate() {
        let v = [1.0, 2.0, 3.0, 4.0];
        assert_eq!(quantile(&v, 0.5), Some(2.5));
        assert_eq!(quantile(&v, 0.0), Some(1.0));
        assert_eq!(quantile(&v, 1.0), Some(4.0));
        assert_eq!(quantile(&v, 2.0), Some(4.0));
        assert_eq!(quantile(&[], 0.5), None);
        assert_eq!(quantile_unsorted(&[4.0, 1.0, 3.0, 2.0], 0.25), Some(1.75));
    }
}
