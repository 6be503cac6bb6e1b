"""The reader: tolerant of what people type, strict where it matters, every finding with sheet and cell.

Requirements: workbook.md (sheets, columns, vocabularies, yes/no words, blank rules); regulation.md DECISION
(exclusions need a reason); issue 2 item 5 (aliases, NBSP, NFD, header rows, order, sheet names, old templates).
"""

import unicodedata

import pytest

from .helpers import evaluate
from dvht_sheets.findings import render
from dvht_sheets.read import read_workbook
from dvht_sheets.schema import INDIVIDUAL_TITLES, NO, TEMPLATE_VERSION, YES, parse_yes_no
from dvht_sheets.validate import indicator_id, parse_date

from .helpers import validate

from .helpers import TT22, standard_data, table, write_grids, write_standard


def read(path):
    return validate(read_workbook(path))


def codes(sub):
    return [(f.code, f.sheet, f.cell) for f in sub.findings]


# ---------------------------------------------------------------------------------------------- vocabularies

@pytest.mark.parametrize("text", ["Có", "có", " CÓ ", "C", "c", "x", "X", "✓", "✔", "v", "1", "Đạt", "đạt", "Đ",
                                  "Yes", "TRUE", "Co", "Có\u00a0", unicodedata.normalize("NFD", "Có"), True, 1, 1.0])
def test_yes_words(text):
    assert parse_yes_no(text) == YES


@pytest.mark.parametrize("text", ["Không", "không", "K", "k", "0", "-", "✗", "Không đạt", "Chưa đạt", "CĐ", "No",
                                  "FALSE", "Khong", unicodedata.normalize("NFD", "Không"), False, 0])
def test_no_words(text):
    assert parse_yes_no(text) == NO


@pytest.mark.parametrize("text", ["có lẽ", "?", "2", "chắc chắn", "ok không"])
def test_other_words_are_not_understood(text):
    assert parse_yes_no(text) is None


@pytest.mark.parametrize("text,key", [
    ("LĐTT", "ldtt"), ("lao dong tien tien", "ldtt"), ("Lao động tiên tiến", "ldtt"), ("CSTĐCS", "cstdcs"),
    ("CSTĐ cơ sở", "cstdcs"), ("Chiến sĩ thi đua cơ sở", "cstdcs"), ("CSTĐ cấp tỉnh", "cstd_tinh"),
    ("Chiến sĩ thi đua toàn quốc", "cstd_tq"), ("Giấy khen", None), ("Bằng khen", None),
])
def test_individual_titles(text, key):
    assert INDIVIDUAL_TITLES.parse(text) == key


@pytest.mark.parametrize("value,ident", [("1.1", "1.1"), (1.1, "1.1"), ("CT 2.3", "2.3"), ("Chỉ tiêu 3,6", "3.6"),
                                         ("Tiêu chí 1", None), ("", None)])
def test_indicator_ids(value, ident):
    assert indicator_id(value) == ident


@pytest.mark.parametrize("value,ok", [("12/05/1985", True), ("5-3-1985", True), ("1985-05-12", True), ("1985", True),
                                      (1985, True), ("12.5.85", True), ("31/02/1987", False), ("mười hai", False)])
def test_dates_typed_as_text(value, ok):
    assert (parse_date(value) is not None) is ok


# ---------------------------------------------------------------------------------------------- the standard workbook

def test_round_trip_standard_template(tmp_path):
    data = standard_data(25)
    sub = read(write_standard(tmp_path / "a.xlsx", data))
    assert not [f for f in sub.findings if f.severity in ("fatal", "error")]
    assert sub.unit["ma_don_vi"] == "TH-THU" and sub.unit["nam_danh_gia"] == 2025 and sub.unit["loai_don_vi"] == "tieu_hoc"
    assert sub.tier == "huyen" and sub.rulebook_id == "tt24-2023"
    assert len(sub.members) == 25 and sub.members[0].name == "Nguyễn Văn A0" and sub.members[0].row == 3
    assert sub.members[0].title == "ldtt" and all(sub.members[0].flags.values())
    assert set(sub.indicators) == {"1.1", "1.2", "1.3", "1.4", "1.5", "2.1", "2.2", "2.3", "2.4", "2.5", "3.1",
                                   "3.2", "3.3", "3.4", "3.5"}
    assert sub.indicators["1.1"].codes == ["[MC-1.1]"] and sub.indicators["1.1"].answer == "Đạt"
    assert len(sub.evidence) == 15
    assert evaluate(sub).level == 2


def test_errors_name_the_cell(tmp_path):
    data = standard_data(10, member_overrides={
        2: {"tuan_thu_ky_luat": "có lẽ"},  # row 6, column F
        4: {"danh_hieu": "Danh hiệu gì đó"},  # row 8, column K
        5: {"tinh_vao_tong": "Không", "ghi_chu": None},  # row 9, column E
        6: {"tinh_vao_tong": "Không", "ghi_chu": "Nghỉ thai sản"},
        7: {"ngay_sinh": "31/02/1987"},  # row 11, column C
    })
    data.indicators["1.2"]["ma_minh_chung"] = "[MC-1.2]; MC-9.9"
    data.members.append({"chuc_vu": "GV", "tuan_thu_ky_luat": "Có"})  # a row with values but no name: row 14
    sub = read(write_standard(tmp_path / "b.xlsx", data))
    got = codes(sub)
    assert ("yes-no-invalid", "Thành viên", "F6") in got
    assert ("title-invalid", "Thành viên", "K8") in got
    assert ("exclusion-no-reason", "Thành viên", "E9") in got
    assert ("exclusion", "Thành viên", "E10") in got
    assert ("date-invalid", "Thành viên", "C11") in got
    assert ("member-name-missing", "Thành viên", "B14") in got
    bad = next(f for f in sub.findings if f.code == "evidence-unknown")
    assert (bad.sheet, bad.cell) == ("Chỉ tiêu", "D6")
    assert bad.message == render("evidence-unknown", value="1.2", detail="MC-9.9", cell="D6")
    # Excluded with a reason: out of the denominator; without a reason: still counted, every answer as Không
    # (README decision, never in the unit's favour).
    assert len(sub.members) == 9 and [m.name for m in sub.excluded] == ["Nguyễn Văn G6"]
    r = evaluate(sub)
    i = next(i for i in r.indicators if i.id == "2.1" and i.level == 1)
    # "có lẽ" counts as Không; the member excluded without a reason counts with the answers as typed, and the
    # indicator is Không đạt whatever the share (issue 8: an exclusion without a reason is a contradiction)
    assert (i.numerator, i.denominator, i.met) == (8, 9, False)


def test_blank_indicator_column_is_a_warning(tmp_path):
    data = standard_data(5, member_overrides={i: {"tham_gia_cds": None} for i in range(5)})
    sub = read(write_standard(tmp_path / "c.xlsx", data))
    f = next(f for f in sub.findings if f.code == "column-blank")
    assert f.severity == "warning" and "chuyển đổi số" in f.message


def test_template_of_last_year_and_other_tier_are_named(tmp_path):
    old = standard_data(5)
    old.meta = {"template_version": "2024.1", "tier": "tinh", "rulebook": "tt22-2020"}
    sub = read(write_standard(tmp_path / "d.xlsx", old))
    got = {f.code: f for f in sub.findings}
    assert got["template-old"].message == render("template-old", value="2024.1", expected=TEMPLATE_VERSION)
    assert "Thông tư 22/2020" in got["template-other-year"].message
    assert got["template-other-tier"].message == render("template-other-tier", value="cấp tỉnh", expected="cấp huyện")
    assert evaluate(sub).evaluated


def test_workbook_without_meta_is_called_foreign_but_still_read(tmp_path):
    data = standard_data(5)
    data.meta = {}
    sub = read(write_standard(tmp_path / "e.xlsx", data))
    assert any(f.code == "template-old" and "không có trang _meta" in f.message for f in sub.findings)
    assert evaluate(sub).level == 2


def test_tt22_year_uses_the_tt22_indicators(tmp_path):
    data = standard_data(12, book_id=TT22)
    sub = read(write_standard(tmp_path / "f.xlsx", data, book_id=TT22))
    assert sub.rulebook_id == "tt22-2020" and len(sub.indicators) == 10
    r = evaluate(sub)
    assert (r.points, r.grade) == (100, "Tốt")


# ---------------------------------------------------------------------------------------------- hand-made layouts

UNIT = table("""
| THONG TIN DON VI | |
| | |
| Ten don vi: | Trường THCS Lê Lợi |
| Ma don vi | THCS-LELOI |
| Loai don vi | Trường THCS |
| Loai hinh | cong lap |
| Nam danh gia | Năm 2025 |
""")
MEMBERS = table("""
| PHÒNG GD&ĐT | | | | | | | | | |
| DANH SÁCH CÁN BỘ GIÁO VIÊN | | | | | | | | | |
| | | | | | | | | | |
| ho va ten | TT | Tuan thu ky luat | Hoan thanh boi duong | Tham gia chuyen doi so | Chung chi | Trinh do ngoai ngu | DANH HIEU | Cong dan hoc tap | Cột lạ |
| Lê\u00a0Thị  Hoa | 1 | x | C | Có | TOEIC 500 | có | LĐTT | ✓ | |
| Trần Văn Nam | 2 | Đ | c | 1 | K | Có | CSTĐ cơ sở | Yes | |
| | 3 | | | | | | | | |
| Phạm Thị Lan | 4 | =NA() | Có | Có | Không | Không | lao dong tien tien | Có | |
""")
INDICATORS = table("""
| Mã chỉ tiêu | Kết quả tự đánh giá | Mã minh chứng |
| Tiêu chí 1 | | |
| 1.1 | Đạt | mc 01 |
""")
EVIDENCE = table("""
| Ma minh chung | Ten minh chung |
| [MC01] | Kế hoạch |
""")


def test_tolerant_layout(tmp_path):
    nfd_members = [[unicodedata.normalize("NFD", c) if isinstance(c, str) and "Trần" in c else c for c in row]
                   for row in MEMBERS]
    path = write_grids(tmp_path / "g.xlsx", {"thong tin don vi": UNIT, "THANH VIEN": nfd_members,
                                             "Chi tieu": INDICATORS, "minh chung ": EVIDENCE})
    sub = read(path)
    assert sub.unit["ten_don_vi"] == "Trường THCS Lê Lợi" and sub.unit["loai_don_vi"] == "thcs"
    assert sub.unit["loai_hinh"] == "cong_lap" and sub.unit["nam_danh_gia"] == 2025
    assert [m.name for m in sub.members] == ["Lê Thị Hoa", "Trần Văn Nam", "Phạm Thị Lan"]  # NBSP, NFD cleaned
    first, second, third = sub.members
    assert first.flags["tuan_thu_ky_luat"] and first.flags["chung_chi_ngoai_ngu"] and first.title == "ldtt"
    assert second.flags["tham_gia_cds"] and not second.flags["chung_chi_ngoai_ngu"] and second.title == "cstdcs"
    assert third.flags["tuan_thu_ky_luat"] is False and third.title == "ldtt"
    got = codes(sub)
    assert ("cell-error-value", "THANH VIEN", "C8") in got
    assert ("column-unknown", "THANH VIEN", "J4") in got
    assert sum(1 for c in got if c[0] == "sheet-renamed") == 4  # every sheet name typed without diacritics
    assert sub.indicators["1.1"].codes == ["mc 01"] and "mc01" in sub.evidence  # brackets/spaces/case ignored
    assert not any(c[0] == "evidence-unknown" for c in got)
    assert ("indicator-missing", "Chi tieu", None) in got  # 1.2 … 3.5 missing rows


@pytest.mark.parametrize("grid,code,cell", [
    ([["Tên đơn vị", "X"], ["Mã đơn vị", "X1"], ["Loại đơn vị", "THCS"], ["Năm đánh giá", "2024-2025"]],
     "unit-year-school-year", "B4"),  # workbook.md: a school year is fatal
    ([["Tên đơn vị", "X"], ["Loại đơn vị", "THCS"], ["Năm đánh giá", 2025], ["Mã đơn vị", None]],
     "unit-code-missing", "B4"),
    ([["Tên đơn vị", "X"], ["Mã đơn vị", "X1"], ["Loại đơn vị", "Trường làng"], ["Năm đánh giá", 2025]],
     "unit-kind-invalid", "B3"),  # workbook.md: an unrecognisable kind is fatal
    ([["Tên đơn vị", "X"], ["Mã đơn vị", "X1"], ["Loại đơn vị", "THCS"], ["Năm đánh giá", 2025]],
     "unit-type-assumed", None),
    ([["Tên đơn vị", "X"], ["Mã đơn vị", "X1"], ["Loại đơn vị", "THPT"], ["Loại hình", "Công lập"],
      ["Năm đánh giá", 2025], ["Tổng số người học", "1.200"], ["Số người học đạt “Công dân học tập”", 1300]],
     "unit-learners-exceed", "B7"),
])
def test_unit_sheet_errors(tmp_path, grid, code, cell):
    path = write_grids(tmp_path / "u.xlsx", {"Thông tin đơn vị": grid, "Thành viên": MEMBERS[3:6],
                                             "Chỉ tiêu": INDICATORS, "Minh chứng": EVIDENCE})
    sub = read(path)
    f = next(f for f in sub.findings if f.code == code)
    assert f.sheet == "Thông tin đơn vị" and f.cell == cell


def test_learner_numbers_with_thousand_separators(tmp_path):
    grid = [["Mã đơn vị", "X1"], ["Loại đơn vị", "THPT"], ["Năm đánh giá", 2025], ["Tổng số người học", "1.200"]]
    sub = read(write_grids(tmp_path / "n.xlsx", {"Thông tin đơn vị": grid, "Thành viên": MEMBERS[3:6],
                                                 "Chỉ tiêu": INDICATORS, "Minh chứng": EVIDENCE}))
    assert sub.unit["so_nguoi_hoc"] == 1200 and sub.tier == "tinh"
    assert any(f.code == "unit-tier-inferred" for f in sub.findings)


def test_missing_sheet_and_foreign_workbook(tmp_path):
    sub = read(write_grids(tmp_path / "m.xlsx", {"Thông tin đơn vị": UNIT, "Thành viên": MEMBERS,
                                                 "Chỉ tiêu": INDICATORS}))
    f = next(f for f in sub.findings if f.code == "sheet-missing")
    assert f.severity == "fatal" and "'Minh chứng'" in f.message and not evaluate(sub).evaluated
    foreign = read(write_grids(tmp_path / "x.xlsx", {"Sheet1": [["Lương tháng 12"]]}))
    assert [f.code for f in foreign.findings] == ["template-foreign"]
    assert "'Sheet1'" in foreign.findings[0].message


def test_header_not_found(tmp_path):
    sub = read(write_grids(tmp_path / "h.xlsx", {"Thông tin đơn vị": UNIT, "Thành viên": [["Danh sách"], ["A", "B"]],
                                                 "Chỉ tiêu": INDICATORS, "Minh chứng": EVIDENCE}))
    f = next(f for f in sub.findings if f.code == "header-missing")
    assert f.sheet == "Thành viên" and "Họ và tên" in f.message


def test_duplicate_evidence_code_and_member(tmp_path):
    import datetime as dt
    data = standard_data(4, member_overrides={3: {"ho_ten": "Nguyễn Văn A0", "ngay_sinh": dt.datetime(1980, 1, 1)}})
    data.evidence.append({"stt": 99, "ma_minh_chung": "[mc-1.1] ", "ten_minh_chung": "Bản sao"})
    sub = read(write_standard(tmp_path / "dup.xlsx", data))
    got = codes(sub)
    assert ("evidence-duplicate", "Minh chứng", "B19") in got
    assert ("member-duplicate", "Thành viên", "B7") in got


def test_not_excel_and_empty_files(tmp_path):
    (tmp_path / "a.xlsx").write_bytes(b"")
    (tmp_path / "b.xlsx").write_text("Mã đơn vị,Tên\nA,B\n", encoding="utf-8")
    (tmp_path / "c.xlsx").write_bytes(b"PK\x03\x04garbage")
    assert [f.code for f in read(tmp_path / "a.xlsx").findings] == ["file-empty"]
    assert [f.code for f in read(tmp_path / "b.xlsx").findings] == ["file-not-excel"]
    assert "CSV" in read(tmp_path / "b.xlsx").findings[0].message
    assert [f.code for f in read(tmp_path / "c.xlsx").findings] == ["file-unreadable"]


def test_reader_never_modifies_input(tmp_path):
    import hashlib
    path = write_standard(tmp_path / "ro.xlsx", standard_data(5))
    before = hashlib.sha256(path.read_bytes()).hexdigest()
    mtime = path.stat().st_mtime_ns
    sub = read(path)
    assert sub.sha256 == before
    assert hashlib.sha256(path.read_bytes()).hexdigest() == before and path.stat().st_mtime_ns == mtime
