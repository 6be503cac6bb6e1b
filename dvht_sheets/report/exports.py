"""The flat exports of a batch: tong-hop.csv (one row per input file, for a spreadsheet or a script) and ket-qua.json
(one object per input file, the library's result serialised: UnitResult.to_json()). Both are staged and renamed
when whole (files.py)."""

from __future__ import annotations

import csv
import json
import os
from pathlib import Path

from ..model import UnitResult, xml_safe
from ..schema import OWNERSHIP
from .files import Staged, atomic_write, temp_file
from .summary import Column, UnitFragment, UnitRow, batch_columns, row_values

LEAD_FIELDS = ["file", "sha256", "unit_code", "unit_name", "unit_kind", "ownership", "tier", "year", "rulebook",
               "members", "level", "requested_level", "grade", "points", "result", "failing_level1",
               "failing_level2", "errors", "warnings"]
TAIL_FIELDS = ["result_file", "reason"]
_CSV_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


def csv_safe(value: object) -> object:
    """OWASP CSV injection: a text cell that a spreadsheet would run as a formula gets a leading apostrophe."""
    if isinstance(value, str):
        # a lone surrogate (a file name in a foreign encoding) could not even be encoded; Excel holds 32,767
        # characters a cell and splits a longer CSV field over the next cells
        value = xml_safe(value[:32767])
        if value.startswith(_CSV_TRIGGERS):
            return "'" + value
    return value


def csv_fields(pct_cols: list[Column]) -> list[str]:
    """The header: fixed English keys, and one percent_<id>_L<level> per percentage column of the batch."""
    return [*LEAD_FIELDS, *[f"percent_{c.id}_L{c.level}" for c in pct_cols], *TAIL_FIELDS]


def _csv_row(row: UnitRow, pct_cols: list[Column]) -> list:
    measured, _ = row_values(row, pct_cols, [])
    values = [row.file, row.sha256, row.unit_code, row.unit_name, row.unit_kind, OWNERSHIP.label(row.ownership),
              row.tier, row.year, row.rulebook, row.members, row.level, row.requested, row.grade, row.points,
              row.result, row.failing1, row.failing2, row.errors, row.warnings,
              *[None if p is None else round(p * 100, 2) for p, _ in measured], row.output, row.reason]
    return ["" if v is None else csv_safe(v) for v in values]


def write_csv(path: Path, rows: list[UnitRow]) -> None:
    """tong-hop.csv: UTF-8 with BOM (Excel on Windows opens it with the diacritics), one row per input file."""
    pct_cols, _ = batch_columns(rows)

    def writer(tmp: str) -> None:
        with open(tmp, "w", encoding="utf-8-sig", newline="") as fh:
            w = csv.writer(fh)
            w.writerow(csv_fields(pct_cols))
            for row in rows:
                w.writerow(_csv_row(row, pct_cols))
    atomic_write(path, writer)


def json_object(result: UnitResult) -> str:
    """A unit's object of ket-qua.json, on one line (JsonWriter._mark_partial relies on it)."""
    return xml_safe(json.dumps(result.to_json(), ensure_ascii=False))


class JsonWriter(Staged):
    """ket-qua.json, one object per input file, written as results arrive (in input order)."""

    def __init__(self, path: Path):
        super().__init__(path)
        self.fh = open(self.tmp, "w", encoding="utf-8")
        self.fh.write("[")
        self.count = 0

    def add(self, row, item: UnitResult | UnitFragment) -> None:
        """One unit: its UnitResult, or its UnitFragment (whose json a worker made with json_object)."""
        self.fh.write(",\n" if self.count else "\n")
        self.fh.write(item.json if isinstance(item, UnitFragment) else json_object(item))
        self.count += 1

    def close(self, partial: bool = False) -> None:
        self.fh.write("\n]\n")
        self.fh.close()
        if partial:
            self._mark_partial()
        self.commit()

    def _mark_partial(self) -> None:
        # A stopped run: every object says so ("run_partial": true), the list keeps its one-object-per-file shape.
        # Objects are one per line, so this is a streamed rewrite, not a second copy in memory.
        marked = Path(temp_file(self.path))
        try:
            with open(self.tmp, encoding="utf-8") as src, open(marked, "w", encoding="utf-8") as dst:
                for line in src:
                    dst.write('{"run_partial": true, ' + line[1:] if line.startswith("{") else line)
            os.replace(marked, self.tmp)
        except BaseException:
            marked.unlink(missing_ok=True)
            raise

    def abort(self) -> None:
        self.fh.close()
        super().abort()




def json_text(results) -> str:
    """Results as one indented JSON list (the objects of ket-qua.json), safe for any XML/terminal consumer."""
    return xml_safe(json.dumps([r.to_json() for r in results], ensure_ascii=False, indent=2))
