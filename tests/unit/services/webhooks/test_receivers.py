"""The webhook receiver address policy: public unicast only, unless an operator allows more."""

from ipaddress import IPv4Network, IPv6Network, ip_address

import pytest

from app.core.config import WebhookSettings
from app.services.webhooks.receivers import (
    ReceiverGuard,
    ReceiverNotAllowed,
    ReceiverPolicy,
    literal_address,
    refusal_reason,
)
from tests.conftest import PUBLIC_ADDRESS, TableResolver


@pytest.mark.parametrize(
    ("address", "reason"),
    [
        ("127.0.0.1", "loopback"),
        ("127.1.2.3", "loopback"),
        ("::1", "loopback"),
        ("0.0.0.0", "unspecified"),
        ("::", "unspecified"),
        ("169.254.169.254", "link-local"),
        ("fe80::1", "link-local"),
        ("10.0.0.1", "private"),
        ("172.16.5.4", "private"),
        ("192.168.1.1", "private"),
        ("fd12:3456::1", "unique-local"),
        ("224.0.0.251", "multicast"),
        ("ff02::1", "multicast"),
        ("240.0.0.1", "reserved"),
        ("100.64.0.1", "not publicly routable"),  # carrier-grade NAT
        ("192.0.2.10", "private"),  # documentation range
        # IPv6 forms that carry an IPv4 address are judged by it.
        ("::ffff:127.0.0.1", "loopback"),
        ("::ffff:169.254.169.254", "link-local"),
        ("2002:0a00:0001::1", "private"),  # 6to4 of 10.0.0.1
        ("64:ff9b::7f00:1", "loopback"),  # NAT64 of 127.0.0.1
    ],
)
def test_non_public_addresses_are_refused_with_their_reason(address: str, reason: str) -> None:
    assert refusal_reason(ip_address(address)) == reason


@pytest.mark.parametrize("address", [PUBLIC_ADDRESS, "8.8.8.8", "2606:4700:4700::1111"])
def test_public_unicast_addresses_are_allowed(address: str) -> None:
    assert refusal_reason(ip_address(address)) is None


@pytest.mark.parametrize(
    ("host", "address"),
    [
        ("127.0.0.1", "127.0.0.1"),
        ("[::1]", "::1"),
        ("::1", "::1"),
        ("2130706433", "127.0.0.1"),
        ("0x7f000001", "127.0.0.1"),
        ("0x7f.1", "127.0.0.1"),
        ("127.1", "127.0.0.1"),
        ("0177.0.0.1", "127.0.0.1"),
        ("10.1", "10.0.0.1"),
    ],
)
def test_every_numeric_form_of_an_address_is_read_as_that_address(host: str, address: str) -> None:
    assert literal_address(host) == ip_address(address)


@pytest.mark.parametrize("host", ["localhost", "receiver.test", "1e100.net", "0x.example"])
def test_names_are_not_addresses(host: str) -> None:
    assert literal_address(host) is None


class TestPolicy:
    def test_allowed_networks_admit_their_addresses_only(self) -> None:
        policy = ReceiverPolicy.allowing(networks=[IPv4Network("127.0.0.0/8")])
        assert policy.refusal(ip_address("127.0.0.1")) is None
        assert policy.refusal(ip_address("::ffff:127.0.0.1")) is None
        assert policy.refusal(ip_address("::1")) == "loopback"
        assert policy.refusal(ip_address("10.0.0.1")) == "private"

    def test_settings_become_the_policy(self) -> None:
        settings = WebhookSettings.model_validate(
            {"allowed_hosts": ["Hooks.Intranet."], "allowed_networks": ["fd00::/8"]}
        )
        policy = ReceiverPolicy.from_settings(settings)
        assert policy.host_allowed("hooks.intranet")
        assert policy.allowed_networks == (IPv6Network("fd00::/8"),)

    def test_networks_with_host_bits_are_refused_in_settings(self) -> None:
        with pytest.raises(ValueError, match="not a valid IPv4 network"):
            WebhookSettings.model_validate({"allowed_networks": ["127.0.0.1/8"]})


def guard(table: dict[str, list[str]], **allowing: list[str]) -> ReceiverGuard:
    return ReceiverGuard(ReceiverPolicy.allowing(**allowing), TableResolver(table))


class TestGuard:
    async def test_a_name_is_refused_when_any_of_its_addresses_is_not_public(self) -> None:
        mixed = guard({"mixed.test": [PUBLIC_ADDRESS, "10.0.0.7"]})
        with pytest.raises(ReceiverNotAllowed, match=r"mixed\.test \(10\.0\.0\.7\).*private"):
            await mixed.addresses("mixed.test", 443)

    async def test_a_public_name_gives_its_addresses(self) -> None:
        public = guard({"receiver.test": [PUBLIC_ADDRESS]})
        assert await public.addresses("receiver.test", 443) == [ip_address(PUBLIC_ADDRESS)]

    async def test_an_allowed_host_may_have_any_address(self) -> None:
        allowed = guard({"hooks.intranet": ["10.0.0.7"]}, hosts=["hooks.intranet"])
        assert await allowed.addresses("HOOKS.Intranet", 80) == [ip_address("10.0.0.7")]

    async def test_addresses_written_as_numbers_are_never_resolved(self) -> None:
        nothing = guard({})
        with pytest.raises(ReceiverNotAllowed, match="loopback"):
            await nothing.addresses("2130706433", 80)

    async def test_registration_accepts_a_name_that_does_not_resolve_yet(self) -> None:
        await guard({}).check_url("https://not-yet.test/hook")

    async def test_registration_refusals_point_at_the_url(self) -> None:
        with pytest.raises(ReceiverNotAllowed) as refused:
            await guard({}).check_url("http://[::1]:8080/hook")
        assert [problem.loc for problem in refused.value.errors] == [["body", "url"]]
