"""What an import changes: per key added, changed, removed or unchanged; the first changes."""

from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from app.schemas.base import format_decimal
from app.schemas.imports import ImportChangeRead

CHANGE_LIMIT = 500


def change_text(value: object) -> str | None:
    if value is None:
        return None
    return format_decimal(value) if isinstance(value, Decimal) else str(value)


@dataclass
class Diff:
    """Per key: added, changed, removed or unchanged; the first changes field by field."""

    counts: dict[str, int] = field(
        default_factory=lambda: {"added": 0, "changed": 0, "removed": 0, "unchanged": 0}
    )
    changes: list[ImportChangeRead] = field(default_factory=list)
    change_total: int = 0

    @property
    def is_empty(self) -> bool:
        return self.counts["added"] + self.counts["changed"] + self.counts["removed"] == 0

    def note(
        self,
        unit_code: str | None,
        criterion_code: str | None,
        fields: Sequence[str],
        before: Sequence[Any] | None,
        after: Sequence[Any] | None,
    ) -> None:
        """Count a key as added (no before), removed (no after), changed or unchanged."""
        if before == after:
            self.counts["unchanged"] += 1
            return
        self.counts["added" if before is None else "removed" if after is None else "changed"] += 1
        self.list_changes(unit_code, criterion_code, fields, before, after)

    def list_changes(
        self,
        unit_code: str | None,
        criterion_code: str | None,
        fields: Sequence[str],
        before: Sequence[Any] | None,
        after: Sequence[Any] | None,
    ) -> None:
        """List the fields that differ, while the list has room (counts are the caller's)."""
        nothing = (None,) * len(fields)
        for name, old, new in zip(fields, before or nothing, after or nothing, strict=True):
            if old == new:
                continue
            self.change_total += 1
            if len(self.changes) < CHANGE_LIMIT:
                self.changes.append(
                    ImportChangeRead(
                        unit_code=unit_code,
                        criterion_code=criterion_code,
                        field=name,
                        before=change_text(old),
                        after=change_text(new),
                    )
                )
