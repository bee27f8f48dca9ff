"""Unit groups: created and changed by admins as reforms create and end them (audited)."""

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from app.core.errors import Conflict, InvalidInput, Problem
from app.core.messages import message
from app.models import UnitGroup
from app.repositories.revision import RevisionRepository
from app.repositories.units import UnitRepository
from app.schemas.units import GroupCreate, GroupRead, GroupUpdate
from app.services.audit.trail import AuditService
from app.services.registry.units import UnitService


class GroupCodeTaken(Conflict):
    slug = "group-code-taken"


def group_read(group: UnitGroup) -> GroupRead:
    return GroupRead.model_validate(group)


def outside_validity(years: list[int], first: int | None, last: int | None) -> list[int]:
    """The years that fall before `first` or after `last` (a null bound is no limit)."""
    return [
        year
        for year in years
        if (first is not None and year < first) or (last is not None and year > last)
    ]


class GroupService:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session
        self.groups = UnitRepository(session)

    async def list_groups(self, *, active_in: int | None = None) -> list[GroupRead]:
        return [group_read(g) for g in await self.groups.list_groups(active_in=active_in)]

    async def create_group(self, data: GroupCreate) -> GroupRead:
        if await self.groups.get_group(data.code) is not None:
            raise GroupCodeTaken(message("group.code-taken", code=data.code))
        group = UnitGroup(**data.model_dump())
        await self.groups.add(group)
        after = group_read(group).model_dump(mode="json")
        await self._record(action="create", code=data.code, before=None, after=after)
        return group_read(group)

    async def update_group(self, code: str, data: GroupUpdate) -> GroupRead:
        """Change names, order or validity years; the code is fixed.

        Validity years may not leave out a year in which the group already has a criteria
        set or published results: the group was ranked then.
        """
        group = await UnitService(self.session).require_group(code)
        before = group_read(group).model_dump(mode="json")
        changes = data.model_dump(exclude_unset=True)
        first = changes.get("valid_from_year", group.valid_from_year)
        last = changes.get("valid_to_year", group.valid_to_year)
        problems = [
            Problem(["body", name], message("field.not-clearable"))
            for name in ("name_vi", "name_en", "sort_order")
            if name in changes and changes[name] is None
        ]
        if first is not None and last is not None and first > last:
            problems.append(
                Problem(["body", "valid_from_year"], message("field.after", other="valid_to_year"))
            )
        if problems:
            raise InvalidInput(message("field.update-invalid"), errors=problems)
        excluded = outside_validity(await self.groups.years_with_results(group.id), first, last)
        if excluded:
            raise Conflict(
                message("group.years-in-use", code=code, years=", ".join(map(str, excluded)))
            )
        for name, value in changes.items():
            setattr(group, name, value)
        await self.session.flush()
        after = group_read(group).model_dump(mode="json")
        await self._record(action="update", code=code, before=before, after=after)
        return group_read(group)

    async def _record(self, *, action: str, code: str, before: Any, after: Any) -> None:
        """Audit the change, bump the data revision and commit: the one commit of the write."""
        AuditService(self.session).record(
            action=action, entity="group", entity_key=code, before=before, after=after
        )
        await RevisionRepository(self.session).bump()
        await self.session.commit()
