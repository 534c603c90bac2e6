#!/usr/bin/env bash
# Benchmarks of `keyward run` (issue: run overhead and masking throughput). Not a test:
# it prints medians and ratios against baselines measured in the same hyperfine run,
# because these machines are noisy. Needs hyperfine (apt-get install hyperfine) and a
# release build (KEYWARD_BIN, default target/release/keyward).
#
#   bench/run.sh
#
# Goals: `run --no-mask` at most 1.5 ms above `env K=V true`; masked output of 1 GiB at
# least 1 GB/s and at least 0.5x the throughput of the same program piped through `cat`.
set -euo pipefail
root=$(cd -- "$(dirname -- "$(readlink -f -- "${BASH_SOURCE[0]}")")/.." && pwd)
kw=${KEYWARD_BIN:-$root/target/release/keyward}
[[ -x $kw ]] || (cd "$root" && cargo build --release --locked --quiet)
command -v hyperfine >/dev/null || { [[ $(id -u) == 0 ]] && apt-get install -y -qq hyperfine >/dev/null; } ||
  { echo "bench/run.sh: install hyperfine (apt-get install hyperfine)" >&2; exit 1; }

work=$(mktemp -d /var/tmp/keyward-bench.XXXXXX)
trap 'rm -rf "$work"' EXIT
export KEYWARD_VAULT="$work/vault.db" KEYWARD_NO_INPUT=1
unset KEYWARD_TOKEN KEYWARD_PASSPHRASE KEYWARD_KEYCHAIN
KEYWARD_MASTER_KEY=$("$kw" init --backend env 2>/dev/null)
export KEYWARD_MASTER_KEY
printf %s sk_bench_0123456789abcdef | "$kw" secret set K --stdin -q

mkdir -p "$work/small" "$work/big"
printf '{"name":"small","version":"1","keys":["K"],"run":["true"]}' >"$work/small/instant.package.json"
printf '{"name":"big","version":"1","keys":["K"],"run":["head","-c","1073741824","/dev/zero"]}' \
  >"$work/big/instant.package.json"
"$kw" -q install "$work/small" --approve K
"$kw" -q install "$work/big" --approve K

median() { python3 -c 'import json,sys; r=json.load(open(sys.argv[1]))["results"]; print(" ".join(str(x["median"]) for x in r))' "$1"; }

echo "== run overhead: keyward run --no-mask (package: true) vs env K=V true"
hyperfine -N --warmup 5 --runs 100 --export-json "$work/o.json" \
  "env K=V true" "$kw run small --no-mask" >/dev/null
read -r base kw_t < <(median "$work/o.json")
python3 - "$base" "$kw_t" <<'PY'
import sys
b, k = map(float, sys.argv[1:])
d = (k - b) * 1000
print(f"env K=V true: {b*1000:.2f} ms   keyward run --no-mask: {k*1000:.2f} ms   overhead: {d:.2f} ms  (goal <= 1.5 ms: {'PASS' if d <= 1.5 else 'FAIL'})")
PY

echo "== masking throughput: 1 GiB through keyward run vs through cat"
hyperfine -N --warmup 1 --runs 5 --export-json "$work/m.json" \
  "sh -c 'head -c 1073741824 /dev/zero | cat >/dev/null'" \
  "sh -c '$kw run big >/dev/null'" >/dev/null
read -r cat_t kw_t < <(median "$work/m.json")
python3 - "$cat_t" "$kw_t" <<'PY'
import sys
c, k = map(float, sys.argv[1:])
gib = 1 << 30
print(f"| cat: {gib/c/1e9:.2f} GB/s   keyward run: {gib/k/1e9:.2f} GB/s   ratio: {c/k:.2f}x of cat")
print(f"goal >= 1 GB/s: {'PASS' if gib/k >= 1e9 else 'FAIL'}   goal >= 0.5x cat: {'PASS' if c/k >= 0.5 else 'FAIL'}")
PY
