"""Choosing Vietnamese or English: `?lang=`, else the Accept-Language header, else Vietnamese."""

from typing import Literal

from app.core.negotiation import best_offer

Language = Literal["vi", "en"]
DEFAULT_LANGUAGE: Language = "vi"
LANGUAGES: dict[str, Language] = {"vi": "vi", "en": "en"}


def preferred_language(header: str | None) -> Language:
    """The supported language with the highest q-value; Vietnamese when none is acceptable.

    'en-US,en;q=0.9,vi;q=0.8' → 'en'; 'fr' → 'vi'; a missing or garbled header → 'vi'.
    """
    chosen = best_offer(header, LANGUAGES, key=lambda tag: tag.split("-")[0])
    return chosen or DEFAULT_LANGUAGE


def chosen_language(lang: str | None, accept_language: str | None) -> Language:
    """`?lang=` when it names a supported language, otherwise the header's choice.

    The parameter wins because a link or a client without header control (a browser address
    bar, an iframe) can carry it; the header stays the default for API clients.
    """
    if lang is not None and lang in LANGUAGES:
        return LANGUAGES[lang]
    return preferred_language(accept_language)


def pick(language: Language, vi: str, en: str) -> str:
    return vi if language == "vi" else en
