#!/usr/bin/env bash
# The ablation of docs/RESULTS.md: every solver mode, with the default combined score and with the
# paper's residual score, and the texture score alone, for each product (JSON in docs/results/).
# Usage: scripts/evaluate-bench.sh MODELS_DIR [product…]   (bundles in MODELS_DIR/<product>)
set -euo pipefail
cd "$(dirname "$0")/.."
models=$1; shift
products=${*:-brick grass gravel}
mkdir -p docs/results
evaluate() {  # product name args…
    local p=$1 name=$2; shift 2
    echo "== $p $name"
    .build/release/rgictl evaluate --model "$models/$p" --data "../shared/data/rgi-bench/$p" \
        --out "/tmp/rgi-pred/$p-$name" --json "docs/results/$p-$name.json" "$@" ${EXTRA_ARGS:-}
}
for p in $products; do
    for mode in inversion rgi r-rgi; do
        evaluate "$p" "$mode" --mode "$mode" --score combined
        evaluate "$p" "$mode-residual" --mode "$mode" --score residual
    done
    evaluate "$p" texture --score texture
done
