"""A unit's results over the years, its predecessors' before a merger or rename included."""

from collections.abc import Sequence

from app.core.i18n import Language
from app.schemas.history import HistoryEntryRead, HistoryRead
from app.services.results.group_results import GroupResultService
from app.services.results.lineage import LineageEdge, Relation
from app.services.results.presenting import band_ref, published_read, unit_label


def ancestors(unit_id: int, edges: Sequence[LineageEdge]) -> dict[int, Relation]:
    """Every unit whose work continues in this one, following lineage back transitively.

    Each ancestor is labelled with the kind of the event that leads from it towards the unit;
    the unit itself is 'self'.
    """
    found: dict[int, Relation] = {unit_id: "self"}
    frontier = [unit_id]
    while frontier:
        current = frontier.pop()
        for edge in edges:
            if edge.successor_id == current and edge.predecessor_id not in found:
                found[edge.predecessor_id] = edge.kind.value
                frontier.append(edge.predecessor_id)
    return found


class HistoryService:
    def __init__(self, results: GroupResultService) -> None:
        self.results = results

    async def get_history(self, *, unit_code: str, language: Language) -> HistoryRead:
        """Index, rank and band for every year with a result; never aggregated across units.

        A rank is the one the year's ranking shows: computed over a complete group, else as
        published, else none; a year of another data set simply has no result for the unit.

        Entries are ordered by year, then the unit itself before its predecessors, then code.
        """
        unit = await self.results.units.require_unit(unit_code)
        await self.results.sync()
        lineage = ancestors(unit.id, await self.results.lineage_edges())
        units = await self.results.unit_snapshots(lineage)
        years = sorted(y.year for y in await self.results.years.list_years())
        # Every year of each group at once: a few statements per group, not six per year.
        groups = {
            code: await self.results.group_years(years=years, group=code)
            for code in sorted({snapshot.group_code for snapshot in units.values()})
        }
        entries: list[HistoryEntryRead] = []
        for year in years:
            for uid in sorted(units, key=lambda i: (lineage[i] != "self", units[i].code)):
                snapshot = units[uid]
                group_year = groups[snapshot.group_code][year]
                outcome = group_year.outcome_of(uid)
                if outcome is None:
                    continue
                entries.append(
                    HistoryEntryRead(
                        year=year,
                        unit=unit_label(snapshot, language),
                        relation=lineage[uid],
                        group=snapshot.group_code,
                        basis=outcome.basis,
                        index=outcome.index,
                        rank=outcome.rank,
                        rank_basis=outcome.rank_basis,
                        group_complete=group_year.coverage.complete,
                        band=band_ref(outcome.band, language),
                        published=published_read(outcome.published, language),
                    )
                )
        return HistoryRead(
            language=language, unit=unit_label(units[unit.id], language), entries=entries
        )
