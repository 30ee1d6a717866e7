"""Time the daily receivables figures (issue #10) on a generated database.

    python3 -m suite.bench_kpis DB

Run by ``setup/bench kpis`` in a process of its own, on a copy of the
generated data set (200,000 invoices at 20,000 customers). Times the
snapshot of the day for every company (``collection.kpi.snapshot._snapshot``:
the invoices read, the figures computed per company, collector and customer,
and stored), then the first screens of *Collections > Reporting >
Receivables Figures* as a collections manager opens them (the graph of the
companies' DSO by day and the pivot per collector by month: their
``read_group``). Then fills in twelve past weeks of figures and opens
each of the three dashboards of *Collections > Reporting > Dashboards*: the
server's time to load the dashboard and to answer every one of its data
sources (pivots, lists, charts) one after the other, with the dashboard's
default filters, as the collector who follows the most customers (*My
Collections*) or as the administrator (the two others). The browser sends
these requests side by side, so the figure is the server's whole work, not
what a user waits. Prints one JSON line with ``snapshot_s``, ``invoices``,
``rows``, ``graph_s``, ``pivot_s``, ``history_days`` and ``dash_*_s``.
"""

import argparse
import json
import sys
import time
from datetime import timedelta

from . import odoo_env, runtime

DASHBOARDS = {
    "operational": "spreadsheet_dashboard_operational",
    "team": "spreadsheet_dashboard_team",
    "management": "spreadsheet_dashboard_management",
}
HISTORY_WEEKS = 12


def _open_dashboards(env, companies, collector):
    """Seconds each dashboard takes the server to load and fill."""
    from odoo.addons.collections_management.tools.dashboard_sources import (  # noqa: PLC0415
        dashboard_data,
        data_sources,
        read_source,
    )

    timings = {}
    for key, xml_id in DASHBOARDS.items():
        user = collector if key == "operational" else env.ref("base.user_admin")
        allowed = (user.company_ids & companies).ids
        context = {"allowed_company_ids": allowed, "lang": user.lang or "en_US"}
        user_env = env(user=user, context=context)
        dashboard = user_env.ref(f"collections_management.{xml_id}")
        env.invalidate_all()
        started = time.monotonic()
        data = dashboard_data(dashboard)
        dashboard.get_readonly_dashboard()
        for source in data_sources(data):
            read_source(user_env, data, source)
        timings[f"dash_{key}_s"] = round(time.monotonic() - started, 3)
    return timings


def main(argv):
    import odoo  # noqa: PLC0415 - found by runtime.find_odoo()

    parser = argparse.ArgumentParser()
    parser.add_argument("db")
    args = parser.parse_args(argv)
    odoo_rt, reason = runtime.find_odoo()
    if not odoo_rt:
        print(f"bench_kpis: Odoo 18 is needed: {reason}", file=sys.stderr)
        return 2
    pg = runtime.ensure_postgres()
    with odoo_env.environment(odoo_rt, pg, args.db) as env:
        Snapshot = env["collection.kpi.snapshot"]
        companies = env["res.company"].search([], order="id")
        env.cr.execute(
            "SELECT COUNT(*) FROM account_move WHERE state = 'posted' "
            "AND move_type IN ('out_invoice', 'out_refund')"
        )
        invoices = env.cr.fetchone()[0]
        queries = odoo.sql_db.sql_counter
        started = time.monotonic()
        rows = 0
        for company in companies:
            day = odoo.fields.Date.context_today(Snapshot.with_company(company))
            rows += len(Snapshot._snapshot(company, day))
        env.flush_all()
        snapshot_s = time.monotonic() - started
        queries = odoo.sql_db.sql_counter - queries
        env.cr.commit()
        manager = env.ref("base.user_admin")
        screens = Snapshot.with_user(manager).with_context(
            allowed_company_ids=companies.ids
        )
        env.invalidate_all()
        started = time.monotonic()
        screens.read_group(
            [("level", "=", "company")], ["dso:avg"], ["date:day"], lazy=False
        )
        graph_s = time.monotonic() - started
        env.invalidate_all()
        started = time.monotonic()
        screens.read_group(
            [("level", "=", "collector")],
            ["open_amount:sum", "overdue_amount:sum", "dso:avg"],
            ["user_id", "date:month"],
            lazy=False,
        )
        pivot_s = time.monotonic() - started

        # past weeks, so that the trends have points to draw
        for company in companies:
            day = odoo.fields.Date.context_today(Snapshot.with_company(company))
            for weeks in range(HISTORY_WEEKS, 0, -1):
                Snapshot._snapshot(company, day - timedelta(weeks=weeks))
        env.cr.commit()
        env.cr.execute(
            "SELECT (collector_id ->> %s)::int, COUNT(*) FROM res_partner"
            " WHERE collector_id ->> %s IS NOT NULL GROUP BY 1 ORDER BY 2 DESC"
            " LIMIT 1",
            [str(companies[0].id), str(companies[0].id)],
        )
        collector = env["res.users"].browse(env.cr.fetchone()[0])
        dashboards = _open_dashboards(env, companies, collector)
    print(
        json.dumps(
            {
                "snapshot_s": round(snapshot_s, 2),
                "invoices": invoices,
                "rows": rows,
                "queries": queries,
                "graph_s": round(graph_s, 3),
                "pivot_s": round(pivot_s, 3),
                "history_days": HISTORY_WEEKS + 1,
                **dashboards,
                "peak_rss_mb": round(odoo_env.peak_rss_mb()),
            }
        )
    )
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
