"""Webhook signatures as a receiver checks them, and the retry schedule."""

from datetime import timedelta
from typing import Any

import pytest

from app.services.webhooks.delivery import retry_delay, shorten
from app.services.webhooks.signing import signature, verify

SECRET = "whsec_test"
TIMESTAMP = 1_700_000_000
BODY = b'{"id":"e1"}'


class TestSignature:
    def test_is_hex_hmac_sha256_of_timestamp_dot_body(self) -> None:
        # printf '1700000000.{"id":"e1"}' | openssl dgst -sha256 -hmac whsec_test
        assert signature(SECRET, TIMESTAMP, BODY) == (
            "sha256=6a85cb117c993612a34c72b4cfb5a16baed25a80d26e298ce0e6671320fd07c8"
        )

    def test_covers_the_timestamp(self) -> None:
        assert signature(SECRET, TIMESTAMP, BODY) != signature(SECRET, TIMESTAMP + 1, BODY)

    def test_non_ascii_bodies_are_signed_as_utf8(self) -> None:
        body = '{"reason":"Phúc khảo"}'.encode()
        header = signature(SECRET, TIMESTAMP, body)
        assert verify(SECRET, timestamp=str(TIMESTAMP), body=body, header=header, now_s=TIMESTAMP)


class TestVerify:
    @staticmethod
    def _verify(
        *,
        secret: str = SECRET,
        timestamp: str = str(TIMESTAMP),
        body: bytes = BODY,
        header: str = signature(SECRET, TIMESTAMP, BODY),
        now_s: float = TIMESTAMP + 10,
    ) -> bool:
        return verify(secret, timestamp=timestamp, body=body, header=header, now_s=now_s)

    def test_an_authentic_fresh_delivery_passes(self) -> None:
        assert self._verify()

    @pytest.mark.parametrize(
        "changes",
        [
            {"body": b'{"id":"e2"}'},
            {"secret": "whsec_other"},
            {"timestamp": str(TIMESTAMP + 1)},
            {"timestamp": "yesterday"},
            {"header": "sha256=" + "0" * 64},
            {"now_s": TIMESTAMP + 301},
            {"now_s": TIMESTAMP - 301},
        ],
        ids=[
            "tampered-body",
            "wrong-secret",
            "other-timestamp",
            "garbled-timestamp",
            "forged",
            "too-old",
            "from-the-future",
        ],
    )
    def test_anything_else_fails(self, changes: dict[str, Any]) -> None:
        assert not self._verify(**changes)


class TestRetryDelay:
    def test_doubles_from_ten_seconds(self) -> None:
        assert [retry_delay(n).total_seconds() for n in range(1, 7)] == [10, 20, 40, 80, 160, 320]

    def test_never_exceeds_an_hour(self) -> None:
        assert retry_delay(9) == timedelta(seconds=2560)
        assert retry_delay(10) == timedelta(hours=1)
        assert retry_delay(10_000) == timedelta(hours=1)


def test_errors_are_shortened_to_fit_the_column() -> None:
    assert shorten("x" * 600) == "x" * 499 + "…"
    assert shorten("short") == "short"
