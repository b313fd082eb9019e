#!/usr/bin/python3
"""The same statistics battery as bench/stats_battery.ts, in SciPy / statsmodels / scikit-learn
(Debian python3-scipy 1.10.1, python3-sklearn 1.2.1, python3-statsmodels 0.13.5), for comparison.
Inputs are generated the same way (different RNG, same sizes and structure).

    /usr/bin/python3 bench/stats_battery.py [--repeat 5]
"""
import sys
import time

import numpy as np
from scipy.spatial.distance import cosine, jensenshannon
from scipy.stats import binom, wasserstein_distance, wilcoxon
from sklearn.metrics import (average_precision_score, confusion_matrix, precision_recall_curve,
                             precision_recall_fscore_support, roc_auc_score, roc_curve)
from statsmodels.stats.contingency_tables import mcnemar
from statsmodels.stats.inter_rater import aggregate_raters, fleiss_kappa
from statsmodels.stats.multitest import multipletests


def make_inputs(seed=7):
    rng = np.random.default_rng(seed)
    n = 395
    truth = rng.choice(3, size=n, p=np.array([40, 112, 243]) / 395)

    def probs(sharp):
        raw = np.exp((np.eye(3)[truth] * sharp) + rng.normal(size=(n, 3)))
        return raw / raw.sum(1, keepdims=True)

    infr, pred = probs(0.8), probs(1.6)
    label_sets = [np.where(rng.random(n) < 0.55 + 0.03 * j, truth, rng.integers(0, 3, n)) for j in range(7)]
    truth_mel = np.array([1] * 20 + [0] * 80)
    panel = (rng.random((100, 157)) < np.where(truth_mel[:, None] == 1, 0.75, 0.3)).astype(int)
    model = (rng.random(100) < np.where(truth_mel == 1, 0.8, 0.25)).astype(int)
    return truth, infr, pred, label_sets, panel, model


def midp(table):
    b, c = table[0, 1], table[1, 0]
    n = b + c
    if n == 0:
        return 1.0
    if b == c:
        return 1 - binom.pmf(b, n, 0.5) / 2
    return min(1, 2 * binom.cdf(min(b, c), n, 0.5)) - binom.pmf(b, n, 0.5)


def battery(truth, infr, pred, label_sets, panel, model):
    rng = np.random.default_rng(1)
    out = {}
    dist = {}
    k = 3
    onehot = np.eye(k)[truth]
    for name, probs in (("infr", infr), ("pred", pred)):
        lab = probs.argmax(1)
        cm = confusion_matrix(truth, lab, labels=[0, 1, 2])
        precision_recall_fscore_support(truth, lab, labels=[0, 1, 2], zero_division=0)
        for c in range(k):
            y = (truth == c).astype(int)
            roc_curve(y, probs[:, c])
            precision_recall_curve(y, probs[:, c])
            average_precision_score(y, probs[:, c])
        roc_auc_score(truth, probs, multi_class="ovr")
        pos = np.arange(k)
        dist[name] = {
            "cosine": np.array([cosine(p, t) for p, t in zip(probs, onehot)]),
            "js": np.array([jensenshannon(p, t) for p, t in zip(probs, onehot)]),
            "wasserstein": np.array([wasserstein_distance(pos, pos, p, t) for p, t in zip(probs, onehot)]),
            "hellinger": np.sqrt(((np.sqrt(probs) - np.sqrt(onehot)) ** 2).sum(1)) / np.sqrt(2),
        }
    for key in dist["infr"]:
        a, b = dist["infr"][key], dist["pred"][key]
        wilcoxon(a, b, method="approx")
        n = len(a)
        for v in (a, b):
            means = [v[rng.choice(n, n // 2, replace=False)].mean() for _ in range(1000)]
            np.percentile(means, [2.5, 97.5])
        d = a - b
        d.mean() / d.std(ddof=1)
    p = np.full((7, 7), np.nan)
    for i in range(7):
        for j in range(7):
            if i != j:
                ci, cj = label_sets[i] == truth, label_sets[j] == truth
                t = np.array([[np.sum(ci & cj), np.sum(ci & ~cj)], [np.sum(~ci & cj), np.sum(~ci & ~cj)]])
                mcnemar(t, exact=True)
                p[i, j] = midp(t)
    flat = p.flatten()
    ok = ~np.isnan(flat)
    multipletests(flat[ok], method="holm")
    fleiss_kappa(aggregate_raters(panel, n_cat=2)[0])
    for r in range(panel.shape[1]):
        q = panel.copy()
        q[:, r] = model
        fleiss_kappa(aggregate_raters(q, n_cat=2)[0])
    for _ in range(1000):
        pick = rng.choice(panel.shape[1], 9, replace=False)
        q = np.column_stack([panel[:, pick], model])
        fleiss_kappa(aggregate_raters(q, n_cat=2)[0])
    return out


if __name__ == "__main__":
    repeat = int(sys.argv[sys.argv.index("--repeat") + 1]) if "--repeat" in sys.argv else 5
    inputs = make_inputs()
    battery(*inputs)
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        battery(*inputs)
        times.append((time.perf_counter() - t) * 1000)
    times.sort()
    print(f"stats battery (SciPy/statsmodels/scikit-learn): median {times[len(times) // 2]:.1f} ms, min {times[0]:.1f} ms over {repeat} runs")
