"""Every threshold and every applicability condition of TT 24/2023, tested so that a wrong number in the rulebook is
noticed.

Each (indicator, level) pair has a case exactly at the threshold (met) and one half a point below it (not met), with
200 members (or 200 learners) so that t − 0.5 % is a whole number of people. Then the rulebook file itself is
mutated: each threshold lowered (and raised) by one point, each conditional `applies_to` widened to every unit, and
some verdict must change.

Requirements: TT24 Art. 6.2/6.3 (H1), 7.2/7.3 (H2), 12.2/12.3 (T1), 13.2/13.3 (T2) — "tối thiểu" = at least;
regulation.md DECISIONS (exact comparison, level 2 proficiency counts certificates too, not-applicable).
"""

from __future__ import annotations

import copy
import tomllib

import pytest

from dvht_sheets import rulebook as rulebooks
from .helpers import evaluate
from dvht_sheets.rulebook import parse_rulebook

from .helpers import ind, submission

TOML = rulebooks.RULEBOOK_DIR / "tt24_2023.toml"
N = 200
LEVELS = {"H1": ("huyen", 1, 6), "H2": ("huyen", 2, 7), "T1": ("tinh", 1, 12), "T2": ("tinh", 2, 13)}

# (indicator, level key) → threshold %, written by hand from the articles (regulation.md table), not from the TOML.
THRESHOLDS = {
    # Art. 6.2.a–đ / 12.2.a–đ (level 1), 7.2.a–đ / 13.2.a–đ (level 2)
    **{(i, lv): t for i in ("2.1", "2.2", "2.3", "2.5") for lv, t in (("H1", 90), ("H2", 95), ("T1", 90), ("T2", 95))},
    **{("2.4", lv): t for lv, t in (("H1", 50), ("H2", 70), ("T1", 50), ("T2", 70))},
    # Art. 6.3.a / 7.3.a / 12.3.a / 13.3.a: members, and learners of education institutions
    **{("3.1", lv): t for lv, t in (("H1", 90), ("H2", 95), ("T1", 90), ("T2", 95))},
    **{("3.1 người học", lv): t for lv, t in (("H1", 95), ("H2", 97), ("T1", 95), ("T2", 97))},
}
FIELD = {"2.1": "tuan_thu_ky_luat", "2.2": "hoan_thanh_boi_duong", "2.3": "tham_gia_cds", "3.1": "cong_dan_hoc_tap"}


def case(pair: str, level: str, qualifying: int):
    """A unit where exactly `qualifying` of 200 members (or learners) meet the indicator, everything else at 100 %."""
    tier = LEVELS[level][0]
    no = N - qualifying
    if pair == "3.1 người học":
        # An education institution whose learners count: a district vocational centre, a provincial THPT (Art. 2.8).
        kind = "gdnn" if tier == "huyen" else "thpt"
        return submission(tier=tier, kind=kind, n=N, learners=(N, qualifying))
    kind = "tieu_hoc" if tier == "huyen" else "co_quan"  # co_quan: no learners clause
    if pair == "2.5":
        return submission(tier=tier, kind=kind, n=N, title_no=no)
    if pair == "2.4":
        # Level 2 counts proficiency or a certificate (DECISION): the same members lack both.
        return submission(tier=tier, kind=kind, n=N, no={"chung_chi_ngoai_ngu": no, "trinh_do_ngoai_ngu": no})
    return submission(tier=tier, kind=kind, n=N, no={FIELD[pair]: no})


def verdict(pair: str, level: str, qualifying: int, book=None) -> bool:
    r = evaluate(case(pair, level, qualifying), book)
    i = ind(r, pair.split()[0], LEVELS[level][1])
    return i.met


PAIRS = sorted(THRESHOLDS)


@pytest.mark.parametrize("pair,level", PAIRS, ids=[f"{p}-{lv}" for p, lv in PAIRS])
def test_exactly_at_the_threshold_is_met_and_half_a_point_below_is_not(pair, level):
    t = THRESHOLDS[(pair, level)]
    at = N * t // 100            # e.g. 180/200 = 90 %
    below = at - 1               # 179/200 = 89,5 % = t − 0,5 %
    assert below * 100 == (t - 0.5) * N
    assert verdict(pair, level, at) is True, f"{pair} {level}: {at}/{N} = {t} % must meet {t} %"
    assert verdict(pair, level, below) is False, f"{pair} {level}: {below}/{N} must fail {t} %"


def test_the_numbers_behind_one_case_by_hand():
    # TT24 Art. 6.2.a: 179/200 = 89,5 % fails 90 %; 180/200 passes. Art. 7.3.a: learners 193/200 = 96,5 % < 97 %.
    r = evaluate(case("2.1", "H1", 179))
    i = ind(r, "2.1", 1)
    assert (i.numerator, i.denominator, i.threshold, i.met) == (179, 200, 90, False)
    assert i.measured == "179/200 = 89,50 %"
    r = evaluate(case("3.1 người học", "H2", 193))
    i = ind(r, "3.1", 2)
    assert i.met is False and "người học 193/200 = 96,50 %" in i.measured


# ---------------------------------------------------------------------------------------------- mutated rulebooks

def rulebook_data() -> dict:
    return tomllib.loads(TOML.read_text(encoding="utf-8"))


def mutated(change) -> object:
    data = copy.deepcopy(rulebook_data())
    change(data)
    return parse_rulebook(data, "tt24_2023-mutated.toml")


def threshold_slots():
    """(rule id, TOML key, level, toml pair name) for every threshold written in the file."""
    for rule in rulebook_data()["rules"]:
        for key, pair in (("threshold", rule["id"]), ("learners_threshold", f"{rule['id']} người học")):
            value = rule.get(key)
            if isinstance(value, dict):
                for level in value:
                    yield rule["id"], key, level, pair


SLOTS = list(threshold_slots())


def test_every_pair_of_the_regulation_is_in_the_rulebook_and_in_these_tests():
    assert {(pair, level) for _, _, level, pair in SLOTS} == set(THRESHOLDS) and len(THRESHOLDS) == 28


@pytest.mark.parametrize("rule_id,key,level,pair", SLOTS, ids=[f"{p}-{lv}" for _, _, lv, p in SLOTS])
@pytest.mark.parametrize("delta", [-1, +1])
def test_a_threshold_one_point_off_changes_a_verdict(rule_id, key, level, pair, delta):
    def change(data):
        rule = next(r for r in data["rules"] if r["id"] == rule_id and key in r)
        rule[key][level] += delta
    book = mutated(change)
    t = THRESHOLDS[(pair, level)]
    at = N * t // 100
    original = (verdict(pair, level, at - 1), verdict(pair, level, at))
    wrong = (verdict(pair, level, at - 1, book), verdict(pair, level, at, book))
    assert original == (False, True)
    assert wrong != original, f"{pair} {level}: threshold {t + delta} instead of {t} went unnoticed"


# ---------------------------------------------------------------------------------------------- applicability

# (kind, ownership, tier) → the (indicator, level) pairs that do not apply, by hand from regulation.md:
# 1.3 public bodies (Art. 6.1.c); 2.4 not economic organisations; 3.3 at H2 public bodies only (Art. 7.3.c);
# 3.4 schools judged by QĐ 4725; 3.5 district: vocational (Art. 6.3.đ); 3.5 province: universities, QĐ 4740
# (Art. 12.3.đ); 3.6 province: vocational (Art. 12.3.e).
NOT_APPLICABLE = {
    ("tieu_hoc", "cong_lap", "huyen"): {"3.5@H1", "3.5@H2"},
    ("mam_non", "tu_thuc", "huyen"): {"1.3@H1", "1.3@H2", "3.3@H2", "3.4@H1", "3.4@H2", "3.5@H1", "3.5@H2"},
    ("tckt", None, "huyen"): {"1.3@H1", "1.3@H2", "2.4@H1", "2.4@H2", "3.3@H2", "3.4@H1", "3.4@H2", "3.5@H1",
                              "3.5@H2"},
    ("gdnn", "cong_lap", "huyen"): {"3.4@H1", "3.4@H2"},
    ("thpt", "cong_lap", "tinh"): {"3.5@T1", "3.5@T2", "3.6@T1", "3.6@T2"},
    ("dai_hoc", "cong_lap", "tinh"): {"3.4@T1", "3.4@T2", "3.6@T1", "3.6@T2"},
    ("gdnn", "cong_lap", "tinh"): {"3.4@T1", "3.4@T2", "3.5@T1", "3.5@T2"},
    ("co_quan", None, "tinh"): {"3.4@T1", "3.4@T2", "3.5@T1", "3.5@T2", "3.6@T1", "3.6@T2"},
    ("thpt", "tu_thuc", "tinh"): {"1.3@T1", "1.3@T2", "3.5@T1", "3.5@T2", "3.6@T1", "3.6@T2"},
    ("tckt", None, "tinh"): {"1.3@T1", "1.3@T2", "2.4@T1", "2.4@T2", "3.4@T1", "3.4@T2", "3.5@T1", "3.5@T2",
                             "3.6@T1", "3.6@T2"},
}


def not_applicable(book=None) -> dict:
    out = {}
    for kind, ownership, tier in NOT_APPLICABLE:
        learners = (100, 100) if kind in ("thpt", "dai_hoc", "gdnn") else None
        r = evaluate(submission(tier=tier, kind=kind, ownership=ownership, n=20, learners=learners), book)
        out[(kind, ownership, tier)] = {f"{i.id}@{i.level_key}" for i in r.indicators if not i.applicable}
    return out


def test_which_indicators_apply_to_which_units():
    assert not_applicable() == NOT_APPLICABLE


def applies_to_slots():
    for n, rule in enumerate(rulebook_data()["rules"]):
        for level, target in (rule.get("applies_to") or {}).items():
            if target != "all":
                yield n, rule["id"], level


APPLIES = list(applies_to_slots())


@pytest.mark.parametrize("n,rule_id,level", APPLIES, ids=[f"{r}-{lv}" for _, r, lv in APPLIES])
def test_widening_applies_to_to_every_unit_is_noticed(n, rule_id, level):
    def change(data):
        data["rules"][n]["applies_to"][level] = "all"
    assert not_applicable(mutated(change)) != NOT_APPLICABLE, f"{rule_id} at {level} widened to every unit"


def test_3_5_widened_at_both_tiers_is_noticed():
    def change(data):
        for rule in data["rules"]:
            if rule["id"] == "3.5":
                rule["applies_to"] = {lv: "all" for lv in rule["applies_to"]}
    got = not_applicable(mutated(change))
    assert "3.5@H1" not in got[("tieu_hoc", "cong_lap", "huyen")] and "3.5@T1" not in got[("thpt", "cong_lap", "tinh")]
