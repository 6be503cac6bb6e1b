"""Workers send ready fragments, the main process only copies them (issue 13, "workers send compact rows and ready
summary/JSON fragments"): a unit's UnitFragment, made in another process (unit_fragment) and written by
SummaryWriter/JsonWriter, gives exactly the bytes of the library path that adds the UnitResult itself, on the fast and
on the plain path, with hostile text, at the long form's row limit, and for a file whose worker died.

Requirements: outputs.md (tong-hop.xlsx, ket-qua.json); issue 13.
"""

from __future__ import annotations

import json
import pickle
import shutil
import zipfile
from dataclasses import replace
from pathlib import Path

import openpyxl
import pytest
import python_calamine as calamine

from dvht_sheets import xlsxfast
from dvht_sheets.batch import Packed, Task, WorkerConfig, _pack, evaluate_folder, evaluate_path, run_isolated
from dvht_sheets.findings import Code, Finding, Severity
from dvht_sheets.model import XML_REPLACEMENT, UnitResult
from dvht_sheets.read import DEFAULT_LIMITS
from dvht_sheets.report import summary
from dvht_sheets.report.exports import JsonWriter, json_object
from dvht_sheets.report.summary import (LONG_HEADERS, SummaryWriter, UnitFragment, unit_fragment, unit_row)
from dvht_sheets.xlsxfast import compat

from .helpers import pool_crash_messages

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = ROOT / "dvht_sheets" / "data" / "samples"
LONG_SHEET, ERROR_SHEET = "Chỉ tiêu", "Lỗi dữ liệu"
# ~40,000 characters: longer than a cell holds (32,767), with line breaks (the row is made taller)
LONG_REASON = ("Lý do rất dài & <khó> \"đọc\" _x0041_\n" * 1100)
TEXTS = [" <b>&amp;</b> ", "\x00 NUL \x07 bell \x1f", "_x0041_ không phải chữ A", "\ud800 nửa cặp", "\tđầu tab",
         "cuối khoảng trắng   ", "", LONG_REASON]
HOSTILE_CODE = " MÃ&<>_x005F_ "


@pytest.fixture(scope="module")
def results() -> list[UnitResult]:
    """Real results of a few samples (TT 24 and TT 22, with findings, one not evaluated), then a hostile one."""
    names = ["03-th-kim-dong.xlsx", "04-th-le-van-tam.xlsx", "11-thcs-chu-van-an-2023.xlsx",
             "12-th-vo-thi-sau-nhap-sai.xlsx"]
    out = [evaluate_path(SAMPLES / n, display_name=n)[0] for n in names]
    out.append(evaluate_path(ROOT / "README.md", display_name="README.md")[0])  # not a workbook: not evaluated
    assert any(r.findings for r in out) and any(not r.evaluated for r in out)
    assert {r.scheme for r in out if r.evaluated} == {"levels", "points"}, "both regulations' long forms"
    return out + [_hostile(out[1])]


def _hostile(base: UnitResult) -> UnitResult:
    """A result whose every text a writer could get wrong: XML specials, control characters (and NUL, the
    renderer's placeholder), a lone surrogate, Excel's own escape look-alike, edge spaces, a 40,000-character
    reason; and 50 findings, some on a sheet whose name needs quoting in a link, the first one a failed write."""
    assert base.evaluated and len(base.indicators) >= len(TEXTS)
    indicators = [replace(ind, reason=TEXTS[i % len(TEXTS)]) for i, ind in enumerate(base.indicators)]
    severities = [Severity.FATAL, Severity.ERROR, Severity.WARNING]
    findings = [Finding(code=(Code.OUTPUT_WRITE_FAILED if i == 0 else Code.UNIT_VALUE_MISSING).value,
                        severity=severities[i % 3].value, message=TEXTS[i % len(TEXTS)] or "thông báo",
                        sheet=None if i % 5 == 4 else "Thành viên's <1>", cell=f"C{i + 3}",
                        detail="ổ <đĩa> & đầy" if i == 0 else None)
                for i in range(50)]
    return replace(base, file=" <tệp> & \"bạn\" _x0041_\x07.xlsx ", unit_code=HOSTILE_CODE,
                   unit_name="Tên \x0b lạ", indicators=indicators, findings=findings)


def _fragment_in_a_worker(row, result, spec) -> UnitFragment:
    # made in a forked child and pickled back, as a batch worker's fragment travels
    return run_isolated(unit_fragment, row, result, spec)


def _write(path: Path, results: list[UnitResult], fragments: bool) -> Path:
    """tong-hop.xlsx and ket-qua.json of these results, by the library path (add the UnitResult) or the batch's
    (add the UnitFragment a worker made; the result file's name is known only afterwards, as in evaluate_folder)."""
    path.mkdir(parents=True, exist_ok=True)
    writer, json_out = SummaryWriter(path / "tong-hop.xlsx"), JsonWriter(path / "ket-qua.json")
    rows = []
    for i, result in enumerate(results):
        output = f"don-vi/DV{i}_ket-qua.xlsx" if i != 2 else ""  # a unit without a result workbook: no link
        if fragments:
            row = unit_row(i, result, "")
            item = _fragment_in_a_worker(row, result, writer.fragment_spec)
            assert isinstance(item, UnitFragment)
            row.output = output
        else:
            row, item = unit_row(i, result, output), result
        writer.add(row, item)
        json_out.add(row, item)
        rows.append(row)
    writer.close(rows, roster=None, command="test", skipped=[])
    json_out.close()
    return path


def _parts(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path / "tong-hop.xlsx") as z:
        return {n: z.read(n) for n in z.namelist()}


def _same_outputs(a: Path, b: Path) -> None:
    pa, pb = _parts(a), _parts(b)
    assert sorted(pa) == sorted(pb)
    assert [n for n in pa if pa[n] != pb[n]] == []
    assert (a / "tong-hop.xlsx").read_bytes() == (b / "tong-hop.xlsx").read_bytes()
    assert (a / "ket-qua.json").read_bytes() == (b / "ket-qua.json").read_bytes()


def _sheet(path: Path, name: str) -> list[list]:
    # calamine reads text as Excel shows it (it undoes Excel's "_xHHHH_" escapes, which openpyxl leaves as written)
    return calamine.CalamineWorkbook.from_path(str(path / "tong-hop.xlsx")).get_sheet_by_name(name).to_python()


def test_fragment_and_result_paths_write_the_same_bytes(results, tmp_path, monkeypatch):
    # _meta holds the run's date to the minute: two writes a minute apart differed there (a slow machine hit it)
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1767225600")
    assert xlsxfast.fast()
    direct, batch = _write(tmp_path / "direct", results, False), _write(tmp_path / "batch", results, True)
    _same_outputs(direct, batch)
    long = _sheet(batch, LONG_SHEET)
    assert long[0] == LONG_HEADERS
    assert len(long) == 1 + sum(len(r.indicators) for r in results)  # not two empty sheets compared
    errors = _sheet(batch, ERROR_SHEET)
    assert len(errors) == 1 + sum(len(r.findings) for r in results)


def test_hostile_text_reads_back_as_written(results, tmp_path):
    out = _write(tmp_path / "batch", results, True)
    hostile = results[-1]
    code = HOSTILE_CODE
    mine = [r for r in _sheet(out, LONG_SHEET) if r[0] == code]
    assert len(mine) == len(hostile.indicators)
    reasons = [r[9] for r in mine]
    assert reasons[0] == " <b>&amp;</b> "  # XML specials and the edge spaces kept
    assert reasons[1] == f"{XML_REPLACEMENT} NUL {XML_REPLACEMENT} bell {XML_REPLACEMENT}"  # no raw control char
    assert reasons[2] == "_x0041_ không phải chữ A"  # Excel's escape look-alike is text, not "A"
    assert reasons[3] == f"{XML_REPLACEMENT} nửa cặp"
    assert reasons[4] == "\tđầu tab" and reasons[5] == "cuối khoảng trắng   "
    assert reasons[6] == ""
    assert reasons[7] == LONG_REASON[:32767]  # what a cell holds
    ws = openpyxl.load_workbook(out / "tong-hop.xlsx")[LONG_SHEET]
    first = 1 + sum(len(r.indicators) for r in results[:-1]) + 1  # the hostile unit's first row (1-based)
    assert ws.row_dimensions[first + 7].height > 400  # the long reason's row as tall as Excel allows (409 pt)
    errors = [r for r in _sheet(out, ERROR_SHEET) if r[0] == code]
    assert len(errors) == len(hostile.findings)
    assert errors[0][1] == f" <tệp> & \"bạn\" _x0041_{XML_REPLACEMENT}.xlsx "
    assert errors[0][4] == "Thành viên's <1>" and errors[0][6] == " <b>&amp;</b> "
    links = {c.row: (c.hyperlink.target.replace("\\", "/"), c.hyperlink.location)
             for c in openpyxl.load_workbook(out / "tong-hop.xlsx")[ERROR_SHEET]["H"] if c.hyperlink is not None}
    hostile_rows = [i + 1 for i, r in enumerate(_sheet(out, ERROR_SHEET)) if r[0] == code]
    # to the cell of each finding, the sheet's name quoted; to the workbook alone when the finding has no sheet
    assert [links.get(r) for r in hostile_rows] == [
        ("don-vi/DV5_ket-qua.xlsx", f"'Thành viên''s <1>'!{f.cell}" if f.sheet else None) for f in hostile.findings]
    objects = json.loads((out / "ket-qua.json").read_text(encoding="utf-8"))
    assert objects[-1]["unit_code"] == code and objects[-1]["indicators"][7]["reason"] == LONG_REASON
    assert objects[-1]["file"] == hostile.file  # JSON escapes a control character ("\\u0007") instead
    assert objects[-1]["indicators"][3]["reason"] == f"{XML_REPLACEMENT} nửa cặp"  # a lone surrogate cannot be kept


def test_the_plain_path_takes_fragments_of_values(results, tmp_path, monkeypatch):
    monkeypatch.setenv(compat.PLAIN_ENV, "1")
    assert not xlsxfast.fast()
    spec = SummaryWriter(tmp_path / "probe.xlsx").fragment_spec
    assert spec.styles is None  # nothing to render against: the cells travel as values
    direct, batch = _write(tmp_path / "direct", results, False), _write(tmp_path / "batch", results, True)
    _same_outputs(direct, batch)
    assert len(_sheet(batch, LONG_SHEET)) == 1 + sum(len(r.indicators) for r in results)


def test_a_rendered_fragment_needs_a_fast_summary(results, tmp_path, monkeypatch):
    fast_spec = SummaryWriter(tmp_path / "fast.xlsx").fragment_spec
    row = unit_row(0, results[0], "")
    rendered = unit_fragment(row, results[0], fast_spec)
    monkeypatch.setenv(compat.PLAIN_ENV, "1")
    with pytest.raises(ValueError, match="plain path"):
        SummaryWriter(tmp_path / "plain.xlsx").add(row, rendered)


@pytest.mark.parametrize("fragments", [False, True])
def test_the_long_form_stops_at_its_row_limit(results, tmp_path, monkeypatch, fragments):
    # A unit is cut inside its rows, then no row more: the same on both paths (and the sheet keeps its rows in
    # increasing order, as constant_memory requires). 45 stands in for Excel's 1,048,576 rows.
    monkeypatch.setattr(summary._LongForm, "MAX_ROWS", 45)
    first = len(results[0].indicators)
    assert first < 44 < first + len(results[1].indicators)
    out = _write(tmp_path / ("batch" if fragments else "direct"), results, fragments)
    long, errors = _sheet(out, LONG_SHEET), _sheet(out, ERROR_SHEET)
    assert sum(len(r.findings) for r in results) > 45
    assert len(long) == 45 and len(errors) == 45
    assert [r[2] for r in long[1 + first:]] == [i.id for i in results[1].indicators[: 44 - first]]
    cut = 44 - sum(len(r.findings) for r in results[:-1])  # the hostile unit's findings that still fit
    assert [r[3] for r in errors if r[0] == HOSTILE_CODE] == [f.code for f in results[-1].findings[:cut]]


def test_the_row_limit_gives_the_same_bytes_on_both_paths(results, tmp_path, monkeypatch):
    monkeypatch.setattr(summary._LongForm, "MAX_ROWS", 45)
    _same_outputs(_write(tmp_path / "direct", results, False), _write(tmp_path / "batch", results, True))


def test_rendered_rows_and_their_columns():
    a, b = xlsxfast.stand_ins({"x": ' s="7"', "y": ' s="9"'}).values()
    rows = [(None, [(0, "Mã", a), (2, 5, b)]), (20, [(1, None, a), (3, "", b)]), (None, [(4, 0.25, b)])]
    rendered, span = xlsxfast.render_rows(rows)
    ph = xlsxfast.fragments.PLACEHOLDER
    assert rendered[0] == (f'<row r="{ph}"><c r="A{ph}" s="7" t="inlineStr"><is><t>Mã</t></is></c>'
                           f'<c r="C{ph}" s="9"><v>5</v></c></row>')
    assert rendered[1] == ""  # empty cells are not written (put_rows' keep_empty=False), the row keeps its number
    assert rendered[2] == f'<row r="{ph}"><c r="E{ph}" s="9"><v>0.25</v></c></row>'
    assert span == (0, 4) == xlsxfast.bounds(rendered)
    assert xlsxfast.bounds(rendered[:2]) == (0, 2) and xlsxfast.bounds(rendered[1:2]) is None
    # a row in pieces, as `Lỗi dữ liệu` is sent: empty cells with a format are written there (put_row's keep_empty)
    assert xlsxfast.row_start(20) + xlsxfast.render_cells([(1, None, a), (3, "", b)]) == (
        f'<row r="{ph}" ht="20.25" customHeight="1"><c r="B{ph}" s="7"/><c r="D{ph}" s="9"/>')


def test_a_worker_sends_no_unit_result(results, tmp_path):
    spec = SummaryWriter(tmp_path / "t.xlsx").fragment_spec
    config = WorkerConfig(None, DEFAULT_LIMITS, 0, fragments=spec)
    task = Task(0, "x.xlsx", "x.xlsx", str(tmp_path / "0.xlsx"))
    packed = _pack(task, results[-1], config)
    blob = pickle.dumps(packed, protocol=pickle.HIGHEST_PROTOCOL)
    assert b"UnitResult" not in blob and b"IndicatorResult" not in blob and b"Finding" not in blob
    assert isinstance(packed, Packed) and packed.row.file == results[-1].file
    # the OUTPUT_WRITE_FAILED finding travels as its cause, for the parent's write_failures
    assert packed.write_failed == results[-1].findings[0].detail == "ổ <đĩa> & đầy"
    assert packed.fragment.json == json_object(results[-1])
    assert _pack(task, results[0], config).write_failed is None
    assert _pack(task, results[0], WorkerConfig(None, DEFAULT_LIMITS, 0)).fragment is None  # no sink, no fragment


class _Sink:
    """What api.run_batch gives evaluate_folder: the summary and the JSON fed the same fragment."""

    def __init__(self, out: Path):
        out.mkdir(parents=True)
        self.summary, self.json = SummaryWriter(out / "tong-hop.xlsx"), JsonWriter(out / "ket-qua.json")
        self.fragment_spec = self.summary.fragment_spec

    def add(self, row, fragment) -> None:
        assert isinstance(fragment, UnitFragment)
        self.summary.add(row, fragment)
        self.json.add(row, fragment)


def test_a_dead_workers_file_reaches_the_summary_and_the_json(tmp_path):
    src = tmp_path / "ho-so"
    src.mkdir()
    shutil.copy(SAMPLES / "03-th-kim-dong.xlsx", src / "a-kim-dong.xlsx")
    shutil.copy(SAMPLES / "04-th-le-van-tam.xlsx", src / "b-le-van-tam.xlsx")
    shutil.copy(SAMPLES / "05-thcs-nguyen-du.xlsx", src / "c-nguyen-du.xlsx")
    sink = _Sink(tmp_path / "tong")
    outcome = evaluate_folder(src, tmp_path / "kq", jobs=2, crash_on="le-van-tam", sink=sink)
    sink.summary.close(outcome.rows, roster=None, command="test", skipped=[])
    sink.json.close()
    objects = json.loads((tmp_path / "tong" / "ket-qua.json").read_text(encoding="utf-8"))
    assert [o["file"] for o in objects] == ["a-kim-dong.xlsx", "b-le-van-tam.xlsx", "c-nguyen-du.xlsx"]
    [found] = objects[1]["findings"]
    assert found["code"] == "file-crashed" and found["message"] in pool_crash_messages("mã thoát 3")  # os._exit(3)
    errors = _sheet(tmp_path / "tong", ERROR_SHEET)
    crashed = [r for r in errors if r[1] == "b-le-van-tam.xlsx"]
    assert len(crashed) == 1 and crashed[0][6] == found["message"] and crashed[0][2] == "Nghiêm trọng"
    long = _sheet(tmp_path / "tong", LONG_SHEET)
    assert {r[0] for r in long[1:]} == {"TH-KIMDONG", "THCS-NGUYENDU"}  # the dead worker's file has no indicator


def test_the_summary_stops_linking_at_excels_limit_and_keeps_every_row(tmp_path, monkeypatch, recwarn):
    # tong-hop.xlsx's Lỗi dữ liệu: one link per finding, up to Excel's 65,530 a sheet (here 5); later rows keep their
    # text and no warning reaches stderr (xlsxwriter warns once for every link it drops).
    import openpyxl

    from dvht_sheets import api
    from dvht_sheets.xlsxfast import fragments, sheets

    monkeypatch.setattr(sheets, "MAX_LINKS", 5)
    monkeypatch.setattr(fragments, "MAX_LINKS", 5)
    samples = Path(__file__).resolve().parents[1] / "dvht_sheets" / "data" / "samples"
    src = tmp_path / "in"
    src.mkdir()
    for name in ("04-th-le-van-tam.xlsx", "12-th-vo-thi-sau-nhap-sai.xlsx"):
        (src / name).write_bytes((samples / name).read_bytes())
    api.run_batch(src, tmp_path / "out", jobs=1)
    errors = openpyxl.load_workbook(tmp_path / "out" / "tong-hop.xlsx")["Lỗi dữ liệu"]
    rows = list(errors.iter_rows(min_row=2))
    assert len(rows) == 10
    assert sum(1 for row in rows if row[7].hyperlink) == 5
    assert all(row[7].value and row[7].value.startswith("don-vi/") for row in rows)
    assert not [w for w in recwarn.list if "URL" in str(w.message)]
