"""Which errors are a database outage (503, retry) and which are bugs (500)."""

import errno
import socket
import sqlite3

import pytest
from asyncpg.exceptions import (
    AdminShutdownError,
    CannotConnectNowError,
    ConnectionDoesNotExistError,
    TooManyConnectionsError,
)
from sqlalchemy.exc import DBAPIError, IntegrityError, InterfaceError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeoutError

from app.core.outages import is_database_outage


class DriverError(Exception):
    """Stands for a driver's DBAPI error wrapping the driver's own exception."""


def wrapped(cause: BaseException) -> DBAPIError:
    orig = DriverError("driver error")
    orig.__cause__ = cause
    return DBAPIError("SELECT 1", None, orig)


def sqlite_error(code: int) -> sqlite3.OperationalError:
    error = sqlite3.OperationalError("sqlite says no")
    error.sqlite_errorcode = code  # type: ignore[attr-defined]
    return error


OUTAGES = [
    ConnectionRefusedError(errno.ECONNREFUSED, "Connect call failed"),
    ConnectionResetError(),
    TimeoutError(),
    socket.gaierror(socket.EAI_NONAME, "Name or service not known"),
    OSError(errno.EHOSTUNREACH, "No route to host"),
    PoolTimeoutError("QueuePool limit of size 10 overflow 10 reached"),
    OperationalError("SELECT 1", None, sqlite_error(sqlite3.SQLITE_CANTOPEN)),
    OperationalError("SELECT 1", None, sqlite_error(sqlite3.SQLITE_BUSY)),
    InterfaceError("SELECT 1", None, DriverError("connection is closed")),
    DBAPIError("SELECT 1", None, DriverError("terminated"), connection_invalidated=True),
    CannotConnectNowError("the database system is starting up"),
    AdminShutdownError("terminating connection due to administrator command"),
    ConnectionDoesNotExistError("connection was closed in the middle of operation"),
    TooManyConnectionsError("sorry, too many clients already"),
    wrapped(TooManyConnectionsError("sorry, too many clients already")),
]
BUGS = [
    ValueError("bad value"),
    FileNotFoundError(errno.ENOENT, "No such file"),
    IntegrityError("INSERT", None, DriverError("duplicate key")),
    OperationalError("SELEC 1", None, sqlite_error(sqlite3.SQLITE_ERROR)),
    DBAPIError("SELECT 1", None, DriverError("division by zero")),
]


@pytest.mark.parametrize("error", OUTAGES, ids=lambda e: type(e).__name__)
def test_unreachable_or_lost_databases_are_outages(error: BaseException) -> None:
    assert is_database_outage(error)


@pytest.mark.parametrize("error", BUGS, ids=lambda e: type(e).__name__)
def test_refused_statements_and_other_errors_are_not(error: BaseException) -> None:
    assert not is_database_outage(error)
