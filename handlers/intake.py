"""/nhap: the guided entry of Annex II figures, step by step, with a review before anything is stored.

Steps: year → indicator → value (a percentage, a ratio, or numerator then denominator) →
"are you sure?" when it looks unlikely → note → evidence → review (confirm / edit / cancel).
Each step is saved in the database before the question is sent, so nothing typed is lost.
"""

from __future__ import annotations

import logging
from decimal import Decimal
from enum import StrEnum

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import ContextTypes

from bot.plan.model import Indicator
from bot.services.conversations import Conversation, Flow
from bot.services.entries import EntryRefusedError, clean_note
from bot.services.figures import (
    Figure,
    FigureError,
    FigureProblem,
    QuickEntryError,
    parse_count,
    parse_figure,
    parse_quick_entry,
    ratio_figure,
)
from bot.services.intake import DraftItem, SoftWarning, WarningReason
from bot.services.periods import open_year_of
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
from storage.enums import ValueSource

log = logging.getLogger(__name__)

PREFIX = CallbackPrefix.INTAKE
YEAR_BUTTONS_PER_ROW = 4


class Step(StrEnum):
    YEAR = "year"
    INDICATOR = "indicator"
    VALUE = "value"
    NUMERATOR = "numerator"
    DENOMINATOR = "denominator"
    SURE = "sure"
    NOTE = "note"
    EVIDENCE = "evidence"
    REVIEW = "review"
    EDIT = "edit"


class Action(StrEnum):
    YEAR = "y"
    INDICATOR = "i"
    TWO_STEP = "two"
    SURE = "sy"
    NOT_SURE = "sn"
    SKIP = "skip"
    CONFIRM = "ok"
    EDIT = "ed"
    CANCEL = "x"
    FIELD = "e"
    BACK = "back"


class Field(StrEnum):
    VALUE = "v"
    NOTE = "n"
    EVIDENCE = "f"


ALLOWED: dict[str, frozenset[str]] = {
    Step.YEAR: frozenset({Action.YEAR}),
    Step.INDICATOR: frozenset({Action.INDICATOR, Action.BACK}),
    Step.VALUE: frozenset({Action.TWO_STEP}),
    Step.NUMERATOR: frozenset(),
    Step.DENOMINATOR: frozenset({Action.TWO_STEP}),
    Step.SURE: frozenset({Action.SURE, Action.NOT_SURE}),
    Step.NOTE: frozenset({Action.SKIP}),
    Step.EVIDENCE: frozenset({Action.SKIP}),
    Step.REVIEW: frozenset({Action.CONFIRM, Action.EDIT, Action.CANCEL}),
    Step.EDIT: frozenset({Action.FIELD, Action.BACK}),
}
STEP_FOR_FIELD = {Field.VALUE: Step.VALUE, Field.NOTE: Step.NOTE, Field.EVIDENCE: Step.EVIDENCE}

# Keys of the conversation's data.
YEAR, CURRENT, ITEMS, PENDING, NUMERATOR, BACK, SOURCE = "year", "current", "items", "pending", "num", "back", "source"


# ---- the draft kept in the conversation ------------------------------------------------------


def _items(conversation: Conversation) -> dict[int, DraftItem]:
    raw = conversation.data.get(ITEMS) or {}
    return {int(number): DraftItem.from_data(item) for number, item in raw.items()}


def _with_items(conversation: Conversation, items: dict[int, DraftItem], step: str, **changes: object) -> Conversation:
    data = {str(number): item.as_data() for number, item in sorted(items.items())}
    return conversation.advance(step, **{ITEMS: data, **changes})


def _current(conversation: Conversation) -> int:
    return int(conversation.data[CURRENT])


def _button(text: str, conversation: Conversation, action: Action, *args: str) -> InlineKeyboardButton:
    return flow_button(text, PREFIX, conversation, action, *args)


# ---- how values and items read ------------------------------------------------------------------


def describe_figure(caller: Caller, percent: Decimal, numerator: Decimal | None, denominator: Decimal | None) -> str:
    """ "40%" or "40% (12/30)", formatted for the caller's language."""
    text = caller.translator.percent(percent, max_decimals=2)
    if numerator is not None and denominator is not None:
        text += f" ({caller.translator.decimal(numerator)}/{caller.translator.decimal(denominator)})"
    return text


def _indicator_title(caller: Caller, indicator: Indicator) -> str:
    return caller._("Indicator {number}: {name}").format(number=indicator.id, name=indicator.name)


def _item_lines(caller: Caller, indicator: Indicator, item: DraftItem) -> list[str]:
    _ = caller._
    none = _("(none)")
    evidence = evidence_label(caller, item.evidence)
    return [
        _indicator_title(caller, indicator),
        "• "
        + _("Figure: {value}").format(value=describe_figure(caller, item.percent, item.numerator, item.denominator)),
        "• " + _("Note: {note}").format(note=item.note or none),
        "• " + _("Evidence: {file}").format(file=evidence),
    ]


# ---- prompts: one per step, also used to ask again ----------------------------------------------


async def render(
    context: ContextTypes.DEFAULT_TYPE, caller: Caller, conversation: Conversation
) -> tuple[str, InlineKeyboardMarkup | None]:
    """The question of the conversation's current step, with its buttons."""
    runtime = runtime_of(context)
    _ = caller._
    step = conversation.step
    if step == Step.YEAR:
        return await _year_prompt(context, caller, conversation)
    year = int(conversation.data[YEAR])
    if step == Step.INDICATOR:
        return await _indicator_prompt(context, caller, conversation, year)
    if step == Step.EDIT:
        return _edit_prompt(context, caller, conversation)
    if step == Step.REVIEW:
        return await _review_prompt(context, caller, conversation, year)
    if step == Step.SURE:
        return _sure_prompt(context, caller, conversation)
    indicator = runtime.intake.indicator_for(caller.identity, _current(conversation))
    title = _indicator_title(caller, indicator)
    if step == Step.VALUE:
        text = "\n".join(
            [
                title,
                _("Enter the percentage for {year}, for example 45,5 or 45,5%, or as a ratio such as 12/30.").format(
                    year=year
                ),
            ]
        )
        return text, InlineKeyboardMarkup(
            [[_button(_("Enter numerator and denominator"), conversation, Action.TWO_STEP)]]
        )
    if step == Step.NUMERATOR:
        question = indicator.numerator_question or _("How many are counted (the numerator)?")
        step_label = _("Step 1 of 2:")
        return f"{title}\n{step_label} {question}", None
    if step == Step.DENOMINATOR:
        question = indicator.denominator_question or _("What is the total (the denominator)?")
        numerator = caller.translator.decimal(Decimal(str(conversation.data[NUMERATOR])))
        numerator_line = _("Numerator: {value}").format(value=numerator)
        step_label = _("Step 2 of 2:")
        text = f"{title}\n{numerator_line}\n{step_label} {question}"
        markup = InlineKeyboardMarkup([[_button(_("Enter the numerator again"), conversation, Action.TWO_STEP)]])
        return text, markup
    skip = InlineKeyboardMarkup([[_button(_("Skip"), conversation, Action.SKIP)]])
    if step == Step.NOTE:
        return f"{title}\n" + _("Add a note (up to 1,000 characters), or press Skip."), skip
    if step == Step.EVIDENCE:
        return f"{title}\n" + _("Send an evidence file (a document or a photo), or press Skip."), skip
    raise ValueError(f"unknown intake step {step!r}")


async def _year_prompt(
    context: ContextTypes.DEFAULT_TYPE, caller: Caller, conversation: Conversation
) -> tuple[str, InlineKeyboardMarkup]:
    runtime = runtime_of(context)
    statuses = await runtime.periods.year_statuses()
    open_year = open_year_of(statuses)
    buttons = []
    for status in reversed(statuses):
        label = str(status.year)
        if status.locked:
            label = "🔒 " + label
        elif status.year == open_year:
            label = caller._("{year} (open)").format(year=status.year)
        buttons.append(_button(label, conversation, Action.YEAR, str(status.year)))
    first, rest = buttons[:1], buttons[1:]
    rows = [first] + [rest[i : i + YEAR_BUTTONS_PER_ROW] for i in range(0, len(rest), YEAR_BUTTONS_PER_ROW)]
    text = caller._("Choose the reporting year. Locked years (🔒) can no longer be changed.")
    return text, InlineKeyboardMarkup(rows)


async def _indicator_prompt(
    context: ContextTypes.DEFAULT_TYPE, caller: Caller, conversation: Conversation, year: int
) -> tuple[str, InlineKeyboardMarkup]:
    runtime = runtime_of(context)
    _ = caller._
    lines = [_("Indicators of {department} for {year}:").format(department=caller.identity.department_name, year=year)]
    buttons = []
    for status in await runtime.intake.statuses(caller.identity, year):
        indicator = status.indicator
        if status.current is None:
            mark, state = "⬜", _("not entered")
        else:
            mark = "✅"
            state = _("entered: {value}").format(value=caller.translator.percent(status.current.value, max_decimals=2))
        lines.append(f"{mark} {indicator.id}. {indicator.name} ({state})")
        label = f"{mark} {indicator.id}. {shorten(indicator.name, 40)}"
        buttons.append([_button(label, conversation, Action.INDICATOR, str(indicator.id))])
    lines.append(_("Choose the indicator to enter:"))
    buttons.append([_button(_("« Other year"), conversation, Action.BACK)])
    return "\n".join(lines), InlineKeyboardMarkup(buttons)


def _sure_prompt(
    context: ContextTypes.DEFAULT_TYPE, caller: Caller, conversation: Conversation
) -> tuple[str, InlineKeyboardMarkup]:
    _ = caller._
    lines = [_("Are you sure?")]
    for raw in conversation.data.get("warnings") or []:
        warning = SoftWarning(
            int(raw["number"]),
            int(raw["previous_year"]),
            Decimal(raw["previous"]),
            Decimal(raw["new"]),
            WarningReason(raw["reason"]),
        )
        values = {
            "number": warning.number,
            "previous_year": warning.previous_year,
            "previous": caller.translator.percent(warning.previous, max_decimals=2),
            "new": caller.translator.percent(warning.new, max_decimals=2),
        }
        if warning.reason is WarningReason.JUMP:
            lines.append(
                _("Indicator {number}: {previous_year} was {previous}, now {new}: a very large change.").format(
                    **values
                )
            )
        else:
            lines.append(
                _("Indicator {number}: {previous_year} was {previous}, now {new}: it should not fall.").format(**values)
            )
    markup = InlineKeyboardMarkup(
        [
            [_button(_("Yes, keep it"), conversation, Action.SURE)],
            [_button(_("No, enter again"), conversation, Action.NOT_SURE)],
        ]
    )
    return "\n".join(lines), markup


async def _review_prompt(
    context: ContextTypes.DEFAULT_TYPE, caller: Caller, conversation: Conversation, year: int
) -> tuple[str, InlineKeyboardMarkup]:
    runtime = runtime_of(context)
    _ = caller._
    items = _items(conversation)
    blocks = [_("Please check before sending. Reporting year {year}:").format(year=year)]
    for number, item in items.items():
        indicator = runtime.intake.indicator_for(caller.identity, number)
        blocks.append("\n".join(_item_lines(caller, indicator, item)))
    others = []
    for status in await runtime.intake.statuses(caller.identity, year):
        if status.indicator.id in items:
            continue
        state = caller.translator.percent(status.current.value, max_decimals=2) if status.current else _("not entered")
        others.append(f"• {status.indicator.id}. {shorten(status.indicator.name, 60)}: {state}")
    if others:
        blocks.append(_("Your department's other indicators for {year}:").format(year=year) + "\n" + "\n".join(others))
    blocks.append(_("Nothing is stored until you press Confirm."))
    markup = InlineKeyboardMarkup(
        [
            [_button(_("Confirm"), conversation, Action.CONFIRM)],
            [_button(_("Edit"), conversation, Action.EDIT), _button(_("Cancel"), conversation, Action.CANCEL)],
        ]
    )
    return "\n\n".join(blocks), markup


def _edit_prompt(
    context: ContextTypes.DEFAULT_TYPE, caller: Caller, conversation: Conversation
) -> tuple[str, InlineKeyboardMarkup]:
    _ = caller._
    items = _items(conversation)
    rows = []
    for number in items:
        suffix = f" ({number})" if len(items) > 1 else ""
        rows.append(
            [
                _button(_("Figure") + suffix, conversation, Action.FIELD, str(number), Field.VALUE),
                _button(_("Note") + suffix, conversation, Action.FIELD, str(number), Field.NOTE),
                _button(_("Evidence") + suffix, conversation, Action.FIELD, str(number), Field.EVIDENCE),
            ]
        )
    rows.append([_button(_("« Back to review"), conversation, Action.BACK)])
    return _("What do you want to change?"), InlineKeyboardMarkup(rows)


async def enter_figures(update: Update, context: ContextTypes.DEFAULT_TYPE, caller: Caller, args: list[str]) -> None:
    if not await _may_enter(update, context, caller):
        return
    if args:
        await _quick_entry(update, context, caller, args)
        return
    if not await _draft_offered(update, context, caller):
        await start_and_ask(update, context, caller, Flow.INTAKE, Step.YEAR, render=render)


async def open_at(
    update: Update, context: ContextTypes.DEFAULT_TYPE, caller: Caller, year: int, number: int | None
) -> None:
    """ "Nhập ngay" on a reminder: straight to the indicator (or the year's list), same checks as /nhap.

    An unsent draft is offered first, so a reminder never throws away what was typed.
    """
    if not await _may_enter(update, context, caller, year, number) or await _draft_offered(update, context, caller):
        return
    if number is None:
        await start_and_ask(update, context, caller, Flow.INTAKE, Step.INDICATOR, {YEAR: year}, render=render)
    else:
        data = {YEAR: year, CURRENT: number}
        await start_and_ask(update, context, caller, Flow.INTAKE, Step.VALUE, data, render=render)


async def _may_enter(
    update: Update,
    context: ContextTypes.DEFAULT_TYPE,
    caller: Caller,
    year: int | None = None,
    number: int | None = None,
) -> bool:
    """The department leads indicators (and this one), and the year is open; otherwise the caller is told why."""
    runtime = runtime_of(context)
    try:
        indicators = runtime.intake.led_indicators(caller.identity)
        if year is not None:
            await runtime.periods.check_open(year, runtime.accounts.planning_office().name)
        if number is not None:
            runtime.intake.indicator_for(caller.identity, number)
    except EntryRefusedError as refusal:
        await reply(update, context, refusal.describe(caller.translator))
        return False
    if not indicators:
        await reply(update, context, _who_leads(context, caller))
        return False
    return True


async def _draft_offered(update: Update, context: ContextTypes.DEFAULT_TYPE, caller: Caller) -> bool:
    """An unsent entry is offered ("Tiếp tục" / "Bắt đầu lại") before anything new starts."""
    existing = await runtime_of(context).conversations.get(caller.identity.telegram_user_id, Flow.INTAKE)
    if existing is None or existing.data.get(YEAR) is None:
        return False
    await _offer_draft(update, context, caller, existing)
    return True


def _who_leads(context: ContextTypes.DEFAULT_TYPE, caller: Caller) -> str:
    runtime = runtime_of(context)
    lines = [
        caller._("Your department ({department}) does not lead any Annex II indicator. They are reported by:").format(
            department=caller.identity.department_name
        )
    ]
    for indicator, leaders in runtime.intake.leaders_of_all():
        lines.append(f"• {indicator.id}. {shorten(indicator.name, 60)}: {', '.join(leaders)}")
    lines.append(caller._("To report progress on your tasks, send /tiendo."))
    return "\n".join(lines)


async def _start_fresh(update: Update, context: ContextTypes.DEFAULT_TYPE, caller: Caller) -> None:
    await start_and_ask(update, context, caller, Flow.INTAKE, Step.YEAR, render=render)


async def _offer_draft(update: Update, context: ContextTypes.DEFAULT_TYPE, caller: Caller, draft: Conversation) -> None:
    _ = caller._
    items = _items(draft)
    summary = ", ".join(
        _("indicator {number}: {value}").format(
            number=number, value=describe_figure(caller, item.percent, item.numerator, item.denominator)
        )
        for number, item in items.items()
    )
    text = _("You have an unsent entry for {year}").format(year=draft.data[YEAR])
    text += f" ({summary})." if summary else "."
    text += "\n" + _("Continue where you stopped, or start again?")
    await reply(update, context, text, draft_offer_markup(caller, PREFIX, draft))


async def _quick_entry(update: Update, context: ContextTypes.DEFAULT_TYPE, caller: Caller, args: list[str]) -> None:
    """`/nhap 2015 1=45,5 2=12/30`: straight to the review screen, with the same checks."""
    runtime = runtime_of(context)
    try:
        entry = parse_quick_entry(args)
    except QuickEntryError as error:
        await reply(update, context, error.describe(caller.translator))
        return
    office = runtime.accounts.planning_office()
    year = entry.year or await runtime.periods.open_year()
    if year is None:
        await reply(update, context, caller._("Every reporting year is locked. Please contact the planning office."))
        return
    try:
        await runtime.periods.check_open(year, office.name)
        for number, _figure in entry.items:
            runtime.intake.indicator_for(caller.identity, number)
    except EntryRefusedError as refusal:
        await reply(update, context, refusal.describe(caller.translator))
        return
    items = {number: DraftItem.from_figure(number, figure) for number, figure in entry.items}
    conversation = await runtime.conversations.start(caller.identity.telegram_user_id, Flow.INTAKE, Step.REVIEW)
    warnings = [w for n, item in items.items() if (w := await runtime.intake.soft_check(n, year, item.percent))]
    step = Step.SURE if warnings else Step.REVIEW
    conversation = _with_items(
        conversation,
        items,
        step,
        **{YEAR: year, SOURCE: ValueSource.QUICK.value, "warnings": [_warning_data(w) for w in warnings]},
    )
    await save_and_ask(update, context, caller, conversation, render=render)


def _warning_data(warning: SoftWarning) -> dict[str, object]:
    return {
        "number": warning.number,
        "previous_year": warning.previous_year,
        "previous": str(warning.previous),
        "new": str(warning.new),
        "reason": warning.reason.value,
    }


# ---- typed answers -------------------------------------------------------------------------------


async def on_input(
    update: Update, context: ContextTypes.DEFAULT_TYPE, caller: Caller, conversation: Conversation
) -> None:
    """A message while an /nhap conversation is active: the answer to its current step."""
    message = update.effective_message
    step = conversation.step
    if step == Step.EVIDENCE:
        await _evidence_input(update, context, caller, conversation)
        return
    text = text_of(message)
    if step not in {Step.VALUE, Step.NUMERATOR, Step.DENOMINATOR, Step.NOTE}:
        await ask_again(
            update, context, caller, conversation, caller._("Please answer with the buttons below."), render=render
        )
        return
    if text is None:
        problem = FigureError(FigureProblem.NOT_TEXT).describe(caller.translator)
        await ask_again(update, context, caller, conversation, problem, render=render)
        return
    try:
        if step == Step.VALUE:
            await _figure_entered(update, context, caller, conversation, parse_figure(text))
        elif step == Step.NUMERATOR:
            numerator = parse_count(text)
            await save_and_ask(
                update,
                context,
                caller,
                conversation.advance(Step.DENOMINATOR, **{NUMERATOR: str(numerator)}),
                render=render,
            )
        elif step == Step.DENOMINATOR:
            figure = ratio_figure(Decimal(str(conversation.data[NUMERATOR])), parse_count(text))
            await _figure_entered(update, context, caller, conversation.without(NUMERATOR), figure)
        else:
            await _note_entered(update, context, caller, conversation, clean_note(text))
    except FigureError as error:
        await ask_again(update, context, caller, conversation, error.describe(caller.translator), render=render)
    except EntryRefusedError as refusal:
        await ask_again(update, context, caller, conversation, refusal.describe(caller.translator), render=render)


async def _figure_entered(
    update: Update, context: ContextTypes.DEFAULT_TYPE, caller: Caller, conversation: Conversation, figure: Figure
) -> None:
    """Show the computed percentage, then the soft check, then the next step."""
    runtime = runtime_of(context)
    number, year = _current(conversation), int(conversation.data[YEAR])
    shown = caller._("Recorded in the draft: {value}.").format(
        value=describe_figure(caller, figure.percent, figure.numerator, figure.denominator)
    )
    pending = DraftItem.from_figure(number, figure)
    warning = await runtime.intake.soft_check(number, year, figure.percent)
    if warning is not None:
        conversation = conversation.advance(
            Step.SURE, **{PENDING: pending.as_data(), "warnings": [_warning_data(warning)]}
        )
        await save_and_ask(update, context, caller, conversation, shown, render=render)
        return
    await _accept_figure(update, context, caller, conversation, pending, shown)


async def _accept_figure(
    update: Update,
    context: ContextTypes.DEFAULT_TYPE,
    caller: Caller,
    conversation: Conversation,
    figure_item: DraftItem,
    shown: str = "",
) -> None:
    items = _items(conversation)
    number = figure_item.number
    previous = items.get(number)
    items[number] = previous.with_figure(_as_figure(figure_item)) if previous else figure_item
    step = Step.REVIEW if conversation.data.get(BACK) else Step.NOTE
    conversation = _with_items(conversation.without(PENDING, "warnings"), items, step)
    await save_and_ask(update, context, caller, conversation, shown, render=render)


def _as_figure(item: DraftItem) -> Figure:
    return Figure(item.percent, item.numerator, item.denominator)


async def _note_entered(
    update: Update, context: ContextTypes.DEFAULT_TYPE, caller: Caller, conversation: Conversation, note: str | None
) -> None:
    items = _items(conversation)
    number = _current(conversation)
    item = items[number]
    items[number] = DraftItem(item.number, item.percent, item.numerator, item.denominator, note, item.evidence)
    step = Step.REVIEW if conversation.data.get(BACK) else Step.EVIDENCE
    await save_and_ask(update, context, caller, _with_items(conversation, items, step), render=render)


async def _evidence_input(
    update: Update, context: ContextTypes.DEFAULT_TYPE, caller: Caller, conversation: Conversation
) -> None:
    try:
        evidence = received_evidence(update.effective_message)
    except EntryRefusedError as refusal:
        await ask_again(update, context, caller, conversation, refusal.describe(caller.translator), render=render)
        return
    items = _items(conversation)
    number = _current(conversation)
    item = items[number]
    items[number] = DraftItem(item.number, item.percent, item.numerator, item.denominator, item.note, evidence)
    shown = caller._("File received: {name}.").format(name=evidence_label(caller, evidence))
    await save_and_ask(update, context, caller, _with_items(conversation, items, Step.REVIEW), shown, render=render)


# ---- buttons -------------------------------------------------------------------------------------


async def on_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    press = await accept_press(update, context, PREFIX, Flow.INTAKE, ALLOWED, Command.ENTER_FIGURES, DRAFT_ACTIONS)
    if press is None:
        return
    await handle_press(update, context, press, _pressed, render=render, start_fresh=_start_fresh)


async def _pressed(update: Update, context: ContextTypes.DEFAULT_TYPE, press: Press) -> None:
    runtime = runtime_of(context)
    caller, conversation, action, args = press.caller, press.conversation, press.action, press.args
    user_id = caller.identity.telegram_user_id
    if action == Action.YEAR:
        year = _int_arg(args)
        await runtime.periods.check_open(year, runtime.accounts.planning_office().name)
        await save_and_ask(update, context, caller, conversation.advance(Step.INDICATOR, **{YEAR: year}), render=render)
    elif action == Action.INDICATOR:
        number = _int_arg(args)
        runtime.intake.indicator_for(caller.identity, number)
        await runtime.periods.check_open(int(conversation.data[YEAR]), runtime.accounts.planning_office().name)
        await save_and_ask(
            update, context, caller, conversation.advance(Step.VALUE, **{CURRENT: number}), render=render
        )
    elif action == Action.BACK:
        step = Step.YEAR if conversation.step == Step.INDICATOR else Step.REVIEW
        await save_and_ask(update, context, caller, conversation.advance(step), render=render)
    elif action == Action.TWO_STEP:
        await save_and_ask(
            update, context, caller, conversation.without(NUMERATOR).advance(Step.NUMERATOR), render=render
        )
    elif action == Action.SURE:
        await _sure(update, context, caller, conversation)
    elif action == Action.NOT_SURE:
        step = Step.EDIT if conversation.data.get(SOURCE) == ValueSource.QUICK else Step.VALUE
        await save_and_ask(
            update, context, caller, conversation.without(PENDING, "warnings").advance(step), render=render
        )
    elif action == Action.SKIP:
        await _skipped(update, context, caller, conversation)
    elif action == Action.CONFIRM:
        await _confirm(update, context, caller, conversation)
    elif action == Action.EDIT:
        await save_and_ask(update, context, caller, conversation.advance(Step.EDIT), render=render)
    elif action == Action.FIELD:
        await _edit_field(update, context, caller, conversation, args)
    elif action == Action.CANCEL:
        await runtime.conversations.finish(user_id, Flow.INTAKE)
        await reply(update, context, caller._("Cancelled. Nothing was stored."))


def _int_arg(args: tuple[str, ...]) -> int:
    if len(args) != 1 or not args[0].isdigit() or len(args[0]) > 4:
        raise ValueError(f"bad button argument {args!r}")
    return int(args[0])


async def _sure(update: Update, context: ContextTypes.DEFAULT_TYPE, caller: Caller, conversation: Conversation) -> None:
    pending = conversation.data.get(PENDING)
    if pending is None:  # quick entry: the items are already in the draft
        await save_and_ask(
            update, context, caller, conversation.without("warnings").advance(Step.REVIEW), render=render
        )
        return
    await _accept_figure(update, context, caller, conversation, DraftItem.from_data(pending))


async def _skipped(
    update: Update, context: ContextTypes.DEFAULT_TYPE, caller: Caller, conversation: Conversation
) -> None:
    if conversation.step == Step.NOTE:
        await _note_entered(update, context, caller, conversation, None)
        return
    items = _items(conversation)
    number = _current(conversation)
    item = items[number]
    items[number] = DraftItem(item.number, item.percent, item.numerator, item.denominator, item.note, None)
    await save_and_ask(update, context, caller, _with_items(conversation, items, Step.REVIEW), render=render)


async def _edit_field(
    update: Update,
    context: ContextTypes.DEFAULT_TYPE,
    caller: Caller,
    conversation: Conversation,
    args: tuple[str, ...],
) -> None:
    if len(args) != 2 or not args[0].isdigit() or args[1] not in {f.value for f in Field}:
        raise ValueError(f"bad edit button {args!r}")
    number = int(args[0])
    if number not in _items(conversation):
        raise ValueError(f"indicator {number} is not in the draft")
    step = STEP_FOR_FIELD[Field(args[1])]
    await save_and_ask(
        update, context, caller, conversation.advance(step, **{CURRENT: number, BACK: True}), render=render
    )


async def _confirm(
    update: Update, context: ContextTypes.DEFAULT_TYPE, caller: Caller, conversation: Conversation
) -> None:
    runtime = runtime_of(context)
    year = int(conversation.data[YEAR])
    source = ValueSource(conversation.data.get(SOURCE) or ValueSource.CHAT.value)
    office = runtime.accounts.planning_office()
    try:
        stored = await runtime.intake.confirm(
            caller.identity, year, list(_items(conversation).values()), office, source
        )
    except EntryRefusedError as refusal:
        await runtime.conversations.finish(caller.identity.telegram_user_id, Flow.INTAKE)
        await reply(update, context, refusal.describe(caller.translator))
        return
    await runtime.conversations.finish(caller.identity.telegram_user_id, Flow.INTAKE)
    lines = [caller._("Saved. Figures for {year}:").format(year=year)]
    for confirmed in stored:
        value = confirmed.value
        lines.append(
            "• "
            + caller._("Indicator {number}: {value} (version {version}, {when})").format(
                number=confirmed.number,
                value=describe_figure(caller, value.value, value.numerator, value.denominator),
                version=value.version,
                when=caller.translator.datetime(value.entered_at, runtime.settings.tz),
            )
        )
    lines.append(caller._("You can correct them until the year is locked: send /nhap again. History: /lichsu."))
    await reply(update, context, "\n".join(lines))
