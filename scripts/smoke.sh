#!/usr/bin/env bash
# Starts the built service the way a newcomer would, with no configuration at all (embedded database,
# queues without Redis), in an empty folder, and records an incident through HTTP.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
work=$(mktemp -d)
port=${SMOKE_PORT:-29517}
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
# Keys first: the CLI opens the same ./data folder, which the service locks while it runs (one process at a
# time); with keys there, the service makes no first-start setup key.
new_key() {
  env -i PATH="$PATH" HOME="$HOME" node "$root/dist/cli.js" keys:create --name "smoke $1" --role "$1" \
    | node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>console.log(JSON.parse(s).key))'
}
key=$(new_key responder)
approver=$(new_key approver)
admin=$(new_key admin)
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
incident=$(echo "$created" | grep -o '"id":"[^"]*"' | head -1 | cut -d'"' -f4)

# The directory and scoping on the embedded database (keys generated into ./data/secrets.json).
stored=$(curl -fsS -X POST "http://127.0.0.1:$port/v1/subjects/bulk" -H "Authorization: Bearer $key" \
  -H 'Content-Type: application/json' \
  -d '{"subjects":[{"externalId":"s-1","email":"one@example.com","jurisdiction":"BR","dataCategories":["camera_data"]},{"externalId":"s-2","phone":"+4915112345678","dataCategories":["camera_data"]}]}')
echo "$stored" | grep -q '"created":2' || { echo "smoke: bulk upsert answered $stored" >&2; exit 1; }
preview=$(curl -fsS -X POST "http://127.0.0.1:$port/v1/incidents/$incident/scope/preview" \
  -H "Authorization: Bearer $key" -H 'Content-Type: application/json' \
  -d '{"criteria":{"dataCategories":["camera_data"]}}')
echo "$preview" | grep -q '"total":2' || { echo "smoke: preview answered $preview" >&2; exit 1; }
echo "$preview" | grep -q '"DE":1' || { echo "smoke: the jurisdiction was not inferred: $preview" >&2; exit 1; }
test -f "$work/data/secrets.json" || { echo "smoke: no generated keys in data/secrets.json" >&2; exit 1; }
if grep -q 'one@example.com' "$work/data/pg" -r 2>/dev/null; then
  echo "smoke: an email is stored in clear in the embedded database" >&2
  exit 1
fi

# A campaign to both, approved by a second person, through the local outbox (no provider account).
post() { curl -fsS -X POST "http://127.0.0.1:$port$1" -H "Authorization: Bearer $2" -H 'Content-Type: application/json' -d "$3"; }
field() { node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>console.log(JSON.parse(s)[process.argv[1]]))' "$1"; }
notice=$(post /v1/incidents "$key" '{"title":"Smoke notice","description":"A bucket was open.","discoveredAt":"2026-01-02T03:04:05Z","dataCategories":["camera_data"],"likelyConsequences":"Phishing.","measuresTaken":"Closed.","securityMeasuresBefore":"Staff keys only.","noticeDelayReasons":"The analysis took days.","remedies":"A support line."}' | field id)
post "/v1/incidents/$notice/scope" "$key" '{"criteria":{"everyone":true}}' > /dev/null
for _ in $(seq 1 60); do
  curl -fsS "http://127.0.0.1:$port/v1/incidents/$notice/scope" -H "Authorization: Bearer $key" | grep -q '"status":"completed"' && break
  sleep 0.5
done
campaign=$(post "/v1/incidents/$notice/campaigns" "$key" '{"template":"breach-notice","channels":["email","sms"],"mode":"escalate"}' | field id)
post "/v1/campaigns/$campaign/approve" "$approver" '' > /dev/null
state=""
for _ in $(seq 1 120); do
  state=$(curl -fsS "http://127.0.0.1:$port/v1/campaigns/$campaign" -H "Authorization: Bearer $key")
  echo "$state" | grep -q '"status":"completed"' && break
  sleep 0.5
done
echo "$state" | grep -q '"notified":2' || { echo "smoke: the campaign did not notify both: $state" >&2; exit 1; }
# The local outbox opens what it sealed on the embedded database too (PGlite's bytea is a Uint8Array).
outbox=$(curl -fsS "http://127.0.0.1:$port/v1/outbox" -H "Authorization: Bearer $admin")
echo "$outbox" | grep -q 'one@example.com' || { echo "smoke: the outbox does not show the email sent" >&2; exit 1; }

# Obligations and a regulator report (PDF) on the embedded database: the ANPD's counts children by their
# birth dates, which it opens from the sealed contact data (PGlite gives bytea as a Uint8Array).
obligations=$(curl -fsS "http://127.0.0.1:$port/v1/incidents/$notice/obligations" -H "Authorization: Bearer $key")
echo "$obligations" | grep -q '"regulatorId":"anpd"' || { echo "smoke: no obligation to the ANPD: $obligations" >&2; exit 1; }
report=$(post "/v1/incidents/$notice/reports" "$key" '{"regulator":"anpd","phase":"initial","delayReasons":"Smoke test."}' | field id)
# Generated by a job: the request answers 202 with the report generating; its document comes with `draft`.
for _ in $(seq 1 120); do
  state=$(curl -fsS "http://127.0.0.1:$port/v1/reports/$report" -H "Authorization: Bearer $key")
  echo "$state" | grep -q '"status":"generating"' || break
  sleep 0.5
done
echo "$state" | grep -q '"status":"draft"' || { echo "smoke: the report was not generated: $state" >&2; exit 1; }
curl -fsS "http://127.0.0.1:$port/v1/reports/$report.pdf" -H "Authorization: Bearer $key" -o "$work/report.pdf"
[ "$(head -c 5 "$work/report.pdf")" = "%PDF-" ] || { echo "smoke: the report is not a PDF" >&2; exit 1; }
echo "smoke: 4 passed, 0 failed"
