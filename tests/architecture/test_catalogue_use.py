"""What the service says to a person goes through the catalogue (app/core/messages.toml).

Read from the source: every message id the code names exists, every problem type has a title,
and no refusal, problem or import message is written as a bare string or f-string.
"""

import ast
from collections.abc import Iterator
from functools import cache
from pathlib import Path

import pytest

import app.main  # noqa: F401  (imports every module that defines an error)
from app.core.errors import ServiceError, has_title
from app.core.messages import has_message

APP = Path(__file__).resolve().parents[2] / "app"
# Callables taking a message: where it is (position, keyword).
MESSAGE_ARGUMENT = {"Problem": (1, "msg"), "add": (1, "msg"), "add_at": (2, "msg")}


def _modules() -> list[Path]:
    return sorted(APP.rglob("*.py"))


def _calls(path: Path) -> Iterator[ast.Call]:
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Call):
            yield node


def _name(call: ast.Call) -> str:
    func = call.func
    return (
        func.id
        if isinstance(func, ast.Name)
        else func.attr
        if isinstance(func, ast.Attribute)
        else ""
    )


@cache
def _error_class_names() -> frozenset[str]:
    """ServiceError and every subclass defined anywhere in app/."""
    bases: dict[str, set[str]] = {}
    for path in _modules():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ClassDef):
                bases[node.name] = {b.id for b in node.bases if isinstance(b, ast.Name)}
    found = {"ServiceError"}
    while grown := {name for name, parents in bases.items() if parents & found} - found:
        found |= grown
    return frozenset(found)


def _is_bare_text(node: ast.expr | None) -> bool:
    text = isinstance(node, ast.Constant) and isinstance(node.value, str)
    return text or isinstance(node, ast.JoinedStr)


def _argument(call: ast.Call, position: int, keyword: str) -> ast.expr | None:
    named = [k.value for k in call.keywords if k.arg == keyword]
    if named:
        return named[0]
    return call.args[position] if len(call.args) > position else None


def _bare_texts(path: Path, errors: frozenset[str]) -> list[str]:
    found = []
    for call in _calls(path):
        name = _name(call)
        if name in errors:
            argument = _argument(call, 0, "detail")
        elif name == "ValueError" and "schemas" in path.parts:
            # A schema's validator speaks to the client: PydanticCustomError with a type of
            # the catalogue ("validation.<type>"), never an English ValueError.
            argument = _argument(call, 0, "msg")
        elif name in MESSAGE_ARGUMENT:
            argument = _argument(call, *MESSAGE_ARGUMENT[name])
        else:
            continue
        if _is_bare_text(argument):
            found.append(f"line {call.lineno}: {name}(…) with a bare string")
    return found


@pytest.mark.parametrize("path", _modules(), ids=lambda p: str(p.relative_to(APP.parent)))
def test_refusals_and_problems_are_catalogue_messages(path: Path) -> None:
    assert _bare_texts(path, _error_class_names()) == []


@pytest.mark.parametrize("path", _modules(), ids=lambda p: str(p.relative_to(APP.parent)))
def test_every_message_id_named_in_the_code_is_in_the_catalogue(path: Path) -> None:
    missing = []
    for call in _calls(path):
        position = {"message": 0, "say": 1}.get(_name(call))
        if position is None or len(call.args) <= position:
            continue
        key = call.args[position]
        if not isinstance(key, ast.Constant) or not isinstance(key.value, str):
            continue  # a computed id: the tests of its module word every value
        if not has_message(key.value):
            missing.append(f"line {call.lineno}: {key.value}")
    assert missing == []


def _subclasses(cls: type[ServiceError]) -> Iterator[type[ServiceError]]:
    for sub in cls.__subclasses__():
        yield sub
        yield from _subclasses(sub)


def test_every_problem_type_has_a_title_in_both_languages() -> None:
    slugs = {ServiceError.slug} | {error.slug for error in _subclasses(ServiceError)}
    assert sorted(slug for slug in slugs if not has_title(slug)) == []


def test_the_scan_sees_bare_strings(tmp_path: Path) -> None:
    planted = tmp_path / "planted.py"
    planted.write_text(
        'raise NotFound(f"No unit {code}.")\n'
        'Problem(["a"], "bad")\n'
        'problems.add_at(3, ["csv", 2], msg="bad")\n'
        'raise NotFound(message("unit.not-found", code=code))\n'
    )
    assert len(_bare_texts(planted, frozenset({"NotFound"}))) == 3
