"""Every output file goes through here: staged under a temporary name beside its target and renamed when whole, with
the permissions of an ordinary file of the user, under a name that cannot leave the output folder.

ONE mechanism (Staged); atomic_write is Staged for a writer that needs only a path. Temporary names start with
TEMP_PREFIX, which the next run removes if this one is killed (batch.OutputFolder)."""

from __future__ import annotations

import os
import re
import tempfile
import unicodedata
from pathlib import Path
from typing import Callable

from ..model import UnitResult, xml_safe

TEMP_PREFIX = ".tmp-"
RESULT_SUFFIX = "_ket-qua.xlsx"
# A name component may hold 255 bytes on every file system we meet (ext4, NTFS counts UTF-16 units, which UTF-8
# bytes always bound); the stem keeps room for RESULT_SUFFIX and a dedupe suffix "_<n>" of up to 10 digits.
MAX_STEM_BYTES = 255 - len(RESULT_SUFFIX.encode()) - 11
_RESERVED = {"CON", "PRN", "AUX", "NUL", *(f"COM{i}" for i in range(10)), *(f"LPT{i}" for i in range(10))}
_UNSAFE = re.compile(r"[^\w.\-]+")


def _cut_bytes(text: str, limit: int) -> str:
    # at a character boundary: a cut inside a UTF-8 sequence would leave a name no file system accepts
    return text.encode("utf-8")[:limit].decode("utf-8", "ignore")


def safe_name(text: str, fallback: str = "don-vi", max_bytes: int = MAX_STEM_BYTES) -> str:
    """A file name stem from a unit code that cannot leave the output folder or upset any file system: NFC, only
    letters, digits, "." and "-", at most max_bytes in UTF-8."""
    def clean(value: str) -> str:
        value = xml_safe(unicodedata.normalize("NFC", value or ""))
        return _cut_bytes(_UNSAFE.sub("_", value).strip("._-"), max_bytes).strip("._-")

    text = clean(text)
    if not text or text.upper().split(".")[0] in _RESERVED:
        text = clean(fallback)
        if not text or text.upper().split(".")[0] in _RESERVED:
            text = "don-vi"
    return text


def result_file_name(result: UnitResult) -> str:
    stem = Path(result.file).stem
    return f"{safe_name(result.unit_code or '', fallback=stem)}{RESULT_SUFFIX}"


def _read_umask() -> int:
    # os.umask can only be read by setting it; done once, at import, before any thread exists.
    mask = os.umask(0)
    os.umask(mask)
    return mask


# mkstemp creates files 0600; every output gets instead what any file the user creates gets (0644 with umask 022,
# 0664 with 002), so colleagues on a shared folder can read the results. outputs.md, Guarantees.
FILE_MODE = 0o666 & ~_read_umask()


def temp_file(path: Path) -> str:
    """A new, empty temporary file beside path (named .tmp-*, which the next run removes if this one is killed),
    with the permissions of an ordinary file of the user."""
    fd, tmp = tempfile.mkstemp(prefix=TEMP_PREFIX, suffix=Path(path).suffix, dir=Path(path).parent)
    try:
        os.chmod(tmp, FILE_MODE)
    finally:
        os.close(fd)
    return tmp


class Staged:
    """A file written under a temporary name in its folder and renamed when complete (or removed on abort): no
    half-written output is ever left under its real name."""

    def __init__(self, path: Path):
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.tmp = Path(temp_file(self.path))

    def commit(self) -> None:
        os.replace(self.tmp, self.path)

    def abort(self) -> None:
        try:
            self.tmp.unlink(missing_ok=True)
        except OSError:  # the cause the caller is about to report matters more than a leftover temporary file
            pass


def atomic_write(path: Path, writer: Callable[[str], None]) -> None:
    """writer(temporary path) then rename: no half-written file is ever left."""
    staged = Staged(path)
    try:
        writer(str(staged.tmp))
        staged.commit()
    except BaseException:
        staged.abort()
        raise
