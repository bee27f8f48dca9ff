"""The catalogue: every sentence the service says to a person, in Vietnamese and English.

The wording lives in `messages.toml` beside this module, one table per message id with both
languages side by side (`vi`, `en`), so a translator reviews a message in one place and a test
sees at once when either language is missing. Code names a message by id with the values it
quotes (`message("unit.not-found", code="LD-X")`); the words are chosen only when the language
of the request is known (`Message.render`), so a service can raise before any request exists.
"""

import string
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cache
from importlib.resources import files
from typing import Any

from app.core.i18n import Language

CATALOGUE_FILE = "messages.toml"
LANGUAGE_KEYS = frozenset({"vi", "en"})


@dataclass(frozen=True, slots=True)
class Wording:
    """One message in both languages: `str.format` templates naming the same values."""

    vi: str
    en: str

    def template(self, language: Language) -> str:
        return self.vi if language == "vi" else self.en


@dataclass(frozen=True, slots=True)
class Message:
    """A message id and the values it quotes; a value may be a Message itself (worded in the
    same language) or a sequence of Messages (joined with commas)."""

    key: str
    values: Mapping[str, Any] = field(default_factory=dict)

    def render(self, language: Language) -> str:
        template = catalogue()[self.key].template(language)
        return template.format(**{name: _worded(v, language) for name, v in self.values.items()})


def message(key: str, /, **values: Any) -> Message:
    return Message(key, values)


def say(language: Language, key: str, /, **values: Any) -> str:
    """The message at once, for a service that already knows the language of its answer."""
    return Message(key, values).render(language)


def _worded(value: Any, language: Language) -> Any:
    if isinstance(value, Message):
        return value.render(language)
    if isinstance(value, list | tuple) and value and all(isinstance(v, Message) for v in value):
        return ", ".join(item.render(language) for item in value)
    return value


@cache
def catalogue() -> dict[str, Wording]:
    """The catalogue, read once per process (a package file, not configuration)."""
    raw = tomllib.loads(files("app.core").joinpath(CATALOGUE_FILE).read_text(encoding="utf-8"))
    wordings, malformed = flatten(raw)
    if malformed:
        raise ValueError(f"{CATALOGUE_FILE}: not a vi/en message: {', '.join(malformed)}")
    return wordings


def flatten(raw: Mapping[str, Any], prefix: str = "") -> tuple[dict[str, Wording], list[str]]:
    """Nested tables to dotted ids. A table holding `vi` or `en` is a message and must hold
    exactly both, as non-empty strings; the ids of anything else are returned as malformed."""
    wordings: dict[str, Wording] = {}
    malformed: list[str] = []
    for name, value in raw.items():
        key = f"{prefix}{name}"
        if not isinstance(value, Mapping):
            malformed.append(key)
        elif LANGUAGE_KEYS & value.keys():  # a message, complete or not
            if value.keys() != LANGUAGE_KEYS or not all(_filled(value[k]) for k in LANGUAGE_KEYS):
                malformed.append(key)
            else:
                wordings[key] = Wording(vi=value["vi"], en=value["en"])
        else:
            nested, bad = flatten(value, f"{key}.")
            wordings |= nested
            malformed += bad
    return wordings, malformed


def _filled(text: object) -> bool:
    return isinstance(text, str) and bool(text.strip())


def placeholders(template: str) -> set[str]:
    """The names a template quotes: '{code} in {year}' → {'code', 'year'}."""
    return {name for _, name, _, _ in string.Formatter().parse(template) if name is not None}


def has_message(key: str) -> bool:
    return key in catalogue()
