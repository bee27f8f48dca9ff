"""The units, groups and lineage endpoints."""

from typing import Any

from httpx import AsyncClient

from tests.builders import assert_problem, create_unit, error_locs

LAMDONG_GROUPS = {"department", "district", "commune", "public_service_unit"}
DEMO_GROUPS = {"demo-department", "demo-district"}


async def list_codes(client: AsyncClient, **params: Any) -> list[str]:
    response = await client.get("/api/v1/units", params={"limit": 500, **params})
    assert response.status_code == 200, response.text
    return [unit["code"] for unit in response.json()["items"]]


class TestListUnits:
    async def test_search_ignores_case_and_diacritics(self, client: AsyncClient) -> None:
        response = await client.get("/api/v1/units", params={"q": "y te"})
        assert response.status_code == 200
        codes = [unit["code"] for unit in response.json()["items"]]
        assert "LD-DEP-HEALTH" in codes

    async def test_search_finds_da_huoai_without_marks(self, client: AsyncClient) -> None:
        response = await client.get("/api/v1/units", params={"q": "da huoai"})
        names = {unit["name_vi"] for unit in response.json()["items"]}
        assert "Huyện Đạ Huoai" in names

    async def test_like_wildcards_in_the_search_are_literal(self, client: AsyncClient) -> None:
        for wildcard in ("%", "_", "y%te"):
            assert await list_codes(client, q=wildcard) == []

    async def test_group_filter_returns_exactly_the_group(self, client: AsyncClient) -> None:
        codes = await list_codes(client, group="district")
        assert len(codes) == 13
        assert all(code.startswith("LD-DIS-") for code in codes)

    async def test_active_in_keeps_units_whose_validity_overlaps_the_year(
        self, client: AsyncClient
    ) -> None:
        # Information and Communications ended on 2025-02-28: active in 2025, gone in 2026.
        assert "LD-DEP-INFO-COMMS" in await list_codes(client, active_in=2025, group="department")
        assert "LD-DEP-INFO-COMMS" not in await list_codes(
            client, active_in=2026, group="department"
        )
        # Da Teh ended on 2024-11-30: still active in 2024.
        assert "LD-DIS-DA-TEH" in await list_codes(client, active_in=2024, group="district")
        assert "LD-DIS-DA-TEH" not in await list_codes(client, active_in=2025, group="district")

    async def test_active_in_excludes_units_not_yet_created(self, client: AsyncClient) -> None:
        # Phu Thuy ward starts on 2025-07-01.
        assert "LD-COM-PHU-THUY" in await list_codes(client, active_in=2025, group="commune")
        assert "LD-COM-PHU-THUY" not in await list_codes(client, active_in=2024, group="commune")

    async def test_pages_are_consistent_and_deterministic(self, client: AsyncClient) -> None:
        everything = await client.get("/api/v1/units", params={"limit": 500})
        all_codes = [unit["code"] for unit in everything.json()["items"]]
        total = everything.json()["total"]
        assert total == len(all_codes)

        paged: list[str] = []
        for offset in range(0, total, 7):
            response = await client.get("/api/v1/units", params={"limit": 7, "offset": offset})
            page = response.json()
            assert (page["total"], page["limit"], page["offset"]) == (total, 7, offset)
            assert len(page["items"]) == min(7, total - offset)
            paged += [unit["code"] for unit in page["items"]]
        assert paged == all_codes
        assert await list_codes(client) == all_codes

    async def test_offset_past_the_end_gives_an_empty_page(self, client: AsyncClient) -> None:
        response = await client.get("/api/v1/units", params={"offset": 10_000})
        assert response.status_code == 200
        assert response.json()["items"] == []
        assert response.json()["total"] > 0

    async def test_unknown_group_filter_is_not_found(self, client: AsyncClient) -> None:
        response = await client.get("/api/v1/units", params={"group": "no-such-group"})
        assert_problem(response, 404)


class TestCreateUnit:
    async def test_created_unit_is_returned(self, client: AsyncClient) -> None:
        body = {
            "code": "T-DEP-NEW",
            "name_vi": "Sở Thử nghiệm",
            "name_en": "Test Department",
            "group": "department",
            "valid_from": "2026-01-01",
        }
        response = await client.post("/api/v1/units", json=body)
        assert response.status_code == 201, response.text
        assert response.json() == body | {"parent": None, "valid_to": None}
        fetched = await client.get("/api/v1/units/T-DEP-NEW")
        assert fetched.json() == response.json()

    async def test_unit_with_parent_names_the_parent(self, client: AsyncClient) -> None:
        unit = await create_unit(client, "T-DEP-CHILD", parent="LD-DEP-HEALTH")
        assert unit["parent"] == "LD-DEP-HEALTH"

    async def test_duplicate_code_is_a_conflict(self, client: AsyncClient) -> None:
        body = {"code": "LD-DEP-HEALTH", "name_vi": "X", "name_en": "X", "group": "department"}
        response = await client.post("/api/v1/units", json=body)
        assert_problem(response, 409)

    async def test_unknown_group_is_invalid_and_named(self, client: AsyncClient) -> None:
        body = {"code": "T-X", "name_vi": "X", "name_en": "X", "group": "no-such-group"}
        problem = assert_problem(await client.post("/api/v1/units", json=body), 422)
        assert ["body", "group"] in error_locs(problem)

    async def test_unknown_parent_is_invalid_and_named(self, client: AsyncClient) -> None:
        body = {
            "code": "T-X",
            "name_vi": "X",
            "name_en": "X",
            "group": "department",
            "parent": "NO-SUCH-UNIT",
        }
        problem = assert_problem(await client.post("/api/v1/units", json=body), 422)
        assert ["body", "parent"] in error_locs(problem)

    async def test_code_outside_the_pattern_is_invalid(self, client: AsyncClient) -> None:
        body = {"code": "-bad code", "name_vi": "X", "name_en": "X", "group": "department"}
        problem = assert_problem(await client.post("/api/v1/units", json=body), 422)
        assert ["body", "code"] in error_locs(problem)

    async def test_validity_ending_before_it_starts_is_invalid(self, client: AsyncClient) -> None:
        body = {
            "code": "T-X",
            "name_vi": "X",
            "name_en": "X",
            "group": "department",
            "valid_from": "2025-01-01",
            "valid_to": "2024-01-01",
        }
        assert_problem(await client.post("/api/v1/units", json=body), 422)


class TestGetUnit:
    async def test_known_unit_is_returned(self, client: AsyncClient) -> None:
        response = await client.get("/api/v1/units/LD-DIS-DA-TEH")
        assert response.status_code == 200
        assert response.json() == {
            "code": "LD-DIS-DA-TEH",
            "name_vi": "Huyện Đạ Tẻh",
            "name_en": "Da Teh District",
            "group": "district",
            "parent": None,
            "valid_from": None,
            "valid_to": "2024-11-30",
        }

    async def test_unknown_unit_is_not_found(self, client: AsyncClient) -> None:
        problem = assert_problem(await client.get("/api/v1/units/NO-SUCH-UNIT"), 404)
        assert "NO-SUCH-UNIT" in problem["detail"]


class TestUpdateUnit:
    async def test_new_name_is_returned_and_searchable(self, client: AsyncClient) -> None:
        await create_unit(client, "T-DEP-RENAME")
        response = await client.patch(
            "/api/v1/units/T-DEP-RENAME",
            json={"name_vi": "Sở Khởi nghiệp Sáng tạo", "name_en": "Startup Department"},
        )
        assert response.status_code == 200, response.text
        assert response.json()["name_vi"] == "Sở Khởi nghiệp Sáng tạo"
        assert response.json()["group"] == "department"
        assert "T-DEP-RENAME" in await list_codes(client, q="khoi nghiep sang tao")
        assert "T-DEP-RENAME" in await list_codes(client, q="STARTUP")

    async def test_omitted_fields_stay_and_null_clears_optional_ones(
        self, client: AsyncClient
    ) -> None:
        await create_unit(client, "T-DEP-DATES", valid_from="2020-01-01", valid_to="2030-12-31")
        response = await client.patch("/api/v1/units/T-DEP-DATES", json={"valid_to": None})
        assert response.status_code == 200, response.text
        assert response.json()["valid_from"] == "2020-01-01"
        assert response.json()["valid_to"] is None
        assert response.json()["name_en"] == "Test T-DEP-DATES"

    async def test_clearing_a_required_field_is_invalid(self, client: AsyncClient) -> None:
        await create_unit(client, "T-DEP-CLEAR")
        response = await client.patch("/api/v1/units/T-DEP-CLEAR", json={"name_vi": None})
        problem = assert_problem(response, 422)
        assert ["body", "name_vi"] in error_locs(problem)
        assert (await client.get("/api/v1/units/T-DEP-CLEAR")).json()[
            "name_vi"
        ] == "Sở thử T-DEP-CLEAR"

    async def test_group_of_a_unit_without_results_can_change(self, client: AsyncClient) -> None:
        await create_unit(client, "T-DEP-MOVE")
        response = await client.patch("/api/v1/units/T-DEP-MOVE", json={"group": "district"})
        assert response.status_code == 200, response.text
        assert response.json()["group"] == "district"

    async def test_group_of_a_unit_with_published_results_is_fixed(
        self, client: AsyncClient
    ) -> None:
        response = await client.patch("/api/v1/units/LD-DEP-HEALTH", json={"group": "district"})
        assert_problem(response, 409)
        assert (await client.get("/api/v1/units/LD-DEP-HEALTH")).json()["group"] == "department"

    async def test_a_unit_cannot_be_its_own_parent(self, client: AsyncClient) -> None:
        await create_unit(client, "T-A")
        response = await client.patch("/api/v1/units/T-A", json={"parent": "T-A"})
        assert ["body", "parent"] in error_locs(assert_problem(response, 422))

    async def test_a_unit_cannot_be_placed_under_its_own_descendant(
        self, client: AsyncClient
    ) -> None:
        await create_unit(client, "T-A")
        await create_unit(client, "T-B", parent="T-A")
        await create_unit(client, "T-C", parent="T-B")
        response = await client.patch("/api/v1/units/T-A", json={"parent": "T-C"})
        assert ["body", "parent"] in error_locs(assert_problem(response, 422))
        assert (await client.get("/api/v1/units/T-A")).json()["parent"] is None

    async def test_parent_can_move_to_another_branch(self, client: AsyncClient) -> None:
        await create_unit(client, "T-A")
        await create_unit(client, "T-B", parent="T-A")
        await create_unit(client, "T-C")
        response = await client.patch("/api/v1/units/T-B", json={"parent": "T-C"})
        assert response.status_code == 200, response.text
        assert response.json()["parent"] == "T-C"

    async def test_unknown_unit_is_not_found(self, client: AsyncClient) -> None:
        response = await client.patch("/api/v1/units/NO-SUCH-UNIT", json={"name_en": "X"})
        assert_problem(response, 404)


class TestGetUnitLineage:
    async def test_merged_district_lists_its_three_predecessors(self, client: AsyncClient) -> None:
        response = await client.get("/api/v1/units/LD-DIS-DA-HUOAI/lineage")
        assert response.status_code == 200
        body = response.json()
        assert body["unit"]["code"] == "LD-DIS-DA-HUOAI"
        assert {event["predecessor"]["code"] for event in body["predecessors"]} == {
            "LD-DIS-DA-HUOAI-OLD",
            "LD-DIS-DA-TEH",
            "LD-DIS-CAT-TIEN",
        }
        assert {event["kind"] for event in body["predecessors"]} == {"merge"}
        assert {event["effective_date"] for event in body["predecessors"]} == {"2024-12-01"}
        assert body["successors"] == []

    async def test_merged_department_lists_its_two_predecessors(self, client: AsyncClient) -> None:
        body = (await client.get("/api/v1/units/LD-DEP-AGRI-ENV/lineage")).json()
        assert {event["predecessor"]["code"] for event in body["predecessors"]} == {
            "LD-DEP-AGRI-RURAL-DEV",
            "LD-DEP-NATURAL-RESOURCES-ENV",
        }

    async def test_predecessor_lists_its_successor(self, client: AsyncClient) -> None:
        body = (await client.get("/api/v1/units/LD-DIS-DA-TEH/lineage")).json()
        assert body["predecessors"] == []
        assert [event["successor"]["code"] for event in body["successors"]] == ["LD-DIS-DA-HUOAI"]

    async def test_unknown_unit_is_not_found(self, client: AsyncClient) -> None:
        assert_problem(await client.get("/api/v1/units/NO-SUCH-UNIT/lineage"), 404)


class TestCreateLineageEvent:
    @staticmethod
    def event(**fields: Any) -> dict[str, Any]:
        return {
            "predecessor": "T-DEP-OLD",
            "successor": "T-DEP-NEW",
            "kind": "rename",
            "effective_date": "2026-01-01",
        } | fields

    async def test_event_is_created_and_listed(self, client: AsyncClient) -> None:
        await create_unit(client, "T-DEP-OLD", valid_to="2025-12-31")
        await create_unit(client, "T-DEP-NEW", valid_from="2026-01-01")
        response = await client.post("/api/v1/lineage", json=self.event(note="renamed"))
        assert response.status_code == 201, response.text
        assert response.json()["predecessor"]["code"] == "T-DEP-OLD"
        assert response.json()["successor"]["code"] == "T-DEP-NEW"
        assert response.json()["kind"] == "rename"
        assert response.json()["note"] == "renamed"
        body = (await client.get("/api/v1/units/T-DEP-NEW/lineage")).json()
        assert [event["predecessor"]["code"] for event in body["predecessors"]] == ["T-DEP-OLD"]

    async def test_recording_the_same_event_twice_is_a_conflict(self, client: AsyncClient) -> None:
        await create_unit(client, "T-DEP-OLD")
        await create_unit(client, "T-DEP-NEW")
        assert (await client.post("/api/v1/lineage", json=self.event())).status_code == 201
        assert_problem(await client.post("/api/v1/lineage", json=self.event()), 409)

    async def test_a_unit_cannot_succeed_itself(self, client: AsyncClient) -> None:
        await create_unit(client, "T-DEP-OLD")
        response = await client.post("/api/v1/lineage", json=self.event(successor="T-DEP-OLD"))
        problem = assert_problem(response, 422)
        assert ["body", "successor"] in error_locs(problem)

    async def test_unknown_units_are_all_named(self, client: AsyncClient) -> None:
        response = await client.post("/api/v1/lineage", json=self.event())
        problem = assert_problem(response, 422)
        assert error_locs(problem) == [["body", "predecessor"], ["body", "successor"]]

    async def test_unknown_kind_is_invalid(self, client: AsyncClient) -> None:
        await create_unit(client, "T-DEP-OLD")
        await create_unit(client, "T-DEP-NEW")
        response = await client.post("/api/v1/lineage", json=self.event(kind="annexation"))
        problem = assert_problem(response, 422)
        assert ["body", "kind"] in error_locs(problem)


class TestListGroups:
    async def test_lists_the_lamdong_and_demo_groups_in_order(self, client: AsyncClient) -> None:
        response = await client.get("/api/v1/groups")
        assert response.status_code == 200
        groups = response.json()
        assert {group["code"] for group in groups} >= LAMDONG_GROUPS | DEMO_GROUPS
        orders = [(group["sort_order"], group["code"]) for group in groups]
        assert orders == sorted(orders)
