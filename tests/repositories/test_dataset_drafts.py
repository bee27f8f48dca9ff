"""Loading a bundle with a draft year twice changes nothing the second time."""

from sqlalchemy.ext.asyncio import AsyncSession

from app.schemas.criteria import CriteriaSetPut
from app.schemas.datasets import CriteriaSetSpec, DatasetBundle, UnitScoresSpec, YearSpec
from app.schemas.scores import LeafScoreIn
from app.schemas.units import UnitCreate
from app.services.registry.datasets import DatasetLoader
from tests.builders import small_tree


def draft_bundle() -> DatasetBundle:
    tree = CriteriaSetPut.model_validate(small_tree())
    return DatasetBundle(
        name="draft",
        units=[UnitCreate(code="T-DRAFT", name_vi="Sở nháp", name_en="Draft", group="department")],
        years=[YearSpec(year=2040)],
        criteria_sets=[CriteriaSetSpec(year=2040, group="department", **tree.model_dump())],
        scores=[
            UnitScoresSpec(
                year=2040,
                unit="T-DRAFT",
                scores=[LeafScoreIn(criterion="2.1", self_score=None, final_score=4)],
            )
        ],
    )


async def test_reloading_a_draft_year_reports_nothing_changed(session: AsyncSession) -> None:
    first = await DatasetLoader(session).load(draft_bundle())
    second = await DatasetLoader(session).load(draft_bundle())
    assert first.changed_anything
    assert not second.changed_anything
    assert second.unchanged["criteria_set"] == 1
    assert second.unchanged["leaf_score"] == 1
