#!/usr/bin/env bash
# Runs every test on a fresh machine: restores npm (Azurite) and NuGet packages, builds with warnings as errors,
# checks the infrastructure templates, and runs the test suite. The tests start and stop their own in-memory Azurite
# on free ports, so an Azurite already running elsewhere does not matter.
set -euo pipefail
cd "$(dirname "$0")/.."

npm ci --no-audit --no-fund --loglevel=error
dotnet restore ReviewHub.slnx
dotnet build ReviewHub.slnx -c Release --no-restore

for check in scripts/checks/*.sh; do
  [ -e "$check" ] || continue
  echo "== $check"
  bash "$check"
done

log=$(mktemp)
status=0
dotnet test ReviewHub.slnx -c Release --no-build 2>&1 | tee "$log" || status=$?

# One plain summary line over all test assemblies.
awk '/(Passed|Failed)!/ { for (i = 1; i <= NF; i++) { if ($i == "Failed:") f += $(i+1); if ($i == "Passed:") p += $(i+1); if ($i == "Skipped:") s += $(i+1) } }
     END { gsub(",", "", p); printf "%d passed, %d failed, %d skipped\n", p, f, s }' "$log"

# A long run's output is often read from its end only: name each failed test there again, with its message and the
# first lines of its stack trace (the whole block stays above, where the test runner printed it).
if grep -q '^ *Failed [A-Za-z_]' "$log"; then
  echo "== failed tests (repeated from above)"
  awk '/^ *Failed [A-Za-z_]/ { block = 1; stack = 0; lines = 0 }
       block && (/^ *Standard (Output|Error) Messages:/ || /^(Passed|Failed)!/) { block = 0 }
       block && /^ *Stack Trace:/ { stack = 1 }
       block { if (stack) { if (stack++ > 6) block = 0; else print } else if (lines++ < 30) print }' "$log"
fi
rm -f "$log"
exit "$status"
