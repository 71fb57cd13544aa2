"""Dense sentence features from static token embeddings that ship inside a wheel.

``StaticEmbeddings`` is a scikit-learn transformer: a sentence becomes the mean of its
tokens' vectors in WordLlama's bundled table (``wordllama`` wheel, MIT:
``weights/l2_supercat_256.safetensors``, 32,000 Llama-2 tokens x 256, float16, and the
tokenizer beside it). Words the n-gram features never saw in training still get a vector
near the words they mean, which is what lets the classifier read registers it was not
trained on ("lacked the insight needed to safeguard" sits near "lacks insight").

Nothing is downloaded: the files are read from the installed package with ``safetensors``
and ``tokenizers`` (WordLlama's own ``WordLlama.load(disable_download=True)`` looks for
the tokenizer under ``tokenizer/`` while the wheel ships it under ``tokenizers/``, so it
fails offline). The table is read at the first ``transform`` and kept once per process,
so loading a model costs nothing until a sentence is scored. The model file stores only
where the table comes from and its SHA-256, never the table: a model refuses to run on
other weights than those it was trained with.
"""
from __future__ import annotations

import functools
import hashlib
import importlib.util
import re
from pathlib import Path

import numpy as np
from scipy import sparse
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.utils.validation import check_is_fitted

from ..errors import Errors, InputError

# role markers of the normalized text ("_survivor_") read as the plain role word, which the
# table knows; the underscores alone would be split into meaningless pieces
_ROLE_MARKER = re.compile(r"_([a-z]+)_")


def package_file(package: str, relative: str) -> Path:
    """The path of a file inside an installed package, found without importing the package."""
    spec = importlib.util.find_spec(package)
    locations = list(spec.submodule_search_locations or []) if spec is not None else []
    for location in locations:
        path = Path(location) / relative
        if path.is_file():
            return path
    raise InputError(Errors.E160.format(package=package, file=relative))


@functools.lru_cache(maxsize=4)
def _sha256(path: str) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


@functools.lru_cache(maxsize=2)
def load_table(weights: str, tokenizer: str, tensor: str):
    """Read (tokenizer, float32 table) once per process; both paths are files of a package."""
    from safetensors.numpy import load_file
    from tokenizers import Tokenizer

    tensors = load_file(weights)
    if tensor not in tensors:
        raise InputError(Errors.E161.format(path=weights, tensor=tensor, found=", ".join(sorted(tensors))))
    table = np.ascontiguousarray(tensors[tensor], dtype=np.float32)
    tok = Tokenizer.from_file(tokenizer)
    tok.no_padding()
    tok.no_truncation()
    return tok, table


class StaticEmbeddings(TransformerMixin, BaseEstimator):
    """Mean of static token embeddings per sentence (a text column in, ``dim_`` floats out).

    Parameters
    ----------
    package, weights, tokenizer, tensor:
        Where the table lives: files inside an installed package (read-only, offline).
    role_words:
        Read "_survivor_" as "survivor" (the role markers of ``normalized_text``).
    """

    def __init__(self, *, package: str = "wordllama", weights: str = "weights/l2_supercat_256.safetensors",
                 tokenizer: str = "tokenizers/l2_supercat_tokenizer_config.json", tensor: str = "embedding.weight",
                 role_words: bool = True, batch_size: int = 1024) -> None:
        self.package = package
        self.weights = weights
        self.tokenizer = tokenizer
        self.tensor = tensor
        self.role_words = role_words
        self.batch_size = batch_size

    def _table(self):
        weights = package_file(self.package, self.weights)
        tokenizer = package_file(self.package, self.tokenizer)
        return str(weights), *load_table(str(weights), str(tokenizer), self.tensor)

    def fit(self, X, y=None):
        """Check the table is installed and remember which one it is; nothing is learned."""
        texts = self._texts(X)
        weights, _, table = self._table()
        self.weights_sha256_ = _sha256(weights)
        self.dim_ = int(table.shape[1])
        self.n_features_in_ = 1
        del texts
        return self

    def transform(self, X) -> np.ndarray:
        """Return an (n, ``dim_``) float32 array: each text's mean token vector (zeros if empty)."""
        check_is_fitted(self, ("weights_sha256_", "dim_"))
        texts = self._texts(X)
        weights, tok, table = self._table()
        if _sha256(weights) != self.weights_sha256_:
            raise InputError(Errors.E162.format(path=weights, package=self.package))
        out = np.zeros((len(texts), self.dim_), dtype=np.float32)
        for start in range(0, len(texts), self.batch_size):
            chunk = texts[start:start + self.batch_size]
            ids = [enc.ids for enc in tok.encode_batch_fast(chunk, add_special_tokens=False)]
            lengths = np.fromiter(map(len, ids), dtype=np.int64, count=len(ids))
            indptr = np.concatenate([[0], np.cumsum(lengths)])
            flat = np.fromiter((i for row in ids for i in row), dtype=np.int64, count=int(indptr[-1]))
            np.clip(flat, 0, table.shape[0] - 1, out=flat)
            # the mean as a product: row i holds 1/len_i at each of its tokens (an empty text stays 0)
            weights = np.repeat(1.0 / np.maximum(lengths, 1), lengths).astype(np.float32)
            means = sparse.csr_matrix((weights, flat, indptr), shape=(len(ids), table.shape[0])) @ table
            out[start:start + len(ids)] = means
        return out

    def get_feature_names_out(self, input_features=None) -> np.ndarray:
        check_is_fitted(self, "dim_")
        return np.asarray([f"{self.package}_{i}" for i in range(self.dim_)], dtype=object)

    def _texts(self, X) -> list[str]:
        if hasattr(X, "iloc") and getattr(X, "ndim", 1) == 2:  # a one-column DataFrame
            X = X.iloc[:, 0]
        values = np.asarray(X, dtype=object).ravel()
        texts = ["" if v is None else str(v) for v in values]
        if self.role_words:
            texts = [_ROLE_MARKER.sub(r"\1", t) for t in texts]
        return texts
