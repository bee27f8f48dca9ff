"""Property: the service's ranking equals SQL RANK() over the index rounded by the database."""

import asyncio
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from app.core.config import Settings
from app.core.db import create_engine
from app.core.result_cache import ResultCache
from app.schemas.criteria import CriteriaSetPut
from app.schemas.datasets import GroupSpec
from app.schemas.scores import LeafScoreIn, ScoresPut
from app.schemas.units import UnitCreate
from app.schemas.years import YearCreate
from app.services.access.viewer import EDITORIAL
from app.services.publication.years import YearService
from app.services.registry.criteria import CriteriaService
from app.services.registry.datasets import LoadReport
from app.services.registry.scores import ScoreService
from app.services.registry.units import UnitService
from app.services.results.group_results import GroupResultService
from app.services.results.ranking import RankingService
from tests.builders import small_tree

YEAR, GROUP = 2090, "prop-test"
LEAVES = ("1.1", "1.2", "2.1", "3.1", "3.2")

# Few distinct values per leaf, so that equal totals (ties) come up often.
unit_scores = st.tuples(
    st.sampled_from(["0", "0.75", "1.5"]),
    st.sampled_from(["1.25", "2.5", "0.5"]),
    st.sampled_from(["3", "4.33", "6", "5.67"]),
    st.sampled_from(["0", "1"]),
    st.sampled_from(["0", "1"]),
)

# Index in hundredths, rounded half-up in exact integer arithmetic on either database:
# floor((2 · total·10⁴ · 10⁴ + max·10⁴) / (2 · max·10⁴)); totals here are never negative.
SQL_RANKS = """
SELECT code, rank() OVER (ORDER BY index_e2 DESC) AS sql_rank, index_e2 FROM (
    SELECT u.code AS code,
           (2 * SUM(CAST(ROUND(CASE WHEN c.method = 'penalty' THEN -s.final_score
                                    ELSE s.final_score END * 10000) AS BIGINT)) * 10000
            + CAST(ROUND(cs.max_score * 10000) AS BIGINT))
           / (2 * CAST(ROUND(cs.max_score * 10000) AS BIGINT)) AS index_e2
    FROM leaf_score s
    JOIN criterion c ON c.id = s.criterion_id
    JOIN criteria_set cs ON cs.id = c.criteria_set_id
    JOIN org_unit u ON u.id = s.unit_id
    WHERE cs.year = :year
    GROUP BY u.code, cs.max_score
) AS totals
"""


async def _rank_both_ways(
    settings_: Settings, units: list[tuple[str, ...]]
) -> tuple[dict[str, tuple[int, Decimal]], dict[str, tuple[int, Decimal]]]:
    engine = create_engine(settings_)
    try:
        async with engine.connect() as connection:
            transaction = await connection.begin()
            session = AsyncSession(
                bind=connection, join_transaction_mode="create_savepoint", expire_on_commit=False
            )
            await UnitService(session).apply_group(
                GroupSpec(code=GROUP, name_vi="Thử", name_en="Property test", sort_order=999)
            )
            years = YearService(session, viewer=EDITORIAL)
            await years.apply_create_year(YearCreate(year=YEAR))
            await CriteriaService(session, years=years).apply_criteria_set(
                year=YEAR, group=GROUP, data=CriteriaSetPut.model_validate(small_tree())
            )
            for position, scores in enumerate(units):
                code = f"P-{position:02}"
                await UnitService(session).apply_create_unit(
                    UnitCreate(code=code, name_vi=code, name_en=code, group=GROUP)
                )
                rows = [
                    LeafScoreIn(criterion=leaf, final_score=Decimal(value))
                    for leaf, value in zip(LEAVES, scores, strict=True)
                ]
                await ScoreService(session, years=years).apply_scores(
                    year=YEAR, unit_code=code, data=ScoresPut(scores=rows)
                )
            results = GroupResultService(session, ResultCache(), years=years)
            ranking = await RankingService(results).get_ranking(
                year=YEAR, group=GROUP, criterion=None, language="en"
            )
            ours = {e.unit.code: (e.rank or 0, e.index or Decimal(-1)) for e in ranking.entries}
            result = await session.execute(text(SQL_RANKS), {"year": YEAR})
            theirs = {
                code: (int(rank), Decimal(int(index_e2)) / 100) for code, rank, index_e2 in result
            }
            await session.close()
            await transaction.rollback()
    finally:
        await engine.dispose()
    return ours, theirs


@pytest.mark.usefixtures("load_reports")
@hypothesis_settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(units=st.lists(unit_scores, min_size=2, max_size=8))
def test_ranking_equals_sql_rank_over_the_rounded_index(
    settings: Settings, load_reports: dict[str, LoadReport], units: list[tuple[str, ...]]
) -> None:
    ours, theirs = asyncio.run(_rank_both_ways(settings, units))
    assert ours == theirs
