"""The generated template: committed copies are current, the person filling it gets what workbook.md promises, and
the reader reads back what the template writes.

Requirements: workbook.md "What the template itself does"; issue 2 item 4 (committed templates equal the code).
"""

import io

import openpyxl
import pytest

from dvht_sheets import rulebook as rulebooks
from .helpers import evaluate
from dvht_sheets.read import read_bytes
from dvht_sheets.schema import MEMBER_COLUMNS, TEMPLATE_VERSION
from dvht_sheets.template import write_workbook
from .helpers import validate
from scripts.make_templates import ROOT, committed_templates

from .helpers import standard_data

TEMPLATES = list(committed_templates())


def generate(book, tier, data=None) -> bytes:
    buf = io.BytesIO()
    write_workbook(buf, book, tier, data)
    return buf.getvalue()


@pytest.mark.parametrize("name,book,tier", TEMPLATES, ids=[t[0] for t in TEMPLATES])
def test_committed_template_is_what_the_code_generates(name, book, tier):
    committed = (ROOT / "dvht_sheets" / "data" / "templates" / name).read_bytes()
    assert committed == generate(book, tier), f"dvht_sheets/data/templates/{name} is stale: run `make templates`"


def test_generation_is_deterministic():
    book = rulebooks.get("tt24-2023")
    assert generate(book, "tinh") == generate(book, "tinh")


@pytest.fixture(scope="module")
def wb():
    return openpyxl.load_workbook(io.BytesIO(generate(rulebooks.get("tt24-2023"), "huyen")))


def test_sheets_and_hidden_meta(wb):
    assert wb.sheetnames == ["Hướng dẫn", "Thông tin đơn vị", "Thành viên", "Chỉ tiêu", "Minh chứng", "Tổ đánh giá",
                             "_meta"]
    meta = wb["_meta"]
    assert meta.sheet_state == "hidden"
    values = {meta.cell(r, 1).value: meta.cell(r, 2).value for r in range(1, 6)}
    assert values["template_version"] == TEMPLATE_VERSION
    assert (values["tier"], values["rulebook"]) == ("huyen", "tt24-2023")


def test_protection_with_unlocked_inputs(wb):
    unit, members = wb["Thông tin đơn vị"], wb["Thành viên"]
    for ws in (unit, members, wb["Chỉ tiêu"], wb["Minh chứng"], wb["Hướng dẫn"]):
        assert ws.protection.sheet is True and not ws.protection.password
    assert unit["A4"].value == "Tên đơn vị *" and unit["A4"].protection.locked is True
    assert unit["B4"].protection.locked is False
    assert members["B3"].value == "Họ và tên" and members["B3"].protection.locked is True
    assert members.column_dimensions["F"].width >= 14
    indicators = wb["Chỉ tiêu"]
    row = next(r for r in range(1, 40) if indicators.cell(r, 1).value == "2.1")
    assert indicators.cell(row, 3).value.startswith("=IFERROR(") and indicators.cell(row, 3).protection.locked
    assert indicators.cell(row, 4).protection.locked is False  # evidence codes are typed by the school


def test_frozen_headers_and_print_setup(wb):
    members = wb["Thành viên"]
    assert members.freeze_panes == "C4"
    assert members.page_setup.paperSize == 9 and members.page_setup.orientation == "landscape"
    assert wb["Chỉ tiêu"].freeze_panes == "B4"
    assert members.print_title_rows == "$3:$3"  # the header row repeats on every printed page


def test_dropdowns_with_input_messages(wb):
    members = wb["Thành viên"]
    rules = {str(dv.sqref).split(":")[0]: dv for dv in members.data_validations.dataValidation}
    yes_no_col = "F"  # 2.1
    dv = rules[f"{yes_no_col}4"]
    assert dv.type == "list" and dv.formula1 == '"Có,Không"' and dv.showInputMessage and dv.prompt
    assert dv.errorStyle == "warning"  # people may still type "x" or "Đ"
    title_dv = rules["K4"]
    assert title_dv.formula1.startswith("'_meta'!$")
    unit_rules = [dv for dv in wb["Thông tin đơn vị"].data_validations.dataValidation]
    assert any(str(dv.sqref) == "B6" and "_meta" in dv.formula1 for dv in unit_rules)  # Loại đơn vị
    assert [c.header for c in MEMBER_COLUMNS][10] == "Danh hiệu thi đua (2.5)"


@pytest.mark.parametrize("book_id,tier,count", [("tt24-2023", "huyen", 15), ("tt24-2023", "tinh", 16),
                                               ("tt22-2020", "huyen", 10)])
def test_template_reader_round_trip(book_id, tier, count):
    book = rulebooks.get(book_id)
    blank = validate(read_bytes(generate(book, tier), "blank.xlsx"))
    # A blank template: only "please fill in" findings, nothing about its structure.
    assert {f.code for f in blank.findings} <= {"unit-value-missing", "unit-code-missing", "unit-year-invalid",
                                                 "unit-kind-invalid"}
    filled = validate(read_bytes(generate(book, tier, standard_data(12, book_id=book_id, tier=tier)), "f.xlsx"))
    assert len(filled.indicators) == count and len(filled.members) == 12
    assert not [f for f in filled.findings if f.severity != "warning"]
    assert evaluate(filled).evaluated


def test_formula_like_text_is_written_as_text():
    data = standard_data(3, member_overrides={0: {"ho_ten": "=HYPERLINK(\"http://x\",\"bấm\")"}})
    wb = openpyxl.load_workbook(io.BytesIO(generate(rulebooks.get("tt24-2023"), "huyen", data)))
    cell = wb["Thành viên"]["B4"]
    assert cell.data_type == "s" and cell.value.startswith("=HYPERLINK")
