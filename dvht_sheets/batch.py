"""One file end to end (read → validate → evaluate → unit workbook), and a folder of them in worker processes.

A file's problems, including an unexpected exception inside our own code or a worker process that dies, become
findings on that file's result: one bad file never stops the others. The core never prints; progress goes to an
optional callback.

Memory stays flat as a batch grows: at most a few files are in flight, each finished result is spilled to a temporary
file at once, and only a compact row per unit stays in memory for the summary.
"""

from __future__ import annotations

import multiprocessing
import os
import pickle
import resource
import signal
import tempfile
import traceback
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterator

from . import rulebook as rulebooks
from .evaluate import evaluate
from .findings import finding
from .model import Submission, UnitResult
from .read import DEFAULT_LIMITS, Limits, read_workbook
from .report_unit import atomic_write, result_file_name, save_unit_workbook, write_unit_workbook
from .rulebook import Rulebook
from .validate import validate

INPUT_SUFFIXES = {".xlsx", ".xlsm", ".xls", ".ods"}
UNIT_DIR = "don-vi"


@dataclass
class FileOutcome:
    result: UnitResult
    output: Path | None  # the unit's result workbook, when written


def evaluate_path(path: str | Path, book: Rulebook | None = None, limits: Limits = DEFAULT_LIMITS,
                  display_name: str | None = None) -> tuple[UnitResult, Submission | None]:
    """read → validate → evaluate for one file; never raises for anything inside the file."""
    name = display_name or str(path)
    try:
        raw = read_workbook(path, limits)
        raw.path = name
        sub = validate(raw, book)
        return evaluate(sub, book), sub
    except MemoryError:
        return _failed(name, "tệp cần quá nhiều bộ nhớ để đọc"), None
    except Exception as exc:  # a bug of ours must cost one file, not the batch
        result = _failed(name, f"lỗi nội bộ của công cụ ({type(exc).__name__}: {str(exc)[:120]})")
        result.debug = traceback.format_exc()  # type: ignore[attr-defined]
        return result, None


def _failed(name: str, detail: str, sha256: str = "") -> UnitResult:
    result = UnitResult(file=name, sha256=sha256, evaluated=False, findings=[finding("file-unreadable", detail=detail)])
    result.conclusion = "Không đánh giá được: " + result.findings[0].message
    return result


def check_file(path: str | Path, out_dir: str | Path | None, book: Rulebook | None = None,
               limits: Limits = DEFAULT_LIMITS, display_name: str | None = None,
               output_name: str | None = None) -> FileOutcome:
    result, sub = evaluate_path(path, book, limits, display_name)
    output = None
    if out_dir is not None:
        try:
            output = save_unit_workbook(out_dir, result, sub, output_name)
        except Exception as exc:  # e.g. a full disk: the result itself still stands
            result.findings.append(finding("file-unreadable", detail=f"không ghi được tệp kết quả ({exc})"))
    return FileOutcome(result, output)


# ---------------------------------------------------------------------------------------------------- discovery


@dataclass
class Discovery:
    inputs: list[tuple[Path, str]] = field(default_factory=list)  # (path, path relative to the input folder)
    skipped: list[tuple[str, str]] = field(default_factory=list)  # (relative path, why)


def discover(root: Path, out_dir: Path | None = None) -> Discovery:
    """Every workbook under root, sorted; lock files, our own output folder and other files are skipped."""
    found = Discovery()
    root = root.resolve()
    out = out_dir.resolve() if out_dir is not None else None
    for path in sorted(root.rglob("*")):
        if out is not None and (path == out or out in path.parents):
            continue  # never read our own results back as input
        if not path.is_file():
            continue
        rel = path.relative_to(root).as_posix()
        if path.name.startswith("~$"):
            found.skipped.append((rel, "tệp khoá tạm của Excel"))
        elif path.name.startswith(".tmp-"):
            found.skipped.append((rel, "tệp tạm"))
        elif path.suffix.lower() in INPUT_SUFFIXES:
            found.inputs.append((path, rel))
        else:
            found.skipped.append((rel, "không phải sổ tính Excel"))
    return found


# ---------------------------------------------------------------------------------------------------- workers


@dataclass(frozen=True)
class Task:
    index: int
    path: str
    rel: str
    temp_out: str  # the unit workbook is written here; the parent renames it once its final name is known


@dataclass(frozen=True)
class WorkerConfig:
    rulebook: str | None
    limits: Limits
    memory_mb: int
    crash_on: str | None = None  # fault injection for the isolation tests: a worker dies on a matching file


_CONFIG: WorkerConfig | None = None
_BOOK: Rulebook | None = None


def _init_worker(config: WorkerConfig) -> None:
    global _CONFIG, _BOOK
    _CONFIG = config
    _BOOK = rulebooks.get(config.rulebook) if config.rulebook else None
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent handles Ctrl-C and stops the pool
    if config.memory_mb:
        limit = config.memory_mb * 1024 * 1024
        try:
            resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
        except (ValueError, OSError):
            pass


def _work_packed(task: Task):
    """The worker's answer as the parent needs it: the compact summary row and the pickled result, so the parent
    never unpickles and re-pickles every result on its way to the spill file."""
    from .report_summary import unit_row

    result = _work(task)
    return unit_row(task.index, result, ""), pickle.dumps(result, protocol=pickle.HIGHEST_PROTOCOL)


def _work(task: Task) -> UnitResult:
    assert _CONFIG is not None
    if _CONFIG.crash_on and _CONFIG.crash_on in task.rel:
        os._exit(3)
    result, sub = evaluate_path(task.path, _BOOK, _CONFIG.limits, task.rel)
    try:
        write_unit_workbook(task.temp_out, result, sub)
    except MemoryError:
        result.findings.append(finding("file-unreadable", detail="không đủ bộ nhớ để ghi tệp kết quả"))
    except Exception as exc:
        result.findings.append(finding("file-unreadable", detail=f"không ghi được tệp kết quả ({exc})"))
    return result


def _context():
    # forkserver: workers start from a clean, pre-imported process, never forked from a parent that runs threads
    # (the progress bar, the executor's own manager thread).
    ctx = multiprocessing.get_context("forkserver")
    ctx.set_forkserver_preload(["dvht_sheets.batch"])
    return ctx


def _pack(task: Task, result: UnitResult):
    from .report_summary import unit_row

    return unit_row(task.index, result, ""), pickle.dumps(result, protocol=pickle.HIGHEST_PROTOCOL)


def _crashed(task: Task) -> UnitResult:
    return _failed(task.rel, "tiến trình xử lý tệp bị dừng đột ngột (có thể do tệp cần quá nhiều bộ nhớ "
                             "hoặc làm hỏng bộ đọc)")


def run_tasks(tasks: list[Task], config: WorkerConfig, jobs: int) -> Iterator[tuple[Task, tuple]]:
    """(task, (summary row, pickled result)) as files finish, in worker processes; a dead worker costs only its own
    file."""
    pending = {t.index: t for t in tasks}
    ctx = _context()
    window = max(2, jobs * 4)
    queue = list(tasks)
    broken = False
    with ProcessPoolExecutor(jobs, mp_context=ctx, initializer=_init_worker, initargs=(config,)) as ex:
        inflight = {}
        try:
            while queue or inflight:
                while queue and len(inflight) < window:
                    task = queue.pop(0)
                    inflight[ex.submit(_work_packed, task)] = task
                done, _ = wait(inflight, return_when=FIRST_COMPLETED)
                for fut in done:
                    task = inflight.pop(fut)
                    packed = fut.result()
                    pending.pop(task.index, None)
                    yield task, packed
        except BrokenProcessPool:
            broken = True
    if broken:
        # Which file killed the worker is unknown: run each unfinished file alone, so only the guilty one fails.
        for task in sorted(pending.values(), key=lambda t: t.index):
            with ProcessPoolExecutor(1, mp_context=ctx, initializer=_init_worker, initargs=(config,)) as solo:
                try:
                    packed = solo.submit(_work_packed, task).result()
                except BrokenProcessPool:
                    packed = _pack(task, _crashed(task))
            yield task, packed


# ---------------------------------------------------------------------------------------------------- the batch


@dataclass
class BatchOutcome:
    """What a batch produced. Unit results are spilled to disk; iterate them with `results()`."""

    out_dir: Path
    discovery: Discovery
    rows: list  # compact per-unit rows (report_summary.UnitRow), in final order
    spill_path: Path
    offsets: dict[int, tuple[int, int]]
    interrupted: bool = False

    def results(self) -> Iterator[UnitResult]:
        with open(self.spill_path, "rb") as fh:
            for row in self.rows:
                start, length = self.offsets[row.index]
                fh.seek(start)
                yield pickle.loads(fh.read(length))

    @property
    def not_evaluated(self) -> int:
        return sum(1 for r in self.rows if not r.evaluated)


ProgressFn = Callable[[int, int, object], None]  # (done, total, the finished unit's summary row or None)


def run_batch(root: Path, out_dir: Path, *, jobs: int | None = None, rulebook: str | None = None,
              limits: Limits = DEFAULT_LIMITS, memory_mb: int = 3072,
              progress: ProgressFn | None = None, crash_on: str | None = None) -> BatchOutcome:
    """Evaluate every workbook under root; write each unit's workbook into out_dir/don-vi. Summary: see
    report_summary.write_summary (kept separate so the core returns data and callers decide what to write)."""
    if rulebook:
        rulebooks.get(rulebook)  # fail early, in the parent, on a wrong id or file
    discovery = discover(root, out_dir)
    unit_dir = out_dir / UNIT_DIR
    unit_dir.mkdir(parents=True, exist_ok=True)
    tmp_dir = Path(tempfile.mkdtemp(prefix=".tmp-run-", dir=out_dir))
    tasks = [Task(i, str(p), rel, str(tmp_dir / f"{i}.xlsx")) for i, (p, rel) in enumerate(discovery.inputs)]
    config = WorkerConfig(rulebook, limits, memory_mb, crash_on)
    spill_path = tmp_dir / "results.pickle"
    offsets: dict[int, tuple[int, int]] = {}
    rows = []
    interrupted = False
    done = 0
    if progress:
        progress(0, len(tasks), None)
    with open(spill_path, "wb") as spill:
        try:
            for task, (row, blob) in run_tasks(tasks, config, max(1, jobs or os.cpu_count() or 1)) if tasks else ():
                offsets[task.index] = (spill.tell(), len(blob))
                spill.write(blob)
                rows.append(row)
                done += 1
                if progress:
                    progress(done, len(tasks), row)
        except KeyboardInterrupt:
            interrupted = True
    rows.sort(key=lambda r: (r.unit_code is None, r.unit_code or "", r.file))
    _place_outputs(rows, tasks, unit_dir)
    return BatchOutcome(out_dir, discovery, rows, spill_path, offsets, interrupted)


def _place_outputs(rows, tasks: list[Task], unit_dir: Path) -> None:
    """Final file names, decided in sorted order so a re-run names everything the same way."""
    used: set[str] = set()
    for row in rows:
        temp = Path(tasks[row.index].temp_out)
        if not temp.exists():
            continue
        base = result_file_name(UnitResult(file=row.file, sha256="", evaluated=False, unit_code=row.unit_code))
        name, n = base, 2
        while name.casefold() in used:
            name = base.replace("_ket-qua.xlsx", f"_{n}_ket-qua.xlsx")
            n += 1
        used.add(name.casefold())
        os.replace(temp, unit_dir / name)
        row.output = f"{UNIT_DIR}/{name}"


def finish(outcome: BatchOutcome) -> None:
    """Remove the run's temporary folder (spilled results, unrenamed workbooks)."""
    tmp_dir = outcome.spill_path.parent
    for p in tmp_dir.glob("*"):
        try:
            p.unlink()
        except OSError:
            pass
    try:
        tmp_dir.rmdir()
    except OSError:
        pass


__all__ = ["evaluate_path", "check_file", "discover", "run_batch", "finish", "BatchOutcome", "FileOutcome",
           "atomic_write"]
