#!/usr/bin/env bash
# Wall time of the whole test suite against a baseline commit, interleaved (this machine is shared and
# noisy: compare within one run, never one absolute number). Usage, from the repo root:
#   bash test/bench/test-suite.sh [BASELINE_COMMIT=e4eaf88] [ROUNDS=2]
# Needs the PostgreSQL and Redis servers of .ci/services.sh (it starts them) and node_modules installed.
set -euo pipefail
root=$(git rev-parse --show-toplevel)
base=${1:-e4eaf88}
rounds=${2:-2}
work=$(mktemp -d)
eval "$(bash "$root/.ci/services.sh" 2>/dev/null)"
export CI=true
git -C "$root" worktree add -q "$work/baseline" "$base"
git -C "$root" worktree add -q "$work/current" HEAD
trap 'git -C "$root" worktree remove --force "$work/baseline"; git -C "$root" worktree remove --force "$work/current"; rm -rf "$work"' EXIT
for v in baseline current; do
  ln -s "$root/node_modules" "$work/$v/node_modules"
  (cd "$work/$v" && npx tsx src/cli/prisma-generate.ts >/dev/null 2>&1)
done
for round in $(seq "$rounds"); do
  for v in current baseline; do
    start=$(date +%s.%N)
    (cd "$work/$v" && npx vitest run >"$work/$v-$round.log" 2>&1) || echo "round $round $v FAILED (log: $work/$v-$round.log)"
    end=$(date +%s.%N)
    printf 'round %s %-8s %6.1f s  %s\n' "$round" "$v" "$(echo "$end - $start" | bc)" "$(grep -E '^tests:' "$work/$v-$round.log" || true)"
  done
done
