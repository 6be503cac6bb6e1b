"""Plain data handed between the stages (read → validate → evaluate → report), so no stage imports another's code."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from .findings import Finding, Severity

Grid = list[list[Any]]  # a sheet's cells from A1, rows of values (None/"" for empty)
FORMULA_NO_VALUE = "formula-no-value"  # RawSheet.marks value for a formula saved without its cached value

# Characters no XML 1.0 document may hold (outputs.md "Guarantees"): C0 controls except tab, newline and carriage
# return, lone surrogates (a file name in a foreign encoding, decoded with surrogateescape) and U+FFFE/U+FFFF.
# Excel's "_x0007_" escape would keep a control character; we replace it, so every output is plain, well-formed text.
XML_BAD = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
XML_REPLACEMENT = "\ufffd"


def xml_safe(text: str) -> str:
    """text with every character XML cannot hold replaced by U+FFFD; the same object when there is none (fast)."""
    return XML_BAD.sub(XML_REPLACEMENT, text) if XML_BAD.search(text) else text


@dataclass
class RawSheet:
    name: str
    visible: bool
    grid: Grid
    merged: list[tuple[tuple[int, int], tuple[int, int]]] = field(default_factory=list)  # ((r1, c1), (r2, c2))
    # Cells the grid shows blank although the file holds something there: (row, col) → FORMULA_NO_VALUE for a
    # formula saved without its value, or the Excel error text ("#REF!"). Kept beside the grid, never inside it, so
    # no copy of the school's sheet can show an internal marker.
    marks: dict[tuple[int, int], str] = field(default_factory=dict)


@dataclass
class RawWorkbook:
    """What read.py found in a file: its bytes' identity and every sheet's cells, or why it could not be read."""

    path: str
    sha256: str
    size: int
    sheets: list[RawSheet] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)

    def sheet(self, name: str) -> RawSheet | None:
        return next((s for s in self.sheets if s.name == name), None)


@dataclass
class Member:
    row: int  # 0-based row in the member sheet
    name: str
    counted: bool
    flags: dict[str, bool]  # yes/no columns (and the certificate column) → True/False
    title: str | None  # individual title key, None when none
    note: str = ""


@dataclass
class IndicatorRow:
    id: str
    row: int
    answer: Any  # raw value of "Kết quả tự đánh giá"
    answer_cell: str
    codes: list[str]  # as typed
    codes_cell: str
    note: str = ""


@dataclass
class Evidence:
    code: str  # as typed
    key: str  # matching key (brackets, spaces, case ignored)
    name: str
    row: int
    for_ids: list[str] = field(default_factory=list)
    issued: str = ""  # "Số, ngày ban hành" as typed (dossier: Danh mục minh chứng)
    issuer: str = ""  # "Nơi ban hành"


@dataclass
class CommitteeMember:
    """A row of the `Tổ đánh giá` sheet (dossier only)."""

    row: int
    name: str
    position: str  # Chức vụ at the unit, as typed
    role: str  # COMMITTEE_ROLES key; "thanh_vien" when blank or not understood


@dataclass
class Submission:
    """A workbook understood: typed values with where they came from, plus every finding about them."""

    file: str
    sha256: str
    rulebook_id: str = ""
    unit: dict[str, Any] = field(default_factory=dict)
    unit_cells: dict[str, str] = field(default_factory=dict)  # key → A1 of the value cell
    tier: str = "huyen"
    members: list[Member] = field(default_factory=list)
    excluded: list[Member] = field(default_factory=list)
    # cells of "Tính vào tổng số" = Không without a reason: the denominator is in doubt (a contradiction)
    unreasoned_exclusions: list[str] = field(default_factory=list)
    indicators: dict[str, IndicatorRow] = field(default_factory=dict)
    evidence: dict[str, Evidence] = field(default_factory=dict)  # key → evidence
    sheet_names: dict[str, str] = field(default_factory=dict)  # schema key → actual sheet name in the file
    meta: dict[str, str] = field(default_factory=dict)
    committee: list[CommitteeMember] = field(default_factory=list)  # `Tổ đánh giá` (dossier only)
    raw: RawWorkbook | None = None
    findings: list[Finding] = field(default_factory=list)
    # schema key → the sheet validate.read_unit located, for validate's second step
    located: dict[str, RawSheet] = field(default_factory=dict, repr=False, compare=False)

    @property
    def unit_code(self) -> str | None:
        return self.unit.get("ma_don_vi")


@dataclass(frozen=True)
class Reason:
    """Why an indicator is not met (or the unit's verdict), as a stable code and numbers/keys; present.py turns it
    into Vietnamese from its one catalogue of reason templates. The codes are kebab-case like the findings'."""

    code: str
    params: dict[str, Any] = field(default_factory=dict)


MET, NOT_APPLICABLE = "met", "not-applicable"


@dataclass
class IndicatorResult:
    id: str
    level: int  # 1 or 2 (TT 24); 1 for TT 22
    level_key: str  # H1, H2, T1, T2, P
    criterion: int
    kind: str
    text: str
    citation: str
    applicable: bool
    met: bool | None  # None when not applicable
    requirement: str = ""  # e.g. "≥ 90 % Thành viên"; text filled by present.render
    numerator: int | None = None
    denominator: int | None = None
    threshold: float | None = None
    measured: str = ""  # "38/40 = 95,00 %", "Tập thể lao động tiên tiến", "Đạt"; text filled by present.render
    answer: str | None = None  # the unit's answer as a vocabulary key ("dat", "ldtt", "na"), for the answer kinds
    minimum: str | None = None  # the least answer that meets (a vocabulary key), for the ranked kinds
    learners: tuple[int, int] | None = None  # (learners who qualify, all learners) when both were given
    learners_threshold: float | None = None  # when the rule asks it of this unit
    evidence: list[str] = field(default_factory=list)
    reasons: list[Reason] = field(default_factory=list)  # why not met (empty when met); not applicable: one reason
    reason: str = ""  # the Vietnamese text, filled by present.render
    points: float | None = None
    max_points: float | None = None

    @property
    def reason_code(self) -> str:
        """Stable: "met", "not-applicable", or the code of the first reason it is not met."""
        if self.met:
            return MET
        return self.reasons[0].code if self.reasons else NOT_APPLICABLE

    @property
    def percent(self) -> float | None:
        if self.numerator is None or not self.denominator:
            return None
        return float(percent_value(self.numerator, self.denominator))

    def to_json(self) -> dict:
        return {
            "id": self.id, "level": self.level, "applicable": self.applicable, "met": self.met,
            "numerator": self.numerator, "denominator": self.denominator, "percent": self.percent,
            "threshold": self.threshold, "evidence": self.evidence, "reason": self.reason,
            "reason_code": self.reason_code,
        }


@dataclass
class CriterionResult:
    criterion: int
    level_key: str
    met: bool
    failing: list[str]


@dataclass
class UnitResult:
    file: str
    sha256: str
    evaluated: bool
    unit_code: str | None = None
    unit_name: str | None = None
    unit_kind: str | None = None  # label
    ownership: str | None = None
    tier: str | None = None
    year: int | None = None
    rulebook: str | None = None
    rulebook_version: str | None = None
    scheme: str | None = None
    members: int | None = None
    excluded: int = 0
    level: int | None = None
    requested_level: int | None = None
    grade: str | None = None
    points: float | None = None
    max_points: float | None = None
    verdict: Reason | None = None  # the conclusion as a code and numbers; None when not evaluated
    conclusion: str = ""  # the Vietnamese text, filled by present.render
    indicators: list[IndicatorResult] = field(default_factory=list)
    criteria: list[CriterionResult] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)

    @property
    def result_label(self) -> str:
        if not self.evaluated or self.level is None:
            return "Không đánh giá được"
        if self.scheme == "points":
            return f"Xếp loại {self.grade}"
        return {2: "Đạt mức độ 2", 1: "Đạt mức độ 1"}.get(self.level, "Không đạt")

    def failing(self, level: int) -> list[str]:
        return [i.id for i in self.indicators if i.level == level and i.applicable and i.met is False]

    def counts(self) -> dict[str, int]:
        out = {s.value: 0 for s in Severity}
        for f in self.findings:
            out[f.severity] = out.get(f.severity, 0) + 1
        return out

    def to_json(self) -> dict:
        return {
            "file": self.file, "sha256": self.sha256, "unit_code": self.unit_code, "unit_name": self.unit_name,
            "unit_kind": self.unit_kind, "tier": self.tier, "year": self.year, "rulebook": self.rulebook,
            "members": self.members, "level": self.level,
            "grade": self.grade if self.scheme == "points" else None,
            "points": self.points if self.scheme == "points" else None,
            "indicators": [i.to_json() for i in self.indicators],
            "findings": [f.to_json() for f in self.findings],
        }


# ---------------------------------------------------------------------------------------------------- numbers


@lru_cache(maxsize=1 << 16)  # the same few thousand fractions recur across every unit of a batch
def percent_value(numerator: int, denominator: int) -> Decimal:
    """Percentage rounded half-up to 2 decimals, for display only (comparisons never use it)."""
    return (Decimal(numerator) * 100 / Decimal(denominator)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def vn_number(value: float | Decimal, decimals: int = 2) -> str:
    """1234.5 → "1.234,50" (Vietnamese separators)."""
    text = f"{Decimal(str(value)):,.{decimals}f}"
    return text.replace(",", "\u0001").replace(".", ",").replace("\u0001", ".")


@lru_cache(maxsize=1 << 16)
def vn_percent(numerator: int, denominator: int) -> str:
    return f"{vn_number(percent_value(numerator, denominator))} %"


@lru_cache(maxsize=256)
def vn_threshold(value: float) -> str:
    return f"{vn_number(value, 0) if float(value).is_integer() else vn_number(value)} %"
