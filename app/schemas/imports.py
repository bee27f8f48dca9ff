"""Imports of a year's scores, criteria or published results from a file, at the HTTP edge."""

from datetime import datetime
from enum import StrEnum
from typing import Literal

from pydantic import Field

from app.schemas.base import ApiInput, ApiModel, Code, CorrectionReason, IndexOut
from app.schemas.problems import ProblemItem

MissingLeaves = Literal["error", "zero"]


class ImportKind(StrEnum):
    SCORES = "scores"
    CRITERIA = "criteria"
    PUBLISHED = "published"


class ImportOutcome(StrEnum):
    APPLIED = "applied"
    UNCHANGED = "unchanged"
    REJECTED = "rejected"
    DRY_RUN = "dry_run"


class ImportOptions(ApiInput):
    """What to import and how; sent as form fields or query parameters."""

    kind: ImportKind = ImportKind.SCORES
    dry_run: bool = Field(default=False, description="Check and report the diff; write nothing.")
    missing_leaves: MissingLeaves | None = Field(
        default=None,
        description="Scores: a unit's leaves missing from the file are an `error`, or scored "
        "`zero`; default from the settings (`error`).",
    )
    group: Code | None = Field(default=None, description="Criteria: the unit group's code.")
    correction_reason: CorrectionReason = None


class ImportChangeRead(ApiModel):
    """One field that the import sets differently from what is stored (null: absent)."""

    unit_code: str | None
    criterion_code: str | None
    field: str
    before: str | None
    after: str | None


class ImportMismatchRead(ApiModel):
    """A published index that differs from the index computed from the unit's leaf scores."""

    unit_code: str
    published: IndexOut
    computed: IndexOut


class ImportReportRead(ApiModel):
    id: int = Field(description="The import record's id (see GET /years/{year}/imports).")
    year: int
    kind: ImportKind
    outcome: ImportOutcome
    dry_run: bool
    file_name: str
    file_format: str
    sha256: str
    size_bytes: int
    counts: dict[str, int] = Field(
        description="Rows read and per (unit, leaf) added / changed / removed / unchanged; "
        "zero_filled counts leaves written as 0 (missing_leaves=zero)."
    )
    changes: list[ImportChangeRead] = Field(description="The first changes, in file order.")
    changes_omitted: int = Field(description="Changes left out of `changes`.")
    problems: list[ProblemItem] = Field(default_factory=list)
    revision: int = Field(description="The year's published revision after the import (0: draft).")
    mismatches: list[ImportMismatchRead] = Field(default_factory=list)


class ImportRecordRead(ApiModel):
    id: int
    kind: ImportKind
    file_name: str
    file_format: str
    sha256: str
    size_bytes: int
    dry_run: bool
    outcome: ImportOutcome
    counts: dict[str, int]
    problem_count: int
    revision: int | None
    actor: str | None
    created_at: datetime
