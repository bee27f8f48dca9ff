"""The Jinja2 environment for the pages: templates shipped in this package, autoescaped."""

from functools import cache
from typing import Any

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape


@cache
def environment() -> Environment:
    """Built at the first render, not at import. StrictUndefined: a misspelt name in a
    template fails the render (and the tests) instead of printing nothing."""
    return Environment(
        loader=PackageLoader("app.pages", "templates"),
        autoescape=select_autoescape(("html",)),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )


def render(template: str, **context: Any) -> str:
    return environment().get_template(template).render(**context)
