"""Submission + Rulebook → UnitResult. Pure: no I/O, no printing, no clock; same input, same result.

Every indicator is evaluated at every level of the unit's tier on its own (level 2 is not a superset of level 1),
with its numerator, denominator, exact comparison, applicability and evidence. Percentages compare in integers:
met ⇔ numerator × 100 ≥ threshold × denominator, so 17/19 = 89.47 % fails 90 % (regulation.md, DECISION).
"""

from __future__ import annotations

import math
from fractions import Fraction

from . import rulebook as rulebooks
from .findings import Finding, finding, has_fatal
from .model import CriterionResult, IndicatorResult, Submission, UnitResult, vn_percent, vn_threshold
from .rulebook import Level, Rule, Rulebook
from .schema import (
    COLLECTIVE_TITLES, CONDITION, DIGITAL_LEVELS, INDIVIDUAL_TITLES, TIER_LABEL, TRAIT_LABEL, UNIT_FIELD, UNIT_KIND,
    code_key, is_blank, parse_title, text_of, unit_traits,
)


def meets(numerator: int, denominator: int, threshold: float) -> bool:
    """Exact "at least threshold %" with no rounding; a zero denominator never meets."""
    if denominator <= 0:
        return False
    return Fraction(numerator) * 100 >= Fraction(str(threshold)) * denominator


def shortfall(numerator: int, denominator: int, threshold: float) -> int:
    """How many more members would have to qualify to meet the threshold."""
    needed = math.ceil(Fraction(str(threshold)) * denominator / 100)
    return max(0, needed - numerator)


class _Eval:
    def __init__(self, sub: Submission, book: Rulebook):
        self.sub, self.book = sub, book
        self.traits = unit_traits(sub.unit.get("loai_don_vi"), sub.unit.get("loai_hinh"), sub.tier)
        self.findings: list[Finding] = []
        self._seen: set[tuple] = set()
        self.indicator_sheet = sub.sheet_names.get("indicators", "Chỉ tiêu")
        self.unit_sheet = sub.sheet_names.get("unit", "Thông tin đơn vị")
        self._counts: dict[tuple, int] = {}
        self._evidence: dict[str, list[str]] = {}

    def add(self, code: str, **kw) -> None:
        key = (code, kw.get("cell"), kw.get("value"))
        if key not in self._seen:
            self._seen.add(key)
            self.findings.append(finding(code, **kw))

    def count(self, fields: tuple[str, ...], min_title: str | None) -> int:
        """Members who qualify (any of the fields yes, or a title at least min_title); computed once per question,
        since both levels ask most of them."""
        key = (fields, min_title)
        if key not in self._counts:
            members = self.sub.members
            if min_title:
                floor = INDIVIDUAL_TITLES.rank(min_title)
                self._counts[key] = sum(1 for m in members if INDIVIDUAL_TITLES.rank(m.title) >= floor)
            else:
                self._counts[key] = sum(1 for m in members if any(m.flags.get(f, False) for f in fields))
        return self._counts[key]

    # -------------------------------------------------------------------------------- evidence

    def evidence(self, rule: Rule) -> list[str]:
        if rule.id not in self._evidence:
            self._evidence[rule.id] = self._find_evidence(rule)
        return list(self._evidence[rule.id])

    def _find_evidence(self, rule: Rule) -> list[str]:
        row = self.sub.indicators.get(rule.id)
        codes: list[str] = []
        if row is not None:
            for code in row.codes:
                ev = self.sub.evidence.get(code_key(code))
                if ev is not None and ev.code not in codes:
                    codes.append(ev.code)
        for ev in self.sub.evidence.values():
            if rule.id in ev.for_ids and ev.code not in codes:
                codes.append(ev.code)
        return codes

    # -------------------------------------------------------------------------------- kinds

    def percent_members(self, rule: Rule, lv: Level, res: IndicatorResult) -> list[str]:
        fields = rule.fields(lv.key)
        threshold = rule.threshold(lv.key)
        num = self.count(tuple(fields), rule.min_title)
        den = len(self.sub.members)
        res.numerator, res.denominator, res.threshold = num, den, threshold
        res.requirement = f"≥ {vn_threshold(threshold)} Thành viên"
        reasons: list[str] = []
        if den == 0:
            res.measured = f"{num}/0"
            self.add("denominator-zero", sheet=self.sub.sheet_names.get("members"), value=rule.id,
                     detail="không có Thành viên nào được tính vào tổng số")
            return ["không có Thành viên được tính (mẫu số 0)"]
        res.measured = f"{num}/{den} = {vn_percent(num, den)}"
        if self.sub.unreasoned_exclusions:
            # issue 8: a contradiction makes the indicator Không đạt, never met (the cells carry the errors)
            cells = ", ".join(self.sub.unreasoned_exclusions[:5])
            more = "…" if len(self.sub.unreasoned_exclusions) > 5 else ""
            reasons.append(f"có thành viên ghi “Tính vào tổng số” = Không nhưng không có lý do (ô {cells}{more}): "
                           "tổng số thành viên chưa xác định")
        if not meets(num, den, threshold):
            reasons.append(f"{vn_percent(num, den)} < {vn_threshold(threshold)}: còn thiếu "
                           f"{shortfall(num, den, threshold)} thành viên")
        lthr = rule.learners_threshold(lv.key)
        if lthr is not None and "learners" in self.traits:
            res.requirement += f"; người học ≥ {vn_threshold(lthr)}"
            total, ok = self.sub.unit.get("so_nguoi_hoc"), self.sub.unit.get("so_nguoi_hoc_cdht")
            if total is None or ok is None or total == 0:
                missing = "so_nguoi_hoc" if total is None or total == 0 else "so_nguoi_hoc_cdht"
                self.add("learners-missing", sheet=self.unit_sheet, cell=self.sub.unit_cells.get(missing) or None,
                         label=UNIT_FIELD[missing].label)
                res.measured += "; người học: chưa có số liệu"
                reasons.append("thiếu số liệu người học đạt “Công dân học tập”")
            elif ok > total:
                # regulation.md DECISIONS: a count above its total is a contradiction: Không đạt, never met, and
                # never shown above 100 % (validate reports both cells)
                res.measured += f"; người học {ok}/{total}: số liệu mâu thuẫn"
                reasons.append(f"số người học đạt “Công dân học tập” ({ok}) lớn hơn tổng số người học ({total}): "
                               "số liệu mâu thuẫn")
            else:
                res.measured += f"; người học {ok}/{total} = {vn_percent(ok, total)}"
                if not meets(ok, total, lthr):
                    reasons.append(f"người học {vn_percent(ok, total)} < {vn_threshold(lthr)}: còn thiếu "
                                   f"{shortfall(ok, total, lthr)} người học")
        return reasons

    def _answer(self, rule: Rule, vocab, what: str):
        row = self.sub.indicators.get(rule.id)
        if row is None:
            return None, ["thiếu dòng chỉ tiêu trong trang Chỉ tiêu"]
        if is_blank(row.answer):
            self.add("indicator-answer-missing", sheet=self.indicator_sheet, cell=row.answer_cell or None,
                     value=rule.id, expected=", ".join(vocab.labels))
            return None, [f"chưa nhập {what}"]
        if vocab is not CONDITION and CONDITION.parse(row.answer) == "na":
            return "na", []
        if vocab is COLLECTIVE_TITLES:
            # workbook.md: a title may carry the assessment year ("Tập thể lao động tiên tiến năm 2025").
            key, _ = parse_title(vocab, row.answer, self.sub.unit.get("nam_danh_gia"))
        else:
            key = vocab.parse(row.answer)
        if key is None:
            self.add("indicator-answer-invalid", sheet=self.indicator_sheet, cell=row.answer_cell or None,
                     value=rule.id, detail=text_of(row.answer), expected=", ".join(vocab.labels))
            return None, [f"'{text_of(row.answer)}' không thuộc danh mục"]
        return key, []

    def unit_condition(self, rule: Rule, lv: Level, res: IndicatorResult) -> list[str]:
        res.requirement = "Đạt"
        key, reasons = self._answer(rule, CONDITION, "kết quả tự đánh giá")
        if key is None:
            return reasons
        if key == "na":
            return self._not_applicable_answer(rule, res)
        res.measured = CONDITION.label(key)
        if key == "khong_dat":
            return ["đơn vị tự đánh giá Không đạt"]
        return []

    def _not_applicable_answer(self, rule: Rule, res: IndicatorResult) -> list[str]:
        row = self.sub.indicators[rule.id]
        res.measured = CONDITION.label("na")
        self.add("indicator-na-but-applies", sheet=self.indicator_sheet, cell=row.answer_cell or None, value=rule.id)
        return ["ghi “Không áp dụng” nhưng chỉ tiêu có áp dụng cho đơn vị"]

    def _ranked(self, rule: Rule, lv: Level, res: IndicatorResult, vocab, minimum: str, what: str) -> list[str]:
        res.requirement = f"≥ {vocab.label(minimum)}"
        key, reasons = self._answer(rule, vocab, what)
        if key is None:
            return reasons
        if key == "na":
            return self._not_applicable_answer(rule, res)
        res.measured = vocab.label(key)
        if vocab.rank(key) < vocab.rank(minimum):
            return [f"{vocab.label(key)} thấp hơn “{vocab.label(minimum)}”"]
        return []

    def title_at_least(self, rule: Rule, lv: Level, res: IndicatorResult) -> list[str]:
        return self._ranked(rule, lv, res, COLLECTIVE_TITLES, rule.minimum(lv.key), "danh hiệu thi đua tập thể")

    def level_at_least(self, rule: Rule, lv: Level, res: IndicatorResult) -> list[str]:
        return self._ranked(rule, lv, res, DIGITAL_LEVELS, rule.minimum(lv.key), "mức độ chuyển đổi số")

    # -------------------------------------------------------------------------------- one indicator

    def indicator(self, rule: Rule, lv: Level) -> IndicatorResult:
        book = self.book
        res = IndicatorResult(
            id=rule.id, level=lv.level, level_key=lv.key, criterion=rule.criterion, kind=rule.kind,
            text=rule.text(lv.key), citation=book.citation(rule, lv.key), applicable=True, met=None, requirement="",
            max_points=rule.points if book.scheme == "points" else None,
        )
        target = rule.applies_to(lv.key)
        if target not in self.traits:
            res.applicable = False
            res.reason = f"Không áp dụng: chỉ áp dụng cho {TRAIT_LABEL[target]}"
            res.requirement = "—"
            if book.scheme == "points":
                res.points = 0.0
            return res
        reasons = getattr(self, rule.kind)(rule, lv, res)
        res.evidence = self.evidence(rule)
        if book.evidence_required and not res.evidence:
            row = self.sub.indicators.get(rule.id)
            if row is not None:
                self.add("evidence-none", sheet=self.indicator_sheet, cell=row.codes_cell or None, value=rule.id)
            reasons.append(f"không có minh chứng ({book.evidence_article})")
        res.met = not reasons
        if res.met:
            res.reason = "Đạt" + (f": {res.measured}" if rule.kind == "percent_members" else "")
        else:
            res.reason = "; ".join(reasons)
        if book.scheme == "points":
            res.points = rule.points if res.met else 0.0
        return res


def evaluate(sub: Submission, book: Rulebook | None = None) -> UnitResult:
    """The unit's result. A submission with fatal findings gives evaluated=False and level None."""
    unit = sub.unit
    kind = UNIT_KIND.get(unit.get("loai_don_vi") or "")
    result = UnitResult(
        file=sub.file, sha256=sub.sha256, evaluated=False, unit_code=unit.get("ma_don_vi"),
        unit_name=unit.get("ten_don_vi"), unit_kind=kind.label if kind else None, ownership=unit.get("loai_hinh"),
        tier=sub.tier if sub.rulebook_id else None, year=unit.get("nam_danh_gia"),
        requested_level=unit.get("muc_do_de_nghi"), findings=list(sub.findings),
    )
    if has_fatal(sub.findings) or not sub.rulebook_id:
        result.conclusion = "Không đánh giá được: " + "; ".join(
            f.message for f in sub.findings if f.severity == "fatal")
        return result
    book = book or rulebooks.get(sub.rulebook_id)
    ev = _Eval(sub, book)
    result.evaluated = True
    result.rulebook, result.rulebook_version, result.scheme = book.id, book.version, book.scheme
    result.members, result.excluded = len(sub.members), len(sub.excluded)
    levels = book.levels_for(sub.tier)
    rules = book.rules_for(sub.tier)
    met_levels: list[int] = []
    for lv in levels:
        rows = [ev.indicator(rule, lv) for rule in rules]
        result.indicators.extend(rows)
        for criterion in sorted({r.criterion for r in rows}):
            failing = [r.id for r in rows if r.criterion == criterion and r.applicable and not r.met]
            result.criteria.append(CriterionResult(criterion, lv.key, not failing, failing))
        if all(r.met for r in rows if r.applicable):
            met_levels.append(lv.level)
    tier_text = TIER_LABEL.get(sub.tier, "")
    if book.scheme == "points":
        result.points = sum(r.points or 0 for r in result.indicators)
        result.max_points = sum(r.max_points or 0 for r in result.indicators)
        band = book.grade(result.points)
        result.grade = band.grade
        result.level = 1 if band.recognised else 0
        result.conclusion = (f"Tổng điểm {_pts(result.points)}/{_pts(result.max_points)}: xếp loại {band.grade} "
                             f"({book.name})")
    else:
        result.level = max(met_levels, default=0)
        if result.level:
            result.conclusion = f"Đạt “Đơn vị học tập” {tier_text} mức độ {result.level}"
        else:
            failing = ", ".join(result.failing(1)) or "?"
            result.conclusion = f"Chưa đạt “Đơn vị học tập” {tier_text} (mức độ 1 không đạt các chỉ tiêu: {failing})"
        requested = result.requested_level
        if requested and requested > result.level:
            ev.add("unit-requested-not-met", sheet=ev.unit_sheet, cell=sub.unit_cells.get("muc_do_de_nghi") or None,
                   value=f"mức độ {requested}",
                   expected=f"mức độ {result.level}" if result.level else "chưa đạt mức độ nào")
    result.findings.extend(ev.findings)
    return result


def _pts(value: float | None) -> str:
    return "" if value is None else (str(int(value)) if float(value).is_integer() else f"{value:g}".replace(".", ","))
