"""Fault injection for tests/test_hostile.py, loaded only when that test puts this folder on PYTHONPATH and sets
DVHT_TEST_READER: the reader call then behaves like python-calamine on the files that broke it in real use — a panic
(pyo3_runtime.PanicException: a BaseException that cannot be pickled) or an abort of the whole process (SIGABRT) —
for any input whose bytes contain the marker (ABORT-ME, PANIC-ME); and a dossier worker of `batch --ho-so` dies on
a file holding DOSSIER-DIES. Batch workers are fresh interpreters, so they load it too."""

import os

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
