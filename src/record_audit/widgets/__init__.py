"""Notebook widgets (ipywidgets): thin views over the library; they only call and display."""
from .review import AdjudicationPanel, ReviewPanel

__all__ = ["ReviewPanel", "AdjudicationPanel"]
