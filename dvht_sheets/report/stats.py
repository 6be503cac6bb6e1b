"""Across units: the submission status (who has not submitted, duplicate codes and files; one row per unit for
every count) and the statistics of the `Thống kê` sheet (results by kind and by tier, the indicators failed most often), from the summary's compact rows.

pandas is the tool for counting across units (and for the roll-ups that will follow); it is imported here and in
frames.py only, never on the per-unit path (an 80-row table costs ~40x more in pandas than in plain Python). This
module is imported when the summary is closed, in the main process only."""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass

import pandas as pd

from ..findings import Code, message
from ..roster import Roster
from ..schema import TIER_LABEL
from .summary import NOT_EVALUATED, RESULT_ORDER, UnitRow


def totals(rows: list[UnitRow]) -> list[tuple[str, int]]:
    counts = Counter(r.result for r in rows)
    evaluated = sum(1 for r in rows if r.evaluated)
    achieved = sum(1 for r in rows if r.evaluated and (r.level or 0) > 0)
    return [("Số tệp đã nộp", len(rows)), ("Đạt mức độ 2", counts["Đạt mức độ 2"]),
            ("Đạt mức độ 1", counts["Đạt mức độ 1"]), ("Không đạt", counts["Không đạt"]),
            ("Xếp loại theo TT 22/2020", sum(v for k, v in counts.items() if k.startswith("Xếp loại"))),
            (NOT_EVALUATED, counts[NOT_EVALUATED]), ("Được đánh giá", evaluated), ("Được công nhận", achieved)]


def submission_status(rows: list[UnitRow], roster: Roster | None) -> dict[str, list]:
    """Duplicate unit codes (case-insensitive), files with the same content, and, with a roster, the units that
    have not submitted and the submissions that are not on it."""
    by_code: dict[str, list[UnitRow]] = defaultdict(list)
    for row in rows:
        if row.unit_code:
            by_code[row.unit_code.casefold()].append(row)
    by_hash: dict[str, list[UnitRow]] = defaultdict(list)
    for row in rows:
        if row.sha256:
            by_hash[row.sha256].append(row)
    out: dict[str, list] = {
        "duplicate_code": [(code, group) for code, group in sorted(by_code.items()) if len(group) > 1],
        "duplicate_content": [(h, group) for h, group in sorted(by_hash.items(), key=lambda kv: kv[1][0].file)
                              if len(group) > 1],
        "missing": [], "unexpected": [],
    }
    if roster is not None and not roster.problem:
        expected = {code.casefold(): (code, name) for code, name in roster.units}
        out["missing"] = [expected[k] for k in sorted(expected) if k not in by_code]
        out["unexpected"] = [row for k, group in sorted(by_code.items()) if k not in expected for row in group]
    return out


def counted_rows(rows: list[UnitRow]) -> list[UnitRow]:
    """One row per unit for every count (row 2 of Tổng hợp, Thống kê, the closing table): a code sent in several
    files counts once, with the file whose name sorts last (README, decisions); a file without a code (not
    evaluated) counts on its own. The rows of every file stay in the sheets."""
    chosen: dict[str, UnitRow] = {}
    for row in rows:
        if row.unit_code:
            key = row.unit_code.casefold()
            if key not in chosen or row.file > chosen[key].file:
                chosen[key] = row
    keep = {id(r) for r in chosen.values()}
    return [r for r in rows if not r.unit_code or id(r) in keep]


SHOWN_DUPLICATE_CODES = 5


def submitted_text(rows: list[UnitRow], roster: Roster | None) -> str:
    """“14 đơn vị (308 tệp; 294 tệp trùng mã đơn vị: A, B, …; tính tệp có tên xếp sau cùng) · Chưa nộp: 1 đơn vị”"""
    status = submission_status(rows, roster)
    units = len(counted_rows(rows))
    text = f"{units} đơn vị ({len(rows)} tệp"
    if status["duplicate_code"]:
        codes = [group[0].unit_code for _, group in status["duplicate_code"]]
        shown = ", ".join(codes[:SHOWN_DUPLICATE_CODES]) + (", …" if len(codes) > SHOWN_DUPLICATE_CODES else "")
        text += f"; {len(rows) - units} tệp trùng mã đơn vị: {shown}; mỗi đơn vị tính tệp có tên xếp sau cùng"
    text += ")"
    if roster is not None and not roster.problem:
        text += f" · Chưa nộp: {len(status['missing'])} đơn vị"
    return text


SHOWN_DUPLICATE_WARNINGS = 10


def duplicate_warnings(rows: list[UnitRow]) -> list[str]:
    """The terminal's lines about codes sent in several files: the first SHOWN_DUPLICATE_WARNINGS, then a count."""
    groups = submission_status(rows, None)["duplicate_code"]
    lines = []
    for _, group in groups[:SHOWN_DUPLICATE_WARNINGS]:
        files = sorted(r.file for r in group)
        shown = ", ".join(files[:3]) + (", …" if len(files) > 3 else "")
        lines.append(message(Code.RUN_UNIT_CODE_REPEATED, value=group[0].unit_code, detail=len(files), expected=shown,
                             file=files[-1]))
    if len(groups) > SHOWN_DUPLICATE_WARNINGS:
        lines.append(message(Code.RUN_MORE_CODES_REPEATED, detail=len(groups) - SHOWN_DUPLICATE_WARNINGS))
    return lines


@dataclass
class Crosstab:
    columns: list[str]
    rows: list[tuple[str, list[int]]]


def _crosstab(frame: pd.DataFrame, key: str) -> Crosstab:
    if frame.empty:
        return Crosstab(RESULT_ORDER, [])
    table = pd.crosstab(frame[key], frame["result"]).reindex(columns=RESULT_ORDER, fill_value=0).sort_index()
    return Crosstab(RESULT_ORDER, [(str(k), [int(v) for v in values]) for k, values in zip(table.index,
                                                                                          table.to_numpy())])


def _id_key(ident: str) -> tuple:
    return tuple(int(p) if p.isdigit() else p for p in ident.split("."))


def statistics(rows: list[UnitRow]) -> tuple[Crosstab, Crosstab, list[dict]]:
    """Results by kind and by tier, and how often each indicator fails (per level, for rulebooks of levels)."""
    frame = pd.DataFrame({
        "kind": [r.unit_kind or "(không rõ)" for r in rows],
        "tier": [TIER_LABEL.get(r.tier or "", "(không rõ)") for r in rows],
        # TT 22's grades are one column: the table counts results, not grades
        "result": [r.result if not r.result.startswith("Xếp loại") else "Xếp loại (TT 22)" for r in rows],
    })
    by_kind, by_tier = _crosstab(frame, "kind"), _crosstab(frame, "tier")
    failing = pd.DataFrame(
        [(ident, level) for r in rows if r.scheme == "levels"
         for level, ids in ((1, r.failing1), (2, r.failing2)) for ident in ids.split(", ") if ident],
        columns=["id", "level"])
    if failing.empty:
        return by_kind, by_tier, []
    counts = pd.crosstab(failing["id"], failing["level"]).reindex(columns=[1, 2], fill_value=0)
    failed = [{"id": str(i), "l1": int(l1), "l2": int(l2)} for i, (l1, l2) in zip(counts.index, counts.to_numpy())]
    failed.sort(key=lambda d: (-d["l1"], -d["l2"], _id_key(d["id"])))
    return by_kind, by_tier, failed
