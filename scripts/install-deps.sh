#!/usr/bin/env bash
# Installs the Debian packages rgi builds and tests against, only those missing.
# Uses sudo when not root. Safe to run again.
set -euo pipefail
packages=(libopenblas-dev libv4l-dev libsystemd-dev libspng-dev libturbojpeg0-dev pkg-config python3 python3-venv)
missing=()
for p in "${packages[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
    sudo=""
    [ "$(id -u)" -eq 0 ] || sudo="sudo"
    echo "installing: ${missing[*]}"
    $sudo apt-get update -q
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -q --no-install-recommends "${missing[@]}"
fi
command -v swift >/dev/null || { echo "swift not found: install Swift 6.1 or newer (swift.org) and put it on PATH" >&2; exit 1; }
