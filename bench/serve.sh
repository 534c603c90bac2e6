#!/usr/bin/env bash
# bench/serve.sh: load on `keyward serve`, loopback only, bounded.
#   CLIENTS (64) concurrent clients, REQUESTS (2000) requests each, against a CGI
#   package (sh) and an HTTP package (python3 http.server), through the gateway and,
#   for the HTTP package, straight to its own server (the overhead). Prints
#   throughput, p50/p99 latency, keyward's peak RSS, the audit entries written against
#   the requests sent through keyward (they must be equal), whether keyward is still
#   running, and its open descriptors before and after the load (they must be equal).
#   Exits 1 when a check fails. Needs: a release build (cargo build --release), python3,
#   curl, ss.
set -euo pipefail
CLIENTS=${CLIENTS:-64}
REQUESTS=${REQUESTS:-2000}
KW=${KW:-$(cd "$(dirname "$0")/.." && pwd)/target/release/keyward}
WORK=$(mktemp -d)
trap 'kill $SPID 2>/dev/null || true; rm -rf "$WORK"' EXIT
export KEYWARD_VAULT=$WORK/vault.db KEYWARD_NO_INPUT=1 XDG_RUNTIME_DIR=$WORK/run TMPDIR=$WORK/tmp
mkdir -p "$WORK/run" "$WORK/cgi" "$WORK/web" "$WORK/tmp"
export KEYWARD_MASTER_KEY=$("$KW" init --backend env 2>/dev/null)
TOKEN=$("$KW" keychain create bench 2>/dev/null)
printf 'bench-secret-value-0123' | "$KW" -k bench secret set API_KEY --stdin 2>/dev/null
cat > "$WORK/cgi/instant.package.json" <<'EOF'
{"name": "@bench/cgi", "version": "v1", "keys": ["API_KEY"], "run": ["sh", "./h.sh"], "serve": "cgi"}
EOF
printf '%s\n' "printf 'Content-Type: text/plain\r\n\r\nhello\n'" > "$WORK/cgi/h.sh"
cat > "$WORK/web/instant.package.json" <<'EOF'
{"name": "@bench/web", "version": "v1", "keys": ["API_KEY"], "run": ["python3", "./s.py"], "serve": "http"}
EOF
cat > "$WORK/web/s.py" <<'EOF'
import os, http.server
class H(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    def do_GET(self):
        b = b"hello\n"
        self.send_response(200); self.send_header("Content-Length", str(len(b))); self.end_headers(); self.wfile.write(b)
    def log_message(self, *a): pass
http.server.ThreadingHTTPServer((os.environ["HOST"], int(os.environ["PORT"])), H).serve_forever()
EOF
"$KW" -k bench install "$WORK/cgi" --approve API_KEY >/dev/null 2>&1
"$KW" -k bench install "$WORK/web" --approve API_KEY >/dev/null 2>&1
env -u KEYWARD_MASTER_KEY "$KW" serve --listen 127.0.0.1:0 --max-per-package 256 > "$WORK/serve.out" 2>"$WORK/serve.err" &
SPID=$!
for _ in $(seq 100); do grep -q listening "$WORK/serve.out" && break; sleep 0.1; done
PORT=$(sed -n 's/.*127.0.0.1:\([0-9]*\).*/\1/p' "$WORK/serve.out" | head -1)
# One call each starts the http package and warms both paths (2 audit entries).
curl -sf -H "Authorization: Bearer $TOKEN" "http://127.0.0.1:$PORT/@bench/web/" >/dev/null
curl -sf -H "Authorization: Bearer $TOKEN" "http://127.0.0.1:$PORT/@bench/cgi/" >/dev/null
DIRECT=$(ss -ltnp 2>/dev/null | grep python3 | sed -n 's/.*127.0.0.1:\([0-9]*\).*/\1/p' | head -1)
load() { # URL AUTH
  python3 - "$1" "$2" "$CLIENTS" "$REQUESTS" <<'EOF'
import sys, time, threading, http.client, urllib.parse
url, auth, clients, per = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
u = urllib.parse.urlsplit(url)
lat, errs, lock = [], [0], threading.Lock()
def worker():
    mine = []
    for _ in range(per):
        t = time.perf_counter()
        c = http.client.HTTPConnection(u.hostname, u.port, timeout=60)
        try:
            c.request("GET", u.path, headers={"Authorization": auth} if auth else {})
            r = c.getresponse(); r.read()
            if r.status != 200: errs[0] += 1
        except Exception:
            errs[0] += 1
        finally:
            c.close()
        mine.append(time.perf_counter() - t)
    with lock: lat.extend(mine)
t0 = time.perf_counter()
ts = [threading.Thread(target=worker) for _ in range(clients)]
[t.start() for t in ts]; [t.join() for t in ts]
el = time.perf_counter() - t0
lat.sort()
p = lambda q: lat[min(len(lat) - 1, int(q * len(lat)))] * 1000
print(f"{len(lat)} requests in {el:.1f} s: {len(lat)/el:.0f} req/s, p50 {p(.5):.1f} ms, p99 {p(.99):.1f} ms, errors {errs[0]}")
EOF
}
# A short load at the same concurrency first: SQLite keeps the descriptor of a closed
# vault connection while another connection of the process holds a lock on the file
# (POSIX locks are per process; the http package's watcher holds one), and reuses it
# for the next connection, so up to one per concurrent call stays open. Counted after
# this warm-up, any descriptor more after the full load is a leak.
REQUESTS_FULL=$REQUESTS; REQUESTS=5
load "http://127.0.0.1:$PORT/@bench/web/" "Bearer $TOKEN" >/dev/null
load "http://127.0.0.1:$PORT/@bench/cgi/" "Bearer $TOKEN" >/dev/null
REQUESTS=$REQUESTS_FULL
FDS_BEFORE=$(ls /proc/$SPID/fd | wc -l)
ls -l /proc/$SPID/fd | sed 's/.*-> //' | sort | uniq -c | sort -rn > "$WORK/fds.before"
echo "clients=$CLIENTS requests/client=$REQUESTS (python client, one connection per request)"
echo -n "direct to the package's server : "; load "http://127.0.0.1:$DIRECT/" ""
echo -n "http package through keyward  : "; load "http://127.0.0.1:$PORT/@bench/web/" "Bearer $TOKEN"
echo -n "cgi package through keyward   : "; load "http://127.0.0.1:$PORT/@bench/cgi/" "Bearer $TOKEN"
# Let the last connections and CGI pipes close (up to 10 s).
for _ in $(seq 100); do
  FDS_AFTER=$(ls /proc/$SPID/fd | wc -l)
  [ "$FDS_AFTER" -le "$FDS_BEFORE" ] && break
  sleep 0.1
done
[ "$FDS_AFTER" = "$FDS_BEFORE" ] || ls -l /proc/$SPID/fd | sed 's/.*-> //' | sort | uniq -c | sort -rn | head
RSS=$(grep VmHWM /proc/$SPID/status | awk '{print $2, $3}')
ALIVE=yes; kill -0 "$SPID" 2>/dev/null || ALIVE=no
SENT=$((2 * CLIENTS * (REQUESTS + 5) + 2))
AUDIT=$("$KW" -k bench --json log --limit 100000000 | python3 -c 'import json,sys; d=json.load(sys.stdin); d=d if isinstance(d,list) else d["entries"]; print(sum(1 for e in d if e["action"]=="call"))')
echo "keyward serve peak RSS: $RSS"
echo "audit entries (call): $AUDIT for $SENT requests through keyward"
echo "keyward serve still running: $ALIVE"
echo "keyward serve fds: $FDS_BEFORE before the load (after a warm-up at the same concurrency), $FDS_AFTER after"
[ "$AUDIT" = "$SENT" ] && [ "$ALIVE" = yes ] && [ "$FDS_BEFORE" = "$FDS_AFTER" ] || { echo "FAILED"; exit 1; }
