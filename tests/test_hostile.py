"""Whatever a file contains, every output stays well-formed, every name fits, and nothing a reader does (panic,
abort, unbounded allocation) stops `check` of several files or a batch.

Requirements: issue 9 items 1, 2, 3 and 11; outputs.md "Guarantees" and exit status.
"""

import csv
import io
import json
import os
import pickle
import shutil
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner

import dvht_sheets.read as read
from dvht_sheets import batch
from dvht_sheets.batch import Task, WorkerConfig, evaluate_path
from dvht_sheets.cli import cli
from dvht_sheets.model import XML_BAD
from dvht_sheets.findings import Code, render
from dvht_sheets.read import Limits, read_workbook
from dvht_sheets.batch import read_roster_isolated as read_roster
from dvht_sheets.report.files import safe_name
from dvht_sheets.report.summary import FragmentSpec

from . import corpus
from .helpers import pool_crash_messages, standard_data, write_standard

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = ROOT / "dvht_sheets" / "data" / "samples"
HOOKS = Path(__file__).resolve().parent / "hooks"
MEMORY_BOUND_MB = 300  # README "Độ tin cậy": the peak RSS of `dvht check` on any file the default limits admit


def _dvht(*args: str, faults: bool = False, cwd: Path | None = None,
          env_extra: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    env = {**os.environ, **(env_extra or {})}
    if faults:
        env["PYTHONPATH"] = os.pathsep.join([str(HOOKS), str(ROOT)])
        env["DVHT_TEST_READER"] = "1"
    return subprocess.run([sys.executable, "-m", "dvht_sheets", *args], capture_output=True, text=True,
                          encoding="utf-8", env=env, cwd=cwd or ROOT, timeout=300)


def _marked(src: Path, path: Path, marker: str) -> Path:
    """A copy of a good workbook with an extra part holding the marker the fault-injection hook reacts to."""
    shutil.copy(src, path)
    with zipfile.ZipFile(path, "a") as zf:
        zf.writestr("docProps/custom.xml", f"<x>{marker}</x>")
    return path


def _inputs(tmp_path: Path, marked: tuple[str, str, str], *samples: str) -> Path:
    """tmp_path/in holding one sample marked for the fault hooks — (sample, file name, marker) — and copies of the
    other samples named."""
    src = tmp_path / "in"
    src.mkdir()
    sample, name, marker = marked
    _marked(SAMPLES / sample, src / name, marker)
    for other in samples:
        shutil.copy(SAMPLES / other, src)
    return src


def _assert_all_outputs_well_formed(out: Path) -> int:
    """Every workbook under out opens with openpyxl (a strict XML parser), and no output holds a character XML
    cannot hold; returns the number of workbooks opened."""
    books = sorted(out.rglob("*.xlsx"))
    for path in books:
        wb = openpyxl.load_workbook(path)
        for ws in wb.worksheets:
            assert not XML_BAD.search(ws.title)
            for row in ws.iter_rows(values_only=True):
                for value in row:
                    assert not (isinstance(value, str) and XML_BAD.search(value)), (path.name, ws.title, value)
        wb.close()
    for path in [*out.rglob("*.csv"), *out.rglob("*.json")]:
        assert not XML_BAD.search(path.read_text(encoding="utf-8-sig")), path
    return len(books)


# ------------------------------------------------------------------------------------ 1: characters XML cannot hold


def test_hostile_text_gives_well_formed_outputs_everywhere(tmp_path):
    src = tmp_path / "in"
    src.mkdir()
    corpus.noncharacter_name(src / "ten-fffe.xlsx")
    corpus.control_sheet_name(src / "ten-trang.xlsx")
    corpus.control_and_emoji(src / "dieu-khien.xlsx")
    # a file name in a foreign encoding: discovery decodes it with surrogates, which UTF-8 cannot even encode
    foreign = os.fsdecode(b"tr\xf0\xf4\xeang.xlsx")
    shutil.copy(SAMPLES / "01-mn-hoa-sen.xlsx", src / foreign)
    out = tmp_path / "out"
    res = CliRunner().invoke(cli, ["batch", str(src), "-o", str(out), "--jobs", "2"])
    assert res.exit_code == 0, res.output
    assert _assert_all_outputs_well_formed(out) == 5  # tong-hop.xlsx + four unit workbooks
    summary = openpyxl.load_workbook(out / "tong-hop.xlsx")["Tổng hợp"]
    names = {row[2] for row in summary.iter_rows(values_only=True) if row and isinstance(row[2], str)}
    assert "Trường\ufffd Hoa Sen\ufffd" in names  # replaced, not dropped: the officer still sees the name
    rows = list(csv.DictReader(io.StringIO((out / "tong-hop.csv").read_text(encoding="utf-8-sig"))))
    assert sorted(r["file"] for r in rows) == sorted(["ten-fffe.xlsx", "ten-trang.xlsx", "dieu-khien.xlsx",
                                                      "tr\ufffd\ufffd\ufffdng.xlsx"])
    results = {r["file"]: r for r in json.loads((out / "ket-qua.json").read_text(encoding="utf-8"))}
    hits = [(f["code"], f["sheet"], f["cell"]) for f in results["ten-fffe.xlsx"]["findings"]]
    assert ("text-invalid-chars", "Thông tin đơn vị", "B4") in hits


def test_check_terminal_and_json_output_are_clean(tmp_path):
    corpus.noncharacter_name(tmp_path / "a.xlsx")
    res = _dvht("check", str(tmp_path / "a.xlsx"), "-o", str(tmp_path / "o"), "--json")
    assert res.returncode == 0, res.stderr
    data = json.loads(res.stdout)
    assert data[0]["unit_name"] == "Trường\ufffd Hoa Sen\ufffd"
    assert not XML_BAD.search(res.stdout)
    assert _assert_all_outputs_well_formed(tmp_path / "o") == 1


def test_sheet_names_excel_refuses_are_given_a_valid_title(tmp_path):
    from dvht_sheets.report.unit import sheet_title
    taken = {"kết quả"}
    assert sheet_title("Thành viên: danh sách [2025] của trường rất dài", taken) == "Thành viên_ danh sách _2025_ củ"
    assert sheet_title("'Kết quả'", taken) == "Kết quả (2)"
    assert sheet_title("a\x07b", taken) == "a\ufffdb"


# ------------------------------------------------------------------------------------------- 2: names fit in bytes


def test_safe_name_fits_255_bytes_with_suffix_and_dedupe():
    for code in ("𠀀" * 100, "ệ" * 80, "e\u0302\u0323" * 90, "A" * 400):
        stem = safe_name(code)
        longest = f"{stem}_9999999999_ket-qua.xlsx"
        assert len(longest.encode("utf-8")) <= 255, code[:3]
        assert stem.encode("utf-8").decode("utf-8") == stem  # never cut inside a character
    assert safe_name("e\u0302\u0323" * 2) == "ệệ"  # NFC: decomposed input gives the composed name
    assert safe_name("ệ" * 80) == "ệ" * 77  # 231 bytes: 255 − 13 ("_ket-qua.xlsx") − 11 (dedupe room)


def test_long_unit_codes_do_not_abort_the_batch(tmp_path):
    src = tmp_path / "in"
    src.mkdir()
    corpus.long_unit_code(src / "ma-dai.xlsx")
    for i in range(10):  # ten files with the same 80 × "ệ" code: ten deduplicated names, all within the limit
        write_standard(src / f"f{i}.xlsx", standard_data(20, unit={"ma_don_vi": "ệ" * 80}))
    out = tmp_path / "out"
    res = CliRunner().invoke(cli, ["batch", str(src), "-o", str(out), "--jobs", "2"])
    assert res.exit_code == 0, res.output
    names = sorted(p.name for p in (out / "don-vi").iterdir())
    assert len(names) == 11 and all(len(n.encode()) <= 255 for n in names)
    assert ("ệ" * 77 + "_10_ket-qua.xlsx") in names
    assert (out / "tong-hop.xlsx").exists() and (out / "tong-hop.csv").exists() and (out / "ket-qua.json").exists()
    assert not list(out.rglob(".tmp-*"))


def test_check_writes_a_long_code_under_a_name_that_fits(tmp_path):
    corpus.long_unit_code(tmp_path / "a.xlsx")
    res = CliRunner().invoke(cli, ["check", str(tmp_path / "a.xlsx"), "-o", str(tmp_path / "o")])
    assert res.exit_code == 0, res.output
    [made] = list((tmp_path / "o").iterdir())
    assert made.name == "𠀀" * 57 + "_ket-qua.xlsx"  # 57 × 4 = 228 bytes ≤ 231


# -------------------------------------------------------------------------- 3: size hints, memory, several files


HOSTILE = ["unique-count.xlsx", "o-xa-moi-trang.xlsx", "gop-ca-trang.xlsx", "o-xa.xlsx", "bom-nen.xlsx",
           "bom-nen-khai-man.xlsx", "billion-laughs.xlsx", "trieu-dong.xlsx", "ten-fffe.xlsx",
           "ten-trang-dieu-khien.xlsx", "ma-dai.xlsx", "ngay-sinh-am-vo-cuc.xlsx"]


@pytest.fixture(scope="module")
def hostile(tmp_path_factory):
    folder = tmp_path_factory.mktemp("hostile")
    made = {}
    for case in corpus.CASES:
        if case.file in HOSTILE:
            case.make(folder / case.file)
            made[case.file] = folder / case.file
    # the largest extent the default limits admit: one cell at AN99000 (40 × 99,000 = 3.96 M cells)
    corpus._rezip(corpus.SAMPLE.read_bytes(), folder / "gan-gioi-han.xlsx", lambda n, d: d.replace(
        b"</sheetData>", b'<row r="99000"><c r="AN99000"><v>1</v></c></row></sheetData>', 1)
        if n == "xl/worksheets/sheet3.xml" else d)
    made["gan-gioi-han.xlsx"] = folder / "gan-gioi-han.xlsx"
    return made


def _peak_rss_mb(*args: str) -> tuple[float, subprocess.CompletedProcess]:
    """ru_maxrss of `dvht check` run in a fresh child (its own per-file child included: Linux folds a waited-for
    grandchild's peak into the child's)."""
    code = ("import resource, subprocess, sys; p = subprocess.run(sys.argv[1:], capture_output=True); "
            "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, p.returncode)")
    probe = subprocess.run([sys.executable, "-c", code, sys.executable, "-m", "dvht_sheets", *args],
                           capture_output=True, text=True, cwd=ROOT, timeout=300)
    kb, rc = probe.stdout.split()
    return int(kb) / 1024, subprocess.CompletedProcess(args, int(rc))


@pytest.mark.parametrize("name", [*HOSTILE, "gan-gioi-han.xlsx"])
def test_check_memory_stays_under_the_stated_bound(hostile, tmp_path, name):
    peak, done = _peak_rss_mb("check", str(hostile[name]), "-o", str(tmp_path))
    assert done.returncode in (0, 1), done
    assert peak < MEMORY_BOUND_MB, f"{name}: {peak:.0f} MB"


def test_size_hints_are_bounded_before_the_reader(hostile):
    def codes(name: str) -> list[str]:
        result, _ = evaluate_path(hostile[name])
        return [f.code for f in result.findings if f.severity == "fatal"]

    assert codes("unique-count.xlsx") == ["file-size-hint"]
    assert codes("o-xa-moi-trang.xlsx") == ["workbook-extent"]
    assert codes("gan-gioi-han.xlsx") == []  # just under the budget: read
    # a legitimate uniqueCount (equal to the strings present) and a large `count` (uses, not strings) are accepted
    assert read._check_string_counts(b'<sst count="5000000" uniqueCount="2"><si><t>a</t></si><si><t>b</t></si></sst>') \
        is None
    raw = read.read_workbook(hostile["gop-ca-trang.xlsx"])
    members = raw.sheet("Thành viên")
    assert members.merged == [((0, 0), (len(members.grid) - 1, 13))]  # A1:XFD1048576 clipped to the grid


def test_limits_count_every_sheet_of_the_workbook():
    limits = Limits()
    assert limits.cell_budget == 4_000_000
    assert Limits(max_rows=2_000_000).cell_budget == 52_000_000  # raising --max-rows raises the budget with it


def test_check_of_several_files_survives_an_abort_and_a_panic(tmp_path):
    abort = _marked(SAMPLES / "03-th-kim-dong.xlsx", tmp_path / "abort.xlsx", "ABORT-ME")
    panic = _marked(SAMPLES / "03-th-kim-dong.xlsx", tmp_path / "panic.xlsx", "PANIC-ME")
    good = SAMPLES / "01-mn-hoa-sen.xlsx"
    res = _dvht("check", str(abort), str(panic), str(good), "-o", str(tmp_path / "o"), "--json", faults=True)
    assert res.returncode == 1, res.stderr
    assert "Traceback" not in res.stderr
    by_file = {Path(r["file"]).name: r for r in json.loads(res.stdout)}
    assert by_file["01-mn-hoa-sen.xlsx"]["level"] == 2  # the good file after the bad ones is still evaluated
    assert by_file["abort.xlsx"]["level"] is None and by_file["panic.xlsx"]["level"] is None
    assert "tín hiệu SIGABRT" in by_file["abort.xlsx"]["findings"][0]["message"]
    assert "PanicException: xlsb/mod.rs: no entry found for key" in by_file["panic.xlsx"]["findings"][0]["message"]


def test_ho_so_of_several_files_survives_an_abort_and_a_hang(tmp_path):
    # `ho-so` read each file in its own process: a file that aborted the reader ended the command (exit 134, no
    # dossier for the files after it), one that hung it ran for ever
    abort = _marked(SAMPLES / "03-th-kim-dong.xlsx", tmp_path / "abort.xlsx", "ABORT-ME")
    hang = _marked(SAMPLES / "03-th-kim-dong.xlsx", tmp_path / "treo.xlsx", "HANG-ME")
    res = _dvht("ho-so", str(abort), str(hang), str(SAMPLES / "01-mn-hoa-sen.xlsx"), "-o", str(tmp_path / "o"),
                "--max-seconds", "2", faults=True)
    assert res.returncode == 1, res.stderr
    err = " ".join(res.stderr.split())
    assert f"Tệp {abort} không đánh giá được nên không lập hồ sơ" in err and "tín hiệu SIGABRT" in err, err
    assert f"Tệp {hang} không đánh giá được nên không lập hồ sơ" in err and render(Code.FILE_TIMED_OUT, limit=2) in err, err
    assert "Traceback" not in res.stderr
    assert sorted(p.name for p in (tmp_path / "o").iterdir()) == ["MN-HOASEN"]
    assert len(list((tmp_path / "o" / "MN-HOASEN").glob("*.docx"))) == 8


def test_bad_roster_does_not_stop_the_batch(hostile, tmp_path):
    src = tmp_path / "in"
    src.mkdir()
    shutil.copy(SAMPLES / "01-mn-hoa-sen.xlsx", src)
    for roster in (hostile["unique-count.xlsx"], _marked(SAMPLES / "01-mn-hoa-sen.xlsx", tmp_path / "r.xlsx",
                                                         "ABORT-ME")):
        out = tmp_path / f"out-{roster.stem}"
        res = _dvht("batch", str(src), "-o", str(out), "--roster", str(roster), "--jobs", "1", faults=True)
        assert res.returncode == 0, res.stdout + res.stderr  # the inputs were all evaluated
        assert "Không đọc được danh sách đơn vị" in res.stdout
        status = openpyxl.load_workbook(out / "tong-hop.xlsx")["Tình hình nộp"]
        assert any("Không đọc được danh sách đơn vị" in (c.value or "") for c in status["A"])


def test_roster_problem_is_text_not_a_crash(hostile):
    roster = read_roster(hostile["unique-count.xlsx"])
    # the reader's cause in the roster's words, not the school's advice ("… rồi gửi lại") after "Không đọc được"
    cause = next(f.detail for f in read_workbook(hostile["unique-count.xlsx"]).findings if f.code == "file-size-hint")
    assert roster.units == [] and roster.problem == render(Code.ROSTER_UNREADABLE, detail=cause)
    assert "bảng chuỗi khai báo" in cause and "gửi lại" not in roster.problem


# ------------------------------------------------------------------------------------------- 11: reader panics


class PanicException(BaseException):
    """Like pyo3_runtime.PanicException: a BaseException whose pickling fails."""

    def __reduce__(self):
        raise TypeError("Can't pickle <class 'pyo3_runtime.PanicException'>")


def test_a_reader_panic_becomes_a_finding_in_process(monkeypatch, tmp_path):
    def panics(data):
        raise PanicException("cfb.rs: range end index 64 out of range")

    monkeypatch.setattr(read, "open_calamine", panics)
    result, sub = evaluate_path(SAMPLES / "01-mn-hoa-sen.xlsx")
    assert not result.evaluated
    assert result.findings[0].message == read.finding(
        "file-unreadable", detail="bộ đọc sổ tính bị lỗi khi đọc tệp (PanicException: cfb.rs: range end index 64 "
                                  "out of range)").message
    # the worker's answer is plain data: it pickles, whatever the reader raised (issue 13: a summary row and ready
    # fragments, never the UnitResult)
    monkeypatch.setattr(batch, "_CONFIG", WorkerConfig(None, Limits(), 0, fragments=FragmentSpec(None)))
    task = Task(0, str(SAMPLES / "01-mn-hoa-sen.xlsx"), "01.xlsx", str(tmp_path / "0.xlsx"))
    row, fragment, write_failed = pickle.loads(pickle.dumps(batch._work_packed(task)))
    assert not row.evaluated and write_failed is None
    assert [f["code"] for f in json.loads(fragment.json)["findings"]] == ["file-unreadable"]
    # check in this process too (the CLI runner): no traceback, exit 1, the next file still evaluated
    res = CliRunner().invoke(cli, ["check", str(SAMPLES / "01-mn-hoa-sen.xlsx"), "-o", str(tmp_path / "o")])
    assert res.exit_code == 1, res.output
    assert isinstance(res.exception, SystemExit) and "PanicException" in res.output


def test_a_reader_panic_and_abort_in_batch_workers(tmp_path):
    src = tmp_path / "in"
    src.mkdir()
    _marked(SAMPLES / "03-th-kim-dong.xlsx", src / "panic.xlsx", "PANIC-ME")
    _marked(SAMPLES / "03-th-kim-dong.xlsx", src / "abort.xlsx", "ABORT-ME")
    for sample in sorted(SAMPLES.glob("0[1-4]*.xlsx")):
        shutil.copy(sample, src)
    out = tmp_path / "out"
    res = _dvht("batch", str(src), "-o", str(out), "--jobs", "2", faults=True)
    assert res.returncode == 1, res.stdout + res.stderr
    assert "pickle" not in res.stdout + res.stderr and "Lỗi không mong đợi" not in res.stderr
    rows = {r["file"]: r for r in csv.DictReader(io.StringIO((out / "tong-hop.csv").read_text(encoding="utf-8-sig")))}
    assert len(rows) == 6
    assert rows["panic.xlsx"]["result"] == rows["abort.xlsx"]["result"] == "Không đánh giá được"
    assert "PanicException" in rows["panic.xlsx"]["reason"]
    assert sum(r["result"] != "Không đánh giá được" for r in rows.values()) == 4


def test_a_real_calamine_panic_in_check_and_batch(tmp_path):
    # no injection: a date cell of -1e308 panics inside python-calamine itself (found by tests/test_fuzz.py)
    src = tmp_path / "in"
    src.mkdir()
    corpus.date_out_of_range(src / "ngay.xlsx")
    shutil.copy(SAMPLES / "01-mn-hoa-sen.xlsx", src)
    res = CliRunner().invoke(cli, ["check", str(src / "ngay.xlsx"), str(src / "01-mn-hoa-sen.xlsx"), "-o",
                                   str(tmp_path / "o"), "--json"])
    assert res.exit_code == 1, res.output
    first, second = json.loads(res.output)
    assert "PanicException: TimeDelta::milliseconds out of bounds" in first["findings"][0]["message"]
    assert second["level"] == 2
    res = CliRunner().invoke(cli, ["batch", str(src), "-o", str(tmp_path / "b"), "--jobs", "2"])
    assert res.exit_code == 1, res.output
    rows = list(csv.DictReader(io.StringIO((tmp_path / "b" / "tong-hop.csv").read_text(encoding="utf-8-sig"))))
    assert sorted((r["file"], r["result"]) for r in rows) == [("01-mn-hoa-sen.xlsx", "Đạt mức độ 2"),
                                                              ("ngay.xlsx", "Không đánh giá được")]


def test_a_reader_panic_leaves_no_english_lines_on_the_console(tmp_path):
    # python-calamine panics (in Rust) on a date cell holding -1e308; Rust's panic hook writes "thread '<unnamed>'
    # panicked at …" and, with RUST_BACKTRACE set, a backtrace straight to file descriptor 2. The officer reads the
    # file's Vietnamese finding instead, in the batch's workers and in `check`'s isolated child alike.
    src = tmp_path / "in"
    src.mkdir()
    corpus.date_out_of_range(src / "ngay.xlsx")
    shutil.copy(SAMPLES / "01-mn-hoa-sen.xlsx", src)
    env = {**os.environ, "RUST_BACKTRACE": "1"}
    for args in (["batch", str(src), "-o", str(tmp_path / "out"), "--jobs", "2"],
                 ["check", str(src / "ngay.xlsx"), "--json", "-o", str(tmp_path / "o")]):
        res = subprocess.run([sys.executable, "-m", "dvht_sheets", *args], capture_output=True, text=True,
                             encoding="utf-8", env=env, cwd=ROOT, timeout=300)
        assert res.returncode == 1, res.stderr
        assert "panicked" not in res.stderr and "backtrace" not in res.stderr, res.stderr
        assert "PanicException: TimeDelta::milliseconds out of bounds" in res.stdout


def test_a_quieted_worker_still_shows_what_python_writes_to_stderr():
    # only what native code writes to descriptor 2 goes nowhere: Python's own messages (a warning, a traceback
    # printed by the process) still reach the console
    code = ("import os, sys\nfrom dvht_sheets.batch import run_isolated\n"
            "def f():\n    print('from Python', file=sys.stderr)\n    os.write(2, b'from native code\\n')\n"
            "    return 7\n"
            "print(run_isolated(f))\n")
    res = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, encoding="utf-8", cwd=ROOT,
                         timeout=60)
    assert res.stdout.strip() == "7"
    assert "from Python" in res.stderr and "from native code" not in res.stderr


def _docx_texts(path: Path) -> list[str]:
    import docx

    d = docx.Document(path)
    return [p.text for p in d.paragraphs] + [c.text for t in d.tables for r in t.rows for c in r.cells]


def test_dossiers_after_a_file_that_aborts_the_reader(tmp_path):
    # `batch --ho-so`: the batch reports the file that kills the reader, and the dossier stage does not read it again
    # (it would die again, and used to end the whole run with "A process in the process pool was terminated
    # abruptly", leaving no output at all); the office's report lists it with its reason
    src = _inputs(tmp_path, ("03-th-kim-dong.xlsx", "abort.xlsx", "ABORT-ME"), "01-mn-hoa-sen.xlsx")
    out = tmp_path / "out"
    res = _dvht("batch", str(src), "-o", str(out), "--ho-so", "--jobs", "2", faults=True)
    assert res.returncode == 1, res.stdout + res.stderr
    assert "Lỗi không mong đợi" not in res.stdout + res.stderr
    assert (out / "tong-hop.xlsx").exists() and (out / "don-vi" / "MN-HOASEN_ket-qua.xlsx").exists()
    assert len(list((out / "ho-so" / "MN-HOASEN").glob("*.docx"))) == 8
    report = _docx_texts(out / "ho-so" / "bao-cao-tham-dinh.docx")
    said = pool_crash_messages("tín hiệu SIGABRT")  # the pool's worker died of SIGABRT
    assert any(f"- abort.xlsx: {text.removesuffix('.')};" in report for text in said)  # the list's ";", not ".;"


def test_a_dossier_worker_that_dies_keeps_the_batch_outputs(tmp_path):
    # a worker of the dossier stage dies (the file was evaluated fine): the batch's outputs stay, the dossiers written
    # so far and the office's documents are kept, and the run says in Vietnamese what is missing
    # two units (with one mã đơn vị only the file the summary counts would get a dossier, and one dossier is
    # rendered in this process, not in a worker)
    src = _inputs(tmp_path, ("01-mn-hoa-sen.xlsx", "chet.xlsx", "DOSSIER-DIES"), "03-th-kim-dong.xlsx")
    out = tmp_path / "out"
    res = _dvht("batch", str(src), "-o", str(out), "--ho-so", "--jobs", "2", faults=True)
    assert "Lỗi không mong đợi" not in res.stdout + res.stderr
    assert "Một tiến trình viết hồ sơ bị dừng đột ngột" in res.stderr
    assert res.returncode != 0
    rows = list(csv.DictReader(io.StringIO((out / "tong-hop.csv").read_text(encoding="utf-8-sig"))))
    assert sorted((r["file"], r["result"]) for r in rows) == [("03-th-kim-dong.xlsx", "Đạt mức độ 2"),
                                                             ("chet.xlsx", "Đạt mức độ 2")]
    assert (out / "ket-qua.json").exists() and len(list((out / "don-vi").glob("*_ket-qua.xlsx"))) == 2
    assert (out / "ho-so" / "bao-cao-tham-dinh.docx").exists()


HANGING = ("03-th-kim-dong.xlsx", "treo.xlsx", "HANG-ME")  # a file on which the hooked reader never returns


def test_a_file_that_makes_the_reader_hang_costs_that_file_only(tmp_path):
    # the reader never returns on one file (a loop inside Rust code would ignore Python's own signals): its worker is
    # ended after --max-seconds, the file is reported in Vietnamese, and every other file is evaluated — in the
    # batch, and in check
    src = _inputs(tmp_path, HANGING, "01-mn-hoa-sen.xlsx", "02-mn-anh-duong.xlsx")
    start = time.monotonic()
    res = _dvht("batch", str(src), "-o", str(tmp_path / "out"), "--jobs", "2", "--max-seconds", "2", faults=True)
    assert res.returncode == 1, res.stdout + res.stderr
    rows = {r["file"]: r for r in csv.DictReader(io.StringIO(
        (tmp_path / "out" / "tong-hop.csv").read_text(encoding="utf-8-sig")))}
    assert rows["treo.xlsx"]["result"] == "Không đánh giá được"
    assert render(Code.FILE_TIMED_OUT, limit=2) in rows["treo.xlsx"]["reason"]
    assert sum(r["result"] != "Không đánh giá được" for r in rows.values()) == 2
    res = _dvht("check", str(src / "treo.xlsx"), str(src / "01-mn-hoa-sen.xlsx"), "--json", "--max-seconds", "2",
                "-o", str(tmp_path / "o"), faults=True)
    first, second = json.loads(res.stdout)
    assert first["findings"][0]["message"] == render(Code.FILE_TIMED_OUT, limit=2) and second["level"] == 2
    assert time.monotonic() - start < 120  # two rounds of the limit for the batch (pool, then alone), one for check


def test_the_time_limit_ends_a_process_whatever_it_runs():
    # time_limit's SIGALRM needs no help from the interpreter: a child stuck in a C call (here sleeping in the C
    # library with no Python code between) is ended; and a file inside its limit is untouched
    code = ("import ctypes, sys\nfrom dvht_sheets.batch import run_isolated, IsolationFailed\n"
            "libc = ctypes.CDLL(None)\n"
            "try:\n    run_isolated(libc.sleep, 30, seconds=1)\nexcept IsolationFailed as e:\n"
            "    print('ended', e.timed_out, e.why)\n"
            "print(run_isolated(sum, [1, 2], seconds=5))\n")
    res = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, encoding="utf-8", cwd=ROOT,
                         timeout=60)
    assert res.stdout.split("\n")[:2] == ["ended True tín hiệu SIGALRM", "3"], res.stdout + res.stderr


def test_a_hanging_file_is_ended_by_the_parent_where_a_worker_cannot_end_itself(tmp_path):
    # Windows has no SIGALRM: the workers get no limit of their own (simulated here), the pool that finishes nothing
    # for a whole chunk's limit is ended, and the file alone is ended by the parent after its limit
    src = _inputs(tmp_path, HANGING, "01-mn-hoa-sen.xlsx", "02-mn-anh-duong.xlsx")
    start = time.monotonic()
    res = _dvht("batch", str(src), "-o", str(tmp_path / "out"), "--jobs", "2", "--max-seconds", "2", faults=True,
                env_extra={"DVHT_TEST_NO_ALARM": "1"})
    assert res.returncode == 1, res.stdout + res.stderr
    rows = {r["file"]: r for r in csv.DictReader(io.StringIO(
        (tmp_path / "out" / "tong-hop.csv").read_text(encoding="utf-8-sig")))}
    assert render(Code.FILE_TIMED_OUT, limit=2) in rows["treo.xlsx"]["reason"]
    assert sum(r["result"] != "Không đánh giá được" for r in rows.values()) == 2
    assert time.monotonic() - start < 120
