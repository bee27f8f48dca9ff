"""`par-index keys …`: a key made on the command line opens the API; a revoked one does not."""

import asyncio
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
from httpx import ASGITransport, AsyncClient

from app.cli import main
from app.core.config import Settings, get_settings
from app.core.db import create_engine, create_session_factory
from app.core.migrations import script_heads
from app.main import create_app


@pytest.fixture
def cli_settings(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Settings]:
    """The CLI's settings come from the environment: a migrated SQLite file of this test's own."""
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'cli.sqlite3'}")
    get_settings.cache_clear()
    assert main(["migrate"]) == 0
    yield get_settings()
    get_settings.cache_clear()


@pytest.fixture
async def api(cli_settings: Settings) -> AsyncIterator[AsyncClient]:
    app = create_app(cli_settings)
    engine = create_engine(cli_settings)
    app.state.engine = engine
    app.state.session_factory = create_session_factory(engine)
    app.state.migration_heads = script_heads()
    transport = ASGITransport(app=app, raise_app_exceptions=False)
    async with AsyncClient(transport=transport, base_url="http://cli") as client:
        yield client
    await engine.dispose()


async def cli(*args: str) -> int:
    """The command line runs its own event loop, so from an async test it runs in a thread."""
    return await asyncio.to_thread(main, list(args))


async def create_key(capsys: pytest.CaptureFixture[str], *args: str) -> str:
    assert await cli("keys", "create", *args) == 0
    out = capsys.readouterr().out
    assert out.count("\n") == 1, "create prints the key alone, for scripts to capture"
    return out.strip()


class TestKeysCommand:
    async def test_created_key_authenticates_with_its_role(
        self, cli_settings: Settings, api: AsyncClient, capsys: pytest.CaptureFixture[str]
    ) -> None:
        key = await create_key(capsys, "--name", "ci", "--role", "admin")
        assert key.startswith("par_")
        response = await api.get("/api/v1/keys", headers={"X-API-Key": key})
        assert response.status_code == 200
        [listed] = response.json()
        assert (listed["name"], listed["role"]) == ("ci", "admin")

    async def test_list_shows_keys_without_the_keys_themselves(
        self, cli_settings: Settings, capsys: pytest.CaptureFixture[str]
    ) -> None:
        key = await create_key(capsys, "--name", "Smart Operations Center", "--role", "reader")
        assert await cli("keys", "list") == 0
        out = capsys.readouterr().out
        assert out.split("\t")[0] == "1"
        assert "reader\tactive\tSmart Operations Center" in out
        assert key not in out
        assert key[:10] in out

    async def test_revoked_key_is_refused_from_the_next_call(
        self, cli_settings: Settings, api: AsyncClient, capsys: pytest.CaptureFixture[str]
    ) -> None:
        key = await create_key(capsys, "--name", "ci", "--role", "editor")
        assert await cli("keys", "revoke", "1") == 0
        assert "revoked" in capsys.readouterr().out
        response = await api.get("/api/v1/years", headers={"X-API-Key": key})
        assert response.status_code == 401
        assert response.headers["content-type"] == "application/problem+json"

    def test_revoking_an_unknown_key_fails_with_a_message(
        self, cli_settings: Settings, capsys: pytest.CaptureFixture[str]
    ) -> None:
        assert main(["keys", "revoke", "99"]) == 1
        assert "No API key with id 99." in capsys.readouterr().err

    def test_role_must_be_known(
        self, cli_settings: Settings, capsys: pytest.CaptureFixture[str]
    ) -> None:
        with pytest.raises(SystemExit) as exited:
            main(["keys", "create", "--name", "ci", "--role", "root"])
        assert exited.value.code == 2
        assert "invalid choice: 'root'" in capsys.readouterr().err

    def test_name_must_not_be_empty(
        self, cli_settings: Settings, capsys: pytest.CaptureFixture[str]
    ) -> None:
        assert main(["keys", "create", "--name", "", "--role", "reader"]) == 2
        captured = capsys.readouterr()
        assert captured.out == ""
        assert "--name" in captured.err
