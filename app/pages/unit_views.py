"""A unit's page and a group's improvement page, from the API's services (published years only)."""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from app.core.errors import NotFound, ServiceError
from app.core.i18n import Language, pick
from app.core.messages import message
from app.pages import charts
from app.pages.text import Texts
from app.pages.views import PublicReader, published_position
from app.schemas.breakdowns import BreakdownRead, NodeBreakdownRead
from app.schemas.history import HistoryRead
from app.schemas.improvements import GroupImprovementsRead, UnitImprovementsRead
from app.schemas.rankings import RankingEntryRead, RankingRead
from app.schemas.units import LineageEventRead, UnitRead
from app.services.results.breakdown import BreakdownService
from app.services.results.group_results import GroupResultService
from app.services.results.history import HistoryService
from app.services.results.improvement import ImprovementService

# How many criteria the pages list: the unit's weakest leaves, a group's lowest units.
UNIT_IMPROVEMENTS = 10
GROUP_IMPROVEMENTS = 5


@dataclass(frozen=True)
class NodeRow:
    """One field or criterion of a breakdown, with its bars as shares of the node's maximum."""

    node: NodeBreakdownRead
    unit_pct: Decimal | None
    mean_pct: Decimal | None
    best_pct: Decimal | None


@dataclass(frozen=True)
class EventView:
    day: date
    kind: str
    predecessor: str
    successor: str


@dataclass(frozen=True)
class UnitView:
    unit: UnitRead
    year: int
    ranking: RankingRead
    entry: RankingEntryRead
    rank: str
    position: str | None
    breakdown: BreakdownRead | None
    nodes: tuple[NodeRow, ...]
    improvements: UnitImprovementsRead | None
    missing: str | None
    history: HistoryRead
    chart: charts.LineChart | None
    events: tuple[EventView, ...]
    years: tuple[int, ...]


@dataclass(frozen=True)
class GroupImprovementsView:
    ranking: RankingRead
    improvements: GroupImprovementsRead | None
    missing: str | None


def node_rows(breakdown: BreakdownRead) -> tuple[NodeRow, ...]:
    """Fields and criteria (the first two levels); leaves are in the improvement list."""
    return tuple(
        NodeRow(
            node=node,
            unit_pct=charts.share_pct(node.score, node.max_score),
            mean_pct=charts.share_pct(node.group_mean, node.max_score),
            best_pct=charts.share_pct(node.group_best, node.max_score),
        )
        for node in breakdown.nodes
        if node.depth <= 2
    )


def history_series(history: HistoryRead, t: Texts) -> list[charts.Series]:
    """One line per unit: the unit itself, then each predecessor, never added together."""
    series: dict[str, charts.Series] = {}
    for entry in history.entries:
        label = entry.unit.name
        if entry.relation != "self":
            label = f"{label} ({t('relation_' + entry.relation)})"
        line = series.setdefault(entry.unit.code, charts.Series(label, {}))
        if entry.index is not None:
            line.values[entry.year] = entry.index
    return list(series.values())


def _event(event: LineageEventRead, language: Language, t: Texts) -> EventView:
    before, after = event.predecessor, event.successor
    return EventView(
        day=event.effective_date,
        kind=t(event.kind.value),
        predecessor=pick(language, before.name_vi, before.name_en),
        successor=pick(language, after.name_vi, after.name_en),
    )


class UnitPages(PublicReader):
    """The unit page and the group improvement page."""

    def __init__(self, results: GroupResultService) -> None:
        super().__init__(results)
        self.breakdowns = BreakdownService(self.results)
        self.improvement = ImprovementService(self.results)
        self.histories = HistoryService(self.results)

    async def unit_page(self, *, year: int, code: str, language: Language, t: Texts) -> UnitView:
        unit = await self.results.units.get_unit(code)
        ranking = await self.ranking(year=year, group=unit.group, language=language)
        entry = next((e for e in ranking.entries if e.unit.code == unit.code), None)
        if entry is None:
            raise NotFound(message("unit.no-result", code=code, year=year))
        breakdown, improvements, missing = await self._scored_parts(year, code, language)
        history = await self.histories.get_history(unit_code=code, language=language)
        events = await self._events(history, language, t)
        years = tuple(sorted({e.year for e in history.entries if e.unit.code == unit.code}))
        return UnitView(
            unit=unit,
            year=year,
            ranking=ranking,
            entry=entry,
            rank=charts.rank_label(entry.rank, entry.tied),
            position=published_position(entry, t),
            breakdown=breakdown,
            nodes=node_rows(breakdown) if breakdown else (),
            improvements=improvements,
            missing=missing,
            history=history,
            chart=charts.line_chart(
                history_series(history, t),
                sorted({e.year for e in history.entries}),
                [(e.day, f"{e.kind}: {e.predecessor} → {e.successor}") for e in events],
                number=t.number,
            ),
            events=events,
            years=years,
        )

    async def _scored_parts(
        self, year: int, code: str, language: Language
    ) -> tuple[BreakdownRead | None, UnitImprovementsRead | None, str | None]:
        """The breakdown and improvement list, or why the services offer none (their words)."""
        try:
            breakdown = await self.breakdowns.get_breakdown(
                year=year, unit_code=code, language=language
            )
            improvements = await self.improvement.unit_improvements(
                year=year, unit_code=code, limit=UNIT_IMPROVEMENTS, language=language
            )
        except ServiceError as refused:
            return None, None, refused.detail.render(language)
        return breakdown, improvements, None

    async def _events(
        self, history: HistoryRead, language: Language, t: Texts
    ) -> tuple[EventView, ...]:
        """Mergers, renames, splits and transfers that led to the unit, as recorded."""
        codes = {entry.unit.code for entry in history.entries} | {history.unit.code}
        found: dict[tuple[str, str, date], EventView] = {}
        for code in sorted(codes):
            lineage = await self.results.units.get_lineage(code)
            for event in lineage.predecessors:
                key = (event.predecessor.code, event.successor.code, event.effective_date)
                found.setdefault(key, _event(event, language, t))
        return tuple(sorted(found.values(), key=lambda e: (e.day, e.predecessor)))

    async def improvements_page(
        self, *, year: int, group: str, language: Language
    ) -> GroupImprovementsView:
        ranking = await self.ranking(year=year, group=group, language=language)
        if not ranking.entries:
            raise NotFound(message("results.no-results", group=group, year=year))
        try:
            improvements = await self.improvement.group_improvements(
                year=year, group=group, limit=GROUP_IMPROVEMENTS, language=language
            )
        except ServiceError as refused:
            return GroupImprovementsView(ranking, None, refused.detail.render(language))
        return GroupImprovementsView(ranking, improvements, None)
