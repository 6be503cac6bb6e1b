"""UnitResult (+ the Submission's cells) → the unit's result workbook `<mã đơn vị>_ket-qua.xlsx`, with xlsxwriter.

Sheets: `Kết quả` (the bản tổng hợp with the arithmetic and the reasons), the school's own sheets copied with every
cell that has a finding coloured and noted, `Lỗi dữ liệu` (every finding, linked to its cell), `_meta`.
Text from inputs is always written as text, so a name like "=HYPERLINK(…)" stays inert.
"""

from __future__ import annotations

import datetime as dt
import math
import os
import re
import struct
import tempfile
import unicodedata
import zipfile
import zlib
from collections import defaultdict
from functools import lru_cache
from pathlib import Path
from typing import Any

import xlsxwriter
import xlsxwriter.workbook
from xlsxwriter.format import Format
from xlsxwriter.packager import Packager
from xlsxwriter.utility import xl_rowcol_to_cell_fast
from xlsxwriter.worksheet import CellNumberTuple, CellStringTuple, Worksheet

from . import __version__, paper, template
from .findings import Finding, Severity
from .model import XML_BAD, IndicatorResult, Submission, UnitResult, xml_safe
from .paper import colour
from .schema import HEADER_ROW, SHEET_META, TIER_LABEL, col_index

FIXED_DATE = dt.datetime(2025, 1, 1)
# Result colours come from the one palette (paper.py) that the summary's fills, charts and legend share.
GREEN, RED, GREY, AMBER, BLUE = (colour("level2"), colour("fail"), colour("none"), colour("partial"), "#DDEBF7")
RESULT_SHEET, FINDINGS_SHEET = "Kết quả", "Lỗi dữ liệu"
MAX_NOTES_PER_SHEET = 500  # notes are costly to write and unreadable by the thousand; fills still mark every cell
_UNSAFE = re.compile(r"[^\w.\-]+")
# Text that xlsxwriter would escape (XML specials, control characters, "_xHHHH_" look-alikes) takes its own path.
_CONTROL = re.compile(r"[\x00-\x1f]|_x[0-9A-Fa-f]{4}_")
_XML_SPECIAL = re.compile(r"[&<>]")
_UNUSUAL = re.compile("[&<>\x00-\x1f\ud800-\udfff\ufffe\uffff]|_x[0-9A-Fa-f]{4}_|^\\s|\\s$")
_EDGE_SPACE = re.compile(r"^\s|\s$")


RESULT_SUFFIX = "_ket-qua.xlsx"
# A name component may hold 255 bytes on every file system we meet (ext4, NTFS counts UTF-16 units, which UTF-8
# bytes always bound); the stem keeps room for RESULT_SUFFIX and a dedupe suffix "_<n>" of up to 10 digits.
MAX_STEM_BYTES = 255 - len(RESULT_SUFFIX.encode()) - 11
_RESERVED = {"CON", "PRN", "AUX", "NUL", *(f"COM{i}" for i in range(10)), *(f"LPT{i}" for i in range(10))}


def _cut_bytes(text: str, limit: int) -> str:
    # at a character boundary: a cut inside a UTF-8 sequence would leave a name no file system accepts
    return text.encode("utf-8")[:limit].decode("utf-8", "ignore")


def safe_name(text: str, fallback: str = "don-vi", max_bytes: int = MAX_STEM_BYTES) -> str:
    """A file name stem from a unit code that cannot leave the output folder or upset any file system: NFC, only
    letters, digits, "." and "-", at most max_bytes in UTF-8."""
    def clean(value: str) -> str:
        value = xml_safe(unicodedata.normalize("NFC", value or ""))
        return _cut_bytes(_UNSAFE.sub("_", value).strip("._-"), max_bytes).strip("._-")

    text = clean(text)
    if not text or text.upper().split(".")[0] in _RESERVED:
        text = clean(fallback)
        if not text or text.upper().split(".")[0] in _RESERVED:
            text = "don-vi"
    return text


def result_file_name(result: UnitResult) -> str:
    stem = Path(result.file).stem
    return f"{safe_name(result.unit_code or '', fallback=stem)}{RESULT_SUFFIX}"


def _read_umask() -> int:
    # os.umask can only be read by setting it; done once, at import, before any thread exists.
    mask = os.umask(0)
    os.umask(mask)
    return mask


# mkstemp creates files 0600; every output gets instead what any file the user creates gets (0644 with umask 022,
# 0664 with 002), so colleagues on a shared folder can read the results. outputs.md, Guarantees.
FILE_MODE = 0o666 & ~_read_umask()


def temp_file(path: Path) -> str:
    """A new, empty temporary file beside path (named .tmp-*, which the next run removes if this one is killed),
    with the permissions of an ordinary file of the user."""
    fd, tmp = tempfile.mkstemp(prefix=".tmp-", suffix=path.suffix, dir=path.parent)
    try:
        os.chmod(tmp, FILE_MODE)
    finally:
        os.close(fd)
    return tmp


def atomic_write(path: Path, writer) -> None:
    """Write through a temporary file in the same folder, then rename: no half-written workbook is ever left."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = temp_file(path)
    try:
        writer(tmp)
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise


class PartZip:
    """The part of zipfile.ZipFile that xlsxwriter's in-memory packaging uses, built for many small workbooks.

    A unit workbook is ~19 small parts, and a third of them (theme, relationships, styles, content types) are the
    same bytes in every unit: their deflated form is kept and reused. Deflate runs at level 1 (the sheets are
    repetitive XML: ~15 % larger files, deflated in ~40 % of level 6's time), and the file is written in one call
    instead of zipfile's header-rewriting seeks."""

    _reuse: dict[bytes, tuple[int, bytes]] = {}
    _REUSE_LIMIT = 64  # distinct parts kept; only the small repeated ones ever qualify
    _DOS_1980 = (0, 33)  # 1980-01-01 00:00:00, the timestamp xlsxwriter gives every part

    def __init__(self, file, mode: str = "w", compression: int = zipfile.ZIP_DEFLATED, allowZip64: bool = False):
        self.file, self.compression = file, compression
        self.parts: list[tuple[bytes, bytes]] = []

    def writestr(self, info, data: bytes | str) -> None:
        name = info.filename if isinstance(info, zipfile.ZipInfo) else info
        self.parts.append((name.encode("utf-8"), data.encode("utf-8") if isinstance(data, str) else data))

    def write(self, filename, arcname: str) -> None:
        with open(filename, "rb") as fh:
            self.writestr(arcname, fh.read())

    @classmethod
    def _deflate(cls, data: bytes) -> tuple[int, bytes]:
        known = cls._reuse.get(data)
        if known is not None:
            return known
        packer = zlib.compressobj(1, zlib.DEFLATED, -15)
        packed = zlib.crc32(data), packer.compress(data) + packer.flush()
        if len(data) <= 16384:
            if len(cls._reuse) >= cls._REUSE_LIMIT:
                cls._reuse.clear()
            cls._reuse[data] = packed
        return packed

    def close(self) -> None:
        out: list[bytes] = []
        central: list[bytes] = []
        offset = 0
        dos_time, dos_date = self._DOS_1980
        for name, data in self.parts:
            crc, packed = self._deflate(data)
            if offset + len(packed) > 0xFFFFFFFF or len(data) > 0xFFFFFFFF:
                raise zipfile.LargeZipFile("tệp kết quả vượt quá 4 GB")
            flags = 0x800 if not name.isascii() else 0
            fields = (20, flags, 8, dos_time, dos_date, crc, len(packed), len(data), len(name))
            out.append(struct.pack("<4s5H3L2H", b"PK\x03\x04", *fields, 0) + name)
            out.append(packed)
            central.append(struct.pack("<4s6H3L5H2L", b"PK\x01\x02", 20, *fields, 0, 0, 0, 0, 0, offset) + name)
            offset += 30 + len(name) + len(packed)
        directory = b"".join(central)
        end = struct.pack("<4s4H2LH", b"PK\x05\x06", 0, 0, len(central), len(central), len(directory), offset, 0)
        blob = b"".join(out) + directory + end
        if hasattr(self.file, "write"):
            self.file.write(blob)
        else:
            with open(self.file, "wb") as fh:
                fh.write(blob)


class _CachedStylesPackager(Packager):
    """xlsxwriter's packager, with styles.xml reused while the workbook's formats are the same as the last ones."""

    _styles: dict[tuple, str] = {}

    def _write_styles_file(self) -> None:
        wb = self.workbook
        if wb.dxf_formats:
            return super()._write_styles_file()
        key = (tuple(f._get_format_key() for f in wb.xf_formats), wb.font_count, wb.border_count, wb.fill_count,
               tuple(wb.num_formats), tuple(wb.custom_colors), wb.has_comments)
        xml = self._styles.get(key)
        if xml is None:
            super()._write_styles_file()
            xml = self.filenames[-1][0].getvalue()
            if len(self._styles) >= 16:
                self._styles.clear()
            self._styles[key] = xml
        else:
            self._filename("xl/styles.xml").write(xml)


class FastWorkbook(xlsxwriter.Workbook):
    """xlsxwriter's workbook for the many small unit workbooks: formats cloned from per-process prototypes, styles.xml
    reused, and the package written by PartZip (in-memory workbooks only)."""

    _prototypes: dict[tuple, Format] = {}

    def add_format(self, properties=None) -> Format:
        # A Format takes ~40 µs to build from its properties and a unit workbook needs two dozen, the same every time.
        try:
            key = (tuple(sorted((properties or {}).items())), tuple(sorted(self.default_format_properties.items())))
            proto = self._prototypes.get(key)
        except TypeError:  # an unhashable property value: build it the normal way
            return super().add_format(properties)
        if proto is None:
            proto = self._prototypes[key] = Format({**self.default_format_properties, **(properties or {})})
        fmt = Format.__new__(Format)
        fmt.__dict__.update(proto.__dict__)
        fmt.xf_format_indices, fmt.dxf_format_indices = self.xf_format_indices, self.dxf_format_indices
        self.formats.append(fmt)
        return fmt

    def register_formats(self) -> None:
        """Give every format its style index now, in creation order, so that styles.xml is the same for every unit
        (and reused) whichever formats a unit's cells happen to use first."""
        for fmt in self.formats:
            fmt._get_xf_index()

    def _get_packager(self):
        return _CachedStylesPackager()

    def _store_workbook(self) -> None:
        # xlsxwriter opens its zip through this module-level name; it is swapped only while this workbook is stored,
        # and a worker process stores one workbook at a time.
        module = xlsxwriter.workbook
        saved, module.ZipFile = module.ZipFile, PartZip
        try:
            super()._store_workbook()
        finally:
            module.ZipFile = saved


def quote_sheet(name: str) -> str:
    return "'" + name.replace("'", "''") + "'"


BLANK = object()  # stream_rows: a blank cell that still carries its format (borders, fill)


class FastWorksheet(Worksheet):
    """xlsxwriter's worksheet with leaner paths for what we write by the hundred thousand: text and numbers with an
    explicit format. Everything else goes through xlsxwriter's own code. The summary's sheets are byte for byte what
    xlsxwriter writes; a unit workbook's sheets (inline_strings) hold the same cells with the text written in the cell
    instead of the shared-string table (tests/test_fast_writer.py checks both)."""

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

    def put_row(self, row: int, cells: list[tuple[int, Any, Any]]) -> None:
        """A whole row of (column, value, format), in column order, rendered now with inline strings (not
        constant_memory). A row written here gets no other cells. None or "" leaves a formatted blank cell."""
        if row in self.table:
            raise ValueError(f"row {row} already has cells")
        parts, first, last = self._cells_xml(row + 1, cells, empty_is_blank=True)
        if parts:
            if self._rendered is None:
                self._rendered = {}
            self._rendered[row] = ("".join(parts), first, last)
            self._track(row, first)
            self._track(row, last)

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
                   empty_is_blank: bool) -> tuple[list[str], int | None, int | None]:
        """The XML of one row's (column, value, format) cells, and its first and last column. BLANK is a formatted
        blank cell; so are None and "" when empty_is_blank, otherwise they are left out."""
        parts: list[str] = []
        first = last = None
        for col, value, fmt in cells:
            empty = value is None or value == ""
            if empty and not empty_is_blank:
                continue
            if empty or value is BLANK:
                if fmt is None:
                    continue
                parts.append(f'<c r="{_col(col)}{number}"{_style(fmt)}/>')
            else:
                style = _style(fmt) if fmt is not None else ""
                parts.append(_cell(f"{_col(col)}{number}", value, style, style, self.date_1904))
            if first is None:
                first = col
            last = col
        return parts, first, last

    def stream_rows(self, first_row: int, rows: list[list[tuple[int, Any, Any]]]) -> None:
        """constant_memory only: write whole rows of (column, value, format) straight to the sheet's file, after any
        row xlsxwriter still holds, in one write. Rows must come in increasing order, as every constant_memory write."""
        if self.table:
            self._write_single_row(first_row)  # flush the row xlsxwriter still holds
        out = []
        for number, cells in enumerate(rows, start=first_row + 1):
            parts, first, last = self._cells_xml(number, cells, empty_is_blank=False)
            if parts:
                self._track(number - 1, first)
                self._track(number - 1, last)
                out.append(f'<row r="{number}">{"".join(parts)}</row>')
        self.previous_row = first_row + len(rows)
        if out:
            self.fh.write("".join(out))

    def stream_xml(self, first_row: int, count: int, xml: str, first_col: int, last_col: int) -> None:
        """constant_memory only: append count rows already rendered as XML (by callers that build rows of a known
        shape in one f-string), keeping xlsxwriter's bookkeeping right."""
        if self.table:
            self._write_single_row(first_row)
        if count:
            self._track(first_row, first_col)
            self._track(first_row + count - 1, last_col)
            self.fh.write(xml)
        self.previous_row = first_row + count


class GridSheet(FastWorksheet):
    """A copy of a school's sheet, written straight from its grid of values when the workbook closes.

    A school sheet is most of a result workbook's cells; going through the cell table costs ~10 µs a cell, this
    ~1 µs. Cells are written as inline strings and numbers (dates as serial numbers with a date format), with the
    formats given in set_grid(); everything else about the sheet (widths, panes, notes) is xlsxwriter's."""

    _grid: list[list[Any]] | None = None
    _heights: dict[int, str] = {}

    def set_grid(self, grid: list[list[Any]], fmt, date_fmt, marks: dict[tuple[int, int], tuple],
                 widths: list[float] = (), line_fmt=None) -> None:
        self._grid, self._fmt, self._date_fmt, self._marks = grid, fmt, date_fmt, marks
        # A row holding one text (a title, a hint line) runs across the empty cells beside it instead of wrapping
        # in its narrow column; other rows wrap, with a measured height.
        self._line_fmt = line_fmt or fmt
        self._lines = {r for r, row in enumerate(grid) if len(row) - row.count(None) - row.count("") == 1}
        self._heights = _grid_heights(grid, list(widths), self._lines)
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
        letters = [_col(c) for c in range(max((len(row) for row in self._grid), default=0))]
        date_1904 = self.date_1904
        heights, lines, line = self._heights, self._lines, f' s="{self._line_fmt._get_xf_index()}"'
        for r, row in enumerate(self._grid):
            parts = []
            number = r + 1
            if r not in marked_rows:  # most rows: text and numbers in the sheet's one format
                text_tail = f'{number}"{line if r in lines else plain} t="inlineStr">'
                for c, value in enumerate(row):
                    if type(value) is str:
                        if value:
                            parts.append(f'<c r="{letters[c]}{text_tail}{inline(value)}</c>')
                    elif value is not None:
                        parts.append(_cell(f"{letters[c]}{number}", value, plain, date, date_1904))
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
                parts.append(_cell(f"{letters[c]}{number}", value, style, date_style, self.date_1904))
            for (mr, mc) in sorted(p for p in marks if p[0] == r and p[1] >= len(row)):
                parts.append(f'<c r="{_col(mc)}{r + 1}"{marks[(mr, mc)][0]}/>')
            if parts:
                write(f'<row r="{r + 1}"{heights.get(r, "")}>{"".join(parts)}</row>')
        for r in sorted(marked_rows):
            if r >= len(self._grid):
                cells = "".join(f'<c r="{_col(c)}{r + 1}"{marks[(rr, c)][0]}/>' for rr, c in sorted(marks) if rr == r)
                write(f'<row r="{r + 1}">{cells}</row>')


def _grid_heights(grid: list[list[Any]], widths: list[float], skip: set[int]) -> dict[int, str]:
    """Row attributes giving the rows whose text wraps in the template's widths their height (most rows are short
    and keep the default; a length check is all they cost)."""
    if not widths:
        return {}
    capacity = [w * 1.15 for w in widths]
    out = {}
    n = len(widths)
    for r, row in enumerate(grid):
        if r in skip:
            continue
        long = {c: v for c, v in zip(range(n), row) if v.__class__ is str and (len(v) > capacity[c] or "\n" in v)}
        if long:
            out[r] = f' ht="{paper.row_height(long, widths)}" customHeight="1"'
    return out


def _style(fmt) -> str:
    cached = getattr(fmt, "_dvht_style", None)
    if cached is None:
        cached = fmt._dvht_style = f' s="{fmt._get_xf_index()}"'
    return cached


_COLS: dict[int, str] = {}


def _col(c: int) -> str:
    letters = _COLS.get(c)
    if letters is None:
        letters = _COLS[c] = xl_rowcol_to_cell_fast(0, c)[:-1]
    return letters


_EPOCH = dt.datetime(1899, 12, 30)


def _cell(ref: str, value: Any, style: str, date_style: str, date_1904: bool) -> str:
    kind = type(value)
    if kind is str:
        return f'<c r="{ref}"{style} t="inlineStr">{inline(value)}</c>'
    if kind is bool:
        return f'<c r="{ref}"{style} t="b"><v>{int(value)}</v></c>'
    if (kind is float or kind is int) and math.isfinite(value):
        return f'<c r="{ref}"{style}><v>{value:.16G}</v></c>'
    if isinstance(value, (dt.datetime, dt.date)) and not date_1904:
        moment = value if isinstance(value, dt.datetime) else dt.datetime.combine(value, dt.time())
        serial = (moment.replace(tzinfo=None) - _EPOCH).total_seconds() / 86400
        if serial > 0:
            return f'<c r="{ref}"{date_style}><v>{serial:.16G}</v></c>'
    return _cell(ref, str(value), style, date_style, date_1904)


def inline(value: str) -> str:
    """<is><t>…</t></is> for an inline string cell, escaped as Excel and xlsxwriter escape it."""
    return _inline(value) if len(value) < 200 else _inline_text(value)


def number_xml(value: float) -> str:
    return f"{value:.16G}"


def _inline_text(value: str) -> str:
    text = value[:32767]
    if _UNUSUAL.search(text) is None:
        return f"<is><t>{text}</t></is>"
    text = xml_safe(text)  # the writers' guard: the reader has replaced these already, but not in file names
    if _CONTROL.search(text):
        text = _escape_controls(text)
    if _XML_SPECIAL.search(text):
        text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    space = ' xml:space="preserve"' if _EDGE_SPACE.search(text) else ""
    return f"<is><t{space}>{text}</t></is>"


_inline = lru_cache(maxsize=8192)(_inline_text)  # "Có", "GV", titles … repeat in every row


def _escape_controls(text: str) -> str:
    # Excel's own escape for control characters (what xlsxwriter writes): "\x07" → "_x0007_", "_x0041_" → "_x005F_x0041_".
    from xlsxwriter.xmlwriter import XMLwriter
    return XMLwriter._escape_control_characters(text)


class _F:
    def __init__(self, wb):
        base = {"font_name": "Times New Roman", "font_size": 11, "valign": "top", "text_wrap": True}
        self.base = base
        self.title = wb.add_format({**base, "bold": True, "font_size": 14, "text_wrap": False})
        self.info = wb.add_format({**base, "text_wrap": False})
        self.header = wb.add_format({**base, "bold": True, "bg_color": BLUE, "border": 1, "align": "center",
                                     "valign": "vcenter"})
        self.cell = wb.add_format({**base, "border": 1})
        self.crit = wb.add_format({**base, "border": 1, "bold": True, "bg_color": "#FCE4D6"})
        self.met = wb.add_format({**base, "border": 1, "bg_color": GREEN, "bold": True, "align": "center"})
        self.not_met = wb.add_format({**base, "border": 1, "bg_color": RED, "bold": True, "align": "center"})
        self.na = wb.add_format({**base, "border": 1, "bg_color": GREY, "align": "center"})
        self.concl_ok = wb.add_format({**base, "bold": True, "font_size": 13, "bg_color": GREEN, "text_wrap": False})
        self.concl_bad = wb.add_format({**base, "bold": True, "font_size": 13, "bg_color": RED, "text_wrap": False})
        self.link = wb.add_format({**base, "border": 1, "font_color": "blue", "underline": 1})
        self.sev = {Severity.FATAL.value: wb.add_format({**base, "border": 1, "bg_color": RED, "bold": True}),
                    Severity.ERROR.value: wb.add_format({**base, "border": 1, "bg_color": RED}),
                    Severity.WARNING.value: wb.add_format({**base, "border": 1, "bg_color": AMBER})}
        self.plain = wb.add_format({"font_name": "Times New Roman", "font_size": 11})
        self.grid = wb.add_format({"font_name": "Times New Roman", "font_size": 11, "text_wrap": True, "valign": "top"})
        self.date = wb.add_format({"font_name": "Times New Roman", "font_size": 11, "num_format": "dd/mm/yyyy",
                                   "valign": "top"})
        self.mark = {Severity.FATAL.value: wb.add_format({"bg_color": RED, "border": 2, "border_color": "#C00000"}),
                     Severity.ERROR.value: wb.add_format({"bg_color": RED, "border": 2, "border_color": "#C00000"}),
                     Severity.WARNING.value: wb.add_format({"bg_color": AMBER, "border": 1,
                                                            "border_color": "#BF8F00"})}
        self.mark_date = {k: wb.add_format({"bg_color": v.bg_color, "num_format": "dd/mm/yyyy", "border": 1})
                          for k, v in self.mark.items()}


def _status(f: _F, res: IndicatorResult | None):
    if res is None or not res.applicable:
        return "Không áp dụng", f.na
    return ("Đạt", f.met) if res.met else ("Không đạt", f.not_met)


def ws_text(first: IndicatorResult, two: IndicatorResult | None) -> str:
    return first.text if not two or two.text == first.text else f"Mức độ 1: {first.text}\nMức độ 2: {two.text}"


def _write_summary(ws, f: _F, result: UnitResult) -> None:
    points = result.scheme == "points"
    tier = TIER_LABEL.get(result.tier or "", "")
    ok = result.evaluated and (result.level or 0) > 0
    counts = result.counts()
    intro = [
        ("BẢN TỔNG HỢP KẾT QUẢ TỰ ĐÁNH GIÁ CÁC TIÊU CHÍ, CHỈ TIÊU “ĐƠN VỊ HỌC TẬP”", f.title),
        (f"Đơn vị: {result.unit_name or '?'} (mã {result.unit_code or '?'}); loại: {result.unit_kind or '?'}; "
         f"đánh giá {tier}; năm {result.year or '?'}", f.info),
        (f"Căn cứ: {result.rulebook or '?'} v{result.rulebook_version or '?'}; Thành viên được tính: "
         f"{result.members if result.members is not None else '?'}"
         + (f" (không tính {result.excluded} người, xem trang {FINDINGS_SHEET})" if result.excluded else ""), f.info),
        (f"KẾT LUẬN: {result.conclusion}", f.concl_ok if ok else f.concl_bad),
        (f"Dữ liệu: {counts['fatal'] + counts['error']} lỗi, {counts['warning']} cảnh báo "
         f"(xem trang “{FINDINGS_SHEET}”).", f.info),
    ]
    for r, (text, fmt) in enumerate(intro):
        ws.put_row(r, [(0, text, fmt)])
    if not result.evaluated:
        return
    header_row = 6
    if points:
        heads = ["Tiêu chí", "Mã", "Nội dung", "Căn cứ", "Yêu cầu", "Số liệu", "Kết quả", "Điểm tối đa", "Điểm đạt",
                 "Minh chứng", "Lý do"]
        widths = [8, 5, 38, 10, 13, 16, 11, 9, 9, 15, 28]  # A4 landscape, one page wide at ≥ 75 % (paper.py)
    else:
        heads = ["Tiêu chí", "Mã", "Nội dung", "Căn cứ", "Yêu cầu mức độ 1", "Số liệu mức độ 1", "Kết quả mức độ 1",
                 "Yêu cầu mức độ 2", "Số liệu mức độ 2", "Kết quả mức độ 2", "Minh chứng", "Lý do"]
        widths = [8, 5, 34, 10, 13, 16, 11, 13, 16, 11, 14, 27]  # A4 landscape, one page wide at ≥ 75 % (paper.py)
    for c, w in enumerate(widths):
        ws.set_column(c, c, w)
    ws.put_row(header_row, [(c, h, f.header) for c, h in enumerate(heads)])
    ws.set_row(header_row, 32)
    by_level: dict[int, dict[str, IndicatorResult]] = defaultdict(dict)
    for ind in result.indicators:
        by_level[ind.level][ind.id] = ind
    ids = list(dict.fromkeys(i.id for i in result.indicators))
    crit = {(c.criterion, c.level_key): c for c in result.criteria}
    level_keys = list(dict.fromkeys(i.level_key for i in result.indicators))
    r = header_row + 1
    current = None
    for ident in ids:
        first = by_level[1].get(ident) or next(iter(by_level.values()))[ident]
        if first.criterion != current:
            current = first.criterion
            cells: list[tuple[int, Any, Any]] = [(0, f"Tiêu chí {current}", f.crit), (1, "", f.crit),
                                                 (2, "Tất cả chỉ tiêu áp dụng đều đạt", f.crit), (3, "", f.crit)]
            cells += [(c, "", f.crit) for c in range(4, len(heads))]
            for lk, c in zip(level_keys, (6,) if points else (6, 9)):
                cr = crit.get((current, lk))
                if cr is not None:
                    cells[c] = (c, "Đạt" if cr.met else "Không đạt", f.met if cr.met else f.not_met)
            ws.put_row(r, cells)
            r += 1
        one = by_level[1].get(ident)
        two = by_level[2].get(ident)
        label1, fmt1 = _status(f, one)
        cells = [(0, str(first.criterion), f.cell), (1, ident, f.cell), (2, ws_text(first, two), f.cell),
                 (3, first.citation + (f"\n{two.citation}" if two else ""), f.cell),
                 (4, one.requirement if one else "", f.cell),
                 (5, one.measured if one and one.applicable else "", f.cell), (6, label1, fmt1)]
        if points:
            cells += [(7, one.max_points or 0, f.cell), (8, one.points or 0, fmt1)]
            ev_col = 9
        else:
            label2, fmt2 = _status(f, two)
            cells += [(7, two.requirement if two else "", f.cell),
                      (8, two.measured if two and two.applicable else "", f.cell), (9, label2, fmt2)]
            ev_col = 10
        pairs = [(name, res.reason) for name, res in (("Mức độ 1", one), ("Mức độ 2", two))
                 if res is not None and not (res.met and res.applicable)]
        if len({reason for _, reason in pairs}) == 1 and (len(pairs) == 2 or points or two is None):
            reason_text = pairs[0][1]
        else:
            reason_text = "\n".join(f"{name}: {reason}" for name, reason in pairs) or "Đạt"
        cells += [(ev_col, "; ".join(first.evidence or (two.evidence if two else [])), f.cell),
                  (ev_col + 1, reason_text, f.cell)]
        ws.put_row(r, cells)
        ws.set_row(r, paper.row_height({c: v for c, v, _ in cells if isinstance(v, str)}, widths))
        r += 1
    if points:
        verdict = f.met if result.level else f.not_met
        ws.put_row(r, [(2, "Tổng điểm", f.crit), (7, result.max_points or 0, f.crit), (8, result.points or 0, verdict),
                       (9, f"Xếp loại: {result.grade}", verdict)])
    ws.freeze_panes(header_row + 1, 2)
    paper.setup(ws, widths, header_rows=header_row, min_font=11, title=result.unit_code or "")


_SHEET_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")


def sheet_title(name: str, taken: set[str]) -> str:
    """A worksheet name Excel accepts for a copied school sheet: ≤ 31 UTF-16 units, none of []:*?/\\, no apostrophe
    at either end, unique (case-insensitive) — a school may name its sheets anything its program allowed."""
    title = _SHEET_FORBIDDEN.sub("_", xml_safe(name)).strip("'") or "Trang"

    def fit(text: str, room: int = 31) -> str:
        while len(text.encode("utf-16-le")) // 2 > room:
            text = text[:-1]
        return text.rstrip("'") or "Trang"

    title, n = fit(title), 2
    candidate = title
    while candidate.casefold() in taken:
        candidate = f"{fit(title, 31 - len(str(n)) - 3)} ({n})"
        n += 1
    taken.add(candidate.casefold())
    return candidate


def _copy_sheets(wb, f: _F, sub: Submission | None,
                 by_cell: dict[tuple[str, str], list[Finding]]) -> dict[str, str]:
    """The school's sheets, copied; returns their names in the input → their titles in the result workbook."""
    copied: dict[str, str] = {}
    taken = {RESULT_SHEET.casefold(), FINDINGS_SHEET.casefold(), SHEET_META.name.casefold()}
    if sub is None or sub.raw is None:
        return copied
    wanted = {sub.sheet_names[k]: k for k in ("unit", "members", "indicators", "evidence") if k in sub.sheet_names}
    marks: dict[str, dict[tuple[int, int], list[Finding]]] = defaultdict(dict)
    for (sheet, cell), items in by_cell.items():
        pos = _parse_a1(cell)
        if pos is not None:
            marks[sheet][pos] = items
    for name in wanted:
        raw = sub.raw.sheet(name)
        if raw is None or name in (RESULT_SHEET, FINDINGS_SHEET, SHEET_META.name):
            continue
        ws = wb.add_worksheet(sheet_title(name, taken), worksheet_class=GridSheet)
        copied[name] = ws.name
        sheet_marks = marks.get(name, {})
        width = max((len(row) for row in raw.grid), default=0)
        # The template's widths (extra columns 16), so the copy prints like the school's own sheet (paper.py).
        widths = (template.sheet_widths(wanted[name]) + [16] * width)[:max(width, 1)]
        for c, w in enumerate(widths[:width]):
            ws.set_column(c, c, w)
        styles = {pos: (f.mark[_worst(items)], f.mark_date[_worst(items)]) for pos, items in sheet_marks.items()}
        ws.set_grid(raw.grid, f.grid, f.date, styles, widths, f.plain)
        for notes, ((r, c), items) in enumerate(sorted(sheet_marks.items())):
            if notes >= MAX_NOTES_PER_SHEET:
                break
            # The secretary reads the Vietnamese message first; the code trails for whoever looks it up.
            ws.write_comment(r, c, "\n".join(f"{i.message} ({i.code})" for i in items)[:2000],
                             {"x_scale": 2.5, "y_scale": 2.2, "author": "dvht-sheets"})
        ws.freeze_panes(3, 0)
        paper.setup(ws, widths, header_rows=HEADER_ROW if len(raw.grid) > HEADER_ROW else None,
                    repeat_cols=(0, 1) if wanted[name] == "members" else None, min_font=11,
                    title=sub.unit_code or "")
    return copied


def _worst(items: list[Finding]) -> str:
    order = [Severity.FATAL.value, Severity.ERROR.value, Severity.WARNING.value]
    return min((i.severity for i in items), key=order.index)


_A1 = re.compile(r"^([A-Z]{1,3})(\d{1,7})$")


def _parse_a1(cell: str | None) -> tuple[int, int] | None:
    m = _A1.match(cell or "")
    if not m:
        return None
    return int(m.group(2)) - 1, col_index(m.group(1))


def _write_findings(ws, f: _F, findings: list[Finding], copied: dict[str, str]) -> None:
    heads = ["STT", "Mức độ", "Mã lỗi", "Trang", "Ô", "Nội dung và cách sửa"]
    widths = [5, 11, 20, 14, 7, 72]  # A4 landscape at 100 %, the message wrapped (paper.py)
    for c, (h, w) in enumerate(zip(heads, widths)):
        ws.set_column(c, c, w)
        ws.put_string(0, c, h, f.header)
    for i, item in enumerate(findings, start=1):
        sev = Severity(item.severity)
        ws.put_number(i, 0, i, f.cell)
        ws.put_string(i, 1, sev.label, f.sev[item.severity])
        ws.put_string(i, 2, item.code, f.cell)
        ws.put_string(i, 3, item.sheet or "", f.cell)
        if item.sheet in copied and item.cell:
            ws.write_url(i, 4, f"internal:{quote_sheet(copied[item.sheet])}!{item.cell}", f.link, item.cell,
                         "Đến ô có lỗi")
        else:
            ws.put_string(i, 4, item.cell or "", f.cell)
        ws.put_string(i, 5, item.message, f.cell)
        ws.set_row(i, paper.row_height({2: item.code, 3: item.sheet or "", 5: item.message}, widths))
    ws.freeze_panes(1, 0)
    if findings:
        ws.autofilter(0, 0, len(findings), len(heads) - 1)
    paper.setup(ws, widths, header_rows=0, min_font=11)


def _write_meta(ws, f: _F, result: UnitResult) -> None:
    rows = [("tool", f"dvht-sheets {__version__}"), ("rulebook", result.rulebook or ""),
            ("rulebook_version", result.rulebook_version or ""), ("input_file", Path(result.file).name),
            ("input_sha256", result.sha256)]
    for r, (k, v) in enumerate(rows):
        ws.put_string(r, 0, k, f.plain)
        ws.put_string(r, 1, v, f.plain)
    ws.set_column(0, 0, 18)
    ws.set_column(1, 1, 70)
    ws.hide()


def write_unit_workbook(target, result: UnitResult, sub: Submission | None = None) -> None:
    """Write the unit's result workbook to a path or a binary stream."""
    wb = FastWorkbook(target, {"strings_to_numbers": False, "strings_to_formulas": False,
                               "strings_to_urls": False, "in_memory": True,
                               "default_format_properties": dict(paper.DEFAULT_FONT)})
    wb.worksheet_class = FastWorksheet
    wb.set_properties({"title": f"Kết quả tự đánh giá {result.unit_code or ''}", "author": "dvht-sheets",
                       "created": FIXED_DATE})
    f = _F(wb)
    wb.register_formats()
    summary = wb.add_worksheet(RESULT_SHEET)
    summary.inline_strings = True
    by_cell: dict[tuple[str, str], list[Finding]] = defaultdict(list)
    for item in result.findings:
        if item.sheet and item.cell:
            by_cell[(item.sheet, item.cell)].append(item)
    _write_summary(summary, f, result)
    copied = _copy_sheets(wb, f, sub, by_cell)
    for name, write in ((FINDINGS_SHEET, lambda ws: _write_findings(ws, f, result.findings, copied)),
                        (SHEET_META.name, lambda ws: _write_meta(ws, f, result))):
        ws = wb.add_worksheet(name)
        ws.inline_strings = True
        write(ws)
    wb.close()


def save_unit_workbook(out_dir: str | Path, result: UnitResult, sub: Submission | None = None,
                       name: str | None = None) -> Path:
    path = Path(out_dir) / (name or result_file_name(result))
    atomic_write(path, lambda tmp: write_unit_workbook(tmp, result, sub))
    return path
