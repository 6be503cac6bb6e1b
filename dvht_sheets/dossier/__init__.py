"""The dossier (hồ sơ, issue 12, dossier.md): the eight documents a unit files for recognition and the recognising
office's documents, as Word files rendered from editable .docx templates.

Modules: context (UnitResult + Submission → plain dict, every number written the Vietnamese way from the same result
objects as the result workbook and the JSON), render (docxtpl + unrendered-tag detection), unit (one unit's folder),
office (the office settings and the batch's documents), pdf (LibreOffice conversion). Nothing here is imported by a
run without --ho-so: docxtpl is loaded lazily.
"""
