#!/usr/bin/env bash
# Smoke-test the reference deployment on this machine: a private PostgreSQL (pgserver),
# `dailypapers db upgrade`, the demo data, two `serve` processes and two workers, and
# Debian's nginx in front when it is installed (deploy/nginx.conf, rendered for local ports).
# Everything runs under a temporary folder and is stopped and removed at the end.
#
#   deploy/smoke.sh                     # uses .venv/bin/dailypapers (or DAILYPAPERS_BIN)
#   KEEP=1 deploy/smoke.sh              # leave the folder (logs) behind
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
PY=${PYTHON:-$ROOT/.venv/bin/python}
DP=${DAILYPAPERS_BIN:-$ROOT/.venv/bin/dailypapers}
WORK=$(mktemp -d /tmp/dailypapers-smoke.XXXXXX)
PORT1=${PORT1:-18001} PORT2=${PORT2:-18002} PROXY_PORT=${PROXY_PORT:-18080}
PIDS=()

cleanup() {
    set +e
    for pid in "${PIDS[@]}"; do kill -TERM "$pid" 2>/dev/null; done
    for pid in "${PIDS[@]}"; do wait "$pid" 2>/dev/null; done
    [ -f "$WORK/nginx/nginx.pid" ] && nginx -p "$WORK/nginx" -c "$WORK/nginx/nginx.conf" -s stop
    "$PY" -c "import pgserver, sys; pgserver.get_server(sys.argv[1], cleanup_mode='stop').cleanup()" \
        "$WORK/pg" >/dev/null 2>&1
    if [ -z "${KEEP:-}" ]; then rm -rf "$WORK"; else echo "logs kept in $WORK"; fi
}
trap cleanup EXIT

ok() { printf '  ok  %s\n' "$1"; }
fail() { printf 'FAIL  %s\n' "$1"; tail -n 20 "$WORK"/*.log; exit 1; }

wait_http() {  # URL: wait until it answers 200 (30 s)
    for _ in $(seq 150); do
        curl -fsS -o /dev/null "$1" 2>/dev/null && return 0
        sleep 0.2
    done
    fail "$1 did not come up"
}

echo "== PostgreSQL (pgserver) in $WORK/pg"
mkdir -p "$WORK/pg"
URL=$("$PY" -c "import pgserver, sys; print(pgserver.get_server(sys.argv[1], cleanup_mode=None).get_uri())" "$WORK/pg")
[ -n "$URL" ] || fail "pgserver did not start"
ok "server at ${URL%%\?*}"

export DAILYPAPERS_DATABASE_URL=$URL
export DAILYPAPERS_DATA_DIR=$WORK/data
export DAILYPAPERS_BASE_URL=http://127.0.0.1:$PROXY_PORT
export DAILYPAPERS_TRUSTED_PROXIES=127.0.0.1
export DAILYPAPERS_SERVE_RUNS_SCHEDULER=false
export DAILYPAPERS_INGEST_SOURCES=""          # no live ingest: this machine may be offline
export DAILYPAPERS_MAIL_BACKEND=console
export DAILYPAPERS_SCHEDULER_TICK_S=2

echo "== schema and demo data"
"$DP" db upgrade >"$WORK/upgrade.log" 2>&1 || fail "db upgrade"
ok "db upgrade: $("$DP" db current 2>/dev/null | tail -n 1)"
DEMO=$("$PY" -c "from dailypapers.services.bootstrap import demo_data_path; print(demo_data_path())")
"$DP" import hf-daily "$DEMO" >"$WORK/import.log" 2>&1 || fail "demo import"
ok "demo imported"

echo "== 2 serve + 2 worker processes"
for port in "$PORT1" "$PORT2"; do
    "$DP" serve --no-migrate --host 127.0.0.1 --port "$port" >"$WORK/serve-$port.log" 2>&1 &
    PIDS+=($!)
done
for n in 1 2; do
    "$DP" worker --no-migrate >"$WORK/worker-$n.log" 2>&1 &
    PIDS+=($!)
done
for port in "$PORT1" "$PORT2"; do
    wait_http "http://127.0.0.1:$port/readyz"
    ok "serve on :$port ready"
done

BASE=http://127.0.0.1:$PORT1
if command -v nginx >/dev/null; then
    echo "== nginx on :$PROXY_PORT"
    STATIC=$("$PY" -c "import dailypapers, os; print(os.path.join(os.path.dirname(dailypapers.__file__), 'web', 'static'))")
    mkdir -p "$WORK/nginx/logs"
    {
        echo "pid $WORK/nginx/nginx.pid; error_log $WORK/nginx/logs/error.log;"
        echo "events {}"
        echo "http { include /etc/nginx/mime.types; access_log $WORK/nginx/logs/access.log;"
        echo "  client_body_temp_path $WORK/nginx/body; proxy_temp_path $WORK/nginx/proxy;"
        sed -e "s|127.0.0.1:8001|127.0.0.1:$PORT1|; s|127.0.0.1:8002|127.0.0.1:$PORT2|" \
            -e "s|listen 80;|listen 127.0.0.1:$PROXY_PORT;|" \
            -e "s|/opt/dailypapers/static/|$STATIC/|" "$ROOT/deploy/nginx.conf"
        echo "}"
    } >"$WORK/nginx/nginx.conf"
    nginx -p "$WORK/nginx" -c "$WORK/nginx/nginx.conf" -t >"$WORK/nginx-test.log" 2>&1 \
        || fail "nginx -t: $(cat "$WORK/nginx-test.log")"
    nginx -p "$WORK/nginx" -c "$WORK/nginx/nginx.conf"
    BASE=http://127.0.0.1:$PROXY_PORT
    wait_http "$BASE/healthz"
    ok "nginx up"
else
    echo "== nginx is not installed: checking the serve processes directly"
fi

echo "== requests through $BASE"
code() { curl -s -o /dev/null -w '%{http_code}' "$@"; }
[ "$(code "$BASE/healthz")" = 200 ] && ok "/healthz 200" || fail "/healthz"
[ "$(code "$BASE/readyz")" = 200 ] && ok "/readyz 200" || fail "/readyz"
[ "$(code "$BASE/")" = 200 ] && ok "/ 200" || fail "day page"
[ "$(code "$BASE/api/daily_papers?limit=5")" = 200 ] && ok "/api/daily_papers 200" || fail "daily API"
[ "$(code "$BASE/search?q=language+models")" = 200 ] && ok "/search 200" || fail "search"
[ "$(code "$BASE/static/site.css")" = 200 ] && ok "/static/site.css 200" || fail "static"
ENC=$(curl -s -o /dev/null -D - -H 'Accept-Encoding: gzip' "$BASE/" | tr -d '\r' \
    | awk -F': ' 'tolower($1)=="content-encoding"{print $2}')
[ "$ENC" = gzip ] && ok "/ is gzip'd" || fail "no gzip on / (got '$ENC')"
PAGES=$(curl -s "$BASE/api/daily_papers?limit=100" | "$PY" -c "import json,sys; print(len(json.load(sys.stdin)))")
[ "$PAGES" -gt 0 ] && ok "daily API lists $PAGES papers" || fail "daily API is empty"
if [ "$BASE" != "http://127.0.0.1:$PORT1" ]; then
    [ "$(code "$BASE/metrics")" = 200 ] && ok "/metrics 200" || fail "/metrics"
fi
for pid in "${PIDS[@]}"; do kill -0 "$pid" 2>/dev/null || fail "process $pid died"; done
ok "all ${#PIDS[@]} processes still running"
echo "smoke test passed"
