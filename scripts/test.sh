#!/usr/bin/env bash
# `npm test`: install missing test servers, type-check, lint, then every jest suite.
set -euo pipefail
cd "$(dirname "$0")/.."

echo "== test tools (real redis-server, postgres, rabbitmq-server and promtool from Debian's packages)"
bash scripts/ensure-test-tools.sh
echo "== type-check (tsc)"
npx tsc -p tsconfig.json
echo "== lint (eslint)"
npx eslint .
echo "== validation gate (npm run validate over dist/)"
node --import tsx scripts/validate.ts
echo "== tests (jest)"
report="$(mktemp)"
trap 'rm -f "$report"' EXIT
status=0
npx jest --ci --json --outputFile="$report" "$@" 2>&1 | grep -v "^Test results written to" || status=${PIPESTATUS[0]}
node -e '
  const r = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"));
  console.log(`jest: ${r.numPassedTests} passed, ${r.numFailedTests} failed, ${r.numPendingTests} skipped`);
' "$report" 2>/dev/null || true
exit "$status"
