"""`greenbot`: the command an IT officer types. Settings are built here, once, and passed down.

Every failure the officer can fix (no token, a rejected token, no network, no database, a
broken plan file, missing catalogs) ends with a short message in Vietnamese and English,
never a traceback, and never the token.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import json
import logging
import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

from pydantic import ValidationError
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError

from bot.config import Settings
from bot.i18n import N_, CatalogMissingError, Catalogs, Translator, load_catalogs
from bot.logging_setup import configure_logging
from bot.plan.export import plan_as_json
from bot.plan.loader import LoadedPlan, PlanError, load_plan
from bot.plan.report import render_plan_report

EXIT_OK = 0
EXIT_FAILURE = 1
EXIT_CONFIG = 2
EXIT_DATA = 3
#: The same in both modes: long polling asks for them, setWebhook registers them.
ALLOWED_UPDATES = ("message", "callback_query", "my_chat_member")


if TYPE_CHECKING:
    from bot.runtime import Runtime
    from bot.webhook_config import WebhookConfig

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


def _catalogs(settings: Settings) -> Catalogs:
    try:
        return load_catalogs(settings.locales_dir)
    except CatalogMissingError as exc:
        print(str(exc), file=sys.stderr)
        raise CliExit(EXIT_CONFIG) from exc


def _translator(settings: Settings) -> Translator:
    """The default language (Vietnamese) for ordinary shell output."""
    return _catalogs(settings).translator(settings.default_locale)


def _fail(settings: Settings, code: int, msgid: str, **values: object) -> CliExit:
    """Prints a message in Vietnamese, then English, and returns the exit to raise."""
    catalogs = _catalogs(settings)
    texts = [catalogs.translator(locale).gettext(msgid).format(**values) for locale in ("vi", "en")]
    print("\n\n".join(texts), file=sys.stderr)
    return CliExit(code)


def _safe_url(url: str) -> str:
    return make_url(url).render_as_string(hide_password=True)


@contextmanager
def _database_errors(settings: Settings) -> Iterator[None]:
    """A database that cannot be reached is a configuration problem, said in one sentence."""
    try:
        yield
    except (DBAPIError, OSError) as exc:
        log.debug("database error", exc_info=exc)
        raise _fail(
            settings,
            EXIT_CONFIG,
            N_("Cannot use the database {url}: {reason}. Check DATABASE_URL and that the database server is running."),
            url=_safe_url(settings.resolved_database_url),
            reason=type(exc).__name__,
        ) from exc


def _load_plan_or_exit(path: Path) -> LoadedPlan:
    try:
        return load_plan(path)
    except PlanError as exc:
        print(str(exc), file=sys.stderr)
        raise CliExit(EXIT_DATA) from exc


def _runtime_or_exit(settings: Settings, plan: LoadedPlan, catalogs: Catalogs) -> Runtime:
    """The runtime; a broken holidays file stops start-up with the file and entry named, not a traceback."""
    from bot.runtime import build_runtime
    from scheduler.work_calendar import WorkCalendarError

    try:
        return build_runtime(settings, plan=plan, catalogs=catalogs)
    except (WorkCalendarError, FileNotFoundError) as exc:
        print(f"HOLIDAYS_FILE: {exc}", file=sys.stderr)
        raise CliExit(EXIT_CONFIG) from exc


def _webhook_config(args: argparse.Namespace, settings: Settings) -> WebhookConfig | None:
    """`--webhook URL` or WEBHOOK_URL switches to webhook mode; both checked before anything starts."""
    from bot.webhook_config import WebhookConfig, valid_secret, valid_url

    url = getattr(args, "webhook", None) or settings.webhook_url
    if not url:
        return None
    if not valid_url(url):
        raise _fail(
            settings,
            EXIT_CONFIG,
            N_("The webhook address must be a full address such as https://bot.example.gov.vn/telegram, not {url}."),
            url=url,
        )
    secret = settings.webhook_secret.get_secret_value()
    if not valid_secret(secret):
        raise _fail(
            settings,
            EXIT_CONFIG,
            N_("WEBHOOK_SECRET may only contain letters A-Z and a-z, digits, _ and -, at most 256 characters."),
        )
    return WebhookConfig(url, secret, settings.webhook_listen, settings.webhook_port, ALLOWED_UPDATES)


def cmd_run(args: argparse.Namespace, settings: Settings) -> int:
    """Long polling, or webhooks with --webhook. Migrates the database first unless --no-migrate (several processes)."""
    from telegram.error import InvalidToken, NetworkError

    from bot.app import build_application
    from bot.webhook_config import ListenError, WebhookRefusedError
    from storage.schema_version import is_current

    webhook = _webhook_config(args, settings)
    token = settings.token_value()
    if not token:
        raise _fail(
            settings,
            EXIT_CONFIG,
            N_(
                "TELEGRAM_BOT_TOKEN is not set. To get one: open Telegram, talk to @BotFather, send /newbot "
                "and follow the steps; then put the token in the file .env in the greenbot folder as "
                "TELEGRAM_BOT_TOKEN=123456:ABC... and run the command again."
            ),
        )
    plan = _load_plan_or_exit(settings.plan_file)
    catalogs = _catalogs(settings)
    with _database_errors(settings):
        # Alembic is loaded only when there is something to upgrade: otherwise it would stay in memory for good.
        if not asyncio.run(is_current(settings.resolved_database_url)):
            if args.no_migrate:
                raise _fail(
                    settings, EXIT_CONFIG, N_("The database schema is not up to date. Run: greenbot db upgrade")
                )
            from storage.migrate import upgrade

            upgrade(settings.resolved_database_url)
    runtime = _runtime_or_exit(settings, plan, catalogs)
    application = build_application(runtime, token)
    try:
        if webhook is not None:
            from bot.webhook import run_webhook  # aiohttp: only webhook mode needs it

            run_webhook(application, webhook, runtime.engine)
        else:
            log.info("starting long polling against %s", settings.telegram_base_url)
            application.run_polling(allowed_updates=list(ALLOWED_UPDATES))
    except ListenError as exc:
        raise _fail(
            settings,
            EXIT_CONFIG,
            N_("Cannot listen on {address}:{port} ({reason}). Check WEBHOOK_LISTEN and WEBHOOK_PORT."),
            address=exc.listen,
            port=exc.port,
            reason=exc.reason,
        ) from exc
    except WebhookRefusedError as exc:
        raise _fail(
            settings,
            EXIT_CONFIG,
            N_("Telegram refused the webhook address {url}: {reason}"),
            url=webhook.url if webhook else "",
            reason=exc.reason,
        ) from exc
    except InvalidToken as exc:
        raise _fail(
            settings,
            EXIT_CONFIG,
            N_("Telegram rejected TELEGRAM_BOT_TOKEN. Copy the token again from @BotFather (/mybots) and retry."),
        ) from exc
    except NetworkError as exc:
        raise _fail(
            settings,
            EXIT_FAILURE,
            N_("Cannot reach the Telegram Bot API at {url}. Check the network or TELEGRAM_BASE_URL."),
            url=settings.telegram_base_url,
        ) from exc
    return EXIT_OK


def cmd_plan_check(args: argparse.Namespace, settings: Settings) -> int:
    loaded = _load_plan_or_exit(Path(args.file) if args.file else settings.plan_file)
    print(render_plan_report(loaded, _translator(settings)))
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

    _ = _translator(settings).gettext
    with _database_errors(settings):
        upgrade(settings.resolved_database_url)
        revision = current_revision(settings.resolved_database_url)
    print(_("The database schema is at revision {revision}.").format(revision=revision))
    return EXIT_OK


def cmd_db_current(args: argparse.Namespace, settings: Settings) -> int:
    from storage.migrate import current_revision

    with _database_errors(settings):
        print(current_revision(settings.resolved_database_url) or "-")
    return EXIT_OK


def cmd_db_backup(args: argparse.Namespace, settings: Settings) -> int:
    """A consistent copy of the SQLite file while the bot runs; PostgreSQL is pg_dump's job."""
    from storage.backup import BackupError, NotSqliteError, SourceMissingError, backup_sqlite, pg_dump_command

    translator = _translator(settings)
    url = settings.resolved_database_url
    destination = Path(args.destination)
    try:
        result = backup_sqlite(url, destination)
    except NotSqliteError as exc:
        raise _fail(
            settings,
            EXIT_CONFIG,
            N_(
                "DATABASE_URL is a PostgreSQL database: greenbot db backup only copies the SQLite file. "
                "Back up PostgreSQL with pg_dump, for example:\n  {command}\nand restore with pg_restore (see README)."
            ),
            command=pg_dump_command(url, destination),
        ) from exc
    except SourceMissingError as exc:
        raise _fail(
            settings,
            EXIT_CONFIG,
            N_("There is no database file at {path}. Check DATABASE_URL or DATA_DIR."),
            path=exc.path,
        ) from exc
    except BackupError as exc:
        raise _fail(
            settings, EXIT_FAILURE, N_("The backup to {path} failed: {reason}"), path=destination, reason=exc
        ) from exc
    print(
        translator.gettext("Backup written to {path} ({size} KB, schema revision {revision}).").format(
            path=result.path,
            size=translator.decimal(result.size_bytes / 1024, 1),
            revision=result.revision or "-",
        )
    )
    return EXIT_OK


def cmd_invite(args: argparse.Namespace, settings: Settings) -> int:
    """Creates a stored invite; prints the deep link when BOT_USERNAME is set."""
    from bot.services.invites import InviteError, create_department_invite

    plan = _load_plan_or_exit(settings.plan_file)
    catalogs = _catalogs(settings)
    translator = catalogs.translator(settings.default_locale)
    _ = translator.gettext
    runtime = _runtime_or_exit(settings, plan, catalogs)

    async def create() -> int:
        try:
            await runtime.sync_plan()
            invite = await create_department_invite(
                runtime.sessions,
                runtime.registry,
                args.department_code,
                dt.timedelta(days=args.ttl_days or settings.invite_ttl_days),
                runtime.clock,
                settings.tz,
            )
        except InviteError as exc:
            print(exc.describe(translator), file=sys.stderr)
            return EXIT_DATA
        finally:
            await runtime.engine.dispose()
        link = invite.deep_link(settings.bot_username)
        print(_("Department: {code} - {name}").format(code=invite.department_code, name=invite.department_name))
        print(_("Invitation code: {token}").format(token=invite.token))
        print(_("Valid until: {time}").format(time=translator.datetime(invite.expires_at, settings.tz)))
        if link:
            print(_("Link to send to the officer: {link}").format(link=link))
        else:
            print(_("Set BOT_USERNAME to print the link https://t.me/<bot>?start=<code>."))
        return EXIT_OK

    with _database_errors(settings):
        return asyncio.run(create())


def cmd_report(args: argparse.Namespace, settings: Settings) -> int:
    """The yearly compile from the shell: the message text and the three files, written to --out."""
    from bot.reports.files import build_report_files, write_report_files
    from bot.reports.message import summary_blocks
    from bot.services.summaries import SummaryService
    from storage.migrate import upgrade

    plan = _load_plan_or_exit(settings.plan_file)
    catalogs = _catalogs(settings)
    translator = catalogs.translator(settings.default_locale)
    _ = translator.gettext
    runtime = _runtime_or_exit(settings, plan, catalogs)
    if args.year not in runtime.periods.reporting_years():
        years = ", ".join(str(year) for year in runtime.periods.reporting_years())
        print(
            _("{year} is not a reporting year. The reporting years are: {years}.").format(year=args.year, years=years)
        )
        return EXIT_DATA

    async def compile_year() -> list[Path]:
        try:
            await runtime.sync_plan()
            summary = await SummaryService.from_runtime(runtime).compile(args.year)
        finally:
            await runtime.engine.dispose()
        out_dir = Path(args.out)
        written = write_report_files(build_report_files(summary, translator), out_dir)
        text_path = out_dir / f"tong-hop-{args.year}.txt"
        text_path.write_text("\n".join(summary_blocks(translator, summary)) + "\n", encoding="utf-8")
        return [text_path, *written]

    with _database_errors(settings):
        upgrade(settings.resolved_database_url)
        written = asyncio.run(compile_year())
    print(_("The compile of {year} was written:").format(year=args.year))
    for path in written:
        print(f"  {path}")
    return EXIT_OK


@contextmanager
def _warnings_only(settings: Settings) -> Iterator[None]:
    """The demo's transcript is its output: the INFO lines of a year of rounds would drown it (DEBUG keeps all)."""
    root = logging.getLogger()
    level = root.level
    if settings.log_level.upper() != "DEBUG":
        root.setLevel(logging.WARNING)
    try:
        yield
    finally:
        root.setLevel(level)


def cmd_demo(args: argparse.Namespace, settings: Settings) -> int:
    """One simulated reporting year against an embedded Bot API emulator: no token, no network, a temporary database."""
    translator = _translator(settings)  # without the Vietnamese catalog: a clear message, not a traceback
    out_dir = Path(args.out)
    with _warnings_only(settings):
        from bot.demo import TRANSCRIPT_NAME, DemoError, run_demo

        try:
            result = asyncio.run(run_demo(settings, out_dir))
        except DemoError as exc:
            raise _fail(
                settings,
                EXIT_FAILURE,
                N_("The demo stopped: {reason}. The transcript so far is in {path}."),
                reason=exc,
                path=out_dir / TRANSCRIPT_NAME,
            ) from exc
    print(result.transcript)
    print(translator.gettext("The transcript and the files of the compile were written:"))
    for path in result.files:
        print(f"  {path}")
    return EXIT_OK


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="greenbot", description="Green-growth action plan reporting bot")
    commands = parser.add_subparsers(dest="command", required=True)

    run = commands.add_parser("run", help="migrate the database and run the bot (long polling or --webhook)")
    run.add_argument("--no-migrate", action="store_true", help="only check the schema (several processes)")
    run.add_argument("--webhook", metavar="URL", help="serve webhooks at this public URL (default: WEBHOOK_URL)")
    run.set_defaults(handler=cmd_run)

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
    backup = db.add_parser("backup", help="copy the SQLite database safely while the bot runs")
    backup.add_argument("destination", help="file to write, or a folder for a time-stamped file")
    backup.set_defaults(handler=cmd_db_backup)

    invite = commands.add_parser("invite", help="create a one-time invite for a department")
    invite.add_argument("department_code")
    invite.add_argument("--ttl-days", type=int, default=None)
    invite.set_defaults(handler=cmd_invite)

    report = commands.add_parser("report", help="write the yearly compile (text, XLSX, PNG, DOCX) to a folder")
    report.add_argument("--year", type=int, required=True)
    report.add_argument("--out", default=".", help="folder to write into (created if missing)")
    report.set_defaults(handler=cmd_report)

    demo = commands.add_parser("demo", help="play one simulated reporting year offline (no token) and print the chats")
    demo.add_argument("--out", default="demo-output", help="folder for the transcript and files (default: %(default)s)")
    demo.set_defaults(handler=cmd_demo)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        settings = _load_settings()
        token = settings.token_value()
        configure_logging(
            settings.log_level,
            secrets=[token or "", settings.webhook_secret.get_secret_value()],
            log_format=settings.log_format,
        )
        code: int = args.handler(args, settings)
    except CliExit as stop:
        return stop.code
    except Exception:
        # Logged through the redacting handler: the traceback never shows the token.
        log.exception("greenbot stopped because of an unexpected error")
        return EXIT_FAILURE
    return code


if __name__ == "__main__":
    raise SystemExit(main())
