"""Client addresses behind proxies: X-Forwarded-For is believed only from configured proxies."""

from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from app.cli import main
from app.core.config import RateLimitSettings, ServerSettings, get_settings
from app.serving import proxy_options
from tests.conftest import AppBuilder
from tests.local_server import serving


def one_read_a_minute(build_app: AppBuilder) -> FastAPI:
    return build_app(rate_limit=RateLimitSettings(anonymous_reads_per_minute=1))


async def statuses_from_two_forwarded_addresses(app: FastAPI, server: ServerSettings) -> list[int]:
    """Two anonymous reads through a real server, each claiming another client address."""
    async with serving(app, **proxy_options(server)) as base_url, httpx.AsyncClient() as http:
        return [
            (
                await http.get(f"{base_url}/api/v1/groups", headers={"X-Forwarded-For": client})
            ).status_code
            for client in ("203.0.113.7", "198.51.100.9")
        ]


class TestForwardedFor:
    async def test_without_a_trusted_proxy_a_spoofed_address_shares_the_peers_bucket(
        self, build_app: AppBuilder
    ) -> None:
        statuses = await statuses_from_two_forwarded_addresses(
            one_read_a_minute(build_app), ServerSettings()
        )
        assert statuses == [200, 429]

    async def test_behind_a_trusted_proxy_each_forwarded_client_has_its_own_bucket(
        self, build_app: AppBuilder
    ) -> None:
        statuses = await statuses_from_two_forwarded_addresses(
            one_read_a_minute(build_app), ServerSettings(forwarded_allow_ips=["127.0.0.1"])
        )
        assert statuses == [200, 200]

    def test_trusted_proxies_must_be_addresses_or_networks(self) -> None:
        assert ServerSettings(forwarded_allow_ips=["10.1.0.0/16", "::1"])
        with pytest.raises(ValueError, match=r"proxy\.example"):
            ServerSettings(forwarded_allow_ips=["proxy.example"])


class TestServeCommand:
    @pytest.mark.parametrize(
        ("environment", "expected"),
        [
            (None, {"proxy_headers": False, "forwarded_allow_ips": ""}),
            (
                '["10.0.0.5", "10.1.0.0/16"]',
                {"proxy_headers": True, "forwarded_allow_ips": "10.0.0.5,10.1.0.0/16"},
            ),
        ],
    )
    def test_serve_passes_the_trusted_proxies_to_uvicorn(
        self,
        monkeypatch: pytest.MonkeyPatch,
        environment: str | None,
        expected: dict[str, Any],
    ) -> None:
        if environment is None:
            monkeypatch.delenv("APP_SERVER__FORWARDED_ALLOW_IPS", raising=False)
        else:
            monkeypatch.setenv("APP_SERVER__FORWARDED_ALLOW_IPS", environment)
        calls: list[dict[str, Any]] = []
        monkeypatch.setattr(
            "app.serving.uvicorn.run", lambda *_args, **kwargs: calls.append(kwargs)
        )
        get_settings.cache_clear()
        try:
            assert main(["serve", "--port", "8123"]) == 0
        finally:
            get_settings.cache_clear()
        assert len(calls) == 1
        assert {name: calls[0][name] for name in expected} == expected
