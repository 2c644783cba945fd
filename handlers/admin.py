"""The planning office's commands: /moi (invite), /canbo (officers), /khoa and /mokhoa (lock a year).

Who may run a command is checked in handlers.entry; every button press (`a:<action>:<arg>`)
re-identifies the presser and the services re-check the rules, so a forged or stale
button changes nothing.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Final

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.error import TelegramError
from telegram.ext import ContextTypes

from bot.clock import local_today
from bot.i18n import N_
from bot.plan.model import DepartmentKind
from bot.runtime import Runtime
from bot.services.accounts import Role
from bot.services.invites import InviteError, create_department_invite
from bot.services.officer_admin import AdminOutcome, AdminResult, DepartmentRoster, OfficerAdmin, OfficerEntry
from bot.text import telegram_length
from handlers.callback_data import MAX_ROW_ID, CallbackPrefix, InvalidCallbackDataError, build, parse
from handlers.commands import Command
from handlers.common import Caller, identify_caller, not_registered_text, reply, runtime_of

log = logging.getLogger(__name__)

MESSAGE_LIMIT: Final = 3800  # Telegram allows 4096 characters; keep a margin
BUTTON_LIMIT: Final = 90  # Telegram allows 100 inline buttons per message
SHORT_LABEL_LENGTH: Final = 24
DEPARTMENTS_PER_ROW: Final = 2
YEARS_PER_ROW: Final = 4
LOCK_MARK: Final = "🔒"
_CODE = re.compile(r"[A-Z0-9_]{1,32}")
_ID = re.compile(r"[1-9][0-9]{0,9}")
_YEAR = re.compile(r"[0-9]{4}")
MAX_ID = MAX_ROW_ID


class AdminAction(StrEnum):
    INVITE = "inv"  # a:inv:<department code>
    DEACTIVATE = "off"  # a:off:<officer id>   asks for confirmation
    DEACTIVATE_CONFIRMED = "offok"  # a:offok:<officer id>
    KEEP = "keep"  # a:keep:<officer id>  confirmation declined
    PROMOTE = "pro"  # a:pro:<officer id>
    DEMOTE = "dem"  # a:dem:<officer id>
    LOCK = "lock"  # a:lock:<year>
    UNLOCK = "unlock"  # a:unlock:<year>


ADMINS_ONLY = N_("This command is for the planning office only.")
STALE_BUTTON = N_("This button is no longer valid. Please send /start.")

REFUSALS: Final = {
    AdminOutcome.NOT_ALLOWED: ADMINS_ONLY,
    AdminOutcome.NOT_FOUND: N_("This officer was not found."),
    AdminOutcome.INACTIVE: N_("{name} is already deactivated."),
    AdminOutcome.SELF: N_("You cannot deactivate yourself or change your own rights."),
    AdminOutcome.CONFIG_ADMIN: N_(
        "{name} is an administrator set in ADMIN_IDS. To change that, edit ADMIN_IDS in the bot's configuration "
        "and restart the bot."
    ),
    AdminOutcome.NOT_PLANNING_OFFICE: N_("Only staff of the planning office ({office}) can be made administrators."),
}


def officer_admin(runtime: Runtime) -> OfficerAdmin:
    settings = runtime.settings
    return OfficerAdmin(runtime.sessions, runtime.registry, runtime.clock, settings.tz, settings.admin_ids)


def _button(text: str, action: AdminAction, arg: str | int) -> InlineKeyboardButton:
    return InlineKeyboardButton(text, callback_data=build(CallbackPrefix.ADMIN, action, str(arg)))


def _rows(buttons: Sequence[InlineKeyboardButton], per_row: int) -> list[list[InlineKeyboardButton]]:
    return [list(buttons[i : i + per_row]) for i in range(0, len(buttons), per_row)]


# ---- /moi ----------------------------------------------------------------------------------------


def _short_label(runtime: Runtime, code: str) -> str:
    """The shortest of a department's name and aliases ("Sở XD"), or its code when all are long."""
    department = runtime.registry.get(code)
    label = min((department.name, *department.aliases), key=len)
    return label if len(label) <= SHORT_LABEL_LENGTH else code


def invitable_departments(runtime: Runtime) -> list[str]:
    """Codes of the units that exist and report today, in the plan's order (groups and merged-away units out)."""
    today = local_today(runtime.clock, runtime.settings.tz)
    return [
        department.code
        for department in runtime.registry
        if department.kind is not DepartmentKind.GROUP
        and department.exists_on(today)
        and runtime.registry.route(department.code, today) == [department.code]
    ]


async def invite(update: Update, context: ContextTypes.DEFAULT_TYPE, caller: Caller, args: list[str]) -> None:
    """`/moi <CODE>`: a single-use invitation link; without a code, the departments as buttons."""
    runtime = runtime_of(context)
    if args:
        await _send_invite(update, context, caller, args[0])
        return
    buttons = [
        _button(_short_label(runtime, code), AdminAction.INVITE, code) for code in invitable_departments(runtime)
    ]
    text = caller._("Choose the department whose focal officer you want to invite (or send /moi followed by its code):")
    await reply(update, context, text, InlineKeyboardMarkup(_rows(buttons, DEPARTMENTS_PER_ROW)))


def _bot_username(context: ContextTypes.DEFAULT_TYPE, runtime: Runtime) -> str | None:
    if runtime.settings.bot_username:
        return runtime.settings.bot_username
    try:
        return context.bot.username
    except (RuntimeError, TelegramError):  # the bot was never initialised (no getMe)
        return None


async def _send_invite(update: Update, context: ContextTypes.DEFAULT_TYPE, caller: Caller, code: str) -> None:
    runtime = runtime_of(context)
    settings = runtime.settings
    try:
        created = await create_department_invite(
            runtime.sessions,
            runtime.registry,
            code,
            ttl=dt.timedelta(days=settings.invite_ttl_days),
            clock=runtime.clock,
            tz=settings.tz,
            created_by_officer_id=caller.identity.officer_id,
        )
    except InviteError as error:
        await reply(update, context, error.describe(caller.translator))
        return
    log.info("admin %s created an invite for %s", caller.identity.officer_id, created.department_code)
    link = created.deep_link(_bot_username(context, runtime))
    where = {"department": created.department_name, "code": created.department_code}
    if link is not None:
        head = caller._("Invitation link for {department} ({code}):").format(**where)
        body = link
    else:  # no username known: the invited person types the command instead
        head = caller._("Invitation for {department} ({code}): the invited officer sends this message to the bot:")
        head, body = head.format(**where), f"/start {created.token}"
    tail = caller._(
        "Please forward it to the focal officer of {department}. It can be used once and expires at {expires}."
    ).format(department=created.department_name, expires=caller.translator.datetime(created.expires_at, settings.tz))
    await reply(update, context, f"{head}\n{body}\n\n{tail}")


# ---- /canbo --------------------------------------------------------------------------------------


@dataclass
class _Page:
    lines: list[str] = field(default_factory=list)
    buttons: list[InlineKeyboardButton] = field(default_factory=list)

    @property
    def length(self) -> int:
        return sum(telegram_length(line) + 1 for line in self.lines)


def _local_date(caller: Caller, runtime: Runtime, value: dt.datetime) -> str:
    return caller.translator.date(value.astimezone(runtime.settings.tz).date())


def _entry_line(caller: Caller, runtime: Runtime, entry: OfficerEntry) -> str:
    if not entry.active:
        when = _local_date(caller, runtime, entry.deactivated_at) if entry.deactivated_at else "?"
        return caller._("• {name}: deactivated on {date}").format(name=entry.full_name, date=when)
    if entry.config_admin:
        role = caller._("administrator (ADMIN_IDS)")
    elif entry.is_admin:
        role = caller._("administrator")
    else:
        role = caller._("officer")
    seen = caller.translator.datetime(entry.last_seen_at, runtime.settings.tz) if entry.last_seen_at else "-"
    return caller._("• {name}: {role}, joined {joined}, last active {seen}").format(
        name=entry.full_name, role=role, joined=_local_date(caller, runtime, entry.joined_at), seen=seen
    )


def _entry_buttons(caller: Caller, entry: OfficerEntry) -> list[InlineKeyboardButton]:
    buttons = []
    if entry.can_promote:
        text = caller._("Make {name} an administrator").format(name=entry.full_name)
        buttons.append(_button(text, AdminAction.PROMOTE, entry.officer_id))
    if entry.can_demote:
        text = caller._("Remove administrator rights of {name}").format(name=entry.full_name)
        buttons.append(_button(text, AdminAction.DEMOTE, entry.officer_id))
    if entry.can_deactivate:
        text = caller._("Deactivate {name}").format(name=entry.full_name)
        buttons.append(_button(text, AdminAction.DEACTIVATE, entry.officer_id))
    return buttons


def _department_title(caller: Caller, group: DepartmentRoster) -> str:
    if group.code is None:
        return caller._("Not attached to a department")
    return f"{group.name} ({group.code})"


def _fits(page: _Page, lines: list[str], buttons: list[InlineKeyboardButton]) -> bool:
    extra = sum(telegram_length(line) + 1 for line in lines)
    return page.length + extra <= MESSAGE_LIMIT and len(page.buttons) + len(buttons) <= BUTTON_LIMIT


def roster_pages(caller: Caller, runtime: Runtime, roster: list[DepartmentRoster]) -> list[_Page]:
    """The roster cut into messages below Telegram's limits; an officer's buttons stay with their line."""
    active = sum(entry.active for group in roster for entry in group.officers)
    pages = [_Page([caller._("Registered officers ({count} active):").format(count=active)])]
    for group in roster:
        title = f"🏢 {_department_title(caller, group)}"
        first, *rest = [(_entry_line(caller, runtime, e), _entry_buttons(caller, e)) for e in group.officers]
        block = ["", title, first[0]]
        if not _fits(pages[-1], block, first[1]):
            pages.append(_Page())
            block = [title, first[0]]
        pages[-1].lines.extend(block)
        pages[-1].buttons.extend(first[1])
        for line, buttons in rest:
            if not _fits(pages[-1], [line], buttons):
                pages.append(_Page([caller._("{department} (continued)").format(department=title)]))
            pages[-1].lines.append(line)
            pages[-1].buttons.extend(buttons)
    return pages


async def list_officers(update: Update, context: ContextTypes.DEFAULT_TYPE, caller: Caller, args: list[str]) -> None:
    """`/canbo`: every officer per department, with buttons to deactivate, promote or demote."""
    runtime = runtime_of(context)
    roster = await officer_admin(runtime).roster(caller.identity.officer_id)
    if not roster:
        await reply(update, context, caller._("No officer has registered yet. Send /moi to invite one."))
        return
    for page in roster_pages(caller, runtime, roster):
        markup = InlineKeyboardMarkup(_rows(page.buttons, 1)) if page.buttons else None
        await reply(update, context, "\n".join(page.lines), markup)


def _where(entry: OfficerEntry | None) -> dict[str, str]:
    if entry is None:
        return {"name": "?", "department": "?"}
    return {"name": entry.full_name, "department": entry.department_name or "?"}


def _refusal_text(caller: Caller, runtime: Runtime, outcome: AdminOutcome, entry: OfficerEntry | None) -> str:
    office = runtime.accounts.planning_office().name
    return caller._(REFUSALS[outcome]).format(office=office, **_where(entry))


def _outcome_text(caller: Caller, runtime: Runtime, result: AdminResult, done: str, already: str) -> str:
    if result.outcome is AdminOutcome.DONE:
        return caller._(done).format(**_where(result.officer))
    if result.outcome is AdminOutcome.ALREADY:
        return caller._(already).format(**_where(result.officer))
    return _refusal_text(caller, runtime, result.outcome, result.officer)


async def _ask_deactivation(
    update: Update, context: ContextTypes.DEFAULT_TYPE, caller: Caller, actor_id: int, officer_id: int
) -> None:
    runtime = runtime_of(context)
    check = await officer_admin(runtime).check_deactivation(actor_id, officer_id)
    if check.outcome is not AdminOutcome.DONE:
        await reply(update, context, _refusal_text(caller, runtime, check.outcome, check.officer))
        return
    text = caller._(
        "Deactivate {name} ({department})? They will no longer be able to use the bot until they are invited again."
    ).format(**_where(check.officer))
    markup = InlineKeyboardMarkup(
        [
            [
                _button(caller._("Deactivate"), AdminAction.DEACTIVATE_CONFIRMED, officer_id),
                _button(caller._("Keep"), AdminAction.KEEP, officer_id),
            ]
        ]
    )
    await reply(update, context, text, markup)


async def _on_officer_action(
    update: Update, context: ContextTypes.DEFAULT_TYPE, caller: Caller, action: AdminAction, officer_id: int
) -> None:
    runtime = runtime_of(context)
    actor_id = caller.identity.officer_id
    if actor_id is None:  # an admin always has a row; defensive
        await reply(update, context, caller._(ADMINS_ONLY))
        return
    service = officer_admin(runtime)
    if action is AdminAction.DEACTIVATE:
        await _ask_deactivation(update, context, caller, actor_id, officer_id)
        return
    if action is AdminAction.KEEP:
        await reply(update, context, caller._("Nothing was changed."))
        return
    if action is AdminAction.DEACTIVATE_CONFIRMED:
        result = await service.deactivate(actor_id, officer_id)
        done = N_(
            "{name} ({department}) has been deactivated. If they write to the bot, they will be told they are "
            "not registered."
        )
        text = _outcome_text(caller, runtime, result, done, REFUSALS[AdminOutcome.INACTIVE])
    elif action is AdminAction.PROMOTE:
        result = await service.promote(actor_id, officer_id)
        done = N_("{name} is now an administrator and will see the administrator menu after sending /start.")
        text = _outcome_text(caller, runtime, result, done, N_("{name} is already an administrator."))
    else:
        result = await service.demote(actor_id, officer_id)
        done = N_("{name} is no longer an administrator and keeps reporting for {department}.")
        text = _outcome_text(caller, runtime, result, done, N_("{name} is not an administrator."))
    log.info("admin %s: %s officer %s -> %s", actor_id, action, officer_id, result.outcome)
    await reply(update, context, text)


# ---- /khoa, /mokhoa ------------------------------------------------------------------------------


async def lock_year(update: Update, context: ContextTypes.DEFAULT_TYPE, caller: Caller, args: list[str]) -> None:
    """`/khoa <year>`: close a reporting year for changes; without a year, the years as buttons."""
    await _lock_command(update, context, caller, args, locked=True)


async def unlock_year(update: Update, context: ContextTypes.DEFAULT_TYPE, caller: Caller, args: list[str]) -> None:
    """`/mokhoa <year>`: open a locked year again."""
    await _lock_command(update, context, caller, args, locked=False)


def _years_text(runtime: Runtime) -> str:
    return ", ".join(str(year) for year in runtime.periods.reporting_years())


async def _lock_command(
    update: Update, context: ContextTypes.DEFAULT_TYPE, caller: Caller, args: list[str], *, locked: bool
) -> None:
    runtime = runtime_of(context)
    command = Command.LOCK_YEAR if locked else Command.UNLOCK_YEAR
    if not args:
        await _year_buttons(update, context, caller, locked=locked)
        return
    if len(args) != 1 or not _YEAR.fullmatch(args[0]):
        text = caller._(
            "Please write one year as a number, for example /{command} 2015. The reporting years are: {years}."
        )
        await reply(update, context, text.format(command=command.value, years=_years_text(runtime)))
        return
    await _set_lock(update, context, caller, int(args[0]), locked=locked)


async def _year_buttons(update: Update, context: ContextTypes.DEFAULT_TYPE, caller: Caller, *, locked: bool) -> None:
    runtime = runtime_of(context)
    action = AdminAction.LOCK if locked else AdminAction.UNLOCK
    buttons = [
        _button(f"{LOCK_MARK} {status.year}" if status.locked else str(status.year), action, status.year)
        for status in await runtime.periods.year_statuses()
    ]
    if locked:
        text = caller._("Choose the year to lock ({mark} = already locked). To unlock a year, send /mokhoa.")
    else:
        text = caller._("Choose the year to unlock ({mark} = locked):")
    await reply(update, context, text.format(mark=LOCK_MARK), InlineKeyboardMarkup(_rows(buttons, YEARS_PER_ROW)))


async def _set_lock(
    update: Update, context: ContextTypes.DEFAULT_TYPE, caller: Caller, year: int, *, locked: bool
) -> None:
    runtime = runtime_of(context)
    if not runtime.periods.is_reporting_year(year):
        text = caller._("{year} is not a reporting year. The reporting years are: {years}.")
        await reply(update, context, text.format(year=year, years=_years_text(runtime)))
        return
    if await runtime.periods.is_locked(year) == locked:
        text = caller._("Year {year} is already locked.") if locked else caller._("Year {year} is not locked.")
        await reply(update, context, text.format(year=year))
        return
    await runtime.periods.set_locked(year, locked, caller.identity.officer_id)
    log.info("admin %s %s year %s", caller.identity.officer_id, "locked" if locked else "unlocked", year)
    if locked:
        text = caller._("Year {year} is locked: departments can no longer enter or change its figures.")
    else:
        text = caller._("Year {year} is unlocked: departments can enter and change its figures again.")
    await reply(update, context, text.format(year=year))


# ---- buttons -------------------------------------------------------------------------------------


def _parse_admin_data(data: str | None) -> tuple[AdminAction, str]:
    parsed = parse(data)
    if parsed.prefix is not CallbackPrefix.ADMIN or len(parsed.args) != 2:
        raise InvalidCallbackDataError(data)
    try:
        action = AdminAction(parsed.args[0])
    except ValueError as exc:
        raise InvalidCallbackDataError(data) from exc
    arg = parsed.args[1]
    if action is AdminAction.INVITE:
        valid = bool(_CODE.fullmatch(arg))
    elif action in (AdminAction.LOCK, AdminAction.UNLOCK):
        valid = bool(_YEAR.fullmatch(arg))
    else:
        valid = bool(_ID.fullmatch(arg)) and int(arg) <= MAX_ID
    if not valid:
        raise InvalidCallbackDataError(data)
    return action, arg


async def on_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """`a:<action>:<arg>`: re-check that the presser is still an admin, then act."""
    query = update.callback_query
    if query is None:
        return
    caller = await identify_caller(update, context)
    try:
        action, arg = _parse_admin_data(query.data)
    except InvalidCallbackDataError:
        log.warning("refused malformed admin data from user %s", query.from_user.id)
        await query.answer(caller._(STALE_BUTTON), show_alert=True)
        return
    if not caller.identity.is_admin:
        log.warning("refused admin button %s from user %s (%s)", action, query.from_user.id, caller.identity.role)
        if caller.identity.role is Role.STRANGER:
            await query.answer()
            await reply(update, context, not_registered_text(caller, runtime_of(context)))
        else:
            await query.answer(caller._(ADMINS_ONLY), show_alert=True)
        return
    await query.answer()
    if action is AdminAction.INVITE:
        await _send_invite(update, context, caller, arg)
    elif action in (AdminAction.LOCK, AdminAction.UNLOCK):
        await _set_lock(update, context, caller, int(arg), locked=action is AdminAction.LOCK)
    else:
        await _on_officer_action(update, context, caller, action, int(arg))
