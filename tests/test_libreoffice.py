"""Workbooks written by LibreOffice, not by our code, are read exactly like ours.

The fixtures are made by tests/fixtures/make_libreoffice_fixtures.sh (soffice --headless --convert-to) from
samples/05-thcs-nguyen-du.xlsx; the LibreOffice version is in tests/fixtures/libreoffice-version.txt.
"""

import zipfile
from pathlib import Path

import pytest

from dvht_sheets.batch import evaluate_path

HERE = Path(__file__).parent
SAMPLE = HERE.parent / "samples" / "05-thcs-nguyen-du.xlsx"


def comparable(result):
    return (result.unit_code, result.unit_name, result.tier, result.year, result.level, result.members,
            [(i.id, i.level, i.applicable, i.met, i.numerator, i.denominator, i.evidence, i.reason)
             for i in result.indicators],
            [(f.code, f.sheet, f.cell, f.message) for f in result.findings])


def written_by_libreoffice(path: Path) -> bool:
    with zipfile.ZipFile(path) as zf:
        part = "docProps/app.xml" if path.suffix == ".xlsx" else "meta.xml"
        return b"LibreOffice" in zf.read(part)


@pytest.mark.parametrize("name", ["lo-saved.xlsx", "lo-saved.ods"])
def test_libreoffice_saved_workbook_reads_like_ours(name):
    ours, _ = evaluate_path(SAMPLE)
    theirs, sub = evaluate_path(HERE / "fixtures" / name)
    assert written_by_libreoffice(HERE / "fixtures" / name)
    assert comparable(theirs) == comparable(ours)
    assert theirs.level == 1 and len(sub.members) == 56
