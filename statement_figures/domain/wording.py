"""How a figure is put in words: the one sentence a statement may quote."""

from __future__ import annotations


def sentence(
    label: str, area_type: str, area_name: str, change: int, change_pct: int | None
) -> str | None:
    """'Knife crime decreased by 32 per cent'; None where there is no percentage to state."""
    if change_pct is None:
        return None
    subject = label if area_type == "london" else f"{label} in {area_name}"
    if change == 0:
        return f"{subject} did not change"
    verb = "decreased" if change < 0 else "increased"
    if change_pct == 0:
        return f"{subject} {verb} by less than 1 per cent"
    return f"{subject} {verb} by {abs(change_pct)} per cent"
