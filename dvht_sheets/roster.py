"""The roster: the units that must submit (--roster), read from a .csv or a workbook. The read side: like read.py it
opens an input and never writes; a damaged roster gives a Roster with its problem, never an exception."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from pathlib import Path

from .model import xml_safe
from .read import read_workbook
from .schema import fold, text_of


@dataclass
class Roster:
    units: list[tuple[str, str]] = field(default_factory=list)  # (code, name)
    source: str = ""
    problem: str = ""


def read_roster(path: Path) -> Roster:
    """Expected units from a .csv or .xlsx: the column whose header says "mã" and the one that says "tên".

    Runs in this process; the batch reads the roster through batch.read_roster_isolated, in a child process with a
    memory cap, so that a roster that aborts the reader costs the roster, not the run."""
    roster = Roster(source=xml_safe(path.name))
    try:
        if path.suffix.lower() == ".csv":
            data = path.read_bytes()
            for enc in ("utf-8-sig", "cp1258", "latin-1"):
                try:
                    text = data.decode(enc)
                    break
                except UnicodeDecodeError:
                    continue
            dialect = csv.Sniffer().sniff(text[:2048], delimiters=",;\t") if text.strip() else csv.excel
            grid = [[xml_safe(v) for v in row] for row in csv.reader(io.StringIO(text), dialect)]
        else:
            raw = read_workbook(path)
            fatal = [f for f in raw.findings if f.severity == "fatal"]
            if fatal or not raw.sheets:
                roster.problem = fatal[0].message if fatal else "không có trang tính"
                return roster
            grid = raw.sheets[0].grid
    except (OSError, csv.Error, UnicodeError, ValueError) as exc:
        roster.problem = xml_safe(f"không đọc được danh sách ({exc})")
        return roster
    code_col, name_col, start = 0, 1, 0
    for r, row in enumerate(grid[:10]):
        keys = [fold(v) for v in row]
        code_idx = next((i for i, k in enumerate(keys) if k.startswith("ma")), None)
        if code_idx is not None:
            code_col, start = code_idx, r + 1
            name_col = next((i for i, k in enumerate(keys) if k.startswith("ten")), code_col + 1)
            break
    for row in grid[start:]:
        code = text_of(row[code_col]) if code_col < len(row) else ""
        if code:
            roster.units.append((code, text_of(row[name_col]) if name_col < len(row) else ""))
    return roster


