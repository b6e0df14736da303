#!/usr/bin/env bash
# Makes sure the Debian packages the app needs are present: installs them when run as root,
# otherwise names them and fails. Usage: scripts/system-deps.sh [extra-package ...]
set -euo pipefail

# WeasyPrint renders with Pango; libharfbuzz-subset0 makes it embed font subsets (without it
# every PDF is about 6x slower); fonts-dejavu-extra has the condensed face of letterheads.
# gettext compiles the translations. poppler-utils' pdftotext reads back the words' boxes in
# the tests that check no printed text overlaps.
packages=(libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fontconfig fonts-dejavu-core fonts-dejavu-extra gettext poppler-utils "$@")

missing=()
# Debian's own Python keeps venv (with ensurepip) in a separate package.
if ! "${PYTHON:-python3}" -c "import ensurepip, venv" 2>/dev/null; then
  missing+=(python3-venv)
fi
for pkg in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
done
[ ${#missing[@]} -eq 0 ] && exit 0

if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null; then
  echo "Installing Debian packages: ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
else
  echo "Missing Debian packages: ${missing[*]}" >&2
  echo "Install them with: sudo apt-get install ${missing[*]}" >&2
  exit 1
fi
