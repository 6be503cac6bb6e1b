"""Installed like any Python package: the wheel built from this repository, in a fresh venv, run from an empty folder.

Requirements: issue 11 "Installed like a package" (samples, roster and templates shipped as package data; LICENSE;
a CI step that builds the wheel, installs it in a fresh venv and runs `dvht demo` from an empty folder). This is that
CI step (.ci/run runs the whole suite). It needs pip to reach PyPI or its cache for the run-time dependencies; it
never skips: without them it fails, as an install by a user would.
"""

import json
import os
import shutil
import subprocess
import sys
import venv
import zipfile
from pathlib import Path

import openpyxl

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "dvht_sheets" / "data"


def _run(cmd, cwd, timeout=600):
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV", "PYTHONHOME")}
    res = subprocess.run([str(c) for c in cmd], cwd=cwd, capture_output=True, text=True, timeout=timeout, env=env)
    assert res.returncode == 0, f"{cmd}\n{res.stdout}\n{res.stderr}"
    return res


def test_wheel_installs_and_runs_from_an_empty_folder(tmp_path):
    # Built from a copy: setuptools leaves build/ in the source tree, and a stale build/lib would put files that no
    # longer exist into the wheel.
    src = tmp_path / "src"
    shutil.copytree(ROOT, src, ignore=shutil.ignore_patterns(".git", ".venv", "build", "dist", "*.egg-info", "out",
                                                               "__pycache__", ".pytest_cache", ".hypothesis"))
    dist = tmp_path / "dist"
    _run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", dist, src], cwd=tmp_path)
    [wheel] = dist.glob("dvht_sheets-*.whl")

    names = set(zipfile.ZipFile(wheel).namelist())
    samples = sorted(p.name for p in (DATA / "samples").iterdir())
    templates = sorted(p.name for p in (DATA / "templates").iterdir())
    assert len(samples) == 16 and len(templates) == 3  # 14 workbooks, the roster, their README; 3 templates
    for name in samples:
        assert f"dvht_sheets/data/samples/{name}" in names
    for name in templates:
        assert f"dvht_sheets/data/templates/{name}" in names
    assert "dvht_sheets/rulebooks/tt24_2023.toml" in names
    license_file = next(n for n in names if n.endswith(".dist-info/licenses/LICENSE"))
    assert "Copyright (c) 2026 dvht-sheets contributors" in zipfile.ZipFile(wheel).read(license_file).decode()
    assert not any(n.startswith(("tests/", "scripts/", "benchmarks/")) for n in names)

    env_dir = tmp_path / "venv"
    venv.create(env_dir, with_pip=True)
    py = env_dir / ("Scripts" if os.name == "nt" else "bin") / "python"
    dvht = py.parent / "dvht"
    _run([py, "-m", "pip", "install", "-q", "--disable-pip-version-check", wheel], cwd=tmp_path)
    installed = _run([py, "-m", "pip", "list", "--format=freeze"], cwd=tmp_path).stdout.lower()
    for test_only in ("pytest", "openpyxl", "hypothesis"):  # the run-time install has none of the extras
        assert f"{test_only}==" not in installed, test_only
    assert "pandas==" in installed  # a run-time dependency since issue 10 (statistics across units, frames())

    empty = tmp_path / "trong"
    empty.mkdir()
    res = _run([dvht, "demo"], cwd=empty)
    assert "Chưa nộp: TH-HAIBATRUNG (Trường Tiểu học Hai Bà Trưng)" in res.stdout
    assert "site-packages" in res.stdout  # the samples were read where the wheel put them
    out = empty / "out"
    # the lock and the manifest of the tool's own files (issue 9.8) are hidden files beside the outputs
    assert sorted(p.name for p in out.iterdir()) == [".dvht-lock", ".dvht-manifest", "don-vi", "ho-so",
                                                     "ket-qua.json", "tong-hop.csv", "tong-hop.xlsx"]
    levels = [r["level"] for r in json.loads((out / "ket-qua.json").read_text(encoding="utf-8"))]
    # the dossiers, from the wheel's templates: 8 documents a unit, no Tờ trình for a unit reaching no level
    assert len(list((out / "ho-so").glob("*/*.docx"))) == sum(8 - (level == 0) for level in levels)
    assert len(list((out / "don-vi").glob("*_ket-qua.xlsx"))) == 14
    summary = openpyxl.load_workbook(out / "tong-hop.xlsx", read_only=True)
    assert summary["Tổng hợp"]["A2"].value.startswith("Đã nộp: 14 đơn vị (14 tệp) · Chưa nộp: 1 đơn vị")

    res = _run([dvht, "template", "-o", "x.xlsx"], cwd=empty)
    assert "Đã ghi mẫu cấp huyện" in res.stdout
    assert "Chỉ tiêu" in openpyxl.load_workbook(empty / "x.xlsx", read_only=True).sheetnames

    res = _run([dvht, "rules", "list"], cwd=empty)
    assert "tt24-2023" in res.stdout and "tt22-2020" in res.stdout
    res = subprocess.run([dvht, "rules", "show", "nope"], cwd=empty, capture_output=True, text=True)
    assert res.returncode == 2 and "Không có bộ quy tắc 'nope'" in res.stderr and "Traceback" not in res.stderr
    assert sorted(p.name for p in empty.iterdir()) == ["out", "x.xlsx"]  # nothing else written into the folder
