"""Time the morning refresh of the collectors' worklists.

    python3 -m suite.bench_worklist DB

Run by ``setup/bench worklist`` in a process of its own, on a copy of the
dunning data set (20,000 customers, its reminder history replayed): the
worklist of every company is refreshed twice (the first builds it, the
second finds it up to date, as every later morning does) after the day's
reminder run (not timed), which plans the calls and the reminders to
validate; the items are counted per reason. Prints one JSON line.
"""

import argparse
import json
import sys
import time
from collections import Counter
from datetime import date

from . import odoo_env, runtime


def main(argv):
    import odoo  # noqa: PLC0415 - found by runtime.find_odoo()

    parser = argparse.ArgumentParser()
    parser.add_argument("db")
    args = parser.parse_args(argv)
    odoo_rt, reason = runtime.find_odoo()
    if not odoo_rt:
        print(f"bench_worklist: Odoo 18 is needed: {reason}", file=sys.stderr)
        return 2
    pg = runtime.ensure_postgres()
    with odoo_env.environment(odoo_rt, pg, args.db) as env:
        info = json.loads(
            env["ir.config_parameter"].sudo().get_param(odoo_env.MARKER) or "{}"
        )
        today = date.fromisoformat(info["today"])
        Items = env["collection.worklist.item"]
        companies = env["res.company"].search([], order="id")
        for company in companies:  # the day's reminders first, not timed
            env["collection.run"]._run_company(company, today=today, commit=True)
        env.invalidate_all()
        figures = {}
        for run in ("first", "second"):
            queries = odoo.sql_db.sql_counter
            started = time.monotonic()
            items = Items.browse()
            for company in companies:
                items |= Items.with_company(company)._refresh(company, today)
            env.flush_all()
            figures[f"{run}_s"] = round(time.monotonic() - started, 2)
            figures[f"{run}_queries"] = odoo.sql_db.sql_counter - queries
            env.cr.commit()
            env.invalidate_all()
        figures["items"] = len(items)
        figures["customers"] = len(items.partner_id)
        figures.update(
            {
                f"items_{key}": count
                for key, count in Counter(items.mapped("reason")).items()
            }
        )
        figures["peak_rss_mb"] = round(odoo_env.peak_rss_mb())
    print(json.dumps(figures))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
