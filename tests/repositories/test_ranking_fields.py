"""A ranking's JSON-ready fields write exactly the JSON RankingRead writes: the same keys in
the same order, the same decimal texts (RankingService says why its entries are plain fields).

Checked over every ranking of the bundled data sets, in both languages and on every criterion:
partial publication, published ranks and places, ties, mergers and new units between years.
"""

from collections import Counter

from pydantic_core import to_json
from sqlalchemy.ext.asyncio import AsyncSession

from app.core.i18n import Language
from app.core.result_cache import ResultCache
from app.schemas.rankings import RankingRead
from app.services.access.viewer import EDITORIAL
from app.services.publication.years import YearService
from app.services.registry.groups import GroupService
from app.services.results.group_results import GroupResultService
from app.services.results.presenting import JsonFields
from app.services.results.ranking import RankingService

LANGUAGES: tuple[Language, ...] = ("vi", "en")


def assert_written_as_the_model_writes(fields: JsonFields) -> None:
    validated = RankingRead.model_validate(fields)
    assert to_json(fields) == validated.model_dump_json().encode()


async def test_every_bundled_ranking_is_written_as_the_model_writes_it(
    session: AsyncSession,
) -> None:
    years = YearService(session, viewer=EDITORIAL)
    service = RankingService(GroupResultService(session, ResultCache(), years=years))
    groups = [group.code for group in await GroupService(session).list_groups()]
    rankings, criterion_rankings = 0, 0
    reasons: Counter[str] = Counter()
    published = 0
    for year in [found.year for found in await years.list_years()]:
        for group in groups:
            group_year = await service.results.group_year(year=year, group=group)
            if not group_year.has_results:
                continue
            for language in LANGUAGES:
                fields = await service.ranking_fields(
                    year=year, group=group, criterion=None, language=language
                )
                assert_written_as_the_model_writes(fields)
                rankings += 1
                reasons.update(entry["previous"]["reason_code"] for entry in fields["entries"])
                published += sum(entry["published"] is not None for entry in fields["entries"])
            for criterion in group_year.tree.nodes if group_year.tree else ():
                fields = await service.ranking_fields(
                    year=year, group=group, criterion=criterion, language="en"
                )
                assert_written_as_the_model_writes(fields)
                criterion_rankings += 1
    # The check saw what it is meant to: rankings with and without a comparable previous year,
    # across a merger, with published figures, and rankings on criteria.
    assert rankings >= 20
    assert criterion_rankings >= 300
    assert published >= 30
    expected = {"same_unit", "renamed", "merged", "new", "not_published", "no_assessment_year"}
    assert expected <= set(reasons), reasons
