"""The one-call inflate of the safety scan (issue 13) decides exactly as zipfile's reads do, header by header.
Each case compares scan_package with _inflated_chunks as it is against the same scan reading every part through
zipfile (what 382cc8c did)."""

from __future__ import annotations

import io
import struct
import zipfile
from pathlib import Path

from dvht_sheets import read
from dvht_sheets.read import DEFAULT_LIMITS, scan_package

SAMPLE = Path(__file__).resolve().parents[1] / "dvht_sheets" / "data" / "samples" / "03-th-kim-dong.xlsx"


def _zipfile_chunks(zf, data, info, end=None):
    with zf.open(info) as fh:
        while chunk := fh.read(read.CHUNK):
            yield chunk


def _outcomes(data: bytes, monkeypatch):
    fast = scan_package(data, DEFAULT_LIMITS)
    with monkeypatch.context() as m:
        m.setattr(read, "_inflated_chunks", _zipfile_chunks)
        slow = scan_package(data, DEFAULT_LIMITS)
    key = lambda s: (s.problem and s.problem.code, s.package)  # noqa: E731
    return key(fast), key(slow)


def _rebuilt(rename: dict[str, str]) -> bytes:
    """The sample with some parts renamed (and the workbook's relationships pointing at the new names)."""
    src = zipfile.ZipFile(SAMPLE)
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as out:
        for info in src.infolist():
            body = src.read(info)
            if info.filename == "xl/_rels/workbook.xml.rels":
                for old, new in rename.items():
                    body = body.replace(old.removeprefix("xl/").encode(), new.removeprefix("xl/").encode())
            out.writestr(rename.get(info.filename, info.filename), body)
    return buf.getvalue()


def _set_flags(data: bytes, name: str, *, local_clear: int = 0, both_set: int = 0) -> bytes:
    """Flip general-purpose flag bits of one entry: clear some in its local header only, set some in both."""
    raw = bytearray(data)
    zf = zipfile.ZipFile(io.BytesIO(data))
    info = zf.getinfo(name)
    lo = info.header_offset + 6
    struct.pack_into("<H", raw, lo, (struct.unpack_from("<H", raw, lo)[0] & ~local_clear) | both_set)
    # the central record: found by its offset field
    cd = raw.find(b"PK\x01\x02")
    while cd >= 0:
        if struct.unpack_from("<L", raw, cd + 42)[0] == info.header_offset:
            struct.pack_into("<H", raw, cd + 8, struct.unpack_from("<H", raw, cd + 8)[0] | both_set)
            break
        cd = raw.find(b"PK\x01\x02", cd + 4)
    return bytes(raw)


def test_local_header_without_the_utf8_flag_is_refused_as_zipfile_refuses_it(monkeypatch):
    # Central record says UTF-8, the local header does not: zipfile decodes the local name as cp437, finds it differs
    # from the directory's and raises BadZipFile; the one-call path compares the directory's name encoded by the
    # directory's flag and accepts the entry.
    data = _rebuilt({"xl/worksheets/sheet3.xml": "xl/worksheets/thành-viên.xml"})
    data = _set_flags(data, "xl/worksheets/thành-viên.xml", local_clear=0x800)
    fast, slow = _outcomes(data, monkeypatch)
    assert slow[0] == "file-unreadable"
    assert fast == slow


def test_compressed_patch_flag_is_refused_as_zipfile_refuses_it(monkeypatch):
    # Flag bit 5 (compressed patched data): zipfile raises NotImplementedError (FILE_UNREADABLE, "kiểu nén … không
    # hỗ trợ"); the one-call path only looks at bit 0.
    data = _set_flags(SAMPLE.read_bytes(), "xl/sharedStrings.xml", both_set=0x20)
    fast, slow = _outcomes(data, monkeypatch)
    assert slow[0] == "file-unreadable"
    assert fast == slow


def test_an_entry_overlapping_the_next_one_is_refused_as_newer_zipfile_refuses_it():
    # An entry whose compressed size runs into the next local header (the overlapping-entries trick of zip bombs):
    # refused on every Python, as newer zipfile refuses it ("Overlapped entries … (possible zip bomb)"); 3.11's
    # zipfile would read it.
    src = SAMPLE.read_bytes()
    raw = bytearray(src)
    info = zipfile.ZipFile(io.BytesIO(src)).getinfo("xl/sharedStrings.xml")
    cd = raw.find(b"PK\x01\x02")
    while struct.unpack_from("<L", raw, cd + 42)[0] != info.header_offset:
        cd = raw.find(b"PK\x01\x02", cd + 4)
    struct.pack_into("<L", raw, cd + 20, info.compress_size + 10)
    scan = scan_package(bytes(raw), DEFAULT_LIMITS)
    assert scan.problem is not None and scan.problem.code == "file-unreadable"
