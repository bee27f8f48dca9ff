"""A request's results are kept under the revision its own session read, never a newer one."""

from typing import cast

import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from app.core.result_cache import ResultCache
from app.repositories.revision import RevisionRepository
from app.services.access.viewer import EDITORIAL
from app.services.publication.years import YearService
from app.services.results.group_results import GroupResultService


async def test_a_reading_overtaken_by_a_newer_one_is_what_the_request_keeps_under(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    cache = ResultCache(check_interval_s=60)
    cache.sync(4)
    cache.expire()  # a write elsewhere: this request reads the revision again

    async def overtaken(_repository: RevisionRepository) -> int:
        # While this session reads revision 4, another request learns of 5 and expires again.
        cache.expire()
        cache.sync(5)
        return 4

    monkeypatch.setattr(RevisionRepository, "current", overtaken)
    session = cast(AsyncSession, object())
    results = GroupResultService(session, cache, years=YearService(session, viewer=EDITORIAL))
    await results.sync()
    assert cache.revision == 5  # the newer reading stands
    assert results.read_revision == 4  # but this request's data are as of 4
    results.keep("built from 4", "stale")
    assert cache.get("built from 4") is None
