"""The standard workbook: sheets, columns, Vietnamese headers, aliases and vocabularies.

The template writer and the reader both use this module, so the two cannot drift. Headers and sheet names are matched
on a "folded" form (NFC, no diacritics, đ→d, lower case, punctuation to spaces) because people type them without
diacritics, with stray or non-breaking spaces, in NFD from some Mac programs, or in capitals. Values (yes/no, titles,
levels, kinds, certificates) are matched strictly by one matcher, `Vocabulary` (workbook.md: tolerant of how people
type, never of what they mean).
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

# 2026.1 (issue 12, the dossier): the signer, addressee and place fields of `Thông tin đơn vị` and the `Tổ đánh giá`
# sheet. A 2025.1 workbook still reads; its dossier fields are blanks, listed in one warning (dossier-incomplete).
TEMPLATE_VERSION = "2026.1"
# Versions of our own template that a reader still accepts without a "template-old" warning.
CURRENT_TEMPLATE_VERSIONS = {TEMPLATE_VERSION, "2025.1"}

# ---------------------------------------------------------------------------------------------------- text helpers

_INVISIBLE = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff\u00ad"), None)
_SPACES = re.compile(r"[\s\u00a0\u2007\u202f]+")
_NON_WORD = re.compile(r"[^0-9a-z&]+")


def clean(value: object) -> str:
    """Text as a person meant it: NFC, invisible characters dropped, all kinds of spaces folded to one."""
    if value is None:
        return ""
    if isinstance(value, str) and len(value) < 256:
        return _clean_str(value)
    return _clean(str(value))


def _clean(text: str) -> str:
    text = unicodedata.normalize("NFC", text).translate(_INVISIBLE)
    return _SPACES.sub(" ", text).strip()


# Cached: the same short strings ("Có", "Không", titles, headers) fill every row of every workbook.
_clean_str = lru_cache(maxsize=1 << 16)(_clean)


def fold(value: object) -> str:
    """A matching key: no diacritics, lower case, punctuation as spaces ("CSTĐ  cơ-sở" → "cstd co so")."""
    if isinstance(value, str):
        return _fold_str(value)
    return _fold_str(clean(value))


class _CombiningMarks(dict):
    """str.translate's table dropping every combining mark (category Mn), filled one character at a time as texts
    bring new ones: the translation runs in C instead of a Python test per character (member names do not repeat,
    so the cache below does not help them)."""

    def __missing__(self, code: int) -> int | None:
        kept = None if unicodedata.category(chr(code)) == "Mn" else code
        self[code] = kept
        return kept


_NO_MARKS = _CombiningMarks()


@lru_cache(maxsize=1 << 16)
def _fold_str(value: str) -> str:
    # Cached: the same few hundred strings ("Có", "Không", titles, headers) fill every workbook.
    text = clean(value).casefold().replace("đ", "d")
    text = unicodedata.normalize("NFD", text).translate(_NO_MARKS)
    text = text.replace("&", " & ")
    return " ".join(_NON_WORD.sub(" ", text).split())


def is_blank(value: Any) -> bool:
    if value is None:
        return True
    if isinstance(value, str):
        stripped = value.strip()
        if not stripped or stripped.isprintable():
            return not stripped
        # str.strip() keeps zero-width characters; a cell holding only those is blank too.
        return clean(stripped) == ""
    return False


def code_key(code: object) -> str:
    """Evidence codes match with brackets, spaces and case ignored ("[h1-1.1-01 ]" = "H1-1.1-01")."""
    return _code_key(code if isinstance(code, str) else clean(code))


@lru_cache(maxsize=8192)
def _code_key(code: str) -> str:
    # workbook.md: NFKC first, so "［H1-1.1-01］" (full-width brackets, some input methods) is "[H1-1.1-01]"
    return _CODE_NOISE.sub("", unicodedata.normalize("NFKC", clean(code))).casefold()


_CODE_NOISE = re.compile(r"[\[\]【】〔〕\s]")


def text_of(value: Any) -> str:
    if type(value) is str:  # the common case first
        return _clean_str(value) if len(value) < 256 else _clean(value)
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, (dt.datetime, dt.date)):
        return value.strftime("%d/%m/%Y")
    return clean(value)


def col_letter(col: int) -> str:
    """0-based column index → Excel letters."""
    letters = ""
    col += 1
    while col:
        col, rem = divmod(col - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


@lru_cache(maxsize=1 << 14)
def a1(row: int, col: int) -> str:
    """0-based row and column → A1 reference (cached: the same cells are named in every workbook)."""
    return f"{col_letter(col)}{row + 1}"


def col_index(letters: str | bytes) -> int:
    """Excel letters (text or bytes, any case) → 0-based column index; the inverse of col_letter."""
    if isinstance(letters, bytes):
        letters = letters.decode("ascii", "replace")
    c = 0
    for ch in letters.upper():
        c = c * 26 + ord(ch) - 64
    return c - 1


# ---------------------------------------------------------------------------------------------------- vocabularies


@dataclass(frozen=True)
class Term:
    key: str
    label: str
    aliases: tuple[str, ...] = ()
    rank: int = 0


# workbook.md "Matching is tolerant of how people type, never of what they mean". One matcher serves every coded
# value (yes/no, titles, levels, kinds …):
# - case, spaces (NBSP, doubled, around , & / -), invisible characters and NFC/NFD never matter;
# - one trailing full stop is dropped, any other punctuation is kept ("Có?", "Có/Không" are not words of the list);
# - a value typed with any diacritic must equal an accepted spelling ("Cô", "Cỏ", "Cơ" are not "Có");
# - a value typed entirely without diacritics may match an accepted spelling with its diacritics removed
#   ("khong dat" → Không đạt), except a one-letter spelling: "D" is not "Đ" (a letter is never guessed);
# - a folded spelling shared by two different terms matches neither.
_MARKS = re.compile(r"[\u0300-\u036f]")
_PUNCT_SPACES = re.compile(r"\s*([,&/\-–])\s*")


def normalize(value: object) -> str:
    """The matching form of a typed value: clean, case-folded, NFC, one trailing full stop dropped."""
    return _normalize(value if isinstance(value, str) else text_of(value))


@lru_cache(maxsize=1 << 16)
def _normalize(text: str) -> str:
    text = unicodedata.normalize("NFC", clean(text).casefold())
    if text.endswith(".") and not text.endswith(".."):
        text = text[:-1].rstrip()
    return _PUNCT_SPACES.sub(r"\1", text)


def has_diacritics(text: str) -> bool:
    return "đ" in text or bool(_MARKS.search(unicodedata.normalize("NFD", text)))


def strip_diacritics(text: str) -> str:
    """Diacritics removed, everything else kept ("không đạt?" → "khong dat?")."""
    return unicodedata.normalize("NFC", _MARKS.sub("", unicodedata.normalize("NFD", text.replace("đ", "d"))))


# Telex (the usual Vietnamese input method) typed with the input method off: "Cos" for Có, "Khoong" for Không.
# Such a value is never counted (a letter is never guessed, workbook.md); the message only suggests the word.
_TELEX_MARK = {"\u0302": None, "\u0306": "w", "\u031b": "w"}
_TELEX_TONE = {"\u0301": "s", "\u0300": "f", "\u0309": "r", "\u0303": "x", "\u0323": "j"}
_VOWELS = set("aeiouy")


def telex(text: str) -> str:
    """The keys a Telex typist presses for a (lower-case) text, tone key at the end of each word."""
    words = []
    for word in text.split(" "):
        out, tone = [], ""
        for ch in word:
            if ch == "đ":
                out.append("dd")
                continue
            base, *marks = unicodedata.normalize("NFD", ch)
            out.append(base)
            for m in marks:
                if m in _TELEX_TONE:
                    tone = _TELEX_TONE[m]
                elif m in _TELEX_MARK:
                    out.append(_TELEX_MARK[m] or base)
        words.append("".join(out) + tone)
    return " ".join(words)


def _telex_typed(text: str) -> str:
    """A typed unaccented value with each word's tone key moved to the end ("ddajt" → "ddatj"): Vietnamese words
    never end in s, f, r, x or j after a vowel, so such a letter there is a tone key."""
    words = []
    for word in text.split(" "):
        first = next((i for i, ch in enumerate(word) if ch in _VOWELS), None)
        if first is not None:
            tail = word[first:]
            tones = [ch for ch in tail[1:] if ch in "sfrxj"]
            if len(tones) == 1 and not tail.endswith(tones[0]):
                i = word.rindex(tones[0])
                word = word[:i] + word[i + 1:] + tones[0]
        words.append(word)
    return " ".join(words)


class Vocabulary:
    """A closed list of values, parsed from whatever a person typed (rules above)."""

    def __init__(self, name: str, terms: list[Term], *, extra: dict[str, str] | None = None):
        self.name = name
        self.terms = terms
        self.by_key = {t.key: t for t in terms}
        self.exact: dict[str, str] = {}
        loose: dict[str, set[str]] = {}
        self.telex: dict[str, str] = {}
        pairs = [(alias, t.key) for t in terms for alias in (t.label, t.key, *t.aliases)] + list((extra or {}).items())
        for alias, key in pairs:
            text = normalize(alias)
            if not text:
                continue
            self.exact.setdefault(text, key)
            bare = strip_diacritics(text)
            if len(bare) > 1:
                loose.setdefault(bare, set()).add(key)
            if has_diacritics(text):
                self.telex.setdefault(telex(text), alias)
        self.loose = {bare: next(iter(keys)) for bare, keys in loose.items() if len(keys) == 1}
        self._parse = lru_cache(maxsize=4096)(self._parse_text)

    def parse(self, value: object) -> str | None:
        """The term key, or None when the text is not in the vocabulary."""
        return self._parse(normalize(value))

    def _parse_text(self, text: str) -> str | None:
        key = self.exact.get(text)
        if key is None and not has_diacritics(text):
            key = self.loose.get(text)
        return key

    def telex_hint(self, value: object) -> str | None:
        """The accepted word a value typed with Telex off was probably meant to be ("Cos" → "Có"), or None."""
        text = normalize(value)
        if not text or has_diacritics(text):
            return None
        return self.telex.get(text) or self.telex.get(_telex_typed(text))

    @property
    def labels(self) -> list[str]:
        return [t.label for t in self.terms]

    def label(self, key: str | None) -> str:
        return self.by_key[key].label if key in self.by_key else ""

    def rank(self, key: str | None) -> int:
        return self.by_key[key].rank if key in self.by_key else -1


YES, NO = "yes", "no"
# workbook.md lists the spellings; besides them the tick and cross symbols people insert (√ ☑ ✅ / ✘ ☐ ❌, – —) and the
# everyday negations "ko", "chưa", "không có", "chưa có" (counting them as no changes nothing against the unit).
# "ok", "y", "n" are not accepted: not in the list, and "ok" is a guess in the unit's favour.
YES_NO = Vocabulary("có/không", [
    Term(YES, "Có", ("C", "x", "✓", "✔", "☑", "√", "✅", "v", "1", "Đạt", "Đ", "Yes", "TRUE")),
    Term(NO, "Không", ("K", "0", "-", "–", "—", "✗", "✘", "☐", "❌", "Không đạt", "Chưa đạt", "CĐ", "No", "FALSE",
                       "ko", "chưa", "không có", "chưa có")),
])


def parse_yes_no(value: object) -> str | None:
    """YES, NO, or None when not understood. Blank is handled by the caller (it means "no" for indicators).
    Numbers 1/0 and Excel booleans are what a cell holds when a school types 1, 0, TRUE or FALSE."""
    if isinstance(value, bool):
        return YES if value else NO
    if isinstance(value, (int, float)):
        return {1: YES, 0: NO}.get(value)  # type: ignore[arg-type]
    if isinstance(value, str) and len(value) >= 64:
        return None
    return YES_NO.parse(value)


# ---------------------------------------------------------------------------------------------------- certificates
# workbook.md: the 2.4 certificate column holds yes/no words or the name of a certificate. A negation is checked
# first ("Chưa có", "không có chứng chỉ", "đang học", "Đang chờ cấp" → no, no error); text counts as a certificate
# only when it names one; anything else is an error counted as no.
_CERT_NEGATION = re.compile(
    r"(?<!\w)(chưa|không|ko|đang học|đang ôn|đang chờ|chờ cấp|hết hạn|chua|khong|dang hoc|dang on|dang cho|cho cap"
    r"|het han)(?!\w)")
_CERT_NAMES = re.compile(
    r"(?<!\w)(chứng chỉ|chứng nhận|chung chi|chung nhan|cc|[abc][12]|bậc [1-6]|bac [1-6]|vstep|cefr|ielts|toeic|toefl"
    r"|cambridge|aptis|pte|hsk|hskk|jlpt|n[1-5]|topik|delf|dalf|tcf|tef|goethe|testdaf|torfl|trki|"
    r"tiếng \w+|tieng \w+)(?!\w)")
_CERT_NOT_LANGUAGE = re.compile(r"(?<!\w)(tin học|tin hoc|cntt|ứng dụng công nghệ thông tin|ic3)(?!\w)")
CERT_EXAMPLES = "“Tiếng Anh B1”, “Chứng chỉ tiếng Anh A2”, “TOEIC 550”, “Chứng chỉ tiếng Mông”"


def parse_certificate(value: object) -> str | None:
    """YES (yes-word or a named language certificate), NO (no-word or a negation), None when not understood."""
    if isinstance(value, (bool, int, float)):
        return parse_yes_no(value)
    text = normalize(value)
    if len(text) > 200:
        return None
    return _parse_certificate(text)


@lru_cache(maxsize=4096)
def _parse_certificate(text: str) -> str | None:
    if _CERT_NEGATION.search(text):
        return NO
    word = YES_NO.parse(text)
    if word is not None:
        return word
    if _CERT_NOT_LANGUAGE.search(text):
        return None
    return YES if _CERT_NAMES.search(text) else None


YES_LABEL, NO_LABEL = "Có", "Không"

INDIVIDUAL_TITLES = Vocabulary(
    "danh hiệu cá nhân",
    [
        Term("ldtt", "Lao động tiên tiến", ("LĐTT", "LD tien tien", "Lao động TT", "Chiến sĩ tiên tiến"), 1),
        Term("cstdcs", "Chiến sĩ thi đua cơ sở",
             ("CSTĐCS", "CSTĐ cơ sở", "CSTĐ CS", "CSTD co so", "CS thi đua cơ sở", "Chiến sĩ thi đua cấp cơ sở"), 2),
        Term("cstd_tinh", "Chiến sĩ thi đua cấp bộ, ngành, tỉnh",
             ("CSTĐ cấp tỉnh", "CSTĐ tỉnh", "CSTĐ cấp bộ", "CSTĐ cấp ngành", "Chiến sĩ thi đua cấp tỉnh",
              "Chiến sĩ thi đua cấp bộ", "Chiến sĩ thi đua cấp ngành", "Chiến sĩ thi đua cấp bộ, ngành",
              "CSTĐ cấp bộ, ngành, tỉnh"), 3),
        Term("cstd_tq", "Chiến sĩ thi đua toàn quốc", ("CSTĐ toàn quốc", "CSTĐTQ", "CSTĐ TQ"), 4),
    ],
)
# Commendations and yearly ratings that people put in the title column; they are not titles (Luật TĐKT 2022).
NOT_TITLES = {fold(x) for x in (
    "Giấy khen", "Bằng khen", "Hoàn thành nhiệm vụ", "Hoàn thành tốt nhiệm vụ", "Hoàn thành xuất sắc nhiệm vụ",
    "HTNV", "HTTNV", "HTXSNV", "HTT NV", "HTXS NV", "Không hoàn thành nhiệm vụ", "Xuất sắc", "Tốt", "Khá",
    "Bằng khen của Thủ tướng", "Giấy khen của Giám đốc Sở", "Khen thưởng",
)}
NO_TITLE = {fold(x) for x in ("", "Không", "Không có", "Chưa có", "Chưa", "-", "0", "K", "Không đạt", "Chưa đạt")}

# workbook.md: a title may carry the assessment year ("LĐTT 2025", "Lao động tiên tiến năm 2025"); other text around
# a title (a decision number, another year, "đề nghị") is an error and counts as no.
_TITLE_YEAR = re.compile(r"^(?P<title>.+?)\s*(?:[(\[,\-–]\s*)?(?:năm\s+|nam\s+)?(?P<year>(?:19|20)\d{2})\s*[)\]]?$")


def parse_title(vocab: Vocabulary, value: object, year: int | None) -> tuple[str | None, str | None]:
    """(term key, None) when understood; (None, problem) otherwise, problem being "other-year" (the title with
    another year), "extra-text" (a title with other words around it) or "invalid"."""
    key = vocab.parse(value)
    if key is not None:
        return key, None
    text = normalize(value)
    m = _TITLE_YEAR.match(text)
    if m and vocab.parse(m.group("title")) is not None:
        if year is not None and int(m.group("year")) == year:
            return vocab.parse(m.group("title")), None
        return None, "other-year"
    if _contains_term(vocab, text):
        return None, "extra-text"
    return None, "invalid"


_NON_TITLE_WORD = re.compile(r"[^\w&]+")


def _contains_term(vocab: Vocabulary, text: str) -> bool:
    keys = vocab.exact if has_diacritics(text) else vocab.loose
    padded = " " + _NON_TITLE_WORD.sub(" ", text) + " "
    return any(len(alias) >= 4 and f" {alias} " in padded for alias in keys)


COLLECTIVE_TITLES = Vocabulary(
    "danh hiệu tập thể",
    [
        Term("none", "Không có danh hiệu", ("Không", "Không có", "Chưa có", "Chưa đạt", "Không đạt"), 0),
        Term("ttldtt", "Tập thể lao động tiên tiến", ("TTLĐTT", "Tập thể LĐTT", "Tập thể lao động TT"), 1),
        Term("ttldxs", "Tập thể lao động xuất sắc", ("TTLĐXS", "Tập thể LĐXS", "Tập thể lao động XS"), 2),
        Term("co_tinh", "Cờ thi đua cấp bộ, ngành, tỉnh",
             ("Cờ thi đua cấp tỉnh", "Cờ thi đua cấp bộ", "Cờ thi đua của UBND tỉnh", "Cờ thi đua", "Cờ thi đua cấp bộ, ngành"), 3),
        Term("co_cp", "Cờ thi đua của Chính phủ", ("Cờ thi đua Chính phủ", "Cờ Chính phủ"), 4),
    ],
)

DIGITAL_LEVELS = Vocabulary(
    "mức độ chuyển đổi số (QĐ 4725/4740)",
    [
        Term("chua", "Chưa đáp ứng", ("Chưa đạt", "Không đáp ứng"), 0),
        Term("co_ban", "Đáp ứng cơ bản", ("Cơ bản", "Mức cơ bản", "Đạt mức cơ bản"), 1),
        Term("tot", "Đáp ứng tốt", ("Tốt", "Mức tốt", "Đạt mức tốt"), 2),
    ],
)

CONDITION = Vocabulary(
    "kết quả chỉ tiêu",
    [
        Term("dat", "Đạt", ("Đ", "Có", "x", "Yes", "Đạt yêu cầu"), 1),
        Term("khong_dat", "Không đạt", ("Chưa đạt", "Không", "K", "CĐ", "No"), 0),
        Term("na", "Không áp dụng", ("KAD", "KAD.", "N/A", "NA", "Không áp dụng cho đơn vị"), -1),
    ],
)

OWNERSHIP = Vocabulary(
    "loại hình",
    [
        Term("cong_lap", "Công lập", ("CL", "Cong lap", "Nhà nước")),
        Term("dan_lap", "Dân lập", ("DL",)),
        Term("tu_thuc", "Tư thục", ("TT", "Tư nhân", "Ngoài công lập")),
    ],
)

TIERS = Vocabulary(
    "cấp đánh giá",
    [
        Term("huyen", "Cấp huyện", ("Huyện", "Cấp quận", "Cấp quận/huyện", "Cấp huyện/quận", "Quận", "Huyện/Quận")),
        Term("tinh", "Cấp tỉnh", ("Tỉnh", "Cấp tỉnh/thành phố", "Cấp thành phố", "Thành phố")),
    ],
)
TIER_LABEL = {"huyen": "cấp huyện", "tinh": "cấp tỉnh"}

LEVELS = Vocabulary(
    "mức độ",
    [
        Term("1", "Mức độ 1", ("Mức 1", "MĐ1", "MĐ 1", "1", "Mức độ I")),
        Term("2", "Mức độ 2", ("Mức 2", "MĐ2", "MĐ 2", "2", "Mức độ II")),
    ],
)


@dataclass(frozen=True)
class UnitKind:
    key: str
    label: str
    aliases: tuple[str, ...]
    tier: str | None  # inferred tier (Art. 2.1/2.2); None for non-school bodies
    education: bool = False
    learners: str = "no"  # "yes", "no", or "tinh" (PTDTNT: learners count only at the provincial tier)
    digital: bool = False  # a cơ sở giáo dục phổ thông / GDTX judged by QĐ 4725 (3.4)
    vocational: bool = False  # cơ sở GDNN: kiểm định chất lượng GDNN (3.5 huyện, 3.6 tỉnh)
    university: bool = False  # QĐ 4740 (3.5 tỉnh)
    public_by_nature: bool = False
    economic: bool = False
    preschool: bool = False


UNIT_KINDS: list[UnitKind] = [
    UnitKind("mam_non", "Nhà trẻ / Mẫu giáo / Mầm non",
             ("Mầm non", "Nhà trẻ", "Mẫu giáo", "Trường mầm non", "MN", "Trường MN"), "huyen", education=True,
             preschool=True),
    UnitKind("tieu_hoc", "Tiểu học", ("Trường tiểu học", "TH", "Trường TH"), "huyen", education=True, digital=True),
    UnitKind("thcs", "THCS", ("Trung học cơ sở", "Trường THCS", "Trường trung học cơ sở"), "huyen", education=True,
             digital=True),
    UnitKind("th_thcs", "TH&THCS", ("TH và THCS", "TH-THCS", "Tiểu học và trung học cơ sở", "Trường TH&THCS"), "huyen",
             education=True, digital=True),
    UnitKind("ptdtbt", "PTDTBT", ("Phổ thông dân tộc bán trú", "Trường PTDTBT"), "huyen", education=True, digital=True),
    UnitKind("thpt", "THPT", ("Trung học phổ thông", "Trường THPT", "Trường trung học phổ thông", "Trường chuyên",
                              "THPT chuyên"), "tinh", education=True, learners="yes", digital=True),
    UnitKind("thcs_thpt", "THCS&THPT", ("THCS và THPT", "THCS-THPT", "TH, THCS&THPT", "TH&THCS&THPT",
                                        "Trường nhiều cấp học có THPT"), "tinh", education=True, learners="yes",
             digital=True),
    UnitKind("ptdtnt", "PTDTNT", ("Phổ thông dân tộc nội trú", "Trường PTDTNT"), "tinh", education=True,
             learners="tinh", digital=True),
    UnitKind("gdtx", "Trung tâm GDTX / GDNN-GDTX", ("GDTX", "GDNN-GDTX", "Trung tâm GDTX", "Trung tâm GDNN-GDTX",
                                                    "Giáo dục thường xuyên"), "tinh", education=True, learners="yes",
             digital=True),
    UnitKind("gdnn", "Cơ sở GDNN", ("GDNN", "Trường trung cấp", "Trung cấp", "Trung tâm GDNN",
                                    "Cơ sở giáo dục nghề nghiệp"), "tinh", education=True, learners="yes",
             vocational=True),
    UnitKind("cao_dang", "Trường cao đẳng", ("Cao đẳng", "CĐ", "Trường CĐ"), "tinh", education=True, learners="yes",
             vocational=True),
    UnitKind("dai_hoc", "Trường đại học", ("Đại học", "ĐH", "Trường ĐH", "Học viện"), "tinh", education=True,
             learners="yes", university=True),
    UnitKind("co_quan", "Cơ quan nhà nước", ("Cơ quan", "Cơ quan hành chính", "CQNN"), None, public_by_nature=True),
    UnitKind("dvsn", "Đơn vị sự nghiệp công lập", ("ĐVSN công lập", "ĐVSN", "Đơn vị sự nghiệp"), None,
             public_by_nature=True),
    UnitKind("tckt", "Tổ chức kinh tế", ("Doanh nghiệp", "Công ty", "TCKT"), None, economic=True),
    UnitKind("tcxh", "Tổ chức xã hội / khác", ("Tổ chức xã hội", "Khác", "Hội", "Đoàn thể"), None),
]
UNIT_KIND_VOCAB = Vocabulary("loại đơn vị", [Term(k.key, k.label, k.aliases) for k in UNIT_KINDS])
UNIT_KIND = {k.key: k for k in UNIT_KINDS}


_KIND_FILLER = re.compile(r"^(?:trường|truong|cơ sở|co so)\s+")


def parse_unit_kind(value: object) -> tuple[str | None, str | None]:
    """Loại đơn vị typed freely (workbook.md): (kind key, ownership key or None). "trường mầm non tư thục" →
    (mam_non, tu_thuc); "thcs" → (thcs, None); an unrecognised kind → (None, None)."""
    key = UNIT_KIND_VOCAB.parse(value)
    if key is not None:
        return key, None
    text = normalize(value)
    ownership = None
    # Longest first: "ngoài công lập" is Tư thục, not Công lập.
    words = sorted(((normalize(a), t.key) for t in OWNERSHIP.terms for a in (t.label, *t.aliases)),
                   key=lambda p: -len(p[0]))
    for word, key in words:
        if len(word) < 4:
            continue
        form = word if has_diacritics(text) else strip_diacritics(word)
        found = re.search(rf"(?<!\w){re.escape(form)}(?!\w)", text)
        if found and ownership in (None, key):
            ownership = key
            text = (text[:found.start()] + " " + text[found.end():]).strip(" ,-–()")
    text = " ".join(text.split())
    for candidate in (text, _KIND_FILLER.sub("", text)):
        key = UNIT_KIND_VOCAB.parse(candidate)
        if key is not None:
            return key, ownership
    return None, None


def unit_traits(kind: str | None, ownership: str | None, tier: str) -> frozenset[str]:
    """The facts about a unit that decide which indicators apply to it (rulebook `applies_to` names)."""
    traits = {"all"}
    k = UNIT_KIND.get(kind or "")
    if k is None or not k.economic:
        traits.add("not_economic_org")
    if k is None:
        return frozenset(traits)
    if k.public_by_nature or (k.education and ownership in (None, "cong_lap")):
        traits.add("public_body")
    if k.education:
        traits.add("education")
    if k.learners == "yes" or (k.learners == "tinh" and tier == "tinh"):
        traits.add("learners")
    if k.digital:
        traits.add("digital_school")
    if k.vocational:
        traits.add("vocational")
    if k.university:
        traits.add("university")
    if k.economic:
        traits.add("economic_org")
    if k.preschool and ownership in (None, "cong_lap"):
        traits.add("public_preschool")
    return frozenset(traits)


TRAIT_LABEL = {
    "all": "mọi đơn vị",
    "public_body": "cơ quan nhà nước, đơn vị sự nghiệp công lập (kể cả trường công lập)",
    "not_economic_org": "đơn vị không phải tổ chức kinh tế",
    "education": "cơ sở giáo dục",
    "learners": "cơ sở giáo dục có người học được tính",
    "digital_school": "cơ sở giáo dục phổ thông, trung tâm GDTX (QĐ 4725)",
    "vocational": "cơ sở giáo dục nghề nghiệp",
    "university": "cơ sở giáo dục đại học (QĐ 4740)",
}

# ---------------------------------------------------------------------------------------------------- sheets


@dataclass(frozen=True)
class SheetDef:
    key: str
    name: str
    aliases: tuple[str, ...] = ()


SHEET_GUIDE = SheetDef("guide", "Hướng dẫn", ("Huong dan", "HD"))
SHEET_UNIT = SheetDef("unit", "Thông tin đơn vị", ("Thong tin", "Don vi", "Thông tin chung", "TT đơn vị"))
SHEET_MEMBERS = SheetDef("members", "Thành viên", ("Danh sách thành viên", "DS thành viên", "Thanh vien", "Danh sach"))
SHEET_INDICATORS = SheetDef("indicators", "Chỉ tiêu", ("Tự đánh giá", "Chỉ tiêu tự đánh giá", "Tieu chi", "Tiêu chí"))
SHEET_EVIDENCE = SheetDef("evidence", "Minh chứng", ("Danh mục minh chứng", "DM minh chứng", "Minh chung"))
SHEET_META = SheetDef("meta", "_meta", ("meta",))
DATA_SHEETS = (SHEET_UNIT, SHEET_MEMBERS, SHEET_INDICATORS, SHEET_EVIDENCE)
# dossier.md: the self-assessment team, for the dossier only. Not in DATA_SHEETS: a 2025.1 workbook has no such sheet
# and must evaluate exactly as before (its absence is listed in the dossier warning, never an error).
SHEET_COMMITTEE = SheetDef("committee", "Tổ đánh giá", ("To danh gia", "Tổ tự đánh giá", "Danh sách Tổ đánh giá",
                                                         "Thành viên Tổ đánh giá"))


# ---------------------------------------------------------------------------------------------------- unit fields


@dataclass(frozen=True)
class UnitField:
    key: str
    label: str
    kind: str  # text | code | year | int | vocab name
    required: bool = False
    hint: str = ""
    aliases: tuple[str, ...] = ()


UNIT_FIELDS: list[UnitField] = [
    UnitField("ten_don_vi", "Tên đơn vị", "text", True, "Tên đầy đủ, ví dụ: Trường Tiểu học Kim Đồng",
              ("Tên trường", "Đơn vị")),
    UnitField("ma_don_vi", "Mã đơn vị", "code", True, "Mã do cơ quan quản lý cấp, dùng để nhận diện đơn vị",
              ("Mã", "Mã trường", "Mã số đơn vị")),
    UnitField("loai_don_vi", "Loại đơn vị", "unit_kind", True, "Chọn trong danh sách", ("Loại trường", "Cấp học")),
    UnitField("loai_hinh", "Loại hình", "ownership", False, "Công lập, Dân lập hoặc Tư thục", ("Loại hình trường",)),
    UnitField("cap_danh_gia", "Cấp đánh giá", "tier", False, "Để trống: suy ra từ loại đơn vị",
              ("Cấp công nhận", "Cấp")),
    UnitField("muc_do_de_nghi", "Mức độ đề nghị", "level", False, "Mức độ 1 hoặc Mức độ 2 (không bắt buộc)",
              ("Mức độ", "Đề nghị công nhận mức độ")),
    UnitField("nam_danh_gia", "Năm đánh giá", "year", True, "Năm dương lịch của số liệu, ví dụ 2025",
              ("Năm", "Năm học", "Năm công nhận")),
    UnitField("dia_ban_tinh", "Tỉnh/Thành phố", "text", False, "", ("Tỉnh", "Tỉnh/TP", "Thành phố")),
    UnitField("dia_ban_xa", "Xã/Phường/Huyện", "text", False, "", ("Xã/Phường", "Huyện", "Quận/Huyện", "Xã")),
    UnitField("so_nguoi_hoc", "Tổng số người học", "int", False,
              "Chỉ cơ sở giáo dục có người học được tính (THPT, GDTX, GDNN, CĐ, ĐH…)", ("Số người học", "Số học sinh")),
    UnitField("so_nguoi_hoc_cdht", "Số người học đạt “Công dân học tập”", "int", False, "Không lớn hơn tổng số người học",
              ("Số người học đạt Công dân học tập", "Người học đạt CDHT", "Số học sinh đạt CDHT")),
    UnitField("nguoi_lap", "Người lập", "text", False, "", ("Người lập biểu", "Người nhập")),
    UnitField("chuc_vu_nguoi_lap", "Chức vụ", "text", False, "", ("Chức vụ người lập",)),
    UnitField("ngay_lap", "Ngày lập", "date", False, "dd/mm/yyyy", ("Ngày",)),
    UnitField("lien_he", "Điện thoại/Email", "text", False, "", ("Điện thoại", "Email", "Liên hệ")),
    # dossier.md "What the workbook must add": used only by the dossier (`dvht ho-so`); appended after the older
    # fields so that their cells stay where the 2025.1 template had them.
    UnitField("co_quan_chu_quan", "Cơ quan chủ quản", "text", False,
              "Cơ quan cấp trên trực tiếp, ghi ở góc trái tờ trình, ví dụ: UBND phường Đông Hà",
              ("Cơ quan cấp trên", "Cơ quan quản lý trực tiếp", "Đơn vị chủ quản")),
    UnitField("co_quan_nhan", "Cơ quan nhận hồ sơ", "text", False,
              "Nơi tờ trình gửi đến (“Kính gửi”), theo quy định của tỉnh, ví dụ: Phòng Văn hóa - Xã hội phường Đông Hà",
              ("Nơi nhận hồ sơ", "Kính gửi", "Cơ quan tiếp nhận hồ sơ")),
    UnitField("dia_danh", "Địa danh", "text", False, "Ghi ở dòng ngày tháng của văn bản, ví dụ: Đông Hà",
              ("Địa danh ghi trên văn bản",)),
    UnitField("ky_hieu", "Ký hiệu viết tắt của đơn vị", "text", False,
              "Dùng trong số văn bản “Số: …/TTr-THCSND”, ví dụ: THCSND", ("Ký hiệu viết tắt", "Ký hiệu đơn vị")),
    UnitField("thu_truong", "Thủ trưởng đơn vị", "text", False, "Họ và tên người ký tờ trình, báo cáo",
              ("Người ký", "Hiệu trưởng", "Người đứng đầu đơn vị")),
    UnitField("chuc_vu_thu_truong", "Chức vụ của thủ trưởng", "text", False,
              "Chọn hoặc gõ, ví dụ: Hiệu trưởng, Giám đốc", ("Chức vụ thủ trưởng", "Chức vụ người ký")),
    UnitField("ngay_hop", "Ngày họp tự đánh giá", "date", False, "Ngày Tổ đánh giá họp, dd/mm/yyyy (ghi vào biên bản)",
              ("Ngày họp", "Ngày họp Tổ đánh giá")),
]
# The fields a dossier needs; a blank one is a dotted blank in the documents and is listed in one warning.
DOSSIER_FIELDS = ("co_quan_chu_quan", "co_quan_nhan", "dia_danh", "ky_hieu", "thu_truong", "chuc_vu_thu_truong",
                  "ngay_hop")
SIGNER_POSITIONS = ["Hiệu trưởng", "Phó Hiệu trưởng phụ trách", "Giám đốc", "Chủ tịch", "Chánh Văn phòng",
                    "Thủ trưởng đơn vị"]
UNIT_FIELD = {f.key: f for f in UNIT_FIELDS}
VOCABS: dict[str, Vocabulary] = {
    "unit_kind": UNIT_KIND_VOCAB, "ownership": OWNERSHIP, "tier": TIERS, "level": LEVELS,
}

# ---------------------------------------------------------------------------------------------------- table columns


@dataclass(frozen=True)
class Column:
    key: str
    header: str
    kind: str  # number | text | date | yesno | cert | title | answer | codes | ids
    width: float = 14
    hint: str = ""
    aliases: tuple[str, ...] = ()
    required: bool = False
    indicator: str | None = None  # which rule the column feeds, for the school's view


MEMBER_COLUMNS: list[Column] = [
    Column("stt", "STT", "number", 6, aliases=("Số thứ tự", "TT", "No")),
    Column("ho_ten", "Họ và tên", "text", 26, "Bắt buộc", ("Họ tên", "Tên", "Họ và tên thành viên"), required=True),
    Column("ngay_sinh", "Ngày sinh", "date", 12, "dd/mm/yyyy hoặc năm sinh", ("Ngày tháng năm sinh", "Năm sinh")),
    Column("chuc_vu", "Chức vụ / Vị trí việc làm", "text", 16, "CBQL, GV, NV, NLĐ…",
           ("Chức vụ", "Vị trí việc làm", "Chức danh")),
    Column("tinh_vao_tong", "Tính vào tổng số", "yesno", 11,
           "Để trống = Có. Chọn Không (ví dụ nghỉ thai sản, biệt phái) và ghi lý do ở cột Ghi chú",
           ("Tính vào tổng", "Tính tổng số")),
    Column("tuan_thu_ky_luat", "Tuân thủ kỷ luật lao động, nội quy (2.1)", "yesno", 14, "Có / Không",
           ("Tuân thủ kỷ luật", "Tuân thủ", "Kỷ luật lao động"), indicator="2.1"),
    Column("hoan_thanh_boi_duong", "Hoàn thành chương trình học tập, bồi dưỡng (2.2)", "yesno", 16, "Có / Không",
           ("Hoàn thành chương trình", "Hoàn thành bồi dưỡng", "Hoàn thành BD"), indicator="2.2"),
    Column("tham_gia_cds", "Được bồi dưỡng, tham gia chuyển đổi số (2.3)", "yesno", 16, "Có / Không",
           ("Tham gia chuyển đổi số", "Chuyển đổi số", "CĐS", "Được bồi dưỡng tham gia CĐS"), indicator="2.3"),
    Column("chung_chi_ngoai_ngu", "Có chứng chỉ/chứng nhận ngoại ngữ hoặc tiếng DTTS (2.4)", "cert", 18,
           "Có / Không, hoặc tên chứng chỉ (ví dụ: B1 tiếng Anh)",
           ("Có chứng chỉ", "Chứng chỉ ngoại ngữ", "Chứng chỉ", "Chứng nhận ngoại ngữ"), indicator="2.4"),
    Column("trinh_do_ngoai_ngu", "Trình độ ngoại ngữ/tiếng DTTS đáp ứng yêu cầu công việc (2.4, mức độ 2)", "yesno",
           18, "Có / Không", ("Trình độ ngoại ngữ", "Trình độ"), indicator="2.4"),
    Column("danh_hieu", "Danh hiệu thi đua (2.5)", "title", 24, "Chọn trong danh sách; để trống nếu không có",
           ("Danh hiệu thi đua", "Danh hiệu"), indicator="2.5"),
    Column("cong_dan_hoc_tap", "Đạt “Công dân học tập” (3.1)", "yesno", 14, "Có / Không",
           ("Đạt Công dân học tập", "Công dân học tập", "CDHT"), indicator="3.1"),
    Column("ke_hoach_tu_hoc", "Có kế hoạch tự học được phê duyệt (TT 22)", "yesno", 16,
           "Chỉ dùng cho năm đánh giá đến 2023", ("Có kế hoạch tự học", "Kế hoạch tự học")),
    Column("ghi_chu", "Ghi chú", "text", 24, "Lý do nếu không tính vào tổng số", ("Ghi chú / Lý do", "Lý do")),
]

INDICATOR_COLUMNS: list[Column] = [
    Column("ma_chi_tieu", "Mã chỉ tiêu", "text", 9, aliases=("Chỉ tiêu", "Mã", "Mã số"), required=True),
    Column("noi_dung", "Nội dung", "text", 60, aliases=("Nội dung chỉ tiêu", "Yêu cầu")),
    Column("tu_danh_gia", "Kết quả tự đánh giá", "answer", 22, aliases=("Tự đánh giá", "Kết quả")),
    Column("ma_minh_chung", "Mã minh chứng", "codes", 22, "Một hoặc nhiều mã, cách nhau bởi ; hoặc xuống dòng",
           ("Minh chứng", "Mã MC")),
    Column("ghi_chu", "Giải trình / Ghi chú", "text", 36, aliases=("Giải trình", "Ghi chú")),
]

EVIDENCE_COLUMNS: list[Column] = [
    Column("stt", "STT", "number", 6, aliases=("Số thứ tự", "TT")),
    Column("ma_minh_chung", "Mã minh chứng", "text", 18, "Bắt buộc, không trùng; ví dụ [H1-1.1-01]",
           ("Mã MC", "Mã"), required=True),
    Column("ten_minh_chung", "Tên minh chứng", "text", 44, "Bắt buộc", ("Tên", "Tên văn bản", "Tên tài liệu")),
    Column("so_ngay_ban_hanh", "Số, ngày ban hành", "text", 20, aliases=("Số ngày ban hành", "Số, ký hiệu", "Ngày ban hành")),
    Column("noi_ban_hanh", "Nơi ban hành", "text", 20, aliases=("Cơ quan ban hành",)),
    Column("chi_tieu", "Dùng cho chỉ tiêu", "ids", 14, "Ví dụ: 1.1; 1.2", ("Chỉ tiêu", "Dùng cho")),
    Column("ghi_chu", "Ghi chú", "text", 20),
]

COMMITTEE_ROLES = Vocabulary(
    "nhiệm vụ trong Tổ",
    [
        Term("to_truong", "Tổ trưởng", ("TT", "Trưởng tổ"), 0),
        Term("pho_to_truong", "Phó Tổ trưởng", ("PTT", "Tổ phó", "Phó trưởng tổ"), 1),
        Term("thu_ky", "Thư ký", ("TK",), 2),
        Term("thanh_vien", "Thành viên", ("TV", "Ủy viên", "Uỷ viên"), 3),
    ],
)

COMMITTEE_COLUMNS: list[Column] = [
    Column("stt", "STT", "number", 6, aliases=("Số thứ tự", "TT")),
    Column("ho_ten", "Họ và tên", "text", 28, "Bắt buộc", ("Họ tên", "Tên"), required=True),
    Column("chuc_vu", "Chức vụ", "text", 26, "Chức vụ ở đơn vị, ví dụ: Phó Hiệu trưởng", ("Chức vụ / Vị trí việc làm",)),
    Column("nhiem_vu", "Nhiệm vụ trong Tổ", "role", 20, "Tổ trưởng, Phó Tổ trưởng, Thư ký hoặc Thành viên",
           ("Nhiệm vụ", "Vai trò", "Nhiệm vụ trong Tổ đánh giá")),
]

TABLES: dict[str, list[Column]] = {
    "members": MEMBER_COLUMNS, "indicators": INDICATOR_COLUMNS, "evidence": EVIDENCE_COLUMNS,
    "committee": COMMITTEE_COLUMNS,
}

# Template layout: a title row, a hint row, then the header. The reader does not rely on it (it searches).
HEADER_ROW = 2  # 0-based
FIRST_DATA_ROW = HEADER_ROW + 1
TEMPLATE_MEMBER_ROWS = 2000
FORMULA_LAST_ROW = 10_000  # live percentages count rows up to here


@dataclass(eq=False)
class HeaderMatcher:
    """Maps a header cell to a column key: exact folded match first, then the longest alias that starts it."""

    columns: list[Column]
    exact: dict[str, str] = field(default_factory=dict)
    prefixes: list[tuple[str, str]] = field(default_factory=list)

    def __post_init__(self) -> None:
        for c in self.columns:
            for alias in (c.header, c.key.replace("_", " "), *c.aliases):
                key = fold(alias)
                self.exact.setdefault(key, c.key)
                self.prefixes.append((key, c.key))
            # The template header without its "(2.1)" marker.
            bare = fold(re.sub(r"\(.*?\)", "", c.header))
            self.exact.setdefault(bare, c.key)
            self.prefixes.append((bare, c.key))
        self.prefixes.sort(key=lambda p: -len(p[0]))

    @lru_cache(maxsize=8192)  # header rows, hint rows and titles repeat in every workbook of a batch
    def match(self, text: str) -> str | None:
        if len(text) > 200:
            return None
        return self._match_key(fold(text))

    @lru_cache(maxsize=4096)
    def _match_key(self, key: str) -> str | None:
        if not key:
            return None
        if key in self.exact:
            return self.exact[key]
        for prefix, col in self.prefixes:
            if len(prefix) >= 3 and key.startswith(prefix + " "):
                return col
        return None


MATCHERS: dict[str, HeaderMatcher] = {}


def matcher_for(table: str) -> HeaderMatcher:
    if table not in MATCHERS:
        MATCHERS[table] = HeaderMatcher(TABLES[table])
    return MATCHERS[table]


def match_sheet(name: str, sheet: SheetDef) -> bool:
    key = fold(name)
    return key in {fold(sheet.name), *(fold(a) for a in sheet.aliases)}
