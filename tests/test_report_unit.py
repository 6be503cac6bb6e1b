"""The unit's result workbook: the summary with arithmetic and reasons, coloured copies of the school's sheets with
notes on findings, the findings sheet with links, _meta; text stays text; atomic writes and safe names.

Requirements: outputs.md "A unit's result workbook" and "Guarantees".
"""

import hashlib

import openpyxl
import pytest

from dvht_sheets.batch import check_file
from dvht_sheets.report_unit import GREEN, RED, safe_name

from .helpers import standard_data, write_standard
from .test_cli import ROOT

SAMPLES = ROOT / "dvht_sheets" / "data" / "samples"


def fill(cell) -> str:
    return (cell.fill.fgColor.rgb or "")[-6:].upper()


@pytest.fixture(scope="module")
def le_van_tam(tmp_path_factory):
    out = tmp_path_factory.mktemp("out")
    o = check_file(SAMPLES / "04-th-le-van-tam.xlsx", out)
    return o, openpyxl.load_workbook(o.output)


def test_sheets(le_van_tam):
    o, wb = le_van_tam
    assert o.output.name == "TH-LEVANTAM_ket-qua.xlsx"
    assert wb.sheetnames == ["Kết quả", "Thông tin đơn vị", "Thành viên", "Chỉ tiêu", "Minh chứng", "Lỗi dữ liệu",
                             "_meta"]
    assert wb["_meta"].sheet_state == "hidden"


def test_summary_arithmetic_colours_and_reason(le_van_tam):
    _, wb = le_van_tam
    ws = wb["Kết quả"]
    assert ws["A4"].value == "KẾT LUẬN: Chưa đạt “Đơn vị học tập” cấp huyện (mức độ 1 không đạt các chỉ tiêu: 2.1)"
    row = next(r for r in ws.iter_rows(min_row=8) if r[1].value == "2.1")
    assert row[5].value == "17/19 = 89,47 %" and row[6].value == "Không đạt" and fill(row[6]) == RED[1:]
    assert row[4].value == "≥ 90 % Thành viên" and row[7].value == "≥ 95 % Thành viên"
    assert row[11].value == ("Mức độ 1: 89,47 % < 90 %: còn thiếu 1 thành viên\n"
                             "Mức độ 2: 89,47 % < 95 %: còn thiếu 2 thành viên")  # 19 × 95 % = 18,05 → 19 needed
    ok = next(r for r in ws.iter_rows(min_row=8) if r[1].value == "2.2")
    assert ok[6].value == "Đạt" and fill(ok[6]) == GREEN[1:]


def test_findings_are_marked_noted_and_linked(tmp_path):
    data = standard_data(6, member_overrides={2: {"tuan_thu_ky_luat": "có lẽ"}})
    src = write_standard(tmp_path / "in.xlsx", data)
    digest = hashlib.sha256(src.read_bytes()).hexdigest()
    o = check_file(src, tmp_path / "out")
    wb = openpyxl.load_workbook(o.output)
    cell = wb["Thành viên"]["F6"]
    assert cell.value == "có lẽ" and fill(cell) == RED[1:]
    # the Vietnamese message leads; the code trails in parentheses (issue 11)
    assert cell.comment.text.startswith("Ô F6 ('Tuân thủ kỷ luật lao động, nội quy (2.1)') có giá trị 'có lẽ'")
    assert cell.comment.text.endswith("Hãy nhập Có hoặc Không. (yes-no-invalid)")
    findings = wb["Lỗi dữ liệu"]
    row = next(r for r in findings.iter_rows(min_row=2) if r[2].value == "yes-no-invalid")
    assert row[1].value == "Lỗi" and row[3].value == "Thành viên" and row[4].value == "F6"
    assert row[4].hyperlink.location == "'Thành viên'!F6"
    meta = {r[0].value: r[1].value for r in wb["_meta"].iter_rows()}
    assert meta["input_sha256"] == digest and meta["input_file"] == "in.xlsx" and meta["rulebook"] == "tt24-2023"
    assert hashlib.sha256(src.read_bytes()).hexdigest() == digest  # input untouched
    assert [p.name for p in (tmp_path / "out").iterdir()] == ["TH-THU_ket-qua.xlsx"]  # no temp file left


def test_text_from_inputs_stays_text(tmp_path):
    evil = '=HYPERLINK("http://example.invalid","bấm vào")'
    data = standard_data(3, unit={"ten_don_vi": evil, "ma_don_vi": "../../etc/passwd"},
                         member_overrides={0: {"ho_ten": "+cmd|' /C calc'!A0"}})
    o = check_file(write_standard(tmp_path / "evil.xlsx", data), tmp_path / "out")
    assert o.output.parent == tmp_path / "out" and o.output.name == "etc_passwd_ket-qua.xlsx"
    wb = openpyxl.load_workbook(o.output)
    assert evil in wb["Kết quả"]["A2"].value and wb["Kết quả"]["A2"].data_type == "s"
    assert wb["Thông tin đơn vị"]["B4"].value == evil and wb["Thông tin đơn vị"]["B4"].data_type == "s"
    assert wb["Thành viên"]["B4"].data_type == "s"


@pytest.mark.parametrize("code,name", [("TH 01/2025", "TH_01_2025"), ("..", "fallback"), ("CON", "fallback"),
                                       ("Trường A", "Trường_A"), ("a\\b:c*d", "a_b_c_d"), ("", "fallback")])
def test_safe_names(code, name):
    assert safe_name(code, fallback="fallback") == name


def test_tt22_result_shows_points(tmp_path):
    o = check_file(SAMPLES / "11-thcs-chu-van-an-2023.xlsx", tmp_path)
    ws = openpyxl.load_workbook(o.output)["Kết quả"]
    total = next(r for r in ws.iter_rows(min_row=8) if r[2].value == "Tổng điểm")
    assert (total[7].value, total[8].value, total[9].value) == (100, 90, "Xếp loại: Tốt")


@pytest.mark.parametrize("name", ["12-th-vo-thi-sau-nhap-sai.xlsx", "11-thcs-chu-van-an-2023.xlsx"])
def test_school_sheets_are_copied_value_for_value(tmp_path, name):
    import python_calamine as calamine
    o = check_file(SAMPLES / name, tmp_path)
    src = calamine.CalamineWorkbook.from_path(str(SAMPLES / name))
    out = calamine.CalamineWorkbook.from_path(str(o.output))
    for sheet in ("Thông tin đơn vị", "Chỉ tiêu", "Minh chứng", "Thanh vien" if "nhap-sai" in name else "Thành viên"):
        assert out.get_sheet_by_name(sheet).to_python(skip_empty_area=False) == \
            src.get_sheet_by_name(sheet).to_python(skip_empty_area=False), sheet


def test_copied_text_with_control_characters_and_markup(tmp_path):
    import python_calamine as calamine
    tricky = ["A & B <C>", " lề trái", "_x0041_", "chuông\x07", "dòng 1\ndòng 2"]
    data = standard_data(len(tricky), member_overrides={i: {"ghi_chu": t} for i, t in enumerate(tricky)})
    o = check_file(write_standard(tmp_path / "t.xlsx", data), tmp_path / "out")
    grid = calamine.CalamineWorkbook.from_path(str(o.output)).get_sheet_by_name("Thành viên").to_python()
    # outputs.md Guarantees: a control character is replaced (U+FFFD), the rest is kept exactly, and the cell is named
    assert [row[13] for row in grid[3:3 + len(tricky)]] == [t.replace("\x07", "\ufffd") for t in tricky]
    assert [(f.code, f.sheet) for f in o.result.findings if f.code == "text-invalid-chars"] == \
        [("text-invalid-chars", "Thành viên")]
