"""The messages about the run rather than about a school's data: the files of the input folder not read, a roster
not used, a run that cannot be done, a file the reader could not finish, why a file could not be written. They are
catalogue entries like every finding (findings.py; style.md: one catalogue of messages), so each test builds the
expected text from the entry, and rewording one never breaks a test.

Requirement: outputs.md "Exit status" and "Guarantees"; the brief: one catalogue of messages, bad input gets a clear
Vietnamese message.
"""

from __future__ import annotations

import dataclasses
import errno
import os
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from dvht_sheets import batch as batch_module
from dvht_sheets import bundled, read, roster as roster_module
from dvht_sheets import cli as cli_module
from dvht_sheets.batch import IsolationFailed, discover, evaluate_path, read_roster_isolated
from dvht_sheets.cli import cli
from dvht_sheets.findings import CATALOGUE, Code, Severity, render
from dvht_sheets.model import RawWorkbook
from dvht_sheets.report.files import describe_os_error
from dvht_sheets.report.stats import SHOWN_DUPLICATE_WARNINGS, duplicate_warnings
from dvht_sheets.report.summary import unit_row

SAMPLES = Path(__file__).resolve().parents[1] / "dvht_sheets" / "data" / "samples"
GOOD = SAMPLES / "03-th-kim-dong.xlsx"


def test_the_files_not_read_are_named_with_their_reason(tmp_path, monkeypatch):
    src = tmp_path / "in"
    (src / "khoa").mkdir(parents=True)
    shutil.copy(GOOD, src / "a.xlsx")
    shutil.copy(GOOD, src / "~$a.xlsx")  # Excel's lock file beside an open workbook
    shutil.copy(GOOD, src / ".tmp-b.xlsx")  # a temporary file of the tool's own naming
    (src / "ghi-chu.txt").write_text("ghi chú", encoding="utf-8")
    shutil.copy(GOOD, src / "mat.xlsx")
    real = os.scandir

    class Unreadable:  # one entry whose details cannot be read (a file vanishing or a share failing mid-scan)
        def __init__(self, entry):
            self.name, self.path = entry.name, entry.path

        def stat(self, follow_symlinks=True):
            raise PermissionError(13, "Permission denied", self.path)

    def scandir(path):
        if Path(path).name == "khoa":  # tests run as root, for whom chmod 000 does not stop a read
            raise PermissionError(13, "Permission denied", str(path))
        return [Unreadable(e) if e.name == "mat.xlsx" else e for e in real(path)]

    monkeypatch.setattr(batch_module.os, "scandir", scandir)
    found = discover(src)
    assert [rel for _, rel in found.inputs] == ["a.xlsx"]
    assert found.skipped == [
        (".tmp-b.xlsx", render(Code.SKIP_TEMPORARY)),
        ("ghi-chu.txt", render(Code.SKIP_NOT_WORKBOOK)),
        ("khoa", render(Code.SKIP_FOLDER_UNREADABLE, detail="Permission denied")),
        ("mat.xlsx", render(Code.SKIP_ENTRY_UNREADABLE, detail="Permission denied")),
        ("~$a.xlsx", render(Code.SKIP_EXCEL_LOCK)),
    ]
    assert all(CATALOGUE[c].severity == Severity.WARNING for c in Code if c.startswith("skip-"))


def test_a_roster_that_cannot_be_used_says_why(tmp_path, monkeypatch):
    from .corpus import encrypted

    # the reader's findings that carry no cause of their own are said of the roster, not with the school's advice
    encrypted(tmp_path / "khoa.xlsx")
    assert roster_module.read_roster(tmp_path / "khoa.xlsx").problem == render(Code.ROSTER_ENCRYPTED)
    (tmp_path / "rong.xlsx").write_bytes(b"")
    assert roster_module.read_roster(tmp_path / "rong.xlsx").problem == render(Code.ROSTER_NO_SHEET)
    folder = tmp_path / "danh-sach.csv"
    folder.mkdir()  # a folder given where the roster file was meant
    assert roster_module.read_roster(folder).problem == render(Code.ROSTER_UNREADABLE,
                                                               detail=f"[Errno 21] Is a directory: '{folder}'")
    monkeypatch.setattr(roster_module, "read_workbook", lambda path: RawWorkbook(path=str(path), sha256="", size=0))
    assert roster_module.read_roster(tmp_path / "r.xlsx").problem == render(Code.ROSTER_NO_SHEET)

    def timed_out(*args, **kwargs):
        raise IsolationFailed("quá 60 giây", timed_out=True)

    monkeypatch.setattr(batch_module, "run_isolated", timed_out)
    limit = batch_module.DEFAULT_LIMITS.max_seconds
    assert read_roster_isolated(tmp_path / "r.xlsx").problem == render(Code.ROSTER_TIMED_OUT, limit=limit)

    def crashed(*args, **kwargs):
        raise IsolationFailed("tín hiệu SIGABRT")

    monkeypatch.setattr(batch_module, "run_isolated", crashed)
    assert read_roster_isolated(tmp_path / "r.xlsx").problem == render(Code.ROSTER_CRASHED, detail="tín hiệu SIGABRT")


def test_a_file_that_needs_too_much_memory_is_that_files_own_finding(monkeypatch):
    # before: `file-unreadable` with the detail "tệp cần quá nhiều bộ nhớ để đọc", said in two places
    assert read._reader_failure(MemoryError()).code == Code.FILE_OUT_OF_MEMORY

    def hungry(*args, **kwargs):
        raise MemoryError

    monkeypatch.setattr(batch_module, "read_workbook", hungry)
    result, sub = evaluate_path(GOOD, display_name="a.xlsx")
    assert sub is None and not result.evaluated
    assert [(f.code, f.severity, f.message) for f in result.findings] == [
        ("file-out-of-memory", "fatal", render(Code.FILE_OUT_OF_MEMORY))]


def test_a_dead_child_is_said_by_its_signal_or_exit_code():
    import signal

    assert batch_module._ended_by(-signal.SIGKILL) == "tín hiệu SIGKILL"
    assert batch_module._ended_by(-200) == "tín hiệu 200"
    assert batch_module._ended_by(3) == "mã thoát 3"
    assert batch_module._ended_by(None) == "không rõ nguyên nhân"



def test_a_dead_pool_worker_is_a_time_limit_or_a_crash():
    # Before (a CI run on a loaded machine): a file that hung was reported as crashed, "không rõ nguyên nhân", when
    # the worker's exit code had not reached the parent. A worker that died unknown after its whole limit was ended
    # by its own alarm; 255 is multiprocessing's "unknown", not a code of ours.
    import signal

    task = batch_module.Task(0, "treo.xlsx", "treo.xlsx", "")

    def said(*args):
        return batch_module._crashed(task, *args).findings[0].message

    assert said(-signal.SIGALRM, 2, 0.1) == render(Code.FILE_TIMED_OUT, limit=2)
    assert said(None, 2, 2.4) == said(255, 2, 2.4) == render(Code.FILE_TIMED_OUT, limit=2)
    assert said(None, 2, 0.3) == said(255, 2, 0.3) == render(Code.FILE_CRASHED, detail="không rõ nguyên nhân")
    assert said(3, 2, 9.0) == render(Code.FILE_CRASHED, detail="mã thoát 3")  # a code of its own is a crash
    assert said(None, 0, 9.0) == render(Code.FILE_CRASHED, detail="không rõ nguyên nhân")  # no limit set


def test_more_repeated_codes_than_shown_are_counted():
    result, _ = evaluate_path(GOOD, display_name="a.xlsx")
    row = unit_row(0, result, "")
    extra = 3
    rows = [dataclasses.replace(row, unit_code=f"DV{i:02d}", file=f"{i:02d}-{copy}.xlsx")
            for i in range(SHOWN_DUPLICATE_WARNINGS + extra) for copy in ("a", "b")]
    lines = duplicate_warnings(rows)
    assert len(lines) == SHOWN_DUPLICATE_WARNINGS + 1
    assert lines[0] == render(Code.RUN_UNIT_CODE_REPEATED, value="DV00", detail=2, expected="00-a.xlsx, 00-b.xlsx",
                              file="00-b.xlsx")
    assert lines[-1] == render(Code.RUN_MORE_CODES_REPEATED, detail=extra)


def test_the_command_line_says_its_own_failures_from_the_catalogue(monkeypatch, capsys, tmp_path):
    res = CliRunner().invoke(cli, ["batch", str(SAMPLES), "-o", str(tmp_path / "o"), "--pdf"])
    assert res.exit_code == 2 and render(Code.RUN_OPTIONS_NEED_HO_SO) in res.output

    def missing(name):
        raise bundled.MissingBundledFiles(f"/cai-dat/dvht_sheets/data/{name}")

    monkeypatch.setattr(bundled, "bundled_dir", missing)
    res = CliRunner().invoke(cli, ["demo", "-o", str(tmp_path / "d")])
    assert res.exit_code == 1
    assert render(Code.RUN_INSTALL_INCOMPLETE, detail="/cai-dat/dvht_sheets/data/samples") in res.output

    for raised, code, text in ((KeyboardInterrupt(), 130, render(Code.RUN_STOPPED)),
                               (RuntimeError("hỏng"), 1, render(Code.RUN_UNEXPECTED_ERROR, detail="hỏng"))):
        def boom(*args, _exc=raised, **kwargs):
            raise _exc

        monkeypatch.setattr(cli_module.cli, "main", boom)
        with pytest.raises(SystemExit) as exit_:
            cli_module.main()
        assert exit_.value.code == code
        assert capsys.readouterr().err.strip() == text


@pytest.mark.parametrize("number, code", [
    ("ENOSPC", Code.CAUSE_DISK_FULL), ("EROFS", Code.CAUSE_READ_ONLY), ("EACCES", Code.CAUSE_NO_PERMISSION),
    ("EPERM", Code.CAUSE_NO_PERMISSION), ("ENOENT", Code.CAUSE_FOLDER_GONE), ("ENOTDIR", Code.CAUSE_NOT_A_FOLDER),
    ("ENAMETOOLONG", Code.CAUSE_NAME_TOO_LONG), ("EIO", Code.CAUSE_DISK_IO), ("EDQUOT", Code.CAUSE_QUOTA)])
def test_a_write_failure_names_its_cause_and_the_systems_code(number, code):
    exc = OSError(getattr(errno, number), "English text from the system", "/kq/tong-hop.xlsx")
    assert describe_os_error(exc) == f"{render(code)} (mã lỗi hệ thống {number})"


def test_a_file_held_open_on_windows_is_named_with_its_program():
    for name, program in (("tong-hop.xlsx", "Excel"), ("02-to-trinh.docx", "Word"), ("02-to-trinh.pdf", "trình đọc PDF")):
        exc = PermissionError(errno.EACCES, "being used by another process", f"/kq/{name}")
        exc.winerror = 32  # ERROR_SHARING_VIOLATION
        assert describe_os_error(exc) == (render(Code.CAUSE_HELD_OPEN, file=f"tệp {name}", detail=program)
                                          + " (mã lỗi hệ thống WinError 32)")
    exc = PermissionError(errno.EACCES, "Access is denied", "/kq/.tmp-x1y2.xlsx", None, "/kq/tong-hop.xlsx")
    exc.winerror = 5  # ERROR_ACCESS_DENIED: also a folder without write permission
    assert describe_os_error(exc) == (render(Code.CAUSE_HELD_OPEN_OR_DENIED, file="tệp tong-hop.xlsx", detail="Excel")
                                      + " (mã lỗi hệ thống WinError 5)")
    exc = PermissionError(errno.EACCES, "being used by another process", "/kq/.tmp-x1y2.xlsx")
    exc.winerror = 33  # ERROR_LOCK_VIOLATION on our own temporary name: said as "the result file"
    assert describe_os_error(exc).startswith(render(Code.CAUSE_HELD_OPEN, file="tệp kết quả", detail="Excel"))


def test_the_conclusion_of_a_file_with_two_fatal_problems_has_no_full_stop_before_a_semicolon(tmp_path):
    # "… trong bản tổng hợp.; 'Năm đánh giá' …" in tong-hop.xlsx (Tổng hợp, Danh sách), the unit's workbook and the
    # office's Báo cáo thẩm định: each message is a sentence, and they follow one another as sentences do
    from tests.helpers import standard_data, write_standard

    data = standard_data(5)
    data.unit["ma_don_vi"] = data.unit["nam_danh_gia"] = None
    result, _ = evaluate_path(write_standard(tmp_path / "a.xlsx", data))
    why = render(Code.UNIT_CODE_MISSING, cell="B5") + " " + render(Code.UNIT_YEAR_INVALID, cell="B10", value="(trống)")
    assert result.conclusion == "Không đánh giá được: " + why
    # the summary's reason (the terminal, tong-hop.xlsx and .csv, the office's documents)
    assert unit_row(0, result, "").reason == why


def test_a_zip_that_holds_no_workbook_is_said_in_vietnamese(tmp_path):
    # before: "Không đọc được tệp: Cannot detect file format." (calamine's words) for a .docx or a zipped folder
    # renamed .xlsx
    import zipfile

    path = tmp_path / "ho-so.xlsx"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("bao-cao.txt", "không phải sổ tính")
    result, _ = evaluate_path(path, display_name="ho-so.xlsx")
    assert [f.code for f in result.findings] == ["file-unreadable"]
    words = "không thấy sổ tính Excel hay OpenDocument nào bên trong tệp nén"
    assert result.findings[0].message == render(Code.FILE_UNREADABLE, detail=f"{words} (Cannot detect file format)")
    assert read._in_vietnamese("File not found 'xl/workbook.xml'") == \
        "sổ tính thiếu phần 'xl/workbook.xml' (File not found 'xl/workbook.xml')"
    assert read._in_vietnamese("something new") == "something new"  # what is not known stays as the reader said it
