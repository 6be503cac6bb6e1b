"""Open one input file, read-only, and return every sheet's cells with their positions (or why it cannot be read).

The only module that opens inputs. python-calamine parses .xlsx/.xlsm/.xls/.ods in Rust without building a DOM and
without resolving DTDs; before handing it the bytes we check the zip's declared sizes, so a decompression bomb is
refused without being inflated.
"""

from __future__ import annotations

import hashlib
import html
import io
import re
import zipfile
from dataclasses import dataclass
from pathlib import Path

import python_calamine as calamine

from .findings import finding
from .model import RawSheet, RawWorkbook


@dataclass(frozen=True)
class Limits:
    max_unzipped_bytes: int = 200 * 1024 * 1024  # a 5,000-member workbook is ~3 MB unzipped
    max_rows: int = 100_000  # per sheet
    max_file_bytes: int = 100 * 1024 * 1024


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


def _check_zip(data: bytes, limits: Limits) -> str | None:
    """None when fine, else a finding code (+ detail) for a broken or oversized zip."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            total = sum(i.file_size for i in zf.infolist())
    except (zipfile.BadZipFile, OSError, ValueError):
        return "broken"
    if total > limits.max_unzipped_bytes:
        return f"size:{total}"
    return None


_SHEET_TAG = re.compile(rb'<(?:\w+:)?sheet\b[^>]*?\bname="([^"]*)"[^>]*?\br:id="([^"]*)"')
_SHEET_TAG_REV = re.compile(rb'<(?:\w+:)?sheet\b[^>]*?\br:id="([^"]*)"[^>]*?\bname="([^"]*)"')
_REL_TAG = re.compile(rb'<Relationship\b[^>]*?\bId="([^"]*)"[^>]*?\bTarget="([^"]*)"')
_REL_TAG_REV = re.compile(rb'<Relationship\b[^>]*?\bTarget="([^"]*)"[^>]*?\bId="([^"]*)"')
_ERROR_CELL = re.compile(rb'<(?:\w+:)?c\b(?=[^>]*\bt="e")[^>]*?\br="([A-Z]{1,3})(\d{1,7})"[^>]*>.*?<(?:\w+:)?v>([^<]{1,20})</',
                         re.S)


def _error_cells(zf: zipfile.ZipFile) -> dict[str, list[tuple[int, int, str]]]:
    """Excel error values (#REF!, #N/A …) by sheet name. calamine reads them as blanks, and a blank would be
    silently counted as "Không"; we find them in the sheet XML (by regex: no XML parser, so no entities) instead."""
    try:
        book = zf.read("xl/workbook.xml")
        rels = zf.read("xl/_rels/workbook.xml.rels")
    except KeyError:
        return {}
    targets = {m.group(1): m.group(2) for m in _REL_TAG.finditer(rels)}
    targets.update({m.group(2): m.group(1) for m in _REL_TAG_REV.finditer(rels)})
    sheets = [(m.group(1), m.group(2)) for m in _SHEET_TAG.finditer(book)]
    sheets += [(m.group(2), m.group(1)) for m in _SHEET_TAG_REV.finditer(book)]
    found: dict[str, list[tuple[int, int, str]]] = {}
    names = set(zf.namelist())
    for name, rid in dict(sheets).items():
        target = targets.get(rid, b"").decode("utf-8", "replace").lstrip("/")
        part = target if target.startswith("xl/") else f"xl/{target}"
        if part not in names:
            continue
        xml = zf.read(part)
        if b't="e"' not in xml:
            continue
        cells = []
        for m in _ERROR_CELL.finditer(xml):
            col = 0
            for ch in m.group(1).decode():
                col = col * 26 + ord(ch) - 64
            cells.append((int(m.group(2)) - 1, col - 1, m.group(3).decode("utf-8", "replace")))
        found[html.unescape(name.decode("utf-8", "replace"))] = cells
    return found


def read_workbook(path: str | Path, limits: Limits = DEFAULT_LIMITS) -> RawWorkbook:
    path = Path(path)
    try:
        size = path.stat().st_size
        if size > limits.max_file_bytes:
            return RawWorkbook(str(path), "", size, findings=[finding(
                "file-too-large", detail=_mb(size), limit=_mb(limits.max_file_bytes))])
        with path.open("rb") as fh:  # read-only, once: hashed and parsed from memory
            data = fh.read()
    except OSError as exc:
        return RawWorkbook(str(path), "", 0, findings=[finding("file-unreadable", detail=exc.strerror or str(exc))])
    return read_bytes(data, str(path), limits)


def read_bytes(data: bytes, name: str, limits: Limits = DEFAULT_LIMITS) -> RawWorkbook:
    raw = RawWorkbook(name, hashlib.sha256(data).hexdigest(), len(data))
    if not data:
        raw.findings.append(finding("file-empty"))
        return raw
    head = data[:8]
    suffix = Path(name).suffix.lower()
    if head.startswith(_ZIP_MAGIC):
        problem = _check_zip(data, limits)
        if problem == "broken":
            raw.findings.append(finding("file-unreadable", detail="tệp nén bị hỏng hoặc chưa lưu xong"))
            return raw
        if problem:
            raw.findings.append(finding("file-too-large", detail=_mb(int(problem[5:])),
                                        limit=_mb(limits.max_unzipped_bytes)))
            return raw
    elif head.startswith(_OLE_MAGIC):
        if _is_encrypted_ole(data):
            raw.findings.append(finding("file-encrypted"))
            return raw
    elif suffix != ".xlsb":
        raw.findings.append(finding("file-not-excel", detail=_describe_non_excel(data[:512])))
        return raw
    try:
        wb = calamine.CalamineWorkbook.from_filelike(io.BytesIO(data))
    except calamine.PasswordError:
        raw.findings.append(finding("file-encrypted"))
        return raw
    except Exception as exc:  # calamine raises several error types for damaged files
        raw.findings.append(finding("file-unreadable", detail=_short(exc)))
        return raw
    try:
        metas = {m.name: m for m in wb.sheets_metadata}
        for sheet_name in wb.sheet_names:
            meta = metas.get(sheet_name)
            if meta is not None and meta.typ != calamine.SheetTypeEnum.WorkSheet:
                continue
            sheet = wb.get_sheet_by_name(sheet_name)
            if sheet.height > limits.max_rows:
                raw.findings.append(finding("sheet-too-many-rows", sheet=sheet_name, detail=f"{sheet.height:,}",
                                            limit=f"{limits.max_rows:,}"))
                return raw
            grid = sheet.to_python(skip_empty_area=False)
            visible = meta is None or meta.visible == calamine.SheetVisibleEnum.Visible
            raw.sheets.append(RawSheet(sheet_name, visible, grid))
    except calamine.PasswordError:
        raw.findings.append(finding("file-encrypted"))
    except Exception as exc:
        raw.findings.append(finding("file-unreadable", detail=_short(exc)))
    finally:
        wb.close()
    if not raw.sheets and not raw.findings:
        raw.findings.append(finding("file-empty"))
    if head.startswith(_ZIP_MAGIC) and raw.sheets and not raw.findings:
        _mark_errors(data, raw)
    return raw


def _mark_errors(data: bytes, raw: RawWorkbook) -> None:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            errors = _error_cells(zf)
    except (zipfile.BadZipFile, OSError, ValueError, KeyError):
        return
    for sheet in raw.sheets:
        for r, c, text in errors.get(sheet.name, ()):
            if r < len(sheet.grid) and c < len(sheet.grid[r]) and sheet.grid[r][c] in ("", None):
                sheet.grid[r][c] = text


def _mb(n: int) -> str:
    return f"{n / 1024 / 1024:,.1f} MB"


def _short(exc: Exception) -> str:
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    return text[:160]
