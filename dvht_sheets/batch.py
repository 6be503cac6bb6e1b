"""One file end to end (read → validate → evaluate → unit workbook), and many files in parallel worker processes.

A file's problems, including an unexpected exception inside our own code, become findings on that file's result:
one bad file never stops the others.
"""

from __future__ import annotations

import traceback
from dataclasses import dataclass
from pathlib import Path

from .evaluate import evaluate
from .findings import finding
from .model import Submission, UnitResult
from .read import DEFAULT_LIMITS, Limits, read_workbook
from .report_unit import save_unit_workbook
from .rulebook import Rulebook
from .validate import validate


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
    except Exception as exc:  # a bug of ours must cost one file, not the batch
        detail = f"lỗi nội bộ của công cụ ({type(exc).__name__}: {str(exc)[:120]})"
        result = UnitResult(file=name, sha256="", evaluated=False, findings=[finding("file-unreadable", detail=detail)])
        result.conclusion = "Không đánh giá được: " + detail
        result.debug = traceback.format_exc()  # type: ignore[attr-defined]
        return result, None


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
