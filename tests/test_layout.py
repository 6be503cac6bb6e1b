"""The package's layout is its architecture (issue 10): data flows one way and no module imports one above it.

    cli, console, __main__                                  the command line (console: click in Vietnamese)
      → dvht_sheets (__init__), api, frames                 the public library API (frames: pandas DataFrames)
        → batch, dossier/                                   folder → worker processes → rows; output folder;
                                                            dossier/: the Word documents (re-reads files by batch)
          → report/* , template                             every writer (unit, summary, stats, exports, files,
                                                            styles); template: the blank workbook
            → present, evaluate, validate                   Submission + Rulebook → UnitResult (pure)
              → read, rulebook, roster, bundled             the read side: only these open inputs
                → schema, model, findings, paper, deflate,  plain data, the catalogue; paper: A4 print layout
                  xlsxfast/                                 and the palette; deflate: the zip entries' codec
                                                            (ISA-L or zlib); xlsxfast/: the fast xlsx writer,
                                                            a library of ours that knows xlsxwriter only

A module may import modules of its own level or below, never above, at module level or inside a function (a lazy
import is still a dependency). The one exception is `from dvht_sheets import __version__`: the version string is
defined in __init__ before any import there.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "dvht_sheets"

LEVELS = [
    {"schema", "model", "findings", "paper", "deflate", "xlsxfast"},
    {"read", "rulebook", "roster", "bundled"},
    {"present", "evaluate", "validate"},
    {"report", "template"},
    {"batch", "dossier"},
    {"__init__", "api", "frames"},
    {"cli", "console", "__main__"},
]


def level_of(module: str) -> int:
    """module: dotted name below dvht_sheets ("report.summary", "cli"); a package's modules share its level."""
    top = module.split(".")[0]
    for n, names in enumerate(LEVELS):
        if top in names:
            return n
    raise AssertionError(f"dvht_sheets.{module} has no level in tests/test_layout.py: place it in LEVELS")


def modules() -> dict[str, Path]:
    out = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        rel = path.relative_to(PACKAGE).with_suffix("")
        parts = list(rel.parts)
        out[".".join(parts)] = path
    return out


def imports_of(name: str, path: Path) -> list[tuple[str, int]]:
    """(imported module below dvht_sheets, line) for every import of ours in the file, wherever it stands."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    package = name.split(".")[:-1] if not name.endswith("__init__") else name.split(".")[:-1]
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.startswith("dvht_sheets."):
                    found.append((alias.name.removeprefix("dvht_sheets."), node.lineno))
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package[: len(package) - (node.level - 1)] if node.level > 1 else list(package)
                target = ".".join([*base, *(node.module.split(".") if node.module else [])])
            elif node.module and (node.module == "dvht_sheets" or node.module.startswith("dvht_sheets.")):
                target = node.module.removeprefix("dvht_sheets").lstrip(".")
            else:
                continue
            for alias in node.names:
                full = f"{target}.{alias.name}" if target else alias.name
                if full.replace(".", "/") in {m.replace(".", "/") for m in MODULES} or \
                        (PACKAGE / full.replace(".", "/")).is_dir():
                    found.append((full, node.lineno))  # `from . import paper`: the module paper
                elif target:
                    found.append((target, node.lineno))
                elif alias.name != "__version__":
                    found.append(("__init__", node.lineno))
    return found


MODULES = modules()


def test_every_module_has_a_level():
    for name in MODULES:
        level_of(name if not name.endswith(".__init__") else name.rsplit(".", 1)[0])


@pytest.mark.parametrize("name", sorted(MODULES))
def test_no_module_imports_one_above_it(name):
    own = level_of(name)
    above = [(target, line) for target, line in imports_of(name, MODULES[name])
             if level_of(target if target != "" else "__init__") > own]
    assert not above, f"dvht_sheets/{MODULES[name].relative_to(PACKAGE)} imports from a higher level: {above}"


def test_the_checker_sees_an_upward_import(tmp_path):
    # The test above must be able to fail: a report module that imported the batch would be caught.
    fake = tmp_path / "summary.py"
    fake.write_text("from ..batch import evaluate_folder\n\ndef f():\n    from .. import cli\n", encoding="utf-8")
    found = imports_of("report.summary", fake)
    assert ("batch", 1) in found and ("cli", 4) in found
    assert level_of("batch") > level_of("report.summary") and level_of("cli") > level_of("report.summary")


def test_pandas_only_where_it_belongs():
    # across units only (issue 10): the per-unit path stays plain Python
    users = sorted(name for name, path in MODULES.items()
                   if any(isinstance(n, (ast.Import, ast.ImportFrom)) and
                          any((a.name if isinstance(n, ast.Import) else (n.module or "")).split(".")[0] == "pandas"
                              for a in n.names)
                          for n in ast.walk(ast.parse(path.read_text(encoding="utf-8")))))
    assert users == ["frames", "report.stats"]


def test_only_the_read_side_opens_inputs():
    # python-calamine is the reader of inputs: only read.py uses it
    users = sorted(name for name, path in MODULES.items() if "python_calamine" in path.read_text(encoding="utf-8"))
    assert users == ["read"]
