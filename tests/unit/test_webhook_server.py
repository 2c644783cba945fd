"""The webhook server in-process: /healthz without a database, the secret check, bodies that are not updates.

The full round trip (emulator → webhook → reply) is tests/e2e/test_webhook.py.
"""

from __future__ import annotations

import socket
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from aiohttp.test_utils import TestClient, TestServer
from sqlalchemy.ext.asyncio import AsyncEngine
from telegram.ext import Application, ApplicationBuilder

from bot import webhook
from bot.cli import EXIT_CONFIG, main
from bot.config import Settings
from bot.webhook import SECRET_HEADER, build_web_app
from bot.webhook_config import valid_secret, valid_url
from storage.db import create_engine

SECRET = "unit-test_secret"
PATH = "/tg/hook"


def _closed_port() -> int:
    """A port nothing listens on: bound once, then released."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _application() -> Application[Any, Any, Any, Any, Any, Any]:
    """Never initialised: the requests below must not reach Telegram."""
    return ApplicationBuilder().token("123456:unit-test-token").updater(None).build()


@pytest.fixture(params=["postgresql-closed-port", "postgresql-silent-server", "sqlite-missing-directory"])
async def unreachable_engine(
    request: pytest.FixtureRequest, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> AsyncIterator[AsyncEngine]:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as silent:
        if request.param == "postgresql-closed-port":
            engine = create_engine(f"postgresql+asyncpg://postgres@127.0.0.1:{_closed_port()}/test")
        elif request.param == "postgresql-silent-server":
            # Accepts the connection, never answers (a hung host): the probe's own timeout must end it.
            silent.bind(("127.0.0.1", 0))
            silent.listen()
            monkeypatch.setattr(webhook, "HEALTH_TIMEOUT_SECONDS", 0.2)
            engine = create_engine(f"postgresql+asyncpg://postgres@127.0.0.1:{silent.getsockname()[1]}/test")
        else:  # the engine factory creates the folder; removing it afterwards shows a lost volume
            engine = create_engine(f"sqlite+aiosqlite:///{tmp_path / 'gone' / 'greenbot.sqlite3'}")
            (tmp_path / "gone").rmdir()
        yield engine
        await engine.dispose()


async def _client(engine: AsyncEngine) -> TestClient[Any, Any]:
    app = build_web_app(_application(), path=PATH, secret=SECRET, engine=engine)
    client: TestClient[Any, Any] = TestClient(TestServer(app, host="127.0.0.1"))
    await client.start_server()
    return client


async def test_healthz_is_503_when_the_database_is_unreachable(unreachable_engine: AsyncEngine) -> None:
    client = await _client(unreachable_engine)
    try:
        response = await client.get("/healthz")
        assert response.status == 503
        assert await response.json() == {"status": "unavailable", "database": "unreachable"}
    finally:
        await client.close()


async def test_healthz_is_200_with_a_working_database(tmp_path: Path) -> None:
    engine = create_engine(f"sqlite+aiosqlite:///{tmp_path / 'ok.sqlite3'}")
    client = await _client(engine)
    try:
        response = await client.get("/healthz")
        assert response.status == 200
        assert await response.json() == {"status": "ok", "database": "ok"}
    finally:
        await client.close()
        await engine.dispose()


async def test_the_update_path_refuses_a_wrong_secret_and_a_body_that_is_not_an_update(tmp_path: Path) -> None:
    engine = create_engine(f"sqlite+aiosqlite:///{tmp_path / 'ok.sqlite3'}")
    client = await _client(engine)
    try:
        update = {"update_id": 1}
        assert (await client.post(PATH, json=update)).status == 403
        assert (await client.post(PATH, json=update, headers={SECRET_HEADER: SECRET + "x"})).status == 403
        assert (await client.post(PATH, data=b"not json", headers={SECRET_HEADER: SECRET})).status == 400
        assert (await client.get(PATH)).status == 405  # Telegram only POSTs
    finally:
        await client.close()
        await engine.dispose()


def test_webhook_settings_and_checks() -> None:
    settings = Settings(_env_file=None, webhook_secret="")  # type: ignore[call-arg]
    generated = settings.webhook_secret.get_secret_value()
    assert valid_secret(generated)  # an empty WEBHOOK_SECRET means "generate one"
    assert generated != Settings(_env_file=None).webhook_secret.get_secret_value()  # type: ignore[call-arg]
    assert (settings.webhook_url, settings.webhook_listen, settings.webhook_port) == (None, "0.0.0.0", 8443)
    assert not valid_secret("has space")
    assert not valid_secret("x" * 257)
    assert valid_url("https://bot.example.gov.vn/telegram")
    assert valid_url("http://127.0.0.1:8443/tg")
    assert not valid_url("bot.example.gov.vn/telegram")
    assert not valid_url("https://bot.example.gov.vn/healthz")


@pytest.mark.parametrize(
    ("variables", "argv", "named"),
    [
        ({}, ["run", "--webhook", "bot.example.gov.vn/telegram"], "not bot.example.gov.vn/telegram"),
        ({"WEBHOOK_URL": "https://bot.example.gov.vn/healthz"}, ["run"], "https://bot.example.gov.vn/healthz"),
        (
            {"WEBHOOK_SECRET": "not allowed: spaces!"},
            ["run", "--webhook", "https://bot.example.gov.vn/telegram"],
            "WEBHOOK_SECRET may only contain",
        ),
    ],
)
def test_run_refuses_a_bad_webhook_setting_before_starting(
    variables: dict[str, str],
    argv: list[str],
    named: str,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    compiled_locales: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.chdir(tmp_path)  # no .env
    for name in ("WEBHOOK_URL", "WEBHOOK_SECRET", "TELEGRAM_BOT_TOKEN"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("LOCALES_DIR", str(compiled_locales))
    for name, value in variables.items():
        monkeypatch.setenv(name, value)
    assert main(argv) == EXIT_CONFIG
    err = capsys.readouterr().err
    assert named in err  # the English half (the Vietnamese one is the catalog's)
    assert "not allowed: spaces!" not in err  # a wrong secret is still a secret
