"""``audit --format csv``: one row per (user, risky right), columns ``username,right,tier,active,path``.

Cells are neutralised against CSV injection as OWASP advises: a cell starting with ``=``, ``+``, ``-``,
``@``, tab or carriage return gets a leading single quote, so a spreadsheet shows it as text.
https://owasp.org/www-community/attacks/CSV_Injection
Every org string passes the sanitiser (values/visible.py) first. ``path`` joins several paths with " | ".
"""

from __future__ import annotations

import csv
import io

from leastforce.checks.audit.holders import right_holders
from leastforce.checks.audit.model import AuditResult
from leastforce.values.visible import visible

COLUMNS = ("username", "right", "tier", "active", "path")
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(text: str) -> str:
    """The cell as shown to people, with a formula-looking start defused (OWASP CSV injection)."""
    shown = visible(text)
    return "'" + shown if shown.startswith(_FORMULA_START) else shown


def audit_csv(result: AuditResult) -> str:
    """The holders table as CSV (RFC 4180 quoting, \\n line ends), header first."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(COLUMNS)
    for h in right_holders(result.holders):
        row = (h.username, h.right, h.tier.value, "true" if h.active else "false", " | ".join(h.paths))
        writer.writerow([safe_cell(cell) for cell in row])
    return out.getvalue()
