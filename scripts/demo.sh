#!/usr/bin/env bash
# The demo: inspect the bundled demo images with the bundled model, one report folder per image.
# Run by `make demo` after the release build; needs no camera and nothing outside the repository.
set -euo pipefail
cd "$(dirname "$0")/.."
bin=.build/release
out=demo-out
rm -rf "$out"
echo "== rgictl inspect: bundled model models/brick on demo/brick/*.png"
"$bin/rgictl" inspect --model models/brick --out "$out" demo/brick/*.png
echo
echo "Reports: $out/<image>/ (report.json, frame.png, mask.png, score.png, overlay.png, restored.png)"
