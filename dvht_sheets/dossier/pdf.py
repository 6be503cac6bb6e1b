"""`--pdf`: the .docx documents converted by LibreOffice, when it is installed.

One soffice process converts every file (starting LibreOffice costs seconds; a file costs a fraction), with a private
profile (-env:UserInstallation) so that it neither disturbs nor waits for a LibreOffice the user has open, and a
bounded time, after which it is stopped. Without LibreOffice, or when it fails, the .docx files stand and the caller
gets a Vietnamese message saying why.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import tempfile
from pathlib import Path

from ..findings import Code, Finding, finding
from ..report.files import atomic_write
from .render import not_written


def find_soffice() -> str | None:
    for name in ("soffice", "libreoffice"):
        found = shutil.which(name)
        if found:
            return found
    for path in ("/Applications/LibreOffice.app/Contents/MacOS/soffice",
                 r"C:\Program Files\LibreOffice\program\soffice.exe",
                 r"C:\Program Files (x86)\LibreOffice\program\soffice.exe"):
        if Path(path).is_file():
            return path
    return None


def convert(files: list[Path], timeout: float | None = None) -> tuple[list[Path], Finding | None]:
    """Convert each .docx into a .pdf beside it. Returns (PDFs written, None) or (what was written, the finding:
    DOSSIER_PDF_UNAVAILABLE, a warning, or DOSSIER_WRITE_FAILED for a PDF that could not be put in place)."""
    if not files:
        return [], None
    soffice = find_soffice()
    if soffice is None:
        return [], finding(Code.DOSSIER_PDF_UNAVAILABLE, detail="chưa cài LibreOffice (không tìm thấy lệnh soffice)")
    timeout = timeout if timeout is not None else 120 + 2 * len(files)
    # ignore_cleanup_errors: on Windows a LibreOffice stopped at its time limit may still hold files in there (its
    # soffice.bin outlives the soffice.exe this process started), and what it holds cannot be removed
    with tempfile.TemporaryDirectory(prefix="dvht-pdf-", ignore_cleanup_errors=True) as tmp:
        work = Path(tmp)
        src, out = work / "in", work / "out"
        src.mkdir()
        out.mkdir()
        # Unique names: every unit folder has its own 01-trang-bia.docx, and soffice writes into one folder.
        staged = {}
        for i, path in enumerate(files):
            name = f"{i:06d}.docx"
            shutil.copyfile(path, src / name)
            staged[name] = path
        cmd = [soffice, f"-env:UserInstallation={(work / 'profile').as_uri()}", "--headless", "--norestore",
               "--nologo", "--convert-to", "pdf", "--outdir", str(out), *(str(src / n) for n in staged)]
        try:
            proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, start_new_session=True)
        except OSError as exc:
            return [], finding(Code.DOSSIER_PDF_UNAVAILABLE, detail=f"không chạy được LibreOffice ({exc})")
        try:
            _, err = proc.communicate(timeout=timeout)
            problem = None
        except subprocess.TimeoutExpired:
            _kill(proc)
            err = b""
            problem = finding(Code.DOSSIER_PDF_UNAVAILABLE, detail=f"LibreOffice chạy quá {int(timeout)} giây nên bị dừng")
        written = []
        for name, path in staged.items():
            pdf = out / (Path(name).stem + ".pdf")
            if pdf.is_file() and pdf.stat().st_size > 0:
                target = path.with_suffix(".pdf")
                # staged beside the target and renamed (the temporary folder may be on another drive): never a
                # half-copied PDF, and Windows names a PDF a reader holds open (a rename onto an existing file fails
                # there, and shutil.move's fallback copy gave only "no permission")
                try:
                    atomic_write(target, lambda tmp, src=pdf: shutil.copyfile(src, tmp))
                except OSError as exc:  # last run's PDF still open in a reader (Windows), a full disk
                    problem = problem or finding(Code.DOSSIER_WRITE_FAILED, **not_written(target, exc))
                    continue
                written.append(target)
        if problem is None and len(written) < len(files):
            detail = (err or b"").decode("utf-8", "replace").strip().splitlines()[-1:] or ["không rõ lý do"]
            problem = finding(Code.DOSSIER_PDF_UNAVAILABLE,
                              detail=f"LibreOffice chỉ chuyển được {len(written)}/{len(files)} tệp ({detail[0][:160]})")
        return written, problem


def _kill(proc: subprocess.Popen) -> None:
    # soffice.bin is a child of the soffice script (soffice.exe on Windows): stop the whole group, or tree
    try:
        if os.name == "nt":
            subprocess.run(["taskkill", "/F", "/T", "/PID", str(proc.pid)], stdout=subprocess.DEVNULL,
                           stderr=subprocess.DEVNULL, timeout=30, check=True)
        else:
            os.killpg(proc.pid, signal.SIGKILL)
    except (OSError, AttributeError, subprocess.SubprocessError):
        proc.kill()
    proc.wait()
