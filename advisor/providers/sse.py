"""A small Server-Sent Events decoder that follows the WHATWG spec line by line.

Pure: no I/O. :class:`LineSplitter` turns byte chunks into lines (a line ends
with CRLF, LF or CR, and a CR at the end of one chunk followed by LF at the
start of the next is one line break). :class:`SSEDecoder` turns lines into
:class:`ServerSentEvent` values:

* an empty line dispatches the event being built;
* a line starting with ``:`` is a comment and is ignored;
* ``field:value`` sets a field, with one leading space of the value removed;
  a line without ``:`` is a field with an empty value;
* ``data`` lines accumulate joined by ``\\n``; ``event`` sets the type
  (default ``message``); ``id`` is ignored when it contains NUL; ``retry``
  is kept only when it is all ASCII digits; unknown fields are ignored;
* an event whose data buffer is empty is not dispatched (spec step 2).
"""

from __future__ import annotations

import codecs
import json
import re
from collections.abc import AsyncIterator, Iterable
from dataclasses import dataclass
from typing import Any

__all__ = ["ServerSentEvent", "SSEDecoder", "LineSplitter", "decode_lines", "aiter_sse"]


@dataclass(frozen=True)
class ServerSentEvent:
    event: str = "message"
    data: str = ""
    id: str | None = None
    retry: int | None = None

    def json(self) -> Any:
        return json.loads(self.data)


class SSEDecoder:
    """Feed lines (without their line break); get an event on each blank line."""

    def __init__(self) -> None:
        self._event = ""
        self._data: list[str] = []
        self._last_id: str | None = None
        self._retry: int | None = None

    def decode(self, line: str) -> ServerSentEvent | None:
        if line == "":
            if not self._data:
                self._event = ""
                return None
            sse = ServerSentEvent(
                event=self._event or "message",
                data="\n".join(self._data),
                id=self._last_id,
                retry=self._retry,
            )
            self._event = ""
            self._data = []
            return sse
        if line.startswith(":"):
            return None
        name, sep, value = line.partition(":")
        if sep and value.startswith(" "):
            value = value[1:]
        if name == "event":
            self._event = value
        elif name == "data":
            self._data.append(value)
        elif name == "id":
            if "\x00" not in value:
                self._last_id = value
        elif name == "retry":
            if value.isascii() and value.isdigit():
                self._retry = int(value)
        return None

    def pending(self) -> bool:
        """True when an event was being built but the stream ended before its blank line."""
        return bool(self._data)


_BREAK = re.compile(r"\r\n|\r|\n")


class LineSplitter:
    """Incrementally split UTF-8 byte chunks into lines on CRLF, LF or CR.

    Each chunk is scanned once (a long line arriving in many chunks is kept as
    pieces and joined when it ends), so the cost is linear in the bytes fed;
    ``pending_chars`` says how long the unfinished line has grown."""

    def __init__(self) -> None:
        self._decoder = codecs.getincrementaldecoder("utf-8")(errors="replace")
        self._buf: list[str] = []
        self.pending_chars = 0
        self._pending_cr = False

    def feed(self, chunk: bytes) -> list[str]:
        text = self._decoder.decode(chunk)
        if self._pending_cr and text:
            self._pending_cr = False
            if text.startswith("\n"):
                text = text[1:]
        if not text:
            return []
        pieces = _BREAK.split(text)
        if len(pieces) == 1:
            self._buf.append(text)
            self.pending_chars += len(text)
            return []
        lines = ["".join(self._buf) + pieces[0], *pieces[1:-1]]
        last = pieces[-1]
        self._buf = [last] if last else []
        self.pending_chars = len(last)
        self._pending_cr = text.endswith("\r")
        return lines

    def flush(self) -> list[str]:
        """Lines left when the stream ends (an unterminated last line)."""
        rest = "".join(self._buf) + self._decoder.decode(b"", final=True)
        self._buf = []
        self.pending_chars = 0
        return [rest] if rest else []


def decode_lines(lines: Iterable[str]) -> list[ServerSentEvent]:
    """Decode a complete list of lines (handy for tests and fixtures)."""
    dec = SSEDecoder()
    out = []
    for line in lines:
        ev = dec.decode(line)
        if ev is not None:
            out.append(ev)
    return out


def decode_bytes(chunks: Iterable[bytes]) -> list[ServerSentEvent]:
    splitter = LineSplitter()
    lines: list[str] = []
    for chunk in chunks:
        lines.extend(splitter.feed(chunk))
    lines.extend(splitter.flush())
    return decode_lines(lines)


async def aiter_sse(chunks: AsyncIterator[bytes]) -> AsyncIterator[ServerSentEvent]:
    """Events from an async byte stream; an unterminated final event is dropped (spec)."""
    splitter = LineSplitter()
    dec = SSEDecoder()
    async for chunk in chunks:
        for line in splitter.feed(chunk):
            ev = dec.decode(line)
            if ev is not None:
                yield ev
    for line in splitter.flush():
        dec.decode(line)
