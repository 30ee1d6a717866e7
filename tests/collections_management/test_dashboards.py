"""The shipped dashboards: list columns and charts as a user reads them.

The collector's *My Collections* once showed the worklist's *Why* under
*Reason* and the reverse, and its overdue over time dropped to zero on each
day without stored figures. The shipped JSON is read as Odoo loads it; each
header is paired with the field its column reads, whatever the column order.
"""

import json
import re
from pathlib import Path

FILES = Path(__file__).resolve().parents[2] / "collections_management/data/files"

# header -> field of the list read below it
EXPECTED = {
    "Customer": "partner_id",
    "Reason": "reason",
    "Overdue": "amount_overdue",
    "Days Late": "days_overdue",
    "Priority": "score",
    "Why": "score_explanation",
    "Pay By": "promise_date",
    "Promised": "amount",
}


def _columns(path):
    """``(header, field)`` for each header cell with an ``ODOO.LIST`` below."""
    data = json.loads(path.read_text())
    pairs = []
    for sheet in data["sheets"]:
        cells = {
            ref: (cell.get("content") if isinstance(cell, dict) else cell)
            for ref, cell in sheet["cells"].items()
        }
        for ref, content in cells.items():
            header = re.fullmatch(r'=_t\("(.*)"\)', str(content))
            if not header:
                continue
            column, row = re.fullmatch(r"([A-Z]+)(\d+)", ref).groups()
            below = str(cells.get(f"{column}{int(row) + 1}", ""))
            field = re.fullmatch(r'=ODOO\.LIST\(\d+,1,"(\w+)"\)', below)
            if field:
                pairs.append((header.group(1), field.group(1)))
    return pairs


def test_my_collections_worklist_columns_read_their_fields():
    pairs = _columns(FILES / "collections_operational_dashboard.json")
    worklist = [p for p in pairs if p[0] in ("Reason", "Why", "Priority")]
    assert worklist == [
        ("Reason", "reason"),
        ("Priority", "score"),
        ("Why", "score_explanation"),
    ]


def test_every_list_column_reads_the_field_its_header_names():
    pairs = [p for path in sorted(FILES.glob("*.json")) for p in _columns(path)]
    assert len(pairs) >= 9
    wrong = [(h, f) for h, f in pairs if EXPECTED.get(h) != f]
    assert not wrong, f"header over the wrong field: {wrong}"


def test_a_day_without_figures_is_no_zero_on_the_charts():
    """Figures are stored by a daily cron: a day it did not run is a gap on
    a chart over time, not an overdue amount of zero (Odoo fills the
    missing days of a date grouping with zeros unless told not to)."""
    charts = []
    for path in sorted(FILES.glob("*.json")):
        for sheet in json.loads(path.read_text())["sheets"]:
            for figure in sheet.get("figures", []):
                data = figure.get("data", {})
                if data.get("type", "").startswith("odoo_"):
                    charts.append(data)
    over_time = [c for c in charts if any(":" in g for g in c["metaData"]["groupBy"])]
    assert len(over_time) >= 4
    for chart in over_time:
        assert chart["searchParams"]["context"].get("fill_temporal") is False
