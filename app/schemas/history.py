"""A unit's results over the years, its predecessors' included."""

from pydantic import Field

from app.schemas.base import ApiModel, IndexOut, with_examples
from app.schemas.coverage import (
    LOWEST_3,
)
from app.schemas.results import (
    HEALTH,
    HEALTH_POSITION,
    BandRef,
    LabelledRef,
    PublishedRead,
    published_example,
)
from app.schemas.vocabularies import IndexBasis, Language, RankBasis, Relation

HEALTH_2024 = {
    "year": 2024,
    "unit": HEALTH,
    "relation": "self",
    "group": "department",
    "basis": "published_index",
    "index": "87.21",
    "rank": None,
    "rank_basis": None,
    "group_complete": False,
    "band": None,
    "published": published_example("87.21", None, HEALTH_POSITION, LOWEST_3),
}


class HistoryEntryRead(ApiModel):
    model_config = with_examples(HEALTH_2024)

    year: int
    unit: LabelledRef
    relation: Relation
    group: str
    basis: IndexBasis
    index: IndexOut | None
    rank: int | None = Field(
        description="Its rank that year: computed over a complete group, else as published."
    )
    rank_basis: RankBasis | None = Field(description="Where `rank` comes from.")
    group_complete: bool = Field(
        description="Whether the group's results that year were complete (see a ranking's "
        "`coverage`); when not, no rank or statistic is computed over it."
    )
    band: BandRef | None
    published: PublishedRead | None


class HistoryRead(ApiModel):
    model_config = with_examples({"language": "vi", "unit": HEALTH, "entries": [HEALTH_2024]})

    language: Language
    unit: LabelledRef
    entries: list[HistoryEntryRead]
