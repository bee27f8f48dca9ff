"""What a score template of a (year, group) holds: its criteria set's leaves, the group's units
as of the year's cut-off date, and their current scores of the kind the template takes."""

import hashlib
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from sqlalchemy.ext.asyncio import AsyncSession

from app.core.errors import Conflict
from app.core.messages import message
from app.models import CriteriaSet
from app.repositories.exports import ExportRepository
from app.services.exports.files import SHEET_TITLE_MAX, UNSAFE_IN_FILENAME
from app.services.exports.score_sheets import SheetScores, score_sheet_title
from app.services.publication.years import YearService
from app.services.registry.criteria import CriteriaSetNotFound
from app.services.registry.criteria_tree import parent_code
from app.services.registry.units import UnitService

VERSION_DIGITS = 8


class SheetTitleTooLong(Conflict):
    slug = "template-sheet-title"


@dataclass(frozen=True)
class TemplateLeaf:
    code: str
    name_vi: str
    maximum: Decimal
    method: str | None


@dataclass(frozen=True)
class TemplateUnit:
    code: str
    name_vi: str
    scores: dict[str, Decimal]  # by leaf code; a leaf without a current score is absent


@dataclass(frozen=True)
class ScoreTemplate:
    """One (year, group) and kind of score: what its workbook is made of."""

    year: int
    group_code: str
    group_name_vi: str
    scores: SheetScores
    sheet_title: str
    units_as_of: date
    criteria_version: str
    maximum: Decimal  # the index denominator of the criteria set
    leaves: tuple[TemplateLeaf, ...]
    units: tuple[TemplateUnit, ...]

    @property
    def filename(self) -> str:
        """template_year_group_kind.xlsx: what the API names the download, the CLI its file."""
        stem = f"template_{self.year}_{self.group_code}_{self.scores}"
        return f"{UNSAFE_IN_FILENAME.sub('-', stem)}.xlsx"


def criteria_version(criteria_set: CriteriaSet) -> str:
    """A short fingerprint of the tree (codes, maxima, methods): two templates with the same
    version were made against the same criteria set."""
    digest = hashlib.sha256()
    for node in criteria_set.criteria:
        digest.update(f"{node.code}|{node.max_score.normalize()}|{node.method or ''}\n".encode())
    return digest.hexdigest()[:VERSION_DIGITS].upper()


def template_leaves(criteria_set: CriteriaSet) -> tuple[TemplateLeaf, ...]:
    """The set's leaves in tree order."""
    inner = {parent_code(node.code) for node in criteria_set.criteria}
    return tuple(
        TemplateLeaf(node.code, node.name_vi, node.max_score, node.method)
        for node in criteria_set.criteria
        if node.code not in inner
    )


class TemplateService:
    def __init__(self, session: AsyncSession, *, years: YearService) -> None:
        self.exports = ExportRepository(session)
        self.years = years
        self.units = UnitService(session)

    async def template(self, *, year: int, group: str, scores: SheetScores) -> ScoreTemplate:
        """The units of the group that exist on the year's `units_as_of` date, each with its
        current self-assessed or final scores (`scores`)."""
        assessment_year = await self.years.require_year(year)
        unit_group = await self.units.require_group(group)
        found = await self.exports.criteria_sets_of_year(year=year, group_id=unit_group.id)
        if not found:
            raise CriteriaSetNotFound(message("criteria.not-found", group=group, year=year))
        criteria_set = found[0]
        title = score_sheet_title(unit_group.code, scores)
        if len(title) > SHEET_TITLE_MAX:
            raise SheetTitleTooLong(
                message("template.sheet-title-too-long", title=title, limit=SHEET_TITLE_MAX)
            )
        day = assessment_year.units_as_of_date
        members = await self.exports.units_of_group_on(group_id=unit_group.id, day=day)
        stored = await self.exports.leaf_scores_of_year(year=year, group_id=unit_group.id)
        by_unit: dict[str, dict[str, Decimal]] = {}
        for row in stored:
            value = row.self_score if scores is SheetScores.SELF else row.final_score
            if value is not None:
                by_unit.setdefault(row.unit_code, {})[row.criterion_code] = value
        return ScoreTemplate(
            year=year,
            group_code=unit_group.code,
            group_name_vi=unit_group.name_vi,
            scores=scores,
            sheet_title=title,
            units_as_of=day,
            criteria_version=criteria_version(criteria_set),
            maximum=criteria_set.max_score,
            leaves=template_leaves(criteria_set),
            units=tuple(
                TemplateUnit(unit.code, unit.name_vi, by_unit.get(unit.code, {}))
                for unit in members
            ),
        )
