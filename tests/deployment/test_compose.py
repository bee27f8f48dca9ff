"""deploy/compose.yaml and deploy/nginx/par-index.conf describe one topology. Docker may not run
here, so what can be checked without it is: the proxy's upstreams are the API replicas, the
replicas share Redis and believe the proxy, only nginx is published, on the port it listens on.
(nginx itself parses the configuration in tests/deployment/test_topology.py.)"""

import re
from typing import Any

import yaml  # PyYAML, installed with uvicorn[standard]

from tests.deployment.topology import ROOT, SHIPPED

COMPOSE = ROOT / "deploy" / "compose.yaml"


def compose() -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.safe_load(COMPOSE.read_text())
    return loaded


def nginx_conf() -> str:
    return SHIPPED.read_text()


def api_services() -> dict[str, Any]:
    return {name: s for name, s in compose()["services"].items() if s.get("build") == ".."}


def test_the_proxy_upstreams_are_the_two_api_replicas() -> None:
    upstream = re.search(r"upstream par_index \{(.*?)\}", nginx_conf(), re.S)
    assert upstream is not None
    servers = re.findall(r"^\s*server (\S+)", upstream.group(1), re.M)
    assert servers == [f"{name}:8000" for name in sorted(api_services())]
    assert sorted(api_services()) == ["api-1", "api-2"]


def test_the_replicas_share_postgres_and_redis_and_believe_the_proxy() -> None:
    services = compose()["services"]
    assert {"db", "redis", "nginx"} <= set(services)
    for name, service in api_services().items():
        environment = service["environment"]
        assert environment["DATABASE_URL"].split("@")[1] == "db:5432/par_index", name
        assert environment["APP_RATE_LIMIT__REDIS_URL"].startswith("redis://redis:6379"), name
        assert environment["APP_SERVER__FORWARDED_ALLOW_IPS"].startswith("["), name
        assert "ports" not in service, f"{name} is reached through nginx only"
        assert set(service["depends_on"]) == {"db", "redis"}, name


def test_nginx_is_published_on_the_port_it_listens_on_with_the_shipped_configuration() -> None:
    proxy = compose()["services"]["nginx"]
    listen = re.search(r"^\s*listen (\d+);", nginx_conf(), re.M)
    assert listen is not None
    assert proxy["ports"] == [f"{listen.group(1)}:{listen.group(1)}"]
    assert "./nginx/par-index.conf:/etc/nginx/conf.d/default.conf:ro" in proxy["volumes"]
    assert set(proxy["depends_on"]) == set(api_services())


def test_metrics_stay_behind_the_proxy() -> None:
    assert re.search(r"location = /metrics \{\s*return 404;", nginx_conf())
