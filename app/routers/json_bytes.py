"""Responses whose JSON was rendered once and is served from memory."""

from fastapi import Response

from app.i18n import Language


class RenderedJSON(Response):
    media_type = "application/json"


def rendered(content: bytes, language: Language) -> RenderedJSON:
    return RenderedJSON(content=content, headers={"Content-Language": language})
