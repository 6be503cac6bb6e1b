"""Submission + Rulebook → UnitResult. Pure: no I/O, no printing, no clock; same input, same result.

The caller chooses the rulebook (rulebook.choose); evaluate never loads one. It returns codes and numbers: each
indicator's `reasons` (model.Reason) and the unit's `verdict`; present.render turns them into the Vietnamese texts.

Every indicator is evaluated at every level of the unit's tier on its own (level 2 is not a superset of level 1),
with its numerator, denominator, exact comparison, applicability and evidence. Percentages compare in integers:
met ⇔ numerator × 100 ≥ threshold × denominator, so 17/19 = 89.47 % fails 90 % (regulation.md, DECISION).
"""

from __future__ import annotations

import math
from collections import Counter
from fractions import Fraction
from functools import lru_cache
from operator import attrgetter, itemgetter

from .findings import Code, Finding, finding, has_fatal
from .model import NOT_APPLICABLE, CriterionResult, IndicatorResult, Reason, Submission, UnitResult
from .rulebook import KINDS, Level, Rule, Rulebook, evaluator
from .schema import (
    COLLECTIVE_TITLES, CONDITION, INDIVIDUAL_TITLES, UNIT_FIELD, UNIT_KIND, Vocabulary, code_key, is_blank,
    parse_title, text_of, unit_traits,
)


# Cached, as are the two functions below: the same few thresholds and counts recur in every unit of a batch, and
# exact fractions cost microseconds each.
@lru_cache(maxsize=256)
def _exact(threshold: float) -> Fraction:
    return Fraction(str(threshold))


@lru_cache(maxsize=1 << 14)
def meets(numerator: int, denominator: int, threshold: float) -> bool:
    """Exact "at least threshold %" with no rounding; a zero denominator never meets."""
    if denominator <= 0:
        return False
    return Fraction(numerator) * 100 >= _exact(threshold) * denominator


@lru_cache(maxsize=1 << 14)
def shortfall(numerator: int, denominator: int, threshold: float) -> int:
    """How many more members would have to qualify to meet the threshold."""
    needed = math.ceil(_exact(threshold) * denominator / 100)
    return max(0, needed - numerator)


def _columns(flags: list[dict[str, bool]]) -> dict[str, tuple]:
    """field → each member's answer, for every field of the first member's flags, in one pass over the members
    (validate gives each member every field); {} when a member lacks one of them (_column then reads each field)."""
    keys = list(flags[0]) if flags else []
    if len(keys) < 2:
        return {}
    try:
        return dict(zip(keys, zip(*map(itemgetter(*keys), flags))))
    except KeyError:
        return {}


class _Eval:
    def __init__(self, sub: Submission, book: Rulebook):
        self.sub, self.book = sub, book
        self.traits = unit_traits(sub.unit.get("loai_don_vi"), sub.unit.get("loai_hinh"), sub.tier)
        self.findings: list[Finding] = []
        self._seen: set[tuple] = set()
        self.indicator_sheet = sub.sheet_names.get("indicators", "Chỉ tiêu")
        self.unit_sheet = sub.sheet_names.get("unit", "Thông tin đơn vị")
        self._counts: dict[tuple, int] = {}
        self._answers: dict[str, tuple] | None = None  # member field → each member's answer (_column)
        self._evidence: dict[str, list[str]] = {}
        self._cited: dict[str, list] | None = None  # indicator id → the evidence naming it, in the sheet's order

    def add(self, code: Code, **kw) -> None:
        key = (code, kw.get("cell"), kw.get("value"))
        if key not in self._seen:
            self._seen.add(key)
            self.findings.append(finding(code, **kw))

    def count(self, fields: tuple[str, ...], min_title: str | None) -> int:
        """Members who qualify (any of the fields yes, or a title at least min_title); computed once per question,
        since both levels ask most of them, and column by column."""
        key = (fields, min_title)
        if key not in self._counts:
            members = self.sub.members
            if min_title:
                floor = INDIVIDUAL_TITLES.rank(min_title)
                titles = Counter(map(attrgetter("title"), members))
                self._counts[key] = sum(n for title, n in titles.items() if INDIVIDUAL_TITLES.rank(title) >= floor)
            elif len(fields) == 1:
                self._counts[key] = sum(map(bool, self._column(fields[0])))
            else:
                self._counts[key] = sum(map(any, zip(*map(self._column, fields))))
        return self._counts[key]

    def _column(self, field: str) -> tuple:
        """Each member's answer for a field, in member order (False when the member has none)."""
        if self._answers is None:
            self._answers = _columns([m.flags for m in self.sub.members])
        if field not in self._answers:
            self._answers[field] = tuple(m.flags.get(field, False) for m in self.sub.members)
        return self._answers[field]

    # -------------------------------------------------------------------------------- evidence

    def evidence(self, rule: Rule) -> list[str]:
        if rule.id not in self._evidence:
            self._evidence[rule.id] = self._find_evidence(rule)
        return list(self._evidence[rule.id])

    def _find_evidence(self, rule: Rule) -> list[str]:
        """The codes the indicator's row lists (those in the evidence sheet), then the evidence whose "Dùng cho chỉ
        tiêu" names the indicator, each once."""
        row = self.sub.indicators.get(rule.id)
        codes: list[str] = []
        if row is not None:
            for code in row.codes:
                ev = self.sub.evidence.get(code_key(code))
                if ev is not None and ev.code not in codes:
                    codes.append(ev.code)
        if self._cited is None:
            self._cited = {}
            for ev in self.sub.evidence.values():
                for ident in dict.fromkeys(ev.for_ids):
                    self._cited.setdefault(ident, []).append(ev)
        for ev in self._cited.get(rule.id, ()):
            if ev.code not in codes:
                codes.append(ev.code)
        return codes

    # -------------------------------------------------------------------------------- answers

    def answer(self, rule: Rule, vocab: Vocabulary):
        """The unit's answer for a rule as a key of vocab, "na", or None with the reasons it is not understood."""
        row = self.sub.indicators.get(rule.id)
        if row is None:
            return None, [Reason("indicator-row-missing")]
        if is_blank(row.answer):
            self.add(Code.INDICATOR_ANSWER_MISSING, sheet=self.indicator_sheet, cell=row.answer_cell or None,
                     value=rule.id, expected=", ".join(vocab.labels))
            return None, [Reason("answer-missing", {"kind": rule.kind})]
        if vocab is not CONDITION and CONDITION.parse(row.answer) == "na":
            return "na", []
        if vocab is COLLECTIVE_TITLES:
            # workbook.md: a title may carry the assessment year ("Tập thể lao động tiên tiến năm 2025").
            key, _ = parse_title(vocab, row.answer, self.sub.unit.get("nam_danh_gia"))
        else:
            key = vocab.parse(row.answer)
        if key is None:
            self.add(Code.INDICATOR_ANSWER_INVALID, sheet=self.indicator_sheet, cell=row.answer_cell or None,
                     value=rule.id, detail=text_of(row.answer), expected=", ".join(vocab.labels))
            return None, [Reason("answer-invalid", {"value": text_of(row.answer)})]
        return key, []

    def not_applicable_answer(self, rule: Rule, res: IndicatorResult) -> list[Reason]:
        row = self.sub.indicators[rule.id]
        self.add(Code.INDICATOR_NA_BUT_APPLIES, sheet=self.indicator_sheet, cell=row.answer_cell or None,
                 value=rule.id)
        return [Reason("na-but-applies")]

    # -------------------------------------------------------------------------------- one indicator

    def indicator(self, rule: Rule, lv: Level) -> IndicatorResult:
        book = self.book
        req = rule.at(lv.key)
        res = IndicatorResult(
            id=rule.id, level=lv.level, level_key=lv.key, criterion=rule.criterion, kind=rule.kind,
            text=req.text, citation=book.citation(rule, lv.key), applicable=True, met=None,
            max_points=rule.points if book.scheme == "points" else None,
        )
        target = req.applies_to
        if target not in self.traits:
            res.applicable = False
            res.reasons = [Reason(NOT_APPLICABLE, {"target": target})]
            if book.scheme == "points":
                res.points = 0.0
            return res
        reasons = KINDS[rule.kind].evaluate(self, rule, lv, res)
        res.evidence = self.evidence(rule)
        if book.evidence_required and not res.evidence:
            row = self.sub.indicators.get(rule.id)
            article = book.evidence_article_of(lv.tier)
            if row is not None:
                self.add(Code.EVIDENCE_NONE, sheet=self.indicator_sheet, cell=row.codes_cell or None, value=rule.id,
                         expected=article)
            reasons.append(Reason("evidence-none", {"article": article}))
        res.met = not reasons
        res.reasons = reasons
        if book.scheme == "points":
            res.points = rule.points if res.met else 0.0
        return res




# ---------------------------------------------------------------------------------------------------- the kinds
# Each kind of rulebook.KINDS registers its evaluation here: (evaluation, rule, level, result) → the reasons it is not
# met, after setting the result's numbers, requirement and measure.


@evaluator("percent_members")
def _percent_members(ev: _Eval, rule: Rule, lv: Level, res: IndicatorResult) -> list[Reason]:
    sub, req = ev.sub, rule.at(lv.key)
    threshold = req.threshold
    num = ev.count(req.fields, rule.min_title)
    den = len(sub.members)
    res.numerator, res.denominator, res.threshold = num, den, threshold
    reasons: list[Reason] = []
    if den == 0:
        ev.add(Code.DENOMINATOR_ZERO, sheet=sub.sheet_names.get("members"), value=rule.id)
        return [Reason("denominator-zero")]
    if sub.unreasoned_exclusions:
        # issue 8: a contradiction makes the indicator Không đạt, never met (the cells carry the errors)
        reasons.append(Reason("exclusion-unreasoned", {"cells": list(sub.unreasoned_exclusions)}))
    if not meets(num, den, threshold):
        reasons.append(Reason("members-below", {"numerator": num, "denominator": den, "threshold": threshold,
                                                "shortfall": shortfall(num, den, threshold)}))
    lthr = req.learners_threshold
    if lthr is not None and "learners" in ev.traits:
        res.learners_threshold = lthr
        total, ok = sub.unit.get("so_nguoi_hoc"), sub.unit.get("so_nguoi_hoc_cdht")
        if total is not None and ok is not None:
            res.learners = (ok, total)
        if total is None or ok is None or total == 0:
            missing = "so_nguoi_hoc" if total is None or total == 0 else "so_nguoi_hoc_cdht"
            ev.add(Code.LEARNERS_MISSING, sheet=ev.unit_sheet, cell=sub.unit_cells.get(missing) or None,
                   label=UNIT_FIELD[missing].label)
            reasons.append(Reason("learners-missing"))
        elif ok > total:
            # regulation.md DECISIONS: a count above its total is a contradiction: Không đạt, never met, and
            # never shown above 100 % (validate reports both cells)
            reasons.append(Reason("learners-contradiction", {"numerator": ok, "denominator": total}))
        else:
            if not meets(ok, total, lthr):
                reasons.append(Reason("learners-below", {"numerator": ok, "denominator": total, "threshold": lthr,
                                                         "shortfall": shortfall(ok, total, lthr)}))
    return reasons


def _read_answer(ev: _Eval, rule: Rule, vocab, res: IndicatorResult) -> tuple[str | None, list[Reason] | None]:
    """The unit's own answer on the Chỉ tiêu sheet: (key, None), or (None, reasons to return at once) when there is
    no understood answer or it is "Không áp dụng"."""
    key, reasons = ev.answer(rule, vocab)
    if key is None:
        return None, reasons
    res.answer = key
    if key == "na":
        return None, ev.not_applicable_answer(rule, res)
    return key, None


@evaluator("unit_condition")
def _unit_condition(ev: _Eval, rule: Rule, lv: Level, res: IndicatorResult) -> list[Reason]:
    key, early = _read_answer(ev, rule, CONDITION, res)
    if early is not None:
        return early
    if key == "khong_dat":
        return [Reason("self-assessed-not-met")]
    return []


def _ranked(ev: _Eval, rule: Rule, lv: Level, res: IndicatorResult) -> list[Reason]:
    vocab, minimum = KINDS[rule.kind].vocab, rule.at(lv.key).minimum
    assert vocab is not None
    res.minimum = minimum
    key, early = _read_answer(ev, rule, vocab, res)
    if early is not None:
        return early
    if vocab.rank(key) < vocab.rank(minimum):
        return [Reason("rank-below", {"kind": rule.kind, "value": key, "minimum": minimum})]
    return []


evaluator("title_at_least")(_ranked)
evaluator("level_at_least")(_ranked)
_unregistered = [k for k, kind in KINDS.items() if kind.evaluate is None]
assert not _unregistered, f"rule kinds without an evaluation: {_unregistered}"


def evaluate(sub: Submission, book: Rulebook) -> UnitResult:
    """The unit's result by the rulebook the caller chose (rulebook.choose, the same one validate was given).
    A submission with fatal findings gives evaluated=False and level None."""
    unit = sub.unit
    kind = UNIT_KIND.get(unit.get("loai_don_vi") or "")
    result = UnitResult(
        file=sub.file, sha256=sub.sha256, evaluated=False, unit_code=unit.get("ma_don_vi"),
        unit_name=unit.get("ten_don_vi"), unit_kind=kind.label if kind else None, ownership=unit.get("loai_hinh"),
        tier=sub.tier if sub.rulebook_id else None, year=unit.get("nam_danh_gia"),
        requested_level=unit.get("muc_do_de_nghi"), findings=list(sub.findings),
    )
    if has_fatal(sub.findings) or not sub.rulebook_id:
        return result
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
    if book.scheme == "points":
        result.points = sum(r.points or 0 for r in result.indicators)
        result.max_points = sum(r.max_points or 0 for r in result.indicators)
        band = book.grade(result.points)
        result.grade = band.grade
        result.level = 1 if band.recognised else 0
        result.verdict = Reason("points-grade", {"points": result.points, "max_points": result.max_points,
                                                 "grade": band.grade, "rulebook": book.name})
    else:
        result.level = max(met_levels, default=0)
        if result.level:
            result.verdict = Reason("level-met", {"tier": sub.tier, "level": result.level})
        else:
            result.verdict = Reason("level-not-met", {"tier": sub.tier, "failing": result.failing(1)})
        requested = result.requested_level
        if requested and requested > result.level:
            ev.add(Code.UNIT_REQUESTED_NOT_MET, sheet=ev.unit_sheet, cell=sub.unit_cells.get("muc_do_de_nghi") or None,
                   value=f"mức độ {requested}",
                   expected=f"mức độ {result.level}" if result.level else "chưa đạt mức độ nào")
    result.findings.extend(ev.findings)
    return result

