"""Small helpers every handler uses: the runtime, the caller's identity and translator."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

from telegram import InlineKeyboardMarkup, Message, Update, User
from telegram.ext import ContextTypes

from bot.i18n import Translator
from bot.runtime import Runtime
from bot.services.accounts import Identity
from bot.services.conversations import Conversation, Flow

RUNTIME_KEY: Final = "runtime"


def runtime_of(context: ContextTypes.DEFAULT_TYPE) -> Runtime:
    runtime = context.bot_data[RUNTIME_KEY]
    if not isinstance(runtime, Runtime):
        raise RuntimeError("the application was built without a runtime")
    return runtime


@dataclass(frozen=True, slots=True)
class Caller:
    """Who sent the update, already looked up, and the language to answer in."""

    identity: Identity
    translator: Translator

    def _(self, msgid: str) -> str:
        return self.translator.gettext(msgid)


def _user_of(update: Update) -> User:
    if update.effective_user is None:
        raise RuntimeError("update without a user")
    return update.effective_user


def _caller(runtime: Runtime, identity: Identity) -> Caller:
    translator = runtime.catalogs.translator(identity.locale or runtime.settings.default_locale)
    return Caller(identity=identity, translator=translator)


async def identify_caller(update: Update, context: ContextTypes.DEFAULT_TYPE) -> Caller:
    runtime = runtime_of(context)
    user = _user_of(update)
    return _caller(runtime, await runtime.accounts.identify(user.id, user.full_name))


async def identify_in_conversation(
    update: Update, context: ContextTypes.DEFAULT_TYPE, flow: Flow | None = None
) -> tuple[Caller, Conversation | None]:
    """The caller and their conversation of ``flow`` (None: the active one), looked up together."""
    runtime = runtime_of(context)
    user = _user_of(update)
    identity, conversation = await runtime.callers.find(user.id, user.full_name, flow)
    return _caller(runtime, identity), conversation


def default_translator(context: ContextTypes.DEFAULT_TYPE) -> Translator:
    """For messages sent before (or without) knowing who the user is."""
    runtime = runtime_of(context)
    return runtime.catalogs.translator(runtime.settings.default_locale)


def not_registered_text(caller: Caller, runtime: Runtime) -> str:
    """Everything a stranger or a deactivated officer is told: whom to ask, nothing more."""
    office = runtime.accounts.planning_office()
    office_text = caller._("{office} of {province} province").format(office=office.name, province=office.province)
    return caller._(
        "You are not registered yet. Please ask the planning office ({office}) for an invitation link."
    ).format(office=office_text)


async def reply(
    update: Update,
    context: ContextTypes.DEFAULT_TYPE,
    text: str,
    markup: InlineKeyboardMarkup | None = None,
) -> Message:
    """Send to the person: the chat of their message, or (for a button) the presser's own private chat.

    A press always answers the presser, never the chat the pressed message was in, so a forged
    press that names someone else's message cannot make the bot write into that chat.
    """
    if update.callback_query is not None:
        chat_id = update.callback_query.from_user.id
    elif update.effective_chat is not None:
        chat_id = update.effective_chat.id
    else:
        raise RuntimeError("update without a chat")
    return await context.bot.send_message(chat_id, text, reply_markup=markup)
