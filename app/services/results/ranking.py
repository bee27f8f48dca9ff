"""Rankings of a group in a year: ranks with ties, previous year through lineage, statistics."""

from dataclasses import dataclass

from app.core.errors import NotFound
from app.core.i18n import Language, pick
from app.schemas.rankings import PreviousRead, PreviousResultRead, RankingEntryRead, RankingRead
from app.schemas.results import LabelledRef
from app.services.results.group_results import GroupResultService
from app.services.results.group_year import GroupYear, UnitOutcome, UnitSnapshot
from app.services.results.lineage import PreviousLink, comparability, previous_links
from app.services.results.presenting import (
    band_ref,
    group_label,
    group_statistics,
    published_read,
    summary_read,
    unit_label,
)
from app.services.results.ranking_rules import RANKING_RULE, rank_with_ties
from app.services.results.scoring import node_score

CRITERION_RULE = (
    "Standard competition ranking on the unit's exact points on the criterion (its leaves' "
    "final scores, penalties subtracted); equal points share a rank, ties listed by unit code. "
    "Only units with leaf scores are ranked on a criterion."
)


class CriterionNotFound(NotFound):
    title = "Criterion not found"
    slug = "criterion-not-found"


class RankingService:
    def __init__(self, results: GroupResultService) -> None:
        self.results = results
        self.cache = results.cache

    async def ranking_json(
        self,
        *,
        year: int,
        group: str,
        criterion: str | None,
        language: Language,
        revision: int | None = None,
    ) -> bytes:
        """The ranking rendered once per data revision and served from memory after that."""
        await self.results.sync()
        key = (
            "ranking",
            year,
            group,
            criterion,
            language,
            revision,
            self.results.viewer.sees_drafts,  # a draft's ranking never reaches the public
        )
        cached = self.cache.get(key)
        if isinstance(cached, bytes):
            return cached
        ranking = await self.get_ranking(
            year=year, group=group, criterion=criterion, language=language, revision=revision
        )
        rendered = ranking.model_dump_json().encode()
        self.results.keep(key, rendered)
        return rendered

    async def get_ranking(
        self,
        *,
        year: int,
        group: str,
        criterion: str | None,
        language: Language,
        revision: int | None = None,
    ) -> RankingRead:
        """The ranking at a published revision (default latest); previous years at their latest."""
        group_year = await self.results.group_year(
            year=year, group=group, revision=revision, detail=criterion is not None
        )
        if criterion is not None:
            return self._criterion_ranking(group_year, criterion, language)
        context = await self._previous_context(group_year)
        entries = [
            RankingEntryRead(
                rank=outcome.rank,
                tied=outcome.tie_size > 1,
                tie_size=outcome.tie_size,
                unit=unit_label(outcome.unit, language),
                basis=outcome.basis,
                value=outcome.index,
                index=outcome.index,
                total=outcome.total,
                max_score=group_year.tree.max_score
                if outcome.has_scores and group_year.tree
                else None,
                missing_leaves=outcome.missing_leaves,
                band=band_ref(outcome.band, language),
                published=published_read(outcome.published),
                rank_disagrees=_rank_disagrees(outcome),
                index_disagrees=_index_disagrees(outcome),
                previous=self._previous(group_year, outcome, context, language),
            )
            for outcome in group_year.outcomes
        ]
        return RankingRead(
            year=year,
            status=group_year.status,
            revision=group_year.revision,
            language=language,
            group=group_label(group_year, language),
            criterion=None,
            rule=RANKING_RULE,
            max_score=group_year.tree.max_score if group_year.tree else None,
            entries=entries,
            statistics=group_statistics(group_year, language),
            published_summary=summary_read(group_year),
        )

    def _criterion_ranking(
        self, group_year: GroupYear, criterion: str, language: Language
    ) -> RankingRead:
        tree = group_year.tree
        if tree is None or criterion not in tree.nodes:
            raise CriterionNotFound(
                f"No criterion {criterion!r} in the {group_year.group_code!r} criteria set "
                f"of {group_year.year}."
            )
        node = tree.nodes[criterion]
        assert group_year.detail, "ranking on a criterion needs every leaf score"
        scored = [o for o in group_year.outcomes if o.has_scores]
        by_id = {o.unit.id: o for o in scored}
        ranked = rank_with_ties(
            [(o.unit.id, node_score(tree, criterion, o.finals)) for o in scored],
            sort_key={o.unit.id: o.unit.code for o in scored},
        )
        entries = [
            RankingEntryRead(
                rank=r.rank,
                tied=r.tied,
                tie_size=r.tie_size,
                unit=unit_label(by_id[r.key].unit, language),
                basis="leaf_scores",
                value=r.value,
                index=by_id[r.key].index,
                total=by_id[r.key].total,
                max_score=node.max_score,
                missing_leaves=by_id[r.key].missing_leaves,
                band=band_ref(by_id[r.key].band, language),
                published=published_read(by_id[r.key].published),
                rank_disagrees=None,
                index_disagrees=_index_disagrees(by_id[r.key]),
                previous=None,
            )
            for r in ranked
        ]
        return RankingRead(
            year=group_year.year,
            status=group_year.status,
            revision=group_year.revision,
            language=language,
            group=group_label(group_year, language),
            criterion=LabelledRef(
                code=node.code,
                name=pick(language, node.name_vi, node.name_en),
                name_vi=node.name_vi,
                name_en=node.name_en,
            ),
            rule=CRITERION_RULE,
            max_score=node.max_score,
            entries=entries,
            statistics=group_statistics(group_year, language),
            published_summary=summary_read(group_year),
        )

    async def _previous_context(self, group_year: GroupYear) -> "PreviousContext":
        """Everything the previous-year columns need, in a few queries for the whole group."""
        edges = await self.results.lineage_edges()
        cut_offs = await self.results.units_as_of_dates()
        links = {
            o.unit.id: previous_links(o.unit.id, group_year.year, edges, cut_offs)
            for o in group_year.outcomes
        }
        units = await self.results.unit_snapshots(
            {link.unit_id for unit_links in links.values() for link in unit_links}
        )
        groups: dict[str, GroupYear] = {}
        if await self.results.year_exists(group_year.year - 1):
            for code in sorted({unit.group_code for unit in units.values()}):
                groups[code] = await self.results.group_year(year=group_year.year - 1, group=code)
        return PreviousContext(links=links, units=units, groups=groups)

    @staticmethod
    def _previous(
        group_year: GroupYear, outcome: UnitOutcome, context: "PreviousContext", language: Language
    ) -> PreviousRead | None:
        """The previous year's results of the unit and of its recorded predecessors."""
        if not context.groups:
            return None
        links = context.links[outcome.unit.id]
        results: list[PreviousResultRead] = []
        with_result: set[int] = set()
        for link in links:
            unit = context.units[link.unit_id]
            found = context.groups[unit.group_code].outcome_of(link.unit_id)
            if found is None or (found.index is None and found.rank is None):
                continue
            with_result.add(link.unit_id)
            results.append(
                PreviousResultRead(
                    unit=unit_label(unit, language),
                    relation=link.relation,
                    effective_date=link.effective_date.isoformat() if link.effective_date else None,
                    index=found.index,
                    rank=found.rank,
                )
            )
        verdict = comparability(links, with_result)
        single = results[0] if verdict.comparable else None
        return PreviousRead(
            year=group_year.year - 1,
            comparable=verdict.comparable,
            reason=verdict.reason,
            results=results,
            index=single.index if single else None,
            rank=single.rank if single else None,
            rank_change=(
                single.rank - outcome.rank
                if single and single.rank is not None and outcome.rank is not None
                else None
            ),
        )


@dataclass(frozen=True)
class PreviousContext:
    links: dict[int, list[PreviousLink]]
    units: dict[int, UnitSnapshot]
    groups: dict[str, GroupYear]


def _rank_disagrees(outcome: UnitOutcome) -> bool | None:
    if outcome.published is None or outcome.published.rank is None or outcome.rank is None:
        return None
    return outcome.published.rank != outcome.rank


def _index_disagrees(outcome: UnitOutcome) -> bool | None:
    if outcome.published is None or outcome.published.index is None or not outcome.has_scores:
        return None
    return outcome.published.index != outcome.index
