#!/usr/bin/env bash
# `npm test`: install missing test servers, then type-check, lint and the validation gate (side by
# side), then every jest suite, then the cluster suites (`npm run test:cluster`: a real control
# plane; skipped when arguments select jest suites). Every phase prints a line when it starts and its
# elapsed time when it ends; jest's PASS/FAIL lines stream as the suites finish. The last line is always
# `jest: N passed, N failed, N skipped` once jest ran, both jest runs counted (CI reads it). Any failing phase fails the run.
set -euo pipefail
cd "$(dirname "$0")/.."

PHASES=7
started_all=$SECONDS
scratch="$(mktemp -d "${TMPDIR:-/tmp}/npm-test-XXXXXX")"
pids=()
cleanup() {
  local pid
  for pid in "${pids[@]}"; do
    kill "$pid" 2>/dev/null || true
  done
  rm -rf "$scratch"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

phase_start() { # number, title
  echo "== $2 ($1/$PHASES) ..."
}
phase_end() { # start second, status
  if [ "$2" -eq 0 ]; then
    echo "   done in $((SECONDS - $1)) s"
  else
    echo "   FAILED (exit $2) after $((SECONDS - $1)) s"
  fi
}

t=$SECONDS
phase_start 1 "test tools (real redis-server, postgres, rabbitmq-server and promtool from Debian's packages; the Kyverno CLI built from the Go module proxy, once)"
status=0
bash scripts/ensure-test-tools.sh || status=$?
phase_end "$t" "$status"
[ "$status" -eq 0 ] || exit "$status"

# tsc, eslint and the gate read the tree and write nothing: they run side by side (each mostly on
# one core), each into its own log, printed whole as soon as it ends.
static_names=("type-check (tsc)" "lint (eslint)" "validation gate (npm run validate over dist/)")
static_commands=("npx tsc -p tsconfig.json" "npx eslint ." "node --import tsx scripts/validate.ts")
for i in 0 1 2; do
  phase_start $((i + 2)) "${static_names[$i]}"
  (
    s=$SECONDS
    rc=0
    ${static_commands[$i]} >"$scratch/static-$i.log" 2>&1 || rc=$?
    echo "$rc $((SECONDS - s))" >"$scratch/static-$i.done"
  ) &
  pids+=($!)
done
static_failed=0
remaining=("${pids[@]}")
while [ "${#remaining[@]}" -gt 0 ]; do
  # In the order they end: each one's result is printed as soon as it is known.
  finished=""
  wait -n -p finished "${remaining[@]}" || true
  [ -n "$finished" ] || finished="${remaining[0]}"
  left=()
  for pid in "${remaining[@]}"; do
    [ "$pid" = "$finished" ] || left+=("$pid")
  done
  remaining=("${left[@]}")
  for i in 0 1 2; do
    [ "${pids[$i]}" = "$finished" ] || continue
    wait "$finished" 2>/dev/null || true
    rc=1 elapsed="?"
    [ -f "$scratch/static-$i.done" ] && read -r rc elapsed <"$scratch/static-$i.done"
    echo "-- ${static_names[$i]} ($((i + 2))/$PHASES):"
    sed 's/^/   /' "$scratch/static-$i.log"
    if [ "$rc" -eq 0 ]; then
      echo "   done in $elapsed s"
    else
      echo "   FAILED (exit $rc) after $elapsed s"
      static_failed=$rc
    fi
  done
done
pids=()
[ "$static_failed" -eq 0 ] || exit "$static_failed"

t=$SECONDS
phase_start 5 "tests (jest)"
report="$scratch/jest.json"
status=0
# grep --line-buffered: each PASS/FAIL line goes out as jest prints it, not when the pipe's buffer fills.
npx jest --ci --json --outputFile="$report" "$@" 2>&1 | grep --line-buffered -v "^Test results written to" || status=${PIPESTATUS[0]}
phase_end "$t" "$status"

# real_servers_phase <number> <title> <build script> <jest config> <report file> [suite arguments...]:
# builds the binaries the suites run (once; announced), then runs the suites one at a time.
real_servers_phase() {
  local number=$1 title=$2 build=$3 config=$4 phase_report=$5 phase_status=0 t=$SECONDS
  shift 5
  phase_start "$number" "$title"
  if [ "$#" -gt 0 ]; then
    echo "   skipped: arguments select jest suites"
    return
  fi
  node --import tsx "$build" || phase_status=$?
  if [ "$phase_status" -eq 0 ]; then
    npx jest --config "$config" --ci --json --outputFile="$phase_report" 2>&1 | grep --line-buffered -v "^Test results written to" || phase_status=${PIPESTATUS[0]}
  fi
  phase_end "$t" "$phase_status"
  [ "$phase_status" -eq 0 ] || status=$phase_status
}

# A real kube-apiserver 1.27.16 (with etcd, the controller manager, the scheduler and KWOK) takes
# every rendered object: built once from the Go module proxy (minutes; announced), then cached.
cluster_report="$scratch/cluster.json"
real_servers_phase 6 "cluster tests (npm run test:cluster: server-side dry-run of dist/ on kube-apiserver 1.27.16)" \
  tools/cluster/build-cli.ts test/cluster/jest.config.js "$cluster_report" "$@"
# A real Argo CD 2.10.18 (application controller, repo server, redis-server; kustomize 5.2.1) next to
# a real control plane syncs what dist/argocd renders, from this repository served by git daemon.
argocd_report="$scratch/argocd.json"
real_servers_phase 7 "Argo CD tests (npm run test:argocd: a real Argo CD 2.10.18 brings up an empty production cluster from its root app, then a pull request's preview)" \
  tools/argocd/build-cli.ts test/argocd/jest.config.js "$argocd_report" "$@"
echo "   whole run: $((SECONDS - started_all)) s"
node -e '
  const fs = require("fs");
  if (!fs.existsSync(process.argv[1])) process.exit(0);
  const runs = process.argv.slice(1).filter((file) => fs.existsSync(file)).map((file) => JSON.parse(fs.readFileSync(file, "utf8")));
  const sum = (key) => runs.reduce((total, r) => total + r[key], 0);
  console.log(`jest: ${sum("numPassedTests")} passed, ${sum("numFailedTests")} failed, ${sum("numPendingTests")} skipped`);
' "$report" "$cluster_report" "$argocd_report" 2>/dev/null || true
exit "$status"
