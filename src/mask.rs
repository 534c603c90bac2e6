//! Streaming output masking: every granted value in a byte stream becomes
//! `<concealed by keyward>`, also when a value is split across reads.
//!
//! Only the shortest tail that could still grow into a value is held back, so output
//! that cannot be part of a secret is passed on at once and interactive programs are
//! not delayed. Values shorter than [`MIN_MASKED_LEN`] are not masked: masking "a"
//! would shred ordinary output while hiding nothing.

use aho_corasick::{AhoCorasick, AhoCorasickBuilder, MatchKind};

use crate::secret::SecretBytes;

/// What replaces a value.
pub const REPLACEMENT: &[u8] = b"<concealed by keyward>";
/// Shorter values are passed through unmasked (and `inspect` warns about them).
pub const MIN_MASKED_LEN: usize = 4;

/// Finds the values; shared by both output streams.
pub struct Masker {
    matcher: Option<AhoCorasick>,
    values: Vec<SecretBytes>,
    longest: usize,
}

impl Masker {
    /// A masker for `values` (short ones are ignored).
    pub fn new(values: &[SecretBytes]) -> Self {
        let values: Vec<SecretBytes> = values
            .iter()
            .filter(|v| v.len() >= MIN_MASKED_LEN)
            .cloned()
            .collect();
        let longest = values.iter().map(SecretBytes::len).max().unwrap_or(0);
        let matcher = (!values.is_empty()).then(|| {
            AhoCorasickBuilder::new()
                // Standard semantics allow overlapping search: where two values overlap
                // in the output, the union of both is concealed, not just one of them.
                .match_kind(MatchKind::Standard)
                .build(values.iter().map(SecretBytes::expose))
                .expect("a handful of byte patterns always builds")
        });
        Masker {
            matcher,
            values,
            longest,
        }
    }

    /// A stream filter using this masker.
    pub fn stream(&self) -> Stream<'_> {
        Stream {
            masker: self,
            pending: Vec::with_capacity(self.longest),
        }
    }

    /// Every stretch of `buf` covered by a value, overlapping matches merged, in order.
    fn covered(&self, buf: &[u8]) -> Vec<(usize, usize)> {
        let Some(matcher) = &self.matcher else {
            return Vec::new();
        };
        // The plain search is prefiltered (SIMD) and is all most output ever needs; the
        // overlapping walk, byte by byte, runs only from the first match on.
        let Some(first) = matcher.find(buf) else {
            return Vec::new();
        };
        // Standard search reports the match that ends first; a longer value may start
        // before it, but no match can start more than `longest` bytes before that end.
        let from = first.end().saturating_sub(self.longest);
        let mut spans: Vec<(usize, usize)> = matcher
            .find_overlapping_iter(&buf[from..])
            .map(|m| (from + m.start(), from + m.end()))
            .collect();
        spans.sort_unstable();
        let mut merged: Vec<(usize, usize)> = Vec::with_capacity(spans.len());
        for (start, end) in spans {
            match merged.last_mut() {
                Some(last) if start < last.1 => last.1 = last.1.max(end),
                _ => merged.push((start, end)),
            }
        }
        merged
    }

    /// Length of the longest suffix of `buf` that is a proper prefix of some value.
    fn partial_tail(&self, buf: &[u8]) -> usize {
        let max = self.longest.saturating_sub(1).min(buf.len());
        (1..=max)
            .rev()
            .find(|&k| {
                let tail = &buf[buf.len() - k..];
                self.values
                    .iter()
                    .any(|v| v.len() > k && v.expose().starts_with(tail))
            })
            .unwrap_or(0)
    }
}

/// The state of one output stream.
pub struct Stream<'a> {
    masker: &'a Masker,
    /// Bytes that may be the start of a value; at most `longest - 1` of them.
    pending: Vec<u8>,
}

impl Stream<'_> {
    /// Feeds `chunk`; appends what can be shown now to `out`.
    pub fn feed(&mut self, chunk: &[u8], out: &mut Vec<u8>) {
        if self.masker.matcher.is_none() {
            out.extend_from_slice(chunk);
            return;
        }
        // Fast path: nothing pending, so scan the chunk in place.
        let owned;
        let buf: &[u8] = if self.pending.is_empty() {
            chunk
        } else {
            self.pending.extend_from_slice(chunk);
            owned = std::mem::take(&mut self.pending);
            &owned
        };
        let hold_from = buf.len() - self.masker.partial_tail(buf);
        // Bytes held back never exceed this, even for output that is one endless run of
        // overlapping values.
        let cap = 4 * self.masker.longest + 4096;
        let mut emitted = 0;
        let mut keep_from = hold_from;
        for (start, end) in self.masker.covered(buf) {
            if start >= hold_from {
                break;
            }
            if end > hold_from && buf.len() - start <= cap {
                // The stretch reaches into the tail that may still grow into another,
                // overlapping value: decide once that is known.
                keep_from = start;
                break;
            }
            out.extend_from_slice(&buf[emitted..start]);
            out.extend_from_slice(REPLACEMENT);
            emitted = end;
        }
        let keep_from = keep_from.max(emitted);
        out.extend_from_slice(&buf[emitted..keep_from]);
        self.pending.extend_from_slice(&buf[keep_from..]);
    }

    /// End of stream: what was held back can grow no more, but may still hold a whole
    /// value (one that is also the start of a longer value), so it is scanned once more.
    pub fn finish(&mut self, out: &mut Vec<u8>) {
        let pending = std::mem::take(&mut self.pending);
        let mut emitted = 0;
        for (start, end) in self.masker.covered(&pending) {
            out.extend_from_slice(&pending[emitted..start]);
            out.extend_from_slice(REPLACEMENT);
            emitted = end;
        }
        out.extend_from_slice(&pending[emitted..]);
    }

    /// Whether bytes are held back waiting for more input.
    pub fn has_pending(&self) -> bool {
        !self.pending.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn masker(values: &[&str]) -> Masker {
        Masker::new(
            &values
                .iter()
                .map(|v| SecretBytes::new(v.as_bytes().to_vec()))
                .collect::<Vec<_>>(),
        )
    }

    fn run(m: &Masker, chunks: &[&[u8]]) -> Vec<u8> {
        let mut s = m.stream();
        let mut out = Vec::new();
        for c in chunks {
            s.feed(c, &mut out);
        }
        s.finish(&mut out);
        out
    }

    #[test]
    fn masks_whole_and_split_values() {
        let m = masker(&["sk_live_secret"]);
        let want = b"a <concealed by keyward> b".to_vec();
        assert_eq!(run(&m, &[b"a sk_live_secret b"]), want);
        assert_eq!(run(&m, &[b"a sk_li", b"ve_sec", b"ret b"]), want);
        let bytes: Vec<&[u8]> = b"a sk_live_secret b".chunks(1).collect();
        assert_eq!(run(&m, &bytes), want);
    }

    #[test]
    fn passes_other_output_unchanged_and_promptly() {
        let m = masker(&["sk_live_secret"]);
        let mut s = m.stream();
        let mut out = Vec::new();
        s.feed(b"hello\n", &mut out);
        assert_eq!(out, b"hello\n", "nothing held back when no prefix matches");
        s.feed(b"sk_", &mut out);
        assert_eq!(out, b"hello\n");
        assert!(s.has_pending());
        s.feed(b"x", &mut out);
        assert_eq!(out, b"hello\nsk_x");
    }

    #[test]
    fn a_value_that_starts_a_longer_one_is_masked_at_end_of_stream() {
        let m = masker(&["hunter2pass", "postgres://app:hunter2pass@db/app"]);
        assert_eq!(
            run(&m, &[b"to postgres://app:hunter2pass"]),
            b"to postgres://app:<concealed by keyward>"
        );
        assert_eq!(
            run(&m, &[b"to postgres://app:hunter2pass", b"@db/app!"]),
            b"to <concealed by keyward>!"
        );
    }

    #[test]
    fn overlapping_values_are_concealed_as_their_union() {
        let m = masker(&["ABCDEFGH12", "GH12IJKLMN"]);
        assert_eq!(
            run(&m, &[b"x ABCDEFGH12IJKLMN y"]),
            b"x <concealed by keyward> y"
        );
        assert_eq!(
            run(&m, &[b"x ABCDEFGH1", b"2IJKLMN y"]),
            b"x <concealed by keyward> y"
        );
        assert_eq!(
            run(&m, &[b"x ABCDEFGH12IJ", b"KLMN y"]),
            b"x <concealed by keyward> y"
        );
        let a = masker(&["AAAA"]);
        assert_eq!(run(&a, &[b"xAAAAA", b"y"]), b"x<concealed by keyward>y");
    }

    #[test]
    fn endless_overlapping_output_is_not_held_back_without_bound() {
        let m = masker(&["AAAA", "AAAAB"]);
        let mut s = m.stream();
        let mut out = Vec::new();
        for _ in 0..100 {
            s.feed(&[b'A'; 1000], &mut out);
        }
        assert!(
            s.pending.len() <= 4 * 5 + 4096 + 1000,
            "{}",
            s.pending.len()
        );
        s.finish(&mut out);
        assert!(!out.contains(&b'A'), "no run of the value is left unmasked");
    }

    #[test]
    fn short_values_are_not_masked() {
        let m = masker(&["abc"]);
        assert_eq!(run(&m, &[b"abc abc"]), b"abc abc");
    }

    #[test]
    fn masks_several_values_and_overlaps() {
        let m = masker(&["AAAA", "AAAABBBB"]);
        assert_eq!(
            run(&m, &[b"xAAAABBBBy AAAAz"]),
            b"x<concealed by keyward>y <concealed by keyward>z"
        );
    }

    proptest! {
        #[test]
        fn split_anywhere_equals_whole(prefix in proptest::collection::vec(any::<u8>(), 0..200),
                                       suffix in proptest::collection::vec(any::<u8>(), 0..200),
                                       cut in 0usize..420) {
            let secret = b"S3CR3T-value-1234";
            let mut input = prefix.clone();
            input.extend_from_slice(secret);
            input.extend_from_slice(&suffix);
            let m = Masker::new(&[SecretBytes::new(secret.to_vec())]);
            let cut = cut.min(input.len());
            let whole = run(&m, &[&input]);
            let split = run(&m, &[&input[..cut], &input[cut..]]);
            prop_assert_eq!(&whole, &split);
            prop_assert!(!whole.windows(secret.len()).any(|w| w == secret));
        }
    }
}
