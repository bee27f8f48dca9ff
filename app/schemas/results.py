"""Pieces every result schema shares: unit and band labels, the published figures, examples."""

from typing import Any

from pydantic import Field

from app.schemas.base import ApiModel, IndexOut, with_examples
from app.schemas.coverage import LOWEST_3, PlaceRead


def ref_example(code: str, name_vi: str, name_en: str) -> dict[str, str]:
    return {"code": code, "name": name_vi, "name_vi": name_vi, "name_en": name_en}


HEALTH = ref_example("LD-DEP-HEALTH", "Sở Y tế", "Department of Health")
HEALTH_POSITION = "among the three lowest; tied with Natural Resources and Environment"
DEMO_DEPARTMENTS = ref_example("demo-department", "Demo – Sở, ban, ngành", "Demo – departments")
DEMO_HEALTH = ref_example("DEMO-DEP-HEALTH", "Demo Sở Y tế", "Demo Department of Health")
FAIR = {"label": "Khá", "label_vi": "Khá", "label_en": "Fair"}


def published_example(
    index: str,
    rank: int | None,
    position: str | None = None,
    place: dict[str, str] | None = None,
) -> dict[str, Any]:
    return {
        "index": index,
        "rank": rank,
        "position": position,
        "place": place,
        "band_vi": None,
        "source": "lamdong-2024",
    }


class LabelledRef(ApiModel):
    model_config = with_examples(HEALTH)

    code: str
    name: str = Field(description="Name in the language chosen by Accept-Language.")
    name_vi: str
    name_en: str


class BandRef(ApiModel):
    model_config = with_examples(FAIR)

    label: str
    label_vi: str
    label_en: str


class PublishedRead(ApiModel):
    """The unit's result as its source published it; null where nothing was published."""

    model_config = with_examples(published_example("87.21", None, HEALTH_POSITION, LOWEST_3))

    index: IndexOut | None
    rank: int | None
    position: str | None = Field(description="The unit's place as the source worded it.")
    place: PlaceRead | None = Field(
        description="That place as a code, where the wording is one the service reads."
    )
    band_vi: str | None
    source: str
