"""Generate dvht_sheets/data/samples/: realistic filled workbooks, deterministically (same bytes every run).

Usage: python scripts/make_samples.py [OUTDIR]   (default: dvht_sheets/data/samples/)

Each unit below states what it is meant to show; tests/test_samples.py checks that the tool agrees.
"""

from __future__ import annotations

import csv
import datetime as dt
import random
import sys
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from dvht_sheets import rulebook as rulebooks  # noqa: E402
from dvht_sheets.bundled import SAMPLES_DIR  # noqa: E402
from dvht_sheets.template import WorkbookData, write_workbook  # noqa: E402

FAMILY = ["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Huỳnh", "Phan", "Vũ", "Võ", "Đặng", "Bùi", "Đỗ", "Hồ", "Ngô",
          "Dương", "Lý", "Đinh", "Trịnh", "Mai", "Tạ"]
MIDDLE_F = ["Thị", "Thị Thu", "Ngọc", "Thị Hồng", "Thanh", "Thị Kim", "Hoài", "Thị Mỹ", "Phương"]
MIDDLE_M = ["Văn", "Hữu", "Đức", "Minh", "Quốc", "Thanh", "Công", "Xuân", "Đình", "Trọng"]
GIVEN_F = ["An", "Chi", "Giang", "Hà", "Hạnh", "Hoa", "Hương", "Lan", "Linh", "Mai", "Nga", "Ngọc", "Nhung",
           "Phương", "Quỳnh", "Thảo", "Thủy", "Trang", "Vân", "Yến", "Hằng", "Loan", "Dung", "Tuyết"]
GIVEN_M = ["Bình", "Dũng", "Hải", "Hiếu", "Hùng", "Khánh", "Long", "Minh", "Nam", "Phong", "Quân", "Sơn", "Tâm",
           "Thắng", "Trung", "Tuấn", "Việt", "Cường", "Đạt", "Huy", "Kiên", "Lâm"]
CERTS = ["B1 tiếng Anh", "Chứng chỉ tiếng Anh A2", "TOEIC 550", "Có", "Chứng nhận tiếng Ê Đê", "Bậc 3/6 tiếng Anh",
         "Có", "Chứng chỉ tiếng Trung HSK3"]
EVIDENCE_NAMES = {
    "1.1": "Kế hoạch học tập thường xuyên của cán bộ, giáo viên, nhân viên năm {y}",
    "1.2": "Quy chế khuyến khích học tập; báo cáo thực hiện chế độ đào tạo, bồi dưỡng năm {y}",
    "1.3": "Dự toán và quyết toán kinh phí đào tạo, bồi dưỡng năm {y}",
    "1.4": "Kế hoạch chuyển đổi số; biên bản bàn giao thiết bị học tập",
    "1.5": "Báo cáo tham gia hoạt động học tập suốt đời tại địa phương",
    "2.1": "Biên bản đánh giá, xếp loại viên chức, người lao động năm {y}",
    "2.2": "Danh sách hoàn thành chương trình bồi dưỡng thường xuyên năm {y}",
    "2.3": "Danh sách tập huấn chuyển đổi số; chứng nhận hoàn thành",
    "2.4": "Bản sao chứng chỉ, chứng nhận ngoại ngữ/tiếng dân tộc thiểu số",
    "2.5": "Quyết định công nhận danh hiệu Lao động tiên tiến năm {y}",
    "3.1": "Kết quả đánh giá “Công dân học tập” năm {y}",
    "3.2": "Biên bản sinh hoạt chuyên môn liên trường, chia sẻ tri thức",
    "3.3": "Quyết định tặng danh hiệu tập thể năm {y}",
    "3.4": "Kết quả tự đánh giá mức độ chuyển đổi số theo QĐ 4725/QĐ-BGDĐT",
    "3.5": "Quyết định công nhận kết quả kiểm định / mức độ chuyển đổi số",
    "3.6": "Giấy chứng nhận kiểm định chất lượng giáo dục nghề nghiệp",
}


@dataclass
class Unit:
    file: str
    name: str
    code: str
    kind: str
    ownership: str | None
    year: int
    n: int
    tier: str | None = None  # None: inferred from the kind
    requested: str | None = None
    no: dict[str, int] = field(default_factory=dict)  # member field → how many members answer Không
    answers: dict[str, str] = field(default_factory=dict)  # indicator → self-assessment
    drop_evidence: tuple[str, ...] = ()
    learners: tuple[int, int] | None = None
    excluded: int = 0
    province: str = "Tỉnh Quảng Trị"
    commune: str = "Phường Đông Hà"
    purpose: str = ""


UNITS = [
    Unit("01-mn-hoa-sen.xlsx", "Trường Mầm non Hoa Sen", "MN-HOASEN", "Mầm non", "Công lập", 2025, 32,
         requested="Mức độ 2", answers={"3.3": "Tập thể lao động xuất sắc"}, excluded=1,
         purpose="mầm non công lập, đạt mức độ 2"),
    Unit("02-mn-anh-duong.xlsx", "Trường Mầm non tư thục Ánh Dương", "MN-ANHDUONG", "Mầm non", "Tư thục", 2025, 18,
         requested="Mức độ 2", no={"chung_chi_ngoai_ngu": 7, "trinh_do_ngoai_ngu": 18},
         purpose="mầm non tư thục (1.3 không áp dụng), 2.4 đạt 61,11 % nên chỉ đạt mức độ 1"),
    Unit("03-th-kim-dong.xlsx", "Trường Tiểu học Kim Đồng", "TH-KIMDONG", "Tiểu học", "Công lập", 2025, 45,
         requested="Mức độ 2", no={"chung_chi_ngoai_ngu": 10}, answers={"3.4": "Đáp ứng tốt"},
         purpose="tiểu học, đạt mức độ 2"),
    Unit("04-th-le-van-tam.xlsx", "Trường Tiểu học Lê Văn Tám", "TH-LEVANTAM", "Tiểu học", "Công lập", 2025, 19,
         requested="Mức độ 1", no={"tuan_thu_ky_luat": 2},
         purpose="thiếu một thành viên: 2.1 = 17/19 = 89,47 % < 90 %, không đạt"),
    Unit("05-thcs-nguyen-du.xlsx", "Trường THCS Nguyễn Du", "THCS-NGUYENDU", "THCS", "Công lập", 2025, 56,
         requested="Mức độ 2", no={"danh_hieu": 4},
         purpose="2.5 = 52/56 = 92,86 %: đạt mức độ 1, không đạt mức độ 2"),
    Unit("06-th-thcs-quang-trung.xlsx", "Trường TH&THCS Quang Trung", "THTHCS-QUANGTRUNG", "TH&THCS", "Công lập", 2025,
         40, requested="Mức độ 1", drop_evidence=("1.4", "3.2"),
         purpose="thiếu minh chứng cho 1.4 và 3.2 (Điều 9.3), không đạt"),
    Unit("07-thpt-tran-phu.xlsx", "Trường THPT Trần Phú", "THPT-TRANPHU", "THPT", "Công lập", 2025, 85,
         requested="Mức độ 2", learners=(1240, 1221), answers={"3.4": "Đáp ứng tốt"}, no={"tham_gia_cds": 3},
         purpose="THPT cấp tỉnh, người học 98,47 %, đạt mức độ 2"),
    Unit("08-thpt-ly-thuong-kiet.xlsx", "Trường THPT Lý Thường Kiệt", "THPT-LYTHUONGKIET", "THPT", "Công lập", 2025,
         72, requested="Mức độ 2", learners=(980, 941), answers={"3.4": "Đáp ứng tốt"},
         purpose="người học 941/980 = 96,02 % < 97 %: chỉ đạt mức độ 1"),
    Unit("09-gdtx-tinh.xlsx", "Trung tâm GDNN-GDTX tỉnh Quảng Trị", "GDTX-QT", "Trung tâm GDTX / GDNN-GDTX",
         "Công lập", 2025, 28, learners=(410, 402), answers={"3.4": "Đáp ứng cơ bản"},
         purpose="GDTX cấp tỉnh, chuyển đổi số mức cơ bản: đạt mức độ 1"),
    Unit("10-ubnd-phuong.xlsx", "Văn phòng HĐND và UBND phường Đông Hà", "CQ-UBND-DONGHA", "Cơ quan nhà nước", None,
         2025, 24, tier="Cấp huyện", requested="Mức độ 2",
         purpose="cơ quan nhà nước, đạt mức độ 2"),
    Unit("11-thcs-chu-van-an-2023.xlsx", "Trường THCS Chu Văn An", "THCS-CHUVANAN", "THCS", "Công lập", 2023, 38,
         no={"tuan_thu_ky_luat": 1, "danh_hieu": 3},
         purpose="năm 2023 theo TT 22/2020: mất 2.2 (5 điểm) và 2.4 (5 điểm): 90 điểm, Tốt"),
    Unit("12-th-vo-thi-sau-nhap-sai.xlsx", "Trường Tiểu học Võ Thị Sáu", "TH-VOTHISAU", "Tiểu học", "Công lập", 2025,
         34, purpose="lỗi gõ: tiêu đề không dấu, tên trang không dấu, Có/Không viết tắt, danh hiệu viết tắt, "
                     "giá trị không hiểu được, loại trừ không lý do, mã minh chứng sai"),
    Unit("13-dh-quang-tri.xlsx", "Phân hiệu Đại học Huế tại Quảng Trị", "DH-PHQT", "Trường đại học", "Công lập", 2025,
         120, requested="Mức độ 2", learners=(2150, 2110), answers={"3.5": "Đáp ứng tốt"}, no={"trinh_do_ngoai_ngu": 0},
         purpose="cơ sở giáo dục đại học (3.5 theo QĐ 4740), 120 thành viên, đạt mức độ 2"),
    Unit("14-cong-ty-cap-nuoc.xlsx", "Công ty Cổ phần Cấp nước Quảng Trị", "TCKT-CAPNUOC", "Tổ chức kinh tế", None,
         2025, 60, tier="Cấp huyện", no={"chung_chi_ngoai_ngu": 60, "trinh_do_ngoai_ngu": 60},
         answers={"1.3": "Không áp dụng"},
         purpose="tổ chức kinh tế: 1.3 và 2.4 không áp dụng; đạt mức độ 2 (3.3 chỉ bắt buộc ở mức độ 1)"),
]

# On the roster but not submitted (for `dvht demo`).
MISSING_ON_ROSTER = [("TH-HAIBATRUNG", "Trường Tiểu học Hai Bà Trưng")]


def person(rng: random.Random) -> tuple[str, dt.date]:
    female = rng.random() < 0.7  # teachers are mostly women
    name = " ".join((rng.choice(FAMILY), rng.choice(MIDDLE_F if female else MIDDLE_M),
                     rng.choice(GIVEN_F if female else GIVEN_M)))
    born = dt.date(rng.randint(1966, 2001), rng.randint(1, 12), rng.randint(1, 28))
    return name, born


def positions(n: int, kind: str) -> list[str]:
    if kind in ("Cơ quan nhà nước", "Tổ chức kinh tế"):
        head = ["Trưởng phòng", "Phó trưởng phòng"] if kind == "Cơ quan nhà nước" else ["Giám đốc", "Phó giám đốc"]
        rest = ["Chuyên viên"] * 6 + ["Kế toán", "Văn thư"] if kind == "Cơ quan nhà nước" else \
            ["Kỹ thuật viên"] * 6 + ["Công nhân"] * 6 + ["Kế toán"]
    else:
        head = ["Hiệu trưởng", "Phó Hiệu trưởng"] if kind != "Trường đại học" else ["Giám đốc", "Phó Giám đốc"]
        rest = ["GV"] * 10 + ["NV kế toán", "NV văn thư", "NV y tế", "NLĐ bảo vệ"]
        if kind == "Trường đại học":
            rest = ["Giảng viên"] * 10 + ["Chuyên viên", "NLĐ"]
    return head + [rest[i % len(rest)] for i in range(n - len(head))]


def build(unit: Unit) -> tuple[WorkbookData, str, "rulebooks.Rulebook"]:
    rng = random.Random(unit.code)
    book = rulebooks.for_year(unit.year)
    from dvht_sheets.schema import TIERS, UNIT_KIND, UNIT_KIND_VOCAB
    tier = TIERS.parse(unit.tier) if unit.tier else UNIT_KIND[UNIT_KIND_VOCAB.parse(unit.kind)].tier
    fields = ["tuan_thu_ky_luat", "hoan_thanh_boi_duong", "tham_gia_cds", "chung_chi_ngoai_ngu", "trinh_do_ngoai_ngu",
              "danh_hieu", "cong_dan_hoc_tap", "ke_hoach_tu_hoc"]
    total = unit.n + unit.excluded
    no_sets = {f: set(rng.sample(range(unit.n), min(unit.n, unit.no.get(f, 0)))) for f in fields}
    members = []
    for i, pos in enumerate(positions(total, unit.kind)):
        name, born = person(rng)
        m = {"stt": i + 1, "ho_ten": name, "ngay_sinh": dt.datetime.combine(born, dt.time()), "chuc_vu": pos}
        if i >= unit.n:  # the excluded ones come last
            m.update(tinh_vao_tong="Không", ghi_chu=rng.choice(["Nghỉ thai sản từ tháng 3", "Biệt phái sang Sở GD&ĐT",
                                                                 "Nghỉ ốm dài ngày"]))
        for f in fields:
            yes = i not in no_sets[f] or i >= unit.n
            if f == "danh_hieu":
                m[f] = (rng.choice(["Lao động tiên tiến"] * 5 + ["Chiến sĩ thi đua cơ sở"]) if yes
                        else rng.choice(["", "Hoàn thành nhiệm vụ"]))
            elif f == "chung_chi_ngoai_ngu":
                m[f] = rng.choice(CERTS) if yes else "Không"
            elif f == "trinh_do_ngoai_ngu":
                m[f] = "Có" if yes else "Không"
            else:
                m[f] = "Có" if yes else "Không"
        members.append(m)
    prefix = {"huyen": "H", "tinh": "T"}[tier] if book.scheme == "levels" else "TT22-"
    ids = [r.id for r in book.rules_for(tier)]
    evidence, indicators = [], {}
    for n, ident in enumerate(ids, start=1):
        code = f"[{prefix}{ident}-01]"
        title = EVIDENCE_NAMES.get(ident, "Minh chứng chỉ tiêu {i}").format(y=unit.year, i=ident)
        if ident not in unit.drop_evidence:
            evidence.append({"stt": len(evidence) + 1, "ma_minh_chung": code, "ten_minh_chung": title,
                             "so_ngay_ban_hanh": f"{rng.randint(10, 250)}/KH-{unit.code.split('-')[0]} ngày "
                                                 f"{rng.randint(1, 28):02d}/{rng.randint(1, 12):02d}/{unit.year}",
                             "noi_ban_hanh": unit.name, "chi_tieu": ident})
        indicators[ident] = {"tu_danh_gia": "Đạt", "ma_minh_chung": "" if ident in unit.drop_evidence else code}
    from dvht_sheets.schema import OWNERSHIP, unit_traits
    traits = unit_traits(UNIT_KIND_VOCAB.parse(unit.kind), OWNERSHIP.parse(unit.ownership or ""), tier)
    for rule in book.rules_for(tier):
        applicable = any(rule.applies_to(lv.key) in traits for lv in book.levels_for(tier))
        if not applicable:
            indicators[rule.id]["tu_danh_gia"] = "Không áp dụng"
        elif rule.kind == "title_at_least":
            indicators[rule.id]["tu_danh_gia"] = "Tập thể lao động tiên tiến"
        elif rule.kind == "level_at_least":
            indicators[rule.id]["tu_danh_gia"] = "Đáp ứng cơ bản"
    for ident, answer in unit.answers.items():
        indicators[ident]["tu_danh_gia"] = answer
    info = {"ten_don_vi": unit.name, "ma_don_vi": unit.code, "loai_don_vi": unit.kind, "loai_hinh": unit.ownership,
            "cap_danh_gia": unit.tier, "muc_do_de_nghi": unit.requested, "nam_danh_gia": unit.year,
            "dia_ban_tinh": unit.province, "dia_ban_xa": unit.commune,
            "nguoi_lap": person(rng)[0], "chuc_vu_nguoi_lap": "Hiệu trưởng" if "Trường" in unit.name else "Thủ trưởng",
            "ngay_lap": dt.datetime(unit.year, 12, 20), "lien_he": f"0233.38{rng.randint(10000, 99999)}"}
    if unit.learners:
        info["so_nguoi_hoc"], info["so_nguoi_hoc_cdht"] = unit.learners
    info.update(dossier_fields(unit, tier, members))
    committee = [{"stt": i + 1, "ho_ten": m["ho_ten"], "chuc_vu": m["chuc_vu"], "nhiem_vu": role}
                 for i, (m, role) in enumerate(zip(members, COMMITTEE_ROLES))]
    if "nhap-sai" in unit.file:
        # The hurried secretary has not filled the dossier part: the tool lists it (dossier-incomplete).
        for key in ("co_quan_nhan", "ky_hieu", "ngay_hop"):
            info.pop(key)
        committee = []
    return WorkbookData(unit=info, members=members, indicators=indicators, evidence=evidence,
                        committee=committee), tier, book


# issue 12 (the dossier): the Tổ đánh giá is the unit's first members in these roles; no random draw here, so the
# members, answers and evidence (and so every result) stay those of the earlier samples.
COMMITTEE_ROLES = ["Tổ trưởng", "Phó Tổ trưởng", "Thư ký", "Thành viên", "Thành viên"]


def dossier_fields(unit: Unit, tier: str, members: list[dict]) -> dict:
    place = unit.commune.replace("Phường ", "").replace("Xã ", "")
    province = unit.province.replace("Tỉnh ", "tỉnh ")
    if tier == "tinh":
        parent = receiver = f"Sở Giáo dục và Đào tạo {province}"
        if "Trường" not in unit.name and "Trung tâm" not in unit.name:
            parent = f"Ủy ban nhân dân {province}"
    else:
        commune = unit.commune[:1].lower() + unit.commune[1:]  # "phường Đông Hà"
        parent, receiver = f"Ủy ban nhân dân {commune}", f"Phòng Văn hóa - Xã hội {commune}"
    head = members[0]
    return {"co_quan_chu_quan": parent, "co_quan_nhan": receiver, "dia_danh": place,
            "ky_hieu": unit.code.replace("-", "")[:12], "thu_truong": head["ho_ten"],
            "chuc_vu_thu_truong": head["chuc_vu"], "ngay_hop": dt.datetime(unit.year, 12, 18)}


def mistype(path: Path) -> None:
    """Turn a clean workbook into what a hurried secretary sends: saved by another program (openpyxl), with typos."""
    import openpyxl

    wb = openpyxl.load_workbook(path)
    ws = wb["Thành viên"]
    ws.title = "Thanh vien"
    ws.insert_rows(1, 2)  # two more title rows above the header
    ws["A1"] = "PHÒNG GIÁO DỤC VÀ ĐÀO TẠO"
    ws["A2"] = "DANH SACH CAN BO, GIAO VIEN, NHAN VIEN NAM 2025"
    header = 5  # 1-based, after the insert
    plain = {"Họ và tên": "Ho va ten", "Tính vào tổng số": "Tinh vao tong so", "Ghi chú": "Ghi chu",
             "Danh hiệu thi đua (2.5)": "DANH HIEU THI DUA",
             "Tuân thủ kỷ luật lao động, nội quy (2.1)": "Tuan thu ky luat lao dong, noi quy"}
    for cell in ws[header]:
        if cell.value in plain:
            cell.value = plain[cell.value]
    variants = {"Có": ["x", "C", "có", " Có ", "Đạt", "✓", "1", "Co\u00a0"], "Không": ["K", "không", "0", "-"]}
    rng = random.Random(7)
    titles = {"Lao động tiên tiến": ["LĐTT", "lao dong tien tien", "LĐTT "], "Chiến sĩ thi đua cơ sở": ["CSTĐCS"]}
    for row in ws.iter_rows(min_row=header + 1, max_row=ws.max_row):
        for cell in row:
            if cell.value in variants and rng.random() < 0.5:
                cell.value = rng.choice(variants[cell.value])
            elif cell.value in titles:
                cell.value = rng.choice(titles[cell.value])
    ws.cell(header + 4, 6).value = "có lẽ"  # 2.1 not understood → counted as Không, error
    ws.cell(header + 9, 11).value = "Giấy khen"  # a commendation, not a title → warning
    ws.cell(header + 12, 5).value = "Không"  # excluded without a reason → still counted, error
    ws.cell(header + 12, 14).value = None
    ws.cell(header + 15, 3).value = "31/02/1987"  # not a date → warning
    ci = wb["Chỉ tiêu"]
    for row in ci.iter_rows():
        if row[0].value == "1.2":
            row[3].value = "[H1.2-01]; H1-1.2-99"  # one typo'd code, one that does not exist
    wb.save(path)


def main(out: Path) -> None:
    out.mkdir(parents=True, exist_ok=True)
    for unit in UNITS:
        data, tier, book = build(unit)
        path = out / unit.file
        write_workbook(path, book, tier, data)
        if "nhap-sai" in unit.file:
            mistype(path)
            _fix_zip_times(path)
    with (out / "danh-sach-don-vi.csv").open("w", encoding="utf-8-sig", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["Mã đơn vị", "Tên đơn vị"])
        for unit in UNITS:
            w.writerow([unit.code, unit.name])
        w.writerows(MISSING_ON_ROSTER)
    with (out / "README.md").open("w", encoding="utf-8") as fh:
        fh.write("# Sổ tính mẫu (tạo bởi scripts/make_samples.py — không sửa tay)\n\n| tệp | đơn vị | minh hoạ |\n"
                 "|---|---|---|\n")
        for unit in UNITS:
            fh.write(f"| {unit.file} | {unit.name} | {unit.purpose} |\n")
        fh.write("\n`danh-sach-don-vi.csv`: danh sách đơn vị phải nộp (có một đơn vị chưa nộp: "
                 f"{MISSING_ON_ROSTER[0][1]}).\n")


def _fix_zip_times(path: Path) -> None:
    """openpyxl stamps the save time into the zip and docProps; rewrite both so the sample is byte-stable."""
    import re
    import zipfile

    items = []
    with zipfile.ZipFile(path) as zf:
        for info in zf.infolist():
            data = zf.read(info.filename)
            if info.filename == "docProps/core.xml":
                data = re.sub(rb"<dcterms:modified[^>]*>[^<]*</dcterms:modified>",
                              b'<dcterms:modified xsi:type="dcterms:W3CDTF">2025-12-20T00:00:00Z</dcterms:modified>',
                              data)
                data = re.sub(rb"<dcterms:created[^>]*>[^<]*</dcterms:created>",
                              b'<dcterms:created xsi:type="dcterms:W3CDTF">2025-12-20T00:00:00Z</dcterms:created>',
                              data)
            items.append((info.filename, data))
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in items:
            zi = zipfile.ZipInfo(name, date_time=(2025, 12, 20, 0, 0, 0))
            zi.compress_type = zipfile.ZIP_DEFLATED
            zf.writestr(zi, data)


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else SAMPLES_DIR)
