"""Builders for tests: in-memory submissions for rule tests, and small real workbooks for reader tests."""

from __future__ import annotations

import datetime as dt
import importlib
import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
import xlsxwriter

from dvht_sheets import present
from dvht_sheets import rulebook as rulebooks
from dvht_sheets import validate as core_validate
from dvht_sheets.model import Evidence, IndicatorRow, Member, RawWorkbook, Submission, UnitResult
from dvht_sheets.schema import code_key
from dvht_sheets.template import WorkbookData, write_workbook
# The package exports the library function evaluate(path), which hides the module of the same name as an
# attribute of dvht_sheets; the core module is taken from the import system.
core_evaluate = importlib.import_module("dvht_sheets.evaluate")

FIELDS = ["tuan_thu_ky_luat", "hoan_thanh_boi_duong", "tham_gia_cds", "chung_chi_ngoai_ngu", "trinh_do_ngoai_ngu",
          "cong_dan_hoc_tap", "ke_hoach_tu_hoc"]
TT24, TT22 = "tt24-2023", "tt22-2020"


def pool_crash_messages(detail: str) -> set[str]:
    """What file-crashed may say of a pool worker that died: its exit code or signal (detail) when the parent learns
    it in time, else "không rõ nguyên nhân" (on a loaded machine the forkserver's report of the child can come late
    or be lost)."""
    from dvht_sheets.findings import Code, render

    return {render(Code.FILE_CRASHED, detail=why) for why in (detail, "không rõ nguyên nhân")}


def members(n: int, no: dict[str, int] | None = None, title_no: int = 0, title: str = "ldtt") -> list[Member]:
    """n counted members; the first no[f] of them answer Không for field f; the first title_no have no title."""
    no = no or {}
    return [Member(row=3 + i, name=f"Thành viên {i + 1}", counted=True,
                   flags={f: i >= no.get(f, 0) for f in FIELDS}, title=title if i >= title_no else None)
            for i in range(n)]


def answers_for(book_id: str, tier: str, kind: str = "tieu_hoc", ownership: str | None = "cong_lap") -> dict[str, str]:
    """Self-assessments that meet every applicable indicator at level 2."""
    book = rulebooks.get(book_id)
    out = {}
    for rule in book.rules_for(tier):
        out[rule.id] = {"unit_condition": "Đạt", "title_at_least": "Tập thể lao động xuất sắc",
                        "level_at_least": "Đáp ứng tốt", "percent_members": ""}[rule.kind]
    return out


def submission(*, book_id: str = TT24, tier: str = "huyen", kind: str = "tieu_hoc", ownership: str | None = "cong_lap",
               n: int = 20, no: dict[str, int] | None = None, title_no: int = 0, answers: dict[str, str] | None = None,
               no_evidence: tuple[str, ...] = (), learners: tuple[int, int] | None = None,
               member_list: list[Member] | None = None, requested: int | None = None) -> Submission:
    book = rulebooks.get(book_id)
    year = 2025 if book.scheme == "levels" else 2023
    all_answers = answers_for(book_id, tier) | (answers or {})
    sub = Submission(file="test.xlsx", sha256="0" * 64, rulebook_id=book_id, tier=tier,
                     sheet_names={"unit": "Thông tin đơn vị", "members": "Thành viên", "indicators": "Chỉ tiêu",
                                  "evidence": "Minh chứng"})
    sub.unit = {"ten_don_vi": "Trường thử", "ma_don_vi": "T01", "loai_don_vi": kind, "nam_danh_gia": year}
    if ownership:
        sub.unit["loai_hinh"] = ownership
    if requested:
        sub.unit["muc_do_de_nghi"] = requested
    if learners:
        sub.unit["so_nguoi_hoc"], sub.unit["so_nguoi_hoc_cdht"] = learners
    sub.unit_cells = {"so_nguoi_hoc": "B13", "so_nguoi_hoc_cdht": "B14", "muc_do_de_nghi": "B9"}
    sub.members = member_list if member_list is not None else members(n, no, title_no)
    for i, rule in enumerate(book.rules_for(tier)):
        code = f"MC-{rule.id}"
        has = rule.id not in no_evidence
        sub.indicators[rule.id] = IndicatorRow(id=rule.id, row=4 + i, answer=all_answers.get(rule.id, ""),
                                               answer_cell=f"C{5 + i}", codes=[code] if has else [],
                                               codes_cell=f"D{5 + i}")
        if has:
            sub.evidence[code_key(code)] = Evidence(code=code, key=code_key(code), name=f"Minh chứng {rule.id}", row=i)
    return sub


def validate(raw: RawWorkbook, book: rulebooks.Rulebook | None = None) -> Submission:
    """What the pipeline (batch.judge) does before evaluating: read the unit sheet, choose, validate the rest."""
    head = core_validate.read_unit(raw)
    return core_validate.validate(head, rulebooks.choose(head.unit.get("nam_danh_gia"), book), rulebooks.names())


def evaluate(sub: Submission, book: rulebooks.Rulebook | None = None) -> UnitResult:
    """Core evaluate by the rulebook the submission was validated with, then the Vietnamese texts (present)."""
    book = book or rulebooks.get(sub.rulebook_id or rulebooks.choose(None).id)
    return present.render(core_evaluate.evaluate(sub, book))


def result_of(**kw: Any) -> UnitResult:
    return evaluate(submission(**kw))


def ind(result: UnitResult, ident: str, level: int):
    return next(i for i in result.indicators if i.id == ident and i.level == level)


# ---------------------------------------------------------------------------------------------------- real files


def standard_data(n: int = 20, *, book_id: str = TT24, tier: str = "huyen", unit: dict | None = None,
                  member_overrides: dict[int, dict] | None = None, no_evidence: tuple[str, ...] = ()) -> WorkbookData:
    """A filled standard workbook whose unit meets level 2 unless overridden."""
    book = rulebooks.get(book_id)
    year = 2025 if book.scheme == "levels" else 2023
    info = {"ten_don_vi": "Trường Tiểu học Thử Nghiệm", "ma_don_vi": "TH-THU", "loai_don_vi": "Tiểu học",
            "loai_hinh": "Công lập", "cap_danh_gia": "Cấp huyện" if tier == "huyen" else "Cấp tỉnh",
            "nam_danh_gia": year}
    info.update(unit or {})
    rows = []
    for i in range(n):
        row = {"stt": i + 1, "ho_ten": f"Nguyễn Văn {chr(65 + i % 26)}{i}", "ngay_sinh": dt.datetime(1980, 1, 1 + i % 28),
               "chuc_vu": "GV", "tuan_thu_ky_luat": "Có", "hoan_thanh_boi_duong": "Có", "tham_gia_cds": "Có",
               "chung_chi_ngoai_ngu": "Có", "trinh_do_ngoai_ngu": "Có", "danh_hieu": "Lao động tiên tiến",
               "cong_dan_hoc_tap": "Có", "ke_hoach_tu_hoc": "Có"}
        row.update((member_overrides or {}).get(i, {}))
        rows.append(row)
    answers = answers_for(book_id, tier)
    indicators, evidence = {}, []
    for rule in book.rules_for(tier):
        code = f"[MC-{rule.id}]"
        indicators[rule.id] = {"tu_danh_gia": answers[rule.id] or None,
                               "ma_minh_chung": None if rule.id in no_evidence else code}
        if rule.id not in no_evidence:
            evidence.append({"stt": len(evidence) + 1, "ma_minh_chung": code, "ten_minh_chung": f"Văn bản {rule.id}"})
    return WorkbookData(unit=info, members=rows, indicators=indicators, evidence=evidence)


def write_standard(path: Path, data: WorkbookData, *, book_id: str = TT24, tier: str = "huyen") -> Path:
    write_workbook(path, rulebooks.get(book_id), tier, data)
    return path


def write_grids(path: Path, sheets: dict[str, list[list[Any]]], hidden: tuple[str, ...] = ()) -> Path:
    """A workbook from plain grids (row 0 = Excel row 1); strings stay strings, "=…" becomes a formula."""
    wb = xlsxwriter.Workbook(path, {"strings_to_numbers": False, "strings_to_formulas": False,
                                    "strings_to_urls": False})
    for name, grid in sheets.items():
        ws = wb.add_worksheet(name)
        for r, row in enumerate(grid):
            for c, value in enumerate(row):
                if value is None:
                    continue
                if isinstance(value, str) and value.startswith("="):
                    ws.write_formula(r, c, value, None, "#N/A" if "NA()" in value else 0)
                elif isinstance(value, str):
                    ws.write_string(r, c, value)
                elif isinstance(value, dt.datetime):
                    ws.write_datetime(r, c, value)
                else:
                    ws.write(r, c, value)
        if name in hidden:
            ws.hide()
    wb.close()
    return path


def table(text: str) -> list[list[Any]]:
    """A Markdown-ish table ("| a | b |" lines) → grid of strings; empty cells become None."""
    grid = []
    for line in text.strip().splitlines():
        line = line.strip()
        if not line.startswith("|") or (set(line) <= set("|-: ") and "-" in line):
            continue
        grid.append([c.strip() or None for c in line.strip("|").split("|")])
    return grid


def libreoffice(profile: Path):
    """A converter through the real LibreOffice with a private profile: convert(files, fmt, outdir) → output paths.
    Missing LibreOffice fails the test in CI (CI=true: .ci/run installs it) and skips it elsewhere."""
    exe = shutil.which("soffice") or shutil.which("libreoffice")
    if exe is None:
        if os.environ.get("CI"):
            pytest.fail("LibreOffice (soffice) is missing in CI: .ci/run must install libreoffice-calc")
        pytest.skip("LibreOffice is not installed here (CI installs it and runs these tests)")

    def convert(files: Path | list[Path], fmt: str, outdir: Path) -> list[Path]:
        files = [files] if isinstance(files, Path) else list(files)
        outdir.mkdir(parents=True, exist_ok=True)
        subprocess.run([exe, f"-env:UserInstallation=file://{profile}", "--headless", "--convert-to", fmt,
                        "--outdir", str(outdir), *map(str, files)], check=True, capture_output=True, timeout=300)
        return [outdir / f"{f.stem}.{fmt.split(':')[0]}" for f in files]
    return convert
