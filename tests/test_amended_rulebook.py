"""Rules as data all the way to the summary (issue 10, problem 4): an amended copy of TT 24's rulebook, passed with
`--rulebook FILE`, changes the verdicts and adds its new indicator's column to `Tổng hợp`, with no Python change.

The unit: 20 counted members, 2 answer Không for 2.1 (18/20 = 90 %), 6 answer Không for "kế hoạch tự học"
(14/20 = 70 %); everything else meets level 2. Under TT 24 as bundled: 2.1 meets 90 % (MĐ1) and fails 95 % (MĐ2) →
Đạt mức độ 1. The amendment raises 2.1's level-1 threshold to 92 % (18/20 = 90 % < 92 %) and adds 2.6 (≥ 60 % /
≥ 80 % of members with an approved self-study plan): 70 % ≥ 60 % but the school's sheet, made from the template before
the amendment, has no row 2.6 → Không đạt at both levels (never in the unit's favour: indicator-missing).
"""

from __future__ import annotations

import openpyxl
from click.testing import CliRunner

from dvht_sheets import rulebook as rulebooks
from dvht_sheets.cli import cli
from dvht_sheets.findings import Code, render
from dvht_sheets.schema import TEMPLATE_VERSION

from .helpers import standard_data, write_standard

NEW_RULE = '''
[[rules]]
id = "2.6"
letter = "e"
kind = "percent_members"
tiers = ["huyen", "tinh"]
field = "ke_hoach_tu_hoc"
threshold = { H1 = 60, H2 = 80, T1 = 60, T2 = 80 }
text = "Thành viên có kế hoạch tự học được phê duyệt"
'''


def amended(tmp_path):
    text = (rulebooks.RULEBOOK_DIR / "tt24_2023.toml").read_text(encoding="utf-8")
    old_id, old_threshold = 'id = "tt24-2023"\nversion = "1.0.0"', \
        'field = "tuan_thu_ky_luat"\nthreshold = { H1 = 90, H2 = 95, T1 = 90, T2 = 95 }'
    assert old_id in text and old_threshold in text
    text = text.replace(old_id, 'id = "tt24-2023-sua"\nversion = "1.1.0"', 1)
    text = text.replace(old_threshold, 'field = "tuan_thu_ky_luat"\nthreshold = { H1 = 92, H2 = 95, T1 = 92, T2 = 95 }')
    path = tmp_path / "tt24-sua-doi.toml"
    path.write_text(text + NEW_RULE, encoding="utf-8")
    return path


def overview(out):
    ws = openpyxl.load_workbook(out / "tong-hop.xlsx")["Tổng hợp"]
    rows = list(ws.iter_rows(values_only=True))
    header, unit = list(rows[4]), list(rows[5])
    return header, dict(zip(header, unit))


def test_an_amended_rulebook_file_changes_verdicts_and_adds_its_column(tmp_path):
    src = tmp_path / "ho-so"
    src.mkdir()
    members = {i: {"tuan_thu_ky_luat": "Không"} for i in range(2)}
    for i in range(6):
        members.setdefault(i, {})["ke_hoach_tu_hoc"] = "Không"
    write_standard(src / "truong.xlsx", standard_data(20, member_overrides=members))
    book = amended(tmp_path)

    runner = CliRunner()
    before = runner.invoke(cli, ["batch", str(src), "-o", str(tmp_path / "truoc"), "--jobs", "1"])
    after = runner.invoke(cli, ["batch", str(src), "-o", str(tmp_path / "sau"), "--jobs", "1", "--rulebook", str(book)])
    assert before.exit_code == 0 and after.exit_code == 0, (before.output, after.output)

    head1, unit1 = overview(tmp_path / "truoc")
    head2, unit2 = overview(tmp_path / "sau")
    assert unit1["Kết quả"] == "Đạt mức độ 1" and unit1["Chỉ tiêu chưa đạt MĐ1"] is None
    assert unit1["Chỉ tiêu chưa đạt MĐ2"] == "2.1"
    assert unit2["Kết quả"] == "Không đạt"
    assert unit2["Chỉ tiêu chưa đạt MĐ1"] == "2.1, 2.6" and unit2["Chỉ tiêu chưa đạt MĐ2"] == "2.1, 2.6"
    # the new column, after the rulebook's other percentages, and nothing else moved
    assert "2.6 (%)" not in head1
    assert head2.index("2.6 (%)") == head2.index("3.1 (%)") + 1
    assert [h for h in head2 if h != "2.6 (%)"] == head1
    assert unit2["2.6 (%)"] == 14 / 20 and unit2["2.1 (%)"] == 18 / 20 == unit1["2.1 (%)"]
    # the CSV gets it too, and _meta names the file's rulebook
    csv_header = (tmp_path / "sau" / "tong-hop.csv").read_text(encoding="utf-8-sig").splitlines()[0].split(",")
    assert csv_header[csv_header.index("percent_3.1_L1") + 1] == "percent_2.6_L1"
    meta = dict(openpyxl.load_workbook(tmp_path / "sau" / "tong-hop.xlsx")["_meta"].iter_rows(values_only=True))
    assert meta["rulebooks"] == "tt24-2023-sua v1.1.0"


def test_a_rulebook_file_that_cannot_be_read_is_said_in_vietnamese_with_where(tmp_path):
    # --rulebook FILE is typed by an officer: a wrong path, a file saved in the Windows code page, a TOML mistake each
    # get a Vietnamese message with what to do (tomllib's and the system's English never reach the user)
    import pytest

    with pytest.raises(rulebooks.RulebookError) as missing:
        rulebooks.load_file(tmp_path / "khong-co.toml")
    assert str(missing.value) == render(Code.RULEBOOK_FILE_MISSING, file=tmp_path / "khong-co.toml")
    cp1258 = tmp_path / "cp1258.toml"
    cp1258.write_bytes('name = "Thông tư"\n'.encode("cp1258"))
    with pytest.raises(rulebooks.RulebookError) as encoded:
        rulebooks.load_file(cp1258)
    assert str(encoded.value) == render(Code.RULEBOOK_NOT_UTF8, file=cp1258)
    broken = tmp_path / "hong.toml"
    broken.write_text('id = "x"\nversion = "1"\nname ngưỡng = 3\n', encoding="utf-8")
    with pytest.raises(rulebooks.RulebookError) as syntax:
        rulebooks.load_file(broken)
    assert str(syntax.value) == render(Code.RULEBOOK_TOML_SYNTAX, file=broken, row=3, column=6)
    for exc in (missing, encoded, syntax):
        assert "Errno" not in str(exc.value) and "Expected" not in str(exc.value) and "line" not in str(exc.value)
    res = CliRunner().invoke(cli, ["rules", "show", str(broken)])
    assert res.exit_code == 2 and render(Code.RULEBOOK_TOML_SYNTAX, file=broken, row=3, column=6) in res.output


def test_a_rulebook_file_saved_as_utf8_with_a_bom_is_read(tmp_path):
    # Notepad's "UTF-8" (Windows before 10 1903; "UTF-8 with BOM" since) writes EF BB BF first: the very encoding the
    # UTF-8 message asks for. Before: "sai cú pháp TOML ở dòng 1, cột 1" for a file with nothing wrong in it.
    path = tmp_path / "bom.toml"
    path.write_bytes(b"\xef\xbb\xbf" + (rulebooks.RULEBOOK_DIR / "tt24_2023.toml").read_bytes())
    book = rulebooks.load_file(path)
    plain = rulebooks.load_file(rulebooks.RULEBOOK_DIR / "tt24_2023.toml")
    assert (book.id, book.version, [r.id for r in book.rules]) == (plain.id, plain.version, [r.id for r in plain.rules])


def test_a_folder_given_as_rulebook_is_said(tmp_path):
    import pytest

    with pytest.raises(rulebooks.RulebookError) as folder:
        rulebooks.load_file(tmp_path)
    assert (folder.value.code, str(folder.value)) == (Code.RULEBOOK_IS_FOLDER,
                                                      render(Code.RULEBOOK_IS_FOLDER, file=tmp_path))


def test_a_template_evaluated_by_a_chosen_rulebook_is_said_as_chosen_not_as_the_years(tmp_path):
    # template-other-year said "năm đánh giá 2025 áp dụng Thông tư 22/2020" under --rulebook tt22-2020 (2025 applies
    # TT 24), and "Mẫu được tạo cho Thông tư 24/2023/TT-BGDĐT, nhưng năm đánh giá 2025 áp dụng Thông tư
    # 24/2023/TT-BGDĐT" under an amended copy of TT 24: the rulebook was the user's choice, not the year's.
    from dvht_sheets.batch import evaluate_path

    path = write_standard(tmp_path / "truong.xlsx", standard_data(20))  # a 2025 template, made for tt24-2023
    cases = [(rulebooks.get(str(amended(tmp_path))), "tt24-2023-sua phiên bản 1.1.0 (Thông tư 24/2023/TT-BGDĐT)"),
             (rulebooks.get("tt22-2020"), "tt22-2020 phiên bản 1.0.0 (Thông tư 22/2020/TT-BGDĐT)")]
    for book, chosen in cases:
        result, _ = evaluate_path(path, book)
        said = [f.message for f in result.findings if f.code in (Code.TEMPLATE_OTHER_YEAR, Code.TEMPLATE_OTHER_RULEBOOK)]
        assert said == [render(Code.TEMPLATE_OTHER_RULEBOOK, value="Thông tư 24/2023/TT-BGDĐT (bộ quy tắc tt24-2023)",
                               expected=chosen)], said
    # chosen by the year, as before: a TT 22 template for 2025, evaluated by TT 24 without --rulebook
    data = standard_data(20)
    data.meta = {"template_version": TEMPLATE_VERSION, "tier": "huyen", "rulebook": "tt22-2020"}
    result, _ = evaluate_path(write_standard(tmp_path / "cu.xlsx", data))
    assert [f.message for f in result.findings if f.code == Code.TEMPLATE_OTHER_YEAR] == [
        render(Code.TEMPLATE_OTHER_YEAR, value="Thông tư 22/2020/TT-BGDĐT", detail=2025,
               expected="Thông tư 24/2023/TT-BGDĐT")]
