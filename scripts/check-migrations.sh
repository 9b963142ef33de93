#!/usr/bin/env bash
# Fails when src/database/schema.ts has changes that no committed migration contains: generates into a
# scratch copy of the migrations folder and checks that drizzle-kit finds nothing to add.
set -euo pipefail
cd "$(dirname "$0")/.."
# drizzle-kit wants a path relative to the project ("./" + out), so the scratch copy lives here.
scratch=.drift-check
rm -rf "$scratch"
trap 'rm -rf "$scratch"' EXIT
mkdir -p "$scratch"
cp -r src/database/migrations/. "$scratch/"
log=$(MIGRATIONS_OUT="$scratch" npx drizzle-kit generate --name drift 2>&1) || { echo "$log" >&2; exit 1; }
if ! grep -q 'No schema changes' <<< "$log" || ! diff -rq src/database/migrations "$scratch" > /dev/null; then
  echo "$log" | tail -5 >&2
  echo "schema.ts and the migrations differ: run 'npm run db:generate' and commit the new migration" >&2
  exit 1
fi
echo "migrations match the schema"
