"""The tool as it runs on Windows, where most secretaries and officers work, reproduced on Linux by the fault hooks'
DVHT_TEST_WINDOWS (tests/hooks/sitecustomize.py): no `resource` or `fcntl` module, no os.fork, no SIGALRM, only the
spawn start method, and msvcrt's file lock. Every command must run there, and keep its guarantees: one file that
kills or hangs the reader costs that file only (outputs.md "Guarantees"), and a second run on the same output folder
is refused while the first holds it.

Until this test existed, `import resource` at the top of batch.py stopped every command on Windows before it began.
"""

import contextlib
import csv
import fcntl
import io
import json
import os
import pickle
import subprocess
import sys
import time
from pathlib import Path

import openpyxl

from dvht_sheets.findings import Code, render
from dvht_sheets.report.files import describe_os_error

from .test_hostile import _dvht, _marked

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = ROOT / "dvht_sheets" / "data" / "samples"
HOOKS = Path(__file__).resolve().parent / "hooks"


def _windows(*args: str, cwd: Path, faults: bool = False,
             env_extra: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    # test_hostile's runner, with the hooks always on the path and the simulation switched on
    return _dvht(*args, faults=faults, cwd=cwd, env_extra={
        **(env_extra or {}), "DVHT_TEST_WINDOWS": "1", "PYTHONPATH": os.pathsep.join([str(HOOKS), str(ROOT)])})


def test_the_simulation_is_windows_to_our_code(tmp_path):
    # what the tests below rely on: the gaps are there for our code, and the standard library still runs
    probe = ("import os, signal, multiprocessing as mp\n"
             "try:\n    import resource\nexcept ImportError:\n    print('no resource')\n"
             "try:\n    import fcntl\nexcept ImportError:\n    print('no fcntl')\n"
             "import msvcrt\n"
             "print(hasattr(os, 'fork'), hasattr(signal, 'SIGALRM'), mp.get_start_method())\n"
             "try:\n    mp.get_context('forkserver')\nexcept ValueError:\n    print('no forkserver')\n")
    env = {**os.environ, "DVHT_TEST_WINDOWS": "1", "PYTHONPATH": str(HOOKS)}
    res = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, env=env, cwd=tmp_path,
                         timeout=60)
    assert res.stdout.split("\n")[:4] == ["no resource", "no fcntl", "False False spawn", "no forkserver"], res.stderr


def test_every_command_runs(tmp_path):
    res = _windows("--help", cwd=tmp_path)
    assert res.returncode == 0 and "Lệnh:" in res.stdout, res.stderr
    res = _windows("template", "--cap", "huyen", "-o", str(tmp_path / "mau.xlsx"), cwd=tmp_path)
    assert res.returncode == 0 and (tmp_path / "mau.xlsx").stat().st_size > 0, res.stderr
    res = _windows("rules", "list", cwd=tmp_path)
    assert res.returncode == 0 and "tt24-2023" in res.stdout, res.stderr
    res = _windows("check", str(SAMPLES / "01-mn-hoa-sen.xlsx"), "-o", str(tmp_path / "kq"), "--json", cwd=tmp_path)
    assert res.returncode == 0, res.stderr
    (unit,) = json.loads(res.stdout)
    assert unit["level"] == 2 and unit["indicators"]
    assert openpyxl.load_workbook(tmp_path / "kq" / "MN-HOASEN_ket-qua.xlsx", read_only=True).sheetnames[0] == "Kết quả"
    res = _windows("demo", "-o", str(tmp_path / "demo"), cwd=tmp_path)
    assert res.returncode in (0, 1), res.stderr  # 1: the samples include units that do not pass (outputs.md)
    assert (tmp_path / "demo" / "tong-hop.xlsx").is_file()
    res = _windows("ho-so", str(SAMPLES / "01-mn-hoa-sen.xlsx"), str(SAMPLES / "03-th-kim-dong.xlsx"), "-o",
                   str(tmp_path / "hs"), cwd=tmp_path)
    assert res.returncode == 0, res.stderr
    assert len(list((tmp_path / "hs").glob("*/*.docx"))) == 16


def test_check_on_windows_costs_a_crashing_or_hanging_file_only_that_file(tmp_path):
    # No fork: each file runs in a spawned child; a reader that aborts ends the child only, and one that hangs is
    # ended by the parent (there is no SIGALRM for the child to end itself) after the limit × 1.25 + 5 s.
    src = tmp_path / "in"
    src.mkdir()
    good = SAMPLES / "01-mn-hoa-sen.xlsx"
    abort = _marked(good, src / "vo.xlsx", "ABORT-ME")
    hang = _marked(good, src / "treo.xlsx", "HANG-ME")
    start = time.monotonic()
    res = _windows("check", str(abort), str(hang), str(good), "-o", str(tmp_path / "o"), "--json",
                   "--max-seconds", "2", cwd=tmp_path, faults=True)
    assert res.returncode == 1, res.stderr
    first, second, third = json.loads(res.stdout)
    assert first["level"] is None and not first["indicators"]
    assert first["findings"][0]["code"] == "file-crashed"
    assert second["level"] is None and not second["indicators"]
    assert second["findings"][0]["message"] == render(Code.FILE_TIMED_OUT, limit=2)
    assert third["level"] == 2
    assert time.monotonic() - start < 60
    assert "Traceback" not in res.stderr, res.stderr


def test_a_batch_on_windows_reports_the_file_that_kills_its_worker(tmp_path):
    src = tmp_path / "in"
    src.mkdir()
    for name in ("01-mn-hoa-sen.xlsx", "03-th-kim-dong.xlsx"):
        (src / name).write_bytes((SAMPLES / name).read_bytes())
    _marked(SAMPLES / "02-mn-anh-duong.xlsx", src / "vo.xlsx", "ABORT-ME")
    res = _windows("batch", str(src), "-o", str(tmp_path / "out"), "--jobs", "2", cwd=tmp_path, faults=True)
    assert res.returncode == 1, res.stderr
    rows = {r["file"]: r for r in csv.DictReader(io.StringIO(
        (tmp_path / "out" / "tong-hop.csv").read_text(encoding="utf-8-sig")))}
    assert rows["vo.xlsx"]["result"] == "Không đánh giá được"
    assert {rows[n]["result"] != "Không đánh giá được" for n in ("01-mn-hoa-sen.xlsx", "03-th-kim-dong.xlsx")} == {True}
    assert len(list((tmp_path / "out" / "don-vi").glob("*_ket-qua.xlsx"))) == 2


def test_a_second_run_on_a_locked_output_folder_is_refused_with_msvcrt(tmp_path):
    # msvcrt.locking is the lock on Windows: while another run holds the folder, this one stops with the Vietnamese
    # message and exit 2 (outputs.md: a usage error), and writes nothing there. The lock is mandatory there: the
    # holder's PID in the lock file cannot be read (before: exit 3, "không có quyền ghi" / "Bad file descriptor")
    src = tmp_path / "in"
    src.mkdir()
    (src / "a.xlsx").write_bytes((SAMPLES / "01-mn-hoa-sen.xlsx").read_bytes())
    out = tmp_path / "out"
    out.mkdir()
    with open(out / ".dvht-lock", "a+") as held:
        fcntl.flock(held.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)  # what the simulated msvcrt.locking takes
        res = _windows("batch", str(src), "-o", str(out), cwd=tmp_path)
    assert res.returncode == 2, (res.stdout, res.stderr)
    assert "đang được một lần chạy khác sử dụng" in res.stdout + res.stderr
    assert not (out / "tong-hop.xlsx").exists()
    res = _windows("batch", str(src), "-o", str(out), cwd=tmp_path)  # released: the run goes ahead
    assert res.returncode == 0, res.stderr
    assert (out / "tong-hop.xlsx").is_file()


def test_a_result_still_open_in_excel_is_named_with_what_to_do(tmp_path):
    # The officer runs the batch again with last run's tong-hop.xlsx open in Excel: Windows refuses to replace it
    # (ERROR_ACCESS_DENIED, errno EACCES). The message names the file and says to close it, not only "no permission".
    src = tmp_path / "in"
    src.mkdir()
    (src / "a.xlsx").write_bytes((SAMPLES / "01-mn-hoa-sen.xlsx").read_bytes())
    out = tmp_path / "out"
    assert _windows("batch", str(src), "-o", str(out), cwd=tmp_path).returncode == 0
    before = (out / "tong-hop.xlsx").read_bytes()
    unit_written = {p: p.stat().st_mtime_ns for p in (out / "don-vi").iterdir()}
    for held in ("tong-hop.xlsx", "tong-hop.csv"):
        res = _windows("batch", str(src), "-o", str(out), cwd=tmp_path, env_extra={"DVHT_TEST_OPEN_IN_EXCEL": held})
        assert res.returncode == 3, (res.stdout, res.stderr)
        assert (f"Không ghi được kết quả vào thư mục {out}: tệp {held} đang được mở trong Excel hoặc một chương trình "
                "khác: hãy đóng tệp rồi chạy lại (mã lỗi hệ thống WinError 32)") in res.stderr
        # said before any file is evaluated, not after the whole run: nothing was written
        assert {p: p.stat().st_mtime_ns for p in (out / "don-vi").iterdir()} == unit_written
        assert (out / "tong-hop.xlsx").read_bytes() == before  # the open file is left as it was
        assert not [p.name for p in out.rglob(".tmp-*")]
    # one unit's workbook open: that unit's write fails, the run and its summary go on (exit 3 names the file)
    (src / "b.xlsx").write_bytes((SAMPLES / "03-th-kim-dong.xlsx").read_bytes())
    res = _windows("batch", str(src), "-o", str(out), cwd=tmp_path,
                   env_extra={"DVHT_TEST_OPEN_IN_EXCEL": "MN-HOASEN_ket-qua.xlsx"})
    assert res.returncode == 3, (res.stdout, res.stderr)
    cause = render(Code.CAUSE_HELD_OPEN_OR_DENIED, file="tệp MN-HOASEN_ket-qua.xlsx", detail="Excel")
    assert render(Code.RUN_UNITS_NOT_WRITTEN, detail=1, file=out / "don-vi", value="a.xlsx",
                  expected=f"{cause} (mã lỗi hệ thống WinError 5)") in res.stderr, res.stderr
    rows = list(csv.DictReader(io.StringIO((out / "tong-hop.csv").read_text(encoding="utf-8-sig"))))
    assert sorted(r["file"] for r in rows) == ["a.xlsx", "b.xlsx"]  # the summary has both units
    assert (out / "don-vi" / "MN-HOASEN_ket-qua.xlsx").is_file()  # last run's, left as it was
    assert len(list((out / "don-vi").glob("*_ket-qua.xlsx"))) == 2
    # a unit gone from the inputs whose old workbook is open: kept, said, and removed by the next run
    (src / "a.xlsx").unlink()
    res = _windows("batch", str(src), "-o", str(out), cwd=tmp_path,
                   env_extra={"DVHT_TEST_OPEN_IN_EXCEL": "MN-HOASEN_ket-qua.xlsx"})
    assert res.returncode == 0, (res.stdout, res.stderr)
    assert ("Chưa xoá được don-vi/MN-HOASEN_ket-qua.xlsx của lần chạy trước (đơn vị không còn trong lần chạy này): "
            "tệp đang được mở trong Excel hoặc một chương trình khác; hãy đóng tệp, lần chạy sau sẽ xoá."
            in " ".join(res.stdout.split())), res.stdout
    assert (out / "don-vi" / "MN-HOASEN_ket-qua.xlsx").is_file()
    assert _windows("batch", str(src), "-o", str(out), cwd=tmp_path).returncode == 0
    assert [p.name for p in (out / "don-vi").glob("*_ket-qua.xlsx")] == ["TH-KIMDONG_ket-qua.xlsx"]
    # `check`: the unit's result workbook open in Excel
    res = _windows("check", str(SAMPLES / "01-mn-hoa-sen.xlsx"), "-o", str(tmp_path / "kq"), cwd=tmp_path)
    assert res.returncode == 0, res.stderr
    res = _windows("check", str(SAMPLES / "01-mn-hoa-sen.xlsx"), "-o", str(tmp_path / "kq"), cwd=tmp_path,
                   env_extra={"DVHT_TEST_OPEN_IN_EXCEL": "MN-HOASEN_ket-qua.xlsx"})
    assert res.returncode == 3, (res.stdout, res.stderr)
    assert "tệp MN-HOASEN_ket-qua.xlsx đang được mở trong Excel hoặc một chương trình khác" in res.stderr


def test_an_output_folder_past_windows_path_limit_is_said_as_such(tmp_path):
    # A deep OneDrive folder on a Windows without long paths: Windows says only "path not found" (WinError 3), which
    # read "thư mục không còn tồn tại" — the officer would look for a deleted folder. Now the length and the fix.
    src = tmp_path / "in"
    src.mkdir()
    (src / "a.xlsx").write_bytes((SAMPLES / "01-mn-hoa-sen.xlsx").read_bytes())
    out = tmp_path
    while len(str(out)) < 235:  # the folder itself can still be made; what the run writes inside it cannot
        out = out / ("Tài liệu phòng giáo dục"[: 235 - len(str(out)) - 1] or "x")
    res = _windows("batch", str(src), "-o", str(out), cwd=tmp_path, env_extra={"DVHT_TEST_MAX_PATH": "260"})
    assert res.returncode == 3, (res.stdout, res.stderr)
    err = " ".join(res.stderr.split())
    assert f"Không ghi được kết quả vào thư mục {out}: đường dẫn dài " in err, err
    assert "vượt giới hạn 260 ký tự của Windows" in err and "(mã lỗi hệ thống WinError 3)" in err
    assert "không còn tồn tại" not in err and "Traceback" not in err
    # the cause alone, as every message that names a write failure says it
    long = FileNotFoundError(2, "The system cannot find the path specified", "/" + "d" * 300 + "/tong-hop.xlsx")
    long.winerror = 3
    assert describe_os_error(long) == (render(Code.CAUSE_PATH_TOO_LONG, file="tong-hop.xlsx", detail=315, limit=260)
                                       + " (mã lỗi hệ thống WinError 3)")
    short = FileNotFoundError(2, "The system cannot find the path specified", "/d/tong-hop.xlsx")
    short.winerror = 3  # a short path not found is a folder that is gone
    assert describe_os_error(short).startswith(render(Code.CAUSE_FOLDER_GONE))


def _deep(tmp_path: Path, length: int) -> Path:
    """A folder whose path is `length` characters long (ASCII: characters are what Windows counts)."""
    out = tmp_path / "out"
    return out / ("d" * (length - len(str(out)) - 1))


def test_a_path_too_long_names_the_file_not_its_temporary_name(tmp_path):
    # The result workbook is written under a temporary name first (.tmp-XXXXXXXX.xlsx, 18 characters); when that
    # path is the one Windows refuses, the message named it — "(tệp .tmp-l3p1x0yh.xlsx)", a file the officer never
    # sees. It names the unit's workbook.
    # 245 + 1 + 18 = 264 characters for the temporary file, refused; the message gives the workbook's own path,
    # 245 + 1 + 22 = 268 characters
    out = _deep(tmp_path, 245)
    res = _windows("check", str(SAMPLES / "01-mn-hoa-sen.xlsx"), "-o", str(out), cwd=tmp_path,
                   env_extra={"DVHT_TEST_MAX_PATH": "260"})
    assert res.returncode == 3, (res.stdout, res.stderr)
    said = " ".join(res.stdout.split())
    cause = render(Code.CAUSE_PATH_TOO_LONG, file="MN-HOASEN_ket-qua.xlsx", detail=268, limit=260)
    assert " ".join(render(Code.OUTPUT_WRITE_FAILED, detail=cause + " (mã lỗi hệ thống WinError 3)").split()) in said
    assert ".tmp-" not in res.stdout + res.stderr


def test_a_batch_dossier_document_not_written_is_named_by_the_units_folder(tmp_path):
    # batch --ho-so renders each unit's documents into a staging folder (ho-so/.tmp-ho-so/000000/) that the parent
    # renames to the unit's folder; a document that could not be written there was said as
    # "Không ghi được văn bản hồ sơ 000000/01-trang-bia.docx", a folder the officer cannot find.
    src = tmp_path / "in"
    src.mkdir()
    (src / "a.xlsx").write_bytes((SAMPLES / "01-mn-hoa-sen.xlsx").read_bytes())
    out = _deep(tmp_path, 220)  # the batch's own outputs fit; the dossier's staged documents do not
    res = _windows("batch", str(src), "-o", str(out), "--ho-so", cwd=tmp_path, env_extra={"DVHT_TEST_MAX_PATH": "260"})
    assert res.returncode == 3, (res.stdout, res.stderr)
    assert (out / "tong-hop.xlsx").is_file() and (out / "don-vi" / "MN-HOASEN_ket-qua.xlsx").is_file()
    said = " ".join(res.stderr.split())
    # the path refused: 220 + len("/ho-so/.tmp-ho-so/000000/.tmp-XXXXXXXX.docx") = 220 + 43 = 263
    cause = render(Code.CAUSE_PATH_TOO_LONG, file="01-trang-bia.docx", detail=263, limit=260)
    expected = render(Code.DOSSIER_WRITE_FAILED, file="MN-HOASEN/01-trang-bia.docx",
                      detail=cause + " (mã lỗi hệ thống WinError 3)")
    assert " ".join(expected.split()) in said, said
    assert "000000" not in said and ".tmp-" not in said


def test_a_dossier_document_still_open_in_word_costs_that_document_only(tmp_path):
    # The secretary runs `dvht ho-so` again with last run's Tờ trình open in Word: before, "Lỗi không mong đợi:
    # [Errno 13] …" ended the command. Now that document keeps last run's version, the message says to close it,
    # and every other document is written.
    samples = [str(SAMPLES / "01-mn-hoa-sen.xlsx"), str(SAMPLES / "03-th-kim-dong.xlsx")]
    out = tmp_path / "hs"
    assert _windows("ho-so", *samples, "-o", str(out), cwd=tmp_path).returncode == 0
    held = out / "MN-HOASEN" / "02-to-trinh.docx"
    before = held.read_bytes()
    others = {p: p.stat().st_mtime_ns for p in out.glob("*/*.docx") if p != held}
    time.sleep(0.01)
    res = _windows("ho-so", *samples, "-o", str(out), cwd=tmp_path,
                   env_extra={"DVHT_TEST_OPEN_IN_EXCEL": "MN-HOASEN/02-to-trinh.docx"})
    assert res.returncode == 3, (res.stdout, res.stderr)  # outputs.md: an output could not be written
    lines = [line for line in res.stderr.splitlines() if "Lỗi:" in line]
    # the exit status is told by this finding's code (dossier.render.exit_status), the text by its catalogue entry
    assert lines == ["   Lỗi: " + render(Code.DOSSIER_WRITE_FAILED, file="MN-HOASEN/02-to-trinh.docx", detail=(
        "tệp 02-to-trinh.docx đang được mở trong Word hoặc một chương trình khác, hoặc không có quyền ghi vào thư mục: "
        "hãy đóng tệp rồi chạy lại (mã lỗi hệ thống WinError 5)"))]
    assert held.read_bytes() == before
    assert all(p.stat().st_mtime_ns > t for p, t in others.items()) and len(others) == 15
    assert "Traceback" not in res.stderr and "Errno" not in res.stderr


def test_batch_ho_so_with_an_office_document_open_keeps_every_batch_output(tmp_path):
    src = tmp_path / "in"
    src.mkdir()
    for name in ("01-mn-hoa-sen.xlsx", "03-th-kim-dong.xlsx"):
        (src / name).write_bytes((SAMPLES / name).read_bytes())
    out = tmp_path / "out"
    assert _windows("batch", str(src), "-o", str(out), "--ho-so", cwd=tmp_path).returncode == 0
    res = _windows("batch", str(src), "-o", str(out), "--ho-so", "--jobs", "1", cwd=tmp_path,
                   env_extra={"DVHT_TEST_OPEN_IN_EXCEL": "ho-so/bao-cao-tham-dinh.docx"})
    assert res.returncode == 3, (res.stdout, res.stderr)
    assert "   Lỗi: " + render(Code.DOSSIER_WRITE_FAILED, file="ho-so/bao-cao-tham-dinh.docx", detail=(
        "tệp bao-cao-tham-dinh.docx đang được mở trong Word hoặc một chương trình khác, hoặc không có quyền ghi vào "
        "thư mục: hãy đóng tệp rồi chạy lại (mã lỗi hệ thống WinError 5)")) in res.stderr.splitlines()
    rows = list(csv.DictReader(io.StringIO((out / "tong-hop.csv").read_text(encoding="utf-8-sig"))))
    assert len(rows) == 2 and (out / "tong-hop.xlsx").is_file() and (out / "ket-qua.json").is_file()
    assert len(list((out / "ho-so").glob("*/*.docx"))) == 16


def test_the_template_commands_name_a_file_held_open(tmp_path):
    # `template`, `mau-ho-so` and `co-quan-mau` overwrite what they wrote last time; held open, they say so (exit 3)
    for args, held in ((["template", "--cap", "huyen", "-o", "mau.xlsx"], "mau.xlsx"),
                       (["mau-ho-so", "-o", "mau"], "mau/02-to-trinh.docx"),
                       (["co-quan-mau", "-o", "co-quan.toml"], "co-quan.toml")):
        assert _windows(*args, cwd=tmp_path).returncode == 0
        res = _windows(*args, cwd=tmp_path, env_extra={"DVHT_TEST_OPEN_IN_EXCEL": held})
        assert res.returncode == 3, (args, res.stderr)
        assert f"tệp {Path(held).name} đang được mở trong" in res.stderr and "hãy đóng tệp rồi chạy lại" in res.stderr
        assert "Lỗi không mong đợi" not in res.stderr and "Errno" not in res.stderr


def test_a_unit_of_this_run_whose_old_workbook_is_open_is_not_said_to_be_gone(tmp_path):
    # Its write failure names the open file; the warning for a unit no longer among the inputs must not appear (the
    # unit is right there). Last run's workbook stays listed in the manifest, and the next run replaces it.
    src = tmp_path / "in"
    src.mkdir()
    (src / "a.xlsx").write_bytes((SAMPLES / "01-mn-hoa-sen.xlsx").read_bytes())
    (src / "b.xlsx").write_bytes((SAMPLES / "03-th-kim-dong.xlsx").read_bytes())
    out = tmp_path / "out"
    assert _windows("batch", str(src), "-o", str(out), cwd=tmp_path).returncode == 0
    res = _windows("batch", str(src), "-o", str(out), cwd=tmp_path,
                   env_extra={"DVHT_TEST_OPEN_IN_EXCEL": "MN-HOASEN_ket-qua.xlsx"})
    assert res.returncode == 3, (res.stdout, res.stderr)
    assert "(ví dụ a.xlsx: tệp MN-HOASEN_ket-qua.xlsx đang được mở trong Excel" in res.stderr
    assert "Chưa xoá được" not in res.stdout and "không còn trong lần chạy này" not in res.stdout, res.stdout
    listed = (out / ".dvht-manifest").read_text(encoding="utf-8").splitlines()[1:]
    assert sorted(listed) == ["don-vi/MN-HOASEN_ket-qua.xlsx", "don-vi/TH-KIMDONG_ket-qua.xlsx"]
    # a file the tool did not write, of the same name, held open: never listed, so never removed by a later run
    (out / ".dvht-manifest").unlink()
    res = _windows("batch", str(src), "-o", str(out), cwd=tmp_path,
                   env_extra={"DVHT_TEST_OPEN_IN_EXCEL": "MN-HOASEN_ket-qua.xlsx"})
    assert res.returncode == 3
    listed = (out / ".dvht-manifest").read_text(encoding="utf-8").splitlines()[1:]
    assert listed == ["don-vi/TH-KIMDONG_ket-qua.xlsx"]


def test_pdf_conversion_on_windows_survives_files_held_open(tmp_path):
    # A LibreOffice stopped at its time limit keeps its files open on Windows (soffice.bin outlives soffice.exe), so
    # its temporary folder cannot be removed; and last run's PDF may be open in a reader. Before: 'Lỗi không mong đợi:
    # [Errno 20] Not a directory …' from the temporary folder's clean-up, and the other PDFs lost.
    fake = tmp_path / "bin"
    fake.mkdir()
    (fake / "soffice").write_text(  # converts every .docx it is given into a small PDF in --outdir
        '#!/bin/sh\nout=""; prev=""\nfor a in "$@"; do\n  [ "$prev" = "--outdir" ] && out="$a"\n'
        '  case "$a" in *.docx) printf "%%PDF-1.4 fake" > "$out/$(basename "$a" .docx).pdf";; esac\n'
        '  prev="$a"\ndone\n')
    (fake / "soffice").chmod(0o755)
    out = tmp_path / "hs"
    env = {"PATH": os.pathsep.join([str(fake), os.environ["PATH"]])}
    assert _windows("ho-so", str(SAMPLES / "01-mn-hoa-sen.xlsx"), "-o", str(out), "--pdf", cwd=tmp_path,
                    env_extra=env).returncode == 0
    old = (out / "MN-HOASEN" / "02-to-trinh.pdf").read_bytes()
    res = _windows("ho-so", str(SAMPLES / "01-mn-hoa-sen.xlsx"), "-o", str(out), "--pdf", cwd=tmp_path, env_extra={
        **env, "DVHT_TEST_OPEN_IN_EXCEL": os.pathsep.join(["000000.docx", "MN-HOASEN/02-to-trinh.pdf"])})
    assert res.returncode == 3, (res.stdout, res.stderr)  # a document not written (outputs.md): the old PDF stays
    assert "Đã chuyển 7 văn bản sang PDF." in res.stdout
    err = " ".join(res.stderr.split())
    # last run's PDF cannot be removed before the conversion (WinError 32), nor replaced after it (WinError 5)
    assert render(Code.DOSSIER_STALE_NOT_REMOVED, file="MN-HOASEN/02-to-trinh.pdf", detail=(
        "tệp 02-to-trinh.pdf đang được mở trong trình đọc PDF hoặc một chương trình khác: hãy đóng tệp rồi chạy lại "
        "(mã lỗi hệ thống WinError 32)")) in err, err
    assert render(Code.DOSSIER_WRITE_FAILED, file="MN-HOASEN/02-to-trinh.pdf", detail=(
        "tệp 02-to-trinh.pdf đang được mở trong trình đọc PDF hoặc một chương trình khác, hoặc không có quyền ghi vào "
        "thư mục: hãy đóng tệp rồi chạy lại (mã lỗi hệ thống WinError 5)")) in err, err
    assert "Lỗi không mong đợi" not in err and "chỉ chuyển được" not in err
    assert (out / "MN-HOASEN" / "02-to-trinh.pdf").read_bytes() == old
    assert len(list((out / "MN-HOASEN").glob("*.pdf"))) == 8 and not list(out.rglob(".tmp-*"))


def test_ho_so_on_windows_costs_a_crashing_file_only_that_file(tmp_path):
    abort = _marked(SAMPLES / "03-th-kim-dong.xlsx", tmp_path / "vo.xlsx", "ABORT-ME")
    res = _windows("ho-so", str(abort), str(SAMPLES / "01-mn-hoa-sen.xlsx"), "-o", str(tmp_path / "o"), cwd=tmp_path,
                   faults=True)
    assert res.returncode == 1, res.stderr
    assert f"Tệp {abort} không đánh giá được nên không lập hồ sơ" in " ".join(res.stderr.split()), res.stderr
    assert len(list((tmp_path / "o" / "MN-HOASEN").glob("*.docx"))) == 8


def test_a_file_held_for_a_moment_is_tried_again(monkeypatch):
    # an antivirus or OneDrive scan holds a new file for a fraction of a second (WinError 32): tried again; Excel
    # holding it: the last error is raised after ~0.7 s; any other error at once
    from dvht_sheets.report import files

    calls, slept = [], []

    def held(times: int, winerror: int | None = 32):
        def fake(src, dst):
            calls.append(dst)
            if len(calls) <= times:
                exc = PermissionError(13, "in use", src, None, dst)
                if winerror is not None:
                    exc.winerror = winerror
                raise exc
        return fake

    monkeypatch.setattr(files.time, "sleep", slept.append)
    monkeypatch.setattr(files.os, "replace", held(2))
    files.replace("a", "b")
    assert len(calls) == 3 and slept == [0.1, 0.2]
    calls.clear(), slept.clear()
    monkeypatch.setattr(files.os, "replace", held(99))
    try:
        files.replace("a", "b")
        raise AssertionError("a file held for good must raise")
    except PermissionError as exc:
        assert exc.winerror == 32
    assert len(calls) == 4 and slept == [0.1, 0.2, 0.4]
    calls.clear(), slept.clear()
    monkeypatch.setattr(files.os, "replace", held(99, winerror=None))  # POSIX EACCES: a real permission problem
    try:
        files.replace("a", "b")
        raise AssertionError("must raise")
    except PermissionError:
        pass
    assert len(calls) == 1 and slept == []


def test_on_windows_native_stderr_is_pointed_at_nul(monkeypatch):
    # What Windows itself runs cannot run here: this checks the calls, against a stand-in kernel32. The standard error
    # handle (STD_ERROR_HANDLE, (DWORD)-12) becomes a handle to NUL opened for writing; nothing else is touched, and
    # a failed CreateFileW leaves it alone.
    import ctypes

    from dvht_sheets import batch

    calls = []

    class Fn:
        def __init__(self, name, result):
            self.name, self.result = name, result

        def __call__(self, *args):
            calls.append((self.name, args))
            return self.result

    class Kernel32:
        def __init__(self, handle):
            self.CreateFileW, self.SetStdHandle = Fn("CreateFileW", handle), Fn("SetStdHandle", 1)

    assert batch._quiet_windows_stderr(lambda name, use_last_error: Kernel32(1234)) is True
    assert calls == [("CreateFileW", ("NUL", 0x40000000, 3, None, 3, 0, None)), ("SetStdHandle", (0xFFFFFFF4, 1234))]
    calls.clear()
    invalid = ctypes.c_void_p(-1).value
    assert batch._quiet_windows_stderr(lambda name, use_last_error: Kernel32(invalid)) is False
    assert [c[0] for c in calls] == ["CreateFileW"]
    monkeypatch.setattr(batch.os, "name", "nt")
    monkeypatch.setattr(batch, "_quiet_windows_stderr", lambda: calls.append("windows"))
    batch.quiet_native_stderr()
    assert calls[-1] == "windows"


def test_the_output_folder_lock_is_unlocked_before_it_is_closed_on_windows(tmp_path, monkeypatch):
    # Windows drops a closed file's msvcrt lock only "when resources allow": the run unlocks it itself, so a library
    # caller's next run on the same folder at once is not refused as busy
    import types

    from dvht_sheets.batch import OutputFolder

    calls = []
    fake = types.ModuleType("msvcrt")
    fake.LK_UNLCK, fake.LK_LOCK, fake.LK_NBLCK = 0, 1, 2
    fake.locking = lambda fd, mode, n: calls.append((mode, n))
    monkeypatch.setitem(sys.modules, "fcntl", None)  # as on Windows
    monkeypatch.setitem(sys.modules, "msvcrt", fake)
    folder = OutputFolder(tmp_path / "out").open()
    assert calls == [(fake.LK_NBLCK, 1)]
    folder.abandon()
    assert calls == [(fake.LK_NBLCK, 1), (fake.LK_UNLCK, 1)]


def test_ctrl_c_in_the_isolated_child_stops_the_run_instead_of_failing_the_file(monkeypatch):
    # Windows delivers Ctrl-C to the child process too: the child interrupted is the run stopped (KeyboardInterrupt
    # in the caller), not a file reported "bị dừng đột ngột" just before the run ends. Both kinds of child.
    import signal

    import pytest

    from dvht_sheets import batch

    with pytest.raises(KeyboardInterrupt):
        batch.run_isolated(signal.raise_signal, signal.SIGINT)  # the forked child
    monkeypatch.delattr(batch.os, "fork")  # as on Windows: a child made by worker_context()
    with pytest.raises(KeyboardInterrupt):
        batch.run_isolated(signal.raise_signal, signal.SIGINT)
    assert batch.run_isolated(os.getpid) != os.getpid()  # and it still runs work elsewhere


def test_calls_that_cannot_fork_share_one_child_within_one_child(monkeypatch):
    # Windows: `check` and `ho-so` of many files start one interpreter, not one per file (~0.5 s each); a call that
    # kills the child costs that child, and the next call starts another
    import pytest

    from dvht_sheets import batch, one_child

    monkeypatch.delattr(batch.os, "fork")
    alone = {batch.run_isolated(os.getpid), batch.run_isolated(os.getpid)}
    assert len(alone) == 2 and os.getpid() not in alone  # outside one_child: a child per call
    with one_child():
        first, second = batch.run_isolated(os.getpid), batch.run_isolated(os.getpid)
        assert first == second != os.getpid()
        with pytest.raises(batch.IsolationFailed, match="tín hiệu SIGABRT"):
            batch.run_isolated(os.abort)
        third = batch.run_isolated(os.getpid)
        assert third not in (first, os.getpid())
        with pytest.raises(batch.IsolationFailed) as late:
            batch.run_isolated(time.sleep, 60, seconds=1)  # the child's own alarm ends it after 1 s
        assert late.value.timed_out
        assert batch.run_isolated(os.getpid) not in (third, os.getpid())
    assert batch._SHARED.__dict__ == {}


def test_the_shared_child_ended_between_calls_is_the_run_stopped_or_replaced(monkeypatch):
    # Ctrl-C reaches the shared child while it waits for the next call (Windows delivers it there too, POSIX to the
    # whole group): it exits 130 (before: exit 1 and multiprocessing's English traceback on the console), and the
    # next call stops the run. A child killed from outside between calls is replaced (before: BrokenPipeError from
    # the next call, which `check` reported as an unexpected error). An argument that cannot be pickled is the
    # caller's error and costs no child; a child that cannot be started is said as such, with nothing left half-made
    # (before: "can only join a started process").
    import multiprocessing.process
    import signal

    import pytest

    from dvht_sheets import batch, one_child

    monkeypatch.delattr(batch.os, "fork")
    with one_child():
        first = batch.run_isolated(os.getpid)
        shared = batch._SHARED.child
        process = shared.process
        os.kill(first, signal.SIGINT)
        process.join(30)
        assert process.exitcode == 130
        with pytest.raises(KeyboardInterrupt):
            batch.run_isolated(os.getpid)
        second = batch.run_isolated(os.getpid)
        assert second not in (first, os.getpid())
        os.kill(second, signal.SIGKILL)
        shared.process.join(30)
        third = batch.run_isolated(os.getpid)
        assert third not in (second, os.getpid())
        with pytest.raises((pickle.PicklingError, AttributeError, TypeError)):
            batch.run_isolated(os.getpid, lambda: None)
        assert batch.run_isolated(os.getpid) == third
        shared.close()

        def refused(self):
            raise OSError(8, "Not enough memory resources are available to process this command")

        monkeypatch.setattr(multiprocessing.process.BaseProcess, "start", refused)
        with pytest.raises(OSError, match="Not enough memory"):
            batch.run_isolated(os.getpid)
        monkeypatch.undo()
        monkeypatch.delattr(batch.os, "fork")
        assert batch.run_isolated(os.getpid) not in (third, os.getpid())
    with pytest.raises(OSError, match="Not enough memory"):  # a child of its own, outside one_child
        monkeypatch.setattr(multiprocessing.process.BaseProcess, "start", refused)
        batch.run_isolated(os.getpid)


def test_one_child_is_the_threads_own(monkeypatch):
    # A library caller checking files from two threads: each thread's calls go to a child of its own, never to the
    # one another thread shares (before: one child for the process, its pipe used by both threads at once, so a
    # thread could read the other's result — another school's). Each thread meets its own results only.
    import threading

    from dvht_sheets import batch, one_child

    monkeypatch.delattr(batch.os, "fork")
    both = threading.Barrier(2, timeout=60)
    seen, results, failed = {}, {}, []

    def work(name: str, sign: int, shared: bool) -> None:
        try:
            with one_child() if shared else contextlib.nullcontext():
                pids = {batch.run_isolated(os.getpid)}
                both.wait()  # the two threads hold their children at once
                results[name] = [batch.run_isolated(abs, sign * i) * sign for i in range(1, 13)]
                pids.add(batch.run_isolated(os.getpid))
                seen[name] = pids
        except BaseException as exc:  # reported by the assertion below, not lost in the thread
            failed.append(exc)

    for pair in ((True, True), (True, False)):
        seen.clear(), results.clear()
        threads = [threading.Thread(target=work, args=(n, s, p)) for n, s, p in zip("ab", (1, -1), pair)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(120)
        assert not failed, failed
        assert results == {"a": list(range(1, 13)), "b": [-i for i in range(1, 13)]}
        assert len(seen["a"]) == 1 and not seen["a"] & seen["b"] and os.getpid() not in seen["a"] | seen["b"]
    assert batch._SHARED.__dict__ == {}


def test_a_child_ended_by_ctrl_c_on_windows_is_the_run_stopped():
    # a spawned child that Ctrl-C ends while it is still starting (before our handler) exits STATUS_CONTROL_C_EXIT
    import pytest

    from dvht_sheets import batch

    for code in (130, 0xC000013A):
        with pytest.raises(KeyboardInterrupt):
            batch._child_result(code, b"", 0)
    with pytest.raises(batch.IsolationFailed, match="mã thoát 70"):
        batch._child_result(70, b"", 0)
