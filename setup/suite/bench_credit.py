"""Time the credit check of a sale order confirmation.

    python3 -m suite.bench_credit DB [--invoices N] [--orders N] [--runs N]
                                     [--oca ADDONS_DIR]

Run by ``setup/bench credit`` in a process of its own. On ``DB`` (a copy of
a generated database) it gives one customer ``--invoices`` open invoices and
``--orders`` confirmed orders not yet invoiced, then confirms ``--runs``
quotations of that customer one by one and times, for each, the credit
check that our ``action_confirm`` adds (the exposure aggregates and the hold
rules) and the whole confirmation. With ``--oca`` (OCA's
``sale_financial_risk`` installed in ``DB`` from that folder), the customer
also gets OCA's risk settings and OCA's check (``evaluate_risk_message``) is
timed on the same orders. Prints one JSON line.
"""

import argparse
import json
import statistics
import sys
import time

from . import odoo_env, runtime

BATCH = 250


def percentile(values, share):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(share * (len(ordered) - 1))))]


def build_customer(env, invoices, orders):
    """A customer with ``invoices`` open posted invoices and ``orders``
    confirmed orders, created through the ORM by batches."""
    company = env["res.company"].search([], order="id", limit=1)
    env = env(context=dict(env.context, allowed_company_ids=company.ids))
    partner = env["res.partner"].create({"name": "Credit Benchmark Customer"})
    partner.with_company(company).write(
        {"use_partner_credit_limit": True, "credit_limit": 1e12}
    )
    product = env["product.product"].search(
        [("sale_ok", "=", True), ("company_id", "in", (False, company.id))], limit=1
    )
    for start in range(0, invoices, BATCH):
        moves = env["account.move"].create(
            [
                {
                    "move_type": "out_invoice",
                    "partner_id": partner.id,
                    "invoice_date": "2026-01-15",
                    "invoice_line_ids": [
                        (0, 0, {"product_id": product.id, "price_unit": 100 + i})
                    ],
                }
                for i in range(start, min(start + BATCH, invoices))
            ]
        )
        moves.action_post()
        env.cr.commit()
    for start in range(0, orders, BATCH):
        sale_orders = env["sale.order"].create(
            [
                {
                    "partner_id": partner.id,
                    "order_line": [
                        (0, 0, {"product_id": product.id, "price_unit": 50 + i})
                    ],
                }
                for i in range(start, min(start + BATCH, orders))
            ]
        )
        sale_orders.action_confirm()
        env.cr.commit()
    return partner, product, company


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("db")
    parser.add_argument("--invoices", type=int, default=5000)
    parser.add_argument("--orders", type=int, default=500)
    parser.add_argument("--runs", type=int, default=200)
    parser.add_argument("--oca", help="folder of OCA's add-ons installed in DB")
    args = parser.parse_args()
    odoo_rt, reason = runtime.find_odoo()
    if not odoo_rt:
        print(f"bench_credit: Odoo 18 is needed: {reason}", file=sys.stderr)
        return 2
    pg = runtime.ensure_postgres()
    path = f"{odoo_rt.addons_path},{args.oca}" if args.oca else None
    with odoo_env.environment(odoo_rt, pg, args.db, addons_path=path) as env:
        started = time.monotonic()
        partner, product, company = build_customer(env, args.invoices, args.orders)
        if args.oca:
            # OCA counts what its partner flags say: open invoices and
            # orders, against the same (huge) limit
            partner.write(
                {
                    "risk_invoice_open_include": True,
                    "risk_invoice_unpaid_include": True,
                    "risk_sale_order_include": True,
                }
            )
            env.cr.commit()
        setup_s = time.monotonic() - started
        env = env(context=dict(env.context, allowed_company_ids=company.ids))
        quotations = env["sale.order"].create(
            [
                {
                    "partner_id": partner.id,
                    "order_line": [
                        (0, 0, {"product_id": product.id, "price_unit": 10})
                    ],
                }
                for _run in range(args.runs)
            ]
        )
        env.cr.commit()
        checks, confirms, oca_checks = [], [], []
        for order in quotations:
            env.invalidate_all()
            started = time.perf_counter()
            causes, _text = order._credit_problems()
            checks.append((time.perf_counter() - started) * 1000)
            assert not causes, causes
            if args.oca:
                env.invalidate_all()
                started = time.perf_counter()
                message = order.evaluate_risk_message(partner)
                oca_checks.append((time.perf_counter() - started) * 1000)
                assert not message, message
            env.invalidate_all()
            started = time.perf_counter()
            order.with_context(bypass_risk=True).action_confirm()
            env.cr.flush()
            confirms.append((time.perf_counter() - started) * 1000)
            env.cr.commit()
        exposure = partner.with_company(company).credit_exposure
    oca = (
        {
            "oca_median_ms": round(statistics.median(oca_checks), 2),
            "oca_p95_ms": round(percentile(oca_checks, 0.95), 2),
        }
        if oca_checks
        else {}
    )
    print(
        json.dumps(
            {
                **oca,
                "median_ms": round(statistics.median(checks), 2),
                "p95_ms": round(percentile(checks, 0.95), 2),
                "confirm_median_ms": round(statistics.median(confirms), 1),
                "confirm_p95_ms": round(percentile(confirms, 0.95), 1),
                "open_invoices": args.invoices,
                "open_orders": args.orders,
                "confirmations": args.runs,
                "exposure": round(exposure, 2),
                "setup_s": round(setup_s, 1),
            }
        )
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
