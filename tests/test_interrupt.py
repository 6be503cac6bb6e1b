"""Ctrl-C in the middle of a batch: what was finished is kept and said, nothing half-written is left.

Requirement: issue 4 item 4; outputs.md "Guarantees" (temporary name, then rename).
"""

import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import python_calamine as calamine

SAMPLES = Path(__file__).resolve().parents[1] / "dvht_sheets" / "data" / "samples"


def test_sigint_leaves_only_whole_files(tmp_path):
    src = tmp_path / "in"
    src.mkdir()
    for i in range(25):
        for sample in sorted(SAMPLES.glob("*.xlsx")):
            shutil.copy(sample, src / f"{i:02d}-{sample.name}")
    out = tmp_path / "out"
    proc = subprocess.Popen([sys.executable, "-m", "dvht_sheets", "batch", str(src), "-o", str(out), "--jobs", "2"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    deadline = time.time() + 60
    while time.time() < deadline and len(list((out / "don-vi").glob("*.xlsx"))) < 20:
        time.sleep(0.05)
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
