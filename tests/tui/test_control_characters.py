"""The app's last boundary: text from a file or a model never writes a control sequence."""

from __future__ import annotations

from rich.text import Text
from textual.geometry import Region
from textual.widgets import Static

EVIL = "\x1b]0;pwned\x07Model \x1b[2J\x9b31m\u202e name"


async def test_control_characters_reach_the_terminal_as_pictures(app_for):
    app = app_for()
    async with app.run_test(size=(100, 30)) as pilot:
        box = Static(Text(EVIL), id="evil")
        await app.screen.mount(box)
        await pilot.pause()
        lines = box.render_lines(Region(0, 0, box.size.width, 1))
        shown = "".join(seg.text for line in lines for seg in line)
        assert "Model" in shown and "name" in shown
        assert not set(shown) & {"\x1b", "\x07", "\x9b", "\u202e"}
        assert "\u241b" in shown  # ESC shown as its control picture, one cell
