"""The small XML of a workbook, written the cheap way, byte for byte what xlsxwriter writes (issue 13).

A unit workbook is ~19 parts. Besides its sheets' cells, xlsxwriter writes every part and every element of a sheet's
head and tail through its generic tag writers — ~350 attributes a workbook, one call and one escape each — and most
of it is the same from one unit to the next. Writing it here saves 0.2–0.35 ms of a unit workbook's ~4 ms (measured
with this module on and off in one process).

Two ways, each exact by construction:
- kept: a part or an element whose XML depends only on a known set of fields (listed here from xlsxwriter's own
  writer, on the versions compat.py vouches for) is written once per distinct value of those fields and then reused
  (values told apart as f"{value}" writes them, see _exact, not by == alone: 9 == 9.0 and 1 == True, written apart):
  the relationship, content-type and app.xml parts, and a sheet's views, page setup and format properties;
- written here: an element that differs in nearly every unit (a sheet's dimension, its header and footer holding the
  unit's code, the workbook part with the sheets and their print titles) is an f-string with xlsxwriter's escapes.
Anything outside what is handled here (split panes, a VBA project, a read-only recommendation, a first sheet …) goes
through xlsxwriter's own writer. tests/test_xlsxfast_parts.py writes every sample unit's workbook and the summary with
these writers on and off and compares every part byte for byte.
"""

from __future__ import annotations

import contextlib
import operator
from io import StringIO

import xlsxwriter.packager
from xlsxwriter.utility import xl_rowcol_to_cell
from xlsxwriter.worksheet import Worksheet

from .compat import _XMLwriter, _module_member

# Through compat: on an xlsxwriter without one of these, compat.fast() is False and nothing here runs.
App = _module_member("xlsxwriter.app", "App") or object
ContentTypes = _module_member("xlsxwriter.contenttypes", "ContentTypes") or object
Relationships = _module_member("xlsxwriter.relationships", "Relationships") or object
_escape_attr = getattr(_XMLwriter, "_escape_attributes", None)
_escape_data = getattr(_XMLwriter, "_escape_data", None)
_escape_control = getattr(_XMLwriter, "_escape_control_characters", None)
_KEPT_LIMIT = 256  # distinct values kept per part or element; a unit workbook needs a handful


def _attr(value) -> str:
    # xlsxwriter's attribute value: text escaped, anything else as f"{value}" writes it
    return _escape_attr(None, value) if isinstance(value, str) else f"{value}"


def _data(value) -> str:
    # xlsxwriter's _xml_data_element text
    return _escape_control(_escape_data(None, value))


_TRUE, _FALSE = object(), object()  # True and False as keys: unlike 1 and 0, which they equal but are written apart


def _exact(value):
    """A field's value as a key that tells apart every two values xlsxwriter writes apart. Python's == does not:
    9 == 9.0, 1 == True and 0.0 == -0.0, hashed alike, while f"{value}" writes "9", "9.0", "True", "-0.0". Lists
    (panes, selections, relationships) become tuples. A value of another type raises TypeError: not kept."""
    cls = value.__class__
    if cls is str or cls is int or value is None:
        return value
    if cls is bool:
        return _TRUE if value else _FALSE
    if cls is float:
        return float, repr(value)
    if cls is list or cls is tuple:
        return tuple(map(_exact, value))
    if cls is dict:
        return tuple(sorted((k, _exact(v)) for k, v in value.items()))
    raise TypeError(f"not kept by value: {cls.__name__}")


def _captured(obj, write) -> str:
    """What write() writes to obj.fh, instead of writing it there."""
    real, internal = obj.fh, obj.internal_fh
    obj.fh, obj.internal_fh = StringIO(), False  # so that the writer's _xml_close leaves the buffer open
    try:
        write()
        return obj.fh.getvalue()
    finally:
        obj.fh, obj.internal_fh = real, internal


def _write_kept(obj, cache: dict, key_of, write) -> None:
    """write() for obj, or the XML it wrote before for the same key. key_of() gives the key (_exact values); a
    TypeError from it means a value not kept by value: then write() writes as it always does."""
    try:
        key = key_of()
    except TypeError:
        return write()
    xml = cache.get(key)
    if xml is None:
        xml = _captured(obj, write)
        if len(cache) >= _KEPT_LIMIT:
            cache.clear()
        cache[key] = xml
    obj.fh.write(xml)


class _KeptPart:
    """A helper part (App, ContentTypes, Relationships) whose XML is a function of its own fields alone: kept by
    their values."""

    _kept: dict

    def _key(self):
        return _exact({k: v for k, v in vars(self).items() if k not in ("fh", "internal_fh")})

    def _assemble_xml_file(self) -> None:
        _write_kept(self, self._kept, self._key, super()._assemble_xml_file)
        # when xlsxwriter's writer wrote to the part itself it closed it already; closing again does nothing
        self._xml_close()


class KeptApp(_KeptPart, App):
    _kept: dict = {}

    def _key(self):
        # the document properties hold the unit's title, which app.xml does not show: only those it writes count
        shown = tuple((k in self.properties, self.properties.get(k)) for k in ("company", "manager", "hyperlink_base"))
        return _exact((self.part_names, self.heading_pairs, self.doc_security, shown))


class KeptContentTypes(_KeptPart, ContentTypes):
    _kept: dict = {}


class KeptRelationships(_KeptPart, Relationships):
    _kept: dict = {}


_PACKAGER_CLASSES = {"App": KeptApp, "ContentTypes": KeptContentTypes, "Relationships": KeptRelationships}


@contextlib.contextmanager
def kept_parts():
    """While a workbook is stored: xlsxwriter's packager makes its helper parts from the kept classes. The packager
    creates them through these module-level names; they are swapped back afterwards, and a process stores one
    workbook at a time."""
    module = xlsxwriter.packager
    saved = {name: getattr(module, name) for name in _PACKAGER_CLASSES}
    for name, cls in _PACKAGER_CLASSES.items():
        setattr(module, name, cls)
    try:
        yield
    finally:
        for name, cls in saved.items():
            setattr(module, name, cls)


# The fields each kept sheet element reads, from Worksheet's writer of it (xlsxwriter 3.3).
_VIEW_FIELDS = ("screen_gridlines", "row_col_headers", "show_zeros", "is_right_to_left", "selected", "outline_on",
                "page_view", "top_left_cell", "zoom", "zoom_scale_normal", "is_chartsheet", "zoom_to_fit", "panes",
                "selections")
_SETUP_FIELDS = ("page_setup_changed", "paper_size", "print_scale", "fit_page", "fit_width", "fit_height",
                 "page_order", "page_start", "orientation", "black_white", "is_chartsheet", "horizontal_dpi",
                 "vertical_dpi")
_FORMAT_FIELDS = ("default_row_height", "original_row_height", "default_row_zeroed", "outline_row_level",
                  "outline_col_level", "excel_version")
_VIEW, _SETUP, _FORMAT = (operator.attrgetter(*fields) for fields in (_VIEW_FIELDS, _SETUP_FIELDS, _FORMAT_FIELDS))


class FastHeads:
    """A worksheet mixin: the head and tail elements of the sheet, around its rows, kept or written here."""

    _kept_views: dict = {}
    _kept_setup: dict = {}
    _kept_format: dict = {}

    def _kept(self, cache: dict, fields, write) -> None:
        _write_kept(self, cache, lambda: tuple(map(_exact, fields(self))), write)

    def _write_sheet_views(self) -> None:
        if self.panes and self.panes[4] == 2:  # split panes (rare, never in our workbooks): xlsxwriter's own writer
            return Worksheet._write_sheet_views(self)
        # Writing freeze panes moves the selection into them (self.selections); nothing reads it afterwards.
        self._kept(self._kept_views, _VIEW, lambda: Worksheet._write_sheet_views(self))

    def _write_page_setup(self) -> None:
        self._kept(self._kept_setup, _SETUP, lambda: Worksheet._write_page_setup(self))

    def _write_sheet_format_pr(self) -> None:
        self._kept(self._kept_format, _FORMAT, lambda: Worksheet._write_sheet_format_pr(self))

    def _write_dimension(self) -> None:
        rmin, rmax, cmin, cmax = self.dim_rowmin, self.dim_rowmax, self.dim_colmin, self.dim_colmax
        if rmin is None or cmin is None:
            return Worksheet._write_dimension(self)  # no cells, or columns only: xlsxwriter's cases
        ref = xl_rowcol_to_cell(rmin, cmin)
        if not (rmin == rmax and cmin == cmax):
            ref += ":" + xl_rowcol_to_cell(rmax, cmax)
        self.fh.write(f'<dimension ref="{ref}"/>')

    def _write_page_margins(self) -> None:
        self.fh.write(f'<pageMargins left="{_attr(self.margin_left)}" right="{_attr(self.margin_right)}" '
                      f'top="{_attr(self.margin_top)}" bottom="{_attr(self.margin_bottom)}" '
                      f'header="{_attr(self.margin_header)}" footer="{_attr(self.margin_footer)}"/>')

    def _write_header_footer(self) -> None:
        attrs = ("" if self.header_footer_scales else ' scaleWithDoc="0"') + \
                ("" if self.header_footer_aligns else ' alignWithMargins="0"')
        if self.header_footer_changed:
            head = f"<oddHeader>{_data(self.header)}</oddHeader>" if self.header else ""
            foot = f"<oddFooter>{_data(self.footer)}</oddFooter>" if self.footer else ""
            self.fh.write(f"<headerFooter{attrs}>{head}{foot}</headerFooter>")
        elif self.excel2003_style:
            self.fh.write(f"<headerFooter{attrs}/>")


_WORKBOOK_HEAD = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
                  '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
                  'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
                  '<fileVersion appName="xl" lastEdited="4" lowestEdited="4" rupBuild="4505"/>')


class FastWorkbookPart:
    """A workbook mixin: xl/workbook.xml written here (Workbook._assemble_xml_file's elements, in its order)."""

    def _assemble_xml_file(self) -> None:
        # a first sheet: xlsxwriter 3.3.0 wrote firstSheet="<firstsheet + 1>", 3.3.1 writes firstsheet (rare: not
        # worth a version test here)
        if self.vba_project or self.vba_codename or self.read_only or self.worksheet_meta.firstsheet:
            return super()._assemble_xml_file()
        self._prepare_format_properties()
        out = [_WORKBOOK_HEAD]
        pr = ' date1904="1"' if self.date_1904 else ""
        if self.default_theme_version:
            pr += f' defaultThemeVersion="{_attr(self.default_theme_version)}"'
        out.append(f"<workbookPr{pr}/>")
        view = (f'<workbookView xWindow="{_attr(self.x_window)}" yWindow="{_attr(self.y_window)}" '
                f'windowWidth="{_attr(self.window_width)}" windowHeight="{_attr(self.window_height)}"')
        if self.tab_ratio != 600:
            view += f' tabRatio="{_attr(self.tab_ratio)}"'
        if self.worksheet_meta.activesheet > 0:
            view += f' activeTab="{self.worksheet_meta.activesheet}"'
        out.append(f"<bookViews>{view}/></bookViews><sheets>")
        for number, sheet in enumerate(self.worksheets(), start=1):
            state = ' state="hidden"' if sheet.hidden == 1 else ' state="veryHidden"' if sheet.hidden == 2 else ""
            out.append(f'<sheet name="{_attr(sheet.name)}" sheetId="{number}"{state} r:id="rId{number}"/>')
        out.append("</sheets>")
        if self.defined_names:
            out.append("<definedNames>")
            for name, sheet_id, sheet_range, hidden in self.defined_names:
                attrs = f' localSheetId="{_attr(sheet_id)}"' if sheet_id != -1 else ""
                if hidden:
                    attrs += ' hidden="1"'
                out.append(f'<definedName name="{_attr(name)}"{attrs}>{_data(sheet_range)}</definedName>')
            out.append("</definedNames>")
        calc = f'<calcPr calcId="{_attr(self.calc_id)}"'
        if self.calc_mode == "manual":
            calc += ' calcMode="manual" calcOnSave="0"'
        elif self.calc_mode == "autoNoTable":
            calc += ' calcMode="autoNoTable"'
        if self.calc_on_load:
            calc += ' fullCalcOnLoad="1"'
        out.append(calc + "/></workbook>")
        self.fh.write("".join(out))
        self._xml_close()
