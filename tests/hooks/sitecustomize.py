"""Fault injection for tests/test_hostile.py, loaded only when that test puts this folder on PYTHONPATH and sets
DVHT_TEST_READER: the reader call then behaves like python-calamine on the files that broke it in real use — a panic
(pyo3_runtime.PanicException: a BaseException that cannot be pickled) or an abort of the whole process (SIGABRT) —
for any input whose bytes contain the marker (ABORT-ME, PANIC-ME); and a dossier worker of `batch --ho-so` dies on
a file holding DOSSIER-DIES. Batch workers are fresh interpreters, so they load it too.

With DVHT_TEST_WINDOWS (tests/test_windows.py), the process looks like Windows to our code: no `resource` or
`fcntl` module, no os.fork, no SIGALRM, no fork or forkserver start method (spawn only), and an `msvcrt` whose
locking() behaves like Windows' (a second non-blocking lock of the same file fails with EACCES, and the locked byte
cannot then be read); with
DVHT_TEST_OPEN_IN_EXCEL, the files it names cannot be replaced, removed or opened for writing (os.open), as when
they are open in Excel; with DVHT_TEST_MAX_PATH, no path that long can be written, as on a Windows without long
paths."""

import os
import sys

if os.environ.get("DVHT_TEST_WINDOWS"):
    import errno
    import fcntl as _fcntl
    import signal
    import types

    # The standard library's own POSIX internals are imported first, as they are; only our code meets the gaps.
    import concurrent.futures.process  # noqa: F401
    import multiprocessing.context as _mp_context
    import multiprocessing.popen_spawn_posix  # noqa: F401
    import multiprocessing.resource_tracker  # noqa: F401
    import subprocess  # noqa: F401

    sys.modules["resource"] = None  # type: ignore[assignment]  # `import resource` raises ImportError
    sys.modules["fcntl"] = None  # type: ignore[assignment]
    del os.fork
    del signal.SIGALRM, signal.alarm, signal.setitimer
    _mp_context._default_context.set_start_method("spawn", force=True)
    for _method in ("fork", "forkserver"):
        _mp_context._concrete_contexts.pop(_method, None)

    _msvcrt = types.ModuleType("msvcrt")
    _msvcrt.LK_UNLCK, _msvcrt.LK_LOCK, _msvcrt.LK_NBLCK = 0, 1, 2

    def _locking(fd: int, mode: int, nbytes: int) -> None:
        # msvcrt.locking locks bytes of the file; a whole-file lock is as exclusive for the one byte we lock
        if mode == _msvcrt.LK_UNLCK:
            _fcntl.flock(fd, _fcntl.LOCK_UN)
            return
        try:
            _fcntl.flock(fd, _fcntl.LOCK_EX | _fcntl.LOCK_NB)
        except BlockingIOError:
            # Windows' byte-range locks are mandatory: this process cannot even read the locked byte now
            # (ERROR_LOCK_VIOLATION); here the descriptor is made one that cannot be read.
            null = os.open(os.devnull, os.O_WRONLY)
            os.dup2(null, fd)
            os.close(null)
            raise PermissionError(errno.EACCES, "Permission denied") from None

    _msvcrt.locking = _locking
    sys.modules["msvcrt"] = _msvcrt

    # Files "open in Excel" (DVHT_TEST_OPEN_IN_EXCEL: path endings such as tong-hop.xlsx or MA/02-to-trinh.docx):
    # Windows refuses a rename onto them with ERROR_ACCESS_DENIED and their removal with ERROR_SHARING_VIOLATION (both
    # errno EACCES)
    _open_names = tuple("/" + n for n in os.environ.get("DVHT_TEST_OPEN_IN_EXCEL", "").split(os.pathsep) if n)

    def _is_open(path) -> bool:
        return os.path.abspath(os.fspath(path)).replace(os.sep, "/").endswith(_open_names)

    if _open_names:
        _real_replace = os.replace

        def _replace(src, dst, *, src_dir_fd=None, dst_dir_fd=None):
            if _is_open(dst):
                exc = PermissionError(errno.EACCES, "Access is denied", os.fspath(src), None, os.fspath(dst))
                exc.winerror = 5
                raise exc
            return _real_replace(src, dst, src_dir_fd=src_dir_fd, dst_dir_fd=dst_dir_fd)

        os.replace = _replace
        _real_unlink = os.unlink

        def _unlink(path, *, dir_fd=None):  # Path.unlink comes here too
            if _is_open(path):
                exc = PermissionError(errno.EACCES, "The process cannot access the file because it is being used by "
                                      "another process", os.fspath(path))
                exc.winerror = 32  # ERROR_SHARING_VIOLATION
                raise exc
            return _real_unlink(path, dir_fd=dir_fd)

        os.unlink = os.remove = _unlink
        _real_os_open = os.open

        def _os_open(path, flags, mode=0o777, *, dir_fd=None):  # Excel lets others read, not write
            if flags & (os.O_WRONLY | os.O_RDWR) and _is_open(path):
                exc = PermissionError(errno.EACCES, "The process cannot access the file because it is being used by "
                                      "another process", os.fspath(path))
                exc.winerror = 32  # ERROR_SHARING_VIOLATION
                raise exc
            return _real_os_open(path, flags, mode, dir_fd=dir_fd)

        os.open = _os_open

    # A Windows without long paths (the default; DVHT_TEST_MAX_PATH=260): a path of that many characters or more
    # cannot be created, opened for writing or renamed onto, and Windows says only ERROR_PATH_NOT_FOUND.
    _max_path = int(os.environ.get("DVHT_TEST_MAX_PATH") or 0)
    if _max_path:
        import builtins
        import io

        def _refuse_long(path) -> None:
            full = os.path.abspath(os.fspath(path))
            if len(full) >= _max_path:
                exc = FileNotFoundError(errno.ENOENT, "The system cannot find the path specified", os.fspath(path))
                exc.winerror = 3  # ERROR_PATH_NOT_FOUND
                raise exc

        def _guard(real, path_arg: int = 0, writes=lambda *a, **k: True):
            def guarded(*args, **kwargs):
                if len(args) > path_arg and isinstance(args[path_arg], (str, bytes, os.PathLike)) \
                        and writes(*args, **kwargs):
                    _refuse_long(args[path_arg])
                return real(*args, **kwargs)
            return guarded

        def _writing_mode(file, mode="r", *args, **kwargs):
            return any(c in mode for c in "wax+")

        os.mkdir = _guard(os.mkdir)
        os.replace = _guard(os.replace, 1)
        os.rename = _guard(os.rename, 1)
        os.open = _guard(os.open, 0, lambda path, flags, *a, **k: bool(flags & (os.O_WRONLY | os.O_RDWR | os.O_CREAT)))
        builtins.open = io.open = _guard(io.open, 0, _writing_mode)


if os.environ.get("DVHT_TEST_READER"):
    import dvht_sheets.read as _read

    _real = _read.open_calamine

    class PanicException(BaseException):
        def __reduce__(self):  # like pyo3_runtime's: its class cannot be found again by pickle
            raise TypeError("Can't pickle <class 'pyo3_runtime.PanicException'>")

    def _faulty(data: bytes):
        if b"ABORT-ME" in data:
            os.abort()
        if b"PANIC-ME" in data:
            raise PanicException("xlsb/mod.rs: no entry found for key")
        return _real(data)

    _read.open_calamine = _faulty

    # A dossier worker that dies (`batch --ho-so`): for a file holding this marker the batch reads and evaluates it
    # as usual, and the dossier stage's worker aborts.
    import dvht_sheets.dossier.office as _office

    _real_task = _office._unit_task

    def _dossier_task(args):
        with open(args[0], "rb") as fh:
            if b"DOSSIER-DIES" in fh.read():
                os.abort()
        return _real_task(args)

    _office._unit_task = _dossier_task

    # A reader that never returns (a loop inside the Rust code): for a file holding HANG-ME, the call sleeps for an
    # hour; the time limit ends the process that runs it.
    _before_hang = _read.open_calamine

    def _hanging(data: bytes):
        if b"HANG-ME" in data:
            import time

            time.sleep(3600)
        return _before_hang(data)

    _read.open_calamine = _hanging

    # As on Windows, where there is no SIGALRM: workers get no time limit of their own, and only the parent can end
    # a file that hangs.
    if os.environ.get("DVHT_TEST_NO_ALARM"):
        import contextlib

        import dvht_sheets.batch as _batch

        _batch.time_limit = lambda seconds: contextlib.nullcontext()
