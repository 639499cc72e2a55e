"""Text from data or files, made safe to print: no control character reaches a terminal."""

from __future__ import annotations

import re

# C0 controls (newline and tab included), DEL, and C1 controls (CSI \x9b among them).
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")
_NAMED = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}


def printable(text: object) -> str:
    """The text with every control character escaped (\\n, \\t, \\x1b, \\u2028...), so a
    value holding a newline or a terminal escape prints as one visible, harmless line."""

    def escape(match: re.Match[str]) -> str:
        char = match.group()
        return _NAMED.get(char) or (
            f"\\x{ord(char):02x}" if ord(char) < 0x100 else f"\\u{ord(char):04x}"
        )

    return _CONTROL.sub(escape, str(text))
