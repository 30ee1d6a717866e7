"""Read the data sources of a spreadsheet dashboard as the browser asks
for them, with the dashboard's default filter values: used by the tests
and by ``setup/bench kpis``. Plain Odoo code, kept out of
``tests/`` so that the benchmark can import it outside a test run."""

import json
from datetime import timedelta

from dateutil.relativedelta import relativedelta

from odoo import fields
from odoo.tools.safe_eval import safe_eval

# the days of the spreadsheet's relative periods (global_filters/helpers.js)
RELATIVE_DAYS = {
    "last_week": 7,
    "last_month": 30,
    "last_three_months": 90,
    "last_six_months": 180,
    "last_year": 365,
    "last_three_years": 3 * 365,
}


def dashboard_data(dashboard):
    return json.loads(dashboard.spreadsheet_data)


def data_sources(data):
    """``(kind, name, model, domain, matching, definition)`` of every pivot,
    list and Odoo chart of the spreadsheet."""
    for pivot in data.get("pivots", {}).values():
        yield (
            "pivot",
            pivot["name"],
            pivot["model"],
            pivot["domain"],
            pivot["fieldMatching"],
            pivot,
        )
    for odoo_list in data.get("lists", {}).values():
        yield (
            "list",
            odoo_list["name"],
            odoo_list["model"],
            odoo_list["domain"],
            odoo_list["fieldMatching"],
            odoo_list,
        )
    for sheet in data["sheets"]:
        for figure in sheet["figures"]:
            chart = figure["data"]
            if chart["type"].startswith("odoo_"):
                yield (
                    "chart",
                    chart["title"]["text"],
                    chart["metaData"]["resModel"],
                    chart["searchParams"]["domain"],
                    chart["fieldMatching"],
                    chart,
                )


def evaluate_domain(env, domain):
    """A domain of the spreadsheet: a list, or a string evaluated with
    today's date as the browser does."""
    if isinstance(domain, str):
        today = fields.Date.context_today(env.user)
        return safe_eval(
            domain, {"context_today": lambda: today, "relativedelta": relativedelta}
        )
    return domain


def filter_domain(env, data, matching, values=None):
    """The domain the global filters add to a data source: ``values`` by
    filter label, else each filter's default."""
    today = fields.Date.context_today(env.user)
    domain = []
    for spreadsheet_filter in data.get("globalFilters", []):
        field = matching.get(spreadsheet_filter["id"])
        if not field:
            continue
        value = (values or {}).get(
            spreadsheet_filter["label"], spreadsheet_filter.get("defaultValue")
        )
        if spreadsheet_filter["type"] == "relation":
            if value == "current_user":
                value = [env.uid]
            if value:
                domain.append((field["chain"], "in", value))
        elif spreadsheet_filter["type"] == "date" and value in RELATIVE_DAYS:
            start = today - timedelta(days=RELATIVE_DAYS[value] - 1)
            domain += [(field["chain"], ">=", start), (field["chain"], "<=", today)]
    return domain


def read_source(env, data, source, values=None):
    """Read one data source as its widget does: ``read_group`` for pivots
    and charts, ``search_read`` (ten rows) for lists."""
    kind, _name, model, domain, matching, definition = source
    domain = evaluate_domain(env, domain) + filter_domain(env, data, matching, values)
    Model = env[model]
    if kind == "list":
        order = ", ".join(
            f"{o['name']} {'asc' if o['asc'] else 'desc'}"
            for o in definition["orderBy"]
        )
        return Model.search_read(domain, definition["columns"], limit=10, order=order)
    if kind == "pivot":
        groupby = [
            dimension["fieldName"]
            + (f":{dimension['granularity']}" if dimension.get("granularity") else "")
            for dimension in definition["rows"] + definition["columns"]
        ]
        measures = [
            m["fieldName"]
            for m in definition["measures"]
            if m["fieldName"] != "__count"
        ]
    else:
        groupby = definition["metaData"]["groupBy"]
        measures = [definition["metaData"]["measure"]]
    return Model.read_group(domain, measures, groupby, lazy=False)
