"""The findings catalogue walked whole (issue 10): every code formats whatever its values, is named by a constant at
every call site, is documented (docs/findings.md, generated from the catalogue), and is raised by some test (recorded
across every process of the session by tests/conftest.py). Also the tests of the six codes no test raised before
issue 10 (column-missing, unit-value-invalid, unit-tier-default, member-none, indicator-unknown,
evidence-code-missing); `file-format-old` was never raised by the tool at all and is deleted."""

from __future__ import annotations

import ast
from pathlib import Path

import openpyxl

from dvht_sheets import findings
from dvht_sheets.findings import CATALOGUE, Code, Finding, Severity, flatten, render
from dvht_sheets.read import read_workbook

from .conftest import raised_codes
from .helpers import evaluate, ind, standard_data, validate, write_standard

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "dvht_sheets"
DOC = ROOT / "docs" / "findings.md"
ODD = [None, "", 0, -1, 3.5, "{cell}", "}{", ["a"], {"k": 1}, "ô “có” dấu"]


# ---------------------------------------------------------------------------------------------------- the catalogue


def test_every_code_has_one_entry_and_one_constant():
    assert set(CATALOGUE) == set(Code)
    assert all(isinstance(e.severity, Severity) for e in CATALOGUE.values())
    assert all(c.value == c.name.lower().replace("_", "-") for c in Code)


def test_every_code_formats_with_missing_or_any_values():
    names = ("sheet", "cell", "value", "row", "label", "expected", "detail", "limit", "other")
    for code, entry in CATALOGUE.items():
        bare = render(code)
        assert isinstance(bare, str) and bare and "{" not in bare, code
        for odd in ODD:
            text = render(code, **{n: odd for n in names})
            assert isinstance(text, str) and text, (code, odd)
        assert "?" in bare or "{" not in entry.template, code  # a missing value prints "?", never crashes
    assert render("no-such-code", detail="x") == "[no-such-code] detail=x"


def test_call_sites_name_codes_by_constant():
    """A misspelt code fails here (and at import for a misspelt constant), not when a school's file hits it."""
    bad = []
    for path in sorted(PACKAGE.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and node.args:
                fn = node.func
                name = fn.id if isinstance(fn, ast.Name) else fn.attr if isinstance(fn, ast.Attribute) else ""
                first = node.args[0]
                if name in ("finding", "add") and isinstance(first, ast.Constant) and first.value in CATALOGUE:
                    bad.append(f"{path.name}:{node.lineno} bare code {first.value!r}")
            if (isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id == "Code"
                    and node.attr not in Code.__members__):
                bad.append(f"{path.name}:{node.lineno} unknown Code.{node.attr}")
    assert bad == []


def test_every_code_is_documented_with_its_severity_and_message():
    assert DOC.read_text(encoding="utf-8") == findings.markdown(), \
        "docs/findings.md is stale: python -m dvht_sheets.findings > docs/findings.md"
    text = DOC.read_text(encoding="utf-8")
    for code, entry in CATALOGUE.items():
        assert f"| `{code}` | {entry.severity.label} |" in text
    assert "docs/findings.md" in (ROOT / "README.md").read_text(encoding="utf-8")


def test_every_code_is_raised_by_some_test():
    # conftest.py runs this last, and only when the whole suite was collected
    assert sorted(set(Code) - raised_codes()) == []


# ---------------------------------------------------------------------------------------------------- Finding


def test_location_fields_are_derived_from_the_cell():
    f = Finding(Code.MERGED_ACROSS, Severity.WARNING, "m", sheet="Thành viên", cell="F12:H12")
    assert (f.row, f.column) == (12, "F")
    assert (Finding(Code.COLUMN_MISSING, Severity.ERROR, "m", sheet="S").row,) == (None,)
    assert Finding(Code.EXCLUSION, Severity.WARNING, "m", cell="$AB$7", row=9).row == 9  # a given row is kept
    assert flatten([f], ("code", "row", "column")) == [("merged-across", 12, "F")]
    assert f.severity == Severity.WARNING == "warning"


# ---------------------------------------------------------------------------------------------------- six codes


def _run(tmp_path, name, data, edit=None):
    path = write_standard(tmp_path / name, data)
    if edit:
        wb = openpyxl.load_workbook(path)
        edit(wb)
        wb.save(path)
    sub = validate(read_workbook(path))
    # standard_data leaves the dossier part blank (issue 12): its one warning is not what these tests are about
    sub.findings = [f for f in sub.findings if f.code != Code.DOSSIER_INCOMPLETE]
    return sub, evaluate(sub)


def test_column_missing_counts_the_column_as_no(tmp_path):
    def drop_2_3(wb):
        wb["Thành viên"].delete_cols(8)  # "Được bồi dưỡng, tham gia chuyển đổi số (2.3)"
    sub, r = _run(tmp_path, "col.xlsx", standard_data(20), drop_2_3)
    header = "Được bồi dưỡng, tham gia chuyển đổi số"
    hits = [f for f in sub.findings if f.code == Code.COLUMN_MISSING]
    assert [(f.sheet, f.severity) for f in hits] == [("Thành viên", "error")] and header in hits[0].message
    # never in the unit's favour: a column that is not there answers Không for every member (0/20)
    assert (ind(r, "2.3", 1).numerator, ind(r, "2.3", 1).denominator, ind(r, "2.3", 1).met) == (0, 20, False)


def test_unit_value_invalid_names_the_cell_and_the_choices(tmp_path):
    sub, r = _run(tmp_path, "v.xlsx", standard_data(20, unit={"loai_hinh": "Nước ngoài"}))
    hit = next(f for f in sub.findings if f.code == Code.UNIT_VALUE_INVALID)
    assert (hit.sheet, hit.cell, hit.row, hit.column, hit.severity) == ("Thông tin đơn vị", "B7", 7, "B", "error")
    assert hit.message == render(Code.UNIT_VALUE_INVALID, label="Loại hình", cell="B7", value="Nước ngoài",
                                 expected="Công lập, Dân lập, Tư thục")
    # the ownership is then assumed public (1.3 applies), which never favours the unit
    assert Code.UNIT_TYPE_ASSUMED in [f.code for f in sub.findings] and ind(r, "1.3", 1).applicable


def test_unit_tier_default_when_the_kind_does_not_tell(tmp_path):
    sub, r = _run(tmp_path, "t.xlsx", standard_data(20, unit={"cap_danh_gia": None, "loai_don_vi": "Cơ quan"}))
    assert flatten(sub.findings, ("code", "cell", "severity")) == [("unit-tier-default", "B8", "warning")]
    assert sub.tier == "huyen" and r.tier == "huyen"


def test_member_none_is_fatal(tmp_path):
    sub, r = _run(tmp_path, "m.xlsx", standard_data(0))
    assert flatten(sub.findings, ("code", "sheet", "severity")) == [("member-none", "Thành viên", "fatal")]
    assert not r.evaluated and r.conclusion == "Không đánh giá được: " + render(Code.MEMBER_NONE, sheet="Thành viên")


def test_indicator_unknown_row_is_reported_and_ignored(tmp_path):
    def add_4_5(wb):
        wb["Chỉ tiêu"].append(["4.5", "Chỉ tiêu không có trong thông tư", "Đạt", "[MC-1.1]"])
    sub, r = _run(tmp_path, "i.xlsx", standard_data(20), add_4_5)
    hit = next(f for f in sub.findings if f.code == Code.INDICATOR_UNKNOWN)
    assert (hit.sheet, hit.column, hit.severity, hit.value) == ("Chỉ tiêu", "A", "warning", "4.5")
    assert hit.message == render(Code.INDICATOR_UNKNOWN, row=hit.row, cell=hit.cell, value="4.5",
                                 expected="Thông tư 24/2023/TT-BGDĐT cấp huyện")
    assert "4.5" not in sub.indicators and r.level == 2


def test_evidence_code_missing_row_is_not_evidence(tmp_path):
    data = standard_data(20)
    data.evidence.append({"stt": 99, "ma_minh_chung": None, "ten_minh_chung": "Văn bản không mã"})
    sub, r = _run(tmp_path, "e.xlsx", data)
    assert flatten(sub.findings, ("code", "sheet", "cell", "row")) == [
        ("evidence-code-missing", "Minh chứng", "B19", 19)]
    assert len(sub.evidence) == len(data.evidence) - 1 and r.level == 2
