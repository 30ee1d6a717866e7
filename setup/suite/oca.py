"""OCA's add-ons beside ours, for the benchmarks: ``account_credit_control``
for the dunning benchmark, ``sale_financial_risk`` for the credit one.

    python3 -m suite.oca DB ADDON_DIR

``fetch()`` brings the 18.0 add-on from PyPI (``pip download``, the wheel
unpacked into a cache folder outside the repository); ``install()`` installs
it in a benchmark database; this module's ``main`` runs its credit control
run in a process of its own on the day of the data set and prints one JSON
line: the time to generate its credit lines and to send their emails (its
sending needs wkhtmltopdf: its letters, and the PDF its emails attach;
without it, the generation alone is timed).

OCA's run is configured the way its README says: its shipped "3 time
policy" (email at 10 days net, then 30 days end of month, then a letter)
on every company's receivable accounts. It keeps no history of our
reminders, so it considers every overdue invoice; the figures say how many
lines it made.
"""

import json
import subprocess
import sys
import tempfile
import time
import zipfile
from datetime import date
from pathlib import Path

from . import odoo_env, runtime

CACHE = Path.home() / ".cache" / "collections-suite" / "oca-18.0"
ADDON = "account_credit_control"


def fetch(addons=(ADDON,)):
    """``(folder holding the add-ons, None)``, or ``(None, why not)``: each
    18.0 add-on of ``addons`` downloaded from PyPI (its wheel) and unpacked
    into a cache folder outside the repository."""
    for addon in addons:
        if (CACHE / addon / "__manifest__.py").is_file():
            continue
        with tempfile.TemporaryDirectory() as tmp:
            result = subprocess.run(
                [
                    sys.executable,
                    "-m",
                    "pip",
                    "download",
                    "--no-deps",
                    "--quiet",
                    "-d",
                    tmp,
                    f"odoo-addon-{addon}>=18.0,<18.1",
                ],
                capture_output=True,
                text=True,
                check=False,
            )
            wheels = list(Path(tmp).glob("*.whl"))
            if result.returncode or not wheels:
                return None, f"pip download of odoo-addon-{addon} failed"
            prefix = f"odoo/addons/{addon}/"
            with zipfile.ZipFile(wheels[0]) as wheel:
                for member in wheel.namelist():
                    if member.startswith(prefix) and not member.endswith("/"):
                        target = CACHE / addon / member[len(prefix) :]
                        target.parent.mkdir(parents=True, exist_ok=True)
                        target.write_bytes(wheel.read(member))
    return CACHE, None


def addons_path(odoo_rt, folder):
    return f"{odoo_rt.addons_path},{folder}"


def install(odoo_rt, pg, db, folder, addons=(ADDON,)):
    subprocess.run(
        odoo_rt.command(
            f"--addons-path={addons_path(odoo_rt, folder)}",
            *pg.odoo_args(),
            "-d",
            db,
            "-i",
            ",".join(addons),
            "--without-demo=all",
            "--stop-after-init",
            "--max-cron-threads=0",
            "--log-level=warn",
        ),
        env=odoo_rt.env(),
        check=True,
    )


def _has_wkhtmltopdf():
    from odoo.tools.misc import find_in_path  # noqa: PLC0415 - Odoo found late

    try:
        find_in_path("wkhtmltopdf")
    except OSError:
        return False
    return True


def main(db, folder):
    import odoo  # noqa: PLC0415 - found by runtime.find_odoo()

    odoo_rt, reason = runtime.find_odoo()
    if not odoo_rt:
        print(f"oca: Odoo 18 is needed: {reason}", file=sys.stderr)
        return 2
    pg = runtime.ensure_postgres()
    path = addons_path(odoo_rt, folder)
    with odoo_env.environment(odoo_rt, pg, db, addons_path=path) as env:
        info = json.loads(
            env["ir.config_parameter"].sudo().get_param(odoo_env.MARKER) or "{}"
        )
        today = date.fromisoformat(info["today"])
        policy = env.ref("account_credit_control.credit_control_3_time")
        companies = env["res.company"].search([])
        receivables = env["account.account"].search(
            [("account_type", "=", "asset_receivable")]
        )
        policy.account_ids = receivables
        companies.credit_policy_id = policy
        env.cr.commit()
        queries = odoo.sql_db.sql_counter
        started = time.monotonic()
        runs = env["credit.control.run"]
        for company in companies:
            run = (
                env["credit.control.run"]
                .with_company(company)
                .create(
                    {"date": today, "company_id": company.id, "policy_ids": policy.ids}
                )
            )
            run.generate_credit_lines()
            runs |= run
        env.cr.commit()
        lines_s = time.monotonic() - started
        send_s = None
        if _has_wkhtmltopdf():
            started = time.monotonic()
            for run in runs:
                run.set_to_ready_lines()
                run.with_company(run.company_id).run_channel_action()
            env.cr.commit()
            send_s = time.monotonic() - started
        else:
            # OCA's letters, and the PDF its emails attach, need wkhtmltopdf
            print("oca: wkhtmltopdf not found: its sending is not timed")
        lines = runs.line_ids
        figures = {
            "oca_lines_s": round(lines_s, 1),
            **(
                {
                    "oca_send_s": round(send_s, 1),
                    "oca_wall_s": round(lines_s + send_s, 1),
                }
                if send_s is not None
                else {}
            ),
            "oca_queries": odoo.sql_db.sql_counter - queries,
            "oca_lines": len(lines),
            "oca_emails": len(lines.filtered(lambda line: line.channel == "email")),
            "oca_peak_rss_mb": round(odoo_env.peak_rss_mb()),
        }
    print(json.dumps(figures))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1], sys.argv[2]))
