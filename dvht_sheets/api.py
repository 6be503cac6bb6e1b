"""The library's entry points (re-exported by dvht_sheets/__init__.py): evaluate one workbook, run a whole batch
with every output, load a rulebook, and turn results into pandas frames. The CLI's `batch` and `demo` call run_batch
and only render what it returns (sqlite-utils style: the CLI builds library objects and calls library functions).

Usage problems raise exceptions the CLI turns into exit statuses: InputInsideOutput and NoInputs (2), FolderBusy (2),
OutputFailed (3), RulebookError (2)."""

from __future__ import annotations

import signal
import threading
from pathlib import Path
from typing import Callable, Iterable

from . import rulebook as rulebooks
from .batch import (
    UNIT_DIR, BatchOutcome, Discovery, FileOutcome, OutputFailed, OutputFolder, check_isolated, discover,
    evaluate_folder, evaluate_path, inside, read_roster_isolated, start_workers_early,
)
from .findings import Code, message
from .frames import JSON_NAME
from .model import UnitResult
from .read import DEFAULT_LIMITS, Limits
from .report.exports import JsonWriter, json_text, write_csv
from .report.files import check_writable
from .report.summary import SummaryWriter
from .rulebook import Rulebook

SUMMARY_NAME, CSV_NAME = "tong-hop.xlsx", "tong-hop.csv"


class InputInsideOutput(Exception):
    """The input folder lies inside the output's don-vi/ folder, where the tool writes and removes files."""

    def __init__(self, input_dir: Path, output_dir: Path):
        super().__init__(str(input_dir))
        self.message = message(Code.RUN_INPUT_INSIDE_OUTPUT, file=input_dir, sheet=UNIT_DIR, expected=output_dir)


class NoInputs(Exception):
    """No workbook in the input folder (the files skipped are named)."""

    def __init__(self, input_dir: Path, discovery: Discovery):
        super().__init__(str(input_dir))
        self.discovery = discovery
        listed = ""
        if discovery.skipped:
            listed = f" Có {len(discovery.skipped)} tệp khác bị bỏ qua:"
            for rel, why in discovery.skipped[:20]:
                listed += f"\n  {rel}: {why}"
            if len(discovery.skipped) > 20:
                listed += f"\n  … và {len(discovery.skipped) - 20} tệp khác."
        self.message = message(Code.RUN_NO_INPUTS, file=input_dir, detail=listed)


def write_template(path: str | Path | None, book: Rulebook, tier: str) -> Path:
    """The blank standard workbook for a tier ("huyen", "tinh") of a rulebook, written whole or not at all; path None
    gives the default name (mau-dvht-<bộ quy tắc>-cap-<cấp>.xlsx) in the current folder."""
    from .report.files import atomic_write
    from .template import template_name, write_workbook

    target = Path(path) if path is not None else Path(template_name(book, tier))
    atomic_write(target, lambda tmp: write_workbook(tmp, book, tier))
    return target


def check(path: str | Path, out_dir: str | Path | None, *, rulebook: str | Path | Rulebook | None = None,
          limits: Limits = DEFAULT_LIMITS) -> FileOutcome:
    """`dvht check` for one file: read and evaluate it in a child process with a memory cap (a file that aborts a
    reader costs that file), and write its result workbook into out_dir (None: none)."""
    return check_isolated(path, out_dir, _book(rulebook), limits, display_name=str(path))


def to_json(results: Iterable[UnitResult]) -> str:
    """Results as the JSON of ket-qua.json (UnitResult.to_json() each), indented: what `dvht check --json` prints."""
    return json_text(results)


def _book(ref: str | Path | Rulebook | None) -> Rulebook | None:
    if ref is None or isinstance(ref, Rulebook):
        return ref
    return rulebooks.get(str(ref))


def evaluate(path: str | Path, *, rulebook: str | Path | Rulebook | None = None,
             limits: Limits = DEFAULT_LIMITS) -> UnitResult:
    """Read and evaluate one workbook; writes nothing. Without a rulebook, the one of the unit's year is used. A bad
    file gives a result with its findings (evaluated=False), never an exception."""
    result, _ = evaluate_path(path, _book(rulebook), limits)
    return result


def _preload_stats() -> None:
    # The statistics need pandas (~0.4 s to import): imported while the workers run, not after the last unit.
    def load() -> None:
        try:
            from .report import stats  # noqa: F401
        except Exception:  # pragma: no cover - the import is retried, and reported, when the summary is closed
            pass
    threading.Thread(target=load, name="dvht-preload", daemon=True).start()


def run_batch(input_dir: str | Path, output_dir: str | Path, *, roster: str | Path | None = None,
              jobs: int | None = None, rulebook: str | Path | Rulebook | None = None,
              progress: Callable[[int, int, object], None] | None = None, limits: Limits = DEFAULT_LIMITS,
              command: str | None = None, stop: Callable[[], int | None] | None = None,
              dossier: Callable[[BatchOutcome], object] | None = None) -> BatchOutcome:
    """Evaluate every workbook under input_dir (sub-folders too) and write every output into output_dir: one result
    workbook per unit in don-vi/, tong-hop.xlsx, tong-hop.csv and ket-qua.json.

    roster: the list of units that must submit (.csv/.xlsx); jobs: worker processes (default: CPU count); rulebook:
    an id or a .toml file forced on every file; progress(done, total, row) after each unit; command: what _meta
    records as the command; stop(): a signal number (or True) once the caller wants the run stopped — what is
    finished is kept and the summary says CHƯA ĐẦY ĐỦ; dossier(outcome): called once the units are evaluated, in the
    still locked output folder (the CLI's --ho-so passes the dossier writer; its result is outcome.dossier). Bad files
    never stop the batch: they are rows with
    "Không đánh giá được". Raises InputInsideOutput, NoInputs, FolderBusy, OutputFailed, RulebookError."""
    input_dir, output_dir = Path(input_dir), Path(output_dir)
    book = _book(rulebook)
    src, out = input_dir.resolve(), output_dir.resolve()
    unit_dir = out / UNIT_DIR
    if inside(src, unit_dir):
        raise InputInsideOutput(input_dir, output_dir)
    start_workers_early()  # the workers' server boots while the folder is searched and the outputs are opened
    discovery = discover(input_dir, output_dir)
    if not discovery.inputs:
        raise NoInputs(input_dir, discovery)
    folder = OutputFolder(output_dir).open()
    summary = json_out = None
    try:
        # Before any thread of ours: the roster is read in a forked child, and fork is safe only without threads.
        for name in (SUMMARY_NAME, CSV_NAME, JSON_NAME):  # an officer reviewing last run's summary in Excel
            check_writable(output_dir / name)
        roster_data = read_roster_isolated(Path(roster)) if roster else None
        _preload_stats()
        summary = SummaryWriter(output_dir / SUMMARY_NAME, tmpdir=folder.tmp)
        json_out = JsonWriter(output_dir / JSON_NAME)

        class Both:
            # the workers make each unit's fragment for this summary workbook (it holds the JSON object too)
            fragment_spec = summary.fragment_spec

            def add(self, row, fragment) -> None:
                summary.add(row, fragment)
                json_out.add(row, fragment)

        outcome = evaluate_folder(input_dir, output_dir, jobs=jobs, rulebook=book,
                                  limits=limits, progress=progress, sink=Both(),
                                  stop=(lambda: bool(stop())) if stop else None, folder=folder, discovery=discovery,
                                  dossier=dossier)
        signum = stop() if stop else None
        if isinstance(signum, bool):
            signum = int(signal.SIGINT) if signum else None
        if signum is None and outcome.interrupted:
            signum = int(signal.SIGINT)
        partial = (len(outcome.rows), len(discovery.inputs)) if signum is not None else None
        summary.close(outcome.rows, roster=roster_data, command=command or f"dvht batch {input_dir} -o {output_dir}",
                      skipped=discovery.skipped, partial=partial, books=[book] if book else ())
        json_out.close(partial=partial is not None)
        write_csv(output_dir / CSV_NAME, outcome.rows)
        folder.close()
    except BaseException as exc:
        for writer in (summary, json_out):
            if writer is not None:
                writer.abort()
        folder.abandon()
        if isinstance(exc, OSError):
            raise OutputFailed(output_dir, exc) from exc
        raise
    from .report.stats import counted_rows, duplicate_warnings, submission_status, submitted_text

    usable = roster_data if roster_data is not None and not roster_data.problem else None
    outcome.roster, outcome.partial, outcome.stopped_by = roster_data, partial, signum
    outcome.units = counted_rows(outcome.rows)
    outcome.submitted = submitted_text(outcome.rows, usable)
    outcome.warnings = duplicate_warnings(outcome.rows) + [
        message(Code.RUN_OLD_RESULT_OPEN, file=rel) for rel in folder.left_open]
    if usable is not None:
        outcome.missing = submission_status(outcome.rows, usable)["missing"]
    return outcome
