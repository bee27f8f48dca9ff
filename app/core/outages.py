"""Which exceptions mean the database cannot be reached: an outage to retry, not a bug."""

import errno
import socket
import sqlite3
from typing import Final

from asyncpg.exceptions import (
    OperatorInterventionError,
    PostgresConnectionError,
    TooManyConnectionsError,
)
from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeoutError

# What an outage can surface as: the driver's errors wrapped by SQLAlchemy, the pool's timeout,
# or a socket error raised while connecting (asyncpg's are not wrapped then).
OUTAGE_TYPES: Final[tuple[type[Exception], ...]] = (
    DBAPIError,
    PoolTimeoutError,
    OSError,
    PostgresConnectionError,
    OperatorInterventionError,
    TooManyConnectionsError,
)
# A network that does not get through; a refused or reset connection is a ConnectionError.
_NETWORK_ERRNOS: Final = frozenset(
    {errno.ENETUNREACH, errno.EHOSTUNREACH, errno.ENETDOWN, errno.EHOSTDOWN, errno.ETIMEDOUT}
)
# How far down `orig` / `__cause__` to look for the driver's own error.
_CHAIN_DEPTH: Final = 4


def is_database_outage(exc: BaseException) -> bool:
    """True when the database could not be reached or dropped the connection: refused or lost
    connections, unreachable hosts, the pool's timeout, a server shutting down or full, SQLite
    unable to open, locked or failing to read its file. A statement the database refuses
    (a constraint, a syntax error, a missing table) is not an outage."""
    current: BaseException | None = exc
    for _ in range(_CHAIN_DEPTH):
        if current is None:
            return False
        if _is_outage(current):
            return True
        current = current.orig if isinstance(current, DBAPIError) else current.__cause__
    return False


def _is_outage(exc: BaseException) -> bool:
    if isinstance(exc, DBAPIError):
        if exc.connection_invalidated:
            return True
        return isinstance(exc, OperationalError | InterfaceError) and not _refused_statement(exc)
    if isinstance(
        exc,
        PoolTimeoutError
        | ConnectionError
        | TimeoutError
        | socket.gaierror
        | PostgresConnectionError
        | OperatorInterventionError
        | TooManyConnectionsError,
    ):
        return True
    return isinstance(exc, OSError) and exc.errno in _NETWORK_ERRNOS


def _refused_statement(exc: DBAPIError) -> bool:
    """SQLite reports a statement it cannot run (syntax, missing table) as an OperationalError
    too; its primary result code SQLITE_ERROR tells it from a file it cannot open or lock."""
    if not isinstance(exc.orig, sqlite3.Error):
        return False
    code = getattr(exc.orig, "sqlite_errorcode", None)
    return code is not None and code & 0xFF == sqlite3.SQLITE_ERROR
