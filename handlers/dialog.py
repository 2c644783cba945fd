"""Free input (text, files, stickers) goes to the step the person is at; /huy leaves it.

The step lives in the database (``ConversationService``), so this dispatcher works the
same after a restart, and in whichever bot process receives the update.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Mapping

from telegram import Bot, Update
from telegram.error import Forbidden, TelegramError
from telegram.ext import ContextTypes

from bot.runtime import Runtime
from bot.services.accounts import Role
from bot.services.conversations import Conversation, Flow
from handlers import intake, onboarding, progress
from handlers.commands import Command
from handlers.common import Caller, identify_caller, identify_in_conversation, not_registered_text, reply, runtime_of

log = logging.getLogger(__name__)

InputHandler = Callable[[Update, ContextTypes.DEFAULT_TYPE, Caller, Conversation], Awaitable[None]]

FLOW_INPUTS: Mapping[Flow, InputHandler] = {
    Flow.REGISTER: onboarding.on_input,
    Flow.INTAKE: intake.on_input,
    Flow.PROGRESS: progress.on_input,
}

RESUME_COMMANDS: Mapping[Flow, Command] = {
    Flow.INTAKE: Command.ENTER_FIGURES,
    Flow.PROGRESS: Command.REPORT_PROGRESS,
}


async def on_message(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """The answer to the current question, or a pointer to the menu when no question is open."""
    if update.effective_user is None:
        return
    runtime = runtime_of(context)
    caller, conversation = await identify_in_conversation(update, context)
    if conversation is None or (caller.identity.role is Role.STRANGER and conversation.flow is not Flow.REGISTER):
        if caller.identity.role is Role.STRANGER:
            await reply(update, context, not_registered_text(caller, runtime))
        else:
            await reply(update, context, caller._("No question is waiting for an answer. Send /start for the menu."))
        return
    await FLOW_INPUTS[conversation.flow](update, context, caller, conversation)


async def cancel(update: Update, context: ContextTypes.DEFAULT_TYPE, caller: Caller, args: list[str]) -> None:
    """/huy: leave the current conversation; confirmed figures are not touched."""
    runtime = runtime_of(context)
    conversation = await runtime.conversations.active(caller.identity.telegram_user_id)
    if conversation is None:
        await reply(update, context, caller._("There is nothing to cancel. Send /start for the menu."))
        return
    await runtime.conversations.finish(conversation.user_id, conversation.flow)
    await reply(
        update,
        context,
        caller._("Cancelled. Nothing from this step was saved; figures you confirmed earlier are kept."),
    )


async def unknown_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    caller = await identify_caller(update, context)
    await reply(update, context, caller._("I do not know this command. Send /trogiup to see what I can do."))


def _idle_notice(caller_translator: Caller, conversation: Conversation, minutes: int) -> str:
    _ = caller_translator._
    command = RESUME_COMMANDS.get(conversation.flow)
    if command is None:
        return _("This conversation was closed after {minutes} minutes without an answer.").format(minutes=minutes)
    return _(
        "Your entry was paused after {minutes} minutes without an answer. Your answers are kept as a draft: "
        "send /{command} to continue."
    ).format(minutes=minutes, command=command.value)


async def notify_idle(bot: Bot, runtime: Runtime) -> int:
    """Park conversations idle past the timeout and tell each person once; returns how many."""
    parked = await runtime.conversations.park_idle()
    minutes = runtime.settings.conversation_idle_minutes
    for conversation in parked:
        identity = await runtime.accounts.identify(conversation.user_id, "")
        translator = runtime.catalogs.translator(identity.locale or runtime.settings.default_locale)
        try:
            await bot.send_message(
                conversation.user_id, _idle_notice(Caller(identity, translator), conversation, minutes)
            )
        except Forbidden:
            log.info("user %s blocked the bot; idle notice not sent", conversation.user_id)
        except TelegramError:
            log.warning("could not send the idle notice to user %s", conversation.user_id)
    return len(parked)


async def park_idle_job(context: ContextTypes.DEFAULT_TYPE) -> None:
    """The JobQueue callback (every minute): see ``notify_idle``."""
    await notify_idle(context.bot, runtime_of(context))
