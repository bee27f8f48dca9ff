"""Webhook signatures: HMAC-SHA256 over "<timestamp>.<body>", as sender and receiver compute it.

The receiver recomputes the signature from the raw request body (before any JSON parsing),
the `X-PAR-Timestamp` header and its secret, compares in constant time, and refuses
timestamps far from its own clock so a captured request cannot be replayed later.
"""

import hashlib
import hmac

SCHEME = "sha256"
# How far a receiver should let the timestamp stray from its clock.
DEFAULT_TOLERANCE_S = 300


def signature(secret: str, timestamp: int, body: bytes) -> str:
    """The `X-PAR-Signature` value: `sha256=` + hex HMAC-SHA256(secret, f"{timestamp}.{body}")."""
    message = f"{timestamp}.".encode() + body
    digest = hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()
    return f"{SCHEME}={digest}"


def verify(
    secret: str,
    *,
    timestamp: str,
    body: bytes,
    header: str,
    now_s: float,
    tolerance_s: float = DEFAULT_TOLERANCE_S,
) -> bool:
    """Whether a received delivery is authentic and fresh (the receiver's side)."""
    try:
        sent_at = int(timestamp)
    except ValueError:
        return False
    if abs(now_s - sent_at) > tolerance_s:
        return False
    return hmac.compare_digest(signature(secret, sent_at, body), header)
