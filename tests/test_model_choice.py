"""Which model a run uses (CONTRACT section 8): one function, each step of its precedence."""
from __future__ import annotations

import json
import re
import warnings
from pathlib import Path

import pytest

from record_audit.errors import AuditWarning, InputError
from record_audit.model import registry
from record_audit.model.registry import CURRENT_FILE, MODELS_ENV, choose_model, models_folder
from record_audit.resources import shipped


def models_dir(folder: Path, name: str) -> Path:
    """A models folder adopting ``name`` (the file only has to exist: nothing is loaded)."""
    folder.mkdir(parents=True)
    (folder / name).write_bytes(b"")
    (folder / CURRENT_FILE).write_text(json.dumps({"model": name}), encoding="utf-8")
    return folder


@pytest.fixture
def places(tmp_path, monkeypatch):
    """Four folders with a model each, and a working directory that has none."""
    monkeypatch.delenv(MODELS_ENV, raising=False)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    return {"given": models_dir(tmp_path / "given", "given.skops"),
            "env": models_dir(tmp_path / "env", "env.skops"),
            "cwd": models_dir(tmp_path / "project" / "models", "cwd.skops").parent,
            "elsewhere": elsewhere}


def test_rules_only_uses_no_model_whatever_else_is_given(places, monkeypatch):
    monkeypatch.setenv(MODELS_ENV, str(places["env"]))
    assert choose_model(rules_only=True, model="m.skops", models_dir=places["given"], cwd=places["cwd"]) is None


def test_a_model_file_comes_before_any_folder(places, monkeypatch):
    monkeypatch.setenv(MODELS_ENV, str(places["env"]))
    assert choose_model(model="m.skops", models_dir=places["given"], cwd=places["cwd"]) == Path("m.skops")


def test_models_dir_comes_before_the_environment_and_the_working_directory(places, monkeypatch):
    monkeypatch.setenv(MODELS_ENV, str(places["env"]))
    assert choose_model(models_dir=places["given"], cwd=places["cwd"]).name == "given.skops"


def test_the_environment_comes_before_the_working_directory(places, monkeypatch):
    monkeypatch.setenv(MODELS_ENV, str(places["env"]))
    assert choose_model(cwd=places["cwd"]).name == "env.skops"


def test_the_working_directorys_models_come_before_the_shipped_model(places):
    assert choose_model(cwd=places["cwd"]).name == "cwd.skops"
    # the working directory is the process's unless given: the same call from the project folder
    assert choose_model(cwd=places["elsewhere"]) == choose_model()


def test_the_shipped_model_is_the_last_resort(places):
    found = choose_model()
    assert found is not None and found.parent == shipped("models")
    assert found == registry.adopted_model(shipped("models"))


def test_no_model_anywhere_runs_rules_only_with_a_coded_warning(places, monkeypatch):
    monkeypatch.setattr(registry, "shipped", lambda name: places["elsewhere"] / "nothing")
    with pytest.warns(AuditWarning, match=r"^\[W010\] no classifier model found"):
        assert choose_model() is None


@pytest.mark.parametrize("by_env", [False, True])
def test_an_explicit_folder_must_exist_and_adopt_a_model(places, monkeypatch, by_env):
    empty = places["elsewhere"] / "empty"
    empty.mkdir()

    def choose(folder):
        if by_env:
            monkeypatch.setenv(MODELS_ENV, str(folder))
            return choose_model(cwd=places["cwd"])
        return choose_model(models_dir=folder, cwd=places["cwd"])

    given_by = "$" + MODELS_ENV if by_env else "--models-dir"
    source = re.escape(f"(from {given_by})")
    with pytest.raises(InputError, match=rf"\[E044\] .*missing {source}: no such models folder"):
        choose(places["elsewhere"] / "missing")
    with pytest.raises(InputError, match=rf"\[E045\] .*empty {source}: no current.json"):
        choose(empty)


def test_the_models_commands_folder_follows_the_same_order(places, monkeypatch):
    assert models_folder(cwd=places["cwd"]) == places["cwd"] / "models"
    assert models_folder(read_only=True) == shipped("models")  # listing; nothing is adopted there
    assert models_folder() == places["elsewhere"] / "models"
    monkeypatch.setenv(MODELS_ENV, str(places["env"]))
    assert models_folder(cwd=places["cwd"]) == places["env"]
    assert models_folder(places["given"], cwd=places["cwd"]) == places["given"]


def test_choosing_a_model_warns_of_nothing_when_one_is_found(places):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        choose_model(cwd=places["cwd"])
