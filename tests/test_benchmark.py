"""The benchmark script runs end to end (its figures are measured by hand, not asserted: see README)."""

import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_benchmark_runs_and_reports_every_figure(tmp_path):
    out = subprocess.run([sys.executable, str(ROOT / "benchmarks" / "bench_batch.py"), "--n", "6", "--jobs", "1",
                          "--baseline", "2", "--keep", str(tmp_path / "in")],
                         capture_output=True, text=True, timeout=300, check=True).stdout
    assert len(list((tmp_path / "in").glob("*.xlsx"))) == 6
    assert re.search(r"dvht batch \(--jobs 1\): 6 workbooks in [\d.]+ s = [\d.]+ workbooks/s", out)
    assert re.search(r"naive baseline .*: 2 workbooks in [\d.]+ s = [\d.]+ workbooks/s", out)
    assert re.search(r"ratio: [\d.]+x", out)
    main_mb, tree_mb = map(int, re.search(r"main process (\d+) MB; main, forkserver and workers together (\d+) MB",
                                          out).groups())
    assert 0 < main_mb <= tree_mb
