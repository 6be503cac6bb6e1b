"""FastWorksheet/FastWorkbook (dvht_sheets/xlsxfast/) write what xlsxwriter's own Worksheet writes.

The fast paths touch xlsxwriter internals for speed; this test compares every part of every output we write —
unit workbooks for all samples and the summary workbook (constant_memory, inline strings, escapes, control
characters, whitespace) — against the same content written through xlsxwriter's public API: byte for byte for the
summary, and for unit workbooks after the reference's shared strings are written into their cells (unit workbooks keep
text inline). PartZip's package is checked as a zip of its own.
"""

import io
import re
import shutil
import subprocess
import zipfile
from pathlib import Path

import openpyxl
import pytest
from dvht_sheets.report import unit as report_unit
from dvht_sheets.xlsxfast import compat
from dvht_sheets.xlsxfast.partzip import PartZip
from dvht_sheets.xlsxfast.sheets import PlainSheet
from dvht_sheets.xlsxfast.workbook import FastWorkbook, StreamWorkbook
from dvht_sheets.batch import evaluate_path
from dvht_sheets.report.summary import unit_row, write_summary_workbook

from .helpers import standard_data, write_standard

SAMPLES = sorted((Path(__file__).resolve().parents[1] / "dvht_sheets/data/samples").glob("*.xlsx"))


@pytest.fixture(autouse=True)
def fast_path():
    """These tests are about the fast path itself: on, whatever DVHT_XLSX_PLAIN says for the rest of the run."""
    with pytest.MonkeyPatch.context() as mp:
        mp.delenv(compat.PLAIN_ENV, raising=False)
        assert compat.fast()
        yield


def parts(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        return {n: zf.read(n) for n in zf.namelist()}


_SI = re.compile(rb"<si>(.*?)</si>", re.S)
_SHARED_CELL = re.compile(rb'(<c r="[A-Z]+\d+"(?: s="\d+")?) t="s"><v>(\d+)</v></c>')


def inlined(package: dict[str, bytes]) -> dict[str, bytes]:
    """The same package with every shared string written in its cell (inline), and the shared-string table gone:
    unit workbooks keep text inline, xlsxwriter's public writers use the table; the cells must be the same."""
    table = _SI.findall(package.get("xl/sharedStrings.xml", b""))
    out = {}
    for name, data in package.items():
        if name == "xl/sharedStrings.xml":
            continue
        if name.startswith("xl/worksheets/sheet"):
            data = _SHARED_CELL.sub(lambda m: m.group(1) + b' t="inlineStr"><is>' + table[int(m.group(2))] + b"</is></c>",
                                    data)
        elif name == "[Content_Types].xml":
            data = re.sub(rb'<Override PartName="/xl/sharedStrings.xml"[^>]*/>', b"", data)
        elif name == "xl/_rels/workbook.xml.rels":
            data = re.sub(rb'<Relationship Id="rId\d+" Type="[^"]*/sharedStrings" Target="sharedStrings.xml"/>', b"",
                          data)
        out[name] = data
    return out


def both(monkeypatch, write) -> tuple[dict, dict]:
    fast = write()
    # the reference: the same workbooks with xlsxwriter's public writers behind the sheets' methods
    monkeypatch.setattr(FastWorkbook, "sheet_class", PlainSheet)
    monkeypatch.setattr(StreamWorkbook, "sheet_class", PlainSheet)
    plain = write()
    monkeypatch.undo()
    return parts(fast), parts(plain)


@pytest.fixture(scope="module")
def evaluated(tmp_path_factory):
    tricky = tmp_path_factory.mktemp("t") / "tricky.xlsx"
    write_standard(tricky, standard_data(6, unit={"ten_don_vi": " A & B <THCS> _x0041_ \x07 "}, member_overrides={
        0: {"ho_ten": "Lê\tThị  Hoa "}, 1: {"ghi_chu": "dòng 1\ndòng 2"}, 2: {"tuan_thu_ky_luat": "có lẽ <?>"}}))
    return [evaluate_path(p) for p in [*SAMPLES, tricky]]


def test_unit_workbooks_are_identical(monkeypatch, evaluated):
    for result, sub in evaluated:
        def write():
            buf = io.BytesIO()
            report_unit.write_unit_workbook(buf, result, sub)
            return buf.getvalue()
        fast, plain = both(monkeypatch, write)
        assert b't="inlineStr"' in fast["xl/worksheets/sheet1.xml"]  # Kết quả keeps its text inline
        assert "xl/sharedStrings.xml" in plain and fast != plain  # the comparison below has work to do
        assert inlined(fast) == inlined(plain), result.file


def test_summary_workbook_is_identical(monkeypatch, evaluated, tmp_path):
    rows = [unit_row(i, r, f"don-vi/{i}.xlsx") for i, (r, _) in enumerate(evaluated)]
    results = [r for r, _ in evaluated]

    def write():
        path = tmp_path / "tong-hop.xlsx"
        write_summary_workbook(path, rows, results, roster=None, command="test", skipped=[])
        return path.read_bytes()
    fast, plain = both(monkeypatch, write)
    fast.pop("docProps/core.xml"), plain.pop("docProps/core.xml")
    assert fast.keys() == plain.keys()
    for name in fast:
        if name == "xl/worksheets/sheet7.xml":  # _meta: the run date differs by the second
            continue
        assert fast[name] == plain[name], name


def test_unit_workbook_package_is_a_valid_zip_with_reused_parts(tmp_path, evaluated):
    result, sub = evaluated[0]
    path, stream = tmp_path / "a.xlsx", io.BytesIO()
    report_unit.write_unit_workbook(path, result, sub)
    report_unit.write_unit_workbook(stream, result, sub)
    assert path.read_bytes() == stream.getvalue()  # a path and a stream get the same, deterministic bytes
    with zipfile.ZipFile(path) as zf:
        assert zf.testzip() is None  # every part's CRC and size check out
        assert zf.namelist()[0] == "[Content_Types].xml"
        theme = zf.read("xl/theme/theme1.xml")
    assert theme in PartZip._reuse  # the second workbook reused the theme's deflated bytes
    if shutil.which("unzip"):
        subprocess.run(["unzip", "-tq", str(path)], check=True, capture_output=True)


def test_part_zip_names_text_and_large_parts():
    buf = io.BytesIO()
    packer = PartZip(buf)
    packer.writestr("xl/tệp ô.xml", "Trường <tiểu học> & “Đơn vị học tập”")
    packer.writestr(zipfile.ZipInfo("big.bin"), bytes(range(256)) * 400)
    packer.close()
    with zipfile.ZipFile(io.BytesIO(buf.getvalue())) as zf:
        assert zf.testzip() is None
        assert zf.getinfo("xl/tệp ô.xml").flag_bits & 0x800  # UTF-8 name flag
        assert zf.read("xl/tệp ô.xml").decode("utf-8") == "Trường <tiểu học> & “Đơn vị học tập”"
        assert zf.read("big.bin") == bytes(range(256)) * 400
        assert zf.getinfo("big.bin").compress_type == zipfile.ZIP_DEFLATED


@pytest.mark.parametrize("plain", [False, True])
def test_past_excels_link_limit_cells_keep_their_text_without_a_warning(monkeypatch, plain, tmp_path, recwarn):
    # Excel holds 65,530 links a worksheet; xlsxwriter drops later ones with one warning each on stderr (a national
    # summary has hundreds of thousands of findings, each with its link). Past the limit a cell keeps its text only.
    from dvht_sheets import xlsxfast
    from dvht_sheets.xlsxfast import compat, fragments, sheets

    monkeypatch.setattr(compat, "fast", lambda: not plain)
    monkeypatch.setattr(sheets, "MAX_LINKS", 3)
    monkeypatch.setattr(fragments, "MAX_LINKS", 3)
    target = tmp_path / "links.xlsx"
    wb = xlsxfast.streaming_workbook(str(target), {"tmpdir": str(tmp_path)})
    ws = wb.add_sheet("L")
    fmt = wb.add_format({})
    for r in range(5):
        ws.put_row(r, [(0, f"ô {r}", fmt)], links={0: (f"external:a{r}.xlsx", "mở")})
    small = xlsxfast.small_workbook(tmp_path / "u.xlsx", {})
    us = small.add_sheet("U")
    for r in range(5):
        us.put_link(r, 0, f"internal:'U'!B{r + 1}", None, f"B{r + 1}", "đến ô")
    wb.close()
    small.close()
    assert not [w for w in recwarn.list if "URL" in str(w.message)]
    for path, name, texts in ((target, "L", [f"ô {r}" for r in range(5)]), (tmp_path / "u.xlsx", "U",
                                                                          [f"B{r + 1}" for r in range(5)])):
        sheet = openpyxl.load_workbook(path)[name]
        assert [sheet.cell(r + 1, 1).value for r in range(5)] == texts
        assert [bool(sheet.cell(r + 1, 1).hyperlink) for r in range(5)] == [True, True, True, False, False]
