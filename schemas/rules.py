"""Polars expressions shared by the models: how a text field is read as a date, flag or age."""

from __future__ import annotations

import datetime as dt

import polars as pl

EARLIEST_DATE = dt.date(2000, 1, 1)
ISO_DATE = r"^\d{4}-\d{2}-\d{2}$"
TRUE = r"^(?i:true)$"
TRUE_FALSE = r"^(?i:true|false)$"


def as_date(column: str) -> pl.Expr:
    """The field as a date when it is written YYYY-MM-DD and is a real day, else null."""
    text = pl.col(column)
    return (
        pl.when(text.str.contains(ISO_DATE))
        .then(text.str.to_date("%Y-%m-%d", strict=False))
        .otherwise(None)
    )


def as_flag(column: str) -> pl.Expr:
    """The field as a boolean: true when it reads true in any letter case (is_true_false
    has checked it reads true or false). A match, not a lowercased copy of every value."""
    return pl.col(column).str.contains(TRUE)


def is_true_false(column: str) -> pl.Expr:
    """true or false, in any letter case (spreadsheets write TRUE)."""
    return pl.col(column).str.contains(TRUE_FALSE)


def passes(expr: pl.Expr) -> pl.Expr:
    """A rule holds where its expression is true; an empty field is another rule's business."""
    return expr.fill_null(True)
