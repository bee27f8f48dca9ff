"""A unit's results over the years, its predecessors' included."""

from typing import Literal

from app.core.i18n import Language
from app.schemas.base import ApiModel, IndexOut, with_examples
from app.schemas.results import (
    HEALTH,
    HEALTH_POSITION,
    BandRef,
    IndexBasis,
    LabelledRef,
    PublishedRead,
    published_example,
)

HEALTH_2024 = {
    "year": 2024,
    "unit": HEALTH,
    "relation": "self",
    "group": "department",
    "basis": "published_index",
    "index": "87.21",
    "rank": 4,
    "band": None,
    "published": published_example("87.21", None, HEALTH_POSITION),
}


class HistoryEntryRead(ApiModel):
    model_config = with_examples(HEALTH_2024)

    year: int
    unit: LabelledRef
    relation: Literal["self", "merge", "split", "rename", "transfer"]
    group: str
    basis: IndexBasis
    index: IndexOut | None
    rank: int | None
    band: BandRef | None
    published: PublishedRead | None


class HistoryRead(ApiModel):
    model_config = with_examples({"language": "vi", "unit": HEALTH, "entries": [HEALTH_2024]})

    language: Language
    unit: LabelledRef
    entries: list[HistoryEntryRead]
