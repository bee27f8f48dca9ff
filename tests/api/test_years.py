"""The assessment years endpoints."""

from httpx import AsyncClient

from tests.builders import assert_problem, error_locs


class TestListYears:
    async def test_lists_newest_first_with_published_lamdong_years(
        self, client: AsyncClient
    ) -> None:
        response = await client.get("/api/v1/years")
        assert response.status_code == 200
        years = response.json()
        numbers = [year["year"] for year in years]
        assert numbers == sorted(numbers, reverse=True)
        assert numbers[:2] == [2025, 2024]
        by_number = {year["year"]: year for year in years}
        assert by_number[2024]["status"] == "published"
        assert by_number[2025]["status"] == "published"
        assert by_number[2024]["source"]["code"] == "lamdong-2024"

    async def test_each_year_lists_its_groups_with_results_and_their_coverage(
        self, client: AsyncClient
    ) -> None:
        years = {year["year"]: year for year in (await client.get("/api/v1/years")).json()}
        coverage = {
            number: {g["code"]: g["coverage"] for g in year["groups"]}
            for number, year in years.items()
        }
        assert list(coverage[2025]) == ["department", "commune"]
        assert list(coverage[2024]) == ["department", "district", "public_service_unit"]
        assert list(coverage[2023]) == ["demo-department", "demo-district"]
        # Lam Dong's groups were only partly published; the demo's are computed in full.
        assert {c["complete"] for year in (2024, 2025) for c in coverage[year].values()} == {False}
        assert coverage[2025]["commune"]["units_in_group"] == 124
        assert coverage[2024]["department"]["units_in_group"] is None
        demo = coverage[2023]["demo-department"]
        assert (demo["complete"], demo["ranks"]) == (True, "computed")
        assert demo["units_with_result"] == demo["units_in_group"]


class TestGetYear:
    async def test_published_year_carries_its_source(self, client: AsyncClient) -> None:
        response = await client.get("/api/v1/years/2024")
        assert response.status_code == 200
        body = response.json()
        assert body["year"] == 2024
        assert body["status"] == "published"
        assert body["published_at"] is not None
        assert body["source"]["url"].startswith("https://")
        assert [
            (g["code"], g["coverage"]["units_with_result"], g["coverage"]["published"]["scope"])
            for g in body["groups"]
        ] == [
            ("department", 6, "top_and_bottom"),
            ("district", 10, "top"),
            (
                "public_service_unit",
                1,
                "top",
            ),
        ]

    async def test_unknown_year_is_not_found(self, client: AsyncClient) -> None:
        problem = assert_problem(await client.get("/api/v1/years/2099"), 404)
        assert "2099" in problem["detail"]

    async def test_year_out_of_range_in_the_path_is_invalid(self, client: AsyncClient) -> None:
        assert_problem(await client.get("/api/v1/years/1999"), 422)


class TestCreateYear:
    async def test_new_year_is_a_draft_with_its_source(self, client: AsyncClient) -> None:
        body = {
            "year": 2030,
            "legal_basis": "QĐ 1/2031",
            "note": "test year",
            "source": {"code": "t-2030", "title": "Test source", "url": "https://example.org/"},
        }
        response = await client.post("/api/v1/years", json=body)
        assert response.status_code == 201, response.text
        created = response.json()
        assert created["status"] == "draft"
        assert created["published_at"] is None
        assert created["source"] == body["source"]
        assert (await client.get("/api/v1/years/2030")).json() == created | {"groups": []}

    async def test_existing_source_code_with_the_same_title_is_reused(
        self, client: AsyncClient
    ) -> None:
        source = {"code": "t-shared", "title": "Shared source"}
        for year in (2030, 2031):
            response = await client.post("/api/v1/years", json={"year": year, "source": source})
            assert response.status_code == 201, response.text
            assert response.json()["source"] == source | {"url": None}

    async def test_existing_year_is_a_conflict(self, client: AsyncClient) -> None:
        assert_problem(await client.post("/api/v1/years", json={"year": 2024}), 409)

    async def test_source_code_reused_with_another_title_is_a_conflict(
        self, client: AsyncClient
    ) -> None:
        source = {"code": "lamdong-2024", "title": "Some other article"}
        response = await client.post("/api/v1/years", json={"year": 2030, "source": source})
        assert_problem(response, 409)
        assert_problem(await client.get("/api/v1/years/2030"), 404)

    async def test_year_out_of_range_is_invalid(self, client: AsyncClient) -> None:
        for year in (1999, 2101):
            problem = assert_problem(await client.post("/api/v1/years", json={"year": year}), 422)
            assert ["body", "year"] in error_locs(problem)

    async def test_status_cannot_be_set_on_creation(self, client: AsyncClient) -> None:
        response = await client.post("/api/v1/years", json={"year": 2030, "status": "published"})
        problem = assert_problem(response, 422)
        assert ["body", "status"] in error_locs(problem)
