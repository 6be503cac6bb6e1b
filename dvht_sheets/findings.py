"""The one catalogue of findings: stable codes, severities and Vietnamese message templates.

Every message a user sees about their data comes from here. Tests build the expected text from the same entry, so
rewording a message never breaks a test, and formatting can never crash (a missing value prints "?").
"""

from __future__ import annotations

import os
import re
import string
from dataclasses import dataclass
from enum import StrEnum


class Severity(StrEnum):
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


class Code(StrEnum):
    """Every finding code. Call sites name a member (Code.FILE_UNREADABLE), never a bare string, so a misspelt
    code fails where it is written (tests/test_findings_catalogue.py checks every call site), not at run time."""

    FILE_UNREADABLE = "file-unreadable"
    FILE_EMPTY = "file-empty"
    FILE_NOT_EXCEL = "file-not-excel"
    FILE_ENCRYPTED = "file-encrypted"
    FILE_TOO_LARGE = "file-too-large"
    FILE_UNSAFE = "file-unsafe"
    SHEET_TOO_MANY_ROWS = "sheet-too-many-rows"
    SHEET_EXTENT = "sheet-extent"
    TEMPLATE_FOREIGN = "template-foreign"
    SHEET_MISSING = "sheet-missing"
    SHEET_RENAMED = "sheet-renamed"
    HEADER_MISSING = "header-missing"
    COLUMN_MISSING = "column-missing"
    COLUMN_UNKNOWN = "column-unknown"
    TEMPLATE_OLD = "template-old"
    TEMPLATE_OTHER_YEAR = "template-other-year"
    TEMPLATE_OTHER_TIER = "template-other-tier"
    UNIT_VALUE_MISSING = "unit-value-missing"
    UNIT_CODE_MISSING = "unit-code-missing"
    UNIT_YEAR_INVALID = "unit-year-invalid"
    UNIT_VALUE_INVALID = "unit-value-invalid"
    UNIT_NUMBER_INVALID = "unit-number-invalid"
    UNIT_LEARNERS_EXCEED = "unit-learners-exceed"
    UNIT_TIER_INFERRED = "unit-tier-inferred"
    UNIT_TIER_DEFAULT = "unit-tier-default"
    UNIT_TYPE_ASSUMED = "unit-type-assumed"
    UNIT_REQUESTED_NOT_MET = "unit-requested-not-met"
    MEMBER_NONE = "member-none"
    MEMBER_NAME_MISSING = "member-name-missing"
    YES_NO_INVALID = "yes-no-invalid"
    TITLE_INVALID = "title-invalid"
    TITLE_NOT_A_TITLE = "title-not-a-title"
    COLUMN_BLANK = "column-blank"
    EXCLUSION_NO_REASON = "exclusion-no-reason"
    EXCLUSION = "exclusion"
    DATE_INVALID = "date-invalid"
    FORMULA_NO_VALUE = "formula-no-value"
    MERGED_CELLS = "merged-cells"
    SHEET_HIDDEN = "sheet-hidden"
    CELL_ERROR_VALUE = "cell-error-value"
    MEMBER_DUPLICATE = "member-duplicate"
    INDICATOR_MISSING = "indicator-missing"
    INDICATOR_UNKNOWN = "indicator-unknown"
    INDICATOR_ANSWER_MISSING = "indicator-answer-missing"
    INDICATOR_ANSWER_INVALID = "indicator-answer-invalid"
    INDICATOR_NA_BUT_APPLIES = "indicator-na-but-applies"
    EVIDENCE_NONE = "evidence-none"
    EVIDENCE_UNKNOWN = "evidence-unknown"
    EVIDENCE_CODE_MISSING = "evidence-code-missing"
    EVIDENCE_NAME_MISSING = "evidence-name-missing"
    EVIDENCE_DUPLICATE = "evidence-duplicate"
    LEARNERS_MISSING = "learners-missing"
    DENOMINATOR_ZERO = "denominator-zero"
    VALUE_TELEX = "value-telex"
    CERT_INVALID = "cert-invalid"
    TITLE_OTHER_YEAR = "title-other-year"
    TITLE_EXTRA_TEXT = "title-extra-text"
    UNIT_KIND_INVALID = "unit-kind-invalid"
    UNIT_YEAR_SCHOOL_YEAR = "unit-year-school-year"
    UNIT_TYPE_FROM_KIND = "unit-type-from-kind"
    SHEET_COPY_IGNORED = "sheet-copy-ignored"
    SHEET_COPY_ONLY = "sheet-copy-only"
    BIRTH_DATE_FUTURE = "birth-date-future"
    ROW_TOTAL_SKIPPED = "row-total-skipped"
    ROW_HEADING_SKIPPED = "row-heading-skipped"
    MEMBER_NO_ANSWERS = "member-no-answers"
    MERGED_ACROSS = "merged-across"
    LEARNERS_TOTAL_BELOW = "learners-total-below"
    EVIDENCE_FOR_INVALID = "evidence-for-invalid"
    TEXT_INVALID_CHARS = "text-invalid-chars"
    SHEET_NAME_INVALID_CHARS = "sheet-name-invalid-chars"
    WORKBOOK_EXTENT = "workbook-extent"
    FILE_SIZE_HINT = "file-size-hint"
    FILE_IS_RESULT = "file-is-result"
    OUTPUT_WRITE_FAILED = "output-write-failed"
    INTERNAL_ERROR = "internal-error"
    # not about a file's data: a file the reader could not finish, the files not read, the roster, the run itself
    FILE_OUT_OF_MEMORY = "file-out-of-memory"
    FILE_TIMED_OUT = "file-timed-out"
    FILE_CRASHED = "file-crashed"
    SKIP_NOT_WORKBOOK = "skip-not-workbook"
    SKIP_EXCEL_LOCK = "skip-excel-lock"
    SKIP_TEMPORARY = "skip-temporary"
    SKIP_NOT_REGULAR = "skip-not-regular"
    SKIP_LINK_OUTSIDE = "skip-link-outside"
    SKIP_LINK_BROKEN = "skip-link-broken"
    SKIP_LINK_FOLDER = "skip-link-folder"
    SKIP_FOLDER_UNREADABLE = "skip-folder-unreadable"
    SKIP_ENTRY_UNREADABLE = "skip-entry-unreadable"
    ROSTER_UNREADABLE = "roster-unreadable"
    ROSTER_NO_SHEET = "roster-no-sheet"
    ROSTER_ENCRYPTED = "roster-encrypted"
    ROSTER_TIMED_OUT = "roster-timed-out"
    ROSTER_CRASHED = "roster-crashed"
    RUN_FOLDER_BUSY = "run-folder-busy"
    RUN_OUTPUT_FAILED = "run-output-failed"
    RUN_INPUT_INSIDE_OUTPUT = "run-input-inside-output"
    RUN_NO_INPUTS = "run-no-inputs"
    RUN_OLD_RESULT_OPEN = "run-old-result-open"
    RUN_UNIT_CODE_REPEATED = "run-unit-code-repeated"
    RUN_MORE_CODES_REPEATED = "run-more-codes-repeated"
    RUN_STOPPED = "run-stopped"
    RUN_UNEXPECTED_ERROR = "run-unexpected-error"
    RUN_INSTALL_INCOMPLETE = "run-install-incomplete"
    RUN_OPTIONS_NEED_HO_SO = "run-options-need-ho-so"
    RUN_UNITS_NOT_WRITTEN = "run-units-not-written"
    RUN_CHECK_NOT_WRITTEN = "run-check-not-written"
    CAUSE_DISK_FULL = "cause-disk-full"
    CAUSE_READ_ONLY = "cause-read-only"
    CAUSE_NO_PERMISSION = "cause-no-permission"
    CAUSE_FOLDER_GONE = "cause-folder-gone"
    CAUSE_NOT_A_FOLDER = "cause-not-a-folder"
    CAUSE_NAME_TOO_LONG = "cause-name-too-long"
    CAUSE_DISK_IO = "cause-disk-io"
    CAUSE_QUOTA = "cause-quota"
    CAUSE_HELD_OPEN = "cause-held-open"
    CAUSE_HELD_OPEN_OR_DENIED = "cause-held-open-or-denied"
    CAUSE_PATH_TOO_LONG = "cause-path-too-long"
    # issue 12, the dossier (branch dossier)
    DOSSIER_INCOMPLETE = "dossier-incomplete"
    COMMITTEE_ROLE_INVALID = "committee-role-invalid"
    DOSSIER_NO_LEVEL = "dossier-no-level"
    DOSSIER_NOT_EVALUATED = "dossier-not-evaluated"
    DOSSIER_TEMPLATE_MISSING = "dossier-template-missing"
    DOSSIER_TEMPLATE_INVALID = "dossier-template-invalid"
    DOSSIER_TEMPLATE_TAG = "dossier-template-tag"
    DOSSIER_PDF_UNAVAILABLE = "dossier-pdf-unavailable"
    DOSSIER_WRITE_FAILED = "dossier-write-failed"
    OFFICE_SETTINGS_INVALID = "office-settings-invalid"
    DOSSIER_STALE_NOT_REMOVED = "dossier-stale-not-removed"
    DOSSIER_WORKER_DIED = "dossier-worker-died"
    # --- a rulebook file that cannot be used (rulebook.py; read by whoever edits a --rulebook .toml)
    RULEBOOK_UNKNOWN = "rulebook-unknown"
    RULEBOOK_IS_FOLDER = "rulebook-is-folder"
    RULEBOOK_FILE_MISSING = "rulebook-file-missing"
    RULEBOOK_FILE_UNREADABLE = "rulebook-file-unreadable"
    RULEBOOK_NOT_UTF8 = "rulebook-not-utf8"
    RULEBOOK_TOML_SYNTAX = "rulebook-toml-syntax"
    RULEBOOK_KEY_MISSING = "rulebook-key-missing"
    RULEBOOK_SCHEME_INVALID = "rulebook-scheme-invalid"
    RULEBOOK_BANDS_MISSING = "rulebook-bands-missing"
    RULEBOOK_SCORING_UNSUPPORTED = "rulebook-scoring-unsupported"
    RULEBOOK_RULE_REPEATED = "rulebook-rule-repeated"
    RULEBOOK_RULE_KEY_MISSING = "rulebook-rule-key-missing"
    RULEBOOK_KIND_UNKNOWN = "rulebook-kind-unknown"
    RULEBOOK_KIND_NEEDS_KEY = "rulebook-kind-needs-key"
    RULEBOOK_LEVEL_UNKNOWN = "rulebook-level-unknown"
    RULEBOOK_APPLIES_TO_UNKNOWN = "rulebook-applies-to-unknown"
    RULEBOOK_THRESHOLD_INVALID = "rulebook-threshold-invalid"
    RULEBOOK_LEARNERS_THRESHOLD_INVALID = "rulebook-learners-threshold-invalid"
    RULEBOOK_FIELD_UNKNOWN = "rulebook-field-unknown"
    RULEBOOK_TITLE_UNKNOWN = "rulebook-title-unknown"
    RULEBOOK_DIGITAL_LEVEL_UNKNOWN = "rulebook-digital-level-unknown"
    RULEBOOK_RULE_ID_INVALID = "rulebook-rule-id-invalid"
    RULEBOOK_TIERS_INVALID = "rulebook-tiers-invalid"
    RULEBOOK_NUMBER_INVALID = "rulebook-number-invalid"
    RULEBOOK_TABLE_INVALID = "rulebook-table-invalid"
    # --- branch review: a template made for one rulebook, evaluated by another the user chose (--rulebook)
    TEMPLATE_OTHER_RULEBOOK = "template-other-rulebook"


F, E, W = Severity.FATAL, Severity.ERROR, Severity.WARNING

CATALOGUE: dict[str, Entry] = {
    # --- the file itself
    Code.FILE_UNREADABLE: Entry(F, "Không đọc được tệp: {detail}. Hãy mở tệp bằng Excel, lưu lại dạng .xlsx rồi gửi lại."),
    Code.FILE_EMPTY: Entry(F, "Tệp rỗng (0 byte) hoặc không có trang tính nào. Hãy gửi lại tệp đã nhập liệu."),
    Code.FILE_NOT_EXCEL: Entry(F, "Tệp không phải sổ tính Excel ({detail}). Hãy dùng mẫu chuẩn .xlsx và lưu đúng định dạng."),
    Code.FILE_ENCRYPTED: Entry(F, "Tệp được đặt mật khẩu nên không đọc được. Hãy gỡ mật khẩu (Tệp → Thông tin → Bảo vệ sổ làm việc) rồi gửi lại."),
    Code.FILE_TOO_LARGE: Entry(F, "Tệp quá lớn khi giải nén ({detail}); giới hạn hiện tại là {limit}. Hãy kiểm tra lại tệp hoặc nâng giới hạn (--max-unzipped-mb)."),
    Code.FILE_UNSAFE: Entry(F, "Tệp chứa khai báo XML không được phép trong sổ tính ({detail}: DTD hoặc thực thể), có thể là tệp độc hại hoặc bị hỏng; tệp không được đọc. Hãy mở bằng Excel, lưu lại dạng .xlsx rồi gửi lại."),
    Code.SHEET_TOO_MANY_ROWS: Entry(F, "Trang '{sheet}' có {detail} dòng, vượt giới hạn {limit}. Hãy xoá các dòng thừa ở cuối trang."),
    Code.SHEET_EXTENT: Entry(F, "Trang '{sheet}' có ô ở vị trí {detail}, vượt giới hạn {limit}: tệp bị hỏng hoặc được tạo bất thường. Hãy mở bằng Excel, xoá các ô thừa ở xa rồi lưu lại."),
    Code.TEMPLATE_FOREIGN: Entry(F, "Tệp không theo mẫu chuẩn “Đơn vị học tập”: {detail}. Hãy tải mẫu bằng lệnh `dvht template` và chép dữ liệu sang."),
    Code.SHEET_MISSING: Entry(F, "Thiếu trang tính '{expected}'. Các trang có trong tệp: {detail}. Hãy dùng đúng mẫu chuẩn (không đổi tên, không xoá trang)."),
    Code.SHEET_RENAMED: Entry(W, "Trang '{sheet}' được hiểu là '{expected}'. Nên giữ đúng tên trang của mẫu."),
    Code.HEADER_MISSING: Entry(F, "Không tìm thấy dòng tiêu đề của trang '{sheet}' (cần các cột: {expected}). Hãy giữ nguyên dòng tiêu đề của mẫu."),
    Code.COLUMN_MISSING: Entry(E, "Trang '{sheet}' thiếu cột '{expected}'. Hãy thêm lại cột này như trong mẫu; các ô của cột được coi là để trống."),
    Code.COLUMN_UNKNOWN: Entry(W, "Cột '{value}' ở ô {cell} không thuộc mẫu nên được bỏ qua."),
    Code.TEMPLATE_OLD: Entry(W, "Tệp dùng mẫu phiên bản {value}, mẫu hiện hành là {expected}. Kết quả vẫn được tính; năm sau hãy dùng mẫu mới."),
    Code.TEMPLATE_OTHER_YEAR: Entry(W, "Mẫu được tạo cho {value}, nhưng năm đánh giá {detail} áp dụng {expected}. Kết quả được tính theo {expected}."),
    Code.TEMPLATE_OTHER_TIER: Entry(W, "Mẫu được tạo cho {value}, nhưng đơn vị đánh giá ở {expected}. Kết quả được tính theo {expected}."),
    # --- the unit sheet
    Code.UNIT_VALUE_MISSING: Entry(E, "Chưa nhập '{label}' (ô {cell}). {detail}"),
    Code.UNIT_CODE_MISSING: Entry(F, "Chưa nhập 'Mã đơn vị' (ô {cell}). Mã đơn vị là bắt buộc để nhận diện đơn vị trong bản tổng hợp."),
    Code.UNIT_YEAR_INVALID: Entry(F, "'Năm đánh giá' ở ô {cell} là '{value}', không phải một năm hợp lệ (ví dụ 2025)."),
    Code.UNIT_VALUE_INVALID: Entry(E, "'{label}' ở ô {cell} là '{value}', không thuộc danh mục. Hãy chọn một trong: {expected}."),
    Code.UNIT_NUMBER_INVALID: Entry(E, "'{label}' ở ô {cell} là '{value}', không phải số nguyên không âm. Hãy nhập một số, ví dụ 350."),
    Code.UNIT_LEARNERS_EXCEED: Entry(E, "Số người học đạt “Công dân học tập” ({value}, ô {cell}) lớn hơn tổng số người học ({detail}). Hãy kiểm tra lại hai số này."),
    Code.UNIT_TIER_INFERRED: Entry(W, "Ô {cell} 'Cấp đánh giá' để trống; theo loại đơn vị '{value}' được hiểu là {expected}."),
    Code.UNIT_TIER_DEFAULT: Entry(W, "Ô {cell} 'Cấp đánh giá' để trống và loại đơn vị '{value}' không cho biết cấp; tạm đánh giá ở {expected}. Hãy chọn cấp đánh giá."),
    Code.UNIT_TYPE_ASSUMED: Entry(E, "Ô {cell} 'Loại hình' để trống; đơn vị được coi là Công lập (áp dụng cả chỉ tiêu 1.3). Hãy chọn Công lập, Dân lập hoặc Tư thục."),
    Code.UNIT_REQUESTED_NOT_MET: Entry(W, "Đơn vị đề nghị {value} nhưng số liệu chỉ đáp ứng: {expected}."),
    # --- the member sheet
    Code.MEMBER_NONE: Entry(F, "Trang '{sheet}' không có thành viên nào. Hãy nhập mỗi thành viên một dòng."),
    Code.MEMBER_NAME_MISSING: Entry(E, "Dòng {row} có dữ liệu nhưng thiếu 'Họ và tên' (ô {cell}). Hãy nhập họ tên hoặc xoá dòng."),
    Code.YES_NO_INVALID: Entry(E, "Ô {cell} ('{label}') có giá trị '{value}', không hiểu là Có hay Không; tạm tính là Không. Hãy nhập Có hoặc Không."),
    Code.TITLE_INVALID: Entry(E, "Ô {cell} ('{label}') có giá trị '{value}', không phải danh hiệu thi đua trong danh mục; tạm tính là không có danh hiệu. Hãy chọn trong danh sách thả xuống."),
    Code.TITLE_NOT_A_TITLE: Entry(W, "Ô {cell}: '{value}' là hình thức khen thưởng hoặc xếp loại, không phải danh hiệu thi đua, nên không được tính cho chỉ tiêu về danh hiệu “Lao động tiên tiến”."),
    Code.COLUMN_BLANK: Entry(W, "Cột '{label}' của trang '{sheet}' để trống toàn bộ; mọi thành viên được tính là Không."),
    Code.EXCLUSION_NO_REASON: Entry(E, "Thành viên ở dòng {row} được đánh dấu không tính vào tổng số (ô {cell}) nhưng chưa ghi lý do ở cột Ghi chú; thành viên vẫn được tính vào tổng số, và mọi chỉ tiêu tỉ lệ Thành viên là Không đạt cho tới khi có lý do. Hãy ghi lý do hoặc bỏ đánh dấu."),
    Code.EXCLUSION: Entry(W, "Thành viên '{value}' (dòng {row}) không tính vào tổng số; lý do: {detail}."),
    Code.DATE_INVALID: Entry(W, "Ô {cell} ('{label}') có giá trị '{value}', không hiểu là ngày tháng; nên nhập dạng dd/mm/yyyy."),
    Code.FORMULA_NO_VALUE: Entry(E, "Ô {cell} chứa công thức nhưng chưa có giá trị tính sẵn (tệp được lưu bởi phần mềm không tính công thức); tạm coi là để trống. Hãy mở tệp bằng Excel hoặc LibreOffice, lưu lại rồi gửi lại."),
    Code.MERGED_CELLS: Entry(W, "Vùng ô {cell} đang được gộp; giá trị '{value}' được hiểu là áp dụng cho mọi ô của vùng. Nên bỏ gộp ô trong bảng và ghi giá trị cho từng dòng."),
    Code.SHEET_HIDDEN: Entry(W, "Trang '{sheet}' đang bị ẩn; dữ liệu vẫn được đọc. Hãy kiểm tra lại trang này."),
    Code.CELL_ERROR_VALUE: Entry(E, "Ô {cell} chứa giá trị lỗi của Excel '{value}'; tạm coi là để trống. Hãy sửa công thức hoặc nhập giá trị."),
    Code.MEMBER_DUPLICATE: Entry(W, "Thành viên '{value}' ở dòng {row} trùng họ tên và ngày sinh với dòng {detail}. Hãy kiểm tra có nhập hai lần không."),
    # --- indicators and evidence
    Code.INDICATOR_MISSING: Entry(E, "Trang '{sheet}' thiếu dòng chỉ tiêu {value}; chỉ tiêu này được tính là Không đạt. Hãy thêm lại dòng như trong mẫu."),
    Code.INDICATOR_UNKNOWN: Entry(W, "Dòng {row} (ô {cell}) có mã chỉ tiêu '{value}' không thuộc bộ tiêu chí {expected}; dòng này được bỏ qua."),
    Code.INDICATOR_ANSWER_MISSING: Entry(E, "Chỉ tiêu {value}: chưa nhập kết quả tự đánh giá (ô {cell}); chỉ tiêu được tính là Không đạt. Hãy chọn: {expected}."),
    Code.INDICATOR_ANSWER_INVALID: Entry(E, "Chỉ tiêu {value}: ô {cell} có '{detail}', không thuộc danh mục; chỉ tiêu được tính là Không đạt. Hãy chọn: {expected}."),
    Code.INDICATOR_NA_BUT_APPLIES: Entry(W, "Chỉ tiêu {value} được ghi 'Không áp dụng' (ô {cell}) nhưng theo loại đơn vị thì chỉ tiêu này có áp dụng; chỉ tiêu được tính là Không đạt."),
    Code.EVIDENCE_NONE: Entry(E, "Chỉ tiêu {value} chưa có minh chứng (ô {cell}); theo {expected} chỉ tiêu không có minh chứng là Không đạt. Hãy ghi mã minh chứng có trong trang 'Minh chứng'."),
    Code.EVIDENCE_UNKNOWN: Entry(E, "Chỉ tiêu {value}: mã minh chứng '{detail}' (ô {cell}) không có trong trang 'Minh chứng'. Hãy thêm minh chứng đó vào danh mục hoặc sửa mã."),
    Code.EVIDENCE_CODE_MISSING: Entry(E, "Dòng {row} của trang 'Minh chứng' thiếu mã minh chứng (ô {cell})."),
    Code.EVIDENCE_NAME_MISSING: Entry(W, "Minh chứng '{value}' (dòng {row}) thiếu tên minh chứng (ô {cell})."),
    Code.EVIDENCE_DUPLICATE: Entry(E, "Mã minh chứng '{value}' ở ô {cell} trùng với dòng {detail}. Mỗi minh chứng cần một mã riêng."),
    Code.LEARNERS_MISSING: Entry(E, "Đơn vị là cơ sở giáo dục có người học được tính (chỉ tiêu 3.1) nhưng chưa nhập '{label}' (ô {cell}); chỉ tiêu 3.1 được tính là Không đạt."),
    Code.DENOMINATOR_ZERO: Entry(E, "Chỉ tiêu {value}: mẫu số bằng 0 (không có Thành viên nào được tính vào tổng số); chỉ tiêu được tính là Không đạt."),
    # --- issue 8, vocabulary half (branch vocab): strict matching, certificates, titles with a year, kinds, copies
    Code.VALUE_TELEX: Entry(E, "Ô {cell} ('{label}') có giá trị '{value}', có lẽ là “{expected}” gõ khi bộ gõ tiếng Việt đang tắt; công cụ không đoán chữ nên tạm tính là Không. Hãy sửa thành “{expected}”."),
    Code.CERT_INVALID: Entry(E, "Ô {cell} ('{label}') có giá trị '{value}': không phải Có/Không và không nêu tên chứng chỉ ngoại ngữ hoặc tiếng dân tộc thiểu số; tạm tính là Không. Hãy nhập Có, Không hoặc tên chứng chỉ, ví dụ {expected}."),
    Code.TITLE_OTHER_YEAR: Entry(E, "Ô {cell} ('{label}') có '{value}': danh hiệu ghi năm khác năm đánh giá {expected}; tạm tính là không có danh hiệu. Chỉ ghi danh hiệu của năm đánh giá."),
    Code.TITLE_EXTRA_TEXT: Entry(E, "Ô {cell} ('{label}') có '{value}': ngoài tên danh hiệu còn nội dung khác (số quyết định, “đề nghị” …) nên không được tính; tạm tính là không có danh hiệu. Hãy chỉ ghi tên danh hiệu (ví dụ “Lao động tiên tiến”) và ghi số quyết định ở cột Ghi chú."),
    Code.UNIT_KIND_INVALID: Entry(F, "'Loại đơn vị' ở ô {cell} là '{value}', không nhận ra loại đơn vị nên không chọn được bộ chỉ tiêu áp dụng; đơn vị không được đánh giá. Hãy chọn một trong: {expected}."),
    Code.UNIT_YEAR_SCHOOL_YEAR: Entry(F, "'Năm đánh giá' ở ô {cell} là '{value}', là năm học chứ không phải năm dương lịch; Thông tư 24/2023 tính số liệu theo năm dương lịch (01/01–31/12, Điều 10.1.b) nên đơn vị không được đánh giá. Hãy nhập một năm, ví dụ {expected}."),
    Code.UNIT_TYPE_FROM_KIND: Entry(W, "Ô {cell} 'Loại hình' để trống; theo 'Loại đơn vị' ('{value}') được hiểu là {expected}."),
    Code.SHEET_COPY_ONLY: Entry(W, "Không có trang '{expected}', chỉ có bản sao '{sheet}'; bản sao không được đọc. Nếu đây là trang của đơn vị, hãy đổi tên trang thành '{expected}' rồi gửi lại."),
    Code.SHEET_COPY_IGNORED: Entry(W, "Trang '{sheet}' là bản sao của trang '{expected}' nên không được đọc; chỉ trang '{detail}' được đọc. Hãy xoá bản sao hoặc chép dữ liệu vào trang chính."),
    Code.BIRTH_DATE_FUTURE: Entry(W, "Ô {cell} ('{label}') có ngày sinh '{value}' sau năm đánh giá {expected}. Hãy kiểm tra lại ngày sinh."),
    # --- branch `structure` (issue 8): total/heading rows, merges, contradictions, evidence parsing
    Code.ROW_TOTAL_SKIPPED: Entry(W, "Dòng {row} ('{value}', ô {cell}) là dòng tổng cộng, không phải thành viên; dòng này được bỏ qua. Không cần dòng tổng cộng trong bảng: công cụ tự đếm."),
    Code.ROW_HEADING_SKIPPED: Entry(W, "Dòng {row} ('{value}', ô {cell}) là dòng tiêu đề hoặc tên nhóm (ví dụ “Tổ Toán”), không phải thành viên; dòng này được bỏ qua. Nếu đây là một thành viên, hãy ghi STT và các cột Có/Không của dòng."),
    Code.MEMBER_NO_ANSWERS: Entry(W, "Dòng {row} ('{value}', ô {cell}) không có STT và không có câu trả lời nào; dòng vẫn được tính là một thành viên, mọi cột tính là Không. Nếu đây là tên nhóm hoặc tiêu đề, hãy xoá dòng; nếu là thành viên, hãy nhập đủ các cột."),
    Code.MERGED_ACROSS: Entry(W, "Vùng ô {cell} (dòng {row}) được gộp theo hàng ngang; giá trị chỉ được tính cho ô đầu tiên, các ô còn lại được coi là để trống. Hãy bỏ gộp ô và ghi giá trị cho từng cột."),
    Code.LEARNERS_TOTAL_BELOW: Entry(E, "Tổng số người học ({value}, ô {cell}) nhỏ hơn số người học đạt “Công dân học tập” ({detail}): số liệu mâu thuẫn, chỉ tiêu 3.1 được tính là Không đạt. Hãy kiểm tra lại hai số này."),
    Code.EVIDENCE_FOR_INVALID: Entry(E, "Ô {cell} ('Dùng cho chỉ tiêu', dòng {row}) có '{value}', không nhận ra mã chỉ tiêu nào; minh chứng không được tính cho chỉ tiêu nào. Hãy ghi mã chỉ tiêu, ví dụ 2.1; nhiều chỉ tiêu cách nhau bởi dấu ;"),
    # --- branch readsafe (issue 9: whatever a file contains)
    Code.TEXT_INVALID_CHARS: Entry(W, "Ô {cell} có ký tự không hợp lệ (ký tự điều khiển hoặc U+FFFE/U+FFFF); trong các tệp kết quả ký tự đó được thay bằng “\ufffd”: '{value}'. Hãy xoá ký tự đó trong ô rồi lưu lại."),
    Code.SHEET_NAME_INVALID_CHARS: Entry(W, "Tên trang '{sheet}' có ký tự không hợp lệ (ký tự điều khiển hoặc U+FFFE/U+FFFF), đã được thay bằng “\ufffd”. Hãy đặt lại đúng tên trang của mẫu."),
    Code.WORKBOOK_EXTENT: Entry(F, "Các trang của tệp trải rộng tổng cộng {detail} ô, vượt giới hạn {limit} ô: tệp bị hỏng hoặc được tạo bất thường (có ô thừa ở rất xa). Hãy mở bằng Excel, xoá các dòng và cột thừa ở cuối mỗi trang rồi lưu lại."),
    Code.FILE_SIZE_HINT: Entry(F, "Tệp khai báo kích thước bất thường ({detail}), vượt xa dữ liệu thật: tệp bị hỏng hoặc được tạo để làm treo chương trình; tệp không được đọc. Hãy mở bằng Excel, lưu lại dạng .xlsx rồi gửi lại."),
    # --- coordinator: a result workbook fed back as input (would count the unit twice)
    Code.FILE_IS_RESULT: Entry(F, "Tệp này là tệp kết quả do dvht-sheets ghi (đánh giá từ tệp '{detail}'), không phải tệp nộp của đơn vị; tệp không được đánh giá để đơn vị không bị tính hai lần. Hãy đánh giá tệp gốc của đơn vị."),
    # --- branch `outputs` (issue 9): problems of the tool or of the output folder, not of the school's file, so the
    # advice is not "save the file again in Excel".
    Code.OUTPUT_WRITE_FAILED: Entry(E, "Không ghi được tệp kết quả của đơn vị ({detail}). Kết quả đánh giá vẫn đúng (với `dvht batch` nó có trong bản tổng hợp); hãy kiểm tra chỗ trống và quyền ghi của thư mục kết quả rồi chạy lại."),
    Code.INTERNAL_ERROR: Entry(F, "Công cụ gặp lỗi nội bộ khi xử lý tệp ({detail}). Tệp không bị thay đổi; hãy gửi tệp này cùng thông báo cho người quản trị công cụ."),
    # --- a file the reader could not finish (the batch's isolation): not a damaged-data message, no cell
    Code.FILE_OUT_OF_MEMORY: Entry(F, "Đọc tệp cần quá nhiều bộ nhớ nên đã dừng; tệp không được đánh giá (các tệp khác không bị ảnh hưởng). Tệp có thể bị hỏng hoặc có vùng ô thừa rất lớn: hãy mở bằng Excel, xoá các dòng và cột thừa ở cuối mỗi trang, lưu lại dạng .xlsx rồi gửi lại."),
    Code.FILE_TIMED_OUT: Entry(F, "Xử lý tệp quá {limit} giây nên đã dừng; tệp không được đánh giá (các tệp khác không bị ảnh hưởng). Bộ đọc có thể bị treo vì tệp hỏng: hãy mở bằng Excel, lưu lại dạng .xlsx rồi gửi lại; nếu tệp chỉ rất lớn, hãy chạy lại với --max-seconds lớn hơn."),
    Code.FILE_CRASHED: Entry(F, "Tiến trình xử lý tệp bị dừng đột ngột ({detail}); tệp không được đánh giá (các tệp khác không bị ảnh hưởng). Tệp có thể cần quá nhiều bộ nhớ hoặc làm hỏng bộ đọc: hãy mở bằng Excel, lưu lại dạng .xlsx rồi gửi lại."),
    # --- the files of the input folder that are not read (`batch`: terminal and sheet _meta), said after
    # the file's name ("Bỏ qua ghi-chu.docx: …")
    Code.SKIP_NOT_WORKBOOK: Entry(W, "không phải sổ tính Excel"),
    Code.SKIP_EXCEL_LOCK: Entry(W, "tệp khoá tạm của Excel"),
    Code.SKIP_TEMPORARY: Entry(W, "tệp tạm"),
    Code.SKIP_NOT_REGULAR: Entry(W, "{detail}, không phải tệp thường; không mở"),
    Code.SKIP_LINK_OUTSIDE: Entry(W, "liên kết trỏ ra ngoài thư mục đầu vào; không đọc"),
    Code.SKIP_LINK_BROKEN: Entry(W, "liên kết hỏng (không trỏ tới tệp nào)"),
    Code.SKIP_LINK_FOLDER: Entry(W, "liên kết tới thư mục; không đi theo (tránh đọc trùng hoặc vòng lặp)"),
    Code.SKIP_FOLDER_UNREADABLE: Entry(W, "không mở được thư mục ({detail})"),
    Code.SKIP_ENTRY_UNREADABLE: Entry(W, "không đọc được thông tin tệp ({detail})"),
    # --- why the roster (--roster) was not used, said after "Không đọc được danh sách đơn vị: "
    Code.ROSTER_UNREADABLE: Entry(W, "lỗi khi đọc tệp ({detail}); hãy kiểm tra lại tệp danh sách (.xlsx hoặc .csv, có cột Mã đơn vị và Tên đơn vị)"),
    Code.ROSTER_NO_SHEET: Entry(W, "tệp danh sách rỗng hoặc không có trang tính nào"),
    Code.ROSTER_ENCRYPTED: Entry(W, "tệp danh sách được đặt mật khẩu; hãy gỡ mật khẩu (Tệp → Thông tin → Bảo vệ sổ làm việc) hoặc lưu danh sách thành .csv rồi chạy lại"),
    Code.ROSTER_TIMED_OUT: Entry(W, "đọc tệp quá {limit} giây nên đã dừng; tệp bị hỏng"),
    Code.ROSTER_CRASHED: Entry(W, "bộ đọc bị dừng đột ngột khi đọc tệp ({detail}); tệp bị hỏng hoặc cần quá nhiều bộ nhớ"),
    # --- the run itself (findings.message; Nghiêm trọng: the command could not do its work)
    Code.RUN_FOLDER_BUSY: Entry(F, "Thư mục kết quả {file} đang được một lần chạy khác sử dụng{detail}. Hãy đợi lần chạy đó xong, hoặc ghi kết quả vào thư mục khác (tuỳ chọn -o)."),
    Code.RUN_OUTPUT_FAILED: Entry(F, "Không ghi được kết quả vào thư mục {file}: {detail}. Các tệp tạm đã được xoá. Hãy khắc phục nguyên nhân trên (đóng tệp đang mở, giải phóng chỗ trống, kiểm tra quyền ghi) hoặc chọn thư mục khác (tuỳ chọn -o) rồi chạy lại."),
    Code.RUN_INPUT_INSIDE_OUTPUT: Entry(F, "Thư mục đầu vào {file} nằm trong thư mục {sheet}/ của thư mục kết quả {expected}, nơi công cụ ghi và xoá tệp kết quả. Hãy chọn thư mục kết quả khác (tuỳ chọn -o)."),
    Code.RUN_NO_INPUTS: Entry(F, "Không có sổ tính nào (.xlsx, .xlsm, .xlsb, .xls, .ods) trong thư mục {file}. Hãy kiểm tra lại đường dẫn của thư mục hồ sơ.{detail}"),
    Code.RUN_OLD_RESULT_OPEN: Entry(W, "Chưa xoá được {file} của lần chạy trước (đơn vị không còn trong lần chạy này): tệp đang được mở trong Excel hoặc một chương trình khác; hãy đóng tệp, lần chạy sau sẽ xoá."),
    Code.RUN_UNIT_CODE_REPEATED: Entry(W, "Cảnh báo: mã đơn vị {value} có trong {detail} tệp ({expected}); chỉ tính tệp {file}."),
    Code.RUN_MORE_CODES_REPEATED: Entry(W, "… và {detail} mã đơn vị trùng khác; xem trang “Tình hình nộp” trong tong-hop.xlsx."),
    Code.RUN_STOPPED: Entry(F, "Đã dừng theo yêu cầu."),
    Code.RUN_UNEXPECTED_ERROR: Entry(F, "Lỗi không mong đợi: {detail}. Chạy lại với --debug để xem chi tiết."),
    Code.RUN_INSTALL_INCOMPLETE: Entry(F, "Bản cài đặt thiếu thư mục sổ tính mẫu ({detail}); hãy cài lại gói dvht-sheets."),
    Code.RUN_OPTIONS_NEED_HO_SO: Entry(F, "--co-quan, --mau-ho-so và --pdf chỉ dùng cùng --ho-so."),
    Code.RUN_UNITS_NOT_WRITTEN: Entry(E, "Không ghi được tệp kết quả của {detail} đơn vị vào thư mục {file} (ví dụ {value}: {expected}). Kết quả của các đơn vị đó vẫn đúng và có đủ trong bản tổng hợp; hãy khắc phục nguyên nhân trên rồi chạy lại."),
    Code.RUN_CHECK_NOT_WRITTEN: Entry(E, "Không ghi được tệp kết quả của {value} vào thư mục {file}: {detail}. Kết quả đánh giá in ở trên vẫn đúng; hãy khắc phục nguyên nhân trên rồi chạy lại."),
    # --- why a file could not be written (report/files.describe_os_error), said inside other messages as their
    # {detail}, followed by the system's code for whoever has to fix the disk
    Code.CAUSE_DISK_FULL: Entry(E, "ổ đĩa đã đầy"),
    Code.CAUSE_READ_ONLY: Entry(E, "thư mục chỉ cho phép đọc (ổ đĩa hoặc thư mục được gắn ở chế độ chỉ đọc)"),
    Code.CAUSE_NO_PERMISSION: Entry(E, "không có quyền ghi vào thư mục"),
    Code.CAUSE_FOLDER_GONE: Entry(E, "thư mục không còn tồn tại (có thể đã bị xoá, đổi tên hoặc ổ đĩa đã bị tháo ra)"),
    Code.CAUSE_NOT_A_FOLDER: Entry(E, "đường dẫn không phải là thư mục"),
    Code.CAUSE_NAME_TOO_LONG: Entry(E, "tên tệp quá dài đối với hệ thống tệp"),
    Code.CAUSE_DISK_IO: Entry(E, "lỗi vào/ra của ổ đĩa"),
    Code.CAUSE_QUOTA: Entry(E, "đã vượt hạn mức dung lượng được cấp"),
    Code.CAUSE_HELD_OPEN: Entry(E, "{file} đang được mở trong {detail} hoặc một chương trình khác: hãy đóng tệp rồi chạy lại"),
    Code.CAUSE_HELD_OPEN_OR_DENIED: Entry(E, "{file} đang được mở trong {detail} hoặc một chương trình khác, hoặc không có quyền ghi vào thư mục: hãy đóng tệp rồi chạy lại"),
    Code.CAUSE_PATH_TOO_LONG: Entry(E, "đường dẫn dài {detail} ký tự, vượt giới hạn {limit} ký tự của Windows (tệp {file}); hãy chọn thư mục kết quả có đường dẫn ngắn hơn (tuỳ chọn -o), ví dụ D:\\ket-qua"),
    # --- issue 12, the dossier (branch dossier): its template fields, and the documents `dvht ho-so` writes
    Code.DOSSIER_INCOMPLETE: Entry(W, "Hồ sơ đề nghị công nhận còn thiếu: {detail}. Kết quả đánh giá không phụ thuộc vào các thông tin này; trong các văn bản của hồ sơ (lệnh `dvht ho-so`) chúng được để trống “…………”. Hãy điền ở trang '{sheet}' và trang 'Tổ đánh giá' của mẫu mới."),
    Code.COMMITTEE_ROLE_INVALID: Entry(W, "Ô {cell} ('Nhiệm vụ trong Tổ') có '{value}', không thuộc danh mục; người này được ghi là Thành viên. Hãy chọn một trong: {expected}."),
    Code.DOSSIER_NO_LEVEL: Entry(W, "Đơn vị chưa đạt mức độ nào ({detail}) nên không lập Tờ trình đề nghị công nhận; các văn bản khác của hồ sơ vẫn được ghi để đơn vị xem lại."),
    Code.DOSSIER_NOT_EVALUATED: Entry(E, "Tệp {file} không đánh giá được nên không lập hồ sơ: {detail}"),
    Code.DOSSIER_TEMPLATE_MISSING: Entry(E, "Thư mục mẫu hồ sơ {file} thiếu tệp '{expected}'. Hãy chép lại các mẫu bằng lệnh `dvht mau-ho-so -o {file}` rồi sửa."),
    Code.DOSSIER_TEMPLATE_INVALID: Entry(E, "Mẫu hồ sơ '{file}' không dùng được: {detail}. Hãy mở tệp bằng Word, sửa lại thẻ bị lỗi (thẻ điền trong hai cặp ngoặc nhọn, thẻ lệnh trong ngoặc nhọn có dấu %), hoặc chép lại mẫu gốc bằng `dvht mau-ho-so`."),
    Code.DOSSIER_TEMPLATE_TAG: Entry(E, "Mẫu hồ sơ '{file}' còn thẻ không điền được: {detail}. Thẻ phải là một trong các tên của mẫu gốc (xem `dvht mau-ho-so`); hãy sửa chính tả thẻ hoặc xoá thẻ."),
    Code.DOSSIER_PDF_UNAVAILABLE: Entry(W, "Không chuyển được sang PDF: {detail}. Các tệp .docx vẫn được ghi; có thể mở bằng Word và lưu thành PDF."),
    Code.DOSSIER_WRITE_FAILED: Entry(E, "Không ghi được văn bản hồ sơ {file}: {detail}. Các văn bản khác vẫn được ghi; hãy khắc phục rồi chạy lại lệnh."),
    Code.OFFICE_SETTINGS_INVALID: Entry(E, "Tệp thông tin cơ quan {file} không đọc được: {detail}. Hãy tạo tệp mẫu bằng `dvht co-quan-mau -o co-quan.toml` rồi sửa."),
    # a document of an earlier run that could not be removed is its own code: its advice is not the writer's
    Code.DOSSIER_STALE_NOT_REMOVED: Entry(E, "Không xoá được văn bản hồ sơ cũ {file} của lần chạy trước (văn bản đó có thể không còn đúng với kết quả lần này): {detail}. Các văn bản khác vẫn được ghi; hãy khắc phục rồi chạy lại lệnh."),
    Code.DOSSIER_WORKER_DIED: Entry(E, "Một tiến trình viết hồ sơ bị dừng đột ngột (có thể do thiếu bộ nhớ): hồ sơ của các đơn vị chưa viết xong không được tạo; kết quả đánh giá vẫn đầy đủ. Hãy chạy lại lệnh; nếu vẫn lỗi, tạo hồ sơ từng đơn vị bằng: dvht ho-so TỆP -o THƯ_MỤC"),
    # --- a rulebook file that cannot be used (rulebook.py; read by whoever edits a --rulebook .toml)
    # Nghiêm trọng: nothing is evaluated with a rulebook that is not whole; the CLI says it as a wrong --rulebook (exit 2)
    Code.RULEBOOK_UNKNOWN: Entry(F, "Không có bộ quy tắc '{value}'. Các bộ có sẵn: {expected} (hoặc ghi đường dẫn của một tệp .toml)"),
    Code.RULEBOOK_IS_FOLDER: Entry(F, "{file}: đây là một thư mục; --rulebook cần một tệp .toml"),
    Code.RULEBOOK_FILE_MISSING: Entry(F, "{file}: không có tệp bộ quy tắc này (hãy kiểm tra đường dẫn)"),
    Code.RULEBOOK_FILE_UNREADABLE: Entry(F, "{file}: không đọc được tệp bộ quy tắc (mã lỗi hệ thống {detail}); hãy kiểm tra đường dẫn và quyền đọc tệp"),
    Code.RULEBOOK_NOT_UTF8: Entry(F, "{file}: tệp bộ quy tắc phải được lưu với bảng mã UTF-8 (trong Notepad: Lưu thành → Mã hoá UTF-8)"),
    Code.RULEBOOK_TOML_SYNTAX: Entry(F, "{file}: tệp bộ quy tắc sai cú pháp TOML ở dòng {row}, cột {column}; hãy sửa chỗ đó (mỗi dòng là khoá = giá trị, chữ đặt trong ngoặc kép)"),
    Code.RULEBOOK_KEY_MISSING: Entry(F, "{file}: thiếu khoá '{key}'; hãy thêm khoá này theo tệp của bộ có sẵn (đường dẫn in bởi `dvht rules show tt24-2023`)"),
    Code.RULEBOOK_SCHEME_INVALID: Entry(F, "{file}: scheme phải là 'levels' hoặc 'points' (tệp ghi '{value}')"),
    Code.RULEBOOK_BANDS_MISSING: Entry(F, "{file}: bộ quy tắc chấm điểm cần [[bands]]; hãy thêm các mục [[bands]] có grade, min_points và recognised"),
    Code.RULEBOOK_SCORING_UNSUPPORTED: Entry(F, "{file}: scoring '{value}' chưa được hỗ trợ (chỉ 'all_or_nothing'); hãy xoá khoá scoring hoặc ghi scoring = \"all_or_nothing\""),
    Code.RULEBOOK_RULE_REPEATED: Entry(F, "{file}: chỉ tiêu {rule} lặp lại ở {value}; mỗi chỉ tiêu chỉ ghi một lần cho mỗi cấp: hãy xoá mục thừa hoặc sửa id"),
    Code.RULEBOOK_RULE_KEY_MISSING: Entry(F, "{file}: chỉ tiêu {rule}: thiếu khoá '{key}'; hãy thêm {key} = … vào mục [[rules]] của chỉ tiêu này"),
    Code.RULEBOOK_KIND_UNKNOWN: Entry(F, "{file}: chỉ tiêu {rule}: loại quy tắc '{value}' không có; các loại: {expected}"),
    Code.RULEBOOK_KIND_NEEDS_KEY: Entry(F, "{file}: chỉ tiêu {rule}: loại '{value}' cần khoá '{key}'; hãy thêm {key} = … vào mục [[rules]] của chỉ tiêu này"),
    Code.RULEBOOK_LEVEL_UNKNOWN: Entry(F, "{file}: chỉ tiêu {rule}: '{key}' nêu mức không có: {value}; các mức của bộ quy tắc: {expected}"),
    Code.RULEBOOK_APPLIES_TO_UNKNOWN: Entry(F, "{file}: chỉ tiêu {rule}: applies_to '{value}' không có; các giá trị: {expected}"),
    Code.RULEBOOK_THRESHOLD_INVALID: Entry(F, "{file}: chỉ tiêu {rule}: ngưỡng ở {level} phải là số trong (0, 100]; hãy ghi một số phần trăm, không kèm dấu %, ví dụ threshold = 90"),
    Code.RULEBOOK_LEARNERS_THRESHOLD_INVALID: Entry(F, "{file}: chỉ tiêu {rule}: ngưỡng người học (learners_threshold) ở {level} phải là số trong (0, 100]; hãy ghi một số phần trăm, không kèm dấu %, ví dụ learners_threshold = 95"),
    Code.RULEBOOK_FIELD_UNKNOWN: Entry(F, "{file}: chỉ tiêu {rule}: cột '{value}' không có trong trang Thành viên; các cột: {expected}"),
    Code.RULEBOOK_TITLE_UNKNOWN: Entry(F, "{file}: chỉ tiêu {rule}: danh hiệu tối thiểu '{value}' không có; các giá trị của {key}: {expected}"),
    Code.RULEBOOK_DIGITAL_LEVEL_UNKNOWN: Entry(F, "{file}: chỉ tiêu {rule}: mức tối thiểu '{value}' không có; các giá trị của {key}: {expected}"),
    # a value of the wrong type used to stop the command with Python's English ("Lỗi không mong đợi: invalid literal …")
    Code.RULEBOOK_RULE_ID_INVALID: Entry(F, "{file}: chỉ tiêu {rule}: id phải có dạng tiêu chí.chỉ tiêu, ví dụ id = \"2.1\""),
    # a tier no level has (a typo, or tiers = "huyen" without [ ]) would leave the rule out of every level silently
    Code.RULEBOOK_TIERS_INVALID: Entry(F, "{file}: chỉ tiêu {rule}: tiers phải là danh sách các cấp có trong [levels] ({expected}), ví dụ tiers = [\"huyen\", \"tinh\"]; tệp ghi {value}"),
    Code.RULEBOOK_NUMBER_INVALID: Entry(F, "{file}: khoá '{key}' phải là một số (tệp ghi {value}); hãy ghi số không đặt trong ngoặc kép"),
    Code.RULEBOOK_TABLE_INVALID: Entry(F, "{file}: cấu trúc tệp không đúng: mỗi mức là một bảng [levels.…], mỗi chỉ tiêu một mục [[rules]], mỗi xếp loại một mục [[bands]], với các dòng khoá = giá trị; hãy so với tệp của bộ có sẵn (đường dẫn in bởi `dvht rules show tt24-2023`)"),
    # --- branch review: not chosen by the year (template-other-year would say "năm đánh giá 2025 áp dụng Thông tư
    # 22/2020" of a year that applies TT 24, or name one Thông tư twice for an amended copy of it)
    Code.TEMPLATE_OTHER_RULEBOOK: Entry(W, "Mẫu được tạo cho {value}, nhưng tệp được đánh giá theo bộ quy tắc {expected}, chọn bằng tuỳ chọn --rulebook; kết quả được tính theo bộ quy tắc này."),
}


if set(CATALOGUE) != set(Code):  # one entry per code, checked at import
    raise RuntimeError(f"findings: codes without an entry or entries without a code: {set(Code) ^ set(CATALOGUE)}")


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


_CELL = re.compile(r"^\$?([A-Z]{1,3})\$?(\d+)")


@dataclass
class Finding:
    """One problem, where it is: sheet, cell (A1, or a range "A5:C5"), and the cell's row (1-based, as Excel shows it)
    and column letter, derived from the cell when not given (frictionless-style location fields).

    code and severity hold the plain str values of Code and Severity (StrEnum: `f.severity == Severity.FATAL`), so
    writers that dispatch on `type(value) is str`, pickling to and from batch workers and JSON see ordinary text."""

    code: Code
    severity: Severity
    message: str
    sheet: str | None = None
    cell: str | None = None
    value: str | None = None
    row: int | None = None
    column: str | None = None
    detail: str | None = None  # the {detail} put in the message (the cause of a write failure, the reader's words)

    def __post_init__(self) -> None:
        m = _CELL.match(self.cell or "")
        if m:
            self.column = self.column or m.group(1)
            self.row = self.row or int(m.group(2))

    def to_json(self) -> dict:
        return {"code": self.code, "severity": self.severity, "sheet": self.sheet, "cell": self.cell,
                "message": self.message}


# Tests only (tests/conftest.py): a folder where every process, batch workers and CLI subprocesses included, notes
# each code it raises, so tests/test_findings_catalogue.py can check that every code is raised by some test.
_RECORD_DIR = os.environ.get("DVHT_RECORD_FINDINGS")
_recorded: set[str] = set()


def _record(code: str) -> None:
    _recorded.add(code)
    try:
        with open(os.path.join(_RECORD_DIR, f"{os.getpid()}.codes"), "a", encoding="utf-8") as fh:  # type: ignore[arg-type]
            fh.write(f"{code}\n")
    except OSError:
        pass


def finding(code: Code, *, sheet: str | None = None, cell: str | None = None, value: object = None,
            row: object = None, **extra: object) -> Finding:
    entry = CATALOGUE[code]
    if _RECORD_DIR and code not in _recorded:
        _record(code)
    shown = None if value is None else _clip(str(value))
    msg = render(code, sheet=sheet, cell=cell, value=shown, row=row, **extra)
    detail = extra.get("detail")
    return Finding(code=Code(code).value, severity=entry.severity.value, message=msg, sheet=sheet, cell=cell or None, value=shown,
                   row=row if isinstance(row, int) and not isinstance(row, bool) else None,
                   detail=None if detail is None else str(detail))


def message(code: Code, **values: object) -> str:
    """The text of a catalogue entry that is not a finding of a file (the run, its folders, the files not read, the
    roster): rendered like a finding's message, and noted for tests/test_findings_catalogue.py the same way."""
    if _RECORD_DIR and code not in _recorded:
        _record(code)
    return render(code, **values)


def _clip(text: str, limit: int = 80) -> str:
    # A pasted paragraph in a cell should not turn a one-line message into a page.
    text = text.replace("\n", " ")
    return text if len(text) <= limit else text[: limit - 1] + "…"


def has_fatal(findings: list[Finding]) -> bool:
    return any(f.severity == Severity.FATAL for f in findings)


def fatal_messages(findings: list[Finding]) -> list[str]:
    return [f.message for f in findings if f.severity == Severity.FATAL]


def flatten(findings: list[Finding], fields: tuple[str, ...] = ("code", "sheet", "cell")) -> list[tuple]:
    """Compact tuples for assertions: flatten(sub.findings, ("code", "row")) == [("yes-no-invalid", 7)]."""
    return [tuple(getattr(f, name) for name in fields) for f in findings]


def markdown() -> str:
    """docs/findings.md: every code with its severity and message (python -m dvht_sheets.findings > docs/findings.md;
    tests/test_findings_catalogue.py fails when the file is stale)."""
    out = ["# Danh mục mã lỗi (findings)", "",
           "Tạo từ `dvht_sheets/findings.py` bằng `python -m dvht_sheets.findings > docs/findings.md`; không sửa tay.",
           "Mức: Nghiêm trọng = tệp không đánh giá được; Lỗi = giá trị không hiểu được, tính theo hướng bất lợi cho",
           "đơn vị; Cảnh báo = nên xem lại, kết quả không phụ thuộc vào nó. `{…}` là chỗ công cụ điền giá trị.",
           "Các mã `skip-…`, `roster-…` và `run-…` nói về lần chạy, không về dữ liệu của một tệp: tệp được bỏ qua, danh",
           "sách đơn vị không dùng được, lần chạy không làm được (Nghiêm trọng) hoặc cần xem lại (Cảnh báo). Các mã",
           "`cause-…` là nguyên nhân không ghi được tệp, nằm trong thông báo khác (chỗ `{detail}`). Các mã `rulebook-…`:",
           "tệp hay mã bộ quy tắc (`--rulebook`) không dùng được.", "",
           "| Mã | Mức | Thông báo |", "|---|---|---|"]
    for code, entry in CATALOGUE.items():
        out.append(f"| `{code}` | {entry.severity.label} | {entry.template.replace('|', '/')} |")
    return "\n".join(out) + "\n"


__all__ = ["CATALOGUE", "Code", "Finding", "Severity", "fatal_messages", "finding", "flatten", "has_fatal", "markdown", "render"]


if __name__ == "__main__":
    print(markdown(), end="")
