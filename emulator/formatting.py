"""Text rules of the Bot API: UTF-16 lengths, HTML parse mode, command entities.

Telegram parses ``parse_mode=HTML`` text into plain text plus entities and refuses malformed
markup with "Bad Request: can't parse entities: ...". Doing the same here catches unescaped
``<`` in user-supplied text in tests. Markdown modes are passed through unparsed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from emulator.errors import ApiError, bad_request

MAX_TEXT = 4096
MAX_CAPTION = 1024

_SIMPLE_TAGS = {
    "b": "bold",
    "strong": "bold",
    "i": "italic",
    "em": "italic",
    "u": "underline",
    "ins": "underline",
    "s": "strikethrough",
    "strike": "strikethrough",
    "del": "strikethrough",
    "tg-spoiler": "spoiler",
    "code": "code",
    "pre": "pre",
    "blockquote": "blockquote",
}
_SUPPORTED = {*_SIMPLE_TAGS, "a", "span", "tg-emoji"}
_NAMED_ENTITIES = {"lt": "<", "gt": ">", "amp": "&", "quot": '"'}
_ENTITY_RE = re.compile(r"&(?:#(\d{1,7})|#[xX]([0-9a-fA-F]{1,6})|([a-zA-Z]+));")
_ATTR_RE = re.compile(r"""\s*([a-zA-Z_-]+)\s*(?:=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'>]+)))?""")
_COMMAND_RE = re.compile(r"^/[A-Za-z0-9_]{1,64}(?:@[A-Za-z0-9_]{1,64})?")


def utf16_len(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def command_entities(text: str) -> list[dict[str, Any]]:
    """The ``bot_command`` entity Telegram attaches to a message starting with ``/command``."""
    match = _COMMAND_RE.match(text)
    if not match:
        return []
    return [{"type": "bot_command", "offset": 0, "length": utf16_len(match.group(0))}]


def _parse_error(reason: str) -> ApiError:
    return bad_request(f"can't parse entities: {reason}")


@dataclass
class _Open:
    tag: str
    start: int  # UTF-16 offset in the output
    entity: dict[str, Any] | None
    byte_offset: int


@dataclass
class _HtmlParser:
    source: str
    out: list[str] = field(default_factory=list)
    length: int = 0  # UTF-16 length of the output so far
    entities: list[dict[str, Any]] = field(default_factory=list)
    stack: list[_Open] = field(default_factory=list)

    def byte_offset(self, index: int) -> int:
        return len(self.source[:index].encode("utf-8"))

    def emit(self, text: str) -> None:
        self.out.append(text)
        self.length += utf16_len(text)

    def run(self) -> tuple[str, list[dict[str, Any]]]:
        src = self.source
        i = 0
        while i < len(src):
            ch = src[i]
            if ch == "<":
                i = self.tag(i)
            elif ch == "&":
                match = _ENTITY_RE.match(src, i)
                decoded = _decode_entity(match) if match else None
                if match and decoded is not None:
                    self.emit(decoded)
                    i = match.end()
                else:
                    self.emit("&")
                    i += 1
            else:
                nxt = min((p for p in (src.find("<", i), src.find("&", i)) if p != -1), default=len(src))
                self.emit(src[i:nxt])
                i = nxt
        if self.stack:
            raise _parse_error(f'Can\'t find end tag corresponding to start tag "{self.stack[-1].tag}"')
        self.entities.sort(key=lambda e: (e["offset"], -e["length"]))
        return "".join(self.out), self.entities

    def tag(self, i: int) -> int:
        src = self.source
        end = src.find(">", i)
        if end == -1:
            raise _parse_error(f"Unclosed start tag at byte offset {self.byte_offset(i)}")
        body = src[i + 1 : end]
        if body.startswith("/"):
            self.close(body[1:].strip().lower(), i)
            return end + 1
        name_match = re.match(r"[a-zA-Z][a-zA-Z0-9-]*", body)
        name = name_match.group(0).lower() if name_match else ""
        if name not in _SUPPORTED:
            raise _parse_error(f'Unsupported start tag "{name}" at byte offset {self.byte_offset(i)}')
        attrs = {
            m.group(1).lower(): m.group(2) or m.group(3) or m.group(4) or ""
            for m in _ATTR_RE.finditer(body[len(name) :])
            if m.group(1)
        }
        self.stack.append(_Open(name, self.length, self.open_entity(name, attrs, i), self.byte_offset(i)))
        return end + 1

    def open_entity(self, name: str, attrs: dict[str, str], i: int) -> dict[str, Any] | None:
        if name == "a":
            href = attrs.get("href", "")
            return {"type": "text_link", "url": href} if href else None
        if name == "span":
            if attrs.get("class") != "tg-spoiler":
                offset = self.byte_offset(i)
                raise _parse_error(f'Tag "span" must have class "tg-spoiler" at byte offset {offset}')
            return {"type": "spoiler"}
        if name == "tg-emoji":
            return {"type": "custom_emoji", "custom_emoji_id": attrs.get("emoji-id", "")}
        if name == "blockquote" and "expandable" in attrs:
            return {"type": "expandable_blockquote"}
        if name == "code" and self.stack and self.stack[-1].tag == "pre":
            language = attrs.get("class", "")
            pre = self.stack[-1].entity
            if pre is not None and language.startswith("language-"):
                pre["language"] = language.removeprefix("language-")
            return None
        return {"type": _SIMPLE_TAGS[name]}

    def close(self, name: str, i: int) -> None:
        if not self.stack:
            raise _parse_error(f"Unexpected end tag at byte offset {self.byte_offset(i)}")
        top = self.stack.pop()
        if top.tag != name:
            raise _parse_error(
                f"Unmatched end tag at byte offset {self.byte_offset(i)}, "
                f'expected "</{top.tag}>", found "</{name}>"'
            )
        if top.entity is not None and self.length > top.start:
            self.entities.append({**top.entity, "offset": top.start, "length": self.length - top.start})


def _decode_entity(match: re.Match[str]) -> str | None:
    decimal, hexadecimal, name = match.groups()
    if name is not None:
        return _NAMED_ENTITIES.get(name)
    code = int(decimal) if decimal is not None else int(hexadecimal, 16)
    if code == 0 or code > 0x10FFFF or 0xD800 <= code <= 0xDFFF:
        return None
    return chr(code)


def parse_html(text: str) -> tuple[str, list[dict[str, Any]]]:
    return _HtmlParser(text).run()


def render_text(
    text: str | None,
    parse_mode: str | None,
    entities: list[dict[str, Any]] | None,
    *,
    limit: int = MAX_TEXT,
    caption: bool = False,
) -> tuple[str, list[dict[str, Any]]]:
    """Apply the parse mode and Telegram's length rules; returns (plain text, entities)."""
    what = "message caption" if caption else "message text"
    if text is None or text == "":
        if caption:
            return "", []
        raise bad_request(f"{what} is empty")
    mode = (parse_mode or "").lower()
    if mode == "html":
        plain, found = parse_html(text)
    else:
        plain, found = text, list(entities or [])
    stripped = plain.strip()
    if not stripped:
        if caption:
            return "", []
        raise bad_request(f"{what} is empty")
    if utf16_len(stripped) > limit:
        raise bad_request("message caption is too long" if caption else "message is too long")
    return plain, found
