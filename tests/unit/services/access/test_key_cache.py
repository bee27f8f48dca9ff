"""The worker's cache of keys that authenticated: a short life, dropped at once on revocation."""

from app.services.access.key_cache import KeyCache
from app.services.access.principal import Principal, Role

EDITOR = Principal(role=Role.EDITOR, key_id=7, key_name="dashboard")
READER = Principal(role=Role.READER, key_id=8, key_name="portal")


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def cache_with_clock(ttl_s: float = 5) -> tuple[KeyCache, Clock]:
    clock = Clock()
    return KeyCache(ttl_s, clock=clock), clock


class TestKeyCache:
    def test_a_key_is_answered_until_its_time_to_live_is_over(self) -> None:
        cache, clock = cache_with_clock(ttl_s=5)
        cache.put("h7", EDITOR, generation=cache.generation)
        clock.now += 4.9
        assert cache.get("h7") == EDITOR
        clock.now += 0.1
        assert cache.get("h7") is None

    def test_forget_drops_the_key_at_once_and_only_that_key(self) -> None:
        cache, _ = cache_with_clock()
        cache.put("h7", EDITOR, generation=cache.generation)
        cache.put("h8", READER, generation=cache.generation)
        cache.forget(7)
        assert cache.get("h7") is None
        assert cache.get("h8") == READER

    def test_a_lookup_that_began_before_a_revocation_is_not_kept(self) -> None:
        cache, _ = cache_with_clock()
        began = cache.generation
        cache.forget(7)  # the revocation commits while the lookup is on its way
        cache.put("h7", EDITOR, generation=began)
        assert cache.get("h7") is None

    def test_the_oldest_key_makes_room(self) -> None:
        cache = KeyCache(5, max_entries=1)
        cache.put("h7", EDITOR, generation=cache.generation)
        cache.put("h8", READER, generation=cache.generation)
        assert cache.get("h7") is None
        assert cache.get("h8") == READER

    def test_an_entry_is_due_to_be_read_again_at_half_its_life_by_one_caller(self) -> None:
        cache, clock = cache_with_clock(ttl_s=5)
        cache.put("h7", EDITOR, generation=cache.generation)
        clock.now += 2.4
        assert not cache.refresh_due("h7")
        assert not cache.claim_refresh("h7")
        clock.now += 0.1
        assert cache.refresh_due("h7")
        assert cache.claim_refresh("h7")
        assert not cache.claim_refresh("h7")  # one caller reads it; the entry answers the rest
        assert cache.get("h7") == EDITOR
        cache.release("h7")
        assert cache.claim_refresh("h7")  # that reading failed: the next caller tries

    def test_an_entry_read_again_lives_anew(self) -> None:
        cache, clock = cache_with_clock(ttl_s=5)
        cache.put("h7", EDITOR, generation=cache.generation)
        clock.now += 3
        assert cache.claim_refresh("h7")
        cache.put("h7", EDITOR, generation=cache.generation)
        cache.release("h7")
        clock.now += 2  # 5 s after the first reading, 2 s after the second
        assert cache.get("h7") == EDITOR
        assert not cache.refresh_due("h7")

    def test_a_key_read_again_and_found_revoked_is_dropped(self) -> None:
        cache, _ = cache_with_clock()
        cache.put("h7", EDITOR, generation=cache.generation)
        cache.drop("h7")
        assert cache.get("h7") is None
        assert not cache.refresh_due("h7")
