"""Leaf scores of one unit in one year, validated against the year's criteria set."""

from collections.abc import Sequence
from datetime import date
from decimal import Decimal

from sqlalchemy.ext.asyncio import AsyncSession

from app.core.errors import InvalidInput, Problem
from app.core.messages import message
from app.models import CriteriaSet, Criterion, LeafScore, OrgUnit
from app.repositories.criteria import CriteriaRepository
from app.repositories.revision import RevisionRepository
from app.repositories.scores import ScoreRepository
from app.schemas.base import format_decimal
from app.schemas.scores import LeafScoreIn, LeafScoreRead, ScoresPut, ScoresRead
from app.services.audit.trail import AuditService
from app.services.publication.service import PublicationService, guard_write
from app.services.publication.snapshots import as_decimal, load_snapshot
from app.services.publication.years import YearService
from app.services.registry.criteria import CriteriaSetNotFound
from app.services.registry.criteria_tree import parent_code
from app.services.registry.units import UnitService


def active_in_year(unit: OrgUnit, year: int) -> bool:
    """A unit takes part in a year's assessment if it existed at any time during that year."""
    starts_in_time = unit.valid_from_date is None or unit.valid_from_date <= date(year, 12, 31)
    lasts_long_enough = unit.valid_to_date is None or unit.valid_to_date >= date(year, 1, 1)
    return starts_in_time and lasts_long_enough


def leaves_by_code(criteria_set: CriteriaSet) -> dict[str, Criterion]:
    inner = {parent_code(node.code) for node in criteria_set.criteria}
    return {node.code: node for node in criteria_set.criteria if node.code not in inner}


def check_scores(
    rows: Sequence[LeafScoreIn], leaves: dict[str, Criterion], *, loc: Sequence[str | int]
) -> list[Problem]:
    """Every problem with a list of leaf scores: unknown or inner criteria, duplicates, maxima."""
    problems: list[Problem] = []
    all_codes = set(leaves) | {parent for code in leaves for parent in _ancestors(code)}
    seen: set[str] = set()
    for position, row in enumerate(rows):
        where = [*loc, position]
        if row.criterion in seen:
            problems.append(
                Problem([*where, "criterion"], message("scores.twice", code=row.criterion))
            )
        seen.add(row.criterion)
        leaf = leaves.get(row.criterion)
        if leaf is None:
            reason = "scores.not-leaf" if row.criterion in all_codes else "scores.unknown-criterion"
            problems.append(Problem([*where, "criterion"], message(reason, code=row.criterion)))
            continue
        for field in ("self_score", "final_score"):
            value = getattr(row, field)
            if value is not None and value > leaf.max_score:
                problems.append(
                    Problem(
                        [*where, field],
                        message(
                            "scores.above-max", value=value, max=leaf.max_score, code=row.criterion
                        ),
                    )
                )
    return problems


def _require_active(unit: OrgUnit, year: int) -> None:
    if not active_in_year(unit, year):
        raise InvalidInput(
            message(
                "scores.unit-inactive",
                unit=unit.code,
                year=year,
                start=unit.valid_from_date or "…",
                end=unit.valid_to_date or "…",
            ),
            errors=[Problem(["path", "unit_code"], message("scores.inactive-short"))],
        )


def _audit_row(
    code: str, self_score: Decimal | None, final_score: Decimal | None, note: str | None
) -> list[str | None]:
    return [code, _text(self_score), _text(final_score), note]


def _text(value: Decimal | None) -> str | None:
    return None if value is None else format_decimal(value)


def _ancestors(code: str) -> list[str]:
    parents = []
    parent = parent_code(code)
    while parent is not None:
        parents.append(parent)
        parent = parent_code(parent)
    return parents


class ScoreService:
    def __init__(self, session: AsyncSession, *, years: YearService) -> None:
        self.session = session
        self.scores = ScoreRepository(session)
        self.criteria = CriteriaRepository(session)
        self.years = years
        self.units = UnitService(session)

    async def _criteria_set_for(self, unit: OrgUnit, year: int) -> CriteriaSet:
        found = await self.criteria.get_set(year=year, group_id=unit.group_id)
        if found is None:
            raise CriteriaSetNotFound(
                message("scores.no-criteria-set", group=unit.group.code, year=year, unit=unit.code)
            )
        return found

    async def get_scores(
        self, *, year: int, unit_code: str, revision: int | None = None
    ) -> ScoresRead:
        """The unit's leaf scores as they stand, or at an earlier published revision."""
        assessment_year = await self.years.require_year(year)
        unit = await self.units.require_unit(unit_code)
        if revision is not None and revision != assessment_year.revision:
            return await self._scores_at(unit, year=year, revision=revision)
        criteria_set = await self._criteria_set_for(unit, year)
        rows = await self.scores.list_for_unit(unit_id=unit.id, criteria_set_id=criteria_set.id)
        return ScoresRead(
            year=year,
            unit=unit.code,
            group=unit.group.code,
            scores=[
                LeafScoreRead.model_validate(
                    {
                        "criterion": row.criterion.code,
                        "method": row.criterion.method,
                        "max_score": row.criterion.max_score,
                        "self_score": row.self_score,
                        "final_score": row.final_score,
                        "note": row.note,
                    }
                )
                for row in rows
            ],
        )

    async def _scores_at(self, unit: OrgUnit, *, year: int, revision: int) -> ScoresRead:
        snapshot = await load_snapshot(self.session, year=year, revision=revision)
        part = snapshot["groups"].get(unit.group.code)
        if part is None:
            raise CriteriaSetNotFound(
                message(
                    "criteria.not-found-at", group=unit.group.code, year=year, revision=revision
                )
            )
        leaves = {code: (maximum, method) for code, _vi, _en, maximum, method in part["criteria"]}
        order = {code: position for position, (code, *_rest) in enumerate(part["criteria"])}
        rows = sorted(
            (row for row in part["scores"] if row[0] == unit.id), key=lambda row: order[row[1]]
        )
        return ScoresRead(
            year=year,
            unit=unit.code,
            group=unit.group.code,
            scores=[
                LeafScoreRead.model_validate(
                    {
                        "criterion": code,
                        "method": leaves[code][1],
                        "max_score": Decimal(leaves[code][0]),
                        "self_score": as_decimal(self_score),
                        "final_score": as_decimal(final_score),
                        "note": note,
                    }
                )
                for _unit_id, code, self_score, final_score, note in rows
            ],
        )

    async def put_scores(self, *, year: int, unit_code: str, data: ScoresPut) -> ScoresRead:
        await self.apply_scores(year=year, unit_code=unit_code, data=data)
        await RevisionRepository(self.session).bump()
        await self.session.commit()
        return await self.get_scores(year=year, unit_code=unit_code)

    async def apply_scores(self, *, year: int, unit_code: str, data: ScoresPut) -> None:
        """Replace the unit's leaf scores for the year, or write nothing if any row is wrong."""
        assessment_year = await self.years.require_year(year, for_update=True)
        guard_write(assessment_year, correction_reason=data.correction_reason)
        unit = await self.units.require_unit(unit_code)
        _require_active(unit, year)
        criteria_set = await self.criteria.get_set(year=year, group_id=unit.group_id)
        if criteria_set is None:
            raise InvalidInput(
                message(
                    "scores.group-no-criteria", group=unit.group.code, unit=unit_code, year=year
                ),
                errors=[Problem(["path", "unit_code"], message("scores.group-no-criteria-short"))],
            )
        leaves = leaves_by_code(criteria_set)
        problems = check_scores(data.scores, leaves, loc=["body", "scores"])
        if problems:
            raise InvalidInput(
                message("scores.rejected", count=len(problems), unit=unit_code),
                errors=problems,
            )
        await PublicationService(self.session, years=self.years).prepare_write(
            assessment_year, correction_reason=data.correction_reason, actor=None
        )
        before = [
            _audit_row(row.criterion.code, row.self_score, row.final_score, row.note)
            for row in await self.scores.list_for_unit(
                unit_id=unit.id, criteria_set_id=criteria_set.id
            )
        ]
        AuditService(self.session).record(
            action="replace" if before else "create",
            entity="scores",
            entity_key=f"{year}/{unit_code}",
            year=year,
            unit_code=unit_code,
            before=before or None,
            after=[
                _audit_row(row.criterion, row.self_score, row.final_score, row.note)
                for row in data.scores
            ],
            reason=data.correction_reason,
        )
        await self.scores.delete_for_unit(unit_id=unit.id, criteria_set_id=criteria_set.id)
        await self.scores.add_all(
            [
                LeafScore(
                    unit_id=unit.id,
                    criterion_id=leaves[row.criterion].id,
                    self_score=row.self_score,
                    final_score=row.final_score,
                    note=row.note,
                )
                for row in data.scores
            ]
        )
