"""The worksheets report modules write through, in two modes with the same methods:

- FastWorksheet / GridSheet: leaner paths for what we write by the hundred thousand (text and numbers with an
  explicit format, whole rows, a copied school sheet's grid), built on xlsxwriter internals that compat.py vouches for;
- PlainSheet / PlainGridSheet: the same cells through xlsxwriter's public writers only, for an xlsxwriter outside
  the tested range (or DVHT_XLSX_PLAIN=1).

The methods both modes have (the boundary; nothing else of these classes is for callers):
  put_string(row, col, text, fmt)   put_number(row, col, number, fmt)   put_value(row, col, value, fmt)
  put_row(row, cells, *, keep_empty=True, height=None, links=None)      put_rows(first_row, rows, *, keep_empty=False)
  put_link(row, col, url, fmt, text, tip)   put_widths(widths)
  set_grid(...) on grid sheets; and all of xlsxwriter's public Worksheet API.
cells are (column, value, format); BLANK is a formatted blank cell, and so are None and "" with keep_empty.
"""

from __future__ import annotations

import math
from typing import Any

from xlsxwriter.worksheet import Worksheet

from ..model import XML_BAD, xml_safe
from .cellxml import _COLS, INLINE, cell_xml, col_letters, inline, style_attr, value_kind
from .compat import CellNumberTuple, CellStringTuple, ColumnInfo, xl_rowcol_to_cell_fast
from .parts import FastHeads

BLANK = object()  # put_row/put_rows: a blank cell that still carries its format (borders, fill)
# Excel's limit of links in one worksheet. xlsxwriter drops every later one with a warning of its own on stderr (a
# national summary has hundreds of thousands of findings, each with a link): past it, a link cell keeps its text only.
MAX_LINKS = 65_530
_INF = math.inf


def _row_height_attr(height: float | None) -> str:
    # The height as xlsxwriter writes set_row's (points → whole pixels → points), so both paths agree.
    return f' ht="{int(height * 4 / 3 + 0.5) * 0.75:.16g}" customHeight="1"' if height else ""


class _Links:
    """put_link, the same in both modes (it calls each mode's put_string and xlsxwriter's write_url)."""

    def put_link(self, row: int, col: int, url: str, fmt, text: str, tip: str) -> None:
        """A link cell showing text; once the sheet holds MAX_LINKS links, the text alone."""
        if self.hlink_count >= MAX_LINKS:
            self.put_string(row, col, text, fmt)
        else:
            self.write_url(row, col, url, fmt, text, tip)


class FastWorksheet(_Links, FastHeads, Worksheet):
    """xlsxwriter's worksheet with leaner paths for what we write by the hundred thousand: text and numbers with an
    explicit format, and the head and tail of the sheet (parts.FastHeads). Everything else goes through xlsxwriter's
    own code. A streaming (constant_memory) workbook's
    sheets are byte for byte what xlsxwriter writes; a small workbook's sheets (inline_strings) hold the same cells
    with the text written in the cell instead of the shared-string table (tests/test_fast_writer.py checks both)."""

    # put_string keeps text in the cell (an inline string) instead of the shared-string table: a unit workbook's
    # strings hardly repeat across its sheets, and the table costs a part and a pass of its own.
    inline_strings = False

    def _cell_xml(self, row: int, col: int, cell) -> str | None:
        """A cell's XML, or None to let xlsxwriter write it."""
        kind = cell.__class__.__name__
        fmt = cell.format
        if kind == "String" and self.inline_strings and type(cell.string) is str:
            style = f' s="{fmt._get_xf_index()}"' if fmt is not None else ""
            return f'<c r="{xl_rowcol_to_cell_fast(row, col)}"{style} t="inlineStr">{inline(cell.string)}</c>'
        if fmt is None or kind not in ("String", "Number"):
            return None
        ref = xl_rowcol_to_cell_fast(row, col)
        if kind == "Number":
            return f'<c r="{ref}" s="{fmt._get_xf_index()}"><v>{cell.number:.16G}</v></c>'
        if not self.constant_memory:
            return f'<c r="{ref}" s="{fmt._get_xf_index()}" t="s"><v>{cell.string}</v></c>'
        return f'<c r="{ref}" s="{fmt._get_xf_index()}" t="inlineStr">{inline(cell.string)}</c>'

    def _write_cells(self, row_num: int, cells: dict) -> None:
        parts: list[str] = []
        for col_num in sorted(cells):
            xml = self._cell_xml(row_num, col_num, cells[col_num])
            if xml is None:
                if parts:
                    self.fh.write("".join(parts))
                    parts = []
                super()._write_cell(row_num, col_num, cells[col_num])
            else:
                parts.append(xml)
        if parts:
            self.fh.write("".join(parts))

    def _write_rows(self) -> None:
        # xlsxwriter's loop, visiting only the columns a row has, one write per row.
        self._calculate_spans()
        table, row_info, comments = self.table, self.row_info, self.comments
        rendered = self._rendered or {}
        for row_num in range(self.dim_rowmin, self.dim_rowmax + 1):
            cells = table.get(row_num)
            done = rendered.get(row_num)
            if not (row_num in row_info or row_num in comments or cells or done):
                continue
            span = self.row_spans.get(row_num // 16)
            if cells or done:
                self._write_row(row_num, span, row_info.get(row_num))
                if cells:
                    self._write_cells(row_num, cells)
                if done:
                    self.fh.write(done[0])
                self._xml_end_tag("row")
            else:
                self._write_empty_row(row_num, span, row_info.get(row_num))

    _rendered: dict[int, tuple[str, int, int]] | None = None  # put_row: row → (cells' XML, first column, last column)

    def _write_single_row(self, current_row_num: int = 0) -> None:
        # constant_memory's per-row writer, the same way.
        row_num, self.previous_row = self.previous_row, current_row_num
        cells = self.table.get(row_num)
        if cells:
            self._write_row(row_num, None, self.row_info.get(row_num))
            self._write_cells(row_num, cells)
            self._xml_end_tag("row")
        elif row_num in self.row_info or row_num in self.comments:
            self._write_empty_row(row_num, None, self.row_info.get(row_num))
        self.table.clear()

    def _write_cols(self) -> None:
        # xlsxwriter's <cols>, each <col> one f-string (~50 a unit workbook, through its generic tag writer ~3 µs
        # each): adjacent columns with equal settings become one element, as xlsxwriter merges them.
        info = self.col_info
        if not info:
            return
        cols = sorted(info)
        parts = []
        first = last = cols[0]
        settings = info[first]
        for col in cols[1:]:
            if col == last + 1 and info[col] == settings:
                last = col
                continue
            parts.append(self._col_xml(first, last, settings))
            first = last = col
            settings = info[col]
        parts.append(self._col_xml(first, last, settings))
        self.fh.write(f"<cols>{''.join(parts)}</cols>")

    def _col_xml(self, first: int, last: int, settings) -> str:
        # Worksheet._write_col_info's attributes, in its order; every value is a number, so nothing needs escaping.
        width = settings.width
        custom = True
        if width is None:
            if not settings.hidden:
                width, custom = self.default_col_width, False
            else:
                width = 0
        elif width == self.default_col_width:
            custom = False
        style = settings.column_format._get_xf_index() if settings.column_format else 0
        xml = f'<col min="{first + 1}" max="{last + 1}" width="{(width * 256 // self.max_digit_width) / 256.0:.16g}"'
        if style:
            xml += f' style="{style}"'
        if settings.hidden:
            xml += ' hidden="1"'
        if settings.autofit:
            xml += ' bestFit="1"'
        if custom:
            xml += ' customWidth="1"'
        if settings.level:
            xml += f' outlineLevel="{settings.level}"'
        if settings.collapsed:
            xml += ' collapsed="1"'
        return xml + "/>"

    def _calculate_spans(self) -> None:
        spans: dict[int, str] = {}
        span_min = span_max = None
        table, comments, rendered = self.table, self.comments, self._rendered or {}
        first, last = self.dim_colmin, self.dim_colmax
        for row_num in range(self.dim_rowmin, self.dim_rowmax + 1):
            cols = [c for c in (*table.get(row_num, ()), *comments.get(row_num, ())) if first <= c <= last]
            if row_num in rendered:
                cols += rendered[row_num][1:]
            if cols:
                low, high = min(cols), max(cols)
                if span_min is None:
                    span_min, span_max = low, high
                else:
                    span_min, span_max = min(span_min, low), max(span_max, high)
            if (row_num + 1) % 16 == 0 or row_num == self.dim_rowmax:
                if span_min is not None:
                    spans[row_num // 16] = f"{span_min + 1}:{span_max + 1}"
                    span_min = None
        self.row_spans = spans

    def _write_string(self, row: int, col: int, string: str, cell_format=None):
        # every write_string of xlsxwriter's own path ends here: the guard for text XML cannot hold
        return super()._write_string(row, col, xml_safe(string) if type(string) is str else string, cell_format)

    # ------------------------------------------------------------------------------------------ the boundary

    def put_string(self, row: int, col: int, text: str, fmt) -> None:
        """write_string for text under 8,000 characters, without the per-call argument checks; "" leaves a formatted
        blank cell."""
        if XML_BAD.search(text):
            text = xml_safe(text)
        if not text:
            self._write_blank(row, col, text, fmt)
            return
        if len(text) >= 8000:
            self._write_string(row, col, text[:32767], fmt)
            return
        if self.constant_memory:
            if row > self.previous_row:
                self._write_single_row(row)
            self.table[row][col] = CellStringTuple(text, fmt)
        elif self.inline_strings:
            self.table[row][col] = CellStringTuple(text, fmt)
        else:
            self.table[row][col] = CellStringTuple(self.str_table._get_shared_string_index(text), fmt)
        self._track(row, col)

    def put_number(self, row: int, col: int, number: float, fmt) -> None:
        if not math.isfinite(number):
            self._write_string(row, col, str(number), fmt)
            return
        if self.constant_memory and row > self.previous_row:
            self._write_single_row(row)
        self.table[row][col] = CellNumberTuple(number, fmt)
        self._track(row, col)

    def put_value(self, row: int, col: int, value: Any, fmt) -> None:
        """Any value from an input as its own type; text is always text (never a formula or a link). None or ""
        leaves a formatted blank cell (none without a format)."""
        if value is None or value == "":
            if fmt is not None:
                self._write_blank(row, col, None, fmt)
        elif isinstance(value, str):
            self.put_string(row, col, value, fmt)
        elif isinstance(value, bool):
            self._write_boolean(row, col, value, fmt)
        elif isinstance(value, (int, float)):
            self.put_number(row, col, value, fmt)
        else:
            self.put_string(row, col, str(value), fmt)

    def put_row(self, row: int, cells: list[tuple[int, Any, Any]], *, keep_empty: bool = True,
                height: float | None = None, links: dict[int, tuple[str, str]] | None = None) -> None:
        """A whole row of (column, value, format), in column order; a row written here gets no other cells.
        links: column → (url, tip) for cells that are links (the cell's value is the link's text). height: as
        set_row's, in points. On a streaming sheet, rows must come in increasing order."""
        if links:
            values = {c: (v, fm) for c, v, fm in cells}
            for col, (url, tip) in links.items():
                if self.hlink_count >= MAX_LINKS:
                    break  # the text stays in the row, without its link
                text, fmt = values[col]
                self.write_url(row, col, url, fmt, text, tip)
                # The link's text goes in the row written here; xlsxwriter keeps only the link itself.
                self.table.get(row, {}).pop(col, None)
        if self.constant_memory:
            self.put_rows(row, [(height, cells)], keep_empty=keep_empty)
            return
        if self.table.get(row):
            raise ValueError(f"row {row} already has cells")
        parts, first, last = self._cells_xml(row + 1, cells, keep_empty)
        if parts:
            if self._rendered is None:
                self._rendered = {}
            self._rendered[row] = ("".join(parts), first, last)
            self._track(row, first)
            self._track(row, last)
        if height:
            self.set_row(row, height)

    def put_widths(self, widths: list[float]) -> None:
        """set_column(c, c, width) for each column from A on: the column settings set_column stores for a width
        alone, without its argument handling (a unit workbook sets ~45 widths, ~3 µs each through set_column)."""
        digit, padding = self.max_digit_width, self.cell_padding
        for col, width in enumerate(widths[:self.xls_colmax]):  # set_column ignores columns past the last
            if width == 0:
                pixels = 0
            elif width < 1:
                pixels = int(width * (digit + padding) + 0.5)
            else:
                pixels = int(width * digit + 0.5) + padding
            self.col_info[col] = ColumnInfo(width=pixels)
        if widths:
            self.col_size_changed = True

    def put_rows(self, first_row: int, rows: list[tuple[float | None, list[tuple[int, Any, Any]]]], *,
                 keep_empty: bool = False) -> None:
        """Rows of (height or None, cells) from first_row on, as put_row's; on a streaming sheet they go straight to
        the sheet's file, after any row xlsxwriter still holds, in one write."""
        if not self.constant_memory:
            for i, (height, cells) in enumerate(rows):
                self.put_row(first_row + i, cells, keep_empty=keep_empty, height=height)
            return
        if self.table:
            self._write_single_row(first_row)  # flush the row xlsxwriter still holds
        out = []
        low = high = top = bottom = None
        for number, (height, cells) in enumerate(rows, start=first_row + 1):
            parts, first, last = self._cells_xml(number, cells, keep_empty)
            if parts:
                if top is None:
                    top, low, high = number - 1, first, last
                else:
                    low, high = min(low, first), max(high, last)
                bottom = number - 1
                out.append(f'<row r="{number}"{_row_height_attr(height) if height else ""}>{"".join(parts)}</row>')
        if top is not None:  # the bookkeeping of every cell, once for the rows
            self._track(top, low)
            self._track(bottom, high)
        self.previous_row = first_row + len(rows)
        if out:
            self.fh.write("".join(out))

    # ------------------------------------------------------------------------------------------ helpers

    def _track(self, row: int, col: int) -> None:
        # The bookkeeping xlsxwriter's _check_dimensions does for a cell inside the sheet's limits.
        if self.dim_rowmin is None or row < self.dim_rowmin:
            self.dim_rowmin = row
        if self.dim_rowmax is None or row > self.dim_rowmax:
            self.dim_rowmax = row
        if self.dim_colmin is None or col < self.dim_colmin:
            self.dim_colmin = col
        if self.dim_colmax is None or col > self.dim_colmax:
            self.dim_colmax = col

    def _cells_xml(self, number: int, cells: list[tuple[int, Any, Any]],
                   keep_empty: bool) -> tuple[list[str], int | None, int | None]:
        """The XML of one row's (column, value, format) cells, and its first and last column. Text and finite
        numbers, nearly every cell, are written here; everything else as cell_xml writes it."""
        parts: list[str] = []
        append = parts.append
        first = last = None
        letters = _COLS
        known = INLINE.get
        for col, value, fmt in cells:
            kind = value.__class__
            ref = letters.get(col) or col_letters(col)
            if fmt is None:
                style = ""
            else:
                try:
                    style = fmt._dvht_style
                except AttributeError:
                    style = style_attr(fmt)
            if kind is str and value:
                append(f'<c r="{ref}{number}"{style} t="inlineStr">{known(value) or inline(value)}</c>')
            elif (kind is int or kind is float) and -_INF < value < _INF:
                append(f'<c r="{ref}{number}"{style}><v>{value:.16G}</v></c>')
            elif value is None or value == "" or value is BLANK:
                if fmt is None or not (keep_empty or value is BLANK):
                    continue
                append(f'<c r="{ref}{number}"{style}/>')
            else:
                append(cell_xml(f"{ref}{number}", value, style, style, self.date_1904))
            if first is None:
                first = col
            last = col
        return parts, first, last


class GridSheet(FastWorksheet):
    """A copy of a school's sheet, written straight from its grid of values when the workbook closes.

    A school sheet is most of a result workbook's cells; going through the cell table costs ~10 µs a cell, this
    ~1 µs. Cells are written as inline strings and numbers (dates as serial numbers with a date format), with the
    formats given in set_grid(); everything else about the sheet (widths, panes, notes) is xlsxwriter's."""

    _grid: list[list[Any]] | None = None
    _heights: dict[int, str] = {}

    def set_grid(self, grid: list[list[Any]], fmt, date_fmt, marks: dict[tuple[int, int], tuple], *,
                 heights: dict[int, float] | None = None, line_rows: set[int] = frozenset(), line_fmt=None) -> None:
        """grid: rows of values (str, number, bool, date, None). fmt/date_fmt: the formats of its cells; marks:
        (row, col) → (format, date format) for marked cells (blank marked cells are written too); line_rows: rows
        whose text cells take line_fmt instead; heights: row → points."""
        self._grid, self._fmt, self._date_fmt, self._marks = grid, fmt, date_fmt, marks
        self._line_fmt = line_fmt or fmt
        self._lines = line_rows
        # as set_row writes them, so the plain path (set_row) gives the same heights
        self._heights = {r: _row_height_attr(h) for r, h in (heights or {}).items()}
        for used in (fmt, date_fmt, self._line_fmt, *(f for pair in marks.values() for f in pair)):
            used._get_xf_index()  # register the formats now, before the workbook collects its styles
        last_row = next((r for r in range(len(grid) - 1, -1, -1) if any(v not in (None, "") for v in grid[r])), -1)
        last_row = max([last_row, *(r for r, _ in marks)])
        last_col = max([max((len(row) for row in grid), default=0) - 1, *(c for _, c in marks)])
        if last_row >= 0 and last_col >= 0:
            self._track(0, 0)
            self._track(last_row, last_col)

    def _write_rows(self) -> None:
        if self._grid is None:
            return super()._write_rows()
        plain, date = f' s="{self._fmt._get_xf_index()}"', f' s="{self._date_fmt._get_xf_index()}"'
        marks = {pos: (f' s="{fmt._get_xf_index()}"', f' s="{dfmt._get_xf_index()}"')
                 for pos, (fmt, dfmt) in self._marks.items()}
        marked_rows = {r for r, _ in marks}
        write = self.fh.write
        letters = [col_letters(c) for c in range(max((len(row) for row in self._grid), default=0))]
        date_1904 = self.date_1904
        heights, lines, line = self._heights, self._lines, f' s="{self._line_fmt._get_xf_index()}"'
        known = INLINE.get
        for r, row in enumerate(self._grid):
            parts = []
            number = r + 1
            if r not in marked_rows:  # most rows: text and numbers in the sheet's one format (~1,000 cells a unit)
                text_tail = f'{number}"{line if r in lines else plain} t="inlineStr">'
                append = parts.append
                for letter, value in zip(letters, row):
                    if value.__class__ is str:
                        if value:
                            append(f'<c r="{letter}{text_tail}{known(value) or inline(value)}</c>')
                    elif value is not None:
                        append(cell_xml(f"{letter}{number}", value, plain, date, date_1904))
                if parts:
                    write(f'<row r="{number}"{heights.get(r, "")}>{"".join(parts)}</row>')
                continue
            for c, value in enumerate(row):
                mark = marks.get((r, c))
                if mark is None and type(value) is str:
                    if value:  # the common case, inline: most cells of a school sheet are short text
                        parts.append(f'<c r="{letters[c]}{number}"{plain} t="inlineStr">{inline(value)}</c>')
                    continue
                if value is None or value == "":
                    if mark is not None:
                        parts.append(f'<c r="{letters[c]}{number}"{mark[0]}/>')
                    continue
                style, date_style = mark if mark is not None else (plain, date)
                parts.append(cell_xml(f"{letters[c]}{number}", value, style, date_style, self.date_1904))
            for (mr, mc) in sorted(p for p in marks if p[0] == r and p[1] >= len(row)):
                parts.append(f'<c r="{col_letters(mc)}{r + 1}"{marks[(mr, mc)][0]}/>')
            if parts:
                write(f'<row r="{r + 1}"{heights.get(r, "")}>{"".join(parts)}</row>')
        for r in sorted(marked_rows):
            if r >= len(self._grid):
                cells = "".join(f'<c r="{col_letters(c)}{r + 1}"{marks[(rr, c)][0]}/>'
                                for rr, c in sorted(marks) if rr == r)
                write(f'<row r="{r + 1}">{cells}</row>')


class PlainSheet(_Links, Worksheet):
    """FastWorksheet's methods through xlsxwriter's public writers only: the same cells, at xlsxwriter's speed."""

    inline_strings = False  # accepted for symmetry; xlsxwriter's own choice (the shared-string table) applies

    def write_string(self, row, col, string=None, cell_format=None):
        # the writers' guard for text XML cannot hold, as FastWorksheet applies it to every write_string
        return super().write_string(row, col, xml_safe(string) if type(string) is str else string, cell_format)

    def put_string(self, row: int, col: int, text: str, fmt) -> None:
        text = xml_safe(text)
        if not text:
            self.write_blank(row, col, None, fmt)
        else:
            self.write_string(row, col, text[:32767], fmt)

    def put_number(self, row: int, col: int, number: float, fmt) -> None:
        if not math.isfinite(number):
            self.write_string(row, col, str(number), fmt)
        else:
            self.write_number(row, col, number, fmt)

    def put_value(self, row: int, col: int, value: Any, fmt) -> None:
        if value is None or value == "":
            if fmt is not None:
                self.write_blank(row, col, None, fmt)
        elif isinstance(value, str):
            self.put_string(row, col, value, fmt)
        elif isinstance(value, bool):
            self.write_boolean(row, col, value, fmt)
        elif isinstance(value, (int, float)):
            self.put_number(row, col, value, fmt)
        else:
            self.put_string(row, col, str(value), fmt)

    def _put_typed(self, row: int, col: int, value: Any, fmt, date_fmt) -> None:
        # value_kind: the rule cell_xml follows on the fast path
        kind, payload = value_kind(value, self.date_1904)
        if kind == "text":
            self.write_string(row, col, payload, fmt)
        elif kind == "bool":
            self.write_boolean(row, col, payload, fmt)
        elif kind == "number":
            self.write_number(row, col, payload, fmt)
        else:
            self.write_number(row, col, payload, date_fmt)

    def put_row(self, row: int, cells: list[tuple[int, Any, Any]], *, keep_empty: bool = True,
                height: float | None = None, links: dict[int, tuple[str, str]] | None = None) -> None:
        if height:
            self.set_row(row, height)
        for col, value, fmt in cells:
            if links and col in links and self.hlink_count < MAX_LINKS:
                url, tip = links[col]
                self.write_url(row, col, url, fmt, value, tip)
                # the text as given, as the fast path writes it (xlsxwriter 3.2.0 and before wrote "\\" for "/")
                self.write_string(row, col, value, fmt)
            elif value is None or value == "" or value is BLANK:
                if fmt is not None and (keep_empty or value is BLANK):
                    self.write_blank(row, col, None, fmt)
            else:
                self._put_typed(row, col, value, fmt, fmt)

    def put_widths(self, widths: list[float]) -> None:
        for col, width in enumerate(widths):
            self.set_column(col, col, width)

    def put_rows(self, first_row: int, rows: list[tuple[float | None, list[tuple[int, Any, Any]]]], *,
                 keep_empty: bool = False) -> None:
        for i, (height, cells) in enumerate(rows):
            self.put_row(first_row + i, cells, keep_empty=keep_empty, height=height)


class PlainGridSheet(PlainSheet):
    """GridSheet's set_grid through the public writers: every cell written at once, the same formats."""

    def set_grid(self, grid: list[list[Any]], fmt, date_fmt, marks: dict[tuple[int, int], tuple], *,
                 heights: dict[int, float] | None = None, line_rows: set[int] = frozenset(), line_fmt=None) -> None:
        line_fmt = line_fmt or fmt
        heights = heights or {}
        marked_rows = {r for r, _ in marks}
        for r, row in enumerate(grid):
            if r in heights and any(v is not None and v != "" for v in row):
                self.set_row(r, heights[r])
            text_fmt = line_fmt if r in line_rows and r not in marked_rows else fmt
            for c, value in enumerate(row):
                mark = marks.get((r, c))
                if value is None or value == "":
                    if mark is not None:
                        self.write_blank(r, c, None, mark[0])
                    continue
                style, date_style = mark if mark is not None else (fmt, date_fmt)
                if type(value) is str and mark is None:
                    style = text_fmt
                self._put_typed(r, c, value, style, date_style)
        for (r, c), (mark, _) in sorted(marks.items()):
            if r >= len(grid) or c >= len(grid[r]):
                self.write_blank(r, c, None, mark)
