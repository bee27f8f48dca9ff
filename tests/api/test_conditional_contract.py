"""The contract states conditional reads as they are served: every GET documented with a 304
answers with an ETag and a 304 for it, and every other API read is `no-store`."""

from typing import Any

import pytest
from httpx import AsyncClient

from app.main import default_document

# Values of the paths' parameters: the bundled demo year has criteria and leaf scores.
PATH_VALUES = {
    "{year}": "2023",
    "{group}": "demo-department",
    "{unit_code}": "DEMO-DEP-HEALTH",
    "{webhook_id}": "1",
}
DOCUMENT = default_document()


def concrete(path: str) -> str:
    for name, value in PATH_VALUES.items():
        path = path.replace(name, value)
    return path


def api_reads() -> list[tuple[str, dict[str, Any]]]:
    return [
        (path, item["get"])
        for path, item in DOCUMENT["paths"].items()
        if "get" in item and path.startswith("/api/v1")
    ]


def conditional_reads() -> list[str]:
    return [path for path, operation in api_reads() if "304" in operation["responses"]]


def test_the_volatile_reads_are_left_out() -> None:
    volatile = {path for path, operation in api_reads() if "304" not in operation["responses"]}
    assert volatile == {
        "/api/v1/audit",
        "/api/v1/keys",
        "/api/v1/webhooks",
        "/api/v1/webhooks/{webhook_id}/deliveries",
        "/api/v1/years/{year}/imports",
    }


@pytest.mark.parametrize("path", conditional_reads())
def test_a_conditional_read_documents_etag_if_none_match_and_304(path: str) -> None:
    operation = DOCUMENT["paths"][path]["get"]
    assert "ETag" in operation["responses"]["200"]["headers"]
    not_modified = operation["responses"]["304"]
    assert "content" not in not_modified
    assert "ETag" in not_modified["headers"]
    headers = [p["name"] for p in operation.get("parameters", []) if p["in"] == "header"]
    assert headers.count("If-None-Match") == 1


def test_health_probes_are_not_conditional() -> None:
    for path in ("/healthz", "/readyz"):
        assert "304" not in DOCUMENT["paths"][path]["get"]["responses"]


def test_writes_are_not_conditional() -> None:
    for item in DOCUMENT["paths"].values():
        for method, operation in item.items():
            if method not in ("get", "head"):
                assert "304" not in operation["responses"]


@pytest.mark.parametrize("path", conditional_reads())
async def test_a_documented_conditional_read_answers_etag_then_304(
    client: AsyncClient, path: str
) -> None:
    first = await client.get(concrete(path))
    assert first.status_code == 200, first.text
    etag = first.headers["ETag"]
    again = await client.get(concrete(path), headers={"If-None-Match": etag})
    assert again.status_code == 304
    assert again.content == b""
    assert again.headers["ETag"] == etag


@pytest.mark.parametrize(
    "path", [path for path, operation in api_reads() if "304" not in operation["responses"]]
)
async def test_an_undocumented_read_gives_no_etag(client: AsyncClient, path: str) -> None:
    response = await client.get(concrete(path))
    assert "etag" not in response.headers
    assert response.headers["Cache-Control"] == "no-store"


def test_every_get_has_a_head_with_its_statuses_and_no_bodies() -> None:
    for path, item in DOCUMENT["paths"].items():
        if "get" not in item:
            continue
        get, head = item["get"], item["head"]
        assert (
            head["operationId"] == "head" + get["operationId"][0].upper() + get["operationId"][1:]
        )
        assert head.get("parameters") == get.get("parameters"), path
        assert set(head["responses"]) == set(get["responses"]), path
        assert all("content" not in response for response in head["responses"].values()), path
        if "304" in get["responses"]:
            assert "ETag" in head["responses"]["200"]["headers"], path
