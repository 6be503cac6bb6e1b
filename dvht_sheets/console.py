"""What the command line needs from the console: output that no encoding can break, and click speaking Vietnamese.

outputs.md: "no console encoding (a Windows console or a redirected output in cp1252/cp1258) can make a command fail".
`dvht batch … > log.txt` on Windows writes in the ANSI code page; Python's default there is errors="strict", so the
first "ư" killed the command with "'charmap' codec can't encode …" after the files were written. Instead of dropping
to "?", each character the encoding lacks is rebuilt from its parts: cp1258 holds the base letters with circumflex,
breve and horn (â, ê, ô, ă, ơ, ư, đ) and the five tone marks as combining characters, which is how Vietnamese is
written in that code page, so "Đạt mức độ" survives whole; cp1252 keeps what it can ("Đạt" → "Dat", "độ" → "dô"),
and only what has no part at all becomes "?".
"""

from __future__ import annotations

import codecs
import functools
import gettext
import itertools
import sys
import unicodedata

ERRORS = "dvht-fold"

# Characters with no decomposition that the tool prints; ASCII look-alikes read better than "?".
_ASCII = {
    "Đ": "D", "đ": "d", "≥": ">=", "≤": "<=", "→": "->", "←": "<-", "…": "...", "–": "-", "—": "-", "“": '"',
    "”": '"', "‘": "'", "’": "'", "·": ".", "×": "x", "•": "*", "\u00a0": " ", "━": "-", "─": "-", "│": "|",
}


def _encodable(text: str, encoding: str) -> bool:
    try:
        text.encode(encoding)
    except (UnicodeEncodeError, LookupError):
        return False
    return True


@functools.lru_cache(maxsize=4096)
def fold_char(ch: str, encoding: str) -> str:
    """ch as the encoding can show it: composed where it can, base letter + combining marks where it cannot."""
    if _encodable(ch, encoding):
        return ch
    decomposed = unicodedata.normalize("NFD", ch)
    base, marks = decomposed[0], decomposed[1:]
    best, best_kept = None, -1
    if marks:
        # Compose any subset of the marks into the base (e.g. "ộ" = o + dot below + circumflex: "ô" composed, the dot
        # below kept as a combining mark); keep the other marks the encoding has, drop the rest. Most marks wins.
        for size in range(len(marks), -1, -1):
            for chosen in itertools.combinations(range(len(marks)), size):
                head = unicodedata.normalize("NFC", base + "".join(marks[i] for i in chosen))
                if len(head) != 1 or not _encodable(head, encoding):
                    continue
                rest = [m for i, m in enumerate(marks) if i not in chosen]
                kept = [m for m in rest if _encodable(m, encoding)]
                if size + len(kept) > best_kept:
                    best, best_kept = head + "".join(kept), size + len(kept)
    if best is not None and _encodable(best, encoding):
        return best
    if base in _ASCII and _encodable(_ASCII[base], encoding):
        return _ASCII[base]
    if _encodable(base, encoding) and base != ch:
        return base
    return "?" if _encodable("?", encoding) else ""


def _handler_for(encoding: str):
    def fold_errors(exc: UnicodeError) -> tuple[str, int]:
        if not isinstance(exc, UnicodeEncodeError):
            raise exc
        text = exc.object[exc.start:exc.end]
        return "".join(fold_char(ch, encoding) for ch in text), exc.end

    return fold_errors


def errors_for(encoding: str) -> str:
    """The name of the error handler that folds for this encoding (registered on first use).

    One handler per encoding: the charmap codecs (cp1252, cp1258) report exc.encoding as "charmap", so the handler
    cannot learn from the exception which characters its encoding holds.
    """
    name = codecs.lookup(encoding).name
    errors = f"{ERRORS}-{name}"
    try:
        codecs.lookup_error(errors)
    except LookupError:
        codecs.register_error(errors, _handler_for(name))
    return errors


def fold(text: str, encoding: str) -> str:
    """text as a console in that encoding shows it (what the streams write, decoded back)."""
    return text.encode(encoding, errors_for(encoding)).decode(encoding)


def make_streams_safe() -> None:
    """Keep the console's encoding but never fail on a character it lacks (stdout and stderr)."""
    for name in ("stdout", "stderr"):
        stream = getattr(sys, name, None)
        reconfigure = getattr(stream, "reconfigure", None)
        if reconfigure is None:
            continue
        try:
            reconfigure(errors=errors_for(stream.encoding or "utf-8"))
        except (ValueError, OSError, LookupError):  # a closed or detached stream: nothing will be written to it
            pass


# ---------------------------------------------------------------------------------------------------- click in Vietnamese

# click 8 marks every message it prints with gettext (`from gettext import gettext as _` in each module); these are the
# ones a user of dvht can meet. Keys are click's English text, verbatim.
_VI = {
    "Usage:": "Cách dùng:",
    "Options": "Tuỳ chọn",
    "Commands": "Lệnh",
    "Positional arguments": "Đối số",
    "Show this message and exit.": "Hiện hướng dẫn này rồi thoát.",
    "Show the version and exit.": "Hiện phiên bản rồi thoát.",
    "%(prog)s, version %(version)s": "%(prog)s, phiên bản %(version)s",
    "Error: {message}": "Lỗi: {message}",
    "Try '{command} {option}' for help.": "Xem hướng dẫn: {command} {option}",
    "Aborted!": "Đã dừng.",
    "Missing command.": "Thiếu tên lệnh.",
    "Missing argument": "Thiếu đối số",
    "Missing option": "Thiếu tuỳ chọn",
    "Missing parameter": "Thiếu tham số",
    "Missing {param_type}": "Thiếu {param_type}",
    "Missing parameter: {param_name}": "Thiếu tham số: {param_name}",
    "No such option {name!r}.": "Không có tuỳ chọn {name!r}.",
    "No such command {name!r}.": "Không có lệnh {name!r}.",
    "Invalid value for {param_hint}: {message}": "Giá trị không hợp lệ cho {param_hint}: {message}",
    "Invalid value: {message}": "Giá trị không hợp lệ: {message}",
    "Could not open file {filename!r}: {message}": "Không mở được tệp {filename!r}: {message}",
    "unknown error": "lỗi không rõ",
    "Option {name!r} does not take a value.": "Tuỳ chọn {name!r} không nhận giá trị.",
    "Argument {name!r} takes {nargs} values.": "Đối số {name!r} cần {nargs} giá trị.",
    "Invalid start character for option ({option})": "Ký tự đầu không hợp lệ cho tuỳ chọn ({option})",
    "Value must be an iterable.": "Giá trị phải là một dãy.",
    "Choose from:\n\t{choices}": "Chọn một trong:\n\t{choices}",
    "{value} is not in the range {range}.": "{value} nằm ngoài khoảng cho phép {range}.",
    "{value!r} is not a valid {number_type}.": "{value!r} không phải {number_type} hợp lệ.",
    "{value!r} is not a valid boolean. Recognized values: {states}":
        "{value!r} không phải giá trị có/không hợp lệ. Các giá trị nhận được: {states}",
    "{value!r} is not a valid UUID.": "{value!r} không phải UUID hợp lệ.",
    "file": "tệp",
    "directory": "thư mục",
    "path": "đường dẫn",
    "{name} {filename!r} does not exist.": "{name} {filename!r} không tồn tại.",
    "{name} {filename!r} is a file.": "{name} {filename!r} là một tệp, không phải thư mục.",
    "{name} {filename!r} is a directory.": "{name} {filename!r} là một thư mục, không phải tệp.",
    "{name} {filename!r} is not readable.": "{name} {filename!r} không đọc được (không có quyền đọc).",
    "{name} {filename!r} is not writable.": "{name} {filename!r} không ghi được (không có quyền ghi).",
    "{name} {filename!r} is not executable.": "{name} {filename!r} không chạy được.",
    "env var: {var}": "biến môi trường: {var}",
    "default: {default}": "mặc định: {default}",
    "required": "bắt buộc",
    "(dynamic)": "(tuỳ lúc chạy)",
    "deprecated": "không còn dùng",
}
_VI_N = {
    "Got unexpected extra argument ({args})": ("Thừa đối số ({args})", "Thừa đối số ({args})"),
    "Did you mean {possibility}?": ("Có phải ý bạn là {possibility}?",
                                    "(Có phải ý bạn là một trong: {possibilities}?)"),
    "Option {name!r} requires an argument.": ("Tuỳ chọn {name!r} cần một giá trị.",
                                              "Tuỳ chọn {name!r} cần {nargs} giá trị."),
    "{value!r} is not {choice}.": ("{value!r} không phải {choice}.", "{value!r} không thuộc các giá trị {choices}."),
    "Takes {nargs} values but 1 was given.": ("Cần {nargs} giá trị nhưng chỉ có 1.",
                                              "Cần {nargs} giá trị nhưng có {len}."),
    "{value!r} does not match the format {format}.": ("{value!r} không đúng định dạng {format}.",
                                                      "{value!r} không đúng các định dạng {formats}."),
}
# Words click puts into the messages above from its own attributes (type names, title-cased path kinds).
_WORDS = {"integer": "số nguyên", "float": "số", "integer range": "số nguyên", "float range": "số", "Tệp": "Tệp", "Thư Mục": "Thư mục", "Đường Dẫn": "Đường dẫn"}


class _Message(str):
    """A translated template whose format() also translates click's words inserted into it."""

    def format(self, *args, **kwargs):  # noqa: A003 - str.format's own name
        return str.format(self, *args, **{k: _WORDS.get(v, v) if isinstance(v, str) else v
                                          for k, v in kwargs.items()})


def _gettext(message: str) -> str:
    vi = _VI.get(message)
    return _Message(vi) if vi is not None else gettext.gettext(message)


def _ngettext(singular: str, plural: str, n: int) -> str:
    vi = _VI_N.get(singular)
    if vi is None:
        return gettext.ngettext(singular, plural, n)
    return _Message(vi[0] if n == 1 else vi[1])


@functools.cache
def speak_vietnamese() -> None:
    """Point click's gettext calls at the table above (module globals, looked up at call time)."""
    import click.core
    import click.decorators
    import click.exceptions
    import click.formatting
    import click.parser
    import click.termui
    import click.types
    import click.utils

    for module in (click.core, click.decorators, click.exceptions, click.formatting, click.parser, click.termui,
                   click.types, click.utils):
        if hasattr(module, "_"):
            module._ = _gettext
        if hasattr(module, "ngettext"):
            module.ngettext = _ngettext


def _metavar(param) -> str | None:
    """A Vietnamese placeholder for a parameter declared without one (click's are FILE, INTEGER RANGE, TEXT …)."""
    import click

    kind = param.type
    if isinstance(kind, click.Path):
        word = "TỆP" if kind.file_okay and not kind.dir_okay else "THƯ_MỤC" if kind.dir_okay and not kind.file_okay \
            else "ĐƯỜNG_DẪN"
    elif isinstance(kind, (click.types.IntParamType, click.types.FloatParamType)):
        word = "SỐ"
    elif isinstance(kind, click.types.StringParamType):
        word = "GIÁ_TRỊ"
    else:
        return None  # choices show their values ([huyen|tinh]), flags show nothing
    if isinstance(param, click.Argument) and param.nargs != 1:
        word += "..."
    return word


def vietnamese_command_classes():
    """click Command/Group classes whose usage line and placeholders are Vietnamese ([TUỲ CHỌN], TỆP..., SỐ)."""
    import click

    class Command(click.Command):
        def __init__(self, *args, **kwargs):
            kwargs.setdefault("options_metavar", "[TUỲ CHỌN]")
            super().__init__(*args, **kwargs)
            for param in self.params:
                if param.metavar is None and not getattr(param, "is_flag", False):
                    param.metavar = _metavar(param)

    class Group(click.Group):
        command_class = Command
        group_class = type  # subgroups (dvht rules) are made of this class too

        def __init__(self, *args, **kwargs):
            kwargs.setdefault("options_metavar", "[TUỲ CHỌN]")
            kwargs.setdefault("subcommand_metavar", "LỆNH [ĐỐI SỐ]...")
            super().__init__(*args, **kwargs)

    return Command, Group
