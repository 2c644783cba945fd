"""Bot API methods that send, edit and delete messages, and answer callback queries."""

from __future__ import annotations

import copy
import mimetypes
import struct
from typing import Any

from emulator.call import Call, Handler, find_chat, find_chat_for_edit
from emulator.errors import bad_request
from emulator.formatting import MAX_CAPTION, render_text
from emulator.markup import parse_markup
from emulator.models import CallbackAnswer, Markup, SentMessage, StoredFile
from emulator.state import ChatState

NOT_MODIFIED = (
    "message is not modified: specified new message content and reply markup are exactly the same "
    "as a current content and reply markup of the message"
)
CHAT_ACTIONS = frozenset(
    {
        "typing",
        "upload_photo",
        "record_video",
        "upload_video",
        "record_voice",
        "upload_voice",
        "upload_document",
        "choose_sticker",
        "find_location",
        "record_video_note",
        "upload_video_note",
    }
)


def _reply_target(call: Call, chat: ChatState) -> int | None:
    p = call.params
    reply = p.json_value("reply_parameters")
    if isinstance(reply, dict):
        message_id = reply.get("message_id")
        allow = bool(reply.get("allow_sending_without_reply"))
    else:
        message_id = p.opt_int("reply_to_message_id")
        allow = p.flag("allow_sending_without_reply")
    if message_id is None:
        return None
    if not isinstance(message_id, int) or message_id not in chat.messages:
        if allow:
            return None
        raise bad_request("message to be replied not found")
    return message_id


def _publish(call: Call, chat: ChatState, fields: dict[str, Any], markup: Markup | None) -> SentMessage:
    """Store a new bot message in ``chat`` and wake user-side waiters."""
    hub, bot = call.hub, call.bot
    reply_to = _reply_target(call, chat)
    message_id = chat.take_message_id()
    raw: dict[str, Any] = {
        "message_id": message_id,
        "from": bot.profile.as_user(),
        "chat": chat.as_chat(),
        "date": hub.now(),
        **fields,
    }
    if reply_to is not None:
        replied = {k: v for k, v in chat.messages[reply_to].items() if k != "reply_to_message"}
        raw["reply_to_message"] = replied
    if markup is not None and markup.kind == "inline":
        raw["reply_markup"] = markup.raw
    sent = SentMessage(
        message_id=message_id,
        chat_id=chat.id,
        date=raw["date"],
        raw=raw,
        text=fields.get("text"),
        caption=fields.get("caption"),
        entities=list(fields.get("entities") or fields.get("caption_entities") or []),
        parse_mode=call.params.opt_str("parse_mode"),
        source_text=call.params.opt_str("text") or call.params.opt_str("caption"),
        reply_markup=markup,
        reply_to_message_id=reply_to,
        link_preview_options=fields.get("link_preview_options"),
    )
    if markup is not None and markup.kind == "reply":
        chat.reply_keyboard = markup
    elif markup is not None and markup.kind == "remove":
        chat.reply_keyboard = None
    chat.messages[message_id] = raw
    chat.bot_messages.append(sent)
    chat.by_id[message_id] = sent
    hub.changed.bump()
    return sent


async def send_message(call: Call) -> Any:
    p = call.params
    chat = find_chat(call, for_sending=True)
    text, entities = render_text(p.opt_str("text"), p.opt_str("parse_mode"), p.json_value("entities"))
    markup = parse_markup(p.json_value("reply_markup"))
    fields: dict[str, Any] = {"text": text}
    if entities:
        fields["entities"] = entities
    preview = p.json_value("link_preview_options")
    if preview:
        fields["link_preview_options"] = preview
    return _publish(call, chat, fields, markup).raw


def _image_size(data: bytes) -> tuple[int, int] | None:
    if data.startswith(b"\x89PNG\r\n\x1a\n") and len(data) >= 24:
        width, height = struct.unpack(">II", data[16:24])
        return int(width), int(height)
    if data[:6] in (b"GIF87a", b"GIF89a") and len(data) >= 10:
        width, height = struct.unpack("<HH", data[6:10])
        return int(width), int(height)
    if data.startswith(b"\xff\xd8"):
        return 800, 600  # JPEG: dimensions are not worth decoding here
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return 512, 512
    return None


def _input_file(call: Call, field: str, folder: str) -> StoredFile:
    """An uploaded file (multipart, possibly via attach://) or a file_id sent before."""
    p = call.params
    upload = p.files.get(field)
    value = p.opt_str(field)
    if upload is None and value and value.startswith("attach://"):
        upload = p.files.get(value.removeprefix("attach://"))
        if upload is None:
            raise bad_request(f"file {value} not found in the request")
    if upload is not None:
        if not upload.data:
            raise bad_request("file must be non-empty")
        mime = upload.content_type
        if not mime or mime == "application/octet-stream":
            mime = mimetypes.guess_type(upload.filename)[0] or mime or "application/octet-stream"
        return call.hub.store_file(upload.data, upload.filename, mime, folder)
    if not value:
        raise bad_request(f"there is no {field} in the request")
    if value.startswith(("http://", "https://")):
        raise bad_request("failed to get HTTP URL content")
    stored = call.hub.files.get(value)
    if stored is None:
        raise bad_request("wrong file identifier/HTTP URL specified")
    if not stored.file_path.startswith(f"{folder}/"):
        raise bad_request(f"type of file mismatch: can't use file of another type as {field}")
    return stored


def _caption_fields(call: Call) -> dict[str, Any]:
    p = call.params
    caption, entities = render_text(
        p.opt_str("caption"),
        p.opt_str("parse_mode"),
        p.json_value("caption_entities"),
        limit=MAX_CAPTION,
        caption=True,
    )
    fields: dict[str, Any] = {}
    if caption:
        fields["caption"] = caption
        if entities:
            fields["caption_entities"] = entities
    return fields


def document_json(stored: StoredFile) -> dict[str, Any]:
    data: dict[str, Any] = {
        "file_id": stored.file_id,
        "file_unique_id": stored.file_unique_id,
        "file_size": stored.size,
    }
    if stored.filename:
        data["file_name"] = stored.filename
    if stored.mime_type:
        data["mime_type"] = stored.mime_type
    return data


def photo_json(stored: StoredFile) -> list[dict[str, Any]]:
    width, height = _image_size(stored.data) or (1, 1)
    return [
        {
            "file_id": stored.file_id,
            "file_unique_id": stored.file_unique_id,
            "width": width,
            "height": height,
            "file_size": stored.size,
        }
    ]


async def send_document(call: Call) -> Any:
    chat = find_chat(call, for_sending=True)
    stored = _input_file(call, "document", "documents")
    fields = {"document": document_json(stored), **_caption_fields(call)}
    sent = _publish(call, chat, fields, parse_markup(call.params.json_value("reply_markup")))
    sent.document = stored
    return sent.raw


async def send_photo(call: Call) -> Any:
    chat = find_chat(call, for_sending=True)
    if "photo" in call.params.files and _image_size(call.params.files["photo"].data) is None:
        raise bad_request("IMAGE_PROCESS_FAILED")
    stored = _input_file(call, "photo", "photos")
    fields = {"photo": photo_json(stored), **_caption_fields(call)}
    sent = _publish(call, chat, fields, parse_markup(call.params.json_value("reply_markup")))
    sent.photo = stored
    return sent.raw


def _editable(call: Call) -> tuple[ChatState, SentMessage]:
    chat = find_chat_for_edit(call)
    message_id = call.params.req_int("message_id", "message identifier is not specified")
    sent = chat.by_id.get(message_id)
    if sent is None and message_id in chat.messages:
        raise bad_request("message can't be edited")
    if sent is None or sent.deleted:
        raise bad_request("message to edit not found")
    return chat, sent


def _inline_only(call: Call) -> Markup | None:
    markup = parse_markup(call.params.json_value("reply_markup"))
    if markup is not None and markup.kind != "inline":
        raise bad_request("inline keyboard expected")
    return markup


def _apply_edit(call: Call, sent: SentMessage, changes: dict[str, Any], markup: Markup | None) -> Any:
    old_markup = sent.raw.get("reply_markup")
    new_markup = markup.raw if markup is not None else None
    unchanged = all(sent.raw.get(k) == v for k, v in changes.items()) and old_markup == new_markup
    if unchanged:
        raise bad_request(NOT_MODIFIED)
    sent.history.append(copy.deepcopy(sent.raw))
    raw = {k: v for k, v in sent.raw.items() if k not in changes and k != "reply_markup"}
    raw.update({k: v for k, v in changes.items() if v})
    if new_markup is not None:
        raw["reply_markup"] = new_markup
    raw["edit_date"] = call.hub.now()
    sent.raw = raw
    sent.reply_markup = markup
    sent.edit_count += 1
    sent.edit_date = raw["edit_date"]
    call.hub.changed.bump()
    return raw


async def edit_message_text(call: Call) -> Any:
    p = call.params
    chat, sent = _editable(call)
    if sent.text is None:
        raise bad_request("there is no text in the message to edit")
    text, entities = render_text(p.opt_str("text"), p.opt_str("parse_mode"), p.json_value("entities"))
    changes: dict[str, Any] = {"text": text, "entities": entities or None}
    if p.has("link_preview_options"):
        changes["link_preview_options"] = p.json_value("link_preview_options")
    raw = _apply_edit(call, sent, changes, _inline_only(call))
    sent.text, sent.entities = text, entities
    sent.parse_mode, sent.source_text = p.opt_str("parse_mode"), p.opt_str("text")
    chat.messages[sent.message_id] = raw
    return raw


async def edit_message_caption(call: Call) -> Any:
    chat, sent = _editable(call)
    if sent.document is None and sent.photo is None:
        raise bad_request("there is no caption in the message to edit")
    fields = _caption_fields(call)
    changes = {"caption": fields.get("caption"), "caption_entities": fields.get("caption_entities")}
    raw = _apply_edit(call, sent, changes, _inline_only(call))
    sent.caption, sent.entities = fields.get("caption"), list(fields.get("caption_entities") or [])
    chat.messages[sent.message_id] = raw
    return raw


async def edit_message_reply_markup(call: Call) -> Any:
    chat, sent = _editable(call)
    raw = _apply_edit(call, sent, {}, _inline_only(call))
    chat.messages[sent.message_id] = raw
    return raw


def _delete(chat: ChatState, message_id: int) -> bool:
    if message_id not in chat.messages:
        return False
    del chat.messages[message_id]
    sent = chat.by_id.get(message_id)
    if sent is not None:
        sent.deleted = True
    return True


async def delete_message(call: Call) -> Any:
    chat = find_chat_for_edit(call)
    message_id = call.params.req_int("message_id", "message identifier is not specified")
    if not _delete(chat, message_id):
        raise bad_request("message to delete not found")
    call.hub.changed.bump()
    return True


async def delete_messages(call: Call) -> Any:
    chat = find_chat_for_edit(call)
    ids = call.params.json_value("message_ids")
    if not isinstance(ids, list) or not ids:
        raise bad_request("message_ids is empty")
    for message_id in ids:
        _delete(chat, int(message_id))
    call.hub.changed.bump()
    return True


async def answer_callback_query(call: Call) -> Any:
    p = call.params
    query_id = p.req_str("callback_query_id", "QUERY_ID_INVALID")
    query = call.bot.queries.get(query_id)
    if query is None or query.answered:
        raise bad_request("query is too old and response timeout expired or query ID is invalid")
    text = p.opt_str("text")
    if text is not None and len(text) > 200:
        raise bad_request("MESSAGE_TOO_LONG")
    query.answered = True
    answer = CallbackAnswer(query_id, text, p.flag("show_alert"), p.opt_str("url"))
    chat = call.bot.chats.get(query.user_id)  # the answer is shown to the user who pressed
    if chat is not None:
        chat.callback_answers.append(answer)
    call.hub.changed.bump()
    return True


async def send_chat_action(call: Call) -> Any:
    chat = find_chat(call, for_sending=True)
    action = call.params.req_str("action", "action is empty")
    if action not in CHAT_ACTIONS:
        raise bad_request("wrong parameter action in request")
    chat.actions.append(action)
    call.hub.changed.bump()
    return True


MESSAGE_METHODS: dict[str, Handler] = {
    "sendMessage": send_message,
    "sendDocument": send_document,
    "sendPhoto": send_photo,
    "editMessageText": edit_message_text,
    "editMessageCaption": edit_message_caption,
    "editMessageReplyMarkup": edit_message_reply_markup,
    "deleteMessage": delete_message,
    "deleteMessages": delete_messages,
    "answerCallbackQuery": answer_callback_query,
    "sendChatAction": send_chat_action,
}
