"""Notebook widgets (ipywidgets): thin views over the library; they only call and display.

Each panel is imported when first asked for, so the dashboard app does not load spaCy
(which the gallery's de-identification needs) or scikit-learn (the retraining panel's).
"""
from __future__ import annotations

import importlib

_PANELS = {
    "ReviewPanel": ".review_panel", "AdjudicationPanel": ".adjudication_panel", "SummaryDashboard": ".dashboard",
    "TrainerGallery": ".trainer_gallery", "RetrainPanel": ".retrain_panel", "DemoSwitch": ".demo",
    "Downloads": ".downloads",
    "MissesPanel": ".misses_panel", "RulesPanel": ".rules_panel",
}


def __getattr__(name):
    if name in _PANELS:
        return getattr(importlib.import_module(_PANELS[name], __name__), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__():
    return sorted([*globals(), *_PANELS])


__all__ = list(_PANELS)
