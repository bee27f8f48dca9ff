"""Pydantic's validation errors worded from the catalogue, by error type.

Pydantic writes its messages in English only. Each error carries a stable `type` and the values
its message quotes (`ctx`), so the catalogue holds `validation.<type>` with those values; a type
the catalogue lacks keeps Pydantic's English text inside a Vietnamese frame rather than failing.
A validator of ours raises `PydanticCustomError(<type>, …)` with a type of the catalogue.
"""

from collections.abc import Mapping
from typing import Any

from app.core.messages import Message, catalogue, has_message, message, placeholders

UNWORDED = "validation.other"


def validation_message(error: Mapping[str, Any]) -> Message:
    """The catalogue's wording of one error of `ValidationError.errors()`."""
    key = f"validation.{error.get('type', '')}"
    context = {name: _plain(value) for name, value in (error.get("ctx") or {}).items()}
    if isinstance(context.get("expected"), str):
        context["expected"] = _choices(context["expected"])
    if has_message(key) and _quotable(key, context):
        return message(key, **context)
    return message(UNWORDED, text=str(error.get("msg", "")))


def _choices(expected: str) -> Message | str:
    """Pydantic lists the allowed values in English ("'vi' or 'en'"): the last "or" is worded."""
    first, separator, last = expected.rpartition(" or ")
    return message("validation.choices", first=first, last=last) if separator else expected


def _plain(value: Any) -> Any:
    # ctx may hold the exception a validator raised; its text is what a message quotes.
    return str(value) if isinstance(value, BaseException) else value


def _quotable(key: str, context: Mapping[str, Any]) -> bool:
    wording = catalogue()[key]
    return placeholders(wording.vi) | placeholders(wording.en) <= context.keys()
