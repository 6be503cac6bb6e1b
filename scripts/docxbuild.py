"""Building blocks of the shipped dossier templates (python-docx), in the format of Nghị định 30/2020/NĐ-CP, Phụ lục I.

Used only by scripts/make_dossier_templates.py to write dvht_sheets/data/dossier/*.docx; it is not part of the
package: the tool renders those files with docxtpl and never builds a document in code, so a province's edited
template needs no code (style.md, docxtpl). Jinja tags are written as whole runs, so Word keeps each tag in one piece.
"""

from __future__ import annotations

import datetime as dt
import io
import re
import zipfile

from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt

FONT = "Times New Roman"
BODY_PT = 14  # NĐ 30: body 13–14 pt
# NĐ 30, Phụ lục I: top 20–25, bottom 20–25, left 30–35, right 15–20 mm.
MARGINS_MM = {"top": 20, "bottom": 20, "left": 30, "right": 15}
CENTER, LEFT, RIGHT, JUSTIFY = (WD_ALIGN_PARAGRAPH.CENTER, WD_ALIGN_PARAGRAPH.LEFT, WD_ALIGN_PARAGRAPH.RIGHT,
                                WD_ALIGN_PARAGRAPH.JUSTIFY)
FIXED_ZIP_TIME = (2026, 1, 1, 0, 0, 0)
FIXED_CORE_TIME = "2026-01-01T00:00:00Z"


def new_document(landscape: bool = False):
    doc = Document()
    normal = doc.styles["Normal"]
    normal.font.name = FONT
    normal.font.size = Pt(BODY_PT)
    rfonts = normal.element.get_or_add_rPr().get_or_add_rFonts()
    for attr in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
        rfonts.set(qn(attr), FONT)
    pf = normal.paragraph_format
    pf.space_before, pf.space_after, pf.line_spacing = Pt(0), Pt(6), 1.1
    table_style = doc.styles["Table Grid"]
    table_style.font.name = FONT
    section = doc.sections[0]
    section.page_width, section.page_height = (Mm(297), Mm(210)) if landscape else (Mm(210), Mm(297))
    section.orientation = WD_ORIENT.LANDSCAPE if landscape else WD_ORIENT.PORTRAIT
    for side, mm in MARGINS_MM.items():
        setattr(section, f"{side}_margin", Mm(mm))
    section.header_distance, section.footer_distance = Mm(10), Mm(10)
    # NĐ 30: the page number, centred in the top margin, from the second page on.
    section.different_first_page_header_footer = True
    header_p = section.header.paragraphs[0]
    header_p.alignment = CENTER
    _page_field(header_p)
    section.first_page_header.paragraphs[0].text = ""
    core = doc.core_properties
    core.author, core.last_modified_by, core.title, core.revision = "dvht-sheets", "dvht-sheets", "", 1
    return doc


def _page_field(paragraph) -> None:
    run = paragraph.add_run()
    run.font.size = Pt(13)
    for kind, text in (("begin", None), ("instr", " PAGE "), ("separate", None), ("text", "2"), ("end", None)):
        if kind == "instr":
            el = OxmlElement("w:instrText")
            el.set(qn("xml:space"), "preserve")
            el.text = text
        elif kind == "text":
            el = OxmlElement("w:t")
            el.text = text
        else:
            el = OxmlElement("w:fldChar")
            el.set(qn("w:fldCharType"), kind)
        run._r.append(el)


def para(container, text: str = "", *, bold=False, italic=False, size: float | None = None, align=JUSTIFY,
         indent=False, space_after: float | None = None, space_before: float | None = None, keep_next=False):
    """A paragraph of one run (so a Jinja tag in it stays whole)."""
    p = container.add_paragraph()
    p.alignment = align
    if indent:
        p.paragraph_format.first_line_indent = Mm(12.7)
    if space_after is not None:
        p.paragraph_format.space_after = Pt(space_after)
    if space_before is not None:
        p.paragraph_format.space_before = Pt(space_before)
    if keep_next:
        p.paragraph_format.keep_with_next = True
    if text:
        run(p, text, bold=bold, italic=italic, size=size)
    return p


def run(p, text: str, *, bold=False, italic=False, size: float | None = None):
    r = p.add_run(text)
    r.bold, r.italic = bold or None, italic or None
    if size:
        r.font.size = Pt(size)
    return r


def tag(container, statement: str):
    """A paragraph holding only a block tag ({%p … %}); docxtpl removes the paragraph when rendering."""
    p = container.add_paragraph()
    p.add_run("{%p " + statement + " %}")
    return p


def short_rule(container, width_mm: float, column_mm: float):
    """The short line under "Độc lập - Tự do - Hạnh phúc" / the unit's name / the trích yếu: an empty paragraph
    of tiny height with a bottom border, indented from both sides so that the line is width_mm long."""
    p = container.add_paragraph()
    side = max(0.0, (column_mm - width_mm) / 2)
    pf = p.paragraph_format
    pf.left_indent, pf.right_indent = Mm(side), Mm(side)
    pf.space_before, pf.space_after, pf.line_spacing = Pt(0), Pt(0), Pt(2)
    ppr = p._p.get_or_add_pPr()
    border = OxmlElement("w:pBdr")
    bottom = OxmlElement("w:bottom")
    for k, v in (("w:val", "single"), ("w:sz", "6"), ("w:space", "1"), ("w:color", "000000")):
        bottom.set(qn(k), v)
    border.append(bottom)
    ppr.append(border)
    return p


def keep_together(table) -> None:
    """A signature block never splits over two pages (its rows cannot break, its paragraphs keep together)."""
    for row in table.rows:
        row._tr.get_or_add_trPr().append(OxmlElement("w:cantSplit"))
        for cell in row.cells:
            for p in cell.paragraphs:
                p.paragraph_format.keep_with_next = True
                p.paragraph_format.keep_together = True


def no_borders(table) -> None:
    tbl_pr = table._tbl.tblPr
    borders = OxmlElement("w:tblBorders")
    for edge in ("top", "left", "bottom", "right", "insideH", "insideV"):
        el = OxmlElement(f"w:{edge}")
        el.set(qn("w:val"), "nil")
        borders.append(el)
    tbl_pr.append(borders)


def widths(table, mm: list[float]) -> None:
    """Column widths in the table grid (what LibreOffice reads) and in every cell (what Word reads)."""
    table.autofit = False
    for col, w in zip(table._tbl.tblGrid.findall(qn("w:gridCol")), mm):
        col.set(qn("w:w"), str(int(Mm(w).twips)))
    for row in table.rows:
        for cell, w in zip(row.cells, mm):
            cell.width = Mm(w)


def header_block(doc, number: str | None, *, left_top: str = "{{ co_quan_chu_quan|upper }}",
                 left_unit: str = "{{ ten_don_vi|upper }}", date_line: str = "{{ dia_danh }}, {{ ngay_van_ban }}"):
    """NĐ 30 two-column header: the parent body over the issuing unit over "Số: …" | the national motto over the
    place and date."""
    t = doc.add_table(rows=1, cols=2)
    no_borders(t)
    t.alignment = WD_TABLE_ALIGNMENT.CENTER
    widths(t, [58, 107])
    left, right = t.rows[0].cells
    left.paragraphs[0].alignment = CENTER
    run(left.paragraphs[0], left_top, size=13)
    left.paragraphs[0].paragraph_format.space_after = Pt(0)
    para(left, left_unit, bold=True, size=13, align=CENTER, space_after=0)
    short_rule(left, 25, 58)
    if number is not None:
        para(left, number, size=13, align=CENTER, space_before=4)
    right.paragraphs[0].alignment = CENTER
    run(right.paragraphs[0], "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", bold=True, size=12)
    right.paragraphs[0].paragraph_format.space_after = Pt(0)
    para(right, "Độc lập - Tự do - Hạnh phúc", bold=True, size=13.5, align=CENTER, space_after=0)
    short_rule(right, 55, 107)
    if date_line:
        para(right, date_line, italic=True, size=13.5, align=CENTER, space_before=4)
    para(doc, "", space_after=0)
    return t


def title(doc, kind: str, subject: str | None) -> None:
    """The kind of document (uppercase bold centred) and its trích yếu (bold) under it."""
    para(doc, kind, bold=True, size=14, align=CENTER, space_after=0, space_before=6, keep_next=True)
    if subject:
        para(doc, subject, bold=True, size=14, align=CENTER, space_after=0, keep_next=True)
        short_rule(doc, 40, 165)
    para(doc, "", space_after=0)


def recipients_and_signer(doc, recipients: list[str], position: str = "{{ chuc_vu_thu_truong|upper }}",
                          name: str = "{{ thu_truong }}", *, recipient_loop: str | None = None) -> None:
    """NĐ 30: "Nơi nhận:" (bold italic 12 pt, items 11 pt) on the left; the signer's position (uppercase bold) and
    name (bold) on the right."""
    para(doc, "", space_after=0)
    t = doc.add_table(rows=1, cols=2)
    no_borders(t)
    widths(t, [85, 80])
    left, right = t.rows[0].cells
    p = left.paragraphs[0]
    run(p, "Nơi nhận:", bold=True, italic=True, size=12)
    p.paragraph_format.space_after = Pt(0)
    if recipient_loop:
        tag(left, recipient_loop)
        para(left, "- {{ item }};", size=11, align=LEFT, space_after=0)
        tag(left, "endfor")
    for item in recipients:
        para(left, item, size=11, align=LEFT, space_after=0)
    rp = right.paragraphs[0]
    rp.alignment = CENTER
    run(rp, position, bold=True, size=14)
    para(right, "(Ký, ghi rõ họ tên và đóng dấu)", italic=True, size=12, align=CENTER, space_after=0)
    for _ in range(3):
        para(right, "", space_after=0)
    para(right, name, bold=True, size=14, align=CENTER)
    keep_together(t)


def table(doc, heads: list[str], col_mm: list[float], *, size: float = 12):
    """A bordered table with a bold header row that repeats on each page."""
    t = doc.add_table(rows=1, cols=len(heads))
    t.style = doc.styles["Table Grid"]
    t.alignment = WD_TABLE_ALIGNMENT.CENTER
    for cell, text in zip(t.rows[0].cells, heads):
        cell.paragraphs[0].alignment = CENTER
        run(cell.paragraphs[0], text, bold=True, size=size)
        cell.paragraphs[0].paragraph_format.space_after = Pt(0)
    tr_pr = t.rows[0]._tr.get_or_add_trPr()
    el = OxmlElement("w:tblHeader")
    tr_pr.append(el)
    widths(t, col_mm)
    return t


def table_row(t, texts: list[str], *, size: float = 12, bold=False, merge=False, aligns=None, col_mm=None):
    """A row of one-run cells; merge=True spans the first cell over the row (a group heading or a {%tr %} tag)."""
    row = t.add_row()
    cells = row.cells
    if merge:
        first = cells[0].merge(cells[-1])
        cells = [first]
    for i, (cell, text) in enumerate(zip(cells, texts)):
        p = cell.paragraphs[0]
        p.paragraph_format.space_after = Pt(0)
        p.alignment = (aligns[i] if aligns else LEFT)
        if text:
            run(p, text, bold=bold, size=size)
    if col_mm:
        for cell, w in zip(row.cells, col_mm):
            cell.width = Mm(w)
    return row


def save_reproducibly(doc, path) -> None:
    """Save with fixed zip times and core-property dates, so the shipped templates are the same bytes every run."""
    core = doc.core_properties
    core.created = core.modified = dt.datetime(2026, 1, 1)
    core.last_printed = dt.datetime(2026, 1, 1)
    _prune_styles(doc)
    buf = io.BytesIO()
    doc.save(buf)
    buf.seek(0)
    out = io.BytesIO()
    with zipfile.ZipFile(buf) as zin, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            if info.filename in DROPPED_PARTS:
                continue
            data = zin.read(info.filename)
            if info.filename.endswith(".rels") or info.filename == "[Content_Types].xml":
                data = _DROPPED_REF.sub(b"", data)
            zi = zipfile.ZipInfo(info.filename, date_time=FIXED_ZIP_TIME)
            zi.compress_type = zipfile.ZIP_DEFLATED
            zi.external_attr = 0o644 << 16
            zout.writestr(zi, data)
    with open(path, "wb") as fh:
        fh.write(out.getvalue())


# python-docx's default document carries 800 kB of styles (every built-in style, twice: styles.xml and
# stylesWithEffects.xml), a thumbnail and a customXml item. The dossier uses a handful of styles; the rest only
# slows each render (parse + deflate) tenfold and shows a long style list to the person editing the template.
KEPT_STYLES = {"Normal", "DefaultParagraphFont", "TableNormal", "NoList", "TableGrid", "Header", "HeaderChar",
               "Footer", "FooterChar"}
DROPPED_PARTS = {"word/stylesWithEffects.xml", "customXml/item1.xml", "customXml/_rels/item1.xml.rels",
                 "customXml/itemProps1.xml", "docProps/thumbnail.jpeg"}
_DROPPED_REF = re.compile(rb'<(?:Relationship|Override)\b[^>]*(?:stylesWithEffects|customXml|thumbnail)[^>]*/>')


def _prune_styles(doc) -> None:
    root = doc.styles.element
    for el in list(root):
        tag = el.tag.rsplit("}", 1)[-1]
        if tag == "latentStyles" or (tag == "style" and el.get(qn("w:styleId")) not in KEPT_STYLES):
            root.remove(el)
