"""The writers of every output (the report layer): unit.py (a unit's result workbook), summary.py (tong-hop.xlsx),
stats.py (across units, pandas), exports.py (CSV, JSON), files.py (atomic writes, names, permissions) and
styles.py (colours, formats, the one value writer). Only this layer (and template.py) writes files."""
