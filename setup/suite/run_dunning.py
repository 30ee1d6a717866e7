"""Run the daily collections run on a database and print its figures.

    python3 -m suite.run_dunning DB

Run by ``setup/bench dunning`` in a process of its own, so that the peak
memory and the SQL queries it prints are the run's alone. The run is the
cron's: every company, committing after each batch, on the day the data set
was generated for. Prints one JSON line.
"""

import json
import sys
import time
from datetime import date

from . import odoo_env, runtime


def main(db):
    import odoo  # noqa: PLC0415 - found by runtime.find_odoo()

    odoo_rt, reason = runtime.find_odoo()
    if not odoo_rt:
        print(f"run_dunning: Odoo 18 is needed: {reason}", file=sys.stderr)
        return 2
    pg = runtime.ensure_postgres()
    with odoo_env.environment(odoo_rt, pg, db) as env:
        info = json.loads(
            env["ir.config_parameter"].sudo().get_param(odoo_env.MARKER) or "{}"
        )
        today = date.fromisoformat(info["today"])
        companies = env["res.company"].search([])
        env.cr.commit()
        queries = odoo.sql_db.sql_counter
        started = time.monotonic()
        runs = env["collection.run"]
        for company in companies:
            runs |= env["collection.run"]._run_company(
                company, today=today, commit=True
            )
        wall = time.monotonic() - started
        queries = odoo.sql_db.sql_counter - queries
        comms = runs.communication_ids
        figures = {
            "wall_s": round(wall, 1),
            "peak_rss_mb": round(odoo_env.peak_rss_mb()),
            "queries": queries,
            "reminders": len(comms),
            "customers_reminded": len(comms.partner_id),
            "emails": len(comms.filtered(lambda c: c.channel == "email")),
            "sms": len(comms.filtered(lambda c: c.channel == "sms")),
            "letters": len(comms.filtered(lambda c: c.channel == "letter")),
            "calls": len(comms.filtered(lambda c: c.channel == "call")),
            "to_validate": len(comms.filtered(lambda c: c.state == "to_validate")),
            "failed": len(comms.filtered(lambda c: c.state == "failed")),
            # the run works by batches of 200 customers
            "batches": sum(
                -(-len(r.communication_ids.partner_id) // 200) for r in runs
            ),
        }
    print(json.dumps(figures))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
