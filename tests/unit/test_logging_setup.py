"""The token never reaches a log line, not even through httpx's request URLs or a traceback."""

from __future__ import annotations

import logging

import pytest

from bot.logging_setup import REDACTED, RedactingFilter, configure_logging

TOKEN = "123456:AAH-very-secret-token"


def _handler_output(record: logging.LogRecord) -> str:
    handler = logging.getLogger().handlers[0]
    for log_filter in handler.filters:
        assert isinstance(log_filter, logging.Filter)
        log_filter.filter(record)
    return handler.format(record)


def test_message_and_args_are_redacted() -> None:
    configure_logging("INFO", secrets=[TOKEN])
    record = logging.LogRecord(
        "httpx", logging.WARNING, __file__, 1, "HTTP Request: POST %s", (f"https://x/bot{TOKEN}/getMe",), None
    )
    output = _handler_output(record)
    assert TOKEN not in output
    assert REDACTED in output


def test_exception_text_is_redacted() -> None:
    configure_logging("INFO", secrets=[TOKEN])
    try:
        raise RuntimeError(f"failed calling https://x/bot{TOKEN}/getMe")
    except RuntimeError:
        record = logging.getLogger("t").makeRecord("t", logging.ERROR, __file__, 1, "boom", (), None)
        import sys

        record.exc_info = sys.exc_info()
    output = _handler_output(record)
    assert TOKEN not in output
    assert "RuntimeError" in output


def test_chained_cause_is_redacted() -> None:
    configure_logging("INFO", secrets=[TOKEN])
    try:
        try:
            raise ValueError(f"bad url https://x/bot{TOKEN}/getMe")
        except ValueError as inner:
            raise RuntimeError("request failed") from inner
    except RuntimeError:
        import sys

        record = logging.getLogger("t").makeRecord("t", logging.ERROR, __file__, 1, "boom", (), sys.exc_info())
    output = _handler_output(record)
    assert TOKEN not in output
    assert "ValueError" in output
    assert "RuntimeError" in output


def test_httpx_is_quiet() -> None:
    configure_logging("DEBUG", secrets=[TOKEN])
    assert logging.getLogger("httpx").getEffectiveLevel() == logging.WARNING


def test_filter_without_secrets_passes_records_unchanged() -> None:
    record = logging.LogRecord("x", logging.INFO, __file__, 1, "hello %s", ("world",), None)
    assert RedactingFilter([]).filter(record)
    assert record.getMessage() == "hello world"


@pytest.fixture(autouse=True)
def _restore_root_logging() -> object:
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    yield
    root.handlers[:], root.level = handlers, level


def test_json_lines_carry_the_fields_and_no_token() -> None:
    import json

    configure_logging("INFO", secrets=[TOKEN], log_format="json")
    try:
        raise RuntimeError(f"failed calling https://x/bot{TOKEN}/getMe")
    except RuntimeError:
        import sys

        record = logging.getLogger("bot.app").makeRecord(
            "bot.app", logging.ERROR, __file__, 1, "round for %s: %s", ("SXD", f"/bot{TOKEN}/x"), sys.exc_info()
        )
    output = _handler_output(record)
    assert "\n" not in output  # one line per record, traceback included
    entry = json.loads(output)
    assert (entry["level"], entry["logger"]) == ("ERROR", "bot.app")
    assert entry["message"] == f"round for SXD: /bot{REDACTED}/x"
    assert entry["time"].endswith("+00:00")
    assert "RuntimeError" in entry["exception"]
    assert TOKEN not in output
    configure_logging("INFO")
