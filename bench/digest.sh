#!/usr/bin/env bash
# Benchmarks `keyward digest DIR` (the kw1 package digest) against the obvious shell
# baseline, `find DIR -type f -print0 | xargs -0 openssl dgst -sha256`, on two trees:
#   (a) 1 GiB in 20 files: throughput; goal: baseline_time / keyward_time >= 1.6
#   (b) 10,000 files of 1-8 KiB in 10 folders: per-file cost; goal:
#       keyward_time / baseline_time <= 0.4 (the Performance issue's table)
# Both runs are warm (page cache filled first): dropping caches needs root and
# would mostly measure the disk.
#
# Needs bash, openssl, python3 and hyperfine (installed with apt-get when missing and
# running as root). It is a benchmark, not a test: it prints PASS/FAIL per goal and
# exits 0 unless something could not run.
#
# Usage: KEYWARD_BIN=target/release/keyward bench/digest.sh
# Env:   KEYWARD_BIN (default target/release/keyward), RUNS (default 5),
#        BENCH_TMP (default /var/tmp; needs ~1.1 GiB free, 60 MiB for small only),
#        TREES (default "big small"; "small" skips the 1 GiB tree)
set -euo pipefail

KEYWARD_BIN=${KEYWARD_BIN:-target/release/keyward}
RUNS=${RUNS:-5}
BENCH_TMP=${BENCH_TMP:-/var/tmp}
TREES=${TREES:-big small}

die() {
    echo "bench/digest.sh: $*" >&2
    exit 1
}

ensure_hyperfine() {
    command -v hyperfine >/dev/null && return
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
        echo "installing hyperfine with apt-get…" >&2
        if apt-get update -qq >&2 && apt-get install -y -qq hyperfine >&2; then
            return
        fi
        die "apt-get could not install hyperfine; install it (apt-get install hyperfine, or cargo install hyperfine) and rerun"
    fi
    die "hyperfine is missing; install it with 'sudo apt-get install hyperfine' (Debian/Ubuntu), 'brew install hyperfine' or 'cargo install hyperfine', then rerun"
}

check_tools() {
    for tool in openssl python3 find xargs; do
        command -v "$tool" >/dev/null || die "$tool is missing; install it and rerun"
    done
    ensure_hyperfine
    [ -x "$KEYWARD_BIN" ] ||
        die "no keyward binary at '$KEYWARD_BIN'; build one with 'cargo build --release' or set KEYWARD_BIN"
}

# (a) 20 files adding up to exactly 1 GiB of random data.
make_big_tree() {
    local dir=$1 i size
    mkdir -p "$dir"
    for i in $(seq -w 1 20); do
        # 1 GiB / 20 is not whole: the first four files take the 4 spare bytes.
        size=$((1073741824 / 20 + (10#$i <= 4 ? 1 : 0)))
        openssl rand -out "$dir/blob-$i.bin" "$size" || die "openssl rand failed"
    done
}

# (b) 10,000 files of 1-8 KiB in 10 folders; python3 because 10,000 forks of head
# would take longer than the benchmark.
make_small_tree() {
    python3 - "$1" <<'EOF' || die "could not create the small-file tree"
import os, random, sys
root = sys.argv[1]
rng = random.Random(1)
for d in range(10):
    folder = os.path.join(root, f"dir{d:02}")
    os.makedirs(folder)
    for f in range(1000):
        with open(os.path.join(folder, f"file{f:04}.dat"), "wb") as out:
            out.write(os.urandom(rng.randint(1024, 8192)))
EOF
}

# Fills the page cache and checks that the binary really prints a kw1 digest.
warm_up() {
    local dir=$1 out
    find "$dir" -type f -print0 | xargs -0 cat >/dev/null
    out=$("$KEYWARD_BIN" digest "$dir") || die "'$KEYWARD_BIN digest $dir' failed"
    [[ $out =~ ^kw1:[0-9a-f]{64}$ ]] || die "'$KEYWARD_BIN digest' printed '$out', not a kw1 digest"
}

# Runs hyperfine on one tree: keyward first, baseline second.
measure() {
    local dir=$1 json=$2 kw base
    kw="$(printf '%q' "$KEYWARD_BIN") digest $(printf '%q' "$dir")"
    base="find $(printf '%q' "$dir") -type f -print0 | xargs -0 openssl dgst -sha256 >/dev/null"
    hyperfine --warmup 1 --runs "$RUNS" --export-json "$json" \
        --command-name keyward "$kw" --command-name baseline "$base" >&2 ||
        die "hyperfine failed on $dir"
}

# Prints medians, the ratio and PASS/FAIL. mode: throughput | time.
report() {
    python3 - "$@" <<'EOF' || die "could not read hyperfine's JSON"
import json, sys
label, path, mode, goal = sys.argv[1], sys.argv[2], sys.argv[3], float(sys.argv[4])
results = {r["command"]: r for r in json.load(open(path))["results"]}
kw, base = results["keyward"]["median"], results["baseline"]["median"]
if mode == "throughput":
    ratio, name, ok = base / kw, "throughput ratio (baseline/keyward)", base / kw >= goal
    want = f">= {goal}"
else:
    ratio, name, ok = kw / base, "time ratio (keyward/baseline)", kw / base <= goal
    want = f"<= {goal}"
print(f"{label}")
print(f"  keyward  median {kw * 1000:9.1f} ms")
print(f"  baseline median {base * 1000:9.1f} ms")
cpu = {k: (r["user"] + r["system"]) * 1000 for k, r in results.items()}
print(f"  cpu (user+sys, mean): keyward {cpu['keyward']:.1f} ms, baseline {cpu['baseline']:.1f} ms")
print(f"  {name}: {ratio:.2f} (goal {want}): {'PASS' if ok else 'FAIL'}")
EOF
}

main() {
    check_tools
    local work
    work=$(mktemp -d "$BENCH_TMP/keyward-bench.XXXXXX") || die "mktemp failed in $BENCH_TMP"
    # shellcheck disable=SC2064 # expand $work now: it is local to main
    trap "rm -rf '$work'" EXIT
    local tree
    for tree in $TREES; do
        case $tree in
        big | small) ;;
        *) die "TREES holds '$tree'; use big, small or both" ;;
        esac
    done
    echo "building trees in $work…" >&2
    for tree in $TREES; do
        "make_${tree}_tree" "$work/$tree"
        warm_up "$work/$tree"
    done
    for tree in $TREES; do
        measure "$work/$tree" "$work/$tree.json"
    done
    echo
    echo "machine: $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg), $(openssl version), keyward: $KEYWARD_BIN"
    for tree in $TREES; do
        case $tree in
        big) report "(a) 1 GiB in 20 files" "$work/big.json" throughput 1.6 ;;
        small) report "(b) 10,000 files of 1-8 KiB" "$work/small.json" time 0.4 ;;
        esac
    done
}

main "$@"
