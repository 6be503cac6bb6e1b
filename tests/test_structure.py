"""Issue 8, the structure half: total and heading rows, merges pasted from Word, formulas saved without a value, the
marks beside the grid, contradictions in counts, one evidence-code parser.

Every case is built the way schools make them: the standard template filled (tests/helpers.py), then edited with
openpyxl as a secretary edits in Excel (merges, a pasted list with group rows and a total row), some saved through
LibreOffice. Rules cited: workbook.md "Matching is tolerant of how people type, never of what they mean" and
regulation.md DECISIONS.
"""

from __future__ import annotations

import zipfile
from pathlib import Path

import openpyxl
import pytest

from dvht_sheets.batch import check_file

from .helpers import evaluate
from dvht_sheets.findings import render
from dvht_sheets.model import FORMULA_NO_VALUE
from dvht_sheets.read import read_workbook
from dvht_sheets.report.styles import RED
from dvht_sheets.validate import indicator_ids, parse_codes

from .helpers import validate
from dvht_sheets.schema import code_key

from .helpers import ind, libreoffice, result_of, standard_data, write_standard

MEMBERS = "Thành viên"


def run(path: Path):
    sub = validate(read_workbook(path))
    return sub, evaluate(sub)


def found(findings, code: str) -> list[tuple[str | None, str | None]]:
    return [(f.sheet, f.cell) for f in findings if f.code == code]


def columns(ws) -> dict[str, int]:
    """Header text → 1-based column of the template's member sheet (header row 3)."""
    return {str(c.value).split(" (")[0]: c.column for c in ws[3] if c.value}


@pytest.fixture(scope="module")
def soffice(tmp_path_factory):
    convert = libreoffice(tmp_path_factory.mktemp("lo-profile"))
    return lambda path, fmt, outdir: convert(path, fmt, outdir)[0]


# ---------------------------------------------------------------------------------------------------- point 3


def test_learners_above_their_total_is_not_met_and_never_above_100_percent():
    # regulation.md DECISIONS: 1,050 "Công dân học tập" out of 1,000 learners is a contradiction → Không đạt
    r = result_of(kind="thpt", tier="tinh", learners=(1000, 1050))
    for level in (1, 2):
        i = ind(r, "3.1", level)
        assert i.met is False
        assert "105,00" not in i.measured and "người học 1050/1000: số liệu mâu thuẫn" in i.measured
        assert "mâu thuẫn" in i.reason
    assert r.level == 0  # 3.1 is a level-1 indicator for a THPT: nothing is recognised
    # the same data without the contradiction (1,000 of 1,000 = 100 %) meets it: the contradiction alone fails it
    assert ind(result_of(kind="thpt", tier="tinh", learners=(1000, 1000)), "3.1", 2).met is True


def test_learners_contradiction_is_an_error_at_both_cells(tmp_path):
    data = standard_data(20, tier="tinh", unit={"loai_don_vi": "THPT", "so_nguoi_hoc": 1000,
                                                "so_nguoi_hoc_cdht": 1050})
    sub, r = run(write_standard(tmp_path / "thpt.xlsx", data, tier="tinh"))
    total_cell, cdht_cell = sub.unit_cells["so_nguoi_hoc"], sub.unit_cells["so_nguoi_hoc_cdht"]
    assert ("Thông tin đơn vị", cdht_cell) in found(r.findings, "unit-learners-exceed")
    assert ("Thông tin đơn vị", total_cell) in found(r.findings, "learners-total-below")
    assert all(f.severity == "error" for f in r.findings if f.code in ("unit-learners-exceed", "learners-total-below"))
    assert ind(r, "3.1", 1).met is False and r.level == 0


def test_negative_learner_count_is_an_error_and_not_met(tmp_path):
    data = standard_data(20, tier="tinh", unit={"loai_don_vi": "THPT", "so_nguoi_hoc": 1000, "so_nguoi_hoc_cdht": -5})
    sub, r = run(write_standard(tmp_path / "neg.xlsx", data, tier="tinh"))
    assert ("Thông tin đơn vị", sub.unit_cells["so_nguoi_hoc_cdht"]) in found(r.findings, "unit-number-invalid")
    assert ind(r, "3.1", 1).met is False


def test_exclusion_without_reason_never_helps_the_unit(tmp_path):
    # 20 members, all yes; member 5 (row 9) marked "Không" without a reason. Issue 8: an exclusion without a reason is
    # a contradiction — the member stays in the totals with the answers as typed (20/20 = 100 %), and every member
    # percentage is Không đạt at both levels, so the unit reaches no level (TT24 Art. 8: every indicator must be met).
    data = standard_data(20, member_overrides={5: {"tinh_vao_tong": "Không", "ghi_chu": None}})
    sub, r = run(write_standard(tmp_path / "ex.xlsx", data))
    assert (MEMBERS, "E9") in found(r.findings, "exclusion-no-reason")
    for level in (1, 2):
        for rid in ("2.1", "2.2", "2.3", "2.4", "2.5", "3.1"):
            i = ind(r, rid, level)
            assert (i.numerator, i.denominator, i.met) == (20, 20, False), (rid, level)
            assert "E9" in i.reason
    assert r.level == 0
    # with the reason written, the exclusion is honoured: 19/19 and mức độ 2
    data = standard_data(20, member_overrides={5: {"tinh_vao_tong": "Không", "ghi_chu": "Nghỉ thai sản"}})
    sub, r = run(write_standard(tmp_path / "ex2.xlsx", data))
    assert (ind(r, "2.1", 2).numerator, ind(r, "2.1", 2).denominator, r.level) == (19, 19, 2)


# ---------------------------------------------------------------------------------------------------- points 4, 9, 10


def word_paste(path: Path) -> Path:
    """20 members pasted from a Word table: a merged "DANH SÁCH" heading, a merged department row, two unmerged group
    rows, and four total rows at the bottom (every variant of issue 8 point 10)."""
    real = standard_data(20)
    rows, kinds = [], []
    heading = {"stt": "DANH SÁCH GIÁO VIÊN NĂM HỌC 2025-2026"}
    layout = [heading, {"stt": "Tổ Toán"}, *real.members[:7], {"ho_ten": "Tổ Văn - Sử"}, *real.members[7:14],
              {"ho_ten": "BAN GIÁM HIỆU"}, *real.members[14:],
              {"ho_ten": "Tổng cộng: 20 người", "tuan_thu_ky_luat": 20},  # total in the name column, with figures
              {"stt": "Tổng cộng", "hoan_thanh_boi_duong": 20},         # in the STT column, with figures
              {"stt": "Cộng"},                                          # alone in STT
              {"ho_ten": "Tổng số"}]                                    # alone in the name column
    for n, row in enumerate(layout):
        rows.append(row)
        kinds.append(row.get("stt") if isinstance(row.get("stt"), str) else row.get("ho_ten"))
    real.members = rows
    write_standard(path, real)
    wb = openpyxl.load_workbook(path)
    ws = wb[MEMBERS]
    last = openpyxl.utils.get_column_letter(max(columns(ws).values()))
    ws.merge_cells(f"A4:{last}4")  # the heading, merged across the table as Word pastes it
    ws.merge_cells(f"A5:{last}5")
    wb.save(path)
    return path


# Excel rows: 4 DANH SÁCH, 5 Tổ Toán, 6-12 members, 13 Tổ Văn - Sử, 14-20, 21 BAN GIÁM HIỆU, 22-27, 28-31 totals
HEADINGS = [(MEMBERS, "A4"), (MEMBERS, "A5"), (MEMBERS, "B13"), (MEMBERS, "B21")]
TOTALS = [(MEMBERS, "B28"), (MEMBERS, "A29"), (MEMBERS, "A30"), (MEMBERS, "B31")]


def test_word_table_headings_group_and_total_rows_are_never_members(tmp_path):
    sub, r = run(word_paste(tmp_path / "word.xlsx"))
    assert len(sub.members) == 20 and r.members == 20  # workbook.md: headings and totals are never members
    assert [m.row + 1 for m in sub.members] == [*range(6, 13), *range(14, 21), *range(22, 28)]
    assert found(r.findings, "row-heading-skipped") == HEADINGS
    assert found(r.findings, "row-total-skipped") == TOTALS
    assert all(f.severity == "warning" for f in r.findings if f.code.startswith("row-"))
    total = next(f for f in r.findings if f.code == "row-total-skipped")
    assert total.message == render("row-total-skipped", row=28, value="Tổng cộng: 20 người", cell="B28")
    assert not found(r.findings, "member-name-missing") and not found(r.findings, "yes-no-invalid")
    assert not found(r.findings, "merged-cells")  # the merged heading is not spread anywhere
    i = ind(r, "2.1", 1)
    assert (i.numerator, i.denominator) == (20, 20) and r.level == 2


def test_word_table_gives_the_same_members_and_findings_in_xlsx_and_ods(tmp_path, soffice):
    xlsx = word_paste(tmp_path / "word.xlsx")
    ods = soffice(xlsx, "ods", tmp_path / "ods")
    back = soffice(ods, "xlsx", tmp_path / "back")
    results = {}
    for path in (xlsx, ods, back):
        sub, r = run(path)
        results[path.suffix + path.parent.name] = (
            [(m.row, m.name) for m in sub.members],
            sorted((f.code, f.cell) for f in r.findings if f.sheet == MEMBERS),
            [(i.id, i.level, i.numerator, i.denominator, i.met) for i in r.indicators], r.level)
    first, *others = results.values()
    assert len(first[0]) == 20 and first[3] == 2
    for other in others:
        assert other == first


def test_real_member_with_blank_answers_still_counts(tmp_path):
    # STT and name, every answer blank: a member (blank answers count as no, workbook.md) → 2.1 = 19/20 = 95 %
    blank = {k: None for k in ("ngay_sinh", "chuc_vu", "tuan_thu_ky_luat", "hoan_thanh_boi_duong", "tham_gia_cds",
                               "chung_chi_ngoai_ngu", "trinh_do_ngoai_ngu", "danh_hieu", "cong_dan_hoc_tap")}
    data = standard_data(20, member_overrides={3: blank})
    sub, r = run(write_standard(tmp_path / "blank.xlsx", data))
    assert len(sub.members) == 20
    assert (ind(r, "2.1", 1).numerator, ind(r, "2.1", 1).denominator) == (19, 20)
    assert not found(r.findings, "row-heading-skipped") and not found(r.findings, "member-no-answers")


def test_name_without_stt_or_answers_is_counted_with_a_warning(tmp_path):
    # A label that is not recognisably a heading, on a row with no STT where the others are numbered: it may be a
    # member whose answers were never typed, so it stays in the denominator (never in the unit's favour): 20/21.
    data = standard_data(20)
    data.members.insert(10, {"ho_ten": "Lê Thị Hoa"})  # Excel row 14
    sub, r = run(write_standard(tmp_path / "nostt.xlsx", data))
    assert len(sub.members) == 21
    assert found(r.findings, "member-no-answers") == [(MEMBERS, "B14")]
    assert (ind(r, "2.1", 1).numerator, ind(r, "2.1", 1).denominator) == (20, 21)
    # a person whose surname is "Tô" or "Tống" (not the group words "Tổ"/"Tổng") is never taken for a heading
    data = standard_data(20, member_overrides={0: {"ho_ten": "Tô Văn Toán"}, 1: {"ho_ten": "Tống Văn Cộng"}})
    sub, _ = run(write_standard(tmp_path / "to.xlsx", data))
    assert [m.name for m in sub.members[:2]] == ["Tô Văn Toán", "Tống Văn Cộng"] and len(sub.members) == 20


def test_value_merged_down_an_answer_column_applies_to_each_row(tmp_path):
    data = standard_data(20, member_overrides={4: {"tuan_thu_ky_luat": None}, 5: {"tuan_thu_ky_luat": None}})
    path = write_standard(tmp_path / "down.xlsx", data)
    wb = openpyxl.load_workbook(path)
    ws = wb[MEMBERS]
    col = openpyxl.utils.get_column_letter(columns(ws)["Tuân thủ kỷ luật lao động, nội quy"])
    ws.merge_cells(f"{col}7:{col}9")  # "Có" of row 7 over rows 8 and 9
    wb.save(path)
    sub, r = run(path)
    assert found(r.findings, "merged-cells") == [(MEMBERS, f"{col}7:{col}9")]
    assert (ind(r, "2.1", 1).numerator, ind(r, "2.1", 1).denominator) == (20, 20)
    # the result workbook's copy shows the sheet as the school had it: the merged cells below stay blank
    out = check_file(path, tmp_path / "out").output
    copy = openpyxl.load_workbook(out)[MEMBERS]
    assert copy[f"{col}7"].value == "Có" and copy[f"{col}8"].value is None


def test_value_merged_across_is_never_copied_into_other_columns(tmp_path):
    # "Có" merged across 2.1 … 2.3 for one member: only the first cell holds it; 2.2 and 2.3 count as no (19/20).
    data = standard_data(20, member_overrides={2: {"hoan_thanh_boi_duong": None, "tham_gia_cds": None}})
    path = write_standard(tmp_path / "across.xlsx", data)
    wb = openpyxl.load_workbook(path)
    ws = wb[MEMBERS]
    cols = columns(ws)
    first = openpyxl.utils.get_column_letter(cols["Tuân thủ kỷ luật lao động, nội quy"])
    last = openpyxl.utils.get_column_letter(cols["Được bồi dưỡng, tham gia chuyển đổi số"])
    ws.merge_cells(f"{first}6:{last}6")
    # and a name merged across name + birth date: the name is one name, never spread
    ws.merge_cells("B8:C8")
    wb.save(path)
    sub, r = run(path)
    assert (ind(r, "2.1", 1).numerator, ind(r, "2.2", 1).numerator, ind(r, "2.3", 1).numerator) == (20, 19, 19)
    assert found(r.findings, "merged-across") == [(MEMBERS, f"{first}6:{last}6"), (MEMBERS, "B8:C8")]
    assert len(sub.members) == 20 and sub.members[4].name == "Nguyễn Văn E4"


# ---------------------------------------------------------------------------------------------------- points 5, 6


def openpyxl_formulas(path: Path, empty_v: bytes = b"<v />") -> Path:
    """The 2.1 answers typed as formulas and saved by openpyxl: no cached value. openpyxl writes <f>…</f><v /> with
    its own XML writer and <f>…</f><v></v> when lxml is installed (python-docx brings it); empty_v picks the form."""
    write_standard(path, standard_data(20))
    wb = openpyxl.load_workbook(path)
    ws = wb[MEMBERS]
    col = columns(ws)["Tuân thủ kỷ luật lao động, nội quy"]
    for r in range(4, 24):
        ws.cell(r, col).value = '=IF(1=1,"Có","Không")'
    wb.save(path)
    _rewrite_part(path, "xl/worksheets/sheet3.xml",
                  lambda xml: xml.replace(b"</f><v></v></c>", b"</f>" + empty_v + b"</c>")
                  .replace(b"</f><v /></c>", b"</f>" + empty_v + b"</c>"))
    return path


def _rewrite_part(path: Path, part: str, change) -> None:
    with zipfile.ZipFile(path) as zf:
        items = [(info, zf.read(info.filename)) for info in zf.infolist()]
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for info, data in items:
            zf.writestr(info, change(data) if info.filename == part else data)


@pytest.mark.parametrize("empty_v", [b"<v />", b"<v></v>"])
def test_formulas_without_a_cached_value_are_errors_counted_as_no(tmp_path, empty_v):
    # workbook.md: a formula without a cached value is an error at its cell and counts as no — both forms openpyxl
    # writes (its own writer: <v />; with lxml: <v></v> in an untyped cell)
    path = openpyxl_formulas(tmp_path / "f.xlsx", empty_v)
    with zipfile.ZipFile(path) as zf:
        assert b"</f>" + empty_v + b"</c>" in zf.read("xl/worksheets/sheet3.xml")
    raw = read_workbook(path)
    sheet = raw.sheet(MEMBERS)
    assert all(FORMULA_NO_VALUE != v for row in sheet.grid for v in row)  # the mark is beside the grid …
    assert sheet.marks[(3, 5)] == FORMULA_NO_VALUE and len(sheet.marks) == 20  # … F4:F23
    sub = validate(raw)
    r = evaluate(sub)
    cells = [c for s, c in found(r.findings, "formula-no-value") if s == MEMBERS]
    assert cells == [f"F{n}" for n in range(4, 24)]
    assert all(f.severity == "error" for f in r.findings if f.code == "formula-no-value")
    # the template's live % formulas in "Chỉ tiêu" (also uncached now) are for the school only: no finding there
    assert not [c for s, c in found(r.findings, "formula-no-value") if s != MEMBERS]
    assert (ind(r, "2.1", 1).numerator, ind(r, "2.1", 1).denominator) == (0, 20) and r.level == 0


def test_marks_above_a_header_or_beyond_the_table_are_not_read(tmp_path):
    # a formula without a value in a title or header cell (or past the last row) is not a cell of the table: no
    # finding, the same result as without it (validate._Rows reads only the rows below the header)
    raw = read_workbook(write_standard(tmp_path / "m.xlsx", standard_data(10)))
    sheet = raw.sheet(MEMBERS)
    for cell in ((0, 1), (2, 5), (len(sheet.grid) + 3, 5)):
        sheet.marks[cell] = FORMULA_NO_VALUE
    sub = validate(raw)
    r = evaluate(sub)
    assert not found(r.findings, "formula-no-value") and len(sub.members) == 10
    assert (ind(r, "2.1", 1).numerator, ind(r, "2.1", 1).denominator) == (10, 10) and r.level == 2
    sheet.grid[5][5], sheet.marks[(5, 5)] = "", FORMULA_NO_VALUE  # F6, in the table: counted as no, with its finding
    r = evaluate(validate(raw))
    assert found(r.findings, "formula-no-value") == [(MEMBERS, "F6")]
    assert (ind(r, "2.1", 1).numerator, ind(r, "2.1", 1).denominator) == (9, 10)


def test_a_formula_whose_cached_value_is_the_empty_string_is_not_an_error(tmp_path):
    # Excel caches a formula giving "" as <c t="str"><f>…</f><v></v></c>: a real (blank) value, not a missing one;
    # in an answer column it counts as blank (Không) without formula-no-value.
    path = openpyxl_formulas(tmp_path / "f.xlsx", b"<v></v>")
    _rewrite_part(path, "xl/worksheets/sheet3.xml", lambda xml: xml.replace(b'<c r="F4" ', b'<c r="F4" t="str" '))
    sheet = read_workbook(path).sheet(MEMBERS)
    assert (3, 5) not in sheet.marks and len(sheet.marks) == 19  # F5:F23 still have no value


def test_formulas_cached_by_libreoffice_are_read(tmp_path, soffice):
    path = openpyxl_formulas(tmp_path / "f.xlsx")
    saved = soffice(path, "xlsx", tmp_path / "lo")
    for p in (saved, soffice(path, "ods", tmp_path / "lo")):
        sub, r = run(p)
        assert not found(r.findings, "formula-no-value"), p.suffix
        assert (ind(r, "2.1", 1).numerator, ind(r, "2.1", 1).denominator) == (20, 20) and r.level == 2


def test_error_values_are_errors_at_their_cells(tmp_path, soffice):
    write_standard(tmp_path / "e.xlsx", standard_data(20))
    wb = openpyxl.load_workbook(tmp_path / "e.xlsx")
    ws = wb[MEMBERS]
    ws["F5"] = "=1/0"
    ws["F6"] = "=NA()"
    wb.save(tmp_path / "e.xlsx")
    # cached as #DIV/0! and #N/A; in .ods as an empty string marked calcext:value-type="error"
    for saved in (soffice(tmp_path / "e.xlsx", "xlsx", tmp_path / "lo"), soffice(tmp_path / "e.xlsx", "ods", tmp_path)):
        sub, r = run(saved)
        assert found(r.findings, "cell-error-value") == [(MEMBERS, "F5"), (MEMBERS, "F6")], saved.suffix
        assert [f.value for f in r.findings if f.code == "cell-error-value"] == ["#DIV/0!", "#N/A"]
        assert (ind(r, "2.1", 1).numerator, ind(r, "2.1", 1).denominator) == (18, 20)


def test_ods_formula_without_a_value_is_an_error(tmp_path, soffice):
    # an .ods written by a program that does not calculate: table:formula and no office:value-type
    write_standard(tmp_path / "o.xlsx", standard_data(20))
    ods = soffice(tmp_path / "o.xlsx", "ods", tmp_path)
    with zipfile.ZipFile(ods) as zf:
        parts = {i.filename: zf.read(i) for i in zf.infolist()}
    content = parts["content.xml"].decode()
    cell = '<table:table-cell table:style-name="'
    rows = content.split("<table:table-row")
    sheet_start = next(i for i, r in enumerate(rows) if "Nguyễn Văn A0" in r)  # Excel row 4 of Thành viên
    row = rows[sheet_start]
    at = [i for i in range(len(row)) if row.startswith(cell, i)][4]  # column F (column A's cell is written otherwise)
    end = row.index("</table:table-cell>", at) + len("</table:table-cell>")
    rows[sheet_start] = row[:at] + '<table:table-cell table:formula="of:=IF(1=1;&quot;Có&quot;)"/>' + row[end:]
    parts["content.xml"] = "<table:table-row".join(rows).encode()
    bad = tmp_path / "no-value.ods"
    with zipfile.ZipFile(bad, "w") as zf:
        for name, body in parts.items():
            zf.writestr(name, body, zipfile.ZIP_STORED if name == "mimetype" else zipfile.ZIP_DEFLATED)
    raw = read_workbook(bad)
    assert raw.sheet(MEMBERS).grid[3][4:7] == ["", "", "Có"]  # what calamine gives: F4 blank, silently
    sub = validate(raw)
    r = evaluate(sub)
    assert found(r.findings, "formula-no-value") == [(MEMBERS, "F4")]
    assert (ind(r, "2.1", 1).numerator, ind(r, "2.1", 1).denominator) == (19, 20)


def test_result_workbook_shows_the_formula_cell_blank_red_with_a_note(tmp_path):
    path = openpyxl_formulas(tmp_path / "f.xlsx")
    out = check_file(path, tmp_path / "out").output
    with zipfile.ZipFile(out) as zf:
        for name in zf.namelist():
            assert "\ufdd0".encode() not in zf.read(name) and "công thức chưa tính".encode() not in zf.read(name)
    wb = openpyxl.load_workbook(out)
    ws = wb[MEMBERS]
    cell = ws["F4"]
    assert cell.value is None
    assert cell.fill.fgColor.rgb[-6:] == RED[1:]  # the error fill
    assert cell.comment is not None and "formula-no-value" in cell.comment.text
    assert ws["G4"].value == "Có" and ws["G4"].comment is None


# ---------------------------------------------------------------------------------------------------- points 7, 11


def test_one_code_parser_splits_every_separator():
    assert parse_codes("[H1-1.5-01]\n[H1-1.5-02]") == ["[H1-1.5-01]", "[H1-1.5-02]"]
    assert parse_codes("[H1-1.5-01] [H1-1.5-02]") == ["[H1-1.5-01]", "[H1-1.5-02]"]  # brackets make it unambiguous
    assert parse_codes("[A]; [B], [C]\r\n[D]") == ["[A]", "[B]", "[C]", "[D]"]
    assert parse_codes("［H1-1.1-01］；［H1-1.1-02］") == ["[H1-1.1-01]", "[H1-1.1-02]"]  # full-width, NFKC
    assert parse_codes("H1 01") == ["H1 01"]  # unbracketed, space only: one code (an error if not listed)
    assert parse_codes(None) == [] and parse_codes("  ") == []
    assert code_key("［h1-1.1-01 ］") == code_key("[H1-1.1-01]") == "h1-1.1-01"


def test_indicator_ids_as_typed():
    # workbook.md: "Dùng cho chỉ tiêu" accepts "2.1", "2.1.", "CT 2.1", "chỉ tiêu 2.1" and lists of them
    for text in ("2.1", "2.1.", "CT 2.1", "chỉ tiêu 2.1", "Chỉ tiêu 2,1", 2.1):
        assert indicator_ids(text) == ["2.1"], text
    assert indicator_ids("CT 1.1; CT 1.5, 2.1.") == ["1.1", "1.5", "2.1"]
    assert indicator_ids("1.1\n1.2") == ["1.1", "1.2"]
    assert indicator_ids("") == [] and indicator_ids("Tiêu chí hai") is None


def test_codes_on_new_lines_are_accepted_everywhere_and_a_wrong_one_is_red(tmp_path):
    data = standard_data(20)
    data.indicators["1.5"]["ma_minh_chung"] = "[MC-1.5]\n[MC-1.5b]"
    data.indicators["1.1"]["ma_minh_chung"] = "[MC-1.1] [MC-1.1b]"
    data.indicators["1.2"]["ma_minh_chung"] = "[MC-1.2]\n[MC-9.9]"  # one wrong code
    data.evidence += [{"stt": 90, "ma_minh_chung": "[MC-1.5b]", "ten_minh_chung": "Kế hoạch bổ sung"},
                      {"stt": 91, "ma_minh_chung": "[MC-1.1b]", "ten_minh_chung": "Quyết định bổ sung"}]
    sub, r = run(write_standard(tmp_path / "codes.xlsx", data))
    unknown = [f for f in r.findings if f.code == "evidence-unknown"]
    assert [(f.value, f.message) for f in unknown] == [
        ("1.2", render("evidence-unknown", value="1.2", detail="[MC-9.9]", cell=sub.indicators["1.2"].codes_cell))]
    assert ind(r, "1.5", 1).evidence == ["[MC-1.5]", "[MC-1.5b]"]
    assert ind(r, "1.1", 1).evidence == ["[MC-1.1]", "[MC-1.1b]"]
    assert r.level == 2


def test_hand_typed_codes_and_indicator_lists_match(tmp_path):
    # Codes given only in the evidence sheet ("Dùng cho chỉ tiêu"), typed by hand; full-width brackets in the
    # indicator row. Each indicator keeps its evidence, so the unit keeps mức độ 2.
    data = standard_data(20)
    data.indicators["1.1"]["ma_minh_chung"] = "［MC-1.1］"
    for ev in data.evidence:
        ev["chi_tieu"] = {"[MC-1.2]": "1.2.", "[MC-1.3]": "CT 1.3", "[MC-1.4]": "chỉ tiêu 1.4"}.get(ev["ma_minh_chung"])
    for ident in ("1.2", "1.3", "1.4"):
        data.indicators[ident]["ma_minh_chung"] = None
    nameless = next(ev for ev in data.evidence if ev["ma_minh_chung"] == "[MC-1.5]")
    nameless["ten_minh_chung"] = None
    data.indicators["1.5"]["ma_minh_chung"] = None
    nameless["chi_tieu"] = "1.5"
    sub, r = run(write_standard(tmp_path / "hand.xlsx", data))
    assert not found(r.findings, "evidence-unknown") and not found(r.findings, "evidence-none")
    for ident in ("1.1", "1.2", "1.3", "1.4", "1.5"):
        assert ind(r, ident, 1).met is True and ind(r, ident, 1).evidence == [f"[MC-{ident}]"], ident
    assert len(found(r.findings, "evidence-name-missing")) == 1  # a code with no name still supports, warned
    assert r.level == 2


def test_unreadable_indicator_list_is_an_error_at_its_cell(tmp_path):
    data = standard_data(20)
    data.evidence[0]["chi_tieu"] = "Tiêu chí một"
    sub, r = run(write_standard(tmp_path / "bad.xlsx", data))
    bad = [f for f in r.findings if f.code == "evidence-for-invalid"]
    assert len(bad) == 1 and bad[0].severity == "error" and bad[0].sheet == "Minh chứng"
