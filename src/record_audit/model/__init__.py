"""Scoring against gold annotations (and, later, the trained classifier)."""
