"""The pages' words in Vietnamese and English (the catalogue's `page.*`), and numbers written the
way each language does."""

from decimal import ROUND_HALF_UP, Decimal

from app.core.i18n import Language
from app.core.messages import say
from app.schemas.base import format_decimal, format_index


class Texts:
    """The words of one language: `t("rank")`, `t("up", n=2)`."""

    def __init__(self, language: Language) -> None:
        self.language = language

    def __call__(self, key: str, **values: object) -> str:
        return say(self.language, f"page.{key}", **values)

    def number(self, value: Decimal | None, *, places: int | None = None) -> str:
        """A decimal as the language writes it: 8,5 in Vietnamese, 8.5 in English.

        Without `places`, as many decimals as the value needs (a 9.5000 maximum shows 9,5);
        `places` rounds for display only (half-up), e.g. a group mean kept to four decimals.
        """
        if value is None:
            return "–"
        if places is not None:
            text = format(value.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP), "f")
        else:
            text = format_decimal(value)
        return self._localised(text)

    def index(self, value: Decimal | None) -> str:
        """An index with its two published decimals: 87,21 / 87.21, and 87,20 stays 87,20."""
        return "–" if value is None else self._localised(format_index(value))

    def _localised(self, text: str) -> str:
        return text.replace(".", ",") if self.language == "vi" else text
