"""The units, groups and lineage endpoints."""

from httpx import AsyncClient


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
