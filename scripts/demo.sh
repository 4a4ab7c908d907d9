#!/usr/bin/env bash
# The demo: the daemon's main job on bundled data. rgid replays demo/frames (a folder standing in for
# the camera) through the bundled model models/brick, writes a defect report for every defective part
# under demo-out/reports (open demo-out/reports/index.html), and exits when the replay is done.
# Run by `make demo` after the release build; needs no camera and nothing outside the repository.
set -euo pipefail
cd "$(dirname "$0")/.."
bin=.build/release
rm -rf demo-out
mkdir -p demo-out
echo "== rgid --config config/demo.toml --exit-after-replay"
"$bin/rgid" --config config/demo.toml --exit-after-replay &
daemon=$!
# While it runs, ask it how it is doing, as an operator would from a second terminal.
for _ in $(seq 1 100); do
    [ -S demo-out/rgid.sock ] && break
    kill -0 "$daemon" 2>/dev/null || break
    sleep 0.1
done
if [ -S demo-out/rgid.sock ]; then
    echo "== rgictl status --config config/demo.toml"
    "$bin/rgictl" status --config config/demo.toml || true
fi
wait "$daemon"
echo
echo "== reports"
find demo-out/reports -name report.json | sort | while read -r r; do
    grep -o '"image_score" : [0-9.]*' "$r" | sed "s|^|$(dirname "$r"): |"
done
echo "Open demo-out/reports/index.html in a browser; each report folder holds report.json, frame.png,"
echo "overlay.png, mask.png, score.png (16-bit) and restored.png."
