"""Regressions schemathesis found against a live server: answers the contract did not allow."""

import re
from datetime import datetime
from typing import Any

import pytest
from httpx import AsyncClient

from app.core.errors import PROBLEM_MEDIA_TYPE
from app.main import default_document
from app.schemas.base import DB_INT_MAX, INDEX_TEXT, SCORE_TEXT
from app.schemas.criteria import BandIn, CriterionIn

TOO_BIG = DB_INT_MAX + 1


def assert_problem(response: Any, status: int) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == PROBLEM_MEDIA_TYPE
    body: dict[str, Any] = response.json()
    assert body["status"] == status
    return body


class TestMethodNotAllowed:
    async def test_allow_lists_every_method_of_the_path(self, client: AsyncClient) -> None:
        # GET and POST /units are two routes; Starlette's 405 named only the first one's.
        response = await client.request("OPTIONS", "/api/v1/units")
        assert_problem(response, 405)
        assert response.headers["allow"] == "GET, HEAD, POST"

    async def test_allow_on_a_path_with_parameters(self, client: AsyncClient) -> None:
        response = await client.delete("/api/v1/years/2024/units/LD-DEP-HEALTH/scores")
        assert_problem(response, 405)
        assert response.headers["allow"] == "GET, HEAD, PUT"


class TestIntegersTheDatabaseCannotHold:
    @pytest.mark.parametrize(
        "path",
        [
            f"/api/v1/years/2023/criteria/demo-department?revision={TOO_BIG}",
            f"/api/v1/years/2024/rankings/department?revision={2**64 + 1}",
            f"/api/v1/units?offset={TOO_BIG}",
            f"/api/v1/webhooks/{TOO_BIG}/deliveries",
        ],
    )
    async def test_are_refused_as_invalid_not_a_server_error(
        self, client: AsyncClient, path: str
    ) -> None:
        body = assert_problem(await client.get(path), 422)
        assert body["title"] == "Tham số của yêu cầu không hợp lệ"

    async def test_the_largest_revision_is_simply_not_found(self, client: AsyncClient) -> None:
        response = await client.get(
            f"/api/v1/years/2023/criteria/demo-department?revision={DB_INT_MAX}"
        )
        assert_problem(response, 404)


class TestBodies:
    async def test_a_json_endpoint_answers_415_for_another_content_type(
        self, client: AsyncClient
    ) -> None:
        response = await client.post(
            "/api/v1/years",
            content=b"year=2031",
            headers={"Content-Type": "application/x-www-form-urlencoded"},
        )
        body = assert_problem(response, 415)
        assert body["title"] == "Định dạng không được hỗ trợ"

    async def test_a_body_without_content_type_is_415_too(self, client: AsyncClient) -> None:
        response = await client.post("/api/v1/years", content=b'{"year": 2031}')
        assert_problem(response, 415)

    async def test_a_json_body_with_bad_fields_stays_422(self, client: AsyncClient) -> None:
        body = assert_problem(await client.post("/api/v1/years", json={"year": "soon"}), 422)
        assert body["errors"][0]["loc"] == ["body", "year"]

    async def test_a_body_that_is_not_utf8_is_a_documented_400(self, client: AsyncClient) -> None:
        response = await client.post(
            "/api/v1/years", content=b"\xff\xfe\x00", headers={"Content-Type": "application/json"}
        )
        assert_problem(response, 400)
        assert "400" in default_document()["paths"]["/api/v1/years"]["post"]["responses"]

    async def test_a_number_is_not_a_date(self, client: AsyncClient) -> None:
        # Pydantic read 0 as 1970-01-01 and the lineage event was recorded.
        response = await client.post(
            "/api/v1/lineage",
            json={
                "predecessor": "LD-DEP-NATURAL-RESOURCES-ENV",
                "successor": "LD-DEP-AGRI-ENV",
                "kind": "merge",
                "effective_date": 0,
            },
        )
        body = assert_problem(response, 422)
        assert body["errors"][0]["loc"] == ["body", "effective_date"]


class TestTimestamps:
    async def test_every_timestamp_carries_its_offset(self, client: AsyncClient) -> None:
        # SQLite returned naive datetimes, sent without the offset `date-time` requires.
        year = (await client.get("/api/v1/years/2024")).json()
        revisions = (await client.get("/api/v1/years/2024/revisions")).json()
        audit = (await client.get("/api/v1/audit?limit=5")).json()["items"]
        stamps = [year["published_at"], revisions[0]["created_at"], *(e["at"] for e in audit)]
        assert stamps
        for stamp in stamps:
            assert datetime.fromisoformat(stamp).utcoffset() is not None, stamp


class TestDocumentedConstraints:
    def test_decimal_text_patterns_accept_what_the_models_accept(self) -> None:
        # The schema documented any string for a score; now it says which ones are read.
        for text in ("0", "1.5", "87.21", "100"):
            assert re.fullmatch(INDEX_TEXT, text)
            BandIn(label_vi="Tốt", label_en="Good", min_index=text)
        for text in ("1.28", "999999.9999"):
            assert re.fullmatch(SCORE_TEXT, text)
            CriterionIn(code="1", name_vi="x", name_en="x", max_score=text)
        for text in ("", "abc", "1.23456", "-1"):
            assert not re.fullmatch(SCORE_TEXT, text)

    def test_import_query_options_state_the_models_limits(self) -> None:
        parameters = default_document()["paths"]["/api/v1/years/{year}/imports"]["post"][
            "parameters"
        ]
        reason = next(p for p in parameters if p["name"] == "correction_reason")
        [text, _null] = reason["schema"]["anyOf"]
        assert (text["minLength"], text["maxLength"]) == (3, 2000)
