"""Rankings of a group in a year: ranks with ties, previous year through lineage, statistics."""

from decimal import Decimal

from pydantic_core import to_json

from app.core.errors import NotFound
from app.core.i18n import Language, pick
from app.core.messages import message, say
from app.schemas.rankings import RankingRead
from app.schemas.results import LabelledRef
from app.services.results.group_results import GroupResultService
from app.services.results.group_year import GroupYear, UnitOutcome
from app.services.results.presenting import (
    JsonFields,
    Labels,
    coverage_read,
    group_label,
    group_statistics,
    index_text,
    published_read,
    score_text,
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
    """A group's ranking, written as JSON-ready fields and turned into JSON or a RankingRead.

    A ranking of a thousand units is four thousand small objects: entries, previous-year
    blocks and their results. Made as pydantic models and serialised field by field they took
    half of a cold ranking; written as the fields RankingRead's JSON has (decimals already in
    their response text, presenting.index_text and score_text) they are serialised in one
    call. RankingRead stays the contract: get_ranking validates the same fields into it, and
    tests/repositories/test_ranking_fields.py holds both JSON forms equal."""

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
        rendered = to_json(
            await self.ranking_fields(
                year=year, group=group, criterion=criterion, language=language, revision=revision
            )
        )
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
        """The ranking as a model (exports, the dump); `ranking_fields` says what it holds."""
        return RankingRead.model_validate(
            await self.ranking_fields(
                year=year, group=group, criterion=criterion, language=language, revision=revision
            )
        )

    async def ranking_fields(
        self,
        *,
        year: int,
        group: str,
        criterion: str | None,
        language: Language,
        revision: int | None = None,
    ) -> JsonFields:
        """RankingRead's fields at a published revision (default latest); previous years at
        their latest.

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
                group_year, outcome, labels, previous=previous_read(outcome, context, labels)
            )
            for outcome in group_year.outcomes
        ]
        tree = group_year.tree
        return _ranking_fields(
            group_year,
            language,
            criterion=None,
            rule=say(language, "ranking.rule"),
            max_score=tree.max_score if tree else None,
            entries=entries,
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
    ) -> JsonFields:
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
        labels = Labels(language)
        entries = [
            ranking_entry(group_year, by_id[r.key], labels, previous=None)
            | {
                "rank": r.rank if real else None,
                "rank_basis": "computed" if real else None,
                "tied": r.tied,
                "tie_size": r.tie_size,
                "value": score_text(r.value),
                "max_score": score_text(node.max_score),
                "rank_disagrees": None,
            }
            for r in ranked
        ]
        named = LabelledRef(
            code=node.code,
            name=pick(language, node.name_vi, node.name_en),
            name_vi=node.name_vi,
            name_en=node.name_en,
        )
        return _ranking_fields(
            group_year,
            language,
            criterion=named,
            rule=say(language, "ranking.criterion-rule"),
            max_score=node.max_score,
            entries=entries,
        )


def _ranking_fields(
    group_year: GroupYear,
    language: Language,
    *,
    criterion: LabelledRef | None,
    rule: str,
    max_score: Decimal | None,
    entries: list[JsonFields],
) -> JsonFields:
    """RankingRead's fields around its entries; the parts made once per answer are models,
    which serialise themselves."""
    return {
        "year": group_year.year,
        "status": group_year.status,
        "revision": group_year.revision,
        "language": language,
        "group": group_label(group_year, language),
        "criterion": criterion,
        "rule": rule,
        "max_score": score_text(max_score),
        "coverage": coverage_read(group_year.coverage),
        "entries": entries,
        "statistics": group_statistics(group_year, language),
        "published_summary": summary_read(group_year),
    }


def ranking_entry(
    group_year: GroupYear,
    outcome: UnitOutcome,
    labels: Labels,
    *,
    previous: JsonFields | None,
) -> JsonFields:
    """One unit's entry on the index (RankingEntryRead's fields, JSON-ready): its rank exactly
    as the outcome holds it (computed over a complete group, else published, else none), its
    figures and what was published. `labels` are shared by all the entries of an answer."""
    tree = group_year.tree
    return {
        "rank": outcome.rank,
        "rank_basis": outcome.rank_basis,
        "tied": outcome.tie_size > 1,
        "tie_size": outcome.tie_size,
        "unit": labels.unit(outcome.unit),
        "basis": outcome.basis,
        "value": score_text(outcome.index),
        "index": index_text(outcome.index),
        "total": score_text(outcome.total),
        "max_score": score_text(tree.max_score if outcome.has_scores and tree else None),
        "missing_leaves": outcome.missing_leaves,
        "band": labels.band(outcome.band),
        "published": published_read(outcome.published, labels.language),
        "rank_disagrees": _rank_disagrees(outcome),
        "index_disagrees": _index_disagrees(outcome),
        "previous": previous,
    }


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
