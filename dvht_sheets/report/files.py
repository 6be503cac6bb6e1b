"""Every output file goes through here: staged under a temporary name beside its target and renamed when whole, with
the permissions of an ordinary file of the user, under a name that cannot leave the output folder.

ONE mechanism (Staged); atomic_write is Staged for a writer that needs only a path. Temporary names start with
TEMP_PREFIX, which the next run removes if this one is killed (batch.OutputFolder)."""

from __future__ import annotations

import errno
import os
import re
import tempfile
import time
import unicodedata
from pathlib import Path
from typing import Callable

from ..findings import Code, message
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
    try:
        fd, tmp = tempfile.mkstemp(prefix=TEMP_PREFIX, suffix=Path(path).suffix, dir=Path(path).parent)
    except OSError as exc:
        # the cause of the failure names the file being written, never its temporary name (too_long_for_windows)
        if exc.filename2 is None:
            exc.filename2 = str(path)
        raise
    try:
        os.chmod(tmp, FILE_MODE)
    finally:
        os.close(fd)
    return tmp


RETRY_DELAYS = (0.1, 0.2, 0.4)  # seconds: an antivirus or OneDrive scan holds a new file for a moment


def _patiently(action):
    # again for a moment when Windows says a program holds the file: a virus scanner or OneDrive looking at a file
    # lets go within a fraction of a second (pip and git retry the same way); Excel holding it does not, and the last
    # error is raised
    for delay in RETRY_DELAYS:
        try:
            return action()
        except OSError as exc:
            if held_open(exc) is None:
                raise
        time.sleep(delay)
    return action()


def replace(source: Path | str, target: Path | str) -> None:
    """os.replace, patient with a file a program holds open for a moment."""
    _patiently(lambda: os.replace(source, target))


def check_writable(path: Path) -> None:
    """Raise now, not at the end of a long run, when a program holds an existing output open (Windows: last run's
    tong-hop.xlsx open in Excel cannot be replaced). Nothing is changed in the file."""
    if not path.is_file():
        return
    try:
        fd = _patiently(lambda: os.open(path, os.O_RDWR))
    except OSError as exc:
        if held_open(exc) is None:
            return  # e.g. a read-only file on Linux, which the final rename replaces all the same
        raise
    os.close(fd)


class Staged:
    """A file written under a temporary name in its folder and renamed when complete (or removed on abort): no
    half-written output is ever left under its real name."""

    def __init__(self, path: Path):
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.tmp = Path(temp_file(self.path))

    def commit(self) -> None:
        replace(self.tmp, self.path)

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


_CAUSES = {
    errno.ENOSPC: Code.CAUSE_DISK_FULL,
    errno.EROFS: Code.CAUSE_READ_ONLY,
    errno.EACCES: Code.CAUSE_NO_PERMISSION,
    errno.EPERM: Code.CAUSE_NO_PERMISSION,
    errno.ENOENT: Code.CAUSE_FOLDER_GONE,
    errno.ENOTDIR: Code.CAUSE_NOT_A_FOLDER,
    errno.ENAMETOOLONG: Code.CAUSE_NAME_TOO_LONG,
    errno.EIO: Code.CAUSE_DISK_IO,
}
if hasattr(errno, "EDQUOT"):
    _CAUSES[errno.EDQUOT] = Code.CAUSE_QUOTA


def describe_os_error(exc: BaseException) -> str:
    """The cause of a failed write in Vietnamese, with the system's code for whoever has to fix the disk."""
    held = (held_open(exc) or too_long_for_windows(exc)) if isinstance(exc, OSError) else None
    if held:
        return held
    if isinstance(exc, OSError) and exc.errno in _CAUSES:
        return f"{message(_CAUSES[exc.errno])} (mã lỗi hệ thống {errno.errorcode.get(exc.errno, exc.errno)})"
    if isinstance(exc, OSError) and exc.strerror:
        return f"{exc.strerror} (mã lỗi hệ thống {errno.errorcode.get(exc.errno or 0, exc.errno)})"
    return f"{type(exc).__name__}: {str(exc)[:160]}" if str(exc) else type(exc).__name__


# Windows refuses to replace or remove a file another program holds open: the officer's commonest cause is last
# run's tong-hop.xlsx still open in Excel (the secretary's: last run's Tờ trình open in Word). errno says only EACCES ("no permission"); the Windows code tells more.
_SHARING_VIOLATION, _LOCK_VIOLATION, _ACCESS_DENIED = 32, 33, 5


def _shown_name(exc: OSError) -> str | None:
    """The name of the file an OSError is about, as the user knows it: the file being written (filename2 of a rename,
    or set by temp_file), never the temporary name it was being written under."""
    return next((Path(p).name for p in (exc.filename2, exc.filename)
                 if p and not Path(p).name.startswith(TEMP_PREFIX)), None)


def held_open(exc: OSError) -> str | None:
    """The Vietnamese cause when exc is Windows refusing to replace or remove a file a program holds open, else None."""
    code = getattr(exc, "winerror", None)
    if code not in (_SHARING_VIOLATION, _LOCK_VIOLATION, _ACCESS_DENIED):
        return None
    name = _shown_name(exc)
    what = f"tệp {name}" if name else "tệp kết quả"
    program = {".docx": "Word", ".pdf": "trình đọc PDF"}.get(Path(exc.filename2 or exc.filename or "").suffix.lower(),
                                                            "Excel")
    # ERROR_ACCESS_DENIED is also what a folder without write permission gives
    cause = Code.CAUSE_HELD_OPEN_OR_DENIED if code == _ACCESS_DENIED else Code.CAUSE_HELD_OPEN
    return f"{message(cause, file=what, detail=program)} (mã lỗi hệ thống WinError {code})"


# Windows without long paths enabled (the default) refuses a path of MAX_PATH characters or more, and says only
# "path not found" (ERROR_PATH_NOT_FOUND) or "file name too long" (ERROR_FILENAME_EXCED_RANGE): an officer's deep
# OneDrive folder would read as "the folder no longer exists".
_PATH_NOT_FOUND, _FILENAME_EXCED_RANGE, _MAX_PATH = 3, 206, 260


def too_long_for_windows(exc: OSError) -> str | None:
    """The Vietnamese cause when exc is Windows refusing a path longer than MAX_PATH, else None."""
    code = getattr(exc, "winerror", None)
    if code not in (_PATH_NOT_FOUND, _FILENAME_EXCED_RANGE):
        return None
    path = max((os.path.abspath(str(p)) for p in (exc.filename, exc.filename2) if p), key=len, default="")
    if len(path) < _MAX_PATH - 12 and code == _PATH_NOT_FOUND:  # 248: a folder's own limit (room for an 8.3 name)
        return None
    # a run's staging folder has no name of its own to show: it holds the run's results
    name = _shown_name(exc) or "kết quả"
    return (f"{message(Code.CAUSE_PATH_TOO_LONG, file=name, detail=len(path), limit=_MAX_PATH)} "
            f"(mã lỗi hệ thống WinError {code})")
