#!/bin/sh
# The swap race between verification and launch (hardening item 10), measured.
#
#   bench/race.sh [N]            N attempts per case (default 10)
#   BEFORE=path/to/old/keyward AFTER=path/to/new/keyward bench/race.sh
#
# A watcher (python3, inotify through ctypes) renames a file over the package's entry
# point at a chosen moment; each `keyward run` either runs the original ("clean"), is
# refused (exit 125, error[package-changed]: "refused") or runs the swapped-in code
# ("WIN" for the attacker). Cases:
#   script/hashed   #! script; swap as soon as keyward has hashed it (its first close)
#   script/exec     #! script; swap when the kernel execs its interpreter (/bin/sh),
#                   just before the interpreter opens the script by name
#   elf/hashed      ELF entry point; swap as soon as keyward has hashed it
# Prints wins per binary and case. Needs python3 and Linux; not a test.
set -eu
N=${1:-10}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
AFTER=${AFTER:-$ROOT/target/debug/keyward}
BEFORE=${BEFORE:-}
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
export KEYWARD_VAULT="$WORK/vault.db" KEYWARD_NO_INPUT=1 TMPDIR="$WORK"

cat > "$WORK/watch.py" <<'PY'
import ctypes, os, sys
IN_OPEN, IN_CLOSE_NOWRITE = 0x20, 0x10
target, watched, event, evil = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4]
libc = ctypes.CDLL(None, use_errno=True)
fd = libc.inotify_init()
mask = IN_CLOSE_NOWRITE if event == "close" else IN_OPEN
if libc.inotify_add_watch(fd, watched.encode(), mask) < 0:
    sys.exit("inotify_add_watch failed")
print("ready", flush=True)
os.read(fd, 4096)             # the first event: swap now
os.rename(evil, target)
PY

race() { # BIN KIND TRIGGER -> prints "wins refused clean"
  bin=$1 kind=$2 trigger=$3
  pkg="$WORK/pkg-$kind"
  rm -rf "$pkg" "$WORK/vault.db"* "$WORK"/keyward-*
  mkdir -p "$pkg"
  KEYWARD_MASTER_KEY=$("$bin" init --backend env 2>/dev/null); export KEYWARD_MASTER_KEY
  printf 'race-value-0123' | "$bin" secret set RACE_KEY --stdin >/dev/null 2>&1
  if [ "$kind" = script ]; then
    run='["./run.sh"]'
    good() { printf '#!/bin/sh\necho good\n' > "$1"; chmod 755 "$1"; }
    bad() { printf '#!/bin/sh\necho EVIL\n' > "$1"; chmod 755 "$1"; }
    entry=run.sh
  else
    run='["./prog", "good"]'
    good() { cp /bin/echo "$1"; chmod 755 "$1"; }
    bad() { cp /bin/false "$1"; chmod 755 "$1"; }
    entry=prog
  fi
  printf '{"name": "race", "version": "1", "keys": ["RACE_KEY"], "run": %s}\n' "$run" > "$pkg/instant.package.json"
  wins=0 refused=0 clean=0 i=0
  while [ $i -lt "$N" ]; do
    i=$((i + 1))
    good "$pkg/.tmp" && mv "$pkg/.tmp" "$pkg/$entry"
    "$bin" install "$pkg" --approve RACE_KEY >/dev/null 2>&1
    bad "$WORK/evil"
    case $trigger in
      hashed) watched="$pkg/$entry" event=close ;;
      exec) watched=$(readlink -f /bin/sh) event=open ;;
    esac
    rm -f "$WORK/ready"
    python3 "$WORK/watch.py" "$pkg/$entry" "$watched" "$event" "$WORK/evil" > "$WORK/ready" &
    wpid=$!
    while [ ! -s "$WORK/ready" ]; do sleep 0.01; done
    set +e
    out=$("$bin" run race --no-mask 2>/dev/null); status=$?
    set -e
    kill "$wpid" 2>/dev/null || true; wait "$wpid" 2>/dev/null || true
    [ -z "${RACE_DEBUG:-}" ] || echo "attempt $i: status $status out $out" >&2
    if [ "$status" = 125 ]; then refused=$((refused + 1))
    elif [ "$out" = good ] && [ "$status" = 0 ]; then clean=$((clean + 1))
    else wins=$((wins + 1)); fi
  done
  echo "$wins $refused $clean"
}

printf '%-8s %-16s %5s %8s %6s\n' binary case wins refused clean
for which in before after; do
  if [ "$which" = before ]; then bin=$BEFORE; else bin=$AFTER; fi
  [ -n "$bin" ] || continue
  for c in script/hashed script/exec elf/hashed; do
    set -- $(race "$bin" "${c%/*}" "${c#*/}")
    printf '%-8s %-16s %3s/%s %8s %6s\n' "$which" "$c" "$1" "$N" "$2" "$3"
  done
done
