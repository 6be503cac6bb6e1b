"""A summary that tells the truth at a glance (issue 11): units not files in row 2 of Tổng hợp and the closing table,
duplicates named and warned about, every finding of `dvht check` with its sheet and cell, notes that lead with the
Vietnamese message, a roster in any of Excel's text exports, and the CSV's stable keys documented.
"""

import dataclasses
import shutil
import unicodedata
from pathlib import Path

import openpyxl
from click.testing import CliRunner

from dvht_sheets.cli import cli, finding_lines
from dvht_sheets.findings import finding
from dvht_sheets.batch import read_roster_isolated as read_roster
from dvht_sheets.report.stats import counted_rows, duplicate_warnings, submitted_text
from dvht_sheets.report.summary import unit_row
from dvht_sheets.roster import Roster
from dvht_sheets.roster import read_roster as _read_roster

from .helpers import result_of, standard_data, write_standard

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = ROOT / "dvht_sheets" / "data" / "samples"


def rows_308():
    """14 units, each sent 22 times (lan-01 … lan-22); U01's last file fails 2.1, all its other files reach level 2."""
    good, bad = result_of(), result_of(no={"tuan_thu_ky_luat": 10})
    assert (good.result_label, bad.result_label) == ("Đạt mức độ 2", "Không đạt")
    rows = []
    for u in range(1, 15):
        for k in range(1, 23):
            base = unit_row(len(rows), bad if (u, k) == (1, 22) else good, "")
            rows.append(dataclasses.replace(base, unit_code=f"U{u:02}", file=f"U{u:02}/lan-{k:02}.xlsx"))
    return rows


def test_308_files_of_14_units_are_14_units():
    rows = rows_308()
    counted = counted_rows(rows)
    # one row per unit, the file whose name sorts last: U01 counts with lan-22 (Không đạt)
    assert [r.file for r in counted] == [f"U{u:02}/lan-22.xlsx" for u in range(1, 15)]
    assert [r.result for r in counted].count("Không đạt") == 1
    roster = Roster(units=[(f"U{u:02}", f"Trường {u}") for u in range(1, 17)], source="ds.csv")
    assert submitted_text(rows, roster) == (
        "14 đơn vị (308 tệp; 294 tệp trùng mã đơn vị: U01, U02, U03, U04, U05, …; mỗi đơn vị tính tệp có tên xếp sau "
        "cùng) · Chưa nộp: 2 đơn vị")
    assert submitted_text(rows, None) == (
        "14 đơn vị (308 tệp; 294 tệp trùng mã đơn vị: U01, U02, U03, U04, U05, …; mỗi đơn vị tính tệp có tên xếp sau "
        "cùng)")
    warnings = duplicate_warnings(rows)
    assert len(warnings) == 11
    assert warnings[0] == ("Cảnh báo: mã đơn vị U01 có trong 22 tệp (U01/lan-01.xlsx, U01/lan-02.xlsx, "
                           "U01/lan-03.xlsx, …); chỉ tính tệp U01/lan-22.xlsx.")
    assert warnings[9].startswith("Cảnh báo: mã đơn vị U10 có trong 22 tệp")
    assert warnings[10] == "… và 4 mã đơn vị trùng khác; xem trang “Tình hình nộp” trong tong-hop.xlsx."
    assert duplicate_warnings(rows[::22]) == []  # one file per unit: nothing to warn about


def test_batch_row_2_table_and_terminal_count_units(tmp_path):
    src = tmp_path / "ho-so"
    src.mkdir()
    for name in ("03-th-kim-dong", "04-th-le-van-tam"):
        shutil.copy(SAMPLES / f"{name}.xlsx", src / f"{name}.xlsx")
        shutil.copy(SAMPLES / f"{name}.xlsx", src / f"{name}-nop-lai.xlsx")
    shutil.copy(SAMPLES / "01-mn-hoa-sen.xlsx", src / "01-mn-hoa-sen.xlsx")
    roster = tmp_path / "ds.csv"
    roster.write_text("Mã đơn vị,Tên đơn vị\nMN-HOASEN,Hoa Sen\nTH-KIMDONG,Kim Đồng\nTH-LEVANTAM,Lê Văn Tám\n"
                      "TH-VANG,Vắng\n", encoding="utf-8")
    out = tmp_path / "kq"
    res = CliRunner().invoke(cli, ["batch", str(src), "-o", str(out), "--roster", str(roster), "--jobs", "1"])
    assert res.exit_code == 0, res.output
    a2 = openpyxl.load_workbook(out / "tong-hop.xlsx")["Tổng hợp"]["A2"].value
    # MN-HOASEN and TH-KIMDONG reach level 2, TH-LEVANTAM fails (`dvht check` of each sample): counted by file it
    # would say 3 · 0 · 2 over 5; by unit it is 2 · 0 · 1 over 3, 2/3 = 66,67 %, and TH-VANG has not submitted
    assert a2 == ("Đã nộp: 3 đơn vị (5 tệp; 2 tệp trùng mã đơn vị: TH-KIMDONG, TH-LEVANTAM; mỗi đơn vị tính tệp có "
                  "tên xếp sau cùng) · Chưa nộp: 1 đơn vị · Đạt mức độ 2: 2 · Đạt mức độ 1: 0 · Không đạt: 1 · "
                  "Không đánh giá được: 0 · Tỉ lệ được công nhận: 66,67 % (trên 3 đơn vị được đánh giá)")
    lines = res.output.splitlines()
    assert any(line.strip().startswith("Kết quả: 3 đơn vị trong") for line in lines)
    table = {cells[1].strip(): cells[2].strip() for cells in (line.split("│") for line in lines) if len(cells) == 4}
    assert table == {"Đạt mức độ 2": "2", "Đạt mức độ 1": "0", "Không đạt": "1", "Không đánh giá được": "0",
                     "Chưa nộp (theo danh sách)": "1"}
    assert ("Đã nộp: 3 đơn vị (5 tệp; 2 tệp trùng mã đơn vị: TH-KIMDONG, TH-LEVANTAM; mỗi đơn vị tính tệp có tên "
            "xếp sau cùng) · Chưa nộp: 1 đơn vị") in lines
    assert ("Cảnh báo: mã đơn vị TH-KIMDONG có trong 2 tệp (03-th-kim-dong-nop-lai.xlsx, 03-th-kim-dong.xlsx); "
            "chỉ tính tệp 03-th-kim-dong.xlsx.") in lines
    assert ("Cảnh báo: mã đơn vị TH-LEVANTAM có trong 2 tệp (04-th-le-van-tam-nop-lai.xlsx, "
            "04-th-le-van-tam.xlsx); chỉ tính tệp 04-th-le-van-tam.xlsx.") in lines
    # every file keeps its row in the sheets: 5 rows below the header
    assert len(list(openpyxl.load_workbook(out / "tong-hop.xlsx")["Tổng hợp"].iter_rows(min_row=6))) == 5


def test_check_prints_each_finding_with_sheet_and_cell(tmp_path):
    res = CliRunner().invoke(cli, ["check", str(SAMPLES / "12-th-vo-thi-sau-nhap-sai.xlsx"), "-o", str(tmp_path)])
    lines = res.output.splitlines()
    i = lines.index("   3 lỗi, 5 cảnh báo.")
    assert lines[i + 1] == ("   - Lỗi (trang Thanh vien, ô F9): Ô F9 ('Tuân thủ kỷ luật lao động, nội quy (2.1)') có "
                            "giá trị 'có lẽ', không hiểu là Có hay Không; tạm tính là Không. Hãy nhập Có hoặc Không.")
    assert lines[i + 3] == ("   - Lỗi (trang Chỉ tiêu, ô D6): Chỉ tiêu 1.2: mã minh chứng 'H1-1.2-99' (ô D6) không có "
                            "trong trang 'Minh chứng'. Hãy thêm minh chứng đó vào danh mục hoặc sửa mã.")
    assert lines[i + 4] == ("   - Cảnh báo (trang Thanh vien): Trang 'Thanh vien' được hiểu là 'Thành viên'. Nên giữ "
                            "đúng tên trang của mẫu.")
    # the fifth warning: the sample leaves part of the dossier blank (issue 12, dossier-incomplete)
    assert lines[i + 8].startswith("   - Cảnh báo (trang Thông tin đơn vị): Hồ sơ đề nghị công nhận còn thiếu: ")
    assert sum(1 for line in lines if line.startswith("   - ")) == 8
    assert lines[i + 9].startswith("   Tệp kết quả: ")


def test_check_shows_20_findings_then_a_count():
    found = [finding("yes-no-invalid", sheet="Thành viên", cell=f"F{r}", value="có lẽ",
                     label="Tuân thủ kỷ luật lao động, nội quy (2.1)") for r in range(5, 30)]
    found.append(finding("sheet-renamed", sheet="Thanh vien", expected="Thành viên"))
    lines = finding_lines(found)
    assert len(lines) == 21
    assert lines[0].startswith("   - Lỗi (trang Thành viên, ô F5): Ô F5 (")
    assert lines[19].startswith("   - Lỗi (trang Thành viên, ô F24): ")
    assert lines[20] == "   … và 6 phát hiện khác; xem tệp kết quả."


def test_note_on_a_copied_cell_leads_with_the_vietnamese_message(tmp_path):
    src = write_standard(tmp_path / "in.xlsx", standard_data(6, member_overrides={2: {"tuan_thu_ky_luat": "có lẽ"}}))
    res = CliRunner().invoke(cli, ["check", str(src), "-o", str(tmp_path / "kq")])
    assert res.exit_code == 0, res.output
    wb = openpyxl.load_workbook(next((tmp_path / "kq").glob("*_ket-qua.xlsx")))
    assert wb["Thành viên"]["F6"].comment.text == (
        "Ô F6 ('Tuân thủ kỷ luật lao động, nội quy (2.1)') có giá trị 'có lẽ', không hiểu là Có hay Không; tạm tính là "
        "Không. Hãy nhập Có hoặc Không. (yes-no-invalid)")


ROSTER_TEXT = ("STT\tMã huyện\tMã đơn vị\tTên đơn vị\r\n1\tH01\tTH-KIMDONG\tTrường Tiểu học Kim Đồng\r\n"
               "2\tH01\tMN-HOASEN\tTrường Mầm non Hoa Sen\r\n")
ROSTER_UNITS = [("TH-KIMDONG", "Trường Tiểu học Kim Đồng"), ("MN-HOASEN", "Trường Mầm non Hoa Sen")]


def cp1258(text: str) -> bytes:
    """Vietnamese Windows text as Excel writes it: letters cp1258 holds, and tone marks as combining characters."""
    out = b""
    for ch in unicodedata.normalize("NFC", text):
        try:
            out += ch.encode("cp1258")
            continue
        except UnicodeEncodeError:
            pass
        parts = unicodedata.normalize("NFD", ch)
        for cut in range(len(parts), 0, -1):
            try:
                out += unicodedata.normalize("NFC", parts[:cut]).encode("cp1258")
                out += parts[cut:].encode("cp1258")
                break
            except UnicodeEncodeError:
                continue
    return out


def test_roster_in_every_text_export_of_excel(tmp_path):
    path = tmp_path / "danh-sach.csv"
    exports = {
        "Unicode Text (UTF-16 LE, BOM FF FE, tab)": b"\xff\xfe" + ROSTER_TEXT.encode("utf-16-le"),
        "UTF-16 BE with BOM": b"\xfe\xff" + ROSTER_TEXT.encode("utf-16-be"),
        "CSV UTF-8 (BOM, comma)": b"\xef\xbb\xbf" + ROSTER_TEXT.replace("\t", ",").encode("utf-8"),
        "UTF-8 without BOM, semicolon": ROSTER_TEXT.replace("\t", ";").encode("utf-8"),
        "cp1258 (Windows Vietnamese), semicolon": cp1258(ROSTER_TEXT.replace("\t", ";")),
    }
    for label, data in exports.items():
        path.write_bytes(data)
        assert _read_roster(path) == Roster(units=ROSTER_UNITS, source="danh-sach.csv"), label
    # through the isolated reader the batch uses
    path.write_bytes(exports["Unicode Text (UTF-16 LE, BOM FF FE, tab)"])
    assert read_roster(path).units == ROSTER_UNITS


def test_roster_prefers_the_exact_code_header(tmp_path):
    path = tmp_path / "ds.csv"
    path.write_text("Mã huyện,Mã trường,Tên trường\nH01,TH-A,Trường A\n", encoding="utf-8")
    assert _read_roster(path).units == [("TH-A", "Trường A")]  # an alias beats the first "Mã …"
    path.write_text("Ma huyen,Ma truong,MA DON VI,Ten don vi\nH01,T9,TH-A,Trường A\n", encoding="utf-8")
    assert _read_roster(path).units == [("TH-A", "Trường A")]  # the exact header, typed without diacritics


def test_readme_says_the_csv_is_for_other_systems():
    readme = " ".join((ROOT / "README.md").read_text(encoding="utf-8").split())  # wrapped lines joined
    assert ("`tong-hop.csv` dành cho phần mềm khác: tên cột là khoá tiếng Anh cố định và số thập phân dùng dấu chấm "
            "(`.`)") in readme
    assert "muốn đọc bằng Excel, hãy mở `tong-hop.xlsx`" in readme
