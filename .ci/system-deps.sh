#!/usr/bin/env bash
# Install the Debian packages a target needs, only those missing. As root it runs apt-get; otherwise it
# prints the exact command to run and fails, so nothing is half set up.
#   .ci/system-deps.sh browser   chromium and the library Playwright's driver needs, for the browser tests
#   .ci/system-deps.sh pdf       TeX Live (the smallest set that builds the book), the charts' font, pdftotext
#   .ci/system-deps.sh record    only write down the installed versions (below)
# Every run then writes the installed version of every package named here to _build/system-packages.txt
# and prints any that differ from .ci/system-packages.tested (the versions the suite last passed with):
# Debian's security updates replace packages in place, so versions are recorded, not pinned, and a drift
# shows in the build output.
set -euo pipefail
cd "$(dirname "$0")/.."
declare -A PACKAGES=(
  # Playwright's driver (a bundled node) links libatomic.so.1, which a bare Debian does not have.
  [browser]="chromium libatomic1"
  # fonts-dejavu-core holds the charts' first font (entente.theme); without it vl-convert draws the PDF
  # figures in a fallback font, so installing it later changes the PDF.
  [pdf]="texlive-latex-recommended texlive-latex-extra texlive-xetex texlive-fonts-recommended latexmk fonts-freefont-otf fonts-dejavu-core poppler-utils"
  [record]=""
)
# Not installed by name here, but what typesets the PDF: recorded with the rest.
ALSO_RECORDED="texlive-binaries libfontconfig1"
RECORD=_build/system-packages.txt
TESTED=.ci/system-packages.tested

# The installed version, or nothing (dpkg-query fails for a package it never saw: not an error here).
installed_version() {
  { dpkg-query -W -f='${Status} ${Version}' "$1" 2>/dev/null || true; } | sed -n 's/^install ok installed //p'
}

record_versions() {
  local pkg version lines=()
  for pkg in $(printf '%s\n' ${PACKAGES[browser]} ${PACKAGES[pdf]} $ALSO_RECORDED | sort -u); do
    version=$(installed_version "$pkg")
    lines+=("$pkg ${version:-not-installed}")
  done
  mkdir -p "$(dirname "$RECORD")"
  printf '%s\n' "${lines[@]}" > "$RECORD"
  local drift
  drift=$(join -a1 -a2 -e none -o 0,1.2,2.2 <(grep -v '^#' "$TESTED" | sort) <(sort "$RECORD") |
          awk '$2 != $3 { print "  " $1 ": tested " $2 ", now " $3 }')
  if [ -n "$drift" ]; then
    echo "System packages differ from the tested versions in $TESTED (installed versions are in $RECORD):"
    echo "$drift"
  else
    echo "System packages: the tested versions ($RECORD)"
  fi
}

missing=()
for group in "$@"; do
  for pkg in ${PACKAGES[$group]?unknown group $group}; do
    [ -n "$(installed_version "$pkg")" ] || missing+=("$pkg")
  done
done
if [ ${#missing[@]} -gt 0 ]; then
  cmd="apt-get install -y --no-install-recommends ${missing[*]}"
  if [ "$(id -u)" -ne 0 ]; then
    echo "Missing system packages: ${missing[*]}" >&2
    echo "Run:  sudo apt-get update && sudo $cmd" >&2
    exit 1
  fi
  echo "Installing system packages: ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  $cmd
fi
record_versions
