"""Raw deflate for the zip parts we read and write: ISA-L (python-isal) when it is installed, else the standard zlib.

Deflate is the largest single cost of a unit workbook's write (~130 KB of sheet XML) and a large part of the safety
scan's (every input part is inflated once). ISA-L's level 1 compresses ~3x faster than zlib's level 1 to the same
size, and inflates ~2x faster; both produce and accept plain deflate streams, so every zip stays an ordinary zip.
python-isal is the optional extra `fast` (pyproject.toml: it has no wheel for 32-bit Python, where installing it would
fail); where it is not installed, zlib does the same work, slower. DVHT_ZLIB=1 forces zlib (the tests compare both).
"""

from __future__ import annotations

import os
import zlib

try:
    if os.environ.get("DVHT_ZLIB") == "1":
        raise ImportError("zlib forced")
    from isal import isal_zlib as _engine

    ENGINE = "isal"
    ERRORS: tuple[type[BaseException], ...] = (zlib.error, _engine.error)
except ImportError:  # no wheel for this platform: the standard library, slower
    _engine = zlib  # type: ignore[assignment]
    ENGINE = "zlib"
    ERRORS = (zlib.error,)

_WBITS = -15  # raw deflate, as zip entries hold it
_LEVEL = 1  # sheet XML is repetitive: level 1 is within a few per cent of level 6's size at a third of its time


def deflate(data: bytes) -> bytes:
    packer = _engine.compressobj(_LEVEL, _engine.DEFLATED, _WBITS)
    return packer.compress(data) + packer.flush()


def inflate(body: bytes, size: int) -> bytes | None:
    """A zip entry's bytes inflated, or None when they do not inflate to exactly `size` bytes (a damaged or lying
    entry). Never produces more than size + 1 bytes, whatever the stream holds (a decompression bomb stops there).
    Raises one of ERRORS for a stream that is not deflate."""
    unpacker = _engine.decompressobj(_WBITS)
    out = unpacker.decompress(body, size + 1)
    if len(out) != size or not unpacker.eof:
        return None
    return out


crc32 = zlib.crc32  # the standard one is already fast (hardware CRC); one definition for readers and writers
