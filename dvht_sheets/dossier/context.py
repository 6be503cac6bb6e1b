"""UnitResult + Submission → the plain dict a dossier template is rendered with (pure: no I/O, no clock).

Every number comes from the same result objects as the result workbook's `Kết quả` sheet and the JSON: the
measured text is IndicatorResult.measured ("38/40 = 95,00 %", written by evaluate.py with model.vn_percent), the
results are IndicatorResult.met. Nothing is recomputed here. A field the workbook leaves empty is a dotted blank
("…………", dossier.md); text the tool cannot know is a clearly marked placeholder in the template itself.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from .. import rulebook as rulebooks
from ..model import IndicatorResult, Submission, UnitResult
from ..present import met_word, points_text
from ..schema import COMMITTEE_ROLES, OWNERSHIP, TIER_LABEL, code_key, text_of
from .render import DOTS

DVHT = "“Đơn vị học tập”"
BLANK_DATE = "ngày …… tháng …… năm ……"
BLANK_MONTH = "tháng …… năm ……"


def dots(value: Any) -> str:
    text = text_of(value) if value is not None else ""
    return text or DOTS


def _as_date(value: Any) -> dt.date | None:
    from ..validate import parse_date

    if value is None:
        return None
    parsed = parse_date(value)
    return parsed if isinstance(parsed, dt.date) else None


def vn_date(value: Any) -> str:
    """dossier.md: "ngày 15 tháng 01 năm 2026" (NĐ 30: day and month below 10 with a leading zero)."""
    day = _as_date(value)
    if day is None:
        return BLANK_DATE if value is None or not text_of(value) else text_of(value)
    return f"ngày {day.day:02d} tháng {day.month:02d} năm {day.year}"


def vn_month(value: Any) -> str:
    day = _as_date(value)
    return f"tháng {day.month:02d} năm {day.year}" if day else BLANK_MONTH


def target_level(result: UnitResult) -> int:
    """The level the documents are written for: the highest level the data supports, else level 1 (the level the
    unit failed, so its Bản tổng hợp shows what is missing). TT 22 years have the one level 1."""
    return result.level if result.level else 1


def level_text(result: UnitResult) -> str:
    if result.scheme == "points":
        return f"xếp loại {result.grade}"
    return f"mức độ {result.level}" if result.level else f"mức độ {DOTS}"


def _indicator_row(ind: IndicatorResult) -> dict:
    if not ind.applicable:
        measured = "—"
    else:
        measured = ind.measured or "chưa có số liệu"
    return {
        "ma": ind.id, "noi_dung": ind.text.rstrip(". "), "can_cu": ind.citation, "yeu_cau": ind.requirement or "—",
        "so_lieu": measured, "minh_chung": "; ".join(ind.evidence) if ind.evidence else "không có",
        "ket_qua": met_word(ind), "ly_do": ind.reason, "diem": points_text(ind.points),
        "diem_toi_da": points_text(ind.max_points),
    }


def _summary_sentence(rows: list[IndicatorResult]) -> str:
    parts = []
    for ind in rows:
        word = met_word(ind)
        if not ind.applicable:
            parts.append(f"chỉ tiêu {ind.id} không áp dụng")
        elif not ind.measured or ind.measured == word:
            parts.append(f"chỉ tiêu {ind.id}: {word}")
        else:
            parts.append(f"chỉ tiêu {ind.id}: {ind.measured} ({word})")
    met = all(i.met for i in rows if i.applicable)
    return ("đạt; " if met else "không đạt; ") + "; ".join(parts) + "."


def criteria(result: UnitResult, level: int) -> list[dict]:
    book = rulebooks.get(result.rulebook) if result.rulebook else None
    rows = [i for i in result.indicators if i.level == level]
    out = []
    for n in sorted({i.criterion for i in rows}):
        mine = [i for i in rows if i.criterion == n]
        name = book.criteria.get(n, "") if book else ""
        met = all(i.met for i in mine if i.applicable)
        out.append({"so": n, "ten": f"Tiêu chí {n}" + (f". {name}" if name else ""),
                    "ket_qua": "Đạt" if met else "Không đạt", "tom_tat": _summary_sentence(mine),
                    "chi_tieu": [_indicator_row(i) for i in mine]})
    return out


def _committee(sub: Submission | None) -> list[dict]:
    if sub is None:
        return []
    ordered = sorted(sub.committee, key=lambda m: (COMMITTEE_ROLES.rank(m.role), m.row))
    return [{"stt": i, "ho_ten": m.name, "chuc_vu": dots(m.position), "nhiem_vu": COMMITTEE_ROLES.label(m.role),
             "vai_tro": m.role} for i, m in enumerate(ordered, start=1)]


def evidence_groups(result: UnitResult, sub: Submission | None) -> list[dict]:
    """dossier.md 8: every row of `Minh chứng`, grouped by the tiêu chí of the chỉ tiêu it is used for (the chỉ tiêu
    that cite its code in `Chỉ tiêu`, and those named in its own `Dùng cho chỉ tiêu`)."""
    if sub is None:
        return []
    book = rulebooks.get(result.rulebook) if result.rulebook else None
    used: dict[str, set[str]] = {key: set(ev.for_ids) for key, ev in sub.evidence.items()}
    for row in sub.indicators.values():
        for code in row.codes:
            key = code_key(code)
            if key in used:
                used[key].add(row.id)
    groups: dict[int, list] = {}
    for key, ev in sub.evidence.items():
        ids = sorted(used[key], key=_id_order)
        crit = min((int(i.split(".")[0]) for i in ids), default=0)
        groups.setdefault(crit, []).append((ev, ids))
    out, stt = [], 0
    for crit in sorted(groups, key=lambda c: (c == 0, c)):
        items = []
        for ev, ids in groups[crit]:
            stt += 1
            items.append({"stt": stt, "ma": ev.code, "ten": dots(ev.name), "so_ngay": dots(ev.issued),
                          "noi_ban_hanh": dots(ev.issuer), "chi_tieu": "; ".join(ids) if ids else "—"})
        name = (book.criteria.get(crit, "") if book else "") if crit else ""
        title = (f"Tiêu chí {crit}" + (f". {name}" if name else "")) if crit else "Minh chứng chung (chưa gắn chỉ tiêu)"
        out.append({"ten": title, "ds": items})
    return out


def _id_order(ident: str) -> tuple[int, ...]:
    return tuple(int(x) for x in ident.split(".") if x.isdigit())


ABBREVIATIONS = {
    "BGDĐT": "Bộ Giáo dục và Đào tạo", "GD&ĐT": "Giáo dục và Đào tạo", "TT": "Thông tư", "QĐ": "Quyết định",
    "NĐ": "Nghị định", "CP": "Chính phủ", "UBND": "Ủy ban nhân dân", "HĐND": "Hội đồng nhân dân", "TTr": "Tờ trình",
    "BC": "Báo cáo", "BB": "Biên bản", "KH": "Kế hoạch", "VT": "Văn thư", "HĐ": "Hội đồng", "CBQL": "Cán bộ quản lý",
    "GV": "Giáo viên", "NV": "Nhân viên", "NLĐ": "Người lao động", "MN": "Mầm non", "TH": "Tiểu học",
    "THCS": "Trung học cơ sở", "THPT": "Trung học phổ thông", "PTDTBT": "Phổ thông dân tộc bán trú",
    "PTDTNT": "Phổ thông dân tộc nội trú", "GDTX": "Giáo dục thường xuyên", "GDNN": "Giáo dục nghề nghiệp",
    "ĐH": "Đại học", "CĐ": "Cao đẳng", "ĐVSN": "Đơn vị sự nghiệp", "CĐS": "Chuyển đổi số",
    "DTTS": "Dân tộc thiểu số", "LĐTT": "Lao động tiên tiến", "CSTĐ": "Chiến sĩ thi đua", "CSTĐCS": "Chiến sĩ thi đua cơ sở",
    "KHVN": "Khuyến học Việt Nam", "CNTT": "Công nghệ thông tin",
}
# Written by the shipped templates themselves (Số: …/TTr-…, Lưu: VT …), whatever the data.
TEMPLATE_ABBREVIATIONS = ("TTr", "BC", "BB", "VT")


def abbreviations(context: dict) -> list[dict]:
    """dossier.md 5: the abbreviations the documents actually use: those of the shipped templates, the unit's own
    ký hiệu, and every known abbreviation found in the text the documents are filled with."""
    text = " ".join(_strings(context))
    used = [a for a in ABBREVIATIONS
            if a in TEMPLATE_ABBREVIATIONS or re.search(rf"(?<![\w]){re.escape(a)}(?![\w])", text)]
    rows = [(a, ABBREVIATIONS[a]) for a in used]
    code = context.get("ky_hieu")
    if code and code != DOTS and code not in ABBREVIATIONS:
        rows.append((code, context.get("ten_don_vi", DOTS)))
    rows.sort(key=lambda r: r[0].casefold())
    return [{"stt": i, "chu": a, "nghia": meaning} for i, (a, meaning) in enumerate(rows, start=1)]


def _strings(value: Any):
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for v in value.values():
            yield from _strings(v)
    elif isinstance(value, (list, tuple)):
        for v in value:
            yield from _strings(v)


def unit_context(result: UnitResult, sub: Submission | None) -> dict:
    """Everything the unit's eight documents show. result must be evaluated."""
    unit = sub.unit if sub is not None else {}
    book = rulebooks.get(result.rulebook)
    level = target_level(result)
    cap = TIER_LABEL.get(result.tier or "", DOTS)
    name = dots(result.unit_name)
    crits = criteria(result, level)
    committee = _committee(sub)
    receiver = dots(unit.get("co_quan_nhan"))
    proposed = level_text(result)
    ctx: dict[str, Any] = {
        "co_quan_chu_quan": dots(unit.get("co_quan_chu_quan")), "ten_don_vi": name,
        "ma_don_vi": dots(result.unit_code), "ky_hieu": dots(unit.get("ky_hieu")),
        "dia_danh": dots(unit.get("dia_danh")), "co_quan_nhan": receiver, "thu_truong": dots(unit.get("thu_truong")),
        "chuc_vu_thu_truong": dots(unit.get("chuc_vu_thu_truong")), "nguoi_lap": dots(unit.get("nguoi_lap")),
        "lien_he": dots(unit.get("lien_he")),
        "ngay_van_ban": vn_date(unit.get("ngay_lap")), "thang_nam_van_ban": vn_month(unit.get("ngay_lap")),
        "ngay_hop": vn_date(unit.get("ngay_hop")) if unit.get("ngay_hop") is not None else BLANK_DATE,
        "cap": cap, "nam": str(result.year) if result.year else DOTS,
        "loai_don_vi": dots(result.unit_kind),
        "loai_hinh": f", {OWNERSHIP.label(result.ownership).lower()}" if result.ownership else "",
        "dia_ban": ", ".join(text_of(unit[k]) for k in ("dia_ban_xa", "dia_ban_tinh") if unit.get(k)) or DOTS,
        "so_thanh_vien": str(result.members if result.members is not None else DOTS),
        "khong_tinh": f" (không tính {result.excluded} người, có ghi lý do ở trang Thành viên)" if result.excluded
        else "",
        "to_danh_gia": committee, "so_to_danh_gia": str(len(committee)) if committee else DOTS,
        "to_truong": next((m["ho_ten"] for m in committee if m["vai_tro"] == "to_truong"), DOTS),
        "thu_ky": next((m["ho_ten"] for m in committee if m["vai_tro"] == "thu_ky"), DOTS),
        "van_ban": book.name, "tieu_chi": crits, "ket_luan": result.conclusion,
        "muc_do_de_nghi": proposed,
        "muc_do_doi_chieu": (f"yêu cầu {cap} mức độ {level}" if result.scheme == "levels"
                             else "thang điểm 100 (điểm tối đa từng chỉ tiêu)"),
        "dvht": DVHT,
    }
    ctx["can_cu"] = _grounds(book, result, sub, name)
    ctx["ghi_chu_muc_do"] = _requested_note(result)
    ctx["diem_manh"], ctx["ton_tai"] = _strengths(result, level)
    if result.level:
        ctx["kien_nghi"] = (f"Đề nghị {receiver} xem xét, trình cấp có thẩm quyền công nhận {name} đạt {DVHT} {cap} "
                            f"{proposed} năm {ctx['nam']}.")
        ctx["de_nghi_bien_ban"] = f"đề nghị công nhận đơn vị đạt {DVHT} {cap} {proposed} năm {ctx['nam']}."
    else:
        ctx["kien_nghi"] = (f"Đơn vị chưa đạt {DVHT} {cap} năm {ctx['nam']} ({result.conclusion}); chưa đề nghị "
                            "công nhận, tiếp tục khắc phục các chỉ tiêu chưa đạt.")
        ctx["de_nghi_bien_ban"] = "đơn vị chưa đủ điều kiện đề nghị công nhận; tiếp tục khắc phục các chỉ tiêu chưa đạt."
    if result.scheme == "points":
        ctx.update(diem=points_text(result.points), diem_toi_da=points_text(result.max_points), xep_loai=dots(result.grade))
    groups = evidence_groups(result, sub)
    ctx["minh_chung"] = groups
    ctx["so_minh_chung"] = str(sum(len(g["ds"]) for g in groups))
    ctx["viet_tat"] = abbreviations(ctx)
    return ctx


def _grounds(book, result: UnitResult, sub: Submission | None, name: str) -> list[str]:
    """dossier.md 2: căn cứ TT 24/2023 (or TT 22/2020 for its years) and the unit's plan (its 1.1 evidence)."""
    out = [f"Căn cứ {book.name} của Bộ trưởng Bộ Giáo dục và Đào tạo ban hành {book.title}"]
    plan = None
    if sub is not None:
        for ind in result.indicators:
            if ind.id == "1.1" and ind.evidence:
                plan = sub.evidence.get(code_key(ind.evidence[0]))
                break
    if plan is not None and plan.name:
        out.append(f"Căn cứ {plan.name[0].lower() + plan.name[1:]}" + (f" ({plan.issued})" if plan.issued else ""))
    else:
        out.append(f"Căn cứ Kế hoạch số {DOTS} về xây dựng {DVHT} năm {result.year} của {name}")
    out.append(f"Căn cứ kết quả tự đánh giá của Tổ tự đánh giá {DVHT} năm {result.year}")
    return out


def _requested_note(result: UnitResult) -> str:
    requested = result.requested_level
    if result.scheme != "levels" or not requested or not result.level or requested == result.level:
        return ""
    if requested > result.level:
        return (f"Đơn vị đăng ký mức độ {requested} nhưng số liệu chỉ đáp ứng mức độ {result.level} (chưa đạt mức độ "
                f"{requested} ở các chỉ tiêu {', '.join(result.failing(requested))}), nên đề nghị công nhận mức độ "
                f"{result.level}.")
    return (f"Đơn vị đăng ký mức độ {requested}; số liệu đáp ứng mức độ {result.level} nên đề nghị công nhận mức độ "
            f"{result.level}.")


def _strengths(result: UnitResult, level: int) -> tuple[list[str], list[str]]:
    rows = [i for i in result.indicators if i.level == level and i.applicable]
    strong = [f"Chỉ tiêu {i.id}: {i.measured} (yêu cầu {i.requirement})." if i.kind == "percent_members" else
              f"Chỉ tiêu {i.id}: {i.text.rstrip('. ')} – {i.measured or 'Đạt'}." for i in rows if i.met]
    weak = [f"Chỉ tiêu {i.id} (mức độ {level}) chưa đạt: {i.reason}." for i in rows if not i.met]
    if result.scheme == "levels" and result.level and result.level < 2:
        weak += [f"Chỉ tiêu {i.id} chưa đạt mức độ {result.level + 1}: {i.reason}." for i in result.indicators
                 if i.level == result.level + 1 and i.applicable and not i.met]
    return (strong or ["Chưa có chỉ tiêu nào đạt."]), (weak or [f"Không có chỉ tiêu chưa đạt ở {level_text(result)}."])
