"""What dvht_sheets borrows from xlsxwriter, in one place (pandas' compat/ pattern)."""

from __future__ import annotations

import os

PLAIN_ENV = "DVHT_XLSX_PLAIN"


def fast() -> bool:
    """Whether workbooks are written on the fast path (else through xlsxwriter's public API)."""
    return os.environ.get(PLAIN_ENV, "") in ("", "0")
