"""`greenbot`: the command an IT officer types. Settings are built here, once, and passed down."""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import json
import logging
import sys
from collections.abc import Sequence
from pathlib import Path

from pydantic import ValidationError

from bot.config import Settings
from bot.i18n import N_, CatalogMissingError, Translator, load_catalogs
from bot.logging_setup import configure_logging
from bot.plan.export import plan_as_json
from bot.plan.loader import LoadedPlan, PlanError, load_plan
from bot.plan.report import render_plan_report

EXIT_OK = 0
EXIT_CONFIG = 2
EXIT_DATA = 3

log = logging.getLogger("greenbot")


class CliExit(Exception):  # noqa: N818 - a control-flow signal, not an error
    """Stops a command with an exit code after its message was printed."""

    def __init__(self, code: int) -> None:
        super().__init__(code)
        self.code = code


def _load_settings() -> Settings:
    try:
        return Settings()
    except ValidationError as exc:
        print(f"Cấu hình không hợp lệ / Invalid configuration:\n{exc}", file=sys.stderr)
        raise CliExit(EXIT_CONFIG) from exc


def _translators(settings: Settings) -> tuple[Translator, Translator]:
    """Vietnamese first, English second: shell messages are shown in both."""
    try:
        catalogs = load_catalogs(settings.locales_dir)
    except CatalogMissingError as exc:
        print(str(exc), file=sys.stderr)
        raise CliExit(EXIT_CONFIG) from exc
    return catalogs.translator("vi"), catalogs.translator("en")


def _bilingual(settings: Settings, msgid: str, **values: object) -> str:
    vi, en = _translators(settings)
    return f"{vi.gettext(msgid).format(**values)}\n\n{en.gettext(msgid).format(**values)}"


def _load_plan_or_exit(path: Path) -> LoadedPlan:
    try:
        return load_plan(path)
    except PlanError as exc:
        print(str(exc), file=sys.stderr)
        raise CliExit(EXIT_DATA) from exc


def cmd_run(args: argparse.Namespace, settings: Settings) -> int:
    """Long polling; refuses to start without a token or on an old database schema."""
    token = settings.token_value()
    if not token:
        print(
            _bilingual(
                settings,
                N_(
                    "TELEGRAM_BOT_TOKEN is not set. To get one: open Telegram, talk to @BotFather, send /newbot "
                    "and follow the steps; then put the token in the file .env as "
                    "TELEGRAM_BOT_TOKEN=123456:ABC... and run the command again."
                ),
            ),
            file=sys.stderr,
        )
        return EXIT_CONFIG
    configure_logging(settings.log_level, secrets=[token])
    from bot.app import build_application
    from bot.runtime import build_runtime
    from storage.migrate import is_at_head

    if not is_at_head(settings.resolved_database_url):
        print(
            _bilingual(settings, N_("The database schema is not up to date. Run: greenbot db upgrade")),
            file=sys.stderr,
        )
        return EXIT_CONFIG
    runtime = build_runtime(settings)
    application = build_application(runtime, token)
    log.info("starting long polling")
    application.run_polling(allowed_updates=["message", "callback_query", "my_chat_member"])
    return EXIT_OK


def cmd_plan_check(args: argparse.Namespace, settings: Settings) -> int:
    loaded = _load_plan_or_exit(Path(args.file) if args.file else settings.plan_file)
    vi, _en = _translators(settings)
    print(render_plan_report(loaded, vi))
    return EXIT_OK


def cmd_plan_show(args: argparse.Namespace, settings: Settings) -> int:
    loaded = _load_plan_or_exit(Path(args.file) if args.file else settings.plan_file)
    if not args.json:
        print("greenbot plan show --json [FILE]", file=sys.stderr)
        return EXIT_CONFIG
    print(json.dumps(plan_as_json(loaded), ensure_ascii=False, indent=2))
    return EXIT_OK


def cmd_db_upgrade(args: argparse.Namespace, settings: Settings) -> int:
    from storage.migrate import current_revision, upgrade

    upgrade(settings.resolved_database_url)
    print(f"database at revision {current_revision(settings.resolved_database_url)}")
    return EXIT_OK


def cmd_db_current(args: argparse.Namespace, settings: Settings) -> int:
    from storage.migrate import current_revision

    print(current_revision(settings.resolved_database_url) or "empty")
    return EXIT_OK


def cmd_invite(args: argparse.Namespace, settings: Settings) -> int:
    """Creates a stored invite; prints the deep link when BOT_USERNAME is set."""
    from bot.runtime import build_runtime
    from bot.services.invites import InviteError, create_department_invite
    from storage.plan_sync import sync_plan

    runtime = build_runtime(settings)
    vi, _en = _translators(settings)

    async def create() -> int:
        try:
            async with runtime.sessions.begin() as session:
                await sync_plan(session, runtime.plan)
            invite = await create_department_invite(
                runtime.sessions,
                runtime.registry,
                args.department_code,
                dt.timedelta(days=args.ttl_days or settings.invite_ttl_days),
                runtime.clock,
                settings.tz,
            )
        except InviteError as exc:
            print(str(exc), file=sys.stderr)
            return EXIT_DATA
        finally:
            await runtime.engine.dispose()
        link = invite.deep_link(settings.bot_username)
        print(f"{invite.department_code} - {invite.department_name}")
        print(f"token: {invite.token}")
        print(f"expires: {vi.datetime(invite.expires_at, settings.tz)}")
        print(f"link: {link}" if link else "link: set BOT_USERNAME to print https://t.me/<bot>?start=<token>")
        return EXIT_OK

    return asyncio.run(create())


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="greenbot", description="Green-growth action plan reporting bot")
    commands = parser.add_subparsers(dest="command", required=True)

    commands.add_parser("run", help="run the bot (long polling)").set_defaults(handler=cmd_run)

    plan = commands.add_parser("plan", help="inspect a plan file").add_subparsers(dest="plan_command", required=True)
    check = plan.add_parser("check", help="validate a plan file and print it as tables")
    check.add_argument("file", nargs="?")
    check.set_defaults(handler=cmd_plan_check)
    show = plan.add_parser("show", help="print the loaded plan")
    show.add_argument("--json", action="store_true", help="as JSON")
    show.add_argument("file", nargs="?")
    show.set_defaults(handler=cmd_plan_show)

    db = commands.add_parser("db", help="database schema").add_subparsers(dest="db_command", required=True)
    db.add_parser("upgrade", help="apply migrations").set_defaults(handler=cmd_db_upgrade)
    db.add_parser("current", help="print the schema revision").set_defaults(handler=cmd_db_current)

    invite = commands.add_parser("invite", help="create a one-time invite for a department")
    invite.add_argument("department_code")
    invite.add_argument("--ttl-days", type=int, default=None)
    invite.set_defaults(handler=cmd_invite)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        settings = _load_settings()
        code: int = args.handler(args, settings)
    except CliExit as stop:
        return stop.code
    return code


if __name__ == "__main__":
    raise SystemExit(main())
