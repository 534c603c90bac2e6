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
        // Build the trie with a list of children per node, then flatten it. A child is
        // `label << 32 | node`, so that the lists can be zeroed when done.
        let mut children: Vec<Vec<u64>> = vec![Vec::new()];
        let mut depth: Vec<u32> = vec![0];
        let mut is_value: Vec<bool> = vec![false];
        for value in values {
            let mut node = ROOT;
            for &b in value.iter() {
                let next = match children[node as usize].iter().find(|&&e| label(e) == b) {
                    Some(&e) => target(e),
                    None => {
                        let t = state(children.len());
                        children[node as usize].push(u64::from(b) << 32 | u64::from(t));
                        children.push(Vec::new());
                        depth.push(depth[node as usize] + 1);
                        is_value.push(false);
                        t
                    }
                };
                node = next;
            }
            is_value[node as usize] = true;
        }
        let nodes = children.len();
        for c in &mut children {
            c.sort_unstable();
        }
        let goto = |children: &[Vec<u64>], s: State, b: u8| {
            let c = &children[s as usize];
            c.binary_search_by_key(&b, |&e| label(e))
                .ok()
                .map(|i| target(c[i]))
        };

        // Failure links, breadth first so that every link points at a node already done.
        let mut fail = vec![ROOT; nodes];
        let mut matched = vec![0u32; nodes];
        let mut hold = vec![0u32; nodes];
        let mut queue = std::collections::VecDeque::with_capacity(nodes);
        queue.push_back(ROOT);
        while let Some(u) = queue.pop_front() {
            let u = u as usize;
            if u != ROOT as usize {
                let f = fail[u] as usize;
                matched[u] = if is_value[u] { depth[u] } else { matched[f] };
                hold[u] = if children[u].is_empty() {
                    hold[f]
                } else {
                    depth[u]
                };
            }
            for &e in &children[u] {
                let (b, v) = (label(e), target(e));
                fail[v as usize] = if u == ROOT as usize {
                    ROOT
                } else {
                    let mut f = fail[u];
                    loop {
                        if let Some(t) = goto(&children, f, b) {
                            break t;
                        }
                        if f == ROOT {
                            break ROOT;
                        }
                        f = fail[f as usize];
                    }
                };
                queue.push_back(v);
            }
        }

        let mut root = Zeroizing::new(vec![ROOT; 256]);
        for &e in &children[ROOT as usize] {
            root[label(e) as usize] = target(e);
        }
        let edges: usize = children.iter().map(Vec::len).sum();
        let mut first = Vec::with_capacity(nodes + 1);
        let mut labels = Zeroizing::new(Vec::with_capacity(edges));
        let mut targets = Vec::with_capacity(edges);
        for c in &children {
            first.push(u32::try_from(labels.len()).expect("fewer than 2^32 edges"));
            for &e in c {
                labels.push(label(e));
                targets.push(target(e));
            }
        }
        first.push(u32::try_from(labels.len()).expect("fewer than 2^32 edges"));
        // The lists held the values' bytes too.
        for c in &mut children {
            zeroize::Zeroize::zeroize(c.as_mut_slice());
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

fn label(child: u64) -> u8 {
    (child >> 32) as u8
}

fn target(child: u64) -> State {
    child as State
}

fn state(n: usize) -> State {
    State::try_from(n).expect("fewer than 2^32 trie nodes")
}
