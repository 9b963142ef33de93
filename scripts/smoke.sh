#!/usr/bin/env bash
# Starts the built service the way a newcomer would, with no configuration at all (embedded database,
# queues without Redis), in an empty folder, and records an incident through HTTP.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
work=$(mktemp -d)
port=${SMOKE_PORT:-39517}
pid=""
# Keep the script's own status: `wait` reports the service's SIGTERM exit (143), which must not leak out.
cleanup() {
  local rc=$?
  if [ -n "$pid" ]; then kill "$pid" 2>/dev/null; wait "$pid" 2>/dev/null || true; fi
  rm -rf "$work"
  exit "$rc"
}
trap cleanup EXIT
cd "$work"
# A key first: the CLI opens the same ./data folder (PGlite allows one process at a time).
key=$(env -i PATH="$PATH" HOME="$HOME" node "$root/dist/cli.js" keys:create --name smoke --role responder \
  | node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>console.log(JSON.parse(s).key))')
env -i PATH="$PATH" HOME="$HOME" PORT="$port" node "$root/dist/main.js" > "$work/service.log" 2>&1 &
pid=$!
for _ in $(seq 1 120); do
  curl -fsS "http://127.0.0.1:$port/health/ready" > /dev/null 2>&1 && break
  kill -0 "$pid" 2>/dev/null || { cat "$work/service.log"; echo "smoke: the service exited" >&2; exit 1; }
  sleep 0.5
done
curl -fsS "http://127.0.0.1:$port/health/ready"; echo
created=$(curl -fsS -X POST "http://127.0.0.1:$port/v1/incidents" -H "Authorization: Bearer $key" \
  -H 'Content-Type: application/json' -d '{"title":"Smoke test","discoveredAt":"2026-01-02T03:04:05Z"}')
echo "$created" | grep -q '"state":"detected"' || { echo "smoke: unexpected answer: $created" >&2; exit 1; }
echo "$created" | grep -o '"reference":"[^"]*"'
echo "smoke: 1 passed, 0 failed"
