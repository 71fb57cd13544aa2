"""How unsure the classifier is: for the review queue and for choosing what to annotate next."""
from __future__ import annotations

import numpy as np


def margin(probability: float, threshold: float) -> float:
    """Distance of a probability from its label's threshold, scaled to [0, 1] on each side.

    0 is a coin toss at the threshold; 1 is as sure as the model gets.
    """
    if probability >= threshold:
        return float((probability - threshold) / (1 - threshold)) if threshold < 1 else 1.0
    return float((threshold - probability) / threshold) if threshold > 0 else 1.0


def rank_uncertain(probabilities: np.ndarray, labels, thresholds: dict[str, float], *, top: int | None = None):
    """Rank sentences by their least certain label: [(row index, label, margin)], most unsure first."""
    out = []
    for i, row in enumerate(np.asarray(probabilities)):
        margins = [(margin(p, thresholds[label]), label) for label, p in zip(labels, row)]
        m, label = min(margins)
        out.append((i, label, m))
    out.sort(key=lambda t: (t[2], t[0]))
    return out[:top] if top else out
