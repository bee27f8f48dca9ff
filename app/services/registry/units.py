"""Unit groups, units and their lineage: reference data every result hangs on."""

from datetime import date

from sqlalchemy.ext.asyncio import AsyncSession

from app.core.errors import Conflict, InvalidInput, NotFound, Problem
from app.core.messages import message
from app.core.text import fold
from app.models import OrgUnit, UnitGroup, UnitLineage
from app.repositories.revision import RevisionRepository
from app.repositories.units import UnitRepository
from app.schemas.datasets import GroupSpec
from app.schemas.units import (
    GroupRead,
    LineageEventCreate,
    LineageEventRead,
    UnitCreate,
    UnitLineageRead,
    UnitPage,
    UnitRead,
    UnitRef,
    UnitUpdate,
)
from app.services.audit.trail import AuditService


class UnitNotFound(NotFound):
    slug = "unit-not-found"


class GroupNotFound(NotFound):
    slug = "group-not-found"


class UnitCodeTaken(Conflict):
    slug = "unit-code-taken"


def search_text(*, code: str, name_vi: str, name_en: str) -> str:
    return " | ".join(fold(part) for part in (name_vi, name_en, code))


def unit_read(unit: OrgUnit) -> UnitRead:
    return UnitRead(
        code=unit.code,
        name_vi=unit.name_vi,
        name_en=unit.name_en,
        group=unit.group.code,
        parent=unit.parent.code if unit.parent else None,
        valid_from=unit.valid_from_date,
        valid_to=unit.valid_to_date,
    )


def unit_ref(unit: OrgUnit) -> UnitRef:
    return UnitRef(code=unit.code, name_vi=unit.name_vi, name_en=unit.name_en)


def lineage_read(event: UnitLineage) -> LineageEventRead:
    return LineageEventRead.model_validate(
        {
            "predecessor": unit_ref(event.predecessor),
            "successor": unit_ref(event.successor),
            "kind": event.kind,
            "effective_date": event.effective_date,
            "legal_basis": event.legal_basis,
            "note": event.note,
        }
    )


class UnitService:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session
        self.units = UnitRepository(session)

    async def require_group(self, code: str) -> UnitGroup:
        group = await self.units.get_group(code)
        if group is None:
            raise GroupNotFound(message("group.not-found", code=code))
        return group

    async def find_unit(self, code: str) -> OrgUnit | None:
        return await self.units.get(code)

    async def require_unit(self, code: str) -> OrgUnit:
        unit = await self.units.get(code)
        if unit is None:
            raise UnitNotFound(message("unit.not-found", code=code))
        return unit

    async def list_units(
        self, *, group: str | None, active_in: int | None, q: str | None, limit: int, offset: int
    ) -> UnitPage:
        """Units filtered by group, by activity during a calendar year, and by a search text.

        The search ignores case and Vietnamese diacritics and matches the phrase anywhere in
        either name or the code, so 'y te' finds 'Sở Y tế'.
        """
        if group is not None:
            await self.require_group(group)
        rows, total = await self.units.list_units(
            group_code=group,
            active_from=date(active_in, 1, 1) if active_in else None,
            active_to=date(active_in, 12, 31) if active_in else None,
            folded_query=fold(q) if q else None,
            limit=limit,
            offset=offset,
        )
        return UnitPage(
            items=[unit_read(unit) for unit in rows], total=total, limit=limit, offset=offset
        )

    async def get_unit(self, code: str) -> UnitRead:
        return unit_read(await self.require_unit(code))

    async def create_unit(self, data: UnitCreate) -> UnitRead:
        unit = await self.apply_create_unit(data)
        AuditService(self.session).record(
            action="create",
            entity="unit",
            entity_key=data.code,
            unit_code=data.code,
            after=data.model_dump(mode="json"),
        )
        await RevisionRepository(self.session).bump()
        await self.session.commit()
        return unit_read(unit)

    async def apply_create_unit(self, data: UnitCreate) -> OrgUnit:
        if await self.units.get(data.code) is not None:
            raise UnitCodeTaken(message("unit.code-taken", code=data.code))
        group = await self.units.get_group(data.group)
        parent = await self.units.get(data.parent) if data.parent else None
        problems = []
        if group is None:
            problems.append(Problem(["body", "group"], message("group.unknown", code=data.group)))
        if data.parent and parent is None:
            problems.append(
                Problem(["body", "parent"], message("unit.unknown-parent", code=data.parent))
            )
        if problems or group is None:
            raise InvalidInput(message("unit.dangling"), errors=problems)
        unit = OrgUnit(
            code=data.code,
            name_vi=data.name_vi,
            name_en=data.name_en,
            group=group,
            parent=parent,
            valid_from_date=data.valid_from,
            valid_to_date=data.valid_to,
            search_text=search_text(code=data.code, name_vi=data.name_vi, name_en=data.name_en),
        )
        await self.units.add(unit)
        return unit

    async def update_unit(self, code: str, data: UnitUpdate) -> UnitRead:
        """Change the given fields; a unit's group is fixed once it has scores or results."""
        unit = await self.require_unit(code)
        before = unit_read(unit).model_dump(mode="json")
        changes = data.model_dump(exclude_unset=True)
        problems: list[Problem] = []
        for required in ("name_vi", "name_en", "group"):
            if required in changes and changes[required] is None:
                problems.append(Problem(["body", required], message("field.not-clearable")))
        if "group" in changes and changes["group"] is not None:
            group = await self.units.get_group(changes["group"])
            if group is None:
                problems.append(
                    Problem(["body", "group"], message("group.unknown", code=data.group))
                )
            elif group.id != unit.group_id:
                if await self.units.has_results(unit.id):
                    raise Conflict(message("unit.group-fixed", code=code))
                unit.group = group
        if "parent" in changes:
            parent = await self.units.get(changes["parent"]) if changes["parent"] else None
            if changes["parent"] and parent is None:
                problems.append(
                    Problem(["body", "parent"], message("unit.unknown-parent", code=data.parent))
                )
            elif parent is not None and await self._is_self_or_below(parent.id, unit.id):
                problems.append(Problem(["body", "parent"], message("unit.parent-loop")))
            else:
                unit.parent = parent
        valid_from = changes.get("valid_from", unit.valid_from_date)
        valid_to = changes.get("valid_to", unit.valid_to_date)
        if valid_from and valid_to and valid_from > valid_to:
            problems.append(
                Problem(["body", "valid_from"], message("field.after", other="valid_to"))
            )
        if problems:
            raise InvalidInput(message("field.update-invalid"), errors=problems)
        unit.valid_from_date, unit.valid_to_date = valid_from, valid_to
        unit.name_vi = changes.get("name_vi") or unit.name_vi
        unit.name_en = changes.get("name_en") or unit.name_en
        unit.search_text = search_text(code=unit.code, name_vi=unit.name_vi, name_en=unit.name_en)
        await self.session.flush()
        AuditService(self.session).record(
            action="update",
            entity="unit",
            entity_key=code,
            unit_code=code,
            before=before,
            after=unit_read(unit).model_dump(mode="json"),
        )
        await RevisionRepository(self.session).bump()
        await self.session.commit()
        return unit_read(unit)

    async def _is_self_or_below(self, candidate_id: int, unit_id: int) -> bool:
        """Whether the candidate is the unit or one of its descendants: as parent, a loop."""
        seen: set[int] = set()
        current: int | None = candidate_id
        while current is not None and current not in seen:
            if current == unit_id:
                return True
            seen.add(current)
            current = await self.units.parent_id_of(current)
        return False

    async def get_lineage(self, code: str) -> UnitLineageRead:
        unit = await self.require_unit(code)
        events = await self.units.lineage_of(unit.id)
        return UnitLineageRead(
            unit=unit_ref(unit),
            predecessors=[lineage_read(e) for e in events if e.successor_id == unit.id],
            successors=[lineage_read(e) for e in events if e.predecessor_id == unit.id],
        )

    async def create_lineage(self, data: LineageEventCreate) -> LineageEventRead:
        event = await self.apply_create_lineage(data)
        AuditService(self.session).record(
            action="create",
            entity="lineage",
            entity_key=f"{data.predecessor}>{data.successor}",
            unit_code=data.successor,
            after=data.model_dump(mode="json"),
        )
        await RevisionRepository(self.session).bump()
        await self.session.commit()
        return lineage_read(event)

    async def find_lineage_event(self, data: LineageEventCreate) -> UnitLineage | None:
        """The recorded event between these units, of this kind and date; units must exist."""
        predecessor = await self.require_unit(data.predecessor)
        successor = await self.require_unit(data.successor)
        return await self.units.get_lineage_event(
            predecessor_id=predecessor.id,
            successor_id=successor.id,
            kind=data.kind.value,
            effective_date=data.effective_date,
        )

    async def apply_create_lineage(self, data: LineageEventCreate) -> UnitLineage:
        predecessor = await self.units.get(data.predecessor)
        successor = await self.units.get(data.successor)
        problems = []
        if predecessor is None:
            problems.append(
                Problem(["body", "predecessor"], message("unit.unknown", code=data.predecessor))
            )
        if successor is None:
            problems.append(
                Problem(["body", "successor"], message("unit.unknown", code=data.successor))
            )
        if predecessor is not None and predecessor is successor:
            problems.append(Problem(["body", "successor"], message("lineage.same-unit")))
        if problems or predecessor is None or successor is None:
            raise InvalidInput(message("lineage.invalid"), errors=problems)
        existing = await self.units.get_lineage_event(
            predecessor_id=predecessor.id,
            successor_id=successor.id,
            kind=data.kind.value,
            effective_date=data.effective_date,
        )
        if existing is not None:
            raise Conflict(message("lineage.recorded"))
        event = UnitLineage(
            predecessor=predecessor,
            successor=successor,
            kind=data.kind.value,
            effective_date=data.effective_date,
            legal_basis=data.legal_basis,
            note=data.note,
        )
        await self.units.add(event)
        return event

    async def apply_group(self, spec: GroupSpec) -> UnitGroup:
        """Create the group, or check that the stored one is the same."""
        group = await self.units.get_group(spec.code)
        if group is None:
            group = UnitGroup(**spec.model_dump())
            await self.units.add(group)
        elif GroupRead.model_validate(group).model_dump() != spec.model_dump():
            raise Conflict(message("group.differs", code=spec.code))
        return group
