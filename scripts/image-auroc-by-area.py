#!/usr/bin/env python3
"""Image AUROC of the area-opening image score at several minimum defect areas, from the score maps
of an `rgictl evaluate --out PRED` run (PRED/<kind>/<name>/score.png and report.json).

  scripts/image-auroc-by-area.py PRED [AREA,AREA,...]

Also prints, per defect kind, the share of its images scoring above every good image. Needs numpy,
scipy and Pillow (`make python` installs them in .build-py/venv).
"""
import json, os, sys
import numpy as np
from PIL import Image
from scipy import ndimage
from scipy.stats import rankdata


def auroc(scores, labels):
    s = np.asarray(scores, float); l = np.asarray(labels, bool); p, n = l.sum(), (~l).sum()
    r = rankdata(s)
    return (r[l].sum() - p * (p + 1) / 2) / (p * n)


def image_score(m, area):
    """The largest t such that {m >= t} has a 4-connected component of at least `area` pixels."""
    values = np.unique(m)[::-1]
    def reaches(t):
        labels, n = ndimage.label(m >= t)
        return n > 0 and np.bincount(labels.ravel())[1:].max() >= area
    lo, hi = 0, len(values) - 1
    while lo < hi:
        mid = (lo + hi) // 2
        if reaches(values[mid]): hi = mid
        else: lo = mid + 1
    return values[lo]


def main():
    pred = sys.argv[1]
    areas = [int(a) for a in sys.argv[2].split(',')] if len(sys.argv) > 2 else [1, 16, 32, 64, 128, 256, 512]
    rows = []
    for kind in sorted(os.listdir(pred)):
        for name in sorted(os.listdir(os.path.join(pred, kind))):
            folder = os.path.join(pred, kind, name)
            report = json.load(open(os.path.join(folder, 'report.json')))
            m = np.asarray(Image.open(os.path.join(folder, 'score.png'))).astype(float) / 65535 * float(report['score_map']['max'])
            rows.append((kind, [image_score(m, a) for a in areas]))
    labels = [kind != 'good' for kind, _ in rows]
    kinds = sorted({kind for kind, _ in rows} - {'good'})
    for j, area in enumerate(areas):
        scores = [r[1][j] for r in rows]
        top_good = max(s for s, l in zip(scores, labels) if not l)
        above = {k: np.mean([s > top_good for (kind, _), s in zip(rows, scores) if kind == k]) for k in kinds}
        print('area %4d  image AUROC %.3f  above every good image: %s'
              % (area, auroc(scores, labels), ' '.join('%s %.2f' % kv for kv in above.items())))


if __name__ == '__main__':
    main()
