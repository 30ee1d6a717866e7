"""Build a database with our add-ons and a generated data set."""

import subprocess
import time
from datetime import date, timedelta

from . import generator, odoo_env, runtime, stories
from . import plan as planmod

# l10n_fr_account: the French company keeps its books on the French chart.
DEMO_MODULES = (*runtime.ADDONS, "payment_demo", "l10n_fr_account")


def install(odoo_rt, pg, db, log=print):
    """Create ``db`` with our add-ons (no Odoo demo data) and French."""
    log(
        f"creating database {db} with {', '.join(DEMO_MODULES)} "
        "(about 90 s on two cores; the data set then takes about 45 s more)"
    )
    subprocess.run(
        odoo_rt.command(
            f"--addons-path={odoo_rt.addons_path}",
            *pg.odoo_args(),
            "-d",
            db,
            "-i",
            ",".join(DEMO_MODULES),
            "--without-demo=all",
            "--load-language=fr_FR",
            "--stop-after-init",
            "--max-cron-threads=0",
            "--log-level=warn",
        ),
        env=odoo_rt.env(),
        check=True,
    )


def update(odoo_rt, pg, db, log=print):
    """Update our add-ons in ``db`` to the code of this tree, so that a
    database copied from an older template runs the current code."""
    started = time.monotonic()
    subprocess.run(
        odoo_rt.command(
            f"--addons-path={odoo_rt.addons_path}",
            *pg.odoo_args(),
            "-d",
            db,
            "-u",
            ",".join(runtime.ADDONS),
            "--stop-after-init",
            "--max-cron-threads=0",
            "--log-level=warn",
        ),
        env=odoo_rt.env(),
        check=True,
    )
    elapsed = time.monotonic() - started
    log(f"updated {', '.join(runtime.ADDONS)} in {db} in {elapsed:.0f} s")


def populate(
    odoo_rt,
    pg,
    db,
    customers,
    seed,
    today=None,
    progress=True,
    log=print,
    writer="sql",
    run_cron=True,
    plan_options=None,
    figures_weeks=0,
    credit_review=False,
):
    """Generate the data set into ``db``, then run the collections cron once.

    ``figures_weeks``: then also refresh the worklists and store the
    receivables figures of today and of that many past weeks, so that the
    dashboards have a day and trends to show (the demo's; the benchmarks
    time these themselves).

    ``credit_review``: at the end, run the daily credit review as its cron
    does (risk profiles, scores and holds in every company; the demo's).

    ``writer``: ``"sql"`` (default: the ledger written with SQL, much
    faster) or ``"orm"`` (the reference, see ``suite.ledger_check``).
    Returns ``(counts, timings)``.
    """
    today = today or date.today()
    started = time.monotonic()
    plan = planmod.make_plan(
        customers=customers, seed=seed, today=today, **(plan_options or {})
    )
    timings = {"plan_s": time.monotonic() - started}
    with odoo_env.environment(odoo_rt, pg, db) as env:
        env["ir.config_parameter"].sudo().set_param(odoo_env.MARKER, "building")
        env.cr.commit()
        started = time.monotonic()
        counts = generator.generate(
            env, plan, generator.Progress(enabled=progress), writer=writer
        )
        timings["generate_s"] = time.monotonic() - started
        if figures_weeks:
            # the demo: what each role's day needs, before the day's run
            stories.prepare(env, today, log=log)
        if run_cron:
            started = time.monotonic()
            env["collection.run"]._cron_daily()
            timings["collections_cron_s"] = time.monotonic() - started
        if figures_weeks:
            started = time.monotonic()
            # the weekly learning and the week's forecast, as their crons do:
            # the customers' expected payments and late-payment risks
            env["collection.prediction"]._cron_train()
            env["collection.cash.forecast"]._cron_forecast()
            env["collection.worklist.item"]._cron_refresh()
            Snapshot = env["collection.kpi.snapshot"]
            for company in env["res.company"].search([]):
                for weeks in range(figures_weeks, -1, -1):
                    Snapshot._snapshot(company, today - timedelta(weeks=weeks))
            env.cr.commit()
            timings["figures_s"] = time.monotonic() - started
        if credit_review:
            started = time.monotonic()
            env["res.partner"]._cron_credit_review()  # commits each company
            timings["credit_review_s"] = time.monotonic() - started
    return counts, timings
