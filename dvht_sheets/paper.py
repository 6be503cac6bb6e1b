"""How every sheet of every output prints on A4, and the one colour palette of results (cell fills, chart bars and the
legend's words).

Decisions (issue 11, "Paper"): a sheet prints portrait when its columns fit the width of a portrait A4 page, landscape
otherwise; it is scaled to one page wide only while the smallest type stays ≥ 8 pt on paper (scale ≥ 8 / smallest
font size, never under 75 %); a sheet wider than that prints at that least scale with its columns continued on further
pages, its header rows (and key columns, when given) repeated on every page. Each page names the sheet in its header
and carries "Trang x/y" in its footer. Wrapped text gets a row height measured here, because neither Excel nor
LibreOffice grows a row that a writer has not measured.
"""

from __future__ import annotations

import math
from functools import lru_cache

A4 = 9
# Margins in inches; the printable width in pixels at 100 % (96 px per inch) for each orientation.
MARGINS = {"left": 0.3, "right": 0.3, "top": 0.7, "bottom": 0.6}
PORTRAIT_SCALE = 85  # portrait while the columns fit a portrait page at this scale or more
PORTRAIT_PX = (8.27 - MARGINS["left"] - MARGINS["right"]) * 96
LANDSCAPE_PX = (11.69 - MARGINS["left"] - MARGINS["right"]) * 96
MIN_TYPE_PT = 8
# The workbook's default font sets the unit of column widths (its digit width). Calibri, xlsxwriter's default, is
# missing where LibreOffice runs without Microsoft's fonts and its stand-in is a third wider, so every sheet printed a
# third smaller than planned; Times New Roman (Liberation Serif, same metrics, wherever LibreOffice is) keeps a
# width of one character ≈ 7 px in Excel and LibreOffice alike. It is also the font of every cell we write.
DEFAULT_FONT = {"font_name": "Times New Roman", "font_size": 11}
PX_PER_CHAR = 7.4  # Excel rounds Times New Roman's 11 pt digit to 7 px, LibreOffice keeps 7.33: plan for the wider
MIN_SCALE = 75

# One palette for results. Lightness (greyscale Y, 0–255) steps by ~20 from one to the next, so they stay apart in
# a black-and-white print; none is near white (a bar must show on white paper) and all are light enough for black
# text. (hex, the words the legend uses)
PALETTE = {
    "level2": ("#3F8F3A", "xanh lá đậm"),   # Đạt mức độ 2 / Đạt                                    Y ≈ 109
    "fail": ("#E05A56", "đỏ"),              # Không đạt / lỗi                                       Y ≈ 130
    "tt22": ("#6F9FD8", "xanh dương"),      # Xếp loại theo TT 22/2020                              Y ≈ 151
    "none": ("#ABABAB", "xám"),             # Không áp dụng / Không đánh giá được                   Y ≈ 171
    "partial": ("#F2C14E", "vàng"),         # Đạt mức độ 2 nhưng không đạt mức độ 1 / cảnh báo      Y ≈ 195
    "level1": ("#BDEBA8", "xanh lá nhạt"),  # Đạt mức độ 1                                          Y ≈ 214
}


def colour(key: str) -> str:
    return PALETTE[key][0]


def word(key: str) -> str:
    return PALETTE[key][1]


def lightness(hex_colour: str) -> float:
    """Greyscale value (ITU-R BT.601 luma, 0–255) of a colour, as a black-and-white printer renders it."""
    r, g, b = (int(hex_colour[i:i + 2], 16) for i in (1, 3, 5))
    return 0.299 * r + 0.587 * g + 0.114 * b


def column_px(width: float) -> int:
    """A column's width in pixels for a width in characters (Excel's default font: 7 px a digit plus 5 px padding)."""
    return int(width * PX_PER_CHAR + 5) if width > 0 else 0


def layout(widths: list[float], min_font: float = 10) -> tuple[bool, int]:
    """(landscape?, scale %) for columns of these widths: one page wide when that keeps min_font ≥ 8 pt, otherwise
    the least such scale with the columns continued on further pages.

    The scale is written out rather than left to "fit to 1 page wide": LibreOffice does not shrink a sheet whose one
    column is wider than the page (it counts one page either way), and a fixed scale prints the same everywhere."""
    least = max(MIN_SCALE, math.ceil(100 * MIN_TYPE_PT / min_font))
    px = max(1, sum(column_px(w) for w in widths))
    if px * max(least, PORTRAIT_SCALE) / 100 <= PORTRAIT_PX:
        return False, min(100, math.floor(100 * PORTRAIT_PX / px))
    if px * least / 100 <= LANDSCAPE_PX:
        return True, min(100, math.floor(100 * LANDSCAPE_PX / px))
    return True, least


def setup(ws, widths: list[float], *, header_rows: tuple[int, int] | int | None = None,
          repeat_cols: tuple[int, int] | None = None, min_font: float = 10, title: str = "",
          rows: int | None = None) -> None:
    """A4 print setup for a sheet whose printed columns have these widths (characters). With rows (how many the
    sheet has), the print area is those rows and columns: text running past the last column would otherwise print on
    pages of its own."""
    landscape, scale = layout(widths, min_font)
    ws.set_paper(A4)
    if landscape:
        ws.set_landscape()
    else:
        ws.set_portrait()
    ws.set_margins(**MARGINS)
    ws.set_print_scale(scale)
    if header_rows is not None:
        first, last = header_rows if isinstance(header_rows, tuple) else (header_rows, header_rows)
        ws.repeat_rows(first, last)
    if repeat_cols is not None:
        ws.repeat_columns(*repeat_cols)
    if rows:
        ws.print_area(0, 0, rows - 1, len(widths) - 1)
    header = (title + " – " if title else "") + "&A"
    ws.set_header(f'&L&"Times New Roman,Regular"&10{_escape(header)}', {"margin": 0.3})
    ws.set_footer('&C&"Times New Roman,Regular"&10Trang &P/&N', {"margin": 0.3})


def _escape(text: str) -> str:
    # "&" starts a control code in headers; "&&" prints one. Keep "&A" (the sheet's name) as a code.
    return text.replace("&", "&&").replace("&&A", "&A")


@lru_cache(maxsize=4096)  # the long texts are mostly the rulebook's (contents, citations, requirements): per unit alike
def lines(text: str, width: float, font_size: float = 11) -> int:
    """How many lines text takes, wrapped in a column of this width (characters of the 11 pt default font)."""
    per_line = max(1, int(width * 1.15 * 11 / font_size))
    count = 0
    for part in str(text).split("\n"):
        size = len(part)
        if size * 1.4 > per_line and " " not in part:
            # A code or a file name (THPT-LYTHUONGKIET): its capitals are ~1.4 times as wide as the average letter.
            # Sentences, and parts short enough to fit whatever their letters, are counted by length alone.
            size += sum(map(str.isupper, part)) * 2 // 5
        count += max(1, -(-size // per_line))
    return count


def row_height(texts: dict[int, str], widths: list[float], font_size: float = 11, minimum: float = 15) -> float:
    """Points for a row whose wrapped texts (column → text) must show whole."""
    count = 1
    for c, text in texts.items():
        width = widths[c] if c < len(widths) else 10
        # Most cells are one short line: a length check is all they cost (a unit workbook measures ~300 a unit).
        if text and (len(text) * 1.4 > int(width * 1.15 * 11 / font_size) or "\n" in text):
            count = max(count, lines(text, width, font_size))
    return min(409, max(minimum, round(count * font_size * 1.3 + 3, 1)))
