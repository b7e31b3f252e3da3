"""Training a scorer at run time, for ``flask moderation retrain``: a candidate is fitted on
the shipped labelled data plus the site's own moderator decisions, evaluated on a frozen
evaluation split and the shipped benchmark sets, and compared with the active model.

This module is the contract between the training code (``train.py``, scikit-learn) and the
app (model versions, CLI, dashboard): the app calls only what is defined here.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from moderation.scoring.services.engine import Model

# Fewer site labels than this: a retrain would learn nothing from the site; it refuses.
MIN_SITE_LABELS = 20
# A candidate may be this much lower on a metric and still count as "no worse": the frozen
# split has ~380 real and ~140 forum posts, where one post moves a figure by 0.3–0.7 points.
TOLERANCE = 0.02


@dataclass(frozen=True)
class Example:
    """One labelled text: from the shipped data or from a moderator's decision.

    ``intent`` is a fine-grained demand (venting, risk_avoidance, compensation, saving,
    question, praise, other) or None when the label says nothing about it; ``intensity``
    0–3 or None likewise.
    """

    text: str
    negative: bool
    intent: str | None = None
    intensity: int | None = None
    is_reply: bool = False


def train_candidate(site_examples: Sequence[Example], version: str) -> Model:
    """Fit a model on the shipped training data plus ``site_examples`` (about a minute)."""
    # Imported here: train.py pulls in scikit-learn and numpy (~100 MB), which a web or
    # worker process that only scores never needs.
    from moderation.scoring import train

    return train.train_model(site_examples, version)


def evaluate(model: Model) -> dict[str, float]:
    """The model's figures on the frozen evaluation split and the benchmark sets.

    Keys: ``f1``, ``specificity``, ``demand_accuracy``, ``urgent_recall``,
    ``urgent_precision``, ``forum_f1``, ``forum_specificity``, ``phone_accuracy`` (0–1).
    """
    from moderation.scoring import train  # scikit-learn: see train_candidate

    return train.evaluate_model(model)


def worse_than(candidate: dict[str, float], active: dict[str, float],
               tolerance: float = TOLERANCE) -> list[str]:
    """The metrics on which ``candidate`` is worse than ``active`` beyond ``tolerance``
    (empty: the candidate is no worse and may be activated)."""
    return [name for name, value in active.items()
            if name in candidate and candidate[name] < value - tolerance]
