"""The library API (issue 10, problem 2): dvht_sheets.__all__, the README example run as written, and the frames.

Requirements: issue 10 "What to build", the public API: evaluate (writes nothing), run_batch (writes every output;
the CLI calls exactly it), rulebook(id_or_path), frames(source) from results, a BatchOutcome or a ket-qua.json.
"""

from __future__ import annotations

import contextlib
import io
import json
import re
import shutil
from pathlib import Path

import openpyxl
import pytest

import dvht_sheets
from dvht_sheets import NoInputs, evaluate, frames, run_batch

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = ROOT / "dvht_sheets" / "data" / "samples"


def readme_example() -> str:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    section = text[text.index("## Dùng như thư viện Python"):]
    section = section[: section.index("\n## ", 5)]
    blocks = re.findall(r"```python\n(.*?)```", section, re.S)
    assert len(blocks) == 1, "the section has one Python example"
    return blocks[0]


@pytest.fixture
def district(tmp_path, monkeypatch):
    shutil.copytree(SAMPLES, tmp_path / "ho-so-2025")
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_the_readme_example_runs_as_written(district):
    names: dict = {}
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        exec(compile(readme_example(), "README.md", "exec"), names)
    printed = out.getvalue()
    assert printed.splitlines()[0] == "TH-KIMDONG Đạt mức độ 2"  # the comment in the README says so
    # 14 workbooks (README.md and the roster are skipped); the roster's TH-HAIBATRUNG has not submitted
    outcome = names["ra"]
    assert len(outcome.rows) == 14 and outcome.missing == [("TH-HAIBATRUNG", "Trường Tiểu học Hai Bà Trưng")]
    folder = district / "ket-qua-2025"
    assert {p.name for p in folder.iterdir()} >= {"tong-hop.xlsx", "tong-hop.csv", "ket-qua.json", "don-vi"}
    assert len(list((folder / "don-vi").glob("*_ket-qua.xlsx"))) == 14
    # TH-KIMDONG: 45 of its 45 counted members meet 2.1 → 100 %, met
    rate = names["ti_le_21"].set_index("unit_code").loc["TH-KIMDONG"]
    assert rate["percent"] == 100.0 and bool(rate["met"]) is True


def test_all_names_the_public_api():
    assert {"evaluate", "run_batch", "rulebook", "frames", "UnitResult", "BatchOutcome"} <= set(dvht_sheets.__all__)
    for name in dvht_sheets.__all__:
        assert hasattr(dvht_sheets, name), name
    assert dvht_sheets.rulebook("tt24-2023").id == "tt24-2023"
    assert dvht_sheets.rulebook(dvht_sheets.rulebook.RULEBOOK_DIR / "tt22_2020.toml").scheme == "points"


def test_evaluate_writes_nothing(district):
    before = sorted(p.name for p in district.rglob("*"))
    result = evaluate("ho-so-2025/12-th-vo-thi-sau-nhap-sai.xlsx")
    assert sorted(p.name for p in district.rglob("*")) == before
    assert result.unit_code == "TH-VOTHISAU" and result.result_label == "Không đạt"
    assert result.counts() == {"fatal": 0, "error": 3, "warning": 5}  # + dossier-incomplete (blank on purpose)


def test_frames_from_results_outcome_and_json_agree(district):
    outcome = run_batch("ho-so-2025", "kq", jobs=1)
    from_outcome = frames(outcome)
    from_path = frames(district / "kq" / "ket-qua.json")
    records = json.loads((district / "kq" / "ket-qua.json").read_text(encoding="utf-8"))
    assert len(from_outcome.units) == 14 == len(records)
    for name in ("units", "indicators", "findings"):
        assert getattr(from_outcome, name).equals(getattr(from_path, name)), name
    one = frames([evaluate("ho-so-2025/03-th-kim-dong.xlsx", rulebook="tt24-2023")])
    rows = one.indicators.query("indicator == '2.4'").set_index("level")
    # TH-KIMDONG, 45 counted members: 2.4 level 1 counts certificates, 35/45 = 77.78 % ≥ 50; level 2 counts
    # proficiency or a certificate, 45/45 ≥ 70
    assert (rows.loc[1, "numerator"], rows.loc[1, "denominator"], rows.loc[1, "threshold"]) == (35, 45, 50)
    assert rows.loc[1, "percent"] == 77.78 and bool(rows.loc[1, "met"])
    assert (rows.loc[2, "numerator"], rows.loc[2, "threshold"]) == (45, 70)
    units = one.units.iloc[0]
    assert units["result"] == "Đạt mức độ 2" and units["warnings"] == 1 and units["errors"] == 0
    assert list(one.findings["code"]) == ["unit-tier-inferred"] and one.findings["cell"].iloc[0] == "B8"
    # the same unit in the batch's frames, and the not-evaluated count
    assert from_outcome.units.set_index("unit_code").loc["TH-KIMDONG", "result"] == "Đạt mức độ 2"
    assert int((~from_outcome.units["evaluated"]).sum()) == outcome.not_evaluated


def test_run_batch_writes_what_the_cli_writes(district):
    from click.testing import CliRunner

    from dvht_sheets.cli import cli

    run_batch("ho-so-2025", "thu-vien", jobs=1, command="x")
    res = CliRunner().invoke(cli, ["batch", "ho-so-2025", "-o", "lenh", "--jobs", "1"])
    assert res.exit_code == 0, res.output
    for name in ("tong-hop.xlsx", "don-vi/TH-KIMDONG_ket-qua.xlsx"):
        a, b = (openpyxl.load_workbook(district / d / name) for d in ("thu-vien", "lenh"))
        for sa, sb in zip(a.worksheets, b.worksheets):
            if sa.title != "_meta":
                assert list(sa.iter_rows(values_only=True)) == list(sb.iter_rows(values_only=True)), sa.title
    assert (district / "thu-vien" / "tong-hop.csv").read_bytes() == (district / "lenh" / "tong-hop.csv").read_bytes()


def test_run_batch_raises_usage_problems_with_vietnamese_messages(district):
    (district / "trong").mkdir()
    with pytest.raises(NoInputs) as info:
        run_batch("trong", "kq")
    assert info.value.message.startswith("Không có sổ tính nào (.xlsx, .xlsm, .xlsb, .xls, .ods) trong thư mục trong")
    assert not (district / "kq").exists()  # nothing written for a folder without workbooks
