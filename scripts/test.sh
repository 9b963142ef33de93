#!/usr/bin/env bash
# The whole check, as CI runs it: static checks, generated-file drift, unit and e2e tests against the
# real PostgreSQL and Redis, and a smoke test of the service started with no configuration.
set -euo pipefail
cd "$(dirname "$0")/.."
step() { printf '\n== %s\n' "$*"; }

step lint;            npx eslint . --max-warnings 0
step format;          npx prettier --check . > /dev/null
step typecheck;       npx tsc -p tsconfig.json
step "modules import down their layers, without a cycle"; node scripts/check-modules.mjs
step build;           npx tsc -p tsconfig.build.json
step "migrations are generated from the schema"; bash scripts/check-migrations.sh
step "openapi.json is generated from the DTOs";  node dist/cli.js openapi --check
export NODE_OPTIONS=--experimental-vm-modules
step "unit and e2e tests (PostgreSQL 127.0.0.1:5432, a database of their own; a Redis server of their own)"
npx jest --runInBand --ci
step "chaos (small): 1 api + 2 workers through every fault, counted at the providers"
# Strict: every check must pass (the send path's known defects of issue 20 are fixed).
node scripts/chaos.mjs --small --seed 1 --known-defects=strict || {
  echo "chaos: the fault harness failed: see its FAIL lines above (rerun: npm run chaos -- --small --seed 1 --keep, which keeps the logs and the database)" >&2
  exit 1
}
step "smoke: no configuration, embedded database"; bash scripts/smoke.sh
