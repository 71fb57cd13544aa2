"""The sentence classifier: scikit-learn pipelines, calibrated, with per-label thresholds.

Five designs are compared (``DESIGNS``): ``words`` (TF-IDF over role-normalized words),
``wordchars`` (the same words and character 3-5-grams of the role-normalized text, so
spelling variants and inflections share features), ``full`` (words + character n-grams
of the raw text + parse and rule features), ``dense`` (the mean of static token
embeddings shipped in the ``wordllama`` wheel, standardized; ``embeddings.py``) and
``wordchars_dense`` (wordchars and the dense columns side by side, the dense block
weighted by ``DENSE_WEIGHT``). Each is a one-vs-rest
logistic regression whose probabilities are calibrated (sigmoid) on record-grouped folds.
Models are saved with ``skops.io`` and loaded only against an explicit trusted-type
list; pickle and joblib are never used for model files. skops is imported when a model is
loaded or saved, without its default tables of every estimator (``skops_io``).
"""
from __future__ import annotations

import json
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from sklearn.calibration import CalibratedClassifierCV
from sklearn.compose import ColumnTransformer
from sklearn.feature_extraction import DictVectorizer
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.multiclass import OneVsRestClassifier
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import StandardScaler

from .. import taxonomy
from ..errors import Errors, InputError
from ..files import replacing, write_atomic
from .skops_io import skops_io

# every type a record_audit model file may hold; anything else is refused on load
TRUSTED_TYPES = sorted({
    "builtins.slice",
    "numpy.dtype", "numpy.ndarray", "numpy.float64", "numpy.int64", "numpy.int32", "numpy.bool_",
    "numpy.random._mt19937.MT19937", "numpy.random.mtrand.RandomState",
    "numpy.core.multiarray.scalar", "numpy._core.multiarray.scalar",
    "scipy.sparse._csr.csr_matrix", "scipy.sparse._csc.csc_matrix",
    "sklearn.calibration.CalibratedClassifierCV", "sklearn.calibration._CalibratedClassifier",
    "sklearn.calibration._SigmoidCalibration",
    "sklearn.compose._column_transformer.ColumnTransformer",
    "sklearn.feature_extraction._dict_vectorizer.DictVectorizer",
    "sklearn.feature_extraction.text.TfidfVectorizer", "sklearn.feature_extraction.text.TfidfTransformer",
    "sklearn.linear_model._logistic.LogisticRegression",
    "sklearn.multiclass.OneVsRestClassifier", "sklearn.multiclass._ConstantPredictor", "sklearn.pipeline.Pipeline",
    "sklearn.preprocessing._label.LabelBinarizer", "sklearn.preprocessing._data.StandardScaler",
    "record_audit.model.embeddings.StaticEmbeddings",
    "sklearn.utils._bunch.Bunch",
})

DESIGNS = ("words", "wordchars", "full", "dense", "wordchars_dense")
# the dense block's weight beside the two TF-IDF blocks (each row of those has norm 1, a
# standardized 256-d row about 16): chosen on the register-held-out folds from 0.05, 0.1 and 0.2
# (bench/generalisation.py; bench/results/generalisation.md)
DENSE_WEIGHT = 0.1
COLUMNS = ["text", "norm_text", "feats"]


def _dense() -> Pipeline:
    from .embeddings import StaticEmbeddings
    return Pipeline([("embed", StaticEmbeddings()), ("scale", StandardScaler())])


def build_classifier(design: str = "full", *, C: float = 4.0, cv=3, random_state: int = 0,
                     dense_weight: float = DENSE_WEIGHT) -> Pipeline:
    """Return an unfitted pipeline for ``design``; ``cv`` may be record-grouped splits."""
    logreg = LogisticRegression(C=C, class_weight="balanced", max_iter=3000, random_state=random_state)
    calibrated = CalibratedClassifierCV(logreg, method="sigmoid", cv=cv)
    words = TfidfVectorizer(ngram_range=(1, 2), min_df=2, sublinear_tf=True, token_pattern=r"[^\s]+")
    if design == "words":
        features = ColumnTransformer([("words", words, "norm_text")])
    elif design == "wordchars":
        features = ColumnTransformer([
            ("words", words, "norm_text"),
            ("chars", TfidfVectorizer(analyzer="char_wb", ngram_range=(3, 5), min_df=2, sublinear_tf=True,
                                      max_features=60_000), "norm_text"),
        ])
    elif design == "dense":
        features = ColumnTransformer([("dense", _dense(), "norm_text")])
    elif design == "wordchars_dense":
        features = ColumnTransformer([
            ("words", words, "norm_text"),
            ("chars", TfidfVectorizer(analyzer="char_wb", ngram_range=(3, 5), min_df=2, sublinear_tf=True,
                                      max_features=60_000), "norm_text"),
            ("dense", _dense(), "norm_text"),
        ], transformer_weights={"dense": dense_weight})
    elif design == "full":
        features = ColumnTransformer([
            ("words", words, "norm_text"),
            ("chars", TfidfVectorizer(analyzer="char_wb", ngram_range=(3, 5), min_df=2, sublinear_tf=True,
                                      max_features=60_000), "text"),
            ("parse", DictVectorizer(), "feats"),
        ])
    else:
        raise ValueError(Errors.E059.format(design=design, known=DESIGNS))
    return Pipeline([("features", features), ("clf", OneVsRestClassifier(calibrated))])


def _plain_vocabularies(pipeline) -> None:
    """Give fitted vectorizers' vocabularies plain int values (scikit-learn leaves numpy ints).

    skops writes every numpy scalar as an array file of its own: a vocabulary of 26,000
    terms became 17,000 files in the zip and five seconds of loading. Plain ints are stored
    inline; the vectorizer reads them the same way.
    """
    features = getattr(pipeline, "named_steps", {}).get("features")
    for _, vectorizer, _ in getattr(features, "transformers_", []):
        vocabulary = getattr(vectorizer, "vocabulary_", None)
        if isinstance(vocabulary, dict):
            vectorizer.vocabulary_ = {term: int(index) for term, index in vocabulary.items()}


def as_frame(rows: list[dict]):
    """The rows as the DataFrame the pipeline's ColumnTransformer selects columns from."""
    import pandas as pd
    return pd.DataFrame({c: [r[c] for r in rows] for c in COLUMNS})


@dataclass
class SentenceModel:
    """A fitted pipeline with its labels, per-label thresholds and metadata."""

    pipeline: Pipeline
    labels: tuple[str, ...]
    thresholds: dict[str, float]
    meta: dict = field(default_factory=dict)

    @property
    def explanations(self) -> dict[str, str]:
        return {l: f"The sentence model reads this as: {taxonomy.DESCRIPTIONS[l][0].lower()}{taxonomy.DESCRIPTIONS[l][1:]}"
                for l in self.labels}

    @property
    def rewrites(self) -> dict[str, str]:
        return {l: taxonomy.REWRITES[l] for l in self.labels}

    @property
    def columns(self) -> frozenset[str]:
        """The input columns its features read: ``norm_text`` only for ``words`` and ``wordchars``.

        All of them for a pipeline that does not say (one not built by ``build_classifier``).
        """
        features = getattr(self.pipeline, "named_steps", {}).get("features")
        if features is None:
            return frozenset(COLUMNS)
        return frozenset(column for _, _, column in features.transformers)

    def predict_proba_rows(self, rows: list[dict]) -> np.ndarray:
        """Calibrated probabilities, one column per label in ``self.labels``."""
        return np.asarray(self.pipeline.predict_proba(as_frame(rows)))

    def flagging_probabilities(self, rows: list[dict]) -> np.ndarray:
        """Like ``predict_proba_rows``, but only the labels that can flag are computed.

        A label with threshold 1.0 is left to the rules (its column is 0.0): the pipeline
        skips its calibrated estimators, the features are computed once for all the others.
        """
        active = [j for j, label in enumerate(self.labels) if self.thresholds.get(label, 1.0) < 1.0]
        clf = getattr(self.pipeline, "named_steps", {}).get("clf")
        if len(active) == len(self.labels) or not isinstance(clf, OneVsRestClassifier):
            return self.predict_proba_rows(rows)
        out = np.zeros((len(rows), len(self.labels)))
        if active:
            features = self.pipeline[:-1].transform(as_frame(rows))
            for j in active:  # what OneVsRestClassifier.predict_proba computes for column j
                out[:, j] = clf.estimators_[j].predict_proba(features)[:, 1]
        return out

    # -- files ----------------------------------------------------------------------------
    def save(self, path: str | Path) -> Path:
        """Write ``path`` (.skops, compressed) and its JSON sidecar (labels, thresholds, meta)."""
        path = Path(path)
        _plain_vocabularies(self.pipeline)
        sio = skops_io(TRUSTED_TYPES)
        with replacing(path) as partial:
            sio.dump(self.pipeline, partial, compression=zipfile.ZIP_DEFLATED)
        sidecar = {"labels": list(self.labels), "thresholds": self.thresholds, "meta": self.meta,
                   "trusted_types": TRUSTED_TYPES}
        write_atomic(path.with_suffix(".json"), json.dumps(sidecar, indent=2, sort_keys=True))
        return path

    @classmethod
    def load(cls, path: str | Path) -> "SentenceModel":
        """Load a model file, refusing any type outside ``TRUSTED_TYPES``."""
        path = Path(path)
        if not path.is_file():
            raise InputError(Errors.E055.format(path=path))
        sio = skops_io(TRUSTED_TYPES)
        from skops.io.exceptions import UntrustedTypesFoundException
        try:
            # one reading of the file: skops audits every type in it against the list before
            # constructing anything (reading it twice, to list its types first, took a second)
            pipeline = sio.load(path, trusted=TRUSTED_TYPES)
        except UntrustedTypesFoundException:
            refused = sorted(set(sio.get_untrusted_types(file=path)) - set(TRUSTED_TYPES))
            raise InputError(Errors.E057.format(path=path, types=", ".join(refused))) from None
        except Exception:  # noqa: BLE001 - any parse failure means "not a skops model file"
            raise InputError(Errors.E056.format(path=path)) from None
        sidecar_path = path.with_suffix(".json")
        if not sidecar_path.is_file():
            raise InputError(Errors.E052.format(path=sidecar_path))
        sidecar = json.loads(sidecar_path.read_text(encoding="utf-8"))
        labels = tuple(sidecar["labels"])
        unknown = set(labels) - set(taxonomy.LABELS)
        if unknown:
            raise InputError(Errors.E058.format(path=sidecar_path, labels=sorted(unknown)))
        return cls(pipeline=pipeline, labels=labels, thresholds={k: float(v) for k, v in sidecar["thresholds"].items()},
                   meta=sidecar.get("meta", {}))
