#!/usr/bin/env bash
# Builds and lints every Bicep template, module and parameters file with the Bicep CLI from NuGet (offline: no Azure
# CLI, no registry modules). Any diagnostic fails the check — warnings too, as in the .NET build;
# infra/bicepconfig.json sets the rules. Each step covers all files matching its pattern in one Bicep process, so the
# check stays quick as modules are added. With an output directory argument (the pipeline passes one), the ARM JSON of
# each top-level template and parameters file (main.json, main.dev.json, ...) is kept there, so the deploy stages need
# no Bicep of their own.
set -euo pipefail
cd "$(dirname "$0")/../.."

version=0.49.2
dotnet restore tools/bicep/bicep.proj --verbosity quiet
packages="${NUGET_PACKAGES:-$(dotnet nuget locals global-packages --list | sed 's/^global-packages: //')}"
bicep="${packages%/}/azure.bicep.commandline.linux-x64/${version}/tools/bicep"
[ -x "$bicep" ] || chmod +x "$bicep"
"$bicep" --version

shopt -s nullglob globstar
templates=(infra/**/*.bicep)
params=(infra/**/*.bicepparam)
[ ${#templates[@]} -gt 0 ] || { echo "no Bicep templates under infra/"; exit 1; }

out="${1:-}"
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
[ -n "$out" ] || out="$scratch/arm"
mkdir -p "$out"

failed=0
run() {
  local diagnostics
  if ! diagnostics=$("$bicep" "$@" 2>&1 >/dev/null) || [ -n "$diagnostics" ]; then
    echo "FAILED: bicep $*"
    echo "$diagnostics"
    failed=1
  fi
}

# Modules are linted on their own as well: a module that main.bicep does not use yet still has to be clean.
run lint --pattern 'infra/**/*.bicep'
run lint --pattern 'infra/**/*.bicepparam'
run build --pattern 'infra/*.bicep' --outdir "$out"
run build-params --pattern 'infra/*.bicepparam' --outdir "$out"

if [ "$failed" -ne 0 ]; then
  exit 1
fi
[ "$out" = "$scratch/arm" ] || ls "$out"
echo "bicep: ${#templates[@]} templates and ${#params[@]} parameters files build and lint clean"
