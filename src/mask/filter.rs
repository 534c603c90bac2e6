//! The prefilter: says where in the output a value may occur, reading only one 4-byte
//! gram every `stride` bytes, so output without values is skipped at memory speed.
//!
//! Every value is at least `shortest` bytes long, so any occurrence covers one of the
//! sampled positions `0, stride, 2·stride, …` at an offset below `stride` (with
//! `stride = shortest - GRAM + 1`), and the gram there is one of the first `stride`
//! grams of that value. Those grams are kept in two hashed bitmaps (each a Bloom filter
//! with one hash); a gram must be in both, which makes a false candidate rare enough
//! that checking it with the automaton costs next to nothing.

use zeroize::Zeroizing;

/// Bytes per gram.
pub(super) const GRAM: usize = 4;
/// More grams than this and the bitmaps would no longer fit the caches: beyond it the
/// stride shrinks instead.
const MAX_GRAMS: usize = 1 << 16;
/// Bitmap bits per gram: about one gram in 32 passes each bitmap by chance.
const BITS_PER_GRAM: usize = 32;

pub(super) struct Filter {
    /// Distance between sampled positions (at least 1).
    stride: usize,
    first: Zeroizing<Vec<u64>>,
    second: Zeroizing<Vec<u64>>,
    /// `32 - log2(bits per bitmap)`: the hash keeps the top bits of the product.
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
        let bits = (values.len() * stride * BITS_PER_GRAM)
            .next_power_of_two()
            .clamp(1 << 12, 1 << 22);
        let mut filter = Filter {
            stride,
            first: Zeroizing::new(vec![0; bits / 64]),
            second: Zeroizing::new(vec![0; bits / 64]),
            shift: 32 - bits.trailing_zeros(),
        };
        for value in values {
            for offset in 0..stride {
                let g = gram(value, offset);
                let (a, b) = (filter.index(g, MUL_FIRST), filter.index(g, MUL_SECOND));
                filter.first[a / 64] |= 1 << (a % 64);
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
    fn in_first(&self, g: u32) -> bool {
        let i = self.index(g, MUL_FIRST);
        self.first[i / 64] & (1 << (i % 64)) != 0
    }

    #[inline]
    fn in_both(&self, g: u32) -> bool {
        let i = self.index(g, MUL_SECOND);
        self.in_first(g) && self.second[i / 64] & (1 << (i % 64)) != 0
    }

    /// The first sampled position at or after `from` (a multiple of the stride) whose
    /// gram may be part of a value. Only positions with a whole gram in `hay` are read.
    #[inline]
    pub(super) fn next(&self, hay: &[u8], mut from: usize) -> Option<usize> {
        let k = self.stride;
        // Four independent probes per round keep the loads in flight together.
        while from + 3 * k + GRAM <= hay.len() {
            let hit = self.in_first(gram(hay, from))
                | self.in_first(gram(hay, from + k))
                | self.in_first(gram(hay, from + 2 * k))
                | self.in_first(gram(hay, from + 3 * k));
            if hit {
                for p in [from, from + k, from + 2 * k, from + 3 * k] {
                    if self.in_both(gram(hay, p)) {
                        return Some(p);
                    }
                }
            }
            from += 4 * k;
        }
        while from + GRAM <= hay.len() {
            if self.in_both(gram(hay, from)) {
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
