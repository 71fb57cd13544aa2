"""Notebook widgets (ipywidgets): thin views over the library; they only call and display."""
from .dashboard import SummaryDashboard
from .gallery import TrainerGallery
from .retrain import RetrainPanel
from .review import AdjudicationPanel, ReviewPanel

__all__ = ["ReviewPanel", "AdjudicationPanel", "RetrainPanel", "SummaryDashboard", "TrainerGallery"]
