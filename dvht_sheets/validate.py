"""Turn the cells of a workbook into typed data (a Submission), with a finding for everything not understood.

Tolerant of what people really type (see schema.py), strict where it matters: a value that cannot be understood is
never guessed in the unit's favour. It is counted the conservative way and reported with its sheet and cell.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from functools import lru_cache
from operator import itemgetter
from typing import Any

from .findings import Code, Finding, finding, has_fatal
from .model import FORMULA_NO_VALUE, CommitteeMember, Evidence, IndicatorRow, Member, RawSheet, RawWorkbook, Submission
from .rulebook import Rulebook
from .schema import (
    CERT_EXAMPLES, COMMITTEE_ROLES, CURRENT_TEMPLATE_VERSIONS, DOSSIER_FIELDS, SHEET_COMMITTEE, UNIT_FIELD, DATA_SHEETS, INDIVIDUAL_TITLES, MEMBER_COLUMNS, NO, NO_TITLE,
    NOT_TITLES, OWNERSHIP, SHEET_EVIDENCE, SHEET_INDICATORS, SHEET_MEMBERS, SHEET_META, TABLES, TEMPLATE_VERSION,
    TIER_LABEL, TIERS, UNIT_FIELDS, UNIT_KIND, UNIT_KIND_VOCAB, VOCABS, YES, YES_NO, HeaderMatcher, SheetDef, a1,
    clean, code_key, fold, is_blank, match_sheet, matcher_for, parse_certificate, parse_title, parse_unit_kind,
    parse_yes_no, text_of,
)

EXCEL_ERRORS = {"#REF!", "#DIV/0!", "#N/A", "#NAME?", "#NULL!", "#NUM!", "#VALUE!", "#GETTING_DATA", "#SPILL!",
                "#CALC!", "#FIELD!", "#BLOCKED!", "#UNKNOWN!"}
HEADER_SEARCH_ROWS = 30
_ID = re.compile(r"^\D{0,20}?(\d{1,2})\s*[.,]\s*(\d{1,2})\D{0,3}$")
_YEAR = re.compile(r"(?<!\d)((?:19|20)\d{2})(?!\d)")
# workbook.md: codes are separated by ; , or new lines; two bracketed codes side by side ("[A] [B]") are two codes —
# the brackets make that split unambiguous. Unbracketed codes separated only by spaces stay one (unknown) code.
_CODE_SPLIT = re.compile(r"[;,\n\r]+|(?<=\])\s*(?=\[)")
_IDS = re.compile(r"(?<![\d.,])(\d{1,2})\s*[.,]\s*(\d{1,2})(?![\d])")


def indicator_id(value: Any) -> str | None:
    """'1.1', 1.1, 'CT 1.1', 'Chỉ tiêu 2,3' → '1.1' / '2.3'."""
    if isinstance(value, bool) or is_blank(value):
        return None
    if isinstance(value, float):
        value = f"{value:.1f}" if round(value, 1) == value else str(value)
    return _indicator_id(value if isinstance(value, str) else str(value))


@lru_cache(maxsize=4096)
def _indicator_id(text: str) -> str | None:
    m = _ID.match(clean(text))
    return f"{int(m.group(1))}.{int(m.group(2))}" if m else None


class _Ctx:
    """Findings collected while reading one workbook."""

    def __init__(self) -> None:
        self.findings: list[Finding] = []

    def add(self, code: str, **kw: Any) -> None:
        self.findings.append(finding(code, **kw))


def parse_codes(value: Any) -> list[str]:
    """The evidence codes of one cell, as typed (after NFKC: full-width brackets and separators become ordinary
    ones). The one parser of codes: indicator rows, the checks and the evaluator all use what it returns."""
    if is_blank(value):
        return []
    return list(_codes(value if isinstance(value, str) else text_of(value)))


# Cached, as _ids below: a template's codes and indicator lists ("[H1-1.1-01]", "1.1; 1.2") recur in every workbook.
@lru_cache(maxsize=8192)
def _codes(text: str) -> tuple[str, ...]:
    return tuple(c for c in (clean(part) for part in _CODE_SPLIT.split(unicodedata.normalize("NFKC", text))) if c)


def indicator_ids(value: Any) -> list[str] | None:
    """'2.1', '2.1.', 'CT 2.1', 'chỉ tiêu 2.1; 2,2' → ['2.1', '2.2']; [] for a blank cell, None when the text names
    no indicator at all (an error at the cell)."""
    if is_blank(value):
        return []
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        one = indicator_id(value)
        return [one] if one else None
    found = _ids(text_of(value))
    return list(found) if found else None


@lru_cache(maxsize=8192)
def _ids(text: str) -> tuple[str, ...]:
    found = [f"{int(m.group(1))}.{int(m.group(2))}" for m in _IDS.finditer(unicodedata.normalize("NFKC", text))]
    return tuple(dict.fromkeys(found))


def _cell_value(ctx: _Ctx, sheet: RawSheet, row: int, col: int, value: Any) -> Any:
    """A cell's value, with Excel error values and formulas saved without a value turned into blanks and reported
    as errors at the cell (workbook.md: such a cell counts as no)."""
    mark = sheet.marks.get((row, col)) if sheet.marks else None
    if mark is not None and _blank_cell(value):
        if mark == FORMULA_NO_VALUE:
            ctx.add(Code.FORMULA_NO_VALUE, sheet=sheet.name, cell=a1(row, col))
        else:
            ctx.add(Code.CELL_ERROR_VALUE, sheet=sheet.name, cell=a1(row, col), value=mark)
        return None
    if isinstance(value, str) and value.strip() in EXCEL_ERRORS:
        ctx.add(Code.CELL_ERROR_VALUE, sheet=sheet.name, cell=a1(row, col), value=value.strip())
        return None
    return value


def _unmerge(sheet: RawSheet, first_data_row: int, protected: set[int], ctx: _Ctx) -> tuple[list, dict[int, str]]:
    """The table's grid as the person sees it, and the rows a value is merged across (row → "A5:N5").

    workbook.md: a value merged *down* one answer column applies to each row it covers (copied, with a warning); a
    value merged *across* columns is never copied (a heading pasted from Word, or one "Có" over three columns, must
    not become a name or three answers) — only its first cell holds it. The key column (the name, the code) is never
    copied down either: a name merged over three rows is one name. The sheet's own grid is left as the school had
    it (the result workbook copies it)."""
    grid = sheet.grid
    copied: dict[int, list] = {}
    across: dict[int, str] = {}
    for (r1, c1), (r2, c2) in sheet.merged:
        if r2 < first_data_row or (r1 == r2 and c1 == c2):
            continue
        value = grid[r1][c1] if r1 < len(grid) and c1 < len(grid[r1]) else None
        span = f"{a1(r1, c1)}:{a1(r2, c2)}"
        if c1 != c2:
            for r in range(max(r1, first_data_row), r2 + 1):
                across[r] = span
            continue
        if c1 in protected or is_blank(value):
            continue
        for r in range(max(r1 + 1, first_data_row), min(r2 + 1, len(grid))):
            row = copied.get(r)
            if row is None:
                row = copied[r] = list(grid[r])
            if len(row) <= c1:
                row.extend([""] * (c1 + 1 - len(row)))
            row[c1] = value
        ctx.add(Code.MERGED_CELLS, sheet=sheet.name, cell=span, value=text_of(value))
    if copied:
        grid = [copied.get(r, row) for r, row in enumerate(grid)]
    return grid, across


def _locate_sheets(raw: RawWorkbook, ctx: _Ctx) -> dict[str, RawSheet]:
    found: dict[str, RawSheet] = {}
    for sdef in (*DATA_SHEETS, SHEET_META):
        exact = next((s for s in raw.sheets if clean(s.name) == sdef.name), None)
        loose = exact or next((s for s in raw.sheets if match_sheet(s.name, sdef) and s not in found.values()), None)
        if loose is None:
            continue
        if exact is None and sdef is not SHEET_META:
            ctx.add(Code.SHEET_RENAMED, sheet=loose.name, expected=sdef.name)
        found[sdef.key] = loose
    _warn_copies(raw, found, ctx)
    if not any(s.key in found for s in DATA_SHEETS):
        names = ", ".join(f"'{s.name}'" for s in raw.sheets) or "không có"
        ctx.add(Code.TEMPLATE_FOREIGN,
                detail=f"không có trang nào trong {', '.join(s.name for s in DATA_SHEETS)} (tệp có: {names})")
        return found
    for sdef in DATA_SHEETS:
        if sdef.key not in found:
            ctx.add(Code.SHEET_MISSING, expected=sdef.name, detail=", ".join(f"'{s.name}'" for s in raw.sheets))
    return found


_COPY_SUFFIX = re.compile(r"\s*\(\s*\d+\s*\)\s*$")


def _warn_copies(raw: RawWorkbook, found: dict[str, RawSheet], ctx: _Ctx) -> None:
    """workbook.md: a second copy of a template sheet ("Thành viên (2)", as Excel names a copied sheet) is not read."""
    for sheet in raw.sheets:
        if sheet in found.values() or not _COPY_SUFFIX.search(sheet.name):
            continue
        base = _COPY_SUFFIX.sub("", sheet.name)
        for sdef in DATA_SHEETS:
            if clean(base) == sdef.name or match_sheet(base, sdef):
                read = found.get(sdef.key)
                if read is None:  # no first copy: the missing sheet is fatal, and the copy is still not read
                    ctx.add(Code.SHEET_COPY_ONLY, sheet=sheet.name, expected=sdef.name)
                else:
                    ctx.add(Code.SHEET_COPY_IGNORED, sheet=sheet.name, expected=sdef.name, detail=read.name)
                break


def _read_meta(sheet: RawSheet | None) -> dict[str, str]:
    meta: dict[str, str] = {}
    if sheet is None:
        return meta
    for row in sheet.grid:
        if len(row) >= 2 and not is_blank(row[0]):
            meta[clean(row[0])] = text_of(row[1])
    return meta


# ---------------------------------------------------------------------------------------------------- unit sheet

_UNIT_LABELS = {fold(alias): f.key for f in UNIT_FIELDS for alias in (f.label, *f.aliases)}


def _first_filled(row: list) -> int | None:
    for i, value in enumerate(row):  # a loop, not a generator per row
        if not is_blank(value):
            return i
    return None


def _read_unit(sheet: RawSheet, ctx: _Ctx, sub: Submission) -> None:
    name = sheet.name
    raw_values: dict[str, tuple[Any, str]] = {}
    for r, row in enumerate(sheet.grid):
        c = _first_filled(row)
        if c is None or not isinstance(row[c], str):
            continue
        key = _UNIT_LABELS.get(fold(row[c]))
        if key is None or key in raw_values:
            continue
        value = row[c + 1] if c + 1 < len(row) else None
        raw_values[key] = (_cell_value(ctx, sheet, r, c + 1, value), a1(r, c + 1))
    kind_ownership: tuple[str, str] | None = None
    for f in UNIT_FIELDS:
        value, cell = raw_values.get(f.key, (None, None))
        sub.unit_cells[f.key] = cell or ""
        if is_blank(value):
            if f.key == "loai_don_vi":
                # workbook.md: without a kind the rules cannot be chosen, so the unit is not evaluated.
                ctx.add(Code.UNIT_KIND_INVALID, sheet=name, cell=cell, value="(trống)",
                        expected=", ".join(UNIT_KIND_VOCAB.labels))
            elif f.key == "ma_don_vi":
                ctx.add(Code.UNIT_CODE_MISSING, sheet=name, cell=cell)
            elif f.key == "nam_danh_gia":
                ctx.add(Code.UNIT_YEAR_INVALID, sheet=name, cell=cell, value="(trống)")
            elif f.required:
                ctx.add(Code.UNIT_VALUE_MISSING, sheet=name, cell=cell, label=f.label, detail="Đây là thông tin bắt buộc.")
            continue
        if f.kind in ("text", "code"):
            sub.unit[f.key] = text_of(value)
        elif f.kind == "date":
            sub.unit[f.key] = value
        elif f.kind == "unit_kind":
            kind, ownership = parse_unit_kind(value)
            if kind is None:
                ctx.add(Code.UNIT_KIND_INVALID, sheet=name, cell=cell, value=text_of(value),
                        expected=", ".join(UNIT_KIND_VOCAB.labels))
            else:
                sub.unit[f.key] = kind
                if ownership is not None:
                    kind_ownership = (ownership, text_of(value))
        elif f.kind == "year":
            school_year = _school_year(value)
            year = None if school_year is not None else _parse_year(value)
            if school_year is not None:
                ctx.add(Code.UNIT_YEAR_SCHOOL_YEAR, sheet=name, cell=cell, value=text_of(value), expected=school_year)
            elif year is None:
                ctx.add(Code.UNIT_YEAR_INVALID, sheet=name, cell=cell, value=text_of(value))
            else:
                sub.unit[f.key] = year
        elif f.kind == "int":
            number = _parse_count(value)
            if number is None:
                ctx.add(Code.UNIT_NUMBER_INVALID, sheet=name, cell=cell, value=text_of(value), label=f.label)
            else:
                sub.unit[f.key] = number
        else:
            vocab = VOCABS[f.kind]
            key = vocab.parse(value)
            if key is None:
                ctx.add(Code.UNIT_VALUE_INVALID, sheet=name, cell=cell, value=text_of(value), label=f.label,
                        expected=", ".join(vocab.labels))
            else:
                sub.unit[f.key] = int(key) if f.kind == "level" else key
    if kind_ownership is not None and "loai_hinh" not in sub.unit:
        # workbook.md: a Loại hình word inside Loại đơn vị ("trường mầm non tư thục") fills a blank Loại hình.
        sub.unit["loai_hinh"] = kind_ownership[0]
        ctx.add(Code.UNIT_TYPE_FROM_KIND, sheet=name, cell=sub.unit_cells.get("loai_hinh") or None,
                value=kind_ownership[1], expected=OWNERSHIP.label(kind_ownership[0]))


_SCHOOL_YEAR = re.compile(r"(?<!\d)((?:19|20)\d{2})\s*[-–/]\s*((?:19|20)?\d{2})(?!\d)")


def _school_year(value: Any) -> int | None:
    """A school year typed as the year ("2025-2026", "2025 – 26"): the calendar year to suggest, or None."""
    m = _SCHOOL_YEAR.search(clean(value)) if isinstance(value, str) else None
    if m is None:
        return None
    first, second = int(m.group(1)), int(m.group(2)[-2:])
    return first if (first + 1) % 100 == second else None


def _parse_year(value: Any) -> int | None:
    if isinstance(value, (dt.date, dt.datetime)):
        return value.year
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return int(value) if float(value).is_integer() and 1990 <= value <= 2100 else None
    years = set(_YEAR.findall(clean(value)))
    return int(years.pop()) if len(years) == 1 else None


def _parse_count(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        return int(value) if float(value).is_integer() and value >= 0 else None
    text = re.sub(r"[\s.,]", "", clean(value))
    return int(text) if text.isdigit() else None


def _settle_unit(sub: Submission, ctx: _Ctx, sheet_name: str) -> None:
    kind = sub.unit.get("loai_don_vi")
    k = UNIT_KIND.get(kind or "")
    tier = sub.unit.get("cap_danh_gia")
    if tier is None:
        cell = sub.unit_cells.get("cap_danh_gia")
        if k is not None and k.tier:
            tier = k.tier
            ctx.add(Code.UNIT_TIER_INFERRED, sheet=sheet_name, cell=cell, value=k.label, expected=TIER_LABEL[tier])
        else:
            tier = "huyen"
            ctx.add(Code.UNIT_TIER_DEFAULT, sheet=sheet_name, cell=cell, value=k.label if k else "(trống)",
                    expected=TIER_LABEL[tier])
    sub.tier = tier
    if k is not None and k.education and "loai_hinh" not in sub.unit:
        ctx.add(Code.UNIT_TYPE_ASSUMED, sheet=sheet_name, cell=sub.unit_cells.get("loai_hinh"))
    learners, cdht = sub.unit.get("so_nguoi_hoc"), sub.unit.get("so_nguoi_hoc_cdht")
    if learners is not None and cdht is not None and cdht > learners:
        # regulation.md DECISIONS: a contradiction, reported at both cells involved (evaluate makes 3.1 Không đạt)
        ctx.add(Code.UNIT_LEARNERS_EXCEED, sheet=sheet_name, cell=sub.unit_cells.get("so_nguoi_hoc_cdht"), value=cdht,
                detail=learners)
        ctx.add(Code.LEARNERS_TOTAL_BELOW, sheet=sheet_name, cell=sub.unit_cells.get("so_nguoi_hoc"), value=learners,
                detail=cdht)


# ---------------------------------------------------------------------------------------------------- tables


def find_header(grid: list[list[Any]], matcher: HeaderMatcher, required: str) -> tuple[int, dict[int, str]] | None:
    """The row (within the first rows) whose cells match the most known headers, with the required one among them."""
    best: tuple[int, dict[int, str]] | None = None
    for r, row in enumerate(grid[:HEADER_SEARCH_ROWS]):
        if best is not None and r > best[0] + 3:
            break  # the rows below a header are data
        if best is not None and len(row) <= len(best[1]):
            continue  # a row of no more cells cannot match more headers (each header once): not worth reading
        mapping: dict[int, str] = {}
        for c, value in enumerate(row):
            if isinstance(value, str):
                key = matcher.match(value)
                if key and key not in mapping.values():
                    mapping[c] = key
        if required in mapping.values() and len(mapping) >= 2 and (best is None or len(mapping) > len(best[1])):
            best = (r, mapping)
    return best


def _table(sheet: RawSheet, sdef: SheetDef, table: str, required: str, ctx: _Ctx, needed: set[str]):
    columns = TABLES[table]
    found = find_header(sheet.grid, matcher_for(table), required)
    if found is None:
        ctx.add(Code.HEADER_MISSING, sheet=sheet.name,
                expected=", ".join(c.header for c in columns if c.required or c.key in needed))
        return None
    header_row, mapping = found
    grid, across = sheet.grid, {}
    if sheet.merged and table in ("members", "evidence"):
        protected = {c for c, key in mapping.items() if key in ("ho_ten", "ma_minh_chung")}
        grid, across = _unmerge(sheet, header_row + 1, protected, ctx)
    if not sheet.visible:
        ctx.add(Code.SHEET_HIDDEN, sheet=sheet.name)
    for c, value in enumerate(sheet.grid[header_row]):
        if c not in mapping and not is_blank(value):
            ctx.add(Code.COLUMN_UNKNOWN, sheet=sheet.name, cell=a1(header_row, c), value=text_of(value))
    present = set(mapping.values())
    for col in columns:
        if col.key in needed and col.key not in present:
            ctx.add(Code.COLUMN_MISSING, sheet=sheet.name, expected=col.header)
    return header_row, mapping, grid, across


class _Rows:
    """The rows below a table's header that hold anything but an STT number (with labels, also a row whose only
    text is in the STT column: a total or heading pasted there), read column by column: `index` holds their row
    numbers, column(key) the values of a column in those rows. A marked cell (formula without a value, error value)
    and an error value typed as text read as blank, with a finding, except in the deferred columns: the caller
    reports those only where the value is used. The findings wait for report(i), so that each comes out where a
    row-by-row reading would have met it."""

    def __init__(self, sheet: RawSheet, grid: list[list[Any]], header_row: int, mapping: dict[int, str], ctx: _Ctx,
                 labels: bool = False, defer: frozenset[str] = frozenset()):
        self.ctx = ctx
        self.cols = {key: c for c, key in mapping.items()}
        self.keys = list(mapping.values())
        order = list(mapping)
        first = header_row + 1
        below = grid[first:]
        widest = max(mapping)
        pick = itemgetter(*mapping) if len(mapping) > 1 else (lambda row: (row[widest],))
        if below and min(map(len, below)) > widest:
            cells = list(map(pick, below))
        else:
            cells = [pick(row) if len(row) > widest else tuple([row[c] if c < len(row) else None for c in mapping])
                     for row in below]
        columns = list(zip(*cells))
        marked_rows: dict[int, list[int]] = {}
        for (mr, mc) in sheet.marks:
            if mc in mapping and first <= mr < len(grid):
                marked_rows.setdefault(mr, []).append(mc)
        stt = self.keys.index("stt") if "stt" in self.keys else None
        drop = set()
        for i in _blank_rows([column for key, column in zip(self.keys, columns) if key != "stt"], range(len(cells))):
            value = cells[i][stt] if stt is not None else None
            if first + i not in marked_rows and not (labels and type(value) is str and not is_blank(value)
                                                     and not clean(value).rstrip(".").isdigit()):
                drop.add(i)  # empty, or a pre-numbered row of the template
        if drop:
            kept = [i for i in range(len(cells)) if i not in drop]
            cells = [cells[i] for i in kept]
            columns = list(zip(*cells))
            self.index = [first + i for i in kept]
        else:
            self.index = list(range(first, first + len(cells)))
        # The cells read through _cell_value, per row position, in the order a row-by-row reading has: text that may
        # be an error value ("#REF!", or " #N/A" typed with a space), then the marked cells. Found column by column,
        # once per distinct value: almost no row has one.
        fixes: dict[int, list[int]] = {}
        for j, column in enumerate(columns):
            suspects = {v for v in set(column) if type(v) is str and v[:1] in ("#", " ")}
            if suspects:
                for i, value in enumerate(column):
                    if value in suspects:
                        fixes.setdefault(i, []).append(j)
        if marked_rows:
            position = {r: i for i, r in enumerate(self.index)}
            for r, marked in marked_rows.items():
                for c in marked:
                    if mapping[c] not in defer:
                        fixes.setdefault(position[r], []).append(order.index(c))
        self.held: dict[int, list[Finding]] = {}
        for i in sorted(fixes):
            row, held = list(cells[i]), _Ctx()
            for j in fixes[i]:
                row[j] = _cell_value(held, sheet, self.index[i], order[j], row[j])
            cells[i] = tuple(row)
            self.held[i] = held.findings
        if fixes:
            columns = list(zip(*cells))
        self.cells = cells
        self.columns: dict[str, tuple] = dict(zip(self.keys, columns)) if cells else dict.fromkeys(self.keys, ())
        self._blank = (None,) * len(cells)

    def column(self, key: str) -> tuple:
        """The values of a column, in index order; a column the sheet lacks reads as blank in every row."""
        return self.columns.get(key, self._blank)

    def report(self, i: int) -> None:
        """The findings about the cells of row position i (call as the row is read)."""
        if i in self.held:
            self.ctx.findings.extend(self.held.pop(i))

    def report_all(self) -> None:
        for i in sorted(self.held):
            self.report(i)

    def records(self):
        """(row index, {key: value}, {key: col}) row by row, for the small tables."""
        keys, cols = self.keys, self.cols
        for i, r in enumerate(self.index):
            self.report(i)
            yield r, dict(zip(keys, self.cells[i])), cols


def _blank_rows(columns: list, rows) -> list[int]:
    """The rows (positions) blank in every one of these columns. Column by column over the rows still blank, each
    distinct value tested once: a table whose first column is filled costs one pass, and the template's
    pre-numbered rows hold the same "" everywhere."""
    rows = list(rows)
    for column in columns:
        if not rows:
            break
        blank = _blank_values(set(map(column.__getitem__, rows)))
        rows = [i for i in rows if column[i] in blank]
    return rows


# A column's distinct values are tested in C where possible: when all are text, strip and isprintable settle the
# usual case (no blank among names or codes) before any value is tested in Python.
def _blank_values(values: set) -> set:
    """The values that are blank cells (None, "", spaces or invisible characters only)."""
    try:
        stripped = list(map(str.strip, values))
        if "" not in stripped and all(map(str.isprintable, stripped)):
            return set()
    except TypeError:  # not all text
        pass
    return {v for v in values if _blank_cell(v)}


_UNSEEN, _BLANK = object(), object()


def _blank_cell(value: Any) -> bool:
    return value is None or value == "" or (type(value) is str and is_blank(value))


_DMY = re.compile(r"(\d{1,2})\s*[/.\-]\s*(\d{1,2})\s*[/.\-]\s*(\d{4}|\d{2})")
_YMD = re.compile(r"(\d{4})\s*[/.\-]\s*(\d{1,2})\s*[/.\-]\s*(\d{1,2})")


def parse_date(value: Any) -> dt.date | int | None:
    """A birth date as people type it: a date cell, a year, dd/mm/yyyy, d-m-yy, yyyy-mm-dd; None if not a date."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        if float(value).is_integer() and 1900 <= value <= 2100:
            return int(value)
        return None
    text = clean(value)
    if re.fullmatch(r"(19|20)\d{2}", text):
        return int(text)
    m = _DMY.fullmatch(text)
    if m:
        day, month, year = int(m.group(1)), int(m.group(2)), int(m.group(3))
    else:
        m = _YMD.fullmatch(text)
        if not m:
            return None
        year, month, day = int(m.group(1)), int(m.group(2)), int(m.group(3))
    if year < 100:
        year += 1900 if year > 30 else 2000
    try:
        return dt.date(year, month, day)
    except ValueError:
        return None


_MEMBER_LABELS = {c.key: c.header for c in MEMBER_COLUMNS}
_YESNO_KEYS = [c.key for c in MEMBER_COLUMNS if c.kind in ("yesno", "cert") and c.key != "tinh_vao_tong"]
_CERT_KEYS = {c.key for c in MEMBER_COLUMNS if c.kind == "cert"}


def _answer(value: Any) -> Any:
    return _BLANK if _blank_cell(value) else parse_yes_no(value)


def _cert_answer(value: Any) -> Any:
    return _BLANK if _blank_cell(value) else parse_certificate(value)


def _by_value(column: tuple, parse) -> dict:
    """value → parse(value) for every distinct value of a column (a few values, "Có", "Không" or blank, fill most
    columns). Equal values (1, 1.0, True) share a result, which every parser here gives them alike."""
    return {value: parse(value) for value in set(column)}


def _read_members(sheet: RawSheet, ctx: _Ctx, sub: Submission, needed: set[str]) -> None:
    """The member table, column by column: each answer column is parsed once per distinct value, then one pass over
    the rows reports, in the order a person reads the sheet, what each row holds that is not understood."""
    found = _table(sheet, SHEET_MEMBERS, "members", "ho_ten", ctx, needed | {"ho_ten"})
    if found is None:
        return
    header_row, mapping, grid, across = found
    labels, name_s, year = _MEMBER_LABELS, sheet.name, sub.unit.get("nam_danh_gia")
    rows = _Rows(sheet, grid, header_row, mapping, ctx, labels=True)
    rows.report_all()  # the cells' findings first, before the rows'
    index, cols, table, column = rows.index, rows.cols, rows.columns, rows.column
    n = len(index)
    names = list(map(text_of, column("ho_ten")))
    stts, births, titles_raw = column("stt"), column("ngay_sinh"), column("danh_hieu")
    notes = list(map(text_of, column("ghi_chu")))
    mostly_numbered = sum(map(_is_number, stts)) * 2 > n
    filled = [True] * n  # whether the row holds anything besides its STT, name and note
    for i in _blank_rows([table[k] for k in table if k not in ("stt", "ho_ten", "ghi_chu")], range(n)):
        filled[i] = False
    counted_raw = column("tinh_vao_tong")
    counted_answers = list(map(_by_value(counted_raw, _answer).__getitem__, counted_raw))
    # The yes/no and certificate columns: each distinct value parsed once per column, and each distinct row of
    # answers (a few patterns fill a sheet) turned once into the member's flags (blank or not understood: no; the
    # keys in Member.flags order, absent columns first) and the columns it holds a needed value not understood in.
    keys = [k for k in _YESNO_KEYS if k in table]
    absent = dict.fromkeys((k for k in _YESNO_KEYS if k not in table), False)
    answers = {key: _by_value(table[key], _cert_answer if key in _CERT_KEYS else _answer) for key in keys}
    patterns: dict[tuple, tuple[dict[str, bool], list[str]]] = {}

    def pattern(values: tuple) -> tuple[dict[str, bool], list[str]]:
        parsed = [answers[key][value] for key, value in zip(keys, values)]
        flags = {**absent, **{key: p == YES for key, p in zip(keys, parsed)}}
        return flags, [key for key, p in zip(keys, parsed) if p is None and key in needed]

    titles: dict[Any, str | None] = {}  # title cell value → key, for the values understood without a finding
    seen: dict[tuple[str, Any], int] = {}
    used: set[tuple] = set()  # the patterns of the members' rows
    answer_rows = list(zip(*[table[key] for key in keys])) if keys else [()] * n
    for i, (r, name, stt, values) in enumerate(zip(index, names, stts, answer_rows)):
        kind, label = _row_kind(stt, name, filled[i], r in across, mostly_numbered)
        if kind == "total":
            ctx.add(Code.ROW_TOTAL_SKIPPED, sheet=name_s, cell=a1(r, cols["ho_ten" if name else "stt"]), value=label,
                    row=r + 1)
            continue
        if kind == "heading":
            ctx.add(Code.ROW_HEADING_SKIPPED, sheet=name_s, cell=a1(r, cols["ho_ten" if name else "stt"]), value=label,
                    row=r + 1)
            continue
        if not name:
            ctx.add(Code.MEMBER_NAME_MISSING, sheet=name_s, cell=a1(r, cols.get("ho_ten", 0)), row=r + 1)
            continue
        if kind == "label":
            ctx.add(Code.MEMBER_NO_ANSWERS, sheet=name_s, cell=a1(r, cols["ho_ten"]), value=name, row=r + 1)
        if r in across:
            ctx.add(Code.MERGED_ACROSS, sheet=name_s, cell=across[r], row=r + 1)
        found = patterns.get(values)
        if found is None:
            found = patterns[values] = pattern(values)
        used.add(values)
        flags, invalid = found
        for key in invalid:
            value = table[key][i]
            _report_yes_no(ctx, name_s, a1(r, cols[key]), value, labels[key], key in _CERT_KEYS)
        raw_title = titles_raw[i]
        title = titles.get(raw_title, _UNSEEN)
        if title is _UNSEEN:
            before = len(ctx.findings)
            title = _parse_title(raw_title, ctx, name_s, (r, cols.get("danh_hieu", 0)), "danh_hieu" in needed, year)
            if len(ctx.findings) == before:
                titles[raw_title] = title
        counted, note = True, notes[i]
        parsed = counted_answers[i]
        if parsed is not _BLANK:
            raw_counted = counted_raw[i]
            cell = a1(r, cols["tinh_vao_tong"])
            if parsed is None:
                _report_yes_no(ctx, name_s, cell, raw_counted, labels["tinh_vao_tong"], False)
            elif parsed == NO:
                if note:
                    counted = False
                    ctx.add(Code.EXCLUSION, sheet=name_s, cell=cell, value=name, row=r + 1, detail=note)
                else:
                    # Issue 8 / README decision: an exclusion without a reason is a contradiction in the data.
                    # The member stays in every total with the answers as typed (nothing is guessed), and every
                    # member percentage is Không đạt until the reason is given (evaluate.percent_members).
                    ctx.add(Code.EXCLUSION_NO_REASON, sheet=name_s, cell=cell, row=r + 1)
                    sub.unreasoned_exclusions.append(cell)
        birth = births[i]
        if not is_blank(birth):
            born = parse_date(birth)
            if born is None:
                ctx.add(Code.DATE_INVALID, sheet=name_s, cell=a1(r, cols["ngay_sinh"]), value=text_of(birth),
                        label=labels["ngay_sinh"])
            elif year is not None and (born if isinstance(born, int) else born.year) > year:
                # workbook.md: a future birth date is a warning. "Future" = after the assessment year, not after
                # today: the result of a file must not depend on the day it is checked.
                ctx.add(Code.BIRTH_DATE_FUTURE, sheet=name_s, cell=a1(r, cols["ngay_sinh"]), value=text_of(birth),
                        label=labels["ngay_sinh"], expected=year)
        ident = (fold(name), clean(birth) if isinstance(birth, str) else birth)
        if ident in seen:
            ctx.add(Code.MEMBER_DUPLICATE, sheet=name_s, cell=a1(r, cols["ho_ten"]), value=name, row=r + 1,
                    detail=seen[ident])
        else:
            seen[ident] = r + 1
        member = Member(r, name, counted, flags.copy(), title, note)  # (row, name, counted, flags, title, note)
        (sub.members if counted else sub.excluded).append(member)
    if not sub.members and not sub.excluded:
        ctx.add(Code.MEMBER_NONE, sheet=name_s)
        return
    if sub.members:
        for j, key in enumerate(keys):
            if key in needed and all(answers[key][values[j]] is _BLANK for values in used):
                ctx.add(Code.COLUMN_BLANK, sheet=name_s, label=labels[key])


# workbook.md: a total or subtotal row ("Tổng cộng", "Cộng", "Tổng số" in the STT or name column) is never a member.
# Matched with diacritics (or typed with none at all), so "Tống Văn Cộng" stays a person.
_TOTAL = re.compile(r"^(?:tổng cộng|tổng số|tong cong|tong so)(?![^\W\d_])|^(?:tổng|cộng|tong|cong)\s*(?:$|[:\d(])")
# workbook.md: a heading or group row pasted from a Word table ("DANH SÁCH …", "Tổ Toán", "BAN GIÁM HIỆU",
# "I. Khối văn phòng") — words no Vietnamese full name starts with, compared with their diacritics ("Tô" is a name).
_HEADING = re.compile(r"^(?:danh sách|danh sach|tổ|khối|ban|phòng|bộ phận|nhóm|chi bộ|công đoàn|văn phòng|"
                      r"cán bộ quản lý|giáo viên|nhân viên|người lao động)(?![^\W\d_])|^(?:[ivx]+|[a-dđ])\s*[.)]\s")


_TOTAL_FIRST = frozenset("TtCc")  # every total word starts so: most rows are ruled out without a regex


def _is_number(value: Any) -> bool:
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return True
    return isinstance(value, str) and clean(value).rstrip(".").isdigit()


def _row_kind(stt: Any, name: str, filled: bool, merged_across: bool, mostly_numbered: bool) -> tuple[str, str]:
    """"total", "heading", "label" (a name with no STT and no answers where the other rows are numbered: still a
    member, with a warning) or "member"; and the row's label text. filled: whether the row holds anything besides
    its STT, name and note.

    Decision (README): a row is left out only on a sign that it is not a person — total words, a heading word, a
    value merged across the table, an upper-case label without STT, or text in the STT column with no name — and
    only when it holds no answers; any other row with a name is a member, its blank answers counting as no, so a
    real member can never disappear to the unit's advantage without a warning naming the row."""
    label = name or ("" if stt is None or _is_number(stt) else text_of(stt))
    if not label:
        return "member", ""
    if label[:1] in _TOTAL_FIRST and _TOTAL.match(label.casefold()):  # label is the name, or the STT text
        return "total", label
    if filled:
        return "member", label
    if not name or merged_across or _HEADING.match(label.casefold()):
        return "heading", label
    if stt is None or _blank_cell(stt):
        letters = [ch for ch in label if ch.isalpha()]
        if len(letters) > 1 and label == label.upper():
            return "heading", label
        if mostly_numbered:
            return "label", label
    return "member", label


def _report_yes_no(ctx: _Ctx, sheet: str, cell: str, value: Any, label: str, cert: bool) -> None:
    hint = YES_NO.telex_hint(value)
    if hint is not None:
        ctx.add(Code.VALUE_TELEX, sheet=sheet, cell=cell, value=text_of(value), label=label, expected=hint)
    elif cert:
        ctx.add(Code.CERT_INVALID, sheet=sheet, cell=cell, value=text_of(value), label=label, expected=CERT_EXAMPLES)
    else:
        ctx.add(Code.YES_NO_INVALID, sheet=sheet, cell=cell, value=text_of(value), label=label)


def _parse_title(value: Any, ctx: _Ctx, sheet: str, pos: tuple[int, int], report: bool,
                 year: int | None) -> str | None:
    if is_blank(value):
        return None
    key, problem = parse_title(INDIVIDUAL_TITLES, value, year)
    if key is not None:
        return key
    folded = fold(value)
    if folded in NO_TITLE:
        return None
    if report:
        cell, label, shown = a1(*pos), "Danh hiệu thi đua", text_of(value)
        hint = INDIVIDUAL_TITLES.telex_hint(value)
        if folded in NOT_TITLES:
            ctx.add(Code.TITLE_NOT_A_TITLE, sheet=sheet, cell=cell, value=shown)
        elif hint is not None:
            ctx.add(Code.VALUE_TELEX, sheet=sheet, cell=cell, value=shown, label=label, expected=hint)
        elif problem == "other-year":
            ctx.add(Code.TITLE_OTHER_YEAR, sheet=sheet, cell=cell, value=shown, label=label, expected=year)
        elif problem == "extra-text":
            ctx.add(Code.TITLE_EXTRA_TEXT, sheet=sheet, cell=cell, value=shown, label=label)
        else:
            ctx.add(Code.TITLE_INVALID, sheet=sheet, cell=cell, value=shown, label=label)
    return None


def _read_indicators(sheet: RawSheet, ctx: _Ctx, sub: Submission, book: Rulebook) -> None:
    found = _table(sheet, SHEET_INDICATORS, "indicators", "ma_chi_tieu", ctx, {"ma_chi_tieu", "tu_danh_gia",
                                                                                 "ma_minh_chung"})
    expected = [r.id for r in book.rules_for(sub.tier)]
    known = set(expected)
    if found is not None:
        header_row, mapping, grid, _ = found
        kinds = {r.id: r.kind for r in book.rules_for(sub.tier)}
        rows = _Rows(sheet, grid, header_row, mapping, ctx, defer=frozenset({"tu_danh_gia"}))
        cols = rows.cols
        idents = list(map(indicator_id, rows.column("ma_chi_tieu")))
        answers, codes, notes = rows.column("tu_danh_gia"), rows.column("ma_minh_chung"), rows.column("ghi_chu")
        for i, (r, ident) in enumerate(zip(rows.index, idents)):
            rows.report(i)
            if ident is None:
                continue  # a criterion heading ("Tiêu chí 1 …") or a note row
            if ident not in known or ident in sub.indicators:
                ctx.add(Code.INDICATOR_UNKNOWN, sheet=sheet.name, cell=a1(r, cols["ma_chi_tieu"]), value=ident, row=r + 1,
                        expected=f"{book.name} {TIER_LABEL.get(sub.tier, '')}")
                continue
            answer = answers[i]
            if "tu_danh_gia" in cols and kinds[ident] != "percent_members":
                # the % rows hold the template's live formula, for the school's view only: the tool recomputes them
                answer = _cell_value(ctx, sheet, r, cols["tu_danh_gia"], answer)
            sub.indicators[ident] = IndicatorRow(
                id=ident, row=r, answer=answer, answer_cell=a1(r, cols["tu_danh_gia"]) if "tu_danh_gia" in cols else "",
                codes=parse_codes(codes[i]), codes_cell=a1(r, cols["ma_minh_chung"]) if "ma_minh_chung" in cols else "",
                note=text_of(notes[i]),
            )
    for ident in expected:
        if ident not in sub.indicators:
            ctx.add(Code.INDICATOR_MISSING, sheet=sheet.name, value=ident)


def _read_evidence(sheet: RawSheet, ctx: _Ctx, sub: Submission) -> None:
    found = _table(sheet, SHEET_EVIDENCE, "evidence", "ma_minh_chung", ctx, {"ma_minh_chung", "ten_minh_chung"})
    if found is None:
        return
    header_row, mapping, grid, across = found
    rows = _Rows(sheet, grid, header_row, mapping, ctx)
    cols, for_cells = rows.cols, rows.column("chi_tieu")
    codes, names, issued, issuers = (list(map(text_of, rows.column(key))) for key in (
        "ma_minh_chung", "ten_minh_chung", "so_ngay_ban_hanh", "noi_ban_hanh"))
    for i, (r, code, name) in enumerate(zip(rows.index, codes, names)):
        rows.report(i)
        if r in across:
            ctx.add(Code.MERGED_ACROSS, sheet=sheet.name, cell=across[r], row=r + 1)
        if not code:
            ctx.add(Code.EVIDENCE_CODE_MISSING, sheet=sheet.name, cell=a1(r, cols["ma_minh_chung"]), row=r + 1)
            continue
        key = code_key(code)
        if key in sub.evidence:
            ctx.add(Code.EVIDENCE_DUPLICATE, sheet=sheet.name, cell=a1(r, cols["ma_minh_chung"]), value=code,
                    detail=sub.evidence[key].row + 1)
            continue
        if not name:
            ctx.add(Code.EVIDENCE_NAME_MISSING, sheet=sheet.name, cell=a1(r, cols.get("ten_minh_chung", 0)), value=code,
                    row=r + 1)
        for_ids = indicator_ids(for_cells[i])
        if for_ids is None:
            ctx.add(Code.EVIDENCE_FOR_INVALID, sheet=sheet.name, cell=a1(r, cols["chi_tieu"]), value=text_of(
                for_cells[i]), row=r + 1)
            for_ids = []
        sub.evidence[key] = Evidence(code=code, key=key, name=name, row=r, for_ids=for_ids, issued=issued[i],
                                     issuer=issuers[i])


def _check_codes(sub: Submission, ctx: _Ctx, sheet_name: str) -> None:
    for row in sub.indicators.values():
        for code in row.codes:
            if code_key(code) not in sub.evidence:
                ctx.add(Code.EVIDENCE_UNKNOWN, sheet=sheet_name, cell=row.codes_cell, value=row.id, detail=code)


def _check_meta(sub: Submission, ctx: _Ctx, book: Rulebook, known: dict[str, str]) -> None:
    meta = sub.meta
    version = meta.get("template_version")
    if version not in CURRENT_TEMPLATE_VERSIONS:
        ctx.add(Code.TEMPLATE_OLD, value=version or "không rõ (tệp không có trang _meta)", expected=TEMPLATE_VERSION)
    meta_book = meta.get("rulebook")
    if meta_book and meta_book != book.id:
        year = sub.unit.get("nam_danh_gia")
        if book.id in known and (not isinstance(year, int) or book.first_year <= year <= book.last_year):
            ctx.add(Code.TEMPLATE_OTHER_YEAR, value=known.get(meta_book, meta_book), expected=book.name, detail=year)
        else:  # the user's --rulebook: the year did not choose it
            made_for = f"{known[meta_book]} (bộ quy tắc {meta_book})" if meta_book in known else f"bộ quy tắc {meta_book}"
            ctx.add(Code.TEMPLATE_OTHER_RULEBOOK, value=made_for,
                    expected=f"{book.id} phiên bản {book.version} ({book.name})")
    meta_tier = TIERS.parse(meta.get("tier", ""))
    if book.scheme == "levels" and meta_tier and meta_tier != sub.tier:
        ctx.add(Code.TEMPLATE_OTHER_TIER, value=TIER_LABEL[meta_tier], expected=TIER_LABEL[sub.tier])


def read_unit(raw: RawWorkbook) -> Submission:
    """Step 1 of 2: locate the sheets and read the unit sheet. The caller then chooses the rulebook from what it
    found (rulebook.choose(sub.unit.get("nam_danh_gia"), forced)) and passes it to validate(); so the rulebook is
    still chosen by the unit's own year, and validate never loads one. Never raises for bad data."""
    sub = Submission(file=raw.path, sha256=raw.sha256, raw=raw)
    ctx = _Ctx()
    ctx.findings.extend(raw.findings)
    sub.findings = ctx.findings
    if has_fatal(ctx.findings):
        return sub
    sheets = _locate_sheets(raw, ctx)
    sub.sheet_names = {k: s.name for k, s in sheets.items()}
    sub.located = sheets
    if has_fatal(ctx.findings):
        return sub
    sub.meta = _read_meta(sheets.get("meta"))
    if "input_sha256" in sub.meta and any(clean(s.name) == "Kết quả" for s in raw.sheets):
        # A result workbook of ours carries copies of the school's sheets: read as a submission it would count the
        # unit twice (an officer pointing `batch` at an earlier output folder, or forwarding a result file).
        ctx.add(Code.FILE_IS_RESULT, detail=sub.meta.get("input_file") or "?")
        sub.findings = ctx.findings
        return sub
    _read_unit(sheets["unit"], ctx, sub)
    return sub


def validate(sub: Submission, book: Rulebook, known_rulebooks: dict[str, str] | None = None) -> Submission:
    """Step 2 of 2: the submission read_unit() began, completed by the rulebook the caller chose. Fatal findings
    (or no assessment year) stop early, with sub.rulebook_id left empty, so evaluate gives "Không đánh giá được".
    known_rulebooks (id → name) words the warning about a template made for another rulebook."""
    if has_fatal(sub.findings) or sub.unit.get("nam_danh_gia") is None or sub.rulebook_id:
        return sub
    sheets = sub.located
    ctx = _Ctx()
    ctx.findings = sub.findings
    sub.rulebook_id = book.id
    _settle_unit(sub, ctx, sheets["unit"].name)
    _check_meta(sub, ctx, book, known_rulebooks or {})
    needed = set(book.member_fields(sub.tier))
    _read_members(sheets["members"], ctx, sub, needed)
    _read_indicators(sheets["indicators"], ctx, sub, book)
    _read_evidence(sheets["evidence"], ctx, sub)
    _check_codes(sub, ctx, sheets["indicators"].name)
    _read_committee(sub.raw, ctx, sub)
    _check_dossier(sub, ctx, sheets["unit"].name)
    return sub


# ---------------------------------------------------------------------------------------------------- dossier (issue 12)


def _read_committee(raw: RawWorkbook, ctx: _Ctx, sub: Submission) -> None:
    """dossier.md: the `Tổ đánh giá` sheet. Optional (a 2025.1 workbook has none) and never affects the result: a role
    not understood is a warning and the person is listed as a Thành viên."""
    sheet = next((s for s in raw.sheets if clean(s.name) == SHEET_COMMITTEE.name), None) or \
        next((s for s in raw.sheets if match_sheet(s.name, SHEET_COMMITTEE)), None)
    if sheet is None:
        return
    sub.sheet_names["committee"] = sheet.name
    found = find_header(sheet.grid, matcher_for("committee"), "ho_ten")
    if found is None:
        return
    header_row, mapping = found
    for r, values, cols in _Rows(sheet, sheet.grid, header_row, mapping, ctx).records():
        name = text_of(values.get("ho_ten"))
        if not name:
            continue
        role_raw = values.get("nhiem_vu")
        role = COMMITTEE_ROLES.parse(role_raw) if not is_blank(role_raw) else "thanh_vien"
        if role is None:
            ctx.add(Code.COMMITTEE_ROLE_INVALID, sheet=sheet.name, cell=a1(r, cols["nhiem_vu"]), value=text_of(role_raw),
                    expected=", ".join(COMMITTEE_ROLES.labels))
            role = "thanh_vien"
        sub.committee.append(CommitteeMember(row=r, name=name, position=text_of(values.get("chuc_vu")), role=role))


def dossier_missing(sub: Submission) -> list[str]:
    """What the dossier still lacks, in the words of the template (dossier.md: a dotted blank in the documents)."""
    missing = [UNIT_FIELD[key].label for key in DOSSIER_FIELDS if key not in sub.unit]
    roles = {m.role for m in sub.committee}
    if not sub.committee:
        missing.append(f"danh sách Tổ đánh giá (trang '{SHEET_COMMITTEE.name}')")
    else:
        missing += [f"{COMMITTEE_ROLES.label(r)} của Tổ đánh giá" for r in ("to_truong", "thu_ky") if r not in roles]
    return missing


def _check_dossier(sub: Submission, ctx: _Ctx, sheet_name: str) -> None:
    if has_fatal(ctx.findings):
        return  # a file that cannot be evaluated gets no dossier: what it lacks for one does not matter yet
    missing = dossier_missing(sub)
    if missing:
        ctx.add(Code.DOSSIER_INCOMPLETE, sheet=sheet_name, detail="; ".join(missing))

