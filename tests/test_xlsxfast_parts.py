"""parts.py (issue 13): the small XML the fast path writes itself or keeps is xlsxwriter's, byte for byte.

Each workbook is written twice on the fast path: once as it is, once with parts.py turned off (every element writer
of FastHeads back to xlsxwriter's Worksheet method, workbook.xml through xlsxwriter's Workbook, the packager's own
helper classes). Every part of the two zips must be the same bytes. Kept XML is reused across workbooks, so each
comparison runs after other workbooks have filled the caches with their own values.
"""

import contextlib
import datetime as dt
from decimal import Decimal
import io
import re
import zipfile
from pathlib import Path

import pytest
import xlsxwriter
from xlsxwriter.worksheet import Worksheet

from dvht_sheets import xlsxfast
from dvht_sheets.batch import evaluate_path
from dvht_sheets.report.summary import unit_row, write_summary_workbook
from dvht_sheets.report.unit import write_unit_workbook
from dvht_sheets.xlsxfast import parts
from dvht_sheets.xlsxfast import workbook as fast_workbook

from .helpers import standard_data, write_standard

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = sorted((ROOT / "dvht_sheets/data/samples").glob("*.xlsx"))
ELEMENT_WRITERS = [name for name in vars(parts.FastHeads) if name.startswith("_write_")]


@contextlib.contextmanager
def parts_off(monkeypatch):
    with monkeypatch.context() as m:
        for name in ELEMENT_WRITERS:
            m.setattr(parts.FastHeads, name, getattr(Worksheet, name))
        m.setattr(parts.FastWorkbookPart, "_assemble_xml_file", xlsxwriter.Workbook._assemble_xml_file)
        m.setattr(fast_workbook, "kept_parts", contextlib.nullcontext)
        yield


def unzipped(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        return {info.filename: zf.read(info) for info in zf.infolist()}


# core.xml is xlsxwriter's own (parts.py neither keeps nor writes it); a workbook without a "created" property gets
# the time of its writing there, which differs between the two writes whenever a second ticks over between them
_NOW = re.compile(rb'(<dcterms:(?:created|modified) xsi:type="dcterms:W3CDTF">)[^<]*(<)')


def assert_same_parts(ours: bytes, theirs: bytes, label: str) -> None:
    a, b = unzipped(ours), unzipped(theirs)
    assert list(a) == list(b), label
    for name in a:
        if name == "docProps/core.xml":
            a[name], b[name] = (_NOW.sub(rb"\1-\2", x) for x in (a[name], b[name]))
        assert a[name] == b[name], f"{label}: {name} differs"


def both_ways(monkeypatch, write) -> tuple[bytes, bytes]:
    ours = write()
    with parts_off(monkeypatch):
        theirs = write()
    return ours, theirs


@pytest.fixture(scope="module")
def evaluated(tmp_path_factory):
    folder = tmp_path_factory.mktemp("parts")
    odd = write_standard(folder / "odd.xlsx", standard_data(6, unit={"ten_don_vi": "A & B <THCS> \"x\" _x0041_"},
                                                            member_overrides={0: {"ho_ten": "Lê & <Hoa>"}}))
    plain = write_standard(folder / "plain.xlsx", standard_data(30))
    return [evaluate_path(p) for p in [*SAMPLES, odd, plain]]


def test_the_fast_path_is_on_here():
    # the comparison means something only when the unit workbooks go through FastWorkbook
    assert xlsxfast.fast()
    assert ELEMENT_WRITERS and issubclass(xlsxfast.small_workbook(io.BytesIO(), {}).__class__, parts.FastWorkbookPart)


def test_unit_workbooks_are_xlsxwriters_byte_for_byte(monkeypatch, evaluated):
    for result, sub in [*evaluated, *reversed(evaluated)]:  # the second round reuses what the first one kept
        def write():
            buf = io.BytesIO()
            write_unit_workbook(buf, result, sub)
            return buf.getvalue()
        assert_same_parts(*both_ways(monkeypatch, write), result.file)


def test_summary_workbook_is_xlsxwriters_byte_for_byte(monkeypatch, evaluated, tmp_path):
    rows = [unit_row(i, r, f"don-vi/{i}_ket-qua.xlsx") for i, (r, _) in enumerate(evaluated)]
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1735689600")

    def write():
        path = tmp_path / "tong-hop.xlsx"
        write_summary_workbook(path, rows, [r for r, _ in evaluated], roster=None, command="test", skipped=[])
        return path.read_bytes()
    assert_same_parts(*both_ways(monkeypatch, write), "tong-hop.xlsx")


SETTINGS = {
    "freeze rows": lambda ws: ws.freeze_panes(3, 0),
    "freeze both": lambda ws: ws.freeze_panes(7, 2),
    "freeze cols": lambda ws: ws.freeze_panes(0, 1),
    "freeze with a selection": lambda ws: (ws.set_selection(4, 1, 6, 2), ws.freeze_panes(2, 1)),
    "split panes": lambda ws: ws.split_panes(30, 40),
    "selection only": lambda ws: ws.set_selection("C3:D9"),
    "zoom, no grid, right to left": lambda ws: (ws.set_zoom(80), ws.hide_gridlines(2), ws.right_to_left()),
    "page layout view": lambda ws: ws.set_page_view(1),
    # one field each: a kept element that did not tell that field apart would reuse another sheet's XML
    "zoom only": lambda ws: ws.set_zoom(150),
    "no grid only": lambda ws: ws.hide_gridlines(2),
    "no zeros only": lambda ws: ws.hide_zero(),
    "landscape only": lambda ws: ws.set_landscape(),
    "paper only": lambda ws: ws.set_paper(8),
    "scale only": lambda ws: ws.set_print_scale(90),
    "black and white only": lambda ws: ws.print_black_and_white(),
    "page order only": lambda ws: ws.print_across(),
    "row height only": lambda ws: ws.set_default_row(20),
    "portrait (setup marked changed)": lambda ws: ws.set_portrait(),
    "selected tab": lambda ws: ws.activate(),
    "landscape A4 scale": lambda ws: (ws.set_landscape(), ws.set_paper(9), ws.set_print_scale(77)),
    "fit to pages": lambda ws: ws.fit_to_pages(1, 0),
    "first page number": lambda ws: ws.set_start_page(3),
    "print options": lambda ws: (ws.center_horizontally(), ws.print_row_col_headers(), ws.hide_gridlines(0)),
    "margins": lambda ws: ws.set_margins(0.25, 0.3, 0.75, 0.6),
    "header and footer": lambda ws: (ws.set_header('&L&"Times New Roman,Regular"&10A & B <c> "d" \x07 _x0041_'),
                                     ws.set_footer("&CTrang &P/&N", {"scale_with_doc": False, "align_with_margins": False})),
    "footer only": lambda ws: ws.set_footer("&R&D"),
    "default row": lambda ws: ws.set_default_row(24, hide_unused_rows=True),
    "outline": lambda ws: (ws.set_row(3, None, None, {"level": 2}), ws.set_column(1, 2, None, None, {"level": 1})),
    "no headers only": lambda ws: ws.hide_row_col_headers(),
    "right to left only": lambda ws: ws.right_to_left(),
    "outline symbols hidden only": lambda ws: ws.outline_settings(False),
    "top left cell only": lambda ws: ws.set_top_left_cell(10, 3),
    "fit, then scale": lambda ws: (ws.fit_to_pages(2, 3), ws.set_print_scale(90)),
    "hide unused rows only": lambda ws: ws.set_default_row(hide_unused_rows=True),
    "scale, then fit": lambda ws: (ws.set_print_scale(90), ws.fit_to_pages(2, 3)),
    "data bar (an Excel 2010 sheet)": lambda ws: ws.conditional_format("B3", {"type": "data_bar", "data_bar_2010": True}),
    "sparkline": lambda ws: ws.add_sparkline(0, 5, {"range": "B3:B3"}),
    "tab colour": lambda ws: ws.set_tab_color("#FF0000"),
    "hidden": lambda ws: ws.hide(),
    "columns only": lambda ws: ws.set_column(3, 5, 12),
    "one cell": lambda ws: None,
    "nothing": lambda ws: None,
}


def settings_workbook(labels) -> bytes:
    """A workbook with a sheet per setting (a cell on each, but on "nothing" and "columns only"), print titles,
    an area, a filter and defined names."""
    buf = io.BytesIO()
    wb = xlsxfast.small_workbook(buf, {})
    wb.set_properties({"title": "Kết quả", "company": "Phòng GD&ĐT", "created": dt.datetime(2025, 1, 1)})
    bold = wb.add_format({"bold": True})
    sheets = []
    for label in labels:
        ws = wb.add_sheet(label.replace(",", ""))
        if label not in ("nothing", "columns only"):
            ws.put_string(2, 1, "ô", bold)
        if label == "one cell":
            ws.put_number(4, 4, 1.5, None)
        SETTINGS[label](ws)
        sheets.append(ws)
    sheets[0].repeat_rows(0, 2)
    sheets[-1].print_area(0, 0, 9, 3)
    sheets[len(sheets) // 2].autofilter(0, 0, 5, 3)
    wb.define_name("Tong", f"=SUM('{sheets[0].name}'!$A$1:$A$9)")
    wb.close()
    return buf.getvalue()


def test_every_sheet_setting_together_is_written_as_xlsxwriter_writes_it(monkeypatch):
    labels = sorted(SETTINGS)
    assert_same_parts(*both_ways(monkeypatch, lambda: settings_workbook(labels)), "all settings")


@pytest.mark.parametrize("label", sorted(SETTINGS))
def test_each_sheet_setting_alone_is_written_as_xlsxwriter_writes_it(monkeypatch, label):
    assert_same_parts(*both_ways(monkeypatch, lambda: settings_workbook(list(dict.fromkeys([label, "nothing"])))), label)


def test_workbook_settings_outside_the_handled_ones_fall_back(monkeypatch):
    def write(change):
        def go():
            buf = io.BytesIO()
            wb = xlsxfast.small_workbook(buf, {})
            ws = wb.add_sheet("A")
            ws.put_string(0, 0, "x", None)
            wb.add_sheet("B").put_string(1, 1, "y", None)
            change(wb)
            wb.close()
            return buf.getvalue()
        return go
    for change in (lambda wb: wb.read_only_recommended(), lambda wb: wb.set_calc_mode("manual"),
                   lambda wb: wb.set_calc_mode("autoNoTable"), lambda wb: wb.set_size(1200, 800),
                   lambda wb: wb.set_tab_ratio(40), lambda wb: (wb.worksheets()[1].activate(),
                                                                wb.worksheets()[1].set_first_sheet()),
                   lambda wb: wb.worksheets()[1].very_hidden(), lambda wb: wb.set_properties({"manager": "Ông A"}),
                   lambda wb: wb.set_properties({"company": None}), lambda wb: wb.set_calc_mode("auto", 191029),
                   lambda wb: wb.set_calc_mode("auto_except_tables"), lambda wb: wb.set_vba_name("Sổ<&>"),
                   lambda wb: wb.set_custom_property("Mã & <đơn vị>", "X&Y"),
                   lambda wb: wb.set_properties({"hyperlink_base": None, "manager": None}), lambda wb: None):
        assert_same_parts(*both_ways(monkeypatch, write(change)), repr(change))


def test_kept_parts_are_told_apart_by_what_they_show(monkeypatch):
    # app.xml keeps only what it shows: two workbooks with different titles share it; a different company does not
    def write(props):
        buf = io.BytesIO()
        wb = xlsxfast.small_workbook(buf, {})
        wb.set_properties(props)
        wb.add_sheet("A").put_string(0, 0, "x", None)
        wb.close()
        return unzipped(buf.getvalue())["docProps/app.xml"]
    a, b = write({"title": "một"}), write({"title": "hai"})
    c = write({"title": "một", "company": "Trường A"})
    assert a == b and b"Tr\xc6\xb0\xe1\xbb\x9dng A" in c and c != a
    with parts_off(monkeypatch):
        assert write({"title": "một", "company": "Trường A"}) == c


def one_sheet(setting, *, stream_dir=None, props=None) -> bytes:
    """A workbook of one sheet with one cell and one setting: a small one, or a streaming one in stream_dir."""
    if stream_dir is None:
        buf = io.BytesIO()
        wb = xlsxfast.small_workbook(buf, {})
    else:
        path = stream_dir / "stream.xlsx"
        wb = xlsxfast.streaming_workbook(str(path), {})
    if props:
        wb.set_properties(props)
    ws = wb.add_sheet("A")
    ws.put_string(2, 1, "ô", None)
    setting(ws)
    wb.close()
    return buf.getvalue() if stream_dir is None else path.read_bytes()


# Values xlsxwriter's setters store as given and its writers write with f"{value}": equal as Python values (9 == 9.0,
# 1 == True), hashed alike, written differently. A kept element must not hand the second one the first one's XML.
EQUAL_BUT_WRITTEN_APART = {
    "paper 9 / 9.0": (lambda ws: ws.set_paper(9), lambda ws: ws.set_paper(9.0)),
    "paper 9 / Decimal 9.0": (lambda ws: ws.set_paper(9), lambda ws: ws.set_paper(Decimal("9.0"))),  # not kept
    "fit width 2 / 2.0": (lambda ws: ws.fit_to_pages(2, 0), lambda ws: ws.fit_to_pages(2.0, 0)),
    "fit height 0 / -0.0": (lambda ws: ws.fit_to_pages(1, 0), lambda ws: ws.fit_to_pages(1, -0.0)),
    "first page 3 / 3.0": (lambda ws: (ws.set_landscape(), ws.set_start_page(3)),
                           lambda ws: (ws.set_landscape(), ws.set_start_page(3.0))),
    "row outline level 2 / 2.0": (lambda ws: ws.set_row(3, None, None, {"level": 2}),
                                  lambda ws: ws.set_row(3, None, None, {"level": 2.0})),
    "column outline level 1 / True": (lambda ws: ws.set_column(1, 2, None, None, {"level": 1}),
                                      lambda ws: ws.set_column(1, 2, None, None, {"level": True})),
    "frozen rows 3 / 3.0": (lambda ws: ws.freeze_panes(3, 0), lambda ws: ws.freeze_panes(3.0, 0)),
}


@pytest.mark.parametrize("streaming", [False, True], ids=["small", "streaming"])
@pytest.mark.parametrize("label", sorted(EQUAL_BUT_WRITTEN_APART))
def test_a_kept_element_tells_apart_equal_values_written_apart(monkeypatch, tmp_path, label, streaming):
    first, second = EQUAL_BUT_WRITTEN_APART[label]
    stream_dir = tmp_path if streaming else None
    one_sheet(first, stream_dir=stream_dir)  # the fast path keeps the first one's XML
    assert_same_parts(*both_ways(monkeypatch, lambda: one_sheet(second, stream_dir=stream_dir)), label)


def test_kept_app_tells_apart_equal_values_written_apart(monkeypatch):
    one_sheet(lambda ws: None, props={"company": 1})
    assert_same_parts(*both_ways(monkeypatch, lambda: one_sheet(lambda ws: None, props={"company": 1.0})), "1.0")
    assert_same_parts(*both_ways(monkeypatch, lambda: one_sheet(lambda ws: None, props={"company": True})), "True")
    assert_same_parts(*both_ways(monkeypatch, lambda: one_sheet(lambda ws: None, props={"company": Decimal("1.0")})),
                      "Decimal")


def test_first_sheet_is_written_as_the_installed_xlsxwriter_writes_it(monkeypatch):
    # xlsxwriter 3.3.0 wrote firstSheet="<firstsheet + 1>", 3.3.1 writes firstsheet (found while 3.3.0 was still in
    # compat.TESTED_RANGE): 3.3.0's writer of that element stands in here, and workbook.xml must follow whichever
    # writer xlsxwriter has.
    def workbook_view_330(self):
        attributes = [("xWindow", self.x_window), ("yWindow", self.y_window), ("windowWidth", self.window_width),
                      ("windowHeight", self.window_height)]
        if self.tab_ratio != 600:
            attributes.append(("tabRatio", self.tab_ratio))
        if self.worksheet_meta.firstsheet > 0:
            attributes.append(("firstSheet", self.worksheet_meta.firstsheet + 1))
        if self.worksheet_meta.activesheet > 0:
            attributes.append(("activeTab", self.worksheet_meta.activesheet))
        self._xml_empty_tag("workbookView", attributes)

    def write():
        buf = io.BytesIO()
        wb = xlsxfast.small_workbook(buf, {})
        for name in "ABC":
            wb.add_sheet(name).put_string(0, 0, name, None)
        wb.worksheets()[2].activate()
        wb.worksheets()[1].set_first_sheet()
        wb.close()
        return buf.getvalue()
    monkeypatch.setattr(xlsxwriter.Workbook, "_write_workbook_view", workbook_view_330)
    ours, theirs = both_ways(monkeypatch, write)
    assert b'firstSheet="2"' in unzipped(theirs)["xl/workbook.xml"]
    assert_same_parts(ours, theirs, "firstSheet as 3.3.0 writes it")


def tiny_png() -> bytes:
    import struct
    import zlib

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
    header = struct.pack(">IIBBBBB", 2, 1, 8, 2, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(b"\x00" + b"\xff\x00\x00" * 2))
            + chunk(b"IEND", b""))


def rich_workbook(variant: int, stream_dir=None) -> bytes:
    """What the unit workbooks do not have: a chartsheet and a chart, a table, a note, external links (with & in
    them), an image in the sheet and in its header, odd sheet and defined names; variant changes each of them."""
    if stream_dir is None:
        buf = io.BytesIO()
        wb = xlsxfast.small_workbook(buf, {})
    else:
        path = stream_dir / f"rich{variant}.xlsx"
        wb = xlsxfast.streaming_workbook(str(path), {})
    wb.set_properties({"company": "Phòng <GD> & \"ĐT\"", "manager": "Bà\nB", "hyperlink_base": "a&b"})
    ws = wb.add_sheet(f"Tổng & \"hợp\" <{variant}>'s")
    for row in range(4):
        ws.put_number(row, 0, row + variant, None)
        ws.put_string(row, 1, f"dòng {row}", None)
    ws.write_url(5, 0, f"https://example.com/?a=1&b=<{variant}>", None, "liên kết", "tip & \"x\"")
    ws.write_url(6, 0, "internal:'Khác'!A1", None, "trong")
    ws.write_comment(1, 1, f"ghi chú & <{variant}>")
    ws.insert_image(8, 3, "a.png", {"image_data": io.BytesIO(tiny_png())})
    ws.set_header(f"&L&G&C<{variant}> & \"x\"", {"image_left": "h.png", "image_data_left": io.BytesIO(tiny_png())})
    if stream_dir is None:
        ws.add_table(10, 0, 12, 1 + variant, {"name": f"Bang{variant}"})
    chart = wb.add_chart({"type": "column"})
    chart.add_series({"values": [ws.name, 0, 0, 3, 0], "name": f"A & B {variant}"})
    ws.insert_chart(0, 6, chart)
    other = wb.add_sheet("Khác")
    other.put_string(0, 0, "x", None)
    cs = wb.add_chartsheet(f"Biểu đồ {variant}")
    pie = wb.add_chart({"type": "pie"})
    pie.add_series({"values": [ws.name, 0, 0, 3, 0]})
    cs.set_chart(pie)
    if variant:
        cs.activate()
        other.hide()
    wb.define_name("Tổng_cộng", f"=SUM({xlsxfast.quote_sheet(ws.name)}!$A$1:$A$4)")
    wb.define_name(f"{xlsxfast.quote_sheet(other.name)}!Riêng", '="a & <b>"')
    ws.repeat_rows(0)
    wb.close()
    return buf.getvalue() if stream_dir is None else path.read_bytes()


@pytest.mark.parametrize("streaming", [False, True], ids=["small", "streaming"])
def test_parts_the_units_do_not_have_are_xlsxwriters_byte_for_byte(monkeypatch, tmp_path, streaming):
    stream_dir = tmp_path if streaming else None
    for variant in (0, 1, 0, 2):  # the later ones reuse what the earlier ones kept
        assert_same_parts(*both_ways(monkeypatch, lambda: rich_workbook(variant, stream_dir)), f"variant {variant}")


WORKBOOK_OPTIONS = [{}, {"excel2003_style": True}, {"excel_2023_theme": True}, {"default_row_height": 24},
                    {"date_1904": True}, {"default_column_width": 80}]


@pytest.mark.parametrize("options", WORKBOOK_OPTIONS, ids=lambda o: ",".join(o) or "default")
def test_workbook_options_are_written_as_xlsxwriter_writes_them(monkeypatch, options):
    # a workbook option sets the sheets' defaults (row height, margins, headerFooter): each one after the others'
    def write(setting):
        def go():
            buf = io.BytesIO()
            wb = xlsxfast.small_workbook(buf, options)
            ws = wb.add_sheet("A")
            ws.put_string(0, 0, "x", None)
            setting(ws)
            wb.close()
            return buf.getvalue()
        return go
    for other in WORKBOOK_OPTIONS:  # fill the kept XML with every other option's sheets
        buf = io.BytesIO()
        wb = xlsxfast.small_workbook(buf, other)
        wb.add_sheet("A").put_string(0, 0, "x", None)
        wb.add_sheet("B").set_default_row(18)
        wb.close()
    for setting in (lambda ws: None, lambda ws: ws.set_default_row(18), lambda ws: ws.set_header("&C&P")):
        assert_same_parts(*both_ways(monkeypatch, write(setting)), repr(options))


def test_workbooks_stored_from_several_threads_leave_nothing_swapped():
    # the swapped module-level names (xlsxwriter's ZipFile, the packager's part classes) are restored whatever the
    # threads' timing, and every workbook is whole
    import threading

    import xlsxwriter.packager
    import xlsxwriter.workbook

    before = (xlsxwriter.workbook.ZipFile, xlsxwriter.packager.App, xlsxwriter.packager.ContentTypes,
              xlsxwriter.packager.Relationships)
    out: list[bytes] = []

    def store(n: int) -> None:
        for i in range(20):
            buf = io.BytesIO()
            wb = xlsxfast.small_workbook(buf, {})
            wb.add_sheet(f"S{n}-{i}").put_string(0, 0, "x" * (n + i), None)
            wb.close()
            out.append(buf.getvalue())
    threads = [threading.Thread(target=store, args=(n,)) for n in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert (xlsxwriter.workbook.ZipFile, xlsxwriter.packager.App, xlsxwriter.packager.ContentTypes,
            xlsxwriter.packager.Relationships) == before
    assert len(out) == 80 and all(zipfile.ZipFile(io.BytesIO(d)).testzip() is None for d in out)
