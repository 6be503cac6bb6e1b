"""The fast xlsx writer behind one boundary: the only package that knows xlsxwriter's internals.

Report modules import from here, and only these names: small_workbook() and streaming_workbook() make the
workbooks, whose sheets (add_sheet, add_grid_sheet) have the methods listed in sheets.py in either mode — the fast
path, on the tested xlsxwriter versions (compat.py), or plain xlsxwriter, slower, with the same cells. Rows of a
streaming sheet can also be rendered in another process and written later (fragments.py: style_attrs, stand_ins,
render_rows, render_cells, row_start, bounds, put_rendered).
"""

from __future__ import annotations

from . import compat
from .fragments import bounds, put_rendered, render_cells, render_rows, row_start, stand_ins, style_attrs
from .sheets import BLANK, MAX_LINKS
from .workbook import FastWorkbook, PlainWorkbook, StreamWorkbook

__all__ = ["BLANK", "MAX_LINKS", "bounds", "fast", "put_rendered", "quote_sheet", "render_cells", "render_rows", "row_start",
           "small_workbook", "stand_ins", "streaming_workbook", "style_attrs"]


def fast() -> bool:
    """Whether workbooks made now are written on the fast path."""
    return compat.fast()


def small_workbook(target, options: dict):
    """A workbook written in memory and stored in one go (a unit's result workbook): a path or a binary stream."""
    options = {**options, "in_memory": True}
    return FastWorkbook(target, options) if compat.fast() else PlainWorkbook(target, options)


def streaming_workbook(path: str, options: dict):
    """A constant_memory workbook (the summary): each sheet's rows written in increasing order as they come."""
    options = {**options, "constant_memory": True}
    return StreamWorkbook(path, options) if compat.fast() else PlainWorkbook(path, options)


def quote_sheet(name: str) -> str:
    """A sheet name as a formula or a link names it: 'Sheet''s name'."""
    return "'" + name.replace("'", "''") + "'"
