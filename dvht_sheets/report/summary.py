"""Many UnitResults → the district summary workbook tong-hop.xlsx (Tổng hợp, Danh sách, Chỉ tiêu, Lỗi dữ liệu,
Tình hình nộp, Thống kê, _meta).

Written with xlsxwriter in constant_memory mode while the batch runs (each unit's long-form rows as it finishes), so
10,000 units cost no more memory than 1,000 and the summary costs almost no time after the last unit. In a batch, a
unit arrives as a UnitFragment that its worker made (unit_fragment: the long form's and `Lỗi dữ liệu`'s rows already
rendered, the JSON object as text), so the main process only copies it; the library's UnitResult goes through the
same layout (long_rows, finding_rows) and gives the same bytes.

The indicator columns of `Tổng hợp` are derived from the rulebooks of the batch's units (summary_columns): a rulebook
file with a new indicator gets its column with no code change. The submission status and the statistics are
computed across units in stats.py (pandas), imported only when the workbook is closed, in the main process.
"""

from __future__ import annotations

import datetime as dt
import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Mapping, NamedTuple

from .. import __version__, paper, xlsxfast
from .. import rulebook as rulebooks
from ..findings import Severity
from ..model import UnitResult, vn_number
from ..present import met_word
from ..roster import Roster
from ..rulebook import Rulebook
from ..schema import OWNERSHIP, TIER_LABEL
from ..xlsxfast import BLANK, quote_sheet
from .files import Staged
from .styles import AMBER, FIXED_DATE, GREEN, GREY, LIGHT_GREEN, RED, SUMMARY, TT22_BLUE, Formats

NOT_EVALUATED = "Không đánh giá được"
STATUS_LABEL = {"A": "Đạt MĐ2", "B": "Đạt MĐ1", "X": "Đạt MĐ2, không đạt MĐ1", "F": "Không đạt", "N": "Không áp dụng",
                "": ""}
RESULT_ORDER = ["Đạt mức độ 2", "Đạt mức độ 1", "Không đạt", "Xếp loại (TT 22)", NOT_EVALUATED]


# ---------------------------------------------------------------------------------------------------- columns


@dataclass(frozen=True)
class Column:
    """One indicator column of `Tổng hợp`: a percentage (with the level whose numbers it shows) or a status."""

    title: str
    id: str
    level: int | None  # the level shown; None for a status column (met at both levels, one of them, neither)
    percent: bool



_COLUMN_CACHE: dict[tuple[str, str, str], tuple[Column, ...]] = {}


def summary_columns(book: Rulebook | None) -> tuple[Column, ...]:
    """The indicator columns a rulebook gives `Tổng hợp`, taken from its rules: first every rule measured as a share
    of members (it has a threshold), then every other rule, each group in the rulebook's order, one column per id.
    A measured rule whose counted columns differ between levels (TT 24's 2.4: a certificate at level 1, proficiency
    or a certificate at level 2) measures a different share at each level and gets a column per level ("2.4 MĐ1
    (%)"); otherwise the share is the same at every level and one column shows it ("2.1 (%)").

    Only rulebooks of levels (TT 24) get these columns; a points rulebook (TT 22) has its score and grade columns,
    and its per-indicator numbers are in `Chỉ tiêu`."""
    if book is None or book.scheme != "levels":
        return ()
    key = (book.id, book.version, book.source)
    known = _COLUMN_CACHE.get(key)
    if known is not None:
        return known
    measured: dict[str, Column | list[Column]] = {}
    status: dict[str, Column] = {}
    level_numbers = sorted({lv.level for lv in book.levels.values()})
    for rule in book.rules:
        keys = [k for k, lv in book.levels.items() if rule.in_tier(lv.tier) or lv.tier == "any"]
        if rule.raw.get("threshold") is not None:
            if rule.id in measured:
                continue
            counted = {tuple(rule.fields(k)) for k in keys}
            if len(counted) > 1:
                measured[rule.id] = [Column(f"{rule.id} MĐ{n} (%)", rule.id, n, True) for n in level_numbers]
            else:
                measured[rule.id] = Column(f"{rule.id} (%)", rule.id, level_numbers[0], True)
        elif rule.id not in status:
            status[rule.id] = Column(rule.id, rule.id, None, False)
    out: list[Column] = []
    for col in measured.values():
        out += col if isinstance(col, list) else [col]
    out += [c for c in status.values() if c.id not in measured]
    _COLUMN_CACHE[key] = result = tuple(out)
    return result


def book_of(result: UnitResult, books: Mapping[str, Rulebook] | None = None) -> Rulebook | None:
    """The Rulebook a result was evaluated with: the batch's own (a file given with --rulebook), or a bundled one."""
    if not result.rulebook:
        return None
    if books and result.rulebook in books:
        return books[result.rulebook]
    return next((b for b in rulebooks.bundled() if b.id == result.rulebook), None)


@dataclass(slots=True)
class UnitRow:
    """What the summary keeps in memory per unit (a few hundred bytes; slots keep it that way at 10,000 units)."""

    index: int
    file: str
    sha256: str
    evaluated: bool
    unit_code: str | None
    unit_name: str | None
    unit_kind: str | None
    ownership: str | None
    tier: str | None
    year: int | None
    rulebook: str | None
    scheme: str | None
    members: int | None
    level: int | None
    requested: int | None
    grade: str | None
    points: float | None
    result: str
    failing1: str
    failing2: str
    errors: int
    warnings: int
    reason: str
    columns: tuple  # summary_columns() of the unit's rulebook (shared, not copied)
    pct: tuple  # a fraction per percentage column of `columns` (None when not applicable)
    status: str  # one status letter per column of `columns`
    output: str = ""


def _status(by_key: dict, ident: str, level: int | None = None) -> str:
    one, two = by_key.get((ident, 1)), by_key.get((ident, 2))
    if level is not None:
        res = by_key.get((ident, level))
        if res is None:
            return ""
        if not res.applicable:
            return "N"
        return ("A" if level == 2 else ("A" if two is not None and two.met else "B")) if res.met else "F"
    if one is None and two is None:
        return ""
    if (one is None or not one.applicable) and (two is None or not two.applicable):
        return "N"
    met1 = one is not None and (not one.applicable or one.met)
    met2 = two is not None and (not two.applicable or two.met)
    return "A" if met1 and met2 else "B" if met1 else "X" if met2 else "F"


def unit_row(index: int, r: UnitResult, output: str, book: Rulebook | None = None) -> UnitRow:
    """The compact row of one unit; book is its rulebook when not a bundled one (a file given with --rulebook)."""
    counts = r.counts()
    levels_scheme = r.scheme == "levels"
    columns = summary_columns(book if book is not None and book.id == r.rulebook else book_of(r)) \
        if levels_scheme else ()
    by_key = {(i.id, i.level): i for i in r.indicators} if levels_scheme else {}
    pct, status = [], []
    for col in columns:
        if col.percent:
            res = by_key.get((col.id, col.level))
            pct.append(res.numerator / res.denominator if res is not None and res.applicable and res.denominator
                       else None)
            status.append(_status(by_key, col.id, col.level) or " ")
        else:
            status.append(_status(by_key, col.id) or " ")
    return UnitRow(
        index=index, file=r.file, sha256=r.sha256, evaluated=r.evaluated, unit_code=r.unit_code,
        unit_name=r.unit_name, unit_kind=r.unit_kind, ownership=r.ownership, tier=r.tier, year=r.year,
        rulebook=r.rulebook, scheme=r.scheme, members=r.members, level=r.level, requested=r.requested_level,
        grade=r.grade, points=r.points, result=r.result_label,
        failing1=", ".join(r.failing(1)) if r.evaluated else "",
        failing2=", ".join(r.failing(2)) if r.evaluated and levels_scheme else "",
        errors=counts["fatal"] + counts["error"], warnings=counts["warning"],
        reason="" if r.evaluated else " ".join(f.message for f in r.findings if f.severity == "fatal"),  # sentences
        columns=columns, pct=tuple(pct), status="".join(status), output=output,
    )


def batch_columns(rows: Iterable[UnitRow]) -> tuple[list[Column], list[Column]]:
    """The percentage and the status columns of the batch: every column of every unit's rulebook, by title, in the
    order met (a unit whose rulebook lacks a column leaves it blank)."""
    seen: dict[str, Column] = {}
    for columns in {id(r.columns): r.columns for r in rows}.values():
        for col in columns:
            seen.setdefault(col.title, col)
    return [c for c in seen.values() if c.percent], [c for c in seen.values() if not c.percent]


def row_values(row: UnitRow, pct_cols: list[Column], status_cols: list[Column]) -> tuple[list, list]:
    """(fraction or None, status letter) per batch column for one unit's row."""
    own: dict[str, tuple] = {}
    k = 0
    for i, col in enumerate(row.columns):
        if col.percent:
            own[col.title] = (row.pct[k], row.status[i].strip())
            k += 1
        else:
            own[col.title] = (None, row.status[i].strip())
    return [own.get(c.title, (None, "")) for c in pct_cols], [own.get(c.title, (None, ""))[1] for c in status_cols]


def short_name(book: Rulebook) -> str:
    """The regulation's short name for headings ("TT 24/2023"): the rulebook's `short_name`, else from its name."""
    if book.raw.get("short_name"):
        return str(book.raw["short_name"])
    m = re.search(r"Thông tư\s+(\d+/\d{4})", book.name)
    return f"TT {m.group(1)}" if m else book.name


LEAD_HEADERS = ["STT", "Mã đơn vị", "Tên đơn vị", "Loại đơn vị", "Loại hình", "Cấp", "Năm", "Số thành viên",
                "Kết quả", "Mức đề nghị", "Mức đạt", "Chỉ tiêu chưa đạt MĐ1", "Chỉ tiêu chưa đạt MĐ2", "Điểm (TT 22)",
                "Xếp loại (TT 22)"]
LEAD_WIDTHS = [5, 23, 34, 16, 10, 9, 6, 9, 18, 9, 8, 16, 16, 8, 10]
TAIL_HEADERS = ["Số lỗi", "Số cảnh báo", "Tệp nguồn", "Tệp kết quả", "Lý do không đánh giá được"]
TAIL_WIDTHS = [7, 8, 30, 30, 50]
PCT_WIDTH, STATUS_WIDTH = 9, 6
TOTALS_ROWS = 4


def summary_layout(pct_cols: list[Column], status_cols: list[Column]) -> tuple[list[str], list[float]]:
    """The headers and widths of `Tổng hợp` for these indicator columns."""
    headers = LEAD_HEADERS + [c.title for c in pct_cols] + [c.title for c in status_cols] + TAIL_HEADERS
    widths = LEAD_WIDTHS + [PCT_WIDTH] * len(pct_cols) + [STATUS_WIDTH] * len(status_cols) + TAIL_WIDTHS
    return headers, widths


def partial_note(done: int, total: int) -> str:
    return (f"CHƯA ĐẦY ĐỦ: lần chạy bị dừng giữa chừng, mới đánh giá {done}/{total} tệp; "
            "hãy chạy lại để có bản tổng hợp đầy đủ.")


def _write_overview(ws, f: Formats, rows: list[UnitRow], partial: tuple[int, int] | None = None,
                    roster: Roster | None = None) -> None:
    from .stats import counted_rows, submitted_text, totals as count_totals

    ws.write_string(0, 0, "TỔNG HỢP KẾT QUẢ TỰ ĐÁNH GIÁ “ĐƠN VỊ HỌC TẬP”", f.title)
    totals = dict(count_totals(counted_rows(rows)))  # units, not files (issue 11)
    rate = totals["Được công nhận"] / totals["Được đánh giá"] * 100 if totals["Được đánh giá"] else 0
    line = (f"Đã nộp: {submitted_text(rows, roster)} · Đạt mức độ 2: {totals['Đạt mức độ 2']} · Đạt mức độ 1: "
            f"{totals['Đạt mức độ 1']} · Không đạt: {totals['Không đạt']}"
            + (f" · Xếp loại theo TT 22/2020: {totals['Xếp loại theo TT 22/2020']}"
               if totals["Xếp loại theo TT 22/2020"] else "")
            + f" · Không đánh giá được: {totals[NOT_EVALUATED]} · Tỉ lệ được công nhận: {vn_number(rate)} % "
              f"(trên {totals['Được đánh giá']} đơn vị được đánh giá)")
    if partial:
        line = partial_note(*partial) + " " + line
    ws.write_string(1, 0, line, f.big)
    ws.write_string(2, 0, LEGEND, f.text)
    header = TOTALS_ROWS
    pct_cols, status_cols = batch_columns(rows)
    headers, widths = summary_layout(pct_cols, status_cols)
    for c, (h, w) in enumerate(zip(headers, widths)):
        ws.set_column(c, c, w)
        ws.write_string(header, c, h, f.header)
    ws.set_row(header, 45)
    pct_start = len(LEAD_HEADERS)
    unit_start = pct_start + len(pct_cols)
    link_col = unit_start + len(status_cols) + 3
    for i, row in enumerate(rows):
        r = header + 1 + i
        fmt = f.result.get(row.result, f.result_other if row.result.startswith("Xếp loại") else f.cell)
        values = [i + 1, row.unit_code, row.unit_name, row.unit_kind, OWNERSHIP.label(row.ownership),
                  TIER_LABEL.get(row.tier or "", ""), row.year, row.members]
        cells = [(c, v, f.int if c in (0, 7) else f.cell) for c, v in enumerate(values)]
        cells += [(8, row.result, fmt), (9, row.requested, f.cell),
                  (10, row.level if row.scheme == "levels" else None, f.cell), (11, row.failing1, f.cell),
                  (12, row.failing2, f.cell), (13, row.points, f.num), (14, row.grade, f.cell)]
        measured, statuses = row_values(row, pct_cols, status_cols)
        for k, (value, st) in enumerate(measured):
            if value is None:
                cells.append((pct_start + k, STATUS_LABEL.get(st, "") if st == "N" else None, f.status.get(st, f.cell)))
            else:
                cells.append((pct_start + k, value, f.pct.get(st, f.pct_plain)))
        for k, st in enumerate(statuses):
            cells.append((unit_start + k, {"A": "Đạt", "B": "MĐ1", "X": "MĐ2", "F": "Không", "N": "—"}.get(st),
                          f.status.get(st, f.cell)))
        base = unit_start + len(status_cols)
        cells += [(base, row.errors, f.int), (base + 1, row.warnings, f.int), (base + 2, row.file, f.cell),
                  (link_col, row.output or None, f.link if row.output else f.cell), (base + 4, row.reason, f.cell)]
        links = {link_col: (f"external:{row.output}", "Mở tệp kết quả của đơn vị")} if row.output else None
        ws.put_row(r, [(c, BLANK if v is None or v == "" else v, fm) for c, v, fm in cells], links=links)
    ws.freeze_panes(header + 1, 3)
    ws.autofilter(header, 0, header + max(1, len(rows)), len(headers) - 1)
    # Too wide for one page at a readable size: landscape at 75 %, code and name repeated on every page; the
    # one-page list to print is `Danh sách`.
    paper.setup(ws, widths, header_rows=header, repeat_cols=(0, 2), min_font=11, rows=header + 1 + len(rows))


# The legend names the palette's colours with the palette's own words (paper.py).
LEGEND = (f"Màu: {paper.word('level2')} = đạt mức độ 2; {paper.word('level1')} = đạt mức độ 1; "
          f"{paper.word('fail')} = không đạt; {paper.word('partial')} = đạt mức độ 2 nhưng không đạt mức độ 1; "
          f"{paper.word('tt22')} = xếp loại theo TT 22/2020; {paper.word('none')} = không áp dụng / không đánh giá "
          "được. Số liệu tổng: trang “Thống kê”.")

LIST_HEADERS = ["STT", "Mã đơn vị", "Tên đơn vị", "Loại đơn vị", "Cấp", "Kết quả",
                "Chỉ tiêu chưa đạt (hoặc lý do không đánh giá được)"]
LIST_WIDTHS = [5, 23, 30, 16, 9, 19, 40]  # one A4 landscape page wide at 100 % (paper.py)


def failing_text(row: UnitRow) -> str:
    if not row.evaluated:
        return row.reason
    if row.scheme == "levels":
        return "; ".join(f"Mức độ {n}: {ids}" for n, ids in ((1, row.failing1), (2, row.failing2)) if ids)
    return row.failing1


def _write_list(ws, f: Formats, rows: list[UnitRow]) -> None:
    """`Danh sách`: the compact list an officer prints (issue 11): one A4 landscape page wide, type ≥ 8 pt."""
    ws.write_string(0, 0, "DANH SÁCH KẾT QUẢ TỰ ĐÁNH GIÁ “ĐƠN VỊ HỌC TẬP”", f.title)
    ws.set_row(1, 30)
    for c, (h, w) in enumerate(zip(LIST_HEADERS, LIST_WIDTHS)):
        ws.set_column(c, c, w)
        ws.write_string(1, c, h, f.header)
    for i, row in enumerate(rows):
        r = 2 + i
        tier = TIER_LABEL.get(row.tier or "", "")
        failing = failing_text(row)
        ws.set_row(r, paper.row_height({2: row.unit_name or "", 3: row.unit_kind or "", 4: tier, 5: row.result,
                                        6: failing}, LIST_WIDTHS))
        fill = f.result_wrap.get(row.result, f.result_wrap[""] if row.result.startswith("Xếp loại") else f.wrap)
        for c, (value, fmt) in enumerate(zip([i + 1, row.unit_code, row.unit_name, row.unit_kind, tier, row.result,
                                              failing], [f.int, f.cell, f.wrap, f.wrap, f.wrap, fill, f.wrap])):
            ws.put_value(r, c, value, fmt)
    ws.freeze_panes(2, 0)
    paper.setup(ws, LIST_WIDTHS, header_rows=1, min_font=11, rows=2 + len(rows))


LONG_HEADERS = ["Mã đơn vị", "Mức", "Chỉ tiêu", "Tử số", "Mẫu số", "%", "Ngưỡng (%)", "Kết quả", "Điểm", "Lý do"]
LONG_WIDTHS = [23, 9, 8, 7, 7, 9, 9, 13, 6, 67]
FINDING_HEADERS = ["Mã đơn vị", "Tệp nguồn", "Mức độ", "Mã lỗi", "Trang", "Ô", "Nội dung và cách sửa",
                   "Mở trong tệp kết quả"]
FINDING_WIDTHS = [23, 22, 10, 18, 13, 6, 55, 24]  # A4 landscape at 85 %, the message wrapped


# The long form's formats by key: a key names a format in a worker process, which has no Format of the summary
# workbook (unit_fragment). The summary registers them first, in this order, so their style numbers are fixed.
LONG_KEYS = ("cell", "wrap", "int", "pct_plain", "num", *(f"status:{k}" for k in SUMMARY["status"]))
_KEYS = {k: k for k in LONG_KEYS}  # the plain path's fragment: its cells keep the keys, resolved by the writer


def long_formats(f: Formats) -> dict:
    """The long form's formats (LONG_KEYS → Format)."""
    return {k: f.status[k.split(":", 1)[1]] if k.startswith("status:") else getattr(f, k) for k in LONG_KEYS}


def long_rows(row: UnitRow, result: UnitResult, fmt: Mapping, limit: int | None = None) -> list:
    """The unit's rows of `Chỉ tiêu` as put_rows takes them, (height or None, [(column, value, format)]), with the
    formats taken from fmt by LONG_KEYS (Formats, or the stand-ins and keys of unit_fragment); the first limit
    indicators only, when given."""
    code = row.unit_code or row.file
    level_label = {1: "Mức độ 1", 2: "Mức độ 2"} if result.scheme == "levels" else {1: "TT 22/2020"}
    cell, whole, pct, num, wrap = fmt["cell"], fmt["int"], fmt["pct_plain"], fmt["num"], fmt["wrap"]
    rows = []
    for ind in result.indicators[:limit]:
        key = "N" if not ind.applicable else ("A" if ind.met else "F")
        rows.append((_reason_height(ind.reason), [
            (0, code, cell), (1, str(level_label.get(ind.level, ind.level)), cell), (2, ind.id, cell),
            (3, ind.numerator if ind.denominator is not None else None, whole), (4, ind.denominator, whole),
            (5, ind.numerator / ind.denominator if ind.denominator else None, pct),
            (6, ind.threshold, num), (7, met_word(ind), fmt["status:" + key]), (8, ind.points, num),
            (9, ind.reason, wrap)]))
    return rows


def finding_rows(row: UnitRow, result: UnitResult) -> list[tuple]:
    """The unit's findings as `Lỗi dữ liệu` writes them, plain tuples: (row height, severity, code, sheet, cell,
    message)."""
    return [(paper.row_height({1: row.file, 3: item.code, 6: item.message}, FINDING_WIDTHS), item.severity,
             item.code, item.sheet, item.cell, item.message) for item in result.findings]


@dataclass(frozen=True)
class FragmentSpec:
    """How a worker renders a unit's fragment for one summary workbook: the style attribute (' s="N"') of each
    LONG_KEYS format of that workbook, or None when it is written on the plain path (the cells then travel as
    values with their format keys)."""

    styles: tuple[tuple[str, str], ...] | None


class UnitFragment(NamedTuple):
    """One unit as the summary writers take it, made ready in the batch's worker process (unit_fragment), so that the
    main process only copies it into the outputs: the long form's rows, the findings of `Lỗi dữ liệu` and the unit's
    object of ket-qua.json. SummaryWriter.add and JsonWriter.add take either this or the UnitResult itself."""

    long: list  # xlsxfast.render_rows' rows (str, the row number open), or (plain path) long_rows with format keys
    span: tuple | None  # the first and last column the rendered rows write
    findings: list  # finding_rows()
    finding_xml: list | None  # per finding, its row rendered but for the severity and the link (render_findings)
    json: str  # exports.json_object()


_STAND_INS: dict[tuple, dict] = {}


def unit_fragment(row: UnitRow, result: UnitResult, spec: FragmentSpec) -> UnitFragment:
    """The fragment of one unit for the summary workbook spec was made from (and for ket-qua.json)."""
    from .exports import json_object

    findings = finding_rows(row, result)
    if spec.styles is None:
        return UnitFragment(long_rows(row, result, _KEYS), None, findings, None, json_object(result))
    fmt = _STAND_INS.get(spec.styles)
    if fmt is None:
        fmt = _STAND_INS[spec.styles] = xlsxfast.stand_ins(dict(spec.styles))
    long, span = xlsxfast.render_rows(long_rows(row, result, fmt))
    return UnitFragment(long, span, findings, render_findings(row, findings, fmt), json_object(result))


def _finding_cells(row: UnitRow, item: tuple, fmt: Mapping) -> tuple[list, tuple, list]:
    """A row of `Lỗi dữ liệu`: the cells before the severity, the severity's (label, format key), the cells after
    it (the link to the result workbook, column 7, comes last)."""
    _, severity, code, sheet, ref, message = item
    cell, wrap = fmt["cell"], fmt["wrap"]
    return ([(0, row.unit_code, cell), (1, row.file, wrap)], (Severity(severity).label, severity),
            [(3, code, wrap), (4, sheet, wrap), (5, ref, wrap), (6, message, wrap)])


def render_findings(row: UnitRow, findings: list[tuple], fmt: Mapping) -> list[tuple[str, str]]:
    """Per finding, (the row's opening and the cells before the severity, the cells after it), rendered in the
    worker. The severity's cell and the link are added by the writer: their formats get their style numbers only
    when a cell first uses them (as on the result path), which a worker cannot know."""
    out = []
    for item in findings:
        before, _, after = _finding_cells(row, item, fmt)
        out.append((xlsxfast.row_start(item[0]) + xlsxfast.render_cells(before), xlsxfast.render_cells(after)))
    return out


class _LongForm:
    """The long "Chỉ tiêu" sheet and "Lỗi dữ liệu", appended one unit at a time (constant_memory: rows in order)."""

    MAX_ROWS = 1_048_575

    def __init__(self, ws, err_ws, f: Formats):
        self.ws, self.err_ws, self.f = ws, err_ws, f
        self.formats = long_formats(f)
        self.styles: dict[str, str] | None = None  # set by SummaryWriter once the formats are registered
        self._severities: dict[str, str] = {}  # severity → its rendered cell in `Lỗi dữ liệu`
        for c, (h, w) in enumerate(zip(LONG_HEADERS, LONG_WIDTHS)):
            ws.set_column(c, c, w)
            ws.write_string(0, c, h, f.header)
        for c, (h, w) in enumerate(zip(FINDING_HEADERS, FINDING_WIDTHS)):
            err_ws.set_column(c, c, w)
            err_ws.write_string(0, c, h, f.header)
        self.r = self.e = 1

    def add(self, row: UnitRow, item: UnitResult | UnitFragment) -> None:
        room = max(0, self.MAX_ROWS - self.r)
        if not isinstance(item, UnitFragment):
            rows = long_rows(row, item, self.formats, room)
            # ~30 rows a unit: on the fast path they go to the sheet's file in one write
            self.ws.put_rows(self.r, rows)
            self.r += len(rows)
            self._findings(row, finding_rows(row, item))
            return
        long, span = item.long, item.span
        if len(long) > room:  # the sheet is full: the rows that still fit
            long = long[:room]
            if long and type(long[0]) is str:
                span = xlsxfast.bounds(long)
        if long and type(long[0]) is str:
            if self.styles is None:
                raise ValueError("a fragment rendered for the fast path, given to a summary on the plain path")
            xlsxfast.put_rendered(self.ws, self.r, long, span)
        else:
            formats = self.formats
            self.ws.put_rows(self.r, [(h, [(c, v, formats[k]) for c, v, k in cells]) for h, cells in long])
        self.r += len(long)
        if item.finding_xml is not None and self.styles is not None:
            self._rendered_findings(row, item.findings, item.finding_xml)
        else:
            self._findings(row, item.findings)

    def _findings(self, row: UnitRow, items: list[tuple]) -> None:
        f, formats = self.f, self.formats
        for item in items[: max(0, self.MAX_ROWS - self.e)]:
            before, (label, severity), after = _finding_cells(row, item, formats)
            cells = [*before, (2, label, f.sev[severity]), *after]
            links = None
            if row.output:
                cells.append((7, row.output, f.link))
                links = {7: (_finding_link(row.output, item), FINDING_TIP)}
            self.err_ws.put_row(self.e, cells, height=item[0], links=links)
            self.e += 1

    def _rendered_findings(self, row: UnitRow, items: list[tuple], rendered: list[tuple[str, str]]) -> None:
        # The worker's pieces with the severity's cell and the link: what _findings writes, without rendering the
        # cells again.
        f, output, severities = self.f, row.output, self._severities
        rows, links = [], []
        link = None
        for k, (item, (start, after)) in enumerate(zip(items[: max(0, self.MAX_ROWS - self.e)], rendered)):
            severity = item[1]
            cell = severities.get(severity)
            if cell is None:  # its style number is given here, at the first cell that uses it, as in _findings
                cell = severities[severity] = xlsxfast.render_cells([(2, Severity(severity).label, f.sev[severity])])
            if output:
                if link is None:
                    link = xlsxfast.render_cells([(7, output, f.link)])
                links.append((k, 7, _finding_link(output, item), f.link, output, FINDING_TIP))
            rows.append(f"{start}{cell}{after}{link or ''}</row>")
        # every cell has a format and empty ones are written: columns 0–6 always, 7 with the link
        xlsxfast.put_rendered(self.err_ws, self.e, rows, (0, 7 if output else 6), links)
        self.e += len(rows)

    def close(self) -> None:
        self.ws.freeze_panes(1, 1)
        self.ws.autofilter(0, 0, max(1, self.r - 1), len(LONG_HEADERS) - 1)
        self.err_ws.freeze_panes(1, 0)
        self.err_ws.autofilter(0, 0, max(1, self.e - 1), len(FINDING_HEADERS) - 1)
        paper.setup(self.ws, LONG_WIDTHS, header_rows=0, min_font=11, rows=self.r)
        paper.setup(self.err_ws, FINDING_WIDTHS, header_rows=0, min_font=11, rows=self.e)


FINDING_TIP = "Mở tệp kết quả của đơn vị tại ô có lỗi"


def _finding_link(output: str, item: tuple) -> str:
    """The link of a finding's row: the unit's result workbook, at the finding's cell when it has one."""
    sheet, ref = item[3], item[4]
    return f"external:{output}" + (f"#{quote_sheet(sheet)}!{ref}" if sheet and ref else "")


def _reason_height(reason: str | None) -> float | None:
    """A row height when the reason wraps in its column (most fit one line and keep the default)."""
    if not reason or (len(reason) <= LONG_WIDTHS[9] * 1.15 and "\n" not in reason):
        return None
    return paper.row_height({9: reason}, LONG_WIDTHS)


def _write_status(ws, f: Formats, rows: list[UnitRow], roster: Roster | None) -> None:
    from .stats import submission_status

    status = submission_status(rows, roster)
    for c, w in enumerate(STATUS_WIDTHS):
        ws.set_column(c, c, w)
    paper.setup(ws, STATUS_WIDTHS, min_font=11)
    r = 0
    ws.write_string(r, 0, "TÌNH HÌNH NỘP HỒ SƠ", f.title)
    r += 1
    if roster is None:
        ws.write_string(r, 0, "Không có danh sách đơn vị (--roster): chỉ kiểm tra trùng lặp.", f.text)
    elif roster.problem:
        ws.write_string(r, 0, f"Không đọc được danh sách đơn vị {roster.source}: {roster.problem}", f.text)
    else:
        ws.write_string(r, 0, f"Danh sách đơn vị: {roster.source} ({len(roster.units)} đơn vị); đã nộp "
                              f"{len(roster.units) - len(status['missing'])}.", f.text)
    r += 2

    def section(title: str, heads: list[str], items: list[list]) -> None:
        nonlocal r
        ws.write_string(r, 0, f"{title}: {len(items)}", f.bold)
        r += 1
        for c, h in enumerate(heads):
            ws.write_string(r, c, h, f.header)
        r += 1
        for item in items:
            for c, v in enumerate(item):
                ws.put_value(r, c, v, f.cell)
            r += 1
        if not items:
            ws.write_string(r, 0, "(không có)", f.text)
            r += 1
        r += 1

    if roster is not None and not roster.problem:
        section("Chưa nộp", ["Mã đơn vị", "Tên đơn vị"], [[c, n] for c, n in status["missing"]])
        section("Đã nộp nhưng không có trong danh sách", ["Mã đơn vị", "Tên đơn vị", "Tệp nguồn"],
                [[row.unit_code, row.unit_name, row.file] for row in status["unexpected"]])
    section("Trùng mã đơn vị", ["Mã đơn vị", "Tên đơn vị", "Tệp nguồn"],
            [[row.unit_code, row.unit_name, row.file] for _, group in status["duplicate_code"] for row in group])
    section("Tệp trùng nội dung (giống hệt nhau)", ["SHA-256", "Mã đơn vị", "Tệp nguồn"],
            [[h[:16] + "…", row.unit_code, row.file] for h, group in status["duplicate_content"] for row in group])


STATUS_WIDTHS = [20, 36, 40]  # portrait A4 at 100 %
STATS_WIDTHS = [26] + [10.5] * 6  # portrait A4 at 100 %; the charts are drawn as wide as these columns
CHART_PX = int(sum(paper.column_px(w) for w in STATS_WIDTHS) * 0.9)  # inside the columns in Excel and LibreOffice
PAGE_ROWS = 46  # default 15 pt rows on a portrait A4 page between the margins (paper.MARGINS)

def _write_stats(wb, ws, f: Formats, rows: list[UnitRow], books: Mapping[str, Rulebook]) -> None:
    from .stats import statistics, totals as count_totals

    by_kind, by_tier, failed = statistics(rows)
    for c, w in enumerate(STATS_WIDTHS):
        ws.set_column(c, c, w)
    paper.setup(ws, STATS_WIDTHS, min_font=11)
    sheet = quote_sheet(ws.name)
    charts: list = []  # (chart, height in px), drawn one under another below the tables

    def table(r0: int, title: str, frame) -> int:
        ws.write_string(r0, 0, title, f.bold)
        ws.set_row(r0 + 1, 32)
        ws.write_string(r0 + 1, 0, "", f.header)
        for c, col in enumerate(frame.columns, start=1):
            ws.write_string(r0 + 1, c, col, f.header)
        ws.write_string(r0 + 1, len(frame.columns) + 1, "Tổng", f.header)
        for i, (name, values) in enumerate(frame.rows):
            ws.write_string(r0 + 2 + i, 0, str(name), f.cell)
            for c, v in enumerate(values, start=1):
                ws.write_number(r0 + 2 + i, c, v, f.int)
            ws.write_number(r0 + 2 + i, len(frame.columns) + 1, sum(values), f.int)
        return r0 + 2 + len(frame.rows)

    colours = [GREEN, LIGHT_GREEN, RED, TT22_BLUE, GREY]  # RESULT_ORDER, the palette of the fills and the legend

    def stacked(r0: int, r1: int, ncols: int, title: str) -> None:
        if r1 <= r0 + 2:
            return
        chart = wb.add_chart({"type": "bar", "subtype": "stacked"})
        for c in range(1, ncols + 1):
            chart.add_series({"name": [ws.name, r0 + 1, c], "categories": [ws.name, r0 + 2, 0, r1 - 1, 0],
                              "values": [ws.name, r0 + 2, c, r1 - 1, c],
                              "fill": {"color": colours[(c - 1) % len(colours)]}, "border": {"color": "#808080"}})
        chart.set_title({"name": title})
        chart.set_legend({"position": "bottom"})
        height = 90 + 24 * (r1 - r0)
        chart.set_size({"width": CHART_PX, "height": height})
        charts.append((chart, height))

    ws.write_string(0, 0, "THỐNG KÊ KẾT QUẢ", f.title)
    totals = count_totals(rows)
    for i, (label, n) in enumerate(totals):
        ws.write_string(2 + i, 0, label, f.cell)
        ws.write_number(2 + i, 1, n, f.int)
    r_kind = 2 + len(totals) + 1
    end_kind = table(r_kind, "Kết quả theo loại đơn vị", by_kind)
    stacked(r_kind, end_kind, len(by_kind.columns), "Kết quả theo loại đơn vị")
    r_tier = end_kind + 2
    end_tier = table(r_tier, "Kết quả theo cấp đánh giá", by_tier)
    stacked(r_tier, end_tier, len(by_tier.columns), "Kết quả theo cấp đánh giá")
    r_fail = max(end_tier + 2, r_tier + 2)
    # Failures are counted by level for the rulebooks of levels in the batch (statistics()); the heading names them.
    regulations = ", ".join(sorted({short_name(books[r.rulebook]) for r in rows
                                    if r.scheme == "levels" and r.rulebook in books}))
    ws.write_string(r_fail, 0, f"Chỉ tiêu không đạt nhiều nhất ({regulations + ', ' if regulations else ''}số đơn vị)",
                    f.bold)
    ws.set_row(r_fail + 1, 32)
    for c, h in enumerate(["Chỉ tiêu", "Không đạt mức độ 1", "Không đạt mức độ 2"]):
        ws.write_string(r_fail + 1, c, h, f.header)
    for i, d in enumerate(failed):
        ws.write_string(r_fail + 2 + i, 0, d["id"], f.cell)
        ws.write_number(r_fail + 2 + i, 1, d["l1"], f.int)
        ws.write_number(r_fail + 2 + i, 2, d["l2"], f.int)
    if failed:
        end = r_fail + 2 + len(failed)
        chart = wb.add_chart({"type": "column"})
        for c, colour in ((1, RED), (2, AMBER)):
            chart.add_series({"name": [ws.name, r_fail + 1, c], "categories": [ws.name, r_fail + 2, 0, end - 1, 0],
                              "values": [ws.name, r_fail + 2, c, end - 1, c], "fill": {"color": colour},
                              "border": {"color": "#808080"}})
        chart.set_title({"name": "Chỉ tiêu không đạt nhiều nhất"})
        chart.set_legend({"position": "bottom"})
        chart.set_size({"width": CHART_PX, "height": 240})
        charts.append((chart, 240))
    # The charts start on a page of their own, under the tables, one under another; a chart that would cross the
    # foot of a page starts the next one, so none is cut.
    r = (r_fail + 2 + len(failed)) + 1
    breaks, used = [r], 0
    for chart, height in charts:
        rows = -(-height // 20) + 1  # default rows are 20 px
        if used and used + rows > PAGE_ROWS:
            breaks.append(r)
            used = 0
        ws.insert_chart(r, 0, chart, {"object_position": 3})
        r += rows
        used += rows
    if charts:
        ws.set_h_pagebreaks(breaks)
    del sheet


def _write_meta(ws, f: Formats, rows: list[UnitRow], command: str, skipped: list[tuple[str, str]], run_date: str,
                books: Mapping[str, Rulebook], partial: tuple[int, int] | None = None) -> None:
    used = sorted({(r.rulebook) for r in rows if r.rulebook})
    items = [("tool", f"dvht-sheets {__version__}"),
             ("rulebooks", "; ".join(f"{b} v{books[b].version}" if b in books else b for b in used)),
             ("run_date", run_date), ("inputs", str(len(rows))), ("skipped", str(len(skipped))),
             ("command", command)]
    if partial:
        items.append(("partial", f"có: dừng giữa chừng, {partial[0]}/{partial[1]} tệp đã đánh giá"))
    for r, (k, v) in enumerate(items):
        ws.write_string(r, 0, k, f.text)
        ws.write_string(r, 1, v, f.text)
    r = len(items) + 1
    if skipped:
        ws.write_string(r, 0, "Tệp bỏ qua", f.bold)
        for i, (rel, why) in enumerate(skipped, start=1):
            ws.write_string(r + i, 0, rel, f.text)
            ws.write_string(r + i, 1, why, f.text)
    ws.set_column(0, 0, 30)
    ws.set_column(1, 1, 90)


def run_date() -> str:
    """The run's date, or SOURCE_DATE_EPOCH's (reproducible builds), so re-runs can produce identical files."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    when = dt.datetime.fromtimestamp(int(epoch), dt.timezone.utc) if epoch and epoch.isdigit() else \
        dt.datetime.now(dt.timezone.utc)
    return when.strftime("%Y-%m-%d %H:%M UTC")


class SummaryWriter(Staged):
    """tong-hop.xlsx, built while the batch runs: add() each unit as it finishes (the long forms are streamed),
    close() with all units' compact rows to write the overview, submissions and statistics."""

    def __init__(self, path: Path, tmpdir: Path | None = None):
        super().__init__(path)
        # constant_memory spools each sheet to a file of xlsxwriter's own (named tmp*): they go to the run's
        # temporary folder, which the run removes, and the next run too if this one is killed.
        self.wb = xlsxfast.streaming_workbook(str(self.tmp), {"strings_to_numbers": False,
                                                              "strings_to_formulas": False, "strings_to_urls": False,
                                                              "tmpdir": str(tmpdir or path.parent),
                                                              "default_format_properties": dict(paper.DEFAULT_FONT)})
        self.wb.set_properties({"title": "Tổng hợp “Đơn vị học tập”", "author": "dvht-sheets",
                                "created": FIXED_DATE})
        self.f = Formats(self.wb, SUMMARY)
        self.overview = self.wb.add_sheet("Tổng hợp")
        self.list = self.wb.add_sheet("Danh sách")
        long = self.wb.add_sheet("Chỉ tiêu")
        errors = self.wb.add_sheet("Lỗi dữ liệu")
        self.status = self.wb.add_sheet("Tình hình nộp")
        self.stats = self.wb.add_sheet("Thống kê")
        self.meta = self.wb.add_sheet("_meta")
        self.long = _LongForm(long, errors, self.f)
        # the long form's formats first: their style numbers do not depend on the first unit's cells, and a worker
        # can render the rows with them before this process writes any (fragment_spec)
        self.wb.register_formats(list(self.long.formats.values()))
        self.long.styles = xlsxfast.style_attrs(long, self.long.formats)

    @property
    def fragment_spec(self) -> FragmentSpec:
        """What a worker needs to make this workbook's UnitFragments (unit_fragment)."""
        styles = self.long.styles
        return FragmentSpec(None if styles is None else tuple(styles.items()))

    def add(self, row: UnitRow, item: UnitResult | UnitFragment) -> None:
        """One unit, in input order: its UnitResult, or its UnitFragment made for this workbook's fragment_spec."""
        self.long.add(row, item)

    def close(self, rows: list[UnitRow], *, roster: Roster | None, command: str,
              skipped: list[tuple[str, str]], partial: tuple[int, int] | None = None,
              books: Iterable[Rulebook] = ()) -> None:
        """partial: (files finished, files found) when the run was stopped before the end; books: rulebooks used
        besides the bundled ones (a file given with --rulebook)."""
        known = {b.id: b for b in (*rulebooks.bundled(), *books)}
        self.long.close()
        _write_overview(self.overview, self.f, rows, partial, roster)
        _write_list(self.list, self.f, rows)
        _write_status(self.status, self.f, rows, roster)
        from .stats import counted_rows

        _write_stats(self.wb, self.stats, self.f, counted_rows(rows), known)
        _write_meta(self.meta, self.f, rows, command, skipped, run_date(), known, partial)
        self.meta.hide()
        self.overview.activate()
        self.wb.close()
        self.commit()


def write_summary_workbook(path: Path, rows: list[UnitRow], results: Iterable[UnitResult], *,
                           roster: Roster | None, command: str, skipped: list[tuple[str, str]],
                           books: Iterable[Rulebook] = ()) -> None:
    """The summary in one call, for results already at hand (rows and results in the same order)."""
    writer = SummaryWriter(path)
    try:
        for row, result in zip(rows, results):
            writer.add(row, result)
        writer.close(rows, roster=roster, command=command, skipped=skipped, books=books)
    except BaseException:
        writer.abort()
        raise
