"""The OpenAPI document is a contract: committed, complete, and one problem schema for errors."""

import difflib
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from httpx import AsyncClient
from pydantic import BaseModel

from app.core.config import AuthSettings, Settings
from app.core.errors import PROBLEM_MEDIA_TYPE
from app.main import create_app, default_document
from app.openapi import render
from app.routers import health
from app.schemas import (
    audit,
    breakdowns,
    coverage,
    criteria,
    dump,
    history,
    imports,
    improvements,
    keys,
    problems,
    rankings,
    results,
    scores,
    units,
    webhooks,
    years,
)
from app.schemas.base import ApiInput, Page

COMMITTED = Path(__file__).resolve().parents[2] / "openapi.json"
PROBLEM_REF = "#/components/schemas/ProblemRead"
CAMEL_CASE = re.compile(r"^[a-z]+(?:[A-Z][a-z0-9]*)*$")
SCHEMA_MODULES = (
    audit,
    breakdowns,
    coverage,
    criteria,
    dump,
    history,
    imports,
    improvements,
    keys,
    problems,
    rankings,
    results,
    scores,
    units,
    webhooks,
)


@pytest.fixture(scope="module")
def document() -> dict[str, Any]:
    return default_document()


def operations(document: dict[str, Any]) -> Iterator[tuple[str, str, dict[str, Any]]]:
    for path, item in document["paths"].items():
        for method, operation in item.items():
            yield method.upper(), path, operation


def resolve(document: dict[str, Any], schema: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in schema:
        schema = document["components"]["schemas"][schema["$ref"].rsplit("/", 1)[-1]]
    return schema


def has_example(document: dict[str, Any], schema: dict[str, Any]) -> bool:
    """An example on the schema itself, on its referenced component, or on an array's items;
    for an optional body (`anyOf` with null), on each non-null choice."""
    schema = resolve(document, schema)
    if "examples" in schema:
        return True
    if "anyOf" in schema:
        choices = [choice for choice in schema["anyOf"] if choice.get("type") != "null"]
        return bool(choices) and all(has_example(document, choice) for choice in choices)
    if schema.get("type") == "array":
        return has_example(document, schema["items"])
    return False


def schema_models() -> dict[str, type[BaseModel]]:
    """Every schema model at the HTTP edge by its component name."""
    found: dict[str, type[BaseModel]] = {}
    for module in (*SCHEMA_MODULES, years, health):
        for value in vars(module).values():
            if isinstance(value, type) and issubclass(value, BaseModel) and value is not Page:
                found.setdefault(value.__name__, value)
    return found


class TestCommittedSchema:
    def test_committed_openapi_json_matches_the_app(self) -> None:
        live = render(default_document())
        committed = COMMITTED.read_text(encoding="utf-8") if COMMITTED.exists() else ""
        if live != committed:
            diff = "".join(
                list(
                    difflib.unified_diff(
                        committed.splitlines(keepends=True),
                        live.splitlines(keepends=True),
                        "openapi.json (committed)",
                        "openapi.json (live app)",
                    )
                )[:60]
            )
            pytest.fail(
                "openapi.json differs from the app's schema: run `make openapi` and review the "
                f"diff before committing (a changed contract breaks generated clients).\n{diff}"
            )

    def test_committed_file_is_sorted_indented_and_ends_with_a_newline(self) -> None:
        text = COMMITTED.read_text(encoding="utf-8")
        assert text.endswith("}\n")
        assert text.startswith('{\n  "components": {')


class TestOperations:
    def test_every_operation_has_a_unique_camel_case_id_a_summary_and_tags(
        self, document: dict[str, Any]
    ) -> None:
        ids = []
        for method, path, operation in operations(document):
            where = f"{method} {path}"
            assert CAMEL_CASE.match(operation.get("operationId", "")), where
            assert operation.get("summary"), where
            assert operation.get("tags"), where
            ids.append(operation["operationId"])
        assert len(ids) == len(set(ids))

    def test_every_tag_used_is_declared_with_a_description(self, document: dict[str, Any]) -> None:
        declared = {tag["name"]: tag.get("description") for tag in document["tags"]}
        used = {tag for _, _, operation in operations(document) for tag in operation["tags"]}
        assert used <= set(declared)
        assert all(declared[tag] for tag in used)

    def test_every_path_and_query_parameter_is_described(self, document: dict[str, Any]) -> None:
        for method, path, operation in operations(document):
            for parameter in operation.get("parameters", []):
                assert parameter.get("description"), f"{method} {path} {parameter['name']}"

    def test_every_enum_component_is_described(self, document: dict[str, Any]) -> None:
        for name, schema in document["components"]["schemas"].items():
            if "enum" in schema:
                assert schema.get("description"), name

    def test_pagination_is_described(self, document: dict[str, Any]) -> None:
        page = document["components"]["schemas"]["UnitPage"]
        assert set(page["properties"]) == {"items", "total", "limit", "offset"}
        assert all(field.get("description") for field in page["properties"].values())
        list_units = document["paths"]["/api/v1/units"]["get"]
        described = {p["name"]: p.get("description") for p in list_units["parameters"]}
        assert described["limit"]
        assert described["offset"]


class TestResponses:
    def test_every_error_response_is_a_problem_document(self, document: dict[str, Any]) -> None:
        for method, path, operation in operations(document):
            for status, response in operation["responses"].items():
                if status[0] in "45" and method == "HEAD":
                    # The problem document's headers, without its body.
                    assert "content" not in response, f"{method} {path} {status}"
                elif status[0] in "45":
                    assert response["content"] == {
                        PROBLEM_MEDIA_TYPE: {"schema": {"$ref": PROBLEM_REF}}
                    }, f"{method} {path} {status}"

    def test_fastapi_validation_error_schemas_are_gone(self, document: dict[str, Any]) -> None:
        schemas = document["components"]["schemas"]
        assert "HTTPValidationError" not in schemas
        assert "ValidationError" not in schemas
        assert "ProblemRead" in schemas

    def test_edge_statuses_are_documented_where_they_can_occur(
        self, document: dict[str, Any]
    ) -> None:
        for method, path, operation in operations(document):
            statuses = set(operation["responses"])
            where = f"{method} {path}"
            if path.startswith("/api/v1/"):
                # Every API call checks a sent key; every one is rate limited.
                assert {"401", "429"} <= statuses, where
                assert "Retry-After" in operation["responses"]["429"]["headers"], where
            if "requestBody" in operation:
                assert {"413", "415", "422"} <= statuses, where
            if "{" in path:
                assert {"404", "422"} <= statuses, where
            if method not in ("GET", "HEAD") and path.startswith("/api/v1/"):
                assert "403" in statuses, where

    def test_reads_of_published_data_are_open_to_anonymous_callers(
        self, document: dict[str, Any]
    ) -> None:
        # The document's security makes a key optional; reads inherit it, so generated clients
        # take an anonymous client there (openapi-python-client looks at the operation only).
        assert document["security"] == [{}, {"APIKeyHeader": []}, {"HTTPBearer": []}]
        ranking = document["paths"]["/api/v1/years/{year}/rankings/{group}"]["get"]
        assert "security" not in ranking
        keys_list = document["paths"]["/api/v1/keys"]["get"]
        assert keys_list["security"] == [{"HTTPBearer": []}, {"APIKeyHeader": []}]
        assert document["paths"]["/healthz"]["get"]["security"] == []

    def test_without_anonymous_reads_every_api_operation_needs_a_key(self) -> None:
        app = create_app(Settings.model_construct(auth=AuthSettings(anonymous_read=False)))
        document = app.openapi()
        assert "security" not in document
        for method, path, operation in operations(document):
            if path.startswith("/api/v1/"):
                assert operation["security"], f"{method} {path}"
                assert {} not in operation["security"], f"{method} {path}"


def schema_nodes(node: Any, where: str = "") -> Iterator[tuple[str, dict[str, Any]]]:
    """Every schema-like object of the document, with where it is."""
    if isinstance(node, dict):
        yield where, node
        for key, value in node.items():
            yield from schema_nodes(value, f"{where}/{key}")
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from schema_nodes(value, f"{where}/{index}")


class TestVocabularies:
    """Closed sets are named components, one per set, so generated clients have one type each
    (no `RankingReadLanguage` beside `BreakdownReadLanguage`, no `…Type0`)."""

    SHARED = (
        "Language",
        "Role",
        "IndexBasis",
        "RankBasis",
        "CoverageRanks",
        "PublishedScope",
        "Relation",
        "ReasonCode",
        "WebhookEvent",
        "DeliveryStatus",
        "RevisionKind",
        "YearStatus",
        "MissingLeaves",
    )

    def test_each_closed_set_is_one_described_component(self, document: dict[str, Any]) -> None:
        schemas = document["components"]["schemas"]
        for name in self.SHARED:
            assert schemas[name]["enum"], name
            assert schemas[name]["description"], name
        sets: dict[tuple[str, ...], list[str]] = {}
        for where, node in schema_nodes(document):
            if "enum" in node:
                sets.setdefault(tuple(node["enum"]), []).append(where)
        repeated = {values: places for values, places in sets.items() if len(places) > 1}
        assert repeated == {}

    def test_no_model_property_holds_an_inline_enum(self, document: dict[str, Any]) -> None:
        for name, schema in document["components"]["schemas"].items():
            for where, node in schema_nodes(schema.get("properties", {}), name):
                assert "enum" not in node, where

    def test_nullable_unions_hold_only_named_or_plain_schemas(
        self, document: dict[str, Any]
    ) -> None:
        """An inline object or enum inside anyOf is what generators name `…Type0`."""
        for where, node in schema_nodes(document):
            members = node.get("anyOf")
            for member in members if isinstance(members, list) else ():
                assert not {"enum", "properties", "additionalProperties"} & set(member), where

    def test_year_status_is_typed_everywhere(self, document: dict[str, Any]) -> None:
        schemas = document["components"]["schemas"]
        for model in ("RankingRead", "DumpYearRead", "YearRead"):
            status = schemas[model]["properties"]["status"]
            assert status["$ref"] == "#/components/schemas/YearStatus", model

    def test_the_lang_parameter_is_the_language_component(self, document: dict[str, Any]) -> None:
        for method, path, operation in operations(document):
            for parameter in operation.get("parameters", []):
                if parameter["name"] == "lang":
                    (named, null) = parameter["schema"]["anyOf"]
                    assert named == {"$ref": "#/components/schemas/Language"}, (method, path)
                    assert null == {"type": "null"}


class TestExamples:
    def test_every_request_body_has_an_example(self, document: dict[str, Any]) -> None:
        for method, path, operation in operations(document):
            body = operation.get("requestBody")
            if body is not None:
                for media_type, content in body["content"].items():
                    assert has_example(document, content["schema"]), f"{method} {path} {media_type}"

    def test_every_success_response_has_an_example(self, document: dict[str, Any]) -> None:
        for method, path, operation in operations(document):
            for status in ("200", "201"):
                content = operation["responses"].get(status, {}).get("content", {})
                for media_type, media in content.items():
                    if media_type.endswith("json"):
                        assert has_example(document, media["schema"]), f"{method} {path}"

    def test_examples_are_valid_for_their_models(self, document: dict[str, Any]) -> None:
        models = schema_models()
        checked = 0
        for name, schema in document["components"]["schemas"].items():
            model = models.get(name)
            for example in schema.get("examples", []) if model is not None else []:
                model.model_validate(example)
                checked += 1
        assert checked >= 60

    def test_response_examples_show_numbers_as_the_api_writes_them(
        self, document: dict[str, Any]
    ) -> None:
        # An example read back through its model and written out again is unchanged: every
        # score, index and mean in it already has the form the API serves.
        models = schema_models()
        checked = 0
        for name, schema in document["components"]["schemas"].items():
            model = models.get(name)
            # Problem documents leave out `errors` unless the request was invalid.
            if model is None or issubclass(model, ApiInput) or model is problems.ProblemRead:
                continue
            for example in schema.get("examples", []):
                assert model.model_validate(example).model_dump(mode="json") == example, name
                checked += 1
        assert checked >= 40

    def test_examples_use_the_published_lam_dong_figures(self, document: dict[str, Any]) -> None:
        [ranking] = document["components"]["schemas"]["RankingRead"]["examples"]
        first, health_entry = ranking["entries"]
        assert (first["unit"]["code"], first["rank"], first["index"]) == (
            "LD-DEP-HOME-AFFAIRS",
            1,
            "92.96",
        )
        assert (health_entry["unit"]["name_en"], health_entry["index"]) == (
            "Department of Health",
            "87.21",
        )


class TestServedSchema:
    async def test_the_app_serves_the_polished_document(
        self, anonymous_client: AsyncClient
    ) -> None:
        response = await anonymous_client.get("/openapi.json")
        assert response.status_code == 200
        served = response.json()
        assert served["paths"] == default_document()["paths"]
