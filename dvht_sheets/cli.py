"""The command line: parse → call the library → render → exit code. No data logic lives here.

Exit status: 0 every input evaluated; 1 at least one input could not be evaluated; 2 usage error.
"""

from __future__ import annotations

import datetime as dt
import json
import sys
from pathlib import Path

import click

from . import __version__
from . import rulebook as rulebooks
from .batch import check_file
from .rulebook import RulebookError
from .schema import COLLECTIVE_TITLES, DIGITAL_LEVELS, TIER_LABEL, TRAIT_LABEL
from .template import template_name, write_workbook
from .report_unit import atomic_write


class Ctx:
    debug = False


def _book(ref: str | None):
    if not ref:
        return None
    try:
        return rulebooks.get(ref)
    except RulebookError as exc:
        raise click.BadParameter(str(exc), param_hint="--rulebook") from None


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="dvht")
@click.option("--debug", is_flag=True, help="Hiện chi tiết kỹ thuật (traceback) khi có lỗi nội bộ.")
def cli(debug: bool) -> None:
    """dvht: kiểm tra và tổng hợp tự đánh giá “Đơn vị học tập” (TT 24/2023; TT 22/2020 cho năm đến 2023).

    Ví dụ: dvht template --cap huyen -o mau.xlsx; dvht check truong.xlsx -o ket-qua
    """
    Ctx.debug = debug


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
    output = output or Path(template_name(book, tier))
    atomic_write(output, lambda tmp: write_workbook(tmp, book, tier))
    click.echo(f"Đã ghi mẫu {TIER_LABEL[tier]} theo {book.name}: {output}")


@cli.command()
@click.argument("files", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("-o", "--output", "out_dir", type=click.Path(file_okay=False, path_type=Path), default=Path("."),
              show_default=True, help="Thư mục ghi tệp kết quả của từng đơn vị.")
@click.option("--json", "as_json", is_flag=True, help="In kết quả dạng JSON (khoá tiếng Anh cố định).")
@click.option("--rulebook", "rulebook_ref", default=None, help="Ép dùng một bộ quy tắc (mã hoặc tệp .toml).")
def check(files: tuple[Path, ...], out_dir: Path, as_json: bool, rulebook_ref: str | None) -> None:
    """Kiểm tra và đánh giá một hoặc vài sổ tính; ghi <mã đơn vị>_ket-qua.xlsx vào thư mục -o.

    Ví dụ: dvht check truong-kim-dong.xlsx -o ket-qua --json
    """
    book = _book(rulebook_ref)
    outcomes = [check_file(p, out_dir, book, display_name=str(p)) for p in files]
    if as_json:
        click.echo(json.dumps([o.result.to_json() for o in outcomes], ensure_ascii=False, indent=2))
    else:
        for o in outcomes:
            _echo_outcome(o)
    if Ctx.debug:
        for o in outcomes:
            if getattr(o.result, "debug", None):
                click.echo(o.result.debug, err=True)
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
    for f in r.findings:
        if f.severity == "fatal":
            click.echo(f"   - {f.message}")
    if o.output:
        click.echo(f"   Tệp kết quả: {o.output}")


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
@click.argument("ref")
def rules_show(ref: str) -> None:
    """In từng chỉ tiêu của một bộ quy tắc: ngưỡng, phạm vi áp dụng, căn cứ.

    Ví dụ: dvht rules show tt24-2023
    """
    try:
        book = rulebooks.get(ref)
    except RulebookError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"{book.name} – {book.title}")
    click.echo(f"Mã {book.id}, phiên bản {book.version}; tệp {book.source}")
    click.echo(f"Minh chứng: {book.evidence_article}; kết luận: {book.conclusion_article}")
    for band in book.bands:
        click.echo(f"  Xếp loại {band.grade}: từ {band.min_points:g} điểm")
    for rule in book.rules:
        tiers = ", ".join(rule.tiers) if rule.tiers else "mọi cấp"
        click.echo(f"\n[{rule.id}] ({tiers}) {rulebooks.RULE_KINDS[rule.kind][1]}")
        for lv in book.levels.values():
            if not rule.in_tier(lv.tier) and lv.tier != "any":
                continue
            parts = [rule.text(lv.key)]
            if rule.kind == "percent_members":
                parts.append(f"ngưỡng ≥ {rule.threshold(lv.key):g} %")
                if rule.learners_threshold(lv.key) is not None:
                    parts.append(f"người học ≥ {rule.learners_threshold(lv.key):g} %")
            elif rule.kind == "title_at_least":
                parts.append(f"tối thiểu: {COLLECTIVE_TITLES.label(rule.minimum(lv.key))}")
            elif rule.kind == "level_at_least":
                parts.append(f"tối thiểu: {DIGITAL_LEVELS.label(rule.minimum(lv.key))}")
            if rule.applies_to(lv.key) != "all":
                parts.append(f"chỉ áp dụng cho {TRAIT_LABEL[rule.applies_to(lv.key)]}")
            if book.scheme == "points":
                parts.append(f"{rule.points:g} điểm")
            click.echo(f"  {lv.key} {book.citation(rule, lv.key)}: " + "; ".join(parts))


def main() -> None:
    try:
        cli.main(standalone_mode=False)
    except click.exceptions.Exit as exc:
        sys.exit(exc.exit_code)
    except click.ClickException as exc:
        exc.show()
        sys.exit(exc.exit_code)
    except click.exceptions.Abort:
        click.echo("Đã dừng.", err=True)
        sys.exit(130)
    except KeyboardInterrupt:
        click.echo("Đã dừng theo yêu cầu.", err=True)
        sys.exit(130)
    except SystemExit:
        raise
    except Exception as exc:
        if Ctx.debug:
            raise
        click.echo(f"Lỗi không mong đợi: {exc}. Chạy lại với --debug để xem chi tiết.", err=True)
        sys.exit(1)
