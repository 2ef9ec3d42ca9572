#!/usr/bin/env bash
# Builds and lints every Bicep template and parameters file with the Bicep CLI from NuGet (offline: no Azure CLI, no
# registry modules). Any diagnostic fails the check — warnings too, as in the .NET build; infra/bicepconfig.json sets the rules.
# With an output directory argument (the pipeline passes one), also writes the ARM JSON of each top-level template and
# parameters file there (main.json, main.dev.json, ...) so the deploy stages need no Bicep of their own.
set -euo pipefail
cd "$(dirname "$0")/../.."

version=0.49.2
dotnet restore tools/bicep/bicep.proj --verbosity quiet
packages="${NUGET_PACKAGES:-$(dotnet nuget locals global-packages --list | sed 's/^global-packages: //')}"
bicep="${packages%/}/azure.bicep.commandline.linux-x64/${version}/tools/bicep"
[ -x "$bicep" ] || chmod +x "$bicep"
"$bicep" --version

failed=0
run() {
  local diagnostics
  if ! diagnostics=$("$bicep" "$@" 2>&1 >/dev/null) || [ -n "$diagnostics" ]; then
    echo "FAILED: bicep $*"
    echo "$diagnostics"
    failed=1
  fi
}

shopt -s nullglob globstar
templates=(infra/**/*.bicep)
params=(infra/**/*.bicepparam)
[ ${#templates[@]} -gt 0 ] || { echo "no Bicep templates under infra/"; exit 1; }

for template in "${templates[@]}"; do
  run build "$template" --stdout
  run lint "$template"
done
for file in "${params[@]}"; do
  run build-params "$file" --stdout
  run lint "$file"
done

if [ "$failed" -ne 0 ]; then
  exit 1
fi
out="${1:-}"
if [ -n "$out" ]; then
  mkdir -p "$out"
  for template in infra/*.bicep; do
    "$bicep" build "$template" --outfile "$out/$(basename "${template%.bicep}").json"
  done
  for file in infra/*.bicepparam; do
    "$bicep" build-params "$file" --outfile "$out/$(basename "${file%.bicepparam}").json"
  done
  ls "$out"
fi
echo "bicep: ${#templates[@]} templates and ${#params[@]} parameters files build and lint clean"
