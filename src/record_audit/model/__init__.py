"""The sentence classifier: its model (``sentence_model``), training, scoring, comparison, and the
registry of a models folder, which also decides which model a run uses (``registry.choose_model``)."""
