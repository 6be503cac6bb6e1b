"""Windows consoles and click's own messages: no console encoding makes a command fail, and usage errors are
Vietnamese with exit status 2.

Requirements: outputs.md "Exit status" (no console encoding can make a command fail; 2 for usage errors); issue 11
"Windows consoles". A cp1258/cp1252 console or a redirected output is reproduced on Linux with PYTHONIOENCODING,
both through a pipe and through a pseudo-terminal (so rich sees a terminal and draws its progress bar and table).
"""

import os
import pty
import select
import subprocess
import sys
import unicodedata
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner

from dvht_sheets import bundled
from dvht_sheets.cli import cli
from dvht_sheets.console import fold, fold_char

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "dvht_sheets" / "data" / "samples" / "04-th-le-van-tam.xlsx"
NFC = lambda s: unicodedata.normalize("NFC", s)  # noqa: E731


# ------------------------------------------------------------------------------------------------ folding characters

def test_cp1258_keeps_vietnamese_whole_as_base_letter_plus_tone_mark():
    text = "Đạt mức độ 2; Quy định về đánh giá “Đơn vị học tập”; Trường Tiểu học Hai Bà Trưng; Lỗi; ỹ Ỵ ữ ẫ"
    shown = fold(text, "cp1258")
    assert NFC(shown) == text  # every letter survives: what a cp1258 console displays is the same text
    assert shown != text  # … written the cp1258 way, with combining tone marks
    assert fold_char("ộ", "cp1258") == "ô\u0323"  # o + circumflex composed (0xF4), dot below combining (0xF2)
    assert fold_char("ễ", "cp1258") == "ê\u0303"
    assert fold_char("ã", "cp1258") == "a\u0303"  # cp1258 has no precomposed ã (0xE3 is ă)
    assert fold("ngưỡng ≥ 95 %", "cp1258") == "ngươ\u0303ng >= 95 %"  # ỡ = ơ (0xF5) + tilde (0xDE)


def test_cp1252_keeps_what_it_has_and_drops_only_missing_marks():
    assert fold("Đạt mức độ 2", "cp1252") == "Dat múc dô 2"
    assert fold("Không đánh giá được", "cp1252") == "Không dánh giá duoc"
    assert fold("Trường Tiểu học", "cp1252") == "Truòng Tiêu hoc"
    assert fold("“Đơn vị” – ≥", "cp1252") == "“Don vi” – >="  # cp1252 has the quotes and the en dash
    assert fold("Lỗi không mong đợi", "ascii") == "Loi khong mong doi"
    assert fold("\udcff", "utf-8") == "?"  # a lone surrogate (an undecodable file name) does not fail UTF-8 either


# ------------------------------------------------------------------------------------------------ real consoles

def _run_pipe(args, env, cwd):
    res = subprocess.run([sys.executable, "-m", "dvht_sheets", *args], capture_output=True, env=env, cwd=cwd,
                         timeout=300)
    return res.returncode, res.stdout + res.stderr


def _run_tty(args, env, cwd):
    master, slave = pty.openpty()
    proc = subprocess.Popen([sys.executable, "-m", "dvht_sheets", *args], stdin=slave, stdout=slave, stderr=slave,
                            env=env, cwd=cwd)
    os.close(slave)
    out = b""
    while True:
        ready, _, _ = select.select([master], [], [], 300)
        if not ready:
            proc.kill()
            raise AssertionError("no output for 300 s")
        try:
            chunk = os.read(master, 65536)
        except OSError:  # EIO: the child closed the terminal
            break
        if not chunk:
            break
        out += chunk
    os.close(master)
    return proc.wait(timeout=60), out


COMMANDS = [
    # (arguments, exit status, text that must be readable in the output)
    (["--help"], 0, "Cách dùng: python -m dvht_sheets [TUỲ CHỌN] LỆNH [ĐỐI SỐ]..."),
    (["template", "-o", "mau.xlsx"], 0, "Đã ghi mẫu cấp huyện"),
    (["check", str(SAMPLE), "-o", "kq"], 0, "Mức độ 1 chưa đạt: 2.1"),
    (["rules", "list"], 0, "năm đánh giá"),
    (["rules", "show", "tt24-2023"], 0, "Thành viên tuân thủ kỷ luật lao động"),
    (["check", "khong-co.xlsx"], 2, "Tệp 'khong-co.xlsx' không tồn tại."),
    (["rules", "show", "nope"], 2, "Không có bộ quy tắc 'nope'"),
    (["demo", "-o", "out", "--jobs", "2"], 0, "Chưa nộp: TH-HAIBATRUNG"),
]


@pytest.mark.parametrize("mode", ["pipe", "tty"])
@pytest.mark.parametrize("encoding", ["cp1258", "cp1252"])
def test_every_command_survives_a_windows_code_page(tmp_path, encoding, mode):
    env = {**os.environ, "PYTHONIOENCODING": encoding, "COLUMNS": "160"}
    env.pop("PYTHONUTF8", None)
    run = _run_pipe if mode == "pipe" else _run_tty
    for args, status, readable in COMMANDS:
        code, raw = run(args, env, tmp_path)
        out = NFC(raw.decode(encoding))
        assert code == status, (args, out)
        assert "Traceback" not in out and "codec" not in out and "Lỗi không mong đợi" not in out, (args, out)
        expected = readable if encoding == "cp1258" else fold(readable, "cp1252")
        assert expected in out.replace("\r\n", "\n"), (args, out)
    assert (tmp_path / "mau.xlsx").is_file() and (tmp_path / "kq" / "TH-LEVANTAM_ket-qua.xlsx").is_file()
    assert (tmp_path / "out" / "tong-hop.xlsx").is_file()


# ------------------------------------------------------------------------------------------------ usage errors

USAGE_ERRORS = [
    (["check"], "Lỗi: Thiếu đối số 'TỆP...'.", "Cách dùng: dvht check [TUỲ CHỌN] TỆP..."),
    (["khong-co-lenh"], "Lỗi: Không có lệnh 'khong-co-lenh'.", "Cách dùng: dvht [TUỲ CHỌN] LỆNH [ĐỐI SỐ]..."),
    (["check", "--xyz"], "Lỗi: Không có tuỳ chọn '--xyz'.", "Xem hướng dẫn: dvht check --help"),
    (["check", "--jsn"], "Lỗi: Không có tuỳ chọn '--jsn'. Có phải ý bạn là '--json'?", "Cách dùng: dvht check"),
    (["template", "--cap", "xa"], "Lỗi: Giá trị không hợp lệ cho '--cap': 'xa' không thuộc các giá trị 'huyen', "
                                  "'tinh'.", "Cách dùng: dvht template [TUỲ CHỌN]"),
    (["template", "--nam", "abc"], "Lỗi: Giá trị không hợp lệ cho '--nam': 'abc' không phải số nguyên hợp lệ.",
     "Xem hướng dẫn: dvht template --help"),
    (["template", "--nam", "1800"], "Lỗi: Giá trị không hợp lệ cho '--nam': 1800 nằm ngoài khoảng cho phép "
                                    "1990<=x<=2100.", "Cách dùng: dvht template"),
    (["check", "khong-co.xlsx"], "Lỗi: Giá trị không hợp lệ cho 'TỆP...': Tệp 'khong-co.xlsx' không tồn tại.",
     "Cách dùng: dvht check"),
    (["batch", "khong-co", "-o", "x"], "Lỗi: Giá trị không hợp lệ cho 'THƯ_MỤC': Thư mục 'khong-co' không tồn tại.",
     "Cách dùng: dvht batch"),
    (["batch", "."], "Lỗi: Thiếu tuỳ chọn '-o' / '--output'.", "Cách dùng: dvht batch"),
    (["check", str(SAMPLE), "-o"], "Lỗi: Tuỳ chọn '-o' cần một giá trị.", ""),  # click gives no usage line here
    (["rules", "show", "nope"], "Lỗi: Giá trị không hợp lệ cho 'ID': Không có bộ quy tắc 'nope'. Các bộ có sẵn: "
                                "tt22-2020, tt24-2023", "Cách dùng: dvht rules show [TUỲ CHỌN] ID"),
    (["rules"], "", "Cách dùng: dvht rules [TUỲ CHỌN] LỆNH [ĐỐI SỐ]..."),
    (["rules", "list", "thua"], "Lỗi: Thừa đối số (thua)", "Cách dùng: dvht rules list"),
]


@pytest.mark.parametrize("args,error,usage", USAGE_ERRORS, ids=lambda x: " ".join(x) if isinstance(x, list) else "")
def test_usage_errors_are_vietnamese_and_exit_2(tmp_path, args, error, usage):
    res = CliRunner().invoke(cli, args)
    assert res.exit_code == 2, res.output
    assert usage in res.output and error in res.output
    for english in ("Usage:", "Error:", "Try '", "Missing", "No such", "Invalid value", "does not exist"):
        assert english not in res.output


def test_usage_error_through_the_entry_point_has_no_traceback(tmp_path):
    code, out = _run_pipe(["rules", "show", "nope"], {**os.environ, "PYTHONIOENCODING": "utf-8"}, tmp_path)
    assert code == 2 and "Traceback" not in out.decode()
    assert "Lỗi: Giá trị không hợp lệ cho 'ID': Không có bộ quy tắc 'nope'." in out.decode()


def _all_commands(group, prefix=()):
    yield prefix, group
    for name, cmd in group.commands.items():
        yield from _all_commands(cmd, prefix + (name,)) if hasattr(cmd, "commands") else [(prefix + (name,), cmd)]


@pytest.mark.parametrize("path", [p for p, _ in _all_commands(cli)], ids=lambda p: " ".join(p) or "dvht")
def test_help_has_no_english_from_click(path):
    res = CliRunner().invoke(cli, [*path, "--help"])
    assert res.exit_code == 0
    assert "Cách dùng: dvht" in res.output and "Tuỳ chọn:" in res.output
    assert "Hiện hướng dẫn này rồi thoát." in res.output
    for english in ("Usage:", "Options:", "Commands:", "Show this message", "[OPTIONS]", "default:", "INTEGER",
                    "DIRECTORY", "FILE", "PATH", "TEXT", "COMMAND"):
        assert english not in res.output, english


def test_version_is_vietnamese():
    res = CliRunner().invoke(cli, ["--version"])
    assert res.exit_code == 0 and res.output.startswith("dvht, phiên bản ")


# ------------------------------------------------------------------------------------------------ bundled files

def test_bundled_samples_are_read_from_a_zipped_install(tmp_path, monkeypatch):
    archive = tmp_path / "site.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        zf.writestr("dvht_sheets/data/samples/a.xlsx", b"PK fake")
        zf.writestr("dvht_sheets/data/samples/danh-sach-don-vi.csv", "Mã đơn vị,Tên đơn vị\n".encode())
    monkeypatch.setattr(bundled.resources, "files", lambda _pkg: zipfile.Path(archive, "dvht_sheets/"))
    with bundled.bundled_dir("samples") as folder:
        assert sorted(p.name for p in folder.iterdir()) == ["a.xlsx", "danh-sach-don-vi.csv"]
        assert (folder / "a.xlsx").read_bytes() == b"PK fake"
    assert not folder.exists()  # the temporary copy is gone afterwards
    with pytest.raises(bundled.MissingBundledFiles):
        with bundled.bundled_dir("templates"):
            pass


def test_a_missing_data_folder_is_a_vietnamese_error(tmp_path, monkeypatch):
    monkeypatch.setattr(bundled.resources, "files", lambda _pkg: tmp_path)
    res = CliRunner().invoke(cli, ["demo", "-o", str(tmp_path / "out")])
    assert res.exit_code == 1
    assert "Lỗi: Bản cài đặt thiếu thư mục sổ tính mẫu" in res.output and "hãy cài lại gói dvht-sheets" in res.output
