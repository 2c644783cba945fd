"""/tiendo: report progress on an Annex I task: task → status → note → file → review → confirm.

The reporting year is the open one (the latest year not locked); each step is saved in the
database before its question is sent, like /nhap.
"""

from __future__ import annotations

import logging
from enum import StrEnum

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import ContextTypes

from bot.services.conversations import Conversation, Flow
from bot.services.entries import EntryRefusedError, clean_note
from bot.services.figures import FigureError, FigureProblem
from bot.services.progress import NOTE_REQUIRED, STATUS_LABELS, ProgressDraft
from bot.text import shorten
from handlers.callback_data import CallbackPrefix
from handlers.commands import Command
from handlers.common import Caller, reply, runtime_of
from handlers.flowkit import (
    DRAFT_ACTIONS,
    Press,
    accept_press,
    ask_again,
    draft_offer_markup,
    evidence_label,
    flow_button,
    handle_press,
    received_evidence,
    save_and_ask,
    start_and_ask,
    text_of,
)
from storage.enums import DepartmentRole, ProgressStatus

log = logging.getLogger(__name__)

PREFIX = CallbackPrefix.PROGRESS
TASK_LABEL_CHARS = 48


class Step(StrEnum):
    TASK = "task"
    STATUS = "status"
    NOTE = "note"
    EVIDENCE = "evidence"
    REVIEW = "review"
    EDIT = "edit"


class Action(StrEnum):
    TASK = "t"
    STATUS = "s"
    SKIP = "skip"
    CONFIRM = "ok"
    EDIT = "ed"
    CANCEL = "x"
    FIELD = "e"
    BACK = "back"


class Field(StrEnum):
    STATUS = "s"
    NOTE = "n"
    EVIDENCE = "f"


#: Short ASCII codes for statuses in button data.
STATUS_CODES: dict[str, ProgressStatus] = {
    "ns": ProgressStatus.NOT_STARTED,
    "ip": ProgressStatus.IN_PROGRESS,
    "dn": ProgressStatus.DONE,
    "bl": ProgressStatus.BLOCKED,
}
CODE_OF = {status: code for code, status in STATUS_CODES.items()}

ALLOWED: dict[str, frozenset[str]] = {
    Step.TASK: frozenset({Action.TASK}),
    Step.STATUS: frozenset({Action.STATUS}),
    Step.NOTE: frozenset({Action.SKIP}),
    Step.EVIDENCE: frozenset({Action.SKIP}),
    Step.REVIEW: frozenset({Action.CONFIRM, Action.EDIT, Action.CANCEL}),
    Step.EDIT: frozenset({Action.FIELD, Action.BACK}),
}
STEP_FOR_FIELD = {Field.STATUS: Step.STATUS, Field.NOTE: Step.NOTE, Field.EVIDENCE: Step.EVIDENCE}

YEAR, DRAFT, BACK = "year", "draft", "back"


def _draft(conversation: Conversation) -> ProgressDraft:
    return ProgressDraft.from_data(conversation.data[DRAFT])


def _with_draft(conversation: Conversation, draft: ProgressDraft, step: str, **changes: object) -> Conversation:
    return conversation.advance(step, **{DRAFT: draft.as_data(), **changes})


def _button(text: str, conversation: Conversation, action: Action, *args: str) -> InlineKeyboardButton:
    return flow_button(text, PREFIX, conversation, action, *args)


def _task_line(caller: Caller, task_id: str, title: str) -> str:
    return caller._("Task {task}: {title}").format(task=task_id, title=title)


async def render(
    context: ContextTypes.DEFAULT_TYPE, caller: Caller, conversation: Conversation
) -> tuple[str, InlineKeyboardMarkup | None]:
    """The question of the current step, with its buttons."""
    runtime = runtime_of(context)
    _ = caller._
    year = int(conversation.data[YEAR])
    if conversation.step == Step.TASK:
        return await _task_prompt(context, caller, conversation, year)
    if conversation.step == Step.EDIT:
        rows = [
            [
                _button(_("Status"), conversation, Action.FIELD, Field.STATUS),
                _button(_("Note"), conversation, Action.FIELD, Field.NOTE),
                _button(_("Evidence"), conversation, Action.FIELD, Field.EVIDENCE),
            ],
            [_button(_("« Back to review"), conversation, Action.BACK)],
        ]
        return _("What do you want to change?"), InlineKeyboardMarkup(rows)
    draft = _draft(conversation)
    task = runtime.progress.task_for(caller.identity, draft.task_id)
    title = _task_line(caller, task.id, task.title)
    skip = InlineKeyboardMarkup([[_button(_("Skip"), conversation, Action.SKIP)]])
    if conversation.step == Step.STATUS:
        rows = [
            [_button(_(STATUS_LABELS[status]), conversation, Action.STATUS, code)]
            for code, status in STATUS_CODES.items()
        ]
        return f"{title}\n" + _("Choose the status for {year}:").format(year=year), InlineKeyboardMarkup(rows)
    if conversation.step == Step.NOTE:
        if draft.status in NOTE_REQUIRED:
            return f"{title}\n" + _("Describe the difficulty and what support is needed (required)."), None
        return f"{title}\n" + _("Add a note on what was done (up to 1,000 characters), or press Skip."), skip
    if conversation.step == Step.EVIDENCE:
        return f"{title}\n" + _("Send an evidence file (a document or a photo), or press Skip."), skip
    if conversation.step == Step.REVIEW:
        none = _("(none)")
        evidence = evidence_label(caller, draft.evidence)
        status = _(STATUS_LABELS[draft.status]) if draft.status else none
        text = "\n".join(
            [
                _("Please check before sending. Reporting year {year}:").format(year=year),
                title,
                "• " + _("Status: {status}").format(status=status),
                "• " + _("Note: {note}").format(note=draft.note or none),
                "• " + _("Evidence: {file}").format(file=evidence),
                "",
                _("Nothing is stored until you press Confirm."),
            ]
        )
        markup = InlineKeyboardMarkup(
            [
                [_button(_("Confirm"), conversation, Action.CONFIRM)],
                [_button(_("Edit"), conversation, Action.EDIT), _button(_("Cancel"), conversation, Action.CANCEL)],
            ]
        )
        return text, markup
    raise ValueError(f"unknown progress step {conversation.step!r}")


async def _task_prompt(
    context: ContextTypes.DEFAULT_TYPE, caller: Caller, conversation: Conversation, year: int
) -> tuple[str, InlineKeyboardMarkup]:
    runtime = runtime_of(context)
    _ = caller._
    lines = [
        _("Tasks of {department} in Annex I, reporting year {year}:").format(
            department=caller.identity.department_name, year=year
        )
    ]
    rows = []
    for status in await runtime.progress.statuses(caller.identity, year):
        task = status.assignment.task
        role = _("lead") if status.assignment.role is DepartmentRole.LEAD else _("coordinating")
        state = _(STATUS_LABELS[status.current.status]) if status.current else _("not reported")
        mark = "✅" if status.current else "⬜"
        lines.append(f"{mark} {task.id} ({role}): {shorten(task.title, 90)} ({state})")
        rows.append(
            [_button(f"{mark} {task.id} {shorten(task.title, TASK_LABEL_CHARS)}", conversation, Action.TASK, task.id)]
        )
    lines.append(_("Choose a task:"))
    return "\n".join(lines), InlineKeyboardMarkup(rows)


async def report_progress(update: Update, context: ContextTypes.DEFAULT_TYPE, caller: Caller, args: list[str]) -> None:
    if await _may_report(update, context, caller) and not await _draft_offered(update, context, caller):
        await _start_fresh(update, context, caller)


async def open_at(
    update: Update, context: ContextTypes.DEFAULT_TYPE, caller: Caller, year: int, task_key: str | None
) -> None:
    """ "Nhập ngay" on a reminder: straight to the task's status question (or the year's task list).

    An unsent draft is offered first, so a reminder never throws away what was typed.
    """
    if not await _may_report(update, context, caller, year, task_key) or await _draft_offered(update, context, caller):
        return
    if task_key is None:
        await start_and_ask(update, context, caller, Flow.PROGRESS, Step.TASK, {YEAR: year}, render=render)
    else:
        data = {YEAR: year, DRAFT: ProgressDraft(task_key).as_data()}
        await start_and_ask(update, context, caller, Flow.PROGRESS, Step.STATUS, data, render=render)


async def _may_report(
    update: Update,
    context: ContextTypes.DEFAULT_TYPE,
    caller: Caller,
    year: int | None = None,
    task_key: str | None = None,
) -> bool:
    """The department has tasks (and this one), and the year is open; otherwise the caller is told why."""
    runtime = runtime_of(context)
    try:
        assignments = runtime.progress.assignments(caller.identity)
        if year is not None:
            await runtime.periods.check_open(year, runtime.accounts.planning_office().name)
        if task_key is not None:
            runtime.progress.task_for(caller.identity, task_key)
    except EntryRefusedError as refusal:
        await reply(update, context, refusal.describe(caller.translator))
        return False
    if not assignments:
        await reply(update, context, caller._("Your department has no task in Annex I."))
        return False
    return True


async def _draft_offered(update: Update, context: ContextTypes.DEFAULT_TYPE, caller: Caller) -> bool:
    """An unsent report is offered ("Tiếp tục" / "Bắt đầu lại") before anything new starts."""
    existing = await runtime_of(context).conversations.get(caller.identity.telegram_user_id, Flow.PROGRESS)
    if existing is None or existing.data.get(DRAFT) is None:
        return False
    await _offer_draft(update, context, caller, existing)
    return True


async def _start_fresh(update: Update, context: ContextTypes.DEFAULT_TYPE, caller: Caller) -> None:
    runtime = runtime_of(context)
    year = await runtime.periods.open_year()
    if year is None:
        await reply(update, context, caller._("Every reporting year is locked. Please contact the planning office."))
        return
    await start_and_ask(update, context, caller, Flow.PROGRESS, Step.TASK, {YEAR: year}, render=render)


async def _offer_draft(update: Update, context: ContextTypes.DEFAULT_TYPE, caller: Caller, draft: Conversation) -> None:
    _ = caller._
    text = _(
        "You have an unsent progress report for task {task} ({year}). Continue where you stopped, or start again?"
    ).format(task=_draft(draft).task_id, year=draft.data[YEAR])
    await reply(update, context, text, draft_offer_markup(caller, PREFIX, draft))


async def on_input(
    update: Update, context: ContextTypes.DEFAULT_TYPE, caller: Caller, conversation: Conversation
) -> None:
    """A message while a /tiendo conversation is active: a note, or an evidence file."""
    message = update.effective_message
    if conversation.step == Step.EVIDENCE:
        try:
            evidence = received_evidence(message)
        except EntryRefusedError as refusal:
            await ask_again(update, context, caller, conversation, refusal.describe(caller.translator), render=render)
            return
        draft = _draft(conversation)
        updated = ProgressDraft(draft.task_id, draft.status, draft.note, evidence)
        shown = caller._("File received: {name}.").format(name=evidence_label(caller, evidence))
        await save_and_ask(
            update, context, caller, _with_draft(conversation, updated, Step.REVIEW), shown, render=render
        )
        return
    if conversation.step != Step.NOTE:
        await ask_again(
            update, context, caller, conversation, caller._("Please answer with the buttons below."), render=render
        )
        return
    text = text_of(message)
    if text is None:
        await ask_again(
            update,
            context,
            caller,
            conversation,
            FigureError(FigureProblem.NOT_TEXT).describe(caller.translator),
            render=render,
        )
        return
    draft = _draft(conversation)
    try:
        note = clean_note(text, required=draft.status in NOTE_REQUIRED)
    except EntryRefusedError as refusal:
        await ask_again(update, context, caller, conversation, refusal.describe(caller.translator), render=render)
        return
    await _note_set(update, context, caller, conversation, note)


async def _note_set(
    update: Update, context: ContextTypes.DEFAULT_TYPE, caller: Caller, conversation: Conversation, note: str | None
) -> None:
    draft = _draft(conversation)
    updated = ProgressDraft(draft.task_id, draft.status, note, draft.evidence)
    step = Step.REVIEW if conversation.data.get(BACK) else Step.EVIDENCE
    await save_and_ask(update, context, caller, _with_draft(conversation, updated, step), render=render)


async def on_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    press = await accept_press(update, context, PREFIX, Flow.PROGRESS, ALLOWED, Command.REPORT_PROGRESS, DRAFT_ACTIONS)
    if press is None:
        return
    await handle_press(update, context, press, _pressed, render=render, start_fresh=_start_fresh)


async def _pressed(update: Update, context: ContextTypes.DEFAULT_TYPE, press: Press) -> None:
    runtime = runtime_of(context)
    caller, conversation, action, args = press.caller, press.conversation, press.action, press.args
    user_id = caller.identity.telegram_user_id
    if action == Action.TASK:
        if len(args) != 1:
            raise ValueError(f"bad task button {args!r}")
        task = runtime.progress.task_for(caller.identity, args[0])
        await runtime.periods.check_open(int(conversation.data[YEAR]), runtime.accounts.planning_office().name)
        await save_and_ask(
            update, context, caller, _with_draft(conversation, ProgressDraft(task.id), Step.STATUS), render=render
        )
    elif action == Action.STATUS:
        status = STATUS_CODES.get(args[0]) if len(args) == 1 else None
        if status is None:
            raise ValueError(f"bad status button {args!r}")
        draft = _draft(conversation)
        updated = ProgressDraft(draft.task_id, status, draft.note, draft.evidence)
        needs_note = status in NOTE_REQUIRED and not draft.note
        step = Step.REVIEW if conversation.data.get(BACK) and not needs_note else Step.NOTE
        await save_and_ask(update, context, caller, _with_draft(conversation, updated, step), render=render)
    elif action == Action.SKIP:
        if conversation.step == Step.NOTE:
            if _draft(conversation).status in NOTE_REQUIRED:
                await ask_again(
                    update,
                    context,
                    caller,
                    conversation,
                    caller._("A note is required for this status."),
                    render=render,
                )
                return
            await _note_set(update, context, caller, conversation, None)
            return
        draft = _draft(conversation)
        updated = ProgressDraft(draft.task_id, draft.status, draft.note, None)
        await save_and_ask(update, context, caller, _with_draft(conversation, updated, Step.REVIEW), render=render)
    elif action == Action.EDIT:
        await save_and_ask(update, context, caller, conversation.advance(Step.EDIT), render=render)
    elif action == Action.BACK:
        await save_and_ask(update, context, caller, conversation.advance(Step.REVIEW), render=render)
    elif action == Action.FIELD:
        field = Field(args[0]) if len(args) == 1 and args[0] in {f.value for f in Field} else None
        if field is None:
            raise ValueError(f"bad edit button {args!r}")
        await save_and_ask(
            update, context, caller, conversation.advance(STEP_FOR_FIELD[field], **{BACK: True}), render=render
        )
    elif action == Action.CONFIRM:
        await _confirm(update, context, caller, conversation)
    elif action == Action.CANCEL:
        await runtime.conversations.finish(user_id, Flow.PROGRESS)
        await reply(update, context, caller._("Cancelled. Nothing was stored."))


async def _confirm(
    update: Update, context: ContextTypes.DEFAULT_TYPE, caller: Caller, conversation: Conversation
) -> None:
    runtime = runtime_of(context)
    year = int(conversation.data[YEAR])
    draft = _draft(conversation)
    try:
        report = await runtime.progress.confirm(caller.identity, year, draft, runtime.accounts.planning_office())
    except EntryRefusedError as refusal:
        await runtime.conversations.finish(caller.identity.telegram_user_id, Flow.PROGRESS)
        await reply(update, context, refusal.describe(caller.translator))
        return
    await runtime.conversations.finish(caller.identity.telegram_user_id, Flow.PROGRESS)
    text = caller._("Saved: task {task}, {year}: {status} (version {version}, {when}).").format(
        task=draft.task_id,
        year=year,
        status=caller._(STATUS_LABELS[report.status]),
        version=report.version,
        when=caller.translator.datetime(report.reported_at, runtime.settings.tz),
    )
    await reply(update, context, text + "\n" + caller._("Send /tiendo to report on another task. History: /lichsu."))
