"""A result built from data read before a concurrent write never reaches the next revision.

The race on PostgreSQL: a build reads the revision (R) and then the data; a write commits
(R + 1); another request reads R + 1 and clears the worker's cache; the first build, done with
data older than R + 1, then stores its result in that cache, where it would be served under
R + 1's ETag until the next write.

To replay the interleaving deterministically the slow build runs in a REPEATABLE READ
transaction: its snapshot is taken when it reads the revision, so however late it reads the
data, the data is as it was before the write, exactly as if it had been read then.
"""

from collections.abc import AsyncIterator
from decimal import Decimal

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from app.core.result_cache import ResultCache
from app.services.access.viewer import EDITORIAL
from app.services.publication.years import YearService
from app.services.registry.datasets import LoadReport
from app.services.results.group_results import GroupResultService

YEAR, GROUP, UNIT, LEAF = 2023, "demo-department", "DEMO-DEP-HEALTH", "1.1"

SCORE = """
SELECT s.id, s.final_score, u.id FROM leaf_score s
JOIN criterion c ON c.id = s.criterion_id
JOIN criteria_set cs ON cs.id = c.criteria_set_id
JOIN unit_group g ON g.id = cs.group_id
JOIN org_unit u ON u.id = s.unit_id
WHERE cs.year = :year AND g.code = :group AND u.code = :unit AND c.code = :leaf
"""


async def commit_score(engine: AsyncEngine, score_id: int, value: Decimal) -> None:
    """A write as every write is: the data and a revision bump, committed together."""
    async with engine.begin() as connection:
        await connection.execute(
            text("UPDATE leaf_score SET final_score = :value WHERE id = :id"),
            {"value": value, "id": score_id},
        )
        await connection.execute(text("UPDATE data_revision SET revision = revision + 1"))


@pytest.fixture
async def leaf_score(
    engine: AsyncEngine, load_reports: dict[str, LoadReport]
) -> AsyncIterator[tuple[int, Decimal, int]]:
    """The demo leaf score the test changes for real (committed), put back afterwards."""
    if engine.dialect.name != "postgresql":
        pytest.skip(
            "needs a write committed by another connection while a transaction holds its "
            "snapshot; SQLite serialises writers and its tests share one connection"
        )
    async with engine.connect() as connection:
        score_id, final, unit_id = (
            await connection.execute(
                text(SCORE), {"year": YEAR, "group": GROUP, "unit": UNIT, "leaf": LEAF}
            )
        ).one()
    try:
        yield score_id, final, unit_id
    finally:
        await commit_score(engine, score_id, final)


def results_for(session: AsyncSession, cache: ResultCache) -> GroupResultService:
    return GroupResultService(session, cache, years=YearService(session, viewer=EDITORIAL))


async def test_a_build_older_than_the_caches_revision_is_not_stored(
    engine: AsyncEngine, leaf_score: tuple[int, Decimal, int]
) -> None:
    score_id, final, unit_id = leaf_score
    changed = final - Decimal("0.25")
    cache = ResultCache()  # reads the revision on every request, like a worker that is due
    factory = async_sessionmaker(engine, expire_on_commit=False)
    async with factory() as slow_session, factory() as other_session, factory() as next_session:
        await slow_session.connection(execution_options={"isolation_level": "REPEATABLE READ"})
        slow = results_for(slow_session, cache)
        await slow.sync()  # reads revision R; the snapshot holds the data as of R

        await commit_score(engine, score_id, changed)  # revision R + 1
        await results_for(other_session, cache).sync()  # another request: cache cleared
        stale = await slow.group_year(year=YEAR, group=GROUP)  # built from R's data
        served = await results_for(next_session, cache).group_year(year=YEAR, group=GROUP)

        await slow_session.rollback()
    stale_unit, served_unit = stale.outcome_of(unit_id), served.outcome_of(unit_id)
    assert stale_unit is not None
    assert served_unit is not None
    assert stale_unit.total is not None
    # The next request at R + 1 sees the write, not the slow build's result.
    assert served_unit.total == stale_unit.total - Decimal("0.25")
