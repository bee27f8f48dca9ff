"""HEAD runs as the GET (app/http/head.py): a streamed answer is counted for its length."""

from collections.abc import AsyncIterator

from httpx import ASGITransport, AsyncClient
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response, StreamingResponse
from starlette.routing import Route

from app.http.head import HeadMiddleware

CHUNKS = (b"unit_code,index\n", b"A,87.21\n", b"B,80.00\n")


async def streamed(request: Request) -> Response:
    async def rows() -> AsyncIterator[bytes]:
        for chunk in CHUNKS:
            yield chunk

    return StreamingResponse(rows(), media_type="text/csv", headers={"X-Method": request.method})


async def test_a_streamed_answer_is_sent_with_the_length_of_its_body() -> None:
    app = HeadMiddleware(Starlette(routes=[Route("/rows", streamed, methods=["GET"])]))
    async with AsyncClient(transport=ASGITransport(app=app), base_url="http://test") as http:
        get = await http.get("/rows")
        head = await http.head("/rows")
    assert "content-length" not in get.headers
    assert head.status_code == 200
    assert head.content == b""
    assert head.headers["content-length"] == str(len(b"".join(CHUNKS)))
    assert head.headers["content-type"].startswith("text/csv")
    assert head.headers["x-method"] == "GET"


async def test_other_methods_pass_untouched() -> None:
    app = HeadMiddleware(Starlette(routes=[Route("/rows", streamed, methods=["GET"])]))
    async with AsyncClient(transport=ASGITransport(app=app), base_url="http://test") as http:
        response = await http.post("/rows")
    assert response.status_code == 405
