"""The benchmark script runs end to end and prints every figure; its straightforward peer writes real outputs that
agree with the tool's (the figures themselves are measured by hand, not asserted: see README)."""

import json
import re
import subprocess
import sys
from pathlib import Path

import openpyxl
import pytest

ROOT = Path(__file__).resolve().parents[1]
RATE = r"(\d+) workbooks in [\d.]+ s = ([\d.]+) workbooks/s"


@pytest.fixture(scope="module")
def bench(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("bench")
    out = subprocess.run([sys.executable, str(ROOT / "benchmarks" / "bench_batch.py"), "--n", "6", "--jobs", "1",
                          "--baseline", "2", "--rounds", "1", "--keep", str(tmp / "in"), "--outputs", str(tmp / "out")],
                         capture_output=True, text=True, timeout=300, check=True).stdout
    return out, tmp


def test_benchmark_prints_every_figure(bench):
    out, tmp = bench
    assert len(list((tmp / "in").glob("*.xlsx"))) == 6
    assert re.search(r"round 1 \(order: tool, peer, naive\):", out)
    for name, n in (("tool", 6), ("peer", 6), ("naive", 2)):
        m = re.search(rf"  {name}: +{RATE}", out)
        assert m, name
        assert int(m.group(1)) == n and float(m.group(2)) > 0
    rates = {name: float(re.search(rf"  {name}: +{RATE}", out).group(2)) for name in ("tool", "peer", "naive")}
    m = re.search(r"  tool/peer ([\d.]+)x, tool/naive ([\d.]+)x", out)
    assert m
    # The printed ratios are the printed rates' (rates to 0.1, ratios to 0.01 and 0.1: rounding, not different figures).
    # A rate printed to ±0.05 moves a ratio by up to 0.05/rate of itself: a lot at the few workbooks per second of
    # this small run on a busy machine.
    for printed, other, digits in ((m.group(1), "peer", 0.005), (m.group(2), "naive", 0.05)):
        ratio = rates["tool"] / rates[other]
        bound = ratio * (0.05 / rates["tool"] + 0.05 / rates[other]) + digits
        assert abs(float(printed) - ratio) <= bound + 1e-9, (printed, rates)
    for name in ("tool", "peer"):
        main_mb, tree_mb = map(int, re.search(rf"  {name}: .*peak memory main (\d+) MB, process tree (\d+) MB",
                                              out).groups())
        assert 0 < main_mb <= tree_mb
    assert re.search(r"median of 1 rounds: tool [\d.]+ workbooks/s, peer [\d.]+ workbooks/s, naive [\d.]+ workbooks/s",
                     out)
    assert re.search(r"median ratios: tool/peer [\d.]+x \(rounds [\d.]+\), tool/naive [\d.]+x \(rounds [\d.]+\)", out)
    m = re.search(r"median peak memory: tool main (\d+) MB, process tree (\d+) MB; peer main (\d+) MB, process tree "
                  r"(\d+) MB", out)
    assert m and all(int(x) > 0 for x in m.groups())


def test_peer_outputs_exist_and_open(bench):
    _, tmp = bench
    peer = tmp / "out" / "peer"
    units = sorted((peer / "don-vi").glob("*_ket-qua.xlsx"))
    assert [p.name for p in units] == [f"BENCH-{i:05d}_ket-qua.xlsx" for i in range(6)]
    for path in units:
        wb = openpyxl.load_workbook(path)
        assert wb.sheetnames == ["Kết quả", "Thông tin đơn vị", "Thành viên", "Chỉ tiêu", "Minh chứng", "Lỗi dữ liệu",
                                 "_meta"]
        assert wb["_meta"].sheet_state == "hidden"
    summary = openpyxl.load_workbook(peer / "tong-hop.xlsx")
    assert summary.sheetnames == ["Tổng hợp", "Chỉ tiêu", "Lỗi dữ liệu", "_meta"]
    overview = summary["Tổng hợp"]
    assert [overview.cell(6 + i, 2).value for i in range(6)] == [f"BENCH-{i:05d}" for i in range(6)]
    # Long form: every unit × level × indicator of the huyện tier (15 indicators at 2 levels).
    assert summary["Chỉ tiêu"].max_row == 1 + 6 * 2 * 15
    lines = (peer / "tong-hop.csv").read_bytes().decode("utf-8-sig").splitlines()
    assert lines[0].startswith("file,sha256,unit_code") and len(lines) == 7
    assert len(json.loads((peer / "ket-qua.json").read_text(encoding="utf-8"))) == 6


def test_peer_counts_agree_with_hand_counts_and_the_tool(bench):
    _, tmp = bench
    peer = json.loads((tmp / "out" / "peer" / "ket-qua.json").read_text(encoding="utf-8"))
    tool = json.loads((tmp / "out" / "tool" / "ket-qua.json").read_text(encoding="utf-8"))
    keys = ("id", "level", "applicable", "met", "numerator", "denominator", "percent", "threshold", "evidence")
    for p, t in zip(peer, tool, strict=True):
        assert (p["unit_code"], p["members"], p["level"]) == (t["unit_code"], t["members"], t["level"])
        assert [{k: i[k] for k in keys} for i in p["indicators"]] == [{k: i[k] for k in keys} for i in t["indicators"]]
    # Hand count from the input itself: members answering "Có" for 2.1 (column F, from row 4) in the first unit.
    members = openpyxl.load_workbook(tmp / "in" / "don-vi-00000.xlsx")["Thành viên"]
    yes = sum(1 for (v,) in members.iter_rows(min_row=4, min_col=6, max_col=6, values_only=True) if v == "Có")
    total = sum(1 for (v,) in members.iter_rows(min_row=4, min_col=2, max_col=2, values_only=True) if v)
    assert total == 80
    result = openpyxl.load_workbook(tmp / "out" / "peer" / "don-vi" / "BENCH-00000_ket-qua.xlsx")
    row = next(r for r in result["Kết quả"].iter_rows(values_only=True) if r[1] == "2.1")
    hundredths = (yes * 20000 + total) // (2 * total)
    assert row[5] == f"{yes}/{total} = {hundredths // 100},{hundredths % 100:02d} %"
    assert row[6] == ("Đạt" if yes * 100 >= 90 * total else "Không đạt")
    # The finding on the school's own sheet: amber fill and a note (Cấp đánh giá left blank → tier inferred).
    cell = result["Thông tin đơn vị"]["B8"]
    assert cell.fill.fgColor.rgb == "FFFFEB9C"
    assert "[unit-tier-inferred]" in cell.comment.text
