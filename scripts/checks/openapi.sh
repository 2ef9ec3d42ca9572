#!/usr/bin/env bash
# The API contract as the SPA uses it. Every OpenAPI document under docs/ must pass Redocly's recommended rules
# (redocly.yaml makes every warning an error; reasoned exceptions live in .redocly.lint-ignore.yaml) and Spectral's
# spectral:oas ruleset (.spectral.yaml) without a single finding. Then TypeScript types are generated from
# docs/openapi.yaml (openapi-typescript) and the typed client in tools/api-client, which calls the API with them and
# holds calls that must not compile, is compiled with tsc. The tools are the pinned devDependencies of package.json,
# installed by `npm ci` (scripts/test.sh runs it first); nothing is downloaded here.
set -euo pipefail
cd "$(dirname "$0")/../.."

bin=node_modules/.bin
for tool in redocly spectral openapi-typescript tsc; do
  [ -x "$bin/$tool" ] || { echo "openapi: $bin/$tool is missing: run npm ci (package.json pins it)"; exit 1; }
done
export REDOCLY_TELEMETRY=off REDOCLY_SUPPRESS_UPDATE_NOTICE=true

shopt -s nullglob
documents=()
for file in docs/*.yaml docs/*.yml docs/*.json; do
  if grep -qE '^[{[:space:]]*"?openapi"?[[:space:]]*:' "$file"; then documents+=("$file"); fi
done
[ ${#documents[@]} -gt 0 ] || { echo "openapi: no OpenAPI document under docs/"; exit 1; }

"$bin/redocly" lint --config redocly.yaml --format stylish "${documents[@]}"
"$bin/spectral" lint --ruleset .spectral.yaml --fail-severity hint "${documents[@]}"

# Request fields with a default are optional to send, hence --default-non-nullable=false.
generated=tools/api-client/generated
rm -rf "$generated"
"$bin/openapi-typescript" docs/openapi.yaml --redocly tools/api-client/redocly.yaml --default-non-nullable=false \
  --output "$generated/reviewhub-api.d.ts"
"$bin/tsc" --project tools/api-client

echo "openapi: ${#documents[@]} document(s) clean under Redocly and Spectral; the generated TypeScript client compiles"
