"""Session plumbing for tests/test_findings_catalogue.py: every process the tests start (batch workers, forked
children, CLI subprocesses) notes the finding codes it raises in one folder (findings.finding reads
DVHT_RECORD_FINDINGS at import, so it is set here before any dvht_sheets module is imported), and the test that
every code is raised by some test runs last, and only when the whole suite was collected: a subset (a file, -k, a
node id) cannot show that, so there it is left out rather than passed."""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

import pytest

_OWN_DIR = not os.environ.get("DVHT_RECORD_FINDINGS")
if _OWN_DIR:
    os.environ["DVHT_RECORD_FINDINGS"] = tempfile.mkdtemp(prefix="dvht-raised-")
RAISED_DIR = os.environ["DVHT_RECORD_FINDINGS"]
LAST = "test_every_code_is_raised_by_some_test"
TESTS = Path(__file__).resolve().parent
ROOT = TESTS.parent


def _checkout_entries() -> set[str]:
    return {p.name for p in ROOT.iterdir()} | {f"samples/{p.name}" for p in (ROOT / "dvht_sheets/data/samples").iterdir()}


@pytest.fixture(scope="session", autouse=True)
def _the_checkout_is_left_alone():
    # Every test writes under its tmp_path: a result workbook left in the repository (a `check` run from the project
    # folder without -o) once ended up committed.
    before = _checkout_entries()
    yield
    new = _checkout_entries() - before - {".pytest_cache"}
    assert not new, f"tests wrote into the checkout: {sorted(new)}"


def _whole_suite(config, items) -> bool:
    opt = config.option
    if opt.keyword or opt.markexpr or getattr(opt, "deselect", None) or getattr(opt, "lf", False):
        return False
    if any("::" in str(a) for a in config.args):
        return False
    collected = {Path(str(item.fspath)).resolve() for item in items}
    return set(TESTS.glob("test_*.py")) <= collected


def pytest_collection_modifyitems(session, config, items):
    last = [i for i in items if i.name == LAST]
    if not last:
        return
    for item in last:
        items.remove(item)
    if _whole_suite(config, items):
        items.extend(last)
    else:
        config.hook.pytest_deselected(items=last)


def raised_codes() -> set[str]:
    codes: set[str] = set()
    for path in Path(RAISED_DIR).glob("*.codes"):
        codes.update(line.strip() for line in path.read_text(encoding="utf-8").splitlines() if line.strip())
    return codes


def pytest_unconfigure(config):
    if _OWN_DIR:  # one folder per run, which nothing reads afterwards
        shutil.rmtree(RAISED_DIR, ignore_errors=True)
