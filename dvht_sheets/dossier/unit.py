"""One unit's dossier: the folder DIR/<mã>/ with its documents, numbered as the dossier list of dossier.md."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from ..findings import Code, Finding, fatal_messages, finding
from ..model import Submission, UnitResult
from ..report.files import safe_name
from .context import unit_context
from .render import DossierError, Templates, remove_own, render

# (output file, template file). dossier.md "The unit's documents", numbered as the Hà Nội list (1)–(8); a TT 22 year
# gets the Biểu điểm in place of the Bản tổng hợp (4).
UNIT_DOCUMENTS = [
    ("01-trang-bia.docx", "01-trang-bia.docx"),
    ("02-to-trinh.docx", "02-to-trinh.docx"),
    ("03-to-danh-gia.docx", "03-to-danh-gia.docx"),
    ("04-ban-tong-hop.docx", "04-ban-tong-hop.docx"),
    ("05-chu-viet-tat.docx", "05-chu-viet-tat.docx"),
    ("06-bien-ban.docx", "06-bien-ban.docx"),
    ("07-bao-cao.docx", "07-bao-cao.docx"),
    ("08-danh-muc-minh-chung.docx", "08-danh-muc-minh-chung.docx"),
]
POINTS_SUMMARY = ("04-bieu-diem.docx", "04-bieu-diem.docx")
# Every name this module ever writes in a unit folder: an earlier run's file that this run does not produce (a Tờ
# trình of a unit that no longer reaches a level) is removed; other files in the folder are never touched.
OWN_NAMES = {n for n, _ in UNIT_DOCUMENTS} | {POINTS_SUMMARY[0]}
OWN_NAMES |= {Path(n).with_suffix(".pdf").name for n in OWN_NAMES}


@dataclass
class UnitDossier:
    code: str | None
    folder: Path
    written: list[Path] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # e.g. why there is no Tờ trình
    errors: list[Finding] = field(default_factory=list)  # templates that could not be rendered, documents not written


def folder_name(result: UnitResult) -> str:
    return safe_name(result.unit_code or "", fallback=Path(result.file).stem)


def documents_for(result: UnitResult) -> list[tuple[str, str]]:
    docs = [POINTS_SUMMARY if (result.scheme == "points" and out.startswith("04-")) else (out, tpl)
            for out, tpl in UNIT_DOCUMENTS]
    if not result.level:
        # dossier.md 2: a unit that reaches no level gets no Tờ trình.
        docs = [d for d in docs if not d[0].startswith("02-")]
    return docs


def no_level_note(result: UnitResult) -> str:
    if result.scheme == "points":
        why = f"xếp loại {result.grade}"
    else:
        failing = result.failing(1)
        why = "mức độ 1 không đạt các chỉ tiêu " + ", ".join(failing) if failing else result.conclusion
    return finding(Code.DOSSIER_NO_LEVEL, detail=why).message


def write_unit_dossier(result: UnitResult, sub: Submission | None, folder: Path, templates: Templates) -> UnitDossier:
    """Render the unit's documents into folder. Never raises for a template problem: it is listed in .errors."""
    out = UnitDossier(result.unit_code, folder)
    if not result.evaluated:
        # the file's own fatal messages: its conclusion would repeat the entry's "không đánh giá được"
        why = " ".join(fatal_messages(result.findings)) or result.conclusion
        out.errors.append(finding(Code.DOSSIER_NOT_EVALUATED, file=result.file, detail=why))
        return out
    context = unit_context(result, sub)
    if not result.level:
        out.notes.append(no_level_note(result))
    docs = documents_for(result)
    folder.mkdir(parents=True, exist_ok=True)
    held = set()  # documents that could not be replaced: last run's stays, and is not removed as stale
    for name, tpl in docs:
        try:
            out.written.append(render(templates, tpl, context, folder / name))
        except DossierError as exc:
            out.errors.append(exc.finding)
            if exc.code == Code.DOSSIER_WRITE_FAILED:
                held.add(name)
    out.errors += remove_stale(folder, {p.name for p in out.written} | held)
    return out


def remove_stale(folder: Path, produced: set[str]) -> list[Finding]:
    """Remove the documents this tool wrote in a unit folder on an earlier run and not this time (PDFs included:
    --pdf makes them anew from this run's documents); the findings for those that could not be removed."""
    errors = []
    for stale in sorted(OWN_NAMES - produced):
        path = folder / stale
        if path.is_file():
            problem = remove_own(path)
            if problem:
                errors.append(problem)
    return errors
