"""The look of every output: the colours of results (named from the one palette in paper.py, which also gives the
legend its words), the fixed document date, and the format sets of the unit workbook and of the summary. (Values
are written by their type by the sheets of xlsxfast/: put_value, the same in the fast and the plain mode.)

A format set is data ({name: xlsxwriter properties}, or {name: {key: properties}} for a family such as the fills of
each result); Formats turns it into xlsxwriter formats in the order written here, so styles.xml is the same for every
workbook of a kind (and the fast writer can reuse it)."""

from __future__ import annotations

import datetime as dt

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


_U = {**FONT, "valign": "top", "text_wrap": True}
_MARK = {Severity.FATAL.value: {"bg_color": RED, "border": 2, "border_color": "#C00000"},
         Severity.ERROR.value: {"bg_color": RED, "border": 2, "border_color": "#C00000"},
         Severity.WARNING.value: {"bg_color": AMBER, "border": 1, "border_color": "#BF8F00"}}
UNIT = {
    "title": {**_U, "bold": True, "font_size": 14, "text_wrap": False},
    "info": {**_U, "text_wrap": False},
    "header": {**_U, "bold": True, "bg_color": BLUE, "border": 1, "align": "center", "valign": "vcenter"},
    "cell": {**_U, "border": 1},
    "crit": {**_U, "border": 1, "bold": True, "bg_color": CRITERION},
    "met": {**_U, "border": 1, "bg_color": GREEN, "bold": True, "align": "center"},
    "not_met": {**_U, "border": 1, "bg_color": RED, "bold": True, "align": "center"},
    "na": {**_U, "border": 1, "bg_color": GREY, "align": "center"},
    "concl_ok": {**_U, "bold": True, "font_size": 13, "bg_color": GREEN, "text_wrap": False},
    "concl_bad": {**_U, "bold": True, "font_size": 13, "bg_color": RED, "text_wrap": False},
    "link": {**_U, "border": 1, "font_color": "blue", "underline": 1},
    "sev": _severity(_U),
    # the school's own sheets, copied: their cells as typed, the cells with a finding marked
    "plain": dict(FONT),
    "grid": {**FONT, "text_wrap": True, "valign": "top"},
    "date": {**FONT, "num_format": "dd/mm/yyyy", "valign": "top"},
    "mark": _MARK,
    "mark_date": {k: {"bg_color": v["bg_color"], "num_format": "dd/mm/yyyy", "border": 1} for k, v in _MARK.items()},
}


# The standard workbook a school fills (template.py): 12 pt, inputs unlocked, computed cells grey.
_T = {"font_name": "Times New Roman", "font_size": 12, "valign": "vcenter"}
LOCKED_GREY = "#F2F2F2"
TEMPLATE = {
    "title": {**_T, "bold": True, "font_size": 14},
    "hint": {**_T, "italic": True, "font_size": 10, "font_color": "#595959", "text_wrap": True},
    # A one-line hint under a title runs across the empty cells beside it instead of wrapping in a narrow column.
    "hint_line": {**_T, "italic": True, "font_size": 10, "font_color": "#595959"},
    "header": {**_T, "bold": True, "bg_color": BLUE, "border": 1, "text_wrap": True, "align": "center"},
    "label": {**_T, "bold": True, "bg_color": LOCKED_GREY, "border": 1, "text_wrap": True},
    "locked": {**_T, "border": 1, "text_wrap": True, "bg_color": LOCKED_GREY},
    "input": {**_T, "border": 1, "locked": False, "text_wrap": True},
    "input_date": {**_T, "border": 1, "locked": False, "num_format": "dd/mm/yyyy"},
    "percent": {**_T, "border": 1, "num_format": "0.00%", "bg_color": LOCKED_GREY, "bold": True},
    "criterion": {**_T, "bold": True, "bg_color": CRITERION, "border": 1},
    "text": {**_T, "text_wrap": True},
    "bold": {**_T, "bold": True},
    "unlocked_col": {**_T, "locked": False},
}


class Formats:
    """A format set (see the module's docstring) as attributes: f.cell, f.status["A"], …"""

    def __init__(self, wb, spec: dict[str, dict]):
        for name, props in spec.items():
            if props and all(isinstance(v, dict) for v in props.values()):
                setattr(self, name, {k: wb.add_format(p) for k, p in props.items()})
            else:
                setattr(self, name, wb.add_format(props))
