//! Tests of the masker: examples, the reference masker and properties against it.

use std::sync::atomic::Ordering;

use super::*;
use proptest::collection::vec;
use proptest::prelude::*;
use proptest::sample::{Index, select};

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
fn output_without_values_is_lent_not_copied() {
    let m = masker(&["sk_live_secret"]);
    let mut s = m.stream();
    let mut out = Vec::new();
    let chunk = b"hello sk_";
    assert_eq!(s.feed_in_place(chunk, &mut out), b"hello ");
    assert!(out.is_empty());
    assert_eq!(s.feed_in_place(b"x and more", &mut out), b"x and more");
    assert_eq!(out, b"sk_", "held bytes are copied, then the read is lent");
    out.clear();
    assert_eq!(s.feed_in_place(b"sk_live_secret!", &mut out), b"!");
    assert_eq!(out, REPLACEMENT);
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
    assert!(s.held_len() <= 4 * 5 + 4096 + 1000, "{}", s.held_len());
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
    fn split_anywhere_equals_whole(prefix in vec(any::<u8>(), 0..200),
                                   suffix in vec(any::<u8>(), 0..200),
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

/// The obviously correct masker, on the whole output at once: every occurrence of every
/// value (of at least `MIN_MASKED_LEN` bytes) is a stretch, stretches that share a byte
/// are merged, and each merged stretch becomes one replacement. Stretches that only
/// touch stay apart, as the value written twice in a row is concealed twice.
fn reference(values: &[Vec<u8>], input: &[u8]) -> Vec<u8> {
    let mut stretches: Vec<(usize, usize)> = Vec::new();
    for v in values.iter().filter(|v| v.len() >= MIN_MASKED_LEN) {
        for start in 0..input.len() {
            if input[start..].starts_with(v) {
                stretches.push((start, start + v.len()));
            }
        }
    }
    stretches.sort_unstable();
    let mut merged: Vec<(usize, usize)> = Vec::new();
    for (start, end) in stretches {
        match merged.last_mut() {
            Some(last) if start < last.1 => last.1 = last.1.max(end),
            _ => merged.push((start, end)),
        }
    }
    let mut out = Vec::new();
    let mut shown = 0;
    for (start, end) in merged {
        out.extend_from_slice(&input[shown..start]);
        out.extend_from_slice(REPLACEMENT);
        shown = end;
    }
    out.extend_from_slice(&input[shown..]);
    out
}

/// Length of the longest suffix of `input` that is a proper prefix of a value: what a
/// stream must hold back when no value has occurred.
fn reference_tail(values: &[Vec<u8>], input: &[u8]) -> usize {
    (0..=input.len())
        .rev()
        .find(|&k| {
            values.iter().any(|v| {
                v.len() >= MIN_MASKED_LEN && v.len() > k && v.starts_with(&input[input.len() - k..])
            })
        })
        .unwrap_or(0)
}

fn secrets(values: &[Vec<u8>]) -> Vec<SecretBytes> {
    values.iter().cloned().map(SecretBytes::new).collect()
}

/// `input` cut at `cuts` (any order, any number, repeats allowed).
fn split<'i>(input: &'i [u8], cuts: &[Index]) -> Vec<&'i [u8]> {
    let mut at: Vec<usize> = cuts.iter().map(|c| c.index(input.len() + 1)).collect();
    at.push(0);
    at.push(input.len());
    at.sort_unstable();
    at.windows(2).map(|w| &input[w[0]..w[1]]).collect()
}

fn run_split(values: &[Vec<u8>], input: &[u8], cuts: &[Index]) -> Vec<u8> {
    run(&Masker::new(&secrets(values)), &split(input, cuts))
}

/// Value sets made to overlap: words over a small alphabet (repeated bytes), each with
/// a few values derived from it (a prefix, a suffix, an overlap with the next one, a
/// repeat), so that values start, end and contain one another.
fn value_set(
    alphabet: &'static [u8],
    lengths: std::ops::Range<usize>,
) -> impl Strategy<Value = Vec<Vec<u8>>> {
    value_set_of(alphabet, lengths, 1..6, 0..4)
}

/// Like [`value_set`], with `count` words and `derived` values derived from them.
fn value_set_of(
    alphabet: &'static [u8],
    lengths: std::ops::Range<usize>,
    count: std::ops::Range<usize>,
    derived: std::ops::Range<usize>,
) -> impl Strategy<Value = Vec<Vec<u8>>> {
    let words = vec(vec(select(alphabet), lengths), count);
    let derived = vec((any::<Index>(), 0u8..4, any::<Index>()), derived);
    (words, derived).prop_map(|(mut values, derived)| {
        for (which, kind, cut) in derived {
            let v = values[which.index(values.len())].clone();
            let next = values[(which.index(values.len()) + 1) % values.len()].clone();
            let c = cut.index(v.len() + 1);
            values.push(match kind {
                0 => v[..c].to_vec(),
                1 => v[c..].to_vec(),
                2 => [&v[c..], &next[..]].concat(),
                _ => [&v[..], &v[..]].concat(),
            });
        }
        values
    })
}

/// Output built from pieces: noise over the alphabet, and whole or cut-short copies of
/// the values, back to back.
fn output(
    values: Vec<Vec<u8>>,
    alphabet: &'static [u8],
) -> impl Strategy<Value = (Vec<Vec<u8>>, Vec<u8>)> {
    let pieces = vec(
        (
            any::<Index>(),
            0u8..3,
            vec(select(alphabet), 0..10),
            any::<Index>(),
        ),
        0..24,
    );
    (Just(values), pieces).prop_map(|(values, pieces)| {
        let mut input = Vec::new();
        for (which, kind, noise, cut) in pieces {
            let v = &values[which.index(values.len())];
            match kind {
                0 => input.extend_from_slice(&noise),
                1 => input.extend_from_slice(v),
                _ => input.extend_from_slice(&v[..cut.index(v.len() + 1)]),
            }
        }
        (values, input)
    })
}

const AB: &[u8] = b"ab";
const ABC: &[u8] = b"abc";
const ANY: &[u8] = &[0, 1, b'a', b'b', b'\n', 0x7f, 0x80, 0xff];

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn streaming_equals_reference_for_short_overlapping_values(
        (values, input) in value_set(AB, 1..9).prop_flat_map(|v| output(v, AB)),
        cuts in vec(any::<Index>(), 0..8),
    ) {
        prop_assert_eq!(run_split(&values, &input, &cuts), reference(&values, &input));
    }

    #[test]
    fn streaming_equals_reference_for_longer_values(
        (values, input) in (4usize..24)
            .prop_flat_map(|min| value_set(ABC, min..min + 12))
            .prop_flat_map(|v| output(v, ABC)),
        cuts in vec(any::<Index>(), 0..8),
    ) {
        prop_assert_eq!(run_split(&values, &input, &cuts), reference(&values, &input));
    }

    #[test]
    fn streaming_equals_reference_for_any_bytes(
        (values, input) in value_set(ANY, 2..40).prop_flat_map(|v| output(v, ANY)),
        cuts in vec(any::<Index>(), 0..8),
    ) {
        prop_assert_eq!(run_split(&values, &input, &cuts), reference(&values, &input));
    }

    #[test]
    fn streaming_byte_by_byte_equals_reference(
        (values, input) in value_set(ABC, 3..14).prop_flat_map(|v| output(v, ABC)),
    ) {
        let m = Masker::new(&secrets(&values));
        let bytes: Vec<&[u8]> = input.chunks(1).collect();
        prop_assert_eq!(run(&m, &bytes), reference(&values, &input));
    }

    #[test]
    fn only_what_could_still_become_a_value_is_held_back(
        (values, input) in value_set(ABC, 4..12).prop_flat_map(|v| output(v, ABC)),
        cuts in vec(any::<Index>(), 0..8),
    ) {
        let m = Masker::new(&secrets(&values));
        let mut s = m.stream();
        let mut out = Vec::new();
        let mut fed = 0;
        let whole = reference(&values, &input);
        for chunk in split(&input, &cuts) {
            s.feed(chunk, &mut out);
            fed += chunk.len();
            prop_assert!(whole.starts_with(&out), "what is shown is final");
            let so_far = &input[..fed];
            if reference(&values, so_far) == so_far {
                // No value yet: exactly the tail that may still grow into one is held.
                prop_assert_eq!(s.held_len(), reference_tail(&values, so_far) as u64);
                prop_assert_eq!(&out[..], &so_far[..out.len()]);
            }
        }
        s.finish(&mut out);
        prop_assert_eq!(out, whole);
    }
}

/// Up to 1,000 values, as `keyward run` may be given: the filter's tables are then at
/// their largest, and over a small alphabet nearly every gram is in them.
fn many_values(alphabet: &'static [u8]) -> impl Strategy<Value = Vec<Vec<u8>>> {
    (4usize..20, 1usize..990)
        .prop_flat_map(move |(min, n)| value_set_of(alphabet, min..min + 24, n..n + 1, 0..10))
}

const HEX: &[u8] = b"0123456789abcdef";

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    #[test]
    fn streaming_equals_reference_for_many_values(
        (values, input) in prop_oneof![many_values(ABC), many_values(HEX), many_values(ANY)]
            .prop_flat_map(|v| output(v, HEX)),
        cuts in vec(any::<Index>(), 0..8),
    ) {
        prop_assert_eq!(run_split(&values, &input, &cuts), reference(&values, &input));
    }

    #[test]
    fn only_what_could_still_become_a_value_is_held_back_among_many(
        (values, input) in prop_oneof![many_values(ABC), many_values(HEX)]
            .prop_flat_map(|v| output(v, HEX)),
        cuts in vec(any::<Index>(), 0..8),
    ) {
        let m = Masker::new(&secrets(&values));
        let mut s = m.stream();
        let mut out = Vec::new();
        let mut fed = 0;
        for chunk in split(&input, &cuts) {
            s.feed(chunk, &mut out);
            fed += chunk.len();
            let so_far = &input[..fed];
            if reference(&values, so_far) == so_far {
                prop_assert_eq!(s.held_len(), reference_tail(&values, so_far) as u64);
            }
        }
        s.finish(&mut out);
        prop_assert_eq!(out, reference(&values, &input));
    }
}

#[test]
fn values_written_back_to_back_are_concealed_each() {
    let m = masker(&["ABCD"]);
    assert_eq!(
        run(&m, &[b"xABCDABCDy"]),
        b"x<concealed by keyward><concealed by keyward>y"
    );
    assert_eq!(
        run(&m, &[b"xABCDABCDy"]),
        reference(&[b"ABCD".to_vec()], b"xABCDABCDy")
    );
}

#[test]
fn many_values_are_all_found() {
    // Enough values that the filter's stride and bitmaps are at their limits.
    let values: Vec<Vec<u8>> = (0..1200u32)
        .map(|i| format!("tok_{i:05}_{}", "z".repeat((i % 50) as usize)).into_bytes())
        .collect();
    let mut input = Vec::new();
    for (i, v) in values.iter().enumerate().step_by(7) {
        input.extend_from_slice(format!("line {i} value=").as_bytes());
        input.extend_from_slice(v);
        input.push(b'\n');
    }
    let m = Masker::new(&secrets(&values));
    let want = reference(&values, &input);
    assert!(!want.windows(4).any(|w| w == b"tok_"));
    for size in [1, 5, 4096, input.len()] {
        let chunks: Vec<&[u8]> = input.chunks(size).collect();
        assert_eq!(run(&m, &chunks), want, "reads of {size} bytes");
    }
}

/// Automaton steps a masker has taken.
fn work(m: &Masker) -> u64 {
    m.search
        .as_ref()
        .unwrap()
        .automaton
        .work
        .load(Ordering::Relaxed)
}

#[test]
fn near_miss_output_takes_linear_work() {
    // Every suffix of a run of `a` is a prefix of this 64 KiB value, which never occurs:
    // checking each suffix afresh, as masking once did, took minutes.
    let mut value = vec![b'a'; 64 * 1024];
    *value.last_mut().unwrap() = b'b';
    let m = Masker::new(&[SecretBytes::new(value)]);
    let input = vec![b'a'; 65_000];
    for size in [64 * 1024, 4096, 1] {
        let before = work(&m);
        let chunks: Vec<&[u8]> = input.chunks(size).collect();
        assert!(run(&m, &chunks) == input, "reads of {size} bytes");
        let steps = work(&m) - before;
        assert!(
            steps <= 4 * input.len() as u64,
            "{steps} steps for reads of {size} bytes"
        );
    }
}

#[test]
fn a_long_run_of_one_long_value_takes_linear_work() {
    let m = Masker::new(&[SecretBytes::new(vec![b'a'; 64 * 1024])]);
    let input = vec![b'a'; 65_000 + 64 * 1024];
    for size in [64 * 1024, 4096, 1] {
        let before = work(&m);
        let chunks: Vec<&[u8]> = input.chunks(size).collect();
        assert_eq!(run(&m, &chunks), REPLACEMENT, "reads of {size} bytes");
        let steps = work(&m) - before;
        assert!(
            steps <= 4 * input.len() as u64,
            "{steps} steps for reads of {size} bytes"
        );
    }
}

/// Not a test: in-process masking throughput on the fixtures of `bench/mask.sh` (run
/// that once first), for tuning. `cargo test --release --lib mask::tests::throughput
/// -- --ignored --nocapture`
#[test]
#[ignore]
fn throughput() {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/target/bench");
    let values: Vec<Vec<u8>> = std::fs::read(format!("{dir}/mask-values.txt"))
        .expect("run bench/mask.sh once")
        .split(|&b| b == b'\n')
        .filter(|v| !v.is_empty())
        .map(<[u8]>::to_vec)
        .collect();
    for fixture in ["log", "base64"] {
        let mut data = std::fs::read(format!("{dir}/mask-{fixture}.txt")).unwrap();
        data.truncate(256 << 20);
        for n in [0, 1, 50, 500, 1000] {
            let m = Masker::new(&secrets(&values[..n]));
            let mut s = m.stream();
            let mut out = Vec::with_capacity(70 << 10);
            let t = cpu_ns();
            let mut shown = 0;
            // Copied into one buffer first, as a read from a pipe would: the scan then
            // finds its bytes in the cache.
            let mut buf = vec![0u8; 64 << 10];
            for chunk in data.chunks(64 << 10) {
                let buf = &mut buf[..chunk.len()];
                buf.copy_from_slice(chunk);
                out.clear();
                let rest = s.feed_in_place(buf, &mut out);
                shown += out.len() + rest.len();
            }
            let secs = (cpu_ns() - t) as f64 / 1e9;
            let stride = m.search.as_ref().map_or(0, |s| s.filter.stride());
            println!(
                "{fixture}/{n}: {:.2} GB/s ({shown} bytes shown, stride {stride})",
                data.len() as f64 / secs / 1e9
            );
        }
    }
}

/// This thread's time on a CPU so far: the machine is shared, so wall time is noise.
fn cpu_ns() -> u64 {
    let stat = std::fs::read_to_string("/proc/thread-self/schedstat").unwrap();
    stat.split_whitespace().next().unwrap().parse().unwrap()
}
