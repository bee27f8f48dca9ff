"""What each page shows, asked of the public's services (the API's own) and shaped for templates.

Nothing here decides a rank, a tie, a band or a comparison: those come from the services as
the API serves them. A rank is shown where the service gives one; where it gives none, the page
shows what the source published about the unit's place, if anything, and never a number of its
own. Optional fields that the services may add later (`coverage`, a machine-readable published
`position`) are read defensively, so the pages render with or without them.
"""

from dataclasses import dataclass, field
from decimal import Decimal

from app.core.errors import NotFound
from app.core.i18n import Language
from app.core.messages import message
from app.pages import charts
from app.pages.text import Texts
from app.schemas.rankings import RankingEntryRead, RankingRead
from app.schemas.years import YearRead
from app.services.registry.groups import GroupService
from app.services.results.group_results import GroupResultService
from app.services.results.ranking import RankingService


@dataclass(frozen=True)
class CoverageView:
    """What the source published for a (year, group): complete or not, and in its words."""

    complete: bool | None
    details: tuple[str, ...]


@dataclass(frozen=True)
class RankingRow:
    entry: RankingEntryRead
    rank: str
    position: str | None
    bar_pct: Decimal | None
    band_css: str
    change: charts.Change | None


@dataclass(frozen=True)
class RankingView:
    year: YearRead
    ranking: RankingRead
    rows: tuple[RankingRow, ...]
    coverage: CoverageView

    @property
    def legend(self) -> tuple[tuple[str, str], ...]:
        """Each band shown, once, in the order the chart meets it: (label, colour class)."""
        seen: dict[str, str] = {}
        for row in self.rows:
            if row.entry.band is not None:
                seen.setdefault(row.entry.band.label, row.band_css)
        return tuple(seen.items())


@dataclass(frozen=True)
class GroupSummary:
    ranking: RankingRead
    coverage: CoverageView


@dataclass(frozen=True)
class YearSummary:
    year: YearRead
    groups: tuple[GroupSummary, ...] = field(default=())


def _known_position(text: str, t: Texts) -> str:
    """A machine-readable position in words ('bottom_3' → 'among the three lowest')."""
    key = f"position_{text}"
    return t(key) if key in POSITION_KEYS else text


POSITION_KEYS = frozenset(
    {"position_lowest", "position_highest", "position_top_3", "position_bottom_3"}
)


def _wording(value: object, t: Texts) -> str | None:
    """Published position wording from a string or a small model (vi/en fields or a code)."""
    if value is None:
        return None
    if isinstance(value, str):
        return _known_position(value, t) if value else None
    language = t.language
    for name in (f"wording_{language}", f"label_{language}", f"text_{language}", language):
        found = getattr(value, name, None)
        if isinstance(found, str) and found:
            return found
    for name in ("wording", "label", "text", "code"):
        found = getattr(value, name, None)
        if isinstance(found, str) and found:
            return _known_position(found, t)
    return None


def published_position(entry: object, t: Texts) -> str | None:
    """What the source said about the unit's place: on the entry, else in its published block."""
    for holder in (entry, getattr(entry, "published", None)):
        for name in (f"position_{t.language}", "position"):
            text = _wording(getattr(holder, name, None), t)
            if text:
                return text
    return None


def coverage_view(ranking: RankingRead) -> CoverageView:
    """The ranking's `coverage` where the service states one, and the published summary's note."""
    coverage = getattr(ranking, "coverage", None)
    complete = getattr(coverage, "complete", None)
    details: list[str] = []
    if coverage is not None and hasattr(coverage, "model_dump"):
        for name, value in coverage.model_dump(mode="json").items():
            if name != "complete" and isinstance(value, str | int) and not isinstance(value, bool):
                details.append(f"{name.replace('_', ' ')}: {value}")
    summary = ranking.published_summary
    if summary is not None and summary.note:
        details.append(summary.note)
    return CoverageView(complete if isinstance(complete, bool) else None, tuple(details))


def ranking_rows(ranking: RankingRead, t: Texts) -> tuple[RankingRow, ...]:
    return tuple(
        RankingRow(
            entry=entry,
            rank=charts.rank_label(entry.rank, entry.tied),
            position=published_position(entry, t),
            bar_pct=charts.share_pct(entry.index, charts.HUNDRED),
            band_css=charts.band_class(entry.band.label_en if entry.band else None),
            change=charts.rank_change(entry.previous.rank_change if entry.previous else None),
        )
        for entry in ranking.entries
    )


class PublicReader:
    """The public's view of the results through the API's services (published years only)."""

    def __init__(self, results: GroupResultService) -> None:
        self.results = results
        self.rankings = RankingService(results)

    async def ranking(self, *, year: int, group: str, language: Language) -> RankingRead:
        """The API's ranking, from the same cache as `GET /api/v1/years/{year}/rankings/{group}`."""
        rendered = await self.rankings.ranking_json(
            year=year, group=group, criterion=None, language=language
        )
        return RankingRead.model_validate_json(rendered)

    async def year(self, year: int) -> YearRead:
        return await self.results.years.get_year(year)

    async def home(self, language: Language) -> tuple[YearSummary, ...]:
        """Every published year, newest first, with each group that has results that year."""
        groups = await GroupService(self.results.session).list_groups()
        summaries = []
        for year in await self.results.years.list_years():
            found = []
            for group in groups:
                try:
                    ranking = await self.ranking(
                        year=year.year, group=group.code, language=language
                    )
                except NotFound:
                    continue
                if ranking.entries:
                    found.append(GroupSummary(ranking, coverage_view(ranking)))
            summaries.append(YearSummary(year, tuple(found)))
        return tuple(summaries)

    async def ranking_page(
        self, *, year: int, group: str, language: Language, t: Texts
    ) -> RankingView:
        ranking = await self.ranking(year=year, group=group, language=language)
        if not ranking.entries:
            raise NotFound(message("results.no-results", group=group, year=year))
        return RankingView(
            year=await self.year(year),
            ranking=ranking,
            rows=ranking_rows(ranking, t),
            coverage=coverage_view(ranking),
        )
