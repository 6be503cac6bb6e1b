"""The look of every output: the colours of results (named from the one palette in paper.py, which also gives the
legend its words), the fixed document date, the format sets of the unit workbook and of the summary, and the one
"write a value as its own type" helper.

A format set is data ({name: xlsxwriter properties}, or {name: {key: properties}} for a family such as the fills of
each result); Formats turns it into xlsxwriter formats in the order written here, so styles.xml is the same for every
workbook of a kind (and the fast writer can reuse it)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from ..findings import Severity
from ..paper import colour

# Document properties carry this date instead of the clock: the same inputs give byte-identical files.
FIXED_DATE = dt.datetime(2025, 1, 1)

GREEN, LIGHT_GREEN, RED = colour("level2"), colour("level1"), colour("fail")
GREY, AMBER, TT22_BLUE = colour("none"), colour("partial"), colour("tt22")
BLUE = "#DDEBF7"        # header rows (also the template's)
CRITERION = "#FCE4D6"   # a criterion's row in `Kết quả`
FONT = {"font_name": "Times New Roman", "font_size": 11}

RESULT_FILL = {"Đạt mức độ 2": GREEN, "Đạt mức độ 1": LIGHT_GREEN, "Không đạt": RED, "Không đánh giá được": GREY}
# Summary status letters: A met (at both levels), B met at level 1 only, X met at level 2 only, F failed, N n/a.
STATUS_FILL = {"A": GREEN, "B": LIGHT_GREEN, "X": AMBER, "F": RED, "N": GREY}


def _severity(base: dict) -> dict:
    return {Severity.FATAL.value: {**base, "border": 1, "bg_color": RED, "bold": True},
            Severity.ERROR.value: {**base, "border": 1, "bg_color": RED},
            Severity.WARNING.value: {**base, "border": 1, "bg_color": AMBER}}


_S = {**FONT, "valign": "top"}
SUMMARY = {
    "title": {**_S, "bold": True, "font_size": 14},
    "bold": {**_S, "bold": True},
    "big": {**_S, "bold": True, "font_size": 12, "font_color": "#1F4E78"},
    "text": _S,
    "header": {**_S, "bold": True, "bg_color": BLUE, "border": 1, "text_wrap": True, "align": "center",
               "valign": "vcenter"},
    "cell": {**_S, "border": 1},
    "wrap": {**_S, "border": 1, "text_wrap": True},
    "int": {**_S, "border": 1, "num_format": "#,##0"},
    "num": {**_S, "border": 1, "num_format": "#,##0.##"},
    "pct_plain": {**_S, "border": 1, "num_format": "0.00%"},
    "link": {**_S, "border": 1, "font_color": "blue", "underline": 1},
    "pct": {k: {**_S, "border": 1, "num_format": "0.00%", "bg_color": v} for k, v in STATUS_FILL.items()},
    "status": {k: {**_S, "border": 1, "bg_color": v, "align": "center"} for k, v in STATUS_FILL.items()},
    "result": {k: {**_S, "border": 1, "bg_color": v, "bold": True} for k, v in RESULT_FILL.items()},
    "result_other": {**_S, "border": 1, "bg_color": TT22_BLUE, "bold": True},
    "result_wrap": {k: {**_S, "border": 1, "bg_color": v, "bold": True, "text_wrap": True}
                    for k, v in {**RESULT_FILL, "": TT22_BLUE}.items()},
    "sev": _severity(_S),
}


class Formats:
    """A format set (see the module's docstring) as attributes: f.cell, f.status["A"], …"""

    def __init__(self, wb, spec: dict[str, dict]):
        for name, props in spec.items():
            if props and all(isinstance(v, dict) for v in props.values()):
                setattr(self, name, {k: wb.add_format(p) for k, p in props.items()})
            else:
                setattr(self, name, wb.add_format(props))


def put(ws, r: int, c: int, value: Any, fmt) -> None:
    """Write a value from an input as its own type; text is always text (never a formula or a link), so a name like
    "=HYPERLINK(…)" typed by a school stays inert. None and "" leave a blank cell that keeps its format."""
    if value is None or value == "":
        if fmt is not None:
            ws.write_blank(r, c, None, fmt)
    elif isinstance(value, str):
        ws.write_string(r, c, value, fmt)
    elif isinstance(value, bool):
        ws.write_boolean(r, c, value, fmt)
    elif isinstance(value, (int, float)):
        ws.write_number(r, c, value, fmt)
    elif isinstance(value, (dt.date, dt.datetime)):
        ws.write_datetime(r, c, value if isinstance(value, dt.datetime) else dt.datetime.combine(value, dt.time()),
                          fmt)
    else:
        ws.write_string(r, c, str(value), fmt)
