"""``skops.io``, imported without building trusted-type tables record_audit never uses.

When it is imported, skops.io (0.16) builds its tables of types trusted by default: every
scikit-learn estimator (``sklearn.utils.all_estimators()``, which imports all of
scikit-learn) and every public ufunc of ``scipy.special`` (each looked up by module). That
was about half of ``record-audit flag``'s start-up (1.2 of 2.4 s of CPU importing skops
and scikit-learn). record_audit never loads a model on those defaults: ``SentenceModel.load``
passes its own explicit ``TRUSTED_TYPES``. So while skops' table module runs, the estimator
table is the estimators ``TRUSTED_TYPES`` names and the scipy ufunc table is empty: skops
trusts fewer types by default, never more, and a file holding anything outside
``TRUSTED_TYPES`` is still refused. (The gradient-boosting internals it would trust, which
import all of ``sklearn.ensemble``, are left out the same way.) If skops is already imported, or its layout changes so
that the table module is not found under this name, it is imported as usual.
"""
from __future__ import annotations

import importlib
import importlib.abc
import importlib.machinery
import sys
import threading
from types import ModuleType

TABLES = "skops.io._trusted_types"  # the skops module that builds the default tables
_lock = threading.Lock()


def _estimators(trusted: list[str]) -> list[tuple[str, type]]:
    """The scikit-learn estimator classes ``trusted`` names, as ``all_estimators()`` lists them."""
    from sklearn.base import BaseEstimator

    found = []
    for name in trusted:
        module, _, cls = name.rpartition(".")
        if not module.startswith("sklearn."):
            continue
        obj = getattr(importlib.import_module(module), cls, None)
        if isinstance(obj, type) and issubclass(obj, BaseEstimator):
            found.append((cls, obj))
    return sorted(found, key=lambda pair: pair[0])


class _Skipped(importlib.abc.MetaPathFinder):
    """Make imports of ``prefix`` fail while skops builds its tables (it tries them for optional types)."""

    def __init__(self, prefix: str) -> None:
        self.prefix = prefix

    def find_spec(self, fullname, path, target=None):
        if fullname == self.prefix or fullname.startswith(self.prefix + "."):
            raise ImportError(fullname)
        return None


# skops trusts gradient-boosting internals by default, importing all of sklearn.ensemble for them
SKIPPED = ("sklearn.ensemble",)


class _TablesLoader(importlib.abc.Loader):
    """Run skops' table module with the estimator and scipy ufunc lookups narrowed."""

    def __init__(self, loader: importlib.abc.Loader, estimators: list[tuple[str, type]]) -> None:
        self.loader, self.estimators = loader, estimators

    def create_module(self, spec):
        return self.loader.create_module(spec)

    def exec_module(self, module: ModuleType) -> None:
        import sklearn.utils

        utils = sys.modules.get("skops.io._utils")
        saved_all = sklearn.utils.all_estimators
        saved_public = getattr(utils, "get_public_type_names", None)

        def all_estimators(*args, **kwargs):
            return list(self.estimators)

        def public_type_names(module, oftype):
            if module.__name__.startswith("scipy"):
                return []  # ufuncs of scipy.special: no record_audit model holds one
            return saved_public(module=module, oftype=oftype)

        sklearn.utils.all_estimators = all_estimators
        if saved_public is not None:
            utils.get_public_type_names = public_type_names
        skipped = [_Skipped(prefix) for prefix in SKIPPED if prefix not in sys.modules]
        sys.meta_path[:0] = skipped
        try:
            self.loader.exec_module(module)
        finally:
            for finder in skipped:
                sys.meta_path.remove(finder)
            sklearn.utils.all_estimators = saved_all
            if saved_public is not None:
                utils.get_public_type_names = saved_public


class _TablesFinder(importlib.abc.MetaPathFinder):
    def __init__(self, estimators: list[tuple[str, type]]) -> None:
        self.estimators = estimators

    def find_spec(self, fullname, path, target=None):
        if fullname != TABLES:
            return None
        spec = importlib.machinery.PathFinder.find_spec(fullname, path)
        if spec is not None and spec.loader is not None:
            spec.loader = _TablesLoader(spec.loader, self.estimators)
        return spec


def skops_io(trusted: list[str]) -> ModuleType:
    """Import ``skops.io`` (once) with default tables narrowed to the estimators in ``trusted``."""
    if "skops.io" in sys.modules:
        return sys.modules["skops.io"]
    with _lock:
        if "skops.io" not in sys.modules:
            finder = _TablesFinder(_estimators(trusted))
            sys.meta_path.insert(0, finder)
            try:
                importlib.import_module("skops.io")
            finally:
                sys.meta_path.remove(finder)
    return sys.modules["skops.io"]
