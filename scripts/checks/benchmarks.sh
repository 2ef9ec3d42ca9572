#!/usr/bin/env bash
# Smoke run of the benchmark commands: each starts from the Release build, runs at a small size through its real code
# path and must end with its RESULT line carrying the keys the README quotes. A benchmark that cannot start (the
# freshness command once lacked a required option and nothing noticed) or no longer prints a figure fails here.
# The tests cannot run them in-process: the benchmarks reference the test project, not the other way round.
# Not here: `month` (MonthSimulationTests runs the same simulation at full size) and `fuzz` (ContractFuzzTests runs the
# same fuzzer). Figures at these sizes mean nothing; only that each command works.
set -euo pipefail
cd "$(dirname "$0")/../.."

failed=()

# smoke NAME "ARGS" "KEYS": runs the benchmark; every key must appear in its last RESULT line with a value.
smoke() {
  local name=$1 args=$2 keys=$3 started=$SECONDS status=0 log result key missing=()
  log=$(mktemp)
  # shellcheck disable=SC2086 # ARGS are separate words
  dotnet run -c Release --no-build --project tests/ReviewHub.Benchmarks -- "$name" $args >"$log" 2>&1 || status=$?
  if [ "$status" -ne 0 ]; then
    echo "FAIL $name $args: exited with $status after $((SECONDS - started)) s; its output ends:"
    tail -n 30 "$log"
    rm -f "$log"
    failed+=("$name")
    return
  fi
  result=$(grep '^RESULT ' "$log" | tail -n 1 || true)
  rm -f "$log"
  for key in $keys; do
    [[ " ${result#RESULT } " =~ \ $key=[^\ ]+\  ]] || missing+=("$key")
  done
  if [ ${#missing[@]} -gt 0 ]; then
    echo "FAIL $name $args: no ${missing[*]} in its RESULT line: '${result:-none}'"
    failed+=("$name")
    return
  fi
  echo "ok   $name $args ($((SECONDS - started)) s): $result"
}

# Seed 2 gives one busy app (24 or more reviews a day) among 20, so the feed probe's path runs too.
smoke freshness "--apps 20 --warmup-hours 1 --seed 2" "busy_p95_latency_min busy_p50_latency_min all_p95_latency_min
  requests_per_app_day hourly_busy_p95_latency_min hourly_requests_per_app_day feed_requests_per_app_day feed_lag_min"
smoke ingest "--apps 2 --reviews 20 --history 100 --concurrency 2" "ingest_ratio requests_per_idle_fetch peak_mb
  storage_tx_per_delivery storage_tx_per_reply play_ingest_ratio play_requests_per_idle_fetch"
smoke dedupe "--apps 1 --slots 20 --storefronts 2" "precision recall false_merges lost pairs rows reviews"
smoke delivery "--apps 1 --batches 1 --reviews 2 --workers 2" "deliveries_per_s duplicates"
smoke scheduler "--registered 200 --due 20 --partitions 2" "registered due tick_s storage_requests_per_due_app build_s"
smoke replies-moderation "20 5" "settled pending checked asc_calls run_ms"
smoke connect "" "apps customer_actions operator_actions invite_seconds_to_active team_key_seconds_to_active"

if [ ${#failed[@]} -gt 0 ]; then
  echo "Benchmarks that did not run: ${failed[*]}"
  exit 1
fi
echo "Every benchmark command ran and printed its RESULT line."
