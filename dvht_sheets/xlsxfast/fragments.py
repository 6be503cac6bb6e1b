"""Rows of a streaming sheet rendered in one process and written into the sheet by another (issue 13).

The batch's summary (tong-hop.xlsx) is written by the main process while worker processes evaluate the units. Its
long form ("Chỉ tiêu") is ~31 rows a unit, and rendering their cell XML in the main process was most of what that
process did per unit, on the same cores as the workers. So a worker renders them (render_rows) and the main process
only numbers them and writes them (put_rendered):

- the worker knows the rows' cells but not the sheet's row numbers: each row is rendered with PLACEHOLDER where its
  number goes (the row's r="…" and every cell reference); put_rendered puts the numbers in with str.replace;
- the worker has no Format objects of the summary workbook: it renders with stand-ins (stand_ins) holding the style
  attribute (' s="N"') of each format, which the main process takes from its own workbook (style_attrs) after
  registering those formats first, and passes to the workers before they start;
- the cells are rendered by FastWorksheet._cells_xml itself, with the stand-ins in place of the formats: the same
  code, the same escapes (cellxml.inline) as put_rows uses, so the rows are byte for byte what put_rows writes;
- a row may also be assembled from pieces (row_start, render_cells), some rendered by the worker and some by the main
  process (the cells whose formats get their style number only when first used), and carry links (put_rendered).

Only a streaming (constant_memory) sheet of the fast path takes rendered rows; on the plain path (xlsxwriter's public
writers) style_attrs gives None and the caller writes the cells as values (put_rows).
"""

from __future__ import annotations

import re
from typing import Any, Iterable, Mapping

from .cellxml import style_attr
from .sheets import MAX_LINKS, FastWorksheet, _row_height_attr

# Where a row's number goes. NUL never reaches the XML otherwise: text passes xml_safe, which replaces it.
PLACEHOLDER = "\x00"


class Styled:
    """A stand-in for a Format in a cell tuple: what FastWorksheet._cells_xml reads of a format (its style attribute,
    as cellxml.style_attr caches it on a real Format)."""

    __slots__ = ("_dvht_style",)

    def __init__(self, attr: str):
        self._dvht_style = attr


class _Renderer:
    # _cells_xml's `self`: it reads only date_1904, for dates (which it writes with the cell's own style here).
    date_1904 = False


_RENDERER = _Renderer()


def style_attrs(sheet, formats: Mapping[str, Any]) -> dict[str, str] | None:
    """' s="N"' of each format, for rows rendered elsewhere and written into this sheet with put_rendered; None when
    the sheet cannot take rendered rows (the plain path, or a sheet that is not streamed). The formats' style numbers
    must be fixed already (workbook.register_formats), so cells written later cannot change them."""
    if not (isinstance(sheet, FastWorksheet) and sheet.constant_memory):
        return None
    return {key: style_attr(fmt) for key, fmt in formats.items()}


def stand_ins(attrs: Mapping[str, str]) -> dict[str, Styled]:
    """Format key → stand-in, for the cells of render_rows and render_cells."""
    return {key: Styled(attr) for key, attr in attrs.items()}


def render_rows(rows: Iterable[tuple[float | None, list[tuple[int, Any, Any]]]]
                ) -> tuple[list[str], tuple[int, int] | None]:
    """Rows of (height or None, cells), cells as put_rows takes them (column, value, format or stand-in), as the XML
    put_rows would write for them (keep_empty=False), the row number left as PLACEHOLDER; and the first and last
    column they write (None when they write none). A row with no cell to write is "" (it still takes its row number,
    as in put_rows)."""
    out = []
    low = high = None
    for height, cells in rows:
        parts, first, last = FastWorksheet._cells_xml(_RENDERER, PLACEHOLDER, cells, False)
        if parts:
            out.append(f'<row r="{PLACEHOLDER}"{_row_height_attr(height) if height else ""}>{"".join(parts)}</row>')
            low = first if low is None else min(low, first)
            high = last if high is None else max(high, last)
        else:
            out.append("")
    return out, (None if low is None else (low, high))


def render_cells(cells: list[tuple[int, Any, Any]], keep_empty: bool = True) -> str:
    """Some cells of one row as put_row writes them (keep_empty: a None or "" value with a format is a formatted
    blank cell), the row number left as PLACEHOLDER; with real formats or stand-ins."""
    parts, _, _ = FastWorksheet._cells_xml(_RENDERER, PLACEHOLDER, cells, keep_empty)
    return "".join(parts)


def row_start(height: float | None) -> str:
    """The opening tag of a row, its number left as PLACEHOLDER, with the height as put_row writes it."""
    return f'<row r="{PLACEHOLDER}"{_row_height_attr(height) if height else ""}>'


_CELL_COLUMN = re.compile('<c r="([A-Z]+)' + PLACEHOLDER)


def bounds(rendered: Iterable[str]) -> tuple[int, int] | None:
    """The first and the last column that rendered rows write (None when they write none), read from their XML."""
    cols = [_column_number(m.group(1)) for xml in rendered for m in _CELL_COLUMN.finditer(xml)]
    return (min(cols), max(cols)) if cols else None


def _column_number(letters: str) -> int:
    n = 0
    for ch in letters:
        n = n * 26 + ord(ch) - 64
    return n - 1


def put_rendered(sheet, first_row: int, rendered: list[str], span: tuple[int, int] | None,
                 links: list[tuple[int, int, str, Any, str, str]] = ()) -> None:
    """Rendered rows from first_row on, numbered and written as put_rows writes them on a streaming sheet: after any
    row xlsxwriter still holds, in one write, the sheet's dimensions tracked once. span: the rows' first and last
    column, as render_rows gives them (bounds() of the slice when only part of the rows is written).

    links: (row offset, column, url, format, text, tip) of the cells that are links, in increasing rows, their text
    cell already in the rendered row: xlsxwriter keeps only the link itself, as put_row does it."""
    if not sheet.constant_memory:
        raise ValueError("rendered rows go into a streaming sheet only")
    for offset, col, url, fmt, text, tip in links:
        if sheet.hlink_count >= MAX_LINKS:
            break  # Excel's limit: the rest keep their text, without a link
        row = first_row + offset
        sheet.write_url(row, col, url, fmt, text, tip)
        sheet.table.get(row, {}).pop(col, None)
    if sheet.table:
        sheet._write_single_row(first_row)  # flush the row xlsxwriter still holds
    out = []
    top = bottom = None
    for number, xml in enumerate(rendered, start=first_row + 1):
        if xml:
            out.append(xml.replace(PLACEHOLDER, str(number)))
            if top is None:
                top = number - 1
            bottom = number - 1
    if top is not None and span is not None:
        sheet._track(top, span[0])
        sheet._track(bottom, span[1])
    sheet.previous_row = first_row + len(rendered)
    if out:
        sheet.fh.write("".join(out))
