#!/usr/bin/env python
"""Quality and speed of the negativity scorer (moderation/scoring), beside SnowNLP alone.

    nice .venv/bin/python benchmarks/scorer_bench.py [--folds 5] [--repeats 3]

* ``telecom_posts_labelled.csv`` (400 hand-labelled real posts): the trained scorer is
  evaluated by **stratified k-fold cross-validation** (repeated with different shuffles): each
  fold's model is trained on the other folds only (hyper-parameters are fixed in
  ``moderation/scoring/train.py``, never tuned on a test fold). Reported per fold as mean ± sd
  and pooled: F1 of the negative class, precision, recall, specificity (share of non-negative
  posts kept out of the queue), accuracy, and demand accuracy — over the data's 7 demand
  labels (``intent``) and over the 4 codes of ``DEMANDS`` for posts labelled with one of them.
  Also a *ranking reference* over the pooled out-of-fold P(negative): ROC AUC and the best F1
  at specificity ≥ 0.85 for one threshold picked on the pooled test labels (a reference, not
  a result).
* SnowNLP alone (score < 0.5 → negative), from the ``snownlp_score`` column of
  ``telecom_weibo_first_posts.csv`` (same texts); the keyword/rule fallback (no training).
* ``phone_reviews_sentiment.csv``: accuracy of the shipped model (trained on the telecom posts
  only, so this is out of domain and never seen in training).
* Throughput: posts/s of ``score_with`` on one core over the 2,213 telecom posts.

Writes ``benchmarks/results/scorer.json``. Data from /work/shared/data (or --data-dir).
"""

from __future__ import annotations

import argparse
import csv
import json
import platform
import random
import statistics
import sys
import time
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from moderation.scoring import train  # noqa: E402
from moderation.scoring.services.engine import (  # noqa: E402
    INTENT_TO_DEMAND,
    Model,
    features,
    score_with,
)
from moderation.scoring.services.keywords import default_library  # noqa: E402

DEMAND_CODES = ("venting", "risk_avoidance", "compensation", "saving")


def read_csv(path: Path) -> list[dict]:
    with path.open(encoding="utf-8-sig") as fh:
        return list(csv.DictReader(fh))


def stratified_folds(labels: list[str], k: int, seed: int) -> list[list[int]]:
    """k folds with each label spread evenly (deterministic for a seed)."""
    by_label: dict[str, list[int]] = defaultdict(list)
    for i, y in enumerate(labels):
        by_label[y].append(i)
    folds: list[list[int]] = [[] for _ in range(k)]
    rng = random.Random(seed)
    offset = 0
    for y in sorted(by_label):
        idx = by_label[y]
        rng.shuffle(idx)
        for j, i in enumerate(idx):
            folds[(j + offset) % k].append(i)
        offset += len(idx)
    return folds


def binary_metrics(truth: list[int], pred: list[int]) -> dict[str, float]:
    tp = sum(1 for t, p in zip(truth, pred, strict=True) if t and p)
    fp = sum(1 for t, p in zip(truth, pred, strict=True) if not t and p)
    fn = sum(1 for t, p in zip(truth, pred, strict=True) if t and not p)
    tn = sum(1 for t, p in zip(truth, pred, strict=True) if not t and not p)
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {"f1": f1, "precision": precision, "recall": recall,
            "specificity": tn / (tn + fp) if tn + fp else 0.0,
            "accuracy": (tp + tn) / len(truth), "tp": tp, "fp": fp, "fn": fn, "tn": tn}


def demand_metrics(rows: list[dict], results) -> dict[str, float]:
    intent_ok = [r["demand"] == res.intent for r, res in zip(rows, results, strict=True)]
    four = [(r["demand"], res.demand) for r, res in zip(rows, results, strict=True)
            if r["demand"] in DEMAND_CODES]
    mapped = [INTENT_TO_DEMAND[r["demand"]] == res.demand for r, res in zip(rows, results, strict=True)]
    return {"demand_accuracy_7": sum(intent_ok) / len(intent_ok),
            "demand_accuracy_4": sum(t == p for t, p in four) / len(four) if four else 0.0,
            "demand_accuracy_mapped": sum(mapped) / len(mapped)}


def ranking_reference(truth: list[int], p_negative: list[float],
                      min_specificity: float = train.TARGET_SPECIFICITY) -> dict[str, float]:
    """How well the pooled out-of-fold P(negative) *ranks* the posts: ROC AUC, and the best
    F1 with specificity ≥ 0.85 for one threshold over all pooled predictions picked with the
    test labels. Not an honest result, and not a bound for per-fold thresholds (the fold
    models' scales differ) — a reference for how close the inner-CV threshold gets."""
    pos = [p for p, t in zip(p_negative, truth, strict=True) if t]
    neg = [p for p, t in zip(p_negative, truth, strict=True) if not t]
    auc = sum((a > b) + 0.5 * (a == b) for a in pos for b in neg) / (len(pos) * len(neg))
    best = {"f1": 0.0, "specificity": 0.0}
    for t in sorted(set(p_negative)):
        m = binary_metrics(truth, [int(p > t) for p in p_negative])
        if m["specificity"] >= min_specificity and m["f1"] > best["f1"]:
            best = {"f1": m["f1"], "specificity": m["specificity"]}
    return {"auc": auc, "best_f1_at_min_specificity": best["f1"],
            "its_specificity": best["specificity"]}


def evaluate(rows: list[dict], results) -> dict[str, float]:
    out = binary_metrics([int(r["negative"]) for r in rows], [int(r.negative) for r in results])
    out.update(demand_metrics(rows, results))
    return out


def cross_validate(rows: list[dict], folds: int, repeats: int) -> dict:
    library = default_library()
    extra = train.load_hard_cases()  # hand-written hard cases: training data only
    weak = train.train_weak()  # from the 1,630 posts outside the labelled set: fold-free
    per_fold: list[dict] = []
    pooled_truth: list[dict] = []
    pooled_results = []
    pooled_p: list[float] = []  # out-of-fold P(negative), for the ranking reference
    strata = [f"{r['negative']}:{r['demand']}" for r in rows]
    for rep in range(repeats):
        for k, test_idx in enumerate(stratified_folds(strata, folds, seed=1000 + rep)):
            test = set(test_idx)
            train_rows = [r for i, r in enumerate(rows) if i not in test]
            model = train.fit(train_rows, library, extra=extra, seed=rep, weak=weak)
            test_rows = [rows[i] for i in test_idx]
            results = [score_with(r["text"], library, model) for r in test_rows]
            pooled_p += [model.p_negative(features(r["text"], library, model.weak)[0])
                         for r in test_rows]
            per_fold.append(evaluate(test_rows, results))
            pooled_truth += test_rows
            pooled_results += results
            print(f"  repeat {rep + 1} fold {k + 1}: F1 {per_fold[-1]['f1']:.3f} "
                  f"spec {per_fold[-1]['specificity']:.3f} "
                  f"demand7 {per_fold[-1]['demand_accuracy_7']:.3f}", flush=True)
    summary = {}
    for name in ("f1", "precision", "recall", "specificity", "accuracy", "demand_accuracy_7",
                 "demand_accuracy_4", "demand_accuracy_mapped"):
        values = [f[name] for f in per_fold]
        summary[name] = {"mean": statistics.mean(values), "sd": statistics.stdev(values),
                         "min": min(values), "max": max(values)}
    pooled = evaluate(pooled_truth, pooled_results)
    reference = ranking_reference([int(r["negative"]) for r in pooled_truth], pooled_p)
    return {"folds": folds, "repeats": repeats, "per_fold_summary": summary, "pooled": pooled,
            "ranking_reference": reference}


def snownlp_baseline(rows: list[dict], first_posts: list[dict]) -> dict:
    score_of = {r["id"]: float(r["snownlp_score"]) for r in first_posts}
    truth = [int(r["negative"]) for r in rows]
    pred = [int(score_of[r["id"]] < 0.5) for r in rows]
    return binary_metrics(truth, pred)


def fallback_figures(rows: list[dict]) -> dict:
    library, model = default_library(), Model.load(Path("/nonexistent"))
    return evaluate(rows, [score_with(r["text"], library, model) for r in rows])


def phone_reviews(path: Path) -> dict:
    rows = read_csv(path)
    library, model = default_library(), Model.load()
    truth = [1 - int(r["label"]) for r in rows]  # label 1 = positive review
    pred = [int(score_with(r["review"], library, model).negative) for r in rows]
    out = binary_metrics(truth, pred)
    out["rows"] = len(rows)
    return out


def throughput(texts: list[str], rounds: int = 3) -> dict:
    library, model = default_library(), Model.load()
    best = 0.0
    for _ in range(rounds):
        start = time.perf_counter()
        for t in texts:
            score_with(t, library, model)
        best = max(best, len(texts) / (time.perf_counter() - start))
    return {"posts": len(texts), "posts_per_second": best,
            "mean_chars": statistics.mean(len(t) for t in texts)}


def fmt(summary: dict, name: str) -> str:
    s = summary[name]
    return f"{s['mean']:.3f} ± {s['sd']:.3f} (min {s['min']:.3f})"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", default="/work/shared/data")
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--out", default=str(ROOT / "benchmarks" / "results" / "scorer.json"))
    args = parser.parse_args()
    data = Path(args.data_dir)
    rows = read_csv(data / "telecom_posts_labelled.csv")
    first_posts = read_csv(data / "telecom_weibo_first_posts.csv")

    print(f"cross-validation: {args.repeats} × stratified {args.folds}-fold on {len(rows)} posts")
    cv = cross_validate(rows, args.folds, args.repeats)
    base = snownlp_baseline(rows, first_posts)
    rules = fallback_figures(rows)
    phone = phone_reviews(data / "phone_reviews_sentiment.csv")
    speed = throughput([r["first_customer_post"] for r in first_posts])

    s = cv["per_fold_summary"]
    print("\n== telecom_posts_labelled.csv (negative = 1 is the positive class) ==")
    print(f"trained scorer, CV per fold: F1 {fmt(s, 'f1')}")
    print(f"                             specificity {fmt(s, 'specificity')}")
    print(f"                             precision {fmt(s, 'precision')}, "
          f"recall {fmt(s, 'recall')}")
    print(f"                             demand accuracy (7 labels) {fmt(s, 'demand_accuracy_7')}")
    print(f"                             demand accuracy (4 DEMANDS codes, rows labelled "
          f"with one) {fmt(s, 'demand_accuracy_4')}")
    print(f"                             demand accuracy (all rows, labels mapped to codes) "
          f"{fmt(s, 'demand_accuracy_mapped')}")
    p = cv["pooled"]
    print(f"trained scorer, pooled: F1 {p['f1']:.3f} spec {p['specificity']:.3f} "
          f"demand7 {p['demand_accuracy_7']:.3f} (tp {p['tp']} fp {p['fp']} fn {p['fn']} "
          f"tn {p['tn']})")
    ref = cv["ranking_reference"]
    print(f"ranking (pooled out-of-fold P): AUC {ref['auc']:.3f}; best F1 with spec >= "
          f"{train.TARGET_SPECIFICITY} for one threshold picked on the pooled test labels "
          f"(reference, not honest): {ref['best_f1_at_min_specificity']:.3f} "
          f"(spec {ref['its_specificity']:.3f})")
    print(f"SnowNLP alone (<0.5): F1 {base['f1']:.3f} spec {base['specificity']:.3f} "
          f"acc {base['accuracy']:.3f}")
    print(f"keyword/rule fallback (untrained): F1 {rules['f1']:.3f} "
          f"spec {rules['specificity']:.3f} demand7 {rules['demand_accuracy_7']:.3f}")
    print(f"\n== phone_reviews_sentiment.csv ({phone['rows']} reviews, out of domain) ==")
    print(f"accuracy {phone['accuracy']:.3f} (F1 {phone['f1']:.3f}, spec "
          f"{phone['specificity']:.3f}); SnowNLP alone: 0.84 (data README)")
    print(f"\n== throughput == {speed['posts_per_second']:.0f} posts/s on one core "
          f"({speed['posts']} posts, mean {speed['mean_chars']:.0f} chars)")

    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps({
        "date": time.strftime("%Y-%m-%d"), "python": platform.python_version(),
        "machine": platform.machine(), "model_version": Model.load().version,
        "cross_validation": cv, "snownlp_alone": base, "rule_fallback": rules,
        "phone_reviews": phone, "throughput": speed,
    }, indent=2, ensure_ascii=False), encoding="utf-8")
    print(f"\nwrote {out}")


if __name__ == "__main__":
    main()
