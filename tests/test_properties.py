"""Property-based tests (hypothesis) for the reader and the evaluator.

Invariants (issue 4 item 5): percentages within 0–100; numerator ≤ denominator; level 2 is never reported when a
level-2 rule fails; every finding that concerns a cell names its sheet and cell; nothing raises.
"""

import io

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dvht_sheets import rulebook as rulebooks
from .helpers import evaluate
from dvht_sheets.model import Member
from dvht_sheets.read import read_bytes
from dvht_sheets.template import write_workbook
from .helpers import validate

from .helpers import FIELDS, standard_data, submission

YES_NO_TEXT = ["Có", "có", "C", "x", "✓", "1", "Đạt", "Yes", "TRUE", "Không", "K", "0", "-", "Chưa đạt", "No", "",
               " Có ", "Co\u00a0", "có lẽ", "?", "2", "không rõ"]
TITLES = ["Lao động tiên tiến", "LĐTT", "CSTĐCS", "Chiến sĩ thi đua cơ sở", "Giấy khen", "", "Không", "abc"]

member = st.builds(
    lambda i, flags, title, counted: Member(row=3 + i, name=f"TV {i}", counted=counted,
                                            flags=dict(zip(FIELDS, flags)), title=title),
    st.integers(0, 1000), st.lists(st.booleans(), min_size=len(FIELDS), max_size=len(FIELDS)),
    st.sampled_from([None, "ldtt", "cstdcs", "cstd_tinh", "cstd_tq"]), st.just(True))


def check_invariants(result) -> None:
    for ind in result.indicators:
        if ind.numerator is not None:
            assert 0 <= ind.numerator <= ind.denominator or ind.denominator == 0
        if ind.percent is not None:
            assert 0 <= ind.percent <= 100
        if not ind.applicable:
            assert ind.met is None
    if result.scheme == "levels" and result.level == 2:
        assert not result.failing(2)
    if result.level == 1 and result.scheme == "levels":
        assert not result.failing(1)
    for f in result.findings:
        assert f.message
        if f.cell:
            assert f.sheet


@settings(max_examples=300, deadline=None)
@given(st.lists(member, max_size=60),
       st.sampled_from(["tieu_hoc", "thpt", "co_quan", "tckt", "mam_non", "dai_hoc", "gdnn"]),
       st.sampled_from(["huyen", "tinh"]), st.sampled_from(["cong_lap", "tu_thuc", None]),
       st.one_of(st.none(), st.tuples(st.integers(0, 3000), st.integers(0, 3000))))
def test_evaluator_invariants(members, kind, tier, ownership, learners):
    if learners is not None:
        learners = (max(learners), min(learners))
    result = evaluate(submission(kind=kind, tier=tier, ownership=ownership, member_list=members, learners=learners))
    check_invariants(result)
    if members:
        i = next(i for i in result.indicators if i.id == "2.1" and i.level == 1)
        assert i.numerator == sum(m.flags["tuan_thu_ky_luat"] for m in members)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.tuples(st.lists(st.sampled_from(YES_NO_TEXT), min_size=7, max_size=7),
                          st.sampled_from(TITLES), st.sampled_from(["", "Không", "K", "lạ"]),
                          st.sampled_from(["", "Nghỉ thai sản", "=CMD()"])), min_size=1, max_size=25),
       st.sampled_from(["tt24-2023", "tt22-2020"]))
def test_reader_invariants(rows, book_id):
    overrides = {}
    for i, (answers, title, counted, note) in enumerate(rows):
        o = dict(zip(["tuan_thu_ky_luat", "hoan_thanh_boi_duong", "tham_gia_cds", "chung_chi_ngoai_ngu",
                      "trinh_do_ngoai_ngu", "cong_dan_hoc_tap", "ke_hoach_tu_hoc"], answers))
        o.update(danh_hieu=title, tinh_vao_tong=counted or None, ghi_chu=note or None)
        overrides[i] = o
    data = standard_data(len(rows), book_id=book_id, member_overrides=overrides)
    buf = io.BytesIO()
    write_workbook(buf, rulebooks.get(book_id), "huyen", data)
    sub = validate(read_bytes(buf.getvalue(), "p.xlsx"))
    result = evaluate(sub)
    assert result.evaluated
    assert len(sub.members) + len(sub.excluded) == len(rows)
    check_invariants(result)
    # A value the reader does not understand is reported at its cell and never counted as "yes".
    bad = {f.cell for f in result.findings if f.code == "yes-no-invalid"}
    for f in result.findings:
        if f.code in ("yes-no-invalid", "title-invalid", "exclusion-no-reason"):
            assert f.sheet == "Thành viên" and f.cell
    assert all(cell[0] in "EFGHIJLM" for cell in bad)
