"""UnitResult (+ the Submission's cells) → the unit's result workbook `<mã đơn vị>_ket-qua.xlsx`, with xlsxwriter.

Sheets: `Kết quả` (the bản tổng hợp with the arithmetic and the reasons), the school's own sheets copied with every
cell that has a finding coloured and noted, `Lỗi dữ liệu` (every finding, linked to its cell), `_meta`.
Text from inputs is always written as text, so a name like "=HYPERLINK(…)" stays inert.
"""

from __future__ import annotations

import re
from collections import defaultdict
from pathlib import Path
from typing import Any

from .. import __version__, paper, template, xlsxfast
from ..findings import Finding, Severity
from ..model import IndicatorResult, Submission, UnitResult, xml_safe
from ..present import met_word
from ..schema import HEADER_ROW, SHEET_META, TIER_LABEL, col_index
from .files import atomic_write, result_file_name
from .styles import FIXED_DATE, UNIT, Formats

RESULT_SHEET, FINDINGS_SHEET = "Kết quả", "Lỗi dữ liệu"
MAX_NOTES_PER_SHEET = 500  # notes are costly to write and unreadable by the thousand; fills still mark every cell


def _line_rows(grid: list[list[Any]]) -> set[int]:
    # A row holding one text (a title, a hint line) runs across the empty cells beside it instead of wrapping in its
    # narrow column; other rows wrap, with a measured height.
    return {r for r, row in enumerate(grid) if len(row) - row.count(None) - row.count("") == 1}


def _grid_heights(grid: list[list[Any]], widths: list[float], skip: set[int]) -> dict[int, float]:
    """Heights (points) of the rows whose text wraps in the template's widths (most rows are short and keep the
    default; a length check is all they cost)."""
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
            out[r] = paper.row_height(long, widths)
    return out


def _status(f: Formats, res: IndicatorResult | None):
    fmt = f.na if res is None or not res.applicable else (f.met if res.met else f.not_met)
    return met_word(res), fmt


def ws_text(first: IndicatorResult, two: IndicatorResult | None) -> str:
    return first.text if not two or two.text == first.text else f"Mức độ 1: {first.text}\nMức độ 2: {two.text}"


def _write_summary(ws, f: Formats, result: UnitResult) -> None:
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
    ws.put_widths(widths)
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


def _copy_sheets(wb, f: Formats, sub: Submission | None,
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
        ws = wb.add_grid_sheet(sheet_title(name, taken))
        copied[name] = ws.name
        sheet_marks = marks.get(name, {})
        width = max((len(row) for row in raw.grid), default=0)
        # The template's widths (extra columns 16), so the copy prints like the school's own sheet (paper.py).
        widths = (template.sheet_widths(wanted[name]) + [16] * width)[:max(width, 1)]
        ws.put_widths(widths[:width])
        styles = {pos: (f.mark[_worst(items)], f.mark_date[_worst(items)]) for pos, items in sheet_marks.items()}
        lines = _line_rows(raw.grid)
        ws.set_grid(raw.grid, f.grid, f.date, styles, heights=_grid_heights(raw.grid, widths, lines), line_rows=lines,
                    line_fmt=f.plain)
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


def _write_findings(ws, f: Formats, findings: list[Finding], copied: dict[str, str]) -> None:
    heads = ["STT", "Mức độ", "Mã lỗi", "Trang", "Ô", "Nội dung và cách sửa"]
    widths = [5, 11, 20, 14, 7, 72]  # A4 landscape at 100 %, the message wrapped (paper.py)
    ws.put_widths(widths)
    for c, h in enumerate(heads):
        ws.put_string(0, c, h, f.header)
    for i, item in enumerate(findings, start=1):
        sev = Severity(item.severity)
        ws.put_number(i, 0, i, f.cell)
        ws.put_string(i, 1, sev.label, f.sev[item.severity])
        ws.put_string(i, 2, item.code, f.cell)
        ws.put_string(i, 3, item.sheet or "", f.cell)
        if item.sheet in copied and item.cell:
            ws.put_link(i, 4, f"internal:{xlsxfast.quote_sheet(copied[item.sheet])}!{item.cell}", f.link, item.cell,
                        "Đến ô có lỗi")
        else:
            ws.put_string(i, 4, item.cell or "", f.cell)
        ws.put_string(i, 5, item.message, f.cell)
        ws.set_row(i, paper.row_height({2: item.code, 3: item.sheet or "", 5: item.message}, widths))
    ws.freeze_panes(1, 0)
    if findings:
        ws.autofilter(0, 0, len(findings), len(heads) - 1)
    paper.setup(ws, widths, header_rows=0, min_font=11)


def _write_meta(ws, f: Formats, result: UnitResult) -> None:
    rows = [("tool", f"dvht-sheets {__version__}"), ("rulebook", result.rulebook or ""),
            ("rulebook_version", result.rulebook_version or ""), ("input_file", Path(result.file).name),
            ("input_sha256", result.sha256)]
    for r, (k, v) in enumerate(rows):
        ws.put_string(r, 0, k, f.plain)
        ws.put_string(r, 1, v, f.plain)
    ws.put_widths([18, 70])
    ws.hide()


def write_unit_workbook(target, result: UnitResult, sub: Submission | None = None) -> None:
    """Write the unit's result workbook to a path or a binary stream."""
    wb = xlsxfast.small_workbook(target, {"strings_to_numbers": False, "strings_to_formulas": False,
                                          "strings_to_urls": False,
                                          "default_format_properties": dict(paper.DEFAULT_FONT)})
    wb.set_properties({"title": f"Kết quả tự đánh giá {result.unit_code or ''}", "author": "dvht-sheets",
                       "created": FIXED_DATE})
    f = Formats(wb, UNIT)
    wb.register_formats()
    summary = wb.add_sheet(RESULT_SHEET)
    by_cell: dict[tuple[str, str], list[Finding]] = defaultdict(list)
    for item in result.findings:
        if item.sheet and item.cell:
            by_cell[(item.sheet, item.cell)].append(item)
    _write_summary(summary, f, result)
    copied = _copy_sheets(wb, f, sub, by_cell)
    for name, write in ((FINDINGS_SHEET, lambda ws: _write_findings(ws, f, result.findings, copied)),
                        (SHEET_META.name, lambda ws: _write_meta(ws, f, result))):
        write(wb.add_sheet(name))
    wb.close()


def save_unit_workbook(out_dir: str | Path, result: UnitResult, sub: Submission | None = None,
                       name: str | None = None) -> Path:
    path = Path(out_dir) / (name or result_file_name(result))
    atomic_write(path, lambda tmp: write_unit_workbook(tmp, result, sub))
    return path
