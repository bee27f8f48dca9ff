"""The criteria set endpoints: one tree and its bands per (year, group), replaced whole."""

from collections.abc import Callable
from typing import Any

import pytest
from httpx import AsyncClient

from tests.builders import (
    assert_problem,
    create_draft_year,
    create_unit,
    error_locs,
    put_small_tree,
    small_tree,
)

Tree = dict[str, Any]


def node(tree: Tree, code: str) -> dict[str, Any]:
    (found,) = [criterion for criterion in tree["criteria"] if criterion["code"] == code]
    return found


def criteria_url(year: int, group: str = "department") -> str:
    return f"/api/v1/years/{year}/criteria/{group}"


def missing_parent(tree: Tree) -> None:
    tree["criteria"].append(
        {"code": "4.1", "name_vi": "Mồ côi", "name_en": "Orphan", "max_score": "1"}
        | {"method": "bonus"}
    )


def inner_node_with_method(tree: Tree) -> None:
    node(tree, "1")["method"] = "appraisal"


def leaf_without_method(tree: Tree) -> None:
    del node(tree, "1.2")["method"]


def leaf_with_negative_max(tree: Tree) -> None:
    node(tree, "3.1")["max_score"] = "-1"


def parent_max_differs_from_children(tree: Tree) -> None:
    node(tree, "1")["max_score"] = "5"


def declared_max_differs_from_scored_leaves(tree: Tree) -> None:
    tree["max_score"] = "11"


def duplicate_code(tree: Tree) -> None:
    tree["criteria"].append(dict(node(tree, "2.1")))


def duplicate_band_minimum(tree: Tree) -> None:
    tree["bands"].append({"label_vi": "Khác", "label_en": "Other", "min_index": "80"})


def band_minimum_above_100(tree: Tree) -> None:
    tree["bands"][0]["min_index"] = "100.5"


INVALID_TREES: list[tuple[Callable[[Tree], None], list[str | int]]] = [
    (missing_parent, ["body", "criteria", 8, "code"]),
    (inner_node_with_method, ["body", "criteria", 0, "method"]),
    (leaf_without_method, ["body", "criteria", 2, "method"]),
    (leaf_with_negative_max, ["body", "criteria", 6, "max_score"]),
    (parent_max_differs_from_children, ["body", "criteria", 0, "max_score"]),
    (declared_max_differs_from_scored_leaves, ["body", "max_score"]),
    (duplicate_code, ["body", "criteria", 8, "code"]),
    (duplicate_band_minimum, ["body", "bands", 2, "min_index"]),
    (band_minimum_above_100, ["body", "bands", 0, "min_index"]),
]


class TestPutCriteriaSet:
    async def test_valid_tree_is_saved_with_its_maximum(self, client: AsyncClient) -> None:
        year = await create_draft_year(client)
        response = await client.put(criteria_url(year), json=small_tree())
        assert response.status_code == 200, response.text
        body = response.json()
        assert (body["year"], body["group"], body["max_score"]) == (year, "department", "10.00")
        assert [criterion["code"] for criterion in body["criteria"]] == [
            "1",
            "1.1",
            "1.2",
            "2",
            "2.1",
            "3",
            "3.1",
            "3.2",
        ]

    async def test_maximum_is_derived_when_not_declared(self, client: AsyncClient) -> None:
        year = await create_draft_year(client)
        tree = small_tree()
        del tree["max_score"]
        response = await client.put(criteria_url(year), json=tree)
        assert response.status_code == 200, response.text
        assert response.json()["max_score"] == "10.00"

    @pytest.mark.parametrize(
        ("break_tree", "loc"), INVALID_TREES, ids=[fn.__name__ for fn, _ in INVALID_TREES]
    )
    async def test_invalid_tree_is_refused_naming_the_problem(
        self,
        client: AsyncClient,
        break_tree: Callable[[Tree], None],
        loc: list[str | int],
    ) -> None:
        year = await create_draft_year(client)
        tree = small_tree()
        break_tree(tree)
        problem = assert_problem(await client.put(criteria_url(year), json=tree), 422)
        assert loc in error_locs(problem)
        assert_problem(await client.get(criteria_url(year)), 404)

    async def test_every_problem_is_reported_at_once(self, client: AsyncClient) -> None:
        year = await create_draft_year(client)
        tree = small_tree()
        for break_tree, _loc in INVALID_TREES:
            # A negative max or band minimum above 100 is refused by request validation,
            # before the tree's own rules are checked.
            if break_tree not in (missing_parent, band_minimum_above_100, leaf_with_negative_max):
                break_tree(tree)
        missing_parent(tree)
        problem = assert_problem(await client.put(criteria_url(year), json=tree), 422)
        locs = error_locs(problem)
        assert ["body", "criteria", 0, "method"] in locs
        assert ["body", "criteria", 0, "max_score"] in locs
        assert ["body", "criteria", 2, "method"] in locs
        assert ["body", "criteria", 8, "code"] in locs  # the duplicate of 2.1
        assert ["body", "criteria", 9, "code"] in locs  # 4.1 without its parent
        assert ["body", "max_score"] in locs
        assert ["body", "bands", 2, "min_index"] in locs
        assert all(error["msg"] for error in problem["errors"])
        assert_problem(await client.get(criteria_url(year)), 404)

    async def test_inner_node_whose_leaves_are_all_penalties_sums_their_caps(
        self, client: AsyncClient
    ) -> None:
        year = await create_draft_year(client)
        tree = small_tree()
        tree["criteria"] += [
            {"code": "4", "name_vi": "Trừ", "name_en": "Deductions", "max_score": "3"},
            {"code": "4.1", "name_vi": "Trễ", "name_en": "Late", "max_score": "1"}
            | {"method": "penalty"},
            {"code": "4.2", "name_vi": "Sai", "name_en": "Wrong", "max_score": "2"}
            | {"method": "penalty"},
        ]
        response = await client.put(criteria_url(year), json=tree)
        assert response.status_code == 200, response.text
        assert response.json()["max_score"] == "10.00"

        node(tree, "4")["max_score"] = "0"
        problem = assert_problem(await client.put(criteria_url(year), json=tree), 422)
        assert error_locs(problem) == [["body", "criteria", 8, "max_score"]]

    async def test_published_year_is_frozen(self, client: AsyncClient) -> None:
        problem = assert_problem(await client.put(criteria_url(2024), json=small_tree()), 409)
        assert "2024" in problem["detail"]

    async def test_unknown_year_is_not_found(self, client: AsyncClient) -> None:
        assert_problem(await client.put(criteria_url(2099), json=small_tree()), 404)

    async def test_unknown_group_is_not_found(self, client: AsyncClient) -> None:
        year = await create_draft_year(client)
        response = await client.put(criteria_url(year, "no-such-group"), json=small_tree())
        assert_problem(response, 404)

    async def test_removed_node_disappears_when_there_are_no_scores(
        self, client: AsyncClient
    ) -> None:
        year = await create_draft_year(client)
        await put_small_tree(client, year)
        tree = small_tree()
        tree["criteria"] = [c for c in tree["criteria"] if c["code"] != "3.2"]
        response = await client.put(criteria_url(year), json=tree)
        assert response.status_code == 200, response.text
        codes = [c["code"] for c in (await client.get(criteria_url(year))).json()["criteria"]]
        assert "3.2" not in codes
        assert "3.1" in codes

    # On SQLite the ORM used to batch-delete children the database had already cascaded.
    @pytest.mark.filterwarnings("error::sqlalchemy.exc.SAWarning")
    async def test_removed_inner_node_goes_with_its_children(self, client: AsyncClient) -> None:
        year = await create_draft_year(client)
        await put_small_tree(client, year)
        tree = small_tree()
        tree["criteria"] = [c for c in tree["criteria"] if not c["code"].startswith("3")]
        response = await client.put(criteria_url(year), json=tree)
        assert response.status_code == 200, response.text
        codes = [c["code"] for c in (await client.get(criteria_url(year))).json()["criteria"]]
        assert codes == ["1", "1.1", "1.2", "2", "2.1"]

    async def test_bands_are_replaced(self, client: AsyncClient) -> None:
        year = await create_draft_year(client)
        await put_small_tree(client, year)
        tree = small_tree()
        tree["bands"] = [{"label_vi": "Đạt", "label_en": "Pass", "min_index": "50"}]
        assert (await client.put(criteria_url(year), json=tree)).status_code == 200
        bands = (await client.get(criteria_url(year))).json()["bands"]
        assert bands == [{"label_vi": "Đạt", "label_en": "Pass", "min_index": "50.00"}]


class TestPutCriteriaSetWithScores:
    @pytest.fixture
    async def scored_year(self, client: AsyncClient) -> int:
        year = await create_draft_year(client)
        await put_small_tree(client, year)
        await create_unit(client, "T-DEP-SCORED")
        response = await client.put(
            f"/api/v1/years/{year}/units/T-DEP-SCORED/scores",
            json={"scores": [{"criterion": "1.1", "final_score": "1"}]},
        )
        assert response.status_code == 200, response.text
        return year

    async def test_changing_a_leaf_maximum_is_a_conflict(
        self, client: AsyncClient, scored_year: int
    ) -> None:
        tree = small_tree()
        node(tree, "1.1")["max_score"] = "2"
        node(tree, "1")["max_score"] = "4.5"
        tree["max_score"] = "10.5"
        assert_problem(await client.put(criteria_url(scored_year), json=tree), 409)
        body = (await client.get(criteria_url(scored_year))).json()
        assert body["max_score"] == "10.00"
        assert next(c for c in body["criteria"] if c["code"] == "1.1")["max_score"] == "1.50"

    async def test_removing_a_node_is_a_conflict(
        self, client: AsyncClient, scored_year: int
    ) -> None:
        tree = small_tree()
        tree["criteria"] = [c for c in tree["criteria"] if c["code"] != "3.2"]
        assert_problem(await client.put(criteria_url(scored_year), json=tree), 409)

    async def test_renaming_a_node_is_allowed_and_keeps_the_scores(
        self, client: AsyncClient, scored_year: int
    ) -> None:
        tree = small_tree()
        node(tree, "1.1")["name_en"] = "Annual plan"
        response = await client.put(criteria_url(scored_year), json=tree)
        assert response.status_code == 200, response.text
        assert node(response.json(), "1.1")["name_en"] == "Annual plan"
        scores = await client.get(f"/api/v1/years/{scored_year}/units/T-DEP-SCORED/scores")
        assert [(s["criterion"], s["final_score"]) for s in scores.json()["scores"]] == [
            ("1.1", "1.00")
        ]


class TestGetCriteriaSet:
    async def test_tree_comes_back_in_code_order_with_its_shape(self, client: AsyncClient) -> None:
        year = await create_draft_year(client)
        tree = small_tree()
        tree["criteria"].reverse()
        tree["bands"].reverse()
        assert (await client.put(criteria_url(year), json=tree)).status_code == 200

        response = await client.get(criteria_url(year))
        assert response.status_code == 200
        body = response.json()
        shape = [
            (c["code"], c["parent_code"], c["depth"], c["is_leaf"], c["max_score"], c["method"])
            for c in body["criteria"]
        ]
        assert shape == [
            ("1", None, 1, False, "4.00", None),
            ("1.1", "1", 2, True, "1.50", "appraisal"),
            ("1.2", "1", 2, True, "2.50", "indicator"),
            ("2", None, 1, False, "6.00", None),
            ("2.1", "2", 2, True, "6.00", "survey"),
            ("3", None, 1, False, "1.00", None),
            ("3.1", "3", 2, True, "1.00", "bonus"),
            ("3.2", "3", 2, True, "2.00", "penalty"),
        ]
        assert node(body, "1")["name_vi"] == "Chỉ đạo"
        assert [band["min_index"] for band in body["bands"]] == ["90.00", "80.00"]

    async def test_code_order_is_numeric_not_textual(self, client: AsyncClient) -> None:
        year = await create_draft_year(client)
        leaves = [
            {"code": f"1.{n}", "name_vi": f"Lá {n}", "name_en": f"Leaf {n}", "max_score": "1"}
            | {"method": "appraisal"}
            for n in (10, 2, 1, 9)
        ]
        root = {"code": "1", "name_vi": "Gốc", "name_en": "Root", "max_score": "4"}
        response = await client.put(criteria_url(year), json={"criteria": [*leaves, root]})
        assert response.status_code == 200, response.text
        codes = [c["code"] for c in response.json()["criteria"]]
        assert codes == ["1", "1.1", "1.2", "1.9", "1.10"]

    async def test_group_without_a_set_is_not_found(self, client: AsyncClient) -> None:
        year = await create_draft_year(client)
        assert_problem(await client.get(criteria_url(year)), 404)

    async def test_unknown_group_is_not_found(self, client: AsyncClient) -> None:
        year = await create_draft_year(client)
        assert_problem(await client.get(criteria_url(year, "no-such-group")), 404)

    async def test_unknown_year_is_not_found(self, client: AsyncClient) -> None:
        assert_problem(await client.get(criteria_url(2099)), 404)
