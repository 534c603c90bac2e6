//! Streaming output masking: every granted value in a byte stream becomes
//! `<concealed by keyward>`, also when a value is split across reads.
//!
//! Where values overlap or contain one another, the union of the overlapping
//! occurrences is concealed by one replacement (occurrences that merely touch get one
//! each). Only the shortest tail that could still grow into a value is held back, so
//! output that cannot be part of a secret is passed on at once and interactive programs
//! are not delayed. Values shorter than [`MIN_MASKED_LEN`] are not masked: masking "a"
//! would shred ordinary output while hiding nothing.
//!
//! The work is linear in the output, whatever it holds: a [filter] samples one gram every
//! few bytes to skip output without values, and an Aho–Corasick [automaton] whose state
//! is carried from read to read confirms candidates and measures the tail to hold.

mod automaton;
mod filter;
#[cfg(test)]
mod tests;

use std::collections::VecDeque;

use crate::secret::SecretBytes;
use automaton::{Automaton, ROOT, State};
use filter::{Filter, GRAM};

/// What replaces a value.
pub const REPLACEMENT: &[u8] = b"<concealed by keyward>";
/// Shorter values are passed through unmasked (and `inspect` warns about them).
pub const MIN_MASKED_LEN: usize = 4;
const _: () = assert!(
    MIN_MASKED_LEN >= GRAM,
    "the filter reads grams of GRAM bytes"
);

/// Finds the values; shared by both output streams.
pub struct Masker {
    /// `None` when there is nothing to mask.
    search: Option<Search>,
}

struct Search {
    automaton: Automaton,
    filter: Filter,
}

impl Masker {
    /// A masker for `values` (short ones are ignored).
    pub fn new(values: &[SecretBytes]) -> Self {
        let values: Vec<&[u8]> = values
            .iter()
            .map(SecretBytes::expose)
            .filter(|v| v.len() >= MIN_MASKED_LEN)
            .collect();
        let search = (!values.is_empty()).then(|| Search {
            automaton: Automaton::new(&values),
            filter: Filter::new(&values),
        });
        Masker { search }
    }

    /// A stream filter using this masker.
    pub fn stream(&self) -> Stream<'_> {
        Stream {
            masker: self,
            state: ROOT,
            end: 0,
            held: Vec::new(),
            head: 0,
            runs: VecDeque::new(),
        }
    }
}

impl Search {
    /// Calls `found(end, len)` for the longest value ending at each `end` (an offset in
    /// `chunk`, in increasing order) where one ends, given the automaton state `state`
    /// after all that came before `chunk`. (`len` may exceed `end`: the value began in
    /// an earlier read.) Returns the state after `chunk`.
    ///
    /// Shorter values ending at the same byte lie inside the longest one, so they change
    /// nothing in the union that is concealed.
    fn scan(&self, state: State, chunk: &[u8], mut found: impl FnMut(usize, usize)) -> State {
        let ac = &self.automaton;
        let k = self.filter.stride();
        let n = chunk.len();
        let mut s = state;
        let mut i = 0;
        // The automaton's state stands for the longest suffix of what it read that is a
        // prefix of a value; every occurrence in progress is a suffix of that one. From
        // `valid_from` on it has read every byte (`None`: the whole stream so far).
        let mut valid_from: Option<usize> = None;
        macro_rules! step {
            () => {{
                s = ac.step(s, chunk[i]);
                i += 1;
                let m = ac.matched(s);
                if m > 0 {
                    found(i, m);
                }
            }};
        }
        // Values begun in an earlier read: follow them until none is in progress.
        while i < n && ac.depth(s) > i {
            step!();
        }
        while i < n {
            // Nothing in progress began before `i - depth`, and an occurrence starting
            // at or after it covers the first sampled position at or after its start.
            let from = (i - ac.depth(s)).div_ceil(k) * k;
            let Some(p) = self.filter.next(chunk, from) else {
                break;
            };
            // An occurrence through the gram at `p` starts after `p - k`. If the
            // automaton stopped before that, nothing between can be in progress (its gram
            // would have been sampled before `p`): start afresh there.
            let start = (p + 1).saturating_sub(k);
            if start > i {
                s = ROOT;
                i = start;
                valid_from = Some(start);
            }
            // Run until nothing in progress includes byte `p`.
            while i < n && i <= p + ac.depth(s) {
                step!();
            }
        }
        // The state after `chunk`, as if the automaton had read the whole stream: only
        // the last `longest` bytes matter, so a state that read them is it.
        match valid_from {
            _ if i < n => self.tail_state(state, chunk),
            Some(from) if n - from < ac.longest() => self.tail_state(state, chunk),
            _ => s,
        }
    }

    /// The automaton's state after `chunk`, given `state` before it, without reading more
    /// of `chunk` than its tail that may be part of a value.
    ///
    /// The state stands for the longest suffix that is a prefix of a value, at most
    /// `longest` bytes. If that suffix has `k + GRAM - 1` bytes or more (`k` the stride),
    /// it covers a sampled position `p` at an offset below `k` with a whole gram: the
    /// filter passes `p`, and the suffix starts after `p - k`. So the automaton need only
    /// read from there, or else the last `k + GRAM - 2` bytes.
    fn tail_state(&self, state: State, chunk: &[u8]) -> State {
        let (ac, k, n) = (&self.automaton, self.filter.stride(), chunk.len());
        if n < ac.longest() {
            return ac.run(state, chunk);
        }
        let from = match self.filter.next(chunk, (n - ac.longest()).div_ceil(k) * k) {
            Some(p) => (p + 1).saturating_sub(k),
            None => n - (k + GRAM - 2),
        };
        ac.run(ROOT, &chunk[from..])
    }
}

/// The state of one output stream.
pub struct Stream<'a> {
    masker: &'a Masker,
    /// The automaton's state after everything fed so far.
    state: State,
    /// Stream offset just past the last byte fed.
    end: u64,
    /// `held[head..]` are the bytes fed but not yet passed on: a tail that may grow into
    /// a value, and any concealed runs that reach into it. (Dropping bytes from the front
    /// only moves `head`, so holding a long tail costs nothing per read.)
    held: Vec<u8>,
    head: usize,
    /// Stretches covered by values and not yet passed on, as stream offsets `[start,
    /// end)`: in order, not overlapping, inside the held bytes.
    runs: VecDeque<(u64, u64)>,
}

/// Bytes at stream offsets `start..`: the held ones, then the new read.
struct Window<'b> {
    start: u64,
    held: &'b [u8],
    chunk: &'b [u8],
}

impl Window<'_> {
    /// Appends the bytes at stream offsets `from..to` to `out`.
    fn copy(&self, from: u64, to: u64, out: &mut Vec<u8>) {
        let (from, to) = (self.offset(from), self.offset(to));
        let split = self.held.len();
        if from < split {
            out.extend_from_slice(&self.held[from..to.min(split)]);
        }
        if to > split {
            out.extend_from_slice(&self.chunk[from.max(split) - split..to - split]);
        }
    }

    fn offset(&self, at: u64) -> usize {
        usize::try_from(at - self.start).expect("held bytes fit in memory")
    }
}

impl Stream<'_> {
    /// Feeds `chunk`; appends what can be shown now to `out`.
    pub fn feed(&mut self, chunk: &[u8], out: &mut Vec<u8>) {
        let rest = self.feed_in_place(chunk, out);
        out.extend_from_slice(rest);
    }

    /// Like [`feed`](Self::feed), but the last part of what can be shown is returned as
    /// a slice of `chunk` instead of being appended to `out`: what can be shown now is
    /// `out`'s new bytes, then the returned ones. Most reads hold no value and are passed
    /// on whole this way, without a copy.
    pub fn feed_in_place<'c>(&mut self, chunk: &'c [u8], out: &mut Vec<u8>) -> &'c [u8] {
        let Some(search) = &self.masker.search else {
            return chunk;
        };
        let held_from = self.end - self.held_len();
        let chunk_from = self.end;
        let runs = &mut self.runs;
        self.state = search.scan(self.state, chunk, |end, len| {
            let end = chunk_from + end as u64;
            // Clipped to what is still held: only ever cut when the bound below forced
            // an unfinished run out.
            let mut start = (end - len as u64).max(held_from);
            // Occurrences come in order of their ends, so only the last runs can overlap.
            while let Some(&(a, b)) = runs.back() {
                if b <= start {
                    break;
                }
                start = start.min(a);
                runs.pop_back();
            }
            runs.push_back((start, end));
        });
        self.end += chunk.len() as u64;

        let automaton = &search.automaton;
        let window = Window {
            start: held_from,
            held: &self.held[self.head..],
            chunk,
        };
        // An occurrence not yet complete starts inside the tail that may grow into a
        // value; a run it would overlap must wait for it.
        let hold_from = self
            .end
            .saturating_sub(automaton.hold(self.state) as u64)
            .max(held_from);
        let mut shown = held_from;
        let conceal = |run: (u64, u64), shown: &mut u64, out: &mut Vec<u8>| {
            window.copy(*shown, run.0, out);
            out.extend_from_slice(REPLACEMENT);
            *shown = run.1;
        };
        while let Some(&run) = self.runs.front() {
            if run.1 > hold_from {
                break;
            }
            conceal(run, &mut shown, out);
            self.runs.pop_front();
        }
        // Bytes held back never exceed this, even for output that is one endless run of
        // overlapping values.
        let cap = 4 * automaton.longest() as u64 + 4096;
        let keep = |runs: &VecDeque<(u64, u64)>, shown: u64| {
            runs.front()
                .map_or(hold_from, |r| r.0.min(hold_from))
                .max(shown)
        };
        while self.end - keep(&self.runs, shown) > cap {
            let Some(run) = self.runs.pop_front() else {
                break;
            };
            conceal(run, &mut shown, out);
        }
        let keep = keep(&self.runs, shown);
        // The held bytes before `keep` are copied; those of `chunk` are lent.
        let lent_from = shown.max(chunk_from);
        window.copy(shown, keep.min(lent_from), out);
        let lent = &chunk[window.offset(lent_from) - window.held.len()..]
            [..window.offset(keep.max(lent_from)) - window.offset(lent_from)];

        // Hold on to `keep..end`.
        let drop = window.offset(keep);
        let held_len = window.held.len();
        if drop >= held_len {
            self.held.clear();
            self.head = 0;
            self.held.extend_from_slice(&chunk[drop - held_len..]);
        } else {
            self.head += drop;
            if self.head > self.held.len() / 2 {
                self.held.drain(..self.head);
                self.head = 0;
            }
            self.held.extend_from_slice(chunk);
        }
        lent
    }

    /// End of stream: what was held back can grow no more. Every value in it was found
    /// as it arrived, so it is passed on with its runs concealed.
    pub fn finish(&mut self, out: &mut Vec<u8>) {
        let held_from = self.end - self.held_len();
        let window = Window {
            start: held_from,
            held: &self.held[self.head..],
            chunk: &[],
        };
        let mut shown = held_from;
        for (start, end) in self.runs.drain(..) {
            window.copy(shown, start, out);
            out.extend_from_slice(REPLACEMENT);
            shown = end;
        }
        window.copy(shown, self.end, out);
        self.held.clear();
        self.head = 0;
        self.state = ROOT;
    }

    /// Whether bytes are held back waiting for more input.
    #[cfg(test)]
    pub fn has_pending(&self) -> bool {
        self.held_len() > 0
    }

    fn held_len(&self) -> u64 {
        (self.held.len() - self.head) as u64
    }
}
