"""The reader's fast paths (issue 13) give exactly what the slow ones gave: the re-packed package calamine parses,
the one-scan extent bound of a typical sheet, the single-byte search for odd r= separators."""

from __future__ import annotations

import io
import zipfile
import zlib

import python_calamine as calamine

from dvht_sheets import read
from dvht_sheets.read import DEFAULT_LIMITS, Limits, read_bytes, scan_package

from .helpers import standard_data, write_standard


def _sheets(data: bytes) -> list:
    wb = calamine.CalamineWorkbook.from_filelike(io.BytesIO(data))
    out = []
    for name in wb.sheet_names:
        sheet = wb.get_sheet_by_name(name)
        out.append((name, sheet.to_python(skip_empty_area=False), sheet.merged_cell_ranges))
    return out


def test_package_holds_the_checked_parts_uncompressed_and_the_others_as_they_were(tmp_path):
    path = tmp_path / "a.xlsx"
    write_standard(path, standard_data())
    data = path.read_bytes()
    scan = scan_package(data, DEFAULT_LIMITS)
    assert scan.problem is None and scan.package is not None
    original, packed = zipfile.ZipFile(io.BytesIO(data)), zipfile.ZipFile(io.BytesIO(scan.package))
    assert packed.testzip() is None  # every CRC right
    assert [i.filename for i in packed.infolist()] == [i.filename for i in original.infolist()]
    for info in packed.infolist():
        before = original.getinfo(info.filename)
        checked = info.filename in read.PARSED_PARTS or info.filename.startswith("xl/worksheets/")
        assert info.compress_type == (zipfile.ZIP_STORED if checked else before.compress_type), info.filename
        assert packed.read(info) == original.read(before)
    assert _sheets(scan.package) == _sheets(data)  # calamine reads the same cells and merged ranges


def test_package_is_not_made_for_an_encrypted_part_or_a_large_workbook(tmp_path):
    path = tmp_path / "a.xlsx"
    write_standard(path, standard_data())
    data = path.read_bytes()
    info = zipfile.ZipFile(io.BytesIO(data)).getinfo("docProps/app.xml")
    info.flag_bits |= 0x1
    assert read._raw_entry(data, info) is None
    assert scan_package(data, Limits()).package is not None
    big = Limits()
    read_limit, read.STORED_MAX_BYTES = read.STORED_MAX_BYTES, 1000
    try:
        assert scan_package(data, big).package is None  # calamine then reads the file itself
        assert read_bytes(data, "a.xlsx").sheets  # and still reads it
    finally:
        read.STORED_MAX_BYTES = read_limit


def test_odd_separators_are_found_among_many_occurrences_of_their_byte():
    plain = b'<?xml version="1.0"?>\n<row r="1"><c r="A1"/></row>'
    assert not read._odd_separator(plain)
    for sep in read._ODD_SEPARATORS:
        noise = (sep[:1] + b"x ") * 40  # more occurrences of the byte than the loop looks at one by one
        assert read._odd_separator(plain + noise + b"<c" + sep + b'B1"/>'), sep
        assert read._odd_separator(plain + b"<c" + sep + b'B1"/>' + noise), sep
        assert not read._odd_separator(plain + noise) or sep[:1] == b'"', sep


def _exact_bound(xml: bytes) -> tuple[int, int]:
    rows = [int(n) for n in read._pattern("rows", True).findall(xml)]
    return max(rows) - 1, read._columns(read._pattern("all", True).findall(xml))


def test_one_scan_bound_of_a_typical_sheet_covers_every_reference():
    def sheet(refs: list[str]) -> bytes:
        return b"<sheetData>" + b"".join(b'<row r="%d"><c r="%s"/></row>' % (int("".join(filter(str.isdigit, r))),
                                                                            r.encode()) for r in refs) + b"</sheetData>"

    for refs in (["A1", "B83"], ["A1", "Z99"], ["A1", "C100"], ["AA5"], ["A1", "B12345"], ["XFD3"]):
        xml = sheet(refs)
        row, col = read._farthest(xml, DEFAULT_LIMITS)
        exact = _exact_bound(xml)
        assert row >= exact[0] and col >= exact[1], refs
    assert read._farthest(sheet(["A1", "N83"]), DEFAULT_LIMITS) == (99, 25)  # bound by the longest row number
    assert read._farthest(sheet(["A1", "N8"]), DEFAULT_LIMITS) == (9, 25)


def _entry_body(data: bytes, name: str) -> tuple[zipfile.ZipInfo, int, int]:
    """(info, start, end) of an entry's stored bytes in the file."""
    info = zipfile.ZipFile(io.BytesIO(data)).getinfo(name)
    head = data[info.header_offset:info.header_offset + 30]
    start = info.header_offset + 30 + int.from_bytes(head[26:28], "little") + int.from_bytes(head[28:30], "little")
    return info, start, start + info.compress_size


def _zipfile_chunks(data: bytes, name: str) -> list[bytes] | str:
    zf = zipfile.ZipFile(io.BytesIO(data))
    try:
        with zf.open(name) as fh:
            return [c for c in iter(lambda: fh.read(read.CHUNK), b"")]
    except Exception as exc:  # what zipfile says of the entry
        return type(exc).__name__


def _fast_chunks(data: bytes, name: str) -> list[bytes] | str:
    zf = zipfile.ZipFile(io.BytesIO(data))
    try:
        return list(read._inflated_chunks(zf, data, zf.getinfo(name)))
    except Exception as exc:
        return type(exc).__name__


def test_one_call_inflate_gives_what_zipfile_gives_for_sound_and_damaged_entries(tmp_path):
    # issue 13: a part is inflated in one call (deflate.py) instead of zipfile's reads; whatever an entry holds,
    # the scan sees the same bytes, or the same refusal, as through zipfile.
    path = tmp_path / "a.xlsx"
    write_standard(path, standard_data())
    data = path.read_bytes()
    name = "xl/worksheets/sheet2.xml"
    assert _fast_chunks(data, name) == _zipfile_chunks(data, name) != []
    info, start, end = _entry_body(data, name)
    damaged = {
        "a flipped byte inside the stream": data[:start + 40] + bytes([data[start + 40] ^ 0xFF]) + data[start + 41:],
        "the stream cut short": data[:start + 10] + b"\x00" * (end - start - 10) + data[end:],
        "a wrong CRC-32": data[:info.header_offset + 14] + b"\x00\x00\x00\x00" + data[info.header_offset + 18:],
    }
    for why, bad in damaged.items():
        assert _fast_chunks(bad, name) == _zipfile_chunks(bad, name), why


def test_a_stream_that_inflates_beyond_its_declared_size_is_refused_as_zipfile_refuses_it():
    # a decompression bomb declaring a small size: the one-call path stops at size + 1 bytes and hands the entry to
    # zipfile, which reads only the declared size and finds the CRC wrong
    from dvht_sheets import deflate

    payload = b"<x/>" * 250_000
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("xl/worksheets/sheet1.xml", payload)
    data = bytearray(buf.getvalue())
    zinfo = zipfile.ZipFile(io.BytesIO(bytes(data))).getinfo("xl/worksheets/sheet1.xml")
    small = 1000
    for offset in (zinfo.header_offset + 22, data.rfind(b"PK\x01\x02") + 24):  # local and central sizes
        data[offset:offset + 4] = small.to_bytes(4, "little")
    data = bytes(data)
    info, start, end = _entry_body(data, "xl/worksheets/sheet1.xml")
    assert info.file_size == small
    assert deflate.inflate(data[start:end], small) is None
    assert _fast_chunks(data, info.filename) == _zipfile_chunks(data, info.filename) == "BadZipFile"


def test_the_codec_round_trips_and_refuses_what_is_not_deflate():
    from dvht_sheets import deflate

    text = ("<row r=\"1\"><c r=\"A1\" t=\"inlineStr\"><is><t>Nguyễn Thị Lan</t></is></c></row>" * 500).encode()
    packed = deflate.deflate(text)
    assert len(packed) < len(text) // 10
    assert deflate.inflate(packed, len(text)) == text
    assert zlib.decompress(packed, -15) == text  # a plain deflate stream, whichever engine wrote it
    assert deflate.inflate(packed, len(text) - 1) is None and deflate.inflate(packed, len(text) + 1) is None
    try:
        result = deflate.inflate(b"\xff" * 64, 100)
    except deflate.ERRORS:
        result = "error"
    assert result in ("error", None)


def test_without_isal_zlib_reads_and_writes_the_same(tmp_path):
    # deflate.py falls back to the standard zlib where python-isal has no wheel (DVHT_ZLIB=1 forces it): the same
    # check gives the same result, and its result workbook has the same cells.
    import json
    import os
    import subprocess
    import sys
    from pathlib import Path

    import openpyxl

    sample = Path(__file__).resolve().parents[1] / "dvht_sheets" / "data" / "samples" / "12-th-vo-thi-sau-nhap-sai.xlsx"
    results, cells = {}, {}
    for engine in ("isal", "zlib"):
        out = tmp_path / engine
        env = {**os.environ, "DVHT_ZLIB": "1" if engine == "zlib" else "0", "PYTHONIOENCODING": "utf-8"}
        run = subprocess.run([sys.executable, "-c", "import sys; from dvht_sheets import deflate; "
                              "print(deflate.ENGINE, file=sys.stderr); from dvht_sheets.cli import main; main()",
                              "check", str(sample), "-o", str(out), "--json"],
                             env=env, capture_output=True, text=True, encoding="utf-8", timeout=300)
        assert run.stderr.splitlines()[0] == engine or (engine == "isal" and run.stderr.startswith("zlib"))
        results[engine] = [{k: v for k, v in r.items() if k != "file"} for r in json.loads(run.stdout)]
        (book,) = (out).glob("*_ket-qua.xlsx")
        wb = openpyxl.load_workbook(book)
        cells[engine] = {ws.title: [[c.value for c in row] for row in ws.iter_rows()] for ws in wb.worksheets}
    assert results["isal"] == results["zlib"] and results["zlib"][0]["level"] == 0 and results["zlib"][0]["indicators"]
    assert cells["isal"] == cells["zlib"]


def test_one_call_inflate_agrees_with_zipfile_on_randomly_damaged_entries(tmp_path):
    # 400 seeded mutations (a byte replaced, or a run zeroed) anywhere in an entry's local header, compressed bytes or
    # central-directory record: for every one, the scan's one-call path gives exactly what zipfile gives (the same
    # bytes, or the same kind of refusal), except an entry made to overlap the next one, which it always refuses.
    import random

    path = tmp_path / "a.xlsx"
    write_standard(path, standard_data())
    data = path.read_bytes()
    name = "xl/worksheets/sheet2.xml"
    info, start, end = _entry_body(data, name)
    central = data.rfind(b"PK\x01\x02", 0, data.rfind(b"PK\x05\x06"))
    while not data[central + 46:central + 46 + len(name)] == name.encode():
        central = data.rfind(b"PK\x01\x02", 0, central)
    regions = [(info.header_offset, start), (start, end), (central, central + 46 + len(name))]
    rng = random.Random(13)
    agreed = 0
    for _ in range(400):
        low, high = rng.choice(regions)
        at = rng.randrange(low, high)
        if rng.random() < 0.7:
            bad = data[:at] + bytes([rng.randrange(256)]) + data[at + 1:]
        else:
            run = rng.randint(1, 64)
            bad = data[:at] + b"\x00" * run + data[at + run:]
        try:
            zipfile.ZipFile(io.BytesIO(bad)).getinfo(name)
        except Exception:
            continue  # the directory itself no longer names the entry: the scan refuses the file before this step
        zf = zipfile.ZipFile(io.BytesIO(bad))
        info = zf.getinfo(name)
        head = bad[info.header_offset:info.header_offset + 30]
        begin = info.header_offset + 30 + int.from_bytes(head[26:28], "little") + int.from_bytes(head[28:30], "little")
        if head[:4] == b"PK\x03\x04" and begin + info.compress_size > read._entry_ends(zf, bad)[info.header_offset]:
            # an entry running into the next one: refused, as zipfile refuses it from Python 3.12 on
            assert _fast_chunks(bad, name) == "BadZipFile", at
            continue
        assert _fast_chunks(bad, name) == _zipfile_chunks(bad, name), (at, bad[at:at + 4])
        agreed += 1
    assert agreed > 300
