"""Issue 10, rules as data: one registry of rule kinds, the rulebook chosen by the caller, evaluate returning codes
and numbers that present.py words from one catalogue (the texts are unchanged: the other rule tests assert them)."""

from __future__ import annotations

import ast
import importlib
import inspect
import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from dvht_sheets import present
from dvht_sheets import rulebook as rulebooks
from dvht_sheets import validate as core_validate
from dvht_sheets.cli import cli
from dvht_sheets.findings import Code, render
from dvht_sheets.model import Reason
from dvht_sheets.read import read_workbook
from dvht_sheets.rulebook import KINDS, RulebookError, parse_rulebook
# The package exports the library function evaluate(path), which hides the module of the same name as an
# attribute of dvht_sheets; the core module is taken from the import system.
core_evaluate = importlib.import_module("dvht_sheets.evaluate")

from .helpers import TT22, TT24, ind, members, result_of, standard_data, submission, write_standard

PACKAGE = Path(__file__).resolve().parents[1] / "dvht_sheets"


def _book_with(rule: dict) -> dict:
    data = dict(rulebooks.get(TT24).raw)
    data["rules"] = [*data["rules"], rule]
    return data


# ---------------------------------------------------------------------------------------------------- registry


def test_every_kind_in_the_rulebooks_is_registered_whole():
    used = {r.kind for b in rulebooks.bundled() for r in b.rules}
    assert used == set(KINDS) == {"percent_members", "unit_condition", "title_at_least", "level_at_least"}
    for kind in KINDS.values():
        assert callable(kind.check) and callable(kind.describe) and callable(kind.evaluate) and kind.meaning


def test_rulebook_check_goes_through_the_registry():
    def refused(rule: dict) -> RulebookError:
        with pytest.raises(RulebookError) as caught:
            parse_rulebook(_book_with({"id": "3.9", "letter": "x", "text": "t", **rule}), "x.toml")
        return caught.value

    def said(exc: RulebookError) -> tuple:
        return exc.code, str(exc)

    assert said(refused({"kind": "ratio"})) == (Code.RULEBOOK_KIND_UNKNOWN, render(
        Code.RULEBOOK_KIND_UNKNOWN, file="x.toml", rule="3.9", value="ratio", expected=", ".join(KINDS)))
    assert said(refused({"kind": "percent_members", "field": "cong_dan_hoc_tap", "tiers": ["huyen"]})) == (
        Code.RULEBOOK_KIND_NEEDS_KEY,
        render(Code.RULEBOOK_KIND_NEEDS_KEY, file="x.toml", rule="3.9", value="percent_members", key="threshold"))
    assert said(refused({"kind": "percent_members", "field": "cong_dan_hoc_tap", "threshold": 120,
                         "tiers": ["huyen"]})) == (
        Code.RULEBOOK_THRESHOLD_INVALID, render(Code.RULEBOOK_THRESHOLD_INVALID, file="x.toml", rule="3.9", level="H1"))
    assert said(refused({"kind": "title_at_least", "minimum": "cup", "tiers": ["huyen"]})) == (
        Code.RULEBOOK_TITLE_UNKNOWN, render(Code.RULEBOOK_TITLE_UNKNOWN, file="x.toml", rule="3.9", key="minimum",
                                            value="cup", expected="none, ttldtt, ttldxs, co_tinh, co_cp"))


def test_rules_show_describes_each_kind_from_the_registry():
    out = CliRunner().invoke(cli, ["rules", "show", TT24]).output
    assert f"[2.1] (huyen, tinh) {KINDS['percent_members'].meaning}" in out
    assert "  H1 Điều 6.2.a: " in out and "; ngưỡng ≥ 90 %" in out
    assert f"[3.3] (huyen, tinh) {KINDS['title_at_least'].meaning}" in out
    assert "; tối thiểu: Tập thể lao động tiên tiến" in out


def test_evaluation_dispatches_through_the_registry(monkeypatch):
    # a kind's evaluation is the registered function and nothing else: replace it, and the verdict follows
    monkeypatch.setattr(KINDS["unit_condition"], "evaluate", lambda ev, rule, lv, res: [Reason("self-assessed-not-met")])
    r = result_of()
    assert ind(r, "1.1", 1).met is False and ind(r, "1.1", 1).reason == "đơn vị tự đánh giá Không đạt"
    assert r.level == 0


# ---------------------------------------------------------------------------------------------------- the choice


def test_choose_by_forced_rulebook_then_year():
    tt22, tt24 = rulebooks.get(TT22), rulebooks.get(TT24)
    assert rulebooks.choose(2023) == tt22 and rulebooks.choose(2024) == tt24 and rulebooks.choose(2030) == tt24
    assert rulebooks.choose(2025, forced=tt22) is tt22
    assert rulebooks.choose(None) == tt24


def test_validate_and_evaluate_never_load_a_rulebook():
    for module in (core_validate, core_evaluate):
        tree = ast.parse(inspect.getsource(module))
        loads = [n.attr for n in ast.walk(tree) if isinstance(n, ast.Attribute) and isinstance(n.value, ast.Name)
                 and n.value.id == "rulebooks"]
        assert loads == [], module.__name__
    assert inspect.signature(core_evaluate.evaluate).parameters["book"].default is inspect.Parameter.empty
    assert inspect.signature(core_validate.validate).parameters["book"].default is inspect.Parameter.empty


def test_two_steps_choose_by_the_year_of_the_unit_sheet(tmp_path):
    # the year is read first; the caller's choice then validates the rest: 2023 → TT 22's indicators are read
    path = write_standard(tmp_path / "u.xlsx", standard_data(20, book_id=TT22), book_id=TT22)
    head = core_validate.read_unit(read_workbook(path))
    assert head.unit["nam_danh_gia"] == 2023 and head.rulebook_id == "" and head.members == []
    book = rulebooks.choose(head.unit["nam_danh_gia"])
    sub = core_validate.validate(head, book, rulebooks.names())
    assert sub.rulebook_id == TT22 and len(sub.members) == 20
    r = present.render(core_evaluate.evaluate(sub, book))
    assert (r.rulebook, r.grade) == (TT22, "Tốt")


# ---------------------------------------------------------------------------------------------------- reasons


def test_evaluate_returns_codes_and_numbers_and_present_words_them():
    sub = submission(member_list=members(19, {"tuan_thu_ky_luat": 2}))  # 17/19 = 89,47 % < 90 %
    r = core_evaluate.evaluate(sub, rulebooks.get(TT24))
    i = ind(r, "2.1", 1)
    assert (i.reason, i.measured, r.conclusion) == ("", "", "")  # no prose from the core
    assert i.reasons == [Reason("members-below", {"numerator": 17, "denominator": 19, "threshold": 90,
                                                  "shortfall": 1})]
    assert r.verdict == Reason("level-not-met", {"tier": "huyen", "failing": ["2.1"]})
    present.render(r)
    assert (i.requirement, i.measured) == ("≥ 90 % Thành viên", "17/19 = 89,47 %")
    assert i.reason == "89,47 % < 90 %: còn thiếu 1 thành viên" and i.reason_code == "members-below"
    assert r.conclusion == "Chưa đạt “Đơn vị học tập” cấp huyện (mức độ 1 không đạt các chỉ tiêu: 2.1)"
    assert ind(r, "2.2", 1).reason_code == "met" and ind(r, "2.2", 1).reason == "Đạt: 19/19 = 100,00 %"
    assert ind(r, "1.1", 1).reason == "Đạt"


def test_every_reason_code_of_evaluate_is_in_the_catalogue_and_formats():
    tree = ast.parse(inspect.getsource(core_evaluate))
    emitted = {n.args[0].value for n in ast.walk(tree) if isinstance(n, ast.Call) and isinstance(n.func, ast.Name)
               and n.func.id == "Reason" and n.args and isinstance(n.args[0], ast.Constant)}
    assert emitted and emitted <= set(present.REASONS)
    for code in present.REASONS:
        text = present.text(Reason(code))  # no params at all: "?" in the gaps, never an exception
        assert text and "{" not in text, code
        assert present.text(Reason(code, {"numerator": "x", "denominator": 0, "threshold": "?", "cells": 3}))
    assert present.text(Reason("no-such-reason")) == "[no-such-reason]"


# ---------------------------------------------------------------------------------------------------- amended file


def test_amended_rulebook_file_changes_the_verdict_with_no_python_change(tmp_path):
    """A copy of TT 24 with 2.1's level-1 threshold raised to 100 % and one indicator added (3.6, a share of members
    with an approved self-study plan), passed to `dvht check --rulebook FILE`."""
    text = (PACKAGE / "rulebooks" / "tt24_2023.toml").read_text(encoding="utf-8")
    amended = text.replace('id = "tt24-2023"', 'id = "tt24-2023-sua-doi"', 1).replace(
        "threshold = { H1 = 90, H2 = 95, T1 = 90, T2 = 95 }\ntext = \"Thành viên tuân thủ",
        "threshold = { H1 = 100, H2 = 100, T1 = 90, T2 = 95 }\ntext = \"Thành viên tuân thủ", 1)
    assert amended.count("H1 = 100") == 1
    amended += ('\n[[rules]]\nid = "3.6"\nletter = "e"\nkind = "percent_members"\ntiers = ["huyen"]\n'
                'field = "ke_hoach_tu_hoc"\nthreshold = 50\ntext = "Thành viên có kế hoạch tự học được phê duyệt"\n')
    book_file = tmp_path / "tt24-sua-doi.toml"
    book_file.write_text(amended, encoding="utf-8")
    # 19 of 20 members keep the rules (95 %): level 2 by the regulation, not even level 1 by the amended file
    data = standard_data(20, member_overrides={0: {"tuan_thu_ky_luat": "Không"}, 1: {"ke_hoach_tu_hoc": "Không"}})
    # the standard template has no row for 3.6: its evidence names it in "Dùng cho chỉ tiêu" (workbook.md)
    data.evidence.append({"stt": 99, "ma_minh_chung": "[MC-3.6]", "ten_minh_chung": "Kế hoạch tự học", "chi_tieu": "3.6"})
    unit = write_standard(tmp_path / "don-vi.xlsx", data)
    runner = CliRunner()
    plain = json.loads(runner.invoke(cli, ["check", str(unit), "-o", str(tmp_path / "a"), "--json"]).output)[0]
    res = runner.invoke(cli, ["check", str(unit), "-o", str(tmp_path / "b"), "--json", "--rulebook", str(book_file)])
    assert res.exit_code == 0, res.output
    amended_result = json.loads(res.output)[0]
    assert (plain["rulebook"], plain["level"]) == (TT24, 2)
    assert (amended_result["rulebook"], amended_result["level"]) == ("tt24-2023-sua-doi", 0)
    one = {(i["id"], i["level"]): i for i in amended_result["indicators"]}
    assert (one["2.1", 1]["numerator"], one["2.1", 1]["denominator"], one["2.1", 1]["threshold"],
            one["2.1", 1]["met"], one["2.1", 1]["reason_code"]) == (19, 20, 100, False, "members-below")
    assert one["2.1", 1]["reason"] == "95,00 % < 100 %: còn thiếu 1 thành viên"
    assert (one["3.6", 1]["numerator"], one["3.6", 1]["denominator"], one["3.6", 1]["met"]) == (19, 20, True)
    assert ("3.6", 1) not in {(i["id"], i["level"]) for i in plain["indicators"]}
