"""Who is calling and what they may do: roles ordered by power, and the anonymous caller."""

from dataclasses import dataclass
from enum import IntEnum

from app.core.errors import ServiceError
from app.core.messages import message
from app.services.access.viewer import EDITORIAL, PUBLIC, Viewer


class Role(IntEnum):
    """Each role may do everything the roles below it may."""

    READER = 1  # read published years
    EDITOR = 2  # imports and edits of draft years; sees drafts
    PUBLISHER = 3  # publishing and corrections
    ADMIN = 4  # units, criteria sets, years, keys, webhooks

    @property
    def label(self) -> str:
        return self.name.lower()

    @classmethod
    def from_label(cls, label: str) -> "Role":
        return cls[label.upper()]


@dataclass(frozen=True)
class Principal:
    role: Role | None  # None: anonymous
    key_id: int | None = None
    key_name: str | None = None

    @property
    def viewer(self) -> Viewer:
        """Editors and above see draft years; readers and anonymous callers never do."""
        return EDITORIAL if self.role is not None and self.role >= Role.EDITOR else PUBLIC

    @property
    def actor(self) -> str | None:
        """How the audit trail names the caller: the key's name and id, never the key."""
        return f"{self.key_name} (key {self.key_id})" if self.key_id is not None else None


ANONYMOUS = Principal(role=None)


class NotAuthenticated(ServiceError):
    status = 401
    slug = "not-authenticated"


class TwoCredentials(ServiceError):
    """Two keys would be two identities: refused, even when both headers carry the same key,
    because any rule picking one of them lets a client be someone the limits do not see."""

    status = 400
    slug = "two-credentials"


class Forbidden(ServiceError):
    status = 403
    slug = "forbidden"


def check_role(principal: Principal, needed: Role) -> None:
    if principal.role is None:
        raise NotAuthenticated(message("access.key-needed", role=needed.label))
    if principal.role < needed:
        raise Forbidden(message("access.role-needed", role=needed.label, held=principal.role.label))
