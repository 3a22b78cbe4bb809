"""API keys: which environment variables hold them, checking them, and redaction.

One module for every output path (console, results file, reports, error text):

* :func:`key_variables` names every variable that may hold a provider key: the
  ``key_env`` of every provider advisor knows (``advisor.catalog.providers.KNOWN``),
  every ``key_env`` a target names, and every variable in the environment whose
  name ends in ``_API_KEY`` or ``_TOKEN``;
* :func:`key_problem` refuses a key with surrounding whitespace or control
  characters (a copied ``\\r\\n`` is the usual one) with a line that names the
  variable, never the value;
* :class:`Redactor` removes each of those values from text in every form it
  can take there: raw, stripped, in its ``Bearer`` header form, URL-encoded,
  JSON-escaped, ``repr``'d as str or bytes (``b'Bearer sk-…\\r'``), and cut
  short (what is left of a key of at least :data:`CUT_MIN` characters cut to
  :data:`PREFIX` or more, as a shortened excerpt does, is redacted too; a value
  that looks like a path is exempt from this, so paths in output stay whole).

Values shorter than :data:`MIN_SECRET` characters are not redacted (they would
blank out ordinary words); such a value is no real key.
"""

from __future__ import annotations

import json
import os
import unicodedata
from collections.abc import Iterable, Mapping
from urllib.parse import quote, quote_plus

__all__ = ["MIN_SECRET", "PREFIX", "REDACTED", "key_variables", "key_problem", "Redactor", "redactor_for_env", "redact"]

MIN_SECRET = 8
PREFIX = 12  # a key cut short to at least this many characters is still redacted
CUT_MIN = 16  # ...when the key is at least this long
REDACTED = "[redacted]"
_SUFFIXES = ("_API_KEY", "_TOKEN")


def _known_key_envs() -> list[str]:
    from advisor.catalog.providers import KNOWN

    return [v[3] for v in KNOWN.values() if v[3]]


def key_variables(env: Mapping[str, str], named: Iterable[str | None] = ()) -> list[str]:
    """Names of the variables in ``env`` that hold (or may hold) a provider key."""
    names: dict[str, None] = {}
    for n in [*_known_key_envs(), *(n for n in named if n)]:
        names[n] = None
    for n in env:
        if n.upper().endswith(_SUFFIXES):
            names[n] = None
    return [n for n in names if env.get(n)]


def _is_control(ch: str) -> bool:
    return unicodedata.category(ch) in ("Cc", "Cf", "Zl", "Zp")


def key_problem(name: str, value: str | None) -> str | None:
    """Why the key in ``$name`` cannot be sent, or None. Never quotes the value."""
    if not value:
        return None
    if value != value.strip():
        return (f"${name} has whitespace or a line break around the key; remove it "
                "(the value is not shown)")
    if any(_is_control(ch) or ch.isspace() for ch in value):
        return f"${name} contains control characters or spaces; fix the key (the value is not shown)"
    return None


def _forms(secret: str) -> set[str]:
    core = secret.strip()
    out = {secret, core}
    for s in (secret, core):
        out.add(json.dumps(s)[1:-1])
        out.add(json.dumps(s, ensure_ascii=False)[1:-1])
        out.add(repr(s)[1:-1])
        out.add(repr(s.encode("utf-8", "backslashreplace"))[2:-1])
        out.add(quote(s, safe=""))
        out.add(quote_plus(s, safe=""))
    return {f for f in out if len(f) >= MIN_SECRET}


class Redactor:
    """Removes a fixed set of secrets, in all their forms, from text."""

    def __init__(self, secrets: Iterable[str | None] = ()):
        forms: set[str] = set()
        cuttable: set[str] = set()
        for s in secrets:
            if s and len(s.strip()) >= MIN_SECRET:
                fs = _forms(s)
                forms |= fs
                core = s.strip()
                if len(core) >= CUT_MIN and not core.startswith(("/", "~", ".")):
                    cuttable |= {f for f in fs if len(f) > PREFIX}
        # longest first, so a form is never left half-replaced by a shorter one
        self._forms = sorted(forms, key=len, reverse=True)
        self._by_prefix: dict[str, list[str]] = {}
        for f in cuttable:
            self._by_prefix.setdefault(f[:PREFIX], []).append(f)
        self._prefixes = sorted(self._by_prefix)

    def __bool__(self) -> bool:
        return bool(self._forms)

    def __call__(self, text: str) -> str:
        if not self._forms or not text:
            return text
        for f in self._forms:
            if f in text:
                text = text.replace(f, REDACTED)
        for p in self._prefixes:
            if p in text:
                text = self._cut(text, p)
        return text

    def _cut(self, text: str, prefix: str) -> str:
        """Redact what is left of a key cut short: the longest run matching one of its forms."""
        out: list[str] = []
        i = 0
        while True:
            j = text.find(prefix, i)
            if j < 0:
                out.append(text[i:])
                return "".join(out)
            best = len(prefix)
            for f in self._by_prefix[prefix]:
                k = len(prefix)
                while k < len(f) and j + k < len(text) and text[j + k] == f[k]:
                    k += 1
                best = max(best, k)
            out.append(text[i:j])
            out.append(REDACTED)
            i = j + best


def redactor_for_env(env: Mapping[str, str] | None = None, named: Iterable[str | None] = ()) -> Redactor:
    """A Redactor for every key variable set in ``env`` (default: ``os.environ``)."""
    env = os.environ if env is None else env
    return Redactor(env.get(n) for n in key_variables(env, named))


def redact(text: str, secrets: Iterable[str | None] | None = None) -> str:
    """``text`` without the given secrets; ``None``: without every key in the environment."""
    r = redactor_for_env() if secrets is None else Redactor(secrets)
    return r(text)
