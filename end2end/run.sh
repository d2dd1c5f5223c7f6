#!/usr/bin/env bash
# End-to-end tests of rampart: the official SDKs through the proxy, and the
# dashboard in headless Chromium.
#
#   bash end2end/run.sh [path/to/rampart]      (default: target/debug/rampart)
#
# It installs what is missing (the pinned Python and npm packages, Debian's
# chromium), starts two fresh rampart instances on free ports with their own
# temporary data directories, runs the test suites and stops the servers:
#
#   - "sdk":   bootstrapped (org, owner, API key on the mock proxy);
#              the Python SDK tests and the Node SDK test use it.
#   - "empty": no org yet, so sign-up is open; the browser test uses it.
#
# The dashboard needs the built site (`cargo leptos build` → target/site);
# RAMPART_SITE_ROOT overrides where it is. RAMPART_E2E_DATABASE_URL, if set,
# puts the "sdk" instance on that database instead of a temporary SQLite file.
set -euo pipefail

started_in=$PWD
e2e=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(dirname "$e2e")

bin=${1:-target/debug/rampart}
[[ $bin == /* ]] || bin=$started_in/$bin
site=${RAMPART_SITE_ROOT:-$root/target/site}
[[ $site == /* ]] || site=$started_in/$site
python=${PYTHON:-python3}
chromium=${RAMPART_CHROMIUM:-/usr/bin/chromium}

cd "$root"
say() { printf '[end2end] %s\n' "$*"; }
die() { printf '[end2end] error: %s\n' "$*" >&2; exit 2; }
started=$(date +%s)

# --- the binary and the site --------------------------------------------------

# The binary may be in the middle of a rebuild: give it a minute to reappear.
for _ in $(seq 60); do [[ -x $bin ]] && break; sleep 1; done
[[ -x $bin ]] || die "no rampart binary at $bin (build it with cargo leptos build)"
compgen -G "$site/pkg/*.wasm" >/dev/null \
  || die "no built site in $site (run cargo leptos build, or set RAMPART_SITE_ROOT)"

# --- what the tests need --------------------------------------------------------

if ! "$python" - "$e2e/requirements.txt" <<'PY'
import sys
from importlib.metadata import PackageNotFoundError, version

missing = []
for line in open(sys.argv[1]):
    line = line.split("#", 1)[0].strip()
    if not line:
        continue
    name, _, wanted = line.partition("==")
    try:
        have = version(name)
    except PackageNotFoundError:
        have = None
    if have != wanted:
        missing.append(line)
sys.exit(1 if missing else 0)
PY
then
  say "installing Python packages from end2end/requirements.txt"
  "$python" -m pip install -q -r "$e2e/requirements.txt"
fi

lock_sum=$(sha256sum "$e2e/package-lock.json" | cut -d' ' -f1)
if [[ ! -f $e2e/node_modules/.lock-sum || $(<"$e2e/node_modules/.lock-sum") != "$lock_sum" ]]; then
  say "installing npm packages (npm ci)"
  (cd "$e2e" && npm ci --no-audit --no-fund --loglevel=error)
  echo "$lock_sum" >"$e2e/node_modules/.lock-sum"
fi

if [[ ! -x $chromium ]]; then
  [[ $chromium == /usr/bin/chromium ]] || die "no Chromium at $chromium"
  say "installing chromium from Debian"
  apt-get update -qq && apt-get install -y -qq chromium >/dev/null
fi

# --- two fresh servers -------------------------------------------------------------

work=$(mktemp -d "${TMPDIR:-/tmp}/rampart-e2e.XXXXXX")
pids=()
cleanup() {
  local rc=$?
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  if [[ $rc -ne 0 ]]; then
    for log in "$work"/*/server.log; do
      [[ -f $log ]] || continue
      say "last lines of $log:"
      tail -n 30 "$log" >&2 || true
    done
  fi
  rm -rf "$work"
  exit "$rc"
}
trap cleanup EXIT

free_port() {
  "$python" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
}

# rampart_env DIR DATABASE_URL: the environment a rampart of ours runs with,
# in the array $renv (for `env`): nothing inherited that could point it elsewhere.
rampart_env() {
  renv=(-u RAMPART_CONFIG -u RAMPART_SECRET_KEY -u DATABASE_URL -u RAMPART_ADDR -u RAMPART_COOKIE_SECURE
    RAMPART_DATA_DIR="$1" RAMPART_SITE_ROOT="$site" RAMPART_LOG=warn)
  [[ -z $2 ]] || renv+=(DATABASE_URL="$2")
}

# start_server NAME DATABASE_URL: starts `rampart serve`; sets $url.
start_server() {
  local name=$1 dir=$work/$1 port pid
  mkdir -p "$dir"
  port=$(free_port)
  url=http://127.0.0.1:$port
  rampart_env "$dir" "$2"
  env "${renv[@]}" RAMPART_ADDR="127.0.0.1:$port" "$bin" serve >"$dir/server.log" 2>&1 &
  pid=$!
  pids+=("$pid")
  for _ in $(seq 150); do
    if [[ $(curl -s -m 2 "$url/healthz" || true) == ok ]]; then
      say "$name server ready at $url"
      return 0
    fi
    kill -0 "$pid" 2>/dev/null || die "the $name server exited during start-up"
    sleep 0.2
  done
  die "the $name server did not answer /healthz within 30 s"
}

sdk_db=${RAMPART_E2E_DATABASE_URL:-}
mkdir -p "$work/sdk" "$work/empty"
email=owner@example.com
password=e2e-$(od -An -N12 -tx1 /dev/urandom | tr -d ' \n')
rampart_env "$work/sdk" "$sdk_db"
boot=$(env "${renv[@]}" "$bin" bootstrap --org "end2end" --email "$email" --password "$password")
api_key=$("$python" -c 'import json, sys; print(json.loads(sys.argv[1])["api_key"])' "$boot")
proxy_id=$("$python" -c 'import json, sys; print(json.loads(sys.argv[1])["proxy_id"])' "$boot")
[[ $api_key =~ ^rk_[0-9a-f]{16}_[0-9a-f]{64}$ ]] || die "bootstrap printed no API key: $boot"

start_server sdk "$sdk_db"
sdk_url=$url
start_server empty ""
empty_url=$url

# The page names the wasm bundle the binary was built for: it must be in the
# site, or the dashboard never hydrates (a binary from plain `cargo build` and a
# site from `cargo leptos build` can disagree on its name).
wasm_path=$(curl -s "$empty_url/login" | grep -oE '/pkg/[A-Za-z0-9_.-]+\.wasm' | head -n 1 || true)
[[ -n $wasm_path ]] || die "the login page names no wasm bundle"
wasm_code=$(curl -s -o /dev/null -w '%{http_code}' "$empty_url$wasm_path" || true)
if [[ $wasm_code != 200 ]]; then
  say "the dashboard asks for $wasm_path but the server answers $wasm_code (site: $(ls "$site/pkg" | tr '\n' ' '))"
  say "build the binary and the site together with cargo leptos build; the browser test will fail"
fi

# The server polls for new keys: wait until the bootstrapped one works.
for _ in $(seq 50); do
  code=$(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $api_key" "$sdk_url/v1/models" || true)
  [[ $code == 401 ]] || break
  sleep 0.1
done
[[ $code == 200 ]] || die "GET /v1/models with the bootstrapped key answered $code"

export RAMPART_BASE_URL=$sdk_url RAMPART_API_KEY=$api_key RAMPART_EMAIL=$email RAMPART_PASSWORD=$password
export RAMPART_PROXY_ID=$proxy_id
export RAMPART_EMPTY_BASE_URL=$empty_url RAMPART_BIN=$bin RAMPART_DATA_DIR=$work/sdk RAMPART_CHROMIUM=$chromium
export RAMPART_SITE_ROOT=$site

# --- the suites ----------------------------------------------------------------------

failed=0
say "pytest end2end/python"
"$python" -m pytest -q -c "$e2e/pytest.ini" --rootdir "$e2e" "$e2e/python" 2>&1 | tee "$work/pytest.out" || failed=1
say "node --test end2end/node/"
node --test "$e2e/node/" 2>&1 | tee "$work/node.out" || failed=1

count() { grep -oE "$1" "$2" | grep -oE '[0-9]+' | awk '{s += $1} END {print s + 0}'; }
passed=$(( $(count '[0-9]+ passed' "$work/pytest.out") + $(count '^(# |ℹ )pass [0-9]+' "$work/node.out") ))
failures=$(( $(count '[0-9]+ (failed|errors?)' "$work/pytest.out") + $(count '^(# |ℹ )(fail|cancelled) [0-9]+' "$work/node.out") ))
say "took $(( $(date +%s) - started )) s"
echo "end2end: $passed passed, $failures failed"
if [[ $failed -ne 0 || $failures -ne 0 || $passed -eq 0 ]]; then
  exit 1
fi
