"""TT 22/2020 points and xếp loại, and the rulebook files themselves.

Requirements: TT22 Art. 5 (10 indicators, 100 points, "100% thành viên"), Art. 6 (Tốt ≥ 85, Khá 70–<85,
Trung bình 50–<70, Chưa đạt otherwise); DECISION all-or-nothing scoring; regulation.md §3 (picking the rulebook).
"""

import pytest

from dvht_sheets import rulebook as rulebooks
from dvht_sheets.findings import Code, render
from dvht_sheets.rulebook import KINDS, RulebookError, parse_rulebook
from dvht_sheets.schema import MEMBER_COLUMNS, TRAIT_LABEL

from .helpers import TT22, ind, result_of

POINTS = {"1.1": 10, "1.2": 10, "1.3": 10, "2.1": 10, "2.2": 5, "2.3": 10, "2.4": 5, "3.1": 25, "3.2": 10, "3.3": 5}


def tt22(**kw):
    return result_of(book_id=TT22, **kw)


def test_all_met_scores_100_tot():
    r = tt22()
    assert (r.points, r.max_points, r.grade, r.level) == (100, 100, "Tốt", 1)
    assert {i.id: i.max_points for i in r.indicators} == POINTS  # TT22 Art. 5 maxima


def test_100_percent_means_every_member():
    # TT22 Art. 5.2.a: "100% thành viên" — 37/38 is not met; DECISION: all-or-nothing (0 of 10 points).
    r = tt22(n=38, no={"ke_hoach_tu_hoc": 1})
    i = ind(r, "2.1", 1)
    assert (i.numerator, i.denominator, i.met, i.points) == (37, 38, False, 0)
    assert r.points == 90


@pytest.mark.parametrize("failing,points,grade,level", [
    # TT22 Art. 6 bands, hand-summed from the maxima above
    ((), 100, "Tốt", 1),
    (("1.1", "2.2"), 85, "Tốt", 1),                 # 100 − 10 − 5
    (("1.1", "1.2"), 80, "Khá", 1),                 # 100 − 20
    (("1.1", "1.2", "2.3"), 70, "Khá", 1),          # 100 − 30
    (("1.1", "1.2", "1.3", "2.2"), 65, "Trung bình", 1),
    (("1.1", "1.2", "3.3", "3.1"), 50, "Trung bình", 1),   # 100 − 10 − 10 − 5 − 25
    (("1.1", "1.2", "3.3", "3.1", "2.4"), 45, "Chưa đạt", 0),
])
def test_bands(failing, points, grade, level):
    answers = {i: "Không đạt" for i in failing if i in ("1.1", "1.2", "1.3", "3.3")}
    no = {"2.2": "tuan_thu_ky_luat", "2.3": "hoan_thanh_boi_duong", "3.1": "cong_dan_hoc_tap"}
    r = tt22(answers=answers, no={no[i]: 1 for i in failing if i in no}, title_no=1 if "2.4" in failing else 0)
    assert (r.points, r.grade, r.level) == (points, grade, level)
    assert sorted(r.failing(1)) == sorted(failing)


def test_collective_title_and_evidence():
    # TT22 Art. 5.3.b: "Tập thể lao động tiên tiến" or higher; evidence rule shared with TT 24 (DECISION).
    assert ind(tt22(answers={"3.2": "Không có danh hiệu"}), "3.2", 1).points == 0
    r = tt22(no_evidence=("3.3",))
    assert ind(r, "3.3", 1).met is False and r.points == 95


@pytest.mark.parametrize("points,grade", [(85, "Tốt"), (84.99, "Khá"), (70, "Khá"), (69.99, "Trung bình"),
                                          (50, "Trung bình"), (49.99, "Chưa đạt"), (0, "Chưa đạt")])
def test_grade_boundaries(points, grade):
    assert rulebooks.get(TT22).grade(points).grade == grade


@pytest.mark.parametrize("year,book", [(2019, "tt22-2020"), (2023, "tt22-2020"), (2024, "tt24-2023"),
                                       (2026, "tt24-2023")])
def test_rulebook_by_year(year, book):
    # regulation.md §3: năm đánh giá ≥ 2024 → TT 24/2023; ≤ 2023 → TT 22/2020.
    assert rulebooks.for_year(year).id == book


def test_bundled_rulebooks_are_complete():
    tt24 = rulebooks.get("tt24-2023")
    assert [r.id for r in tt24.rules_for("huyen")] == ["1.1", "1.2", "1.3", "1.4", "1.5", "2.1", "2.2", "2.3", "2.4",
                                                       "2.5", "3.1", "3.2", "3.3", "3.4", "3.5"]
    assert [r.id for r in tt24.rules_for("tinh")][-3:] == ["3.4", "3.5", "3.6"]
    assert {k: (v.tier, v.level, v.article) for k, v in tt24.levels.items()} == {
        "H1": ("huyen", 1, 6), "H2": ("huyen", 2, 7), "T1": ("tinh", 1, 12), "T2": ("tinh", 2, 13)}
    assert sum(r.points for r in rulebooks.get(TT22).rules) == 100


def _minimal(**rule):
    return {"id": "x", "version": "1", "name": "X", "scheme": "levels", "first_year": 2024, "last_year": 2030,
            "levels": {"A": {"tier": "huyen", "level": 1, "article": 1, "label": "A"}},
            "rules": [{"id": "1.1", "letter": "a", "text": "t", **rule}]}


_KINDS = ", ".join(KINDS)
_COLUMNS = ", ".join(c.key for c in MEMBER_COLUMNS)


@pytest.mark.parametrize("rule,code,values", [
    ({"kind": "nope"}, Code.RULEBOOK_KIND_UNKNOWN, {"value": "nope", "expected": _KINDS}),
    ({"kind": "percent_members", "field": "tuan_thu_ky_luat", "threshold": 120}, Code.RULEBOOK_THRESHOLD_INVALID,
     {"level": "A"}),
    ({"kind": "percent_members", "field": "tuan_thu_ky_luat", "threshold": 90, "learners_threshold": 0},
     Code.RULEBOOK_LEARNERS_THRESHOLD_INVALID, {"level": "A"}),  # 0 %: every unit's learners would pass
    ({"kind": "percent_members", "field": "khong_co", "threshold": 90}, Code.RULEBOOK_FIELD_UNKNOWN,
     {"value": "khong_co", "expected": _COLUMNS}),
    ({"kind": "percent_members", "threshold": 90}, Code.RULEBOOK_KIND_NEEDS_KEY,
     {"value": "percent_members", "key": "field"}),
    ({"kind": "unit_condition", "applies_to": "aliens"}, Code.RULEBOOK_APPLIES_TO_UNKNOWN,
     {"value": "aliens", "expected": ", ".join(TRAIT_LABEL)}),
    ({"kind": "unit_condition", "applies_to": {"Z": "all"}}, Code.RULEBOOK_LEVEL_UNKNOWN,
     {"key": "applies_to", "value": "Z", "expected": "A"}),
])
def test_bad_rulebook_files_are_refused_with_a_reason(rule, code, values):
    with pytest.raises(RulebookError) as caught:
        parse_rulebook(_minimal(**rule), "x.toml")
    assert caught.value.code == code
    assert str(caught.value) == render(code, file="x.toml", rule="1.1", **values)


def test_unknown_rulebook_reference():
    with pytest.raises(RulebookError) as caught:
        rulebooks.get("tt99")
    assert str(caught.value) == render(Code.RULEBOOK_UNKNOWN, value="tt99", expected="tt22-2020, tt24-2023")
