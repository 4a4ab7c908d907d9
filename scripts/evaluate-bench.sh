#!/usr/bin/env bash
# Evaluates trained models on rgi-bench in the three solver modes (the paper's ablation) and
# writes docs/results/<product>-<mode>.json. Usage: scripts/evaluate-bench.sh MODELS_DIR [PRODUCT...]
# (models in MODELS_DIR/<product>, data in ../shared/data/rgi-bench/<product>).
set -euo pipefail
cd "$(dirname "$0")/.."
models=$1; shift
products=${*:-brick grass gravel}
mkdir -p docs/results
for p in $products; do
    for mode in inversion rgi r-rgi; do
        echo "== $p $mode"
        .build/release/rgictl evaluate --model "$models/$p" --data "../shared/data/rgi-bench/$p" \
            --out "/tmp/rgi-pred/$p-$mode" --mode "$mode" --json "docs/results/$p-$mode.json" ${EXTRA_ARGS:-}
    done
done
