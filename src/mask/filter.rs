//! The prefilter: says where in the output a value may occur, reading only one 4-byte
//! gram every `stride` bytes, so output without values is skipped at memory speed.
//!
//! Every value is at least `shortest` bytes long, so any occurrence covers one of the
//! sampled positions `0, stride, 2·stride, …` at an offset below `stride` (with
//! `stride <= shortest - GRAM + 1`), and the gram there is one of the first `stride`
//! grams of that value. Those grams are kept in two hashed tables (each a Bloom filter
//! with one hash): a byte per slot in the first, which every sample reads, and a bitmap
//! in the second, read only when the first says yes. A gram must be in both, which
//! makes a false candidate rare enough that checking it with the automaton costs next
//! to nothing.
//!
//! The sampling is what every byte of output pays for, so it is lean: a byte per slot
//! (a load and an `or`, where a bit would also need a shift), about a hundred slots per
//! gram so that few samples pass by chance (the table then lives in the L2 cache, which
//! keeps up with eight independent loads in flight), and a loop that reads the grams of
//! eight samples at offsets fixed at compile time, without bounds checks: the stride is
//! one of 4 to 16, 24, 32, 48 and 64 (a shorter stride than the values allow is as
//! correct, and costs little beyond 16), or below 4 for values of 4 to 6 bytes.

use zeroize::Zeroizing;

/// Bytes per gram.
pub(super) const GRAM: usize = 4;
/// More grams than this and the tables would let too many samples through: beyond it
/// the stride shrinks instead.
const MAX_GRAMS: usize = 1 << 16;
/// Slots per gram in the first table at least: about one sample in a hundred passes by
/// chance.
const FIRST_SLOTS_PER_GRAM: usize = 100;
/// log2 of the first table's slots: 64 KiB, or 512 KiB (a quarter of an L2 cache) when
/// there are more grams than that holds well. Two sizes known at compile time spare the
/// sampling loop a shift by a variable.
const FIRST_BITS_SMALL: u32 = 16;
const FIRST_BITS_LARGE: u32 = 19;
/// Bits per gram in the second table: about one gram in 64 passes it by chance.
const SECOND_SLOTS_PER_GRAM: usize = 64;
/// Samples per round of the unrolled loop.
const ROUND: usize = 8;

pub(super) struct Filter {
    /// Distance between sampled positions (at least 1).
    stride: usize,
    /// 1 where a gram hashes (first hash).
    first: Zeroizing<Vec<u8>>,
    /// `32 - log2(slots in the first table)`.
    first_shift: u32,
    /// A bit set where a gram hashes (second hash).
    second: Zeroizing<Vec<u64>>,
    /// `32 - log2(bits in the second table)`.
    second_shift: u32,
}

const MUL_FIRST: u32 = 0x9E37_79B1;
const MUL_SECOND: u32 = 0x85EB_CA77;

/// Multiply-shift hashing: the top bits of the product.
#[inline(always)]
fn hash(g: u32, mul: u32, shift: u32) -> usize {
    (g.wrapping_mul(mul) >> shift) as usize
}

impl Filter {
    /// The filter for `values`, each at least `GRAM` bytes long (and there is one).
    pub(super) fn new(values: &[&[u8]]) -> Self {
        let shortest = values.iter().map(|v| v.len()).min().unwrap_or(GRAM);
        let stride = (shortest + 1 - GRAM)
            .min((MAX_GRAMS / values.len().max(1)).max(1))
            .max(1);
        // A shorter stride is as correct: take one the unrolled loop has.
        let stride = match stride {
            ..=16 => stride,
            17..=23 => 16,
            24..=31 => 24,
            32..=47 => 32,
            48..=63 => 48,
            _ => 64,
        };
        let grams = values.len() * stride;
        let first_bits = if grams * FIRST_SLOTS_PER_GRAM <= 1 << FIRST_BITS_SMALL {
            FIRST_BITS_SMALL
        } else {
            FIRST_BITS_LARGE
        };
        let second_slots = (grams * SECOND_SLOTS_PER_GRAM)
            .next_power_of_two()
            .clamp(1 << 12, 1 << 23);
        let mut filter = Filter {
            stride,
            first: Zeroizing::new(vec![0; 1 << first_bits]),
            first_shift: 32 - first_bits,
            second: Zeroizing::new(vec![0; second_slots / 64]),
            second_shift: 32 - second_slots.trailing_zeros(),
        };
        for value in values {
            for offset in 0..stride {
                let g = gram(value, offset);
                filter.first[hash(g, MUL_FIRST, filter.first_shift)] = 1;
                let i = hash(g, MUL_SECOND, filter.second_shift);
                filter.second[i / 64] |= 1 << (i % 64);
            }
        }
        filter
    }

    /// Distance between sampled positions.
    pub(super) fn stride(&self) -> usize {
        self.stride
    }

    #[inline(always)]
    fn in_first(&self, g: u32) -> u8 {
        self.first[hash(g, MUL_FIRST, self.first_shift)]
    }

    /// The first table, of `2^BITS` slots.
    #[inline(always)]
    fn first_table<const BITS: u32, const SLOTS: usize>(&self) -> &[u8; SLOTS] {
        const { assert!(SLOTS == 1 << BITS) };
        self.first[..].try_into().expect("the first table's size")
    }

    #[inline]
    fn in_second(&self, g: u32) -> bool {
        let i = hash(g, MUL_SECOND, self.second_shift);
        self.second[i / 64] & (1 << (i % 64)) != 0
    }

    /// The first sampled position at or after `from` (a multiple of the stride) whose
    /// gram may be part of a value. Only positions with a whole gram in `hay` are read.
    #[inline]
    pub(super) fn next(&self, hay: &[u8], from: usize) -> Option<usize> {
        macro_rules! dispatch {
            ($($k:literal => $r:literal),*) => {
                match (self.stride, self.first_shift == 32 - FIRST_BITS_LARGE) {
                    $(
                        ($k, false) => self.next_in_rounds::<$k, $r, FIRST_BITS_SMALL, { 1 << FIRST_BITS_SMALL }>(hay, from),
                        ($k, true) => self.next_in_rounds::<$k, $r, FIRST_BITS_LARGE, { 1 << FIRST_BITS_LARGE }>(hay, from),
                    )*
                    // Values of 4 to 6 bytes.
                    _ => self.next_one_by_one(hay, from),
                }
            };
        }
        dispatch!(4 => 32, 5 => 40, 6 => 48, 7 => 56, 8 => 64, 9 => 72, 10 => 80, 11 => 88,
                  12 => 96, 13 => 104, 14 => 112, 15 => 120, 16 => 128, 24 => 192, 32 => 256,
                  48 => 384, 64 => 512)
    }

    /// [`next`](Self::next) for stride `K`: rounds of `R = ROUND·K` bytes, whose
    /// `ROUND` samples are independent loads, and then one by one.
    #[inline(always)]
    fn next_in_rounds<const K: usize, const R: usize, const BITS: u32, const SLOTS: usize>(
        &self,
        hay: &[u8],
        from: usize,
    ) -> Option<usize> {
        const { assert!(R == ROUND * K && K >= GRAM) };
        let first = self.first_table::<BITS, SLOTS>();
        let in_first = |g: u32| first[hash(g, MUL_FIRST, 32 - BITS)];
        let (rounds, _) = hay.get(from..)?.as_chunks::<R>();
        for (r, round) in rounds.iter().enumerate() {
            let mut hit = 0;
            for j in 0..ROUND {
                hit |= in_first(gram(round, j * K));
            }
            if hit != 0
                && let Some(j) = self.hit_in_round::<K, R>(round)
            {
                return Some(from + r * R + j * K);
            }
        }
        self.next_one_by_one(hay, from + rounds.len() * R)
    }

    /// The first sample of `round` that passes both tables, if any: out of line, so that
    /// the loop above keeps nothing for it.
    #[cold]
    #[inline(never)]
    fn hit_in_round<const K: usize, const R: usize>(&self, round: &[u8; R]) -> Option<usize> {
        (0..ROUND).find(|j| {
            let g = gram(round, j * K);
            self.in_first(g) != 0 && self.in_second(g)
        })
    }

    fn next_one_by_one(&self, hay: &[u8], mut from: usize) -> Option<usize> {
        let last = hay.len().checked_sub(GRAM)?;
        while from <= last {
            let g = gram(hay, from);
            if self.in_first(g) != 0 && self.in_second(g) {
                return Some(from);
            }
            from += self.stride;
        }
        None
    }
}

#[inline(always)]
fn gram(hay: &[u8], at: usize) -> u32 {
    let bytes: [u8; GRAM] = hay[at..at + GRAM].try_into().expect("GRAM bytes");
    u32::from_le_bytes(bytes)
}
