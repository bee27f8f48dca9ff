"""The unit groups endpoints: list, create and change (admins), audited."""

from typing import Any

from httpx import AsyncClient

from tests.builders import assert_problem, create_draft_year, error_locs, put_small_tree

ZONES = {
    "code": "special_zone",
    "name_vi": "Đặc khu",
    "name_en": "Special zones",
    "sort_order": 5,
    "valid_from_year": 2025,
}


async def create_group(client: AsyncClient, **fields: Any) -> dict[str, Any]:
    response = await client.post("/api/v1/groups", json=ZONES | fields)
    assert response.status_code == 201, response.text
    body: dict[str, Any] = response.json()
    return body


async def group_codes(client: AsyncClient, **params: Any) -> list[str]:
    response = await client.get("/api/v1/groups", params=params)
    assert response.status_code == 200, response.text
    return [group["code"] for group in response.json()]


async def audit_of(client: AsyncClient, code: str) -> list[dict[str, Any]]:
    response = await client.get("/api/v1/audit", params={"entity": "group", "limit": 100})
    assert response.status_code == 200, response.text
    return [e for e in response.json()["items"] if e["entity_key"] == code]


class TestCreateGroup:
    async def test_new_group_is_listed_audited_and_takes_units_and_criteria(
        self, client: AsyncClient
    ) -> None:
        created = await create_group(client)
        assert created == ZONES | {"valid_to_year": None}
        assert "special_zone" in await group_codes(client)
        [event] = await audit_of(client, "special_zone")
        assert (event["action"], event["before"], event["after"]) == ("create", None, created)

        unit = {"code": "T-ZONE", "name_vi": "Đặc khu thử", "name_en": "Test zone"}
        response = await client.post("/api/v1/units", json=unit | {"group": "special_zone"})
        assert response.status_code == 201, response.text
        year = await create_draft_year(client)
        await put_small_tree(client, year, group="special_zone")

    async def test_existing_code_is_a_conflict(self, client: AsyncClient) -> None:
        problem = assert_problem(
            await client.post("/api/v1/groups", json=ZONES | {"code": "district"}), 409
        )
        assert "district" in problem["detail"]

    async def test_validity_years_out_of_order_are_invalid(self, client: AsyncClient) -> None:
        body = ZONES | {"valid_from_year": 2026, "valid_to_year": 2025}
        problem = assert_problem(await client.post("/api/v1/groups", json=body), 422)
        assert "valid_from_year" in problem["errors"][0]["msg"]
        assert "special_zone" not in await group_codes(client)

    async def test_bad_code_and_missing_name_are_named(self, client: AsyncClient) -> None:
        body = {"code": "-bad code", "name_vi": "X", "sort_order": 1}
        problem = assert_problem(await client.post("/api/v1/groups", json=body), 422)
        assert sorted(error_locs(problem)) == [["body", "code"], ["body", "name_en"]]


class TestUpdateGroup:
    async def test_rename_is_audited_with_before_and_after(self, client: AsyncClient) -> None:
        response = await client.patch(
            "/api/v1/groups/district", json={"name_en": "District-level People's Committees"}
        )
        assert response.status_code == 200, response.text
        assert response.json()["name_en"] == "District-level People's Committees"
        assert response.json()["name_vi"] == "UBND huyện, thành phố"
        [event] = await audit_of(client, "district")
        assert event["action"] == "update"
        assert event["before"]["name_en"] != event["after"]["name_en"]
        assert event["after"] == response.json()

    async def test_a_rename_changes_the_groups_etag(self, client: AsyncClient) -> None:
        before = (await client.get("/api/v1/groups")).headers["etag"]
        await client.patch("/api/v1/groups/district", json={"name_en": "Districts"})
        after = await client.get("/api/v1/groups", headers={"If-None-Match": before})
        assert after.status_code == 200
        assert "Districts" in {g["name_en"] for g in after.json()}

    async def test_validity_years_select_the_groups_of_a_year(self, client: AsyncClient) -> None:
        for code, years in (
            ("district", {"valid_to_year": 2024}),
            ("commune", {"valid_from_year": 2025}),
        ):
            response = await client.patch(f"/api/v1/groups/{code}", json=years)
            assert response.status_code == 200, response.text
        in_2024 = await group_codes(client, active_in=2024)
        in_2025 = await group_codes(client, active_in=2025)
        assert "district" in in_2024
        assert "commune" not in in_2024
        assert "district" not in in_2025
        assert "commune" in in_2025

    async def test_validity_may_not_leave_out_a_year_with_results(
        self, client: AsyncClient
    ) -> None:
        # The 2024 index ranks the districts.
        response = await client.patch("/api/v1/groups/district", json={"valid_to_year": 2023})
        problem = assert_problem(response, 409)
        assert "2024" in problem["detail"]
        district = [
            g for g in (await client.get("/api/v1/groups")).json() if g["code"] == "district"
        ]
        assert district[0]["valid_to_year"] is None
        assert await audit_of(client, "district") == []

    async def test_names_cannot_be_cleared_nor_years_reversed(self, client: AsyncClient) -> None:
        problem = assert_problem(
            await client.patch(
                "/api/v1/groups/department",
                json={"name_vi": None, "valid_from_year": 2030, "valid_to_year": 2020},
            ),
            422,
        )
        assert error_locs(problem) == [["body", "name_vi"], ["body", "valid_from_year"]]

    async def test_unknown_group_is_a_404_and_the_code_cannot_change(
        self, client: AsyncClient
    ) -> None:
        assert_problem(await client.patch("/api/v1/groups/nope", json={"name_en": "X"}), 404)
        problem = assert_problem(
            await client.patch("/api/v1/groups/department", json={"code": "dept"}), 422
        )
        assert error_locs(problem) == [["body", "code"]]
