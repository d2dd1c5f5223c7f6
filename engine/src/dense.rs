//! A small dense automaton over a literal set, for the byte loops that run over every prompt.
//!
//! It is built from an Aho-Corasick DFA (which does the construction and the overlapping-match
//! bookkeeping) by walking its states once, then laid out for the hot loop: bytes that occur in
//! no literal share one class, transitions are premultiplied state offsets, and the states that
//! need attention (those that report literals, and the dead state of an anchored walk) are
//! numbered last, so a step is one table load and one comparison.

use aho_corasick::automaton::{Automaton, StateID};
use aho_corasick::{Anchored, MatchKind, StartKind};
use std::collections::HashMap;

/// Parts of a long haystack that [`Dense::run_unanchored`] walks side by side.
const LANES: usize = 6;

pub(crate) struct Dense {
    classes: [u8; 256],
    stride: usize,
    /// `trans[state + class]` is the next state, as an offset into this table. Its length is a
    /// power of two (padded with unused entries) and the hot loops index it through `mask`, so
    /// a step needs no bounds check: every offset the table holds is below `mask`.
    trans: Vec<u32>,
    mask: usize,
    start: u32,
    /// States at or above this offset report literals or are dead. A power of two in unanchored
    /// automata.
    first_special: u32,
    /// The dead state (anchored walks only; `u32::MAX` when there is none).
    dead: u32,
    /// Per special state (in order from `first_special`): the literals ending there.
    matches: Vec<Vec<u32>>,
    /// `(offset - first_special) >> shift` times `inv` (mod 2³²) is a special state's index:
    /// an exact division by the stride without a divide instruction on the hot path.
    shift: u32,
    inv: u32,
    /// The longest literal: a walk started this many bytes back is in step with one from the start.
    max_len: usize,
    /// Anchored automata with few states: `trans` again, as `u16` state numbers in rows of a
    /// power-of-two length (`1 << row_bits`). Half the size, and a row of up to 32 classes is
    /// one cache line, which matters for [`Dense::walk_each`]: its many short walks touch
    /// states all over a table far larger than the L1 cache.
    /// Padded to a power of two like `trans`, indexed through `small_mask`.
    small: Vec<u16>,
    small_mask: usize,
    row_bits: u32,
}

/// `v` padded with zeros to a power-of-two length, and that length minus one.
fn pad_pow2<T: Copy + Default>(mut v: Vec<T>) -> (Vec<T>, usize) {
    let len = v.len().max(1).next_power_of_two();
    v.resize(len, T::default());
    (v, len - 1)
}

impl Dense {
    /// `anchored`: literals must start where the walk starts (the walk stops once none can);
    /// otherwise every occurrence anywhere is reported, overlapping ones too.
    pub(crate) fn build<P: AsRef<[u8]>>(patterns: &[P], anchored: bool) -> Result<Dense, String> {
        let dfa = aho_corasick::dfa::DFA::builder()
            .match_kind(MatchKind::Standard)
            .start_kind(if anchored { StartKind::Anchored } else { StartKind::Unanchored })
            .prefilter(false)
            .build(patterns)
            .map_err(|e| e.to_string())?;
        let mode = if anchored { Anchored::Yes } else { Anchored::No };

        // Byte classes: each byte that occurs in a literal is its own class, all others share 0.
        let mut classes = [0u8; 256];
        let mut reps: Vec<u8> = vec![0];
        let mut used = [false; 256];
        for p in patterns {
            for &b in p.as_ref() {
                used[b as usize] = true;
            }
        }
        let other = (0..=255u8).find(|b| !used[*b as usize]);
        reps[0] = other.unwrap_or(0);
        for b in 0..=255u8 {
            if used[b as usize] {
                classes[b as usize] = u8::try_from(reps.len()).map_err(|_| "too many byte classes".to_string())?;
                reps.push(b);
            }
        }
        let stride = reps.len();

        // Every reachable state, breadth first, with the length of the shortest way to it.
        let start = dfa.start_state(mode).map_err(|e| e.to_string())?;
        let mut index: HashMap<StateID, usize> = HashMap::new();
        let mut order: Vec<StateID> = vec![start];
        let mut depth: Vec<usize> = vec![0];
        index.insert(start, 0);
        let mut k = 0;
        while let Some(&sid) = order.get(k) {
            let d = depth.get(k).copied().unwrap_or(0);
            k += 1;
            if dfa.is_dead(sid) {
                continue;
            }
            for &r in &reps {
                let next = dfa.next_state(mode, sid, r);
                if let std::collections::hash_map::Entry::Vacant(e) = index.entry(next) {
                    e.insert(order.len());
                    order.push(next);
                    depth.push(d + 1);
                }
            }
        }
        // The literals a state reports. A state also carries the literals that end its path but
        // start later (the suffixes an unanchored search needs); an anchored walk reports only
        // the literal that is its whole path from the start, whose length is the state's depth.
        let reported = |k: usize, sid: StateID| -> Vec<u32> {
            let d = depth.get(k).copied().unwrap_or(0);
            (0..dfa.match_len(sid))
                .map(|m| dfa.match_pattern(sid, m).as_u32())
                .filter(|&pid| !anchored || patterns.get(pid as usize).is_some_and(|p| p.as_ref().len() == d))
                .collect()
        };
        let reports: Vec<Vec<u32>> = order
            .iter()
            .enumerate()
            .map(|(k, &sid)| if dfa.is_match(sid) { reported(k, sid) } else { Vec::new() })
            .collect();
        // Ordinary states first, then those reporting literals, then the dead state.
        let kind = |k: usize, sid: StateID| -> u8 {
            if dfa.is_dead(sid) {
                2
            } else if reports.get(k).is_some_and(|r| !r.is_empty()) {
                1
            } else {
                0
            }
        };
        let of_kind = |want: u8| order.iter().enumerate().filter(move |&(k, &s)| kind(k, s) == want).map(|(k, _)| k);
        let by_layout: Vec<usize> = of_kind(0).chain(of_kind(1)).chain(of_kind(2)).collect();
        let first_special = of_kind(0).count();
        let layout: Vec<StateID> = by_layout.iter().filter_map(|&k| order.get(k).copied()).collect();
        let slot: HashMap<StateID, usize> = layout.iter().enumerate().map(|(i, &s)| (s, i)).collect();
        // Unanchored walks step several lanes at once and test them together: with the special
        // states from a power of two on (the gap before it is never entered), one of several
        // states is special exactly when their bitwise or is at least that.
        let base = if anchored { first_special * stride } else { (first_special * stride).max(1).next_power_of_two() };
        let place = |i: usize| if i < first_special { i * stride } else { base + (i - first_special) * stride };
        let offset = |i: usize| u32::try_from(place(i)).map_err(|_| "automaton too large".to_string());

        let mut trans = vec![0u32; place(layout.len())];
        let mut matches = Vec::new();
        let mut dead = u32::MAX;
        for (i, &sid) in layout.iter().enumerate() {
            let row = trans.get_mut(place(i)..place(i) + stride).ok_or("bad layout")?;
            if dfa.is_dead(sid) {
                dead = offset(i)?;
                // The dead state loops on itself.
                row.fill(dead);
                matches.push(Vec::new());
                continue;
            }
            for (t, &r) in row.iter_mut().zip(&reps) {
                let next = dfa.next_state(mode, sid, r);
                *t = offset(slot.get(&next).copied().unwrap_or(0))?;
            }
            if i >= first_special {
                let ids = by_layout.get(i).and_then(|&k| reports.get(k)).cloned().unwrap_or_default();
                matches.push(ids);
            }
        }
        let start = offset(slot.get(&start).copied().unwrap_or(0))?;
        let shift = stride.trailing_zeros();
        let odd = u32::try_from(stride >> shift).map_err(|_| "automaton too large".to_string())?;
        // Newton's iteration doubles the correct low bits of an odd number's inverse each round.
        let mut inv = odd;
        for _ in 0..5 {
            inv = inv.wrapping_mul(2u32.wrapping_sub(odd.wrapping_mul(inv)));
        }
        let max_len = patterns.iter().map(|p| p.as_ref().len()).max().unwrap_or(0);
        let row_bits = stride.next_power_of_two().trailing_zeros();
        let small = match u16::try_from(layout.len()) {
            Ok(_) if anchored => {
                let mut small = vec![0u16; layout.len() << row_bits];
                for (i, row) in trans.chunks(stride).enumerate() {
                    for (c, &t) in row.iter().enumerate() {
                        if let Some(slot) = small.get_mut((i << row_bits) + c) {
                            *slot = u16::try_from(t as usize / stride).unwrap_or(0);
                        }
                    }
                }
                small
            }
            _ => Vec::new(),
        };
        let (trans, mask) = pad_pow2(trans);
        let (small, small_mask) = if small.is_empty() { (small, 0) } else { pad_pow2(small) };
        Ok(Dense {
            classes,
            stride,
            trans,
            mask,
            start,
            first_special: offset(first_special)?,
            dead,
            matches,
            shift,
            inv,
            max_len,
            small,
            small_mask,
            row_bits,
        })
    }

    /// The literals reported by special state `state` (at or above `first_special`).
    #[inline]
    fn ids(&self, state: u32) -> &[u32] {
        self.matches.get(self.special_index(state)).map_or(&[], Vec::as_slice)
    }

    /// Walks `hay` from its start and calls `f(end, literals)` for every state that reports
    /// literals (`end` is one past the last byte read). Anchored automata stop once no literal
    /// can match any more.
    #[inline]
    pub(crate) fn run(&self, hay: &[u8], mut f: impl FnMut(usize, &[u32])) {
        let mut s = self.start;
        let mut i = 0;
        while let Some((at, state)) = self.next_special(hay, i, s) {
            if state == self.dead {
                return;
            }
            f(at + 1, self.ids(state));
            s = state;
            i = at + 1;
        }
    }

    /// [`Dense::run`] for an unanchored automaton. Each step waits for the previous state's
    /// load, so a long haystack is cut into [`LANES`] parts walked in the same loop, which keeps
    /// that many loads in flight. Every part but the first is walked from [`Dense::max_len`]
    /// bytes before its start, where its walk falls in step with one from the beginning; what
    /// it reports up to its start belongs to the part before. Reports of later parts wait until
    /// the earlier parts are done, so `f` sees the same calls in the same order as from one walk.
    pub(crate) fn run_unanchored(&self, hay: &[u8], mut f: impl FnMut(usize, &[u32])) {
        let part = hay.len() / LANES;
        if self.dead != u32::MAX || part < 2 * self.max_len + 64 {
            return self.run(hay, f);
        }
        // Part `l` reports literals ending in `cut[l] + 1..=cut[l + 1]`; its walk starts at `from[l]`.
        let cut: [usize; LANES + 1] = std::array::from_fn(|l| if l == LANES { hay.len() } else { l * part });
        let from: [usize; LANES] = std::array::from_fn(|l| cut[l].saturating_sub(self.max_len));
        // The first part is the shortest walk: all parts step together for its length.
        let lanes: [&[u8]; LANES] = std::array::from_fn(|l| hay.get(from[l]..from[l] + part).unwrap_or(&[]));
        let first = self.first_special;
        let mut s = [self.start; LANES];
        // What the later parts report up to their end, as (part, end, state) in the order found:
        // one list for all parts (a few entries each), read back part by part.
        let mut later: Vec<(usize, usize, u32)> = Vec::with_capacity(32);
        let mut k = 0;
        while k < part {
            k = self.step_lanes(&lanes, k, &mut s);
            if s[0] >= first {
                f(k, self.ids(s[0]));
            }
            for l in 1..LANES {
                let end = from[l] + k;
                if s[l] >= first && end > cut[l] {
                    later.push((l, end, s[l]));
                }
            }
        }
        for l in 1..LANES {
            for &(_, end, state) in later.iter().filter(|r| r.0 == l) {
                f(end, self.ids(state));
            }
            let Some(lane) = hay.get(..cut[l + 1]) else { return };
            let (mut st, mut i) = (s[l], from[l] + part);
            while let Some((at, state)) = self.next_special(lane, i, st) {
                f(at + 1, self.ids(state));
                st = state;
                i = at + 1;
            }
        }
    }

    /// The hot loop of [`Dense::run_unanchored`], kept apart so its values stay in registers:
    /// steps every lane from byte `k` on until one of them reaches a special state (or the lanes
    /// end) and returns how many bytes of each lane have been read.
    #[inline(never)]
    fn step_lanes(&self, lanes: &[&[u8]; LANES], k: usize, s: &mut [u32; LANES]) -> usize {
        let classes = &self.classes;
        let mask = self.mask;
        let Some(trans) = self.trans.get(..=mask) else { return lanes[0].len() };
        let first = self.first_special as usize;
        let n = lanes[0].len();
        let len = n.saturating_sub(k);
        let parts: [&[u8]; LANES] = std::array::from_fn(|l| lanes[l].get(k..k + len).unwrap_or(&[]));
        if parts.iter().any(|p| p.len() != len) {
            return n;
        }
        // States as `usize`: no widening before each index.
        let mut st = s.map(|v| v as usize);
        let mut at = n;
        for i in 0..len {
            let mut any = 0;
            for l in 0..LANES {
                let byte = parts[l].get(i).copied().unwrap_or(0);
                st[l] = trans[(st[l] + classes[byte as usize] as usize) & mask] as usize;
                any |= st[l];
            }
            // `first` is a power of two.
            if any >= first {
                at = k + i + 1;
                break;
            }
        }
        *s = st.map(|v| v as u32);
        at
    }

    /// Like [`Dense::run`] for short anchored walks (a word or two): the loop is inlined into
    /// the caller, which saves a call per step when literals are found every few bytes.
    #[inline]
    pub(crate) fn run_short(&self, hay: &[u8], mut f: impl FnMut(usize, &[u32])) {
        let mask = self.mask;
        let Some(trans) = self.trans.get(..=mask) else { return };
        let mut s = self.start;
        for (i, &b) in hay.iter().enumerate() {
            s = trans[(s as usize + self.classes[b as usize] as usize) & mask];
            if s >= self.first_special {
                if s == self.dead {
                    return;
                }
                f(i + 1, self.ids(s));
            }
        }
    }

    /// Walks the anchored automaton from each of `starts` in `hay` and records `(start index,
    /// special index)` for every literal-reporting state reached: the state's place in
    /// [`Dense::reporting`], which lists its literals. Many short walks: the loop only records,
    /// so its few values stay in registers, and the literals are looked at afterwards.
    pub(crate) fn walk_each(&self, hay: &[u8], starts: &[u32], out: &mut Vec<(u32, u32)>) {
        if self.small.is_empty() {
            let mask = self.mask;
            let Some(trans) = self.trans.get(..=mask) else { return };
            let (first, dead) = (self.first_special, self.dead);
            for (wi, &p) in starts.iter().enumerate() {
                let Some(rest) = hay.get(p as usize..) else { continue };
                let wi = u32::try_from(wi).unwrap_or(u32::MAX);
                let mut s = self.start;
                for &b in rest {
                    s = trans[(s as usize + self.classes[b as usize] as usize) & mask];
                    if s >= first {
                        if s == dead {
                            break;
                        }
                        out.push((wi, u32::try_from(self.special_index(s)).unwrap_or(u32::MAX)));
                    }
                }
            }
            return;
        }
        // A constant row length turns the row offset into a shift by a constant.
        match self.row_bits {
            5 => self.walk_rows(hay, starts, out, 5),
            6 => self.walk_rows(hay, starts, out, 6),
            bits => self.walk_rows(hay, starts, out, bits),
        }
    }

    /// [`Dense::walk_each`] over the `u16` table with rows of `1 << bits` entries.
    #[inline(always)]
    fn walk_rows(&self, hay: &[u8], starts: &[u32], out: &mut Vec<(u32, u32)>, bits: u32) {
        let classes = &self.classes;
        let mask = self.small_mask;
        let Some(small) = self.small.get(..=mask) else { return };
        let stride = self.stride as u32;
        let first = self.first_special / stride;
        let dead = if self.dead == u32::MAX { u32::MAX } else { self.dead / stride };
        let start = self.start / stride;
        for (wi, &p) in starts.iter().enumerate() {
            let Some(rest) = hay.get(p as usize..) else { continue };
            let wi = u32::try_from(wi).unwrap_or(u32::MAX);
            let mut s = start;
            for &b in rest {
                s = u32::from(small[(((s as usize) << bits) | classes[b as usize] as usize) & mask]);
                if s >= first {
                    if s == dead {
                        break;
                    }
                    out.push((wi, s - first));
                }
            }
        }
    }

    /// For an anchored automaton whose states form a tree (each state entered from one state
    /// only, as the states of literal prefixes are): per literal-reporting state, as its place
    /// in [`Dense::reporting`], the nearest literal-reporting state on the way to it from the
    /// start, if any. Listed so that each state comes after that one.
    pub(crate) fn reporting_tree(&self) -> Result<Vec<(usize, Option<usize>)>, String> {
        let stride = self.stride;
        let states = self.trans.len() / stride.max(1);
        let mut seen = vec![false; states];
        let mut out = Vec::new();
        // (state offset, nearest reporting state up to and including it)
        let mut queue: Vec<(u32, Option<usize>)> = vec![(self.start, None)];
        let mut k = 0;
        while let Some(&(s, above)) = queue.get(k) {
            k += 1;
            if s == self.dead {
                continue;
            }
            let here = if s >= self.first_special {
                let i = self.special_index(s);
                out.push((i, above));
                Some(i)
            } else {
                above
            };
            for c in 0..stride {
                let next = self.trans.get(s as usize + c).copied().ok_or("bad state")?;
                if next == self.dead {
                    continue;
                }
                let slot = seen.get_mut(next as usize / stride).ok_or("bad state")?;
                if *slot || next == self.start {
                    return Err("automaton states do not form a tree".to_string());
                }
                *slot = true;
                queue.push((next, here));
            }
        }
        Ok(out)
    }

    /// The number of a special state among the special states, in the order of
    /// [`Dense::reporting`].
    #[inline]
    fn special_index(&self, state: u32) -> usize {
        (state.wrapping_sub(self.first_special) >> self.shift).wrapping_mul(self.inv) as usize
    }

    /// The literals each special state reports (none for the dead state), in state order.
    pub(crate) fn reporting(&self) -> impl Iterator<Item = &[u32]> {
        self.matches.iter().map(Vec::as_slice)
    }

    /// The hot loop, kept apart so it keeps its few values in registers: steps from state `s`
    /// at `hay[i]` until a special state, returning the position of the byte that led there.
    #[inline(never)]
    fn next_special(&self, hay: &[u8], i: usize, mut s: u32) -> Option<(usize, u32)> {
        let classes = &self.classes;
        let mask = self.mask;
        let trans = self.trans.get(..=mask)?;
        let first = self.first_special;
        for (k, &b) in hay.get(i..)?.iter().enumerate() {
            s = trans[(s as usize + classes[b as usize] as usize) & mask];
            if s >= first {
                return Some((i + k, s));
            }
        }
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn anchored_and_unanchored() {
        let pats = ["he", "hers", "she", "his"];
        let a = Dense::build(&pats, true).unwrap();
        let mut got = Vec::new();
        a.run(b"hers and his", |e, ids| got.extend(ids.iter().map(|&i| (e, i))));
        assert_eq!(got, [(2, 0), (4, 1)]);
        // "she" holds "he" at its end, but an anchored walk from "s" reports only what starts
        // there; so do the short walks.
        let mut got = Vec::new();
        a.run(b"she", |e, ids| got.extend(ids.iter().map(|&i| (e, i))));
        assert_eq!(got, [(3, 2)]);
        let b = Dense::build(&["cat", "at", "t", "ca"], true).unwrap();
        let (mut got, mut short) = (Vec::new(), Vec::new());
        b.run(b"cats", |e, ids| got.extend(ids.iter().map(|&i| (e, i))));
        b.run_short(b"cats", |e, ids| short.extend(ids.iter().map(|&i| (e, i))));
        assert_eq!(got, [(2, 3), (3, 0)]);
        assert_eq!(short, got);
        let mut each = Vec::new();
        b.walk_each(b"cats at", &[0, 1, 5], &mut each);
        let reporting: Vec<&[u32]> = b.reporting().collect();
        let ids: Vec<(u32, Vec<u32>)> = each.iter().map(|&(w, sp)| (w, reporting[sp as usize].to_vec())).collect();
        assert_eq!(ids, [(0, vec![3]), (0, vec![0]), (1, vec![1]), (2, vec![1])]);
        let u = Dense::build(&pats, false).unwrap();
        let mut got = Vec::new();
        u.run(b"ushers his", |e, ids| got.extend(ids.iter().map(|&i| (e, i))));
        got.sort_unstable();
        assert_eq!(got, [(4, 0), (4, 2), (6, 1), (10, 3)]);
    }

    #[test]
    fn split_walk_equals_one_walk() {
        let pats = ["he", "hers", "she", "his", "://", "a", "longer literal here"];
        let u = Dense::build(&pats, false).unwrap();
        assert!(u.first_special.is_power_of_two());
        let mut text = String::new();
        for i in 0..400 {
            text.push_str(["ushers ", "his ", "x://y ", "longer literal here ", "zz", "h", "e"][i % 7]);
            for n in [100, 171, 172, 173, 300, 301, 343, 344, 345, 346, 347, 700, 1001, text.len()] {
                let hay = &text.as_bytes()[..n.min(text.len())];
                let (mut one, mut two) = (Vec::new(), Vec::new());
                u.run(hay, |e, ids| one.push((e, ids.to_vec())));
                u.run_unanchored(hay, |e, ids| two.push((e, ids.to_vec())));
                assert_eq!(one, two);
            }
        }
    }

    #[test]
    fn split_walk_equals_one_walk_on_random_texts() {
        // Sparse and dense literal hits, near the lane cuts and the end of the text.
        let pats: &[&[u8]] = &[b"ab", b"abc", b"ca", b"bbbb", b"zq", b"q"];
        let u = Dense::build(pats, false).unwrap();
        let mut next = crate::seeded::xorshift(0x2545_f491_4f6c_dd1du64);
        for round in 0..300 {
            let len = 200 + (next() % 3000) as usize;
            let alphabet: &[u8] = if round % 3 == 0 { b"abcq" } else { b"abcdefghijklmnopqrstuvwxyz \n" };
            let hay: Vec<u8> = (0..len).map(|_| alphabet[(next() % alphabet.len() as u64) as usize]).collect();
            let (mut one, mut two) = (Vec::new(), Vec::new());
            u.run(&hay, |e, ids| one.push((e, ids.to_vec())));
            u.run_unanchored(&hay, |e, ids| two.push((e, ids.to_vec())));
            assert_eq!(one, two, "round {round}");
        }
    }

    #[test]
    fn walk_each_equals_walks_from_each_start() {
        let pats: &[&[u8]] = &[b"ab", b"abc", b"ca", b"bbbb", b"a b", b"q", b"abcab"];
        let a = Dense::build(pats, true).unwrap();
        let reporting: Vec<&[u32]> = a.reporting().collect();
        let mut next = crate::seeded::xorshift(0x9e37_79b9_7f4a_7c15u64);
        for round in 0..300 {
            let len = 1 + (next() % 300) as usize;
            let hay: Vec<u8> = (0..len).map(|_| b"abcq x"[(next() % 6) as usize]).collect();
            let mut starts: Vec<u32> = (0..len as u32).filter(|_| next().is_multiple_of(3)).collect();
            starts.push(len as u32 + 5);
            let mut each = Vec::new();
            a.walk_each(&hay, &starts, &mut each);
            let got: Vec<(u32, Vec<u32>)> = each
                .iter()
                .map(|&(w, sp)| (w, reporting.get(sp as usize).map_or(vec![999], |ids| ids.to_vec())))
                .collect();
            let mut want = Vec::new();
            for (w, &p) in starts.iter().enumerate() {
                if let Some(rest) = hay.get(p as usize..) {
                    a.run(rest, |_, ids| want.push((w as u32, ids.to_vec())));
                }
            }
            assert_eq!(got, want, "round {round}");
        }
    }
}
