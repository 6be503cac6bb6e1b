"""The command line: exit codes 0/1/2, --json equal to the library's result, help on every command.

Requirements: outputs.md "Command line" and exit status; style.md (thin CLI, CliRunner, meta-test on help).
"""

import json
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from dvht_sheets.batch import evaluate_path
from dvht_sheets.cli import cli

ROOT = Path(__file__).resolve().parents[1]
GOOD = ROOT / "dvht_sheets" / "data" / "samples" / "03-th-kim-dong.xlsx"
FAILS = ROOT / "dvht_sheets" / "data" / "samples" / "04-th-le-van-tam.xlsx"


@pytest.fixture
def runner():
    return CliRunner()


def test_check_good_file_exit_0_and_writes_result(runner, tmp_path):
    res = runner.invoke(cli, ["check", str(GOOD), "-o", str(tmp_path)])
    assert res.exit_code == 0, res.output
    assert "TH-KIMDONG – Trường Tiểu học Kim Đồng: Đạt mức độ 2" in res.output
    assert (tmp_path / "TH-KIMDONG_ket-qua.xlsx").exists()


def test_unit_that_fails_the_rules_is_still_exit_0(runner, tmp_path):
    res = runner.invoke(cli, ["check", str(FAILS), "-o", str(tmp_path)])
    assert res.exit_code == 0
    assert "Mức độ 1 chưa đạt: 2.1" in res.output


def test_json_equals_library_result(runner, tmp_path):
    res = runner.invoke(cli, ["check", str(GOOD), str(FAILS), "-o", str(tmp_path), "--json"])
    assert res.exit_code == 0
    expected = [evaluate_path(p, display_name=str(p))[0].to_json() for p in (GOOD, FAILS)]
    assert json.loads(res.output) == expected
    keys = {"file", "sha256", "unit_code", "unit_name", "unit_kind", "tier", "year", "rulebook", "members", "level",
            "grade", "points", "indicators", "findings"}
    assert set(expected[0]) == keys
    assert set(expected[0]["indicators"][0]) == {"id", "level", "applicable", "met", "numerator", "denominator",
                                                 "percent", "threshold", "evidence", "reason", "reason_code"}
    assert set(expected[1]["findings"][0]) == {"code", "severity", "sheet", "cell", "message"}
    i = next(i for i in expected[1]["indicators"] if i["id"] == "2.1" and i["level"] == 1)
    assert (i["numerator"], i["denominator"], i["percent"], i["threshold"], i["met"]) == (17, 19, 89.47, 90, False)
    # issue 10: the JSON keeps the Vietnamese reason and gains its stable code
    assert (i["reason_code"], i["reason"]) == ("members-below", "89,47 % < 90 %: còn thiếu 1 thành viên")


def test_one_bad_file_exit_1_others_still_written(runner, tmp_path):
    bad = tmp_path / "hong.xlsx"
    bad.write_bytes(b"PK\x03\x04 not really")
    out = tmp_path / "out"
    res = runner.invoke(cli, ["check", str(bad), str(GOOD), "-o", str(out)])
    assert res.exit_code == 1
    assert "KHÔNG ĐÁNH GIÁ ĐƯỢC" in res.output and "Traceback" not in res.output
    assert (out / "TH-KIMDONG_ket-qua.xlsx").exists() and (out / "hong_ket-qua.xlsx").exists()


@pytest.mark.parametrize("args", [["check"], ["check", "khong-co.xlsx"], ["template", "--cap", "xa"],
                                  ["khong-co-lenh"], ["check", str(GOOD), "--rulebook", "tt99"]])
def test_usage_errors_exit_2(runner, args):
    assert runner.invoke(cli, args).exit_code == 2


def test_template_command(runner, tmp_path):
    out = tmp_path / "mau.xlsx"
    res = runner.invoke(cli, ["template", "--cap", "tinh", "--nam", "2025", "-o", str(out)])
    assert res.exit_code == 0 and out.exists()
    assert "cấp tỉnh theo Thông tư 24/2023/TT-BGDĐT" in res.output
    res = runner.invoke(cli, ["template", "--nam", "2023", "-o", str(tmp_path / "cu.xlsx")])
    assert "Thông tư 22/2020" in res.output


def test_rules_commands(runner):
    res = runner.invoke(cli, ["rules", "list"])
    assert res.exit_code == 0 and "tt24-2023" in res.output and "tt22-2020" in res.output
    res = runner.invoke(cli, ["rules", "show", "tt24-2023"])
    assert "H2 Điều 7.2.a: Thành viên tuân thủ kỷ luật lao động" in res.output and "ngưỡng ≥ 95 %" in res.output
    res = runner.invoke(cli, ["rules", "show", "tt22-2020"])
    assert "Xếp loại Tốt: từ 85 điểm" in res.output
    res = runner.invoke(cli, ["rules", "show", "khong-co"])
    assert res.exit_code == 2 and "Không có bộ quy tắc 'khong-co'" in res.output  # a usage error


def _commands(group, prefix=()):
    for name, cmd in group.commands.items():
        if hasattr(cmd, "commands"):
            yield from _commands(cmd, prefix + (name,))
        else:
            yield prefix + (name,), cmd


@pytest.mark.parametrize("path,cmd", list(_commands(cli)), ids=lambda x: " ".join(x) if isinstance(x, tuple) else "")
def test_every_command_has_help_with_an_example(path, cmd):
    assert cmd.help and "Ví dụ:" in cmd.help
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert f"dvht {' '.join(path)}" in readme


def test_python_dash_m_and_no_traceback(tmp_path):
    res = subprocess.run([sys.executable, "-m", "dvht_sheets", "check", str(tmp_path / "nope.xlsx")],
                         capture_output=True, text=True)
    assert res.returncode == 2 and "Traceback" not in res.stderr


def test_a_rulebook_file_is_read_once_for_the_whole_batch(tmp_path, monkeypatch):
    # Before: `batch --rulebook FILE --ho-so` read the file in the CLI, in run_batch, in evaluate_folder, in every
    # batch worker and for every unit's dossier. Now once: the file is removed right after that one read, and the
    # batch, its workers and the dossiers still use its rules (a second read would fail or fall back to the year's).
    import shutil

    from dvht_sheets import rulebook as rulebooks

    from .test_amended_rulebook import amended

    path = amended(tmp_path)
    real, reads = rulebooks.load_file, []

    def read_then_remove(p):
        book = real(p)
        if Path(p) == path:  # (the bundled rulebooks are read through here too: those stay)
            reads.append(p)
            path.unlink()
        return book

    monkeypatch.setattr(rulebooks, "load_file", read_then_remove)
    src = tmp_path / "in"
    src.mkdir()
    shutil.copy(ROOT / "dvht_sheets" / "data" / "samples" / "03-th-kim-dong.xlsx", src / "a.xlsx")
    out = tmp_path / "out"
    res = CliRunner().invoke(cli, ["batch", str(src), "-o", str(out), "--jobs", "2", "--rulebook", str(path), "--ho-so"])
    assert res.exit_code == 0, res.output
    assert [str(p) for p in reads] == [str(path)]
    units = json.loads((out / "ket-qua.json").read_text(encoding="utf-8"))
    assert [(u["rulebook"], u["level"]) for u in units] == [("tt24-2023-sua", 0)]  # no column for its 2.6
    assert "2.6" in _docx_text(out / "ho-so" / "TH-KIMDONG" / "07-bao-cao.docx")  # the documents use its rules
    assert not (out / "ho-so" / "TH-KIMDONG" / "02-to-trinh.docx").exists()  # no level reached: no Tờ trình


def test_ho_so_with_an_amended_rulebook_file_writes_the_dossier(tmp_path):
    # Before: the documents looked the unit's rulebook up by its id, which only the bundled ones have, and the command
    # ended with "Lỗi không mong đợi: Không có bộ quy tắc 'tt24-2023-sua'".
    from .test_amended_rulebook import amended

    path = amended(tmp_path)
    res = CliRunner().invoke(cli, ["ho-so", str(ROOT / "dvht_sheets" / "data" / "samples" / "03-th-kim-dong.xlsx"),
                                   "-o", str(tmp_path / "o"), "--rulebook", str(path)])
    assert res.exit_code == 0, res.output
    documents = sorted(p.name for p in (tmp_path / "o" / "TH-KIMDONG").glob("*.docx"))
    assert len(documents) == 7 and "02-to-trinh.docx" not in documents  # its 2.6 is not met: no Tờ trình
    assert "2.6" in _docx_text(tmp_path / "o" / "TH-KIMDONG" / "07-bao-cao.docx")


def _docx_text(path: Path) -> str:
    import docx

    d = docx.Document(path)
    return "\n".join([p.text for p in d.paragraphs] + [c.text for t in d.tables for r in t.rows for c in r.cells])
