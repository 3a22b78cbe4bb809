"""The prompt's byte bound: never below what a byte-level BPE or a byte-fallback
SentencePiece (on the raw or the NFKC-normalised text) can make of it."""

from __future__ import annotations

import unicodedata

import pytest

from advisor.eval.prompt_size import FRAMING_TOKENS, PromptSize, byte_bound

TEXTS = {
    "ascii": "Say hello",
    "empty": "",
    "latin": "naïve café — “quotes”",
    "cjk": "日本語のテキストを要約してください。",
    "emoji-zwj": "emoji 🧪🚀👩‍👩‍👧",
    "code": "def f(x):\n    return x ** 2  # code",
    "long-run": "a" * 5000,
    "repeats": " ".join(["tokens"] * 800),
    "control": "\x00\x01 control",
    "nfkc-expands": "ﷺ ﷽ ㍻ ﬃ ligatures",
    "arabic": "العربية والفارسية",
    "digits": "1234567890" * 50,
}


@pytest.mark.parametrize("name", sorted(TEXTS))
def test_the_bound_is_never_below_an_exact_count(name):
    text = TEXTS[name]
    for tokenizer in ("o200k_base", "cl100k_base"):
        size = PromptSize(text, 1, tokenizer)
        tokens, exact = size.counted
        assert exact and size.bound >= tokens


@pytest.mark.parametrize("name", sorted(TEXTS))
def test_the_bound_covers_the_nfkc_form(name):
    """A SentencePiece that normalises with NFKC sees the longer text: U+FDFA is 3 bytes, 33 after NFKC."""
    text = TEXTS[name]
    longest = max(len(text.encode()), len(unicodedata.normalize("NFKC", text).encode()))
    assert byte_bound(text, 1) == longest + 2 * FRAMING_TOKENS


def test_nfkc_lengthens_a_ligature_elevenfold():
    assert byte_bound("\ufdfa", 0) - FRAMING_TOKENS == 33 > len("\ufdfa".encode())


async def test_a_foreign_tokenizer_estimate_is_billed_no_higher_than_the_bound():
    size = PromptSize("Hi", 1, None)  # counted with o200k_base and a 25% margin: above the bound here
    assert size.counted[0] > size.bound
    assert await size.billable() == size.bound
