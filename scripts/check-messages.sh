#!/usr/bin/env bash
# Fails when a committed .mo differs from what its .po compiles to, or when a .po has
# untranslated or fuzzy entries.
set -euo pipefail
status=0
tmp=$(mktemp)
trap 'rm -f "$tmp"' EXIT
for po in locale/*/LC_MESSAGES/*.po; do
  mo="${po%.po}.mo"
  msgfmt --check-format -o "$tmp" "$po"
  if ! cmp -s "$tmp" "$mo"; then
    echo "$mo is out of date: run 'make messages-compile' and commit it." >&2
    status=1
  fi
  stats=$(LC_ALL=C msgfmt --statistics -o /dev/null "$po" 2>&1)
  if grep -Eq "untranslated|fuzzy" <<<"$stats"; then
    echo "$po: $stats" >&2
    status=1
  fi
done
exit $status
