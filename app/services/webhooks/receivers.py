"""Which receivers webhooks may reach: public unicast addresses, unless an operator allows more.

A webhook URL is chosen by whoever holds an admin key, and the server then sends requests to
it: without a rule, that is a way to reach what only the server can reach (loopback services,
the cloud metadata endpoint, the private network). So every address a receiver's host stands
for must be public, at registration and again on every connection (the name may resolve
elsewhere by then), unless the host is in `webhooks.allowed_hosts` or the address in
`webhooks.allowed_networks`.
"""

import asyncio
import re
import socket
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass
from ipaddress import IPv4Address, IPv4Network, IPv6Address, IPv6Network, ip_address
from typing import Final
from urllib.parse import urlsplit

import anyio

from app.core.config import WebhookSettings
from app.core.errors import InvalidInput, Problem
from app.core.messages import message

IPAddress = IPv4Address | IPv6Address
IPNetwork = IPv4Network | IPv6Network
# (host, port) -> every address the host stands for; OSError when it does not resolve.
Resolver = Callable[[str, int], Awaitable[list[IPAddress]]]

DEFAULT_PORTS: Final = {"http": 80, "https": 443}
# A registration does not wait longer than this for a name to resolve.
REGISTRATION_LOOKUP_S: Final = 5.0
_UNIQUE_LOCAL: Final = IPv6Network("fc00::/7")
_NAT64: Final = IPv6Network("64:ff9b::/96")
# The numeric forms inet_aton reads besides dotted quads: 2130706433, 0x7f.1, 127.1, 0177.0.0.1.
_NUMERIC_IPV4: Final = re.compile(r"(0x[0-9a-f]*|[0-9]+)(\.(0x[0-9a-f]*|[0-9]+)){0,3}", re.I)


class ReceiverNotAllowed(InvalidInput):
    slug = "webhook-receiver-not-allowed"


async def system_resolver(host: str, port: int) -> list[IPAddress]:
    """The addresses the system's resolver gives for `host`, without repeats."""
    infos = await asyncio.get_running_loop().getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return list(dict.fromkeys(ip_address(info[4][0]) for info in infos))


def literal_address(host: str) -> IPAddress | None:
    """The address a host written as one stands for, in every form a resolver reads as an
    address (`[::1]`, `127.0.0.1`, and inet_aton's `2130706433` or `0x7f.1`); None for names."""
    bare = host.removeprefix("[").removesuffix("]")
    try:
        return ip_address(bare)
    except ValueError:
        pass
    if _NUMERIC_IPV4.fullmatch(bare):
        try:
            return IPv4Address(socket.inet_aton(bare))
        except OSError:
            return None
    return None


def _embedded_ipv4(address: IPAddress) -> IPv4Address | None:
    """The IPv4 address an IPv6 one carries and is routed to (mapped, 6to4, NAT64)."""
    if not isinstance(address, IPv6Address):
        return None
    if address.ipv4_mapped is not None:
        return address.ipv4_mapped
    if address.sixtofour is not None:
        return address.sixtofour
    if address in _NAT64:
        return IPv4Address(int(address) & 0xFFFF_FFFF)
    return None


def refusal_reason(address: IPAddress) -> str | None:
    """Why webhooks may not reach `address` by default; None for a public unicast address."""
    judged = _embedded_ipv4(address) or address
    reasons = (
        ("unspecified", judged.is_unspecified),
        ("loopback", judged.is_loopback),
        ("link-local", judged.is_link_local),
        ("multicast", judged.is_multicast),
        ("unique-local", isinstance(judged, IPv6Address) and judged in _UNIQUE_LOCAL),
        ("reserved", judged.is_reserved),
        ("private", judged.is_private),
        ("not publicly routable", not judged.is_global),
    )
    return next((reason for reason, applies in reasons if applies), None)


def _host_key(host: str) -> str:
    return host.lower().removesuffix(".")


@dataclass(frozen=True)
class ReceiverPolicy:
    """The operator's exceptions to the public-addresses-only rule."""

    allowed_hosts: frozenset[str] = frozenset()
    allowed_networks: tuple[IPNetwork, ...] = ()

    @classmethod
    def allowing(
        cls, *, hosts: Iterable[str] = (), networks: Iterable[IPNetwork] = ()
    ) -> "ReceiverPolicy":
        return cls(frozenset(_host_key(host) for host in hosts), tuple(networks))

    @classmethod
    def from_settings(cls, settings: WebhookSettings) -> "ReceiverPolicy":
        return cls.allowing(hosts=settings.allowed_hosts, networks=settings.allowed_networks)

    def host_allowed(self, host: str) -> bool:
        return _host_key(host) in self.allowed_hosts

    def refusal(self, address: IPAddress) -> str | None:
        """Why `address` may not be reached; None when it is public or allow-listed."""
        candidates = [address, *filter(None, [_embedded_ipv4(address)])]
        if any(a in network for a in candidates for network in self.allowed_networks):
            return None
        return refusal_reason(address)


@dataclass(frozen=True)
class ReceiverGuard:
    """The policy applied to what a resolver says a host stands for."""

    policy: ReceiverPolicy
    resolver: Resolver = system_resolver

    async def addresses(self, host: str, port: int) -> list[IPAddress]:
        """Every address `host` stands for, all of them allowed; ReceiverNotAllowed when any
        is not (a name with one public and one private address is refused whole)."""
        literal = literal_address(host)
        found = [literal] if literal is not None else await self.resolver(host, port)
        if self.policy.host_allowed(host):
            return found
        for address in found:
            reason = self.policy.refusal(address)
            if reason is not None:
                shown = host if literal is not None else f"{host} ({address})"
                raise ReceiverNotAllowed(
                    message(
                        "webhook.receiver-refused",
                        host=shown,
                        kind=message("webhook.address." + reason.replace(" ", "-")),
                    )
                )
        return found

    async def check_url(self, url: str) -> None:
        """At registration: refuse a receiver whose host stands for an address webhooks may not
        reach. A name that does not resolve yet is accepted: every delivery checks again."""
        parts = urlsplit(url)
        host = parts.hostname or ""
        port = parts.port or DEFAULT_PORTS.get(parts.scheme, 80)
        try:
            with anyio.fail_after(REGISTRATION_LOOKUP_S):
                await self.addresses(host, port)
        except ReceiverNotAllowed as refused:
            raise ReceiverNotAllowed(
                refused.detail, errors=[Problem(["body", "url"], refused.detail)]
            ) from None
        except OSError:  # does not resolve (a TimeoutError is an OSError too)
            return
