"""The fast writer's fence (issue 10): dvht_sheets/xlsxfast/ is the only package that knows xlsxwriter's internals.

Rules, checked statically (ast) over every module of dvht_sheets outside xlsxfast/:
1. xlsxwriter is used through its public face only: `import xlsxwriter` and `xlsxwriter.Workbook` (or
   `from xlsxwriter import Workbook`) are allowed — the documented API, used by template.py and by nothing that needs
   speed. Importing a submodule (`xlsxwriter.worksheet`, `.workbook`, `.format`, `.packager`, `.utility`, …), or
   reaching one as an attribute (`xlsxwriter.worksheet.Worksheet`), is not: those hold the internals.
2. No class outside xlsxfast/ derives from an xlsxwriter class (overriding its methods is touching its internals).
3. No private attribute: outside xlsxfast/, an attribute whose name starts with one underscore is read or written
   only on `self` or `cls` (the module's own classes), and getattr/setattr/hasattr never name one — whatever the
   object, since a static check cannot tell which names hold xlsxwriter objects. Three uses of other libraries'
   underscore names (the stdlib's, click's) are listed below with their reason; a new one has to be added there, in review.
4. Only xlsxfast/compat.py asks xlsxwriter for its version.
"""

import ast
import pkgutil
from pathlib import Path

import xlsxwriter

PACKAGE = Path(__file__).resolve().parents[1] / "dvht_sheets"
FENCE = PACKAGE / "xlsxfast"
SUBMODULES = {m.name for m in pkgutil.iter_modules(xlsxwriter.__path__)}
# (module, object, attribute): underscore names of other libraries that are their documented or only hook
ALLOWED_PRIVATE = {
    ("batch.py", "os", "_exit"),  # the stdlib's documented exit of a forked child without cleanup
    ("console.py", "module", "_"),  # click's gettext hook, replaced to translate click's own messages
    ("batch.py", "ex", "_processes"),  # ProcessPoolExecutor has no public way to end its workers at once
    # ... nor to release its manager thread from a half-sent result (batch._end_pool closes the pipe's write end)
    ("batch.py", "ex", "_result_queue"),
    ("batch.py", "results", "_writer"),
}


def _chain(node: ast.AST) -> list[str]:
    """a.b.c → ["a", "b", "c"] (empty when the chain does not start at a name)."""
    parts = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    return [node.id, *reversed(parts)] if isinstance(node, ast.Name) else []


def violations(source: str, name: str) -> list[str]:
    out = []
    tree = ast.parse(source)
    for node in ast.walk(tree):
        where = f"{name}:{getattr(node, 'lineno', '?')}"
        if isinstance(node, ast.Import):
            out += [f"{where} import {a.name}" for a in node.names
                    if a.name.startswith("xlsxwriter.")]
        elif isinstance(node, ast.ImportFrom) and node.module and node.module.split(".")[0] == "xlsxwriter":
            if node.module != "xlsxwriter":
                out.append(f"{where} from {node.module} import …")
            else:
                out += [f"{where} from xlsxwriter import {a.name}" for a in node.names
                        if a.name in SUBMODULES or a.name.startswith("_")]
        elif isinstance(node, ast.Attribute):
            chain = _chain(node)
            if chain[:1] == ["xlsxwriter"] and len(chain) > 1 and chain[1] in SUBMODULES:
                out.append(f"{where} {'.'.join(chain[:2])}")
            if chain[:2] == ["xlsxwriter", "__version__"]:
                out.append(f"{where} xlsxwriter.__version__ (ask xlsxfast.compat)")
            private = node.attr.startswith("_") and not (node.attr.startswith("__") and node.attr.endswith("__"))
            base = ast.unparse(node.value)
            if private and base not in ("self", "cls") and (name, base, node.attr) not in ALLOWED_PRIVATE:
                out.append(f"{where} {base}.{node.attr}")
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in (
                "getattr", "setattr", "hasattr", "delattr") and len(node.args) >= 2:
            key = node.args[1]
            if isinstance(key, ast.Constant) and isinstance(key.value, str) and key.value.startswith("_") \
                    and not key.value.endswith("__") and (name, ast.unparse(node.args[0]), key.value) \
                    not in ALLOWED_PRIVATE:
                out.append(f"{where} {node.func.id}(…, {key.value!r})")
        elif isinstance(node, ast.ClassDef):
            for b in node.bases:
                text = ast.unparse(b)
                if text.startswith("xlsxwriter") or text in ("Workbook", "Worksheet", "Format", "Packager"):
                    out.append(f"{where} class {node.name}({text})")
    return out


def modules_outside_the_fence() -> list[Path]:
    return [p for p in sorted(PACKAGE.rglob("*.py")) if FENCE not in p.parents]


def test_no_module_outside_xlsxfast_touches_xlsxwriter_internals():
    found = []
    for path in modules_outside_the_fence():
        found += violations(path.read_text(encoding="utf-8"), path.relative_to(PACKAGE).as_posix())
    assert found == []


def test_the_fence_is_where_it_should_be():
    outside = {p.relative_to(PACKAGE).as_posix() for p in modules_outside_the_fence()}
    assert {"report_unit.py", "report_summary.py", "template.py", "cli.py"} <= outside or \
        {"report/unit.py", "report/summary.py"} <= outside  # report_* move to report/ (issue 10, reportpkg)
    inside = sorted(p.name for p in FENCE.glob("*.py"))
    assert {"__init__.py", "compat.py", "sheets.py", "workbook.py"} <= set(inside)
    # the fence's own modules do use the internals: the rules are not vacuous there
    assert any(violations((FENCE / m).read_text(encoding="utf-8"), m) for m in ("sheets.py", "workbook.py"))
    # only compat.py knows the version
    for m in inside:
        if m != "compat.py":
            assert "__version__" not in (FENCE / m).read_text(encoding="utf-8"), m


def test_the_rules_catch_each_kind_of_breach():
    cases = {
        "from xlsxwriter.worksheet import Worksheet": "from xlsxwriter.worksheet",
        "import xlsxwriter.workbook": "import xlsxwriter.workbook",
        "from xlsxwriter import utility": "from xlsxwriter import utility",
        "import xlsxwriter\nx = xlsxwriter.format.Format": "xlsxwriter.format",
        "def f(ws):\n    ws._write_blank(0, 0, None, None)": "ws._write_blank",
        "def f(fmt):\n    return fmt._get_xf_index()": "fmt._get_xf_index",
        "def f(ws):\n    ws.table.get(1, {})._x = 1": "ws.table.get(1, {})._x",
        "def f(ws):\n    return getattr(ws, '_rendered')": "getattr(…, '_rendered')",
        "import xlsxwriter\nclass W(xlsxwriter.Workbook):\n    pass": "class W(xlsxwriter.Workbook)",
        "import xlsxwriter\nv = xlsxwriter.__version__": "xlsxwriter.__version__",
    }
    for source, expected in cases.items():
        found = violations(source, "m.py")
        assert any(expected in f for f in found), (source, found)
    allowed = ("import xlsxwriter\nfrom xlsxwriter import Workbook\nwb = xlsxwriter.Workbook('a.xlsx')\n"
               "class A:\n    def f(self):\n        return self._x, type(self).__name__\n")
    assert violations(allowed, "m.py") == []
