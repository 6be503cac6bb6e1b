"""A rulebook that cannot be used (a `--rulebook FILE` an officer edited, or an id mistyped): every problem has its
catalogue code `rulebook-…` (Nghiêm trọng), RulebookError carries it as .code, and its text is the catalogue's,
naming the file and, for an entry of [[rules]], the rule and the key. Each code is raised here from a small
hand-written .toml loaded the way `--rulebook FILE` loads it (rulebook.get → load_file); the expected text is built
from the catalogue entry, and every value the message should name is checked to be in it."""

from __future__ import annotations

import pickle
from pathlib import Path

import pytest
from click.testing import CliRunner

from dvht_sheets import rulebook as rulebooks
from dvht_sheets.cli import cli
from dvht_sheets.findings import CATALOGUE, Code, Severity, render
from dvht_sheets.rulebook import RulebookError

SAMPLE = Path(rulebooks.__file__).parent / "data" / "samples" / "02-mn-anh-duong.xlsx"

HEAD = '''id = "thu"
version = "1"
name = "Bộ thử"
scheme = "levels"
first_year = 2024
last_year = 9999

[levels.H1]
tier = "huyen"
level = 1
article = 6
label = "Mức độ 1"
'''

RULE = '''
[[rules]]
id = "1.1"
letter = "a"
kind = "unit_condition"
text = "Có kế hoạch xây dựng đơn vị học tập"
'''

KINDS = "percent_members, unit_condition, title_at_least, level_at_least"
TRAITS = "all, public_body, not_economic_org, education, learners, digital_school, vocational, university"
MEMBER_KEYS = ("stt, ho_ten, ngay_sinh, chuc_vu, tinh_vao_tong, tuan_thu_ky_luat, hoan_thanh_boi_duong, tham_gia_cds, "
               "chung_chi_ngoai_ngu, trinh_do_ngoai_ngu, danh_hieu, cong_dan_hoc_tap, ke_hoach_tu_hoc, ghi_chu")


def _rule(body: str, rid: str = "1.9", letter: str = "x") -> str:
    return f'\n[[rules]]\nid = "{rid}"\nletter = "{letter}"\ntext = "Chỉ tiêu thử"\n{body}\n'


def _refused(path: Path | str, code: Code, **values: object) -> RulebookError:
    """Loads path as --rulebook does; the error must be code, worded exactly as its catalogue entry says."""
    with pytest.raises(RulebookError) as caught:
        rulebooks.get(str(path))
    exc = caught.value
    assert exc.code == code
    assert str(exc) == render(code, **values)
    for value in values.values():  # the message names what the reader has to find in the file
        assert str(value) in str(exc), (code, value)
    assert "?" not in str(exc)  # no value the template names is missing
    return exc


def _write(tmp_path: Path, text: str, name: str = "sua-doi.toml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_the_small_rulebook_of_these_tests_is_well_formed(tmp_path):
    # each test below changes one thing of this file; that thing alone is what is refused
    book = rulebooks.get(str(_write(tmp_path, HEAD + RULE)))
    assert (book.id, [r.id for r in book.rules], list(book.levels)) == ("thu", ["1.1"], ["H1"])


def test_every_rulebook_code_is_fatal():
    codes = [c for c in Code if c.value.startswith("rulebook-")]
    assert len(codes) == 25
    assert {CATALOGUE[c].severity for c in codes} == {Severity.FATAL}


# ---------------------------------------------------------------------------------------------------- the file


def test_an_unknown_id_lists_the_bundled_rulebooks():
    exc = _refused("tt99", Code.RULEBOOK_UNKNOWN, value="tt99", expected="tt22-2020, tt24-2023")
    assert str(exc).startswith("Không có bộ quy tắc 'tt99'. Các bộ có sẵn: tt22-2020, tt24-2023")


def test_a_folder_a_missing_file_and_an_unreadable_path(tmp_path):
    _refused(tmp_path, Code.RULEBOOK_IS_FOLDER, file=tmp_path)
    _refused(tmp_path / "khong-co.toml", Code.RULEBOOK_FILE_MISSING, file=tmp_path / "khong-co.toml")
    # a path through a file: the system says ENOTDIR (any OSError but "no such file" is this code, with its name)
    _write(tmp_path, "x", "ghi-chu.txt")
    through = tmp_path / "ghi-chu.txt" / "sua-doi.toml"
    _refused(through, Code.RULEBOOK_FILE_UNREADABLE, file=through, detail="ENOTDIR")


def test_a_file_not_in_utf8(tmp_path):
    path = tmp_path / "cp1258.toml"
    # what Notepad on a Vietnamese Windows saves as "ANSI" (tone marks of ộ, ế … are not in it: ô and ư are)
    path.write_bytes('id = "thu"\nname = "Thông tư"\n'.encode("cp1258"))
    _refused(path, Code.RULEBOOK_NOT_UTF8, file=path)


def test_toml_syntax_gives_the_line_and_column(tmp_path):
    # line 3 is `name ngưỡng = 3`: the key ends at column 5, tomllib stops at column 6
    path = _write(tmp_path, 'id = "x"\nversion = "1"\nname ngưỡng = 3\n')
    exc = _refused(path, Code.RULEBOOK_TOML_SYNTAX, file=path, row="3", column="6")
    assert "line" not in str(exc) and "Expected" not in str(exc)


def test_toml_syntax_at_the_end_of_the_file_gives_the_end_as_line_and_column(tmp_path):
    # tomllib says only "(at end of document)": the end of `name = ` (7 characters) on line 2 is column 8
    path = _write(tmp_path, 'id = "x"\nname = ')
    exc = _refused(path, Code.RULEBOOK_TOML_SYNTAX, file=path, row=2, column=8)
    assert "end of document" not in str(exc)


def test_a_missing_key_of_the_rulebook(tmp_path):
    path = _write(tmp_path, HEAD.replace('scheme = "levels"\n', "") + RULE)
    _refused(path, Code.RULEBOOK_KEY_MISSING, file=path, key="scheme")


def test_scheme_bands_and_scoring(tmp_path):
    path = _write(tmp_path, HEAD.replace('"levels"', '"diem"') + RULE)
    _refused(path, Code.RULEBOOK_SCHEME_INVALID, file=path, value="diem")
    path = _write(tmp_path, HEAD.replace('"levels"', '"points"') + RULE)
    _refused(path, Code.RULEBOOK_BANDS_MISSING, file=path)
    path = _write(tmp_path, HEAD.replace('scheme = "levels"\n', 'scheme = "levels"\nscoring = "partial"\n') + RULE)
    _refused(path, Code.RULEBOOK_SCORING_UNSUPPORTED, file=path, value="partial")


def test_a_rule_written_twice_for_the_same_tier(tmp_path):
    path = _write(tmp_path, HEAD + RULE + RULE.replace('"a"', '"b"'))
    _refused(path, Code.RULEBOOK_RULE_REPEATED, file=path, rule="1.1", value="any")
    t1 = '\n[levels.T1]\ntier = "tinh"\nlevel = 1\narticle = 12\nlabel = "Mức độ 1"\n'
    once_each = (HEAD + t1 + RULE.replace('kind =', 'tiers = ["huyen"]\nkind =')
                 + RULE.replace('kind =', 'tiers = ["tinh"]\nkind ='))
    assert [r.id for r in rulebooks.get(str(_write(tmp_path, once_each, "hai-cap.toml"))).rules] == ["1.1", "1.1"]


@pytest.mark.parametrize("line,key,value", [
    ('level = "một"', "level", "'một'"),
    ("article = true", "article", "True"),
    ('first_year = "2024a"', "first_year", "'2024a'"),
])
def test_a_number_written_as_text(tmp_path, line, key, value):
    # Before: "Lỗi không mong đợi: invalid literal for int() with base 10: …" (exit 1), Python's English
    old = {"level": "level = 1\n", "article": "article = 6\n", "first_year": "first_year = 2024\n"}[key]
    assert HEAD.count(old) == 1
    path = _write(tmp_path, HEAD.replace(old, line + "\n") + RULE)
    _refused(path, Code.RULEBOOK_NUMBER_INVALID, file=path, key=key, value=value)


def test_bands_min_points_written_as_text(tmp_path):
    bands = '\n[[bands]]\ngrade = "Tốt"\nmin_points = "cao"\nrecognised = true\n'
    path = _write(tmp_path, HEAD.replace('"levels"', '"points"') + bands + RULE)
    _refused(path, Code.RULEBOOK_NUMBER_INVALID, file=path, key="min_points", value="'cao'")


@pytest.mark.parametrize("text", [
    HEAD.split("[levels.H1]")[0] + "levels = 3\n" + RULE,  # a value where the table of levels goes
    HEAD.split("[levels.H1]")[0] + '[levels]\nH1 = "Mức độ 1"\n' + RULE,  # a level written as one value
    HEAD.replace("[levels.H1]", 'rules = ["1.1"]\n\n[levels.H1]'),  # the rules as a list of words, not [[rules]]
])
def test_a_table_written_as_a_value(tmp_path, text):
    # Before: "Lỗi không mong đợi: 'int' object has no attribute 'items'" and the like (exit 1)
    path = _write(tmp_path, text)
    _refused(path, Code.RULEBOOK_TABLE_INVALID, file=path)


# ---------------------------------------------------------------------------------------------------- one rule


def test_a_rule_id_that_is_not_criterion_dot_indicator(tmp_path):
    # Before: "Lỗi không mong đợi: invalid literal for int() with base 10: 'x'" (exit 1)
    path = _write(tmp_path, HEAD + _rule('kind = "unit_condition"', rid="x.1"))
    _refused(path, Code.RULEBOOK_RULE_ID_INVALID, file=path, rule="x.1")


@pytest.mark.parametrize("tiers,shown", [('"huyen"', "huyen"), ('["huyenn"]', "['huyenn']"), ("[]", "[]")])
def test_tiers_that_name_no_level(tmp_path, tiers, shown):
    # tiers = "huyen" (no [ ]) was read as the tiers h, u, y, e, n: the rule applied to no unit at all, silently
    # (in every unit's favour); a misspelt tier did the same
    path = _write(tmp_path, HEAD + _rule(f'kind = "unit_condition"\ntiers = {tiers}'))
    _refused(path, Code.RULEBOOK_TIERS_INVALID, file=path, rule="1.9", value=shown, expected="huyen")


def test_a_rule_without_a_key_every_rule_needs(tmp_path):
    path = _write(tmp_path, HEAD + RULE.replace('letter = "a"\n', ""))
    _refused(path, Code.RULEBOOK_RULE_KEY_MISSING, file=path, rule="1.1", key="letter")



def test_a_rule_without_its_id_is_named_by_its_place(tmp_path):
    # before: "chỉ tiêu ?: thiếu khoá 'id'" (found by the session-18 review)
    path = _write(tmp_path, HEAD + RULE + RULE.replace('id = "1.1"\n', ""))
    _refused(path, Code.RULEBOOK_RULE_KEY_MISSING, file=path, rule="ở mục [[rules]] thứ 2", key="id")


def test_an_unknown_kind_and_a_key_the_kind_needs(tmp_path):
    path = _write(tmp_path, HEAD + _rule('kind = "ratio"'))
    _refused(path, Code.RULEBOOK_KIND_UNKNOWN, file=path, rule="1.9", value="ratio", expected=KINDS)
    path = _write(tmp_path, HEAD + _rule('kind = "percent_members"\nthreshold = 90'))
    _refused(path, Code.RULEBOOK_KIND_NEEDS_KEY, file=path, rule="1.9", value="percent_members", key="field")
    path = _write(tmp_path, HEAD + _rule('kind = "title_at_least"'))
    _refused(path, Code.RULEBOOK_KIND_NEEDS_KEY, file=path, rule="1.9", value="title_at_least", key="minimum")


def test_a_table_keyed_by_a_level_the_rulebook_does_not_have(tmp_path):
    path = _write(tmp_path, HEAD + _rule('kind = "unit_condition"\napplies_to = { H1 = "all", H9 = "all", A = "all" }'))
    _refused(path, Code.RULEBOOK_LEVEL_UNKNOWN, file=path, rule="1.9", key="applies_to", value="A, H9", expected="H1")


def test_an_unknown_applies_to(tmp_path):
    path = _write(tmp_path, HEAD + _rule('kind = "unit_condition"\napplies_to = "aliens"'))
    _refused(path, Code.RULEBOOK_APPLIES_TO_UNKNOWN, file=path, rule="1.9", value="aliens", expected=TRAITS)


@pytest.mark.parametrize("threshold", ["120", "0", "-5", '"90%"', "true"])
def test_a_threshold_that_is_not_a_percentage(tmp_path, threshold):
    # `true` is an int to Python (1): taken as 1 % it would pass nearly every unit; it is refused like any non-number
    path = _write(tmp_path, HEAD + _rule(f'kind = "percent_members"\nfield = "cong_dan_hoc_tap"\nthreshold = {threshold}'))
    _refused(path, Code.RULEBOOK_THRESHOLD_INVALID, file=path, rule="1.9", level="H1")


def test_thresholds_at_the_ends_of_the_range_are_taken(tmp_path):
    for threshold in ("100", "0.5"):
        path = _write(tmp_path, HEAD + _rule(f'kind = "percent_members"\nfield = "cong_dan_hoc_tap"\nthreshold = {threshold}'))
        assert rulebooks.get(str(path)).rules[0].threshold("H1") == float(threshold)


def test_a_column_the_member_sheet_does_not_have(tmp_path):
    path = _write(tmp_path, HEAD + _rule('kind = "percent_members"\nfield = ["cong_dan_hoc_tap", "khong_co"]\nthreshold = 90'))
    _refused(path, Code.RULEBOOK_FIELD_UNKNOWN, file=path, rule="1.9", value="khong_co", expected=MEMBER_KEYS)


def test_an_unknown_minimum_title_or_digital_level(tmp_path):
    path = _write(tmp_path, HEAD + _rule('kind = "title_at_least"\nminimum = "cup"'))
    _refused(path, Code.RULEBOOK_TITLE_UNKNOWN, file=path, rule="1.9", key="minimum", value="cup",
             expected="none, ttldtt, ttldxs, co_tinh, co_cp")
    # min_title is a member's own title (the individual list), not the unit's
    path = _write(tmp_path, HEAD + _rule('kind = "percent_members"\nfield = "danh_hieu"\nthreshold = 50\nmin_title = "ttldtt"'))
    _refused(path, Code.RULEBOOK_TITLE_UNKNOWN, file=path, rule="1.9", key="min_title", value="ttldtt",
             expected="ldtt, cstdcs, cstd_tinh, cstd_tq")
    path = _write(tmp_path, HEAD + _rule('kind = "level_at_least"\nminimum = "rat_tot"'))
    _refused(path, Code.RULEBOOK_DIGITAL_LEVEL_UNKNOWN, file=path, rule="1.9", key="minimum", value="rat_tot",
             expected="chua, co_ban, tot")


# ---------------------------------------------------------------------------------------------------- the error


def test_the_error_keeps_its_code_and_message_when_pickled(tmp_path):
    # batch workers load the --rulebook file again (batch._init_worker): an error that crossed back keeps its code
    path = _write(tmp_path, HEAD + _rule('kind = "ratio"'))
    with pytest.raises(RulebookError) as caught:
        rulebooks.load_file(path)
    back = pickle.loads(pickle.dumps(caught.value))
    assert (type(back), back.code, str(back), back.values) == (RulebookError, Code.RULEBOOK_KIND_UNKNOWN,
                                                              str(caught.value), caught.value.values)
    assert isinstance(back, ValueError)  # callers that caught ValueError before still do


@pytest.mark.parametrize("case", ["threshold", "syntax"])
def test_check_with_a_bad_rulebook_is_a_wrong_option_exit_2_and_writes_nothing(tmp_path, case):
    # Before this change the same command printed the same line without the fix, and exited 2 (checked by running
    # `dvht check 02-mn-anh-duong.xlsx --rulebook bad.toml` on main): the wording is kept, the advice is added.
    if case == "threshold":
        text = (rulebooks.RULEBOOK_DIR / "tt24_2023.toml").read_text(encoding="utf-8")
        assert text.count("threshold = { H1 = 90,") >= 1
        bad = _write(tmp_path, text.replace("threshold = { H1 = 90,", "threshold = { H1 = 120,", 1), "bad.toml")
        code, values = Code.RULEBOOK_THRESHOLD_INVALID, {"file": bad, "rule": "2.1", "level": "H1"}
        today = f"{bad}: chỉ tiêu 2.1: ngưỡng ở H1 phải là số trong (0, 100]"
    else:
        bad = _write(tmp_path, 'id = "x"\nversion = "1"\nname ngưỡng = 3\n', "bad.toml")
        code, values = Code.RULEBOOK_TOML_SYNTAX, {"file": bad, "row": 3, "column": 6}
        today = f"{bad}: tệp bộ quy tắc sai cú pháp TOML ở dòng 3, cột 6"
    out = tmp_path / "ket-qua"
    res = CliRunner().invoke(cli, ["check", str(SAMPLE), "--rulebook", str(bad), "-o", str(out)])
    assert res.exit_code == 2, res.output
    line = f"Lỗi: Giá trị không hợp lệ cho --rulebook: {render(code, **values)}"
    assert line in res.output.splitlines()
    assert render(code, **values).startswith(today)
    assert not out.exists()


def test_check_with_a_rule_id_of_words_is_a_wrong_option_not_an_unexpected_error(tmp_path):
    # Before: "Lỗi không mong đợi: invalid literal for int() with base 10: 'x'. Chạy lại với --debug …", exit 1
    text = (rulebooks.RULEBOOK_DIR / "tt24_2023.toml").read_text(encoding="utf-8")
    assert text.count('\nid = "2.1"\n') == 1
    bad = _write(tmp_path, text.replace('\nid = "2.1"\n', '\nid = "x.1"\n'), "bad.toml")
    res = CliRunner().invoke(cli, ["check", str(SAMPLE), "--rulebook", str(bad), "-o", str(tmp_path / "ket-qua")])
    assert res.exit_code == 2, res.output
    assert (f"Lỗi: Giá trị không hợp lệ cho --rulebook: {render(Code.RULEBOOK_RULE_ID_INVALID, file=bad, rule='x.1')}"
            in res.output.splitlines())
    assert "không mong đợi" not in res.output and "invalid literal" not in res.output
