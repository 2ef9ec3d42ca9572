#!/usr/bin/env bash
# Runs the function app locally: Azurite (from the pinned npm package) plus `func start`, with settings from
# local.settings.sample.json. It installs what it needs itself: the npm devDependencies (npm ci) and, the first time,
# Azure Functions Core Tools at the version pinned below, through npm into a folder of this checkout (.tools/, never a
# global install). Core Tools' npm package downloads the Functions host from Microsoft's CDN while it installs; where
# that download cannot happen, the script stops and says so before setting anything up.
set -euo pipefail
cd "$(dirname "$0")/.."

# 4.12.0 is the newest Core Tools whose npm package runs on Node 20 (4.13 and later need Node 22).
core_tools_version=4.12.0
core_tools_dir="${REVIEWHUB_TOOLS_DIR:-.tools}/core-tools-${core_tools_version}"
func="$core_tools_dir/node_modules/.bin/func"

if [ ! -x "$func" ]; then
  echo "Installing Azure Functions Core Tools ${core_tools_version} into ${core_tools_dir} (once)..."
  mkdir -p "$core_tools_dir"
  log="$core_tools_dir.log"
  if ! npm install --prefix "$core_tools_dir" --no-save --no-package-lock --no-audit --no-fund --loglevel=error \
      "azure-functions-core-tools@${core_tools_version}" >"$log" 2>&1 || [ ! -x "$func" ]; then
    rm -rf "$core_tools_dir"
    cat >&2 <<MSG
Azure Functions Core Tools ${core_tools_version} ('func') could not be installed into ${core_tools_dir}:
its npm package downloads the Functions host from Microsoft's CDN while it installs, and that failed here
(npm's output: ${log}). Run this script on a machine with internet access and it installs Core Tools by
itself, locally. Last lines from npm:
$(tail -n 5 "$log" | sed 's/^/  /')
See https://learn.microsoft.com/azure/azure-functions/functions-run-local for what Core Tools needs.
MSG
    exit 1
  fi
  rm -f "$log"
fi
"$func" --version

npm ci --no-audit --no-fund --loglevel=error
if [ ! -f local.settings.json ]; then
  cp local.settings.sample.json local.settings.json
  # A fresh random key for locally minted bearer tokens (see README, "Calling the API locally").
  key=$(head -c 32 /dev/urandom | base64)
  sed -i.bak "s#REPLACE_WITH_BASE64_32_BYTES#${key}#" local.settings.json && rm -f local.settings.json.bak
  # And another for the email confirmation links (docs/delivery.md, "Email confirmation").
  key=$(head -c 32 /dev/urandom | base64)
  sed -i.bak "s#GENERATED_CONFIRMATION_LINK_KEY#${key}#" local.settings.json && rm -f local.settings.json.bak
  echo "Created local.settings.json from the sample."
fi

mkdir -p .azurite
npx azurite --silent --location .azurite --debug .azurite/debug.log --skipApiVersionCheck &
azurite_pid=$!
trap 'kill $azurite_pid 2>/dev/null || true' EXIT
timeout 30 bash -c 'until (echo > /dev/tcp/127.0.0.1/10001) 2>/dev/null; do sleep 1; done'

"$func" start
