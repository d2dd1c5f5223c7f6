//! Byte-level searches shared by the detectors. Most of a prompt is letters and spaces, so the
//! detectors jump from one interesting byte (a digit, an `@`, a capital letter) to the next
//! instead of looking at every byte; these helpers test eight to 64 bytes per step.

const ONES: u64 = 0x0101_0101_0101_0101;
const HIGHS: u64 = 0x8080_8080_8080_8080;

/// The high bit of each byte of `x` that lies strictly between `m` and `n` (`m` ≤ 127, `n` ≤
/// 128). Each byte is tested on its own (no carries between bytes), so the answer is exact.
#[inline]
fn between(x: u64, m: u8, n: u8) -> u64 {
    let low7 = ONES.wrapping_mul(127);
    let x7 = x & low7;
    let above_m = x7 + ONES.wrapping_mul(127 - u64::from(m));
    let below_n = ONES.wrapping_mul(127 + u64::from(n)).wrapping_sub(x7);
    below_n & !x & above_m & HIGHS
}

#[inline]
fn chunk(bytes: &[u8], at: usize) -> Option<u64> {
    let c: [u8; 8] = bytes.get(at..at + 8)?.try_into().ok()?;
    Some(u64::from_le_bytes(c))
}

/// First position at or after `from` holding a byte in `lo..=hi`, one byte at a time.
#[cfg(test)]
fn find_range(bytes: &[u8], from: usize, lo: u8, hi: u8) -> Option<usize> {
    bytes.get(from..)?.iter().position(|b| (lo..=hi).contains(b)).map(|p| p + from)
}

/// Whether `b` is an ASCII digit.
#[inline]
fn is_digit(b: u8) -> bool {
    b.wrapping_sub(b'0') < 10
}

/// First ASCII digit at or after `from`. Blocks of 64 bytes are tested with one lane-wise
/// minimum of `byte - b'0'` over their four 16-byte quarters (vector subtractions and minimums;
/// a digit leaves a lane below 10); in the block that holds a digit, the first quarter that holds
/// one is found the same way, and the digit in it eight bytes at a time, as in the tail of fewer
/// than 64 bytes.
pub(crate) fn find_digit(bytes: &[u8], from: usize) -> Option<usize> {
    let rest = bytes.get(from..)?;
    let mut at = from;
    for block in rest.chunks_exact(64) {
        let mut low = [u8::MAX; 16];
        for quarter in block.chunks_exact(16) {
            for (m, &b) in low.iter_mut().zip(quarter) {
                *m = (*m).min(b.wrapping_sub(b'0'));
            }
        }
        if low.iter().fold(false, |any, &m| any | (m < 10)) {
            for quarter in block.chunks_exact(16) {
                if quarter.iter().fold(false, |any, &b| any | is_digit(b)) {
                    break;
                }
                at += 16;
            }
            break;
        }
        at += 64;
    }
    while let Some(x) = chunk(bytes, at) {
        let hits = between(x, b'0' - 1, b'9' + 1);
        if hits != 0 {
            return Some(at + hits.trailing_zeros() as usize / 8);
        }
        at += 8;
    }
    bytes[at..].iter().position(|&b| is_digit(b)).map(|p| at + p)
}

/// First position at or after `from` holding an upper-case ASCII letter or a non-ASCII byte.
/// Blocks of 16 bytes are tested whole (vector compares) until one holds such a byte, which is
/// then found eight bytes at a time.
#[inline(never)]
pub(crate) fn find_capital_or_wide(bytes: &[u8], from: usize) -> Option<usize> {
    let hit = |b: u8| (b.wrapping_sub(b'A') < 26) | (b >= 0x80);
    let rest = bytes.get(from..)?;
    let mut blocks = rest.chunks_exact(16);
    let mut at = from;
    for block in &mut blocks {
        if block.iter().fold(false, |any, &b| any | hit(b)) {
            for (k, word) in block.chunks_exact(8).enumerate() {
                let x = u64::from_le_bytes(word.try_into().unwrap_or_default());
                let hits = x & HIGHS | between(x, b'A' - 1, b'Z' + 1);
                if hits != 0 {
                    return Some(at + 8 * k + hits.trailing_zeros() as usize / 8);
                }
            }
            break;
        }
        at += 16;
    }
    bytes[at..].iter().position(|&b| hit(b)).map(|p| at + p)
}

/// Whether `hay` contains `needle`.
pub(crate) fn contains(hay: &[u8], needle: &[u8]) -> bool {
    memchr::memmem::find(hay, needle).is_some()
}

/// First position of `needle` (not empty) in `hay`, for haystacks of a few dozen bytes: each
/// place that holds the needle's first byte is compared, with none of the set-up a general
/// searcher makes.
pub(crate) fn find_short(hay: &[u8], needle: &[u8]) -> Option<usize> {
    let (&first, rest) = needle.split_first()?;
    (0..hay.len()).find(|&i| hay[i] == first && hay[i + 1..].starts_with(rest))
}

/// A maximal run of number-like text (digits with spaces, dashes, dots, parentheses, a leading
/// plus) and how many digits it holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct NumberRun {
    pub start: usize,
    pub end: usize,
    pub digits: usize,
}

/// Every number-like run of `text`. Structured identifiers live inside these runs, so the
/// per-entity patterns only ever look at a few short slices instead of the whole text.
pub(crate) fn number_runs(text: &str) -> Vec<NumberRun> {
    let b = text.as_bytes();
    let mut runs = Vec::with_capacity(16);
    let mut from = 0;
    while let Some(d) = find_digit(b, from) {
        // A run may open with '+' or '(' right before its first digit.
        let s = if d > from && matches!(b[d - 1], b'+' | b'(') { d - 1 } else { d };
        let mut i = s;
        let mut digits = 0;
        while i < b.len()
            && (b[i].is_ascii_digit()
                || matches!(b[i], b' ' | b'-' | b'.' | b'(' | b')' | b'+')
                || (b[i] == b'x' && b.get(i + 1).is_some_and(u8::is_ascii_digit)))
        {
            if b[i].is_ascii_digit() {
                digits += 1;
            }
            i += 1;
        }
        let mut e = i;
        while e > s && matches!(b[e - 1], b' ' | b'-' | b'.' | b'(' | b'+') {
            e -= 1;
        }
        runs.push(NumberRun { start: s, end: e, digits });
        from = i.max(s + 1);
    }
    runs
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn find_digit_is_a_plain_search(
            bytes in prop::collection::vec(prop_oneof![
                20 => Just(b'a'),
                4 => Just(b' '),
                1 => b'0'..=b'9',
                1 => Just(b'/'),
                1 => Just(b':'),
                2 => any::<u8>(),
            ], 0..400),
            from in 0usize..410,
        ) {
            prop_assert_eq!(find_digit(&bytes, from), find_range(&bytes, from, b'0', b'9'));
        }
    }

    #[test]
    fn find_digit_finds_every_byte_at_every_place() {
        for special in [b'0', b'5', b'9', b'/', b':', 0x80 + b'0', 0xb9, 0, 0xff, b'a'] {
            for len in [0, 1, 7, 8, 9, 15, 16, 17, 63, 64, 65, 71, 72, 80, 127, 128, 129, 150] {
                for at in 0..len {
                    let mut bytes = vec![b'x'; len];
                    bytes[at] = special;
                    for from in [0, 1, at.saturating_sub(1), at, at + 1, len, len + 1] {
                        assert_eq!(
                            find_digit(&bytes, from),
                            find_range(&bytes, from, b'0', b'9'),
                            "{special} {len} {at} {from}"
                        );
                    }
                }
            }
        }
    }

    proptest! {
        #[test]
        fn find_capital_or_wide_is_a_plain_search(
            bytes in prop::collection::vec(prop_oneof![
                12 => Just(b'a'),
                2 => Just(b' '),
                1 => Just(b'Q'),
                1 => Just(b'Z'),
                1 => 0x80u8..=0xff,
                2 => any::<u8>(),
            ], 0..300),
            from in 0usize..310,
        ) {
            prop_assert_eq!(find_capital_or_wide(&bytes, from), plain_capital_or_wide(&bytes, from));
        }
    }

    fn plain_capital_or_wide(bytes: &[u8], from: usize) -> Option<usize> {
        bytes.get(from..)?.iter().position(|&b| b.is_ascii_uppercase() || b >= 0x80).map(|p| p + from)
    }

    #[test]
    fn find_capital_or_wide_finds_every_byte_at_every_place() {
        for special in [b'@', b'A', b'M', b'Z', b'[', b'`', b'a', b'z', 0x7f, 0x80, 0xc3, 0xff, 0] {
            for len in [0, 1, 7, 8, 9, 15, 16, 17, 31, 32, 33, 40, 64, 70] {
                for at in 0..len {
                    let mut bytes = vec![b'x'; len];
                    bytes[at] = special;
                    for from in 0..=len + 1 {
                        assert_eq!(
                            find_capital_or_wide(&bytes, from),
                            plain_capital_or_wide(&bytes, from),
                            "{special} {len} {at} {from}"
                        );
                    }
                }
            }
        }
    }

    proptest! {
        #[test]
        fn find_short_is_a_plain_search(
            hay in prop::collection::vec(prop_oneof![Just(b':'), Just(b'/'), Just(b'.'), Just(b'x'), any::<u8>()], 0..40),
            needle in prop::collection::vec(prop_oneof![Just(b':'), Just(b'/'), Just(b'.'), Just(b'x')], 1..5),
        ) {
            let plain = hay.windows(needle.len()).position(|w| w == needle.as_slice());
            prop_assert_eq!(find_short(&hay, &needle), plain);
        }
    }

    #[test]
    fn ranges_and_runs() {
        let t = "abc defgh ijklmnop q7 rst+1 (415) 555-0134 x\u{e9}9";
        assert_eq!(find_digit(t.as_bytes(), 0), Some(20));
        assert_eq!(find_capital_or_wide("abcdefghij\u{e9}Z".as_bytes(), 0), Some(10));
        assert_eq!(find_capital_or_wide(b"abcdefghijklmnopqrstuvwxyZ", 3), Some(25));
        let runs = number_runs(t);
        let spans: Vec<&str> = runs.iter().map(|r| &t[r.start..r.end]).collect();
        assert_eq!(spans, ["7", "+1 (415) 555-0134", "9"]);
        for s in 0..t.len() {
            let want = t.as_bytes()[s..].iter().position(u8::is_ascii_digit).map(|p| p + s);
            assert_eq!(find_digit(t.as_bytes(), s), want);
        }
    }
}
