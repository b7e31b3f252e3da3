#!/usr/bin/env python
"""Quality and speed of the negativity scorer v2 (moderation/scoring), beside SnowNLP alone
and the previous model's recorded figures.

    nice .venv/bin/python benchmarks/scorer_bench.py [--folds 5] [--repeats 1]

Everything fitted is cross-validated: each fold's model is trained by ``train.fit`` (the
shipped recipe, fixed hyper-parameters) on the other folds plus the other corpora, and
scored on its test fold only.

* real posts, ``telecom_posts_labelled_2k.csv`` (1,913): stratified k-fold over them (train:
  the other folds + the forum set + hard cases). Pooled out-of-fold: F1 / precision / recall
  / specificity of negative; urgent (intensity 3) recall and precision; demand accuracy over
  the 7 labels where the two annotators agree (the 400 double-annotated posts whose labels
  match) and over all posts; ROC AUC and, as a reference only, the best F1 at specificity
  ≥ 0.85 for a threshold picked on the test labels. The annotators' own agreement (Cohen's
  kappa, scikit-learn) is printed as the ceiling.
* forum register, ``forum_register_train.jsonl`` (680): the same over its posts (train: the
  other folds + the telecom posts + hard cases). Extra forum-style training posts written
  for this project (``forum_register_extra.jsonl``) join the training folds only, never a
  test fold.
* out of domain, ``phone_reviews_sentiment.csv``: the shipped model's accuracy (never trained
  on); the frozen evaluation split figures of the shipped model (what a retrain compares).
* SnowNLP alone (< 0.5 → negative), from ``snownlp_score`` in telecom_weibo_first_posts.csv.
* Speed: posts/s of ``score_with`` on one core; memory: the scorer's resident size (RSS after
  loading the model and scoring, minus RSS before).

Writes ``benchmarks/results/scorer.json``. Shared data from /work/shared/data (--data-dir) for
the SnowNLP column only; everything else ships in moderation/scoring/data.
"""

from __future__ import annotations

import argparse
import csv
import json
import platform
import resource
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import numpy as np  # noqa: E402
from sklearn.metrics import cohen_kappa_score, roc_auc_score  # noqa: E402
from sklearn.model_selection import StratifiedKFold  # noqa: E402

from moderation.scoring import train  # noqa: E402

# Figures of the previous model (lr-2026.11) as recorded in benchmarks/README.md (it used
# the v1 features and cannot run on the v2 engine): 400 real posts, 3 × 5-fold.
PREVIOUS = {"model": "lr-2026.11", "f1": 0.914, "specificity": 0.856,
            "demand_accuracy_7": 0.593, "phone_accuracy": 0.736,
            "forum_eval_f1_reported_in_issue_13": 0.70,
            "forum_eval_specificity_reported_in_issue_13": 0.66}


def binary(truth, pred) -> dict[str, float]:
    t, p = np.asarray(truth, bool), np.asarray(pred, bool)
    tp, fp = int((t & p).sum()), int((~t & p).sum())
    fn, tn = int((t & ~p).sum()), int((~t & ~p).sum())
    return {"f1": 2 * tp / max(1, 2 * tp + fp + fn), "precision": tp / max(1, tp + fp),
            "recall": tp / max(1, tp + fn), "specificity": tn / max(1, tn + fp),
            "accuracy": (tp + tn) / max(1, len(t)), "tp": tp, "fp": fp, "fn": fn, "tn": tn}


def best_f1_at_specificity(truth, p, minimum: float = 0.85) -> dict[str, float]:
    """Reference only: one threshold picked on the test labels themselves."""
    t = np.asarray(truth, bool)
    best = {"f1": 0.0, "specificity": 0.0}
    for cut in np.unique(p):
        figures = binary(t, np.asarray(p) >= cut)
        if figures["specificity"] >= minimum and figures["f1"] > best["f1"]:
            best = {"f1": figures["f1"], "specificity": figures["specificity"]}
    return best


def cross_validate(target: list[train.Labelled], others: list[train.Labelled],
                   folds: int, repeats: int, general: dict, cache: dict) -> dict:
    """Pooled out-of-fold results over ``target`` (others always in training)."""
    truth, results, p_negative, held = [], [], [], []
    strata = [f"{int(d.example.negative)}{d.example.intensity}" for d in target]
    for rep in range(repeats):
        splitter = StratifiedKFold(folds, shuffle=True, random_state=1000 + rep)
        for k, (train_idx, test_idx) in enumerate(splitter.split(np.zeros(len(target)),
                                                                 strata)):
            model = train.fit([target[i] for i in train_idx] + others, "cv", general,
                              feature_cache=cache)
            test = [target[i] for i in test_idx]
            scored = train.score_all(model, test)
            truth += test
            results += scored
            p_negative += [r.score for r in scored]
            held.append(binary([d.example.negative for d in test], [r.negative for r in scored]))
            print(f"  repeat {rep + 1} fold {k + 1}: F1 {held[-1]['f1']:.3f} "
                  f"spec {held[-1]['specificity']:.3f}", flush=True)
    out = binary([d.example.negative for d in truth], [r.negative for r in results])
    out["f1_fold_sd"] = float(np.std([h["f1"] for h in held], ddof=1))
    out["specificity_fold_sd"] = float(np.std([h["specificity"] for h in held], ddof=1))
    out["auc"] = roc_auc_score([d.example.negative for d in truth], p_negative)
    out["reference_best_f1_at_spec_0.85"] = best_f1_at_specificity(
        [d.example.negative for d in truth], p_negative)
    out.update(train.urgent_figures([d.example.intensity for d in truth],
                                    [r.intensity for r in results]))
    double = [(d, r) for d, r in zip(truth, results, strict=True) if d.intent_b]
    agreed = [(d, r) for d, r in double if d.intent_b == d.example.intent]
    out["demand_accuracy_agreed"] = (sum(1 for d, r in agreed if r.intent == d.example.intent)
                                     / max(1, len(agreed)))
    out["demand_agreed_posts"] = len(agreed)
    out["demand_accuracy_all"] = (sum(1 for d, r in zip(truth, results, strict=True)
                                      if r.intent == d.example.intent) / max(1, len(truth)))
    out["intensity_accuracy"] = (sum(1 for d, r in zip(truth, results, strict=True)
                                     if r.intensity == d.example.intensity) / max(1, len(truth)))
    out["confidently_wrong"] = confidently_wrong(truth, results)
    return out


def confidently_wrong(truth: list[train.Labelled], results) -> dict:
    """Out-of-fold predictions that are confidently wrong (score ≥ 90 on a post labelled
    not negative, ≤ 10 on one labelled negative), and how often the second annotator (where
    there is one) disagrees with the first on them: a high share means label noise, a low
    one a feature the model lacks."""
    wrong = [(d, r) for d, r in zip(truth, results, strict=True)
             if (r.score >= 90 and not d.example.negative)
             or (r.score <= 10 and d.example.negative)]
    double = [d for d, _ in wrong if d.intensity_b is not None]
    disputed = [d for d in double if (d.intensity_b > 0) != d.example.negative]
    return {"posts": len(wrong), "double_annotated": len(double), "b_disagrees": len(disputed),
            "examples": [f"{int(d.example.negative)} {r.score} {d.example.text[:60]}"
                         for d, r in wrong[:12]]}


def annotator_agreement(telecom: list[train.Labelled]) -> dict[str, float]:
    """Annotator B read as a classifier of annotator A's labels: the ceiling the labels
    themselves support for each bar (a model cannot be expected to agree with A better)."""
    both = [d for d in telecom if d.intent_b]
    a = [d.example for d in both]
    negative_b = [d.intensity_b is not None and d.intensity_b > 0 for d in both]
    b_as_classifier = binary([e.negative for e in a], negative_b)
    urgent_b = train.urgent_figures([e.intensity for e in a], [d.intensity_b for d in both])
    return {
        "b_negative_f1": b_as_classifier["f1"],
        "b_negative_specificity": b_as_classifier["specificity"],
        "b_negative_recall": b_as_classifier["recall"],
        "b_urgent_recall": urgent_b["urgent_recall"],
        "b_urgent_precision": urgent_b["urgent_precision"],
        "posts": len(both),
        "demand_kappa": cohen_kappa_score([e.intent for e in a], [d.intent_b for d in both]),
        "demand_agreement": float(np.mean([e.intent == d.intent_b
                                           for e, d in zip(a, both, strict=True)])),
        "urgent_kappa": cohen_kappa_score([e.intensity == 3 for e in a],
                                          [d.intensity_b == 3 for d in both]),
        "intensity_kappa": cohen_kappa_score([e.intensity for e in a],
                                             [d.intensity_b for d in both]),
    }


def snownlp_alone(telecom: list[train.Labelled], data_dir: Path) -> dict | None:
    path = data_dir / "telecom_weibo_first_posts.csv"
    if not path.exists():
        return None
    with path.open(encoding="utf-8-sig") as fh:
        score_of = {r["id"]: float(r["snownlp_score"]) for r in csv.DictReader(fh)}
    rows = [d for d in telecom if d.id in score_of]
    return binary([d.example.negative for d in rows], [score_of[d.id] < 0.5 for d in rows])


def speed_and_memory(texts: list[str]) -> dict:
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    from moderation.scoring.services.engine import Model, score_with

    model = Model.load()
    library = train._default_library()
    score_with(texts[0], library, model)
    loaded = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    best = 0.0
    for _ in range(3):
        start = time.perf_counter()
        for text in texts:
            score_with(text, library, model)
        best = max(best, len(texts) / (time.perf_counter() - start))
    return {"posts": len(texts), "posts_per_second": best,
            "mean_chars": float(np.mean([len(t) for t in texts])),
            "model_file_mb": train.MODEL_FILE.stat().st_size / 2**20,
            "scorer_rss_mb": (loaded - before) / 1024}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", default="/work/shared/data")
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--repeats", type=int, default=1)
    parser.add_argument("--out", default=str(ROOT / "benchmarks" / "results" / "scorer.json"))
    parser.add_argument("--part", choices=("all", "real", "forum"), default="all",
                        help="cross-validate one set only (run two parts side by side on two "
                             "cores; each writes its own --out)")
    args = parser.parse_args()

    # Speed and memory first, in a process that has not trained anything yet.
    telecom, forum, hard = train.load_telecom(), train.load_forum(), train.load_hard_cases()
    speed = speed_and_memory([d.example.text for d in telecom + forum])
    extra = train.load_forum_extra()
    general = train.shipped_general()
    cache: dict = {}
    print(f"real posts: {args.repeats} × stratified {args.folds}-fold over {len(telecom)}")
    skipped = {"f1": float("nan"), "f1_fold_sd": float("nan"), "specificity": float("nan"),
               "urgent_recall": float("nan"), "urgent_precision": float("nan")}
    real = (cross_validate(telecom, forum + hard + extra, args.folds, args.repeats, general,
                           cache) if args.part in ("all", "real") else None)
    print(f"forum register: {args.repeats} × stratified {args.folds}-fold over {len(forum)}")
    forum_cv = (cross_validate(forum, telecom + hard + extra, args.folds, args.repeats,
                               general, cache) if args.part in ("all", "forum") else skipped)
    shipped = train.Model.load()
    frozen = train.evaluate_model(shipped)
    agreement = annotator_agreement(telecom)
    snow = snownlp_alone(telecom, Path(args.data_dir))

    print("\n== real posts (telecom_posts_labelled_2k.csv), cross-validated ==")
    if real is None:
        print("(not run: --part forum)")
        real = {}
    else:
        print_real(real)
    print(f"  annotator B as a classifier of A (ceiling, {agreement['posts']} posts): negative "
          f"F1 {agreement['b_negative_f1']:.3f} at specificity "
          f"{agreement['b_negative_specificity']:.3f}; urgent recall "
          f"{agreement['b_urgent_recall']:.3f} precision {agreement['b_urgent_precision']:.3f}")
    print(f"  annotators (ceiling, {agreement['posts']} posts): demand kappa "
          f"{agreement['demand_kappa']:.3f} (agreement {agreement['demand_agreement']:.3f}), "
          f"urgent kappa {agreement['urgent_kappa']:.3f}, intensity kappa "
          f"{agreement['intensity_kappa']:.3f}")
    print_rest(args, real, forum_cv, shipped, frozen, snow, speed, agreement)


def print_real(real: dict) -> None:
    print(f"scorer v2: F1 {real['f1']:.3f} (fold sd {real['f1_fold_sd']:.3f}) at specificity "
          f"{real['specificity']:.3f}; precision {real['precision']:.3f} recall "
          f"{real['recall']:.3f}; AUC {real['auc']:.3f}")
    ref = real["reference_best_f1_at_spec_0.85"]
    print(f"  reference (threshold picked on the test labels): best F1 at spec >= 0.85: "
          f"{ref['f1']:.3f} (spec {ref['specificity']:.3f})")
    print(f"  urgent (intensity 3): recall {real['urgent_recall']:.3f} precision "
          f"{real['urgent_precision']:.3f}; intensity accuracy {real['intensity_accuracy']:.3f}")
    print(f"  demand accuracy where annotators agree ({real['demand_agreed_posts']} posts): "
          f"{real['demand_accuracy_agreed']:.3f}; over all posts "
          f"{real['demand_accuracy_all']:.3f}")
    cw = real["confidently_wrong"]
    print(f"  confidently wrong out-of-fold: {cw['posts']} posts, {cw['double_annotated']} "
          f"double-annotated, B disagrees with A on {cw['b_disagrees']}")


def print_rest(args, real, forum_cv, shipped, frozen, snow, speed, agreement) -> None:
    if snow:
        print(f"SnowNLP alone: F1 {snow['f1']:.3f} spec {snow['specificity']:.3f}")
    print(f"previous model {PREVIOUS['model']} (recorded, 400 posts): F1 {PREVIOUS['f1']} "
          f"spec {PREVIOUS['specificity']} demand {PREVIOUS['demand_accuracy_7']}")
    print("\n== forum register (forum_register_train.jsonl), cross-validated ==")
    print(f"scorer v2: F1 {forum_cv['f1']:.3f} (fold sd {forum_cv['f1_fold_sd']:.3f}) at "
          f"specificity {forum_cv['specificity']:.3f}; urgent recall "
          f"{forum_cv['urgent_recall']:.3f} precision {forum_cv['urgent_precision']:.3f}")
    print("\n== out of domain, never trained on ==")
    print(f"phone_reviews_sentiment.csv accuracy {frozen['phone_accuracy']:.3f} "
          f"(previous {PREVIOUS['phone_accuracy']})")
    print(f"\n== shipped model {shipped.version} on the frozen evaluation split ==")
    print(json.dumps(frozen))
    print(f"\n== speed: {speed['posts_per_second']:.0f} posts/s on one core "
          f"(mean {speed['mean_chars']:.0f} chars); model file {speed['model_file_mb']:.1f} MB; "
          f"scorer memory {speed['scorer_rss_mb']:.0f} MB")

    Path(args.out).write_text(json.dumps({
        "machine": platform.platform(), "python": platform.python_version(),
        "folds": args.folds, "repeats": args.repeats, "real_posts": real,
        "forum_register": forum_cv, "annotators": agreement, "snownlp_alone": snow,
        "shipped_model": shipped.version, "frozen_split": frozen, "speed": speed,
        "previous": PREVIOUS}, indent=2, ensure_ascii=False, default=float), encoding="utf-8")
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
