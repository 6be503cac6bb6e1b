"""Golden comparison: the output cells of every bundled sample stay as they were (issue 10: "output cells of every
sample unchanged"). The restructuring of issue 10 moved code, not behaviour; this test holds it to that.

tests/golden/demo.json holds the cell VALUES of every sheet of tong-hop.xlsx and of every don-vi/*.xlsx written by
`dvht demo`, read back through openpyxl (csvkit/style.md: compare golden workbooks cell by cell, not byte by byte).
Two cells of tong-hop.xlsx `_meta` depend on the run (run_date, command) and are masked on both sides.
The file was made by `dvht demo` on the commit before the moves (e6a3803), then once more on main after the `truth`
merge (926d3ef: row 2 of `Tổng hợp` counts units), in both cases with that commit's own code, never with the moved code.

Regenerate after an intended change of output:  DVHT_REGEN_GOLDEN=1 .venv/bin/python -m pytest tests/test_golden.py
"""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys
from pathlib import Path

import openpyxl
import pytest

GOLDEN = Path(__file__).parent / "golden" / "demo.json"
RUN_DEPENDENT = {"run_date", "command"}  # rows of tong-hop.xlsx `_meta` that name this run, not its results


def _value(v):
    if isinstance(v, (dt.datetime, dt.date, dt.time)):
        return {"date": v.isoformat()}
    return v


def _rows(ws) -> list[list]:
    rows = []
    for row in ws.iter_rows(values_only=True):
        cells = [_value(v) for v in row]
        while cells and cells[-1] is None:  # trailing blanks carry no value; keeps the golden file small
            cells.pop()
        if ws.title == "_meta" and cells and cells[0] in RUN_DEPENDENT:
            cells = [cells[0], "<run>"]
        rows.append(cells)
    while rows and not rows[-1]:
        rows.pop()
    return rows


def dump(folder: Path) -> dict[str, dict[str, list[list]]]:
    """{file: {sheet: rows of values}} for tong-hop.xlsx and every unit workbook."""
    out = {}
    for path in [folder / "tong-hop.xlsx", *sorted((folder / "don-vi").glob("*.xlsx"))]:
        wb = openpyxl.load_workbook(path)
        out[path.relative_to(folder).as_posix()] = {ws.title: _rows(ws) for ws in wb.worksheets}
        wb.close()
    return out


def _write(data: dict) -> None:
    # One line per row: a changed cell shows as a one-line diff in review.
    lines = ["{"]
    files = sorted(data)
    for i, name in enumerate(files):
        lines.append(f"  {json.dumps(name, ensure_ascii=False)}: {{")
        sheets = list(data[name])
        for j, sheet in enumerate(sheets):
            rows = data[name][sheet]
            lines.append(f"    {json.dumps(sheet, ensure_ascii=False)}: [")
            lines += [f"      {json.dumps(r, ensure_ascii=False)}{',' if k < len(rows) - 1 else ''}"
                      for k, r in enumerate(rows)]
            lines.append("    ]" + ("," if j < len(sheets) - 1 else ""))
        lines.append("  }" + ("," if i < len(files) - 1 else ""))
    lines.append("}")
    GOLDEN.parent.mkdir(exist_ok=True)
    GOLDEN.write_text("\n".join(lines) + "\n", encoding="utf-8")


@pytest.fixture(scope="module")
def demo_output(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("golden") / "out"
    # The command a district officer runs; a separate process so nothing of this test session leaks in.
    proc = subprocess.run([sys.executable, "-m", "dvht_sheets", "demo", "-o", str(out), "--jobs", "1"],
                          capture_output=True, text=True)
    assert proc.returncode in (0, 1), proc.stderr  # 1: the demo contains units with errors on purpose
    return out


def test_output_cells_of_every_sample_unchanged(demo_output):
    actual = dump(demo_output)
    if os.environ.get("DVHT_REGEN_GOLDEN"):
        _write(actual)
    expected = json.loads(GOLDEN.read_text(encoding="utf-8"))
    assert sorted(actual) == sorted(expected), "the set of output workbooks changed"
    differences = []
    for name in expected:
        assert list(actual[name]) == list(expected[name]), f"{name}: sheets changed"
        for sheet, rows in expected[name].items():
            got = actual[name][sheet]
            for r in range(max(len(rows), len(got))):
                want_row = rows[r] if r < len(rows) else []
                got_row = got[r] if r < len(got) else []
                for c in range(max(len(want_row), len(got_row))):
                    want = want_row[c] if c < len(want_row) else None
                    have = got_row[c] if c < len(got_row) else None
                    if want != have:
                        differences.append(f"{name} / {sheet} / R{r + 1}C{c + 1}: {want!r} → {have!r}")
    assert not differences, f"{len(differences)} cells changed:\n" + "\n".join(differences[:40])
