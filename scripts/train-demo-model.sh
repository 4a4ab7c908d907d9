#!/usr/bin/env bash
# Reproduces the bundled demo model models/brick from the rgi-bench brick product
# (../shared/data/rgi-bench/brick, 200 good 128×128 images) with default settings, float16 weights.
set -euo pipefail
cd "$(dirname "$0")/.."
data=${1:-../shared/data/rgi-bench/brick}
swift build -c release --product rgictl
# A fixed step count (not a time budget) makes the result independent of machine speed.
.build/release/rgictl train --data "$data" --out models/brick --product brick --steps 1600 --seconds 7200 --half --force
rm -f models/brick/checkpoint.safetensors   # training state: not needed to inspect, and large
