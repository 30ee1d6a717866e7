"""Time the customer's statement page on the portal.

    python3 -m suite.bench_portal DB [--invoices N] [--runs N]

Run by ``setup/bench portal`` in a process of its own. On ``DB`` (a copy of
a generated database) it gives one customer a portal login and ``--invoices``
open posted invoices (due dates spread over the last 150 days and the next
30, so that every ageing column is filled), serves the database with Odoo,
logs in as that customer and loads ``/my/statement`` ``--runs`` times after
three warm-up loads, then the PDF statement. The times are those of the
whole answer as the customer's browser would wait for it, measured on the
loopback interface (server time plus well under a millisecond). Prints one
JSON line.
"""

import argparse
import json
import statistics
import sys
import time
from datetime import date, timedelta

from . import odoo_env, runtime, server

BATCH = 250
LOGIN = "bench.portal@example.com"
PASSWORD = "bench-portal-1"


def percentile(values, share):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(share * (len(ordered) - 1))))]


def build_customer(env, invoices):
    """A customer with a portal login and ``invoices`` open invoices."""
    company = env["res.company"].search([], order="id", limit=1)
    env = env(context=dict(env.context, allowed_company_ids=company.ids))
    partner = env["res.partner"].create(
        {"name": "Statement Benchmark Customer", "email": LOGIN}
    )
    env["res.users"].with_context(no_reset_password=True).create(
        {
            "name": partner.name,
            "login": LOGIN,
            "password": PASSWORD,
            "partner_id": partner.id,
            "company_id": company.id,
            "company_ids": [(6, 0, company.ids)],
            "groups_id": [(6, 0, [env.ref("base.group_portal").id])],
        }
    )
    product = env["product.product"].search(
        [("company_id", "in", (False, company.id))], limit=1
    )
    today = date.today()
    for start in range(0, invoices, BATCH):
        moves = env["account.move"].create(
            [
                {
                    "move_type": "out_invoice",
                    "partner_id": partner.id,
                    "invoice_date": today - timedelta(days=180 - i % 180),
                    "invoice_date_due": today - timedelta(days=150 - i % 180),
                    "invoice_line_ids": [
                        (
                            0,
                            0,
                            {
                                "product_id": product.id,
                                "price_unit": 100 + i,
                                "tax_ids": [(6, 0, [])],
                            },
                        )
                    ],
                }
                for i in range(start, min(start + BATCH, invoices))
            ]
        )
        moves.action_post()
        env.cr.commit()
    return partner


def timed(client, path, runs):
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        response = client.session.get(client.base + path, timeout=120)
        times.append((time.perf_counter() - started) * 1000)
        if response.status_code != 200:
            raise RuntimeError(f"{path} answered {response.status_code}")
    return times, response


def main(argv):
    parser = argparse.ArgumentParser()
    parser.add_argument("db")
    parser.add_argument("--invoices", type=int, default=500)
    parser.add_argument("--runs", type=int, default=50)
    args = parser.parse_args(argv)
    odoo_rt, reason = runtime.find_odoo()
    if not odoo_rt:
        print(f"bench_portal: Odoo 18 is needed: {reason}", file=sys.stderr)
        return 2
    pg = runtime.ensure_postgres()
    with odoo_env.environment(odoo_rt, pg, args.db) as env:
        partner = build_customer(env, args.invoices)
        env.cr.commit()
        open_invoices = env["account.move"].search_count(
            [
                ("partner_id", "=", partner.id),
                ("payment_state", "=", "not_paid"),
                ("state", "=", "posted"),
            ]
        )
    with server.serving(odoo_rt, pg, args.db) as base:
        client = server.Client(base, args.db, LOGIN, PASSWORD)
        timed(client, "/my/statement", 3)  # warm-up: caches, assets
        times, response = timed(client, "/my/statement", args.runs)
        shown = response.text.count("o_collections_statement_line")
        pdf_times, pdf = timed(client, "/my/statement/pdf", max(5, args.runs // 10))
    if shown != open_invoices or not pdf.content.startswith(b"%PDF"):
        print(
            f"bench_portal: the page showed {shown} of {open_invoices} invoices",
            file=sys.stderr,
        )
        return 1
    print(
        json.dumps(
            {
                "invoices": open_invoices,
                "runs": args.runs,
                "median_ms": round(statistics.median(times), 1),
                "p95_ms": round(percentile(times, 0.95), 1),
                "pdf_median_ms": round(statistics.median(pdf_times), 1),
                "pdf_pages_kb": round(len(pdf.content) / 1024),
            }
        )
    )
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
