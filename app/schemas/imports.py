"""Imports of a year's scores, criteria or published results from a file, at the HTTP edge."""

from datetime import datetime
from enum import StrEnum

from pydantic import Field

from app.schemas.base import ApiInput, ApiModel, Code, CorrectionReason, IndexOut, with_examples
from app.schemas.problems import ProblemItem
from app.schemas.vocabularies import MissingLeaves, PublishedFigure

CHANGE = {
    "unit_code": "DEMO-DEP-HEALTH",
    "criterion_code": "1.1",
    "field": "final_score",
    "before": "1.28",
    "after": "1.3",
}
SHA256 = "a0fc43944b58bce9f7bf52bc4d4d470ad72b33dba6cb0d44e99a0d368659f14f"


class ImportKind(StrEnum):
    """What a file holds: leaf scores, a group's criteria tree and bands, or published results."""

    SCORES = "scores"
    CRITERIA = "criteria"
    PUBLISHED = "published"


class ImportOutcome(StrEnum):
    """applied: written; unchanged: equal to what is stored; rejected: nothing written, see
    `problems`; dry_run: checked and reported, nothing written."""

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

    model_config = with_examples(CHANGE)

    unit_code: str | None
    criterion_code: str | None
    field: str
    before: str | None
    after: str | None


class ImportMismatchRead(ApiModel):
    """A published index that differs from the index computed from the unit's leaf scores."""

    model_config = with_examples(
        {"unit_code": "DEMO-DEP-HEALTH", "published": "83.60", "computed": "83.58"}
    )

    unit_code: str
    published: IndexOut
    computed: IndexOut


class ImportFigureMismatchRead(ApiModel):
    """A total, index or rank that a group sheet computes, where it differs from the service's
    figure for the unit's scores in the file (the sheet's figures are never stored)."""

    model_config = with_examples(
        {
            "sheet": "department",
            "row": 7,
            "column": "index",
            "unit_code": "DEMO-DEP-HEALTH",
            "in_file": "83.6",
            "computed": "83.58",
        }
    )

    sheet: str
    row: int
    column: PublishedFigure
    unit_code: str
    in_file: str = Field(description="The cell as the sheet computed it.")
    computed: str = Field(
        description="The service's figure: total and index as decimal strings, rank an integer."
    )


class ImportReportRead(ApiModel):
    model_config = with_examples(
        {
            "id": 2,
            "year": 2023,
            "kind": "scores",
            "outcome": "dry_run",
            "dry_run": True,
            "file_name": "scores-2023.csv",
            "file_format": "csv",
            "sha256": SHA256,
            "size_bytes": 84,
            "counts": {
                "rows": 1,
                "units": 1,
                "added": 0,
                "changed": 1,
                "removed": 0,
                "unchanged": 41,
                "zero_filled": 0,
            },
            "changes": [CHANGE],
            "changes_omitted": 0,
            "problems": [],
            "revision": 1,
            "mismatches": [],
            "figure_mismatches": [],
            "summary_vi": "Chạy thử tệp scores-2023.csv: 1 đơn vị; 0 thêm, 1 sửa, 0 xoá, 41 giữ; "
            "chưa ghi gì.",
            "summary_en": "Dry run of scores-2023.csv: 1 unit(s); 0 added, 1 changed, 0 removed, "
            "41 unchanged; nothing written.",
        }
    )

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
    figure_mismatches: list[ImportFigureMismatchRead] = Field(
        default_factory=list,
        description="Scores: totals, indices and ranks computed by the file's group sheets that "
        "differ from the service's, rounded half-up to two decimals as published (a rank only "
        "where the file scores every unit of the group).",
    )
    summary_vi: str = Field(description="What the import did, in one line of Vietnamese.")
    summary_en: str = Field(description="The same line in English.")


class ImportRecordRead(ApiModel):
    model_config = with_examples(
        {
            "id": 2,
            "kind": "scores",
            "file_name": "scores-2023.csv",
            "file_format": "csv",
            "sha256": SHA256,
            "size_bytes": 84,
            "dry_run": True,
            "outcome": "dry_run",
            "counts": {"rows": 1, "units": 1, "changed": 1, "unchanged": 41},
            "problem_count": 0,
            "revision": 1,
            "actor": "Provincial Home Affairs editor (key 3)",
            "created_at": "2025-07-02T03:15:00Z",
        }
    )

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
