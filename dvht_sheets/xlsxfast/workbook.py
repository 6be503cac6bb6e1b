"""The workbooks: FastWorkbook (many small in-memory workbooks: formats cloned from per-process prototypes,
styles.xml reused, the package written by PartZip), StreamWorkbook (constant_memory: rows written as they come, the
fast sheets), and PlainWorkbook (xlsxwriter's public API only, for either use). All three have add_sheet(),
add_grid_sheet() and register_formats()."""

from __future__ import annotations

import threading
import zipfile

import xlsxwriter
import xlsxwriter.workbook
from xlsxwriter.format import Format
from xlsxwriter.packager import Packager

from .partzip import PartZip
from .parts import FastWorkbookPart, kept_parts
from .sheets import FastWorksheet, GridSheet, PlainGridSheet, PlainSheet


class _CachedStylesPackager(Packager):
    """xlsxwriter's packager, with styles.xml reused while the workbook's formats are the same as the last ones."""

    _styles: dict[tuple, str] = {}

    def _write_styles_file(self) -> None:
        wb = self.workbook
        if wb.dxf_formats:
            return super()._write_styles_file()
        key = (tuple(f._get_format_key() for f in wb.xf_formats), wb.font_count, wb.border_count, wb.fill_count,
               tuple(wb.num_formats), tuple(wb.custom_colors), wb.has_comments)
        xml = self._styles.get(key)
        if xml is None:
            super()._write_styles_file()
            xml = self.filenames[-1][0].getvalue()
            if len(self._styles) >= 16:
                self._styles.clear()
            self._styles[key] = xml
        else:
            self._filename("xl/styles.xml").write(xml)


_STORING = threading.Lock()


class _OwnZip:
    """A workbook stored through a zip class of ours (zip_class) instead of zipfile.ZipFile, its helper parts made by
    the kept classes of parts.py."""

    zip_class: type

    def _store_workbook(self) -> None:
        # xlsxwriter opens its zip through this module-level name (and its packager makes its parts through others,
        # parts.kept_parts); they are swapped only while this workbook is stored, one of our workbooks at a time, so
        # that a library user storing workbooks from several threads cannot leave them swapped.
        module = xlsxwriter.workbook
        with _STORING:
            saved, module.ZipFile = module.ZipFile, self.zip_class
            try:
                with kept_parts():
                    super()._store_workbook()
            finally:
                module.ZipFile = saved


class _Sheets:
    """add_sheet / add_grid_sheet: the sheet classes of the workbook's mode."""

    sheet_class: type = FastWorksheet
    grid_class: type = GridSheet
    inline_strings = False

    def _set_sheet_classes(self) -> None:
        self.worksheet_class = self.sheet_class

    def add_sheet(self, name: str | None = None):
        ws = self.add_worksheet(name, worksheet_class=self.sheet_class)
        ws.inline_strings = self.inline_strings
        return ws

    def add_grid_sheet(self, name: str | None = None):
        """A sheet written from a grid of values (set_grid)."""
        return self.add_worksheet(name, worksheet_class=self.grid_class)

    def register_formats(self, formats=None) -> None:
        """Give these formats (default: all, in creation order) their style indices now, so that styles.xml is the
        same for every workbook of the same formats (and reused) whichever formats its cells happen to use first."""
        for fmt in self.formats if formats is None else formats:
            fmt._get_xf_index()


class _KeyedFormat(Format):
    """A Format cloned from a per-process prototype: its lookup keys (font, border, the whole format) are the
    prototype's, computed once per process instead of in every workbook. Our formats are built from their properties
    alone (report/styles.py) and never changed afterwards, so the keys cannot go stale. The fill key is not kept:
    xlsxwriter rewrites a format's fill colours while it stores the workbook (Workbook._prepare_fills) and keys the
    rewritten ones."""

    _keys: tuple[str, str]

    def _get_font_key(self) -> str:
        return self._keys[0]

    def _get_border_key(self) -> str:
        return self._keys[1]


class FastWorkbook(FastWorkbookPart, _OwnZip, _Sheets, xlsxwriter.Workbook):
    """xlsxwriter's workbook for the many small unit workbooks: formats cloned from per-process prototypes, styles.xml
    reused, and the package written by PartZip (in-memory workbooks only); text kept inline in its cells."""

    inline_strings = True
    zip_class = PartZip
    _prototypes: dict[tuple, Format] = {}

    def __init__(self, filename=None, options=None):
        super().__init__(filename, options)
        self._set_sheet_classes()

    def add_format(self, properties=None) -> Format:
        # A Format takes ~40 µs to build from its properties and a unit workbook needs two dozen, the same every time.
        try:
            key = (tuple(sorted((properties or {}).items())), tuple(sorted(self.default_format_properties.items())))
            proto = self._prototypes.get(key)
        except TypeError:  # an unhashable property value: build it the normal way
            return super().add_format(properties)
        if proto is None:
            proto = _KeyedFormat({**self.default_format_properties, **(properties or {})})
            proto._keys = (Format._get_font_key(proto), Format._get_border_key(proto))
            proto._get_format_key()
            self._prototypes[key] = proto
        fmt = _KeyedFormat.__new__(_KeyedFormat)
        fmt.__dict__.update(proto.__dict__)
        fmt.xf_format_indices, fmt.dxf_format_indices = self.xf_format_indices, self.dxf_format_indices
        self.formats.append(fmt)
        return fmt

    def _get_packager(self):
        return _CachedStylesPackager()


class _Level1ZipFile(zipfile.ZipFile):
    """zipfile at deflate level 1: the summary's long sheets are repetitive XML (tens of MB for a province), ~15 %
    larger at level 1 than at zlib's default level 6, compressed in half the time, at the end of a run when
    nothing else is left to do."""

    def __init__(self, file, mode="r", compression=zipfile.ZIP_STORED, allowZip64=True, **kwargs):
        kwargs.setdefault("compresslevel", 1)
        super().__init__(file, mode, compression, allowZip64, **kwargs)


class StreamWorkbook(FastWorkbookPart, _OwnZip, _Sheets, xlsxwriter.Workbook):
    """xlsxwriter's workbook (constant_memory) with the fast sheets: the parts are byte for byte what xlsxwriter
    writes, stored at deflate level 1."""

    zip_class = _Level1ZipFile

    def __init__(self, filename=None, options=None):
        super().__init__(filename, options)
        self._set_sheet_classes()


class PlainWorkbook(_Sheets, xlsxwriter.Workbook):
    """xlsxwriter's own workbook and public writers: what the tool writes with when the fast path is off."""

    sheet_class, grid_class = PlainSheet, PlainGridSheet

    def __init__(self, filename=None, options=None):
        super().__init__(filename, options)
        self._set_sheet_classes()

    def register_formats(self, formats=None) -> None:
        """Nothing to do: xlsxwriter numbers the styles in the order the cells use them (the same resolved styles)."""
