"""API keys: created by admins, shown once, stored as a hash, revocable, and checked per call."""

import hashlib
import secrets
from datetime import UTC, datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from app.core.errors import NotFound
from app.core.messages import message
from app.models import ApiKey
from app.repositories.api_keys import ApiKeyRepository
from app.schemas.keys import ApiKeyCreate, ApiKeyCreated, ApiKeyRead
from app.services.access.key_cache import KeyCache
from app.services.access.principal import NotAuthenticated, Principal, Role
from app.services.audit.trail import AuditService

KEY_PREFIX = "par_"
# last_used_at is a hint for admins, not an access log: write it at most this often.
TOUCH_EVERY = timedelta(minutes=1)


class ApiKeyNotFound(NotFound):
    slug = "api-key-not-found"


def hash_key(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def new_key() -> str:
    return KEY_PREFIX + secrets.token_urlsafe(32)


class ApiKeyService:
    def __init__(self, session: AsyncSession, *, cache: KeyCache | None = None) -> None:
        self.session = session
        self.keys = ApiKeyRepository(session)
        # The worker's recently authenticated keys: revoking here drops the key from it at once.
        self.cache = cache

    async def create_key(self, data: ApiKeyCreate, *, actor: str | None) -> ApiKeyCreated:
        key = new_key()
        stored = ApiKey(
            name=data.name,
            role=data.role,
            prefix=key[: len(KEY_PREFIX) + 6],
            key_hash=hash_key(key),
            created_at=datetime.now(UTC),
        )
        await self.keys.add(stored)
        AuditService(self.session).record(
            action="create",
            entity="api_key",
            entity_key=str(stored.id),
            after={"name": data.name, "role": data.role, "prefix": stored.prefix},
            actor=actor,
        )
        await self.session.commit()
        return ApiKeyCreated(**ApiKeyRead.model_validate(stored).model_dump(), key=key)

    async def list_keys(self) -> list[ApiKeyRead]:
        return [ApiKeyRead.model_validate(key) for key in await self.keys.list_keys()]

    async def revoke_key(self, key_id: int, *, actor: str | None) -> ApiKeyRead:
        stored = await self.keys.get(key_id)
        if stored is None:
            raise ApiKeyNotFound(message("access.key-not-found", id=key_id))
        if stored.revoked_at is None:
            stored.revoked_at = datetime.now(UTC)
            AuditService(self.session).record(
                action="revoke",
                entity="api_key",
                entity_key=str(key_id),
                before={"revoked_at": None},
                after={"revoked_at": stored.revoked_at.isoformat()},
                actor=actor,
            )
            await self.session.commit()
        if self.cache is not None:
            self.cache.forget(key_id)
        return ApiKeyRead.model_validate(stored)

    async def authenticate(self, key: str, *, read_again: bool = False) -> Principal:
        """The key's principal; unknown or revoked keys are refused (checked per call).

        A key that authenticated within the cache's time to live is answered from memory,
        unless its refresh was claimed for this request (`read_again`) or is claimed here.
        """
        key_hash = hash_key(key)
        if self.cache is None or read_again:
            generation = self.cache.generation if self.cache is not None else 0
            return await self._read_key(key_hash, generation=generation)
        cached = self.cache.get(key_hash)
        refreshing = cached is not None and self.cache.claim_refresh(key_hash)
        if cached is not None and not refreshing:
            return cached
        try:
            return await self._read_key(key_hash, generation=self.cache.generation)
        finally:
            if refreshing:
                self.cache.release(key_hash)

    async def _read_key(self, key_hash: str, *, generation: int) -> Principal:
        stored = await self.keys.by_hash(key_hash)
        if stored is None or stored.revoked_at is not None:
            if self.cache is not None:
                self.cache.drop(key_hash)
            raise NotAuthenticated(message("access.key-unknown"))
        principal = Principal(
            role=Role.from_label(stored.role), key_id=stored.id, key_name=stored.name
        )
        now = datetime.now(UTC)
        if stored.last_used_at is None or now - stored.last_used_at >= TOUCH_EVERY:
            await self.keys.touch(stored.id, now)
        # Ends the transaction (and the touch) here rather than at the end of the request: on
        # SQLite a writing transaction holds the write lock, which must not last while, say,
        # an upload streams in before the service's own transaction starts.
        await self.session.commit()
        if self.cache is not None:
            self.cache.put(key_hash, principal, generation=generation)
        return principal
