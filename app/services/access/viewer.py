"""Whom years and results are shown to, and so whether draft years exist for them."""

from dataclasses import dataclass
from typing import Literal

from app.models.enums import YearStatus


@dataclass(frozen=True, slots=True)
class Viewer:
    """Who is asking for years and results, as far as draft years are concerned.

    A draft year is work in progress. The editorial side prepares it and sees it: editors,
    publishers and admins, and the operator's own tools (the CLI, the data-set loader,
    imports). For the public (anonymous callers, readers, the open-data dump) a draft year
    does not exist: the same 404 as a year never created, so not even its existence leaks.
    """

    audience: Literal["public", "editorial"]

    @property
    def sees_drafts(self) -> bool:
        return self.audience == "editorial"

    def sees(self, year_status: str) -> bool:
        """Whether a year with this status exists for this viewer."""
        return self.sees_drafts or year_status != YearStatus.DRAFT


# Anonymous callers and readers; and the dump, whatever the role, as it is the public record.
PUBLIC = Viewer("public")
# Editors and above; and the CLI, the data-set loader and imports, which write draft years.
EDITORIAL = Viewer("editorial")
