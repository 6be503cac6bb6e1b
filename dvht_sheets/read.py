"""Open one input file, read-only, and return every sheet's cells with their positions (or why it cannot be read).

The only module that opens inputs. python-calamine parses .xlsx/.xlsm/.xlsb/.xls/.ods in Rust without building a DOM;
before it sees an .xlsx, scan_package() inflates every part once, streaming and bounded, and refuses bombs, lying zip
headers, DTDs/entities and oversized sheets (see tests/corpus.py for every hostile case and its expected finding).
calamine then parses those very bytes, re-packed uncompressed (stored_zip): the input is inflated once, not twice.
"""

from __future__ import annotations

import hashlib
import html
import io
import re
import struct
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path

import python_calamine as calamine

from . import deflate
from .findings import Code, finding, has_fatal
from .model import FORMULA_NO_VALUE, XML_BAD, RawSheet, RawWorkbook, xml_safe
from .schema import a1, col_index


@dataclass(frozen=True)
class Limits:
    max_unzipped_bytes: int = 200 * 1024 * 1024  # a 5,000-member workbook is ~3 MB unzipped
    max_rows: int = 100_000  # per sheet
    max_cells: int = 20_000_000  # rows × columns a sheet may span (what the parser allocates)
    max_file_bytes: int = 100 * 1024 * 1024
    # every sheet's rectangle summed (what the parser allocates, ~40 bytes a cell with Python's grid): one far cell
    # on each of six sheets would otherwise cost 1.5 GB. 4 M cells ≈ 160 MB; a 5,000-member workbook spans ~150 k.
    max_total_cells: int = 4_000_000
    # seconds one file may take to be read, checked and written in a worker process (a 5,000-member workbook takes a
    # few): past them the process is ended, so a file that makes a reader loop for ever costs that file, not the
    # batch. 0: no limit. Where there is no SIGALRM (Windows) there is none either.
    max_seconds: int = 120

    @property
    def cell_budget(self) -> int:
        # whoever raises --max-rows expects that many rows of a normal width (26 columns) to be readable
        return max(self.max_total_cells, self.max_rows * 26)


DEFAULT_LIMITS = Limits()

_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_ZIP_MAGIC = b"PK\x03\x04"


def _describe_non_excel(head: bytes) -> str:
    if head.startswith(b"%PDF"):
        return "tệp PDF"
    if head[:4] in (b"\x89PNG", b"\xff\xd8\xff\xe0", b"\xff\xd8\xff\xe1", b"GIF8"):
        return "tệp ảnh"
    if head.lstrip().startswith((b"<html", b"<!DOCTYPE", b"<!doctype", b"<HTML")):
        return "trang web HTML"
    try:
        head.decode("utf-8")
        return "tệp văn bản hoặc CSV"
    except UnicodeDecodeError:
        return "định dạng không nhận ra"


def _is_encrypted_ole(data: bytes) -> bool:
    # An encrypted .xlsx is an OLE2 container holding these streams (MS-OFFCRYPTO); a real .xls holds "Workbook".
    return b"E\x00n\x00c\x00r\x00y\x00p\x00t\x00i\x00o\x00n\x00I\x00n\x00f\x00o" in data[:65536] or \
        b"EncryptionInfo" in data[:65536]


_SHEET_TAG = re.compile(rb'<(?:\w+:)?sheet\b[^>]*?\bname="([^"]*)"[^>]*?\br:id="([^"]*)"')
_SHEET_TAG_REV = re.compile(rb'<(?:\w+:)?sheet\b[^>]*?\br:id="([^"]*)"[^>]*?\bname="([^"]*)"')
_REL_TAG = re.compile(rb'<Relationship\b[^>]*?\bId="([^"]*)"[^>]*?\bTarget="([^"]*)"')
_REL_TAG_REV = re.compile(rb'<Relationship\b[^>]*?\bTarget="([^"]*)"[^>]*?\bId="([^"]*)"')
_ERROR_CELL = re.compile(rb'<(?:\w+:)?c\b(?=[^>]*\bt="e")[^>]*?\br="([A-Z]{1,3})(\d{1,7})"[^>]*>.*?<(?:\w+:)?v>([^<]{1,20})</',
                         re.S)
# A formula cell with no <v>: written by a program that does not calculate (calamine would read it as blank).
_FORMULA_ONLY = re.compile(rb'<(?:\w+:)?c\b[^>]*?\br="([A-Z]{1,3})(\d{1,7})"[^>]*>\s*(?:<(?:\w+:)?f\b[^>]*/>|'
                           rb'<(?:\w+:)?f\b[^>]*>[^<]*</(?:\w+:)?f>)\s*(?:<(?:\w+:)?v\s*/>)?\s*</(?:\w+:)?c>')
# openpyxl writes "<v />" (or "<v/>") after a formula it could not calculate, and "<v></v>" when lxml is installed
# (python-docx brings it). A cached empty string is "<v></v>" too, but typed t="str" (Excel, xlsxwriter): that one is
# a real value; an untyped (numeric) empty value is not.
_EMPTY_V = (b"<v/>", b"<v />")
_FORMULA_EMPTY_V = re.compile(rb'<(?:\w+:)?c\b(?![^>]*\bt="(?:str|s|inlineStr|b|e)")[^>]*?\br="([A-Z]{1,3})(\d{1,7})"[^>]*>'
                              rb'\s*(?:<(?:\w+:)?f\b[^>]*/>|<(?:\w+:)?f\b[^>]*>[^<]*</(?:\w+:)?f>)'
                              rb'\s*<(?:\w+:)?v></(?:\w+:)?v>\s*</(?:\w+:)?c>')
_F_TAG_HINT = re.compile(rb"f[\s>/]")  # found in any sheet with a formula element <f…> (not <formula1> of a dropdown)
_SELF_CLOSED_F = re.compile(rb"<(?:\w+:)?f\b[^>]*/>\s*</")
_DTD = re.compile(rb"<!(?:DOCTYPE|ENTITY)", re.I)
# What calamine reads of an .xlsx besides the worksheets: these, and the sheets, are inflated and checked first.
PARSED_PARTS = {"[Content_Types].xml", "_rels/.rels", "xl/workbook.xml", "xl/_rels/workbook.xml.rels",
                "xl/sharedStrings.xml", "xl/styles.xml", "xl/workbook.bin", "xl/sharedStrings.bin"}
CHUNK = 1 << 20
FULL_SCAN_BYTES = 20 << 20  # parts up to this size are scanned for error cells; larger ones only counted
STORED_MAX_BYTES = 32 << 20  # a package up to this size (unzipped) is handed to calamine re-packed, uncompressed


@dataclass
class PackageScan:
    """What a pass over the zip's parts found before any spreadsheet parser sees them."""

    problem: object | None = None  # a fatal Finding
    marks: dict[str, list[tuple[int, int, str]]] | None = None  # sheet name → (row, col, mark for RawSheet.marks)
    # the parts the scan checked, inflated once and re-packed uncompressed (STORED) for calamine, so that it parses
    # exactly the bytes that were checked and does not inflate them a second time; None: parse the file as it is
    package: bytes | None = None


def _sheet_parts(zf: zipfile.ZipFile) -> dict[str, str]:
    """Worksheet part name → sheet name, from workbook.xml and its relationships (by regex: no XML parser here)."""
    try:
        book = zf.read("xl/workbook.xml")
        rels = zf.read("xl/_rels/workbook.xml.rels")
    except KeyError:
        return {}
    targets = {m.group(1): m.group(2) for m in _REL_TAG.finditer(rels)}
    targets.update({m.group(2): m.group(1) for m in _REL_TAG_REV.finditer(rels)})
    sheets = [(m.group(1), m.group(2)) for m in _SHEET_TAG.finditer(book)]
    sheets += [(m.group(2), m.group(1)) for m in _SHEET_TAG_REV.finditer(book)]
    parts = {}
    for name, rid in dict(sheets).items():
        target = targets.get(rid, b"").decode("utf-8", "replace").lstrip("/")
        parts[target if target.startswith("xl/") else f"xl/{target}"] = html.unescape(name.decode("utf-8", "replace"))
    return parts


# An r attribute: ' r="' in what every spreadsheet program writes (a literal prefix: fast); any other white space or a
# quote right before it (quick-xml accepts both) switches to the slower exact pattern.
_FAST = {"rows": rb' r="[A-Za-z]{0,4}(\d{1,12})"', "wide": rb' r="([A-Za-z]{2,4})\d', "all": rb' r="([A-Za-z]{1,4})\d',
         "long": rb' r="[A-Za-z]{0,4}\d{%d,}"', "odd": rb' r="(?:[A-Za-z]{2,4}\d|[A-Za-z]{0,4}\d{%d,}")'}
_EXACT = {k: v.replace(b' r="', rb'(?<![\w:.-])r="', 1) for k, v in _FAST.items()}
_PATTERNS: dict[tuple, re.Pattern] = {}
_ODD_SEPARATORS = (b'"r="', b"'r=\"", b'\tr="', b'\nr="', b'\rr="')
MAX_COLUMNS = 16_384  # Excel's own limit (XFD)


def _pattern(kind: str, exact: bool, digits: int = 0) -> re.Pattern:
    key = (kind, exact, digits)
    if key not in _PATTERNS:
        source = (_EXACT if exact else _FAST)[kind]
        _PATTERNS[key] = re.compile(source % digits if kind in ("long", "odd") else source)
    return _PATTERNS[key]


def _columns(letters_found) -> int:
    return max((col_index(letters) for letters in set(letters_found)), default=0)


def _odd_separator(xml: bytes) -> bool:
    """Whether some r=" follows another byte than a space (then the exact, slower patterns are needed). A search for
    a 4-byte needle costs ~0.5 ns a byte; the rare separators are found by their single byte (memchr) and checked
    where they occur, unless they are frequent."""
    if _ODD_SEPARATORS[0] in xml:
        return True
    for sep in _ODD_SEPARATORS[1:]:
        i = xml.find(sep[:1])
        for _ in range(16):
            if i < 0:
                break
            if xml.startswith(b'r="', i + 1):
                return True
            i = xml.find(sep[:1], i + 1)
        else:
            if sep in xml:
                return True
    return False


def _farthest(xml: bytes, limits: Limits) -> tuple[int, int]:
    """The largest 0-based row and column any row or cell reference in this XML points at — or, when no reference
    has as many digits as max_rows, a bound already known to be safe (the common case: a few fast regex scans)."""
    exact = _odd_separator(xml)
    digits = len(str(limits.max_rows))
    # A typical sheet (under 100 rows, columns A–Z) is settled by one scan for a 3-digit row or a 2-letter column;
    # otherwise by one for a row number as long as the limit. No odd reference up to `d` digits: the bound is
    # tightened to the longest row number present (a few more literal-prefix scans), so the workbook-wide sum is
    # not wildly overestimated.
    for d in sorted({min(3, digits), digits}):
        row = 10 ** (d - 1) - 1
        if (row + 1) * 26 <= limits.max_cells and not _pattern("odd", exact, d).search(xml):
            for shorter in range(d - 1, 0, -1):
                if _pattern("long", exact, shorter).search(xml):
                    return 10 ** shorter - 1, 25
            return 0, 25
    row = 10 ** (digits - 1) - 1
    col = max(25, _columns(_pattern("wide", exact).findall(xml)))
    if _pattern("long", exact, digits).search(xml) or (row + 1) * (col + 1) > limits.max_cells:
        numbers = _pattern("rows", exact).findall(xml)
        row = max(map(int, numbers)) - 1 if numbers else 0
        col = _columns(_pattern("all", exact).findall(xml))
    return row, col


def _cell_pos(col: bytes, row: bytes) -> tuple[int, int]:
    return int(row) - 1, col_index(col)


def scan_package(data: bytes, limits: Limits) -> PackageScan:
    """Inflate every XML part once, streaming, before calamine parses anything: refuse a decompression bomb (declared
    or actual size), a part whose checksum does not match (a lying zip header), any DTD or entity declaration
    (entity expansion, external entities), and a sheet with more rows than the limit; and find the cells calamine
    would silently read as blank (Excel error values, formulas without a value)."""
    scan = PackageScan(marks={})
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            infos = zf.infolist()
            total = sum(i.file_size for i in infos)
            if total > limits.max_unzipped_bytes or len(infos) > 10_000:
                scan.problem = finding(Code.FILE_TOO_LARGE, detail=_mb(total), limit=_mb(limits.max_unzipped_bytes))
                return scan
            sheets = _sheet_parts(zf)
            ends = _entry_ends(zf, data)
            inflated = 0
            extents: dict[str, list[int]] = {}  # sheet → farthest (row, column) bound seen
            exact_xml: dict[str, bytes] = {}
            # an .xlsx/.xlsm of a sensible size is re-packed for calamine from the scanned bytes (not .xlsb or .ods)
            checked: list[tuple[str, int, int, int, bytes]] | None = \
                [] if sheets and total <= STORED_MAX_BYTES else None
            for info in infos:
                if info.filename not in sheets and info.filename not in PARSED_PARTS:
                    # parts no parser of ours reads (theme, docProps, media …): their sizes were checked; they are
                    # handed on as they are
                    if checked is not None:
                        entry = _raw_entry(data, info)
                        if entry is None:
                            checked = None
                        else:
                            checked.append(entry)
                    continue
                sheet = sheets.get(info.filename)
                keep = info.file_size <= FULL_SCAN_BYTES
                # each counted tag takes 5 bytes or more, and the part inflates to at most file_size bytes (zipfile
                # stops there): a part too small to hold more rows than the limit need not be counted
                count_rows = sheet is not None and info.file_size // 5 > limits.max_rows
                body, rows, tail = [], 0, b""
                for chunk in _inflated_chunks(zf, data, info, ends.get(info.header_offset, len(data))):
                    inflated += len(chunk)
                    if inflated > limits.max_unzipped_bytes:
                        scan.problem = finding(Code.FILE_TOO_LARGE, detail=f"> {_mb(inflated)}",
                                               limit=_mb(limits.max_unzipped_bytes))
                        return scan
                    window = tail + chunk
                    if b"!" in window and b"<!" in window and _DTD.search(window):  # one-byte search first
                        scan.problem = finding(Code.FILE_UNSAFE, detail=info.filename)
                        return scan
                    if sheet is not None:
                        if count_rows:
                            rows += chunk.count(b"<row ") + chunk.count(b":row ") + chunk.count(b"<row>")
                        if rows > limits.max_rows:
                            scan.problem = finding(Code.SHEET_TOO_MANY_ROWS, sheet=sheet, detail=f"> {limits.max_rows:,}",
                                                   limit=f"{limits.max_rows:,}")
                            return scan
                        # calamine allocates the whole rectangle up to the farthest cell: one cell at "XFD1048576"
                        # (or a damaged reference beyond Excel's limits) would ask for terabytes and abort.
                        far = _farthest(window, limits)
                        seen = extents.setdefault(sheet, [0, 0])
                        seen[0], seen[1] = max(seen[0], far[0]), max(seen[1], far[1])
                        if far[0] >= limits.max_rows or far[1] >= MAX_COLUMNS or \
                                (far[0] + 1) * (far[1] + 1) > limits.max_cells:
                            scan.problem = finding(Code.SHEET_EXTENT, sheet=sheet, detail=a1(*far),
                                                   limit=f"{limits.max_rows:,} dòng × {MAX_COLUMNS:,} cột")
                            return scan
                    if keep:
                        body.append(chunk)
                    tail = chunk[-16:]
                xml = b"".join(body) if keep else b""
                if checked is not None:
                    if keep:
                        checked.append((info.filename, info.CRC, 0, len(xml), xml))
                    else:
                        checked = None  # a part too large to hold twice: calamine reads the file itself
                if info.filename == "xl/sharedStrings.xml" and keep:
                    scan.problem = _check_string_counts(xml)
                    if scan.problem is not None:
                        return scan
                if sheet is not None and keep:
                    exact_xml[sheet] = xml
                    marks = []
                    if b't="e"' in xml:
                        marks += [(*_cell_pos(m.group(1), m.group(2)), m.group(3).decode("utf-8", "replace"))
                                  for m in _ERROR_CELL.finditer(xml)]
                    if _F_TAG_HINT.search(xml) and (b"f></" in xml or any(v in xml for v in _EMPTY_V) or
                                                    (b"/></" in xml and _SELF_CLOSED_F.search(xml))):  # cheap first
                        marks += [(*_cell_pos(m.group(1), m.group(2)), FORMULA_NO_VALUE)
                                  for m in _FORMULA_ONLY.finditer(xml)]
                    if b"<v></v>" in xml and _F_TAG_HINT.search(xml):
                        marks += [(*_cell_pos(m.group(1), m.group(2)), FORMULA_NO_VALUE)
                                  for m in _FORMULA_EMPTY_V.finditer(xml)]
                    if marks:
                        scan.marks[sheet] = marks
            scan.problem = _check_total_extent(extents, exact_xml, limits)
            if scan.problem is None and checked:
                scan.package = stored_zip(checked)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, *deflate.ERRORS, OSError, ValueError, EOFError, KeyError,
            NotImplementedError, RuntimeError) as exc:
        detail = "tệp nén bị hỏng hoặc chưa lưu xong"
        if isinstance(exc, (NotImplementedError, RuntimeError)):
            detail = f"tệp nén dùng kiểu nén hoặc mã hoá không hỗ trợ ({str(exc)[:80]})"
        scan.problem = finding(Code.FILE_UNREADABLE, detail=detail)
    return scan


# Flag bits zipfile refuses (encrypted, compressed patched data, strong encryption): such an entry goes to zipfile.
_REFUSED_FLAGS = 0x1 | 0x20 | 0x40


def _entry_ends(zf: zipfile.ZipFile, data: bytes) -> dict[int, int]:
    """Each entry's local header offset → where the next entry, or the central directory, begins."""
    starts = sorted({i.header_offset for i in zf.infolist()} | {getattr(zf, "start_dir", len(data))})
    return {a: b for a, b in zip(starts, starts[1:])}


def _inflated_chunks(zf: zipfile.ZipFile, data: bytes, info: zipfile.ZipInfo, end: int | None = None):
    """A part's inflated bytes, in chunks of at most CHUNK bytes. A plain entry that fits one chunk (nearly every part
    of a school's workbook) is inflated in one call (deflate.py) and given whole once its size and CRC-32 are right:
    exactly the one chunk zipfile would give, without its per-read machinery. Anything else — larger, encrypted, an
    unusual method or header, a stream that does not end at its declared size, a CRC that does not match — is read
    through zipfile, which decides about it as it always has.

    An entry whose bytes run into the next entry (or the central directory) is refused, whichever way it would be
    read: overlapping entries are the trick of a zip bomb, which zipfile itself refuses from Python 3.12 on (3.11's
    does not). end: where the next entry begins (None: found here)."""
    local = _local_header(data, info)
    if local is not None:
        begin, local_flags, local_name = local
        if end is None:
            end = _entry_ends(zf, data).get(info.header_offset, len(data))
        if begin + info.compress_size > end:
            raise zipfile.BadZipFile(f"Overlapped entries: {info.orig_filename!r} (possible zip bomb)")
    if local is not None and info.file_size <= CHUNK and \
            info.compress_type in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED) and not info.flag_bits & _REFUSED_FLAGS:
        # the local name, decoded by the local header's own UTF-8 flag, as zipfile compares it (a name that does not
        # decode goes to zipfile, which refuses it)
        try:
            name = local_name.decode("utf-8" if local_flags & 0x800 else "cp437")
        except UnicodeDecodeError:
            name = None
        body = data[begin:begin + info.compress_size]
        if name == info.orig_filename and len(body) == info.compress_size:
            xml: bytes | None = None
            if info.compress_type == zipfile.ZIP_STORED:
                xml = body if len(body) == info.file_size else None
            else:
                try:
                    xml = deflate.inflate(body, info.file_size)
                except deflate.ERRORS:
                    xml = None
            if xml is not None and deflate.crc32(xml) == info.CRC:
                if xml:
                    yield xml
                return
    with zf.open(info) as fh:
        while chunk := fh.read(CHUNK):
            yield chunk


_LOCAL_HEADER = struct.Struct("<4s5H3L2H")
_CENTRAL_HEADER = struct.Struct("<4s6H3L5H2L")
_END_RECORD = struct.Struct("<4s4H2LH")
_UTF8_NAME = 0x800
_DOS_DATE = 1 << 5 | 1  # 1980-01-01 for every entry: the package lives only in memory, for calamine


def _local_header(data: bytes, info: zipfile.ZipInfo) -> tuple[int, int, bytes] | None:
    """(where the entry's stored bytes begin, the local header's flag bits, the local name's bytes), or None when no
    local header is at the entry's offset."""
    start = info.header_offset
    head = data[start:start + 30]
    if len(head) < 30 or head[:4] != b"PK\x03\x04":
        return None
    name_len, extra_len = int.from_bytes(head[26:28], "little"), int.from_bytes(head[28:30], "little")
    name = data[start + 30:start + 30 + name_len]
    return start + 30 + name_len + extra_len, int.from_bytes(head[6:8], "little"), name


def _raw_entry(data: bytes, info: zipfile.ZipInfo) -> tuple[str, int, int, int, bytes] | None:
    """A part as it is stored in the file (compressed bytes), or None when its local header is not plain."""
    local = _local_header(data, info)
    if local is None or info.flag_bits & 0x1:
        return None
    begin = local[0]
    body = data[begin:begin + info.compress_size]
    if len(body) != info.compress_size:
        return None
    return info.filename, info.CRC, info.compress_type, info.file_size, body


def stored_zip(parts: list[tuple[str, int, int, int, bytes]]) -> bytes:
    """A zip of (name, CRC-32, method, unzipped size, bytes) entries: the parts the scan inflated are STORED (method
    0, their bytes as checked: calamine reads them without inflating again; the CRC is the one zipfile verified at
    the end of the part), the others are copied as they were (compressed bytes, method and sizes unchanged)."""
    out, central, offset = [], [], 0
    for name, crc, method, size, body in parts:
        raw, packed = name.encode("utf-8"), len(body)
        out += (_LOCAL_HEADER.pack(b"PK\x03\x04", 20, _UTF8_NAME, method, 0, _DOS_DATE, crc, packed, size,
                                   len(raw), 0), raw, body)
        central.append(_CENTRAL_HEADER.pack(b"PK\x01\x02", 20, 20, _UTF8_NAME, method, 0, _DOS_DATE, crc, packed,
                                            size, len(raw), 0, 0, 0, 0, 0, offset) + raw)
        offset += _LOCAL_HEADER.size + len(raw) + packed
    directory = b"".join(central)
    return b"".join(out) + directory + _END_RECORD.pack(b"PK\x05\x06", 0, 0, len(parts), len(parts),
                                                         len(directory), offset, 0)


_ODS = "{urn:oasis:names:tc:opendocument:xmlns:%s:1.0}"
_ODS_TABLE, _ODS_OFFICE = _ODS % "table", _ODS % "office"
_ODS_CALCEXT = "{urn:org:documentfoundation:names:experimental:calc:xmlns:calcext:1.0}value-type"
_ODS_ERROR_HINT = b'calcext:value-type="error"'
_ODS_FORMULA = _ODS_TABLE + "formula"


def _ods_formula_without_value(xml: bytes) -> bool:
    """Whether some cell has a formula and no value type (found from the few formula attributes, not every cell)."""
    pos = xml.find(b' table:formula="')
    while pos >= 0:
        tag = xml[xml.rfind(b"<", 0, pos):xml.find(b">", pos)]
        if b"office:value-type=" not in tag:
            return True
        pos = xml.find(b' table:formula="', pos + 16)
    return False


def _ods_error_marks(data: bytes, limits: Limits) -> dict[str, list[tuple[int, int, str]]]:
    """Cells of an .ods that hold an error value (#DIV/0!, #N/A …) — LibreOffice stores them as an empty string with
    calcext:value-type="error", which calamine reads as blank — or a formula with no value at all (a program that
    writes .ods without calculating). Positions are counted the way the grid is laid out (repeated rows and columns,
    covered cells of a merge); only done when the content has an error cell or a formula at all."""
    import xml.etree.ElementTree as ET

    out: dict[str, list[tuple[int, int, str]]] = {}
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            info = zf.getinfo("content.xml")
            if info.file_size > min(FULL_SCAN_BYTES, limits.max_unzipped_bytes):
                return out
            xml = zf.read(info)
    except (KeyError, zipfile.BadZipFile, zlib.error, OSError, ValueError, EOFError, NotImplementedError, RuntimeError):
        return out
    if _DTD.search(xml):
        return out
    if _ODS_ERROR_HINT not in xml and not _ods_formula_without_value(xml):
        return out  # every formula has its value (what LibreOffice writes): nothing calamine would lose
    sheet, row, col = None, -1, 0
    try:
        for event, el in ET.iterparse(io.BytesIO(xml), events=("start", "end")):
            tag = el.tag
            if event == "start":
                if tag == _ODS_TABLE + "table":
                    sheet, row = el.get(_ODS_TABLE + "name", ""), -1
                elif tag == _ODS_TABLE + "table-row":
                    row, col = row + 1, 0
                continue
            if tag == _ODS_TABLE + "table-row":
                row += int(el.get(_ODS_TABLE + "number-rows-repeated", "1") or 1) - 1
                el.clear()
            elif tag in (_ODS_TABLE + "table-cell", _ODS_TABLE + "covered-table-cell"):
                if sheet is not None and el.get(_ODS_CALCEXT) == "error":
                    text = "".join(el.itertext()).strip()[:20] or "#VALUE!"
                    out.setdefault(sheet, []).append((row, col, text))
                elif sheet is not None and el.get(_ODS_FORMULA) and el.get(_ODS_OFFICE + "value-type") is None:
                    out.setdefault(sheet, []).append((row, col, FORMULA_NO_VALUE))
                col += int(el.get(_ODS_TABLE + "number-columns-repeated", "1") or 1)
    except (ET.ParseError, ValueError):
        return {}
    return out


_SST_COUNT = re.compile(rb'<(?:\w+:)?sst\b[^>]*>')
_COUNT_ATTR = re.compile(rb'(?<![\w:.-])uniqueCount\s*=\s*["\']\s*\+?(\d+)')


def _check_string_counts(xml: bytes):
    """The shared-string table's declared counts, which calamine allocates for up front: a count no part of this size
    can hold (each <si/> takes at least 5 bytes) is a lie that would ask for terabytes and abort the process."""
    head = _SST_COUNT.search(xml[:4096])
    if head is None:
        return None
    possible = max(1024, len(xml) // 5)
    for m in _COUNT_ATTR.finditer(head.group(0)):
        if int(m.group(1)) > possible:
            return finding(Code.FILE_SIZE_HINT, detail=f"bảng chuỗi khai báo {int(m.group(1)):,} chuỗi, "
                                                    f"phần dữ liệu chỉ chứa được tối đa {possible:,}")
    return None


def _check_total_extent(extents: dict[str, list[int]], bodies: dict[str, bytes], limits: Limits):
    """Every sheet's rectangle summed: calamine allocates each one in full (and Python then holds the grid)."""
    def area(row: int, col: int) -> int:
        return (row + 1) * (col + 1)

    total = sum(area(*far) for far in extents.values())
    if total <= limits.cell_budget:
        return None
    for sheet, xml in bodies.items():  # the fast scan's bounds were too loose: count exactly (rare)
        numbers = _pattern("rows", True).findall(xml)
        extents[sheet] = [max(map(int, numbers)) - 1 if numbers else 0, _columns(_pattern("all", True).findall(xml))]
    total = sum(area(*far) for far in extents.values())
    if total <= limits.cell_budget:
        return None
    return finding(Code.WORKBOOK_EXTENT, detail=f"{total:,}", limit=f"{limits.cell_budget:,}")


def read_workbook(path: str | Path, limits: Limits = DEFAULT_LIMITS) -> RawWorkbook:
    path = Path(path)
    try:
        size = path.stat().st_size
        if size > limits.max_file_bytes:
            return RawWorkbook(str(path), "", size, findings=[finding(
                Code.FILE_TOO_LARGE, detail=_mb(size), limit=_mb(limits.max_file_bytes))])
        with path.open("rb") as fh:  # read-only, once: hashed and parsed from memory
            data = fh.read()
    except OSError as exc:
        return RawWorkbook(str(path), "", 0, findings=[finding(Code.FILE_UNREADABLE, detail=exc.strerror or str(exc))])
    return read_bytes(data, str(path), limits)


def read_bytes(data: bytes, name: str, limits: Limits = DEFAULT_LIMITS) -> RawWorkbook:
    raw = RawWorkbook(name, hashlib.sha256(data).hexdigest(), len(data))
    if not data:
        raw.findings.append(finding(Code.FILE_EMPTY))
        return raw
    head = data[:8]
    scan = None
    if head.startswith(_ZIP_MAGIC):
        scan = scan_package(data, limits)
        if scan.problem is not None:
            raw.findings.append(scan.problem)
            return raw
    elif head.startswith(_OLE_MAGIC):
        if _is_encrypted_ole(data):
            raw.findings.append(finding(Code.FILE_ENCRYPTED))
            return raw
    else:
        raw.findings.append(finding(Code.FILE_NOT_EXCEL, detail=_describe_non_excel(data[:512])))
        return raw
    try:
        wb = open_calamine(scan.package if scan is not None and scan.package is not None else data)
    except calamine.PasswordError:
        raw.findings.append(finding(Code.FILE_ENCRYPTED))
        return raw
    except (KeyboardInterrupt, SystemExit):
        raise
    except BaseException as exc:  # calamine raises several error types for damaged files, and panics (BaseException)
        raw.findings.append(_reader_failure(exc))
        return raw
    try:
        metas = {m.name: m for m in wb.sheets_metadata}
        total = 0
        for sheet_name in wb.sheet_names:
            meta = metas.get(sheet_name)
            if meta is not None and meta.typ != calamine.SheetTypeEnum.WorkSheet:
                continue
            sheet = wb.get_sheet_by_name(sheet_name)
            if sheet.height > limits.max_rows:
                raw.findings.append(finding(Code.SHEET_TOO_MANY_ROWS, sheet=sheet_name, detail=f"{sheet.height:,}",
                                            limit=f"{limits.max_rows:,}"))
                return raw
            # .xls/.xlsb/.ods get no package scan: their extent is checked here, before the grid is built in Python
            total += sheet.height * sheet.width
            if total > limits.cell_budget:
                raw.findings.append(finding(Code.WORKBOOK_EXTENT, detail=f"{total:,}", limit=f"{limits.cell_budget:,}"))
                return raw
            grid = sheet.to_python(skip_empty_area=False)
            visible = meta is None or meta.visible == calamine.SheetVisibleEnum.Visible
            try:
                merged = list(sheet.merged_cell_ranges or ())
            except Exception:  # not every format keeps merged ranges
                merged = []
            name = xml_safe(sheet_name)
            if name is not sheet_name:
                raw.findings.append(finding(Code.SHEET_NAME_INVALID_CHARS, sheet=name))
            raw.sheets.append(RawSheet(name, visible, grid, _clip_merged(merged, grid)))
            _clean_grid(raw.sheets[-1], raw.findings)
    except calamine.PasswordError:
        raw.findings.append(finding(Code.FILE_ENCRYPTED))
    except (KeyboardInterrupt, SystemExit):
        raise
    except BaseException as exc:
        raw.findings.append(_reader_failure(exc))
    finally:
        try:
            wb.close()
        except Exception:
            pass
    if not raw.sheets and not raw.findings:
        raw.findings.append(finding(Code.FILE_EMPTY))
    if scan is not None and not scan.marks and not has_fatal(raw.findings) and raw.sheets \
            and b"content.xml" in data[-65536:]:
        scan.marks = _ods_error_marks(data, limits)  # an OpenDocument sheet (the zip's directory names its parts)
    if scan is not None and scan.marks and not has_fatal(raw.findings):
        marks = {xml_safe(name): items for name, items in scan.marks.items()}
        for sheet in raw.sheets:
            for r, c, text in marks.get(sheet.name, ()):
                if r >= len(sheet.grid) or c >= len(sheet.grid[r]) or sheet.grid[r][c] in ("", None):
                    sheet.marks[(r, c)] = xml_safe(text)
    return raw


def open_calamine(data: bytes):
    """The one call into the Rust reader (tests replace it with one that panics)."""
    return calamine.CalamineWorkbook.from_filelike(io.BytesIO(data))


def _reader_failure(exc: BaseException):
    # A panic inside calamine arrives as pyo3_runtime.PanicException, a BaseException that cannot be pickled: keep
    # only its type name and text, so the finding is plain data that crosses any process boundary.
    if isinstance(exc, MemoryError):
        return finding(Code.FILE_OUT_OF_MEMORY)
    name = type(exc).__name__
    text = xml_safe(_short(exc))
    if name == "PanicException" or not isinstance(exc, Exception):
        return finding(Code.FILE_UNREADABLE, detail=f"bộ đọc sổ tính bị lỗi khi đọc tệp ({name}: {text})")
    return finding(Code.FILE_UNREADABLE, detail=_in_vietnamese(text))


# What calamine says, in English, of a zip that is no workbook (a .docx or a zipped folder renamed .xlsx): the
# secretary gets the cause in Vietnamese; the reader's own words stay after it for whoever looks further.
_READER_WORDS = [
    (re.compile(r"Cannot detect file format"), "không thấy sổ tính Excel hay OpenDocument nào bên trong tệp nén"),
    (re.compile(r"File not found '(.+)'"), r"sổ tính thiếu phần '\1'"),
]


def _in_vietnamese(text: str) -> str:
    for pattern, words in _READER_WORDS:
        m = pattern.match(text)
        if m:
            return f"{m.expand(words)} ({text})"
    return text


def _clip_merged(merged: list, grid: list) -> list:
    """Merged ranges cut to the cells the sheet has: a range like A1:XFD1048576 means nothing beyond the grid, and
    copying a value over it (validate._unmerge) must not grow the grid without bound."""
    height = len(grid)
    width = max((len(row) for row in grid), default=0)
    clipped = []
    for (r1, c1), (r2, c2) in merged:
        if r1 >= height or c1 >= width:
            continue
        clipped.append(((r1, c1), (min(r2, height - 1), min(c2, width - 1))))
    return clipped


def _clean_grid(sheet: RawSheet, findings: list) -> None:
    """Replace the characters XML cannot hold in every text cell, once, where input text enters: every output
    (copied sheets, notes, summaries, CSV, JSON, the terminal) is then safe. One joined search per sheet keeps the
    common case (no such character) at ~50 ns a cell."""
    grid = sheet.grid
    if not XML_BAD.search("\n".join([v for row in grid for v in row if type(v) is str])):
        return
    reported = 0
    for r, row in enumerate(grid):
        for c, value in enumerate(row):
            if type(value) is str and XML_BAD.search(value):
                row[c] = xml_safe(value)
                if reported < MAX_CHAR_FINDINGS:
                    findings.append(finding(Code.TEXT_INVALID_CHARS, sheet=sheet.name, cell=a1(r, c), value=row[c]))
                reported += 1


MAX_CHAR_FINDINGS = 50  # per sheet: a pasted column of garbage needs one look, not a finding per cell


def _mb(n: int) -> str:
    return f"{n / 1024 / 1024:,.1f} MB"


def _short(exc: Exception) -> str:
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    return text[:160]
