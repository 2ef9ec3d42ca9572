#!/usr/bin/env bash
# Keeps every C# line at most 120 characters (.editorconfig max_line_length; no compiler rule checks it).
# Characters, not bytes: the UTF-8 locale makes grep count '★' or '→' as one.
set -euo pipefail
cd "$(dirname "$0")/../.."

max=120
long=$(find functions tests tools Program.cs -name '*.cs' -not -path '*/bin/*' -not -path '*/obj/*' -print0 2>/dev/null \
  | LC_ALL=C.UTF-8 xargs -0 grep -nE "^.{$((max + 1)),}" || true)
if [ -n "$long" ]; then
  echo "Lines longer than $max characters (wrap them: .editorconfig describes how):"
  echo "$long" | cut -c1-200
  exit 1
fi
echo "All C# lines are at most $max characters."
