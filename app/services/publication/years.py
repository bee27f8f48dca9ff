"""Assessment years: creation and listing."""

from datetime import date

from sqlalchemy.ext.asyncio import AsyncSession

from app.core.errors import Conflict, InvalidInput, NotFound, Problem
from app.core.messages import message
from app.models import AssessmentYear, Source
from app.models.enums import YearStatus
from app.repositories.revision import RevisionRepository
from app.repositories.years import YearRepository
from app.schemas.years import SourceIn, YearCreate, YearRead
from app.services.access.viewer import Viewer
from app.services.audit.trail import AuditService


class YearNotFound(NotFound):
    slug = "year-not-found"


class YearExists(Conflict):
    slug = "year-exists"


def year_read(year: AssessmentYear) -> YearRead:
    return YearRead.model_validate(year)


class YearService:
    """Years as one viewer may see them: a draft year does not exist for the public (same
    404, same message), so not even its existence leaks (see Viewer)."""

    def __init__(self, session: AsyncSession, *, viewer: Viewer) -> None:
        self.session = session
        self.years = YearRepository(session)
        self.viewer = viewer

    def visible(self, year: AssessmentYear | None) -> bool:
        return year is not None and self.viewer.sees(year.status)

    async def require_year(self, year: int, *, for_update: bool = False) -> AssessmentYear:
        found = await self.years.get(year, for_update=for_update)
        if found is None or not self.visible(found):
            raise YearNotFound(message("year.not-found", year=year))
        return found

    async def find_year(self, year: int) -> AssessmentYear | None:
        """The stored year, or None when there is none or the caller may not see it."""
        found = await self.years.get(year)
        return found if self.visible(found) else None

    async def year_exists(self, year: int) -> bool:
        return self.visible(await self.years.get(year))

    async def units_as_of_dates(self) -> dict[int, date]:
        """Each stored year's cut-off, draft years included: it only places lineage events
        between comparisons, and a comparison with a year the viewer cannot see is not shown."""
        return await self.years.units_as_of_dates()

    async def list_years(self) -> list[YearRead]:
        return [year_read(y) for y in await self.years.list_years() if self.visible(y)]

    async def get_year(self, year: int) -> YearRead:
        return year_read(await self.require_year(year))

    async def create_year(self, data: YearCreate) -> YearRead:
        created = await self.apply_create_year(data)
        AuditService(self.session).record(
            action="create",
            entity="year",
            entity_key=str(data.year),
            year=data.year,
            after=data.model_dump(mode="json"),
        )
        await RevisionRepository(self.session).bump()
        await self.session.commit()
        return year_read(created)

    async def apply_create_year(self, data: YearCreate) -> AssessmentYear:
        if await self.years.get(data.year) is not None:
            raise YearExists(message("year.exists", year=data.year))
        units_as_of = data.effective_units_as_of
        await self._check_cut_off_order(data.year, units_as_of)
        source = await self.apply_source(data.source) if data.source else None
        created = AssessmentYear(
            year=data.year,
            status=YearStatus.DRAFT.value,
            units_as_of_date=units_as_of,
            legal_basis=data.legal_basis,
            note=data.note,
            source=source,
        )
        await self.years.add(created)
        return created

    async def _check_cut_off_order(self, year: int, units_as_of: date) -> None:
        """Cut-offs never go backwards from one year to the next, so the comparisons' windows
        of lineage events follow each other without overlapping: each event counts once."""
        stored = await self.years.units_as_of_dates()
        earlier = [stored[y] for y in stored if y < year and stored[y] > units_as_of]
        later = [stored[y] for y in stored if y > year and stored[y] < units_as_of]
        if earlier or later:
            clash = max(earlier) if earlier else min(later)
            raise InvalidInput(
                message("year.cut-off-out-of-order"),
                errors=[
                    Problem(
                        ["body", "units_as_of"],
                        message("year.cut-off-backwards", date=units_as_of, other=clash),
                    )
                ],
            )

    async def find_source(self, code: str) -> Source | None:
        return await self.years.get_source(code)

    async def apply_source(self, data: SourceIn) -> Source:
        """Reuse the source with this code, which must say the same; or record a new one."""
        source = await self.years.get_source(data.code)
        if source is None:
            source = Source(code=data.code, title=data.title, url=data.url)
            await self.years.add(source)
        elif (source.title, source.url) != (data.title, data.url):
            raise Conflict(message("year.source-differs", code=data.code))
        return source
