"""Training folds: registers and jurisdictions held out whole, records never split."""
from __future__ import annotations

import numpy as np
import pytest

from record_audit import taxonomy
from record_audit.errors import InputError
from record_audit.model.train import Examples, held_out_folds, threshold_folds

REGISTERS = ["case_note", "judgment", "police", "complaint", "referral"]
JURISDICTIONS = ["US", "UK-EN", "UK-SC", "AU"]


def examples(n_records=20, seed=0) -> Examples:
    """Records of 2-6 sentences, each record with one register and one jurisdiction."""
    rng = np.random.default_rng(seed)
    groups, registers, jurisdictions = [], [], []
    for r in range(n_records):
        register, jurisdiction = REGISTERS[r % len(REGISTERS)], JURISDICTIONS[(r * 3) % len(JURISDICTIONS)]
        for _ in range(int(rng.integers(2, 7))):
            groups.append(f"R{r:02d}")
            registers.append(register)
            jurisdictions.append(jurisdiction)
    n, k = len(groups), len(taxonomy.LABELS)
    return Examples(rows=[{"text": "", "norm_text": "", "feats": {}}] * n, y=np.zeros((n, k), dtype=int),
                    rules=np.zeros((n, k), dtype=int), groups=np.array(groups), texts=[""] * n,
                    registers=np.array(registers, dtype=object), jurisdictions=np.array(jurisdictions, dtype=object))


@pytest.mark.parametrize("by,values", [("register", REGISTERS), ("jurisdiction", JURISDICTIONS)])
def test_each_value_is_held_out_once_and_records_are_never_split(by, values):
    ex = examples()
    folds = held_out_folds(ex, by)
    assert sorted(f.held_out for f in folds) == sorted(values)
    column = ex.registers if by == "register" else ex.jurisdictions
    every_row = np.concatenate([f.test for f in folds])
    assert sorted(every_row.tolist()) == list(range(len(ex)))  # each row held out exactly once
    for fold in folds:
        assert set(column[fold.test].tolist()) == {fold.held_out}
        assert fold.held_out not in set(column[fold.train].tolist())
        assert not set(ex.groups[fold.train]) & set(ex.groups[fold.test])
        assert len(fold.train) + len(fold.test) == len(ex)


def test_fewer_folds_still_hold_whole_registers_out():
    ex = examples()
    folds = held_out_folds(ex, "register", n_splits=3)
    assert len(folds) == 3
    held = [set(f.held_out.split("+")) for f in folds]
    assert set().union(*held) == set(REGISTERS) and sum(map(len, held)) == len(REGISTERS)
    for fold in folds:
        assert not set(ex.registers[fold.train].tolist()) & set(ex.registers[fold.test].tolist())


def test_thresholds_are_tuned_on_register_held_out_folds():
    ex = examples()
    for train, test in threshold_folds(ex):
        assert not set(ex.registers[train].tolist()) & set(ex.registers[test].tolist())


def test_one_register_cannot_be_held_out():
    ex = examples()
    ex.registers[:] = "case_note"
    with pytest.raises(InputError, match="E163"):
        held_out_folds(ex, "register")
    with pytest.raises(InputError, match="E163"):
        held_out_folds(ex, "team")
    # thresholds then come from record-grouped folds
    for train, test in threshold_folds(ex):
        assert not set(ex.groups[train]) & set(ex.groups[test])


def test_collected_examples_carry_their_records_register(nlp_rules, tmp_path):
    import json

    from record_audit.io import read_annotated
    from record_audit.model.train import collect_examples

    lines = [{"record_id": rid, "register": register, "jurisdiction": "NZ", "notes": [{"sentences": [
        {"text": "He took her phone.", "labels": ["perpetrator_pattern"], "context": None},
        {"text": "Home visit completed.", "labels": [], "context": None}]}]}
        for rid, register in (("A", "judgment"), ("B", "police"))]
    lines.append({"record_id": "C", "notes": [{"sentences": [{"text": "Bus pass.", "labels": []}]}]})
    path = tmp_path / "gold.jsonl"
    path.write_text("".join(json.dumps(l) + "\n" for l in lines), encoding="utf-8")
    ex = collect_examples(nlp_rules, list(read_annotated(path)))
    assert ex.registers.tolist() == ["judgment", "judgment", "police", "police", "unspecified"]
    assert ex.jurisdictions.tolist() == ["NZ", "NZ", "NZ", "NZ", "unspecified"]
