"""TT 24/2023 rules at and around every threshold, with hand-computed numbers.

Requirements: TT24 Art. 6 (H1), 7 (H2), 12 (T1), 13 (T2); Art. 8/14 (recognition), 9.2–9.4 / 15.2–15.4 (Đạt/Không
đạt, evidence, criteria); regulation.md DECISIONS (exact comparison, not-applicable, denominator 0, 2.4 level 2).
"""

import pytest

from dvht_sheets.evaluate import meets, shortfall

from .helpers import evaluate
from dvht_sheets.findings import render

from .helpers import ind, members, result_of, submission

PCT_FIELDS = {"2.1": "tuan_thu_ky_luat", "2.2": "hoan_thanh_boi_duong", "2.3": "tham_gia_cds",
              "3.1": "cong_dan_hoc_tap"}


# ---------------------------------------------------------------------------------------------- exact comparison

@pytest.mark.parametrize("num,den,thr,expected", [
    (17, 19, 90, False),  # 89.47 % — DECISION: no rounding before comparing
    (18, 20, 90, True),   # exactly 90 %
    (19, 20, 95, True),   # exactly 95 %
    (94, 99, 95, False),  # 94.95 % would round to 95 %
    (1, 2, 50, True),
    (0, 0, 50, False),    # DECISION: denominator 0 never meets
    (7, 10, 70, True),
    (69, 100, 70, False),
])
def test_meets_is_exact(num, den, thr, expected):
    assert meets(num, den, thr) is expected


def test_shortfall_counts_members_needed():
    assert shortfall(17, 19, 90) == 1  # 18/19 = 94.74 % ≥ 90 %
    assert shortfall(18, 20, 95) == 1  # 19/20 = 95 %
    assert shortfall(20, 20, 95) == 0


# ---------------------------------------------------------------------------------------------- Tiêu chí 2 and 3.1

# (indicator, tier, level, members, qualifying members, met)
CASES = [
    # TT24 Art. 6.2.a / 7.2.a: 2.1 ≥ 90 % (H1), ≥ 95 % (H2)
    ("2.1", "huyen", 1, 40, 36, True), ("2.1", "huyen", 1, 40, 35, False), ("2.1", "huyen", 1, 19, 17, False),
    ("2.1", "huyen", 2, 20, 19, True), ("2.1", "huyen", 2, 19, 18, False), ("2.1", "huyen", 2, 100, 94, False),
    # TT24 Art. 6.2.b / 7.2.b: 2.2
    ("2.2", "huyen", 1, 10, 9, True), ("2.2", "huyen", 1, 10, 8, False),
    ("2.2", "huyen", 2, 40, 38, True), ("2.2", "huyen", 2, 40, 37, False),
    # TT24 Art. 6.2.c / 7.2.c: 2.3
    ("2.3", "huyen", 1, 30, 27, True), ("2.3", "huyen", 1, 30, 26, False),
    ("2.3", "huyen", 2, 60, 57, True), ("2.3", "huyen", 2, 60, 56, False),
    # TT24 Art. 12.2.a–c / 13.2.a–c: same thresholds at the provincial tier
    ("2.1", "tinh", 1, 50, 45, True), ("2.1", "tinh", 1, 50, 44, False),
    ("2.2", "tinh", 2, 80, 76, True), ("2.2", "tinh", 2, 80, 75, False),
    ("2.3", "tinh", 2, 20, 19, True), ("2.3", "tinh", 1, 20, 17, False),
    # TT24 Art. 6.3.a / 7.3.a / 12.3.a / 13.3.a: 3.1 members ≥ 90 % / 95 %
    ("3.1", "huyen", 1, 20, 18, True), ("3.1", "huyen", 1, 20, 17, False),
    ("3.1", "huyen", 2, 20, 19, True), ("3.1", "huyen", 2, 20, 18, False),
    ("3.1", "tinh", 1, 30, 27, True), ("3.1", "tinh", 2, 30, 28, False),
]


@pytest.mark.parametrize("ident,tier,level,n,yes,met", CASES)
def test_percent_indicators(ident, tier, level, n, yes, met):
    kind = "tieu_hoc" if tier == "huyen" else "co_quan"  # co_quan: no learners clause at the provincial tier
    r = result_of(tier=tier, kind=kind, n=n, no={PCT_FIELDS[ident]: n - yes})
    i = ind(r, ident, level)
    assert (i.numerator, i.denominator, i.met) == (yes, n, met)
    assert i.threshold == (90 if level == 1 else 95)


@pytest.mark.parametrize("level,n,yes,met", [
    # TT24 Art. 6.2.đ / 7.2.đ: 2.5 "Lao động tiên tiến" or higher ≥ 90 % / 95 %
    (1, 20, 18, True), (1, 20, 17, False), (2, 20, 19, True), (2, 20, 18, False), (1, 19, 17, False),
])
def test_2_5_titles(level, n, yes, met):
    r = result_of(n=n, title_no=n - yes)
    i = ind(r, "2.5", level)
    assert (i.numerator, i.denominator, i.met) == (yes, n, met)


def test_2_5_higher_titles_count_and_missing_do_not():
    # TT24 Art. 6.2.đ: "trở lên" — CSTĐCS and above count; no title does not.
    m = members(10)
    for i, title in enumerate(["cstdcs", "cstd_tinh", "cstd_tq", None, None]):
        m[i].title = title
    r = evaluate(submission(member_list=m))
    assert (ind(r, "2.5", 1).numerator, ind(r, "2.5", 1).met) == (8, False)  # 8/10 = 80 %


@pytest.mark.parametrize("level,n,yes,met", [
    # TT24 Art. 6.2.d (H1): ≥ 50 % with a certificate; Art. 7.2.d (H2): ≥ 70 % proficient
    (1, 20, 10, True), (1, 20, 9, False), (1, 19, 10, True), (1, 19, 9, False),
])
def test_2_4_level_1_certificate(level, n, yes, met):
    r = result_of(n=n, no={"chung_chi_ngoai_ngu": n - yes, "trinh_do_ngoai_ngu": n})
    i = ind(r, "2.4", level)
    assert (i.numerator, i.denominator, i.met, i.threshold) == (yes, n, met, 50)


def test_2_4_level_2_proficiency_or_certificate():
    # TT24 Art. 7.2.d with the DECISION: proficiency yes, or a certificate yes, counts at level 2.
    m = members(10, no={"chung_chi_ngoai_ngu": 10, "trinh_do_ngoai_ngu": 10})
    for i in range(4):
        m[i].flags["trinh_do_ngoai_ngu"] = True
    for i in range(4, 7):
        m[i].flags["chung_chi_ngoai_ngu"] = True  # 4 proficient + 3 certified = 7/10 = 70 %
    r = evaluate(submission(member_list=m))
    assert (ind(r, "2.4", 2).numerator, ind(r, "2.4", 2).met) == (7, True)
    assert (ind(r, "2.4", 1).numerator, ind(r, "2.4", 1).met) == (3, False)  # certificates only: 30 % < 50 %
    m[6].flags["chung_chi_ngoai_ngu"] = False  # 6/10 = 60 % < 70 %
    assert ind(evaluate(submission(member_list=m)), "2.4", 2).met is False


@pytest.mark.parametrize("without", [0, 3])
def test_a_member_without_an_answer_counts_as_no(without):
    # TT24 Art. 6.2.a: a member whose flags lack the field (the first one, or a later one) is not counted as yes;
    # evaluate gathers the answers column by column and must not take a missing one from another member
    m = members(10)
    del m[without].flags["tuan_thu_ky_luat"], m[without + 1].flags["tuan_thu_ky_luat"]
    del m[without + 2].flags["chung_chi_ngoai_ngu"]
    r = evaluate(submission(member_list=m))
    assert (ind(r, "2.1", 1).numerator, ind(r, "2.1", 1).denominator, ind(r, "2.1", 1).met) == (8, 10, False)
    assert (ind(r, "2.2", 1).numerator, ind(r, "2.4", 1).numerator, ind(r, "2.4", 2).numerator) == (10, 9, 10)


def test_2_4_not_applied_to_economic_organisations():
    # TT24 Art. 6.2.d: not applied to tổ chức kinh tế.
    r = result_of(kind="tckt", ownership=None, no={"chung_chi_ngoai_ngu": 20, "trinh_do_ngoai_ngu": 20})
    for level in (1, 2):
        i = ind(r, "2.4", level)
        assert (i.applicable, i.met) == (False, None)
    assert r.level == 2


def test_level_2_is_evaluated_on_its_own():
    # regulation.md: level 2 is not a superset of level 1; the result is the highest level met.
    m = members(10, no={"chung_chi_ngoai_ngu": 10, "trinh_do_ngoai_ngu": 2})  # 0 % certificates, 80 % proficient
    r = evaluate(submission(member_list=m))
    assert ind(r, "2.4", 1).met is False and ind(r, "2.4", 2).met is True
    assert r.level == 2


# ---------------------------------------------------------------------------------------------- 3.1 learners

@pytest.mark.parametrize("tier,kind,learners,level,met", [
    # TT24 Art. 12.3.a: learners ≥ 95 % (T1); Art. 13.3.a: ≥ 97 % (T2)
    ("tinh", "thpt", (1000, 950), 1, True), ("tinh", "thpt", (1000, 949), 1, False),
    ("tinh", "thpt", (1000, 970), 2, True), ("tinh", "thpt", (1000, 969), 2, False),
    ("tinh", "dai_hoc", (33, 32), 2, False),  # 32/33 = 96.97 %: 3200 < 97 × 33 = 3201
    ("tinh", "dai_hoc", (100, 97), 2, True),
])
def test_3_1_learners(tier, kind, learners, level, met):
    r = result_of(tier=tier, kind=kind, learners=learners)
    i = ind(r, "3.1", level)
    assert i.met is met
    assert (i.numerator, i.denominator) == (20, 20)  # members part stays the members' numbers


def test_3_1_learners_missing_is_not_met_with_a_finding():
    r = result_of(tier="tinh", kind="thpt")
    assert ind(r, "3.1", 1).met is False
    assert [f.cell for f in r.findings if f.code == "learners-missing"] == ["B13"]


def test_3_1_learners_ignored_for_primary_schools_and_district_boarding_schools():
    # TT24 Art. 2.8: pupils of mầm non, tiểu học, THCS, PTDTNT huyện are not counted as Người học.
    assert ind(result_of(kind="tieu_hoc"), "3.1", 2).met is True
    assert ind(result_of(kind="ptdtnt", tier="huyen"), "3.1", 2).met is True
    assert ind(result_of(kind="ptdtnt", tier="tinh"), "3.1", 2).met is False  # provincial: learners required


# ---------------------------------------------------------------------------------------------- applicability

def test_1_3_only_public_bodies():
    # TT24 Art. 6.1.c: kinh phí ngân sách — cơ quan nhà nước, đơn vị sự nghiệp công lập only.
    private = result_of(ownership="tu_thuc", answers={"1.3": "Không áp dụng"})
    assert ind(private, "1.3", 1).applicable is False and private.level == 2
    public = result_of(ownership="cong_lap", answers={"1.3": "Không áp dụng"})
    assert ind(public, "1.3", 1).met is False and public.level == 0
    assert any(f.code == "indicator-na-but-applies" for f in public.findings)
    assert ind(result_of(kind="co_quan", ownership=None), "1.3", 1).applicable is True


def test_3_3_at_level_2_binds_only_public_bodies_at_district_tier():
    # TT24 Art. 6.3.c (H1: all units) vs Art. 7.3.c (H2: only cơ quan, đơn vị sự nghiệp công lập).
    r = result_of(ownership="tu_thuc", answers={"3.3": "Không có danh hiệu", "1.3": "Không áp dụng"})
    assert ind(r, "3.3", 1).met is False
    assert ind(r, "3.3", 2).applicable is False
    assert r.level == 2  # level 2 is evaluated on its own
    # Art. 13.3.c: at the provincial tier 3.3 binds every unit at level 2.
    t = result_of(tier="tinh", kind="tcxh", ownership="tu_thuc", answers={"3.3": "Không có danh hiệu"})
    assert ind(t, "3.3", 2).applicable is True and ind(t, "3.3", 2).met is False


@pytest.mark.parametrize("answer,met1,met2", [
    # TT24 Art. 6.3.c/7.3.c: collective title from "Tập thể lao động tiên tiến" upwards
    ("Tập thể lao động tiên tiến", True, True), ("TTLĐXS", True, True), ("Cờ thi đua của Chính phủ", True, True),
    ("Không có danh hiệu", False, False), ("Giấy khen", False, False),
])
def test_3_3_collective_title(answer, met1, met2):
    r = result_of(answers={"3.3": answer})
    assert (ind(r, "3.3", 1).met, ind(r, "3.3", 2).met) == (met1, met2)


@pytest.mark.parametrize("answer,met1,met2", [
    # TT24 Art. 6.3.d ≥ "Đáp ứng cơ bản"; Art. 7.3.d "Đáp ứng tốt" (QĐ 4725)
    ("Đáp ứng tốt", True, True), ("Đáp ứng cơ bản", True, False), ("Chưa đáp ứng", False, False),
])
def test_3_4_digital_transformation_levels(answer, met1, met2):
    r = result_of(answers={"3.4": answer})
    assert (ind(r, "3.4", 1).met, ind(r, "3.4", 2).met) == (met1, met2)


def test_3_4_only_general_schools():
    # TT24 Art. 6.3.d: cơ sở giáo dục phổ thông only; a preschool or a cơ quan is not judged on it.
    for kind in ("mam_non", "co_quan"):
        r = result_of(kind=kind, answers={"3.4": ""})
        assert ind(r, "3.4", 1).applicable is False
    assert ind(result_of(tier="tinh", kind="gdtx", learners=(10, 10)), "3.4", 2).applicable is True  # Art. 12.3.d


def test_3_5_and_3_6_by_tier():
    # TT24 Art. 6.3.đ: district 3.5 = kiểm định GDNN; Art. 12.3.đ: provincial 3.5 = QĐ 4740 for universities;
    # Art. 12.3.e: provincial 3.6 = kiểm định GDNN.
    h = result_of(kind="gdnn", tier="huyen", learners=(100, 100))
    assert ind(h, "3.5", 1).kind == "unit_condition" and ind(h, "3.5", 1).applicable
    u = result_of(kind="dai_hoc", tier="tinh", learners=(100, 100), answers={"3.5": "Đáp ứng cơ bản"})
    assert ind(u, "3.5", 1).kind == "level_at_least"
    assert (ind(u, "3.5", 1).met, ind(u, "3.5", 2).met) == (True, False)
    assert ind(u, "3.6", 1).applicable is False
    c = result_of(kind="cao_dang", tier="tinh", learners=(100, 100), answers={"3.6": "Không đạt"})
    assert ind(c, "3.6", 1).met is False and c.level == 0
    assert not any(i.id == "3.6" for i in h.indicators)


# ---------------------------------------------------------------------------------------------- evidence, criteria

def test_indicator_without_evidence_is_not_met():
    # TT24 Art. 9.3: an indicator without suitable evidence is Không đạt.
    r = result_of(no_evidence=("2.1",))
    assert ind(r, "2.1", 1).met is False and "minh chứng" in ind(r, "2.1", 1).reason
    assert r.level == 0
    f = next(f for f in r.findings if f.code == "evidence-none")
    assert (f.sheet, f.cell) == ("Chỉ tiêu", ind_cell(r, "2.1"))
    assert f.message == render("evidence-none", value="2.1", cell=f.cell, expected="Điều 9.3")
    assert ind(r, "2.1", 1).reason == "không có minh chứng (Điều 9.3)"
    # TT24 Art. 15.3: the same for a provincial unit, which cites its own article (before: both, "Điều 9.3 (cấp
    # huyện), Điều 15.3 (cấp tỉnh)" in the reason and "Điều 9.3" in the message)
    t = result_of(tier="tinh", no_evidence=("2.1",))
    assert ind(t, "2.1", 1).met is False and ind(t, "2.1", 1).reason == "không có minh chứng (Điều 15.3)"
    f = next(f for f in t.findings if f.code == "evidence-none")
    assert f.message == render("evidence-none", value="2.1", cell=f.cell, expected="Điều 15.3")


def ind_cell(result, ident):
    return next(f.cell for f in result.findings if f.code == "evidence-none" and f.value == ident)


def test_evidence_listed_on_the_evidence_sheet_counts():
    sub = submission(no_evidence=("1.1",))
    from dvht_sheets.model import Evidence
    sub.evidence["x"] = Evidence(code="KH-01", key="x", name="Kế hoạch", row=9, for_ids=["1.1"])
    r = evaluate(sub)
    assert ind(r, "1.1", 1).met is True and ind(r, "1.1", 1).evidence == ["KH-01"]


def test_criterion_met_only_when_all_its_indicators_are():
    # TT24 Art. 9.4: a tiêu chí is Đạt only when all its chỉ tiêu are Đạt.
    r = result_of(answers={"1.5": "Không đạt"})
    crit = {(c.criterion, c.level_key): c for c in r.criteria}
    assert crit[(1, "H1")].met is False and crit[(1, "H1")].failing == ["1.5"]
    assert crit[(2, "H1")].met is True
    assert r.level == 0 and "1.5" in r.conclusion


@pytest.mark.parametrize("answer,code", [
    ("", "indicator-answer-missing"), ("Có lẽ", "indicator-answer-invalid"),
    ("Không áp dụng", "indicator-na-but-applies"),
])
def test_unit_condition_bad_answers_are_not_met_and_reported(answer, code):
    r = result_of(answers={"1.1": answer})
    assert ind(r, "1.1", 1).met is False
    assert any(f.code == code and f.cell for f in r.findings)


def test_denominator_zero_is_not_met_without_crash():
    r = evaluate(submission(member_list=[]))
    i = ind(r, "2.1", 1)
    assert (i.numerator, i.denominator, i.met, i.percent) == (0, 0, False, None)
    assert any(f.code == "denominator-zero" for f in r.findings)
    assert r.level == 0


def test_levels_and_conclusion():
    # TT24 Art. 8: recognised at a level only when every criterion and indicator of that level is met.
    assert result_of().level == 2
    one = result_of(n=20, no={"tuan_thu_ky_luat": 2})  # 18/20 = 90 %: H1 yes, H2 no
    assert one.level == 1 and one.conclusion == "Đạt “Đơn vị học tập” cấp huyện mức độ 1"
    assert one.failing(2) == ["2.1"] and one.failing(1) == []
    none = result_of(n=20, no={"tuan_thu_ky_luat": 3})
    assert none.level == 0 and none.result_label == "Không đạt"


def test_requested_level_higher_than_achieved_is_reported():
    r = result_of(n=20, no={"tuan_thu_ky_luat": 2}, requested=2)
    f = next(f for f in r.findings if f.code == "unit-requested-not-met")
    assert f.cell == "B9" and "mức độ 2" in f.message and "mức độ 1" in f.message


def test_reason_shows_arithmetic():
    r = result_of(n=19, no={"tuan_thu_ky_luat": 2})
    i = ind(r, "2.1", 1)
    assert i.measured == "17/19 = 89,47 %"
    assert i.reason == "89,47 % < 90 %: còn thiếu 1 thành viên"
    assert i.citation == "Điều 6.2.a" and ind(r, "2.1", 2).citation == "Điều 7.2.a"


# Every unit-level condition at every level of both tiers: "Đạt" with evidence meets it, "Không đạt" does not.
# TT24 Art. 6.1.a–đ, 7.1.a–đ, 12.1.a–đ, 13.1.a–đ (tiêu chí 1); 6.3.b / 7.3.b / 12.3.b / 13.3.b (3.2);
# 6.3.đ / 7.3.đ (3.5, GDNN, district); 12.3.e / 13.3.e (3.6, GDNN, provincial).
CONDITIONS = [(tier, ident, level, article) for tier, arts in (("huyen", (6, 7)), ("tinh", (12, 13)))
              for ident, letter in (("1.1", "a"), ("1.2", "b"), ("1.3", "c"), ("1.4", "d"), ("1.5", "đ"),
                                    ("3.2", "b"))
              for level, article in ((1, f"Điều {arts[0]}.{ident[0]}.{letter}"), (2, f"Điều {arts[1]}.{ident[0]}.{letter}"))]


@pytest.mark.parametrize("tier,ident,level,article", CONDITIONS)
def test_every_unit_condition(tier, ident, level, article):
    kind = "tieu_hoc" if tier == "huyen" else "co_quan"
    met = result_of(tier=tier, kind=kind)
    failed = result_of(tier=tier, kind=kind, answers={ident: "Không đạt"})
    assert ind(met, ident, level).met is True and ind(met, ident, level).citation == article
    assert ind(failed, ident, level).met is False and ind(failed, ident, level).reason == "đơn vị tự đánh giá Không đạt"
    assert failed.level == 0


@pytest.mark.parametrize("tier,ident", [("huyen", "3.5"), ("tinh", "3.6")])
def test_vocational_accreditation(tier, ident):
    # TT24 Art. 6.3.đ / 12.3.e: a cơ sở GDNN must have passed kiểm định chất lượng GDNN.
    ok = result_of(tier=tier, kind="gdnn", learners=(100, 100))
    bad = result_of(tier=tier, kind="gdnn", learners=(100, 100), answers={ident: "Không đạt"})
    assert (ind(ok, ident, 1).met, ind(ok, ident, 2).met) == (True, True)
    assert (ind(bad, ident, 1).met, bad.level) == (False, 0)
