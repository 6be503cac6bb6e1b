"""Render a .docx template (Jinja tags inside Word, docxtpl over python-docx) with a plain context dict.

The template's look is the province's business (style.md, docxtpl): this module only finds the template (a
province's edited copy from `--mau-ho-so DIR`, else the shipped one), renders it, and refuses to write a document in
which a tag was left unrendered. Every failure is a DossierError with a Vietnamese message naming the file and the
tag, never a traceback, never a silently half-filled document.

docxtpl is imported here only, and this module only by the dossier commands: a batch without --ho-so never loads it.
"""

from __future__ import annotations

import io
import re
import shutil
import zipfile
from collections.abc import Iterable
from functools import lru_cache
from importlib import resources
from pathlib import Path

from ..bundled import DOSSIER_DIR
from ..findings import Code, Finding, Severity, finding
from ..report.files import atomic_write, describe_os_error

TEMPLATES_DIR = DOSSIER_DIR
DOTS = "…………"  # dossier.md: a field left empty is a dotted blank in the documents


class DossierError(Exception):
    """A template (or the office's settings file) that cannot give a correct document, or a document that cannot be
    written. .finding is the typed finding (its code decides the exit status); str() is its message for the user."""

    def __init__(self, code: Code, **values: object):
        self.finding = finding(code, **values)
        self.code = self.finding.code
        super().__init__(self.finding.message)

    def __reduce__(self):  # a worker's exception crosses to the parent whole (the default would call __init__(message))
        return _from_finding, (self.finding,)


def _from_finding(found: Finding) -> DossierError:
    exc = DossierError.__new__(DossierError)
    exc.finding, exc.code = found, found.code
    Exception.__init__(exc, found.message)
    return exc


# outputs.md "Exit status": a dossier problem that leaves a document not written, or last run's document that is no
# longer right in place, is an output not written (3); any other error (a template, the office's settings, a file
# that could not be evaluated, a dossier worker that died) is 1, as a file the batch could not evaluate; a warning
# (no PDF without LibreOffice) changes nothing. Told by the finding's code, never by its words.
NOT_WRITTEN = frozenset({Code.DOSSIER_WRITE_FAILED, Code.DOSSIER_STALE_NOT_REMOVED})


def exit_status(problems: Iterable[Finding | None]) -> int:
    """0, 1 or 3 for a command's dossier problems (None entries, e.g. no PDF problem, are skipped)."""
    found = [p for p in problems if p is not None and p.severity != Severity.WARNING]
    if any(p.code in NOT_WRITTEN for p in found):
        return 3
    return 1 if found else 0


def add_new(errors: list[Finding], new: Iterable[Finding]) -> None:
    """Append the findings not already listed: one problem (the same template failing for every unit, the same
    document) is said once. Two findings are the same problem when their code and message are."""
    seen = {(e.code, e.message) for e in errors}
    for e in new:
        if (e.code, e.message) not in seen:
            seen.add((e.code, e.message))
            errors.append(e)


def shipped_names() -> list[str]:
    root = resources.files("dvht_sheets").joinpath("data", "dossier")
    return sorted(p.name for p in root.iterdir() if p.name.endswith(".docx"))


@lru_cache(maxsize=64)
def _shipped_bytes(name: str) -> bytes:
    return resources.files("dvht_sheets").joinpath("data", "dossier", name).read_bytes()


def copy_templates(dest: Path) -> list[Path]:
    """`dvht mau-ho-so -o DIR`: the shipped templates, for a province to edit in Word."""
    dest.mkdir(parents=True, exist_ok=True)
    written = []
    for name in shipped_names():
        target = dest / name
        atomic_write(target, lambda tmp, n=name: Path(tmp).write_bytes(_shipped_bytes(n)))
        written.append(target)
    return written


class Templates:
    """Where each template comes from: the province's folder when it has the file, else the shipped one."""

    def __init__(self, folder: Path | None = None):
        self.folder = folder
        if folder is not None:
            if not folder.is_dir() or not any((folder / n).is_file() for n in shipped_names()):
                raise DossierError(Code.DOSSIER_TEMPLATE_MISSING, file=str(folder),
                                   expected="', '".join(shipped_names()))

    def source(self, name: str) -> str:
        if self.folder is not None and (self.folder / name).is_file():
            return str(self.folder / name)
        return f"(mẫu gốc) {name}"

    def data(self, name: str) -> bytes:
        if self.folder is not None and (self.folder / name).is_file():
            return _read_cached(str(self.folder / name), (self.folder / name).stat().st_mtime_ns)
        return _shipped_bytes(name)


@lru_cache(maxsize=64)
def _read_cached(path: str, _mtime: int) -> bytes:
    return Path(path).read_bytes()


@lru_cache(maxsize=1)
def _env():
    import jinja2

    class _Env(jinja2.Environment):
        # docxtpl compiles each XML part of a template anew on every render; a batch renders the same dozen
        # templates for every unit, so the compiled form is kept (a third of a document's time otherwise).
        @lru_cache(maxsize=256)
        def from_string(self, source, globals=None, template_class=None):  # type: ignore[override]
            return super().from_string(source, globals, template_class)

    # StrictUndefined: a tag whose name the context does not have is an error naming it, never an empty string.
    return _Env(undefined=jinja2.StrictUndefined, autoescape=True)


_LEFT_TAG = re.compile(r"\{\{.*?\}\}|\{%.*?%\}|\{\{|\{%|\}\}|%\}")
_XML_TEXT = re.compile(r"<w:t(?:\s[^>]*)?>([^<]*)</w:t>")
_UNDEFINED = re.compile(r"'([^']+)' is undefined|has no attribute '([^']+)'")


def render(templates: Templates, name: str, context: dict, target: Path) -> Path:
    """Render one template into target (written atomically). Raises DossierError naming the file and the tag."""
    import jinja2
    from docxtpl import DocxTemplate

    source = templates.source(name)
    try:
        tpl = DocxTemplate(io.BytesIO(templates.data(name)))
        tpl.render(context, jinja_env=_env(), autoescape=True)
    except jinja2.UndefinedError as exc:
        m = _UNDEFINED.search(str(exc))
        tag = (m.group(1) or m.group(2)) if m else str(exc)
        raise DossierError(Code.DOSSIER_TEMPLATE_TAG, file=source, detail="{{ " + tag + " }}") from None
    except jinja2.TemplateSyntaxError as exc:
        raise DossierError(Code.DOSSIER_TEMPLATE_INVALID, file=source,
                           detail=f"thẻ viết sai ({exc.message})") from None
    except (zipfile.BadZipFile, KeyError, ValueError) as exc:
        raise DossierError(Code.DOSSIER_TEMPLATE_INVALID, file=source,
                           detail=f"không phải tệp Word .docx hợp lệ ({type(exc).__name__})") from None
    except Exception as exc:  # docxtpl/lxml on a damaged document: the message names the file, never a traceback
        raise DossierError(Code.DOSSIER_TEMPLATE_INVALID, file=source,
                           detail=f"{type(exc).__name__}: {str(exc)[:160]}") from None
    buf = io.BytesIO()
    tpl.save(buf)
    data = buf.getvalue()
    left = leftover_tags(data)
    if left:
        raise DossierError(Code.DOSSIER_TEMPLATE_TAG, file=source, detail=", ".join(left[:3]))
    try:
        atomic_write(target, lambda tmp: Path(tmp).write_bytes(data))
    except OSError as exc:  # a full disk, or (Windows) last run's document still open in Word
        raise DossierError(Code.DOSSIER_WRITE_FAILED, **not_written(target, exc)) from None
    return target


def not_written(path: Path, exc: OSError) -> dict[str, str]:
    """DOSSIER_WRITE_FAILED's and DOSSIER_STALE_NOT_REMOVED's values for a document that could not be written or
    removed: its folder and name (the unit's, or ho-so/ for the office's), and the cause."""
    return {"file": f"{path.parent.name}/{path.name}", "detail": describe_os_error(exc)}


def remove_own(path: Path) -> Finding | None:
    """Remove a document this tool wrote on an earlier run; the finding when it cannot (open in Word on Windows)."""
    try:
        path.unlink()
    except FileNotFoundError:
        pass
    except OSError as exc:
        return finding(Code.DOSSIER_STALE_NOT_REMOVED, **not_written(path, exc))
    return None


def leftover_tags(docx: bytes) -> list[str]:
    """Jinja tags or tag fragments still in a rendered document's text (body, headers, footers, notes)."""
    found: list[str] = []
    with zipfile.ZipFile(io.BytesIO(docx)) as zf:
        for part in zf.namelist():
            if part.startswith("word/") and part.endswith(".xml"):
                xml = zf.read(part).decode("utf-8", "replace")
                paragraphs = re.split(r"</w:p>", xml)
                for p in paragraphs:
                    text = "".join(_XML_TEXT.findall(p))
                    for m in _LEFT_TAG.finditer(text):
                        if m.group(0) not in found:
                            found.append(m.group(0))
    return found


def copy_file(src: Path, dest: Path) -> None:
    atomic_write(dest, lambda tmp: shutil.copyfile(src, tmp))
