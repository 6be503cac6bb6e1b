"""One file end to end (read → validate → evaluate → unit workbook), and a folder of them in worker processes.

A file's problems, including an unexpected exception inside our own code or a worker process that dies, become
findings on that file's result: one bad file never stops the others. The core never prints; progress goes to an
optional callback.

Memory stays flat as a batch grows: a bounded number of files are in flight, each finished result is handed to the
summary writers at once (in input order), and only a compact row per unit stays in memory.
"""

from __future__ import annotations

import multiprocessing
import os
import pickle
import resource
import shutil
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
from .report_unit import result_file_name, save_unit_workbook, write_unit_workbook
from .rulebook import Rulebook
from .validate import validate

INPUT_SUFFIXES = {".xlsx", ".xlsm", ".xlsb", ".xls", ".ods"}
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


def _failed(name: str, detail: str) -> UnitResult:
    result = UnitResult(file=name, sha256="", evaluated=False, findings=[finding("file-unreadable", detail=detail)])
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
    return _pack(task, _work(task))


def _work_chunk(tasks: list[Task]) -> list:
    # A few files per round trip: the pool's per-call cost (pickling, pipes, its threads) is paid once for them.
    return [_work_packed(task) for task in tasks]


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
    """A result as the parent needs it: the compact summary row and the pickled result, so the parent only unpickles
    a result once, and the summary row costs it nothing."""
    from .report_summary import unit_row

    return unit_row(task.index, result, ""), pickle.dumps(result, protocol=pickle.HIGHEST_PROTOCOL)


def _crashed(task: Task) -> UnitResult:
    return _failed(task.rel, "tiến trình xử lý tệp bị dừng đột ngột (có thể do tệp cần quá nhiều bộ nhớ "
                             "hoặc làm hỏng bộ đọc)")


def run_tasks(tasks: list[Task], config: WorkerConfig, jobs: int,
              max_ahead: int = 256) -> Iterator[tuple[Task, tuple]]:
    """(task, (summary row, pickled result)) in input order, computed in worker processes; a dead worker costs only
    its own file. At most max_ahead results wait for a slow earlier file, so memory stays bounded."""
    ctx = _context()
    window = max(2, jobs * 3)
    queued = 0  # tasks[:queued] have been submitted
    ready: dict[int, tuple] = {}
    next_index = tasks[0].index if tasks else 0
    by_index = {t.index: t for t in tasks}
    unfinished = set(by_index)
    broken = False

    def drain():
        nonlocal next_index
        while next_index in ready:
            packed = ready.pop(next_index)
            yield by_index[next_index], packed
            next_index += 1

    chunk = 4 if len(tasks) >= jobs * 16 else 1
    with ProcessPoolExecutor(jobs, mp_context=ctx, initializer=_init_worker, initargs=(config,)) as ex:
        inflight: dict = {}
        try:
            while queued < len(tasks) or inflight:
                while queued < len(tasks) and len(inflight) < window and tasks[queued].index < next_index + max_ahead:
                    group = tasks[queued:queued + chunk]
                    queued += len(group)
                    inflight[ex.submit(_work_chunk, group)] = group
                done, _ = wait(inflight, return_when=FIRST_COMPLETED)
                for fut in done:
                    group = inflight.pop(fut)
                    for task, packed in zip(group, fut.result()):
                        ready[task.index] = packed
                        unfinished.discard(task.index)
                yield from drain()
        except BrokenProcessPool:
            broken = True
    if broken:
        # Which file killed the worker is unknown: run each unfinished file alone, so only the guilty one fails.
        for index in sorted(unfinished):
            task = by_index[index]
            with ProcessPoolExecutor(1, mp_context=ctx, initializer=_init_worker, initargs=(config,)) as solo:
                try:
                    ready[index] = solo.submit(_work_packed, task).result()
                except BrokenProcessPool:
                    ready[index] = _pack(task, _crashed(task))
            yield from drain()


# ---------------------------------------------------------------------------------------------------- the batch


class Sink:
    """Receives each finished unit, in input order, with its result workbook already in place."""

    def add(self, row, result: UnitResult) -> None:  # pragma: no cover - interface
        raise NotImplementedError


@dataclass
class BatchOutcome:
    out_dir: Path
    discovery: Discovery
    rows: list  # compact per-unit rows (report_summary.UnitRow), sorted by unit code then file
    interrupted: bool = False
    dossier: object = None  # dossier.office.DossierOutcome, with `--ho-so` (issue 12)

    @property
    def not_evaluated(self) -> int:
        return sum(1 for r in self.rows if not r.evaluated)


ProgressFn = Callable[[int, int, object], None]  # (done, total, the finished unit's summary row or None)


class _Names:
    """Result file names, given in input order, so a re-run names everything the same way."""

    def __init__(self) -> None:
        self.used: set[str] = set()

    def take(self, file: str, unit_code: str | None) -> str:
        base = result_file_name(UnitResult(file=file, sha256="", evaluated=False, unit_code=unit_code))
        name, n = base, 2
        while name.casefold() in self.used:
            name = base.replace("_ket-qua.xlsx", f"_{n}_ket-qua.xlsx")
            n += 1
        self.used.add(name.casefold())
        return name


def run_batch(root: Path, out_dir: Path, *, jobs: int | None = None, rulebook: str | None = None,
              limits: Limits = DEFAULT_LIMITS, memory_mb: int = 3072, progress: ProgressFn | None = None,
              sink: Sink | None = None, crash_on: str | None = None,
              dossier: Callable[[BatchOutcome], object] | None = None) -> BatchOutcome:
    """Evaluate every workbook under root and put each unit's result workbook into out_dir/don-vi.

    Each finished unit goes to sink (in input order) while the others are still being evaluated, so the summary is
    written alongside the batch instead of after it. Ctrl-C stops cleanly: what was finished is kept and reported
    (interrupted=True); no half-written workbook is left."""
    if rulebook:
        rulebooks.get(rulebook)  # fail early, in the parent, on a wrong id or file
    discovery = discover(root, out_dir)
    unit_dir = out_dir / UNIT_DIR
    unit_dir.mkdir(parents=True, exist_ok=True)
    tmp_dir = Path(tempfile.mkdtemp(prefix=".tmp-run-", dir=out_dir))
    tasks = [Task(i, str(p), rel, str(tmp_dir / f"{i}.xlsx")) for i, (p, rel) in enumerate(discovery.inputs)]
    config = WorkerConfig(rulebook, limits, memory_mb, crash_on)
    rows = []
    names = _Names()
    interrupted = False
    if progress:
        progress(0, len(tasks), None)
    try:
        for task, (row, blob) in run_tasks(tasks, config, max(1, jobs or os.cpu_count() or 1)) if tasks else ():
            temp = Path(task.temp_out)
            if temp.exists():
                name = names.take(row.file, row.unit_code)
                os.replace(temp, unit_dir / name)
                row.output = f"{UNIT_DIR}/{name}"
            rows.append(row)
            if sink is not None:
                sink.add(row, pickle.loads(blob))
            if progress:
                progress(len(rows), len(tasks), row)
    except KeyboardInterrupt:
        interrupted = True
    finally:
        shutil.rmtree(tmp_dir, ignore_errors=True)
    rows.sort(key=lambda r: (r.unit_code is None, r.unit_code or "", r.file))
    outcome = BatchOutcome(out_dir, discovery, rows, interrupted)
    if dossier is not None and not interrupted:
        # issue 12, `--ho-so`: the dossiers after the batch (dvht_sheets/dossier/office.py), so a batch without it
        # never loads docxtpl.
        outcome.dossier = dossier(outcome)
    return outcome


__all__ = ["evaluate_path", "check_file", "discover", "run_batch", "BatchOutcome", "FileOutcome", "Sink"]
