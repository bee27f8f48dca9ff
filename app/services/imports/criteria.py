"""Criteria imports: a group's criteria set and bands from a file, applied as PUT would apply it."""

import asyncio
from collections.abc import Sequence
from decimal import Decimal
from typing import IO, Any

from pydantic import ValidationError
from sqlalchemy.ext.asyncio import AsyncSession

from app.core.errors import InvalidInput
from app.core.validation_messages import validation_message
from app.models import CriteriaSet
from app.repositories.criteria import CriteriaRepository
from app.schemas.base import format_decimal
from app.schemas.criteria import CriteriaSetPut
from app.schemas.imports import ImportReportRead
from app.services.imports.diff import Diff
from app.services.imports.parsing import ReadLimits, read_criteria
from app.services.imports.parsing.limits import DEFAULT_LIMITS
from app.services.imports.parsing.problems import Locator, ProblemLog
from app.services.imports.records import Attempt, ImportRecords
from app.services.registry.criteria import CriteriaService
from app.services.registry.units import UnitService

_NODE_FIELDS = ("name_vi", "name_en", "max_score", "method")


class CriteriaImport:
    def __init__(self, session: AsyncSession, *, limits: ReadLimits = DEFAULT_LIMITS) -> None:
        self.session = session
        self.limits = limits
        self.attempts = ImportRecords(session)

    async def run(self, attempt: Attempt, file: IO[bytes]) -> ImportReportRead:
        """Replace the group's criteria set of the year by the file's, as one PUT would; a dry
        run tries it inside a savepoint and rolls it back."""
        year, options = attempt.year, attempt.options
        group = options.group or ""
        assessment_year = await self.attempts.lock_year(attempt)
        unit_group = await UnitService(self.session).require_group(group)
        problems = ProblemLog()
        body, where = await asyncio.to_thread(
            read_criteria,
            file,
            attempt.file_format,
            group=group,
            problems=problems,
            limits=self.limits,
        )
        data = None if problems else _criteria_set(body, attempt, where, problems)
        if data is None:
            raise attempt.rejected(problems)
        existing = await CriteriaRepository(self.session).get_set(year=year, group_id=unit_group.id)
        diff = diff_criteria(existing, data)
        attempt.counts.update(diff.counts, criteria=len(data.criteria), bands=len(data.bands))
        if diff.is_empty:
            return await self.attempts.finish(attempt, assessment_year, diff)
        trial = await self.session.begin_nested() if options.dry_run else None
        try:
            await CriteriaService(self.session, years=self.attempts.years).apply_criteria_set(
                year=year, group=group, data=data
            )
        except InvalidInput as error:
            for problem in error.errors:
                problems.add(where(list(problem.loc)[1:]), problem.msg)
            raise attempt.rejected(problems) from error
        if trial is not None:
            await trial.rollback()
            return await self.attempts.finish(attempt, assessment_year, diff)
        return await self.attempts.apply(attempt, assessment_year, diff, entity=None)


def _criteria_set(
    body: dict[str, Any], attempt: Attempt, where: Locator, problems: ProblemLog
) -> CriteriaSetPut | None:
    """The body as a CriteriaSetPut, or None with its problems placed in the file."""
    try:
        return CriteriaSetPut.model_validate(
            {**body, "correction_reason": attempt.options.correction_reason}
        )
    except ValidationError as error:
        for item in error.errors():
            problems.add(where(list(item["loc"])), validation_message(item))
        return None


def diff_criteria(existing: CriteriaSet | None, data: CriteriaSetPut) -> Diff:
    """Per node code: added, changed (names, maximum, method), removed or unchanged; and the
    bands as one more key."""
    diff = Diff()
    stored = {node.code: node for node in existing.criteria} if existing else {}
    for node in data.criteria:
        before = stored.pop(node.code, None)
        diff.note(
            None,
            node.code,
            _NODE_FIELDS,
            None if before is None else _node_values(before),
            (
                node.name_vi,
                node.name_en,
                node.max_score,
                node.method.value if node.method else None,
            ),
        )
    for code, dropped in stored.items():
        diff.note(None, code, _NODE_FIELDS, _node_values(dropped), None)
    old_bands = (
        sorted((b.label_vi, b.label_en, b.min_index) for b in existing.bands) if existing else []
    )
    new_bands = sorted((b.label_vi, b.label_en, b.min_index) for b in data.bands)
    if old_bands != new_bands:
        diff.note(None, None, ("bands",), (_bands_text(old_bands),), (_bands_text(new_bands),))
    return diff


def _node_values(node: Any) -> tuple[str, str, Decimal, str | None]:
    return (node.name_vi, node.name_en, node.max_score, node.method or None)


def _bands_text(bands: Sequence[tuple[str, str, Decimal]]) -> str:
    return "; ".join(f"{vi} / {en} ≥ {format_decimal(low)}" for vi, en, low in bands)
