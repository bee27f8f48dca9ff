"""How much an import file may hold, as the readers enforce it (set by `ImportSettings`)."""

from dataclasses import dataclass

from app.core.config import ImportSettings


@dataclass(frozen=True)
class ReadLimits:
    """Bounds on what a reader unpacks or parses; see `ImportSettings` for why each exists."""

    unpacked_bytes: int
    compression_ratio: int
    rows: int
    columns: int
    number_digits: int

    @classmethod
    def from_settings(cls, settings: ImportSettings) -> "ReadLimits":
        return cls(
            unpacked_bytes=settings.max_unpacked_bytes,
            compression_ratio=settings.max_compression_ratio,
            rows=settings.max_rows,
            columns=settings.max_columns,
            number_digits=settings.max_number_digits,
        )


DEFAULT_LIMITS = ReadLimits.from_settings(ImportSettings())
