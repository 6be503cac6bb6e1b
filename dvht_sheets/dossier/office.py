"""The recognising office's side: its settings file, and the documents it issues from a whole batch.

dossier.md "The recognising office's documents": the Danh sách đơn vị đề nghị công nhận (by level, plus the units
that reach none with their failing chỉ tiêu, plus the files that could not be evaluated), the Báo cáo thẩm định of
its Hội đồng, and the Dự thảo Quyết định công nhận with its attached list. Since 07/2025 the recognising authority
differs by province, so nothing about it is written in code: it comes from a TOML file the officer fills once
(`dvht co-quan-mau` writes a commented example); a value not given is a dotted blank.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import errno
import os
import shutil
import tomllib
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from .. import rulebook as rulebooks
from ..rulebook import Rulebook
from ..findings import Code, Finding, finding
from ..model import UnitResult
from ..read import DEFAULT_LIMITS, Limits
from ..report.files import atomic_write, replace
from ..schema import TIER_LABEL, text_of
from .context import DVHT, dots, vn_date
from .render import NOT_WRITTEN, DossierError, Templates, add_new, not_written, render
from .unit import UnitDossier, folder_name, remove_stale, write_unit_dossier

OFFICE_DOCUMENTS = [
    ("danh-sach-don-vi-de-nghi.docx", "co-quan-danh-sach-de-nghi.docx"),
    ("bao-cao-tham-dinh.docx", "co-quan-bao-cao-tham-dinh.docx"),
    ("du-thao-quyet-dinh.docx", "co-quan-du-thao-quyet-dinh.docx"),
]
DOSSIER_DIR = "ho-so"

# (TOML table, key) → context key of `cq`, and what the example file says about it.
SETTINGS = [
    ("co_quan", "ten", "ten", "Phòng Văn hóa - Xã hội phường Đông Hà",
     "Cơ quan nhận và thẩm định hồ sơ, đứng tên Danh sách"),
    ("co_quan", "co_quan_cap_tren", "co_quan_cap_tren", "Ủy ban nhân dân phường Đông Hà",
     "Cơ quan cấp trên của cơ quan nhận hồ sơ (dòng trên cùng, bên trái)"),
    ("co_quan", "dia_danh", "dia_danh", "Đông Hà", "Địa danh ghi ở dòng ngày tháng"),
    ("co_quan", "nguoi_ky", "nguoi_ky", "Nguyễn Văn A", "Người ký Danh sách"),
    ("co_quan", "chuc_vu_nguoi_ky", "chuc_vu_nguoi_ky", "Trưởng phòng", "Chức vụ người ký Danh sách"),
    ("cong_nhan", "co_quan", "co_quan_cong_nhan", "Ủy ban nhân dân phường Đông Hà",
     "Cấp có thẩm quyền công nhận, ban hành Quyết định (theo quy định của tỉnh)"),
    ("cong_nhan", "co_quan_cap_tren", "co_quan_cap_tren_cong_nhan", "Tỉnh Quảng Trị",
     "Dòng trên cùng bên trái của Quyết định; để trống nếu không có"),
    ("cong_nhan", "ky_hieu", "ky_hieu_cong_nhan", "UBND", "Ký hiệu trong “Số: …/QĐ-UBND”"),
    ("cong_nhan", "nguoi_ky", "nguoi_ky_cong_nhan", "", "Người ký Quyết định (thường để trống trong dự thảo)"),
    ("cong_nhan", "chuc_vu_nguoi_ky", "chuc_vu_nguoi_ky_cong_nhan", "Chủ tịch", "Chức vụ người ký Quyết định"),
    ("cong_nhan", "thuc_hien", "thuc_hien", "Chánh Văn phòng HĐND và UBND phường, Trưởng phòng Văn hóa - Xã hội",
     "Điều 3: những người chịu trách nhiệm thi hành"),
    ("hoi_dong", "ten", "hoi_dong", "Hội đồng đánh giá, công nhận “Đơn vị học tập” phường Đông Hà",
     "Hội đồng thẩm định, đứng tên Báo cáo thẩm định"),
    ("hoi_dong", "chu_tich", "chu_tich_hoi_dong", "", "Chủ tịch Hội đồng"),
]
LIST_SETTINGS = [
    ("co_quan", "noi_nhan", "noi_nhan", ["Như trên", "Lưu: VT"], "Nơi nhận của Danh sách, mỗi dòng một nơi"),
    ("cong_nhan", "can_cu", "can_cu", ["Căn cứ Luật Tổ chức chính quyền địa phương ngày 16 tháng 6 năm 2025"],
     "Các căn cứ đặt trước căn cứ Thông tư 24/2023/TT-BGDĐT (căn cứ thẩm quyền của cơ quan công nhận)"),
]


@dataclass
class OfficeSettings:
    values: dict = field(default_factory=dict)  # context key → text
    lists: dict = field(default_factory=dict)  # context key → list of text
    date: dt.date | None = None
    source: str | None = None

    def context(self) -> dict:
        cq = {key: dots(self.values.get(key)) for _, _, key, _, _ in SETTINGS}
        if not self.values.get("co_quan_cap_tren_cong_nhan"):
            cq["co_quan_cap_tren_cong_nhan"] = ""  # an authority with no parent body shows none
        for _, _, key, default, _ in LIST_SETTINGS:
            cq[key] = list(self.lists.get(key) or ([] if key == "can_cu" else default))
        return cq


def read_settings(path: Path | None) -> OfficeSettings:
    """The office's settings; no file gives every value as a dotted blank. Raises DossierError for a bad file."""
    if path is None:
        return OfficeSettings()
    # Python's own words are English ("'utf-8' codec can't decode byte 0xff …", "Invalid value (at line 1, column
    # 5)"): the officer gets the cause and the place, as from a --rulebook file (rulebook.load_file)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError:
        raise DossierError(Code.OFFICE_SETTINGS_INVALID, file=str(path),
                           detail="tệp phải được lưu với bảng mã UTF-8 (trong Notepad: Lưu thành → Mã hoá UTF-8)") from None
    except OSError as exc:
        raise DossierError(Code.OFFICE_SETTINGS_INVALID, file=str(path),
                           detail=f"không mở được tệp (mã lỗi hệ thống {errno.errorcode.get(exc.errno or 0, exc.errno)})"
                           ) from None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        row, column = rulebooks.toml_error_position(exc, text)
        raise DossierError(Code.OFFICE_SETTINGS_INVALID, file=str(path),
                           detail=f"sai cú pháp TOML ở dòng {row}, cột {column} (mỗi dòng là khoá = giá trị, chữ đặt "
                                  "trong ngoặc kép)") from None
    for table in dict.fromkeys(t for t, *_ in (*SETTINGS, *LIST_SETTINGS)):
        if table in data and not isinstance(data[table], dict):
            # `co_quan = "Sở GD&ĐT"` for [co_quan] ten = …: without this, "Lỗi không mong đợi" after the whole batch,
            # and no summary written
            raise DossierError(Code.OFFICE_SETTINGS_INVALID, file=str(path),
                               detail=f"'{table}' phải là một bảng: một dòng [{table}] rồi các dòng khoá = giá trị")
    out = OfficeSettings(source=str(path))
    for table, key, ctx_key, _, _ in SETTINGS:
        value = (data.get(table) or {}).get(key)
        if value is not None and not isinstance(value, (dict, list)):
            out.values[ctx_key] = text_of(value)
    for table, key, ctx_key, _, _ in LIST_SETTINGS:
        value = (data.get(table) or {}).get(key)
        if isinstance(value, str):
            value = [value]
        if value is not None and not isinstance(value, list):
            raise DossierError(Code.OFFICE_SETTINGS_INVALID, file=str(path),
                               detail=f"'{table}.{key}' phải là một danh sách, ví dụ {key} = [\"…\", \"…\"]")
        if value is not None:
            out.lists[ctx_key] = [text_of(v) for v in value if text_of(v)]
    day = (data.get("van_ban") or {}).get("ngay")
    if isinstance(day, dt.date):
        out.date = day
    elif day is not None:
        raise DossierError(Code.OFFICE_SETTINGS_INVALID, file=str(path),
                           detail=f"'van_ban.ngay' là '{day}', cần dạng 2026-01-20")
    return out


def example_settings() -> str:
    lines = ["# Thông tin cơ quan nhận, thẩm định hồ sơ và cơ quan công nhận “Đơn vị học tập”.",
             "# Dùng với: dvht batch THU_MUC -o KET_QUA --ho-so --co-quan co-quan.toml",
             "# Từ 07/2025 cơ quan công nhận khác nhau theo tỉnh: công cụ không mặc định cơ quan nào. Dòng nào để",
             "# trống (\"\") hoặc xoá đi thì văn bản để chỗ trống “…………” để điền tay. Lưu tệp dạng UTF-8.", ""]
    entries = [*SETTINGS, *LIST_SETTINGS]
    current = None
    for table, key, _, default, help_text in sorted(entries, key=lambda e: [t for t, *_ in entries].index(e[0])):
        if table != current:
            lines += ["", f"[{table}]"]
            current = table
        lines.append(f"# {help_text}")
        if isinstance(default, list):
            lines.append(f"{key} = [" + ", ".join(_toml_str(v) for v in default) + "]")
        else:
            lines.append(f"{key} = {_toml_str(default)}")
    lines += ["", "[van_ban]", "# Ngày ghi trên các văn bản (năm-tháng-ngày); xoá dòng này để để trống.",
              "# ngay = 2026-01-20", ""]
    return "\n".join(lines)


def _toml_str(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


# ------------------------------------------------------------------------------------------------ the documents

_ROMAN = ["I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X"]


def _list_item(text: str) -> str:
    # the office's templates end each item of a list with ";" (as the national format does): a message's own final
    # full stop would give ".;"
    return text.rstrip().removesuffix(".")


def _group_name(r: UnitResult) -> tuple[tuple, str]:
    year = r.year or 0
    if r.scheme == "points":
        return (-year, 0, "", 0), f"năm {year}, xếp loại {r.grade} ({rulebooks.get(r.rulebook).name})"
    cap = TIER_LABEL.get(r.tier or "", "")
    return (-year, 1, r.tier or "", -(r.level or 0)), f"{cap} mức độ {r.level} năm {year}"


def office_context(results: list[UnitResult], settings: OfficeSettings) -> dict:
    """The batch's documents, from the same UnitResult objects as ket-qua.json."""
    evaluated = [r for r in results if r.evaluated]
    recognised = [r for r in evaluated if r.level]
    groups: dict[tuple, tuple[str, list[UnitResult]]] = {}
    for r in sorted(recognised, key=lambda r: (r.unit_code or "", r.file)):
        key, name = _group_name(r)
        groups.setdefault(key, (name, []))[1].append(r)
    nhom = []
    for i, key in enumerate(sorted(groups)):
        name, units = groups[key]
        nhom.append({"so_muc": _ROMAN[i] if i < len(_ROMAN) else str(i + 1), "ten": name,
                     "tieu_de": f"Đơn vị đạt {DVHT} {name}", "so_don_vi": str(len(units)),
                     "don_vi": [_unit_row(n, r) for n, r in enumerate(units, start=1)]})
    failing = sorted((r for r in evaluated if not r.level), key=lambda r: (r.unit_code or "", r.file))
    chua_dat = []
    for n, r in enumerate(failing, start=1):
        row = _unit_row(n, r)
        if r.scheme == "points":
            row["chua_dat"] = f"xếp loại {r.grade}"
            row["ly_do"] = _list_item(r.conclusion)
        else:
            # one reason said once for all the chỉ tiêu it stops (a member excluded without a reason stops six)
            ids_by_reason: dict[str, list[str]] = {}
            for i in r.indicators:
                if i.level == 1 and i.applicable and not i.met:
                    ids_by_reason.setdefault(i.reason, []).append(i.id)
            reasons = [f"{', '.join(ids)} ({reason})" for reason, ids in ids_by_reason.items()]
            row["chua_dat"] = "; ".join(reasons) or r.conclusion
            row["ly_do"] = "mức độ 1 chưa đạt chỉ tiêu " + row["chua_dat"]
        chua_dat.append(row)
    not_evaluated = [{"stt": n, "tep": r.file, "ly_do": _list_item(r.conclusion.removeprefix("Không đánh giá được: "))}
                     for n, r in enumerate(sorted((r for r in results if not r.evaluated), key=lambda r: r.file),
                                           start=1)]
    counts: dict[str, int] = {}
    for r in evaluated:
        counts[r.result_label] = counts.get(r.result_label, 0) + 1
    books = sorted({r.rulebook for r in evaluated if r.rulebook}, reverse=True) or ["tt24-2023"]
    years = sorted({r.year for r in evaluated if r.year})
    sections = len(nhom)
    cq = settings.context()
    can_cu = [*cq["can_cu"]]
    can_cu += [f"Căn cứ {rulebooks.get(b).name} của Bộ trưởng Bộ Giáo dục và Đào tạo ban hành {rulebooks.get(b).title}"
               for b in books]
    can_cu.append(f"Căn cứ Báo cáo thẩm định của {cq['hoi_dong']}")
    return {
        "cq": cq, "nam": ", ".join(str(y) for y in years) or dots(None),
        "ngay_van_ban": vn_date(settings.date) if settings.date else "ngày …… tháng …… năm ……",
        "nhom_dat": nhom, "chua_dat": chua_dat, "khong_danh_gia": not_evaluated,
        "so_muc_chua_dat": _ROMAN[min(sections, 9)], "so_muc_khong_danh_gia": _ROMAN[min(sections + bool(chua_dat), 9)],
        "don_vi": [dict(_unit_row(n, r), ket_qua=r.result_label)
                   for n, r in enumerate(sorted(evaluated, key=lambda r: (r.unit_code or "", r.file)), start=1)],
        "thong_ke": [{"ten": label, "so": str(n)} for label, n in sorted(counts.items())],
        "so_ho_so": str(len(results)), "so_danh_gia_duoc": str(len(evaluated)), "so_cong_nhan": str(len(recognised)),
        "van_ban": "; ".join(rulebooks.get(b).name for b in books), "can_cu": can_cu, "dvht": DVHT,
        "dieu_gia_tri": "Điều 5 khoản 4, Điều 11 khoản 4 Thông tư 24/2023/TT-BGDĐT",
        "thuc_hien": cq["thuc_hien"],
    }


def _unit_row(n: int, r: UnitResult) -> dict:
    return {"stt": n, "ma": dots(r.unit_code), "ten": dots(r.unit_name), "loai": dots(r.unit_kind),
            "cap": TIER_LABEL.get(r.tier or "", ""), "so_thanh_vien": str(r.members) if r.members is not None else "",
            "ket_qua": r.result_label}


def write_office_documents(results: list[UnitResult], folder: Path, settings: OfficeSettings,
                           templates: Templates) -> tuple[list[Path], list[Finding]]:
    """The office's documents in folder; the findings of those that could not be rendered or written."""
    context = office_context(results, settings)
    written, errors = [], []
    for name, tpl in OFFICE_DOCUMENTS:
        try:
            written.append(render(templates, tpl, context, folder / name))
        except DossierError as exc:
            errors.append(exc.finding)
    return written, errors


# ------------------------------------------------------------------------------------------------ a batch's dossiers


@dataclass
class DossierJob:
    """What `dvht batch --ho-so` asks for; called by batch.run_batch once the batch is done."""

    templates_dir: Path | None = None
    settings_path: Path | None = None
    pdf: bool = False
    jobs: int | None = None
    rulebook: Rulebook | None = None  # the user's --rulebook, read once by the caller
    limits: Limits = DEFAULT_LIMITS


@dataclass
class DossierOutcome:
    folder: Path
    units: list[UnitDossier] = field(default_factory=list)
    office: list[Path] = field(default_factory=list)
    errors: list[Finding] = field(default_factory=list)  # each problem once (add_new), the units' included
    pdf_note: Finding | None = None

    @property
    def documents(self) -> int:
        return sum(len(u.written) for u in self.units) + len(self.office)


def _unit_task(args):
    path, rel, folder, templates_dir, book, limits = args
    from ..batch import evaluate_path

    if book is not None:
        rulebooks.remember(book)  # the documents look it up by id
    result, sub = evaluate_path(path, book, limits, rel)
    if not result.evaluated:
        return _slim(result), None
    try:
        templates = Templates(templates_dir)
    except DossierError as exc:
        return _slim(result), UnitDossier(result.unit_code, Path(folder), errors=[exc.finding])
    return _slim(result), write_unit_dossier(result, sub, Path(folder), templates)


def _not_evaluated(rel: str, why: str) -> UnitResult:
    # what the office's documents read of a file the batch could not evaluate: its name and the reason
    return UnitResult(file=rel, sha256="", evaluated=False, conclusion=f"Không đánh giá được: {why}")


def _until_broken(done, work, outcome: DossierOutcome):
    """(result, dossier) pairs with their work items until a worker dies; then the error, once, in the outcome."""
    from concurrent.futures.process import BrokenProcessPool

    pairs = zip(done, work)
    while True:
        try:
            yield next(pairs)
        except StopIteration:
            return
        except BrokenProcessPool:
            outcome.errors.append(finding(Code.DOSSIER_WORKER_DIED))
            return


def _slim(result: UnitResult) -> UnitResult:
    """What the office's documents read of a unit (its failing level-1 chỉ tiêu, no findings): the parent holds one
    per unit of the batch, so memory stays small for thousands of units."""
    from dataclasses import replace

    return replace(result, findings=[], criteria=[],
                   indicators=[i for i in result.indicators if i.level == 1 and i.applicable and not i.met])


def _in_unit_folder(problem: Finding, stage: str, name: str) -> Finding:
    """A document a worker could not write into its staging folder (000003/) is named by the unit's folder, where
    the user looks for it."""
    if problem.code not in NOT_WRITTEN:
        return problem
    return dataclasses.replace(problem, message=problem.message.replace(f"{stage}/", f"{name}/", 1))


def run_dossiers(job: DossierJob, inputs: list[tuple[Path, str]], out_dir: Path,
                 unevaluated: dict[str, str] | None = None) -> DossierOutcome:
    """Every unit's dossier under out_dir/ho-so/<mã>/ and the office's documents in out_dir/ho-so/.

    Each file is read and evaluated again in a worker (evaluate is pure: the same file gives the same UnitResult as
    the batch's), so the batch itself carries no dossier cost and the documents are rendered in parallel.
    unevaluated: the files (relative path → reason) the batch could not evaluate. They get no dossier, and they are not
    read again: a file that made the reader abort or hang in the batch would do it again here. The office's documents
    list them with that reason. A worker that dies ends the dossiers there (an error in the outcome), never the
    batch's outputs."""
    folder = out_dir / DOSSIER_DIR
    outcome = DossierOutcome(folder)
    try:
        templates = Templates(job.templates_dir)
        settings = read_settings(job.settings_path)
    except DossierError as exc:
        outcome.errors.append(exc.finding)
        return outcome
    folder.mkdir(parents=True, exist_ok=True)
    names: set[str] = set()
    results: list[UnitResult] = []
    jobs = max(1, min(job.jobs or os.cpu_count() or 1, len(inputs) or 1))
    # Workers render into a staging folder per input; the parent, taking results in input order, gives each unit its
    # folder name, so two files with one mã đơn vị get MA and MA_2 the same way on every run.
    staged = folder / ".tmp-ho-so"
    staged.mkdir(exist_ok=True)
    skipped = unevaluated or {}
    work = [(str(p), rel, str(staged / f"{i:06d}"), job.templates_dir, job.rulebook, job.limits)
            for i, (p, rel) in enumerate(inputs) if rel not in skipped]
    results += [_not_evaluated(rel, why) for rel, why in skipped.items()]
    try:
        if jobs == 1:
            done = map(_unit_task, work)
        else:
            from ..batch import quiet_native_stderr, worker_context

            # the batch's start method (forkserver where there is one): this process may be running threads by now
            # (the progress bar), and a fork of it could inherit a lock one of them holds
            pool = ProcessPoolExecutor(jobs, mp_context=worker_context(), initializer=quiet_native_stderr)
            done = pool.map(_unit_task, work, chunksize=4)
        for (result, dossier), item in _until_broken(done, work, outcome):
            results.append(result)
            if dossier is None:
                continue
            base = folder_name(result)
            name, n = base, 2
            while name.casefold() in names:
                name, n = f"{base}_{n}", n + 1
            names.add(name.casefold())
            final = folder / name
            stage = Path(item[2]).name
            dossier.errors = [_in_unit_folder(e, stage, name) for e in dossier.errors]
            placed = []
            if dossier.written:
                final.mkdir(exist_ok=True)
                for path in dossier.written:
                    try:
                        replace(path, final / path.name)
                        placed.append(final / path.name)
                    except OSError as exc:  # last run's document still open in Word (Windows), a full disk
                        dossier.errors.append(finding(Code.DOSSIER_WRITE_FAILED, **not_written(final / path.name, exc)))
                dossier.errors += remove_stale(final, {p.name for p in dossier.written})
            dossier.written = placed
            dossier.folder = final
            outcome.units.append(dossier)
        if jobs > 1:
            pool.shutdown()
    finally:
        shutil.rmtree(staged, ignore_errors=True)
    add_new(outcome.errors, _remove_vanished_units(folder, names))
    for d in outcome.units:
        add_new(outcome.errors, d.errors)
    outcome.office, errors = write_office_documents(results, folder, settings, templates)
    add_new(outcome.errors, errors)
    if job.pdf:
        from .pdf import convert

        _, outcome.pdf_note = convert([p for u in outcome.units for p in u.written] + outcome.office)
    return outcome


def _remove_vanished_units(folder: Path, kept: set[str]) -> list[Finding]:
    """A unit folder of an earlier run that this run does not produce loses the files the tool wrote there; the
    folder itself goes only when nothing else (a file someone put there) is left in it. Returns the findings for the
    documents that could not be removed."""
    errors = []
    for sub in folder.iterdir():
        if sub.is_dir() and not sub.name.startswith(".") and sub.name.casefold() not in kept:
            errors += remove_stale(sub, set())
            try:
                sub.rmdir()
            except OSError:
                pass
    return errors


def write_settings_example(path: Path) -> None:
    atomic_write(path, lambda tmp: Path(tmp).write_text(example_settings(), encoding="utf-8"))


__all__ = ["DossierJob", "DossierOutcome", "OfficeSettings", "read_settings", "example_settings", "office_context",
           "write_office_documents", "run_dossiers", "write_settings_example"]
