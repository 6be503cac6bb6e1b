"""Generate dvht_sheets/data/dossier/*.docx: the dossier's Word templates with Jinja tags, deterministically.

Usage: python scripts/make_dossier_templates.py [OUTDIR]   (default: dvht_sheets/data/dossier/)

The files are what a province edits in Word (`dvht mau-ho-so -o DIR`); the tags they contain are the names that
dvht_sheets/dossier/context.py provides (tests/test_dossier.py checks both sides agree, and that this script gives
the committed bytes).
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from scripts.docxbuild import (  # noqa: E402
    CENTER, LEFT, header_block, keep_together, new_document, no_borders, para, recipients_and_signer, run,
    save_reproducibly, table, table_row, tag, title, widths,
)
from dvht_sheets.dossier.render import TEMPLATES_DIR  # noqa: E402

DVHT = "“Đơn vị học tập”"


def cover():
    doc = new_document()
    para(doc, "{{ co_quan_chu_quan|upper }}", size=14, align=CENTER, space_after=0, space_before=24)
    para(doc, "{{ ten_don_vi|upper }}", bold=True, size=14, align=CENTER)
    for _ in range(8):
        para(doc, "", space_after=0)
    para(doc, "HỒ SƠ", bold=True, size=26, align=CENTER)
    para(doc, "ĐỀ NGHỊ ĐÁNH GIÁ, CÔNG NHẬN “ĐƠN VỊ HỌC TẬP” {{ cap|upper }} NĂM {{ nam }}", bold=True, size=18,
         align=CENTER)
    para(doc, "{{ muc_do_de_nghi|upper }}", bold=True, size=16, align=CENTER, space_before=12)
    for _ in range(12):
        para(doc, "", space_after=0)
    para(doc, "{{ dia_danh }}, {{ thang_nam_van_ban }}", bold=True, size=14, align=CENTER)
    return doc


def submission():
    doc = new_document()
    header_block(doc, "Số: ……/TTr-{{ ky_hieu }}")
    title(doc, "TỜ TRÌNH", f"Về việc đề nghị đánh giá, công nhận {DVHT} {{{{ cap }}}} năm {{{{ nam }}}}")
    para(doc, "Kính gửi: {{ co_quan_nhan }}.", align=CENTER)
    tag(doc, "for c in can_cu")
    para(doc, "{{ c }};", italic=True, indent=True)
    tag(doc, "endfor")
    para(doc, "{{ ten_don_vi }} ({{ loai_don_vi }}, {{ so_thanh_vien }} thành viên) đã tổ chức tự đánh giá theo "
         f"các tiêu chí, chỉ tiêu {DVHT} năm {{{{ nam }}}} (số liệu từ ngày 01 tháng 01 đến ngày 31 tháng 12 năm "
         "{{ nam }}). Kết quả như sau:", indent=True)
    tag(doc, "for c in tieu_chi")
    para(doc, "- {{ c.ten }}: {{ c.tom_tat }}", indent=True)
    tag(doc, "endfor")
    para(doc, "{{ ket_luan }}.", indent=True)
    para(doc, "{{ ten_don_vi }} kính đề nghị {{ co_quan_nhan }} xem xét, đánh giá và trình cấp có thẩm quyền công "
         f"nhận {{{{ ten_don_vi }}}} đạt {DVHT} {{{{ cap }}}} {{{{ muc_do_de_nghi }}}} năm {{{{ nam }}}}.", indent=True)
    tag(doc, "if ghi_chu_muc_do")
    para(doc, "{{ ghi_chu_muc_do }}", italic=True, indent=True)
    tag(doc, "endif")
    para(doc, "Hồ sơ kèm theo: Báo cáo tự đánh giá; Bản tổng hợp kết quả tự đánh giá các tiêu chí, chỉ tiêu; Biên bản "
         "tự đánh giá; Danh mục minh chứng.", indent=True)
    para(doc, "Trân trọng./.", indent=True)
    recipients_and_signer(doc, ["- Như trên;", "- Lưu: VT."])
    return doc


def committee():
    doc = new_document()
    header_block(doc, None)
    title(doc, "DANH SÁCH", f"Thành viên Tổ tự đánh giá {DVHT} năm {{{{ nam }}}}")
    cols = [12, 50, 40, 33, 30]
    t = table(doc, ["STT", "Họ và tên", "Chức vụ", "Nhiệm vụ trong Tổ", "Chữ ký"], cols)
    table_row(t, ["{%tr for m in to_danh_gia %}"], merge=True)
    table_row(t, ["{{ m.stt }}", "{{ m.ho_ten }}", "{{ m.chuc_vu }}", "{{ m.nhiem_vu }}", ""],
              aligns=[CENTER, LEFT, LEFT, LEFT, LEFT], col_mm=cols)
    table_row(t, ["{%tr endfor %}"], merge=True)
    para(doc, "Danh sách gồm {{ so_to_danh_gia }} thành viên.", italic=True, space_before=6)
    recipients_and_signer(doc, ["- Như trên;", "- Lưu: VT."])
    return doc


def summary():
    doc = new_document()
    header_block(doc, None)
    title(doc, "BẢN TỔNG HỢP", f"Kết quả tự đánh giá các tiêu chí, chỉ tiêu {DVHT} {{{{ cap }}}} năm {{{{ nam }}}}")
    para(doc, "Đơn vị: {{ ten_don_vi }} (mã {{ ma_don_vi }}). Mức độ đối chiếu: {{ muc_do_doi_chieu }}. Căn cứ: "
         "{{ van_ban }}. Số thành viên được tính: {{ so_thanh_vien }}.", indent=True)
    cols = [12, 50, 27, 35, 24, 17]
    t = table(doc, ["Chỉ tiêu", "Nội dung", "Yêu cầu", "Kết quả đo", "Minh chứng", "Kết quả"], cols, size=11)
    table_row(t, ["{%tr for c in tieu_chi %}"], merge=True)
    table_row(t, ["{{ c.ten }}: {{ c.ket_qua }}"], merge=True, bold=True, size=11)
    table_row(t, ["{%tr for i in c.chi_tieu %}"], merge=True)
    table_row(t, ["{{ i.ma }}", "{{ i.noi_dung }}", "{{ i.yeu_cau }}", "{{ i.so_lieu }}", "{{ i.minh_chung }}",
                  "{{ i.ket_qua }}"], size=11, aligns=[CENTER, LEFT, LEFT, LEFT, LEFT, CENTER], col_mm=cols)
    table_row(t, ["{%tr endfor %}"], merge=True)
    table_row(t, ["{%tr endfor %}"], merge=True)
    para(doc, "Kết luận: {{ ket_luan }}.", bold=True, space_before=6)
    recipients_and_signer(doc, ["- {{ co_quan_nhan }};", "- Lưu: VT."])
    return doc


def points():
    doc = new_document()
    header_block(doc, None)
    title(doc, "BIỂU ĐIỂM", f"Tự đánh giá {DVHT} năm {{{{ nam }}}} ({{{{ van_ban }}}})")
    para(doc, "Đơn vị: {{ ten_don_vi }} (mã {{ ma_don_vi }}). Số thành viên được tính: {{ so_thanh_vien }}.",
         indent=True)
    cols = [14, 55, 30, 26, 20, 20]
    t = table(doc, ["Chỉ tiêu", "Nội dung", "Kết quả đo", "Minh chứng", "Điểm tối đa", "Điểm đạt"], cols, size=11)
    table_row(t, ["{%tr for c in tieu_chi %}"], merge=True)
    table_row(t, ["{{ c.ten }}"], merge=True, bold=True, size=11)
    table_row(t, ["{%tr for i in c.chi_tieu %}"], merge=True)
    table_row(t, ["{{ i.ma }}", "{{ i.noi_dung }}", "{{ i.so_lieu }}", "{{ i.minh_chung }}", "{{ i.diem_toi_da }}",
                  "{{ i.diem }}"], size=11, aligns=[CENTER, LEFT, LEFT, LEFT, CENTER, CENTER], col_mm=cols)
    table_row(t, ["{%tr endfor %}"], merge=True)
    table_row(t, ["{%tr endfor %}"], merge=True)
    table_row(t, ["", "Tổng điểm", "", "", "{{ diem_toi_da }}", "{{ diem }}"], size=11, bold=True,
              aligns=[CENTER, LEFT, LEFT, LEFT, CENTER, CENTER], col_mm=cols)
    para(doc, "Xếp loại: {{ xep_loai }}. {{ ket_luan }}.", bold=True, space_before=6)
    recipients_and_signer(doc, ["- {{ co_quan_nhan }};", "- Lưu: VT."])
    return doc


def abbreviations():
    doc = new_document()
    para(doc, "{{ ten_don_vi|upper }}", bold=True, size=13, align=CENTER)
    title(doc, "DANH MỤC CHỮ VIẾT TẮT", None)
    cols = [15, 45, 105]
    t = table(doc, ["STT", "Chữ viết tắt", "Nội dung"], cols)
    table_row(t, ["{%tr for a in viet_tat %}"], merge=True)
    table_row(t, ["{{ a.stt }}", "{{ a.chu }}", "{{ a.nghia }}"], aligns=[CENTER, LEFT, LEFT], col_mm=cols)
    table_row(t, ["{%tr endfor %}"], merge=True)
    return doc


def minutes():
    doc = new_document()
    header_block(doc, "Số: ……/BB-{{ ky_hieu }}", date_line="{{ dia_danh }}, {{ ngay_hop }}")
    title(doc, "BIÊN BẢN", f"Họp Tổ tự đánh giá {DVHT} năm {{{{ nam }}}}")
    para(doc, "1. Thời gian: {{ ngay_hop }}.", indent=True)
    para(doc, "2. Địa điểm: {{ ten_don_vi }}.", indent=True)
    para(doc, "3. Thành phần: Tổ tự đánh giá gồm {{ so_to_danh_gia }} thành viên:", indent=True)
    tag(doc, "for m in to_danh_gia")
    para(doc, "- {{ m.ho_ten }}, {{ m.chuc_vu }}: {{ m.nhiem_vu }};", indent=True, space_after=0)
    tag(doc, "endfor")
    para(doc, "Chủ trì: {{ to_truong }}, Tổ trưởng. Thư ký: {{ thu_ky }}.", indent=True, space_before=6)
    para(doc, f"4. Nội dung: Tổ đánh giá rà soát số liệu, minh chứng và thống nhất kết quả tự đánh giá {DVHT} năm "
         "{{ nam }} theo {{ van_ban }} ({{ muc_do_doi_chieu }}):", indent=True)
    tag(doc, "for c in tieu_chi")
    para(doc, "- {{ c.ten }}: {{ c.tom_tat }}", indent=True)
    tag(doc, "endfor")
    para(doc, "5. Kết luận: {{ ket_luan }}. Tổ thống nhất {{ de_nghi_bien_ban }}", indent=True)
    para(doc, "Biên bản được thông qua trước toàn thể thành viên Tổ tự đánh giá và kết thúc cùng ngày./.", indent=True)
    para(doc, "", space_after=0)
    t = doc.add_table(rows=1, cols=2)
    no_borders(t)
    widths(t, [82, 83])
    for cell, role, name in zip(t.rows[0].cells, ("THƯ KÝ", "TỔ TRƯỞNG"), ("{{ thu_ky }}", "{{ to_truong }}")):
        cell.paragraphs[0].alignment = CENTER
        run(cell.paragraphs[0], role, bold=True)
        para(cell, "(Ký, ghi rõ họ tên)", italic=True, size=12, align=CENTER, space_after=0)
        for _ in range(3):
            para(cell, "", space_after=0)
        para(cell, name, bold=True, align=CENTER)
    keep_together(t)
    return doc


def report():
    doc = new_document()
    header_block(doc, "Số: ……/BC-{{ ky_hieu }}")
    title(doc, "BÁO CÁO", f"Tự đánh giá, đề nghị công nhận {DVHT} {{{{ cap }}}} năm {{{{ nam }}}}")
    para(doc, "Kính gửi: {{ co_quan_nhan }}.", align=CENTER)
    para(doc, "I. THÔNG TIN CHUNG", bold=True, keep_next=True)
    para(doc, "1. Tên đơn vị: {{ ten_don_vi }}; mã đơn vị: {{ ma_don_vi }}; loại đơn vị: {{ loai_don_vi }}"
         "{{ loai_hinh }}; địa bàn: {{ dia_ban }}.", indent=True)
    para(doc, "2. Thủ trưởng đơn vị: {{ thu_truong }}, {{ chuc_vu_thu_truong }}. Người lập: {{ nguoi_lap }}; liên hệ: "
         "{{ lien_he }}.", indent=True)
    para(doc, "3. Số thành viên được tính: {{ so_thanh_vien }}{{ khong_tinh }}.", indent=True)
    para(doc, "4. Tổ tự đánh giá gồm {{ so_to_danh_gia }} thành viên:", indent=True)
    tag(doc, "for m in to_danh_gia")
    para(doc, "- {{ m.nhiem_vu }}: {{ m.ho_ten }}, {{ m.chuc_vu }};", indent=True, space_after=0)
    tag(doc, "endfor")
    para(doc, "[Đơn vị bổ sung: đặc điểm, tình hình của đơn vị; cách tổ chức tự đánh giá.]", italic=True, indent=True,
         space_before=6)
    para(doc, "II. KẾT QUẢ TỰ ĐÁNH GIÁ THEO TỪNG TIÊU CHÍ", bold=True, keep_next=True)
    para(doc, "Đối chiếu {{ muc_do_doi_chieu }} theo {{ van_ban }}:", indent=True)
    tag(doc, "for c in tieu_chi")
    para(doc, "{{ c.ten }}: {{ c.ket_qua }}", bold=True, indent=True, keep_next=True)
    tag(doc, "for i in c.chi_tieu")
    para(doc, "Chỉ tiêu {{ i.ma }}. {{ i.noi_dung }}. Yêu cầu: {{ i.yeu_cau }}. Kết quả: {{ i.so_lieu }}. Minh chứng: "
         "{{ i.minh_chung }}. Tự đánh giá: {{ i.ket_qua }}.", indent=True)
    tag(doc, "endfor")
    tag(doc, "endfor")
    para(doc, "III. ĐÁNH GIÁ CHUNG", bold=True, keep_next=True)
    para(doc, "1. Điểm mạnh", bold=True, italic=True, indent=True, keep_next=True)
    tag(doc, "for s in diem_manh")
    para(doc, "- {{ s }}", indent=True)
    tag(doc, "endfor")
    para(doc, "2. Tồn tại, hạn chế", bold=True, italic=True, indent=True, keep_next=True)
    tag(doc, "for s in ton_tai")
    para(doc, "- {{ s }}", indent=True)
    tag(doc, "endfor")
    para(doc, "[Đơn vị bổ sung: nguyên nhân và giải pháp khắc phục.]", italic=True, indent=True)
    para(doc, "IV. KIẾN NGHỊ, ĐỀ XUẤT", bold=True, keep_next=True)
    para(doc, "{{ kien_nghi }}", indent=True)
    recipients_and_signer(doc, ["- Như trên;", "- Lưu: VT."])
    return doc


def evidence():
    doc = new_document(landscape=True)
    para(doc, "{{ ten_don_vi|upper }}", bold=True, size=13, align=CENTER)
    title(doc, "DANH MỤC MINH CHỨNG", f"Hồ sơ đề nghị công nhận {DVHT} năm {{{{ nam }}}}")
    cols = [12, 36, 85, 45, 40, 30]
    t = table(doc, ["STT", "Mã minh chứng", "Tên minh chứng", "Số, ngày ban hành", "Nơi ban hành",
                    "Dùng cho chỉ tiêu"], cols)
    table_row(t, ["{%tr for g in minh_chung %}"], merge=True)
    table_row(t, ["{{ g.ten }}"], merge=True, bold=True)
    table_row(t, ["{%tr for e in g.ds %}"], merge=True)
    table_row(t, ["{{ e.stt }}", "{{ e.ma }}", "{{ e.ten }}", "{{ e.so_ngay }}", "{{ e.noi_ban_hanh }}",
                  "{{ e.chi_tieu }}"], aligns=[CENTER, LEFT, LEFT, LEFT, LEFT, CENTER], col_mm=cols)
    table_row(t, ["{%tr endfor %}"], merge=True)
    table_row(t, ["{%tr endfor %}"], merge=True)
    para(doc, "Tổng số: {{ so_minh_chung }} minh chứng.", italic=True, space_before=6)
    return doc


# ------------------------------------------------------------------------------------------------ the office's


def office_header(doc, number: str | None, *, authority=False):
    top = "{{ cq.co_quan_cap_tren|upper }}" if not authority else "{{ cq.co_quan_cap_tren_cong_nhan|upper }}"
    unit = "{{ cq.ten|upper }}" if not authority else "{{ cq.co_quan_cong_nhan|upper }}"
    header_block(doc, number, left_top=top, left_unit=unit, date_line="{{ cq.dia_danh }}, {{ ngay_van_ban }}")


def office_list():
    doc = new_document(landscape=True)
    office_header(doc, None)
    title(doc, "DANH SÁCH", f"Đơn vị đề nghị công nhận {DVHT} năm {{{{ nam }}}}")
    cols = [12, 45, 80, 50, 40]
    tag(doc, "for g in nhom_dat")
    para(doc, "{{ g.so_muc }}. Đề nghị công nhận {{ g.ten }} ({{ g.so_don_vi }} đơn vị)", bold=True, keep_next=True)
    t = table(doc, ["STT", "Mã đơn vị", "Tên đơn vị", "Loại đơn vị", "Số thành viên"], cols)
    table_row(t, ["{%tr for u in g.don_vi %}"], merge=True)
    table_row(t, ["{{ u.stt }}", "{{ u.ma }}", "{{ u.ten }}", "{{ u.loai }}", "{{ u.so_thanh_vien }}"],
              aligns=[CENTER, LEFT, LEFT, LEFT, CENTER], col_mm=cols)
    table_row(t, ["{%tr endfor %}"], merge=True)
    para(doc, "", space_after=0)
    tag(doc, "endfor")
    tag(doc, "if chua_dat")
    para(doc, "{{ so_muc_chua_dat }}. Đơn vị chưa đạt mức độ nào ({{ chua_dat|length }} đơn vị)", bold=True,
         keep_next=True)
    cols2 = [12, 45, 80, 90]
    t = table(doc, ["STT", "Mã đơn vị", "Tên đơn vị", "Chỉ tiêu chưa đạt (mức độ 1)"], cols2)
    table_row(t, ["{%tr for u in chua_dat %}"], merge=True)
    table_row(t, ["{{ u.stt }}", "{{ u.ma }}", "{{ u.ten }}", "{{ u.chua_dat }}"],
              aligns=[CENTER, LEFT, LEFT, LEFT], col_mm=cols2)
    table_row(t, ["{%tr endfor %}"], merge=True)
    para(doc, "", space_after=0)
    tag(doc, "endif")
    tag(doc, "if khong_danh_gia")
    para(doc, "{{ so_muc_khong_danh_gia }}. Hồ sơ không đánh giá được ({{ khong_danh_gia|length }} tệp)", bold=True,
         keep_next=True)
    t = table(doc, ["STT", "Tệp", "Lý do"], [12, 90, 125])
    table_row(t, ["{%tr for u in khong_danh_gia %}"], merge=True)
    table_row(t, ["{{ u.stt }}", "{{ u.tep }}", "{{ u.ly_do }}"], aligns=[CENTER, LEFT, LEFT], col_mm=[12, 90, 125])
    table_row(t, ["{%tr endfor %}"], merge=True)
    tag(doc, "endif")
    recipients_and_signer(doc, [], position="{{ cq.chuc_vu_nguoi_ky|upper }}", name="{{ cq.nguoi_ky }}",
                          recipient_loop="for item in cq.noi_nhan")
    return doc


def appraisal():
    doc = new_document()
    header_block(doc, "Số: ……/BC-HĐ", left_top="{{ cq.co_quan_cong_nhan|upper }}", left_unit="{{ cq.hoi_dong|upper }}",
                 date_line="{{ cq.dia_danh }}, {{ ngay_van_ban }}")
    title(doc, "BÁO CÁO", f"Thẩm định hồ sơ đề nghị công nhận {DVHT} năm {{{{ nam }}}}")
    para(doc, "Kính gửi: {{ cq.co_quan_cong_nhan }}.", align=CENTER)
    para(doc, "Căn cứ {{ van_ban }} và hồ sơ do các đơn vị gửi, {{ cq.hoi_dong }} báo cáo kết quả thẩm định như sau:",
         indent=True)
    para(doc, "1. Số hồ sơ nhận được: {{ so_ho_so }}; đánh giá được: {{ so_danh_gia_duoc }}; không đánh giá được: "
         "{{ khong_danh_gia|length }}.", indent=True)
    para(doc, "2. Kết quả:", indent=True)
    tag(doc, "for k in thong_ke")
    para(doc, "- {{ k.ten }}: {{ k.so }} đơn vị;", indent=True, space_after=0)
    tag(doc, "endfor")
    para(doc, "3. Kết quả của từng đơn vị:", indent=True, space_before=6, keep_next=True)
    cols = [11, 42, 62, 50]
    t = table(doc, ["STT", "Mã đơn vị", "Tên đơn vị", "Kết quả"], cols, size=12)
    table_row(t, ["{%tr for u in don_vi %}"], merge=True)
    table_row(t, ["{{ u.stt }}", "{{ u.ma }}", "{{ u.ten }}", "{{ u.ket_qua }}"], aligns=[CENTER, LEFT, LEFT, LEFT],
              col_mm=cols)
    table_row(t, ["{%tr endfor %}"], merge=True)
    para(doc, "4. Đơn vị chưa đạt và lý do:", indent=True, space_before=6)
    tag(doc, "for u in chua_dat")
    para(doc, "- {{ u.ten }} ({{ u.ma }}): {{ u.ly_do }};", indent=True)
    tag(doc, "endfor")
    tag(doc, "if not chua_dat")
    para(doc, "Không có.", indent=True)
    tag(doc, "endif")
    para(doc, "5. Hồ sơ không đánh giá được:", indent=True)
    tag(doc, "for u in khong_danh_gia")
    para(doc, "- {{ u.tep }}: {{ u.ly_do }};", indent=True)
    tag(doc, "endfor")
    tag(doc, "if not khong_danh_gia")
    para(doc, "Không có.", indent=True)
    tag(doc, "endif")
    para(doc, "{{ cq.hoi_dong }} đề nghị {{ cq.co_quan_cong_nhan }} xem xét, công nhận các đơn vị có tên trong danh "
         "sách kèm theo dự thảo Quyết định./.", indent=True)
    recipients_and_signer(doc, ["- Như trên;", "- Lưu: Hội đồng."], position="CHỦ TỊCH HỘI ĐỒNG",
                          name="{{ cq.chu_tich_hoi_dong }}")
    return doc


def decision():
    doc = new_document()
    office_header(doc, "Số: ……/QĐ-{{ cq.ky_hieu_cong_nhan }}", authority=True)
    para(doc, "DỰ THẢO", bold=True, italic=True, size=12, align=CENTER, space_after=0)
    title(doc, "QUYẾT ĐỊNH", f"Về việc công nhận {DVHT} năm {{{{ nam }}}}")
    para(doc, "{{ cq.chuc_vu_nguoi_ky_cong_nhan|upper }} {{ cq.co_quan_cong_nhan|upper }}", bold=True, align=CENTER)
    tag(doc, "for c in can_cu")
    para(doc, "{{ c }};", italic=True, indent=True)
    tag(doc, "endfor")
    para(doc, "Theo đề nghị của {{ cq.ten }}.", italic=True, indent=True)
    para(doc, "QUYẾT ĐỊNH:", bold=True, align=CENTER, space_before=6)
    para(doc, "Điều 1. Công nhận {{ so_cong_nhan }} đơn vị đạt {{ dvht }}, gồm:", indent=True)
    tag(doc, "for g in nhom_dat")
    para(doc, "- {{ g.so_don_vi }} đơn vị đạt “Đơn vị học tập” {{ g.ten }};", indent=True, space_after=0)
    tag(doc, "endfor")
    para(doc, "(có danh sách kèm theo).", indent=True, space_before=6)
    para(doc, "Điều 2. Kết quả công nhận có giá trị trong thời hạn 03 năm kể từ ngày ký ({{ dieu_gia_tri }}).",
         indent=True)
    para(doc, "Điều 3. Quyết định có hiệu lực kể từ ngày ký. {{ thuc_hien }} và các đơn vị có tên tại Điều 1 chịu trách "
         "nhiệm thi hành Quyết định này./.", indent=True)
    recipients_and_signer(doc, ["- Như Điều 3;", "- Lưu: VT."], position="{{ cq.chuc_vu_nguoi_ky_cong_nhan|upper }}",
                          name="{{ cq.nguoi_ky_cong_nhan }}")
    # The attached list, on its own page (the same groups as Điều 1).
    p = para(doc, "", space_after=0)
    p.paragraph_format.page_break_before = True
    para(doc, "DANH SÁCH", bold=True, align=CENTER, space_after=0)
    para(doc, f"Đơn vị đạt {DVHT} năm {{{{ nam }}}}", bold=True, align=CENTER, space_after=0)
    para(doc, "(Kèm theo Quyết định số ……/QĐ-{{ cq.ky_hieu_cong_nhan }} ngày …… tháng …… năm …… của "
         "{{ cq.co_quan_cong_nhan }})", italic=True, align=CENTER)
    cols = [12, 40, 75, 38]
    tag(doc, "for g in nhom_dat")
    para(doc, "{{ g.so_muc }}. {{ g.tieu_de }} ({{ g.so_don_vi }} đơn vị)", bold=True, keep_next=True)
    t = table(doc, ["STT", "Mã đơn vị", "Tên đơn vị", "Loại đơn vị"], cols)
    table_row(t, ["{%tr for u in g.don_vi %}"], merge=True)
    table_row(t, ["{{ u.stt }}", "{{ u.ma }}", "{{ u.ten }}", "{{ u.loai }}"], aligns=[CENTER, LEFT, LEFT, LEFT],
              col_mm=cols)
    table_row(t, ["{%tr endfor %}"], merge=True)
    para(doc, "", space_after=0)
    tag(doc, "endfor")
    return doc


UNIT_TEMPLATES = {
    "01-trang-bia.docx": cover, "02-to-trinh.docx": submission, "03-to-danh-gia.docx": committee,
    "04-ban-tong-hop.docx": summary, "04-bieu-diem.docx": points, "05-chu-viet-tat.docx": abbreviations,
    "06-bien-ban.docx": minutes, "07-bao-cao.docx": report, "08-danh-muc-minh-chung.docx": evidence,
}
OFFICE_TEMPLATES = {
    "co-quan-danh-sach-de-nghi.docx": office_list, "co-quan-bao-cao-tham-dinh.docx": appraisal,
    "co-quan-du-thao-quyet-dinh.docx": decision,
}


def main(out: Path) -> None:
    out.mkdir(parents=True, exist_ok=True)
    for name, build in {**UNIT_TEMPLATES, **OFFICE_TEMPLATES}.items():
        save_reproducibly(build(), out / name)


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else TEMPLATES_DIR)
