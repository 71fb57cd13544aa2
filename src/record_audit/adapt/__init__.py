"""Learning each agency's language from its QA review (issue 17).

- ``scores``: classifier probabilities of a store's unflagged sentences, for the possible-misses
  queue (``ReviewStore.misses``);
- ``suggest``: rule suggestions from review decisions, each with its examples and what it would
  change on the store's records;
- ``overlay``: accepting (possibly edited) or rejecting a suggestion; accepted rules go to a local
  overlay rules folder (``--rules DIR``) with their provenance, after their examples pass.
"""
