"""The command line: parse → call the library → render → exit code. No data logic lives here.

Exit status: 0 every input evaluated; 1 at least one input could not be evaluated; 2 usage error; 3 the outputs could
not be written; 130 after Ctrl-C; 143 after SIGTERM (outputs.md).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import signal
import sys
from pathlib import Path

import click

# The library's API only (dvht_sheets/__init__.py), the console helpers and the bundled samples; the vocabulary
# labels that `rules show` prints come from the schema, the severity words from the findings catalogue.
from . import (
    UNIT_DIR, BatchOutcome, FolderBusy, InputInsideOutput, Limits, NoInputs, OutputFailed, RulebookError, __version__,
    bundled, check as check_file, console, one_child, run_batch, to_json, write_template,
)
from . import rulebook as rulebooks
from .rulebook import Rulebook
from .findings import Code, Severity, message
from .schema import TIER_LABEL, TRAIT_LABEL


# Before the decorators below: some of click's texts (the --version help) are taken when a command is declared.
console.speak_vietnamese()
_Command, _Group = console.vietnamese_command_classes()


class Ctx:
    debug = False


def _book(ref: str | None):
    if not ref:
        return None
    try:
        return rulebooks.get(ref)
    except RulebookError as exc:
        raise click.BadParameter(str(exc), param_hint="--rulebook") from None


@click.group(name="dvht", cls=_Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="dvht")
@click.option("--debug", is_flag=True, help="Hiện chi tiết kỹ thuật (traceback) khi có lỗi nội bộ.")
def cli(debug: bool) -> None:
    """dvht: kiểm tra và tổng hợp tự đánh giá “Đơn vị học tập” (TT 24/2023; TT 22/2020 cho năm đến 2023).

    Ví dụ: dvht template --cap huyen -o mau.xlsx; dvht check truong.xlsx -o ket-qua
    """
    Ctx.debug = debug


def _limits(max_unzipped_mb: int, max_rows: int, max_seconds: int) -> Limits:
    return Limits(max_unzipped_bytes=max_unzipped_mb * 1024 * 1024, max_rows=max_rows, max_seconds=max_seconds)


LIMIT_OPTIONS = [
    click.option("--max-unzipped-mb", default=200, show_default=True, type=click.IntRange(1),
                 help="Giới hạn dung lượng giải nén của một tệp (chống tệp “bom nén”)."),
    click.option("--max-rows", default=100_000, show_default=True, type=click.IntRange(1),
                 help="Giới hạn số dòng của một trang tính."),
    click.option("--max-seconds", default=120, show_default=True, type=click.IntRange(0),
                 help="Giới hạn thời gian xử lý một tệp, tính bằng giây (0: không giới hạn): tệp làm bộ đọc bị treo "
                      "được ghi là không đánh giá được, các tệp khác vẫn chạy tiếp."),
]


def limit_options(fn):
    for option in reversed(LIMIT_OPTIONS):
        fn = option(fn)
    return fn


@cli.command()
@click.option("--cap", "tier", type=click.Choice(["huyen", "tinh"]), default="huyen", show_default=True,
              help="Cấp đánh giá của mẫu.")
@click.option("--nam", "year", type=click.IntRange(1990, 2100), default=None,
              help="Năm đánh giá (chọn bộ quy tắc: đến 2023 là TT 22/2020). Mặc định: năm nay.")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Tệp cần ghi. Mặc định: mau-dvht-<bộ quy tắc>-cap-<cấp>.xlsx")
def template(tier: str, year: int | None, output: Path | None) -> None:
    """Ghi mẫu sổ tính chuẩn (để trống) cho một cấp đánh giá.

    Ví dụ: dvht template --cap tinh --nam 2025 -o mau-cap-tinh.xlsx
    """
    book = rulebooks.for_year(year or dt.date.today().year)
    with _writing_into((output or Path(".")).parent):
        output = write_template(output, book, tier)
    click.echo(f"Đã ghi mẫu {TIER_LABEL[tier]} theo {book.name}: {output}")


@cli.command()
@click.argument("files", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("-o", "--output", "out_dir", type=click.Path(file_okay=False, path_type=Path), default=Path("."),
              show_default=True, help="Thư mục ghi tệp kết quả của từng đơn vị.")
@click.option("--json", "as_json", is_flag=True, help="In kết quả dạng JSON (khoá tiếng Anh cố định).")
@click.option("--rulebook", "rulebook_ref", default=None, help="Ép dùng một bộ quy tắc (mã hoặc tệp .toml).")
@limit_options
def check(files: tuple[Path, ...], out_dir: Path, as_json: bool, rulebook_ref: str | None, max_unzipped_mb: int,
          max_rows: int, max_seconds: int) -> None:
    """Kiểm tra và đánh giá một hoặc vài sổ tính; ghi <mã đơn vị>_ket-qua.xlsx vào thư mục -o.

    Ví dụ: dvht check truong-kim-dong.xlsx -o ket-qua --json
    """
    book = _book(rulebook_ref)
    limits = _limits(max_unzipped_mb, max_rows, max_seconds)
    # each file in a child process with a memory cap: one that aborts a reader or allocates without bound gets
    # "Không đánh giá được" and the others are still evaluated (a fork costs ~5 ms; on Windows a spawn, ~0.5 s)
    with one_child():  # Windows: one child process for all the files, not a fresh interpreter each
        outcomes = [check_file(p, out_dir, rulebook=book, limits=limits) for p in files]
    if as_json:
        click.echo(to_json(o.result for o in outcomes))
    else:
        for o in outcomes:
            _echo_outcome(o)
    if Ctx.debug:
        for o in outcomes:
            if getattr(o.result, "debug", None):
                click.echo(o.result.debug, err=True)
    unit, failed = next(((o.result, f) for o in outcomes for f in o.result.findings
                         if f.code == Code.OUTPUT_WRITE_FAILED), (None, None))
    if failed is not None:
        # outputs.md: exit 3 when the outputs could not be written, naming the folder and the cause; the results
        # printed above still stand (the write goes through a temporary name, so nothing half-written is left)
        click.echo(message(Code.RUN_CHECK_NOT_WRITTEN, file=out_dir, value=unit.file, detail=failed.detail), err=True)
        sys.exit(3)
    sys.exit(0 if all(o.result.evaluated for o in outcomes) else 1)


def _echo_outcome(o) -> None:
    r = o.result
    counts = r.counts()
    head = f"{r.file}: "
    if r.evaluated:
        head += f"{r.unit_code} – {r.unit_name}: {r.result_label}. {r.conclusion}."
    else:
        head += "KHÔNG ĐÁNH GIÁ ĐƯỢC."
    click.echo(head)
    if r.evaluated and r.scheme == "levels" and r.level != 2:
        for level in (1, 2):
            failing = r.failing(level)
            if failing:
                click.echo(f"   Mức độ {level} chưa đạt: {', '.join(failing)}")
    click.echo(f"   {counts['fatal'] + counts['error']} lỗi, {counts['warning']} cảnh báo.")
    for line in finding_lines(r.findings):
        click.echo(line)
    if o.output:
        click.echo(f"   Tệp kết quả: {o.output}")


SHOWN_FINDINGS = 20


def finding_lines(findings) -> list[str]:
    """Each finding with its sheet and cell, the most serious first (stable otherwise), the first SHOWN_FINDINGS
    then a count: the secretary fixes from the terminal and opens the result file only for the rest."""
    rank = {"fatal": 0, "error": 1, "warning": 2}
    ordered = sorted(findings, key=lambda f: rank.get(f.severity, 3))
    lines = []
    for f in ordered[:SHOWN_FINDINGS]:
        where = ", ".join(p for p in (f"trang {f.sheet}" if f.sheet else "", f"ô {f.cell}" if f.cell else "") if p)
        lines.append(f"   - {Severity(f.severity).label}" + (f" ({where})" if where else "") + f": {f.message}")
    if len(ordered) > SHOWN_FINDINGS:
        lines.append(f"   … và {len(ordered) - SHOWN_FINDINGS} phát hiện khác; xem tệp kết quả.")
    return lines


class _StopRequest:
    """Ctrl-C and SIGTERM during a batch: remembered, not raised, so the batch ends its workers and the summary of
    what was finished is still written whole (a second signal while it is written changes nothing)."""

    def __init__(self) -> None:
        self.signum: int | None = None
        self._previous: dict[int, object] = {}

    def __call__(self, signum, _frame) -> None:
        if self.signum is None:
            self.signum = signum

    def __enter__(self) -> "_StopRequest":
        import threading

        if threading.current_thread() is threading.main_thread():
            for sig in (signal.SIGINT, signal.SIGTERM):
                self._previous[sig] = signal.signal(sig, self)
        return self

    def __exit__(self, *exc) -> None:
        for sig, handler in self._previous.items():
            signal.signal(sig, handler)

    def requested(self) -> bool:
        return self.signum is not None


def run_and_report(input_dir: Path, out_dir: Path, roster_path: Path | None, jobs: int | None,
                   book: Rulebook | None, limits: Limits, command: str, dossier=None) -> int:
    """Batch → per-unit workbooks → tong-hop.xlsx/.csv, ket-qua.json; progress and a closing table on the terminal.

    Exit status (outputs.md): 0 all evaluated, 1 some not, 2 usage (no workbook in the folder, the output folder
    busy or inside don-vi/), 3 outputs not written, 130 Ctrl-C, 143 SIGTERM."""
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

    err = Console(stderr=True)
    console = Console()
    progress = Progress(TextColumn("Đang đánh giá"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn(),
                        console=err, disable=not err.is_terminal, transient=True)
    task_id = progress.add_task("batch", total=None)

    def tick(done: int, total: int, _row) -> None:
        # Started at the first unit, not before: the roster is read first, in a forked child, which is safe only
        # while this process runs no other thread (the bar's refresh thread).
        if not progress.live.is_started:
            progress.start()
        progress.update(task_id, completed=done, total=total)

    try:
        with _StopRequest() as stop:
            try:
                outcome = run_batch(input_dir, out_dir, roster=roster_path, jobs=jobs, rulebook=book,
                                    progress=tick, limits=limits, command=command, stop=lambda: stop.signum,
                                    dossier=dossier)
            finally:
                progress.stop()
    except (InputInsideOutput, NoInputs, FolderBusy) as exc:
        click.echo(exc.message, err=True)
        return 2
    except OutputFailed as exc:
        click.echo(exc.message, err=True)
        if Ctx.debug:
            raise
        return 3
    return _render(outcome, input_dir, out_dir, console)


def _render(outcome: BatchOutcome, input_dir: Path, out_dir: Path, console) -> int:
    """The closing table and notes of a batch on the terminal, and its exit status."""
    from rich.table import Table

    roster, partial, signum = outcome.roster, outcome.partial, outcome.stopped_by
    counts: dict[str, int] = {}
    for row in outcome.units:  # units, not files: a code sent twice counts once (issue 11)
        counts[row.result] = counts.get(row.result, 0) + 1
    try:
        shown = input_dir.resolve().relative_to(Path.cwd())
    except ValueError:
        shown = input_dir
    usable = roster if roster is not None and not roster.problem else None
    table = Table(title=f"Kết quả: {len(outcome.units)} đơn vị trong {shown}")
    table.add_column("Kết quả")
    table.add_column("Số đơn vị", justify="right")
    for label in ("Đạt mức độ 2", "Đạt mức độ 1", "Không đạt"):
        table.add_row(label, str(counts.pop(label, 0)))
    not_evaluated = counts.pop("Không đánh giá được", 0)
    for label, n in sorted(counts.items()):
        table.add_row(label, str(n))
    table.add_row("Không đánh giá được", str(not_evaluated))
    if usable is not None:
        table.add_row("Chưa nộp (theo danh sách)", str(len(outcome.missing)))
    console.print(table)
    # the same words as row 2 of Tổng hợp, on a line of its own that the table's width does not wrap
    console.print(f"Đã nộp: {outcome.submitted}", highlight=False, soft_wrap=True)
    for row in outcome.rows:
        if not row.evaluated:
            console.print(f"[red]Không đánh giá được[/red] {row.file}: {row.reason}", markup=True, highlight=False)
    for line in outcome.warnings:  # one line each, whole, so a log can be searched
        console.print(line, highlight=False, soft_wrap=True)
    for rel, why in outcome.discovery.skipped:
        console.print(f"Bỏ qua {rel}: {why}", highlight=False)
    if roster is not None:
        if roster.problem:
            console.print(f"Không đọc được danh sách đơn vị: {roster.problem}", highlight=False)
        elif outcome.missing:
            console.print("Chưa nộp: " + ", ".join(f"{c} ({n})" for c, n in outcome.missing), highlight=False)
    if partial:
        console.print(f"Đã dừng giữa chừng: {len(outcome.rows)}/{len(outcome.discovery.inputs)} tệp đã xong và "
                      "đã được ghi; các tệp còn lại chưa được đánh giá (bản tổng hợp ghi rõ là CHƯA ĐẦY ĐỦ).",
                      highlight=False)
    console.print(f"Bản tổng hợp: {out_dir / 'tong-hop.xlsx'}; từng đơn vị: {out_dir / 'don-vi'}", highlight=False)
    if outcome.write_failures:
        file, cause = outcome.write_failures[0]
        click.echo(message(Code.RUN_UNITS_NOT_WRITTEN, detail=len(outcome.write_failures), file=out_dir / UNIT_DIR,
                           value=file, expected=cause), err=True)
    dossier_failed = outcome.dossier is not None and _echo_dossiers(outcome.dossier)
    if signum is not None:
        return 128 + int(signum)  # 130 after Ctrl-C, 143 after SIGTERM
    if outcome.write_failures:
        return 3
    if dossier_failed:
        from .dossier.render import exit_status

        # by the findings' codes: a document not written is an output not written (3), a template problem is 1
        return exit_status([*outcome.dossier.errors, outcome.dossier.pdf_note])
    return 1 if outcome.not_evaluated else 0


@cli.command()
@click.argument("input_dir", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option("-o", "--output", "out_dir", required=True, type=click.Path(file_okay=False, path_type=Path),
              help="Thư mục kết quả: tong-hop.xlsx, tong-hop.csv, ket-qua.json và thư mục don-vi/.")
@click.option("--roster", type=click.Path(exists=True, dir_okay=False, path_type=Path), default=None,
              help="Danh sách đơn vị phải nộp (.xlsx hoặc .csv, cột Mã đơn vị và Tên đơn vị).")
@click.option("--jobs", type=click.IntRange(1), default=None, help="Số tiến trình song song. Mặc định: số lõi CPU.")
@click.option("--rulebook", "rulebook_ref", default=None, help="Ép dùng một bộ quy tắc (mã hoặc tệp .toml).")
@click.option("--ho-so", "ho_so", is_flag=True,
              help="Lập thêm hồ sơ đề nghị công nhận của từng đơn vị và các văn bản của cơ quan vào OUTDIR/ho-so/.")
@click.option("--co-quan", "co_quan", type=click.Path(exists=True, dir_okay=False, path_type=Path), default=None,
              help="Tệp thông tin cơ quan (.toml, tạo bằng `dvht co-quan-mau`), dùng với --ho-so.")
@click.option("--mau-ho-so", "mau_ho_so", type=click.Path(exists=True, file_okay=False, path_type=Path),
              default=None, help="Thư mục mẫu hồ sơ đã sửa (chép ra bằng `dvht mau-ho-so`), dùng với --ho-so.")
@click.option("--pdf", is_flag=True, help="Chuyển thêm các văn bản hồ sơ sang PDF bằng LibreOffice (nếu có).")
@limit_options
def batch(input_dir: Path, out_dir: Path, roster: Path | None, jobs: int | None, rulebook_ref: str | None,
          ho_so: bool, co_quan: Path | None, mau_ho_so: Path | None, pdf: bool,
          max_unzipped_mb: int, max_rows: int, max_seconds: int) -> None:
    """Đánh giá mọi sổ tính trong một thư mục (kể cả thư mục con) và lập bản tổng hợp của huyện/tỉnh.

    Ví dụ: dvht batch ho-so-2025 -o ket-qua-2025 --roster danh-sach-truong.xlsx
    """
    command = "dvht " + " ".join(sys.argv[1:]) if sys.argv and sys.argv[0].endswith("dvht") else \
        f"dvht batch {input_dir} -o {out_dir}"
    limits = _limits(max_unzipped_mb, max_rows, max_seconds)
    book = _book(rulebook_ref)  # read once; a wrong id or file is a usage error (exit 2) before anything is read
    dossier = _dossier_hook(out_dir, mau_ho_so, co_quan, pdf, jobs, book, limits) if ho_so else None
    if not ho_so and (co_quan or mau_ho_so or pdf):
        raise click.UsageError(message(Code.RUN_OPTIONS_NEED_HO_SO))
    sys.exit(run_and_report(input_dir, out_dir, roster, jobs, book, limits, command, dossier=dossier))


@cli.command()
@click.option("-o", "--output", "out_dir", type=click.Path(file_okay=False, path_type=Path), default=Path("out"),
              show_default=True, help="Thư mục kết quả.")
@click.option("--jobs", type=click.IntRange(1), default=None, help="Số tiến trình song song. Mặc định: số lõi CPU.")
def demo(out_dir: Path, jobs: int | None) -> None:
    """Chạy thử trên các sổ tính mẫu đi kèm gói (dvht_sheets/data/samples) và danh sách đơn vị mẫu; không cần
    cấu hình gì, chạy được ở bất kỳ thư mục nào.

    Ví dụ: dvht demo -o out
    """
    try:
        with bundled.bundled_dir("samples") as src:
            code = run_and_report(src, out_dir, src / bundled.ROSTER_NAME, jobs, None, Limits(),
                                  f"dvht demo -o {out_dir}",
                                  dossier=_dossier_hook(out_dir, None, None, False, jobs, None, Limits()))
    except bundled.MissingBundledFiles as exc:
        raise click.ClickException(message(Code.RUN_INSTALL_INCOMPLETE, detail=exc)) from None
    sys.exit(code)


@cli.group()
def rules() -> None:
    """Các bộ quy tắc có sẵn và từng chỉ tiêu, kèm căn cứ."""


@rules.command("list")
def rules_list() -> None:
    """Liệt kê các bộ quy tắc.

    Ví dụ: dvht rules list
    """
    for book in rulebooks.bundled():
        years = f"{book.first_year}–{book.last_year}" if book.last_year < 9999 else f"từ {book.first_year}"
        click.echo(f"{book.id}  v{book.version}  {book.name} (năm đánh giá {years}; "
                   f"{'mức độ' if book.scheme == 'levels' else 'chấm điểm'}; {len(book.rules)} quy tắc)")


@rules.command("show")
@click.argument("ref", metavar="ID")
def rules_show(ref: str) -> None:
    """In từng chỉ tiêu của một bộ quy tắc: ngưỡng, phạm vi áp dụng, căn cứ.

    Ví dụ: dvht rules show tt24-2023
    """
    try:
        book = rulebooks.get(ref)
    except RulebookError as exc:
        # A rulebook that does not exist is a mistyped argument: a usage error (exit 2), like --rulebook tt99.
        raise click.BadParameter(str(exc), param_hint="'ID'") from None
    click.echo(f"{book.name} – {book.title}")
    click.echo(f"Mã {book.id}, phiên bản {book.version}; tệp {book.source}")
    click.echo(f"Minh chứng: {book.evidence_article}; kết luận: {book.conclusion_article}")
    for band in book.bands:
        click.echo(f"  Xếp loại {band.grade}: từ {band.min_points:g} điểm")
    for rule in book.rules:
        tiers = ", ".join(rule.tiers) if rule.tiers else "mọi cấp"
        kind = rulebooks.KINDS[rule.kind]
        click.echo(f"\n[{rule.id}] ({tiers}) {kind.meaning}")
        for lv in book.levels.values():
            if not rule.in_tier(lv.tier) and lv.tier != "any":
                continue
            parts = [rule.text(lv.key), *kind.describe(rule, lv.key)]
            if rule.applies_to(lv.key) != "all":
                parts.append(f"chỉ áp dụng cho {TRAIT_LABEL[rule.applies_to(lv.key)]}")
            if book.scheme == "points":
                parts.append(f"{rule.points:g} điểm")
            click.echo(f"  {lv.key} {book.citation(rule, lv.key)}: " + "; ".join(parts))


# ---------------------------------------------------------------------------------------------------- the dossier
# issue 12 (branch dossier): `ho-so`, `mau-ho-so`, `co-quan-mau`, and `batch --ho-so`. dvht_sheets.dossier (and
# docxtpl) are imported inside the commands only, so every other command starts as fast as before.


def _dossier_hook(out_dir: Path, templates_dir: Path | None, settings: Path | None, pdf: bool, jobs: int | None,
                  book: Rulebook | None, limits: Limits):
    def hook(outcome):
        from .dossier.office import DossierJob, run_dossiers

        from .report.stats import counted_rows

        job = DossierJob(templates_dir, settings, pdf, jobs, book, limits)
        # the files the summary counts: of two files with one mã đơn vị, only the one counted gets a dossier and a
        # line in the office's documents (else the draft decision recognised the unit twice, at two levels)
        counted = counted_rows(outcome.rows)
        unevaluated = {row.file: row.reason for row in counted if not row.evaluated}
        files = {row.file for row in counted}
        return run_dossiers(job, [(p, rel) for p, rel in outcome.discovery.inputs if rel in files], out_dir,
                            unevaluated)

    return hook


def _echo_dossiers(d) -> bool:
    """The dossier part of a batch's report; True when it has an error (a template, a document not written), or a
    PDF that could not be put in place (no LibreOffice is a warning: False)."""
    click.echo(f"Hồ sơ đề nghị công nhận: {len(d.units)} đơn vị, {d.documents} văn bản trong {d.folder}")
    for unit in d.units:
        for note in unit.notes:
            click.echo(f"   {unit.code}: {note}")
    if d.office:
        click.echo("   Văn bản của cơ quan: " + ", ".join(p.name for p in d.office))
    for error in d.errors:
        click.echo(f"   Lỗi: {error.message}", err=True)
    if d.pdf_note:
        click.echo(f"   {d.pdf_note.message}", err=True)
    return bool(d.errors) or (d.pdf_note is not None and d.pdf_note.severity != Severity.WARNING)


@cli.command("ho-so")
@click.argument("files", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("-o", "--output", "out_dir", required=True, type=click.Path(file_okay=False, path_type=Path),
              help="Thư mục ghi hồ sơ: mỗi đơn vị một thư mục <mã đơn vị>/.")
@click.option("--mau-ho-so", "mau_ho_so", type=click.Path(exists=True, file_okay=False, path_type=Path),
              default=None, help="Thư mục mẫu hồ sơ đã sửa (chép ra bằng `dvht mau-ho-so`).")
@click.option("--pdf", is_flag=True, help="Chuyển thêm sang PDF bằng LibreOffice (nếu đã cài).")
@click.option("--rulebook", "rulebook_ref", default=None, help="Ép dùng một bộ quy tắc (mã hoặc tệp .toml).")
@limit_options
def ho_so(files: tuple[Path, ...], out_dir: Path, mau_ho_so: Path | None, pdf: bool, rulebook_ref: str | None,
          max_unzipped_mb: int, max_rows: int, max_seconds: int) -> None:
    """Lập hồ sơ đề nghị công nhận (8 văn bản Word) cho từng sổ tính: trang bìa, tờ trình, danh sách Tổ đánh giá,
    bản tổng hợp (TT 22: biểu điểm), chữ viết tắt, biên bản, báo cáo tự đánh giá, danh mục minh chứng.

    Ví dụ: dvht ho-so truong-kim-dong.xlsx -o ho-so --pdf
    """
    from .batch import evaluate_isolated
    from .dossier.render import DossierError, Templates, exit_status
    from .dossier.unit import folder_name, write_unit_dossier

    book = _book(rulebook_ref)
    try:
        templates = Templates(mau_ho_so)
    except DossierError as exc:
        raise click.ClickException(str(exc)) from None
    limits = _limits(max_unzipped_mb, max_rows, max_seconds)
    problems, written, used = [], [], set()  # problems: every error Finding, for the exit status
    with one_child():  # Windows: one child process for all the files, not a fresh interpreter each
        for path in files:
            # in a child process, as `check`: a file that aborts or hangs the reader costs its own dossier only
            result, sub = evaluate_isolated(path, book, limits, str(path))
            if not result.evaluated:
                problem = write_unit_dossier(result, sub, out_dir, templates).errors[0]
                click.echo(problem.message, err=True)
                problems.append(problem)
                continue
            name, n = folder_name(result), 2
            while name.casefold() in used:
                name, n = f"{folder_name(result)}_{n}", n + 1
            used.add(name.casefold())
            dossier = write_unit_dossier(result, sub, out_dir / name, templates)
            written += dossier.written
            click.echo(f"{path}: {result.unit_code} – {result.unit_name}: {result.result_label}; "
                       f"{len(dossier.written)} văn bản trong {dossier.folder}")
            for note in dossier.notes:
                click.echo(f"   {note}")
            missing = next((f for f in result.findings if f.code == "dossier-incomplete"), None)
            if missing is not None:
                click.echo(f"   {missing.message}")
            for error in dossier.errors:
                click.echo(f"   Lỗi: {error.message}", err=True)
            problems += dossier.errors
    if pdf and written:
        from .dossier.pdf import convert

        pdfs, problem = convert(written)
        click.echo(f"Đã chuyển {len(pdfs)} văn bản sang PDF.")
        if problem:
            click.echo(problem.message, err=True)
            problems.append(problem)
    sys.exit(exit_status(problems))  # outputs.md: 3 when an output could not be written, by the findings' codes


@cli.command("mau-ho-so")
@click.option("-o", "--output", "out_dir", required=True, type=click.Path(file_okay=False, path_type=Path),
              help="Thư mục chép các mẫu hồ sơ (.docx) ra để sửa.")
def mau_ho_so(out_dir: Path) -> None:
    """Chép các mẫu văn bản hồ sơ (.docx có thẻ {{ … }}) ra một thư mục để tỉnh/đơn vị sửa bằng Word; dùng lại
    bằng --mau-ho-so THƯ_MỤC.

    Ví dụ: dvht mau-ho-so -o mau-ho-so-tinh
    """
    from .dossier.render import copy_templates

    with _writing_into(out_dir):
        written = copy_templates(out_dir)
    click.echo(f"Đã chép {len(written)} mẫu hồ sơ vào {out_dir}. Sửa bằng Word, giữ nguyên các thẻ {{{{ … }}}} và "
               f"{{% … %}}, rồi dùng: dvht ho-so … --mau-ho-so {out_dir}")


@cli.command("co-quan-mau")
@click.option("-o", "--output", required=True, type=click.Path(dir_okay=False, path_type=Path),
              help="Tệp .toml cần ghi.")
def co_quan_mau(output: Path) -> None:
    """Ghi tệp mẫu thông tin cơ quan nhận hồ sơ và cơ quan công nhận (TOML, có chú thích) để dùng với
    `dvht batch … --ho-so --co-quan TỆP`.

    Ví dụ: dvht co-quan-mau -o co-quan.toml
    """
    from .dossier.office import write_settings_example

    with _writing_into(output.parent):
        write_settings_example(output)
    click.echo(f"Đã ghi tệp mẫu thông tin cơ quan: {output}. Hãy sửa các dòng rồi dùng --co-quan {output}")


@contextlib.contextmanager
def _writing_into(folder: Path):
    """Around a command's writes: an OSError (a full disk; on Windows, last time's file still open in a program)
    becomes the Vietnamese message naming the folder and the cause, exit 3 (outputs.md)."""
    try:
        yield
    except OSError as exc:
        click.echo(OutputFailed(folder, exc).message, err=True)
        sys.exit(3)


def main() -> None:
    console.make_streams_safe()
    try:
        cli.main(standalone_mode=False)
    except click.exceptions.Exit as exc:
        sys.exit(exc.exit_code)
    except click.ClickException as exc:
        exc.show()
        sys.exit(exc.exit_code)
    except (click.exceptions.Abort, KeyboardInterrupt):  # Abort: Ctrl-C inside a click prompt
        click.echo(message(Code.RUN_STOPPED), err=True)
        sys.exit(130)
    except SystemExit:
        raise
    except Exception as exc:
        if Ctx.debug:
            raise
        click.echo(message(Code.RUN_UNEXPECTED_ERROR, detail=exc), err=True)
        sys.exit(1)
