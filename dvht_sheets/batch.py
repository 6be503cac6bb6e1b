"""One file end to end (read → validate → evaluate → unit workbook), and a folder of them in worker processes.

A file's problems, including an unexpected exception inside our own code or a worker process that dies, become
findings on that file's result: one bad file never stops the others. The core never prints; progress goes to an
optional callback.

Memory stays flat as a batch grows: a bounded number of files are in flight, each finished result is handed to the
summary writers at once (in input order), and only a compact row per unit stays in memory.

The main process does almost nothing per unit, since it shares the cores with the workers: a worker sends back, not
the UnitResult, but what the main process needs of it ready-made (Packed): the compact summary row, the unit's
UnitFragment for the summary writers (the long form's rows rendered as cell XML, the findings as plain tuples, the
ket-qua.json object as text) and whether its result workbook could not be written.
"""

from __future__ import annotations

import contextlib
import errno
import multiprocessing
import os
import pickle
import shutil
import signal
import stat
import sys
import tempfile
import threading
import time
import traceback
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterator, NamedTuple

from . import present
from . import rulebook as rulebooks
from .evaluate import evaluate
from .findings import Code, finding, message
from .model import RawWorkbook, Submission, UnitResult, xml_safe
from .read import DEFAULT_LIMITS, Limits, read_workbook
from .report.files import TEMP_PREFIX, atomic_write, describe_os_error, held_open, replace, result_file_name
from .report.summary import FragmentSpec, UnitFragment, UnitRow, unit_fragment, unit_row
from .report.unit import save_unit_workbook, write_unit_workbook
from .roster import Roster, read_roster
from .rulebook import Rulebook
from .validate import read_unit, validate

try:
    import resource
except ImportError:  # Windows: no address-space cap (the memory limit applies where the system has one)
    resource = None  # type: ignore[assignment]

INPUT_SUFFIXES = {".xlsx", ".xlsm", ".xlsb", ".xls", ".ods"}
UNIT_DIR = "don-vi"


@dataclass
class FileOutcome:
    result: UnitResult
    output: Path | None  # the unit's result workbook, when written


def evaluate_path(path: str | Path, book: Rulebook | None = None, limits: Limits = DEFAULT_LIMITS,
                  display_name: str | None = None) -> tuple[UnitResult, Submission | None]:
    """read → validate → evaluate for one file; never raises for anything inside the file (not even a reader's
    BaseException, such as calamine's PanicException), only for Ctrl-C and exit requests."""
    # a file name in a foreign encoding reaches us with surrogates: it is shown, and written, with U+FFFD instead
    name = xml_safe(display_name or str(path))
    try:
        raw = read_workbook(path, limits)
        raw.path = name
        return judge(raw, book)
    except (KeyboardInterrupt, SystemExit):
        raise
    except MemoryError:
        return _failed(name, None, Code.FILE_OUT_OF_MEMORY), None
    except BaseException as exc:  # a bug of ours, or a panic in a library, must cost one file, not the batch
        result = _failed(name, xml_safe(f"{type(exc).__name__}: {str(exc)[:120]}"), Code.INTERNAL_ERROR)
        result.debug = traceback.format_exc()  # type: ignore[attr-defined]
        return result, None


def judge(raw: RawWorkbook, forced: Rulebook | None = None) -> tuple[UnitResult, Submission]:
    """validate → evaluate → present for a workbook read, by the rulebook chosen here, in one place
    (rulebook.choose: the user's --rulebook, else the assessment year read from the unit sheet first)."""
    head = read_unit(raw)
    book = rulebooks.choose(head.unit.get("nam_danh_gia"), forced)
    sub = validate(head, book, rulebooks.names())
    return present.render(evaluate(sub, book)), sub


def _failed(name: str, detail: str | None, code: Code = Code.FILE_UNREADABLE, **values: object) -> UnitResult:
    result = UnitResult(file=name, sha256="", evaluated=False, findings=[finding(code, detail=detail, **values)])
    return present.render(result)


def _ended_by(exitcode: int | None) -> str:
    """A dead child's exit code as FILE_CRASHED's detail: negative is the signal that ended it (multiprocessing)."""
    if exitcode is None:
        return "không rõ nguyên nhân"
    if exitcode < 0:
        try:
            return f"tín hiệu {signal.Signals(-exitcode).name}"
        except ValueError:
            return f"tín hiệu {-exitcode}"
    return f"mã thoát {exitcode}"


def _timed_out(name: str, seconds: int) -> UnitResult:
    return _failed(name, None, Code.FILE_TIMED_OUT, limit=seconds)


def _crash(name: str, why: str) -> UnitResult:
    return _failed(name, why, Code.FILE_CRASHED)


def check_file(path: str | Path, out_dir: str | Path | None, book: Rulebook | None = None,
               limits: Limits = DEFAULT_LIMITS, display_name: str | None = None,
               output_name: str | None = None) -> FileOutcome:
    result, sub = evaluate_path(path, book, limits, display_name)
    output = None
    if out_dir is not None:
        try:
            output = save_unit_workbook(out_dir, result, sub, output_name)
        except (KeyboardInterrupt, SystemExit):
            raise
        except BaseException as exc:  # e.g. a full disk: the result itself still stands
            result.findings.append(finding(Code.OUTPUT_WRITE_FAILED, detail=xml_safe(describe_os_error(exc))))
    return FileOutcome(result, output)


class IsolationFailed(Exception):
    """The child process running one file died (a reader abort, the memory cap, the time limit) or sent nothing
    back."""

    def __init__(self, why: str, timed_out: bool = False):
        super().__init__(why)
        self.why = why
        self.timed_out = timed_out


def _alarm_armed(seconds: int) -> bool:
    """Whether a process under time_limit(seconds) ends itself by SIGALRM (not where there is none, or for 0): the
    one test of the limit, and of what a child's SIGALRM death means."""
    return bool(seconds) and hasattr(signal, "SIGALRM")


@contextlib.contextmanager
def time_limit(seconds: int):
    """Within it, this process is ended by SIGALRM after `seconds` (whatever it runs, Rust code included: a signal's
    default action needs no help from the interpreter). Only for worker and isolated processes; nothing where there
    is no SIGALRM, or for 0."""
    armed = _alarm_armed(seconds)
    if armed:
        signal.signal(signal.SIGALRM, signal.SIG_DFL)
        signal.alarm(seconds)
    try:
        yield
    finally:
        if armed:
            signal.alarm(0)


def run_isolated(fn: Callable, *args, memory_mb: int = 3072, seconds: int = 0):
    """fn(*args) in a child process whose address space is capped at memory_mb (where the system has such a cap), its
    result sent back pickled: a file that makes a reader library abort or allocate without bound costs that call,
    not the process. With seconds, a child still running after them is ended: by its own alarm (time_limit) where
    there is one, else by this process, after seconds × 1.25 + 5 (room for a fresh interpreter to start).

    The child is forked where that is safe (~5 ms); where there is no fork (Windows) or this process runs threads,
    it is made by worker_context() (on Windows a fresh interpreter, ~0.5 s more per call)."""
    if not hasattr(os, "fork") or threading.active_count() > 1:
        return _run_in_child(fn, args, memory_mb, seconds)
    read_end, write_end = os.pipe()
    sys.stdout.flush()
    sys.stderr.flush()
    pid = os.fork()
    if pid == 0:  # the child: never returns, never runs the parent's cleanup
        code = 70
        try:
            os.close(read_end)
            quiet_native_stderr()
            _cap_memory(memory_mb)
            code, blob = _child_call(fn, args, seconds)
            if not code:
                with os.fdopen(write_end, "wb") as fh:
                    fh.write(blob)
        except KeyboardInterrupt:
            code = _INTERRUPTED
        except BaseException:
            code = 70
        finally:
            os._exit(code)
    os.close(write_end)
    with os.fdopen(read_end, "rb") as fh:
        blob = fh.read()
    _, status = os.waitpid(pid, 0)
    return _child_result(os.waitstatus_to_exitcode(status), blob, seconds)


def _run_in_child(fn: Callable, args: tuple, memory_mb: int, seconds: int):
    mine = _SHARED.__dict__
    if not mine.get("on"):  # outside one_child(): a child for this call only
        child = _Child(memory_mb)
        try:
            return child.call(fn, args, seconds)
        finally:
            child.close()
    shared = mine.get("child")
    if shared is None or shared.memory_mb != memory_mb:
        if shared is not None:
            shared.close()
        shared = mine["child"] = _Child(memory_mb)
    return shared.call(fn, args, seconds)


def _child_call(fn: Callable, args: tuple, seconds: int) -> tuple[int, bytes]:
    """In an isolated child, forked or not: (0, fn's result pickled), or the exit code the child ends with
    (_INTERRUPTED after Ctrl-C, 70 for anything else: an exit code, never a traceback on the officer's console)."""
    try:
        with time_limit(seconds):
            return 0, pickle.dumps(fn(*args), protocol=pickle.HIGHEST_PROTOCOL)
    except KeyboardInterrupt:
        return _INTERRUPTED, b""
    except BaseException:
        return 70, b""


def parent_timeout(seconds: int) -> float | None:
    """How long the parent waits for a call limited to `seconds` before ending it itself (where its process cannot:
    Windows has no SIGALRM): the limit, plus the time a fresh interpreter takes to start."""
    return seconds * 1.25 + 5 if seconds else None


# one_child(), in each thread: "on", and the child that thread's calls share. Per thread: a library caller's threads
# sharing one child would send on one pipe and could each read the other's result (another school's)
_SHARED = threading.local()


@contextlib.contextmanager
def one_child():
    """Within it, isolated calls that cannot fork (Windows) share one child process instead of starting a fresh
    interpreter each (~0.5 s a file for `check` and `ho-so` of many files). A call that kills the child or runs past
    its time costs that child; the next call starts another. Where calls fork, nothing changes. The child is this
    thread's: calls from other threads get children of their own."""
    mine = _SHARED.__dict__
    if mine.get("on"):
        yield
        return
    mine["on"] = True
    try:
        yield
    finally:
        child = mine.pop("child", None)
        mine.clear()
        if child is not None:
            child.close()


class _Child:
    """A child process made by worker_context() that runs the calls it is sent, one at a time, each under the
    time limit; a call's result comes back pickled. Any failure of a call ends the child (exit code 70, or the
    signal or limit that ended it): what the caller reports is the child's end, never a traceback."""

    def __init__(self, memory_mb: int):
        self.memory_mb = memory_mb
        self.process = None
        self.conn = None

    def _start(self) -> None:
        ctx = worker_context()
        conn, theirs = ctx.Pipe()
        process = ctx.Process(target=_serve, args=(theirs, self.memory_mb), daemon=True)
        try:
            process.start()
        except BaseException:
            conn.close()  # no child: nothing is kept that close() would then try to join
            raise
        finally:
            theirs.close()  # the child has its own end now (or none): the parent must not hold this one open
        self.process, self.conn = process, conn

    def call(self, fn: Callable, args: tuple, seconds: int):
        # pickled first: an argument that cannot be pickled is the caller's error and costs no child
        message = pickle.dumps((fn, args, seconds), protocol=pickle.HIGHEST_PROTOCOL)
        if self.process is not None and not self.process.is_alive():
            # ended between two calls: by Ctrl-C (the run is being stopped), or from outside (a fresh child then)
            exitcode = self.process.exitcode
            self._end(kill=False)
            if _interrupted(exitcode):
                raise KeyboardInterrupt
        if self.process is None:
            self._start()
        process, conn = self.process, self.conn
        try:
            try:
                conn.send_bytes(message)
                blob = conn.recv_bytes() if conn.poll(parent_timeout(seconds)) else None
            except (EOFError, OSError):  # the child ended without sending anything (Windows: BrokenPipeError)
                blob = b""
        except BaseException:
            self._end(kill=True)
            raise
        if blob is None:  # still running: its own alarm did not end it (there is none on Windows)
            self._end(kill=True)
            raise IsolationFailed(f"quá {seconds} giây", timed_out=True)
        if blob:
            return pickle.loads(blob)
        self._end(kill=False)
        return _child_result(process.exitcode, b"", seconds)

    def _end(self, kill: bool) -> None:
        if self.process is not None:
            if kill and self.process.is_alive():
                self.process.kill()
            self.process.join()
        if self.conn is not None:
            self.conn.close()
        self.process = self.conn = None

    def close(self) -> None:
        """End the child: it leaves its loop when its end of the pipe closes."""
        if self.process is not None:
            self.conn.close()
            self.process.join(5)
            self.conn = None
            self._end(kill=True)


def _serve(conn, memory_mb: int) -> None:
    try:
        quiet_native_stderr()
        _cap_memory(memory_mb)
        while True:
            try:
                message = conn.recv_bytes()
            except (EOFError, OSError):
                return  # the parent is done with this child
            try:
                fn, args, seconds = pickle.loads(message)
            except KeyboardInterrupt:
                raise
            except BaseException:
                raise SystemExit(70) from None
            code, blob = _child_call(fn, args, seconds)
            if code:
                raise SystemExit(code)
            conn.send_bytes(blob)
    except KeyboardInterrupt:
        # Ctrl-C while waiting for the next call (the parent writing a dossier): the run is being stopped, and
        # multiprocessing would print the child's English traceback in the middle of the officer's console
        raise SystemExit(_INTERRUPTED) from None
    except OSError:
        raise SystemExit(70) from None  # the parent gone while the result was being sent


# The isolated child's exit code after Ctrl-C: Windows delivers it to the child too (and POSIX to the whole foreground
# group), and a child stopped by the user is the run being stopped, not a broken file.
_INTERRUPTED = 130
_WINDOWS_CTRL_C_EXIT = 0xC000013A  # STATUS_CONTROL_C_EXIT: a Windows process ended by Ctrl-C before our handler ran


def _interrupted(exitcode: int | None) -> bool:
    """Whether an isolated child ended because the user pressed Ctrl-C (however the system reports it)."""
    return exitcode in (_INTERRUPTED, _WINDOWS_CTRL_C_EXIT, -signal.SIGINT)


def _child_result(exitcode: int, blob: bytes, seconds: int):
    """The isolated child's result, from its exit code (negative: the signal that ended it) and what it sent."""
    if _interrupted(exitcode):
        raise KeyboardInterrupt
    if exitcode < 0:
        raise IsolationFailed(_ended_by(exitcode), timed_out=_alarm_armed(seconds) and exitcode == -signal.SIGALRM)
    if exitcode != 0 or not blob:
        raise IsolationFailed(_ended_by(exitcode))
    return pickle.loads(blob)


def _cap_memory(memory_mb: int) -> None:
    if memory_mb and resource is not None:
        limit = memory_mb * 1024 * 1024
        try:
            resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
        except (ValueError, OSError):
            pass


def check_isolated(path: str | Path, out_dir: str | Path | None, book: Rulebook | None = None,
                   limits: Limits = DEFAULT_LIMITS, display_name: str | None = None,
                   memory_mb: int = 3072) -> FileOutcome:
    """check_file in a child process with the batch's memory cap (outputs.md: one bad file never stops check)."""
    try:
        return run_isolated(check_file, path, out_dir, book, limits, display_name, memory_mb=memory_mb,
                            seconds=limits.max_seconds)
    except IsolationFailed as exc:
        return FileOutcome(_isolation_failed(exc, path, limits, display_name), None)


def evaluate_isolated(path: str | Path, book: Rulebook | None = None, limits: Limits = DEFAULT_LIMITS,
                      display_name: str | None = None,
                      memory_mb: int = 3072) -> tuple[UnitResult, Submission | None]:
    """evaluate_path in a child process, as check_isolated (`ho-so`: a file that aborts or hangs the reader costs
    that file's dossier only)."""
    try:
        return run_isolated(evaluate_path, path, book, limits, display_name, memory_mb=memory_mb,
                            seconds=limits.max_seconds)
    except IsolationFailed as exc:
        return _isolation_failed(exc, path, limits, display_name), None


def _isolation_failed(exc: IsolationFailed, path: str | Path, limits: Limits, display_name: str | None) -> UnitResult:
    name = xml_safe(display_name or str(path))
    return _timed_out(name, limits.max_seconds) if exc.timed_out else _crash(name, exc.why)


# ---------------------------------------------------------------------------------------------------- discovery


@dataclass
class Discovery:
    inputs: list[tuple[Path, str]] = field(default_factory=list)  # (path, path relative to the input folder)
    skipped: list[tuple[str, str]] = field(default_factory=list)  # (relative path, why)


SUMMARY_FILES = ("tong-hop.xlsx", "tong-hop.csv", "ket-qua.json")
LOCK_NAME = ".dvht-lock"
MANIFEST_NAME = ".dvht-manifest"
# every temporary file or folder the tool makes in the output folder starts with TEMP_PREFIX (report/files.py)
RUN_TEMP_PREFIX = TEMP_PREFIX + "run-"


def inside(path: Path, folder: Path) -> bool:
    """path is folder or lies below it (both resolved)."""
    return path == folder or folder in path.parents


def _own_output(path: Path, out: Path) -> bool:
    """Whether path is something the tool writes into the output folder out (both resolved)."""
    if path.parent == out and (path.name in SUMMARY_FILES or path.name in (LOCK_NAME, MANIFEST_NAME)
                               or path.name.startswith(TEMP_PREFIX)):
        return True
    return inside(path, out / UNIT_DIR)


def _special_kind(mode: int) -> str:
    if stat.S_ISFIFO(mode):
        kind = "ống dẫn (FIFO)"
    elif stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        kind = "tệp thiết bị"
    elif stat.S_ISSOCK(mode):
        kind = "socket"
    else:
        kind = "loại tệp khác"
    return message(Code.SKIP_NOT_REGULAR, detail=kind)


def discover(root: Path, out_dir: Path | None = None) -> Discovery:
    """Every workbook under root, sorted; lock files, the tool's own outputs and other files are skipped.

    Only regular files inside root are read (outputs.md, Guarantees). A symbolic link is followed when it leads to a
    regular file inside root (a school's folder may link a file from a sub-folder); a link that leads outside root,
    a broken link and a link to a folder (which could loop or read a folder twice) are listed as skipped, and so are
    pipes, devices and sockets, which are never opened (opening a pipe would block the run).

    When the output folder is a sub-folder of root it is left out entirely. When it is root itself or a folder
    around it, only what the tool writes there (don-vi/, tong-hop.*, ket-qua.json, its lock, manifest and temporary
    files) is left out, so the schools' files beside them are still evaluated."""
    found = Discovery()
    root = root.resolve()
    out = out_dir.resolve() if out_dir is not None else None
    whole_out = out is not None and out != root and root in out.parents

    def own(path: Path) -> bool:
        if out is None:
            return False
        return inside(path, out) if whole_out else _own_output(path, out)

    inputs: list[tuple[tuple, Path, str]] = []
    skipped: list[tuple[tuple, str, str]] = []
    folders = [root]
    while folders:
        folder = folders.pop()
        try:
            entries = list(os.scandir(folder))
        except OSError as exc:
            rel = Path(folder).relative_to(root).as_posix()
            skipped.append((Path(rel).parts, rel, message(Code.SKIP_FOLDER_UNREADABLE, detail=exc.strerror or exc)))
            continue
        for entry in entries:
            path = Path(entry.path)
            if own(path):
                continue  # never read our own results back as input
            rel = path.relative_to(root).as_posix()
            key = path.relative_to(root).parts

            def skip(code: Code, **values: object) -> None:
                skipped.append((key, rel, message(code, **values)))

            try:
                st = entry.stat(follow_symlinks=False)
            except OSError as exc:
                skip(Code.SKIP_ENTRY_UNREADABLE, detail=exc.strerror or exc)
                continue
            target = path
            if stat.S_ISLNK(st.st_mode):
                target = path.resolve()
                if not inside(target, root):
                    skip(Code.SKIP_LINK_OUTSIDE)
                    continue
                if own(target):
                    continue
                try:
                    st = target.stat()
                except OSError:
                    skip(Code.SKIP_LINK_BROKEN)
                    continue
                if stat.S_ISDIR(st.st_mode):
                    skip(Code.SKIP_LINK_FOLDER)
                    continue
            elif stat.S_ISDIR(st.st_mode):
                folders.append(entry.path)
                continue
            if not stat.S_ISREG(st.st_mode):
                skipped.append((key, rel, _special_kind(st.st_mode)))
            elif path.name.startswith("~$"):
                skip(Code.SKIP_EXCEL_LOCK)
            elif path.name.startswith(TEMP_PREFIX):
                skip(Code.SKIP_TEMPORARY)
            elif path.suffix.lower() in INPUT_SUFFIXES:
                inputs.append((key, target, rel))
            else:
                skip(Code.SKIP_NOT_WORKBOOK)
    found.inputs = [(p, rel) for _, p, rel in sorted(inputs, key=lambda item: item[0])]
    found.skipped = [(rel, why) for _, rel, why in sorted(skipped, key=lambda item: item[0])]
    return found


# ---------------------------------------------------------------------------------------------------- workers


@dataclass(frozen=True)
class Task:
    index: int
    path: str
    rel: str
    temp_out: str  # the unit workbook is written here; the parent renames it once its final name is known


@dataclass(frozen=True)
class WorkerConfig:
    rulebook: Rulebook | None  # the caller's, read once in the parent; None: each file's year chooses
    limits: Limits
    memory_mb: int
    crash_on: str | None = None  # fault injection for the isolation tests: a worker dies on a matching file
    fragments: FragmentSpec | None = None  # the sink's (its summary workbook's); None: no sink, no fragments


_CONFIG: WorkerConfig | None = None
_BOOK: Rulebook | None = None


def quiet_native_stderr() -> None:
    """In a worker process: what native code writes straight to file descriptor 2 goes nowhere, while Python's own
    sys.stderr keeps the console. A file that makes python-calamine panic reaches the officer as its Vietnamese
    finding ("bộ đọc sổ tính bị lỗi khi đọc tệp …"); Rust's panic hook would also print "thread '<unnamed>' panicked
    at …" (and, with RUST_BACKTRACE set, a whole backtrace) in English in the middle of the run's output. On Windows
    native code writes to the process's standard error handle, not to descriptor 2: that handle is pointed at NUL."""
    if os.name == "nt":
        _quiet_windows_stderr()
        return
    if os.name != "posix":
        return
    try:
        sys.stderr.flush()
        keep = os.dup(2)
        null = os.open(os.devnull, os.O_WRONLY)
        os.dup2(null, 2)
        os.close(null)
        encoding = getattr(sys.stderr, "encoding", None) or "utf-8"
        sys.stderr = os.fdopen(keep, "w", encoding=encoding, errors="backslashreplace", buffering=1)
    except (OSError, ValueError):
        pass  # a process without a usable fd 2: nothing to quiet


_STD_ERROR_HANDLE = 0xFFFFFFF4  # (DWORD)-12
_GENERIC_WRITE, _FILE_SHARE_READ_WRITE, _OPEN_EXISTING = 0x40000000, 0x3, 3


def _quiet_windows_stderr(windll=None) -> bool:
    """Windows: the process's standard error handle → NUL. Rust's standard library asks GetStdHandle at every write
    (a panic message goes there), while Python's sys.stderr writes through the C runtime's descriptor 2, whose handle
    was taken at start-up and stays the console (or the officer's log file). True when the handle was set."""
    try:
        import ctypes
        from ctypes import wintypes
    except ImportError:  # a Python built without ctypes
        return False
    try:
        kernel32 = (windll or ctypes.WinDLL)("kernel32", use_last_error=True)  # type: ignore[attr-defined]
        kernel32.CreateFileW.argtypes = [wintypes.LPCWSTR, wintypes.DWORD, wintypes.DWORD, wintypes.LPVOID,
                                         wintypes.DWORD, wintypes.DWORD, wintypes.HANDLE]
        kernel32.CreateFileW.restype = wintypes.HANDLE
        kernel32.SetStdHandle.argtypes = [wintypes.DWORD, wintypes.HANDLE]
        kernel32.SetStdHandle.restype = wintypes.BOOL
        null = kernel32.CreateFileW("NUL", _GENERIC_WRITE, _FILE_SHARE_READ_WRITE, None, _OPEN_EXISTING, 0, None)
        if not null or null == ctypes.c_void_p(-1).value:  # INVALID_HANDLE_VALUE: leave the handle as it is
            return False
        return bool(kernel32.SetStdHandle(_STD_ERROR_HANDLE, null))
    except (OSError, AttributeError, ValueError, TypeError, ctypes.ArgumentError):
        return False  # no kernel32 to speak to: nothing to quiet


def _init_worker(config: WorkerConfig) -> None:
    global _CONFIG, _BOOK
    quiet_native_stderr()
    _CONFIG = config
    _BOOK = rulebooks.remember(config.rulebook) if config.rulebook else None
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent handles Ctrl-C and stops the pool
    _cap_memory(config.memory_mb)


def _work_packed(task: Task) -> "Packed":
    assert _CONFIG is not None
    return _pack(task, _work(task), _CONFIG)


def _work_chunk(tasks: list[Task]) -> tuple[int, list]:
    # A few files per round trip: the pool's per-call cost (pickling, pipes, its threads) is paid once for them.
    return os.getpid(), [_work_packed(task) for task in tasks]


def _work(task: Task) -> UnitResult:
    assert _CONFIG is not None
    if _CONFIG.crash_on and _CONFIG.crash_on in task.rel:
        os._exit(3)
    with time_limit(_CONFIG.limits.max_seconds):
        return _evaluate_and_write(task)


def _evaluate_and_write(task: Task) -> UnitResult:
    assert _CONFIG is not None
    result, sub = evaluate_path(task.path, _BOOK, _CONFIG.limits, task.rel)
    try:
        write_unit_workbook(task.temp_out, result, sub)
    except (KeyboardInterrupt, SystemExit):
        raise
    except MemoryError:
        result.findings.append(finding(Code.OUTPUT_WRITE_FAILED, detail="không đủ bộ nhớ để ghi tệp kết quả"))
    except BaseException as exc:  # only plain data goes back to the parent: the text, never the exception object
        result.findings.append(finding(Code.OUTPUT_WRITE_FAILED, detail=xml_safe(describe_os_error(exc))))
    return result


def worker_context():
    """The multiprocessing context every pool of worker processes is made from (the batch's, the dossiers')."""
    # forkserver: workers start from a clean, pre-imported process, never forked from a parent that runs threads
    # (the progress bar, the executor's own manager thread). Windows has no forkserver: there each worker is a fresh
    # interpreter (spawn), slower to start, the same work.
    try:
        ctx = multiprocessing.get_context("forkserver")
    except ValueError:
        return multiprocessing.get_context("spawn")
    ctx.set_forkserver_preload(["dvht_sheets.batch"])
    return ctx


def start_workers_early() -> None:
    """Start the server the workers are forked from now (where there is one), so that its interpreter and imports
    (~0.15 s) overlap the caller's discovery and opening of the output folder instead of delaying the first file.
    The pool created later uses it; calling this again does nothing."""
    if worker_context().get_start_method() == "forkserver":
        from multiprocessing import forkserver

        forkserver.ensure_running()


class Packed(NamedTuple):
    """A unit's result as the parent needs it, made in the worker so that the parent only copies it into the outputs
    (it never receives, let alone unpickles, the UnitResult)."""

    row: UnitRow  # the compact summary row (its output is filled in by the parent, once the file has its name)
    fragment: UnitFragment | None  # for the sink's writers (config.fragments); None without a sink
    write_failed: str | None  # OUTPUT_WRITE_FAILED's cause (its detail), when the unit workbook could not be written


def _pack(task: Task, result: UnitResult, config: WorkerConfig) -> Packed:
    # Also run in the parent, for a file whose worker died (run_tasks): the same Packed, the same fragment.
    row = unit_row(task.index, result, "", _BOOK)
    failed = next((f.detail for f in result.findings if f.code == Code.OUTPUT_WRITE_FAILED), None)
    fragment = unit_fragment(row, result, config.fragments) if config.fragments is not None else None
    return Packed(row, fragment, failed)


def _crashed(task: Task, exitcode: int | None = None, seconds: int = 0, ran: float = 0.0) -> UnitResult:
    # a worker ended by its time limit (SIGALRM) says so; any other death is a crash. 255 is multiprocessing's own
    # "unknown" (the forkserver's report of the child was lost or late, on a loaded machine), not the worker's code:
    # then a worker that died after running its whole limit was ended by its alarm.
    known = None if exitcode == 255 else exitcode
    if _alarm_armed(seconds) and (known == -signal.SIGALRM or (known is None and ran >= seconds)):
        return _timed_out(task.rel, seconds)
    return _crash(task.rel, _ended_by(known))


def _pool(ctx, jobs: int, config: WorkerConfig) -> ProcessPoolExecutor:
    return ProcessPoolExecutor(jobs, mp_context=ctx, initializer=_init_worker, initargs=(config,))


def _workers(ex: ProcessPoolExecutor) -> list:
    """The pool's worker processes (started at its first submit)."""
    return list((getattr(ex, "_processes", None) or {}).values())


def _end_pool(ex: ProcessPoolExecutor) -> None:
    """Stop a pool now: queued work is cancelled and the workers are ended, none is left running on its own."""
    procs = _workers(ex)
    results = getattr(ex, "_result_queue", None)  # shutdown() forgets it; it is closed below
    ex.shutdown(wait=False, cancel_futures=True)
    for proc in procs:
        if proc.is_alive():
            proc.terminate()
    for proc in procs:
        proc.join(timeout=3)
        if proc.is_alive():
            proc.kill()
            proc.join(timeout=3)
    # A worker ended in the middle of sending its results leaves half a message in the result pipe, and the pool's
    # manager thread waits for the rest for ever: this process holds the pipe's write end too, so no end of file ever
    # comes, and at exit Python joins that thread (a stopped batch then hung instead of exiting). Once the workers are
    # gone nothing writes there any more: closing that end lets the thread see the end of the pipe and finish.
    writer = getattr(results, "_writer", None)
    if writer is not None:
        try:
            writer.close()
        except OSError:
            pass


class Interrupted(KeyboardInterrupt):
    """A stop asked for by a signal (Ctrl-C, SIGTERM) while workers run."""


def run_tasks(tasks: list[Task], config: WorkerConfig, jobs: int, max_ahead: int = 256,
              stop: Callable[[], bool] | None = None,
              pids: dict[int, int] | None = None) -> Iterator[tuple[Task, Packed]]:
    """(task, Packed) in input order, computed in worker processes.

    A worker that dies breaks its pool: the files that were in flight with it are run again one at a time in a
    process of their own, so only the file that killed the worker is lost, and the rest of the batch goes on in a
    new pool, in parallel. A file past its time limit ends its worker (time_limit); where a worker cannot do that
    (Windows), a pool that finishes nothing for as long as a whole chunk may take is ended the same way, and a file
    alone that overruns its limit is ended by the parent. At most max_ahead results wait for a slow earlier file,
    so memory stays bounded. stop is
    polled a few times a second; when it says so, the workers are ended and Interrupted is raised. pids, when given,
    receives the worker process of each file (the isolation tests read it)."""
    ctx = worker_context()
    window = max(2, jobs * 3)
    queued = 0  # tasks[:queued] have been submitted
    ready: dict[int, tuple] = {}
    next_index = tasks[0].index if tasks else 0
    by_index = {t.index: t for t in tasks}

    def drain():
        nonlocal next_index
        while next_index in ready:
            packed = ready.pop(next_index)
            yield by_index[next_index], packed
            next_index += 1

    def stopping() -> bool:
        return bool(stop and stop())

    def store(group: list[Task], answer) -> None:
        pid, packed = answer
        for task, item in zip(group, packed):
            ready[task.index] = item
            if pids is not None:
                pids[task.index] = pid

    seconds = config.limits.max_seconds
    # Where a worker cannot end itself (no SIGALRM: Windows), the parent does: a file alone gets its limit, plus the
    # time a fresh worker takes to start; a pool that finishes nothing for as long as a whole chunk may take is stuck.
    solo_timeout = parent_timeout(seconds)

    def alone(suspects: list[Task]) -> None:
        # Which of the files in flight killed the worker is unknown: each runs alone, in a pool of one process
        # that is replaced only when it breaks.
        solo = _pool(ctx, 1, config)
        try:
            for task in sorted(suspects, key=lambda t: t.index):
                if stopping():
                    raise Interrupted
                procs: list = []
                started = time.monotonic()
                try:
                    future = solo.submit(_work_chunk, [task])
                    procs = _workers(solo)  # its one worker: its exit code tells the time limit from a crash
                    store([task], future.result(timeout=solo_timeout))
                except TimeoutError:  # still running: its worker could not end itself
                    ready[task.index] = _pack(task, _timed_out(task.rel, seconds), config)
                    _end_pool(solo)
                    solo = _pool(ctx, 1, config)
                except BrokenProcessPool:
                    for proc in procs:
                        proc.join(timeout=5)
                    code = next((p.exitcode for p in procs if p.exitcode is not None), None)
                    ready[task.index] = _pack(task, _crashed(task, code, seconds, time.monotonic() - started), config)
                    _end_pool(solo)
                    solo = _pool(ctx, 1, config)
                except Exception as exc:  # e.g. a result that cannot travel back: this file only
                    ready[task.index] = _pack(task, _failed(task.rel, f"{type(exc).__name__}: {str(exc)[:120]}",
                                                            Code.INTERNAL_ERROR), config)
            solo.shutdown(wait=True)
        except BaseException:
            _end_pool(solo)
            raise

    # Larger batches send more files per round trip (the main process's cost per chunk is paid fewer times); small
    # ones keep chunks small so both workers have work until the end.
    chunk = 8 if len(tasks) >= jobs * 64 else 4 if len(tasks) >= jobs * 16 else 1
    ex = _pool(ctx, jobs, config)
    finished = False
    progress = time.monotonic()  # when a chunk last came back
    try:
        inflight: dict = {}
        while queued < len(tasks) or inflight:
            if stopping():
                raise Interrupted
            while queued < len(tasks) and len(inflight) < window and tasks[queued].index < next_index + max_ahead:
                group = tasks[queued:queued + chunk]
                queued += len(group)
                inflight[ex.submit(_work_chunk, group)] = group
            done, _ = wait(inflight, timeout=0.2, return_when=FIRST_COMPLETED)
            suspects: list[Task] = []
            broken = False
            if done:
                progress = time.monotonic()
            elif inflight and seconds and time.monotonic() - progress > seconds * chunk:
                broken = True  # stuck: every file in flight is run again alone, under its own limit
                progress = time.monotonic()
            for fut in done:
                group = inflight.pop(fut)
                try:
                    store(group, fut.result())
                except BrokenProcessPool:
                    broken = True
                    suspects.extend(group)
                except Exception:  # a chunk whose results cannot travel back: its files are retried alone
                    suspects.extend(group)
            if suspects or broken:
                if broken:  # every file still in flight is lost with the pool: retry them, in a new pool
                    for group in inflight.values():
                        suspects.extend(group)
                    inflight.clear()
                    _end_pool(ex)
                    ex = _pool(ctx, jobs, config)
                if stopping():
                    raise Interrupted
                alone(suspects)
                progress = time.monotonic()
            yield from drain()
        finished = True
    finally:
        if finished:
            ex.shutdown(wait=True)
        else:
            _end_pool(ex)


# ---------------------------------------------------------------------------------------------------- the output folder

class OutputFailed(Exception):
    """The outputs could not be written (exit 3); folder and cause are named for the user."""

    def __init__(self, folder: Path, cause: BaseException):
        super().__init__(f"{folder}: {cause}")
        self.folder = folder
        self.cause = cause

    @property
    def message(self) -> str:
        return message(Code.RUN_OUTPUT_FAILED, file=self.folder, detail=describe_os_error(self.cause))


class FolderBusy(Exception):
    """Another run holds the output folder's lock (exit 2)."""

    def __init__(self, folder: Path, holder: str):
        super().__init__(str(folder))
        self.folder = folder
        self.holder = holder

    @property
    def message(self) -> str:
        who = f" (tiến trình {self.holder})" if self.holder.isdigit() else ""
        return message(Code.RUN_FOLDER_BUSY, file=self.folder, detail=who)


def _lock_module():
    """(fcntl, None) where locks are POSIX flocks, (None, msvcrt) on Windows, where the lock is msvcrt's on the
    file's first byte."""
    try:
        import fcntl
    except ImportError:
        import msvcrt

        return None, msvcrt
    return fcntl, None


def _lock_file(fh) -> None:
    """An exclusive, non-blocking lock that the system drops when its holder ends, however it ends (kill -9
    included), so a stale lock never blocks a later run."""
    fcntl, msvcrt = _lock_module()
    if msvcrt is not None:
        fh.seek(0)
        msvcrt.locking(fh.fileno(), msvcrt.LK_NBLCK, 1)
        return
    fcntl.flock(fh.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)


def _release(fh) -> None:
    """Close the lock file, unlocking it first on Windows: there the system drops a closed file's lock only "when
    resources allow", and a library caller's next run on the folder at once could find it still busy (POSIX:
    closing the file drops the flock at once)."""
    _, msvcrt = _lock_module()
    if msvcrt is not None:
        try:
            fh.seek(0)
            msvcrt.locking(fh.fileno(), msvcrt.LK_UNLCK, 1)
        except OSError:
            pass  # closing still drops it, later
    fh.close()


class OutputFolder:
    """The output folder for one run: locked while the run lasts, cleared of the temporary files of an earlier run
    that was killed, and, at the end, holding exactly this run's unit workbooks.

    The manifest (.dvht-manifest) lists the unit workbooks the tool wrote. Each one is listed just before it is
    moved into place (and struck out again if the move fails), so a run killed at any moment leaves a list that
    holds every file it placed; the next run removes the listed files it does not produce itself, and nothing else:
    a file the tool did not write is never touched."""

    def __init__(self, path: Path):
        self.path = Path(path)
        self.unit_dir = self.path / UNIT_DIR
        self.tmp: Path | None = None
        self.previous: set[str] = set()
        self.written: list[str] = []
        self.left_open: list[str] = []  # earlier runs' unit workbooks that could not be removed: open in a program
        self.held: list[str] = []  # this run's units whose last workbook, open in a program, could not be replaced
        self._lock = None
        self._journal = None

    def open(self) -> "OutputFolder":
        try:
            self.path.mkdir(parents=True, exist_ok=True)
            lock = open(self.path / LOCK_NAME, "a+", encoding="utf-8")
            try:
                _lock_file(lock)
            except OSError as exc:
                if exc.errno not in (errno.EAGAIN, errno.EACCES, errno.EWOULDBLOCK, errno.EDEADLK):
                    lock.close()
                    raise
                try:
                    lock.seek(0)
                    holder = lock.read().strip()
                except OSError:  # Windows: the holder's lock is mandatory, its byte cannot be read (ERROR_LOCK_VIOLATION)
                    holder = ""
                lock.close()
                raise FolderBusy(self.path, holder) from None
            self._lock = lock
            lock.seek(0)
            lock.truncate()
            lock.write(f"{os.getpid()}\n")
            lock.flush()
            self._remove_stale_temps()
            self.unit_dir.mkdir(exist_ok=True)
            self.previous = self._read_manifest()
            self.tmp = Path(tempfile.mkdtemp(prefix=RUN_TEMP_PREFIX, dir=self.path))
            self._journal = open(self.path / MANIFEST_NAME, "a", encoding="utf-8")
            if not self.previous:
                self._journal.write(_MANIFEST_HEAD)
                self._journal.flush()
        except OSError as exc:
            self.abandon()
            raise OutputFailed(self.path, exc) from exc
        except BaseException:
            self.abandon()
            raise
        return self

    def _remove_stale_temps(self) -> None:
        # Safe only under the lock: no other run can be writing these right now.
        for folder in (self.path, self.unit_dir):
            try:
                entries = list(os.scandir(folder))
            except FileNotFoundError:
                continue
            for entry in entries:
                if not entry.name.startswith(TEMP_PREFIX):
                    continue
                if entry.is_dir(follow_symlinks=False) and entry.name.startswith(RUN_TEMP_PREFIX):
                    shutil.rmtree(entry.path, ignore_errors=True)
                elif entry.is_file(follow_symlinks=False):
                    try:
                        os.unlink(entry.path)
                    except FileNotFoundError:
                        pass

    def _read_manifest(self) -> set[str]:
        try:
            text = (self.path / MANIFEST_NAME).read_text(encoding="utf-8", errors="replace")
        except FileNotFoundError:
            return set()
        listed: set[str] = set()
        for line in text.splitlines():
            line = line.strip()
            if line.startswith(_STRUCK):
                listed.discard(line[len(_STRUCK):])
            elif line and not line.startswith("#"):
                listed.add(line)
        return listed

    def _journal_line(self, line: str) -> None:
        if self._journal is not None:
            self._journal.write(line + "\n")
            self._journal.flush()

    def place(self, temp: Path, rel: str) -> None:
        """Move a finished unit workbook into place (rel is relative to the output folder). It is listed first: a
        kill -9 right after the move must not leave a file of this run that no manifest names (the next run would
        never remove it). If the move fails, the line is struck out, and the OSError goes to the caller."""
        self._journal_line(rel)
        try:
            replace(temp, self.path / rel)
        except OSError:
            if rel not in self.previous:  # what holds that name was not written by the tool: never list it
                self._journal_line(_STRUCK + rel)
            raise
        self.written.append(rel)

    def hold(self, rel: str) -> None:
        """This run's workbook for rel could not replace last run's, which a program holds open: last run's stays
        (the unit's write failure says so). It is not pruned, and stays listed when the tool wrote it, so that a later
        run replaces or removes it; a file the tool did not write is never listed."""
        if rel in self.previous:
            self.held.append(rel)

    def _prune(self) -> None:
        keep = set(self.written) | set(self.held)
        unit_dir = self.unit_dir.resolve()
        for rel in sorted(self.previous - keep):
            # Only what the tool itself names: don-vi/<something>_ket-qua.xlsx, directly in don-vi/.
            parts = Path(rel).parts
            if len(parts) != 2 or parts[0] != UNIT_DIR or not parts[1].endswith("_ket-qua.xlsx"):
                continue
            path = self.path / rel
            if path.is_symlink() or not path.is_file() or path.resolve().parent != unit_dir:
                continue
            try:
                path.unlink(missing_ok=True)
            except OSError as exc:
                if held_open(exc) is None:
                    raise
                self.left_open.append(rel)  # open in Excel: it stays listed, and the next run removes it

    def close(self) -> None:
        """The run's outputs are complete (or, after a stop, complete for what was finished): remove the earlier
        run's unit workbooks that this run did not produce, and keep a manifest of this run's files only."""
        try:
            self._prune()
            if self._journal is not None:
                self._journal.close()
                self._journal = None
            def write(tmp: str) -> None:
                with open(tmp, "w", encoding="utf-8") as fh:
                    fh.write(_MANIFEST_HEAD)
                    fh.writelines(rel + "\n" for rel in self.written + self.held + self.left_open)
            atomic_write(self.path / MANIFEST_NAME, write)
        except OSError as exc:
            self.abandon()
            raise OutputFailed(self.path, exc) from exc
        self.abandon()

    def abandon(self) -> None:
        """Remove this run's temporary folder and release the lock (the manifest keeps what was written)."""
        if self._journal is not None:
            try:
                self._journal.close()
            except OSError:
                pass
            self._journal = None
        if self.tmp is not None:
            shutil.rmtree(self.tmp, ignore_errors=True)
            self.tmp = None
        if self._lock is not None:
            _release(self._lock)
            self._lock = None


_STRUCK = "- "  # a journal line "- don-vi/X": X was listed, but the move into place failed
_MANIFEST_HEAD = ("# dvht-sheets: các tệp kết quả do công cụ ghi vào thư mục này (lần chạy sau chỉ xoá các tệp trong "
                  "danh sách này). Đừng sửa tệp này.\n")


# ---------------------------------------------------------------------------------------------------- the batch


@dataclass
class BatchOutcome:
    out_dir: Path
    discovery: Discovery
    rows: list  # compact per-unit rows (report.summary.UnitRow), sorted by unit code then file
    interrupted: bool = False
    write_failures: list = field(default_factory=list)  # (file, cause) of unit workbooks that could not be written
    worker_pids: dict = field(default_factory=dict)  # task index → the worker process that evaluated it
    # Set by the library's run_batch (dvht_sheets.run_batch), which writes the summary too:
    roster: Roster | None = None
    missing: list = field(default_factory=list)  # (code, name) of roster units that did not submit
    partial: tuple[int, int] | None = None  # (files finished, files found) when the run was stopped
    stopped_by: int | None = None  # the signal that stopped it (SIGINT, SIGTERM), when one did
    units: list = field(default_factory=list)  # one row per unit (a code sent in several files counts once)
    submitted: str = ""  # "14 đơn vị (15 tệp; 1 tệp trùng mã đơn vị: …) · Chưa nộp: 1 đơn vị", as row 2 of Tổng hợp
    warnings: list = field(default_factory=list)  # one line per unit code found in several files
    dossier: object = None  # dossier.office.DossierOutcome, with `--ho-so` (issue 12)

    @property
    def not_evaluated(self) -> int:
        return sum(1 for r in self.rows if not r.evaluated)


ProgressFn = Callable[[int, int, object], None]  # (done, total, the finished unit's summary row or None)


class _Names:
    """Result file names, given in input order, so a re-run names everything the same way."""

    def __init__(self) -> None:
        self.used: set[str] = set()

    def take(self, file: str, unit_code: str | None) -> str:
        base = result_file_name(UnitResult(file=file, sha256="", evaluated=False, unit_code=unit_code))
        name, n = base, 2
        while name.casefold() in self.used:
            name = base.replace("_ket-qua.xlsx", f"_{n}_ket-qua.xlsx")
            n += 1
        self.used.add(name.casefold())
        return name


def evaluate_folder(root: Path, out_dir: Path, *, jobs: int | None = None, rulebook: Rulebook | str | None = None,
                    limits: Limits = DEFAULT_LIMITS, memory_mb: int = 3072, progress: ProgressFn | None = None,
                    sink=None, crash_on: str | None = None, stop: Callable[[], bool] | None = None,
                    folder: OutputFolder | None = None, discovery: Discovery | None = None,
                    dossier: Callable[[BatchOutcome], object] | None = None) -> BatchOutcome:
    """Evaluate every workbook under root and put each unit's result workbook into out_dir/don-vi.

    Each finished unit goes to sink.add(row, fragment) (in input order) while the others are still being evaluated,
    so the summary is written alongside the batch instead of after it: the sink's fragment_spec (a FragmentSpec, as
    SummaryWriter.fragment_spec gives it) tells the workers how to make the UnitFragment for it. Ctrl-C, or stop()
    saying so, stops cleanly: the workers are ended, what was finished is kept and reported (interrupted=True); no
    half-written workbook is left.

    folder is the locked output folder when the caller writes more into it (the summary); without it, the folder is
    opened and closed here. A write that fails raises OutputFailed."""
    if isinstance(rulebook, str):
        rulebook = rulebooks.get(rulebook)  # read once, in the parent: a wrong id or file fails here, not in a worker
    discovery = discovery if discovery is not None else discover(root, out_dir)
    own = folder is None
    if folder is None:
        folder = OutputFolder(out_dir).open()
    assert folder.tmp is not None
    tasks = [Task(i, str(p), rel, str(folder.tmp / f"{i}.xlsx")) for i, (p, rel) in enumerate(discovery.inputs)]
    config = WorkerConfig(rulebook, limits, memory_mb, crash_on, sink.fragment_spec if sink is not None else None)
    outcome = BatchOutcome(out_dir, discovery, [])
    rows = outcome.rows
    names = _Names()
    if progress:
        progress(0, len(tasks), None)
    try:
        for task, (row, fragment, failed) in run_tasks(tasks, config, max(1, jobs or os.cpu_count() or 1),
                                                       stop=stop, pids=outcome.worker_pids) if tasks else ():
            temp = Path(task.temp_out)
            if failed is not None:  # what the worker left may be half a workbook: it never reaches don-vi/
                temp.unlink(missing_ok=True)
                outcome.write_failures.append((row.file, failed))
            elif temp.exists():
                name = names.take(row.file, row.unit_code)
                try:
                    folder.place(temp, f"{UNIT_DIR}/{name}")
                    row.output = f"{UNIT_DIR}/{name}"
                except OSError as exc:
                    if held_open(exc) is None:  # the folder itself fails (full, gone, read-only): so does the run
                        raise OutputFailed(folder.path, exc) from exc
                    # last run's workbook of this unit, open in Excel: this unit's write failure; the others go on
                    temp.unlink(missing_ok=True)
                    folder.hold(f"{UNIT_DIR}/{name}")
                    outcome.write_failures.append((row.file, describe_os_error(exc)))
            rows.append(row)
            if sink is not None:
                sink.add(row, fragment)
            if progress:
                progress(len(rows), len(tasks), row)
    except KeyboardInterrupt:
        outcome.interrupted = True
    except BaseException:
        if own:
            folder.abandon()
        raise
    rows.sort(key=lambda r: (r.unit_code is None, r.unit_code or "", r.file))
    if dossier is not None and not outcome.interrupted:
        # issue 12, `--ho-so`: the dossiers after the batch, in the still locked output folder
        # (dvht_sheets/dossier/office.py), so a batch without it never loads docxtpl.
        outcome.dossier = dossier(outcome)
    if own:
        folder.close()
    return outcome


def read_roster_isolated(path: Path) -> Roster:
    """The roster (roster.py), read in a child process with a memory cap: a roster file that aborts the reader or is
    damaged gives a Roster with its problem, and the batch goes on without it (the sheet Tình hình nộp and the
    terminal say why)."""
    seconds = DEFAULT_LIMITS.max_seconds
    try:
        return run_isolated(read_roster, path, memory_mb=3072, seconds=seconds)
    except IsolationFailed as exc:
        problem = (message(Code.ROSTER_TIMED_OUT, limit=seconds) if exc.timed_out else
                   message(Code.ROSTER_CRASHED, detail=exc.why))
    except (KeyboardInterrupt, SystemExit):
        raise
    except BaseException as exc:
        problem = xml_safe(message(Code.ROSTER_UNREADABLE, detail=f"{type(exc).__name__}: {str(exc)[:160]}"))
    return Roster(source=xml_safe(path.name), problem=problem)


__all__ = ["evaluate_path", "check_file", "check_isolated", "evaluate_isolated", "run_isolated", "discover", "evaluate_folder",
           "BatchOutcome", "FileOutcome", "OutputFolder", "OutputFailed", "FolderBusy", "describe_os_error",
           "read_roster_isolated"]
