"""Tables as CSV files a spreadsheet opens safely.

A cell that starts with `=`, `+`, `-` or `@` (or a tab or carriage return)
is a formula to Excel, LibreOffice and Google Sheets; customer questions end
up in these files, so such text cells get a leading `'` (OWASP's advice on
CSV injection). Text that is only a number ("-12.5", "-3%") is no formula
and stays as it is. Numbers are written as numbers, `None` as an empty cell.
"""

import csv
import io
import re

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
PLAIN_NUMBER = re.compile(r"[-+]?\d+(?:\.\d+)?%?")


def safe_cell(value):
    """`value` ready for a CSV cell: text that a spreadsheet would run as a formula is quoted."""
    if value is None:
        return ""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS) and not PLAIN_NUMBER.fullmatch(value):
        return "'" + value
    return value


def to_csv(header, rows):
    """The CSV text of `header` and `rows` (sequences of cells), lines ended by CRLF (RFC 4180)."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([safe_cell(cell) for cell in header])
    writer.writerows([safe_cell(cell) for cell in row] for row in rows)
    return out.getvalue()
