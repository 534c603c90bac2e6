#!/usr/bin/env bash
# Benchmark of output masking at scale (issue "Performance", item 4): 1 GiB of
# log-like text and 1 GiB of random base64 through `keyward run` with 1, 50, 500 and
# 1,000 granted values of 8-200 bytes, against the same bytes through `cat | cat`.
#
#   bench/mask.sh [KEYWARD_BINARY]     (default target/release/keyward; builds nothing)
#
# Goal per case: keyward at most 1.25x the baseline's time, and at least 1 GB/s.
#
# Deterministic: fixtures and values come from fixed seeds and are written once under
# target/bench/ (reused while their stamp matches). The package is `cat FILE`; the
# baseline is `cat FILE | cat >/dev/null`, the same pipe with cat in keyward's place.
# Runs are interleaved (baseline, keyward, baseline, ...; ROUNDS of each, default 5)
# because these machines are shared and noisy; medians are reported. The page cache is
# warmed first. Not a test: it prints one row per case and exits 0 unless something
# could not run. Needs python3 and hyperfine (installed with apt-get when root).
set -euo pipefail
root=$(cd -- "$(dirname -- "$(readlink -f -- "${BASH_SOURCE[0]}")")/.." && pwd)
kw=$(readlink -f -- "${1:-$root/target/release/keyward}")
rounds=${ROUNDS:-5}
counts=${COUNTS:-"1 50 500 1000"}
die() { echo "bench/mask.sh: $*" >&2; exit 1; }
[[ -x $kw ]] || die "no keyward binary at $kw: build one (cargo build --release) or pass its path"
command -v python3 >/dev/null || die "needs python3"
if ! command -v hyperfine >/dev/null; then
  [[ $(id -u) == 0 ]] && apt-get install -y -qq hyperfine >/dev/null 2>&1 ||
    die "install hyperfine (apt-get install hyperfine) and rerun"
fi

fixtures=$root/target/bench
mkdir -p "$fixtures"
stamp="mask-fixtures v1 seed=20240601 size=1073741824"
if [[ $(cat "$fixtures/mask.stamp" 2>/dev/null) != "$stamp" ]]; then
  echo "writing fixtures under $fixtures (once)…" >&2
  rm -f "$fixtures/mask.stamp"
  python3 - "$fixtures" <<'PY'
import base64, random, sys
out = sys.argv[1]
SIZE = 1 << 30
ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-"

# 1,000 values of 8-200 bytes, like API keys; the sets of N values are the first N.
rv = random.Random(1)
values = ["".join(rv.choices(ALPHABET, k=rv.randint(8, 200))) for _ in range(1000)]
with open(f"{out}/mask-values.txt", "w") as f:
    f.write("\n".join(values) + "\n")

# Random base64, one long line per MiB.
rb = random.Random(2)
with open(f"{out}/mask-base64.txt", "wb") as f:
    left = SIZE
    while left:
        line = base64.b64encode(rb.randbytes(786431))[: min(left, 1 << 20) - 1] + b"\n"
        f.write(line[:left])
        left -= len(line[:left])

# Log-like text: timestamps, levels, components, requests; now and then a value.
rl = random.Random(3)
levels = ["INFO", "INFO", "INFO", "DEBUG", "WARN", "ERROR"]
comps = ["http", "db", "auth", "cache", "worker-1", "worker-2", "scheduler", "billing"]
paths = ["/api/v1/users", "/api/v1/orders", "/healthz", "/api/v2/search", "/static/app.js"]
words = ("request completed connection opened retrying query cache miss hit user "
         "session token refreshed upstream timeout payload accepted rejected").split()
with open(f"{out}/mask-log.txt", "wb") as f:
    left, n, buf = SIZE, 0, []
    while left > 0:
        n += 1
        line = (f"2024-06-01T{n // 3600000 % 24:02d}:{n // 60000 % 60:02d}:{n // 1000 % 60:02d}."
                f"{n % 1000:03d}Z {rl.choice(levels):5} [{rl.choice(comps)}] "
                f"{' '.join(rl.choices(words, k=rl.randint(2, 8)))} "
                f"path={rl.choice(paths)}/{rl.randint(1, 99999)} status={rl.choice((200, 200, 201, 304, 404, 500))} "
                f"latency_ms={rl.random() * 250:.1f} id={rl.getrandbits(64):016x}")
        if n % 5000 == 0:
            line += f" key={values[rl.randrange(1000)]}"
        data = (line + "\n").encode()[:left]
        buf.append(data)
        left -= len(data)
        if len(buf) == 4096:
            f.write(b"".join(buf))
            buf = []
    f.write(b"".join(buf))
PY
  echo "$stamp" >"$fixtures/mask.stamp"
fi

work=$(mktemp -d /var/tmp/keyward-mask-bench.XXXXXX)
trap 'rm -rf "$work"' EXIT
export KEYWARD_VAULT="$work/vault.db" KEYWARD_NO_INPUT=1
unset KEYWARD_TOKEN KEYWARD_PASSPHRASE KEYWARD_KEYCHAIN
KEYWARD_MASTER_KEY=$("$kw" init --backend env 2>/dev/null)
export KEYWARD_MASTER_KEY

max=0
for n in $counts; do ((n > max)) && max=$n; done
i=0
while IFS= read -r value && ((i < max)); do
  i=$((i + 1))
  printf %s "$value" | "$kw" secret set "K$i" --stdin -q
done <"$fixtures/mask-values.txt"
for n in $counts; do
  mkdir -p "$work/cat$n"
  python3 - "$n" >"$work/cat$n/instant.package.json" <<'PY'
import json, sys
n = int(sys.argv[1])
print(json.dumps({"name": f"cat{n}", "version": "1", "keys": [f"K{i}" for i in range(1, n + 1)],
                  "run": ["cat"]}))
PY
  "$kw" -q install "$work/cat$n" --approve-all
done

# One row per case: median times of interleaved runs.
printf '%-12s %-17s %-17s %-6s %-22s %s\n' case keyward baseline ratio goal met
for fixture in log base64; do
  file=$fixtures/mask-$fixture.txt
  cat "$file" >/dev/null
  for n in $counts; do
    : >"$work/times"
    for ((r = 0; r < rounds; r++)); do
      hyperfine -N --runs 1 --export-json "$work/h.json" \
        "sh -c 'cat $file | cat >/dev/null'" \
        "sh -c '$kw run cat$n -- $file >/dev/null'" >/dev/null 2>&1 ||
        die "a run failed: sh -c '$kw run cat$n -- $file >/dev/null'"
      python3 -c 'import json,sys; r=json.load(open(sys.argv[1]))["results"]; print(r[0]["median"], r[1]["median"])' \
        "$work/h.json" >>"$work/times"
    done
    python3 - "$fixture/$n" "$(stat -c %s "$file")" "$work/times" <<'PY'
import statistics, sys
case, size, path = sys.argv[1], int(sys.argv[2]), sys.argv[3]
rows = [tuple(map(float, l.split())) for l in open(path) if l.strip()]
base = statistics.median(r[0] for r in rows)
kw = statistics.median(r[1] for r in rows)
ratio = kw / base
met = ratio <= 1.25 and size / kw >= 1e9
speed = lambda t: f"{t:6.3f}s {size / t / 1e9:5.2f}GB/s"
print(f"{case:<12} {speed(kw):<17} {speed(base):<17} {ratio:5.2f}x {'<=1.25x, >=1 GB/s':<22} {'yes' if met else 'NO'}")
PY
  done
done
