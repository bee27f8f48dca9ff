"""Publish → frozen → correction → revisions → ?revision reproduces what was published."""

from typing import Any

from httpx import AsyncClient
from sqlalchemy.ext.asyncio import AsyncSession

from tests.builders import add_group, create_draft_year, create_unit, put_small_tree, small_tree

YEAR = 2033
GROUP = "t-pub"


async def put_scores(
    client: AsyncClient, unit: str, satisfaction: str, reason: str | None = None
) -> Any:
    body: dict[str, Any] = {"scores": [{"criterion": "2.1", "final_score": satisfaction}]}
    if reason is not None:
        body["correction_reason"] = reason
    return await client.put(f"/api/v1/years/{YEAR}/units/{unit}/scores", json=body)


async def ranking(client: AsyncClient, query: str = "") -> list[tuple[str, int, str]]:
    response = await client.get(f"/api/v1/years/{YEAR}/rankings/{GROUP}{query}")
    assert response.status_code == 200, response.text
    return [(e["unit"]["code"], e["rank"], e["index"]) for e in response.json()["entries"]]


async def published_year(client: AsyncClient, session: AsyncSession) -> None:
    """Two units, the whole of their group, scored and published."""
    await add_group(session, GROUP)
    await create_draft_year(client, YEAR)
    await put_small_tree(client, YEAR, GROUP)
    for code, satisfaction in (("T-PUB-A", "6"), ("T-PUB-B", "3")):
        await create_unit(client, code, GROUP)
        assert (await put_scores(client, code, satisfaction)).status_code == 200
    response = await client.post(f"/api/v1/years/{YEAR}/publish", json={"legal_basis": "QĐ 1/T"})
    assert response.status_code == 200, response.text
    assert response.json()["status"] == "published"


class TestPublishYear:
    async def test_publishing_freezes_scores_and_criteria(
        self, client: AsyncClient, session: AsyncSession
    ) -> None:
        await published_year(client, session)
        frozen = await put_scores(client, "T-PUB-A", "1")
        assert frozen.status_code == 409
        assert frozen.json()["type"].endswith("year-frozen")
        tree = await client.put(f"/api/v1/years/{YEAR}/criteria/{GROUP}", json=small_tree())
        assert tree.status_code == 409
        assert await ranking(client) == [("T-PUB-A", 1, "60.00"), ("T-PUB-B", 2, "30.00")]

    async def test_publishing_twice_is_a_conflict(
        self, client: AsyncClient, session: AsyncSession
    ) -> None:
        await published_year(client, session)
        again = await client.post(f"/api/v1/years/{YEAR}/publish")
        assert again.status_code == 409

    async def test_unknown_year_is_a_404(self, client: AsyncClient) -> None:
        assert (await client.post("/api/v1/years/2099/publish")).status_code == 404


class TestCorrections:
    async def test_correction_opens_a_revision_and_earlier_ones_reproduce(
        self, client: AsyncClient, session: AsyncSession
    ) -> None:
        await published_year(client, session)
        as_published = await ranking(client)
        corrected = await put_scores(client, "T-PUB-B", "6", reason="Appeal upheld")
        assert corrected.status_code == 200, corrected.text
        assert await ranking(client) == [("T-PUB-A", 1, "60.00"), ("T-PUB-B", 1, "60.00")]
        assert await ranking(client, "?revision=1") == as_published
        assert await ranking(client, "?revision=2") == await ranking(client)

        revisions = (await client.get(f"/api/v1/years/{YEAR}/revisions")).json()
        assert [(r["number"], r["kind"], r["reason"]) for r in revisions] == [
            (1, "publish", None),
            (2, "correction", "Appeal upheld"),
        ]
        year = (await client.get(f"/api/v1/years/{YEAR}")).json()
        assert year["status"] == "published"

    async def test_breakdown_and_improvements_follow_the_revision(
        self, client: AsyncClient, session: AsyncSession
    ) -> None:
        await published_year(client, session)
        await put_scores(client, "T-PUB-B", "6", reason="Appeal upheld")
        old = await client.get(f"/api/v1/years/{YEAR}/units/T-PUB-B/breakdown?revision=1")
        new = await client.get(f"/api/v1/years/{YEAR}/units/T-PUB-B/breakdown")
        assert (old.json()["index"], old.json()["revision"]) == ("30.00", 1)
        assert (new.json()["index"], new.json()["revision"]) == ("60.00", 2)
        improvements = await client.get(
            f"/api/v1/years/{YEAR}/units/T-PUB-B/improvements?revision=1"
        )
        assert improvements.json()["next_rank"]["unit"]["code"] == "T-PUB-A"

    async def test_unknown_revision_is_a_404(
        self, client: AsyncClient, session: AsyncSession
    ) -> None:
        await published_year(client, session)
        response = await client.get(f"/api/v1/years/{YEAR}/rankings/{GROUP}?revision=5")
        assert response.status_code == 404
        assert response.json()["type"].endswith("revision-not-found")

    async def test_criteria_names_can_be_corrected(
        self, client: AsyncClient, session: AsyncSession
    ) -> None:
        await published_year(client, session)
        tree = small_tree()
        tree["criteria"][0]["name_en"] = "Direction and administration"
        tree["correction_reason"] = "Typo in the published name"
        response = await client.put(f"/api/v1/years/{YEAR}/criteria/{GROUP}", json=tree)
        assert response.status_code == 200, response.text
        revisions = (await client.get(f"/api/v1/years/{YEAR}/revisions")).json()
        assert revisions[-1]["number"] == 2


class TestListAuditEvents:
    async def test_every_write_is_recorded_newest_first(
        self, client: AsyncClient, session: AsyncSession
    ) -> None:
        await published_year(client, session)
        await put_scores(client, "T-PUB-B", "6", reason="Appeal upheld")
        events = (await client.get(f"/api/v1/audit?year={YEAR}&limit=100")).json()["items"]
        actions = [(e["action"], e["entity"]) for e in events]
        assert actions[0] == ("replace", "scores")
        assert ("correct", "year") in actions
        assert ("publish", "year") in actions
        assert ("create", "criteria_set") in actions
        correction = events[0]
        assert correction["reason"] == "Appeal upheld"
        assert correction["before"] == [["2.1", None, "3", None]]
        assert correction["after"] == [["2.1", None, "6", None]]

    async def test_filters_by_unit_and_entity(
        self, client: AsyncClient, session: AsyncSession
    ) -> None:
        await published_year(client, session)
        by_unit = (await client.get("/api/v1/audit?unit=T-PUB-A")).json()
        assert by_unit["total"] >= 2
        assert all(e["unit_code"] == "T-PUB-A" for e in by_unit["items"])
        units = (await client.get("/api/v1/audit?entity=unit&unit=T-PUB-A")).json()["items"]
        assert [e["action"] for e in units] == ["create"]


class TestReadsAtARevision:
    async def test_scores_and_criteria_at_an_earlier_revision(
        self, client: AsyncClient, session: AsyncSession
    ) -> None:
        await published_year(client, session)
        await put_scores(client, "T-PUB-B", "6", reason="Appeal upheld")
        tree = small_tree()
        tree["criteria"][0]["name_en"] = "Renamed"
        tree["correction_reason"] = "Rename"
        assert (
            await client.put(f"/api/v1/years/{YEAR}/criteria/{GROUP}", json=tree)
        ).status_code == 200
        scores_path = f"/api/v1/years/{YEAR}/units/T-PUB-B/scores"
        old = (await client.get(f"{scores_path}?revision=1")).json()["scores"]
        new = (await client.get(scores_path)).json()["scores"]
        assert [(s["criterion"], s["final_score"]) for s in old] == [("2.1", "3.00")]
        assert [(s["criterion"], s["final_score"]) for s in new] == [("2.1", "6.00")]
        criteria_path = f"/api/v1/years/{YEAR}/criteria/{GROUP}"
        before = (await client.get(f"{criteria_path}?revision=2")).json()
        after = (await client.get(criteria_path)).json()
        assert before["criteria"][0]["name_en"] == "Direction"
        assert after["criteria"][0]["name_en"] == "Renamed"
        assert before["bands"] == after["bands"]
        missing = await client.get(f"{scores_path}?revision=9")
        assert missing.status_code == 404
