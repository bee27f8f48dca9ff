"""One test per fact the Lam Dong sources published, asserting exactly what the source says and
that no field claims more: no rank it did not publish, no statistic over a partial group.

The sources (app/datasets/lamdong-published.json) published the top three and bottom three of
the 2024 departments without the group's size, the order of the 2024 districts without scores,
only the first of the 2024 public service units, the first and the last of the 2025
departments, and the band counts of the 2025 communes.
"""

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from httpx import AsyncClient

import app.datasets

DISTRICT_ORDER = (
    "LD-DIS-BAO-LAM", "LD-DIS-LAC-DUONG", "LD-DIS-DON-DUONG", "LD-DIS-LAM-HA", "LD-DIS-BAO-LOC",
    "LD-DIS-DA-HUOAI", "LD-DIS-DUC-TRONG", "LD-DIS-DA-LAT", "LD-DIS-DAM-RONG", "LD-DIS-DI-LINH",
)  # fmt: skip
NOTHING_COMPUTED = {
    "complete": False,
    "mean": None,
    "median": None,
    "min": None,
    "max": None,
    "band_counts": None,
}


async def ranking(client: AsyncClient, year: int, group: str) -> dict[str, Any]:
    response = await client.get(
        f"/api/v1/years/{year}/rankings/{group}", headers={"Accept-Language": "en"}
    )
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def entry_of(body: dict[str, Any], code: str) -> dict[str, Any]:
    [entry] = [e for e in body["entries"] if e["unit"]["code"] == code]
    return entry


def statistics_withheld(body: dict[str, Any]) -> dict[str, Any]:
    return {key: body["statistics"][key] for key in NOTHING_COMPUTED}


def place(entry: dict[str, Any]) -> tuple[str, str] | None:
    found = entry["published"]["place"]
    return (found["code"], found["label_en"]) if found else None


class TestDepartments2024:
    async def test_the_top_three_keep_their_published_ranks(self, client: AsyncClient) -> None:
        body = await ranking(client, 2024, "department")
        assert [
            (e["rank"], e["rank_basis"], e["unit"]["code"], e["index"]) for e in body["entries"][:3]
        ] == [
            (1, "published", "LD-DEP-HOME-AFFAIRS", "92.96"),
            (2, "published", "LD-DEP-INFO-COMMS", "92.46"),
            (3, "published", "LD-DEP-FINANCE", "91.34"),
        ]
        # The size of the group was not published: nothing below third place has a rank.
        assert [e["rank"] for e in body["entries"][3:]] == [None, None, None]
        coverage = body["coverage"]
        assert (
            coverage["complete"],
            coverage["units_with_result"],
            coverage["units_in_group"],
        ) == (
            False,
            6,
            None,
        )
        assert (coverage["ranks"], coverage["published"]["scope"]) == (
            "published",
            "top_and_bottom",
        )
        assert statistics_withheld(body) == NOTHING_COMPUTED
        assert body["statistics"]["count"] == 6
        # The response states the rule it follows.
        assert "either published or computed over a complete group" in body["rule"]

    async def test_the_87_21_pair_is_a_tie_among_the_three_lowest_without_a_rank(
        self, client: AsyncClient
    ) -> None:
        body = await ranking(client, 2024, "department")
        for code in ("LD-DEP-HEALTH", "LD-DEP-NATURAL-RESOURCES-ENV"):
            entry = entry_of(body, code)
            assert (entry["index"], entry["tied"], entry["tie_size"]) == ("87.21", True, 2)
            assert (entry["rank"], entry["rank_basis"], entry["rank_disagrees"]) == (
                None,
                None,
                None,
            )
            assert place(entry) == ("bottom_3", "among the 3 lowest")
            assert entry["published"]["position"].startswith("among the three lowest; tied with")

    async def test_the_industrial_park_board_is_the_lowest_not_sixth(
        self, client: AsyncClient
    ) -> None:
        entry = entry_of(await ranking(client, 2024, "department"), "LD-DEP-INDUSTRIAL-PARKS-MB")
        assert (entry["index"], entry["rank"], entry["tied"]) == ("86.29", None, False)
        assert place(entry) == ("lowest", "the lowest")
        assert entry["published"] | {"place": None} == {
            "index": "86.29",
            "rank": None,
            "position": "lowest",
            "place": None,
            "band_vi": None,
            "source": "lamdong-2024",
        }


class TestDistricts2024:
    async def test_the_published_order_is_the_rank_and_nothing_else(
        self, client: AsyncClient
    ) -> None:
        body = await ranking(client, 2024, "district")
        assert [(e["rank"], e["rank_basis"], e["unit"]["code"]) for e in body["entries"]] == [
            (rank, "published", code) for rank, code in enumerate(DISTRICT_ORDER, start=1)
        ]
        assert all(
            (e["basis"], e["index"], e["total"], e["band"]) == ("published_rank", None, None, None)
            for e in body["entries"]
        )
        assert (body["coverage"]["units_in_group"], body["coverage"]["published"]["scope"]) == (
            None,
            "top",
        )
        assert statistics_withheld(body) == NOTHING_COMPUTED
        assert body["statistics"]["count"] == 0


class TestPublicServiceUnits2024:
    async def test_only_the_first_place_was_published(self, client: AsyncClient) -> None:
        body = await ranking(client, 2024, "public_service_unit")
        assert [(e["rank"], e["unit"]["code"], e["index"]) for e in body["entries"]] == [
            (1, "LD-PSU-TRAFFIC-PMB", None)
        ]
        coverage = body["coverage"]
        assert (
            coverage["complete"],
            coverage["units_with_result"],
            coverage["units_in_group"],
        ) == (
            False,
            1,
            None,
        )
        assert coverage["published"]["scope"] == "top"


class TestDepartments2025:
    async def test_justice_is_first_with_93_01_and_good(self, client: AsyncClient) -> None:
        body = await ranking(client, 2025, "department")
        justice = body["entries"][0]
        assert (justice["unit"]["code"], justice["rank"], justice["rank_basis"]) == (
            "LD-DEP-JUSTICE",
            1,
            "published",
        )
        assert (justice["index"], justice["published"]["band_vi"]) == ("93.01", "Tốt")
        assert justice["band"] is None  # no criteria set, so no computed band

    async def test_foreign_affairs_is_the_lowest_with_60_43_and_no_group_mean(
        self, client: AsyncClient
    ) -> None:
        body = await ranking(client, 2025, "department")
        foreign_affairs = body["entries"][-1]
        assert (foreign_affairs["unit"]["code"], foreign_affairs["index"]) == (
            "LD-DEP-FOREIGN-AFFAIRS",
            "60.43",
        )
        assert (foreign_affairs["rank"], place(foreign_affairs)) == (None, ("lowest", "the lowest"))
        # Two published units of about fifteen: their mean (76.72) is not the group's.
        assert statistics_withheld(body) == NOTHING_COMPUTED
        assert body["statistics"]["count"] == 2


class TestCommunes2025:
    async def test_band_counts_stay_as_published_and_are_never_recomputed(
        self, client: AsyncClient
    ) -> None:
        body = await ranking(client, 2025, "commune")
        assert body["published_summary"] == {
            "unit_count": 124,
            "band_counts": {"Tốt": 26, "Khá": 80, "Trung bình": 18},
            "note": "124 commune-level units: 26 good (Tốt), 80 fair (Khá), 18 average "
            "(Trung bình).",
            "source": "lamdong-2025",
        }
        assert statistics_withheld(body) == NOTHING_COMPUTED
        coverage = body["coverage"]
        assert (
            coverage["complete"],
            coverage["units_with_result"],
            coverage["units_in_group"],
        ) == (
            False,
            1,
            124,
        )
        assert coverage["published"]["scope"] == "band_counts"
        phu_thuy = entry_of(body, "LD-COM-PHU-THUY")
        assert (phu_thuy["rank"], phu_thuy["rank_basis"], phu_thuy["index"]) == (
            3,
            "published",
            None,
        )


def rank_fields(node: Any, path: str = "") -> Iterator[tuple[str, Any, Any]]:
    """Every (path, object holding a "rank", its rank) in a JSON document."""
    if isinstance(node, dict):
        if "rank" in node and (node["rank"] is None or isinstance(node["rank"], int)):
            yield path, node, node["rank"]
        for key, value in node.items():
            yield from rank_fields(value, f"{path}.{key}")
    elif isinstance(node, list):
        for position, value in enumerate(node):
            yield from rank_fields(value, f"{path}[{position}]")


def published_ranks() -> dict[str, int]:
    """Unit code → rank, read from the bundled source file itself (names matched to codes
    through the registry, as the loader does): what the service may show as a rank."""
    datasets = Path(app.datasets.__file__).parent
    source = json.loads((datasets / "lamdong-published.json").read_text(encoding="utf-8"))
    registry = json.loads((datasets / "lamdong-units.json").read_text(encoding="utf-8"))
    ranks = {}
    for year, groups in source["years"].items():
        year_end = f"{year}-12-31"
        for group, part in groups.items():
            for result in part["results"] if isinstance(part, dict) else []:
                [code] = [
                    u["code"]
                    for u in registry["units"]
                    if (u["group"], u["name_vi"]) == (group, result["name_vi"])
                    and (u["valid_from"] or year_end) <= year_end <= (u["valid_to"] or year_end)
                ]
                if result["published_rank"] is not None:
                    ranks[code] = result["published_rank"]
    return ranks


class TestNoInventedRankAnywhere:
    """Every rank any Lam Dong response carries is one the source published."""

    async def test_rankings_histories_dumps_and_improvements(self, client: AsyncClient) -> None:
        paths = [
            "years/2024/rankings/department",
            "years/2024/rankings/district",
            "years/2024/rankings/public_service_unit",
            "years/2025/rankings/department",
            "years/2025/rankings/commune",
            "years/2024/dump",
            "years/2025/dump",
            "years/2024/improvements/department",
            "units/LD-DEP-HEALTH/history",
            "units/LD-DEP-AGRI-ENV/history",
            "units/LD-DIS-DA-HUOAI/history",
            "units/LD-DEP-INDUSTRIAL-PARKS-MB/history",
        ]
        published = published_ranks()
        checked = 0
        for path in paths:
            response = await client.get(f"/api/v1/{path}")
            assert response.status_code == 200, path
            for where, holder, rank in rank_fields(response.json()):
                if rank is None:
                    continue
                if "unit" not in holder:  # the figures as published, inside an entry
                    assert where.endswith(".published"), where
                    continue
                code = holder["unit"] if isinstance(holder["unit"], str) else holder["unit"]["code"]
                assert rank == published.get(code), f"{path}{where}: {code} {rank}"
                checked += 1
        assert checked >= 30
