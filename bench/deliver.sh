#!/usr/bin/env bash
# Overhead of each `deliver` mode against `env` (DESIGN.md "Delivering keys"). Not a
# test: it prints medians measured in one hyperfine run, because these machines are
# noisy. Needs hyperfine (apt-get install hyperfine) and a release build (KEYWARD_BIN,
# default target/release/keyward).
#
#   bench/deliver.sh
#
# Cases, each with one granted key:
#   start:  the package is `true` (never looks at its key): the cost of setting a
#           mode up (run folder, key files, socket thread) and tearing it down.
#   read:   the package reads its key once with `keyward key K` (files: a file read;
#           socket: one checked request with its audit entry, an fsync'd write).
set -euo pipefail
root=$(cd -- "$(dirname -- "$(readlink -f -- "${BASH_SOURCE[0]}")")/.." && pwd)
kw=${KEYWARD_BIN:-$root/target/release/keyward}
[[ -x $kw ]] || (cd "$root" && cargo build --release --locked --quiet)
command -v hyperfine >/dev/null || { [[ $(id -u) == 0 ]] && apt-get install -y -qq hyperfine >/dev/null; } ||
  { echo "bench/deliver.sh: install hyperfine (apt-get install hyperfine)" >&2; exit 1; }

work=$(mktemp -d /var/tmp/keyward-bench.XXXXXX)
trap 'rm -rf "$work"' EXIT
export KEYWARD_VAULT="$work/vault.db" KEYWARD_NO_INPUT=1 TMPDIR="$work"
unset KEYWARD_TOKEN KEYWARD_PASSPHRASE KEYWARD_KEYCHAIN XDG_RUNTIME_DIR
KEYWARD_MASTER_KEY=$("$kw" init --backend env 2>/dev/null)
export KEYWARD_MASTER_KEY
printf %s sk_bench_0123456789abcdef | "$kw" secret set K --stdin -q

mkdir -p "$work/start" "$work/read"
printf '{"name":"start","version":"1","keys":["K"],"run":["true"]}' >"$work/start/instant.package.json"
printf '{"name":"read","version":"1","keys":["K"],"run":["%s","key","K"]}' "$kw" >"$work/read/instant.package.json"
"$kw" -q install "$work/start" --approve K
"$kw" -q install "$work/read" --approve K

median() { python3 -c 'import json,sys; r=json.load(open(sys.argv[1]))["results"]; print(" ".join(str(x["median"]) for x in r))' "$1"; }

for case in start read; do
  for mask in "" "--no-mask"; do
    echo "== $case ${mask:-(masked)}: env vs files vs socket"
    hyperfine -N --warmup 5 --runs 60 --export-json "$work/$case.json" \
      "$kw run $case $mask --deliver env" \
      "$kw run $case $mask --deliver files" \
      "$kw run $case $mask --deliver socket" >/dev/null
    read -r env_t files_t socket_t < <(median "$work/$case.json")
    python3 - "$env_t" "$files_t" "$socket_t" <<'PY'
import sys
e, f, s = (float(x) * 1000 for x in sys.argv[1:])
print(f"env: {e:.2f} ms   files: {f:.2f} ms (+{f-e:.2f})   socket: {s:.2f} ms (+{s-e:.2f})")
PY
  done
done
