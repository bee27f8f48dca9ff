"""Request ids, the JSON log formatter and its redaction of credentials."""

import io
import json
import logging
import os
import random
import re
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import ClassVar

import pytest

from app.core.config import LoggingSettings, Settings
from app.http.logging import (
    ACCESS_LOGGER,
    REDACTED,
    JsonFormatter,
    TextFormatter,
    _direct_handler,
    accepted_request_id,
    configure_logging,
    log_access,
    redact_query,
    redact_text,
    request_id_var,
)
from app.main import create_app, current_release


def record(msg: str, *args: object, **extra: object) -> logging.LogRecord:
    made = logging.makeLogRecord({"name": "app.test", "levelname": "INFO", "msg": msg})
    made.args = args or None
    for name, value in extra.items():
        setattr(made, name, value)
    return made


class TestAcceptedRequestId:
    @pytest.mark.parametrize("value", ["abc", "A.b_c-9", "x" * 128])
    def test_plain_tokens_are_kept(self, value: str) -> None:
        assert accepted_request_id(value) == value

    @pytest.mark.parametrize("value", [None, "", "x" * 129, "has space", "a/b", "é", "a\nb"])
    def test_anything_else_is_replaced_by_32_hex_digits(self, value: str | None) -> None:
        assert re.fullmatch(r"[0-9a-f]{32}", accepted_request_id(value))

    def test_new_ids_do_not_repeat(self) -> None:
        ids = {accepted_request_id(None) for _ in range(10_000)}
        assert len(ids) == 10_000

    def test_a_forked_process_draws_ids_of_its_own(self) -> None:
        read_end, write_end = os.pipe()
        child = os.fork()
        if child == 0:  # pragma: no cover - the child only writes its id and leaves
            os.write(write_end, accepted_request_id(None).encode())
            os._exit(0)
        os.close(write_end)
        os.waitpid(child, 0)
        with os.fdopen(read_end) as pipe:
            theirs = pipe.read()
        assert theirs[:16] != accepted_request_id(None)[:16]


class TestRedaction:
    def test_query_values_of_keys_and_tokens_are_redacted(self) -> None:
        redacted = redact_query("q=y%20te&api_key=s3cret&token=t0k&access_token=a&limit=5")
        assert "s3cret" not in redacted
        assert "t0k" not in redacted
        assert redacted == (
            f"q=y%20te&api_key={REDACTED}&token={REDACTED}&access_token={REDACTED}&limit=5"
        )

    @pytest.mark.parametrize(
        "text",
        [
            "Authorization: Bearer s3cret",
            "headers {'authorization': 'Bearer s3cret', 'accept': '*/*'}",
            'X-API-Key="s3cret"',
            "cookie: session=s3cret; other=s3cret",
            "GET /api/v1/units?key=s3cret&limit=1",
            "retrying with token=s3cret",
        ],
    )
    def test_credentials_in_free_text_are_redacted(self, text: str) -> None:
        redacted = redact_text(text)
        assert "s3cret" not in redacted
        assert REDACTED in redacted

    def test_ordinary_text_is_untouched(self) -> None:
        text = "authorization failed for unit LD-DEP-HEALTH (limit=5)"
        assert redact_text(text) == text


class TestJsonFormatter:
    def test_times_are_those_of_datetime_to_the_millisecond(self) -> None:
        formatter = JsonFormatter()
        moments = [random.uniform(0, 4e9) for _ in range(5_000)]
        moments += [1_700_000_000.9999996, 1_700_000_000.0004999, 1_700_000_001.0]
        for created in sorted(moments):
            made = record("x")
            made.created = created
            expected = datetime.fromtimestamp(created, UTC).isoformat(timespec="milliseconds")
            assert json.loads(formatter.format(made))["ts"] == expected, created

    def test_one_json_object_with_the_fields_and_extras(self) -> None:
        line = JsonFormatter().format(
            record("GET %s %s", "/api/v1/units", 200, request_id="rid-1", status=200)
        )
        assert "\n" not in line
        payload = json.loads(line)
        assert payload["msg"] == "GET /api/v1/units 200"
        assert payload["level"] == "INFO"
        assert payload["logger"] == "app.test"
        assert payload["request_id"] == "rid-1"
        assert payload["status"] == 200
        assert payload["ts"].endswith("+00:00")

    def test_request_id_comes_from_the_context_when_the_record_has_none(self) -> None:
        token = request_id_var.set("from-context")
        try:
            payload = json.loads(JsonFormatter().format(record("hello")))
        finally:
            request_id_var.reset(token)
        assert payload["request_id"] == "from-context"

    def test_sensitive_extras_message_and_traceback_are_redacted(self) -> None:
        try:
            raise ValueError("bad header Authorization: Bearer s3cret")
        except ValueError:
            failing = record(
                "call with %s",
                "X-API-Key: s3cret",
                authorization="Bearer s3cret",
                headers={"x-api-key": "s3cret", "accept": "*/*"},
            )
            failing.exc_info = sys.exc_info()
        line = JsonFormatter().format(failing)
        assert "s3cret" not in line
        payload = json.loads(line)
        assert payload["authorization"] == REDACTED
        assert payload["headers"] == {"x-api-key": REDACTED, "accept": "*/*"}
        assert "ValueError" in payload["exc_info"]

    def test_text_formatter_redacts_too(self) -> None:
        line = TextFormatter().format(record("Authorization: Bearer s3cret", request_id="r"))
        assert "s3cret" not in line
        assert "[r]" in line


class TestConfiguration:
    def test_reading_the_release_leaves_the_running_logging_alone(self) -> None:
        root = logging.getLogger()
        level = root.level
        try:
            create_app(Settings.model_construct(logging=LoggingSettings(level="WARNING")))
            current_release.cache_clear()
            current_release()  # builds an app with default settings to read its document
            assert root.level == logging.WARNING
        finally:
            root.setLevel(level)

    def test_fastapis_opentelemetry_hooks_are_off_unless_asked_for(self) -> None:
        off = create_app(Settings.model_construct(), configure_logs=False)
        on = create_app(
            Settings.model_construct(logging=LoggingSettings(opentelemetry=True)),
            configure_logs=False,
        )
        assert not off._native_telemetry.enabled()
        assert on._telemetry["tracing"]
        assert on._telemetry["metrics"]

    def test_access_lines_are_redacted_field_by_field(self) -> None:
        lines: list[str] = []

        class Capture(logging.Handler):
            def emit(self, record: logging.LogRecord) -> None:
                lines.append(JsonFormatter().format(record))

        handler = Capture()
        access = logging.getLogger(ACCESS_LOGGER)
        access.addHandler(handler)
        access.setLevel(logging.INFO)
        try:
            scope = {
                "method": "GET",
                "path": "/api/v1/units;api_key=s3cret",
                "query_string": b"token=t0ken&q=1",
                "client": ("10.0.0.1", 1),
            }
            log_access(scope, 200, 0.0123)
        finally:
            access.removeHandler(handler)
            access.setLevel(logging.NOTSET)
        line = json.loads(lines[0])
        assert "s3cret" not in lines[0]
        assert "t0ken" not in lines[0]
        assert line["status"] == 200
        assert line["duration_ms"] == 12.3
        assert line["query"] == f"token={REDACTED}&q=1"
        assert line["method"] == "GET"
        assert line["client"] == "10.0.0.1"


class TestAccessLinesWrittenDirectly:
    """With the service's own handler the only one, log_access writes its line to it without
    a record (app/http/logging.py, _direct_handler says why); any other handler puts the line
    back on the logging path. Either way the line is the same."""

    SCOPE: ClassVar[dict[str, object]] = {
        "method": "GET",
        "path": "/api/v1/units",
        "query_string": b"token=t0ken&q=1",
        "client": ("10.0.0.1", 1),
    }

    @pytest.fixture
    def stdout(self, capsys: pytest.CaptureFixture[str]) -> Iterator[pytest.CaptureFixture[str]]:
        root = logging.getLogger()
        saved = (root.handlers[:], root.level)
        configure_logging(LoggingSettings(level="INFO", json_lines=True))
        token = request_id_var.set("req-1")
        try:
            yield capsys
        finally:
            request_id_var.reset(token)
            root.handlers[:], _ = saved
            root.setLevel(saved[1])

    @contextmanager
    def service_handler_alone(self) -> Iterator[None]:
        """pytest's capturing handlers sit on the root logger too, added for each test's call:
        leave the service's handler alone there while the body runs."""
        root = logging.getLogger()
        saved = root.handlers[:]
        root.handlers[:] = [h for h in saved if type(h.formatter) is JsonFormatter]
        try:
            yield
        finally:
            root.handlers[:] = saved

    def lines(self, stdout: pytest.CaptureFixture[str]) -> list[dict[str, object]]:
        return [json.loads(line) for line in stdout.readouterr().out.splitlines()]

    def test_the_direct_line_is_the_line_the_logging_path_writes(
        self, stdout: pytest.CaptureFixture[str]
    ) -> None:
        records: list[logging.LogRecord] = []

        class Capture(logging.Handler):
            def emit(self, record: logging.LogRecord) -> None:
                records.append(record)

        access = logging.getLogger(ACCESS_LOGGER)
        capture = Capture()
        with self.service_handler_alone():
            assert _direct_handler() is not None
            log_access(self.SCOPE, 200, 0.0123)
            access.addHandler(capture)
            try:
                assert _direct_handler() is None
                log_access(self.SCOPE, 200, 0.0123)
            finally:
                access.removeHandler(capture)
        direct, through_logging = self.lines(stdout)
        assert len(records) == 1  # the second line went through logging, the first did not
        assert direct.pop("ts")
        assert through_logging.pop("ts")
        assert direct == through_logging
        assert list(direct) == list(through_logging)
        assert direct["request_id"] == "req-1"
        assert direct["query"] == f"token={REDACTED}&q=1"
        assert direct["msg"] == "GET /api/v1/units 200 12.30 ms"

    def test_a_filter_or_a_second_handler_on_the_way_takes_the_logging_path(
        self, stdout: pytest.CaptureFixture[str]
    ) -> None:
        access = logging.getLogger(ACCESS_LOGGER)
        refuse = logging.Filter("elsewhere")  # lets no app.access record through
        second = logging.StreamHandler(io.StringIO())
        with self.service_handler_alone():
            assert _direct_handler() is not None
            access.addFilter(refuse)
            try:
                assert _direct_handler() is None
                log_access(self.SCOPE, 200, 0.0123)
            finally:
                access.removeFilter(refuse)
            logging.getLogger().addHandler(second)
            try:
                assert _direct_handler() is None
            finally:
                logging.getLogger().removeHandler(second)
        assert self.lines(stdout) == []  # the filter's refusal held: nothing written around it
