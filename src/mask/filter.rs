//! The prefilter: says where in the output a value may occur, reading only one 4-byte
//! gram every `stride` bytes, so output without values is skipped at memory speed.
//!
//! Every value is at least `shortest` bytes long, so any occurrence covers one of the
//! sampled positions `0, stride, 2·stride, …` at an offset below `stride` (with
//! `stride = shortest - GRAM + 1`), and the gram there is one of the first `stride`
//! grams of that value. Those grams are kept in two hashed tables (each a Bloom filter
//! with one hash): a byte per slot in the first, which every sample reads (a byte is
//! cheaper to test than a bit), and a bitmap in the second, read only when the first
//! says yes. A gram must be in both, which makes a false candidate rare enough that
//! checking it with the automaton costs next to nothing.

use zeroize::Zeroizing;

/// Bytes per gram.
pub(super) const GRAM: usize = 4;
/// More grams than this and the tables would no longer fit the caches: beyond it the
/// stride shrinks instead.
const MAX_GRAMS: usize = 1 << 16;
/// Slots per gram in each table: about one gram in 32 passes each by chance.
const SLOTS_PER_GRAM: usize = 32;

pub(super) struct Filter {
    /// Distance between sampled positions (at least 1).
    stride: usize,
    /// 1 where a gram hashes (first hash).
    first: Zeroizing<Vec<u8>>,
    /// A bit set where a gram hashes (second hash).
    second: Zeroizing<Vec<u64>>,
    /// `32 - log2(slots per table)`: the hash keeps the top bits of the product.
    shift: u32,
}

const MUL_FIRST: u32 = 0x9E37_79B1;
const MUL_SECOND: u32 = 0x85EB_CA77;

impl Filter {
    /// The filter for `values`, each at least `GRAM` bytes long (and there is one).
    pub(super) fn new(values: &[&[u8]]) -> Self {
        let shortest = values.iter().map(|v| v.len()).min().unwrap_or(GRAM);
        let stride = (shortest + 1 - GRAM)
            .min((MAX_GRAMS / values.len().max(1)).max(1))
            .max(1);
        let slots = (values.len() * stride * SLOTS_PER_GRAM)
            .next_power_of_two()
            .clamp(1 << 12, 1 << 20);
        let mut filter = Filter {
            stride,
            first: Zeroizing::new(vec![0; slots]),
            second: Zeroizing::new(vec![0; slots / 64]),
            shift: 32 - slots.trailing_zeros(),
        };
        for value in values {
            for offset in 0..stride {
                let g = gram(value, offset);
                let (a, b) = (filter.index(g, MUL_FIRST), filter.index(g, MUL_SECOND));
                filter.first[a] = 1;
                filter.second[b / 64] |= 1 << (b % 64);
            }
        }
        filter
    }

    /// Distance between sampled positions.
    pub(super) fn stride(&self) -> usize {
        self.stride
    }

    #[inline]
    fn index(&self, g: u32, mul: u32) -> usize {
        (g.wrapping_mul(mul) >> self.shift) as usize
    }

    #[inline]
    fn in_second(&self, g: u32) -> bool {
        let i = self.index(g, MUL_SECOND);
        self.second[i / 64] & (1 << (i % 64)) != 0
    }

    /// The first sampled position at or after `from` (a multiple of the stride) whose
    /// gram may be part of a value. Only positions with a whole gram in `hay` are read.
    #[inline]
    pub(super) fn next(&self, hay: &[u8], mut from: usize) -> Option<usize> {
        let k = self.stride;
        let (first, shift) = (&self.first[..], self.shift);
        let in_first = |p: usize| first[(gram(hay, p).wrapping_mul(MUL_FIRST) >> shift) as usize];
        let last = hay.len().checked_sub(GRAM)?;
        // Four independent probes per round keep the loads in flight together.
        while from + 3 * k <= last {
            if in_first(from) | in_first(from + k) | in_first(from + 2 * k) | in_first(from + 3 * k)
                != 0
            {
                for p in [from, from + k, from + 2 * k, from + 3 * k] {
                    if in_first(p) != 0 && self.in_second(gram(hay, p)) {
                        return Some(p);
                    }
                }
            }
            from += 4 * k;
        }
        while from <= last {
            if in_first(from) != 0 && self.in_second(gram(hay, from)) {
                return Some(from);
            }
            from += k;
        }
        None
    }
}

#[inline]
fn gram(hay: &[u8], at: usize) -> u32 {
    let bytes: [u8; GRAM] = hay[at..at + GRAM].try_into().expect("GRAM bytes");
    u32::from_le_bytes(bytes)
}
