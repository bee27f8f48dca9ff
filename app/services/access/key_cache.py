"""Keys that authenticated a moment ago, kept in memory so a request need not ask the database."""

import time
from collections import OrderedDict
from collections.abc import Callable

from app.services.access.principal import Principal

# Set in a request's state (scope["state"]) when the HTTP edge has claimed the refresh of the
# request's key for it: authentication then reads the key from the database (app/http/replay.py).
READ_KEY_AGAIN = "read_key_again"


class KeyCache:
    """Principals of keys that authenticated within the last `ttl_s` seconds, by key hash.

    A key revoked through this process is dropped at once (`forget`); one revoked elsewhere (another
    worker, the command line) is refused here once its entry is `ttl_s` old. Unknown and revoked
    keys are never kept: every call with one asks the database and is refused.

    An entry in use is read again before it runs out: once it is half its time to live old,
    one caller (`claim_refresh`) asks the database while the entry still answers the others.
    Were it left to expire, every request of a busy key arriving in the same instant would
    ask the database for it together, and none could be answered from the replay store.
    """

    def __init__(
        self,
        ttl_s: float,
        *,
        max_entries: int = 1024,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.ttl_s = ttl_s
        self.max_entries = max_entries
        self.clock = clock
        # Moves on every revocation: a lookup that began before one may not store its answer.
        self.generation = 0
        self._entries: OrderedDict[str, tuple[Principal, float]] = OrderedDict()
        self._refreshing: set[str] = set()

    def get(self, key_hash: str) -> Principal | None:
        entry = self._entries.get(key_hash)
        if entry is None:
            return None
        principal, stored_at = entry
        if self.clock() - stored_at >= self.ttl_s:
            del self._entries[key_hash]
            return None
        return principal

    def refresh_due(self, key_hash: str) -> bool:
        """True once a kept entry is half its time to live old."""
        entry = self._entries.get(key_hash)
        return entry is not None and self.clock() - entry[1] >= self.ttl_s / 2

    def claim_refresh(self, key_hash: str) -> bool:
        """True for one caller once the entry's refresh is due; it must `release` the claim."""
        if key_hash in self._refreshing or not self.refresh_due(key_hash):
            return False
        self._refreshing.add(key_hash)
        return True

    def release(self, key_hash: str) -> None:
        self._refreshing.discard(key_hash)

    def drop(self, key_hash: str) -> None:
        """Forget one key read again and found unknown or revoked."""
        self._entries.pop(key_hash, None)

    def put(self, key_hash: str, principal: Principal, *, generation: int) -> None:
        """Keep an answer read from the database, unless a key was revoked since the read began."""
        if generation != self.generation:
            return
        self._entries[key_hash] = (principal, self.clock())
        self._entries.move_to_end(key_hash)
        while len(self._entries) > self.max_entries:
            self._entries.popitem(last=False)

    def forget(self, key_id: int) -> None:
        """Drop the key at once: called once its revocation is committed."""
        self.generation += 1
        for key_hash in [h for h, (p, _) in self._entries.items() if p.key_id == key_id]:
            del self._entries[key_hash]
