"""The one kind of error a user sees: a single readable line, never a traceback."""

from __future__ import annotations

from statement_figures.domain.text import printable


class FiguresError(Exception):
    """An error with a message fit to show a user as one line.

    `location` names the file (and row) at fault, `rule` the rule that was broken.
    """

    def __init__(self, message: str, *, location: str | None = None, rule: str | None = None):
        self.location = location
        self.rule = rule
        super().__init__(message)

    def __str__(self) -> str:
        """One line: control characters from file names or data are escaped."""
        parts = [p for p in (self.location, self.rule) if p]
        head = ": ".join(parts)
        message = super().__str__()
        return printable(f"{head}: {message}" if head else message)
