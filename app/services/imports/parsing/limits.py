"""How much an import file may hold, as the readers enforce it (set by `ImportSettings`)."""

from dataclasses import dataclass

from app.core.config import ImportSettings


@dataclass(frozen=True)
class ReadLimits:
    """Bounds on what a reader parses; see `ImportSettings` for why each exists."""

    number_digits: int

    @classmethod
    def from_settings(cls, settings: ImportSettings) -> "ReadLimits":
        return cls(number_digits=settings.max_number_digits)


DEFAULT_LIMITS = ReadLimits.from_settings(ImportSettings())
