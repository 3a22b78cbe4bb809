"""How many input tokens a request can be, before and without a tokenizer.

Two measures of a prompt (the text advisor sends: system, messages, and the JSON
instruction when the request asks for JSON):

* ``bound``, with no tokenizer: a byte-level BPE (every OpenAI encoding) makes at
  most one token per UTF-8 byte, and a SentencePiece with byte fallback at most
  one per byte of its normalised text; NFKC normalisation can lengthen text
  (U+FDFA is 3 bytes and 33 after NFKC), so the bound is the longer of the two
  byte counts, plus framing per message. The spend cap reserves against it, so a
  run sends its first request without loading a tokenizer (a third of a second
  for o200k_base). What a provider adds on its side and advisor does not send as
  text (a tool-use system prompt, a chat template's date line) is not in it: a
  reply that reports more is counted at the bound and flagged.
* ``counted``, with the tokenizer (approximate for a model whose tokenizer advisor
  does not have, with a margin): the dry run shows it, a reply without usage is
  billed by it, and a call that may have been billed without a usage report
  counts at it. Counted once, off the event loop when a run needs it
  (:meth:`PromptSize.acounted`), so a stream in flight is never stalled by the
  tokenizer's load.
"""

from __future__ import annotations

import asyncio
import math
import unicodedata

from advisor.core.tokens import count_for_model

__all__ = ["APPROX_MARGIN", "FRAMING_TOKENS", "PromptSize", "byte_bound"]

APPROX_MARGIN = 1.25  # input counted with a foreign tokenizer: 25% more
FRAMING_TOKENS = 8  # per message role/framing overhead, generous


def byte_bound(text: str, messages: int) -> int:
    """Tokens ``text`` in ``messages`` messages can never exceed, for any tokenizer
    that works on bytes of the text or of its NFKC form (see the module)."""
    raw = len(text.encode("utf-8", "surrogatepass"))
    if not text.isascii():  # ASCII is NFKC-stable: only other text can grow
        raw = max(raw, len(unicodedata.normalize("NFKC", text).encode("utf-8", "surrogatepass")))
    return raw + FRAMING_TOKENS * (messages + 1)


class PromptSize:
    """A prompt's ``bound`` (at once) and ``counted`` tokens (when first asked)."""

    __slots__ = ("_text", "_messages", "_tokenizer", "bound", "_counted")

    def __init__(self, text: str, messages: int, tokenizer: str | None):
        self._text = text
        self._messages = messages
        self._tokenizer = tokenizer
        self.bound = byte_bound(text, messages)
        self._counted: tuple[int, bool] | None = None

    @property
    def counted(self) -> tuple[int, bool]:
        """(tokens, exact) from the tokenizer, counted once (never above ``bound``
        for an exact count; a foreign tokenizer's estimate carries its margin)."""
        if self._counted is None:
            tc = count_for_model(self._text, self._tokenizer)
            tokens = tc.tokens + FRAMING_TOKENS * (self._messages + 1)
            if not tc.exact:
                tokens = math.ceil(tokens * APPROX_MARGIN)
            self._counted = (tokens, tc.exact)
        return self._counted

    async def acounted(self) -> int:
        """The counted tokens, computed in a thread the first time (the tokenizer may load)."""
        if self._counted is None:
            await asyncio.to_thread(lambda: self.counted)
        return self.counted[0]

    async def billable(self) -> int:
        """The input to count when the provider did not say: the counted tokens, never above the bound."""
        return min(self.bound, await self.acounted())
