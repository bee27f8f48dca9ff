"""Loading a whole data set in one transaction; loading it again changes nothing."""

from collections import Counter
from dataclasses import dataclass, field

from sqlalchemy.ext.asyncio import AsyncSession

from app.core.errors import Conflict
from app.core.messages import message
from app.models import PublishedGroupSummary, PublishedResult
from app.models.enums import YearStatus
from app.repositories.revision import RevisionRepository
from app.repositories.scores import ScoreRepository
from app.schemas.audit import PublishRequest
from app.schemas.datasets import (
    CriteriaSetSpec,
    DatasetBundle,
    PublishedGroupSpec,
    PublishedResultSpec,
    UnitScoresSpec,
)
from app.schemas.units import LineageEventCreate, UnitCreate
from app.services.access.viewer import EDITORIAL
from app.services.audit.trail import AuditService
from app.services.publication.service import PublicationService
from app.services.publication.years import YearService
from app.services.registry.criteria import CriteriaService
from app.services.registry.scores import ScoreService
from app.services.registry.units import UnitService


class DatasetConflict(Conflict):
    slug = "dataset-conflict"


@dataclass
class LoadReport:
    dataset: str
    created: Counter[str] = field(default_factory=Counter)
    unchanged: Counter[str] = field(default_factory=Counter)

    @property
    def changed_anything(self) -> bool:
        return sum(self.created.values()) > 0


class DatasetLoader:
    """Creates what is missing and checks that what exists says the same.

    A published year is frozen, so a bundle that disagrees with one is refused whole rather
    than silently overwriting published figures.
    """

    def __init__(self, session: AsyncSession) -> None:
        self.session = session
        self.units = UnitService(session)
        self.years = YearService(session, viewer=EDITORIAL)  # the loader writes draft years
        self.criteria = CriteriaService(session, years=self.years)
        self.scores = ScoreService(session, years=self.years)
        self.score_rows = ScoreRepository(session)

    async def load(self, bundle: DatasetBundle) -> LoadReport:
        report = LoadReport(dataset=bundle.name)
        try:
            await self._load(bundle, report)
        except BaseException:
            await self.session.rollback()
            raise
        if report.changed_anything:
            AuditService(self.session).record(
                action="load",
                entity="dataset",
                entity_key=bundle.name,
                after={"created": dict(report.created)},
            )
            await RevisionRepository(self.session).bump()
        await self.session.commit()
        return report

    async def _load(self, bundle: DatasetBundle, report: LoadReport) -> None:
        for source in bundle.sources:
            await self.years.apply_source(source)
        for group in bundle.groups:
            await self.units.apply_group(group)
        for unit in _parents_first(bundle.units):
            await self._unit(unit, report)
        for event in bundle.lineage:
            if await self._lineage_recorded(event):
                report.unchanged["lineage"] += 1
            else:
                await self.units.apply_create_lineage(event)
                report.created["lineage"] += 1
        frozen: set[int] = set()
        for year_spec in bundle.years:
            existing = await self.years.find_year(year_spec.year)
            if existing is None:
                await self.years.apply_create_year(year_spec)
                report.created["year"] += 1
            else:
                details = (existing.legal_basis, existing.note, existing.units_as_of_date)
                if details != (
                    year_spec.legal_basis,
                    year_spec.note,
                    year_spec.effective_units_as_of,
                ):
                    raise DatasetConflict(message("dataset.year-differs", year=year_spec.year))
                report.unchanged["year"] += 1
                if existing.status == YearStatus.PUBLISHED:
                    frozen.add(year_spec.year)
        for criteria_spec in bundle.criteria_sets:
            await self._criteria_set(criteria_spec, frozen, report)
        for scores_spec in bundle.scores:
            await self._scores(scores_spec, frozen, report)
        for result in bundle.published_results:
            await self._published_result(result, report)
        for summary in bundle.published_groups:
            await self._published_group(summary, report)
        for year_spec in bundle.years:
            if year_spec.status == YearStatus.PUBLISHED and year_spec.year not in frozen:
                stored = await self.years.require_year(year_spec.year, for_update=True)
                await PublicationService(self.session, years=self.years).apply_publish(
                    stored, data=PublishRequest(), actor=f"dataset:{bundle.name}"
                )
        await self.session.flush()

    async def _unit(self, spec: UnitCreate, report: LoadReport) -> None:
        stored = await self.units.find_unit(spec.code)
        if stored is None:
            await self.units.apply_create_unit(spec)
            report.created["unit"] += 1
            return
        current = await self.units.get_unit(spec.code)
        if current.model_dump() != spec.model_dump():
            raise DatasetConflict(message("dataset.unit-differs", unit=spec.code))
        report.unchanged["unit"] += 1

    async def _lineage_recorded(self, spec: LineageEventCreate) -> bool:
        stored = await self.units.find_lineage_event(spec)
        if stored is not None and (stored.legal_basis, stored.note) != (
            spec.legal_basis,
            spec.note,
        ):
            raise DatasetConflict(
                message("dataset.lineage-differs", before=spec.predecessor, after=spec.successor)
            )
        return stored is not None

    async def _criteria_set(
        self, spec: CriteriaSetSpec, frozen: set[int], report: LoadReport
    ) -> None:
        """Unchanged if stored the same; applied to a draft year; refused for a published one."""
        stored = await self.criteria.find_criteria_set(year=spec.year, group=spec.group)
        if stored is not None:
            wanted = {(c.code, c.name_vi, c.name_en, c.max_score, c.method) for c in spec.criteria}
            have = {(c.code, c.name_vi, c.name_en, c.max_score, c.method) for c in stored.criteria}
            wanted_bands = {(b.label_vi, b.label_en, b.min_index) for b in spec.bands}
            have_bands = {(b.label_vi, b.label_en, b.min_index) for b in stored.bands}
            if wanted == have and wanted_bands == have_bands:
                report.unchanged["criteria_set"] += 1
                return
        if spec.year in frozen:
            raise DatasetConflict(
                message("dataset.criteria-differ", group=spec.group, year=spec.year)
            )
        await self.criteria.apply_criteria_set(year=spec.year, group=spec.group, data=spec)
        report.created["criteria_set"] += 1

    async def _scores(self, spec: UnitScoresSpec, frozen: set[int], report: LoadReport) -> None:
        """Unchanged if stored the same; applied to a draft year; refused for a published one."""
        stored = await self.scores.get_scores(year=spec.year, unit_code=spec.unit)
        wanted = {(s.criterion, s.self_score, s.final_score, s.note) for s in spec.scores}
        have = {(s.criterion, s.self_score, s.final_score, s.note) for s in stored.scores}
        if wanted == have:
            report.unchanged["leaf_score"] += len(spec.scores)
            return
        if spec.year in frozen:
            raise DatasetConflict(message("dataset.scores-differ", unit=spec.unit, year=spec.year))
        await self.scores.apply_scores(year=spec.year, unit_code=spec.unit, data=spec)
        report.created["leaf_score"] += len(spec.scores)

    async def _published_result(self, spec: PublishedResultSpec, report: LoadReport) -> None:
        unit = await self.units.require_unit(spec.unit)
        source = await self.years.find_source(spec.source)
        if source is None:
            raise DatasetConflict(message("dataset.unknown-source", source=spec.source))
        values = {
            "index_value": spec.index_value,
            "published_rank": spec.published_rank,
            "published_position": spec.published_position,
            "band_vi": spec.band_vi,
            "note": spec.note,
        }
        stored = await self.score_rows.get_published(unit_id=unit.id, year=spec.year)
        if stored is None:
            await self.score_rows.add(
                PublishedResult(unit_id=unit.id, year=spec.year, source_id=source.id, **values)
            )
            report.created["published_result"] += 1
        elif {key: getattr(stored, key) for key in values} != values or (
            stored.source_id != source.id
        ):
            raise DatasetConflict(message("dataset.result-differs", unit=spec.unit, year=spec.year))
        else:
            report.unchanged["published_result"] += 1

    async def _published_group(self, spec: PublishedGroupSpec, report: LoadReport) -> None:
        group = await self.units.require_group(spec.group)
        source = await self.years.find_source(spec.source)
        if source is None:
            raise DatasetConflict(message("dataset.unknown-source", source=spec.source))
        values = {"unit_count": spec.unit_count, "band_counts": spec.band_counts, "note": spec.note}
        stored = await self.score_rows.get_group_summary(group_id=group.id, year=spec.year)
        if stored is None:
            await self.score_rows.add(
                PublishedGroupSummary(
                    year=spec.year, group_id=group.id, source_id=source.id, **values
                )
            )
            report.created["published_group"] += 1
        elif {key: getattr(stored, key) for key in values} != values:
            raise DatasetConflict(
                message("dataset.summary-differs", group=spec.group, year=spec.year)
            )
        else:
            report.unchanged["published_group"] += 1


def _parents_first(units: list[UnitCreate]) -> list[UnitCreate]:
    """Order units so that a parent is created before its children."""
    by_code = {unit.code: unit for unit in units}
    ordered: list[UnitCreate] = []
    placed: set[str] = set()

    def place(unit: UnitCreate) -> None:
        if unit.code in placed:
            return
        if unit.parent in by_code:
            place(by_code[unit.parent])
        placed.add(unit.code)
        ordered.append(unit)

    for unit in units:
        place(unit)
    return ordered
