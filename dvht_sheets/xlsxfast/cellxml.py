"""Cell XML as xlsxwriter (and Excel) write it, for the fast sheets: style attributes, column letters, values by type,
inline strings with Excel's escapes. Used only on the fast path (sheets.py); the plain path writes the same values
through xlsxwriter's public writers, classified by value_kind() so both paths agree on what a value is."""

from __future__ import annotations

import datetime as dt
import math
import re
from typing import Any

from ..model import xml_safe
from .compat import escape_control_characters, xl_rowcol_to_cell_fast

# Text that xlsxwriter would escape (XML specials, control characters, "_xHHHH_" look-alikes) takes its own path.
_CONTROL = re.compile(r"[\x00-\x1f]|_x[0-9A-Fa-f]{4}_")
_XML_SPECIAL = re.compile(r"[&<>]")
_UNUSUAL = re.compile("[&<>\x00-\x1f\ud800-\udfff\ufffe\uffff]|_x[0-9A-Fa-f]{4}_|^\\s|\\s$")
_EDGE_SPACE = re.compile(r"^\s|\s$")
_EPOCH = dt.datetime(1899, 12, 30)


def style_attr(fmt) -> str:
    """' s="N"': the format's style index as a cell attribute (cached on the format)."""
    cached = getattr(fmt, "_dvht_style", None)
    if cached is None:
        cached = fmt._dvht_style = f' s="{fmt._get_xf_index()}"'
    return cached


_COLS: dict[int, str] = {}


def col_letters(c: int) -> str:
    letters = _COLS.get(c)
    if letters is None:
        letters = _COLS[c] = xl_rowcol_to_cell_fast(0, c)[:-1]
    return letters


def date_serial(value: dt.date, date_1904: bool) -> float | None:
    """Excel's serial number of a date or datetime (1900 system), or None when it has none (before 1900-01-01, or
    the 1904 system): such a value is written as its text."""
    if date_1904:
        return None
    moment = value if isinstance(value, dt.datetime) else dt.datetime.combine(value, dt.time())
    serial = (moment.replace(tzinfo=None) - _EPOCH).total_seconds() / 86400
    return serial if serial > 0 else None


def value_kind(value: Any, date_1904: bool) -> tuple[str, Any]:
    """What a cell value is written as: ("text", str) | ("bool", bool) | ("number", float) | ("date", serial).
    The one rule of "a value by its type" for both paths (cell_xml below is its XML form)."""
    kind = type(value)
    if kind is str:
        return "text", value
    if kind is bool:
        return "bool", value
    if (kind is float or kind is int) and math.isfinite(value):
        return "number", value
    if isinstance(value, (dt.datetime, dt.date)):
        serial = date_serial(value, date_1904)
        if serial is not None:
            return "date", serial
    return "text", str(value)


def cell_xml(ref: str, value: Any, style: str, date_style: str, date_1904: bool) -> str:
    kind = type(value)
    if kind is str:
        return f'<c r="{ref}"{style} t="inlineStr">{inline(value)}</c>'
    if kind is bool:
        return f'<c r="{ref}"{style} t="b"><v>{int(value)}</v></c>'
    if (kind is float or kind is int) and math.isfinite(value):
        return f'<c r="{ref}"{style}><v>{value:.16G}</v></c>'
    if isinstance(value, (dt.datetime, dt.date)):
        serial = date_serial(value, date_1904)
        if serial is not None:
            return f'<c r="{ref}"{date_style}><v>{serial:.16G}</v></c>'
    return cell_xml(ref, str(value), style, date_style, date_1904)


# inline()'s results for short texts: "Có", "GV", titles, dates as text … repeat in every row and every unit. A plain
# dict, looked up in the hot loops themselves (INLINE.get), is cheaper than a function call per cell; emptied when
# full, since a worker's distinct texts (every member's name) grow with the batch.
INLINE: dict[str, str] = {}
INLINE_MAX = 16_384


def inline(value: str) -> str:
    """<is><t>…</t></is> for an inline string cell, escaped as Excel and xlsxwriter escape it."""
    xml = INLINE.get(value)
    if xml is None:
        xml = inline_text(value)
        if len(value) < 200:
            if len(INLINE) >= INLINE_MAX:
                INLINE.clear()
            INLINE[value] = xml
    return xml


def number_xml(value: float) -> str:
    return f"{value:.16G}"


def inline_text(value: str) -> str:
    text = value[:32767]
    if _UNUSUAL.search(text) is None:
        return f"<is><t>{text}</t></is>"
    text = xml_safe(text)  # the writers' guard: the reader has replaced these already, but not in file names
    if _CONTROL.search(text):
        text = escape_controls(text)
    if _XML_SPECIAL.search(text):
        text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    space = ' xml:space="preserve"' if _EDGE_SPACE.search(text) else ""
    return f"<is><t{space}>{text}</t></is>"



def escape_controls(text: str) -> str:
    # Excel's own escape for control characters (what xlsxwriter writes): "\x07" → "_x0007_", "_x0041_" → "_x005F_x0041_".
    return escape_control_characters(text)
