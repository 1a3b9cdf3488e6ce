#!/usr/bin/env bash
# Install the Debian packages a target needs, only those missing. As root it runs apt-get; otherwise it
# prints the exact command to run and fails, so nothing is half set up.
#   .ci/system-deps.sh browser   chromium, for the web book's browser tests
#   .ci/system-deps.sh pdf       TeX Live (the smallest set that builds the book) and poppler's pdftotext
set -euo pipefail
declare -A PACKAGES=(
  [browser]="chromium"
  [pdf]="texlive-latex-recommended texlive-latex-extra texlive-xetex texlive-fonts-recommended latexmk fonts-freefont-otf poppler-utils"
)
missing=()
for group in "$@"; do
  for pkg in ${PACKAGES[$group]:?unknown group $group}; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
  done
done
[ ${#missing[@]} -eq 0 ] && exit 0
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
