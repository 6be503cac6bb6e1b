"""The roster: the units that must submit (--roster), read from a .csv or a workbook. The read side: like read.py it
opens an input and never writes; a damaged roster gives a Roster with its problem, never an exception."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from pathlib import Path

from .findings import Code, message
from .model import xml_safe
from .read import read_workbook
from .schema import fold, text_of


@dataclass
class Roster:
    units: list[tuple[str, str]] = field(default_factory=list)  # (code, name)
    source: str = ""
    problem: str = ""


# the reader's fatal findings that carry no cause of their own, as said of the office's roster
_ROSTER_SAYS = {Code.FILE_EMPTY: Code.ROSTER_NO_SHEET, Code.FILE_ENCRYPTED: Code.ROSTER_ENCRYPTED}


def read_roster(path: Path) -> Roster:
    """Expected units from a .csv or .xlsx: the column whose header says "mã" and the one that says "tên".

    Runs in this process; the batch reads the roster through batch.read_roster_isolated, in a child process with a
    memory cap, so that a roster that aborts the reader costs the roster, not the run."""
    roster = Roster(source=xml_safe(path.name))
    try:
        if path.suffix.lower() == ".csv":
            text = _decode_roster(path.read_bytes())
            grid = [[xml_safe(v) for v in row] for row in csv.reader(io.StringIO(text), _roster_dialect(text))]
        else:
            raw = read_workbook(path)
            fatal = [f for f in raw.findings if f.severity == "fatal"]
            if fatal or not raw.sheets:
                # the reader's own message is the school's ("… rồi gửi lại"): its cause, in the roster's words
                found = fatal[0] if fatal else None
                if found is None:
                    roster.problem = message(Code.ROSTER_NO_SHEET)
                elif found.code in _ROSTER_SAYS:
                    roster.problem = message(_ROSTER_SAYS[found.code])
                elif found.detail:
                    roster.problem = message(Code.ROSTER_UNREADABLE, detail=found.detail)
                else:
                    roster.problem = found.message
                return roster
            grid = raw.sheets[0].grid
    except (OSError, csv.Error, UnicodeError, ValueError) as exc:
        roster.problem = xml_safe(message(Code.ROSTER_UNREADABLE, detail=exc))
        return roster
    code_col, name_col, start = 0, 1, 0
    for r, row in enumerate(grid[:10]):
        keys = [fold(v) for v in row]
        # "STT, Mã huyện, Mã đơn vị": the exact header first, then the usual aliases, then any "Mã …"
        code_idx = next((i for k in CODE_HEADERS for i, key in enumerate(keys) if key == k), None)
        if code_idx is None:
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


CODE_HEADERS = [fold(h) for h in ("Mã đơn vị", "Mã DV", "Mã trường", "Mã cơ quan", "Mã")]


def _decode_roster(data: bytes) -> str:
    """A BOM says the encoding (Excel's "Unicode Text" is UTF-16 LE with FF FE; "CSV UTF-8" has EF BB BF); without
    one UTF-8, then cp1258 (Vietnamese Windows) and cp1252; latin-1 reads any byte, so the reader never fails here."""
    for bom, enc in ((b"\xef\xbb\xbf", "utf-8-sig"), (b"\xff\xfe", "utf-16"), (b"\xfe\xff", "utf-16")):
        if data.startswith(bom):
            return data.decode(enc)
    # UTF-16 without a BOM: every other byte of Latin text is NUL
    if len(data) >= 4 and data[1::2].count(0) > len(data) // 4:
        return data.decode("utf-16-le", errors="replace")
    if len(data) >= 4 and data[0::2].count(0) > len(data) // 4:
        return data.decode("utf-16-be", errors="replace")
    for enc in ("utf-8", "cp1258", "cp1252"):
        try:
            return data.decode(enc)
        except UnicodeDecodeError:
            continue
    return data.decode("latin-1")


def _roster_dialect(text: str):
    """Tab, semicolon (Excel with a Vietnamese/European locale) or comma: the one that appears most often, and the
    same number of times, on the first lines; csv.Sniffer alone guesses wrong on short files."""
    lines = [ln for ln in text.splitlines()[:10] if ln.strip()]
    best, best_score = ",", -1
    for delim in ("\t", ";", ","):
        counts = [ln.count(delim) for ln in lines]
        if not counts or counts[0] == 0:
            continue
        score = sum(1 for c in counts if c == counts[0]) * 100 + counts[0]
        if score > best_score:
            best, best_score = delim, score

    class Dialect(csv.excel):
        delimiter = best

    return Dialect
