"""Offline tiktoken counting."""

from __future__ import annotations

import pytest

from advisor.core import tokens
from advisor.core.tokens import count_for_model, count_tokens, encoding


@pytest.mark.parametrize("name", ["o200k_base", "cl100k_base"])
def test_hello_world_is_four_tokens(name):
    # "Hello" "," " world" "!" in both encodings
    assert count_tokens("Hello, world!", name) == 4


def test_known_cl100k_ids():
    # the ids tiktoken's README and OpenAI's cookbook show for cl100k_base
    assert encoding("cl100k_base").encode("hello world") == [15339, 1917]


def test_default_is_o200k():
    assert count_tokens("Hello, world!") == count_tokens("Hello, world!", "o200k_base")


def test_empty_is_zero():
    assert count_tokens("") == 0


def test_round_trip():
    text = "Prüfe die Rechnung Nr. 4711 — Betrag: 1.234,56 €"
    enc = encoding("o200k_base")
    assert enc.decode(enc.encode(text)) == text


def test_special_token_text_is_plain_text():
    # counted as ordinary text, never as the single special token
    assert count_tokens("<|endoftext|>", "cl100k_base") > 1


def test_counts_grow_with_text():
    assert count_tokens("word " * 100) > count_tokens("word " * 10) > 0


def test_count_for_openai_model_is_exact():
    c = count_for_model("Hello, world!", "o200k_base")
    assert (c.tokens, c.encoding, c.exact) == (4, "o200k_base", True)
    assert c.label() == "4 tokens"
    c = count_for_model("Hello, world!", "cl100k_base")
    assert (c.encoding, c.exact) == ("cl100k_base", True)


def test_count_for_other_models_is_approximate():
    c = count_for_model("Hello, world!", None)
    assert c.exact is False
    assert c.encoding == "o200k_base"
    assert c.label() == "4 tokens (approximate)"


def test_unknown_encoding():
    from advisor.core.tokens import TokenizerUnavailable

    with pytest.raises(TokenizerUnavailable):
        count_tokens("x", "p50k_base")


@pytest.mark.parametrize("name", ["o200k_base", "cl100k_base"])
def test_ranks_are_read_exactly_as_the_file_says(name):
    """The one-pass rank parser gives the same table as reading the file line by line."""
    import base64
    import gzip

    raw = gzip.decompress(tokens._data_file(name).read_bytes())
    expected = {base64.b64decode(tok): int(rank) for tok, rank in (line.split() for line in raw.splitlines() if line)}
    assert tokens.encoding(name)._mergeable_ranks == expected
