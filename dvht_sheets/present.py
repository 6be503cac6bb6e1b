"""UnitResult codes and numbers → the Vietnamese reasons and conclusion, from ONE catalogue of reason templates,
and each indicator's requirement ("≥ 90 % Thành viên") and measure ("38/40 = 95,00 %") from its numbers and keys.

evaluate.py says why with a code and numbers (model.Reason); this module is the only place that words it, like
findings.py for findings. render() fills IndicatorResult.requirement/measured/reason and UnitResult.conclusion, so the report modules
read plain texts. The pipeline calls it right after evaluate (batch.evaluate_path); formatting never raises (a
missing value prints "?").
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from .findings import fatal_messages
from .model import MET, NOT_APPLICABLE, IndicatorResult, Reason, UnitResult, vn_percent, vn_threshold
from .rulebook import KINDS
from .schema import CONDITION, TIER_LABEL, TRAIT_LABEL

# code → template. The values are prepared by _values() below (numbers formatted the Vietnamese way, keys → labels).
REASONS: dict[str, str] = {
    # --- an indicator
    MET: "Đạt",
    "met-measured": "Đạt: {measured}",
    NOT_APPLICABLE: "Không áp dụng: chỉ áp dụng cho {target}",
    "denominator-zero": "không có Thành viên được tính (mẫu số 0)",
    "exclusion-unreasoned": "có thành viên ghi “Tính vào tổng số” = Không nhưng không có lý do (ô {cells}): "
                            "tổng số thành viên chưa xác định",
    "members-below": "{percent} < {threshold}: còn thiếu {shortfall} thành viên",
    "learners-missing": "thiếu số liệu người học đạt “Công dân học tập”",
    "learners-contradiction": "số người học đạt “Công dân học tập” ({numerator}) lớn hơn tổng số người học "
                              "({denominator}): số liệu mâu thuẫn",
    "learners-below": "người học {percent} < {threshold}: còn thiếu {shortfall} người học",
    "indicator-row-missing": "thiếu dòng chỉ tiêu trong trang Chỉ tiêu",
    "answer-missing": "chưa nhập {answer}",
    "answer-invalid": "'{value}' không thuộc danh mục",
    "self-assessed-not-met": "đơn vị tự đánh giá Không đạt",
    "na-but-applies": "ghi “Không áp dụng” nhưng chỉ tiêu có áp dụng cho đơn vị",
    "rank-below": "{value} thấp hơn “{minimum}”",
    "evidence-none": "không có minh chứng ({article})",
    # --- the unit's conclusion
    "unevaluable": "Không đánh giá được: {messages}",
    "points-grade": "Tổng điểm {points}/{max_points}: xếp loại {grade} ({rulebook})",
    "level-met": "Đạt “Đơn vị học tập” {tier} mức độ {level}",
    "level-not-met": "Chưa đạt “Đơn vị học tập” {tier} (mức độ 1 không đạt các chỉ tiêu: {failing})",
}
# requirement and measure of an indicator
MEASURES: dict[str, str] = {
    "not-applicable": "—",
    "members": "≥ {threshold} Thành viên",
    "learners": "; người học ≥ {threshold}",
    "answer-met": "Đạt",
    "answer-at-least": "≥ {minimum}",
    "ratio": "{numerator}/{denominator} = {percent}",
    "ratio-no-members": "{numerator}/0",
    "learners-ratio": "; người học {numerator}/{denominator} = {percent}",
    "learners-unknown": "; người học: chưa có số liệu",
    "learners-contradiction": "; người học {numerator}/{denominator}: số liệu mâu thuẫn",
}
MAX_CELLS_SHOWN = 5


class _Safe(dict):
    def __missing__(self, key: str) -> str:
        return "?"


def _values(params: dict[str, Any]) -> dict[str, Any]:
    out = dict(params)
    if not out:
        return out
    if "numerator" in params and "denominator" in params and params["denominator"]:
        out["percent"] = vn_percent(params["numerator"], params["denominator"])
    if "threshold" in params:
        out["threshold"] = vn_threshold(params["threshold"])
    if "target" in params:
        out["target"] = TRAIT_LABEL.get(params["target"], params["target"])
    if "tier" in params:
        out["tier"] = TIER_LABEL.get(params["tier"], "")
    kind = KINDS.get(params.get("kind", ""))
    if kind is not None:
        out["answer"] = kind.answer
        if kind.vocab is not None:
            for key in ("value", "minimum"):
                if key in params:
                    out[key] = kind.vocab.label(params[key])
    cells = params.get("cells")
    if isinstance(cells, list):
        out["cells"] = ", ".join(cells[:MAX_CELLS_SHOWN]) + ("…" if len(cells) > MAX_CELLS_SHOWN else "")
    failing = params.get("failing")
    if isinstance(failing, list):
        out["failing"] = ", ".join(failing) or "?"
    for key in ("points", "max_points"):
        if key in params:
            out[key] = points_text(params[key])
    return out


def text(reason: Reason) -> str:
    """One reason in Vietnamese; never raises, whatever params are missing or wrong."""
    template = REASONS.get(reason.code)
    if template is None:
        return f"[{reason.code}]"
    if not reason.params and "{" not in template:  # most reasons: a fixed sentence
        return template
    try:
        values = _Safe({k: ("?" if v is None else v) for k, v in _values(reason.params).items()})
        return template.format_map(values)
    except (ValueError, IndexError, AttributeError, KeyError, TypeError, ArithmeticError):
        return template


@lru_cache(maxsize=4096)  # the same requirements and ratios recur in every unit of a batch; params are numbers and keys
def _m(key: str, **params: Any) -> str:
    return MEASURES[key].format_map(_Safe(_values(params))) if params else MEASURES[key]


def measure(res: IndicatorResult) -> tuple[str, str]:
    """(requirement, measured) of an indicator, from its kind, numbers and answer keys."""
    if not res.applicable:
        return _m("not-applicable"), ""
    kind = KINDS.get(res.kind)
    if kind is not None and kind.vocab is None:  # a share of members
        requirement, measured = _m("members", threshold=res.threshold), ""
        if res.denominator == 0:
            measured = _m("ratio-no-members", numerator=res.numerator)
        elif res.denominator is not None:
            measured = _m("ratio", numerator=res.numerator, denominator=res.denominator)
        if res.learners_threshold is not None and res.denominator:
            requirement += _m("learners", threshold=res.learners_threshold)
            codes = {r.code for r in res.reasons}
            if "learners-missing" in codes or res.learners is None:
                measured += _m("learners-unknown")
            elif "learners-contradiction" in codes:
                measured += _m("learners-contradiction", numerator=res.learners[0], denominator=res.learners[1])
            else:
                measured += _m("learners-ratio", numerator=res.learners[0], denominator=res.learners[1])
        return requirement, measured
    vocab = kind.vocab if kind is not None else CONDITION
    requirement = _m("answer-at-least", minimum=vocab.label(res.minimum)) if res.minimum else _m("answer-met")
    if res.answer is None:
        return requirement, ""
    return requirement, (CONDITION if res.answer == "na" else vocab).label(res.answer)


def indicator_reason(res: IndicatorResult) -> str:
    if res.met:
        # a percentage shows what was measured ("Đạt: 38/40 = 95,00 %"); a condition or a title reads "Đạt"
        if res.numerator is not None:
            return text(Reason("met-measured", {"measured": res.measured}))
        return text(Reason(MET))
    return "; ".join(text(r) for r in res.reasons)


def conclusion(result: UnitResult) -> str:
    if not result.evaluated or result.verdict is None:
        # each message is a sentence with its own full stop: "; " between them gave ".;"
        return text(Reason("unevaluable", {"messages": " ".join(fatal_messages(result.findings))}))
    return text(result.verdict)


def render(result: UnitResult) -> UnitResult:
    """Fills the texts of a result from its codes and numbers (in place; returns it for chaining)."""
    for res in result.indicators:
        res.requirement, res.measured = measure(res)
        res.reason = indicator_reason(res)
    result.conclusion = conclusion(result)
    return result


def met_word(res: IndicatorResult | None) -> str:
    """An indicator's result as every output words it (Kết quả sheet, long form, dossier)."""
    if res is None or not res.applicable:
        return "Không áp dụng"
    return "Đạt" if res.met else "Không đạt"


def points_text(value: float | None) -> str:
    return "" if value is None else (str(int(value)) if float(value).is_integer() else f"{value:g}".replace(".", ","))
