"""Responses whose JSON was rendered once and is served from memory."""

from typing import Any

from fastapi.responses import JSONResponse

from app.core.i18n import Language

# The body depends on the negotiated language and format: shared caches must key on both.
VARY = "Accept, Accept-Language"


class RenderedJSON(JSONResponse):
    """A JSON response whose body is already encoded; documented in OpenAPI as JSON."""

    def render(self, content: Any) -> bytes:
        if isinstance(content, bytes):
            return content
        return super().render(content)


def rendered(content: bytes, language: Language) -> RenderedJSON:
    return RenderedJSON(content=content, headers={"Content-Language": language, "Vary": VARY})
