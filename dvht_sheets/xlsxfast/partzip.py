"""PartZip: the part of zipfile.ZipFile that xlsxwriter's in-memory packaging uses, built for many small workbooks."""

from __future__ import annotations

import struct
import zipfile

from .. import deflate


class PartZip:
    """A unit workbook is ~19 small parts, and a third of them (theme, relationships, styles, content types) are the
    same bytes in every unit: their deflated form is kept and reused. Deflate runs at level 1, with ISA-L where
    installed (deflate.py: the sheets are repetitive XML, ~15 % larger files than level 6, deflated in a fifth of
    zlib's level-6 time), and the file is written in one call
    instead of zipfile's header-rewriting seeks."""

    _reuse: dict[bytes, tuple[int, bytes]] = {}
    _REUSE_LIMIT = 64  # distinct parts kept; only the small repeated ones ever qualify
    _DOS_1980 = (0, 33)  # 1980-01-01 00:00:00, the timestamp xlsxwriter gives every part

    def __init__(self, file, mode: str = "w", compression: int = zipfile.ZIP_DEFLATED, allowZip64: bool = False):
        self.file, self.compression = file, compression
        self.parts: list[tuple[bytes, bytes]] = []

    def writestr(self, info, data: bytes | str) -> None:
        name = info.filename if isinstance(info, zipfile.ZipInfo) else info
        self.parts.append((name.encode("utf-8"), data.encode("utf-8") if isinstance(data, str) else data))

    def write(self, filename, arcname: str) -> None:
        with open(filename, "rb") as fh:
            self.writestr(arcname, fh.read())

    @classmethod
    def reused(cls, data: bytes) -> bool:
        """Whether these bytes' deflated form is kept for the next workbook."""
        return data in cls._reuse

    @classmethod
    def _deflate(cls, data: bytes) -> tuple[int, bytes]:
        known = cls._reuse.get(data)
        if known is not None:
            return known
        packed = deflate.crc32(data), deflate.deflate(data)
        if len(data) <= 16384:
            if len(cls._reuse) >= cls._REUSE_LIMIT:
                cls._reuse.clear()
            cls._reuse[data] = packed
        return packed

    def close(self) -> None:
        out: list[bytes] = []
        central: list[bytes] = []
        offset = 0
        dos_time, dos_date = self._DOS_1980
        for name, data in self.parts:
            crc, packed = self._deflate(data)
            if offset + len(packed) > 0xFFFFFFFF or len(data) > 0xFFFFFFFF:
                raise zipfile.LargeZipFile("tệp kết quả vượt quá 4 GB")
            flags = 0x800 if not name.isascii() else 0
            fields = (20, flags, 8, dos_time, dos_date, crc, len(packed), len(data), len(name))
            out.append(struct.pack("<4s5H3L2H", b"PK\x03\x04", *fields, 0) + name)
            out.append(packed)
            central.append(struct.pack("<4s6H3L5H2L", b"PK\x01\x02", 20, *fields, 0, 0, 0, 0, 0, offset) + name)
            offset += 30 + len(name) + len(packed)
        directory = b"".join(central)
        end = struct.pack("<4s4H2LH", b"PK\x05\x06", 0, 0, len(central), len(central), len(directory), offset, 0)
        blob = b"".join(out) + directory + end
        if hasattr(self.file, "write"):
            self.file.write(blob)
        else:
            with open(self.file, "wb") as fh:
                fh.write(blob)
