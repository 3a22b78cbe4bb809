"""An Input whose editing keys take effect in the order they were typed.

Textual's Input inserts a printable key where it receives it, but runs its
editing keys (backspace, delete, arrows, home, end, …) as bindings, which the key
only reaches after bubbling up through its parents' queues. When keys arrive in
a burst (a fast typist, a terminal flushing what it buffered while the live
shortlist recomputed), the characters typed after a backspace are inserted
before the backspace runs: "End, six backspaces, 1234567" over "300000" gave
"3000001". Here the editing keys run where the key is received, in order."""

from __future__ import annotations

from textual import events
from textual.widgets import Input

# key -> action, from Input's own bindings (so a Textual upgrade that adds one keeps it)
_EDIT_ACTIONS: dict[str, str] = {
    key.strip(): binding.action
    for binding in Input.BINDINGS
    for key in binding.key.split(",")
}


class OrderedInput(Input):
    async def _on_key(self, event: events.Key) -> None:
        action = _EDIT_ACTIONS.get(event.key)
        if action is None:
            await super()._on_key(event)
            return
        event.stop()
        event.prevent_default()
        self._restart_blink()
        await self.run_action(action)
