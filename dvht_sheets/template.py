"""schema + rulebook → the standard workbook (blank, or filled with data for samples and tests), with xlsxwriter.

What it does for the person filling it (workbook.md, last section): an instructions sheet, dropdowns with input
messages, sheet protection without a password with unlocked input cells, frozen headers, widths that fit the
Vietnamese headers, A4 print setup, a hidden `_meta` sheet (template version, tier, rulebook) and live percentages.
Output is deterministic (fixed document dates), so the committed templates can be compared byte for byte.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, BinaryIO

import xlsxwriter

from . import __version__, paper
from .report.styles import FIXED_DATE, TEMPLATE, Formats
from .rulebook import Rule, Rulebook
from .schema import (
    COLLECTIVE_TITLES, COMMITTEE_COLUMNS, COMMITTEE_ROLES, SHEET_COMMITTEE, SIGNER_POSITIONS, CONDITION, DIGITAL_LEVELS, EVIDENCE_COLUMNS, FIRST_DATA_ROW, FORMULA_LAST_ROW, HEADER_ROW,
    INDICATOR_COLUMNS, INDIVIDUAL_TITLES, LEVELS, MEMBER_COLUMNS, NO_LABEL, OWNERSHIP, SHEET_EVIDENCE, SHEET_GUIDE,
    SHEET_INDICATORS, SHEET_MEMBERS, SHEET_META, SHEET_UNIT, TEMPLATE_MEMBER_ROWS, TEMPLATE_VERSION, TIER_LABEL,
    TIERS, TRAIT_LABEL, UNIT_FIELDS, UNIT_KIND_VOCAB, YES, YES_LABEL, YES_NO, NO, Column, col_letter,
)

EVIDENCE_ROWS = 300


@dataclass
class WorkbookData:
    """Values to put in a filled workbook (samples, tests). Keys are schema keys; values are written as given."""

    unit: dict[str, Any] = field(default_factory=dict)
    members: list[dict[str, Any]] = field(default_factory=list)
    indicators: dict[str, dict[str, Any]] = field(default_factory=dict)  # id → {tu_danh_gia, ma_minh_chung, ghi_chu}
    evidence: list[dict[str, Any]] = field(default_factory=list)
    meta: dict[str, str] | None = None  # override _meta (e.g. last year's template); {} drops the sheet
    committee: list[dict[str, Any]] | None = field(default_factory=list)  # `Tổ đánh giá` rows; None drops the sheet


def _put(ws, row: int, col: int, value: Any, fmt) -> None:
    """Write a value with its own type; text is always text, so "=…" typed by a school stays inert."""
    if value is None:
        ws.write_blank(row, col, None, fmt)
    elif isinstance(value, bool):
        ws.write_boolean(row, col, value, fmt)
    elif isinstance(value, (int, float)):
        ws.write_number(row, col, value, fmt)
    elif isinstance(value, (dt.date, dt.datetime)):
        ws.write_datetime(row, col, value if isinstance(value, dt.datetime) else
                          dt.datetime.combine(value, dt.time()), fmt)
    else:
        ws.write_string(row, col, str(value), fmt)


def _protect(ws) -> None:
    ws.protect("", {"insert_rows": True, "delete_rows": True, "format_columns": True, "format_rows": True,
                    "autofilter": True, "sort": True, "select_locked_cells": True, "select_unlocked_cells": True})


UNIT_WIDTHS = [30, 40, 44]  # portrait A4 at ≥ 80 %
GUIDE_WIDTH = 94  # one column: it must fit a portrait page at 100 % (paper.layout)


def sheet_widths(key: str) -> list[float]:
    """The template's column widths of a sheet (schema key); a unit's result copies its sheets with these."""
    return {"guide": [GUIDE_WIDTH], "unit": UNIT_WIDTHS, "members": [c.width for c in MEMBER_COLUMNS],
            "indicators": [c.width for c in INDICATOR_COLUMNS],
            "evidence": [c.width for c in EVIDENCE_COLUMNS],
            "committee": [c.width for c in COMMITTEE_COLUMNS]}.get(key, [])


def _print(ws, key: str, header_rows: int | None = None, repeat_cols: tuple[int, int] | None = None) -> None:
    # The hints are 10 pt: paper.setup keeps them ≥ 8 pt on paper (scale ≥ 80 %).
    paper.setup(ws, sheet_widths(key), header_rows=header_rows, repeat_cols=repeat_cols, min_font=10)


# Excel cuts an input message's title at 32 characters: long headers get a short title that reads whole, and the
# full header opens the message.
SHORT_TITLES = {
    "tuan_thu_ky_luat": "Tuân thủ kỷ luật, nội quy (2.1)",
    "hoan_thanh_boi_duong": "Hoàn thành học tập, BD (2.2)",
    "tham_gia_cds": "Bồi dưỡng, tham gia CĐS (2.3)",
    "chung_chi_ngoai_ngu": "Chứng chỉ ngoại ngữ/DTTS (2.4)",
    "trinh_do_ngoai_ngu": "Trình độ ngoại ngữ MĐ2 (2.4)",
    "ke_hoach_tu_hoc": "Kế hoạch tự học (TT 22)",
    "so_nguoi_hoc_cdht": "Số người học đạt CDHT",
}


def input_text(key: str, title: str, message: str) -> tuple[str, str]:
    """(title ≤ 32 characters, message ≤ 255) for a cell's input message."""
    if len(title) <= 32:
        return title, message[:255]
    short = SHORT_TITLES.get(key) or title[:31].rsplit(" ", 1)[0]
    return short, f"{title}. {message}"[:255]


class _Lists:
    """Dropdown sources live in hidden `_meta` columns (a list typed into the rule is capped at 255 characters)."""

    def __init__(self, meta_ws, fmt):
        self.ws, self.fmt, self.col, self.refs = meta_ws, fmt, 3, {}

    def ref(self, name: str, labels: list[str]) -> str:
        if name not in self.refs:
            self.ws.write_string(0, self.col, name, self.fmt)
            for i, label in enumerate(labels, start=1):
                self.ws.write_string(i, self.col, label, self.fmt)
            letter = col_letter(self.col)
            self.refs[name] = f"='{SHEET_META.name}'!${letter}$2:${letter}${len(labels) + 1}"
            self.col += 1
        return self.refs[name]


def _validation(ws, first_row: int, col: int, last_row: int, source, title: str, message: str, key: str = "") -> None:
    title, message = input_text(key, title, message)
    ws.data_validation(first_row, col, last_row, col, {
        "validate": "list", "source": source, "ignore_blank": True,
        "input_title": title, "input_message": message,
        # A warning, not a stop: people type "x", "Đ", "LĐTT" … and the reader understands them.
        "error_type": "warning", "error_title": "Giá trị ngoài danh sách",
        "error_message": "Giá trị không có trong danh sách. Nên chọn trong danh sách; công cụ vẫn hiểu các cách viết "
                         "thông dụng (Có/C/x/Đạt, Không/K/0, LĐTT, CSTĐCS…).",
    })


def _column_source(col: Column, lists: _Lists):
    if col.kind in ("yesno", "cert"):
        return [YES_LABEL, NO_LABEL]
    if col.kind == "title":
        return lists.ref("danh_hieu_ca_nhan", INDIVIDUAL_TITLES.labels)
    return None


def _write_guide(ws, f: Formats, book: Rulebook, tier: str) -> None:
    ws.set_column(0, 0, GUIDE_WIDTH, f.text)
    lines: list[tuple[str, Any]] = [
        (f"HƯỚNG DẪN NHẬP LIỆU – TỰ ĐÁNH GIÁ “ĐƠN VỊ HỌC TẬP” {TIER_LABEL[tier].upper()}", f.title),
        (f"Mẫu phiên bản {TEMPLATE_VERSION}; áp dụng {book.name} – {book.title}. Tạo bởi dvht-sheets {__version__}.",
         f.hint),
        ("", f.text),
        ("1. Trang “Thông tin đơn vị”: nhập cột B. Tên đơn vị, Mã đơn vị, Loại đơn vị, Năm đánh giá là bắt buộc.", f.text),
        ("   Năm đánh giá là năm dương lịch của số liệu (01/01–31/12). Hồ sơ nộp trước 15/01 năm sau; "
         "kết quả công nhận có giá trị 3 năm.", f.text),
        ("   Cấp đánh giá để trống thì được suy ra từ Loại đơn vị (mầm non, tiểu học, THCS → cấp huyện; THPT, GDTX, "
         "cao đẳng, đại học → cấp tỉnh).", f.text),
        ("   Cơ sở giáo dục có người học được tính (THPT, THCS&THPT, PTDTNT tỉnh, GDTX, GDNN, cao đẳng, đại học) nhập "
         "thêm Tổng số người học và Số người học đạt “Công dân học tập”.", f.text),
        ("2. Trang “Thành viên”: mỗi cán bộ, công nhân viên, người lao động một dòng (Điều 2.7). Không xoá dòng tiêu đề.",
         f.text),
        ("   Các cột chỉ tiêu nhận: Có / Không (cũng hiểu C, x, ✓, 1, Đạt, Yes; K, 0, -, Chưa đạt, No). "
         "Ô để trống được tính là Không.", f.text),
        ("   Gõ có dấu thì phải đúng chữ (“Cô”, “Cỏ” không phải “Có”); gõ không dấu cả ô cũng được (“co”, “khong”). "
         "Không thêm dấu chấm hỏi, ngoặc, gạch chéo (“Có?”, “Có/Không” là lỗi và tính là Không).", f.text),
        ("   “Tính vào tổng số” để trống = Có. Chọn Không cho người không tính (ví dụ nghỉ thai sản dài ngày, biệt phái) "
         "và bắt buộc ghi lý do ở cột Ghi chú.", f.text),
        ("   Cột chứng chỉ ngoại ngữ có thể ghi tên chứng chỉ (ví dụ “Tiếng Anh B1”, “TOEIC 550”, “Chứng chỉ tiếng "
         "Mông”): được hiểu là Có; “Chưa có”, “Đang học”, “Đang chờ cấp” là Không.", f.text),
        ("   Danh hiệu có thể kèm năm đánh giá (“LĐTT 2025”); số quyết định khen thưởng ghi ở cột Ghi chú.", f.text),
        ("   Danh hiệu thi đua: Lao động tiên tiến, Chiến sĩ thi đua cơ sở, … (viết tắt LĐTT, CSTĐCS cũng được). "
         "Giấy khen, Bằng khen, “Hoàn thành tốt nhiệm vụ” không phải danh hiệu thi đua.", f.text),
        ("3. Trang “Chỉ tiêu”: với chỉ tiêu về điều kiện của đơn vị, chọn Đạt / Không đạt / Không áp dụng; "
         "chỉ tiêu 3.3 chọn danh hiệu tập thể; chỉ tiêu chuyển đổi số chọn mức theo QĐ 4725/4740.", f.text),
        (f"   Ô tỉ lệ % được tính tự động từ trang Thành viên để đơn vị tự theo dõi ({ESTIMATE_LABEL.lower()}): công "
         "cụ luôn tính lại từ danh sách thành viên và chỉ tính các cách viết được chấp nhận.", f.text),
        ("   Mỗi chỉ tiêu phải ghi ít nhất một Mã minh chứng có trong trang “Minh chứng”: chỉ tiêu không có minh chứng "
         f"là Không đạt ({book.evidence_article}).", f.text),
        ("4. Trang “Minh chứng”: mỗi minh chứng một dòng, mã không trùng (ví dụ [H1-1.1-01]); ngoặc, dấu cách, chữ hoa/"
         "thường không ảnh hưởng khi đối chiếu.", f.text),
        ("5. Hồ sơ đề nghị công nhận (dvht ho-so): điền các dòng từ “Cơ quan chủ quản” trở xuống ở trang “Thông tin đơn "
         "vị” và trang “Tổ đánh giá”; không ảnh hưởng kết quả, ô trống thì văn bản để “…………”.", f.text),
        ("", f.text),
        ("Ví dụ một dòng Thành viên: 1 | Nguyễn Thị Lan | 12/05/1985 | GV | (trống) | Có | Có | Có | B1 tiếng Anh | Có | "
         "Lao động tiên tiến | Có | | ", f.hint),
        ("Không đổi tên, xoá hay thêm trang. Các ô màu xám được khoá; bỏ khoá trang không cần mật khẩu (Xem lại → "
         "Bỏ bảo vệ trang).", f.hint),
    ]
    for r, (text, fmt) in enumerate(lines):
        ws.write_string(r, 0, text, fmt)
        ws.set_row(r, paper.row_height({0: text}, [GUIDE_WIDTH], 10 if fmt is f.hint else 12))
    ws.set_row(0, 24)
    _protect(ws)
    _print(ws, "guide")


def _write_unit(ws, f: Formats, lists: _Lists, data: dict[str, Any]) -> None:
    for c, w in enumerate(UNIT_WIDTHS):
        ws.set_column(c, c, w)
    ws.write_string(0, 0, "THÔNG TIN ĐƠN VỊ", f.title)
    ws.write_string(1, 0, "Nhập cột B. Dấu * là thông tin bắt buộc.", f.hint_line)
    for c, text in enumerate(("Nội dung", "Giá trị", "Hướng dẫn")):
        ws.write_string(HEADER_ROW, c, text, f.header)
    sources = {"unit_kind": lambda: lists.ref("loai_don_vi", UNIT_KIND_VOCAB.labels), "ownership": OWNERSHIP.labels,
               "tier": TIERS.labels, "level": LEVELS.labels}
    for i, fld in enumerate(UNIT_FIELDS):
        r = FIRST_DATA_ROW + i
        ws.write_string(r, 0, fld.label + (" *" if fld.required else ""), f.label)
        _put(ws, r, 1, data.get(fld.key), f.input_date if fld.kind == "date" else f.input)
        ws.write_string(r, 2, fld.hint, f.hint)
        ws.set_row(r, paper.row_height({0: fld.label + " *", 1: str(data.get(fld.key) or ""), 2: fld.hint},
                                       UNIT_WIDTHS, 12, minimum=18))
        if fld.key == "chuc_vu_thu_truong":
            # A suggestion list only (warning on other text): a signer's position is free text (dossier.md).
            _validation(ws, r, 1, r, SIGNER_POSITIONS, fld.label, fld.hint)
        elif fld.kind in sources:
            src = sources[fld.kind]
            _validation(ws, r, 1, r, src() if callable(src) else src, fld.label, fld.hint or "Chọn trong danh sách",
                        fld.key)
        elif fld.kind in ("int", "year"):
            title, message = input_text(fld.key, fld.label, fld.hint or "Nhập số")
            ws.data_validation(r, 1, r, 1, {"validate": "integer", "criteria": ">=", "value": 0,
                                            "input_title": title, "input_message": message,
                                            "error_type": "warning", "error_message": "Hãy nhập một số nguyên."})
    ws.freeze_panes(FIRST_DATA_ROW, 0)
    _protect(ws)
    _print(ws, "unit", header_rows=HEADER_ROW)


def _write_members(ws, f: Formats, lists: _Lists, members: list[dict[str, Any]]) -> None:
    last = FIRST_DATA_ROW + max(TEMPLATE_MEMBER_ROWS, len(members)) - 1
    for c, col in enumerate(MEMBER_COLUMNS):
        ws.set_column(c, c, col.width, f.unlocked_col)
    ws.write_string(0, 0, "DANH SÁCH THÀNH VIÊN (cán bộ, công nhân viên, người lao động – Điều 2.7)", f.title)
    for c, col in enumerate(MEMBER_COLUMNS):
        ws.write_string(1, c, col.hint, f.hint)
        ws.write_string(HEADER_ROW, c, col.header, f.header)
        source = _column_source(col, lists)
        if source is not None:
            _validation(ws, FIRST_DATA_ROW, c, last, source, col.header, col.hint or "Chọn trong danh sách", col.key)
    widths = sheet_widths("members")
    ws.set_row(0, 22, f.text)
    ws.set_row(1, paper.row_height(dict(enumerate(c.hint for c in MEMBER_COLUMNS)), widths, 10, minimum=42), f.text)
    ws.set_row(HEADER_ROW, paper.row_height(dict(enumerate(c.header for c in MEMBER_COLUMNS)), widths, 12,
                                            minimum=78), f.text)
    for i, member in enumerate(members):
        r = FIRST_DATA_ROW + i
        for c, col in enumerate(MEMBER_COLUMNS):
            value = member.get(col.key)
            if value is not None:
                _put(ws, r, c, value, f.input_date if col.kind == "date" else f.input)
    ws.freeze_panes(FIRST_DATA_ROW, 2)
    ws.autofilter(HEADER_ROW, 0, last, len(MEMBER_COLUMNS) - 1)
    _protect(ws)
    _print(ws, "members", header_rows=HEADER_ROW, repeat_cols=(0, 1))


def _member_range(key: str) -> str:
    c = col_letter([col.key for col in MEMBER_COLUMNS].index(key))
    return f"'{SHEET_MEMBERS.name}'!${c}${FIRST_DATA_ROW + 1}:${c}${FORMULA_LAST_ROW}"


ESTIMATE_LABEL = "Ước tính – công cụ tính lại"


def _formula_words(vocab, keys: set[str]) -> list[str]:
    """The spellings a formula can compare with LOWER(TRIM(cell)): every accepted spelling of the terms, lower case,
    with its unaccented form (the tool accepts "co" for "Có", workbook.md), except one-letter folds ("Đ" ≠ "D")."""
    words: list[str] = []
    for text, key in [*vocab.exact.items(), *vocab.loose.items()]:
        if key in keys and text not in words and '"' not in text:
            words.append(text)
    return words


def _array(words: list[str]) -> str:
    return "{" + ",".join(f'"{w}"' for w in words) + "}"


def _in_list(rng: str, words: list[str]) -> str:
    return f"ISNUMBER(MATCH(LOWER(TRIM({rng})),{_array(words)},0))"


# Certificate names the formula recognises by a part (the tool's recogniser is richer: schema.parse_certificate).
_CERT_PARTS = ("chứng chỉ", "chứng nhận", "tiếng ", "toeic", "ielts", "toefl", "vstep", "bậc ", "a1", "a2", "b1",
               "b2", "c1", "c2")
_CERT_NEGATIONS = ("chưa", "không", "đang", "chờ", "chua", "khong", "dang")


def live_percent_formula(rule: Rule, level_key: str) -> str:
    """The school's own estimate of a percentage indicator: it counts the same spellings the tool accepts, as far as
    a formula can (no trailing-full-stop rule, certificate names by their parts). The tool never reads it: it
    recomputes every percentage from the member rows. Works in Excel and LibreOffice (SUMPRODUCT of arrays)."""
    names = _member_range("ho_ten")
    counted = f"(LEN(TRIM({names}))>0)*(1-{_in_list(_member_range('tinh_vao_tong'), _formula_words(YES_NO, {NO}))})"
    if rule.min_title:
        keys = {t.key for t in INDIVIDUAL_TITLES.terms if t.rank >= INDIVIDUAL_TITLES.rank(rule.min_title)}
        hit = _in_list(_member_range("danh_hieu"), _formula_words(INDIVIDUAL_TITLES, keys))
    else:
        key = rule.fields(level_key)[0]
        rng = _member_range(key)
        hit = _in_list(rng, _formula_words(YES_NO, {YES}))
        if next(c for c in MEMBER_COLUMNS if c.key == key).kind == "cert":
            part = "+".join(f'ISNUMBER(SEARCH("{w}",{rng}))' for w in _CERT_PARTS)
            negation = "+".join(f'ISNUMBER(SEARCH("{w}",{rng}))' for w in _CERT_NEGATIONS)
            hit = f"(({hit})+(({part})>0)*(({negation})=0)>0)"
    return f'=IFERROR(SUMPRODUCT({counted}*({hit}))/SUMPRODUCT({counted}),"")'


def _requirement_note(rule: Rule, book: Rulebook, tier: str) -> str:
    parts = []
    for lv in book.levels_for(tier):
        target = rule.applies_to(lv.key)
        if rule.kind == "percent_members":
            req = f"≥ {rule.threshold(lv.key):g} %"
            lthr = rule.learners_threshold(lv.key)
            if lthr is not None:
                req += f" (người học ≥ {lthr:g} %)"
        elif rule.kind == "title_at_least":
            req = f"≥ {COLLECTIVE_TITLES.label(rule.minimum(lv.key))}"
        elif rule.kind == "level_at_least":
            req = f"≥ {DIGITAL_LEVELS.label(rule.minimum(lv.key))}"
        else:
            req = "Đạt"
        if target != "all":
            req += f", chỉ áp dụng cho {TRAIT_LABEL[target]}"
        name = f"Mức độ {lv.level}" if book.scheme == "levels" else f"{rule.points:g} điểm"
        parts.append(f"{name}: {req}")
    return "; ".join(parts)


def _write_indicators(ws, f: Formats, lists: _Lists, book: Rulebook, tier: str,
                      data: dict[str, dict[str, Any]]) -> None:
    for c, col in enumerate(INDICATOR_COLUMNS):
        ws.set_column(c, c, col.width)
    title = f"TỰ ĐÁNH GIÁ CÁC CHỈ TIÊU – {book.name}" + (f", {TIER_LABEL[tier]}" if book.scheme == "levels" else "")
    ws.write_string(0, 0, title, f.title)
    ws.write_string(1, 0, "Chọn kết quả ở cột C, ghi mã minh chứng ở cột D. Ô % ở cột C: "
                          f"{ESTIMATE_LABEL} từ trang Thành viên.", f.hint_line)
    for c, col in enumerate(INDICATOR_COLUMNS):
        ws.write_string(HEADER_ROW, c, col.header, f.header)
    r = FIRST_DATA_ROW
    first_level = book.levels_for(tier)[0].key
    na = CONDITION.label("na")
    answer_sources = {"unit_condition": CONDITION.labels,
                      "title_at_least": lists.ref("danh_hieu_tap_the", [*COLLECTIVE_TITLES.labels, na]),
                      "level_at_least": [*DIGITAL_LEVELS.labels, na]}
    current = None
    for rule in book.rules_for(tier):
        if rule.criterion != current:
            current = rule.criterion
            ws.merge_range(r, 0, r, len(INDICATOR_COLUMNS) - 1,
                           f"Tiêu chí {current}. {book.criteria.get(current, '')}", f.criterion)
            r += 1
        row = data.get(rule.id, {})
        ws.write_string(r, 0, rule.id, f.locked)
        content = f"{rule.text(first_level)}\n({_requirement_note(rule, book, tier)})"
        if rule.kind == "percent_members":
            content += f"\nÔ kết quả: {ESTIMATE_LABEL} từ trang Thành viên"
        ws.write_string(r, 1, content, f.locked)
        if rule.kind == "percent_members":
            ws.write_formula(r, 2, live_percent_formula(rule, first_level), f.percent, "")
        else:
            _put(ws, r, 2, row.get("tu_danh_gia"), f.input)
            _validation(ws, r, 2, r, answer_sources[rule.kind], f"Chỉ tiêu {rule.id}", "Chọn kết quả tự đánh giá")
        _put(ws, r, 3, row.get("ma_minh_chung"), f.input)
        _put(ws, r, 4, row.get("ghi_chu"), f.input)
        ws.set_row(r, paper.row_height({1: content, 3: str(row.get("ma_minh_chung") or ""),
                                        4: str(row.get("ghi_chu") or "")}, sheet_widths("indicators"), 12, minimum=48))
        r += 1
    ws.set_row(HEADER_ROW, 30)
    ws.freeze_panes(FIRST_DATA_ROW, 1)
    _protect(ws)
    _print(ws, "indicators", header_rows=HEADER_ROW)


def _write_evidence(ws, f: Formats, rows: list[dict[str, Any]]) -> None:
    for c, col in enumerate(EVIDENCE_COLUMNS):
        ws.set_column(c, c, col.width, f.unlocked_col)
    ws.write_string(0, 0, "DANH MỤC MINH CHỨNG", f.title)
    ws.set_row(0, 22, f.text)
    ws.set_row(1, paper.row_height(dict(enumerate(c.hint for c in EVIDENCE_COLUMNS)), sheet_widths("evidence"), 10,
                                   minimum=30), f.text)
    ws.set_row(HEADER_ROW, 30, f.text)
    for c, col in enumerate(EVIDENCE_COLUMNS):
        ws.write_string(1, c, col.hint, f.hint)
        ws.write_string(HEADER_ROW, c, col.header, f.header)
    for i, item in enumerate(rows):
        for c, col in enumerate(EVIDENCE_COLUMNS):
            if item.get(col.key) is not None:
                _put(ws, FIRST_DATA_ROW + i, c, item[col.key], f.input)
    last = FIRST_DATA_ROW + max(EVIDENCE_ROWS, len(rows)) - 1
    ws.autofilter(HEADER_ROW, 0, last, len(EVIDENCE_COLUMNS) - 1)
    ws.freeze_panes(FIRST_DATA_ROW, 0)
    _protect(ws)
    _print(ws, "evidence", header_rows=HEADER_ROW)


COMMITTEE_ROWS = 30


def _write_committee(ws, f: Formats, rows: list[dict[str, Any]]) -> None:
    """dossier.md: the self-assessment team (STT, Họ và tên, Chức vụ, Nhiệm vụ trong Tổ with a dropdown)."""
    for c, col in enumerate(COMMITTEE_COLUMNS):
        ws.set_column(c, c, col.width, f.unlocked_col)
    ws.write_string(0, 0, "DANH SÁCH TỔ ĐÁNH GIÁ (cho hồ sơ đề nghị công nhận)", f.title)
    ws.set_row(0, 22, f.text)
    ws.set_row(1, 30, f.text)
    ws.set_row(HEADER_ROW, 30, f.text)
    last = FIRST_DATA_ROW + max(COMMITTEE_ROWS, len(rows)) - 1
    for c, col in enumerate(COMMITTEE_COLUMNS):
        ws.write_string(1, c, col.hint, f.hint)
        ws.write_string(HEADER_ROW, c, col.header, f.header)
        if col.kind == "role":
            _validation(ws, FIRST_DATA_ROW, c, last, COMMITTEE_ROLES.labels, col.header, col.hint)
    for i, item in enumerate(rows):
        for c, col in enumerate(COMMITTEE_COLUMNS):
            if item.get(col.key) is not None:
                _put(ws, FIRST_DATA_ROW + i, c, item[col.key], f.input)
    ws.freeze_panes(FIRST_DATA_ROW, 0)
    _protect(ws)
    paper.setup(ws, sheet_widths("committee"), header_rows=HEADER_ROW, min_font=10, rows=last + 1)


def template_meta(book: Rulebook, tier: str) -> dict[str, str]:
    return {"template_version": TEMPLATE_VERSION, "tier": tier, "rulebook": book.id,
            "rulebook_version": book.version, "generator": f"dvht-sheets {__version__}"}


def write_workbook(target: str | Path | BinaryIO, book: Rulebook, tier: str, data: WorkbookData | None = None) -> None:
    """The standard workbook for a tier and rulebook; blank unless data is given."""
    data = data or WorkbookData()
    wb = xlsxwriter.Workbook(target, {"strings_to_numbers": False, "strings_to_formulas": False,
                                      "strings_to_urls": False,
                                      "default_format_properties": dict(paper.DEFAULT_FONT)})
    wb.set_properties({"title": "Tự đánh giá “Đơn vị học tập”", "author": "dvht-sheets", "created": FIXED_DATE,
                       "comments": f"Mẫu {TEMPLATE_VERSION}, {book.id}, {tier}"})
    f = Formats(wb, TEMPLATE)
    sheets = {s.key: wb.add_worksheet(s.name) for s in (SHEET_GUIDE, SHEET_UNIT, SHEET_MEMBERS, SHEET_INDICATORS,
                                                         SHEET_EVIDENCE)}
    committee_ws = wb.add_worksheet(SHEET_COMMITTEE.name) if data.committee is not None else None
    meta_ws = wb.add_worksheet(SHEET_META.name) if data.meta != {} else None
    lists = _Lists(meta_ws if meta_ws is not None else wb.add_worksheet("_lists"), f.text)
    _write_guide(sheets["guide"], f, book, tier)
    _write_unit(sheets["unit"], f, lists, data.unit)
    _write_members(sheets["members"], f, lists, data.members)
    _write_indicators(sheets["indicators"], f, lists, book, tier, data.indicators)
    _write_evidence(sheets["evidence"], f, data.evidence)
    if committee_ws is not None:
        _write_committee(committee_ws, f, data.committee)
    meta = template_meta(book, tier) if data.meta is None else data.meta
    hidden = meta_ws if meta_ws is not None else lists.ws
    for i, (k, v) in enumerate(meta.items()):
        hidden.write_string(i, 0, k, f.text)
        hidden.write_string(i, 1, str(v), f.text)
    hidden.hide()
    _protect(hidden)
    wb.close()


def template_name(book: Rulebook, tier: str) -> str:
    return f"mau-dvht-{book.id}-cap-{tier}.xlsx" if book.scheme == "levels" else f"mau-dvht-{book.id}.xlsx"
