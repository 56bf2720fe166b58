//! Helpers shared by the unit tests.

use sns_worlds::Real;

/// A seeded uniform generator on [0, 1) (a 64-bit LCG; tests only need a fixed, cheap stream).
pub(crate) fn uniform(seed: u64) -> impl FnMut() -> Real {
    let mut state = seed;
    move || {
        state = state
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (state >> 11) as Real / (1u64 << 53) as Real
    }
}
