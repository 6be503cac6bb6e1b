"""The fast writer's contract (issue 10, problem 1): every part the fast path writes is what plain xlsxwriter writes.

The same unit workbooks (every sample, plus one with tricky text, dates, booleans, marks past the end of a row and
wrapped rows) and the same summary workbook are written twice — on the fast path (FastWorkbook, GridSheet, PartZip,
the styles cache, the format prototypes) and through xlsxwriter's public API (DVHT_XLSX_PLAIN=1) — and read back
through openpyxl: every sheet (the copied school sheets included), every cell's value and type and its resolved style
(font, fill, border, number format, alignment, protection), notes, data validations, hyperlinks, merged ranges,
column widths, row heights, panes, filters, print setup, headers and footers, defined names and the document
properties. The styles cache and the format prototypes are also checked one Format property at a time: a property
they did not tell apart would give the second workbook the first one's styles.

Then the writer tests of the suite are run again with the fast path off, and the guard (compat.py) is checked: an
untested xlsxwriter version, a missing internal, or DVHT_XLSX_PLAIN each turn the fast path off.
"""

import datetime as dt
import io
import os
import subprocess
import sys
from pathlib import Path

import openpyxl
import pytest
from python_calamine import CalamineWorkbook

from dvht_sheets import xlsxfast
from dvht_sheets.batch import evaluate_path
from dvht_sheets.report.summary import unit_row, write_summary_workbook
from dvht_sheets.report.unit import write_unit_workbook
from dvht_sheets.xlsxfast import compat
from dvht_sheets.xlsxfast.workbook import FastWorkbook, PlainWorkbook, StreamWorkbook

from .helpers import standard_data, write_standard

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = sorted((ROOT / "dvht_sheets/data/samples").glob("*.xlsx"))


def in_mode(monkeypatch, plain: bool, write):
    """write() with the fast path on or off, whatever the environment of the test run."""
    if plain:
        monkeypatch.setenv(compat.PLAIN_ENV, "1")
    else:
        monkeypatch.delenv(compat.PLAIN_ENV, raising=False)
    try:
        return write()
    finally:
        monkeypatch.undo()


# ------------------------------------------------------------------------------------------------ the comparison

def _colour(c) -> tuple:
    return (c.type, c.rgb if c.type == "rgb" else c.theme if c.type == "theme" else c.indexed, c.tint) if c else None


def style_of(cell) -> tuple:
    """A cell's resolved style, property by property."""
    f, fill, b, a, p = cell.font, cell.fill, cell.border, cell.alignment, cell.protection
    font = (f.name, f.sz, f.b, f.i, f.u, f.strike, f.vertAlign, f.family, f.scheme, f.outline, f.shadow,
            _colour(f.color))
    pattern = (fill.fill_type, _colour(fill.fgColor), _colour(fill.bgColor)) if hasattr(fill, "fgColor") else (
        "gradient", repr(fill))
    border = tuple((side, getattr(b, side).style, _colour(getattr(b, side).color))
                   for side in ("left", "right", "top", "bottom", "diagonal")) + (b.diagonalUp, b.diagonalDown)
    align = (a.horizontal, a.vertical, a.wrap_text, a.shrink_to_fit, a.indent, a.text_rotation, a.justifyLastLine,
             a.relativeIndent, a.readingOrder)
    return font, pattern, border, cell.number_format, align, (p.locked, p.hidden), cell.quotePrefix


def sheet_facts(ws) -> dict:
    """Everything of a sheet but its cells."""
    dims = {k: (d.width, d.hidden, d.outlineLevel, d.customWidth) for k, d in ws.column_dimensions.items()
            if d.width or d.hidden}
    rows = {k: (d.ht, d.customHeight, d.hidden, d.outlineLevel) for k, d in ws.row_dimensions.items()
            if d.ht is not None or d.hidden}
    ps, pm, po = ws.page_setup, ws.page_margins, ws.print_options
    hf = ws.oddHeader, ws.oddFooter
    return {
        "state": ws.sheet_state, "dims": dims, "rows": rows, "merged": sorted(map(str, ws.merged_cells.ranges)),
        "freeze": ws.freeze_panes, "filter": ws.auto_filter.ref,
        "validations": sorted((str(v.sqref), v.type, v.operator, v.formula1, v.formula2, v.allow_blank,
                               v.showErrorMessage, v.showInputMessage, v.error, v.errorTitle, v.prompt,
                               v.promptTitle, v.errorStyle) for v in ws.data_validations.dataValidation),
        "conditional": sorted((str(r.sqref), [x.type for x in r.rules]) for r in ws.conditional_formatting),
        "page": (ps.orientation, ps.paperSize, ps.scale, ps.fitToWidth, ps.fitToHeight, ps.firstPageNumber,
                 ps.useFirstPageNumber, ws.sheet_properties.pageSetUpPr and ws.sheet_properties.pageSetUpPr.fitToPage),
        "margins": (pm.left, pm.right, pm.top, pm.bottom, pm.header, pm.footer),
        "print": (po.horizontalCentered, po.verticalCentered, po.gridLines, po.headings),
        "titles": (ws.print_title_rows, ws.print_title_cols), "area": ws.print_area,
        "header_footer": tuple((part.left.text, part.center.text, part.right.text) for part in hf),
        "breaks": [b.id for b in ws.row_breaks.brk], "col_breaks": [b.id for b in ws.col_breaks.brk],
        "view": (ws.sheet_view.showGridLines, ws.sheet_view.zoomScale, ws.sheet_view.rightToLeft),
        "protection": ws.protection.sheet, "charts": len(ws._charts), "images": len(ws._images),
        "tab": ws.sheet_properties.tabColor and ws.sheet_properties.tabColor.rgb,
    }


def cell_facts(ws, texts: list[list]) -> dict:
    """Every cell that has a value, a style, a note or a link: (value, type, style, note, link). Text is taken as
    python-calamine (the tool's reader) reads it: openpyxl does not undo Excel's "_xHHHH_" escapes in inline strings,
    which Excel and calamine do."""
    out = {}
    for row in ws.iter_rows():
        for c in row:
            if c.value is None and not c.has_style and c.comment is None and c.hyperlink is None:
                continue
            value = c.value
            if isinstance(value, str):
                value = texts[c.row - 1][c.column - 1]
            note = (c.comment.text, c.comment.author) if c.comment else None
            link = (c.hyperlink.target, c.hyperlink.location, c.hyperlink.tooltip) if c.hyperlink else None
            out[c.coordinate] = (value, c.data_type, style_of(c), note, link)
    return out


def workbook_facts(data: bytes) -> dict:
    wb = openpyxl.load_workbook(io.BytesIO(data))
    props = wb.properties
    facts = {"sheets": wb.sheetnames, "active": wb.active.title,
             "names": sorted((n, d.attr_text, d.localSheetId) for n, d in wb.defined_names.items()),
             "local_names": {ws.title: sorted((n, d.attr_text) for n, d in ws.defined_names.items())
                             for ws in wb.worksheets},
             "props": (props.title, props.creator, props.created, props.subject, props.keywords),
             "epoch": wb.epoch}
    calamine = CalamineWorkbook.from_filelike(io.BytesIO(data))
    for ws in wb.worksheets:
        facts[f"sheet {ws.title}"] = sheet_facts(ws)
        facts[f"cells {ws.title}"] = cell_facts(ws, calamine.get_sheet_by_name(ws.title).to_python(
            skip_empty_area=False))
    return facts


def assert_same(fast: bytes, plain: bytes, label: str) -> None:
    a, b = workbook_facts(fast), workbook_facts(plain)
    assert a.keys() == b.keys(), label
    for key in a:
        if a[key] != b[key] and key.startswith("cells "):
            diff = sorted(k for k in a[key].keys() | b[key].keys() if a[key].get(k) != b[key].get(k))
            first = diff[0]
            raise AssertionError(f"{label} / {key}: {len(diff)} cells differ, first {first}:\n"
                                 f"fast  {a[key].get(first)}\nplain {b[key].get(first)}")
        if isinstance(a[key], dict) and a[key] != b[key]:
            part = next(k for k in a[key] if a[key][k] != b[key].get(k))
            raise AssertionError(f"{label} / {key} / {part}:\nfast  {a[key][part]}\nplain {b[key].get(part)}")
        assert a[key] == b[key], f"{label} / {key}"


# ------------------------------------------------------------------------------------------------ the workbooks

@pytest.fixture(scope="module")
def evaluated(tmp_path_factory):
    tricky = tmp_path_factory.mktemp("t") / "tricky.xlsx"
    long_note = "Ghi chú rất dài về thành viên này, " * 6
    write_standard(tricky, standard_data(8, unit={"ten_don_vi": " A & B <THCS> _x0041_ \x07 "}, member_overrides={
        0: {"ho_ten": "Lê\tThị  Hoa "}, 1: {"ghi_chu": "dòng 1\ndòng 2"}, 2: {"tuan_thu_ky_luat": "có lẽ <?>"},
        3: {"ngay_sinh": dt.datetime(1899, 12, 1)}, 4: {"ghi_chu": long_note}, 5: {"ngay_sinh": "không rõ"},
        6: {"ho_ten": True}}))
    return [evaluate_path(p) for p in [*SAMPLES, tricky]]


def test_the_tricky_unit_exercises_what_it_should(evaluated, monkeypatch):
    # dates, wrapped rows and marked cells are in the copied sheets the contract compares below
    result, sub = evaluated[-1]
    grid = sub.raw.sheet(sub.sheet_names["members"]).grid
    assert any(isinstance(v, dt.date) for row in grid for v in row)
    assert any(isinstance(v, str) and len(v) > 100 for row in grid for v in row)
    assert any(f.sheet == sub.sheet_names["members"] and f.cell for f in result.findings)


def test_unit_workbooks_match_plain_xlsxwriter(monkeypatch, evaluated):
    for result, sub in evaluated:
        def write():
            buf = io.BytesIO()
            write_unit_workbook(buf, result, sub)
            return buf.getvalue()
        fast, plain = in_mode(monkeypatch, False, write), in_mode(monkeypatch, True, write)
        assert fast != plain  # inline strings, PartZip, style order: the comparison has work to do
        assert_same(fast, plain, result.file)


def test_summary_workbook_matches_plain_xlsxwriter(monkeypatch, evaluated, tmp_path):
    rows = [unit_row(i, r, f"don-vi/{i}_ket-qua.xlsx") for i, (r, _) in enumerate(evaluated)]
    results = [r for r, _ in evaluated]
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1735689600")  # the same run date in _meta

    def write():
        os.environ["SOURCE_DATE_EPOCH"] = "1735689600"
        path = tmp_path / "tong-hop.xlsx"
        write_summary_workbook(path, rows, results, roster=None, command="test", skipped=[("x.xlsx", "lý do")])
        return path.read_bytes()
    fast, plain = in_mode(monkeypatch, False, write), in_mode(monkeypatch, True, write)
    assert_same(fast, plain, "tong-hop.xlsx")
    os.environ.pop("SOURCE_DATE_EPOCH", None)


def test_modes_really_differ_in_what_writes(monkeypatch, tmp_path):
    made = {}
    for plain in (False, True):
        made[plain] = in_mode(monkeypatch, plain, lambda: (type(xlsxfast.small_workbook(io.BytesIO(), {})),
                                                           type(xlsxfast.streaming_workbook(
                                                               str(tmp_path / "s.xlsx"), {}))))
    assert made[False] == (FastWorkbook, StreamWorkbook)
    assert made[True] == (PlainWorkbook, PlainWorkbook)


# One Format property at a time (font, fill, border, number format, alignment, protection): a workbook that differs
# from the one before only in it must get its own styles.xml, and its own format prototype.
BASE = {"font_name": "Times New Roman", "font_size": 11, "border": 1}
VARIANTS = [
    {"bold": True}, {"italic": True}, {"underline": 1}, {"font_strikeout": True}, {"font_script": 1},
    {"font_size": 12}, {"font_name": "Arial"}, {"font_color": "#FF0000"},
    {"bg_color": "#00FF00"}, {"pattern": 2, "fg_color": "#0000FF"},
    {"border": 2}, {"border_color": "#C00000"}, {"left": 5}, {"diag_type": 1, "diag_border": 1},
    {"num_format": "0.00%"}, {"num_format": "dd/mm/yyyy"}, {"num_format": "#,##0.###"},
    {"align": "center"}, {"valign": "vcenter"}, {"text_wrap": True}, {"rotation": 45}, {"indent": 2},
    {"shrink": True},
    {"locked": False}, {"hidden": True},
]


def _tiny(target, props: dict) -> None:
    wb = xlsxfast.small_workbook(target, {"default_format_properties": {"font_name": "Times New Roman"}})
    # a fixed creation time: without one, each write gets the time it is written, and the two modes' workbooks
    # (compared property by property, creation time included) differed whenever a second ticked over between them
    wb.set_properties({"created": dt.datetime(2025, 1, 1)})
    # other differs from fmt in a property no variant touches: the workbook before has as many styles as this one,
    # so only the variant's property tells their styles.xml apart
    fmt, other = wb.add_format({**BASE, **props}), wb.add_format({**BASE, "font_shadow": True})
    wb.register_formats()
    ws = wb.add_sheet("A")
    ws.put_string(0, 0, "ô", fmt)
    ws.put_number(1, 0, 0.5, fmt)
    ws.put_row(2, [(0, "x", other), (1, None, fmt)])
    grid = wb.add_grid_sheet("B")
    grid.set_grid([["chữ", 1.5, dt.date(2024, 5, 1)], [None, True]], fmt, other, {(1, 0): (other, fmt)})
    wb.close()


@pytest.mark.parametrize("props", VARIANTS, ids=lambda p: ",".join(p))
def test_styles_cache_and_prototypes_tell_every_property_apart(monkeypatch, props):
    def write(p):
        buf = io.BytesIO()
        _tiny(buf, p)
        return buf.getvalue()
    in_mode(monkeypatch, False, lambda: write({}))  # the workbook before: its styles are cached
    fast = in_mode(monkeypatch, False, lambda: write(props))
    plain = in_mode(monkeypatch, True, lambda: write(props))
    assert_same(fast, plain, str(props))
    cell = openpyxl.load_workbook(io.BytesIO(fast))["A"]["A1"]
    assert style_of(cell) != style_of(openpyxl.load_workbook(io.BytesIO(fast))["A"]["A3"])  # the variant shows


# ------------------------------------------------------------------------------------------------ the guard

def test_version_parsing():
    assert compat.parse_version("3.3.1") == (3, 3, 1)
    assert compat.parse_version("3.4.0rc1") == (3, 4, 0)
    assert compat.parse_version("") == (0,) and compat.parse_version("dev") == (0,)
    assert compat.TESTED_RANGE[0] <= compat.XLSXWRITER_VERSION < compat.TESTED_RANGE[1]  # what the suite runs on
    assert compat.fast_supported() and not compat.missing_internals()


@pytest.mark.parametrize("why", ["version", "internal", "env"])
def test_outside_the_tested_range_the_tool_writes_plain_xlsxwriter(monkeypatch, evaluated, why):
    if why == "version":
        monkeypatch.setattr(compat, "VERSION_TESTED", False)
    elif why == "internal":
        monkeypatch.setattr(compat, "missing_internals", lambda: ("worksheet.row_info",))
    else:
        monkeypatch.setenv(compat.PLAIN_ENV, "1")
    compat.fast_supported.cache_clear()
    try:
        assert not xlsxfast.fast()
        result, sub = evaluated[3]
        buf = io.BytesIO()
        write_unit_workbook(buf, result, sub)
        wb = openpyxl.load_workbook(buf)
        assert wb.sheetnames[0] == "Kết quả" and wb["Kết quả"]["A1"].value.startswith("BẢN TỔNG HỢP")
    finally:
        monkeypatch.undo()
        compat.fast_supported.cache_clear()
    assert xlsxfast.fast()


# ------------------------------------------------------------------------------------------------ both modes

# The writer tests that read outputs cell by cell, run again with the fast path off (a child pytest: the batch's
# worker processes take the setting from the environment they start in).
PLAIN_SUBSET = ["tests/test_report_unit.py",
                "tests/test_hostile.py::test_hostile_text_gives_well_formed_outputs_everywhere",
                "tests/test_batch.py::test_summary_sheet_cells",
                "tests/test_batch.py::test_long_form_findings_status_and_stats",
                "tests/test_batch.py::test_roster_and_duplicates",
                "tests/test_paper.py::test_danh_sach_sheet", "tests/test_paper.py::test_unit_copies_keep_the_template_widths_and_wrap",
                "tests/test_structure.py::test_result_workbook_shows_the_formula_cell_blank_red_with_a_note"]


def test_writer_tests_pass_with_the_fast_path_off():
    env = {**os.environ, compat.PLAIN_ENV: "1"}
    missing = [t for t in PLAIN_SUBSET if not (ROOT / t.split("::")[0]).exists()]
    assert not missing
    res = subprocess.run([sys.executable, "-m", "pytest", "-o", "addopts=", "-q", "-p", "no:cacheprovider", "-x",
                          *PLAIN_SUBSET,
                          "tests/test_xlsxfast_contract.py::test_the_plain_mode_is_on"],
                         cwd=ROOT, env=env, capture_output=True, text=True, timeout=900)
    assert res.returncode == 0, res.stdout[-3000:] + res.stderr[-2000:]
    assert " passed" in res.stdout and "deselected" not in res.stdout


def test_the_plain_mode_is_on():
    # run by the test above, in the child: proves the subset really ran plain
    if os.environ.get(compat.PLAIN_ENV) == "1":
        assert not xlsxfast.fast()
        assert type(xlsxfast.small_workbook(io.BytesIO(), {})) is PlainWorkbook
    else:
        assert xlsxfast.fast()


# ------------------------------------------------------------------------------------------------ issue 13

def test_the_fast_cols_element_is_xlsxwriters_byte_for_byte():
    # FastWorksheet._write_cols writes <cols> itself (issue 13); xlsxwriter's own writer is the reference, for
    # widths below and above one character, equal neighbours merged, formats, hidden, outline levels, default widths.
    import xlsxwriter
    from xlsxwriter.worksheet import Worksheet

    from dvht_sheets.xlsxfast.sheets import FastWorksheet

    def cols(cls) -> str:
        wb = xlsxwriter.Workbook(io.BytesIO(), {"in_memory": True})
        ws = wb.add_worksheet(worksheet_class=cls)
        fmt = wb.add_format({"bold": True})
        for c, w in enumerate([8, 5, 34, 34, 34, 0.5, 0, 8.43, 16, 16, 72]):
            ws.set_column(c, c, w)
        ws.set_column(12, 14, 20, fmt)
        ws.set_column(15, 15, None, None, {"hidden": True})
        ws.set_column(16, 17, 9, None, {"level": 2, "collapsed": True})
        ws.set_column(20, 20, None, fmt)
        fmt._get_xf_index()
        out = io.StringIO()
        ws.fh = out
        Worksheet._write_cols(ws) if cls is Worksheet else ws._write_cols()
        return out.getvalue()

    reference = cols(Worksheet)
    assert reference.count("<col ") == 12 and 'min="3" max="5"' in reference
    assert cols(FastWorksheet) == reference
