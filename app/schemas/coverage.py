"""How complete a group's results are, and what its sources published, at the HTTP edge."""

from typing import Annotated

from pydantic import Field, StringConstraints

from app.schemas.base import ApiModel, with_examples
from app.schemas.vocabularies import CoverageRanks, PublishedScope
from app.schemas.years import YEAR_2024, YearRead

POSITION_CODE_PATTERN = r"^(highest|lowest|top_[1-9][0-9]*|bottom_[1-9][0-9]*)$"
PositionCode = Annotated[str, StringConstraints(pattern=POSITION_CODE_PATTERN)]

PUBLISHED_DEPARTMENTS_2024 = {
    "scope": "top_and_bottom",
    "sources": ["lamdong-2024"],
    "units_with_rank": 3,
    "units_with_index": 6,
    "units_with_position": 3,
    "band_counts": False,
    "unit_count": None,
}
COVERAGE_DEPARTMENTS_2024 = {
    "complete": False,
    "units_with_result": 6,
    "units_in_group": None,
    "ranks": "published",
    "published": PUBLISHED_DEPARTMENTS_2024,
}
COVERAGE_COMPUTED = {
    "complete": True,
    "units_with_result": 19,
    "units_in_group": 19,
    "ranks": "computed",
    "published": {
        "scope": "none",
        "sources": [],
        "units_with_rank": 0,
        "units_with_index": 0,
        "units_with_position": 0,
        "band_counts": False,
        "unit_count": None,
    },
}
LOWEST_3 = {
    "code": "bottom_3",
    "label": "trong nhóm 3 đơn vị thấp nhất",
    "label_vi": "trong nhóm 3 đơn vị thấp nhất",
    "label_en": "among the 3 lowest",
}
YEAR_GROUP_2024 = {
    "code": "department",
    "name_vi": "Sở, ban, ngành",
    "name_en": "Departments, branches and sectors",
    "coverage": COVERAGE_DEPARTMENTS_2024,
}


class PublishedCoverageRead(ApiModel):
    """What the sources published of the group."""

    model_config = with_examples(PUBLISHED_DEPARTMENTS_2024)

    scope: PublishedScope = Field(
        description=(
            "Which units figures were published for: `none` (results computed from leaf "
            "scores only), `all_units` (the size stated and every unit listed), "
            "`top_and_bottom`, `top` or `bottom` (only the first places, the last places, or "
            "both), `band_counts` (the group's band counts, at most a few units besides), "
            "`selected_units` (anything else)."
        )
    )
    sources: list[str] = Field(description="Codes of the sources of the published figures.")
    units_with_rank: int = Field(description="Units with a published rank.")
    units_with_index: int = Field(description="Units with a published index.")
    units_with_position: int = Field(
        description="Units whose place was published in words (e.g. 'the lowest')."
    )
    band_counts: bool = Field(description="Whether the group's band counts were published.")
    unit_count: int | None = Field(description="The group's size as a source stated it.")


class CoverageRead(ApiModel):
    """How much of the group has results, and so what ranks and statistics can say."""

    model_config = with_examples(COVERAGE_DEPARTMENTS_2024, COVERAGE_COMPUTED)

    complete: bool = Field(
        description=(
            "True when every unit of the group has a result computed from leaf scores, or "
            "the source states the group's size and lists that many units. Only then are "
            "ranks and statistics computed."
        )
    )
    units_with_result: int = Field(description="Units of the group with a result that year.")
    units_in_group: int | None = Field(
        description=(
            "Units in the group that year, where known: as the source stated it, else from "
            "the registry when the results are computed from leaf scores; null when unknown."
        )
    )
    ranks: CoverageRanks = Field(
        description=(
            "Where the ranks shown come from: computed over the complete group, as the "
            "source published them (a partial group: other units have no rank), or none."
        )
    )
    published: PublishedCoverageRead


class PlaceRead(ApiModel):
    """A place the source stated in words, as a code with standard wording in vi and en."""

    model_config = with_examples(LOWEST_3)

    code: PositionCode = Field(
        description="`highest`, `lowest`, `top_N` (among the N highest), `bottom_N`.",
        examples=["bottom_3"],
    )
    label: str = Field(description="The wording in the language chosen by Accept-Language.")
    label_vi: str
    label_en: str


class YearGroupRead(ApiModel):
    """A group with results in the year, and their coverage."""

    model_config = with_examples(YEAR_GROUP_2024)

    code: str
    name_vi: str
    name_en: str
    coverage: CoverageRead


class YearCoverageRead(YearRead):
    """An assessment year with the groups that have results and their coverage."""

    model_config = with_examples({**YEAR_2024, "groups": [YEAR_GROUP_2024]})

    groups: list[YearGroupRead] = Field(
        description="Groups with results (or a published group summary) that year."
    )
