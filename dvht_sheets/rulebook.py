"""Rulebooks: versioned data files (rulebooks/*.toml) checked and turned into plain objects.

The kinds of rule are code, in ONE registry (KINDS: kind → RuleKind with its required keys, its check of a rulebook
entry, its evaluation and its description for `dvht rules show`); which ids exist, their thresholds, citations and
applicability are data. evaluate.py registers each kind's evaluation with @evaluator(kind), since evaluating needs the
submission and this module sits below it. The caller picks the rulebook with choose() (by the assessment year, or
the user's --rulebook) and hands it to validate and evaluate, which never load one. A value that differs by level is written as a table keyed by level ({H1 = 90, H2 = 95});
a value that does not is written once.
"""

from __future__ import annotations

import errno
import re
import sys
import tomllib
import types
from dataclasses import dataclass, field
from typing import Callable
from functools import lru_cache
from pathlib import Path

from .findings import Code, message
from .schema import (
    COLLECTIVE_TITLES, CONDITION, DIGITAL_LEVELS, INDIVIDUAL_TITLES, MEMBER_COLUMNS, TRAIT_LABEL, Vocabulary,
)

RULEBOOK_DIR = Path(__file__).with_name("rulebooks")

MEMBER_FIELDS = {c.key for c in MEMBER_COLUMNS}


class RulebookError(ValueError):
    """A rulebook that cannot be used. .code says which problem (a findings.Code.RULEBOOK_… constant, so callers and
    tests tell problems apart by code, never by words); str() is its message from the catalogue, naming the file and,
    for an entry of [[rules]], the rule and the key."""

    def __init__(self, code: Code, **values: object):
        self.code, self.values = code, values
        super().__init__(message(code, **values))

    def __reduce__(self):
        # Pickled whole, like DossierError (the default would call __init__(message)): batch workers load the
        # --rulebook file again (batch._init_worker). The parent loads it first and stops on its error, so today none
        # crosses; one that did would keep its code.
        return _rulebook_error, (self.code, self.values)


def _rulebook_error(code: Code, values: dict) -> RulebookError:
    return RulebookError(code, **values)


def _memo(obj: object) -> dict:
    """The cache of an immutable rulebook or rule: what depends only on it and a tier or a level is worked out once
    per process instead of once per unit of a batch. Kept in the instance's __dict__: the dataclasses are frozen,
    and a field would be compared, shown, and missing from a rulebook pickled before it existed."""
    return obj.__dict__.setdefault("_memo", {})


@dataclass(frozen=True)
class Requirement:
    """What one rule asks at one level (Rule.at)."""

    text: str
    applies_to: str
    fields: tuple[str, ...]
    threshold: float | None
    learners_threshold: float | None
    minimum: str | None


@dataclass(frozen=True)
class Level:
    key: str
    tier: str
    level: int
    article: int
    label: str


@dataclass(frozen=True)
class Rule:
    id: str
    criterion: int
    letter: str
    kind: str
    tiers: tuple[str, ...] | None
    raw: dict

    def value(self, name: str, level: str, default=None):
        """A per-level value: a table keyed by level, or one value for every level."""
        v = self.raw.get(name, default)
        if isinstance(v, dict):
            return v.get(level, default)
        return v

    def text(self, level: str) -> str:
        return self.value("text", level, "")

    def applies_to(self, level: str) -> str:
        return self.value("applies_to", level, "all")

    def threshold(self, level: str) -> float | None:
        return self.value("threshold", level)

    def learners_threshold(self, level: str) -> float | None:
        return self.value("learners_threshold", level)

    def fields(self, level: str) -> list[str]:
        v = self.value("field", level)
        return [v] if isinstance(v, str) else list(v or [])

    def minimum(self, level: str) -> str | None:
        return self.value("minimum", level)

    @property
    def points(self) -> float:
        return float(self.raw.get("points", 0))

    @property
    def min_title(self) -> str | None:
        return self.raw.get("min_title")

    def in_tier(self, tier: str) -> bool:
        return self.tiers is None or tier in self.tiers

    def at(self, level: str) -> Requirement:
        """Everything the rule asks at a level, read from its tables once."""
        memo = _memo(self)
        if level not in memo:
            memo[level] = Requirement(self.text(level), self.applies_to(level), tuple(self.fields(level)),
                                      self.threshold(level), self.learners_threshold(level), self.minimum(level))
        return memo[level]


@dataclass(frozen=True)
class Band:
    grade: str
    min_points: float
    recognised: bool


@dataclass(frozen=True)
class Rulebook:
    id: str
    version: str
    name: str
    title: str
    scheme: str  # "levels" (TT 24) or "points" (TT 22)
    first_year: int
    last_year: int
    evidence_required: bool
    evidence_article: str
    conclusion_article: str
    levels: dict[str, Level]
    criteria: dict[int, str]
    rules: tuple[Rule, ...]
    bands: tuple[Band, ...] = ()
    scoring: str = "all_or_nothing"
    source: str = ""
    raw: dict = field(default_factory=dict, repr=False, compare=False)
    evidence_article_by_tier: dict[str, str] = field(default_factory=dict)  # TT 24: Điều 9.3 / 15.3

    def evidence_article_of(self, tier: str) -> str:
        """The article that makes an indicator without evidence Không đạt, for a unit of this tier."""
        return self.evidence_article_by_tier.get(tier) or self.evidence_article

    def levels_for(self, tier: str) -> list[Level]:
        memo = _memo(self)
        if ("levels", tier) not in memo:
            memo["levels", tier] = sorted((lv for lv in self.levels.values() if lv.tier in (tier, "any")),
                                          key=lambda lv: lv.level)
        return list(memo["levels", tier])

    def rules_for(self, tier: str) -> list[Rule]:
        memo = _memo(self)
        if ("rules", tier) not in memo:
            memo["rules", tier] = [r for r in self.rules if r.in_tier(tier)]
        return list(memo["rules", tier])

    def member_fields(self, tier: str) -> frozenset[str]:
        """The columns of the member sheet that the rules of a tier count, at any level."""
        memo = _memo(self)
        if ("fields", tier) not in memo:
            memo["fields", tier] = frozenset(f for rule in self.rules_for(tier) for lv in self.levels_for(tier)
                                             for f in rule.at(lv.key).fields)
        return memo["fields", tier]

    def citation(self, rule: Rule, level: str) -> str:
        return f"Điều {self.levels[level].article}.{rule.criterion}.{rule.letter}"

    def grade(self, points: float) -> Band:
        for band in sorted(self.bands, key=lambda b: -b.min_points):
            if points >= band.min_points:
                return band
        return self.bands[-1]

    @property
    def label(self) -> str:
        return f"{self.name} (bộ quy tắc {self.id} v{self.version})"


# ---------------------------------------------------------------------------------------------------- rule kinds


@dataclass
class RuleKind:
    """One kind of rule. `check(rule, level, file)` raises RulebookError for an entry the kind cannot evaluate;
    `evaluate(ev, rule, level, result) -> list[Reason]` is registered by evaluate.py; `describe(rule, level)` gives the
    parts `dvht rules show` prints for a level. `vocab` is the list the unit's answer is read from (None: the kind
    counts members), `answer` names that answer in a reason ("chưa nhập …")."""

    name: str
    required: tuple[str, ...]
    meaning: str
    check: Callable[[Rule, str, str], None]
    describe: Callable[[Rule, str], list[str]]
    vocab: Vocabulary | None = None
    answer: str = ""
    evaluate: Callable | None = None


def _percentage(t: object) -> bool:
    # bool is an int to Python; `threshold = true` is a mistake, not 1 %
    return isinstance(t, (int, float)) and not isinstance(t, bool) and 0 < t <= 100


def _check_percent(rule: Rule, lv: str, file: str) -> None:
    t = rule.threshold(lv)
    if not _percentage(t):
        raise RulebookError(Code.RULEBOOK_THRESHOLD_INVALID, file=file, rule=rule.id, level=lv)
    learners = rule.learners_threshold(lv)
    if learners is not None and not _percentage(learners):  # 0 % passes every school; "95%" breaks the comparison
        raise RulebookError(Code.RULEBOOK_LEARNERS_THRESHOLD_INVALID, file=file, rule=rule.id, level=lv)
    for f in rule.fields(lv):
        if f not in MEMBER_FIELDS:
            raise RulebookError(Code.RULEBOOK_FIELD_UNKNOWN, file=file, rule=rule.id, value=f,
                                expected=", ".join(c.key for c in MEMBER_COLUMNS))


def _check_minimum(vocab: Vocabulary, code: Code) -> Callable[[Rule, str, str], None]:
    def check(rule: Rule, lv: str, file: str) -> None:
        if rule.minimum(lv) not in vocab.by_key:
            raise RulebookError(code, file=file, rule=rule.id, key="minimum", value=rule.minimum(lv),
                                expected=", ".join(vocab.by_key))
    return check


def _describe_percent(rule: Rule, lv: str) -> list[str]:
    parts = [f"ngưỡng ≥ {rule.threshold(lv):g} %"]
    if rule.learners_threshold(lv) is not None:
        parts.append(f"người học ≥ {rule.learners_threshold(lv):g} %")
    return parts


def _describe_minimum(vocab: Vocabulary) -> Callable[[Rule, str], list[str]]:
    return lambda rule, lv: [f"tối thiểu: {vocab.label(rule.minimum(lv))}"]


KINDS: dict[str, RuleKind] = {k.name: k for k in (
    RuleKind("percent_members", ("field", "threshold"),
             "tỉ lệ Thành viên đạt ≥ ngưỡng (so sánh chính xác, không làm tròn)", _check_percent, _describe_percent),
    RuleKind("unit_condition", (), "điều kiện của đơn vị: Đạt / Không đạt theo tự đánh giá và minh chứng",
             lambda rule, lv, file: None, lambda rule, lv: [], CONDITION, "kết quả tự đánh giá"),
    RuleKind("title_at_least", ("minimum",), "danh hiệu thi đua tập thể từ mức tối thiểu trở lên",
             _check_minimum(COLLECTIVE_TITLES, Code.RULEBOOK_TITLE_UNKNOWN), _describe_minimum(COLLECTIVE_TITLES),
             COLLECTIVE_TITLES, "danh hiệu thi đua tập thể"),
    RuleKind("level_at_least", ("minimum",), "mức độ chuyển đổi số (QĐ 4725/4740) từ mức tối thiểu trở lên",
             _check_minimum(DIGITAL_LEVELS, Code.RULEBOOK_DIGITAL_LEVEL_UNKNOWN), _describe_minimum(DIGITAL_LEVELS),
             DIGITAL_LEVELS, "mức độ chuyển đổi số"),
)}


def evaluator(kind: str) -> Callable[[Callable], Callable]:
    """Registers the evaluation of a kind (used by evaluate.py, which checks at import that every kind has one)."""
    def register(fn: Callable) -> Callable:
        KINDS[kind].evaluate = fn
        return fn
    return register


def _check_rule(path: str, raw: dict, levels: dict[str, Level], position: int) -> Rule:
    # a rule without its id is named by where it stands, so the reader can find it
    rid = raw.get("id") or f"ở mục [[rules]] thứ {position}"
    for key in ("id", "letter", "kind", "text"):
        if key not in raw:
            raise RulebookError(Code.RULEBOOK_RULE_KEY_MISSING, file=path, rule=rid, key=key)
    kind = raw["kind"]
    if kind not in KINDS:
        raise RulebookError(Code.RULEBOOK_KIND_UNKNOWN, file=path, rule=rid, value=kind, expected=", ".join(KINDS))
    for key in KINDS[kind].required:
        if key not in raw:
            raise RulebookError(Code.RULEBOOK_KIND_NEEDS_KEY, file=path, rule=rid, value=kind, key=key)
    for key in ("threshold", "learners_threshold", "applies_to", "field", "minimum", "text"):
        v = raw.get(key)
        if isinstance(v, dict):
            unknown = set(v) - set(levels)
            if unknown:
                raise RulebookError(Code.RULEBOOK_LEVEL_UNKNOWN, file=path, rule=rid, key=key,
                                    value=", ".join(sorted(unknown)), expected=", ".join(levels))
    try:
        criterion = int(str(raw["id"]).split(".")[0])  # the article's clause: "Điều 6.<criterion>.<letter>"
    except ValueError:
        raise RulebookError(Code.RULEBOOK_RULE_ID_INVALID, file=path, rule=rid) from None
    if "tiers" in raw:
        known = sorted({lv.tier for lv in levels.values()})
        tiers = raw["tiers"]
        if not isinstance(tiers, list) or not tiers or any(not isinstance(t, str) or t not in known for t in tiers):
            raise RulebookError(Code.RULEBOOK_TIERS_INVALID, file=path, rule=rid, value=tiers,
                                expected=", ".join(known))
    rule = Rule(id=str(raw["id"]), criterion=criterion, letter=raw["letter"], kind=kind,
                tiers=tuple(raw["tiers"]) if "tiers" in raw else None, raw=raw)
    for lv in levels:
        if not rule.in_tier(levels[lv].tier) and levels[lv].tier != "any":
            continue
        target = rule.applies_to(lv)
        if target not in TRAIT_LABEL:
            raise RulebookError(Code.RULEBOOK_APPLIES_TO_UNKNOWN, file=path, rule=rule.id, value=target,
                                expected=", ".join(TRAIT_LABEL))
        KINDS[kind].check(rule, lv, path)
    if rule.min_title and rule.min_title not in INDIVIDUAL_TITLES.by_key:
        raise RulebookError(Code.RULEBOOK_TITLE_UNKNOWN, file=path, rule=rule.id, key="min_title",
                            value=rule.min_title, expected=", ".join(INDIVIDUAL_TITLES.by_key))
    return rule


def _number(table: dict, key: str, path: str, convert: Callable = int):
    value = table[key]
    try:
        if isinstance(value, bool):  # an int to Python: `level = true` is a mistake, not 1
            raise TypeError
        return convert(value)
    except (TypeError, ValueError):
        raise RulebookError(Code.RULEBOOK_NUMBER_INVALID, file=path, key=key, value=repr(value)) from None


def parse_rulebook(data: dict, source: str = "") -> Rulebook:
    path = source or data.get("id", "?")
    try:
        levels = {k: Level(k, v["tier"], _number(v, "level", path), _number(v, "article", path), v["label"])
                  for k, v in data["levels"].items()}
        rules = tuple(_check_rule(path, r, levels, n) for n, r in enumerate(data["rules"], start=1))
        book = Rulebook(
            id=data["id"], version=str(data["version"]), name=data["name"], title=data.get("title", ""),
            scheme=data["scheme"], first_year=_number(data, "first_year", path),
            last_year=_number(data, "last_year", path),
            evidence_required=bool(data.get("evidence_required", True)),
            evidence_article=data.get("evidence_article", ""), conclusion_article=data.get("conclusion_article", ""),
            levels=levels, criteria={int(k): v for k, v in data.get("criteria", {}).items()}, rules=rules,
            bands=tuple(Band(b["grade"], _number(b, "min_points", path, float), bool(b["recognised"]))
                        for b in data.get("bands", [])),
            scoring=data.get("scoring", "all_or_nothing"), source=source, raw=data,
            evidence_article_by_tier={str(k): str(v) for k, v in data.get("evidence_article_by_tier", {}).items()},
        )
    except KeyError as exc:
        raise RulebookError(Code.RULEBOOK_KEY_MISSING, file=path, key=exc.args[0] if exc.args else "?") from None
    except (TypeError, AttributeError):  # a table where a value was expected, or the reverse (RulebookError passes)
        raise RulebookError(Code.RULEBOOK_TABLE_INVALID, file=path) from None
    if book.scheme not in ("levels", "points"):
        raise RulebookError(Code.RULEBOOK_SCHEME_INVALID, file=path, value=book.scheme)
    if book.scheme == "points" and not book.bands:
        raise RulebookError(Code.RULEBOOK_BANDS_MISSING, file=path)
    if book.scoring != "all_or_nothing":
        raise RulebookError(Code.RULEBOOK_SCORING_UNSUPPORTED, file=path, value=book.scoring)
    seen: set[tuple[str, str]] = set()
    for rule in rules:
        for tier in (rule.tiers or ("any",)):
            if (tier, rule.id) in seen:
                raise RulebookError(Code.RULEBOOK_RULE_REPEATED, file=path, rule=rule.id, value=tier)
            seen.add((tier, rule.id))
    return book


def toml_error_position(exc: tomllib.TOMLDecodeError, text: str) -> tuple[str, str]:
    """Line and column of a TOML syntax error, for a Vietnamese message (tomllib's own is English). "at end of
    document" (a value or a table left unfinished) is given as the end's line and column, counted as tomllib does."""
    where = re.search(r"\(at line (\d+), column (\d+)\)", str(exc))
    return (where[1], where[2]) if where else (str(text.count("\n") + 1), str(len(text) - text.rfind("\n")))


def load_file(path: str | Path) -> Rulebook:
    path = Path(path)
    if path.is_dir():  # Windows says only "permission denied" for a folder opened as a file
        raise RulebookError(Code.RULEBOOK_IS_FOLDER, file=path)
    try:
        # utf-8-sig: Notepad's "UTF-8" (before Windows 10 1903, and "UTF-8 có BOM" since) begins the file with a BOM
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise RulebookError(Code.RULEBOOK_FILE_MISSING, file=path) from None
    except OSError as exc:
        raise RulebookError(Code.RULEBOOK_FILE_UNREADABLE, file=path,
                            detail=errno.errorcode.get(exc.errno or 0, exc.errno)) from None
    except UnicodeDecodeError:
        raise RulebookError(Code.RULEBOOK_NOT_UTF8, file=path) from None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        row, column = toml_error_position(exc, text)
        raise RulebookError(Code.RULEBOOK_TOML_SYNTAX, file=path, row=row, column=column) from None
    return parse_rulebook(data, str(path))


@lru_cache(maxsize=None)
def bundled() -> tuple[Rulebook, ...]:
    return tuple(load_file(p) for p in sorted(RULEBOOK_DIR.glob("*.toml")))


# The rulebook files this process was given (--rulebook FILE), by id: a result names its rulebook by id only, and the
# dossier's documents look its names and criteria up by that id (before, a unit judged by an amended file ended
# `batch --ho-so` with "Lỗi không mong đợi: Không có bộ quy tắc …").
_GIVEN: dict[str, Rulebook] = {}


def remember(book: Rulebook) -> Rulebook:
    """Make get(book.id) find a rulebook that came from a file, here or in a worker that received it whole."""
    if all(b.id != book.id for b in bundled()):
        _GIVEN[book.id] = book
    return book


def get(ref: str) -> Rulebook:
    """A bundled rulebook by id, a rulebook file given earlier by its id, or a rulebook file by path."""
    for book in bundled():
        if book.id == ref:
            return book
    if ref in _GIVEN:
        return _GIVEN[ref]
    if ref.endswith(".toml") or Path(ref).exists():
        return remember(load_file(ref))
    raise RulebookError(Code.RULEBOOK_UNKNOWN, value=ref, expected=", ".join(b.id for b in bundled()))


def for_year(year: int) -> Rulebook:
    """TT 24/2023 from 2024, TT 22/2020 up to 2023 (regulation.md §3)."""
    matches = [b for b in bundled() if b.first_year <= year <= b.last_year]
    if not matches:
        return max(bundled(), key=lambda b: b.first_year)
    return max(matches, key=lambda b: b.first_year)


def choose(year: int | None, forced: Rulebook | None = None) -> Rulebook:
    """The rulebook a unit is judged by, chosen by the caller (batch, check, the library) and handed to validate and
    evaluate: the user's --rulebook when given, else the one in force in the assessment year (regulation.md §3).
    The tier does not choose: each rulebook holds the levels of every tier. The year is read from the unit sheet
    first (validate.read_unit), so the choice needs no other sheet; with no year (a fatal finding) it is the newest."""
    if forced is not None:
        return forced
    if year is None:
        return max(bundled(), key=lambda b: b.first_year)
    return for_year(year)


def names() -> dict[str, str]:
    """id → name of every bundled rulebook (validate words a template made for another one with it)."""
    return {b.id: b.name for b in bundled()}


class _CallableModule(types.ModuleType):
    """The library API names this module `dvht_sheets.rulebook` and calls it: dvht_sheets.rulebook("tt24-2023") or
    dvht_sheets.rulebook("sua-doi.toml") is get(). Being the module itself (not a function of the same name),
    `from dvht_sheets import rulebook as rulebooks; rulebooks.get(…)` keeps working everywhere."""

    def __call__(self, id_or_path: str | Path) -> Rulebook:
        return get(str(id_or_path))


sys.modules[__name__].__class__ = _CallableModule
