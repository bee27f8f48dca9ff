"""The revision-checked result cache."""

import asyncio
import time

from sqlalchemy.orm import Session

from app.core.result_cache import CACHE_KEY, WROTE_KEY, ResultCache, expire_after_own_commit


def test_a_new_revision_drops_everything() -> None:
    cache = ResultCache()
    cache.sync(1)
    cache.put("k", b"v", revision=1)
    cache.sync(1)
    assert cache.get("k") == b"v"
    cache.sync(2)
    assert cache.get("k") is None


def test_the_revision_is_trusted_for_the_check_interval() -> None:
    cache = ResultCache(check_interval_s=60)
    assert cache.needs_check()
    cache.sync(1)
    assert not cache.needs_check()
    cache.expire()
    assert cache.needs_check()


def test_zero_interval_checks_every_time() -> None:
    cache = ResultCache(check_interval_s=0)
    cache.sync(1)
    time.sleep(0.001)
    assert cache.needs_check()


def test_least_recently_used_entries_go_first() -> None:
    cache = ResultCache(max_entries=2)
    cache.sync(1)
    cache.put("a", 1, revision=1)
    cache.put("b", 2, revision=1)
    cache.get("a")
    cache.put("c", 3, revision=1)
    assert (cache.get("a"), cache.get("b"), cache.get("c")) == (1, None, 3)


def test_a_result_read_at_another_revision_is_not_kept() -> None:
    cache = ResultCache()
    cache.sync(1)
    cache.sync(2)  # another request saw a write while this result was being built at 1
    cache.put("k", b"built at 1", revision=1)
    assert cache.get("k") is None
    cache.put("k", b"built at 2", revision=2)
    assert cache.get("k") == b"built at 2"


def test_a_session_that_wrote_expires_its_cache_on_commit() -> None:
    cache = ResultCache(check_interval_s=60)
    cache.sync(1)
    session = Session()
    session.info[CACHE_KEY] = cache
    expire_after_own_commit(session)
    assert not cache.needs_check()
    session.info[WROTE_KEY] = True
    expire_after_own_commit(session)
    assert cache.needs_check()
    assert WROTE_KEY not in session.info


class SlowReads:
    """A revision read that waits until released, counting how often it was asked."""

    def __init__(self, revision: int) -> None:
        self.revision = revision
        self.calls = 0
        self.release = asyncio.Event()

    async def __call__(self) -> int:
        self.calls += 1
        read = self.revision  # the snapshot is taken when the read starts
        await self.release.wait()
        return read


async def test_concurrent_callers_share_one_reading() -> None:
    cache = ResultCache(check_interval_s=60)
    read = SlowReads(7)
    callers = [asyncio.create_task(cache.checked_revision(read)) for _ in range(32)]
    await asyncio.sleep(0)
    read.release.set()
    assert await asyncio.gather(*callers) == [7] * 32
    assert read.calls == 1
    assert await cache.checked_revision(read) == 7  # trusted now: no second read
    assert read.calls == 1


async def test_a_reading_under_way_at_an_expiry_is_not_trusted() -> None:
    cache = ResultCache(check_interval_s=60)
    read = SlowReads(1)
    before = asyncio.create_task(cache.checked_revision(read))
    await asyncio.sleep(0)
    read.revision = 2  # a write commits after that reading's snapshot...
    cache.expire()  # ...and its notice arrives while the reading is under way
    after = asyncio.create_task(cache.checked_revision(read))
    await asyncio.sleep(0)
    read.release.set()
    assert await before in (1, 2)  # it arrived before the expiry: either reading will do
    assert await after == 2  # did not join the older reading
    assert read.calls == 2
    assert cache.revision == 2
    assert not cache.needs_check()


async def test_an_older_reading_finishing_last_does_not_win() -> None:
    cache = ResultCache(check_interval_s=60)
    stale = cache.begin_reading()
    cache.expire()
    cache.sync(5)
    cache.sync(4, stale)  # read before the expiry, finished after the newer one
    assert cache.revision == 5
    assert not cache.needs_check()


async def test_a_failed_reading_reaches_every_caller_and_is_not_kept() -> None:
    cache = ResultCache(check_interval_s=60)

    async def broken() -> int:
        await asyncio.sleep(0)
        raise OSError("database gone")

    results = await asyncio.gather(
        cache.checked_revision(broken), cache.checked_revision(broken), return_exceptions=True
    )
    assert all(isinstance(result, OSError) for result in results)
    assert cache.revision is None
    assert cache.needs_check()


async def test_a_caller_that_goes_away_does_not_cancel_the_others() -> None:
    cache = ResultCache(check_interval_s=60)
    read = SlowReads(3)
    leaving = asyncio.create_task(cache.checked_revision(read))
    staying = asyncio.create_task(cache.checked_revision(read))
    await asyncio.sleep(0)
    leaving.cancel()
    read.release.set()
    assert await staying == 3
