"""What dvht_sheets borrows from xlsxwriter, in one place (the pattern of pandas' compat/ package).

The fast writer (sheets.py, workbook.py, cellxml.py, parts.py) overrides or reads about 100 private members of
xlsxwriter. They
are tested on the versions in TESTED_RANGE only (tests/test_xlsxfast_contract.py compares every part the fast path
writes with plain xlsxwriter's output). On any other version, when one of those members is missing, or with
DVHT_XLSX_PLAIN=1 in the environment, every workbook is written through xlsxwriter's public API instead
(PlainWorkbook, PlainSheet): slower, the same cells and styles. Nothing outside this package asks for versions or
internals: it calls xlsxfast.fast() if it wants to know.
"""

from __future__ import annotations

import os
import re
from functools import cache

import xlsxwriter

# [lowest, highest) of the versions the fast path is tested on; pyproject.toml pins the same range.
TESTED_RANGE = ((3, 3, 1), (3, 4))
PLAIN_ENV = "DVHT_XLSX_PLAIN"


def parse_version(text: str) -> tuple[int, ...]:
    """(3, 3, 1) from "3.3.1"; a version that does not parse is (0,): outside every range."""
    parts = re.findall(r"\d+", text.split("+")[0].split("-")[0])[:3] if re.match(r"^\d+(\.\d+)*", text) else []
    return tuple(int(p) for p in parts) or (0,)


XLSXWRITER_VERSION = parse_version(getattr(xlsxwriter, "__version__", ""))
VERSION_TESTED = TESTED_RANGE[0] <= XLSXWRITER_VERSION < TESTED_RANGE[1]

# The private members the fast path uses, by the object that has them (probed once, see missing_internals()).
WORKSHEET_METHODS = ("_write_cell", "_write_row", "_write_empty_row", "_xml_end_tag", "_write_blank",
                     "_write_boolean", "_write_string", "_write_single_row", "_calculate_spans", "_write_rows",
                     "_assemble_xml_file", "_write_cols", "_write_col_info", "_write_sheet_views",
                     "_write_page_setup", "_write_sheet_format_pr", "_write_dimension", "_write_page_margins",
                     "_write_header_footer")
WORKSHEET_FIELDS = ("table", "row_info", "comments", "dim_rowmin", "dim_rowmax", "dim_colmin", "dim_colmax",
                    "row_spans", "previous_row", "constant_memory", "str_table", "date_1904", "col_info",
                    "default_col_width", "max_digit_width", "cell_padding", "xls_colmax", "col_size_changed",
                    "fh", "internal_fh",
                    # parts.py: the fields of the kept and written sheet elements
                    "screen_gridlines", "row_col_headers", "show_zeros", "is_right_to_left", "selected",
                    "outline_on", "page_view", "top_left_cell", "zoom", "zoom_scale_normal", "is_chartsheet",
                    "zoom_to_fit", "panes", "selections", "page_setup_changed", "paper_size", "print_scale",
                    "fit_page", "fit_width", "fit_height", "page_order", "page_start", "orientation",
                    "black_white", "horizontal_dpi", "vertical_dpi", "default_row_height", "original_row_height",
                    "default_row_zeroed", "outline_row_level", "outline_col_level", "excel_version", "margin_left",
                    "margin_right", "margin_top", "margin_bottom", "margin_header", "margin_footer",
                    "header_footer_scales", "header_footer_aligns", "header_footer_changed", "header", "footer",
                    "excel2003_style")
WORKBOOK_METHODS = ("_store_workbook", "_get_packager", "_prepare_format_properties", "_assemble_xml_file")
WORKBOOK_FIELDS = ("formats", "default_format_properties", "xf_format_indices", "dxf_format_indices", "xf_formats",
                   "dxf_formats", "font_count", "border_count", "fill_count", "num_formats", "custom_colors",
                   "has_comments",
                   # parts.py: what workbook.xml is written from
                   "vba_project", "vba_codename", "read_only", "date_1904", "default_theme_version", "x_window",
                   "y_window", "window_width", "window_height", "tab_ratio", "worksheet_meta", "defined_names",
                   "calc_id", "calc_mode", "calc_on_load")
FORMAT_MEMBERS = ("_get_xf_index", "_get_format_key", "_get_font_key", "_get_border_key", "_format_key",
                  "xf_format_indices", "dxf_format_indices")
PACKAGER_METHODS = ("_write_styles_file", "_filename")
APP_FIELDS = ("part_names", "heading_pairs", "properties", "doc_security")  # parts.KeptApp's key


def _module_member(module: str, name: str):
    try:
        mod = __import__(module, fromlist=[name])
    except ImportError:
        return None
    return getattr(mod, name, None)


# Module-level names the fast path imports; None when this xlsxwriter has no such name.
CellStringTuple = _module_member("xlsxwriter.worksheet", "CellStringTuple")
CellNumberTuple = _module_member("xlsxwriter.worksheet", "CellNumberTuple")
ColumnInfo = _module_member("xlsxwriter.worksheet", "ColumnInfo")
xl_rowcol_to_cell_fast = _module_member("xlsxwriter.utility", "xl_rowcol_to_cell_fast")
_XMLwriter = _module_member("xlsxwriter.xmlwriter", "XMLwriter")
escape_control_characters = getattr(_XMLwriter, "_escape_control_characters", None)


@cache
def missing_internals() -> tuple[str, ...]:
    """The private members the fast path needs that this xlsxwriter lacks (probed on real objects, once)."""
    import io

    from xlsxwriter.format import Format
    from xlsxwriter.packager import Packager
    from xlsxwriter.worksheet import Worksheet  # noqa: F401  (probed: the fast sheets subclass it)

    missing = [name for name, value in (("worksheet.CellStringTuple", CellStringTuple),
                                        ("worksheet.CellNumberTuple", CellNumberTuple),
                                        ("worksheet.ColumnInfo", ColumnInfo),
                                        ("utility.xl_rowcol_to_cell_fast", xl_rowcol_to_cell_fast),
                                        ("xmlwriter.XMLwriter._escape_control_characters",
                                         escape_control_characters),
                                        ("workbook.ZipFile", _module_member("xlsxwriter.workbook", "ZipFile")),
                                        *((f"packager.{name}", _module_member("xlsxwriter.packager", name))
                                          for name in ("App", "ContentTypes", "Relationships")),
                                        ("xmlwriter.XMLwriter._escape_attributes",
                                         getattr(_XMLwriter, "_escape_attributes", None)),
                                        ("xmlwriter.XMLwriter._escape_data", getattr(_XMLwriter, "_escape_data", None)))
               if value is None]
    # FastWorksheet._cell_xml tells strings from numbers by these tuples' class names.
    if CellStringTuple is not None and CellStringTuple.__name__ != "String":
        missing.append("worksheet.CellStringTuple.__name__")
    if CellNumberTuple is not None and CellNumberTuple.__name__ != "Number":
        missing.append("worksheet.CellNumberTuple.__name__")
    try:
        wb = xlsxwriter.Workbook(io.BytesIO(), {"in_memory": True})
        ws = wb.add_worksheet()
        fmt = wb.add_format({"bold": True})
        ws.write_string(0, 0, "x", fmt)
        wb.close()  # storing the workbook sets the fields its packager reads
        app = _module_member("xlsxwriter.app", "App")
        for obj, label, names in ((ws, "worksheet", WORKSHEET_METHODS + WORKSHEET_FIELDS),
                                  (app() if app else None, "app", APP_FIELDS),
                                  (wb, "workbook", WORKBOOK_METHODS + WORKBOOK_FIELDS),
                                  (fmt, "format", FORMAT_MEMBERS), (Packager, "packager", PACKAGER_METHODS)):
            missing += [f"{label}.{n}" for n in names if not hasattr(obj, n)]
        if not hasattr(getattr(ws, "str_table", None), "_get_shared_string_index"):
            missing.append("worksheet.str_table._get_shared_string_index")
        if not isinstance(fmt, Format):
            missing.append("format.Format")
    except Exception as exc:  # an xlsxwriter that cannot even do this: the fast path is off
        missing.append(f"probe failed: {type(exc).__name__}: {exc}")
    return tuple(missing)


@cache
def fast_supported() -> bool:
    """This xlsxwriter is in the tested range and has every internal the fast path uses (computed once)."""
    return VERSION_TESTED and not missing_internals()


def fast() -> bool:
    """Whether a workbook made now is written on the fast path: supported, and not turned off by DVHT_XLSX_PLAIN
    (read each time, so a test can switch modes; worker processes inherit the environment)."""
    return os.environ.get(PLAIN_ENV, "").strip() in ("", "0") and fast_supported()
