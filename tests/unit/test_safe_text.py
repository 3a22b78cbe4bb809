"""fmt.safe_text: control characters shown, never sent; every renderer applies it."""

from __future__ import annotations

from advisor.render.fmt import html_escape, md_escape, safe_text

OSC = "\x1b]0;pwned\x07"


def test_escape_sequences_become_visible_text():
    assert safe_text(OSC + "hi") == "\\x1b]0;pwned\\x07hi"
    assert safe_text("a\r\nb\rc\td\x9b\u202e\x7f") == "a\nb\\x0dc\td\\x9b\\u202e\\x7f"
    assert safe_text(OSC, pictures=True) == "\u241b]0;pwned\u2407"


def test_markdown_and_html_escapers_apply_it():
    for out in (md_escape(OSC + "<b>"), html_escape(OSC + "<b>")):
        assert "\x1b" not in out and "\x07" not in out and "<b>" not in out


def test_the_cli_console_never_writes_a_raw_escape(capsys):
    from advisor.render.console import cli_console

    cli_console(force_terminal=True).print(OSC + "[bold]x[/] \x1b[2J")
    out = capsys.readouterr().out
    assert "]0;pwned" in out and "\x1b]" not in out and "\x1b[2J" not in out
