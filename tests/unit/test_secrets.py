"""advisor.secrets: which variables hold keys, refusing bad keys, redaction in every form."""

from __future__ import annotations

import json
from urllib.parse import quote, quote_plus

import pytest

from advisor.secrets import REDACTED, Redactor, key_problem, key_variables, redactor_for_env

KEY = "sk-proj-Canary+/=0123456789abcdef"


@pytest.mark.parametrize("form", [
    KEY, f"Bearer {KEY}", f"{KEY}\r", f"{KEY}\n", quote(KEY, safe=""), quote_plus(KEY, safe=""),
    json.dumps(KEY)[1:-1], repr(f"Bearer {KEY}\r".encode()), repr(KEY), KEY[:14], KEY[:-1],
])
def test_every_form_of_a_key_is_redacted(form):
    r = Redactor([KEY + "\r\n"])  # the value as set, with a stray line ending
    out = r(f"before {form} after")
    assert REDACTED in out and KEY[:12] not in out and quote(KEY, safe="")[:12] not in out


def test_redaction_leaves_other_text_alone_and_ignores_short_values():
    r = Redactor([KEY, "abc", None, ""])
    assert r("nothing secret here: abc") == "nothing secret here: abc"
    assert not Redactor(["short"])


def test_key_variables_cover_known_providers_targets_and_key_like_names():
    env = {"ANTHROPIC_API_KEY": "a" * 20, "MY_SERVICE_TOKEN": "b" * 20, "CUSTOM": "c" * 20, "HOME": "/home/x",
           "EMPTY_API_KEY": "", "GPG_KEY": "/home/x/.gnupg/key.asc"}
    names = key_variables(env, ["CUSTOM"])
    assert set(names) == {"ANTHROPIC_API_KEY", "MY_SERVICE_TOKEN", "CUSTOM"}
    r = redactor_for_env(env, ["CUSTOM"])
    assert r("a" * 20 + " " + "b" * 20 + " " + "c" * 20 + " /home/x") == f"{REDACTED} {REDACTED} {REDACTED} /home/x"


@pytest.mark.parametrize("value", [KEY + "\r", KEY + "\n", " " + KEY, KEY + "\t", KEY[:5] + "\x1b" + KEY[5:],
                                   KEY[:5] + " " + KEY[5:], KEY + "\u200b"])
def test_a_key_with_whitespace_or_control_characters_is_refused_naming_the_variable(value):
    why = key_problem("OPENAI_API_KEY", value)
    assert why and "$OPENAI_API_KEY" in why and KEY[:8] not in why


def test_a_clean_key_is_accepted():
    assert key_problem("OPENAI_API_KEY", KEY) is None and key_problem("X", None) is None


def test_a_path_held_in_a_token_variable_is_redacted_whole_but_never_by_prefix():
    r = Redactor(["/home/someone/.config/tokenfile"])
    assert r("see /home/someone/.config/other") == "see /home/someone/.config/other"
    assert r("see /home/someone/.config/tokenfile") == f"see {REDACTED}"
