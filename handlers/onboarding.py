"""Opening an invitation link (`/start <token>`) and registering as a department's focal officer.

Steps (stored before each reply, see ``bot.services.conversations``)::

    /start <token>  --check, nothing consumed-->  CONFIRM "Is your full name X?"
    CONFIRM  --"That is my name"-->  redeem + create officer (one transaction)  -->  officer menu
    CONFIRM  --"Enter another name"-->  NAME
    NAME     --a valid typed name-->  CONFIRM (with that name)
    NAME     --digits, emoji, a sticker...-->  NAME (asked again)

Opening the link consumes nothing; only the confirmation redeems it, atomically.
"""

from __future__ import annotations

import logging
from enum import StrEnum
from typing import Final

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import ContextTypes

from bot.i18n import N_
from bot.runtime import Runtime
from bot.services.accounts import Role
from bot.services.conversations import Conversation, Flow, Status
from bot.services.registration import (
    NAME_MAX_LENGTH,
    InvalidNameError,
    InviteResult,
    NameProblem,
    Outcome,
    RegistrationService,
    clean_full_name,
)
from handlers import keyboards
from handlers.callback_data import CallbackPrefix, InvalidCallbackDataError, build, parse
from handlers.common import Caller, identify_caller, reply, runtime_of

log = logging.getLogger(__name__)


class Step(StrEnum):
    CONFIRM = "confirm"  # waiting for "That is my name" / "Enter another name"
    NAME = "name"  # waiting for the typed full name


class Action(StrEnum):
    OK = "ok"
    NAME = "name"


TOKEN_KEY: Final = "token"
NAME_KEY: Final = "name"
DEPARTMENT_KEY: Final = "department"
DEPARTMENT_NAME_KEY: Final = "department_name"

ASK_NAME = N_("Please type your full name (for example: Nguyễn Văn An).")
STALE_BUTTON = N_("This button is no longer valid. Please open the invitation link again.")

LINK_PROBLEMS: Final = {
    Outcome.UNKNOWN: N_("This invitation link is not valid. Please ask the planning office ({office}) for a new link."),
    Outcome.EXPIRED: N_("This invitation link has expired. Please ask the planning office ({office}) for a new link."),
    Outcome.USED: N_(
        "This invitation link has already been used (each link works only once). "
        "Please ask the planning office ({office}) for a new link."
    ),
    Outcome.REVOKED: N_(
        "This invitation link has been withdrawn. Please ask the planning office ({office}) for a new link."
    ),
    Outcome.DEPARTMENT_GONE: N_(
        "The department of this invitation link no longer exists after the reorganisation. "
        "Please ask the planning office ({office}) for a new link."
    ),
}

NAME_PROBLEMS: Final = {
    NameProblem.TOO_SHORT: N_("This name is too short. Please type your full name, for example: Nguyễn Văn An."),
    NameProblem.TOO_LONG: N_("This name is too long (at most {max} characters). Please type your full name."),
    NameProblem.DIGITS: N_("A name cannot contain digits. Please type your full name, for example: Nguyễn Văn An."),
    NameProblem.CHARACTERS: N_(
        "A name may contain only letters, spaces and the signs . ' - (no emoji). Please type your full name."
    ),
}


def registration_service(runtime: Runtime) -> RegistrationService:
    return RegistrationService(runtime.sessions, runtime.registry, runtime.clock, runtime.settings.tz)


def _office_text(caller: Caller, runtime: Runtime) -> str:
    office = runtime.accounts.planning_office()
    return caller._("{office} of {province} province").format(office=office.name, province=office.province)


def _problem_text(caller: Caller, runtime: Runtime, result: InviteResult) -> str:
    if result.outcome is Outcome.ALREADY_REGISTERED:
        return caller._(
            "You are already registered for {department}; this link is not needed and nothing was changed. "
            "Send /start for the menu."
        ).format(department=result.department_name or "?")
    return caller._(LINK_PROBLEMS[result.outcome]).format(office=_office_text(caller, runtime))


def _confirm_prompt(caller: Caller, conversation: Conversation) -> tuple[str, InlineKeyboardMarkup]:
    text = caller._("You are about to register as the focal officer of {department}. Is your full name {name}?").format(
        department=conversation.data[DEPARTMENT_NAME_KEY], name=conversation.data[NAME_KEY]
    )
    markup = InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(
                    caller._("That is my name"),
                    callback_data=build(CallbackPrefix.REGISTER, conversation.nonce, Action.OK),
                ),
                InlineKeyboardButton(
                    caller._("Enter another name"),
                    callback_data=build(CallbackPrefix.REGISTER, conversation.nonce, Action.NAME),
                ),
            ]
        ]
    )
    return text, markup


async def open_invite(update: Update, context: ContextTypes.DEFAULT_TYPE, caller: Caller, token: str) -> None:
    """`/start <token>`: check the link (nothing consumed) and ask the person to confirm their name."""
    runtime = runtime_of(context)
    user_id = caller.identity.telegram_user_id
    result = await registration_service(runtime).check(token, user_id)
    if result.outcome is not Outcome.VALID:
        log.info("invite link opened by user %s: %s", user_id, result.outcome)
        await reply(update, context, _problem_text(caller, runtime, result))
        return
    data = {TOKEN_KEY: token, DEPARTMENT_KEY: result.department_code, DEPARTMENT_NAME_KEY: result.department_name}
    try:
        proposed = clean_full_name(caller.identity.full_name)
    except InvalidNameError:
        # A Telegram name with emoji or digits is no name to propose: ask for it straight away.
        await runtime.conversations.start(user_id, Flow.REGISTER, Step.NAME, data)
        intro = caller._("You are about to register as the focal officer of {department}.").format(
            department=result.department_name
        )
        await reply(update, context, f"{intro}\n{caller._(ASK_NAME)}")
        return
    conversation = await runtime.conversations.start(user_id, Flow.REGISTER, Step.CONFIRM, {**data, NAME_KEY: proposed})
    await reply(update, context, *_confirm_prompt(caller, conversation))


async def on_input(
    update: Update, context: ContextTypes.DEFAULT_TYPE, caller: Caller, conversation: Conversation
) -> None:
    """A message while registering: the typed full name (anything else is asked again)."""
    runtime = runtime_of(context)
    if caller.identity.role is not Role.STRANGER:
        await runtime.conversations.finish(conversation.user_id, Flow.REGISTER)
        result = InviteResult(Outcome.ALREADY_REGISTERED, department_name=caller.identity.department_name)
        await reply(update, context, _problem_text(caller, runtime, result))
        return
    if conversation.step != Step.NAME:
        text, markup = _confirm_prompt(caller, conversation)
        await reply(update, context, f"{caller._('Please answer with one of the buttons below.')}\n\n{text}", markup)
        return
    message = update.effective_message
    typed = message.text if message is not None else None
    if typed is None:
        await reply(update, context, caller._("Please type your full name as text (not a sticker, photo or file)."))
        return
    try:
        name = clean_full_name(typed)
    except InvalidNameError as error:
        await reply(update, context, caller._(NAME_PROBLEMS[error.problem]).format(max=NAME_MAX_LENGTH))
        return
    conversation = await runtime.conversations.save(conversation.advance(Step.CONFIRM, **{NAME_KEY: name}))
    await reply(update, context, *_confirm_prompt(caller, conversation))


async def on_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """`r:<nonce>:ok|name`: only a press on the current question of the stored conversation counts."""
    query = update.callback_query
    if query is None:
        return
    runtime = runtime_of(context)
    caller = await identify_caller(update, context)
    try:
        data = parse(query.data)
        if data.prefix is not CallbackPrefix.REGISTER or len(data.args) != 2:
            raise InvalidCallbackDataError(query.data)
        nonce, action = data.args[0], Action(data.args[1])
    except (InvalidCallbackDataError, ValueError):
        log.warning("refused malformed registration data from user %s", query.from_user.id)
        await query.answer(caller._(STALE_BUTTON), show_alert=True)
        return
    conversation = await runtime.conversations.get(query.from_user.id, Flow.REGISTER)
    if (
        conversation is None
        or conversation.status is not Status.ACTIVE
        or conversation.nonce != nonce
        or conversation.step != Step.CONFIRM
    ):
        log.warning("refused stale registration button from user %s", query.from_user.id)
        await query.answer(caller._(STALE_BUTTON), show_alert=True)
        return
    await query.answer()
    if action is Action.NAME:
        await runtime.conversations.save(conversation.advance(Step.NAME))
        await reply(update, context, caller._(ASK_NAME))
        return
    await _register(update, context, caller, conversation)


async def _register(
    update: Update, context: ContextTypes.DEFAULT_TYPE, caller: Caller, conversation: Conversation
) -> None:
    runtime = runtime_of(context)
    result = await registration_service(runtime).register(
        str(conversation.data[TOKEN_KEY]), conversation.user_id, str(conversation.data[NAME_KEY])
    )
    await runtime.conversations.finish(conversation.user_id, Flow.REGISTER)
    if result.outcome not in (Outcome.REGISTERED, Outcome.REACTIVATED):
        log.info("registration of user %s failed: %s", conversation.user_id, result.outcome)
        await reply(update, context, _problem_text(caller, runtime, result))
        return
    log.info("user %s registered for %s (%s)", conversation.user_id, result.department_code, result.outcome)
    if result.outcome is Outcome.REACTIVATED:
        done = caller._("Welcome back: you are registered again as the focal officer of {department}.")
    else:
        done = caller._("Registration complete: you are now the focal officer of {department}.")
    menu = caller._("You report for: {department}. Choose what you want to do:")
    department = result.department_name or "?"
    text = f"{done.format(department=department)}\n\n{menu.format(department=department)}"
    await reply(update, context, text, keyboards.officer_menu(caller.translator))
