#!/usr/bin/env bash
# Runs the function app locally: Azurite (from the pinned npm package) plus `func start`, with settings from
# local.settings.sample.json. Everything but the Azure Functions Core Tools is installed here.
set -euo pipefail
cd "$(dirname "$0")/.."

if ! command -v func >/dev/null 2>&1; then
  cat >&2 <<'MSG'
Azure Functions Core Tools v4 ('func') is not installed, and it cannot be installed from here: its installer downloads
its binary from Microsoft's CDN. On a machine with internet access install it with one of:
  npm install -g azure-functions-core-tools@4 --unsafe-perm true
  sudo apt-get install azure-functions-core-tools-4      (after adding Microsoft's package feed)
  brew tap azure/functions && brew install azure-functions-core-tools@4
See https://learn.microsoft.com/azure/azure-functions/functions-run-local, then run this script again.
MSG
  exit 1
fi

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

func start
