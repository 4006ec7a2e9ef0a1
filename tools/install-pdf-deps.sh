#!/usr/bin/env bash
# System libraries and fonts that WeasyPrint (PDF documents, engine/document_templates.py) needs,
# from Debian/Ubuntu apt. Idempotent: checks each package and installs only what is missing;
# silent when everything is present. Installing needs root; checking does not.
#
#   tools/install-pdf-deps.sh          # install what is missing (as root)
#   tools/install-pdf-deps.sh --check  # exit 1 and list what is missing, install nothing
set -euo pipefail

PACKAGES=(
  libpango-1.0-0       # text layout (WeasyPrint needs Pango >= 1.44)
  libpangoft2-1.0-0    # Pango with FreeType/fontconfig
  libharfbuzz0b        # text shaping
  libharfbuzz-subset0  # font subsetting, so PDFs embed only the glyphs they use
  libfontconfig1       # font lookup
  fonts-dejavu-core    # DejaVu Sans and Sans Mono: the fonts the templates ask for (with å, ë, €, ☐)
)

if ! command -v dpkg-query >/dev/null 2>&1 || ! command -v apt-get >/dev/null 2>&1; then
  echo "install-pdf-deps: this script needs Debian or Ubuntu (dpkg and apt-get)." >&2
  echo "install-pdf-deps: install by hand: Pango >= 1.44 (with pangoft2), HarfBuzz, fontconfig and the DejaVu fonts." >&2
  exit 1
fi

missing=()
for package in "${PACKAGES[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$package")
  fi
done

if [ "${#missing[@]}" -eq 0 ]; then
  exit 0
fi
if [ "${1:-}" = "--check" ]; then
  echo "install-pdf-deps: missing: ${missing[*]}" >&2
  exit 1
fi
if [ "$(id -u)" -ne 0 ]; then
  echo "install-pdf-deps: missing Debian packages: ${missing[*]}" >&2
  echo "install-pdf-deps: run this script as root (sudo $0), or: sudo apt-get install ${missing[*]}" >&2
  exit 1
fi

echo "install-pdf-deps: installing ${missing[*]}"
apt-get update -qq
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
