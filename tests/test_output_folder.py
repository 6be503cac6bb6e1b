"""The output folder and the files found in the input folder (issue 9, points 4 and 6–10).

Requirements: outputs.md, "Exit status" and "Guarantees": the output folder is never read back as input but the
schools' files beside it are; only regular files inside the input folder are read; a dead worker costs only its own
file and the batch stays parallel; an output that cannot be written is exit 3 with the folder and the cause and no
temporary file left; one run at a time per output folder; don-vi/ holds exactly this run's units; outputs follow the
umask.
"""

import csv
import errno
import io
import json
import os
import shutil
import stat
import subprocess
import sys
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner

from dvht_sheets import batch as batch_module
from dvht_sheets.batch import OutputFolder, check_file, discover, evaluate_folder, evaluate_path
from dvht_sheets.cli import cli
from dvht_sheets.findings import CATALOGUE, Code, render

from .helpers import pool_crash_messages

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = ROOT / "dvht_sheets" / "data" / "samples"
GOOD = SAMPLES / "03-th-kim-dong.xlsx"  # Đạt mức độ 2, mã đơn vị TH-KIMDONG
OTHER = SAMPLES / "05-thcs-nguyen-du.xlsx"


def csv_files(out: Path) -> list[str]:
    text = (out / "tong-hop.csv").read_text(encoding="utf-8-sig")
    return sorted(r["file"] for r in csv.DictReader(io.StringIO(text)))


def leftovers(out: Path) -> list[str]:
    """Temporary files of the tool (.tmp-*) and of xlsxwriter (tmp*) anywhere in the output folder."""
    return sorted(p.relative_to(out).as_posix() for p in out.rglob("*")
                  if p.name.startswith(".tmp-") or p.name.startswith("tmp"))


# ---------------------------------------------------------------------------------------------------- point 4


def test_output_folder_equal_to_input_folder_still_evaluates_the_schools_files(tmp_path):
    # Before: `dvht batch IN -o IN` evaluated nothing and exited 0 with an empty summary.
    src = tmp_path / "ho-so"
    src.mkdir()
    shutil.copy(GOOD, src / "a.xlsx")
    shutil.copy(OTHER, src / "b.xlsx")
    runner = CliRunner()
    for _ in range(2):  # the second run must not read the first run's outputs back
        res = runner.invoke(cli, ["batch", str(src), "-o", str(src), "--jobs", "1"])
        assert res.exit_code == 0, res.output
        assert csv_files(src) == ["a.xlsx", "b.xlsx"]
    assert len(json.loads((src / "ket-qua.json").read_text(encoding="utf-8"))) == 2


def test_output_folder_around_the_input_folder(tmp_path):
    src = tmp_path / "kq" / "ho-so"
    src.mkdir(parents=True)
    shutil.copy(GOOD, src / "a.xlsx")
    res = CliRunner().invoke(cli, ["batch", str(src), "-o", str(tmp_path / "kq"), "--jobs", "1"])
    assert res.exit_code == 0, res.output
    assert csv_files(tmp_path / "kq") == ["a.xlsx"]
    # the input folder inside don-vi/, where the tool removes files, is refused before anything is written
    inside = tmp_path / "kq2" / "don-vi" / "ho-so"
    inside.mkdir(parents=True)
    shutil.copy(GOOD, inside / "a.xlsx")
    res = CliRunner().invoke(cli, ["batch", str(inside), "-o", str(tmp_path / "kq2")])
    assert res.exit_code == 2 and "nằm trong thư mục don-vi/" in res.output
    assert sorted(p.name for p in (tmp_path / "kq2").iterdir()) == ["don-vi"]


# ---------------------------------------------------------------------------------------------------- point 6


def test_a_dead_worker_is_replaced_and_the_batch_stays_parallel(tmp_path):
    # Before: after one worker died every remaining file ran alone in a fresh process (600 files: 34 s instead of
    # 7.6 s). Now the files in flight with it are retried one at a time and the rest go to a new pool of 2.
    src = tmp_path / "in"
    src.mkdir()
    for i in range(72):
        shutil.copy(GOOD, src / f"f{i:02d}.xlsx")
    shutil.copy(GOOD, src / "f02-crash.xlsx")  # sorts third ("-" before "."): index 2
    outcome = evaluate_folder(src, tmp_path / "kq", jobs=2, crash_on="crash")
    by_file = {r.file: r for r in outcome.rows}
    assert len(outcome.rows) == 73
    assert not by_file["f02-crash.xlsx"].evaluated
    assert any(by_file["f02-crash.xlsx"].reason.endswith(said) for said in pool_crash_messages("mã thoát 3"))
    assert all(r.evaluated and r.result == "Đạt mức độ 2" for f, r in by_file.items() if f != "f02-crash.xlsx")
    pids = outcome.worker_pids
    assert [rel for _, rel in outcome.discovery.inputs][2] == "f02-crash.xlsx"
    assert 2 not in pids and len(pids) == 72
    # At most 6 chunks of 4 files are in flight when the worker dies (window = 3 × jobs, chunk 4 for ≥ 32 files);
    # those are retried alone, in a pool of one. The other worker of the first pool gets through a few more chunks
    # before the break is seen, so the last 23 files were certainly submitted to the replacement pool, whose two
    # workers share them (before: one new process per file).
    assert len(set(pids.values())) <= 2 + 1 + 2  # first pool, the pool of one for the retries, the new pool
    late = {pids[i] for i in range(50, 73)}
    assert len(late) == 2
    assert late.isdisjoint({pids[0], pids[1]})  # the broken pool's workers are gone
    assert len(list((tmp_path / "kq" / "don-vi").iterdir())) == 72
    assert leftovers(tmp_path / "kq") == []


# ---------------------------------------------------------------------------------------------------- point 7


def fake_disk_full(monkeypatch, when):
    real = os.replace

    def replace(src, dst, *args, **kwargs):
        if when(str(dst)):
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(dst))
        return real(src, dst, *args, **kwargs)

    monkeypatch.setattr(os, "replace", replace)


@pytest.mark.parametrize("target", ["tong-hop.xlsx", "_ket-qua.xlsx", "ket-qua.json"])
def test_disk_full_is_exit_3_names_folder_and_cause_and_leaves_no_temp(tmp_path, monkeypatch, target):
    # Before: "Lỗi không mong đợi: [Errno 28] …", exit 1, no summary, temp files left. Tests run as root, for whom
    # chmod does not make a folder read-only, so the full disk is simulated where every output is put in place
    # (os.replace, in this process: the summary writers and the renaming of the unit workbooks).
    src = tmp_path / "in"
    src.mkdir()
    shutil.copy(GOOD, src / "a.xlsx")
    out = tmp_path / "kq"
    fake_disk_full(monkeypatch, lambda dst: dst.endswith(target))
    res = CliRunner().invoke(cli, ["batch", str(src), "-o", str(out), "--jobs", "1"])
    assert res.exit_code == 3, res.output
    assert f"Không ghi được kết quả vào thư mục {out}" in res.output and "ổ đĩa đã đầy" in res.output
    assert "ENOSPC" in res.output and "Lỗi không mong đợi" not in res.output
    assert leftovers(out) == []
    monkeypatch.undo()  # the disk has room again: the next run is whole
    res = CliRunner().invoke(cli, ["batch", str(src), "-o", str(out), "--jobs", "1"])
    assert res.exit_code == 0 and csv_files(out) == ["a.xlsx"]


def test_unwritable_output_folder_is_exit_3(tmp_path):
    # /sys refuses new folders even to root (EPERM), so this is a real unwritable place, no simulation.
    src = tmp_path / "in"
    src.mkdir()
    shutil.copy(GOOD, src / "a.xlsx")
    res = CliRunner().invoke(cli, ["batch", str(src), "-o", "/sys/dvht-kiem-thu"])
    assert res.exit_code == 3, res.output
    assert "Không ghi được kết quả vào thư mục /sys/dvht-kiem-thu" in res.output
    assert "không có quyền ghi" in res.output or "không còn tồn tại" in res.output
    res = CliRunner().invoke(cli, ["template", "-o", "/sys/dvht-mau.xlsx"])
    assert res.exit_code == 3 and "Không ghi được kết quả vào thư mục /sys" in res.output


def test_write_failures_and_internal_errors_have_their_own_codes(tmp_path, monkeypatch):
    # Before: both were `file-unreadable`, whose advice is to re-save the school's file in Excel.
    def broken(*args, **kwargs):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(batch_module, "save_unit_workbook", broken)
    outcome = check_file(GOOD, tmp_path, display_name="a.xlsx")
    assert outcome.result.evaluated and outcome.output is None
    assert [f.code for f in outcome.result.findings if f.code == "output-write-failed"] == ["output-write-failed"]
    message = next(f.message for f in outcome.result.findings if f.code == "output-write-failed")
    assert "ổ đĩa đã đầy" in message and "Excel" not in message

    def bug(*args, **kwargs):
        raise RuntimeError("lỗi thử")

    monkeypatch.setattr(batch_module, "validate", bug)
    result, _ = evaluate_path(GOOD, display_name="a.xlsx")
    assert [f.code for f in result.findings] == ["internal-error"]
    assert "RuntimeError: lỗi thử" in result.findings[0].message and "Excel" not in result.findings[0].message
    assert "Excel" in CATALOGUE["file-unreadable"].template  # the reader's advice stays where it belongs


# ---------------------------------------------------------------------------------------------------- point 8


def test_a_second_run_into_a_busy_output_folder_is_refused(tmp_path):
    src = tmp_path / "in"
    src.mkdir()
    shutil.copy(GOOD, src / "a.xlsx")
    out = tmp_path / "kq"
    holder = OutputFolder(out).open()  # another run holding the folder (flock: per open file, so this works here)
    try:
        res = CliRunner().invoke(cli, ["batch", str(src), "-o", str(out)])
        assert res.exit_code == 2, res.output
        assert f"Thư mục kết quả {out} đang được một lần chạy khác sử dụng (tiến trình {os.getpid()})" in res.output
        assert not (out / "tong-hop.xlsx").exists()
    finally:
        holder.abandon()
    # a lock file left by a killed run (its pid inside) does not block: the system dropped the lock with it
    (out / ".dvht-lock").write_text("999999\n")
    res = CliRunner().invoke(cli, ["batch", str(src), "-o", str(out), "--jobs", "1"])
    assert res.exit_code == 0, res.output


def test_rerun_removes_only_the_earlier_runs_unit_files(tmp_path):
    # Before: a re-run left the earlier run's unit workbooks in don-vi/ (294 stale files after one test).
    src = tmp_path / "in"
    src.mkdir()
    for sample in sorted(SAMPLES.glob("0[1-4]*.xlsx")):
        shutil.copy(sample, src / sample.name)
    out = tmp_path / "kq"
    runner = CliRunner()
    assert runner.invoke(cli, ["batch", str(src), "-o", str(out), "--jobs", "2"]).exit_code == 0
    first = sorted(p.name for p in (out / "don-vi").iterdir())
    assert len(first) == 4
    (out / "don-vi" / "cua-toi_ket-qua.xlsx").write_bytes(b"user's own")  # named like ours, but not ours
    (out / "don-vi" / "ghi-chu.txt").write_text("ghi chú")
    (out / "bao-cao.docx").write_bytes(b"user's")
    for sample in sorted(src.iterdir())[1:]:
        sample.unlink()
    assert runner.invoke(cli, ["batch", str(src), "-o", str(out), "--jobs", "1"]).exit_code == 0
    kept = sorted(p.name for p in (out / "don-vi").iterdir())
    assert len(kept) == 3
    produced = [r["result_file"] for r in csv.DictReader(io.StringIO(
        (out / "tong-hop.csv").read_text(encoding="utf-8-sig")))]
    assert len(produced) == 1 and (out / produced[0]).exists()
    assert set(kept) - {"cua-toi_ket-qua.xlsx", "ghi-chu.txt"} == {Path(produced[0]).name}
    assert (out / "bao-cao.docx").read_bytes() == b"user's"
    manifest = (out / ".dvht-manifest").read_text(encoding="utf-8").splitlines()
    assert [line for line in manifest if not line.startswith("#")] == produced


def test_next_run_removes_the_temporary_files_of_a_killed_run(tmp_path):
    out = tmp_path / "kq"
    (out / "don-vi").mkdir(parents=True)
    (out / ".tmp-run-abc123").mkdir()
    (out / ".tmp-run-abc123" / "7.xlsx").write_bytes(b"half")
    (out / ".tmp-run-abc123" / "tmpq1w2e3r4").write_bytes(b"xlsxwriter spool")
    (out / ".tmp-k2j3h4.xlsx").write_bytes(b"half a summary")
    (out / "don-vi" / ".tmp-x9y8.xlsx").write_bytes(b"half a unit")
    (out / "tmp-ghi-chu.txt").write_text("the user's, not a temporary file of ours")
    src = tmp_path / "in"
    src.mkdir()
    shutil.copy(GOOD, src / "a.xlsx")
    assert CliRunner().invoke(cli, ["batch", str(src), "-o", str(out), "--jobs", "1"]).exit_code == 0
    assert leftovers(out) == ["tmp-ghi-chu.txt"]


def test_a_unit_workbook_is_listed_before_it_is_in_place_and_struck_out_if_the_move_fails(tmp_path, monkeypatch):
    # Before (CI, stop 17): a kill -9 between the move into don-vi/ and the manifest line left a workbook no
    # manifest named, which every later run then kept. Read as the next run would, after a kill at each point.
    out = tmp_path / "kq"
    folder = OutputFolder(out).open()
    try:
        temp = folder.tmp / "0.xlsx"
        temp.write_bytes(b"unit")
        seen = []
        real = batch_module.replace
        def move(src, dst):
            seen.append(OutputFolder(out)._read_manifest())  # killed just before the move: already listed
            real(src, dst)
        monkeypatch.setattr(batch_module, "replace", move)
        folder.place(temp, "don-vi/A_ket-qua.xlsx")
        assert seen == [{"don-vi/A_ket-qua.xlsx"}] and (out / "don-vi" / "A_ket-qua.xlsx").read_bytes() == b"unit"
        def refused(src, dst):
            raise PermissionError(errno.EACCES, "in use", str(dst))
        monkeypatch.setattr(batch_module, "replace", refused)
        (folder.tmp / "1.xlsx").write_bytes(b"unit")
        with pytest.raises(PermissionError):
            folder.place(folder.tmp / "1.xlsx", "don-vi/B_ket-qua.xlsx")
        assert OutputFolder(out)._read_manifest() == {"don-vi/A_ket-qua.xlsx"}  # B's holder is not the tool's
        assert folder.written == ["don-vi/A_ket-qua.xlsx"]
    finally:
        folder.abandon()


# ---------------------------------------------------------------------------------------------------- point 9


def test_only_regular_files_inside_the_input_folder_are_read(tmp_path):
    # Before: a link x.xlsx → /etc/passwd was evaluated and its hash and size landed in the summary.
    src = tmp_path / "in"
    (src / "xa-a").mkdir(parents=True)
    shutil.copy(GOOD, src / "xa-a" / "that.xlsx")
    outside = tmp_path / "ngoai.xlsx"
    shutil.copy(OTHER, outside)
    (src / "passwd.xlsx").symlink_to("/etc/passwd")
    (src / "ngoai.xlsx").symlink_to(outside)
    (src / "hong.xlsx").symlink_to(src / "khong-co.xlsx")
    (src / "ban-sao.xlsx").symlink_to(src / "xa-a" / "that.xlsx")  # stays inside: read
    (src / "thu-muc").symlink_to(src / "xa-a", target_is_directory=True)
    os.mkfifo(src / "ong.xlsx")  # opening it would block the run for ever
    found = discover(src)
    assert [rel for _, rel in found.inputs] == ["ban-sao.xlsx", "xa-a/that.xlsx"]
    skipped = dict(found.skipped)
    assert skipped == {"hong.xlsx": "liên kết hỏng (không trỏ tới tệp nào)",
                       "ngoai.xlsx": "liên kết trỏ ra ngoài thư mục đầu vào; không đọc",
                       "ong.xlsx": "ống dẫn (FIFO), không phải tệp thường; không mở",
                       "passwd.xlsx": "liên kết trỏ ra ngoài thư mục đầu vào; không đọc",
                       "thu-muc": "liên kết tới thư mục; không đi theo (tránh đọc trùng hoặc vòng lặp)"}
    res = CliRunner().invoke(cli, ["batch", str(src), "-o", str(tmp_path / "kq"), "--jobs", "1"])
    assert res.exit_code == 0, res.output
    assert csv_files(tmp_path / "kq") == ["ban-sao.xlsx", "xa-a/that.xlsx"]
    assert "Bỏ qua passwd.xlsx: liên kết trỏ ra ngoài thư mục đầu vào" in res.output
    meta = [[c.value for c in row] for row in openpyxl.load_workbook(tmp_path / "kq" / "tong-hop.xlsx")["_meta"].rows]
    assert ["ong.xlsx", "ống dẫn (FIFO), không phải tệp thường; không mở"] in meta
    assert batch_module._special_kind(stat.S_IFCHR) == "tệp thiết bị, không phải tệp thường; không mở"


# ---------------------------------------------------------------------------------------------------- point 10


@pytest.mark.parametrize("umask, mode", [(0o022, 0o644), (0o002, 0o664)])
def test_outputs_follow_the_umask(tmp_path, umask, mode):
    # Before: tong-hop.xlsx/.csv/.json, the template and check's outputs were 0600 (mkstemp), unit files 0644.
    src = tmp_path / "in"
    src.mkdir()
    shutil.copy(GOOD, src / "a.xlsx")
    out = tmp_path / "kq"
    dvht = [sys.executable, "-m", "dvht_sheets"]
    for args in (["batch", str(src), "-o", str(out), "--jobs", "1"], ["template", "-o", str(tmp_path / "mau.xlsx")],
                 ["check", str(GOOD), "-o", str(tmp_path / "check")]):
        done = subprocess.run(dvht + args, capture_output=True, text=True, preexec_fn=lambda: os.umask(umask))
        assert done.returncode == 0, done.stderr
    files = [out / "tong-hop.xlsx", out / "tong-hop.csv", out / "ket-qua.json", out / ".dvht-manifest",
             *(out / "don-vi").iterdir(), tmp_path / "mau.xlsx", *(tmp_path / "check").iterdir()]
    assert len(files) == 7
    assert {p.name: oct(p.stat().st_mode & 0o777) for p in files} == {p.name: oct(mode) for p in files}


def test_a_result_workbook_fed_back_is_not_a_submission(tmp_path):
    # An officer points `batch` at an earlier output folder: the unit result workbooks carry copies of the school's
    # sheets, and were graded as 14 more submissions. Each is now "Không đánh giá được" (file-is-result), exit 1.
    from dvht_sheets.batch import evaluate_path
    from dvht_sheets.findings import render

    first = tmp_path / "out1"
    assert CliRunner().invoke(cli, ["batch", str(SAMPLES), "-o", str(first)]).exit_code == 0
    again = CliRunner().invoke(cli, ["batch", str(first / "don-vi"), "-o", str(tmp_path / "out2")])
    assert again.exit_code == 1, again.output
    unit = first / "don-vi" / "TH-KIMDONG_ket-qua.xlsx"
    result, _ = evaluate_path(unit)
    assert not result.evaluated and [f.code for f in result.findings] == ["file-is-result"]
    assert result.findings[0].message == render("file-is-result", detail="03-th-kim-dong.xlsx")


def test_check_into_an_unwritable_folder_exits_3_naming_it(tmp_path):
    # outputs.md: exit 3 when the outputs could not be written, with the folder and the cause. /sys refuses a new
    # folder even to root (see test_unwritable_output_folder_is_exit_3 above); the evaluation itself still stands.
    res = CliRunner().invoke(cli, ["check", str(GOOD), "-o", "/sys/dvht-khong-ghi-duoc"])
    assert res.exit_code == 3, res.output
    assert "TH-KIMDONG – Trường Tiểu học Kim Đồng: Đạt mức độ 2." in res.output
    said = render(Code.RUN_CHECK_NOT_WRITTEN, value=str(GOOD), file="/sys/dvht-khong-ghi-duoc", detail="CAUSE")
    assert said.split("CAUSE")[0] in res.output  # the file and the folder, then the cause below
    assert "EPERM" in res.output or "EROFS" in res.output or "EACCES" in res.output
    assert "Traceback" not in res.output


def test_a_read_only_summary_from_last_run_is_still_replaced(tmp_path, monkeypatch):
    # check_writable (api.run_batch) stops a run at its start only for a file a program holds open (Windows); a
    # read-only tong-hop.xlsx on Linux, which the final rename replaces all the same, must not stop it
    from dvht_sheets.report import files

    target = tmp_path / "tong-hop.xlsx"
    target.write_bytes(b"old")

    def refused(path, flags, *args, **kwargs):
        raise PermissionError(13, "Permission denied", str(path))  # what a 0444 file gives a non-root user

    monkeypatch.setattr(files.os, "open", refused)
    files.check_writable(target)  # no error
    held = PermissionError(13, "in use", str(target))
    held.winerror = 32

    def in_use(path, flags, *args, **kwargs):
        raise held

    monkeypatch.setattr(files.os, "open", in_use)
    monkeypatch.setattr(files.time, "sleep", lambda s: None)
    try:
        files.check_writable(target)
        raise AssertionError("a file held open must stop the run")
    except PermissionError as exc:
        assert exc is held
