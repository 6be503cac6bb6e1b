"""Issue 11, "Paper": every output printed on A4 (rendered by LibreOffice to PDF and measured), the palette shared by
fills, charts and legend, the `Danh sách` sheet, and the template's row heights and input-message titles.

The print test converts the demo's tong-hop.xlsx, one unit result workbook and two templates in ONE soffice call,
then reads each PDF with `pdftotext -bbox`: the page header names the sheet (paper.setup puts "&A" there), so pages
are counted per sheet; type size comes from word heights, calibrated in the same run against a workbook of known 8 pt
and 11 pt text printed at 100 % (so the check does not depend on a font's ascent/descent or on poppler's version).
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import zipfile
from collections import OrderedDict
from pathlib import Path

import openpyxl
import pytest
import xlsxwriter

from dvht_sheets import paper
from dvht_sheets import rulebook as rulebooks
from dvht_sheets.batch import check_file
from dvht_sheets.report.summary import LEGEND, RESULT_ORDER
from dvht_sheets.schema import MEMBER_COLUMNS
from dvht_sheets.template import SHORT_TITLES, input_text, write_workbook

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = ROOT / "dvht_sheets" / "data" / "samples"


# ---------------------------------------------------------------------------------------------------- pure rules


def test_layout_portrait_when_it_fits_landscape_otherwise_never_under_8_pt():
    # Printable widths: portrait (8.27 − 0.6) in × 96 = 736.3 px, landscape (11.69 − 0.6) × 96 = 1064.6 px.
    assert paper.column_px(94) == 700 and paper.layout([94]) == (False, 100)
    assert paper.column_px(140) == 1041 and paper.layout([140]) == (True, 100)  # landscape, 1041 ≤ 1064.6
    # The member list, 231 characters = 1 773 px: even at the least scale, 75 % for 11 pt type (8.25 pt) or 80 % for
    # 10 pt (8 pt), 1 773 × 0.75 = 1 330 px > 1 064.6: two landscape pages wide
    widths = [c.width for c in MEMBER_COLUMNS]
    assert sum(widths) == 231 and sum(paper.column_px(w) for w in widths) == 1773
    assert paper.layout(widths, min_font=11) == (True, 75) and paper.layout(widths, min_font=10) == (True, 80)
    # 1 200 px fits one landscape page at 88 % (1064.6 / 1200), above the least scale: one page wide
    assert paper.layout([(1200 - 5) / 7.4]) == (True, 88)


def test_wrapped_lines_and_row_heights():
    # width 10 holds int(10 × 1.15) = 11 characters of 11 pt type a line
    assert paper.lines("a" * 30, 10) == 3 and paper.lines("a" * 11, 10) == 1 and paper.lines("ab\ncd", 10) == 2
    assert paper.row_height({0: "a" * 30}, [10]) == 45.9  # 3 lines × 11 pt × 1.3 + 3
    assert paper.row_height({0: "ngắn"}, [10]) == 17.3 and paper.row_height({}, [10], minimum=48) == 48
    # a code: 17 characters, 16 of them capitals counted 1.4 wide → 17 + 6 = 23 > 13 a line at width 12: two lines
    assert paper.lines("THPT-LYTHUONGKIET", 12) == 2 and paper.lines("Trường Tiểu học", 12) == 2
    assert paper.lines("thpt-lythuongkiet", 12) == 2 and paper.lines("thpt-ly", 12) == 1
    assert paper.lines("a" * 26, 20, font_size=12) == 2  # 12 pt: int(20 × 1.15 × 11 / 12) = 21 a line


def test_palette_is_distinct_in_greyscale_and_never_near_white():
    ys = sorted(paper.lightness(c) for c, _ in paper.PALETTE.values())
    assert all(b - a >= 18 for a, b in zip(ys, ys[1:])), ys
    assert 100 <= ys[0] and ys[-1] <= 220  # dark enough to show as a bar on white paper, light enough for black text
    assert round(paper.lightness("#3F8F3A")) == 109  # 0.299·63 + 0.587·143 + 0.114·58


def test_input_titles_read_whole_within_excel_32_characters():
    assert input_text("x", "Ngắn", "Nội dung") == ("Ngắn", "Nội dung")
    long = "Trình độ ngoại ngữ/tiếng DTTS đáp ứng yêu cầu công việc (2.4, mức độ 2)"
    title, message = input_text("trinh_do_ngoai_ngu", long, "Có / Không")
    assert title == "Trình độ ngoại ngữ MĐ2 (2.4)" and message == f"{long}. Có / Không"
    assert all(len(t) <= 32 for t in SHORT_TITLES.values())


def test_template_titles_row_heights_and_print_setup(tmp_path):
    path = tmp_path / "mau.xlsx"
    write_workbook(path, rulebooks.get("tt24-2023"), "huyen")
    wb = openpyxl.load_workbook(path)
    shortened = 0
    for ws in wb.worksheets:
        for dv in ws.data_validations.dataValidation:
            if dv.promptTitle:
                assert len(dv.promptTitle) <= 32, (ws.title, dv.promptTitle)
                if dv.promptTitle in SHORT_TITLES.values():
                    shortened += 1
                    assert len(dv.prompt) > len(dv.promptTitle)  # the full header opens the message
    assert shortened == 7  # six member columns and one unit field are longer than 32 characters
    guide = wb["Hướng dẫn"]
    for r in range(2, guide.max_row + 1):
        cell = guide.cell(r, 1)
        size = cell.font.sz  # 12 pt text, 10 pt hints; lines are 1.3 × the size apart
        lines = paper.lines(cell.value or "", 94, size)
        # a row holds its lines (the overprinting came from rows left at 15 pt)
        assert guide.row_dimensions[r].height >= 1.3 * size * lines - 0.5, (r, cell.value)
    assert guide.row_dimensions[5].height >= 31  # "Năm đánh giá là năm dương lịch …" takes two lines
    indicators = wb["Chỉ tiêu"]
    for ref in ("B6", "B7", "B14"):
        cell = indicators[ref]
        lines = paper.lines(cell.value, 60, 12)
        assert lines >= 3 and indicators.row_dimensions[cell.row].height >= 15.6 * lines, ref
    members = wb["Thành viên"]
    assert members.page_setup.orientation == "landscape" and members.page_setup.paperSize == 9
    assert members.print_title_rows == "$3:$3" and members.print_title_cols == "$A:$B"
    assert members.page_setup.scale == 80  # 10 pt hints print at 8 pt
    assert wb["Hướng dẫn"].page_setup.orientation == "portrait"
    assert wb["Thông tin đơn vị"].page_setup.orientation == "portrait"


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    from click.testing import CliRunner
    from dvht_sheets.cli import cli
    out = tmp_path_factory.mktemp("demo")
    result = CliRunner().invoke(cli, ["demo", "-o", str(out), "--jobs", "2"])
    assert result.exit_code == 0, result.output
    return out


def test_danh_sach_sheet(demo):
    wb = openpyxl.load_workbook(demo / "tong-hop.xlsx")
    ws = wb["Danh sách"]
    assert [c.value for c in ws[2]] == ["STT", "Mã đơn vị", "Tên đơn vị", "Loại đơn vị", "Cấp", "Kết quả",
                                        "Chỉ tiêu chưa đạt (hoặc lý do không đánh giá được)"]
    rows = {r[1].value: [c.value for c in r] for r in ws.iter_rows(min_row=3)}
    assert len(rows) == 14
    # Tổng hợp says the same about this unit: Không đạt, 2.1 failing at level 1 and 2.1, 3.4 at level 2
    assert rows["TH-LEVANTAM"][2:] == ["Trường Tiểu học Lê Văn Tám", "Tiểu học", "cấp huyện", "Không đạt",
                                       "Mức độ 1: 2.1; Mức độ 2: 2.1, 3.4"]
    assert rows["TH-KIMDONG"][5:] == ["Đạt mức độ 2", None]
    fill = {r[1].value: r[5].fill.fgColor.rgb[-6:] for r in ws.iter_rows(min_row=3)}
    assert fill["TH-LEVANTAM"] == paper.colour("fail")[1:] and fill["TH-KIMDONG"] == paper.colour("level2")[1:]
    assert ws.page_setup.orientation == "landscape" and ws.page_setup.paperSize == 9 and ws.print_title_rows == "$2:$2"
    assert ws["G3"].alignment.wrap_text and ws["G3"].font.sz == 11


def test_one_palette_for_fills_chart_bars_and_legend(demo):
    wb = openpyxl.load_workbook(demo / "tong-hop.xlsx")
    ws = wb["Tổng hợp"]
    assert ws["A3"].value == LEGEND
    for key, meaning in (("level2", "đạt mức độ 2"), ("level1", "đạt mức độ 1"), ("fail", "không đạt"),
                         ("partial", "đạt mức độ 2 nhưng không đạt mức độ 1"), ("tt22", "xếp loại theo TT 22/2020"),
                         ("none", "không áp dụng / không đánh giá được")):
        assert f"{paper.word(key)} = {meaning}" in LEGEND
    assert "xanh đậm" not in LEGEND
    by_result = {r[8].value: r[8].fill.fgColor.rgb[-6:] for r in ws.iter_rows(min_row=6)}
    assert by_result["Đạt mức độ 1"] == paper.colour("level1")[1:]
    assert by_result["Đạt mức độ 2"] == paper.colour("level2")[1:]
    assert by_result["Không đạt"] == paper.colour("fail")[1:]
    with zipfile.ZipFile(demo / "tong-hop.xlsx") as zf:
        chart = zf.read("xl/charts/chart1.xml").decode()
    bars = re.findall(r'<c:ser>.*?<a:srgbClr val="([0-9A-F]{6})"', chart, re.S)
    assert RESULT_ORDER[1] == "Đạt mức độ 1" and RESULT_ORDER[-1] == "Không đánh giá được"
    assert bars == [paper.colour(k)[1:] for k in ("level2", "level1", "fail", "tt22", "none")]


def test_unit_copies_keep_the_template_widths_and_wrap(tmp_path):
    out = check_file(SAMPLES / "05-thcs-nguyen-du.xlsx", tmp_path).output
    wb = openpyxl.load_workbook(out)
    members = wb["Thành viên"]
    widths = {c: dim.width for dim in members.column_dimensions.values() for c in range(dim.min, dim.max + 1)}
    for i, col in enumerate(MEMBER_COLUMNS, start=1):
        assert widths[i] == pytest.approx(col.width + 0.7109375), col.key  # xlsxwriter's padding for 7 px digits
    assert members["B3"].alignment.wrap_text and members.print_title_rows == "$3:$3"
    assert members.page_setup.orientation == "landscape" and members.page_setup.scale == 75
    assert wb["Thông tin đơn vị"].page_setup.orientation == "portrait"
    errors = wb["Lỗi dữ liệu"]
    assert errors.column_dimensions["F"].width == pytest.approx(72.7109375) and errors["F2"].alignment.wrap_text
    assert errors.page_setup.orientation == "landscape" and errors.print_title_rows == "$1:$1"


# ---------------------------------------------------------------------------------------------------- rendered


@pytest.fixture(scope="module")
def rendered(tmp_path_factory, demo):
    exe = shutil.which("soffice") or shutil.which("libreoffice")
    missing = [name for name, found in (("soffice", exe), ("pdftotext", shutil.which("pdftotext"))) if not found]
    if missing:
        if os.environ.get("CI"):
            pytest.fail(f"{', '.join(missing)} missing in CI: .ci/run must install libreoffice-calc and poppler-utils")
        pytest.skip(f"{', '.join(missing)} not installed here (CI installs them and runs this test)")
    d = tmp_path_factory.mktemp("print")
    write_workbook(d / "mau-tt24.xlsx", rulebooks.get("tt24-2023"), "huyen")
    write_workbook(d / "mau-tt22.xlsx", rulebooks.get("tt22-2020"), "huyen")
    shutil.copy(check_file(SAMPLES / "12-th-vo-thi-sau-nhap-sai.xlsx", d).output, d / "don-vi.xlsx")
    shutil.copy(demo / "tong-hop.xlsx", d / "tong-hop.xlsx")
    calibration = xlsxwriter.Workbook(str(d / "co-chu.xlsx"))
    ws = calibration.add_worksheet("A")
    for r, size in enumerate((8, 11)):
        ws.write(r, 0, "Việt Nam", calibration.add_format({"font_name": "Times New Roman", "font_size": size}))
    calibration.close()
    names = ["co-chu", "mau-tt24", "mau-tt22", "don-vi", "tong-hop"]
    profile = d / "lo-profile"
    subprocess.run([exe, f"-env:UserInstallation=file://{profile}", "--headless", "--convert-to", "pdf", "--outdir",
                    str(d / "pdf"), *(str(d / f"{n}.xlsx") for n in names)], check=True, capture_output=True,
                   timeout=300)
    pages = {n: _pages(d / "pdf" / f"{n}.pdf") for n in names}
    (_, _, cal), = pages.pop("co-chu")
    heights = sorted({round(w[3] - w[1], 3) for w in cal})
    assert len(heights) == 2
    per_pt = (heights[1] - heights[0]) / 3  # word height grows linearly with the type size: 3 pt apart
    offset = heights[0] - 8 * per_pt
    return {n: _sheets(p, per_pt, offset) for n, p in pages.items()}


_WORD = re.compile(r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">([^<]*)</word>')
_PAGE = re.compile(r'<page width="([\d.]+)" height="([\d.]+)">(.*?)</page>', re.S)


def _pages(pdf: Path) -> list[tuple[float, float, list]]:
    xml = subprocess.run(["pdftotext", "-bbox", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    return [(float(w), float(h), [(*map(float, m[:4]), m[4]) for m in _WORD.findall(body)])
            for w, h, body in _PAGE.findall(xml)]


def _sheets(pages, per_pt: float, offset: float) -> dict[str, dict]:
    """sheet name (from the page header) → pages, orientation, smallest type on its first page (pt), empty pages."""
    out: dict[str, dict] = OrderedDict()
    for width, height, words in pages:
        top = min(w[1] for w in words)
        header = " ".join(w[4] for w in sorted((w for w in words if w[1] - top < 2), key=lambda w: w[0]))
        name = header.rsplit(" – ", 1)[-1]  # "TH-VOTHISAU – Kết quả" → "Kết quả"
        # The body lies between the top margin (0.7 in) and the bottom one (0.6 in); headers and footers are outside.
        body = [w for w in words if w[1] >= 0.6 * 72 and w[3] <= height - 0.5 * 72]
        sheet = out.setdefault(name, {"pages": 0, "landscape": width > height, "smallest": None, "empty": 0})
        sheet["pages"] += 1
        sheet["empty"] += not body
        if sheet["smallest"] is None:
            sheet["smallest"] = min((w[3] - w[1] - offset) / per_pt for w in body)
    return out


# Pages per sheet, bounded a little above what was measured (README, "In trên giấy A4"); orientation L/P.
EXPECTED = {
    "tong-hop": {"Tổng hợp": (4, "L"), "Danh sách": (1, "L"), "Chỉ tiêu": (12, "L"), "Lỗi dữ liệu": (2, "L"),
                 "Tình hình nộp": (1, "P"), "Thống kê": (2, "P")},
    "don-vi": {"Kết quả": (2, "L"), "Thông tin đơn vị": (1, "P"), "Thanh vien": (4, "L"), "Chỉ tiêu": (2, "L"),
               "Minh chứng": (2, "L"), "Lỗi dữ liệu": (1, "L")},
    "mau-tt24": {"Hướng dẫn": (1, "P"), "Thông tin đơn vị": (1, "P"), "Thành viên": (2, "L"), "Chỉ tiêu": (3, "L"),
                 "Minh chứng": (1, "L"), "Tổ đánh giá": (1, "P")},
    "mau-tt22": {"Hướng dẫn": (1, "P"), "Thông tin đơn vị": (1, "P"), "Thành viên": (2, "L"), "Chỉ tiêu": (3, "L"),
                 "Minh chứng": (1, "L"), "Tổ đánh giá": (1, "P")},
}


@pytest.mark.parametrize("name", list(EXPECTED))
def test_every_sheet_prints_on_a4_readably(rendered, name):
    sheets = rendered[name]
    assert list(sheets) == list(EXPECTED[name])  # every printable sheet, in order, each page naming its sheet
    for sheet, (most, orientation) in EXPECTED[name].items():
        got = sheets[sheet]
        assert got["pages"] <= most, (name, sheet, got)
        assert ("L" if got["landscape"] else "P") == orientation, (name, sheet)
        assert got["smallest"] >= 7.95, (name, sheet, got)  # ≥ 8 pt, less the rounding of word boxes
        assert got["empty"] == 0, (name, sheet)  # no page of overflowing text or a cut-off chart alone
    if name == "tong-hop":
        # 14 units: 38 pages before (Tổng hợp at ~3 pt, the other sheets cut into columns); one page to hand out
        assert sum(s["pages"] for s in sheets.values()) <= 22 and sheets["Danh sách"]["pages"] == 1
