"""Accept-style headers (Accept, Accept-Language): entries with q-values, and the best offer."""

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TypeVar

T = TypeVar("T")


@dataclass(frozen=True)
class Preference:
    value: str  # lower-cased, parameters other than q removed
    quality: float


def parse_preferences(header: str | None) -> list[Preference]:
    """The header's entries in order, e.g. 'en-US,en;q=0.9' → en-us 1.0, en 0.9.

    An entry whose q is not a number from 0 to 1 is dropped (RFC 9110 §12.4.2 allows nothing
    else), so a garbled header falls back to the default rather than guessing.
    """
    preferences = []
    for entry in (header or "").split(","):
        value, *params = entry.split(";")
        quality: float | None = 1.0
        for param in params:
            name, _, raw = param.partition("=")
            if name.strip().lower() == "q":
                quality = _quality(raw)
        if value.strip() and quality is not None:
            preferences.append(Preference(value.strip().lower(), quality))
    return preferences


def _quality(raw: str) -> float | None:
    try:
        quality = float(raw)
    except ValueError:
        return None
    return quality if 0 <= quality <= 1 else None


def best_offer(
    header: str | None, offers: Mapping[str, T], *, key: Callable[[str], str] = str
) -> T | None:
    """The offer the header rates highest, the earliest entry winning a tie; None when the
    header accepts none of them (q=0 means "not acceptable"). `key` maps an entry to the
    name offers are known by, e.g. a language tag to its primary subtag."""
    best: tuple[float, T] | None = None
    for preference in parse_preferences(header):
        offer = offers.get(key(preference.value))
        if offer is None or preference.quality <= 0:
            continue
        if best is None or preference.quality > best[0]:
            best = (preference.quality, offer)
    return best[1] if best else None
