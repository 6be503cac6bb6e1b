"""Regenerate dvht_sheets/data/templates/ (the committed blank templates) from the code: `make templates`.

tests/test_template.py fails when the committed files differ from what the code generates today.
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from dvht_sheets import rulebook as rulebooks  # noqa: E402
from dvht_sheets.bundled import TEMPLATES_DIR  # noqa: E402
from dvht_sheets.template import template_name, write_workbook  # noqa: E402


def committed_templates():
    """(file name, rulebook, tier) for every template we ship."""
    for book in rulebooks.bundled():
        tiers = ("huyen", "tinh") if book.scheme == "levels" else ("huyen",)
        for tier in tiers:
            yield template_name(book, tier), book, tier


def main(out: Path) -> None:
    out.mkdir(parents=True, exist_ok=True)
    for name, book, tier in committed_templates():
        write_workbook(out / name, book, tier)
        print(out / name)


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else TEMPLATES_DIR)
