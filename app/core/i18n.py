"""Choosing Vietnamese or English labels from the Accept-Language header."""

from typing import Literal

Language = Literal["vi", "en"]
DEFAULT_LANGUAGE: Language = "vi"


def preferred_language(header: str | None) -> Language:
    """The supported language with the highest q-value; Vietnamese when none is acceptable.

    'en-US,en;q=0.9,vi;q=0.8' → 'en'; 'fr' → 'vi'; a missing or garbled header → 'vi'.
    """
    best: tuple[float, int, Language] | None = None
    for position, part in enumerate((header or "").split(",")):
        tag, _, params = part.strip().partition(";")
        primary = tag.strip().lower().split("-")[0]
        if primary not in ("vi", "en"):
            continue
        quality = 1.0
        params = params.strip()
        if params.startswith("q="):
            try:
                quality = float(params[2:])
            except ValueError:
                continue
        if quality <= 0:
            continue
        language: Language = "vi" if primary == "vi" else "en"
        candidate = (quality, -position, language)
        if best is None or candidate[:2] > best[:2]:
            best = candidate
    return best[2] if best else DEFAULT_LANGUAGE


def pick(language: Language, vi: str, en: str) -> str:
    return vi if language == "vi" else en
