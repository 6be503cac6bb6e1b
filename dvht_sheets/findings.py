"""The one catalogue of findings: stable codes, severities and Vietnamese message templates.

Every message a user sees about their data comes from here. Tests build the expected text from the same entry, so
rewording a message never breaks a test, and formatting can never crash (a missing value prints "?").
"""

from __future__ import annotations

import string
from dataclasses import dataclass
from enum import Enum


class Severity(str, Enum):
    # fatal: the file cannot be evaluated at all; error: a value was not understood (the unit is still evaluated,
    # conservatively); warning: worth a look, the result does not depend on it.
    FATAL = "fatal"
    ERROR = "error"
    WARNING = "warning"

    @property
    def label(self) -> str:
        return {"fatal": "Nghiêm trọng", "error": "Lỗi", "warning": "Cảnh báo"}[self.value]


@dataclass(frozen=True)
class Entry:
    severity: Severity
    template: str


F, E, W = Severity.FATAL, Severity.ERROR, Severity.WARNING

CATALOGUE: dict[str, Entry] = {
    # --- the file itself
    "file-unreadable": Entry(F, "Không đọc được tệp: {detail}. Hãy mở tệp bằng Excel, lưu lại dạng .xlsx rồi gửi lại."),
    "file-empty": Entry(F, "Tệp rỗng (0 byte) hoặc không có trang tính nào. Hãy gửi lại tệp đã nhập liệu."),
    "file-not-excel": Entry(F, "Tệp không phải sổ tính Excel ({detail}). Hãy dùng mẫu chuẩn .xlsx và lưu đúng định dạng."),
    "file-encrypted": Entry(F, "Tệp được đặt mật khẩu nên không đọc được. Hãy gỡ mật khẩu (Tệp → Thông tin → Bảo vệ sổ làm việc) rồi gửi lại."),
    "file-format-old": Entry(F, "Định dạng {detail} không được hỗ trợ. Hãy mở bằng Excel và lưu lại dạng .xlsx."),
    "file-too-large": Entry(F, "Tệp quá lớn khi giải nén ({detail}); giới hạn hiện tại là {limit}. Hãy kiểm tra lại tệp hoặc nâng giới hạn (--max-unzipped-mb)."),
    "file-unsafe": Entry(F, "Tệp chứa khai báo XML không được phép trong sổ tính ({detail}: DTD hoặc thực thể), có thể là tệp độc hại hoặc bị hỏng; tệp không được đọc. Hãy mở bằng Excel, lưu lại dạng .xlsx rồi gửi lại."),
    "sheet-too-many-rows": Entry(F, "Trang '{sheet}' có {detail} dòng, vượt giới hạn {limit}. Hãy xoá các dòng thừa ở cuối trang."),
    "sheet-extent": Entry(F, "Trang '{sheet}' có ô ở vị trí {detail}, vượt giới hạn {limit}: tệp bị hỏng hoặc được tạo bất thường. Hãy mở bằng Excel, xoá các ô thừa ở xa rồi lưu lại."),
    "template-foreign": Entry(F, "Tệp không theo mẫu chuẩn “Đơn vị học tập”: {detail}. Hãy tải mẫu bằng lệnh `dvht template` và chép dữ liệu sang."),
    "sheet-missing": Entry(F, "Thiếu trang tính '{expected}'. Các trang có trong tệp: {detail}. Hãy dùng đúng mẫu chuẩn (không đổi tên, không xoá trang)."),
    "sheet-renamed": Entry(W, "Trang '{sheet}' được hiểu là '{expected}'. Nên giữ đúng tên trang của mẫu."),
    "header-missing": Entry(F, "Không tìm thấy dòng tiêu đề của trang '{sheet}' (cần các cột: {expected}). Hãy giữ nguyên dòng tiêu đề của mẫu."),
    "column-missing": Entry(E, "Trang '{sheet}' thiếu cột '{expected}'. Hãy thêm lại cột này như trong mẫu; các ô của cột được coi là để trống."),
    "column-unknown": Entry(W, "Cột '{value}' ở ô {cell} không thuộc mẫu nên được bỏ qua."),
    "template-old": Entry(W, "Tệp dùng mẫu phiên bản {value}, mẫu hiện hành là {expected}. Kết quả vẫn được tính; năm sau hãy dùng mẫu mới."),
    "template-other-year": Entry(W, "Mẫu được tạo cho {value}, nhưng năm đánh giá {detail} áp dụng {expected}. Kết quả được tính theo {expected}."),
    "template-other-tier": Entry(W, "Mẫu được tạo cho {value}, nhưng đơn vị đánh giá ở {expected}. Kết quả được tính theo {expected}."),
    # --- the unit sheet
    "unit-value-missing": Entry(E, "Chưa nhập '{label}' (ô {cell}). {detail}"),
    "unit-code-missing": Entry(F, "Chưa nhập 'Mã đơn vị' (ô {cell}). Mã đơn vị là bắt buộc để nhận diện đơn vị trong bản tổng hợp."),
    "unit-year-invalid": Entry(F, "'Năm đánh giá' ở ô {cell} là '{value}', không phải một năm hợp lệ (ví dụ 2025)."),
    "unit-value-invalid": Entry(E, "'{label}' ở ô {cell} là '{value}', không thuộc danh mục. Hãy chọn một trong: {expected}."),
    "unit-number-invalid": Entry(E, "'{label}' ở ô {cell} là '{value}', không phải số nguyên không âm. Hãy nhập một số, ví dụ 350."),
    "unit-learners-exceed": Entry(E, "Số người học đạt “Công dân học tập” ({value}, ô {cell}) lớn hơn tổng số người học ({detail}). Hãy kiểm tra lại hai số này."),
    "unit-tier-inferred": Entry(W, "Ô {cell} 'Cấp đánh giá' để trống; theo loại đơn vị '{value}' được hiểu là {expected}."),
    "unit-tier-default": Entry(W, "Ô {cell} 'Cấp đánh giá' để trống và loại đơn vị '{value}' không cho biết cấp; tạm đánh giá ở {expected}. Hãy chọn cấp đánh giá."),
    "unit-type-assumed": Entry(E, "Ô {cell} 'Loại hình' để trống; đơn vị được coi là Công lập (áp dụng cả chỉ tiêu 1.3). Hãy chọn Công lập, Dân lập hoặc Tư thục."),
    "unit-requested-not-met": Entry(W, "Đơn vị đề nghị {value} nhưng số liệu chỉ đáp ứng: {expected}."),
    # --- the member sheet
    "member-none": Entry(F, "Trang '{sheet}' không có thành viên nào. Hãy nhập mỗi thành viên một dòng."),
    "member-name-missing": Entry(E, "Dòng {row} có dữ liệu nhưng thiếu 'Họ và tên' (ô {cell}). Hãy nhập họ tên hoặc xoá dòng."),
    "yes-no-invalid": Entry(E, "Ô {cell} ('{label}') có giá trị '{value}', không hiểu là Có hay Không; tạm tính là Không. Hãy nhập Có hoặc Không."),
    "title-invalid": Entry(E, "Ô {cell} ('{label}') có giá trị '{value}', không phải danh hiệu thi đua trong danh mục; tạm tính là không có danh hiệu. Hãy chọn trong danh sách thả xuống."),
    "title-not-a-title": Entry(W, "Ô {cell}: '{value}' là hình thức khen thưởng hoặc xếp loại, không phải danh hiệu thi đua, nên không được tính cho chỉ tiêu về danh hiệu “Lao động tiên tiến”."),
    "column-blank": Entry(W, "Cột '{label}' của trang '{sheet}' để trống toàn bộ; mọi thành viên được tính là Không."),
    "exclusion-no-reason": Entry(E, "Thành viên ở dòng {row} được đánh dấu không tính vào tổng số (ô {cell}) nhưng chưa ghi lý do ở cột Ghi chú; thành viên vẫn được tính vào tổng số, và mọi chỉ tiêu tỉ lệ Thành viên là Không đạt cho tới khi có lý do. Hãy ghi lý do hoặc bỏ đánh dấu."),
    "exclusion": Entry(W, "Thành viên '{value}' (dòng {row}) không tính vào tổng số; lý do: {detail}."),
    "date-invalid": Entry(W, "Ô {cell} ('{label}') có giá trị '{value}', không hiểu là ngày tháng; nên nhập dạng dd/mm/yyyy."),
    "formula-no-value": Entry(E, "Ô {cell} chứa công thức nhưng chưa có giá trị tính sẵn (tệp được lưu bởi phần mềm không tính công thức); tạm coi là để trống. Hãy mở tệp bằng Excel hoặc LibreOffice, lưu lại rồi gửi lại."),
    "merged-cells": Entry(W, "Vùng ô {cell} đang được gộp; giá trị '{value}' được hiểu là áp dụng cho mọi ô của vùng. Nên bỏ gộp ô trong bảng và ghi giá trị cho từng dòng."),
    "sheet-hidden": Entry(W, "Trang '{sheet}' đang bị ẩn; dữ liệu vẫn được đọc. Hãy kiểm tra lại trang này."),
    "cell-error-value": Entry(E, "Ô {cell} chứa giá trị lỗi của Excel '{value}'; tạm coi là để trống. Hãy sửa công thức hoặc nhập giá trị."),
    "member-duplicate": Entry(W, "Thành viên '{value}' ở dòng {row} trùng họ tên và ngày sinh với dòng {detail}. Hãy kiểm tra có nhập hai lần không."),
    # --- indicators and evidence
    "indicator-missing": Entry(E, "Trang '{sheet}' thiếu dòng chỉ tiêu {value}; chỉ tiêu này được tính là Không đạt. Hãy thêm lại dòng như trong mẫu."),
    "indicator-unknown": Entry(W, "Dòng {row} (ô {cell}) có mã chỉ tiêu '{value}' không thuộc bộ tiêu chí {expected}; dòng này được bỏ qua."),
    "indicator-answer-missing": Entry(E, "Chỉ tiêu {value}: chưa nhập kết quả tự đánh giá (ô {cell}); chỉ tiêu được tính là Không đạt. Hãy chọn: {expected}."),
    "indicator-answer-invalid": Entry(E, "Chỉ tiêu {value}: ô {cell} có '{detail}', không thuộc danh mục; chỉ tiêu được tính là Không đạt. Hãy chọn: {expected}."),
    "indicator-na-but-applies": Entry(W, "Chỉ tiêu {value} được ghi 'Không áp dụng' (ô {cell}) nhưng theo loại đơn vị thì chỉ tiêu này có áp dụng; chỉ tiêu được tính là Không đạt."),
    "evidence-none": Entry(E, "Chỉ tiêu {value} chưa có minh chứng (ô {cell}); theo Điều 9.3 chỉ tiêu không có minh chứng là Không đạt. Hãy ghi mã minh chứng có trong trang 'Minh chứng'."),
    "evidence-unknown": Entry(E, "Chỉ tiêu {value}: mã minh chứng '{detail}' (ô {cell}) không có trong trang 'Minh chứng'. Hãy thêm minh chứng đó vào danh mục hoặc sửa mã."),
    "evidence-code-missing": Entry(E, "Dòng {row} của trang 'Minh chứng' thiếu mã minh chứng (ô {cell})."),
    "evidence-name-missing": Entry(W, "Minh chứng '{value}' (dòng {row}) thiếu tên minh chứng (ô {cell})."),
    "evidence-duplicate": Entry(E, "Mã minh chứng '{value}' ở ô {cell} trùng với dòng {detail}. Mỗi minh chứng cần một mã riêng."),
    "learners-missing": Entry(E, "Đơn vị là cơ sở giáo dục có người học được tính (chỉ tiêu 3.1) nhưng chưa nhập '{label}' (ô {cell}); chỉ tiêu 3.1 được tính là Không đạt."),
    "denominator-zero": Entry(E, "Chỉ tiêu {value}: mẫu số bằng 0 ({detail}); chỉ tiêu được tính là Không đạt."),
    # --- issue 8, vocabulary half (branch vocab): strict matching, certificates, titles with a year, kinds, copies
    "value-telex": Entry(E, "Ô {cell} ('{label}') có giá trị '{value}', có lẽ là “{expected}” gõ khi bộ gõ tiếng Việt đang tắt; công cụ không đoán chữ nên tạm tính là Không. Hãy sửa thành “{expected}”."),
    "cert-invalid": Entry(E, "Ô {cell} ('{label}') có giá trị '{value}': không phải Có/Không và không nêu tên chứng chỉ ngoại ngữ hoặc tiếng dân tộc thiểu số; tạm tính là Không. Hãy nhập Có, Không hoặc tên chứng chỉ, ví dụ {expected}."),
    "title-other-year": Entry(E, "Ô {cell} ('{label}') có '{value}': danh hiệu ghi năm khác năm đánh giá {expected}; tạm tính là không có danh hiệu. Chỉ ghi danh hiệu của năm đánh giá."),
    "title-extra-text": Entry(E, "Ô {cell} ('{label}') có '{value}': ngoài tên danh hiệu còn nội dung khác (số quyết định, “đề nghị” …) nên không được tính; tạm tính là không có danh hiệu. Hãy chỉ ghi tên danh hiệu (ví dụ “Lao động tiên tiến”) và ghi số quyết định ở cột Ghi chú."),
    "unit-kind-invalid": Entry(F, "'Loại đơn vị' ở ô {cell} là '{value}', không nhận ra loại đơn vị nên không chọn được bộ chỉ tiêu áp dụng; đơn vị không được đánh giá. Hãy chọn một trong: {expected}."),
    "unit-year-school-year": Entry(F, "'Năm đánh giá' ở ô {cell} là '{value}', là năm học chứ không phải năm dương lịch; Thông tư 24/2023 tính số liệu theo năm dương lịch (01/01–31/12, Điều 10.1.b) nên đơn vị không được đánh giá. Hãy nhập một năm, ví dụ {expected}."),
    "unit-type-from-kind": Entry(W, "Ô {cell} 'Loại hình' để trống; theo 'Loại đơn vị' ('{value}') được hiểu là {expected}."),
    "sheet-copy-ignored": Entry(W, "Trang '{sheet}' là bản sao của trang '{expected}' nên không được đọc; chỉ trang '{detail}' được đọc. Hãy xoá bản sao hoặc chép dữ liệu vào trang chính."),
    "birth-date-future": Entry(W, "Ô {cell} ('{label}') có ngày sinh '{value}' sau năm đánh giá {expected}. Hãy kiểm tra lại ngày sinh."),
    # --- branch `structure` (issue 8): total/heading rows, merges, contradictions, evidence parsing
    "row-total-skipped": Entry(W, "Dòng {row} ('{value}', ô {cell}) là dòng tổng cộng, không phải thành viên; dòng này được bỏ qua. Không cần dòng tổng cộng trong bảng: công cụ tự đếm."),
    "row-heading-skipped": Entry(W, "Dòng {row} ('{value}', ô {cell}) là dòng tiêu đề hoặc tên nhóm (ví dụ “Tổ Toán”), không phải thành viên; dòng này được bỏ qua. Nếu đây là một thành viên, hãy ghi STT và các cột Có/Không của dòng."),
    "member-no-answers": Entry(W, "Dòng {row} ('{value}', ô {cell}) không có STT và không có câu trả lời nào; dòng vẫn được tính là một thành viên, mọi cột tính là Không. Nếu đây là tên nhóm hoặc tiêu đề, hãy xoá dòng; nếu là thành viên, hãy nhập đủ các cột."),
    "merged-across": Entry(W, "Vùng ô {cell} (dòng {row}) được gộp theo hàng ngang; giá trị chỉ được tính cho ô đầu tiên, các ô còn lại được coi là để trống. Hãy bỏ gộp ô và ghi giá trị cho từng cột."),
    "learners-total-below": Entry(E, "Tổng số người học ({value}, ô {cell}) nhỏ hơn số người học đạt “Công dân học tập” ({detail}): số liệu mâu thuẫn, chỉ tiêu 3.1 được tính là Không đạt. Hãy kiểm tra lại hai số này."),
    "evidence-for-invalid": Entry(E, "Ô {cell} ('Dùng cho chỉ tiêu', dòng {row}) có '{value}', không nhận ra mã chỉ tiêu nào; minh chứng không được tính cho chỉ tiêu nào. Hãy ghi mã chỉ tiêu, ví dụ 2.1; nhiều chỉ tiêu cách nhau bởi dấu ;"),
    # --- branch readsafe (issue 9: whatever a file contains)
    "text-invalid-chars": Entry(W, "Ô {cell} có ký tự không hợp lệ (ký tự điều khiển hoặc U+FFFE/U+FFFF); trong các tệp kết quả ký tự đó được thay bằng “\ufffd”: '{value}'. Hãy xoá ký tự đó trong ô rồi lưu lại."),
    "sheet-name-invalid-chars": Entry(W, "Tên trang '{sheet}' có ký tự không hợp lệ (ký tự điều khiển hoặc U+FFFE/U+FFFF), đã được thay bằng “\ufffd”. Hãy đặt lại đúng tên trang của mẫu."),
    "workbook-extent": Entry(F, "Các trang của tệp trải rộng tổng cộng {detail} ô, vượt giới hạn {limit} ô: tệp bị hỏng hoặc được tạo bất thường (có ô thừa ở rất xa). Hãy mở bằng Excel, xoá các dòng và cột thừa ở cuối mỗi trang rồi lưu lại."),
    "file-size-hint": Entry(F, "Tệp khai báo kích thước bất thường ({detail}), vượt xa dữ liệu thật: tệp bị hỏng hoặc được tạo để làm treo chương trình; tệp không được đọc. Hãy mở bằng Excel, lưu lại dạng .xlsx rồi gửi lại."),
    # --- coordinator: a result workbook fed back as input (would count the unit twice)
    "file-is-result": Entry(F, "Tệp này là tệp kết quả do dvht-sheets ghi (đánh giá từ tệp '{detail}'), không phải tệp nộp của đơn vị; tệp không được đánh giá để đơn vị không bị tính hai lần. Hãy đánh giá tệp gốc của đơn vị."),
    # --- branch `outputs` (issue 9): problems of the tool or of the output folder, not of the school's file, so the
    # advice is not "save the file again in Excel".
    "output-write-failed": Entry(E, "Không ghi được tệp kết quả của đơn vị ({detail}). Kết quả đánh giá vẫn có trong bản tổng hợp; hãy kiểm tra chỗ trống và quyền ghi của thư mục kết quả rồi chạy lại."),
    "internal-error": Entry(F, "Công cụ gặp lỗi nội bộ khi xử lý tệp ({detail}). Tệp không bị thay đổi; hãy gửi tệp này cùng thông báo cho người quản trị công cụ."),
    # --- issue 12, the dossier (branch dossier): its template fields, and the documents `dvht ho-so` writes
    "dossier-incomplete": Entry(W, "Hồ sơ đề nghị công nhận còn thiếu: {detail}. Kết quả đánh giá không phụ thuộc vào các thông tin này; trong các văn bản của hồ sơ (lệnh `dvht ho-so`) chúng được để trống “…………”. Hãy điền ở trang '{sheet}' và trang 'Tổ đánh giá' của mẫu mới."),
    "committee-role-invalid": Entry(W, "Ô {cell} ('Nhiệm vụ trong Tổ') có '{value}', không thuộc danh mục; người này được ghi là Thành viên. Hãy chọn một trong: {expected}."),
    "dossier-no-level": Entry(W, "Đơn vị chưa đạt mức độ nào ({detail}) nên không lập Tờ trình đề nghị công nhận; các văn bản khác của hồ sơ vẫn được ghi để đơn vị xem lại."),
    "dossier-not-evaluated": Entry(E, "Tệp {value} không đánh giá được nên không lập hồ sơ: {detail}"),
    "dossier-template-missing": Entry(E, "Thư mục mẫu hồ sơ {value} thiếu tệp '{expected}'. Hãy chép lại các mẫu bằng lệnh `dvht mau-ho-so -o {value}` rồi sửa."),
    "dossier-template-invalid": Entry(E, "Mẫu hồ sơ '{value}' không dùng được: {detail}. Hãy mở tệp bằng Word, sửa lại thẻ {{{{ … }}}} hoặc {{% … %}} bị lỗi, hoặc chép lại mẫu gốc bằng `dvht mau-ho-so`."),
    "dossier-template-tag": Entry(E, "Mẫu hồ sơ '{value}' còn thẻ không điền được: {detail}. Thẻ phải là một trong các tên của mẫu gốc (xem `dvht mau-ho-so`); hãy sửa chính tả thẻ hoặc xoá thẻ."),
    "dossier-pdf-unavailable": Entry(W, "Không chuyển được sang PDF: {detail}. Các tệp .docx vẫn được ghi; có thể mở bằng Word và lưu thành PDF."),
    "office-settings-invalid": Entry(E, "Tệp thông tin cơ quan {value} không đọc được: {detail}. Hãy tạo tệp mẫu bằng `dvht co-quan-mau -o co-quan.toml` rồi sửa."),
}


class _Safe(dict):
    def __missing__(self, key: str) -> str:
        return "?"


_FORMATTER = string.Formatter()


def render(code: str, **values: object) -> str:
    """The Vietnamese message for a code; never raises, whatever values are missing."""
    entry = CATALOGUE.get(code)
    if entry is None:
        return f"[{code}] " + ", ".join(f"{k}={v}" for k, v in values.items())
    safe = _Safe({k: ("?" if v is None else v) for k, v in values.items()})
    try:
        return _FORMATTER.vformat(entry.template, (), safe)
    except (ValueError, IndexError, AttributeError):
        return entry.template


@dataclass
class Finding:
    code: str
    severity: str
    message: str
    sheet: str | None = None
    cell: str | None = None
    value: str | None = None

    def to_json(self) -> dict:
        return {"code": self.code, "severity": self.severity, "sheet": self.sheet, "cell": self.cell,
                "message": self.message}


def finding(code: str, *, sheet: str | None = None, cell: str | None = None, value: object = None,
            **extra: object) -> Finding:
    entry = CATALOGUE[code]
    shown = None if value is None else _clip(str(value))
    msg = render(code, sheet=sheet, cell=cell, value=shown, **extra)
    return Finding(code=code, severity=entry.severity.value, message=msg, sheet=sheet, cell=cell or None, value=shown)


def _clip(text: str, limit: int = 80) -> str:
    # A pasted paragraph in a cell should not turn a one-line message into a page.
    text = text.replace("\n", " ")
    return text if len(text) <= limit else text[: limit - 1] + "…"


def has_fatal(findings: list[Finding]) -> bool:
    return any(f.severity == Severity.FATAL.value for f in findings)


__all__ = ["CATALOGUE", "Finding", "Severity", "finding", "render", "has_fatal"]
