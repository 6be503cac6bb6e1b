"""Many UnitResults → the district summary: tong-hop.xlsx (Tổng hợp, Danh sách, Chỉ tiêu, Lỗi dữ liệu, Tình hình nộp,
Thống kê, _meta), tong-hop.csv (UTF-8 with BOM) and ket-qua.json.

Written with xlsxwriter in constant_memory mode while the batch runs (each unit's long-form rows as it finishes), so
10,000 units cost no more memory than 1,000 and the summary costs almost no time after the last unit. Statistics are counted once across all units from the compact rows.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import os
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable

from . import __version__, paper, xlsxfast
from . import rulebook as rulebooks
from .findings import Severity
from .model import UnitResult, vn_number, xml_safe
from .report_unit import AMBER, BLUE, GREEN, GREY, RED, atomic_write, temp_file
from .xlsxfast import BLANK, quote_sheet
from .schema import OWNERSHIP, TIER_LABEL, fold, text_of

LIGHT_GREEN, TT22_BLUE = paper.colour("level1"), paper.colour("tt22")
RESULT_FILL = {"Đạt mức độ 2": GREEN, "Đạt mức độ 1": LIGHT_GREEN, "Không đạt": RED, "Không đánh giá được": GREY}
NOT_EVALUATED = "Không đánh giá được"

# Tổng hợp columns for TT 24 indicators: (column title, indicator id, level whose numbers are shown, kind)
PCT_COLUMNS = [("2.1 (%)", "2.1", 1), ("2.2 (%)", "2.2", 1), ("2.3 (%)", "2.3", 1), ("2.4 MĐ1 (%)", "2.4", 1),
               ("2.4 MĐ2 (%)", "2.4", 2), ("2.5 (%)", "2.5", 1), ("3.1 (%)", "3.1", 1)]
UNIT_COLUMNS = ["1.1", "1.2", "1.3", "1.4", "1.5", "3.2", "3.3", "3.4", "3.5", "3.6"]
STATUS_LABEL = {"A": "Đạt MĐ2", "B": "Đạt MĐ1", "X": "Đạt MĐ2, không đạt MĐ1", "F": "Không đạt", "N": "Không áp dụng",
                "": ""}
STATUS_FILL = {"A": GREEN, "B": LIGHT_GREEN, "X": AMBER, "F": RED, "N": GREY}


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
    pct: tuple  # fractions for PCT_COLUMNS (None when not applicable / not TT 24)
    status: str  # one status letter per PCT_COLUMNS + UNIT_COLUMNS
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


def unit_row(index: int, r: UnitResult, output: str) -> UnitRow:
    counts = r.counts()
    levels_scheme = r.scheme == "levels"
    by_key = {(i.id, i.level): i for i in r.indicators} if levels_scheme else {}
    pct, status = [], []
    for _, ident, level in PCT_COLUMNS:
        res = by_key.get((ident, level))
        pct.append(res.numerator / res.denominator if res is not None and res.applicable and res.denominator else None)
        status.append(_status(by_key, ident, level) or " ")
    for ident in UNIT_COLUMNS:
        status.append(_status(by_key, ident) or " ")
    return UnitRow(
        index=index, file=r.file, sha256=r.sha256, evaluated=r.evaluated, unit_code=r.unit_code,
        unit_name=r.unit_name, unit_kind=r.unit_kind, ownership=r.ownership, tier=r.tier, year=r.year,
        rulebook=r.rulebook, scheme=r.scheme, members=r.members, level=r.level, requested=r.requested_level,
        grade=r.grade, points=r.points, result=r.result_label,
        failing1=", ".join(r.failing(1)) if r.evaluated else "",
        failing2=", ".join(r.failing(2)) if r.evaluated and levels_scheme else "",
        errors=counts["fatal"] + counts["error"], warnings=counts["warning"],
        reason="" if r.evaluated else "; ".join(f.message for f in r.findings if f.severity == "fatal"),
        pct=tuple(pct), status="".join(status), output=output,
    )


# ---------------------------------------------------------------------------------------------------- roster


@dataclass
class Roster:
    units: list[tuple[str, str]] = field(default_factory=list)  # (code, name)
    source: str = ""
    problem: str = ""


def read_roster(path: Path) -> Roster:
    """Expected units from a .csv or .xlsx (see _read_roster), read in a child process with a memory cap: a roster
    file that aborts the reader or is damaged gives a Roster with its problem, and the batch goes on without it (the
    sheet Tình hình nộp and the terminal say why)."""
    from .batch import IsolationFailed, run_isolated

    try:
        return run_isolated(_read_roster, path, memory_mb=3072)
    except IsolationFailed as exc:
        problem = f"bộ đọc bị dừng đột ngột khi đọc tệp ({exc.why}); tệp bị hỏng hoặc cần quá nhiều bộ nhớ"
    except (KeyboardInterrupt, SystemExit):
        raise
    except BaseException as exc:
        problem = xml_safe(f"không đọc được danh sách ({type(exc).__name__}: {str(exc)[:160]})")
    return Roster(source=xml_safe(path.name), problem=problem)


def _read_roster(path: Path) -> Roster:
    """Expected units from a .csv or .xlsx: the column whose header says "mã" and the one that says "tên"."""
    roster = Roster(source=xml_safe(path.name))
    try:
        if path.suffix.lower() == ".csv":
            text = _decode_roster(path.read_bytes())
            grid = [[xml_safe(v) for v in row] for row in csv.reader(io.StringIO(text), _roster_dialect(text))]
        else:
            from .read import read_workbook
            raw = read_workbook(path)
            fatal = [f for f in raw.findings if f.severity == "fatal"]
            if fatal or not raw.sheets:
                roster.problem = fatal[0].message if fatal else "không có trang tính"
                return roster
            grid = raw.sheets[0].grid
    except (OSError, csv.Error, UnicodeError, ValueError) as exc:
        roster.problem = xml_safe(f"không đọc được danh sách ({exc})")
        return roster
    code_col, name_col, start = 0, 1, 0
    for r, row in enumerate(grid[:10]):
        keys = [fold(v) for v in row]
        # "STT, Mã huyện, Mã đơn vị": the exact header first, then the usual aliases, then any "Mã …"
        code_idx = next((i for k in CODE_HEADERS for i, key in enumerate(keys) if key == k), None)
        if code_idx is None:
            code_idx = next((i for i, k in enumerate(keys) if k.startswith("ma")), None)
        if code_idx is not None:
            code_col, start = code_idx, r + 1
            name_col = next((i for i, k in enumerate(keys) if k.startswith("ten")), code_col + 1)
            break
    for row in grid[start:]:
        code = text_of(row[code_col]) if code_col < len(row) else ""
        if code:
            roster.units.append((code, text_of(row[name_col]) if name_col < len(row) else ""))
    return roster


CODE_HEADERS = [fold(h) for h in ("Mã đơn vị", "Mã DV", "Mã trường", "Mã cơ quan", "Mã")]


def _decode_roster(data: bytes) -> str:
    """A BOM says the encoding (Excel's "Unicode Text" is UTF-16 LE with FF FE; "CSV UTF-8" has EF BB BF); without
    one UTF-8, then cp1258 (Vietnamese Windows) and cp1252; latin-1 reads any byte, so the reader never fails here."""
    for bom, enc in ((b"\xef\xbb\xbf", "utf-8-sig"), (b"\xff\xfe", "utf-16"), (b"\xfe\xff", "utf-16")):
        if data.startswith(bom):
            return data.decode(enc)
    # UTF-16 without a BOM: every other byte of Latin text is NUL
    if len(data) >= 4 and data[1::2].count(0) > len(data) // 4:
        return data.decode("utf-16-le", errors="replace")
    if len(data) >= 4 and data[0::2].count(0) > len(data) // 4:
        return data.decode("utf-16-be", errors="replace")
    for enc in ("utf-8", "cp1258", "cp1252"):
        try:
            return data.decode(enc)
        except UnicodeDecodeError:
            continue
    return data.decode("latin-1")


def _roster_dialect(text: str):
    """Tab, semicolon (Excel with a Vietnamese/European locale) or comma: the one that appears most often, and the
    same number of times, on the first lines; csv.Sniffer alone guesses wrong on short files."""
    lines = [ln for ln in text.splitlines()[:10] if ln.strip()]
    best, best_score = ",", -1
    for delim in ("\t", ";", ","):
        counts = [ln.count(delim) for ln in lines]
        if not counts or counts[0] == 0:
            continue
        score = sum(1 for c in counts if c == counts[0]) * 100 + counts[0]
        if score > best_score:
            best, best_score = delim, score

    class Dialect(csv.excel):
        delimiter = best

    return Dialect


def submission_status(rows: list[UnitRow], roster: Roster | None) -> dict[str, list]:
    by_code: dict[str, list[UnitRow]] = defaultdict(list)
    for row in rows:
        if row.unit_code:
            by_code[row.unit_code.casefold()].append(row)
    by_hash: dict[str, list[UnitRow]] = defaultdict(list)
    for row in rows:
        if row.sha256:
            by_hash[row.sha256].append(row)
    out: dict[str, list] = {
        "duplicate_code": [(code, group) for code, group in sorted(by_code.items()) if len(group) > 1],
        "duplicate_content": [(h, group) for h, group in sorted(by_hash.items(), key=lambda kv: kv[1][0].file)
                              if len(group) > 1],
        "missing": [], "unexpected": [],
    }
    if roster is not None and not roster.problem:
        expected = {code.casefold(): (code, name) for code, name in roster.units}
        out["missing"] = [expected[k] for k in sorted(expected) if k not in by_code]
        out["unexpected"] = [row for k, group in sorted(by_code.items()) if k not in expected for row in group]
    return out


def counted_rows(rows: list[UnitRow]) -> list[UnitRow]:
    """One row per unit for every count (row 2 of Tổng hợp, Thống kê, the closing table): a code sent in several
    files counts once, with the file whose name sorts last (README, decisions); a file without a code (not
    evaluated) counts on its own. The rows of every file stay in the sheets."""
    chosen: dict[str, UnitRow] = {}
    for row in rows:
        if row.unit_code:
            key = row.unit_code.casefold()
            if key not in chosen or row.file > chosen[key].file:
                chosen[key] = row
    keep = {id(r) for r in chosen.values()}
    return [r for r in rows if not r.unit_code or id(r) in keep]


SHOWN_DUPLICATE_CODES = 5


def submitted_text(rows: list[UnitRow], roster: Roster | None) -> str:
    """“14 đơn vị (308 tệp; 294 tệp trùng mã đơn vị: A, B, …; tính tệp có tên xếp sau cùng) · Chưa nộp: 1 đơn vị”"""
    status = submission_status(rows, roster)
    units = len(counted_rows(rows))
    text = f"{units} đơn vị ({len(rows)} tệp"
    if status["duplicate_code"]:
        codes = [group[0].unit_code for _, group in status["duplicate_code"]]
        shown = ", ".join(codes[:SHOWN_DUPLICATE_CODES]) + (", …" if len(codes) > SHOWN_DUPLICATE_CODES else "")
        text += f"; {len(rows) - units} tệp trùng mã đơn vị: {shown}; mỗi đơn vị tính tệp có tên xếp sau cùng"
    text += ")"
    if roster is not None and not roster.problem:
        text += f" · Chưa nộp: {len(status['missing'])} đơn vị"
    return text


SHOWN_DUPLICATE_WARNINGS = 10


def duplicate_warnings(rows: list[UnitRow]) -> list[str]:
    """The terminal's lines about codes sent in several files: the first SHOWN_DUPLICATE_WARNINGS, then a count."""
    groups = submission_status(rows, None)["duplicate_code"]
    lines = []
    for _, group in groups[:SHOWN_DUPLICATE_WARNINGS]:
        files = sorted(r.file for r in group)
        shown = ", ".join(files[:3]) + (", …" if len(files) > 3 else "")
        lines.append(f"Cảnh báo: mã đơn vị {group[0].unit_code} có trong {len(files)} tệp ({shown}); "
                     f"chỉ tính tệp {files[-1]}.")
    if len(groups) > SHOWN_DUPLICATE_WARNINGS:
        lines.append(f"… và {len(groups) - SHOWN_DUPLICATE_WARNINGS} mã đơn vị trùng khác; xem trang “Tình hình nộp” "
                     "trong tong-hop.xlsx.")
    return lines


# ---------------------------------------------------------------------------------------------------- CSV / JSON

CSV_FIELDS = ["file", "sha256", "unit_code", "unit_name", "unit_kind", "ownership", "tier", "year", "rulebook",
              "members", "level", "requested_level", "grade", "points", "result", "failing_level1", "failing_level2",
              "errors", "warnings", *[f"percent_{c[1]}_L{c[2]}" for c in PCT_COLUMNS], "result_file", "reason"]
_CSV_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


def csv_safe(value: object) -> object:
    """OWASP CSV injection: a text cell that a spreadsheet would run as a formula gets a leading apostrophe."""
    if isinstance(value, str):
        # a lone surrogate (a file name in a foreign encoding) could not even be encoded; Excel holds 32,767
        # characters a cell and splits a longer CSV field over the next cells
        value = xml_safe(value[:32767])
        if value.startswith(_CSV_TRIGGERS):
            return "'" + value
    return value


def _csv_row(row: UnitRow) -> list:
    values = [row.file, row.sha256, row.unit_code, row.unit_name, row.unit_kind, OWNERSHIP.label(row.ownership),
              row.tier, row.year, row.rulebook, row.members, row.level, row.requested, row.grade, row.points,
              row.result, row.failing1, row.failing2, row.errors, row.warnings,
              *[None if p is None else round(p * 100, 2) for p in row.pct], row.output, row.reason]
    return ["" if v is None else csv_safe(v) for v in values]


def write_csv(path: Path, rows: list[UnitRow]) -> None:
    def writer(tmp: str) -> None:
        with open(tmp, "w", encoding="utf-8-sig", newline="") as fh:
            w = csv.writer(fh)
            w.writerow(CSV_FIELDS)
            for row in rows:
                w.writerow(_csv_row(row))
    atomic_write(path, writer)


class _Staged:
    """A file written under a temporary name in its folder and renamed when complete (or removed on abort)."""

    def __init__(self, path: Path):
        self.path = path
        path.parent.mkdir(parents=True, exist_ok=True)
        self.tmp = Path(temp_file(path))

    def commit(self) -> None:
        os.replace(self.tmp, self.path)

    def abort(self) -> None:
        self.tmp.unlink(missing_ok=True)


class JsonWriter(_Staged):
    """ket-qua.json, one object per input file, written as results arrive (in input order)."""

    def __init__(self, path: Path):
        super().__init__(path)
        self.fh = open(self.tmp, "w", encoding="utf-8")
        self.fh.write("[")
        self.count = 0

    def add(self, row, result: UnitResult) -> None:
        self.fh.write(",\n" if self.count else "\n")
        self.fh.write(xml_safe(json.dumps(result.to_json(), ensure_ascii=False)))
        self.count += 1

    def close(self, partial: bool = False) -> None:
        self.fh.write("\n]\n")
        self.fh.close()
        if partial:
            self._mark_partial()
        self.commit()

    def _mark_partial(self) -> None:
        # A stopped run: every object says so ("run_partial": true), the list keeps its one-object-per-file shape.
        # Objects are one per line, so this is a streamed rewrite, not a second copy in memory.
        marked = Path(temp_file(self.path))
        try:
            with open(self.tmp, encoding="utf-8") as src, open(marked, "w", encoding="utf-8") as dst:
                for line in src:
                    dst.write('{"run_partial": true, ' + line[1:] if line.startswith("{") else line)
            os.replace(marked, self.tmp)
        except BaseException:
            marked.unlink(missing_ok=True)
            raise

    def abort(self) -> None:
        self.fh.close()
        super().abort()


def write_json(path: Path, results: Iterable[UnitResult]) -> None:
    writer = JsonWriter(path)
    try:
        for result in results:
            writer.add(None, result)
    except BaseException:
        writer.abort()
        raise
    writer.close()


# ---------------------------------------------------------------------------------------------------- the workbook


class _F:
    def __init__(self, wb):
        base = {"font_name": "Times New Roman", "font_size": 11, "valign": "top"}
        self.base = base
        self.title = wb.add_format({**base, "bold": True, "font_size": 14})
        self.bold = wb.add_format({**base, "bold": True})
        self.big = wb.add_format({**base, "bold": True, "font_size": 12, "font_color": "#1F4E78"})
        self.text = wb.add_format(base)
        self.header = wb.add_format({**base, "bold": True, "bg_color": BLUE, "border": 1, "text_wrap": True,
                                     "align": "center", "valign": "vcenter"})
        self.cell = wb.add_format({**base, "border": 1})
        self.wrap = wb.add_format({**base, "border": 1, "text_wrap": True})
        self.int = wb.add_format({**base, "border": 1, "num_format": "#,##0"})
        self.num = wb.add_format({**base, "border": 1, "num_format": "#,##0.##"})
        self.pct_plain = wb.add_format({**base, "border": 1, "num_format": "0.00%"})
        self.link = wb.add_format({**base, "border": 1, "font_color": "blue", "underline": 1})
        self.pct = {k: wb.add_format({**base, "border": 1, "num_format": "0.00%", "bg_color": v})
                    for k, v in STATUS_FILL.items()}
        self.status = {k: wb.add_format({**base, "border": 1, "bg_color": v, "align": "center"})
                       for k, v in STATUS_FILL.items()}
        self.result = {k: wb.add_format({**base, "border": 1, "bg_color": v, "bold": True})
                       for k, v in RESULT_FILL.items()}
        self.result_other = wb.add_format({**base, "border": 1, "bg_color": TT22_BLUE, "bold": True})
        self.result_wrap = {k: wb.add_format({**base, "border": 1, "bg_color": v, "bold": True, "text_wrap": True})
                            for k, v in {**RESULT_FILL, "": TT22_BLUE}.items()}
        self.sev = {Severity.FATAL.value: wb.add_format({**base, "border": 1, "bg_color": RED, "bold": True}),
                    Severity.ERROR.value: wb.add_format({**base, "border": 1, "bg_color": RED}),
                    Severity.WARNING.value: wb.add_format({**base, "border": 1, "bg_color": AMBER})}


SUMMARY_HEADERS = (["STT", "Mã đơn vị", "Tên đơn vị", "Loại đơn vị", "Loại hình", "Cấp", "Năm", "Số thành viên",
                    "Kết quả", "Mức đề nghị", "Mức đạt", "Chỉ tiêu chưa đạt MĐ1", "Chỉ tiêu chưa đạt MĐ2",
                    "Điểm (TT 22)", "Xếp loại (TT 22)"]
                   + [c[0] for c in PCT_COLUMNS] + UNIT_COLUMNS
                   + ["Số lỗi", "Số cảnh báo", "Tệp nguồn", "Tệp kết quả", "Lý do không đánh giá được"])
SUMMARY_WIDTHS = ([5, 23, 34, 16, 10, 9, 6, 9, 18, 9, 8, 16, 16, 8, 10] + [9] * len(PCT_COLUMNS)
                  + [6] * len(UNIT_COLUMNS) + [7, 8, 30, 30, 50])
TOTALS_ROWS = 4


def _totals(rows: list[UnitRow]) -> list[tuple[str, int]]:
    counts = Counter(r.result for r in rows)
    evaluated = sum(1 for r in rows if r.evaluated)
    achieved = sum(1 for r in rows if r.evaluated and (r.level or 0) > 0)
    return [("Số tệp đã nộp", len(rows)), ("Đạt mức độ 2", counts["Đạt mức độ 2"]),
            ("Đạt mức độ 1", counts["Đạt mức độ 1"]), ("Không đạt", counts["Không đạt"]),
            ("Xếp loại theo TT 22/2020", sum(v for k, v in counts.items() if k.startswith("Xếp loại"))),
            (NOT_EVALUATED, counts[NOT_EVALUATED]), ("Được đánh giá", evaluated), ("Được công nhận", achieved)]


def partial_note(done: int, total: int) -> str:
    return (f"CHƯA ĐẦY ĐỦ: lần chạy bị dừng giữa chừng, mới đánh giá {done}/{total} tệp; "
            "hãy chạy lại để có bản tổng hợp đầy đủ.")


def _write_overview(ws, f: _F, rows: list[UnitRow], partial: tuple[int, int] | None = None,
                    roster: Roster | None = None) -> None:
    ws.write_string(0, 0, "TỔNG HỢP KẾT QUẢ TỰ ĐÁNH GIÁ “ĐƠN VỊ HỌC TẬP”", f.title)
    totals = dict(_totals(counted_rows(rows)))  # units, not files (issue 11)
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
    for c, (h, w) in enumerate(zip(SUMMARY_HEADERS, SUMMARY_WIDTHS)):
        ws.set_column(c, c, w)
        ws.write_string(header, c, h, f.header)
    ws.set_row(header, 45)
    pct_start = 15
    unit_start = pct_start + len(PCT_COLUMNS)
    link_col = unit_start + len(UNIT_COLUMNS) + 3
    for i, row in enumerate(rows):
        r = header + 1 + i
        fmt = f.result.get(row.result, f.result_other if row.result.startswith("Xếp loại") else f.cell)
        values = [i + 1, row.unit_code, row.unit_name, row.unit_kind, OWNERSHIP.label(row.ownership),
                  TIER_LABEL.get(row.tier or "", ""), row.year, row.members]
        cells = [(c, v, f.int if c in (0, 7) else f.cell) for c, v in enumerate(values)]
        cells += [(8, row.result, fmt), (9, row.requested, f.cell),
                  (10, row.level if row.scheme == "levels" else None, f.cell), (11, row.failing1, f.cell),
                  (12, row.failing2, f.cell), (13, row.points, f.num), (14, row.grade, f.cell)]
        for k, value in enumerate(row.pct):
            st = row.status[k].strip()
            if value is None:
                cells.append((pct_start + k, STATUS_LABEL.get(st, "") if st == "N" else None, f.status.get(st, f.cell)))
            else:
                cells.append((pct_start + k, value, f.pct.get(st, f.pct_plain)))
        for k, _ in enumerate(UNIT_COLUMNS):
            st = row.status[len(PCT_COLUMNS) + k].strip()
            cells.append((unit_start + k, {"A": "Đạt", "B": "MĐ1", "X": "MĐ2", "F": "Không", "N": "—"}.get(st),
                          f.status.get(st, f.cell)))
        base = unit_start + len(UNIT_COLUMNS)
        cells += [(base, row.errors, f.int), (base + 1, row.warnings, f.int), (base + 2, row.file, f.cell),
                  (link_col, row.output or None, f.link if row.output else f.cell), (base + 4, row.reason, f.cell)]
        links = {link_col: (f"external:{row.output}", "Mở tệp kết quả của đơn vị")} if row.output else None
        ws.put_row(r, [(c, BLANK if v is None or v == "" else v, fm) for c, v, fm in cells], links=links)
    ws.freeze_panes(header + 1, 3)
    ws.autofilter(header, 0, header + max(1, len(rows)), len(SUMMARY_HEADERS) - 1)
    # Too wide for one page at a readable size: landscape at 75 %, code and name repeated on every page; the
    # one-page list to print is `Danh sách`.
    paper.setup(ws, SUMMARY_WIDTHS, header_rows=header, repeat_cols=(0, 2), min_font=11, rows=header + 1 + len(rows))


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


def _write_list(ws, f: _F, rows: list[UnitRow]) -> None:
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


class _LongForm:
    """The long "Chỉ tiêu" sheet and "Lỗi dữ liệu", appended one unit at a time (constant_memory: rows in order)."""

    MAX_ROWS = 1_048_575

    def __init__(self, ws, err_ws, f: _F):
        self.ws, self.err_ws, self.f = ws, err_ws, f
        for c, (h, w) in enumerate(zip(LONG_HEADERS, LONG_WIDTHS)):
            ws.set_column(c, c, w)
            ws.write_string(0, c, h, f.header)
        for c, (h, w) in enumerate(zip(FINDING_HEADERS, FINDING_WIDTHS)):
            err_ws.set_column(c, c, w)
            err_ws.write_string(0, c, h, f.header)
        self.r = self.e = 1

    def add(self, row: UnitRow, result: UnitResult) -> None:
        ws, err_ws, f = self.ws, self.err_ws, self.f
        code = row.unit_code or row.file
        level_label = {1: "Mức độ 1", 2: "Mức độ 2"} if result.scheme == "levels" else {1: "TT 22/2020"}
        indicators = result.indicators[: max(0, self.MAX_ROWS - self.r)]
        rows = []
        for ind in indicators:
            key = "N" if not ind.applicable else ("A" if ind.met else "F")
            rows.append((_reason_height(ind.reason), [
                (0, code, f.cell), (1, str(level_label.get(ind.level, ind.level)), f.cell), (2, ind.id, f.cell),
                (3, ind.numerator if ind.denominator is not None else None, f.int), (4, ind.denominator, f.int),
                (5, ind.numerator / ind.denominator if ind.denominator else None, f.pct_plain),
                (6, ind.threshold, f.num), (7, STATUS_TEXT[key], f.status[key]), (8, ind.points, f.num),
                (9, ind.reason, f.wrap)]))
        # ~30 rows a unit: on the fast path they go to the sheet's file in one write
        ws.put_rows(self.r, rows)
        self.r += len(rows)
        for item in result.findings:
            if self.e >= self.MAX_ROWS:
                break
            e = self.e
            err_ws.set_row(e, paper.row_height({1: row.file, 3: item.code, 6: item.message}, FINDING_WIDTHS))
            err_ws.put_value(e, 0, row.unit_code, f.cell)
            err_ws.put_value(e, 1, row.file, f.wrap)
            err_ws.put_value(e, 2, Severity(item.severity).label, f.sev[item.severity])
            for c, v in enumerate([item.code, item.sheet, item.cell, item.message], start=3):
                err_ws.put_value(e, c, v, f.wrap)
            if row.output:
                target = f"external:{row.output}"
                if item.sheet and item.cell:
                    target += f"#{quote_sheet(item.sheet)}!{item.cell}"
                err_ws.write_url(e, 7, target, f.link, row.output, "Mở tệp kết quả của đơn vị tại ô có lỗi")
            self.e += 1

    def close(self) -> None:
        self.ws.freeze_panes(1, 1)
        self.ws.autofilter(0, 0, max(1, self.r - 1), len(LONG_HEADERS) - 1)
        self.err_ws.freeze_panes(1, 0)
        self.err_ws.autofilter(0, 0, max(1, self.e - 1), len(FINDING_HEADERS) - 1)
        paper.setup(self.ws, LONG_WIDTHS, header_rows=0, min_font=11, rows=self.r)
        paper.setup(self.err_ws, FINDING_WIDTHS, header_rows=0, min_font=11, rows=self.e)


STATUS_TEXT = {"N": "Không áp dụng", "A": "Đạt", "F": "Không đạt"}


def _reason_height(reason: str | None) -> float | None:
    """A row height when the reason wraps in its column (most fit one line and keep the default)."""
    if not reason or (len(reason) <= LONG_WIDTHS[9] * 1.15 and "\n" not in reason):
        return None
    return paper.row_height({9: reason}, LONG_WIDTHS)


def _write_status(ws, f: _F, rows: list[UnitRow], roster: Roster | None) -> None:
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

RESULT_ORDER = ["Đạt mức độ 2", "Đạt mức độ 1", "Không đạt", "Xếp loại (TT 22)", NOT_EVALUATED]


@dataclass
class Crosstab:
    columns: list[str]
    rows: list[tuple[str, list[int]]]


def _crosstab(pairs: list[tuple[str, str]]) -> Crosstab:
    counts: dict[str, Counter] = defaultdict(Counter)
    for key, result in pairs:
        counts[key][result] += 1
    return Crosstab(RESULT_ORDER, [(key, [counts[key][c] for c in RESULT_ORDER]) for key in sorted(counts)])


def statistics(rows: list[UnitRow]) -> tuple[Crosstab, Crosstab, list[dict]]:
    """Results by kind and by tier, and how often each indicator fails, in one pass over the compact rows (plain
    counting: a pandas import alone would cost more than the whole computation)."""
    result = [r.result if not r.result.startswith("Xếp loại") else "Xếp loại (TT 22)" for r in rows]
    by_kind = _crosstab([(r.unit_kind or "(không rõ)", res) for r, res in zip(rows, result)])
    by_tier = _crosstab([(TIER_LABEL.get(r.tier or "", "(không rõ)"), res) for r, res in zip(rows, result)])
    f1, f2 = Counter(), Counter()
    for r in rows:
        if r.scheme == "levels":
            f1.update(x for x in r.failing1.split(", ") if x)
            f2.update(x for x in r.failing2.split(", ") if x)
    failed = sorted(({"id": i, "l1": f1[i], "l2": f2[i]} for i in set(f1) | set(f2)),
                    key=lambda d: (-d["l1"], -d["l2"], tuple(int(p) for p in d["id"].split("."))))
    return by_kind, by_tier, failed


def _write_stats(wb, ws, f: _F, rows: list[UnitRow]) -> None:
    by_kind, by_tier, failed = statistics(rows)
    for c, w in enumerate(STATS_WIDTHS):
        ws.set_column(c, c, w)
    paper.setup(ws, STATS_WIDTHS, min_font=11)
    sheet = quote_sheet(ws.name)
    charts: list = []  # (chart, height in px), drawn one under another below the tables

    def table(r0: int, title: str, frame: Crosstab) -> int:
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
    totals = _totals(rows)
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
    ws.write_string(r_fail, 0, "Chỉ tiêu không đạt nhiều nhất (TT 24/2023, số đơn vị)", f.bold)
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


def _write_meta(ws, f: _F, rows: list[UnitRow], command: str, skipped: list[tuple[str, str]], run_date: str,
                partial: tuple[int, int] | None = None) -> None:
    used = sorted({(r.rulebook) for r in rows if r.rulebook})
    books = {b.id: b for b in rulebooks.bundled()}
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


class SummaryWriter(_Staged):
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
                                "created": dt.datetime(2025, 1, 1)})
        self.f = _F(self.wb)
        self.overview = self.wb.add_sheet("Tổng hợp")
        self.list = self.wb.add_sheet("Danh sách")
        long = self.wb.add_sheet("Chỉ tiêu")
        errors = self.wb.add_sheet("Lỗi dữ liệu")
        self.status = self.wb.add_sheet("Tình hình nộp")
        self.stats = self.wb.add_sheet("Thống kê")
        self.meta = self.wb.add_sheet("_meta")
        self.long = _LongForm(long, errors, self.f)
        f = self.f  # the long form's formats first: their style numbers do not depend on the first unit's cells
        self.wb.register_formats([f.cell, f.wrap, f.int, f.pct_plain, f.num, *f.status.values()])

    def add(self, row: UnitRow, result: UnitResult) -> None:
        self.long.add(row, result)

    def close(self, rows: list[UnitRow], *, roster: Roster | None, command: str,
              skipped: list[tuple[str, str]], partial: tuple[int, int] | None = None) -> None:
        """partial: (files finished, files found) when the run was stopped before the end."""
        self.long.close()
        _write_overview(self.overview, self.f, rows, partial, roster)
        _write_list(self.list, self.f, rows)
        _write_status(self.status, self.f, rows, roster)
        _write_stats(self.wb, self.stats, self.f, counted_rows(rows))
        _write_meta(self.meta, self.f, rows, command, skipped, run_date(), partial)
        self.meta.hide()
        self.overview.activate()
        self.wb.close()
        self.commit()


def write_summary_workbook(path: Path, rows: list[UnitRow], results: Iterable[UnitResult], *,
                           roster: Roster | None, command: str, skipped: list[tuple[str, str]]) -> None:
    """The summary in one call, for results already at hand (rows and results in the same order)."""
    writer = SummaryWriter(path)
    try:
        for row, result in zip(rows, results):
            writer.add(row, result)
        writer.close(rows, roster=roster, command=command, skipped=skipped)
    except BaseException:
        writer.abort()
        raise
