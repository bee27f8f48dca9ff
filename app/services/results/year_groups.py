"""Assessment years with the groups that have results each year, and how complete they are."""

from app.schemas.coverage import YearCoverageRead, YearGroupRead
from app.schemas.years import YearRead
from app.services.registry.groups import GroupService
from app.services.results.group_results import GroupResultService
from app.services.results.presenting import coverage_read


class YearGroupsService:
    """The year listing: each year as YearService shows it, with its groups' coverage."""

    def __init__(self, results: GroupResultService) -> None:
        self.results = results

    async def list_years(self) -> list[YearCoverageRead]:
        """Every year the caller may see, newest first."""
        return [await self._with_groups(read) for read in await self.results.years.list_years()]

    async def get_year(self, year: int) -> YearCoverageRead:
        return await self._with_groups(await self.results.years.get_year(year))

    async def _with_groups(self, read: YearRead) -> YearCoverageRead:
        groups = await self._groups(read.year)
        return YearCoverageRead.model_validate({**read.model_dump(), "groups": groups})

    async def _groups(self, year: int) -> list[YearGroupRead]:
        """The groups with a unit result or a published summary that year, in group order."""
        groups = []
        for group in await GroupService(self.results.session).list_groups():
            group_year = await self.results.group_year(year=year, group=group.code)
            if group_year.has_results:
                groups.append(
                    YearGroupRead(
                        code=group.code,
                        name_vi=group.name_vi,
                        name_en=group.name_en,
                        coverage=coverage_read(group_year.coverage),
                    )
                )
        return groups
