"""Ctrl-C and SIGTERM in the middle of a batch: what was finished is kept, said and marked partial, the workers are
ended, nothing half-written is left; a run after a kill -9 removes what the killed run left.

Requirement: issue 4 item 4, issue 9 item 5; outputs.md "Exit status" and "Guarantees" (temporary name, then rename).
"""

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import python_calamine as calamine

SAMPLES = Path(__file__).resolve().parents[1] / "dvht_sheets" / "data" / "samples"


def many_inputs(tmp_path: Path, copies: int = 25) -> Path:
    src = tmp_path / "in"
    src.mkdir()
    for i in range(copies):
        for sample in sorted(SAMPLES.glob("*.xlsx")):
            shutil.copy(sample, src / f"{i:02d}-{sample.name}")
    return src


def start_batch(src: Path, out: Path, wait_for: int = 20) -> subprocess.Popen:
    proc = subprocess.Popen([sys.executable, "-m", "dvht_sheets", "batch", str(src), "-o", str(out), "--jobs", "2"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    deadline = time.time() + 60
    while time.time() < deadline and len(list((out / "don-vi").glob("*.xlsx"))) < wait_for:
        time.sleep(0.05)
    return proc


def descendants(pid: int) -> set[int]:
    """Every process below pid (workers, the forkserver), read from /proc."""
    parents: dict[int, int] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            parents[int(entry.name)] = int(fields[1])
    found, frontier = set(), {pid}
    while frontier:
        frontier = {child for child, parent in parents.items() if parent in frontier} - found
        found |= frontier
    return found


def alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def test_sigterm_writes_a_partial_summary_and_ends_every_child(tmp_path):
    # Before: exit 143 with unit files but no summary, .tmp-* and xlsxwriter tmp* files in OUT, and the forkserver
    # with two workers still alive minutes later.
    src = many_inputs(tmp_path)
    out = tmp_path / "out"
    proc = start_batch(src, out)
    children = descendants(proc.pid)
    assert len(children) >= 3  # the forkserver and two workers
    proc.send_signal(signal.SIGTERM)
    stdout, stderr = proc.communicate(timeout=60)
    assert proc.returncode == 143, (stdout, stderr)
    assert "Đã dừng giữa chừng" in stdout and "Traceback" not in stderr
    deadline = time.time() + 5
    while time.time() < deadline and any(alive(pid) for pid in children):
        time.sleep(0.05)
    assert [pid for pid in children if alive(pid)] == []
    finished = list((out / "don-vi").glob("*.xlsx"))
    assert 20 <= len(finished) < 25 * 14
    assert [p.name for p in out.rglob("*") if p.name.startswith((".tmp-", "tmp"))] == []
    book = calamine.CalamineWorkbook.from_path(str(out / "tong-hop.xlsx"))
    rows = book.get_sheet_by_name("Tổng hợp").to_python()
    assert rows[1][0].startswith(f"CHƯA ĐẦY ĐỦ: lần chạy bị dừng giữa chừng, mới đánh giá {len(finished)}/350 tệp")
    assert len([r for r in rows[5:] if r[1]]) == len(finished)
    meta = {r[0]: r[1] for r in book.get_sheet_by_name("_meta").to_python() if r[0]}
    assert meta["partial"] == f"có: dừng giữa chừng, {len(finished)}/350 tệp đã đánh giá"
    units = json.loads((out / "ket-qua.json").read_text(encoding="utf-8"))
    assert len(units) == len(finished) and all(u["run_partial"] is True for u in units)


def test_a_run_after_kill_9_removes_what_it_left(tmp_path):
    src = many_inputs(tmp_path, copies=10)
    out = tmp_path / "out"
    proc = start_batch(src, out, wait_for=10)
    children = descendants(proc.pid)
    proc.kill()
    for pid in children:  # a killed process cannot end its children: do not leave them to the next tests
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
    proc.communicate(timeout=30)  # (the children held its output pipes open)
    assert list(out.glob(".tmp-run-*"))  # the killed run's temporary folder is there
    small = tmp_path / "small"
    small.mkdir()
    shutil.copy(SAMPLES / "03-th-kim-dong.xlsx", small / "a.xlsx")
    done = subprocess.run([sys.executable, "-m", "dvht_sheets", "batch", str(small), "-o", str(out), "--jobs", "1"],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert [p.name for p in out.rglob("*") if p.name.startswith((".tmp-", "tmp"))] == []
    # the killed run's unit workbooks were in its manifest: only this run's one is left
    assert [p.name for p in (out / "don-vi").iterdir()] == ["TH-KIMDONG_ket-qua.xlsx"]


def test_sigint_leaves_only_whole_files(tmp_path):
    src = many_inputs(tmp_path)
    out = tmp_path / "out"
    proc = start_batch(src, out)
    proc.send_signal(signal.SIGINT)
    stdout, stderr = proc.communicate(timeout=120)
    assert proc.returncode == 130, (stdout, stderr)
    assert "Đã dừng giữa chừng" in stdout and "Traceback" not in stderr
    finished = list((out / "don-vi").glob("*.xlsx"))
    assert 20 <= len(finished) < 25 * 14
    for path in finished:  # every workbook there is whole
        calamine.CalamineWorkbook.from_path(str(path)).get_sheet_by_name("Kết quả").to_python()
    assert not list(out.rglob(".tmp-*"))
    rows = calamine.CalamineWorkbook.from_path(str(out / "tong-hop.xlsx")).get_sheet_by_name("Tổng hợp").to_python()
    assert len([r for r in rows[5:] if r[1]]) == len(finished)


def _send_half_a_result_and_die() -> None:
    # In a pool worker: write the header of a 1,000-byte message and 10 bytes of it into the pool's result pipe, then
    # die, as a worker ended by a stop in the middle of sending its results does.
    import gc
    import struct

    from multiprocessing.queues import SimpleQueue

    queue = next(o for o in gc.get_objects() if isinstance(o, SimpleQueue) and hasattr(o, "_writer"))
    os.write(queue._writer.fileno(), struct.pack("!i", 1000) + b"x" * 10)
    os._exit(1)


def test_a_pool_whose_worker_died_mid_message_is_ended_without_hanging():
    # The stopped batch that never exited: the pool's manager thread waited for the rest of a half-sent result. After
    # _end_pool, that thread must finish (at exit Python joins it).
    import threading
    from concurrent.futures import ProcessPoolExecutor

    from dvht_sheets import batch

    ex = ProcessPoolExecutor(1, mp_context=batch.worker_context())
    future = ex.submit(_send_half_a_result_and_die)
    deadline = time.time() + 30
    manager = None
    while time.time() < deadline and manager is None:
        manager = next((t for t in threading.enumerate() if t.__class__.__name__ == "_ExecutorManagerThread"), None)
        time.sleep(0.05)
    time.sleep(1.0)  # the worker has written half a message and died; the manager thread reads the rest for ever
    batch._end_pool(ex)
    manager.join(timeout=15)
    assert not manager.is_alive()
    assert future.done()
