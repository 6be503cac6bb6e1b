"""On the plain path (DVHT_XLSX_PLAIN=1) a link cell is one string cell: sharedStrings.xml counts it once (issue 13 review)."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import zipfile
from pathlib import Path

SAMPLE = Path(__file__).resolve().parents[1] / "dvht_sheets" / "data" / "samples" / "12-th-vo-thi-sau-nhap-sai.xlsx"


def test_plain_unit_workbook_counts_each_string_cell_once(tmp_path):
    # 1352552 made PlainSheet.put_link write the link (write_url, one string) and then the text again
    # (write_string, a second one) for every link of `Lỗi dữ liệu`: sharedStrings.xml's count="…" grows by one per
    # link. 382cc8c wrote count == the string cells of the workbook (839 for this sample, which has 6 links).
    env = {**os.environ, "DVHT_XLSX_PLAIN": "1", "SOURCE_DATE_EPOCH": "1700000000"}
    subprocess.run([sys.executable, "-c", "from dvht_sheets.cli import main; main()", "check", str(SAMPLE),
                    "-o", str(tmp_path)], env=env, capture_output=True, timeout=300)
    (book,) = tmp_path.glob("*_ket-qua.xlsx")
    with zipfile.ZipFile(book) as z:
        cells = sum(z.read(n).count(b't="s"') for n in z.namelist() if n.startswith("xl/worksheets/sheet"))
        links = sum(z.read(n).count(b"<hyperlink ") for n in z.namelist() if n.startswith("xl/worksheets/sheet"))
        count = int(re.search(rb' count="(\d+)"', z.read("xl/sharedStrings.xml")).group(1))
    assert links > 0
    assert count == cells
