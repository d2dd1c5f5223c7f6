//! A seeded generator for the tests that compare a fast path with the code it stands for on
//! generated inputs: xorshift64, so every run sees the same inputs and a failure repeats.

/// Successive values of xorshift64 (shifts 13, 7, 17) from `seed` (not zero).
pub(crate) fn xorshift(mut seed: u64) -> impl FnMut() -> u64 {
    move || {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        seed
    }
}
