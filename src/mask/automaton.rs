//! The Aho–Corasick automaton over the values: finds every value ending at each byte and
//! knows, after any input, how much of it could still grow into a value.
//!
//! It is an NFA with failure links (amortised O(1) per byte) rather than a DFA, because
//! a DFA over 1,000 values of 200 bytes would take hundreds of megabytes; it only runs
//! where the [filter](super::filter) found a candidate, and over the last bytes of each
//! read, so its speed per byte matters little.

use zeroize::Zeroizing;

/// A node of the trie: the prefix of some value spelled by the path to it.
pub(super) type State = u32;
/// The empty prefix.
pub(super) const ROOT: State = 0;

pub(super) struct Automaton {
    /// The root's transitions, one per byte (`ROOT` where no value starts with it).
    root: Zeroizing<Vec<State>>,
    /// Every other node's transitions: those of node `n` are `labels[first[n]..first[n+1]]`,
    /// sorted, leading to `targets[..]` at the same indices.
    first: Vec<u32>,
    labels: Zeroizing<Vec<u8>>,
    targets: Vec<State>,
    /// The node of the longest proper suffix of this node's prefix that is in the trie.
    fail: Vec<State>,
    /// Length of the node's prefix.
    depth: Vec<u32>,
    /// Length of the longest value that is a suffix of the node's prefix (0: none).
    matched: Vec<u32>,
    /// Length of the longest suffix of the node's prefix that is a proper prefix of some
    /// value, i.e. that more input could still turn into a value.
    hold: Vec<u32>,
    /// Length of the longest value: no suffix longer than this is ever in the trie.
    longest: usize,
    /// Automaton steps taken, so tests can show the work is linear in the input.
    #[cfg(test)]
    pub(super) work: std::sync::atomic::AtomicU64,
}

impl Automaton {
    /// The automaton for `values` (none empty).
    pub(super) fn new(values: &[&[u8]]) -> Self {
        // Built breadth first from the sorted values, without a list per node: a node
        // spells a prefix, and the values that start with it are a run of the sorted
        // ones, split by their next byte into the runs of its children, in the order of
        // their labels. So each node's edges are added together, sorted, and the
        // failure link of each child can follow links to nodes done before.
        let mut sorted = values.to_vec();
        sorted.sort_unstable();
        sorted.dedup();
        let mut run: Vec<(usize, usize)> = vec![(0, sorted.len())];
        let mut depth: Vec<u32> = vec![0];
        let mut fail = vec![ROOT];
        let mut matched = vec![0u32];
        let mut hold = vec![0u32];
        let mut first: Vec<u32> = Vec::new();
        let mut labels = Zeroizing::new(Vec::new());
        let mut targets = Vec::new();
        let mut u = 0;
        while u < run.len() {
            first.push(u32::try_from(labels.len()).expect("fewer than 2^32 edges"));
            let (lo, hi) = run[u];
            let d = depth[u] as usize;
            // The value the prefix itself is, if any, sorts first.
            let mut i = lo;
            while i < hi && sorted[i].len() == d {
                i += 1;
            }
            while i < hi {
                let b = sorted[i][d];
                let j = i + sorted[i..hi].partition_point(|v| v[d] == b);
                let v = state(run.len());
                labels.push(b);
                targets.push(v);
                let f = if u == ROOT as usize {
                    ROOT
                } else {
                    let mut f = fail[u];
                    loop {
                        if let Some(t) = goto(&first, &labels, &targets, f, b) {
                            break t;
                        }
                        if f == ROOT {
                            break ROOT;
                        }
                        f = fail[f as usize];
                    }
                };
                let len = u32::try_from(d + 1).expect("values shorter than 4 GiB");
                // Distinct values: a run of two or more, or one longer than the prefix,
                // continues past it.
                let grows = j - i > 1 || sorted[i].len() > d + 1;
                run.push((i, j));
                depth.push(len);
                fail.push(f);
                matched.push(if sorted[i].len() == d + 1 {
                    len
                } else {
                    matched[f as usize]
                });
                hold.push(if grows { len } else { hold[f as usize] });
                i = j;
            }
            u += 1;
        }
        first.push(u32::try_from(labels.len()).expect("fewer than 2^32 edges"));

        let mut root = Zeroizing::new(vec![ROOT; 256]);
        for e in first[0] as usize..first[1] as usize {
            root[labels[e] as usize] = targets[e];
        }
        Automaton {
            root,
            first,
            labels,
            targets,
            fail,
            depth,
            matched,
            hold,
            longest: values.iter().map(|v| v.len()).max().unwrap_or(0),
            #[cfg(test)]
            work: Default::default(),
        }
    }

    /// Length of the longest value.
    pub(super) fn longest(&self) -> usize {
        self.longest
    }

    /// Length of the prefix `s` stands for.
    #[inline]
    pub(super) fn depth(&self, s: State) -> usize {
        self.depth[s as usize] as usize
    }

    /// Length of the longest value ending where the automaton stands (0: none).
    #[inline]
    pub(super) fn matched(&self, s: State) -> usize {
        self.matched[s as usize] as usize
    }

    /// How many of the last bytes could still grow into a value.
    #[inline]
    pub(super) fn hold(&self, s: State) -> usize {
        self.hold[s as usize] as usize
    }

    /// The state after byte `b`.
    #[inline]
    pub(super) fn step(&self, mut s: State, b: u8) -> State {
        loop {
            #[cfg(test)]
            self.work.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            if s == ROOT {
                return self.root[b as usize];
            }
            let (lo, hi) = (
                self.first[s as usize] as usize,
                self.first[s as usize + 1] as usize,
            );
            let labels = &self.labels[lo..hi];
            // Past the first few bytes of the values most nodes have a single child.
            let found = if labels.len() <= 8 {
                labels.iter().position(|&l| l == b)
            } else {
                labels.binary_search(&b).ok()
            };
            if let Some(i) = found {
                return self.targets[lo + i];
            }
            s = self.fail[s as usize];
        }
    }

    /// The state after `bytes`, starting in `s`.
    pub(super) fn run(&self, s: State, bytes: &[u8]) -> State {
        bytes.iter().fold(s, |s, &b| self.step(s, b))
    }
}

/// The child of `s` by byte `b`, in the flattened edges of the nodes done so far.
fn goto(first: &[u32], labels: &[u8], targets: &[State], s: State, b: u8) -> Option<State> {
    let (lo, hi) = (first[s as usize] as usize, first[s as usize + 1] as usize);
    labels[lo..hi]
        .binary_search(&b)
        .ok()
        .map(|i| targets[lo + i])
}

fn state(n: usize) -> State {
    State::try_from(n).expect("fewer than 2^32 trie nodes")
}
