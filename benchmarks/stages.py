"""Stage profiler: CPU milliseconds per typical workbook for each stage of one file's path, in one process.

    python benchmarks/stages.py [--n 100] [--passes 5] [--against DIR] [--inputs DIR] [--profile STAGE]

Generates N typical workbooks (benchmarks/bench_batch.typical, cached in a temporary folder), holds their bytes in
memory and runs each stage on every workbook, timing it with the process's CPU clock (time.process_time), so the
other load on the machine counts as little as possible:
  scan      read.scan_package (the safety scan of the zip, before any parser)
  read      read.read_bytes, everything up to the RawWorkbook (hash, scan, python-calamine, grid cleaning)
  calamine  read − scan: the parse and what surrounds it
  validate  validate.validate
  evaluate  evaluate.evaluate
  write     the unit's result workbook, in memory
  inflate   reference floor: zlib inflate of every part the reader needs, nothing else
Each pass runs in a fresh child process (warm-up on the first workbooks, then every workbook once); a stage's number
for a pass is the median over the workbooks, and the table shows the median over the passes.

--against DIR runs the same measurement on another copy of the code (e.g. `git archive main | tar -x -C DIR`) in
child processes interleaved with this one's, pass by pass, so the machine's drift hits both alike.
--profile STAGE prints a cProfile of that stage over all workbooks (this code only) instead of the table.
"""

from __future__ import annotations

import argparse
import io
import json
import statistics
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
STAGES = ["scan", "read", "calamine", "validate", "evaluate", "write", "total", "inflate"]


def generate(n: int, folder: Path) -> list[Path]:
    sys.path.insert(0, str(ROOT))
    from benchmarks.bench_batch import generate as gen

    paths = sorted(folder.glob("don-vi-*.xlsx"))
    if len(paths) < n:
        gen(n, folder, 2)
        paths = sorted(folder.glob("don-vi-*.xlsx"))
    return paths[:n]


def _write_fn():
    try:
        from dvht_sheets.report.unit import write_unit_workbook
    except ImportError:  # a copy of the code from before the report/ package
        from dvht_sheets.report_unit import write_unit_workbook  # type: ignore[no-redef]
    return write_unit_workbook


def _stage_fns():
    """(validate: RawWorkbook → (Submission, Rulebook), evaluate: (Submission, Rulebook) → UnitResult) the way the
    batch calls them: read_unit, the rulebook chosen, validate, evaluate — or, in a copy of the code from before that
    split, validate(raw) and evaluate(sub)."""
    from dvht_sheets import validate as v
    from dvht_sheets.evaluate import evaluate

    if not hasattr(v, "read_unit"):
        return (lambda raw: (v.validate(raw), None)), (lambda sub, book: evaluate(sub))
    from dvht_sheets import rulebook

    known = rulebook.names()

    def run(raw):
        head = v.read_unit(raw)
        book = rulebook.choose(head.unit.get("nam_danh_gia"))
        return v.validate(head, book, known), book
    return run, evaluate


def _inflate(data: bytes) -> None:
    from dvht_sheets.read import PARSED_PARTS

    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        for info in zf.infolist():
            if info.filename in PARSED_PARTS or info.filename.startswith("xl/worksheets/sheet"):
                zf.read(info)  # inflate + CRC check: what any safe reader pays once


def measure(root: str, paths: list[str], warm: int = 5) -> dict[str, float]:
    """One pass, in this process, on the code under root: stage → median CPU ms per workbook."""
    sys.path.insert(0, root)
    from dvht_sheets.read import DEFAULT_LIMITS, read_bytes, scan_package

    write, (validate, evaluate) = _write_fn(), _stage_fns()
    datas = [Path(p).read_bytes() for p in paths]
    clock = time.process_time
    times: dict[str, list[float]] = {s: [] for s in STAGES}

    def one(data: bytes, record: bool) -> None:
        t0 = clock()
        scan_package(data, DEFAULT_LIMITS)
        t1 = clock()
        raw = read_bytes(data, "x.xlsx")
        t2 = clock()
        sub, book = validate(raw)
        t3 = clock()
        result = evaluate(sub, book)
        t4 = clock()
        write(io.BytesIO(), result, sub)
        t5 = clock()
        _inflate(data)
        t6 = clock()
        if record:
            for stage, ms in zip(STAGES, (t1 - t0, t2 - t1, t2 - t1 - (t1 - t0), t3 - t2, t4 - t3, t5 - t4,
                                          t5 - t1, t6 - t5)):
                times[stage].append(ms * 1000)

    for data in datas[:warm]:
        one(data, False)
    for data in datas:
        one(data, True)
    return {s: statistics.median(v) for s, v in times.items()}


def profile(stage: str, paths: list[str]) -> None:
    import cProfile
    import pstats

    sys.path.insert(0, str(ROOT))
    from dvht_sheets.read import DEFAULT_LIMITS, read_bytes, scan_package

    write, (validate, evaluate) = _write_fn(), _stage_fns()
    datas = [Path(p).read_bytes() for p in paths]
    raws = [read_bytes(d, "x.xlsx") for d in datas]
    subs = [validate(r) for r in raws]
    results = [evaluate(s, b) for s, b in subs]
    run = {
        "scan": lambda: [scan_package(d, DEFAULT_LIMITS) for d in datas],
        "read": lambda: [read_bytes(d, "x.xlsx") for d in datas],
        "validate": lambda: [validate(r) for r in raws],
        "evaluate": lambda: [evaluate(s, b) for s, b in subs],
        "write": lambda: [write(io.BytesIO(), r, s) for r, (s, _) in zip(results, subs)],
    }[stage]
    prof = cProfile.Profile()
    prof.enable()
    run()
    prof.disable()
    stats = pstats.Stats(prof).sort_stats("tottime")
    stats.print_stats(25)
    stats.print_callers(r"is_blank|\(clean\)|text_of|\(fold\)|_blank_cell")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--n", type=int, default=100)
    ap.add_argument("--passes", type=int, default=5)
    ap.add_argument("--against", help="another copy of the code, measured interleaved")
    ap.add_argument("--inputs", help="folder of the generated workbooks (default: a cache in the temp folder)")
    ap.add_argument("--profile", choices=["scan", "read", "validate", "evaluate", "write"])
    ap.add_argument("--child", nargs=2, metavar=("ROOT", "LIST"), help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        print(json.dumps(measure(args.child[0], json.loads(Path(args.child[1]).read_text()))))
        return
    folder = Path(args.inputs or Path(tempfile.gettempdir()) / "dvht-stages")
    paths = [str(p) for p in generate(args.n, folder)]
    if args.profile:
        profile(args.profile, paths)
        return
    listing = folder / f"list-{args.n}.json"
    listing.write_text(json.dumps(paths))
    roots = {"this": str(ROOT)}
    if args.against:
        roots["against"] = str(Path(args.against).resolve())
    results: dict[str, list[dict[str, float]]] = {k: [] for k in roots}
    for k in range(args.passes):
        order = list(roots) if k % 2 == 0 else list(reversed(roots))
        for name in order:
            out = subprocess.run([sys.executable, __file__, "--child", roots[name], str(listing)],
                                 capture_output=True, text=True, check=True)
            results[name].append(json.loads(out.stdout.strip().splitlines()[-1]))
    print(f"CPU ms per workbook, median of {args.passes} passes over {len(paths)} typical workbooks "
          f"(each pass: median over the workbooks)")
    head = f"| stage | {' | '.join(roots)} |" + (" ratio |" if args.against else "")
    print(head)
    print("|---" * (len(roots) + 1 + bool(args.against)) + "|")
    for stage in STAGES:
        vals = {name: statistics.median(p[stage] for p in runs) for name, runs in results.items()}
        line = f"| {stage} | " + " | ".join(f"{v:.2f}" for v in vals.values()) + " |"
        if args.against:
            line += f" {vals['this'] / vals['against']:.2f} |" if vals["against"] else " – |"
        print(line)


if __name__ == "__main__":
    main()
