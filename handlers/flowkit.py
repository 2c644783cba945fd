"""What the guided conversations (/nhap, /tiendo) share on the Telegram side.

Buttons of a conversation carry its nonce: a press from an older conversation's message,
or one that does not fit the step the person is at, is refused and changes nothing.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Collection, Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from telegram import CallbackQuery, InlineKeyboardButton, InlineKeyboardMarkup, Message, Update
from telegram.ext import ContextTypes

from bot.services.accounts import Role
from bot.services.conversations import Conversation, Flow, Status
from bot.services.entries import EntryProblem, EntryRefusedError, EvidenceDraft
from handlers.callback_data import CallbackPrefix, InvalidCallbackDataError, build, parse
from handlers.common import Caller, identify_in_conversation, not_registered_text, reply, runtime_of

log = logging.getLogger(__name__)


class DraftAction(StrEnum):
    """Buttons of the "continue or start again?" offer, valid even while the conversation is a parked draft."""

    RESUME = "res"
    FRESH = "new"


DRAFT_ACTIONS = frozenset(DraftAction)

Renderer = Callable[
    [ContextTypes.DEFAULT_TYPE, Caller, Conversation], Awaitable[tuple[str, InlineKeyboardMarkup | None]]
]


async def save_and_ask(
    update: Update,
    context: ContextTypes.DEFAULT_TYPE,
    caller: Caller,
    conversation: Conversation,
    prefix: str = "",
    *,
    render: Renderer,
) -> None:
    """Persist the step first, then ask its question (so a crash in between loses nothing)."""
    conversation = await runtime_of(context).conversations.save(conversation)
    text, markup = await render(context, caller, conversation)
    await reply(update, context, f"{prefix}\n\n{text}" if prefix else text, markup)


async def start_and_ask(
    update: Update,
    context: ContextTypes.DEFAULT_TYPE,
    caller: Caller,
    flow: Flow,
    step: str,
    data: dict[str, Any] | None = None,
    *,
    render: Renderer,
) -> None:
    """Open a new conversation of ``flow`` at ``step`` (parking any other) and ask its question."""
    conversation = await runtime_of(context).conversations.start(caller.identity.telegram_user_id, flow, step, data)
    text, markup = await render(context, caller, conversation)
    await reply(update, context, text, markup)


async def ask_again(
    update: Update,
    context: ContextTypes.DEFAULT_TYPE,
    caller: Caller,
    conversation: Conversation,
    problem: str,
    *,
    render: Renderer,
) -> None:
    """Say what was wrong, then the same question again; the stored step is unchanged."""
    text, markup = await render(context, caller, conversation)
    await reply(update, context, f"{problem}\n\n{text}", markup)


@dataclass(frozen=True, slots=True)
class Press:
    """A button press that passed every check: the caller, their conversation and the action."""

    query: CallbackQuery
    caller: Caller
    conversation: Conversation
    action: str
    args: tuple[str, ...]


def flow_button(
    text: str, prefix: CallbackPrefix, conversation: Conversation, action: str, *args: str
) -> InlineKeyboardButton:
    return InlineKeyboardButton(text, callback_data=build(prefix, conversation.nonce, action, *args))


async def refuse_stale(query: CallbackQuery, caller: Caller, command: str) -> None:
    log.warning("refused a stale or forged %r press from user %s", query.data, query.from_user.id)
    await query.answer(
        caller._("This button belongs to an older message. Please send /{command} to start again.").format(
            command=command
        ),
        show_alert=True,
    )


async def accept_press(
    update: Update,
    context: ContextTypes.DEFAULT_TYPE,
    prefix: CallbackPrefix,
    flow: Flow,
    allowed: Mapping[str, Collection[str]],
    command: str,
    always: Collection[str] = (),
) -> Press | None:
    """Parse and check a conversation button; None once the press has been refused and answered.

    ``allowed`` maps each step to the actions its buttons offer; ``always`` are actions valid at
    any step of a matching conversation, even a parked draft (resume, start afresh).
    """
    query = update.callback_query
    if query is None:
        return None
    caller, conversation = await identify_in_conversation(update, context, flow)
    runtime = runtime_of(context)
    if caller.identity.role is Role.STRANGER:
        await query.answer()
        await reply(update, context, not_registered_text(caller, runtime))
        return None
    try:
        data = parse(query.data)
        if data.prefix is not prefix or len(data.args) < 2:
            raise InvalidCallbackDataError(query.data)
    except InvalidCallbackDataError:
        await refuse_stale(query, caller, command)
        return None
    nonce, action, *args = data.args
    fits = (
        conversation is not None
        and conversation.nonce == nonce
        and (
            action in always or (conversation.status is Status.ACTIVE and action in allowed.get(conversation.step, ()))
        )
    )
    if conversation is None or not fits:
        await refuse_stale(query, caller, command)
        return None
    await query.answer()
    return Press(query, caller, conversation, action, tuple(args))


PressHandler = Callable[[Update, ContextTypes.DEFAULT_TYPE, Press], Awaitable[None]]


StartFresh = Callable[[Update, ContextTypes.DEFAULT_TYPE, Caller], Awaitable[None]]


def draft_offer_markup(caller: Caller, prefix: CallbackPrefix, draft: Conversation) -> InlineKeyboardMarkup:
    """The "Tiếp tục" / "Bắt đầu lại" buttons offered for a parked draft."""
    return InlineKeyboardMarkup(
        [
            [flow_button(caller._("Continue"), prefix, draft, DraftAction.RESUME)],
            [flow_button(caller._("Start again"), prefix, draft, DraftAction.FRESH)],
        ]
    )


async def _draft_pressed(
    update: Update, context: ContextTypes.DEFAULT_TYPE, press: Press, start_fresh: StartFresh, render: Renderer
) -> None:
    conversations = runtime_of(context).conversations
    user_id = press.caller.identity.telegram_user_id
    if press.action == DraftAction.RESUME:
        resumed = await conversations.resume(user_id, press.conversation.flow)
        if resumed is not None:
            continuing = press.caller._("Continuing your entry.")
            await save_and_ask(update, context, press.caller, resumed, continuing, render=render)
        return
    await conversations.finish(user_id, press.conversation.flow)
    await start_fresh(update, context, press.caller)


async def handle_press(
    update: Update,
    context: ContextTypes.DEFAULT_TYPE,
    press: Press,
    act: PressHandler,
    *,
    render: Renderer,
    start_fresh: StartFresh,
) -> None:
    """Run the press: the draft offer here, the flow's own actions in ``act`` (only on an active conversation).

    Malformed arguments and refused rights are logged, answered, and change nothing.
    """
    caller = press.caller
    try:
        if press.action in DRAFT_ACTIONS:
            await _draft_pressed(update, context, press, start_fresh, render)
        elif press.conversation.status is Status.ACTIVE:
            await act(update, context, press)
    except ValueError as forged:
        log.warning("refused malformed button %r from user %s: %s", press.query.data, press.query.from_user.id, forged)
        await reply(update, context, caller._("This button is no longer valid. Please send /start."))
    except EntryRefusedError as refusal:
        log.warning("refused button %r from user %s: %s", press.query.data, press.query.from_user.id, refusal)
        problem = refusal.describe(caller.translator)
        await ask_again(update, context, caller, press.conversation, problem, render=render)


def text_of(message: Message | None) -> str | None:
    """The typed text, or None for a sticker, photo, file or anything else."""
    return message.text if message is not None and message.text is not None else None


def received_evidence(message: Message | None) -> EvidenceDraft:
    """The document or photo the person sent, as a reference (file_id, name, size, sender).

    Anything else, or a file too large to be read back, is refused with the reason.
    """
    if message is not None and message.from_user is not None:
        sender = message.from_user.id
        if message.document is not None:
            document = message.document
            return EvidenceDraft(document.file_id, document.file_name, document.file_size, sender).checked()
        if message.photo:
            photo = message.photo[-1]  # the largest size Telegram made
            return EvidenceDraft(photo.file_id, None, photo.file_size, sender).checked()
    raise EntryRefusedError(EntryProblem.EVIDENCE_NOT_A_FILE)


def evidence_label(caller: Caller, evidence: EvidenceDraft | None) -> str:
    """How an evidence file is named on the review screen: its file name, "ảnh", or "(không có)"."""
    if evidence is None:
        return caller._("(none)")
    return evidence.file_name or caller._("photo")
