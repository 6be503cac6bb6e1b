"""The files shipped inside the package: the sample workbooks with their roster, and the blank templates.

They live in dvht_sheets/data/ (package data), so an installed wheel has them wherever it is run from; a source
checkout reads the same files. scripts/make_samples.py and scripts/make_templates.py write them there.
"""

from __future__ import annotations

import contextlib
import shutil
import tempfile
from collections.abc import Iterator
from importlib import resources
from pathlib import Path

# Where scripts/make_samples.py and make_templates.py write (in a source checkout; an ordinary install has them here
# too, but the CLI reads them through bundled_dir so that a zipped install works as well).
SAMPLES_DIR = Path(__file__).resolve().parent / "data" / "samples"
TEMPLATES_DIR = Path(__file__).resolve().parent / "data" / "templates"
DOSSIER_DIR = Path(__file__).resolve().parent / "data" / "dossier"  # the .docx templates of the dossier
ROSTER_NAME = "danh-sach-don-vi.csv"


class MissingBundledFiles(Exception):
    """The installation lacks its data folder (a broken or partial install)."""


@contextlib.contextmanager
def bundled_dir(name: str) -> Iterator[Path]:
    """A real folder holding dvht_sheets/data/<name>, read through importlib.resources.

    An ordinary install (a folder in site-packages) is used in place. A zipped install (zipimport) is copied to a
    temporary folder for the duration: Python 3.11's resources.as_file cannot hand out a whole directory.
    """
    root = resources.files("dvht_sheets").joinpath("data", name)
    if isinstance(root, Path):
        if not root.is_dir():
            raise MissingBundledFiles(str(root))
        yield root
        return
    if not root.is_dir():
        raise MissingBundledFiles(f"dvht_sheets/data/{name}")
    with tempfile.TemporaryDirectory(prefix="dvht-") as tmp:
        dest = Path(tmp) / name
        _copy_tree(root, dest)
        yield dest


def _copy_tree(src, dest: Path) -> None:
    dest.mkdir(parents=True, exist_ok=True)
    for item in src.iterdir():
        if item.is_dir():
            _copy_tree(item, dest / item.name)
        else:
            with item.open("rb") as fin, (dest / item.name).open("wb") as fout:
                shutil.copyfileobj(fin, fout)
