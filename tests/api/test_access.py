"""Who may call what: the role × endpoint matrix, API keys, and drafts never leaking."""

from typing import Any

import pytest
from fastapi import FastAPI
from httpx import AsyncClient
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.models import ApiKey
from app.services.access.api_keys import hash_key
from tests.builders import assert_problem, put_small_tree
from tests.conftest import api_key, http_client

ROLES = ("anonymous", "reader", "editor", "publisher", "admin")
RANK = {role: position for position, role in enumerate(ROLES)}

# (method, path template, concrete path, body, lowest role allowed). Reads of published
# data are open to anonymous callers; every write names the role it needs.
MATRIX: list[tuple[str, str, str, Any, str]] = [
    ("GET", "/api/v1/groups", "/api/v1/groups", None, "anonymous"),
    ("POST", "/api/v1/groups", "/api/v1/groups", {"code": "X"}, "admin"),
    ("PATCH", "/api/v1/groups/{group}", "/api/v1/groups/department", {}, "admin"),
    ("GET", "/api/v1/units", "/api/v1/units", None, "anonymous"),
    ("POST", "/api/v1/units", "/api/v1/units", {"code": "X"}, "admin"),
    ("GET", "/api/v1/units/{unit_code}", "/api/v1/units/LD-DEP-HEALTH", None, "anonymous"),
    ("PATCH", "/api/v1/units/{unit_code}", "/api/v1/units/LD-DEP-HEALTH", {}, "admin"),
    (
        "GET",
        "/api/v1/units/{unit_code}/lineage",
        "/api/v1/units/LD-DEP-HEALTH/lineage",
        None,
        "anonymous",
    ),
    ("POST", "/api/v1/lineage", "/api/v1/lineage", {}, "admin"),
    ("GET", "/api/v1/years", "/api/v1/years", None, "anonymous"),
    ("POST", "/api/v1/years", "/api/v1/years", {}, "admin"),
    ("GET", "/api/v1/years/{year}", "/api/v1/years/2024", None, "anonymous"),
    (
        "GET",
        "/api/v1/years/{year}/criteria/{group}",
        "/api/v1/years/2023/criteria/demo-department",
        None,
        "anonymous",
    ),
    (
        "PUT",
        "/api/v1/years/{year}/criteria/{group}",
        "/api/v1/years/2023/criteria/demo-department",
        {},
        "admin",
    ),
    (
        "GET",
        "/api/v1/years/{year}/units/{unit_code}/scores",
        "/api/v1/years/2023/units/DEMO-DEP-HEALTH/scores",
        None,
        "anonymous",
    ),
    (
        "PUT",
        "/api/v1/years/{year}/units/{unit_code}/scores",
        "/api/v1/years/2023/units/DEMO-DEP-HEALTH/scores",
        {},
        "editor",
    ),
    (
        "GET",
        "/api/v1/years/{year}/rankings/{group}",
        "/api/v1/years/2024/rankings/department",
        None,
        "anonymous",
    ),
    (
        "GET",
        "/api/v1/years/{year}/units/{unit_code}/breakdown",
        "/api/v1/years/2023/units/DEMO-DEP-HEALTH/breakdown",
        None,
        "anonymous",
    ),
    (
        "GET",
        "/api/v1/years/{year}/units/{unit_code}/improvements",
        "/api/v1/years/2023/units/DEMO-DEP-HEALTH/improvements",
        None,
        "anonymous",
    ),
    (
        "GET",
        "/api/v1/years/{year}/improvements/{group}",
        "/api/v1/years/2023/improvements/demo-department",
        None,
        "anonymous",
    ),
    (
        "GET",
        "/api/v1/years/{year}/rankings/{group}/export",
        "/api/v1/years/2024/rankings/department/export",
        None,
        "anonymous",
    ),
    (
        "GET",
        "/api/v1/years/{year}/units/{unit_code}/breakdown/export",
        "/api/v1/years/2023/units/DEMO-DEP-HEALTH/breakdown/export",
        None,
        "anonymous",
    ),
    (
        "GET",
        "/api/v1/years/{year}/units/{unit_code}/improvements/export",
        "/api/v1/years/2023/units/DEMO-DEP-HEALTH/improvements/export",
        None,
        "anonymous",
    ),
    (
        "GET",
        "/api/v1/years/{year}/improvements/{group}/export",
        "/api/v1/years/2023/improvements/demo-department/export",
        None,
        "anonymous",
    ),
    (
        "GET",
        "/api/v1/units/{unit_code}/history",
        "/api/v1/units/LD-DEP-HEALTH/history",
        None,
        "anonymous",
    ),
    (
        "GET",
        "/api/v1/years/{year}/scores/export",
        "/api/v1/years/2023/scores/export",
        None,
        "anonymous",
    ),
    (
        "GET",
        "/api/v1/years/{year}/templates/{group}",
        "/api/v1/years/2023/templates/demo-department",
        None,
        "editor",
    ),
    ("POST", "/api/v1/years/{year}/publish", "/api/v1/years/2099/publish", None, "publisher"),
    ("GET", "/api/v1/years/{year}/revisions", "/api/v1/years/2024/revisions", None, "anonymous"),
    ("GET", "/api/v1/audit", "/api/v1/audit", None, "editor"),
    ("GET", "/api/v1/years/{year}/imports", "/api/v1/years/2024/imports", None, "editor"),
    ("POST", "/api/v1/years/{year}/imports", "/api/v1/years/2024/imports", {}, "editor"),
    ("GET", "/api/v1/keys", "/api/v1/keys", None, "admin"),
    ("POST", "/api/v1/keys", "/api/v1/keys", {}, "admin"),
    ("DELETE", "/api/v1/keys/{key_id}", "/api/v1/keys/999999", None, "admin"),
    ("GET", "/api/v1/years/{year}/dump", "/api/v1/years/2024/dump", None, "anonymous"),
    (
        "GET",
        "/api/v1/years/{year}/dump/export",
        "/api/v1/years/2024/dump/export",
        None,
        "anonymous",
    ),
    ("GET", "/api/v1/webhooks", "/api/v1/webhooks", None, "admin"),
    ("POST", "/api/v1/webhooks", "/api/v1/webhooks", {}, "admin"),
    ("DELETE", "/api/v1/webhooks/{webhook_id}", "/api/v1/webhooks/999999", None, "admin"),
    (
        "GET",
        "/api/v1/webhooks/{webhook_id}/deliveries",
        "/api/v1/webhooks/999999/deliveries",
        None,
        "admin",
    ),
]
PROBES = {("GET", "/healthz"), ("GET", "/readyz")}


def test_the_matrix_covers_every_endpoint(app: FastAPI) -> None:
    # A HEAD is its GET run without the body (app/http/head.py): the GET's row covers it.
    documented = {
        (method.upper(), path)
        for path, operations in app.openapi()["paths"].items()
        for method in operations
        if method != "head"
    }
    covered = {(method, template) for method, template, *_ in MATRIX}
    assert documented - PROBES == covered


async def _call(http: AsyncClient, method: str, path: str, body: Any) -> int:
    response = (
        await http.request(method, path, json=body)
        if body is not None
        else (await http.request(method, path))
    )
    if response.status_code in (401, 403):
        assert response.headers["content-type"].startswith("application/problem+json")
    return response.status_code


@pytest.mark.parametrize("role", ROLES)
async def test_each_role_gets_exactly_its_endpoints(
    app: FastAPI, session: AsyncSession, role: str
) -> None:
    key = None if role == "anonymous" else await api_key(session, role)  # type: ignore[arg-type]
    async with http_client(app, key) as http:
        for method, template, path, body, lowest in MATRIX:
            status = await _call(http, method, path, body)
            if RANK[role] >= RANK[lowest]:
                assert status not in (401, 403), (role, method, template, status)
            else:
                expected = 401 if role == "anonymous" else 403
                assert status == expected, (role, method, template, status)


class TestApiKeys:
    async def test_keys_are_stored_only_as_a_hash(
        self, client: AsyncClient, session: AsyncSession
    ) -> None:
        created = await client.post("/api/v1/keys", json={"name": "portal", "role": "reader"})
        assert created.status_code == 201
        key = created.json()["key"]
        stored = await session.scalar(select(ApiKey).where(ApiKey.name == "portal"))
        assert stored is not None
        assert stored.key_hash == hash_key(key)
        assert key not in {stored.key_hash, stored.prefix}
        assert "key" not in (await client.get("/api/v1/keys")).json()[0]

    async def test_a_revoked_key_is_refused_at_once(
        self, client: AsyncClient, app: FastAPI
    ) -> None:
        created = (
            await client.post("/api/v1/keys", json={"name": "dashboard", "role": "editor"})
        ).json()
        async with http_client(app, created["key"]) as http:
            assert (await http.get("/api/v1/audit")).status_code == 200
            revoked = await client.delete(f"/api/v1/keys/{created['id']}")
            assert revoked.json()["revoked_at"] is not None
            assert (await http.get("/api/v1/audit")).status_code == 401
            assert (await http.get("/api/v1/years")).status_code == 401

    async def test_x_api_key_header_works_too(self, client: AsyncClient, app: FastAPI) -> None:
        key = (await client.post("/api/v1/keys", json={"name": "x", "role": "editor"})).json()
        async with http_client(app) as http:
            response = await http.get("/api/v1/audit", headers={"X-API-Key": key["key"]})
            assert response.status_code == 200

    async def test_last_use_is_recorded(self, client: AsyncClient, app: FastAPI) -> None:
        key = (await client.post("/api/v1/keys", json={"name": "y", "role": "reader"})).json()
        async with http_client(app, key["key"]) as http:
            await http.get("/api/v1/years")
        listed = {k["id"]: k for k in (await client.get("/api/v1/keys")).json()}
        assert listed[key["id"]]["last_used_at"] is not None

    async def test_writes_are_audited_with_the_key_name(self, client: AsyncClient) -> None:
        await client.post(
            "/api/v1/units",
            json={"code": "T-AUD", "name_vi": "Sở", "name_en": "Dept", "group": "department"},
        )
        events = (await client.get("/api/v1/audit?unit=T-AUD")).json()["items"]
        assert events[0]["actor"].startswith("test admin (key ")

    async def test_anonymous_access_can_be_turned_off(self, app: FastAPI) -> None:
        app.state.settings = app.state.settings.model_copy(
            update={"auth": app.state.settings.auth.model_copy(update={"anonymous_read": False})}
        )
        async with http_client(app) as http:
            response = await http.get("/api/v1/years")
            assert response.status_code == 401


UNIT_BODY = {"code": "T-TWO", "name_vi": "Sở", "name_en": "Dept", "group": "department"}


class TestTwoCredentials:
    """One request, one identity: a second credential is refused, never silently ignored."""

    async def test_a_bearer_key_and_another_x_api_key_are_refused(
        self, app: FastAPI, session: AsyncSession
    ) -> None:
        admin, reader = await api_key(session, "admin"), await api_key(session, "reader")
        async with http_client(app, admin) as http:
            write = await http.post("/api/v1/units", json=UNIT_BODY, headers={"X-API-Key": reader})
            read = await http.get("/api/v1/years", headers={"X-API-Key": reader})
        for response in (write, read):
            body = assert_problem(response, 400)
            assert body["type"].endswith("/two-credentials")
            assert "Authorization" in body["detail"]
            assert "X-API-Key" in body["detail"]
        async with http_client(app, admin) as http:
            assert (await http.get("/api/v1/units/T-TWO")).status_code == 404

    async def test_the_same_key_in_both_headers_is_refused_too(
        self, app: FastAPI, session: AsyncSession
    ) -> None:
        admin = await api_key(session, "admin")
        async with http_client(app, admin) as http:
            response = await http.get("/api/v1/keys", headers={"X-API-Key": admin})
        assert_problem(response, 400)

    async def test_a_repeated_x_api_key_header_is_refused(
        self, app: FastAPI, session: AsyncSession
    ) -> None:
        admin, reader = await api_key(session, "admin"), await api_key(session, "reader")
        async with http_client(app) as http:
            response = await http.get(
                "/api/v1/keys", headers=[("X-API-Key", reader), ("X-API-Key", admin)]
            )
        assert_problem(response, 400)

    async def test_a_junk_x_api_key_next_to_a_bearer_key_is_refused(
        self, app: FastAPI, session: AsyncSession
    ) -> None:
        editor = await api_key(session, "editor")
        async with http_client(app, editor) as http:
            response = await http.get("/api/v1/years", headers={"X-API-Key": "junk"})
        assert_problem(response, 400)


DRAFT_YEAR = 2035
SECRET_NOTE = "draft-secret-note-7f3a"
SECRET_SCORE = "1.2345"


async def _draft_year_with_secrets(client: AsyncClient) -> None:
    assert (await client.post("/api/v1/years", json={"year": DRAFT_YEAR})).status_code == 201
    await put_small_tree(client, DRAFT_YEAR)
    response = await client.put(
        f"/api/v1/years/{DRAFT_YEAR}/units/LD-DEP-HEALTH/scores",
        json={"scores": [{"criterion": "1.1", "final_score": SECRET_SCORE, "note": SECRET_NOTE}]},
    )
    assert response.status_code == 200, response.text


class TestDraftsNeverLeak:
    async def test_anonymous_and_readers_see_no_draft_anywhere(
        self, client: AsyncClient, app: FastAPI, session: AsyncSession
    ) -> None:
        await _draft_year_with_secrets(client)
        reader = await api_key(session, "reader")
        paths = [
            "/api/v1/years",
            f"/api/v1/years/{DRAFT_YEAR}",
            f"/api/v1/years/{DRAFT_YEAR}/criteria/department",
            f"/api/v1/years/{DRAFT_YEAR}/units/LD-DEP-HEALTH/scores",
            f"/api/v1/years/{DRAFT_YEAR}/rankings/department",
            f"/api/v1/years/{DRAFT_YEAR}/rankings/department?format=csv",
            f"/api/v1/years/{DRAFT_YEAR}/rankings/department/export",
            f"/api/v1/years/{DRAFT_YEAR}/units/LD-DEP-HEALTH/breakdown",
            f"/api/v1/years/{DRAFT_YEAR}/units/LD-DEP-HEALTH/improvements",
            f"/api/v1/years/{DRAFT_YEAR}/improvements/department",
            f"/api/v1/years/{DRAFT_YEAR}/scores/export",
            f"/api/v1/years/{DRAFT_YEAR}/revisions",
            f"/api/v1/years/{DRAFT_YEAR}/dump",
            f"/api/v1/years/{DRAFT_YEAR}/dump?format=csv",
            f"/api/v1/years/{DRAFT_YEAR}/dump/export",
            "/api/v1/units/LD-DEP-HEALTH/history",
            "/api/v1/audit",
        ]
        for key in (None, reader):
            async with http_client(app, key) as http:
                for path in paths:
                    response = await http.get(path)
                    body = response.text
                    assert SECRET_NOTE not in body, path
                    assert SECRET_SCORE not in body, path
                    assert f'"year":{DRAFT_YEAR}' not in body.replace(" ", ""), path
                    if path.startswith(f"/api/v1/years/{DRAFT_YEAR}"):
                        assert response.status_code == 404, path
                        twin = await http.get(path.replace(str(DRAFT_YEAR), "2036"))
                        assert response.json()["detail"].replace(
                            str(DRAFT_YEAR), "Y"
                        ) == twin.json()["detail"].replace("2036", "Y"), path

    async def test_editors_see_drafts(
        self, client: AsyncClient, app: FastAPI, session: AsyncSession
    ) -> None:
        await _draft_year_with_secrets(client)
        async with http_client(app, await api_key(session, "editor")) as http:
            ranking = await http.get(f"/api/v1/years/{DRAFT_YEAR}/rankings/department")
            assert ranking.status_code == 200
            assert ranking.json()["status"] == "draft"

    async def test_a_cached_draft_is_not_served_to_anonymous(
        self, client: AsyncClient, anonymous_client: AsyncClient
    ) -> None:
        await _draft_year_with_secrets(client)
        warm = await client.get(f"/api/v1/years/{DRAFT_YEAR}/rankings/department")
        assert warm.status_code == 200
        cold = await anonymous_client.get(f"/api/v1/years/{DRAFT_YEAR}/rankings/department")
        assert cold.status_code == 404
