"""Issue 8, vocabulary half: one strict matcher for every coded column, the certificate recogniser, titles with the
assessment year, kinds typed freely, school years, copied sheets, future birth dates, and the template's live
percentages.

Requirements: workbook.md "Matching is tolerant of how people type, never of what they mean" and the yes/no list under
`Thành viên`; README "Quyết định khi văn bản không nói rõ" (never in the unit's favour).
"""

from __future__ import annotations

import copy
import io
import unicodedata

import openpyxl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dvht_sheets import rulebook as rulebooks
from .helpers import evaluate
from dvht_sheets.findings import render
from dvht_sheets.model import Member
from dvht_sheets.read import read_bytes, read_workbook
from dvht_sheets.schema import (
    CERT_EXAMPLES, COLLECTIVE_TITLES, CONDITION, DIGITAL_LEVELS, INDIVIDUAL_TITLES, MEMBER_COLUMNS, NO, YES,
    parse_certificate, parse_title, parse_unit_kind, parse_yes_no, telex,
)
from dvht_sheets.template import ESTIMATE_LABEL, write_workbook
from .helpers import validate

from .helpers import FIELDS, ind, libreoffice, standard_data, submission, write_standard


def read(path):
    return validate(read_workbook(path))


def errors(sub, code=None):
    return [(f.code, f.cell) for f in sub.findings if (code is None and f.severity == "error") or f.code == code]


# ---------------------------------------------------------------------------------------------- point 1: yes/no

# workbook.md: the accepted spellings, any case, stray spaces, NFC or NFD; one trailing full stop.
@pytest.mark.parametrize("text", ["Có", "có", " CÓ ", "C", "x", "X", "✓", "✔", "v", "V", "1", "Đạt", "đạt", "Đ",
                                  "Yes", "TRUE", "true", "Có.", "Có\u00a0", unicodedata.normalize("NFD", "Có"),
                                  "co", "CO", "dat", "√", "☑", "✅", True, 1, 1.0])
def test_yes_spellings(text):
    assert parse_yes_no(text) == YES


@pytest.mark.parametrize("text", ["Không", "K", "0", "-", "✗", "Không đạt", "Chưa đạt", "CĐ", "No", "FALSE",
                                  "khong", "khong dat", "KHONG  DAT", "chua dat", "cd", "ko", "chưa", "Không có",
                                  "Chưa có", "Không.", False, 0, 0.0])
def test_no_spellings(text):
    assert parse_yes_no(text) == NO


# workbook.md: accented values must match exactly ("Cô" is another word), letters are never dropped or guessed,
# punctuation other than one trailing full stop is kept; "ok", "y", "n" are not in the list (README decision).
@pytest.mark.parametrize("text", ["Cô", "Cỏ", "Cơ", "Cố", "Cò", "D", "-1", "Có?", "?", "Có/Không", "Có (đang chờ)",
                                  "c?", "x?", "Đ?", "Có..", "Đạ", "Đat", "Không đat", "ok", "y", "n", "Cos", "Khoong",
                                  "1.0", "2", 2, 0.5, -1, "có lẽ"])
def test_near_misses_are_not_understood(text):
    assert parse_yes_no(text) is None


@pytest.mark.parametrize("typed,meant", [("Cos", "Có"), ("Khoong", "Không"), ("Ddatj", "Đạt"), ("ddajt", "Đạt"),
                                         ("Khoong ddatj", "Không đạt")])
def test_telex_typed_with_the_input_method_off_is_an_error_with_a_hint(typed, meant):
    assert parse_yes_no(typed) is None
    assert telex("có") == "cos" and telex("không đạt") == "khoong ddatj"
    from dvht_sheets.schema import YES_NO
    assert YES_NO.telex_hint(typed).casefold() == meant.casefold()


def test_twenty_members_with_six_near_misses_give_14_of_20(tmp_path):
    # Issue 8 point 1: before, 20/20 and "Đạt mức độ 2" with no finding.
    bad = ["Cô", "Cỏ", "D", "-1", "Có?", "c?"]
    data = standard_data(20, member_overrides={i: {"tuan_thu_ky_luat": v} for i, v in enumerate(bad)})
    sub = read(write_standard(tmp_path / "p1.xlsx", data))
    assert errors(sub) == [("yes-no-invalid", f"F{4 + i}") for i in range(6)]
    r = evaluate(sub)
    i1, i2 = ind(r, "2.1", 1), ind(r, "2.1", 2)
    assert (i1.numerator, i1.denominator, i1.met, i2.met) == (14, 20, False, False)  # 70 % < 90 % (Art. 6.2.a)
    assert r.level == 0


def test_secretary_with_the_vietnamese_keyboard_off(tmp_path):
    """A template filled as a secretary does it: dropdown values, "x", ticks, unaccented words, and a few cells typed
    while the Telex input method was off."""
    values = ["Có"] * 10 + ["x", "✓", "co", "CÓ ", "1", "Cos", "Cos", "Khoong", "Không", "Có."]
    data = standard_data(20, member_overrides={i: {"hoan_thanh_boi_duong": v} for i, v in enumerate(values)})
    sub = read(write_standard(tmp_path / "telex.xlsx", data))
    telex_findings = [f for f in sub.findings if f.code == "value-telex"]
    assert [(f.cell, f.severity) for f in telex_findings] == [("G19", "error"), ("G20", "error"), ("G21", "error")]
    assert telex_findings[0].message == render(
        "value-telex", cell="G19", label="Hoàn thành chương trình học tập, bồi dưỡng (2.2)", value="Cos",
        expected="Có")
    i = ind(evaluate(sub), "2.2", 1)
    assert (i.numerator, i.denominator, i.met) == (16, 20, False)  # 10 Có + x ✓ co CÓ 1 + "Có." = 16; 80 % < 90 %


# ---------------------------------------------------------------------------------------------- point 2: 2.4

@pytest.mark.parametrize("text", ["Chưa có", "Không có", "không có chứng chỉ", "chưa", "đang học", "Đang chờ cấp",
                                  "Không", "K", "0", "chua co", "Chứng chỉ B1 (đang chờ cấp)", "Hết hạn"])
def test_certificate_negations_are_no(text):
    assert parse_certificate(text) == NO


@pytest.mark.parametrize("text", ["Tiếng Anh B1", "Chứng chỉ tiếng Anh A2", "TOEIC 550", "Chứng chỉ tiếng Mông",
                                  "B1", "bậc 3", "IELTS 6.5", "VSTEP B2", "Chứng nhận tiếng Khmer", "tieng anh b1",
                                  "Có", "x", "HSK 3", "JLPT N3", True, 1])
def test_certificate_names_are_yes(text):
    assert parse_certificate(text) == YES


@pytest.mark.parametrize("text", ["N/A", "?", "abc", "Có?", "Chứng chỉ tin học", "Cô", "2"])
def test_other_certificate_text_is_not_understood(text):
    assert parse_certificate(text) is None


def test_certificate_column_of_a_real_workbook(tmp_path):
    # Issue 8 point 2: before, 10/10 with no finding. Level 1 of 2.4 counts certificates only (Art. 6.2.d).
    cert = ["Chưa có", "Không có", "không có chứng chỉ", "đang học", "Đang chờ cấp", "N/A", "?", "Tiếng Anh B1",
            "TOEIC 550", "Chứng chỉ tiếng Mông"]
    data = standard_data(10, member_overrides={i: {"chung_chi_ngoai_ngu": v, "trinh_do_ngoai_ngu": "Không"}
                                               for i, v in enumerate(cert)})
    sub = read(write_standard(tmp_path / "p2.xlsx", data))
    assert errors(sub) == [("cert-invalid", "I9"), ("cert-invalid", "I10")]
    f = next(f for f in sub.findings if f.code == "cert-invalid")
    assert f.message == render("cert-invalid", cell="I9", label=next(c.header for c in MEMBER_COLUMNS
                                                                      if c.key == "chung_chi_ngoai_ngu"),
                               value="N/A", expected=CERT_EXAMPLES)
    i = ind(evaluate(sub), "2.4", 1)
    assert (i.numerator, i.denominator, i.met) == (3, 10, False)  # 30 % < 50 %


def test_every_member_wrote_chua_co(tmp_path):
    data = standard_data(12, member_overrides={i: {"chung_chi_ngoai_ngu": "Chưa có", "trinh_do_ngoai_ngu": None}
                                               for i in range(12)})
    r = evaluate(read(write_standard(tmp_path / "chua.xlsx", data)))
    assert ind(r, "2.4", 1).numerator == 0 and ind(r, "2.4", 2).numerator == 0 and r.level == 0
    assert not [f for f in r.findings if f.severity == "error"]  # a negation is an answer, not an error


# ---------------------------------------------------------------------------------------------- point 12

@pytest.mark.parametrize("text,year,expected", [
    ("LĐTT 2025", 2025, ("ldtt", None)), ("Lao động tiên tiến năm 2025", 2025, ("ldtt", None)),
    ("CSTĐCS (2025)", 2025, ("cstdcs", None)), ("LĐTT 2024", 2025, (None, "other-year")),
    ("Lao động tiên tiến (QĐ số 12/QĐ-UBND)", 2025, (None, "extra-text")), ("đề nghị LĐTT", 2025, (None, "extra-text")),
    ("Lao đông tiên tiến", 2025, (None, "invalid")), ("lao dong tien tien", 2025, ("ldtt", None)),
])
def test_titles_with_a_year_or_other_text(text, year, expected):
    assert parse_title(INDIVIDUAL_TITLES, text, year) == expected


def test_titles_in_a_workbook(tmp_path):
    titles = ["LĐTT 2025", "Lao động tiên tiến năm 2025", "LĐTT 2024", "Lao động tiên tiến (QĐ số 12/QĐ-UBND)",
              "đề nghị LĐTT"]
    data = standard_data(5, member_overrides={i: {"danh_hieu": v} for i, v in enumerate(titles)})
    sub = read(write_standard(tmp_path / "t.xlsx", data))
    assert errors(sub) == [("title-other-year", "K6"), ("title-extra-text", "K7"), ("title-extra-text", "K8")]
    assert "Ghi chú" in next(f for f in sub.findings if f.code == "title-extra-text").message
    i = ind(evaluate(sub), "2.5", 1)
    assert (i.numerator, i.denominator) == (2, 5)


@pytest.mark.parametrize("text,expected", [
    ("Trường Tiểu học", ("tieu_hoc", None)), ("trường mầm non tư thục", ("mam_non", "tu_thuc")),
    ("thcs", ("thcs", None)), ("Trường THCS dân lập", ("thcs", "dan_lap")),
    ("trường mầm non ngoài công lập", ("mam_non", "tu_thuc")), ("Trường abc", (None, None)),
    ("Tiểu học Kim Đồng", (None, None)), ("Tiêu học", (None, None)),
])
def test_kinds_typed_freely(text, expected):
    assert parse_unit_kind(text) == expected


def test_kind_fills_a_blank_ownership_and_an_unknown_kind_stops(tmp_path):
    data = standard_data(5, unit={"loai_don_vi": "trường mầm non tư thục", "loai_hinh": None})
    sub = read(write_standard(tmp_path / "k.xlsx", data))
    assert (sub.unit["loai_don_vi"], sub.unit["loai_hinh"]) == ("mam_non", "tu_thuc")
    assert ("unit-type-from-kind", "B7") in errors(sub, "unit-type-from-kind")
    r = evaluate(sub)
    assert r.evaluated and not ind(r, "1.3", 1).applicable  # a private school: 1.3 does not apply (Art. 6.1.c)
    bad = read(write_standard(tmp_path / "k2.xlsx", standard_data(5, unit={"loai_don_vi": "Trường abc"})))
    assert errors(bad, "unit-kind-invalid") == [("unit-kind-invalid", "B6")]
    assert not evaluate(bad).evaluated


@pytest.mark.parametrize("typed", ["2025-2026", "2025 - 2026", "2025–26", "Năm học 2025-2026"])
def test_school_year_is_an_error_and_the_unit_is_not_evaluated(tmp_path, typed):
    sub = read(write_standard(tmp_path / "y.xlsx", standard_data(5, unit={"nam_danh_gia": typed})))
    f = next(f for f in sub.findings if f.code == "unit-year-school-year")
    assert (f.cell, f.severity) == ("B10", "fatal") and "2025" in f.message
    assert not evaluate(sub).evaluated


def test_copied_member_sheet_is_not_read(tmp_path):
    path = write_standard(tmp_path / "c.xlsx", standard_data(6))
    wb = openpyxl.load_workbook(path)
    copy_ws = wb.copy_worksheet(wb["Thành viên"])
    copy_ws.title = "Thành viên (2)"
    copy_ws["B4"] = "Người chỉ có ở bản sao"
    wb.save(path)
    sub = read(path)
    f = next(f for f in sub.findings if f.code == "sheet-copy-ignored")
    assert (f.sheet, f.severity) == ("Thành viên (2)", "warning")
    assert len(sub.members) == 6 and "Người chỉ có ở bản sao" not in [m.name for m in sub.members]


def test_only_a_copy_of_the_member_sheet_is_not_read_and_said_so(tmp_path):
    # workbook.md: a copy is never read; with no main sheet the message must not claim the main sheet is read
    path = write_standard(tmp_path / "c.xlsx", standard_data(6))
    wb = openpyxl.load_workbook(path)
    wb["Thành viên"].title = "Thành viên (2)"
    wb.save(path)
    sub = read(path)
    codes = {f.code: f for f in sub.findings}
    assert codes["sheet-copy-only"].message == render("sheet-copy-only", sheet="Thành viên (2)", expected="Thành viên")
    assert "sheet-copy-ignored" not in codes and codes["sheet-missing"].severity == "fatal"
    assert not evaluate(sub).evaluated


def test_birth_date_after_the_assessment_year_is_a_warning(tmp_path):
    import datetime as dt
    data = standard_data(4, member_overrides={0: {"ngay_sinh": dt.datetime(2026, 3, 1)}, 1: {"ngay_sinh": "2030"},
                                              2: {"ngay_sinh": dt.datetime(2025, 12, 31)}})
    sub = read(write_standard(tmp_path / "b.xlsx", data))
    assert [(f.cell, f.severity) for f in sub.findings if f.code == "birth-date-future"] == [
        ("C4", "warning"), ("C5", "warning")]


# ---------------------------------------------------------------------------------------------- property tests

ACCENTED = ["Có", "Không", "Đạt", "Không đạt", "Chưa đạt", "Lao động tiên tiến", "Chiến sĩ thi đua cơ sở",
            "Tiếng Anh", "Chứng chỉ", "Đáp ứng tốt", "Đáp ứng cơ bản", "Tập thể lao động tiên tiến", "Không áp dụng"]
NEAR = ["Cô", "Cỏ", "Cơ", "Cố", "Cò", "Đat", "Đạ", "Khong đạt", "Lao đông tiên tiến", "Chiên sĩ", "Đáp ưng tốt",
        "Tâp thể", "D", "Dat", "Cos", "Khoong", "-1", "ok", "y"]
PUNCT = ["?", "/", "(", ")", ".", "..", ",", "!", "*", "-", "–", "\u00a0", " ", "'", '"']
NEGATIONS = ["chưa", "không", "đang học", "đang chờ cấp", "chưa có", "không có chứng chỉ", "hết hạn"]
OTHER = ["B1", "A2", "TOEIC", "550", "2025", "2024", "QĐ số 12", "đề nghị", "x", "v", "1", "0", "abc", "N/A",
         "LĐTT", "CSTĐCS"]
piece = st.sampled_from(ACCENTED + NEAR + PUNCT + NEGATIONS + OTHER)
typed = st.lists(piece, min_size=1, max_size=4).map(lambda parts: "".join(
    p if i == 0 or p in PUNCT else " " + p for i, p in enumerate(parts)))


def canon(text: str) -> str:
    """The oracle's own normalisation: NFC, case, spaces, one trailing full stop (workbook.md)."""
    t = " ".join(unicodedata.normalize("NFC", text).casefold().split())
    if t.endswith(".") and not t.endswith(".."):
        t = t[:-1].rstrip()
    return t


# workbook.md's yes list, the tick symbols (README), and the unaccented forms of its accented words.
YES_SPELLINGS = {"có", "c", "x", "✓", "✔", "☑", "√", "✅", "v", "1", "đạt", "đ", "yes", "true", "co", "dat"}
CERT_PARTS = ("chứng chỉ", "chứng nhận", "tiếng ", "toeic", "ielts", "toefl", "vstep", "b1", "a2", "bậc")


def names_certificate(t: str) -> bool:
    return any(p in t for p in CERT_PARTS) and not any(n in t for n in ("chưa", "không", "đang", "hết hạn"))


def spellings(vocab, key) -> set[str]:
    import re
    term = vocab.by_key[key]
    out = set()
    for alias in (term.label, term.key, *term.aliases):
        a = canon(alias)
        a = re.sub(r"\s*([,&/\-–])\s*", r"\1", a)
        out.add(a)
        bare = unicodedata.normalize("NFC", "".join(c for c in unicodedata.normalize("NFD", a.replace("đ", "d"))
                                                    if not unicodedata.combining(c)))
        if len(bare) > 1:
            out.add(bare)
    return out


@settings(max_examples=600, deadline=None)
@given(typed)
def test_matcher_counts_yes_only_for_accepted_spellings(text):
    t = canon(text)
    if parse_yes_no(text) == YES:
        assert t in YES_SPELLINGS, text
    if parse_certificate(text) == YES:
        assert t in YES_SPELLINGS or names_certificate(t), text
    key, _ = parse_title(INDIVIDUAL_TITLES, text, 2025)
    if key is not None:
        ok = {s for k in INDIVIDUAL_TITLES.by_key for s in spellings(INDIVIDUAL_TITLES, k)}
        assert t in ok or any(t in (f"{s} 2025", f"{s} năm 2025", f"{s} (2025)", f"{s} - 2025") for s in ok), text
    for vocab in (COLLECTIVE_TITLES, DIGITAL_LEVELS, CONDITION):
        key = vocab.parse(text)
        if key is not None:
            assert t in spellings(vocab, key), (vocab.name, text)


@pytest.fixture(scope="module")
def raw_template():
    buf = io.BytesIO()
    write_workbook(buf, rulebooks.get("tt24-2023"), "huyen", standard_data(6))
    return read_bytes(buf.getvalue(), "p.xlsx")


VOCAB_COLUMNS = [i for i, c in enumerate(MEMBER_COLUMNS) if c.kind in ("yesno", "cert", "title")]


def numerators(raw):
    r = evaluate(validate(raw))
    return {(i.id, i.level): i.numerator for i in r.indicators if i.numerator is not None}


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.tuples(st.integers(0, 5), st.sampled_from(VOCAB_COLUMNS), typed), min_size=1, max_size=12),
       st.integers(0, 5), st.sampled_from(VOCAB_COLUMNS))
def test_workbook_cells_count_yes_only_when_accepted_and_blanks_never_raise(raw_template, cells, blank_row, blank_col):
    raw = copy.deepcopy(raw_template)
    grid = raw.sheet("Thành viên").grid
    for row, col, text in cells:
        grid[3 + row][col] = text
    sub = validate(raw)
    by_row = {m.row: m for m in sub.members + sub.excluded}
    for row, col, text in cells:
        key = MEMBER_COLUMNS[col].key
        m = by_row[3 + row]
        t = canon(grid[3 + row][col])
        if key == "danh_hieu":
            continue  # covered above; the reader's title parser is parse_title
        if m.flags.get(key):
            assert t in YES_SPELLINGS or (key == "chung_chi_ngoai_ngu" and names_certificate(t)), (key, t)
    before = numerators(raw)
    grid[3 + blank_row][blank_col] = None
    after = numerators(raw)
    assert all(after[k] <= before[k] for k in before)


member = st.builds(
    lambda i, flags, title: Member(row=3 + i, name=f"TV {i}", counted=True, flags=dict(zip(FIELDS, flags)),
                                   title=title),
    st.integers(0, 1000), st.lists(st.booleans(), min_size=len(FIELDS), max_size=len(FIELDS)),
    st.sampled_from([None, "ldtt", "cstdcs", "cstd_tinh", "cstd_tq"]))


@settings(max_examples=200, deadline=None)
@given(st.lists(member, min_size=1, max_size=40), st.data(), st.sampled_from(["huyen", "tinh"]))
def test_blanking_an_answer_never_raises_a_numerator(members, data, tier):
    def nums(ms):
        r = evaluate(submission(tier=tier, kind="tieu_hoc" if tier == "huyen" else "co_quan", member_list=ms))
        return {(i.id, i.level): i.numerator for i in r.indicators if i.numerator is not None}
    before = nums(members)
    i = data.draw(st.integers(0, len(members) - 1))
    what = data.draw(st.sampled_from([*FIELDS, "title"]))
    changed = copy.deepcopy(members)
    if what == "title":
        changed[i].title = None
    else:
        changed[i].flags[what] = False
    after = nums(changed)
    assert all(after[k] <= before[k] for k in before)


# ---------------------------------------------------------------------------------------------- point 8: template

def test_live_percent_cells_are_labelled_as_an_estimate():
    buf = io.BytesIO()
    write_workbook(buf, rulebooks.get("tt24-2023"), "huyen")
    ws = openpyxl.load_workbook(io.BytesIO(buf.getvalue()))["Chỉ tiêu"]
    row = next(r for r in range(1, 40) if ws.cell(r, 1).value == "2.1")
    assert ESTIMATE_LABEL in ws.cell(row, 2).value and ESTIMATE_LABEL in ws["A2"].value
    formula = ws.cell(row, 3).value
    assert formula.startswith("=IFERROR(SUMPRODUCT(") and '"x"' in formula and '"✓"' in formula and '"co"' in formula


@pytest.fixture(scope="module")
def soffice(tmp_path_factory):
    convert = libreoffice(tmp_path_factory.mktemp("lo-profile-vocab"))
    return lambda src, outdir: convert(src, "xlsx", outdir)[0]


def test_live_percentages_agree_with_the_tool_after_libreoffice_recalculates(soffice, tmp_path):
    yes_no = ["Có", "x", "✓", "co", " CÓ ", 1, "Đạt", "TRUE", "v", "Yes", "Không", "Cô", "Có?", "D", "Cos", None, "K",
              "0", "-", "abc"]
    certs = ["Tiếng Anh B1", "TOEIC 550", "Chứng chỉ tiếng Mông", "Chưa có", "Không có chứng chỉ", "Đang chờ cấp",
             "Có", "x", "N/A", "?"] * 2
    titles = ["LĐTT", "Lao động tiên tiến", "CSTĐCS", "Giấy khen", "lao dong tien tien", None,
              "Chiến sĩ thi đua cơ sở", "Lao đông tiên tiến", "LĐTT", "x"] * 2
    over = {i: {"tuan_thu_ky_luat": v, "chung_chi_ngoai_ngu": certs[i], "danh_hieu": titles[i]}
            for i, v in enumerate(yes_no)}
    over[19].update(tinh_vao_tong="Không", ghi_chu="Nghỉ thai sản")
    src = write_standard(tmp_path / "filled.xlsx", standard_data(20, member_overrides=over))
    back = soffice(src, tmp_path / "back")
    ws = openpyxl.load_workbook(back, data_only=True)["Chỉ tiêu"]
    live = {ws.cell(r, 1).value: ws.cell(r, 3).value for r in range(4, 30)}
    r = evaluate(read(back))
    # Hand counts over the 19 counted members (the 20th is excluded with a reason):
    # 2.1: Có x ✓ co CÓ 1 Đạt TRUE v Yes = 10 (Không Cô Có? D Cos blank K 0 - are not yes);
    # 2.4 (level 1, certificates): B1 TOEIC Mông Có x, twice = 10 (the excluded 20th is "?");
    # 2.5: LĐTT, Lao động tiên tiến, CSTĐCS, lao dong tien tien, Chiến sĩ thi đua cơ sở, LĐTT, twice = 12.
    expected = {"2.1": (10, 19), "2.4": (10, 19), "2.5": (12, 19)}
    for ident, (num, den) in expected.items():
        i = ind(r, ident, 1)
        assert (i.numerator, i.denominator) == (num, den), ident
        assert live[ident] == pytest.approx(num / den), ident


def test_collective_title_with_the_assessment_year():
    # workbook.md: titles may carry the assessment year; TT24 Art. 6.3.c (3.3 ≥ Tập thể lao động tiên tiến).
    r = evaluate(submission(answers={"3.3": "Tập thể lao động tiên tiến năm 2025"}))
    assert ind(r, "3.3", 1).met is True
    r = evaluate(submission(answers={"3.3": "Tập thể lao động tiên tiến năm 2024"}))
    assert ind(r, "3.3", 1).met is False
    assert any(f.code == "indicator-answer-invalid" for f in r.findings)


def test_template_filled_by_a_secretary_reads_the_same_after_libreoffice(soffice, tmp_path):
    """`dvht template` output filled cell by cell (openpyxl, as another program saves it), with Telex-off typing,
    then saved again by LibreOffice: the reader gives the same counts and findings for both files."""
    import datetime as dt
    from click.testing import CliRunner
    from dvht_sheets.cli import cli
    assert CliRunner().invoke(cli, ["template", "--cap", "huyen", "-o", str(tmp_path / "mau.xlsx")]).exit_code == 0
    wb = openpyxl.load_workbook(tmp_path / "mau.xlsx")
    unit = wb["Thông tin đơn vị"]
    info = {"Tên đơn vị": "Trường Tiểu học Hoà Bình", "Mã đơn vị": "TH-HOABINH", "Loại đơn vị": "Trường Tiểu học",
            "Loại hình": "Công lập", "Năm đánh giá": 2025}
    for r in range(1, 30):
        label = (unit.cell(r, 1).value or "").rstrip(" *")
        if label in info:
            unit.cell(r, 2).value = info[label]
    ws = wb["Thành viên"]
    col21 = ["Có"] * 14 + ["x", "✓", "co", "Cos", "Cos", "Khoong"]
    cert = ["Tiếng Anh B1"] * 6 + ["Chưa có"] * 4 + ["TOEIC 550", "Chứng chỉ tiếng Mông", "Có", "đang học", "N/A", "A2",
                                                     "Không", "Đang chờ cấp", "B1 tiếng Anh", "?"]
    titles = ["Lao động tiên tiến"] * 15 + ["LĐTT 2025", "LĐTT", "Lao động tiên tiến (QĐ số 12/QĐ-UBND)", "CSTĐCS",
                                            "Lao động tiên tiến"]
    for i in range(20):
        r = 4 + i
        for col, value in zip("ABCDFGHIJKL", [i + 1, f"Thành viên {i + 1}", dt.datetime(1980 + i, 3, 1), "GV", col21[i],
                                              "Có", "Có", cert[i], "Có" if i < 15 else "Khoong", titles[i], "Có"]):
            ws[f"{col}{r}"] = value
    ind_ws, ev_ws, k = wb["Chỉ tiêu"], wb["Minh chứng"], 0
    for r in range(4, 30):
        ident = ind_ws.cell(r, 1).value
        if ident and ident[0].isdigit():
            if not str(ind_ws.cell(r, 3).value or "").startswith("="):
                ind_ws.cell(r, 3).value = {"3.3": "Tập thể lao động tiên tiến", "3.4": "Đáp ứng tốt"}.get(ident, "Đạt")
            ind_ws.cell(r, 4).value = f"[H1-{ident}-01]"
            k += 1
            for c, value in enumerate((k, f"[H1-{ident}-01]", f"Kế hoạch {ident}"), start=1):
                ev_ws.cell(3 + k, c).value = value
    wb.save(tmp_path / "filled.xlsx")
    back = soffice(tmp_path / "filled.xlsx", tmp_path / "lo")

    def seen(path):
        r = evaluate(read(path))
        return ({(i.id, i.level): (i.numerator, i.denominator) for i in r.indicators if i.numerator is not None},
                [(f.code, f.cell) for f in r.findings])
    ours, theirs = seen(tmp_path / "filled.xlsx"), seen(back)
    assert ours == theirs
    counts, found = ours
    # By hand. 2.1: 14 Có + x ✓ co = 17 (Cos Cos Khoong are errors). 2.4 level 1: 6 × B1 + TOEIC, Mông, Có, A2,
    # "B1 tiếng Anh" = 11. 2.4 level 2 (proficiency or certificate): members 1–15 proficient, and of members 16–20
    # (proficiency "Khoong") those with A2 and "B1 tiếng Anh" = 17.
    assert counts[("2.1", 1)] == (17, 20) and counts[("2.4", 1)] == (11, 20) and counts[("2.4", 2)] == (17, 20)
    assert counts[("2.5", 1)] == (19, 20)  # the title with a decision number does not count
    assert [c for c, cell in found if c == "value-telex"] == ["value-telex"] * 8
    ws = openpyxl.load_workbook(back, data_only=True)["Chỉ tiêu"]
    live = {ws.cell(r, 1).value: ws.cell(r, 3).value for r in range(4, 30)}
    assert live["2.1"] == pytest.approx(17 / 20) and live["2.4"] == pytest.approx(11 / 20)


def test_fold_drops_exactly_the_combining_marks_of_any_text():
    # schema.fold strips marks with a str.translate table filled as characters come (issue 13): over every BMP
    # character it keeps and drops exactly what a test of unicodedata.category per character keeps and drops.
    import unicodedata

    from dvht_sheets import schema

    every = "".join(chr(i) for i in range(0x10000) if not 0xD800 <= i <= 0xDFFF)
    decomposed = unicodedata.normalize("NFD", every)
    assert decomposed.translate(schema._NO_MARKS) == "".join(
        c for c in decomposed if unicodedata.category(c) != "Mn")
    assert schema.fold("Nguyễn  Thị-Ánh ĐÀO") == "nguyen thi anh dao"
