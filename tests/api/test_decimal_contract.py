"""Every decimal the API reads or writes is documented as a string with a `pattern` and an
example, so that generated clients and schemathesis know the form, never a bare number."""

import importlib
import pkgutil
import re
from collections.abc import Iterator
from decimal import Decimal
from typing import Any, get_args

import pytest
from pydantic import BaseModel

import app.schemas as schemas_package
from app.main import default_document

DOCUMENT = default_document()
COMPONENTS: dict[str, Any] = DOCUMENT["components"]["schemas"]


def _models(base: type[BaseModel] = BaseModel) -> Iterator[type[BaseModel]]:
    for model in base.__subclasses__():
        if model.__module__.startswith("app.schemas"):
            yield model
        yield from _models(model)


def _holds_decimal(annotation: Any) -> bool:
    return annotation is Decimal or any(_holds_decimal(arg) for arg in get_args(annotation))


def decimal_fields() -> list[tuple[str, str]]:
    for module in pkgutil.walk_packages(schemas_package.__path__, "app.schemas."):
        importlib.import_module(module.name)
    found = set()
    for model in _models():
        for name, field in model.model_fields.items():
            if _holds_decimal(field.annotation):
                for component in (
                    model.__name__,
                    f"{model.__name__}-Input",
                    f"{model.__name__}-Output",
                ):
                    if component in COMPONENTS:
                        found.add((component, field.alias or name))
    return sorted(found)


def _branches(schema: dict[str, Any]) -> Iterator[dict[str, Any]]:
    for key in ("anyOf", "oneOf"):
        for branch in schema.get(key, []):
            yield from _branches(branch)
    if "items" in schema:
        yield from _branches(schema["items"])
    if "type" in schema:
        yield schema


def test_the_walk_finds_the_decimals() -> None:
    found = decimal_fields()
    assert ("RankingEntryRead", "index") in found
    assert ("LeafScoreIn", "final_score") in found


@pytest.mark.parametrize(("component", "field"), decimal_fields())
def test_a_decimal_is_a_string_with_a_pattern_and_an_example(component: str, field: str) -> None:
    schema = COMPONENTS[component]["properties"][field]
    strings = [b for b in _branches(schema) if b["type"] == "string"]
    assert strings, schema
    for branch in strings:
        assert branch.get("pattern"), schema
        assert branch.get("examples"), schema
        for example in branch["examples"]:
            assert re.fullmatch(branch["pattern"], example), (example, branch["pattern"])
    numbers = [b for b in _branches(schema) if b["type"] == "number"]
    # A number is accepted in requests only, beside its string form.
    assert not numbers or component.endswith("In") or "Put" in component or "-Input" in component
