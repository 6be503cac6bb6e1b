"""Benchmark: the whole district batch against a straightforward peer and a naive baseline, interleaved.

    python benchmarks/bench_batch.py [--n 1000] [--jobs 2] [--baseline 200] [--rounds 3] [--keep DIR] [--outputs DIR]
    make bench

1. Generates N typical workbooks (80 members, 30 evidence rows, a filled unit sheet), each a distinct unit.
2. Runs --rounds rounds; round k runs the three contenders on the same inputs in an order that rotates with k:
   - tool: `dvht batch` in a child process (reading, evaluation, every unit workbook, tong-hop.xlsx/.csv,
     ket-qua.json), timed end to end, its memory and its workers' sampled while it runs;
   - peer: benchmarks/peer.py, the straightforward implementation of the same outputs (python-calamine, plain
     Python, xlsxwriter's public API in memory, Pool.imap with chunksize 8), in a child process, measured the same way;
   - naive: in this process on the first --baseline files: pandas.read_excel(engine="openpyxl") for every sheet,
     the percentages computed with pandas per unit, the result workbook written with openpyxl.
3. Prints per round the workbooks per second of each, tool/peer and tool/naive, the peak resident memory of the tool
   and the peer (main process; whole process tree), then the medians over the rounds. The machine drifts between
   runs: compare the ratios measured within one run.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import random
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from dvht_sheets import rulebook as rulebooks  # noqa: E402
from dvht_sheets.template import WorkbookData, write_workbook  # noqa: E402

YES_FIELDS = ["tuan_thu_ky_luat", "hoan_thanh_boi_duong", "tham_gia_cds", "chung_chi_ngoai_ngu",
              "trinh_do_ngoai_ngu", "cong_dan_hoc_tap", "ke_hoach_tu_hoc"]


FAMILY = ["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Huỳnh", "Phan", "Vũ", "Võ", "Đặng", "Bùi", "Đỗ", "Hồ", "Ngô",
          "Dương", "Lý"]
MIDDLE = ["Thị", "Văn", "Thị Thu", "Văn Minh", "Thị Thanh", "Hữu", "Đức", "Ngọc", "Thị Bích", "Quang", "Minh", "Thị Kim"]
GIVEN = ["Lan", "Hoa", "Mai", "Hương", "Trang", "An", "Bình", "Châu", "Dũng", "Giang", "Hải", "Hạnh", "Hiếu", "Hùng",
         "Khoa", "Linh", "Long", "Nam", "Nga", "Phúc", "Quân", "Sơn", "Tâm", "Thảo", "Thắng", "Tuấn", "Vân", "Yến"]


def typical(i: int) -> WorkbookData:
    rng = random.Random(i)
    book = rulebooks.get("tt24-2023")
    members = []
    for k in range(80):
        # names as varied as a real staff list (a few thousand combinations), so that no cache keyed by a name
        # (duplicate detection folds each name) sees the same names in every workbook
        m = {"stt": k + 1, "ho_ten": f"{rng.choice(FAMILY)} {rng.choice(MIDDLE)} {rng.choice(GIVEN)}",
             "ngay_sinh": dt.datetime(1970 + rng.randint(0, 30), rng.randint(1, 12), rng.randint(1, 28)),
             "chuc_vu": rng.choice(["GV", "GV", "GV", "NV", "CBQL"])}
        for f in YES_FIELDS:
            m[f] = "Có" if rng.random() < 0.96 else "Không"
        m["danh_hieu"] = rng.choice(["Lao động tiên tiến"] * 9 + ["Chiến sĩ thi đua cơ sở", ""])
        members.append(m)
    ids = [r.id for r in book.rules_for("huyen")]
    evidence = [{"stt": k + 1, "ma_minh_chung": f"[H1-{ids[k % len(ids)]}-{k // len(ids) + 1:02d}]",
                 "ten_minh_chung": f"Văn bản minh chứng số {k + 1} năm 2025", "so_ngay_ban_hanh": f"{k + 10}/KH-TH",
                 "noi_ban_hanh": "Trường Tiểu học", "chi_tieu": ids[k % len(ids)]} for k in range(30)]
    indicators = {x: {"tu_danh_gia": "Đạt", "ma_minh_chung": f"[H1-{x}-01]"} for x in ids}
    indicators["3.3"]["tu_danh_gia"] = "Tập thể lao động tiên tiến"
    indicators["3.4"]["tu_danh_gia"] = rng.choice(["Đáp ứng cơ bản", "Đáp ứng tốt"])
    indicators["3.5"]["tu_danh_gia"] = "Không áp dụng"
    unit = {"ten_don_vi": f"Trường Tiểu học số {i}", "ma_don_vi": f"BENCH-{i:05d}", "loai_don_vi": "Tiểu học",
            "loai_hinh": "Công lập", "nam_danh_gia": 2025, "dia_ban_tinh": "Tỉnh Quảng Trị",
            "dia_ban_xa": "Xã Cam Lộ", "nguoi_lap": "Lê Văn An", "chuc_vu_nguoi_lap": "Hiệu trưởng",
            "ngay_lap": dt.datetime(2025, 12, 20), "lien_he": "0233 3888 999", "muc_do_de_nghi": "Mức độ 2"}
    return WorkbookData(unit=unit, members=members, indicators=indicators, evidence=evidence)


def _make(args: tuple[int, str]) -> None:
    i, folder = args
    write_workbook(Path(folder) / f"don-vi-{i:05d}.xlsx", rulebooks.get("tt24-2023"), "huyen", typical(i))


def generate(n: int, folder: Path, jobs: int) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    with ProcessPoolExecutor(jobs) as ex:
        list(ex.map(_make, [(i, str(folder)) for i in range(n)], chunksize=16))


# ---------------------------------------------------------------------------------------------------- our batch


def child(input_dir: str, out_dir: str, jobs: int) -> None:
    """Runs in a fresh process: the real batch end to end, then reports peak memory."""
    from contextlib import redirect_stdout
    import io

    from dvht_sheets.cli import run_and_report
    from dvht_sheets.read import Limits

    start = time.perf_counter()
    with redirect_stdout(io.StringIO()):
        code = run_and_report(Path(input_dir), Path(out_dir), None, jobs, None, Limits(), "bench")
    elapsed = time.perf_counter() - start
    print(json.dumps({"code": code, "elapsed": elapsed,
                      "self_maxrss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))


PAGE = os.sysconf("SC_PAGE_SIZE")


def _descendants(root: int) -> set[int]:
    """root and every process below it, from one pass over /proc (~3 ms here, so not done at every sample)."""
    parents: dict[int, int] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as fh:
                    parents[int(entry)] = int(fh.read().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
    tree, frontier = {root}, [root]
    while frontier:
        pid = frontier.pop()
        for child, parent in parents.items():
            if parent == pid and child not in tree:
                tree.add(child)
                frontier.append(child)
    return tree


class TreeMemory:
    """Resident memory of a process and its descendants, sampled cheaply: the tree is re-read from /proc every 0.25 s
    (the batch's workers live for the whole run), each sample reads only those processes' statm."""

    def __init__(self, root: int):
        self.root, self.tree, self.scanned = root, {root}, 0.0

    def sample(self) -> tuple[float, float]:
        now = time.monotonic()
        if now - self.scanned > 0.25:
            self.tree, self.scanned = _descendants(self.root), now
        rss = {}
        for pid in self.tree:
            try:
                with open(f"/proc/{pid}/statm") as fh:
                    rss[pid] = int(fh.read().split()[1]) * PAGE
            except (OSError, IndexError, ValueError):
                continue
        return rss.get(self.root, 0) / 2**20, sum(rss.values()) / 2**20


def run_tree(cmd: list[str]) -> dict:
    """Run cmd in a child process, timing it end to end (process start included) while its memory and its workers'
    are sampled every 50 ms."""
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, text=True)
    peak_main = peak_tree = 0.0
    memory = TreeMemory(proc.pid)
    while proc.poll() is None:
        main, tree = memory.sample()
        peak_main, peak_tree = max(peak_main, main), max(peak_tree, tree)
        time.sleep(0.05)
    wall = time.perf_counter() - start
    out = proc.stdout.read() if proc.stdout else ""
    if proc.returncode:
        raise SystemExit(f"{' '.join(cmd[1:3])} failed ({proc.returncode})")
    return {"wall": wall, "peak_main_mb": peak_main, "peak_tree_mb": peak_tree, "stdout": out}


def run_ours(input_dir: Path, out_dir: Path, jobs: int) -> dict:
    """The real batch (`dvht batch` through its click layer's run_and_report) in a child process."""
    stats = run_tree([sys.executable, __file__, "--child", str(input_dir), str(out_dir), str(jobs)])
    stats.update(json.loads(stats["stdout"].strip().splitlines()[-1]))
    return stats


def run_peer(input_dir: Path, out_dir: Path, jobs: int) -> dict:
    """The straightforward peer (benchmarks/peer.py) in a child process, measured the same way."""
    return run_tree([sys.executable, str(Path(__file__).with_name("peer.py")), str(input_dir), str(out_dir),
                     "--jobs", str(jobs)])


# ---------------------------------------------------------------------------------------------------- naive baseline


def naive_one(path: Path, out_dir: Path) -> None:
    import openpyxl
    import pandas as pd

    sheets = pd.read_excel(path, sheet_name=None, engine="openpyxl", header=None)
    members = sheets["Thành viên"]
    header = members.iloc[2].tolist()
    df = members.iloc[3:].copy()
    df.columns = header
    df = df[df["Họ và tên"].notna()]
    counted = df[df["Tính vào tổng số"].fillna("Có") != "Không"]
    results = []
    thresholds = {1: 90, 2: 95}
    for col in [c for c in header if isinstance(c, str) and "(" in c and c != "Danh hiệu thi đua (2.5)"]:
        share = (counted[col] == "Có").mean() * 100
        for level, thr in thresholds.items():
            results.append((col, level, share, share >= thr))
    titles = counted["Danh hiệu thi đua (2.5)"].isin(["Lao động tiên tiến", "Chiến sĩ thi đua cơ sở"]).mean() * 100
    results.append(("2.5", 1, titles, titles >= 90))
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Kết quả"
    for r, row in enumerate(results, start=1):
        for c, v in enumerate(row, start=1):
            ws.cell(r, c, v)
    for name, frame in sheets.items():
        if name in ("Hướng dẫn", "_meta"):
            continue
        copy = wb.create_sheet(name)
        for row in frame.itertuples(index=False):
            copy.append([None if pd.isna(v) else v for v in row])
    wb.save(out_dir / f"{path.stem}_ket-qua.xlsx")


def run_naive(files: list[Path], out_dir: Path) -> float:
    out_dir.mkdir(parents=True, exist_ok=True)
    import openpyxl  # noqa: F401  (imports are not part of the per-file cost)
    import pandas  # noqa: F401
    start = time.perf_counter()
    for path in files:
        naive_one(path, out_dir)
    return time.perf_counter() - start


def _median(values: list[float]) -> float:
    return statistics.median(values)


def _round(k: int, inputs: Path, work: Path, args, files: list[Path]) -> dict:
    """One round: the tool, the peer and the naive baseline on the same inputs, in an order that rotates with k (so no
    contender always runs first on a cold cache or last on a hot machine)."""
    order = ["tool", "peer", "naive"][k % 3:] + ["tool", "peer", "naive"][: k % 3]
    got: dict = {"order": order}
    for name in order:
        out = work / f"{name}-{k}"
        if name == "tool":
            got["tool"] = run_ours(inputs, out, args.jobs)
        elif name == "peer":
            got["peer"] = run_peer(inputs, out, args.jobs)
        else:
            got["naive"] = {"wall": run_naive(files, out)}
        if args.outputs is not None and k == args.rounds - 1:
            shutil.copytree(out, args.outputs / name, dirs_exist_ok=True)
        shutil.rmtree(out, ignore_errors=True)
    got["rate"] = {"tool": args.n / got["tool"]["wall"], "peer": args.n / got["peer"]["wall"],
                   "naive": len(files) / got["naive"]["wall"]}
    return got


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--n", type=int, default=1000)
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--baseline", type=int, default=200, help="files for the naive baseline (its rate is per file)")
    parser.add_argument("--rounds", type=int, default=3, help="interleaved rounds (the medians are printed)")
    parser.add_argument("--keep", type=Path, default=None, help="keep generated inputs here and reuse them")
    parser.add_argument("--outputs", type=Path, default=None, help="copy the last round's outputs here (tool/, peer/, "
                        "naive/) to look at them")
    parser.add_argument("--child", nargs=3, metavar=("IN", "OUT", "JOBS"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.child[0], args.child[1], int(args.child[2]))
        return
    work = Path(tempfile.mkdtemp(prefix="dvht-bench-"))
    inputs = args.keep or work / "in"
    try:
        existing = len(list(inputs.glob("*.xlsx"))) if inputs.exists() else 0
        if existing != args.n:
            shutil.rmtree(inputs, ignore_errors=True)
            t = time.perf_counter()
            generate(args.n, inputs, args.jobs)
            print(f"generated {args.n} typical workbooks (80 members, 30 evidence rows) in "
                  f"{time.perf_counter() - t:.1f} s")
        files = sorted(inputs.glob("*.xlsx"))[: args.baseline]
        print(f"{args.rounds} interleaved rounds; tool = dvht batch (--jobs {args.jobs}), peer = benchmarks/peer.py "
              f"(calamine + plain Python + xlsxwriter, Pool.imap, {args.jobs} processes), naive = pandas+openpyxl in "
              f"one process on {len(files)} of the {args.n} files; times are end to end, process start included",
              flush=True)
        rounds = []
        for k in range(args.rounds):
            got = _round(k, inputs, work, args, files)
            rounds.append(got)
            rate, tool, peer = got["rate"], got["tool"], got["peer"]
            print(f"round {k + 1} (order: {', '.join(got['order'])}):")
            print(f"  tool:  {args.n} workbooks in {tool['wall']:.1f} s = {rate['tool']:.1f} workbooks/s; peak memory "
                  f"main {tool['peak_main_mb']:.0f} MB, process tree {tool['peak_tree_mb']:.0f} MB")
            print(f"  peer:  {args.n} workbooks in {peer['wall']:.1f} s = {rate['peer']:.1f} workbooks/s; peak memory "
                  f"main {peer['peak_main_mb']:.0f} MB, process tree {peer['peak_tree_mb']:.0f} MB")
            print(f"  naive: {len(files)} workbooks in {got['naive']['wall']:.1f} s = {rate['naive']:.1f} workbooks/s")
            print(f"  tool/peer {rate['tool'] / rate['peer']:.2f}x, tool/naive {rate['tool'] / rate['naive']:.1f}x",
                  flush=True)
        med = {name: _median([g["rate"][name] for g in rounds]) for name in ("tool", "peer", "naive")}
        tp = [g["rate"]["tool"] / g["rate"]["peer"] for g in rounds]
        tn = [g["rate"]["tool"] / g["rate"]["naive"] for g in rounds]
        mem = {name: {key: _median([g[name][key] for g in rounds]) for key in ("peak_main_mb", "peak_tree_mb")}
               for name in ("tool", "peer")}
        print(f"median of {args.rounds} rounds: tool {med['tool']:.1f} workbooks/s, peer {med['peer']:.1f} "
              f"workbooks/s, naive {med['naive']:.1f} workbooks/s")
        print(f"median ratios: tool/peer {_median(tp):.2f}x (rounds {', '.join(f'{x:.2f}' for x in tp)}), "
              f"tool/naive {_median(tn):.1f}x (rounds {', '.join(f'{x:.1f}' for x in tn)})")
        print(f"median peak memory: tool main {mem['tool']['peak_main_mb']:.0f} MB, process tree "
              f"{mem['tool']['peak_tree_mb']:.0f} MB; peer main {mem['peer']['peak_main_mb']:.0f} MB, process tree "
              f"{mem['peer']['peak_tree_mb']:.0f} MB (resident; sampled every 50 ms, the tree re-read every 0.25 s)")
        load = os.getloadavg()
        print(f"cpu: {os.cpu_count()} cores visible; load average {load[0]:.1f} {load[1]:.1f} {load[2]:.1f}; python "
              f"{sys.version.split()[0]}")
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
