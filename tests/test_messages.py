"""Every message a user can see lives in errors.py with its code (issue 13)."""
from __future__ import annotations

import ast
import warnings
from collections import Counter
from pathlib import Path

from record_audit.errors import AuditWarning, Warnings, warn

PACKAGE = Path(__file__).resolve().parents[1] / "src" / "record_audit"

# Places that still write a message inline, per module: none since the restructure moved them
# all into errors.py. A module listed here may keep that many; this table may only shrink.
STILL_INLINE: dict[str, int] = {}
LOG_METHODS = {"warning", "warn", "error", "info", "critical", "exception"}


def _literal(node: ast.AST) -> bool:
    """A message written in place: a string constant, an f-string, or a concatenation of them."""
    if isinstance(node, ast.Constant):
        return isinstance(node.value, str)
    if isinstance(node, ast.JoinedStr):
        return True
    if isinstance(node, ast.BinOp):
        return _literal(node.left) or _literal(node.right)
    return False


def inline_messages() -> Counter:
    found: Counter = Counter()
    for path in sorted(PACKAGE.rglob("*.py")):
        rel = path.relative_to(PACKAGE).as_posix()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Raise) and isinstance(node.exc, ast.Call) and node.exc.args:
                name = getattr(node.exc.func, "id", getattr(node.exc.func, "attr", ""))
                if name != "AttributeError" and _literal(node.exc.args[0]):  # module __getattr__'s own
                    found[rel] += 1
            elif (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
                  and node.func.attr in LOG_METHODS and node.args and _literal(node.args[0])
                  and getattr(node.func.value, "id", "") in {"log", "logger", "logging", "warnings"}):
                found[f"{rel}:log"] += 1
    return found


def test_no_new_inline_message():
    found = inline_messages()
    grown = {place: n for place, n in found.items() if n > STILL_INLINE.get(place, 0)}
    assert not grown, (f"messages written inline (move them into errors.py with a code): {grown}")


def test_the_table_of_inline_messages_is_kept_current():
    """When messages move into errors.py, lower STILL_INLINE so they cannot come back."""
    found = inline_messages()
    stale = {place: (n, found.get(place, 0)) for place, n in STILL_INLINE.items() if found.get(place, 0) < n}
    assert not stale, f"STILL_INLINE allows more than remain (allowed, found): {stale}"


def test_warnings_carry_their_code_and_can_be_filtered_by_it():
    message = Warnings.W002.format(path="notes.csv")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        warn(message)
    assert [str(w.message) for w in caught] == [message]
    assert caught[0].category is AuditWarning and message.startswith("[W002] ")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        warnings.filterwarnings("ignore", message=r"\[W002\]", category=AuditWarning)
        warn(message)
        warn(Warnings.W003.format(path="notes.csv", row=3, column="text"))
    assert [str(w.message)[:6] for w in caught] == ["[W003]"]
