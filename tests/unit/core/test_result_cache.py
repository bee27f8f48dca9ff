"""The revision-checked result cache."""

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
