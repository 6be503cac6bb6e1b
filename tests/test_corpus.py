"""Every hostile or broken input of tests/corpus.py gives its expected finding (or is read correctly), in bounded time
and memory, and a batch over all of them still finishes, leaks nothing, and leaves the inputs untouched.

Requirements: issue 4 items 1–4; outputs.md "Guarantees".
"""

import hashlib
import resource
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from dvht_sheets.batch import evaluate_path
from dvht_sheets.cli import cli
from dvht_sheets.read import Limits, read_workbook

from .corpus import CASES, build, table

HERE = Path(__file__).resolve().parent


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    folder = tmp_path_factory.mktemp("corpus")
    return folder, dict((case.file, path) for case, path in build(folder))


@pytest.mark.parametrize("case", CASES, ids=[c.file for c in CASES])
def test_each_case(corpus, case):
    _, paths = corpus
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    start = time.perf_counter()
    result, _ = evaluate_path(paths[case.file])
    elapsed = time.perf_counter() - start
    grown_mb = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before) / 1024
    assert elapsed < 10, f"{case.file} took {elapsed:.1f} s"
    assert grown_mb < 300, f"{case.file} grew the process by {grown_mb:.0f} MB"
    if case.expect.startswith("level="):
        assert result.evaluated and result.level == int(case.expect[6:]), result.findings
        return
    hits = [f for f in result.findings if f.code == case.expect]
    assert hits, [f.code for f in result.findings]
    if case.where:
        sheet, _, cell = case.where.partition("!")
        assert any(f.sheet == sheet and (f.cell or "") == cell for f in hits), [(f.sheet, f.cell) for f in hits]
    for f in result.findings:
        assert f.message and "?" not in f.message.split("'")[0][:3]


def test_corpus_table_is_current():
    assert (HERE / "CORPUS.md").read_text(encoding="utf-8").endswith(table()), "run: python -m tests.corpus"
    assert table() in (HERE.parent / "README.md").read_text(encoding="utf-8")


def test_xxe_never_leaks_and_limits_can_be_raised(corpus, tmp_path):
    folder, paths = corpus
    out = tmp_path / "out"
    CliRunner().invoke(cli, ["batch", str(folder), "-o", str(out), "--jobs", "2"])
    for produced in out.rglob("*"):
        if produced.is_file():
            assert b"root:x:0:0" not in produced.read_bytes()
    assert read_workbook(paths["trieu-dong.xlsx"], Limits(max_rows=2_000_000)).findings == []
    assert read_workbook(paths["bom-nen.xlsx"], Limits(max_unzipped_bytes=1 << 30)).findings == []


def test_batch_over_the_corpus(corpus, tmp_path):
    folder, paths = corpus
    digest = {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in folder.iterdir()}
    out = tmp_path / "kq"
    res = CliRunner().invoke(cli, ["batch", str(folder), "-o", str(out), "--jobs", "2"])
    assert res.exit_code == 1, res.output  # some files could not be evaluated; the others were
    assert {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in folder.iterdir()} == digest
    import csv
    import io
    rows = list(csv.DictReader(io.StringIO((out / "tong-hop.csv").read_text(encoding="utf-8-sig"))))
    assert sorted(r["file"] for r in rows) == sorted(c.file for c in CASES)
    assert len(list((out / "don-vi").iterdir())) == len(CASES)
    assert not list(out.rglob(".tmp-*"))
    import openpyxl  # every output well-formed, whatever its input held (issue 9 item 1)
    for book in out.rglob("*.xlsx"):
        openpyxl.load_workbook(book).close()


def test_openpyxl_parses_through_defusedxml():
    # openpyxl (tests, the benchmark's baseline) switches to defusedxml when it is installed; we depend on it.
    import openpyxl.xml
    assert openpyxl.xml.DEFUSEDXML is True


def test_check_limits_can_be_raised_on_the_command_line(corpus, tmp_path):
    _, paths = corpus
    runner = CliRunner()
    refused = runner.invoke(cli, ["check", str(paths["trieu-dong.xlsx"]), "-o", str(tmp_path)])
    assert refused.exit_code == 1 and "vượt giới hạn 100,000" in refused.output.replace(".", ",")
    raised = runner.invoke(cli, ["check", str(paths["trieu-dong.xlsx"]), "-o", str(tmp_path), "--max-rows", "2000000"])
    assert raised.exit_code == 0, raised.output
