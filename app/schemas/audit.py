"""Audit events, publication and revisions at the HTTP edge."""

from datetime import datetime
from typing import Any

from pydantic import Field

from app.schemas.base import ApiInput, ApiModel, Page, with_examples
from app.schemas.vocabularies import RevisionKind

PUBLISHED_2024 = {
    "number": 1,
    "kind": "publish",
    "reason": None,
    "actor": "dataset:lamdong",
    "created_at": "2025-06-20T08:00:00Z",
}


class AuditEventRead(ApiModel):
    model_config = with_examples(
        {
            "id": 112,
            "at": "2025-07-02T03:15:00Z",
            "actor": "Provincial Home Affairs editor (key 3)",
            "action": "replace",
            "entity": "scores",
            "entity_key": "2023/DEMO-DEP-HEALTH",
            "year": 2023,
            "unit_code": "DEMO-DEP-HEALTH",
            "before": [["1.1", "1.31", "1.28", None], ["1.2", "1", "0.91", None]],
            "after": [["1.1", "1.31", "1.28", None], ["1.2", "1", "0.95", None]],
            "reason": "Appeal upheld: periodic reports were filed on time.",
        }
    )

    id: int
    at: datetime
    actor: str | None = Field(description="The API key's name and id, or the CLI user.")
    action: str = Field(description="create, update, replace, import, publish, correct, revoke …")
    entity: str = Field(
        description="group, unit, lineage, year, criteria_set, scores, api_key, webhook …"
    )
    entity_key: str = Field(description="Which one, e.g. `2023/DEMO-DEP-HEALTH`.")
    year: int | None
    unit_code: str | None
    before: Any = Field(description="The state before the change (JSON), null when created.")
    after: Any = Field(description="The state after the change (JSON), null when removed.")
    reason: str | None = Field(description="The correction reason, for published years.")


class AuditEventPage(Page[AuditEventRead]):
    """A page of audit events, newest first."""


class PublishRequest(ApiInput):
    model_config = with_examples(
        {
            "legal_basis": "Quyết định phê duyệt Chỉ số cải cách hành chính năm 2024",
            "note": "Results announced at the provincial conference in June 2025.",
        }
    )

    legal_basis: str | None = Field(
        default=None, max_length=2000, description="Decision that approves the results."
    )
    note: str | None = Field(default=None, max_length=2000)


class YearRevisionRead(ApiModel):
    model_config = with_examples(PUBLISHED_2024)

    number: int
    kind: RevisionKind
    reason: str | None
    actor: str | None
    created_at: datetime
