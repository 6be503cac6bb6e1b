"""The straightforward peer: the same batch as `dvht batch`, written the way a good engineer writes it in an afternoon.

    python benchmarks/peer.py INPUT_DIR OUTPUT_DIR [--jobs 2]

It is the yardstick of issue 13 ("twice a straightforward fast pipeline"): no tricks, only the obvious fast choices.
- read with python-calamine (the four school sheets, as Python lists);
- the TT 24/2023 counts in plain Python for the unit's tier (2.1–2.5 and 3.1 over the counted members, 3.1 also over
  the learners when they count; the unit-level answers 1.x, 3.2–3.6; evidence codes), thresholds, texts and
  applicability read once from the bundled rulebook TOML;
- each unit's result workbook written with xlsxwriter's public API in memory (`Kết quả` with the arithmetic, Đạt /
  Không đạt per level and the reasons; copies of the four school sheets with the same fills and notes on the cells
  with findings; `Lỗi dữ liệu` with links; hidden `_meta`), then the bytes written to the file;
- the summary in the main process: tong-hop.xlsx (xlsxwriter constant_memory: `Tổng hợp` one row per unit, the long
  form `Chỉ tiêu`, `Lỗi dữ liệu`, `_meta`), tong-hop.csv (UTF-8 with BOM) and ket-qua.json (streamed);
- 2 processes with multiprocessing.Pool.imap, chunksize 8.

It understands the standard template as it is meant to be filled (what the benchmark generates); it does not attempt
the tool's tolerance of hand-made workbooks, so it is a floor for the work, not a replacement for the tool.
tests/test_benchmark.py checks that its counts and levels agree with the tool's on the benchmark's workbooks.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import hashlib
import io
import json
import multiprocessing
import re
import sys
import tomllib
from pathlib import Path

import python_calamine
import xlsxwriter

ROOT = Path(__file__).resolve().parents[1]
RULEBOOK = ROOT / "dvht_sheets" / "rulebooks" / "tt24_2023.toml"
TOOL = "dvht-peer 1.0"

GREEN, RED, GREY, AMBER, BLUE, LIGHT_GREEN = "#C6EFCE", "#FFC7CE", "#E7E6E6", "#FFEB9C", "#DDEBF7", "#E2EFDA"
SHEETS = {"unit": "Thông tin đơn vị", "members": "Thành viên", "indicators": "Chỉ tiêu", "evidence": "Minh chứng"}
SEVERITY_LABEL = {"fatal": "Nghiêm trọng", "error": "Lỗi", "warning": "Cảnh báo"}
TIER_LABEL = {"huyen": "cấp huyện", "tinh": "cấp tỉnh"}

# --------------------------------------------------------------------------------------------- vocabulary

YES = {"có", "c", "x", "✓", "✔", "v", "1", "đạt", "đ", "yes", "true", "co"}
NO = {"không", "k", "0", "-", "✗", "không đạt", "chưa đạt", "cđ", "no", "false", "khong"}
CERT = re.compile(r"(chứng chỉ|chứng nhận|\b[abc][12]\b|bậc [1-6]|vstep|ielts|toeic|toefl|tiếng \w+)")
CERT_NEGATION = re.compile(r"\b(chưa|không|đang học|đang chờ)\b")
INDIVIDUAL = {"lao động tiên tiến": 1, "lđtt": 1, "chiến sĩ thi đua cơ sở": 2, "cstđcs": 2, "cstđ cơ sở": 2,
              "chiến sĩ thi đua cấp bộ, ngành, tỉnh": 3, "chiến sĩ thi đua toàn quốc": 4, "": 0}
COLLECTIVE = {"không có danh hiệu": 0, "không": 0, "tập thể lao động tiên tiến": 1, "ttlđtt": 1,
              "tập thể lao động xuất sắc": 2, "ttlđxs": 2, "cờ thi đua cấp bộ, ngành, tỉnh": 3,
              "cờ thi đua của chính phủ": 4}
COLLECTIVE_LABEL = {1: "Tập thể lao động tiên tiến"}
DIGITAL = {"chưa đáp ứng": 0, "đáp ứng cơ bản": 1, "cơ bản": 1, "đáp ứng tốt": 2, "tốt": 2}
DIGITAL_LABEL = {"co_ban": (1, "Đáp ứng cơ bản"), "tot": (2, "Đáp ứng tốt")}
CONDITION = {"đạt": "Đạt", "không đạt": "Không đạt", "không áp dụng": "Không áp dụng"}

# Loại đơn vị (dropdown label) → (inferred tier, facts). "school": public when Loại hình is Công lập or blank;
# "learners_tinh": learners count only at the provincial tier (PTDTNT).
S, D = "school", "digital_school"
KINDS = {
    "Nhà trẻ / Mẫu giáo / Mầm non": ("huyen", {S}), "Tiểu học": ("huyen", {S, D}), "THCS": ("huyen", {S, D}),
    "TH&THCS": ("huyen", {S, D}), "PTDTBT": ("huyen", {S, D}), "THPT": ("tinh", {S, D, "learners"}),
    "THCS&THPT": ("tinh", {S, D, "learners"}), "PTDTNT": ("tinh", {S, D, "learners_tinh"}),
    "Trung tâm GDTX / GDNN-GDTX": ("tinh", {S, D, "learners"}), "Cơ sở GDNN": ("tinh", {S, "learners", "vocational"}),
    "Trường cao đẳng": ("tinh", {S, "learners", "vocational"}), "Trường đại học": ("tinh", {S, "learners", "university"}),
    "Cơ quan nhà nước": (None, {"public_body"}), "Đơn vị sự nghiệp công lập": (None, {"public_body"}),
    "Tổ chức kinh tế": (None, {"economic_org"}), "Tổ chức xã hội / khác": (None, set()),
}
TRAIT_LABEL = {
    "all": "mọi đơn vị", "public_body": "cơ quan nhà nước, đơn vị sự nghiệp công lập (kể cả trường công lập)",
    "not_economic_org": "đơn vị không phải tổ chức kinh tế", "digital_school": "cơ sở giáo dục phổ thông, trung tâm "
    "GDTX (QĐ 4725)", "vocational": "cơ sở giáo dục nghề nghiệp", "university": "cơ sở giáo dục đại học (QĐ 4740)",
}
UNIT_LABELS = {"Tên đơn vị": "ten_don_vi", "Mã đơn vị": "ma_don_vi", "Loại đơn vị": "loai_don_vi",
               "Loại hình": "loai_hinh", "Cấp đánh giá": "cap_danh_gia", "Mức độ đề nghị": "muc_do_de_nghi",
               "Năm đánh giá": "nam_danh_gia", "Tổng số người học": "so_nguoi_hoc",
               "Số người học đạt “Công dân học tập”": "so_nguoi_hoc_cdht"}
MEMBER_COLUMNS = {"Họ và tên": "ho_ten", "Tính vào tổng số": "tinh_vao_tong",
                  "Tuân thủ kỷ luật lao động, nội quy (2.1)": "tuan_thu_ky_luat",
                  "Hoàn thành chương trình học tập, bồi dưỡng (2.2)": "hoan_thanh_boi_duong",
                  "Được bồi dưỡng, tham gia chuyển đổi số (2.3)": "tham_gia_cds",
                  "Có chứng chỉ/chứng nhận ngoại ngữ hoặc tiếng DTTS (2.4)": "chung_chi_ngoai_ngu",
                  "Trình độ ngoại ngữ/tiếng DTTS đáp ứng yêu cầu công việc (2.4, mức độ 2)": "trinh_do_ngoai_ngu",
                  "Danh hiệu thi đua (2.5)": "danh_hieu", "Đạt “Công dân học tập” (3.1)": "cong_dan_hoc_tap",
                  "Ghi chú": "ghi_chu"}
YES_NO_FIELDS = ["tuan_thu_ky_luat", "hoan_thanh_boi_duong", "tham_gia_cds", "trinh_do_ngoai_ngu", "cong_dan_hoc_tap"]


def col_letter(c: int) -> str:
    out = ""
    c += 1
    while c:
        c, rem = divmod(c - 1, 26)
        out = chr(65 + rem) + out
    return out


def text(v) -> str:
    if v is None:
        return ""
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    return str(v).strip()


def pct_text(num: int, den: int) -> str:
    hundredths = (num * 20000 + den) // (2 * den)  # round half up, in integers
    whole, frac = divmod(hundredths, 100)
    return f"{whole},{frac:02d} %"


def meets(num: int, den: int, threshold: float) -> bool:
    return den > 0 and num * 100 >= threshold * den


# --------------------------------------------------------------------------------------------- the rulebook

class Rules:
    def __init__(self) -> None:
        book = tomllib.loads(RULEBOOK.read_text(encoding="utf-8"))
        self.id, self.version = book["id"], book["version"]
        self.levels = book["levels"]
        self.rules = book["rules"]

    def for_tier(self, tier: str):
        keys = [k for k, lv in self.levels.items() if lv["tier"] == tier]
        return keys, [r for r in self.rules if tier in r["tiers"]]


def per_level(value, key):
    return value.get(key) if isinstance(value, dict) else value


# --------------------------------------------------------------------------------------------- one unit

class Unit:
    """Everything the peer knows about one workbook: values, findings, results."""

    def __init__(self, path: Path, data: bytes):
        self.file, self.sha256 = path.name, hashlib.sha256(data).hexdigest()
        self.grids: dict[str, list[list]] = {}
        self.unit: dict[str, object] = {}
        self.cells: dict[str, str] = {}
        self.findings: list[dict] = []
        self.members = 0
        self.excluded = 0
        self.indicators: list[dict] = []
        self.level: int | None = None
        self.evaluated = False
        self.tier: str | None = None
        self.kind: str | None = None
        self.conclusion = ""
        self.requested: int | None = None

    def add(self, code: str, severity: str, sheet: str | None, cell: str | None, message: str) -> None:
        self.findings.append({"code": code, "severity": severity, "sheet": sheet, "cell": cell, "message": message})


def yes_no(v) -> bool | None:
    if v is None or v == "":
        return False
    key = text(v).lower()
    if key in YES:
        return True
    if key in NO:
        return False
    return None


def certificate(v) -> bool | None:
    key = text(v).lower()
    if CERT_NEGATION.search(key):
        return False
    word = yes_no(v)
    if word is not None:
        return word
    return True if CERT.search(key) else None


def read_unit(u: Unit, book: Rules) -> None:
    grid = u.grids.get(SHEETS["unit"])
    if grid is None:
        u.add("sheet-missing", "fatal", None, None, f"Không có trang '{SHEETS['unit']}'.")
        return
    for r, row in enumerate(grid):
        label = text(row[0]).rstrip(" *") if row else ""
        key = UNIT_LABELS.get(label)
        if key:
            u.unit[key] = row[1] if len(row) > 1 else None
            u.cells[key] = f"B{r + 1}"
    kind = text(u.unit.get("loai_don_vi"))
    if kind not in KINDS:
        u.add("unit-kind-invalid", "fatal", SHEETS["unit"], u.cells.get("loai_don_vi"),
              f"Ô {u.cells.get('loai_don_vi', '?')}: loại đơn vị '{kind}' không thuộc danh mục.")
        return
    u.kind = kind
    tier = {"Cấp huyện": "huyen", "Cấp tỉnh": "tinh"}.get(text(u.unit.get("cap_danh_gia")))
    if tier is None:
        tier = KINDS[kind][0] or "huyen"
        u.add("unit-tier-inferred", "warning", SHEETS["unit"], u.cells.get("cap_danh_gia"),
              f"Ô {u.cells.get('cap_danh_gia')} 'Cấp đánh giá' để trống; theo loại đơn vị '{kind}' được hiểu là "
              f"{TIER_LABEL[tier]}.")
    u.tier = tier
    year = u.unit.get("nam_danh_gia")
    if not isinstance(year, (int, float)) or not 2024 <= year <= 9999:
        u.add("unit-year-invalid", "fatal", SHEETS["unit"], u.cells.get("nam_danh_gia"),
              f"Ô {u.cells.get('nam_danh_gia')}: năm đánh giá '{text(year)}' không hợp lệ (TT 24 từ 2024).")
        return
    u.unit["nam_danh_gia"] = int(year)


def traits_of(u: Unit) -> set[str]:
    """The rulebook's applies_to names that fit the unit."""
    facts = KINDS[u.kind][1]
    out = {"all"} | (facts - {"school", "learners_tinh"})
    if "school" in facts and text(u.unit.get("loai_hinh")) in ("", "Công lập"):
        out.add("public_body")
    if "learners_tinh" in facts and u.tier == "tinh":
        out.add("learners")
    if "economic_org" not in out:
        out.add("not_economic_org")
    return out


def count_members(u: Unit) -> dict[str, int]:
    """Counted members and, per yes/no field, how many say yes; titles ≥ LĐTT; level-2 language (either column)."""
    sheet = SHEETS["members"]
    grid = u.grids.get(sheet) or []
    header_row = next((r for r, row in enumerate(grid[:10]) if "Họ và tên" in row), None)
    counts = {f: 0 for f in YES_NO_FIELDS + ["chung_chi_ngoai_ngu", "ngoai_ngu_l2", "danh_hieu"]}
    if header_row is None:
        u.add("members-header-missing", "fatal", sheet, None, "Không tìm thấy dòng tiêu đề 'Họ và tên'.")
        return counts
    cols = {MEMBER_COLUMNS[h]: c for c, h in enumerate(grid[header_row]) if h in MEMBER_COLUMNS}
    labels = {v: k for k, v in MEMBER_COLUMNS.items()}

    def cell(row, key):
        c = cols.get(key)
        return row[c] if c is not None and c < len(row) else None

    def invalid(r, key, value):
        ref = f"{col_letter(cols[key])}{r + 1}"
        u.add("yes-no-invalid", "error", sheet, ref, f"Ô {ref} ('{labels[key]}') có giá trị '{text(value)}', không "
              "hiểu là Có hay Không; tạm tính là Không. Hãy nhập Có hoặc Không.")

    for r in range(header_row + 1, len(grid)):
        row = grid[r]
        if not any(v not in (None, "") for v in row):
            continue
        if not text(cell(row, "ho_ten")):
            u.add("member-name-missing", "error", sheet, f"B{r + 1}", f"Dòng {r + 1} có dữ liệu nhưng thiếu họ tên.")
            continue
        if text(cell(row, "tinh_vao_tong")).lower() in NO:
            u.excluded += 1
            continue
        u.members += 1
        flags = {}
        for key in YES_NO_FIELDS:
            value = cell(row, key)
            flag = yes_no(value)
            if flag is None:
                invalid(r, key, value)
            flags[key] = bool(flag)
            counts[key] += flags[key]
        value = cell(row, "chung_chi_ngoai_ngu")
        cert = certificate(value)
        if cert is None:
            invalid(r, "chung_chi_ngoai_ngu", value)
        counts["chung_chi_ngoai_ngu"] += bool(cert)
        counts["ngoai_ngu_l2"] += bool(cert) or flags["trinh_do_ngoai_ngu"]
        title = text(cell(row, "danh_hieu")).lower()
        rank = INDIVIDUAL.get(title)
        if rank is None:
            ref = f"{col_letter(cols['danh_hieu'])}{r + 1}"
            u.add("title-invalid", "error", sheet, ref, f"Ô {ref}: danh hiệu '{title}' không thuộc danh mục; tạm tính "
                  "là không có danh hiệu.")
            rank = 0
        counts["danh_hieu"] += rank >= 1
    return counts


def read_indicators(u: Unit) -> tuple[dict, dict]:
    rows, evidence = {}, {}
    for r, row in enumerate(u.grids.get(SHEETS["indicators"]) or []):
        ident = text(row[0]) if row else ""
        if re.fullmatch(r"\d\.\d", ident):
            codes = [c.strip() for c in re.split(r"[;,\n]", text(row[3]) if len(row) > 3 else "") if c.strip()]
            rows[ident] = (row[2] if len(row) > 2 else None, f"C{r + 1}", codes, f"D{r + 1}")
    for r, row in enumerate(u.grids.get(SHEETS["evidence"]) or []):
        if r < 3 or len(row) < 2 or not text(row[1]):
            continue
        key = re.sub(r"[\[\]\s]", "", text(row[1])).lower()
        uses = [x.strip() for x in re.split(r"[;,\s]+", text(row[5]) if len(row) > 5 else "") if x.strip()]
        evidence[key] = (text(row[1]), uses)
    return rows, evidence


def evaluate(u: Unit, book: Rules) -> None:
    read_unit(u, book)
    if any(f["severity"] == "fatal" for f in u.findings):
        u.conclusion = "Không đánh giá được"
        return
    counts = count_members(u)
    if any(f["severity"] == "fatal" for f in u.findings):
        u.conclusion = "Không đánh giá được"
        return
    rows, evidence = read_indicators(u)
    traits = traits_of(u)
    level_keys, rules = book.for_tier(u.tier)
    isheet = SHEETS["indicators"]
    reported: set[tuple] = set()

    def once(code, severity, cell, message):
        if (code, cell) not in reported:
            reported.add((code, cell))
            u.add(code, severity, isheet, cell, message)

    met_levels = []
    for lk in level_keys:
        lv = book.levels[lk]
        all_met = True
        for rule in rules:
            ident, kind = rule["id"], rule["kind"]
            res = {"id": ident, "level": lv["level"], "criterion": int(ident[0]), "text": per_level(rule["text"], lk),
                   "citation": f"Điều {lv['article']}.{ident[0]}.{rule['letter']}", "applicable": True, "met": None,
                   "requirement": "", "numerator": None, "denominator": None, "threshold": None, "measured": "",
                   "evidence": [], "reason": ""}
            u.indicators.append(res)
            target = per_level(rule.get("applies_to", "all"), lk) or "all"
            if target not in traits:
                res.update(applicable=False, requirement="—",
                           reason=f"Không áp dụng: chỉ áp dụng cho {TRAIT_LABEL[target]}")
                continue
            reasons = []
            answer, answer_cell, codes, codes_cell = rows.get(ident, (None, None, [], None))
            if kind == "percent_members":
                thr = per_level(rule["threshold"], lk)
                fields = per_level(rule["field"], lk)
                key = "ngoai_ngu_l2" if isinstance(fields, list) and len(fields) > 1 else (
                    fields[0] if isinstance(fields, list) else fields)
                num, den = counts[key], u.members
                res.update(numerator=num, denominator=den, threshold=thr, requirement=f"≥ {thr} % Thành viên")
                if den == 0:
                    res["measured"] = f"{num}/0"
                    reasons.append("không có Thành viên được tính (mẫu số 0)")
                else:
                    res["measured"] = f"{num}/{den} = {pct_text(num, den)}"
                    if not meets(num, den, thr):
                        need = -(-thr * den // 100) - num
                        reasons.append(f"{pct_text(num, den)} < {thr} %: còn thiếu {need} thành viên")
                lthr = per_level(rule.get("learners_threshold"), lk)
                if lthr is not None and "learners" in traits:
                    res["requirement"] += f"; người học ≥ {lthr} %"
                    total, ok = u.unit.get("so_nguoi_hoc"), u.unit.get("so_nguoi_hoc_cdht")
                    if not isinstance(total, (int, float)) or not isinstance(ok, (int, float)) or not total:
                        res["measured"] += "; người học: chưa có số liệu"
                        reasons.append("thiếu số liệu người học đạt “Công dân học tập”")
                    else:
                        total, ok = int(total), int(ok)
                        res["measured"] += f"; người học {ok}/{total} = {pct_text(ok, total)}"
                        if not meets(ok, total, lthr):
                            reasons.append(f"người học {pct_text(ok, total)} < {lthr} %")
            else:
                value = text(answer)
                low = value.lower()
                if kind == "unit_condition":
                    res["requirement"] = "Đạt"
                    label = CONDITION.get(low)
                    if label is None:
                        reasons.append("chưa nhập kết quả tự đánh giá" if not value else f"'{value}' không thuộc danh mục")
                        once("indicator-answer-invalid", "error", answer_cell,
                             f"Chỉ tiêu {ident}: kết quả '{value}' ở ô {answer_cell} không thuộc danh mục.")
                    else:
                        res["measured"] = label
                        if label == "Không đạt":
                            reasons.append("đơn vị tự đánh giá Không đạt")
                        elif label == "Không áp dụng":
                            reasons.append("ghi “Không áp dụng” nhưng chỉ tiêu có áp dụng cho đơn vị")
                else:
                    vocab = COLLECTIVE if kind == "title_at_least" else DIGITAL
                    minimum = per_level(rule["minimum"], lk)
                    need, need_label = (1, COLLECTIVE_LABEL[1]) if kind == "title_at_least" else DIGITAL_LABEL[minimum]
                    res["requirement"] = f"≥ {need_label}"
                    rank = vocab.get(low)
                    if rank is None:
                        reasons.append(f"'{value}' không thuộc danh mục")
                        once("indicator-answer-invalid", "error", answer_cell,
                             f"Chỉ tiêu {ident}: kết quả '{value}' ở ô {answer_cell} không thuộc danh mục.")
                    else:
                        res["measured"] = value
                        if rank < need:
                            reasons.append(f"{value} thấp hơn “{need_label}”")
            found = []
            for code in codes:
                ev = evidence.get(re.sub(r"[\[\]\s]", "", code).lower())
                if ev is None:
                    once("evidence-unknown", "error", codes_cell,
                         f"Mã minh chứng '{code}' ở ô {codes_cell} không có trong trang 'Minh chứng'.")
                elif ev[0] not in found:
                    found.append(ev[0])
            found += [code for code, uses in evidence.values() if ident in uses and code not in found]
            res["evidence"] = found
            if not found:
                once("evidence-none", "error", codes_cell, f"Chỉ tiêu {ident} chưa có minh chứng (ô {codes_cell}).")
                reasons.append("không có minh chứng (Điều 9.3 (cấp huyện), Điều 15.3 (cấp tỉnh))")
            res["met"] = not reasons
            res["reason"] = "; ".join(reasons) if reasons else (
                "Đạt" + (f": {res['measured']}" if kind == "percent_members" else ""))
            all_met = all_met and res["met"]
        if all_met:
            met_levels.append(lv["level"])
    u.evaluated = True
    u.level = max(met_levels, default=0)
    tier_text = TIER_LABEL[u.tier]
    if u.level:
        u.conclusion = f"Đạt “Đơn vị học tập” {tier_text} mức độ {u.level}"
    else:
        failing = ", ".join(i["id"] for i in u.indicators if i["level"] == 1 and i["applicable"] and not i["met"])
        u.conclusion = f"Chưa đạt “Đơn vị học tập” {tier_text} (mức độ 1 không đạt các chỉ tiêu: {failing})"
    requested = {"Mức độ 1": 1, "Mức độ 2": 2}.get(text(u.unit.get("muc_do_de_nghi")))
    if requested and requested > u.level:
        u.add("unit-requested-not-met", "warning", SHEETS["unit"], u.cells.get("muc_do_de_nghi"),
              f"Đơn vị đề nghị mức độ {requested} nhưng số liệu chỉ đáp ứng: "
              + (f"mức độ {u.level}." if u.level else "chưa đạt mức độ nào."))
    u.requested = requested


# --------------------------------------------------------------------------------------------- the unit workbook

def formats(wb):
    base = {"font_name": "Times New Roman", "font_size": 11, "valign": "top", "text_wrap": True}
    f = {
        "title": {**base, "bold": True, "font_size": 14, "text_wrap": False},
        "info": {**base, "text_wrap": False},
        "header": {**base, "bold": True, "bg_color": BLUE, "border": 1, "align": "center", "valign": "vcenter"},
        "cell": {**base, "border": 1}, "crit": {**base, "border": 1, "bold": True, "bg_color": "#FCE4D6"},
        "met": {**base, "border": 1, "bg_color": GREEN, "bold": True, "align": "center"},
        "not_met": {**base, "border": 1, "bg_color": RED, "bold": True, "align": "center"},
        "na": {**base, "border": 1, "bg_color": GREY, "align": "center"},
        "ok": {**base, "bold": True, "font_size": 13, "bg_color": GREEN, "text_wrap": False},
        "bad": {**base, "bold": True, "font_size": 13, "bg_color": RED, "text_wrap": False},
        "link": {**base, "border": 1, "font_color": "blue", "underline": 1},
        "sev_fatal": {**base, "border": 1, "bg_color": RED, "bold": True},
        "sev_error": {**base, "border": 1, "bg_color": RED}, "sev_warning": {**base, "border": 1, "bg_color": AMBER},
        "plain": {"font_name": "Times New Roman", "font_size": 11},
        "date": {"font_name": "Times New Roman", "font_size": 11, "num_format": "dd/mm/yyyy"},
        "mark_error": {"bg_color": RED, "border": 2, "border_color": "#C00000"},
        "mark_warning": {"bg_color": AMBER, "border": 1, "border_color": "#BF8F00"},
        "mark_error_date": {"bg_color": RED, "border": 1, "num_format": "dd/mm/yyyy"},
        "mark_warning_date": {"bg_color": AMBER, "border": 1, "num_format": "dd/mm/yyyy"},
    }
    return {k: wb.add_format(v) for k, v in f.items()}


def status(f, res):
    if res is None or not res["applicable"]:
        return "Không áp dụng", f["na"]
    return ("Đạt", f["met"]) if res["met"] else ("Không đạt", f["not_met"])


def write_result_sheet(ws, f, u: Unit, book: Rules) -> None:
    errors = sum(1 for x in u.findings if x["severity"] != "warning")
    warnings = len(u.findings) - errors
    intro = [("BẢN TỔNG HỢP KẾT QUẢ TỰ ĐÁNH GIÁ CÁC TIÊU CHÍ, CHỈ TIÊU “ĐƠN VỊ HỌC TẬP”", f["title"]),
             (f"Đơn vị: {text(u.unit.get('ten_don_vi')) or '?'} (mã {text(u.unit.get('ma_don_vi')) or '?'}); loại: "
              f"{u.kind or '?'}; đánh giá {TIER_LABEL.get(u.tier, '')}; năm {text(u.unit.get('nam_danh_gia')) or '?'}",
              f["info"]),
             (f"Căn cứ: {book.id} v{book.version}; Thành viên được tính: {u.members}"
              + (f" (không tính {u.excluded} người)" if u.excluded else ""), f["info"]),
             (f"KẾT LUẬN: {u.conclusion}", f["ok"] if u.level else f["bad"]),
             (f"Dữ liệu: {errors} lỗi, {warnings} cảnh báo (xem trang “Lỗi dữ liệu”).", f["info"])]
    for r, (value, fmt) in enumerate(intro):
        ws.write_string(r, 0, value, fmt)
    if not u.evaluated:
        return
    heads = ["Tiêu chí", "Mã", "Nội dung", "Căn cứ", "Yêu cầu mức độ 1", "Số liệu mức độ 1", "Kết quả mức độ 1",
             "Yêu cầu mức độ 2", "Số liệu mức độ 2", "Kết quả mức độ 2", "Minh chứng", "Lý do"]
    widths = [9, 6, 44, 13, 16, 22, 12, 16, 22, 12, 22, 40]
    for c, w in enumerate(widths):
        ws.set_column(c, c, w)
    for c, h in enumerate(heads):
        ws.write_string(6, c, h, f["header"])
    ws.set_row(6, 32)
    by = {(i["id"], i["level"]): i for i in u.indicators}
    ids = list(dict.fromkeys(i["id"] for i in u.indicators))
    r, current = 7, None
    for ident in ids:
        one, two = by.get((ident, 1)), by.get((ident, 2))
        first = one or two
        if first["criterion"] != current:
            current = first["criterion"]
            ws.write_string(r, 0, f"Tiêu chí {current}", f["crit"])
            ws.write_string(r, 2, "Tất cả chỉ tiêu áp dụng đều đạt", f["crit"])
            for c in (1, 3, 4, 5, 7, 8, 10, 11):
                ws.write_blank(r, c, None, f["crit"])
            for level, c in ((1, 6), (2, 9)):
                crit = [i for i in u.indicators if i["criterion"] == current and i["level"] == level]
                ok = all(i["met"] for i in crit if i["applicable"])
                ws.write_string(r, c, "Đạt" if ok else "Không đạt", f["met"] if ok else f["not_met"])
            r += 1
        content = first["text"] if not two or two["text"] == first["text"] else \
            f"Mức độ 1: {first['text']}\nMức độ 2: {two['text']}"
        pairs = [(name, res["reason"]) for name, res in (("Mức độ 1", one), ("Mức độ 2", two))
                 if res is not None and not (res["met"] and res["applicable"])]
        if len({reason for _, reason in pairs}) == 1 and len(pairs) == 2:
            reason = pairs[0][1]
        else:
            reason = "\n".join(f"{name}: {why}" for name, why in pairs) or "Đạt"
        label1, fmt1 = status(f, one)
        label2, fmt2 = status(f, two)
        values = [str(current), ident, content, "\n".join(x["citation"] for x in (one, two) if x),
                  one["requirement"] if one else "", one["measured"] if one and one["applicable"] else "", None,
                  two["requirement"] if two else "", two["measured"] if two and two["applicable"] else "", None,
                  "; ".join(first["evidence"]), reason]
        for c, value in enumerate(values):
            if c in (6, 9):
                ws.write_string(r, c, label1 if c == 6 else label2, fmt1 if c == 6 else fmt2)
            elif value:
                ws.write_string(r, c, value, f["cell"])
            else:
                ws.write_blank(r, c, None, f["cell"])
        lines = max(sum(max(1, -(-len(part) // int(widths[c] * 1.15))) for part in values[c].split("\n"))
                    for c in (2, 11))
        ws.set_row(r, min(409, 15 * lines + 3))
        r += 1
    ws.freeze_panes(7, 2)
    ws.set_paper(9)
    ws.set_landscape()
    ws.fit_to_pages(1, 0)
    ws.repeat_rows(6)


def copy_sheet(ws, f, grid: list[list], marks: dict[tuple[int, int], list[dict]]) -> None:
    width = max((len(row) for row in grid), default=0)
    if width:
        ws.set_column(0, width - 1, 16)
    worst = {pos: ("error" if any(x["severity"] != "warning" for x in items) else "warning")
             for pos, items in marks.items()}
    for r, row in enumerate(grid):
        for c, value in enumerate(row):
            sev = worst.get((r, c))
            fmt = f[f"mark_{sev}"] if sev else f["plain"]
            if isinstance(value, str):
                if value:
                    ws.write_string(r, c, value, fmt)
                elif sev:
                    ws.write_blank(r, c, None, fmt)
            elif isinstance(value, bool):
                ws.write_boolean(r, c, value, fmt)
            elif isinstance(value, (int, float)):
                ws.write_number(r, c, value, fmt)
            elif isinstance(value, (dt.datetime, dt.date)):
                ws.write_datetime(r, c, value, f[f"mark_{sev}_date"] if sev else f["date"])
            elif value is not None:
                ws.write_string(r, c, str(value), fmt)
    for (r, c), items in sorted(marks.items()):
        if r >= len(grid) or c >= len(grid[r]) or grid[r][c] in (None, ""):
            ws.write_blank(r, c, None, f[f"mark_{worst[(r, c)]}"])
        ws.write_comment(r, c, "\n".join(f"[{x['code']}] {x['message']}" for x in items)[:2000],
                         {"x_scale": 2.5, "y_scale": 2.2, "author": "dvht-peer"})
    ws.freeze_panes(3, 0)


def cell_pos(ref: str | None) -> tuple[int, int] | None:
    m = re.fullmatch(r"([A-Z]{1,3})(\d+)", ref or "")
    if not m:
        return None
    col = 0
    for ch in m.group(1):
        col = col * 26 + ord(ch) - 64
    return int(m.group(2)) - 1, col - 1


def write_unit_workbook(u: Unit, book: Rules) -> bytes:
    buf = io.BytesIO()
    wb = xlsxwriter.Workbook(buf, {"in_memory": True, "strings_to_numbers": False, "strings_to_formulas": False,
                                   "strings_to_urls": False})
    wb.set_properties({"title": f"Kết quả tự đánh giá {text(u.unit.get('ma_don_vi'))}", "author": TOOL})
    f = formats(wb)
    write_result_sheet(wb.add_worksheet("Kết quả"), f, u, book)
    marks: dict[str, dict[tuple[int, int], list[dict]]] = {}
    for item in u.findings:
        pos = cell_pos(item["cell"])
        if item["sheet"] and pos:
            marks.setdefault(item["sheet"], {}).setdefault(pos, []).append(item)
    copied = set()
    for name in SHEETS.values():
        if name in u.grids:
            copy_sheet(wb.add_worksheet(name), f, u.grids[name], marks.get(name, {}))
            copied.add(name)
    ws = wb.add_worksheet("Lỗi dữ liệu")
    for c, (h, w) in enumerate(zip(["STT", "Mức độ", "Mã lỗi", "Trang", "Ô", "Nội dung và cách sửa"],
                                   [6, 13, 24, 18, 8, 100])):
        ws.set_column(c, c, w)
        ws.write_string(0, c, h, f["header"])
    for i, item in enumerate(u.findings, start=1):
        ws.write_number(i, 0, i, f["cell"])
        ws.write_string(i, 1, SEVERITY_LABEL[item["severity"]], f[f"sev_{item['severity']}"])
        ws.write_string(i, 2, item["code"], f["cell"])
        ws.write_string(i, 3, item["sheet"] or "", f["cell"])
        if item["sheet"] in copied and item["cell"]:
            ws.write_url(i, 4, f"internal:'{item['sheet']}'!{item['cell']}", f["link"], item["cell"], "Đến ô có lỗi")
        else:
            ws.write_string(i, 4, item["cell"] or "", f["cell"])
        ws.write_string(i, 5, item["message"], f["cell"])
    ws.freeze_panes(1, 0)
    if u.findings:
        ws.autofilter(0, 0, len(u.findings), 5)
    meta = wb.add_worksheet("_meta")
    for r, (k, v) in enumerate([("tool", TOOL), ("rulebook", book.id), ("rulebook_version", book.version),
                                ("input_file", u.file), ("input_sha256", u.sha256)]):
        meta.write_string(r, 0, k, f["plain"])
        meta.write_string(r, 1, v, f["plain"])
    meta.set_column(0, 0, 18)
    meta.set_column(1, 1, 70)
    meta.hide()
    wb.close()
    return buf.getvalue()


# --------------------------------------------------------------------------------------------- the worker

_BOOK: Rules | None = None
_OUT: Path | None = None
PCT_COLUMNS = [("2.1", 1), ("2.2", 1), ("2.3", 1), ("2.4", 1), ("2.4", 2), ("2.5", 1), ("3.1", 1)]
UNIT_COLUMNS = ["1.1", "1.2", "1.3", "1.4", "1.5", "3.2", "3.3", "3.4", "3.5", "3.6"]


def init(out_dir: str) -> None:
    global _BOOK, _OUT
    _BOOK, _OUT = Rules(), Path(out_dir)


def process(path_text: str) -> dict:
    """One file → its result workbook on disk, and what the main process needs for the summary."""
    path = Path(path_text)
    data = path.read_bytes()
    u = Unit(path, data)
    try:
        wb = python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(data))
        for name in SHEETS.values():
            if name in wb.sheet_names:
                u.grids[name] = wb.get_sheet_by_name(name).to_python(skip_empty_area=False)
        evaluate(u, _BOOK)
    except Exception as exc:  # an unreadable file costs that file, not the batch
        u.add("file-unreadable", "fatal", None, None, f"Không đọc được tệp: {exc}")
        u.evaluated, u.conclusion = False, "Không đánh giá được"
    code = text(u.unit.get("ma_don_vi")) or path.stem
    output = "don-vi/" + re.sub(r"[^\w.-]+", "_", code) + "_ket-qua.xlsx"
    (_OUT / output).write_bytes(write_unit_workbook(u, _BOOK))
    by = {(i["id"], i["level"]): i for i in u.indicators}
    pct = []
    for ident, level in PCT_COLUMNS:
        res = by.get((ident, level))
        pct.append((res["numerator"] / res["denominator"] if res["applicable"] and res["denominator"] else None,
                    "N" if not res["applicable"] else "A" if res["met"] else "F") if res else (None, ""))
    unit_status = []
    for ident in UNIT_COLUMNS:
        one, two = by.get((ident, 1)), by.get((ident, 2))
        if one is None:
            unit_status.append("")
        elif not one["applicable"] and not (two and two["applicable"]):
            unit_status.append("N")
        else:
            m1, m2 = one["met"] or not one["applicable"], two is not None and (two["met"] or not two["applicable"])
            unit_status.append("A" if m1 and m2 else "B" if m1 else "X" if m2 else "F")
    result = ("Không đánh giá được" if not u.evaluated else
              {2: "Đạt mức độ 2", 1: "Đạt mức độ 1"}.get(u.level, "Không đạt"))
    errors = sum(1 for x in u.findings if x["severity"] != "warning")
    return {
        "row": [u.file, u.sha256, code, text(u.unit.get("ten_don_vi")), u.kind or "", text(u.unit.get("loai_hinh")),
                u.tier or "", u.unit.get("nam_danh_gia") or "", _BOOK.id, u.members, u.level,
                u.requested, result,
                ", ".join(i["id"] for i in u.indicators if i["level"] == 1 and i["applicable"] and not i["met"]),
                ", ".join(i["id"] for i in u.indicators if i["level"] == 2 and i["applicable"] and not i["met"]),
                errors, len(u.findings) - errors, output],
        "pct": pct, "unit_status": unit_status,
        # The summary's share of the indicators (ket-qua.json's keys; the long form reads the same dicts).
        "json": {"file": u.file, "sha256": u.sha256, "unit_code": code, "unit_name": text(u.unit.get("ten_don_vi")),
                 "unit_kind": u.kind, "tier": u.tier, "year": u.unit.get("nam_danh_gia"), "rulebook": _BOOK.id,
                 "members": u.members if u.evaluated else None, "level": u.level, "grade": None, "points": None,
                 "indicators": [{k: i[k] for k in ("id", "level", "applicable", "met", "numerator", "denominator")}
                                | {"percent": round(i["numerator"] * 100 / i["denominator"], 2)
                                   if i["denominator"] else None}
                                | {k: i[k] for k in ("threshold", "evidence", "reason")} for i in u.indicators],
                 "findings": u.findings},
    }


# --------------------------------------------------------------------------------------------- the summary

STATUS_FILL = {"A": GREEN, "B": LIGHT_GREEN, "X": AMBER, "F": RED, "N": GREY}
RESULT_FILL = {"Đạt mức độ 2": GREEN, "Đạt mức độ 1": LIGHT_GREEN, "Không đạt": RED, "Không đánh giá được": GREY}
HEADERS = (["STT", "Mã đơn vị", "Tên đơn vị", "Loại đơn vị", "Loại hình", "Cấp", "Năm", "Số thành viên", "Kết quả",
            "Mức đề nghị", "Mức đạt", "Chỉ tiêu chưa đạt MĐ1", "Chỉ tiêu chưa đạt MĐ2"]
           + ["2.1 (%)", "2.2 (%)", "2.3 (%)", "2.4 MĐ1 (%)", "2.4 MĐ2 (%)", "2.5 (%)", "3.1 (%)"]
           + UNIT_COLUMNS + ["Số lỗi", "Số cảnh báo", "Tệp nguồn", "Tệp kết quả"])
WIDTHS = [5, 18, 34, 16, 10, 9, 6, 9, 18, 9, 8, 16, 16] + [9] * 7 + [6] * 10 + [7, 8, 30, 30]
CSV_FIELDS = ["file", "sha256", "unit_code", "unit_name", "unit_kind", "ownership", "tier", "year", "rulebook",
              "members", "level", "requested_level", "result", "failing_level1", "failing_level2", "errors", "warnings",
              *[f"percent_{i}_L{lv}" for i, lv in PCT_COLUMNS], "result_file"]
LONG = ["Mã đơn vị", "Mức", "Chỉ tiêu", "Tử số", "Mẫu số", "%", "Ngưỡng (%)", "Kết quả", "Lý do"]


def csv_safe(v):
    return "'" + v if isinstance(v, str) and v.startswith(("=", "+", "-", "@", "\t", "\r")) else ("" if v is None else v)


class Summary:
    def __init__(self, out: Path):
        self.out = out
        self.wb = xlsxwriter.Workbook(str(out / "tong-hop.xlsx"), {
            "constant_memory": True, "strings_to_numbers": False, "strings_to_formulas": False,
            "strings_to_urls": False})
        base = {"font_name": "Times New Roman", "font_size": 11, "valign": "top"}
        add = self.wb.add_format
        self.f = {"title": add({**base, "bold": True, "font_size": 14}), "text": add(base),
                  "header": add({**base, "bold": True, "bg_color": BLUE, "border": 1, "text_wrap": True,
                                 "align": "center", "valign": "vcenter"}),
                  "cell": add({**base, "border": 1}), "int": add({**base, "border": 1, "num_format": "#,##0"}),
                  "pct": add({**base, "border": 1, "num_format": "0.00%"}),
                  "link": add({**base, "border": 1, "font_color": "blue", "underline": 1})}
        self.f_pct = {k: add({**base, "border": 1, "num_format": "0.00%", "bg_color": v}) for k, v in STATUS_FILL.items()}
        self.f_status = {k: add({**base, "border": 1, "bg_color": v, "align": "center"}) for k, v in STATUS_FILL.items()}
        self.f_result = {k: add({**base, "border": 1, "bg_color": v, "bold": True}) for k, v in RESULT_FILL.items()}
        self.f_sev = {"fatal": add({**base, "border": 1, "bg_color": RED, "bold": True}),
                      "error": add({**base, "border": 1, "bg_color": RED}),
                      "warning": add({**base, "border": 1, "bg_color": AMBER})}
        self.overview = self.wb.add_worksheet("Tổng hợp")
        self.long = self.wb.add_worksheet("Chỉ tiêu")
        self.errors = self.wb.add_worksheet("Lỗi dữ liệu")
        self.meta = self.wb.add_worksheet("_meta")
        for ws, heads, widths in ((self.long, LONG, [18, 9, 8, 7, 7, 9, 9, 13, 70]),
                                  (self.errors, ["Mã đơn vị", "Tệp nguồn", "Mức độ", "Mã lỗi", "Trang", "Ô",
                                                 "Nội dung và cách sửa", "Mở trong tệp kết quả"],
                                   [18, 30, 12, 22, 16, 7, 90, 30])):
            for c, (h, w) in enumerate(zip(heads, widths)):
                ws.set_column(c, c, w)
                ws.write_string(0, c, h, self.f["header"])
        self.r_long = self.r_err = 1
        self.units: list[dict] = []
        self.json = open(out / "ket-qua.json", "w", encoding="utf-8")
        self.json.write("[")

    def add(self, item: dict) -> None:
        f, code, output = self.f, item["row"][2], item["row"][-1]
        for ind in item["json"]["indicators"]:
            r = self.r_long
            self.long.write_string(r, 0, code, f["cell"])
            self.long.write_string(r, 1, f"Mức độ {ind['level']}", f["cell"])
            self.long.write_string(r, 2, ind["id"], f["cell"])
            if ind["denominator"] is not None:
                self.long.write_number(r, 3, ind["numerator"], f["int"])
                self.long.write_number(r, 4, ind["denominator"], f["int"])
                if ind["denominator"]:
                    self.long.write_number(r, 5, ind["numerator"] / ind["denominator"], f["pct"])
            if ind["threshold"] is not None:
                self.long.write_number(r, 6, ind["threshold"], f["int"])
            key = "N" if not ind["applicable"] else "A" if ind["met"] else "F"
            self.long.write_string(r, 7, {"N": "Không áp dụng", "A": "Đạt", "F": "Không đạt"}[key], self.f_status[key])
            if ind["reason"]:
                self.long.write_string(r, 8, ind["reason"], f["cell"])
            self.r_long += 1
        for x in item["json"]["findings"]:
            r = self.r_err
            self.errors.write_string(r, 0, code, f["cell"])
            self.errors.write_string(r, 1, item["row"][0], f["cell"])
            self.errors.write_string(r, 2, SEVERITY_LABEL[x["severity"]], self.f_sev[x["severity"]])
            for c, v in enumerate([x["code"], x["sheet"], x["cell"], x["message"]], start=3):
                if v:
                    self.errors.write_string(r, c, v, f["cell"])
            target = f"external:{output}" + (f"#'{x['sheet']}'!{x['cell']}" if x["sheet"] and x["cell"] else "")
            self.errors.write_url(r, 7, target, f["link"], output)
            self.r_err += 1
        self.json.write(",\n" if self.units else "\n")
        self.json.write(json.dumps(item["json"], ensure_ascii=False))
        self.units.append({"row": item["row"], "pct": item["pct"], "unit_status": item["unit_status"]})

    def close(self, command: str) -> None:
        f, ws = self.f, self.overview
        n = len(self.units)
        results = [u["row"][12] for u in self.units]
        ws.write_string(0, 0, "TỔNG HỢP KẾT QUẢ TỰ ĐÁNH GIÁ “ĐƠN VỊ HỌC TẬP”", f["title"])
        ws.write_string(1, 0, f"Đã nộp {n} tệp · Đạt mức độ 2: {results.count('Đạt mức độ 2')} · Đạt mức độ 1: "
                              f"{results.count('Đạt mức độ 1')} · Không đạt: {results.count('Không đạt')} · "
                              f"Không đánh giá được: {results.count('Không đánh giá được')}", f["text"])
        for c, (h, w) in enumerate(zip(HEADERS, WIDTHS)):
            ws.set_column(c, c, w)
            ws.write_string(4, c, h, f["header"])
        ws.set_row(4, 45)
        for i, unit in enumerate(self.units):
            r = 5 + i
            (file, _sha, code, name, kind, ownership, tier, year, _book, members, level, requested, result,
             fail1, fail2, errors, warnings, output) = unit["row"]
            ws.write_number(r, 0, i + 1, f["int"])
            for c, v in ((1, code), (2, name), (3, kind), (4, ownership), (5, TIER_LABEL.get(tier, ""))):
                if v:
                    ws.write_string(r, c, v, f["cell"])
                else:
                    ws.write_blank(r, c, None, f["cell"])
            ws.write(r, 6, year or None, f["cell"])
            ws.write_number(r, 7, members, f["int"])
            ws.write_string(r, 8, result, self.f_result.get(result, f["cell"]))
            ws.write(r, 9, requested, f["cell"])
            ws.write(r, 10, level, f["cell"])
            ws.write_string(r, 11, fail1, f["cell"])
            ws.write_string(r, 12, fail2, f["cell"])
            for k, (value, st) in enumerate(unit["pct"]):
                if value is None:
                    ws.write(r, 13 + k, "Không áp dụng" if st == "N" else None, self.f_status.get(st, f["cell"]))
                else:
                    ws.write_number(r, 13 + k, value, self.f_pct.get(st, f["pct"]))
            for k, st in enumerate(unit["unit_status"]):
                label = {"A": "Đạt", "B": "MĐ1", "X": "MĐ2", "F": "Không", "N": "—"}.get(st)
                ws.write(r, 20 + k, label, self.f_status.get(st, f["cell"]))
            ws.write_number(r, 30, errors, f["int"])
            ws.write_number(r, 31, warnings, f["int"])
            ws.write_string(r, 32, file, f["cell"])
            ws.write_url(r, 33, f"external:{output}", f["link"], output, "Mở tệp kết quả của đơn vị")
        ws.freeze_panes(5, 3)
        ws.autofilter(4, 0, 4 + max(1, n), len(HEADERS) - 1)
        ws.set_paper(9)
        ws.set_landscape()
        ws.fit_to_pages(1, 0)
        ws.repeat_rows(4)
        ws.set_footer("&CTrang &P/&N")
        for ws2, r in ((self.long, self.r_long), (self.errors, self.r_err)):
            ws2.freeze_panes(1, 0)
            ws2.autofilter(0, 0, max(1, r - 1), 7)
        for r, (k, v) in enumerate([("tool", TOOL), ("rulebooks", "tt24-2023"), ("inputs", str(n)),
                                    ("run_date", dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")),
                                    ("command", command)]):
            self.meta.write_string(r, 0, k, f["text"])
            self.meta.write_string(r, 1, v, f["text"])
        self.meta.hide()
        self.wb.close()
        self.json.write("\n]\n")
        self.json.close()
        with open(self.out / "tong-hop.csv", "w", encoding="utf-8-sig", newline="") as fh:
            w = csv.writer(fh)
            w.writerow(CSV_FIELDS)
            for unit in self.units:
                row = unit["row"]
                w.writerow([csv_safe(v) for v in row[:17]]
                           + ["" if p is None else round(p * 100, 2) for p, _ in unit["pct"]] + [row[17]])


def run(input_dir: Path, out_dir: Path, jobs: int) -> int:
    (out_dir / "don-vi").mkdir(parents=True, exist_ok=True)
    paths = [str(p) for p in sorted(input_dir.rglob("*.xlsx")) if not p.name.startswith("~$")]
    summary = Summary(out_dir)
    with multiprocessing.Pool(jobs, initializer=init, initargs=(str(out_dir),)) as pool:
        for item in pool.imap(process, paths, chunksize=8):
            summary.add(item)
    summary.close(" ".join(sys.argv))
    return len(paths)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("input", type=Path)
    parser.add_argument("output", type=Path)
    parser.add_argument("--jobs", type=int, default=2)
    args = parser.parse_args()
    n = run(args.input, args.output, args.jobs)
    print(f"{n} workbooks")


if __name__ == "__main__":
    main()
