"""Criteria sets: the scoring tree of one (year, group), replaced whole and validated."""

from collections.abc import Sequence
from decimal import Decimal

from sqlalchemy.ext.asyncio import AsyncSession

from app.core.errors import Conflict, InvalidInput, NotFound, Problem
from app.core.messages import Message, message
from app.models import Band, CriteriaSet, Criterion
from app.repositories.criteria import CriteriaRepository
from app.repositories.revision import RevisionRepository
from app.schemas.criteria import (
    BandRead,
    CriteriaSetPut,
    CriteriaSetRead,
    CriterionIn,
    CriterionRead,
)
from app.services.audit.trail import AuditService
from app.services.publication.service import PublicationService, guard_write
from app.services.publication.snapshots import load_snapshot
from app.services.publication.years import YearService
from app.services.registry.criteria_tree import code_key, parent_code, validate_tree
from app.services.registry.units import UnitService


class CriteriaSetNotFound(NotFound):
    slug = "criteria-set-not-found"


class CriteriaInUse(Conflict):
    slug = "criteria-in-use"


def criteria_set_read(criteria_set: CriteriaSet, *, group_code: str) -> CriteriaSetRead:
    return tree_read(
        year=criteria_set.year,
        group_code=group_code,
        max_score=criteria_set.max_score,
        nodes=[
            (node.code, node.name_vi, node.name_en, node.max_score, node.method)
            for node in criteria_set.criteria
        ],
        bands=[(band.label_vi, band.label_en, band.min_index) for band in criteria_set.bands],
    )


def tree_read(
    *,
    year: int,
    group_code: str,
    max_score: Decimal,
    nodes: Sequence[tuple[str, str, str, Decimal, str | None]],
    bands: Sequence[tuple[str, str, Decimal]],
) -> CriteriaSetRead:
    """Nodes (code, name_vi, name_en, max, method) in tree order, bands highest first."""
    inner = {parent_code(code) for code, *_ in nodes}
    return CriteriaSetRead(
        year=year,
        group=group_code,
        max_score=max_score,
        criteria=[
            CriterionRead.model_validate(
                {
                    "code": code,
                    "parent_code": parent_code(code),
                    "depth": code.count(".") + 1,
                    "is_leaf": code not in inner,
                    "name_vi": name_vi,
                    "name_en": name_en,
                    "max_score": maximum,
                    "method": method,
                }
            )
            for code, name_vi, name_en, maximum, method in nodes
        ],
        bands=[
            BandRead(label_vi=vi, label_en=en, min_index=low)
            for vi, en, low in sorted(bands, key=lambda band: band[2], reverse=True)
        ],
    )


def _structure(nodes: list[CriterionIn] | list[Criterion]) -> set[tuple[str, object, object]]:
    """What scores depend on: codes, maxima and methods (names may change freely)."""
    return {(node.code, node.max_score, node.method or None) for node in nodes}


class CriteriaService:
    def __init__(self, session: AsyncSession, *, years: YearService) -> None:
        self.session = session
        self.criteria = CriteriaRepository(session)
        self.years = years
        self.units = UnitService(session)

    async def get_criteria_set(
        self, *, year: int, group: str, revision: int | None = None
    ) -> CriteriaSetRead:
        """The tree as it stands, or as it stood at an earlier published revision."""
        assessment_year = await self.years.require_year(year)
        unit_group = await self.units.require_group(group)
        if revision is not None and revision != assessment_year.revision:
            snapshot = await load_snapshot(self.session, year=year, revision=revision)
            part = snapshot["groups"].get(group)
            if part is None:
                raise CriteriaSetNotFound(
                    message("criteria.not-found-at", group=group, year=year, revision=revision)
                )
            return tree_read(
                year=year,
                group_code=group,
                max_score=Decimal(part["max_score"]),
                nodes=[
                    (c, vi, en, Decimal(m), method) for c, vi, en, m, method in part["criteria"]
                ],
                bands=[(vi, en, Decimal(low)) for vi, en, low in part["bands"]],
            )
        found = await self.criteria.get_set(year=year, group_id=unit_group.id)
        if found is None:
            raise CriteriaSetNotFound(message("criteria.not-found", group=group, year=year))
        return criteria_set_read(found, group_code=group)

    async def find_criteria_set(self, *, year: int, group: str) -> CriteriaSetRead | None:
        """The tree as it stands, or None when (year, group) has none yet."""
        unit_group = await self.units.require_group(group)
        found = await self.criteria.get_set(year=year, group_id=unit_group.id)
        if found is None or not await self.years.year_exists(year):
            return None
        return criteria_set_read(found, group_code=group)

    async def put_criteria_set(
        self, *, year: int, group: str, data: CriteriaSetPut
    ) -> CriteriaSetRead:
        await self.apply_criteria_set(year=year, group=group, data=data)
        await RevisionRepository(self.session).bump()
        await self.session.commit()
        return await self.get_criteria_set(year=year, group=group)

    async def apply_criteria_set(
        self, *, year: int, group: str, data: CriteriaSetPut
    ) -> CriteriaSet:
        """Replace the tree and bands of (year, group) after checking every rule.

        Once leaf scores exist, only names and bands may change: codes, maxima and methods are
        what the scores were given against.
        """
        assessment_year = await self.years.require_year(year, for_update=True)
        guard_write(assessment_year, correction_reason=data.correction_reason)
        unit_group = await self.units.require_group(group)
        scored_max = _checked_maximum(data)
        existing = await self.criteria.get_set(year=year, group_id=unit_group.id)
        await PublicationService(self.session, years=self.years).prepare_write(
            assessment_year, correction_reason=data.correction_reason, actor=None
        )
        self._audit(existing, year=year, group=group, data=data)
        if existing is None:
            existing = CriteriaSet(
                year=year, group=unit_group, max_score=scored_max, criteria=[], bands=[]
            )
            await self.criteria.add(existing)
        else:
            await self._refuse_structure_change_once_scored(
                existing, year=year, group=group, data=data
            )
        await self._replace_nodes(existing, data)
        existing.max_score = scored_max
        await self._replace_bands(existing, data)
        await self.session.flush()
        return existing

    def _audit(
        self, existing: CriteriaSet | None, *, year: int, group: str, data: CriteriaSetPut
    ) -> None:
        AuditService(self.session).record(
            action="replace" if existing else "create",
            entity="criteria_set",
            entity_key=f"{year}/{group}",
            year=year,
            before=_audit_tree(existing) if existing else None,
            after=_audit_put(data),
            reason=data.correction_reason,
        )

    async def _refuse_structure_change_once_scored(
        self, existing: CriteriaSet, *, year: int, group: str, data: CriteriaSetPut
    ) -> None:
        if _structure(existing.criteria) != _structure(
            data.criteria
        ) and await self.criteria.has_scores(existing.id):
            raise CriteriaInUse(message("criteria.in-use", group=group, year=year))

    async def _replace_bands(self, criteria_set: CriteriaSet, data: CriteriaSetPut) -> None:
        await self.criteria.delete_bands(criteria_set.id)
        for band in data.bands:
            await self.criteria.add(Band(criteria_set_id=criteria_set.id, **band.model_dump()))

    async def _replace_nodes(self, criteria_set: CriteriaSet, data: CriteriaSetPut) -> None:
        """Update nodes in place by code, keeping the ids scores point to; add and drop the rest."""
        current = {node.code: node for node in criteria_set.criteria}
        wanted = {node.code: node for node in data.criteria}
        # Children before parents, one flush each: the database cascades a parent's delete to
        # its children, and a batched ORM delete would then find them gone (SAWarning).
        for code in sorted(set(current) - set(wanted), key=code_key, reverse=True):
            await self.session.delete(current.pop(code))
            await self.session.flush()
        for order, code in enumerate(sorted(wanted, key=code_key)):
            spec = wanted[code]
            node = current.get(code)
            if node is None:
                node = Criterion(criteria_set_id=criteria_set.id, code=code)
                current[code] = node
                self.session.add(node)
            parent = parent_code(code)
            node.parent_id = current[parent].id if parent else None
            node.name_vi, node.name_en = spec.name_vi, spec.name_en
            node.max_score = spec.max_score
            node.method = spec.method.value if spec.method else None
            node.sort_order = order
            # Flush per node so a child can point at its parent's id.
            await self.session.flush()
        await self.session.refresh(criteria_set, attribute_names=["criteria", "bands"])


def _checked_maximum(data: CriteriaSetPut) -> Decimal:
    """The set's maximum (Σ over scored leaves), once the tree and bands break no rule."""
    check = validate_tree(data.criteria, declared_max=data.max_score)
    problems = [*check.problems, *_band_problems(data)]
    if problems:
        raise InvalidInput(
            message("criteria.rejected", count=len(problems)),
            errors=[_in_body(problem) for problem in problems],
        )
    return check.scored_max


def _band_problems(data: CriteriaSetPut) -> list[Problem]:
    """Two bands may not start at the same index."""
    problems: list[Problem] = []
    seen_minima: set[Decimal] = set()
    for position, band in enumerate(data.bands):
        if band.min_index in seen_minima:
            problems.append(
                _band_problem(position, message("criteria.band-twice", index=band.min_index))
            )
        seen_minima.add(band.min_index)
    return problems


def _audit_tree(criteria_set: CriteriaSet) -> dict[str, list[list[str | None]]]:
    return {
        "criteria": [
            [c.code, c.name_vi, c.name_en, str(c.max_score), c.method]
            for c in criteria_set.criteria
        ],
        "bands": [[b.label_vi, b.label_en, str(b.min_index)] for b in criteria_set.bands],
    }


def _audit_put(data: CriteriaSetPut) -> dict[str, list[list[str | None]]]:
    return {
        "criteria": [
            [c.code, c.name_vi, c.name_en, str(c.max_score), c.method] for c in data.criteria
        ],
        "bands": [[b.label_vi, b.label_en, str(b.min_index)] for b in data.bands],
    }


def _in_body(problem: Problem) -> Problem:
    return Problem(["body", *problem.loc], problem.msg)


def _band_problem(position: int, why: Message) -> Problem:
    return Problem(["bands", position, "min_index"], why)
