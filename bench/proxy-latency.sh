#!/usr/bin/env bash
# Measures the latency rampart adds to a proxied request: the same wrk load
# against the mock LLM directly and through rampart (an `openai` proxy whose
# upstream is that mock server), one after the other in one run.
#
#   bench/proxy-latency.sh [path/to/rampart]   (default: target/release/rampart)
#
# Needs wrk (apt-get install wrk). Everything listens on 127.0.0.1 only.
set -euo pipefail
cd "$(dirname "$0")/.."
bin=${1:-target/release/rampart}
duration=${DURATION:-10s}
connections=${CONNECTIONS:-1}
mock_port=${MOCK_PORT:-9190}
rampart_port=${RAMPART_PORT:-9191}
work=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$work"' EXIT

"$bin" mock-llm --addr "127.0.0.1:$mock_port" 2>"$work/mock.log" &
export RAMPART_DATA_DIR="$work/data" RAMPART_ADDR="127.0.0.1:$rampart_port" RAMPART_LOG=warn
"$bin" serve 2>"$work/rampart.log" &
for _ in $(seq 1 100); do curl -fs "http://127.0.0.1:$rampart_port/healthz" >/dev/null && break; sleep 0.1; done
boot=$("$bin" bootstrap --org bench --email bench@example.com --password 'bench-password-123')
proxy_id=$(python3 -c 'import json,sys; print(json.loads(sys.argv[1])["proxy_id"])' "$boot")
key=$(python3 -c 'import json,sys; print(json.loads(sys.argv[1])["api_key"])' "$boot")
# Point the bootstrapped proxy at the external mock through the store, then let the snapshot refresh.
sqlite3 "$work/data/rampart.db" "UPDATE proxies SET provider='openai', base_url='http://127.0.0.1:$mock_port/v1' WHERE id='$proxy_id'; UPDATE config_version SET version = version + 1;" 2>/dev/null \
  || python3 - "$work/data/rampart.db" "$proxy_id" "$mock_port" <<'PY'
import sqlite3, sys
db = sqlite3.connect(sys.argv[1])
db.execute("UPDATE proxies SET provider='openai', base_url=? WHERE id=?", (f"http://127.0.0.1:{sys.argv[3]}/v1", sys.argv[2]))
db.execute("UPDATE config_version SET version = version + 1")
db.commit()
PY
sleep 3
curl -fs "http://127.0.0.1:$rampart_port/v1/chat/completions" -H "Authorization: Bearer $key" \
  -H 'Content-Type: application/json' -d '{"model":"mock-echo","messages":[{"role":"user","content":"warm up"}]}' >/dev/null

echo "== direct to the mock ($connections connection(s), $duration)"
direct=$(wrk -t1 -c"$connections" -d"$duration" -s bench/chat.lua "http://127.0.0.1:$mock_port/v1/chat/completions" | grep RESULT)
echo "$direct"
echo "== through rampart"
proxied=$(RAMPART_API_KEY=$key wrk -t1 -c"$connections" -d"$duration" -s bench/chat.lua "http://127.0.0.1:$rampart_port/v1/chat/completions" | grep RESULT)
echo "$proxied"
python3 - "$direct" "$proxied" <<'PY'
import sys
def parse(line):
    return {k: float(v) for k, v in (kv.split("=") for kv in line.split()[1:])}
d, p = parse(sys.argv[1]), parse(sys.argv[2])
for k in ("p50_us", "p99_us", "mean_us"):
    print(f"added {k[:-3]}: {p[k] - d[k]:.0f} µs  (direct {d[k]:.0f} µs, proxied {p[k]:.0f} µs)")
print(f"throughput ratio proxied/direct: {p['rps'] / d['rps']:.2f}")
if p["errors"] or d["errors"]:
    sys.exit("errors during the run")
PY
