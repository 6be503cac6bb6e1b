"""Results as pandas DataFrames, for a district officer's own analysis (a notebook, a roll-up of several districts):
`units`, `indicators` (unit × level × indicator) and `findings`, from a list of UnitResults, a BatchOutcome or the
path of a ket-qua.json. Everything goes through the JSON form (UnitResult.to_json()), so a result in memory and a
ket-qua.json read back give the same frames. pandas is imported here and in report/stats.py only."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Iterable

from .batch import BatchOutcome
from .model import UnitResult

if TYPE_CHECKING:
    import pandas

JSON_NAME = "ket-qua.json"

@dataclass
class Frames:
    """A batch as pandas DataFrames: one row per unit, per unit × level × indicator, and per finding."""

    units: "pandas.DataFrame"
    indicators: "pandas.DataFrame"
    findings: "pandas.DataFrame"


UNIT_COLUMNS = ["file", "sha256", "unit_code", "unit_name", "unit_kind", "tier", "year", "rulebook", "members",
                "evaluated", "result", "level", "grade", "points", "errors", "warnings"]
INDICATOR_COLUMNS = ["unit_code", "file", "level", "indicator", "applicable", "numerator", "denominator", "percent",
                     "threshold", "met", "reason"]
FINDING_COLUMNS = ["unit_code", "file", "code", "severity", "sheet", "cell", "message"]


def _records(source) -> list[dict]:
    if isinstance(source, BatchOutcome):
        source = Path(source.out_dir) / JSON_NAME
    if isinstance(source, (str, Path)):
        with open(source, encoding="utf-8") as fh:
            return json.load(fh)
    if isinstance(source, UnitResult):
        source = [source]
    return [r.to_json() if isinstance(r, UnitResult) else dict(r) for r in source]


def frames(source: "Iterable[UnitResult] | BatchOutcome | str | Path") -> Frames:
    """units, indicators (unit × level × indicator: numerator, denominator, percent, threshold, met) and findings,
    from a list of results, a BatchOutcome (its ket-qua.json) or the path of a ket-qua.json."""
    import pandas as pd

    units, indicators, findings = [], [], []
    for rec in _records(source):
        items = rec.get("findings") or []
        severities = [f.get("severity") for f in items]
        level = rec.get("level")
        # as UnitResult.result_label, from the JSON form: a unit not evaluated has no level; a points rulebook's
        # units (TT 22) carry a grade
        result = ("Không đánh giá được" if level is None else f"Xếp loại {rec['grade']}" if rec.get("grade")
                  else {2: "Đạt mức độ 2", 1: "Đạt mức độ 1"}.get(level, "Không đạt"))
        units.append({**{k: rec.get(k) for k in UNIT_COLUMNS}, "evaluated": level is not None, "result": result,
                      "errors": sum(s in ("fatal", "error") for s in severities),
                      "warnings": sum(s == "warning" for s in severities)})
        key = {"unit_code": rec.get("unit_code"), "file": rec.get("file")}
        for ind in rec.get("indicators") or []:
            indicators.append({**key, "level": ind.get("level"), "indicator": ind.get("id"),
                               **{k: ind.get(k) for k in INDICATOR_COLUMNS[4:]}})
        for f in items:
            findings.append({**key, **{k: f.get(k) for k in FINDING_COLUMNS[2:]}})
    return Frames(pd.DataFrame(units, columns=UNIT_COLUMNS), pd.DataFrame(indicators, columns=INDICATOR_COLUMNS),
                  pd.DataFrame(findings, columns=FINDING_COLUMNS))
