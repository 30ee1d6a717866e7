"""Time the daily receivables figures (issue #10) on a generated database.

    python3 -m suite.bench_kpis DB

Run by ``setup/bench kpis`` in a process of its own, on a copy of the
generated data set (200,000 invoices at 20,000 customers). Times the
snapshot of the day for every company (``collection.kpi.snapshot._snapshot``:
the invoices read, the figures computed per company, collector and customer,
and stored), then the first screens of *Collections > Reporting >
Receivables Figures* as a collections manager opens them (the graph of the
companies' DSO by day and the pivot per collector by month: their
``read_group``). Prints one JSON line with ``snapshot_s``, ``invoices``,
``rows``, ``graph_s`` and ``pivot_s``.
"""

import argparse
import json
import sys
import time

from . import odoo_env, runtime


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
    print(
        json.dumps(
            {
                "snapshot_s": round(snapshot_s, 2),
                "invoices": invoices,
                "rows": rows,
                "queries": queries,
                "graph_s": round(graph_s, 3),
                "pivot_s": round(pivot_s, 3),
                "peak_rss_mb": round(odoo_env.peak_rss_mb()),
            }
        )
    )
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
