"""Rankings of a group in a year: ranks with ties, previous year through lineage, statistics."""

from app.core.errors import NotFound
from app.core.i18n import Language, pick
from app.core.messages import message, say
from app.schemas.rankings import PreviousRead, RankingEntryRead, RankingRead
from app.schemas.results import LabelledRef
from app.services.results.group_results import GroupResultService
from app.services.results.group_year import GroupYear, UnitOutcome
from app.services.results.presenting import (
    Labels,
    coverage_read,
    group_label,
    group_statistics,
    published_read,
    summary_read,
)
from app.services.results.previous_year import previous_context, previous_read
from app.services.results.ranking_rules import rank_with_ties
from app.services.results.scoring import node_score


class CriterionNotFound(NotFound):
    slug = "criterion-not-found"


class NoResultsForGroup(NotFound):
    slug = "no-results-for-group"


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
        """The ranking at a published revision (default latest); previous years at their latest.

        A group without any result that year (no unit result, no published summary) has no
        ranking: NoResultsForGroup (404), not an empty list.
        """
        if criterion is not None:
            group_year = await self._group_year(year, group, revision=revision, detail=True)
            return self._criterion_ranking(group_year, criterion, language)
        previous_exists = await self.results.year_exists(year - 1)
        if revision is None:
            # The previous-year block of every entry needs both years: read together they
            # take eight statements where year by year they took fourteen.
            together = [year, year - 1] if previous_exists else [year]
            await self.results.group_years(years=together, group=group)
        group_year = await self._group_year(year, group, revision=revision, detail=False)
        context = await previous_context(
            self.results, group_year, previous_year_exists=previous_exists
        )
        labels = Labels(language)
        entries = [
            ranking_entry(
                group_year,
                outcome,
                language,
                previous=previous_read(outcome, context, labels),
                labels=labels,
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
            rule=say(language, "ranking.rule"),
            max_score=group_year.tree.max_score if group_year.tree else None,
            coverage=coverage_read(group_year.coverage),
            entries=entries,
            statistics=group_statistics(group_year, language),
            published_summary=summary_read(group_year),
        )

    async def _group_year(
        self, year: int, group: str, *, revision: int | None, detail: bool
    ) -> GroupYear:
        group_year = await self.results.group_year(
            year=year, group=group, revision=revision, detail=detail
        )
        if not group_year.has_results:
            raise NoResultsForGroup(message("results.no-results", group=group, year=year))
        return group_year

    def _criterion_ranking(
        self, group_year: GroupYear, criterion: str, language: Language
    ) -> RankingRead:
        """Ranks on one node's exact points, computed only when every unit of the group has
        leaf scores (coverage.leaf_scored); otherwise the units with scores are listed in the
        same order without a rank."""
        tree = group_year.tree
        if tree is None or criterion not in tree.nodes:
            raise CriterionNotFound(
                message(
                    "results.no-criterion",
                    code=criterion,
                    group=group_year.group_code,
                    year=group_year.year,
                )
            )
        node = tree.nodes[criterion]
        assert group_year.detail, "ranking on a criterion needs every leaf score"
        scored = [o for o in group_year.outcomes if o.has_scores]
        by_id = {o.unit.id: o for o in scored}
        ranked = rank_with_ties(
            [(o.unit.id, node_score(tree, criterion, o.finals)) for o in scored],
            sort_key={o.unit.id: o.unit.code for o in scored},
        )
        real = group_year.coverage.leaf_scored
        entries = [
            ranking_entry(group_year, by_id[r.key], language, previous=None).model_copy(
                update={
                    "rank": r.rank if real else None,
                    "rank_basis": "computed" if real else None,
                    "tied": r.tied,
                    "tie_size": r.tie_size,
                    "value": r.value,
                    "max_score": node.max_score,
                    "rank_disagrees": None,
                }
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
            rule=say(language, "ranking.criterion-rule"),
            max_score=node.max_score,
            coverage=coverage_read(group_year.coverage),
            entries=entries,
            statistics=group_statistics(group_year, language),
            published_summary=summary_read(group_year),
        )


def ranking_entry(
    group_year: GroupYear,
    outcome: UnitOutcome,
    language: Language,
    *,
    previous: PreviousRead | None,
    labels: Labels | None = None,
) -> RankingEntryRead:
    """One unit's entry on the index: its rank exactly as the outcome holds it (computed over a
    complete group, else published, else none), its figures and what was published.

    `labels`, in `language`, are shared by all the entries of an answer."""
    if labels is None:
        labels = Labels(language)
    assert labels.language == language, "labels in another language than the entry"
    return RankingEntryRead(
        rank=outcome.rank,
        rank_basis=outcome.rank_basis,
        tied=outcome.tie_size > 1,
        tie_size=outcome.tie_size,
        unit=labels.unit(outcome.unit),
        basis=outcome.basis,
        value=outcome.index,
        index=outcome.index,
        total=outcome.total,
        max_score=group_year.tree.max_score if outcome.has_scores and group_year.tree else None,
        missing_leaves=outcome.missing_leaves,
        band=labels.band(outcome.band),
        published=published_read(outcome.published, language),
        rank_disagrees=_rank_disagrees(outcome),
        index_disagrees=_index_disagrees(outcome),
        previous=previous,
    )


def _rank_disagrees(outcome: UnitOutcome) -> bool | None:
    """Whether a computed rank differs from the one published (null where none was computed)."""
    if outcome.published is None or outcome.published.rank is None:
        return None
    if outcome.rank_basis != "computed":
        return None
    return outcome.published.rank != outcome.rank


def _index_disagrees(outcome: UnitOutcome) -> bool | None:
    if outcome.published is None or outcome.published.index is None or not outcome.has_scores:
        return None
    return outcome.published.index != outcome.index
