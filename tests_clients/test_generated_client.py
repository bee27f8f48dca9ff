"""The Python client generated from openapi.json, driven against a live server (.ci/clients).

Not part of `make test`: it needs the generated package `par_index_service_client` on the path
and a server with the bundled data sets at PAR_INDEX_URL, with an admin key in PAR_INDEX_KEY.
"""

import csv
import io
import os
from collections.abc import Iterator

import pytest
from par_index_service_client import AuthenticatedClient, Client
from par_index_service_client.api.breakdowns import get_breakdown
from par_index_service_client.api.health import get_health, get_readiness
from par_index_service_client.api.imports import create_import
from par_index_service_client.api.keys import list_api_keys
from par_index_service_client.api.rankings import get_ranking
from par_index_service_client.api.scores import get_scores
from par_index_service_client.api.units import get_unit, list_units
from par_index_service_client.models import (
    BreakdownRead,
    CreateImportBody,
    ImportKind,
    ImportOutcome,
    ImportReportRead,
    Language,
    ProblemRead,
    RankingRead,
    ScoresRead,
    UnitPage,
    UnitRead,
)
from par_index_service_client.types import File

CSV_HEADER = ("unit_code", "criterion_code", "self_score", "final_score", "note")


def scores_csv(scores: ScoresRead, *, changed: str, final_score: str) -> bytes:
    """The unit's stored scores in the import layout, one leaf's final score changed."""
    text = io.StringIO()
    writer = csv.writer(text, lineterminator="\n")
    writer.writerow(CSV_HEADER)
    for score in scores.scores:
        final = final_score if score.criterion == changed else score.final_score
        cells = (scores.unit, score.criterion, score.self_score, final, score.note)
        writer.writerow("" if cell is None else str(cell) for cell in cells)
    return text.getvalue().encode()


@pytest.fixture(scope="module")
def base_url() -> str:
    return os.environ["PAR_INDEX_URL"]


@pytest.fixture(scope="module")
def admin(base_url: str) -> Iterator[AuthenticatedClient]:
    with AuthenticatedClient(
        base_url=base_url, token=os.environ["PAR_INDEX_KEY"], raise_on_unexpected_status=True
    ) as client:
        yield client


@pytest.fixture(scope="module")
def anonymous(base_url: str) -> Iterator[Client]:
    with Client(base_url=base_url, raise_on_unexpected_status=True) as client:
        yield client


def test_probes_answer(anonymous: Client) -> None:
    assert get_health.sync(client=anonymous) is not None
    readiness = get_readiness.sync(client=anonymous)
    assert readiness is not None
    assert readiness.to_dict() == {
        "status": "ready",
        "database": "reachable",
        "migrations": "at head",
    }


def test_list_units_pages_through_a_group(admin: AuthenticatedClient) -> None:
    page = list_units.sync(client=admin, group="department", limit=5)
    assert isinstance(page, UnitPage)
    assert page.limit == 5
    assert page.offset == 0
    assert len(page.items) == 5
    assert page.total >= 13
    rest = list_units.sync(client=admin, group="department", limit=500, offset=5)
    assert isinstance(rest, UnitPage)
    codes = [unit.code for unit in page.items + rest.items]
    assert len(codes) == page.total
    assert "LD-DEP-HEALTH" in codes


def test_get_unit_and_a_missing_unit_is_a_problem(admin: AuthenticatedClient) -> None:
    unit = get_unit.sync("LD-DEP-HEALTH", client=admin)
    assert isinstance(unit, UnitRead)
    assert (unit.name_vi, unit.name_en, unit.group) == (
        "Sở Y tế",
        "Department of Health",
        "department",
    )
    missing = get_unit.sync_detailed("LD-DEP-NOPE", client=admin)
    assert missing.status_code == 404
    assert isinstance(missing.parsed, ProblemRead)
    assert missing.parsed.status == 404
    assert missing.headers["content-type"] == "application/problem+json"


def test_ranking_of_2024_departments_as_published(anonymous: Client) -> None:
    ranking = get_ranking.sync(2024, "department", client=anonymous, accept_language="en")
    assert isinstance(ranking, RankingRead)
    first = ranking.entries[0]
    assert (first.rank, first.unit.code, first.unit.name, first.index) == (
        1,
        "LD-DEP-HOME-AFFAIRS",
        "Department of Home Affairs",
        "92.96",
    )
    assert first.rank_basis == "published"
    # The group's size was not published: Health is "among the three lowest", not 4th.
    health = next(entry for entry in ranking.entries if entry.unit.code == "LD-DEP-HEALTH")
    assert (health.index, health.rank, health.tied) == ("87.21", None, True)
    assert health.published is not None
    assert health.published.place is not None
    assert (health.published.place.code, health.published.place.label) == (
        "bottom_3",
        "among the 3 lowest",
    )
    assert (ranking.coverage.complete, ranking.statistics.mean) == (False, None)


def test_breakdown_of_a_demo_unit_matches_its_ranking(anonymous: Client) -> None:
    breakdown = get_breakdown.sync(2023, "DEMO-DEP-HEALTH", client=anonymous)
    assert isinstance(breakdown, BreakdownRead)
    assert breakdown.unit.code == "DEMO-DEP-HEALTH"
    assert breakdown.nodes[0].code == "1"
    leaves = [node for node in breakdown.nodes if node.is_leaf]
    assert leaves
    ranking = get_ranking.sync(2023, "demo-department", client=anonymous)
    assert isinstance(ranking, RankingRead)
    entry = next(e for e in ranking.entries if e.unit.code == "DEMO-DEP-HEALTH")
    assert (entry.index, entry.rank) == (breakdown.index, breakdown.rank)


def test_dry_run_import_uploads_a_csv_and_writes_nothing(admin: AuthenticatedClient) -> None:
    before = get_scores.sync(2023, "DEMO-DEP-HEALTH", client=admin)
    assert isinstance(before, ScoresRead)
    assert isinstance(before.scores[0].final_score, str)
    upload = scores_csv(before, changed=before.scores[0].criterion, final_score="0.5")
    body = CreateImportBody(
        file=File(payload=io.BytesIO(upload), file_name="scores.csv", mime_type="text/csv"),
        kind=ImportKind.SCORES,
        dry_run=True,
        correction_reason="Dry run of an appeal from the generated client",
    )
    report = create_import.sync(2023, client=admin, body=body)
    assert isinstance(report, ImportReportRead)
    assert (report.outcome, report.dry_run, report.file_name) == (
        ImportOutcome.DRY_RUN,
        True,
        "scores.csv",
    )
    assert report.problems == []
    assert [(c.criterion_code, c.field, c.after) for c in report.changes] == [
        (before.scores[0].criterion, "final_score", "0.5")
    ]
    after = get_scores.sync(2023, "DEMO-DEP-HEALTH", client=admin)
    assert isinstance(after, ScoresRead)
    assert after.to_dict() == before.to_dict()


def test_admin_only_operations_refuse_anonymous_callers(anonymous: Client) -> None:
    # The operation's type asks for an AuthenticatedClient; this call shows why at run time.
    refused = list_api_keys.sync_detailed(client=anonymous, lang=Language.EN)  # type: ignore[arg-type]
    assert refused.status_code == 401
    assert isinstance(refused.parsed, ProblemRead)
    assert refused.parsed.title == "Not authenticated"
