"""Odoo's own tests of the modules our add-ons extend, with and without them.

``setup/test --core`` runs the tests of Odoo's ``account``, ``account_payment``,
``payment``, ``portal``, ``sale``, ``sale_management`` and ``sms`` (or those
named by ``--core-modules``) twice, each in a fresh database: once with the
Odoo modules our add-ons need (the baseline), once with our add-ons installed
too. A test that fails only in the second run is a standard behaviour we
changed; the command lists them and fails when there is one.

Most of these tests are ``post_install``: they run once every module is
loaded, our overrides included. The ``at_install`` ones run as each module is
installed, before the modules that depend on it are loaded, so they see the
same code in both runs; they are run anyway, to keep the counts whole.
"""

import ast
import datetime
import re
import subprocess
from pathlib import Path

from . import odoo_log, runtime

CORE_MODULES = (
    "account",
    "account_payment",
    "payment",
    "portal",
    "sale",
    "sale_management",
    "sms",
)
# Modules the test runs need beside the ones tested (Odoo's demo provider).
TEST_ONLY = ("payment_demo",)
FAILED = re.compile(r"^(?:FAIL|ERROR): (?P<test>\S+)")


def our_dependencies():
    """The Odoo modules our add-ons' manifests name (not ours)."""
    found = []
    for addon in runtime.ADDONS:
        manifest = ast.literal_eval(
            (runtime.REPO / addon / "__manifest__.py").read_text()
        )
        found += manifest.get("depends", [])
    return [name for name in dict.fromkeys(found) if name not in runtime.ADDONS]


def _run(odoo, pg, db, modules, tags, log_path):
    cmd = odoo.command(
        f"--addons-path={odoo.addons_path}",
        *pg.odoo_args(),
        "-d",
        db,
        "-i",
        ",".join(modules),
        "--test-enable",
        f"--test-tags={tags}",
        "--stop-after-init",
        "--max-cron-threads=0",
        f"--http-port={runtime.free_port()}",
        "--http-interface=127.0.0.1",
        "--log-level=info",
        f"--logfile={log_path}",
    )
    started = datetime.datetime.now()
    subprocess.run(cmd, env=odoo.env(), cwd=runtime.REPO, check=False)
    elapsed = (datetime.datetime.now() - started).total_seconds()
    with open(log_path, encoding="utf-8", errors="replace") as handle:
        run = odoo_log.parse(handle)
    failing = {match["test"] for line in run.failures if (match := FAILED.match(line))}
    return run, failing, elapsed


def failing_only_with_ours(baseline, ours):
    """The tests that fail with our add-ons and not without, sorted."""
    return sorted(ours - baseline)


def run(odoo, pg, modules=CORE_MODULES, log_dir=None, say=print, keep_db=False):
    """Run the comparison; return the number of tests failing only with our
    add-ons (plus one per run that did not finish)."""
    log_dir = Path(log_dir or runtime.REPO / ".test-logs")
    log_dir.mkdir(exist_ok=True)
    stamp = f"{datetime.datetime.now():%Y%m%d_%H%M%S}"
    tags = ",".join(f"/{name}" for name in modules)
    base_modules = list(dict.fromkeys([*modules, *our_dependencies(), *TEST_ONLY]))
    results = {}
    for key, label, install in (
        ("base", "without our add-ons", base_modules),
        ("ours", "with our add-ons", [*base_modules, *runtime.ADDONS]),
    ):
        db = f"cs_core_{key}_{stamp}"
        log_path = log_dir / f"{db}.log"
        say(f"== Odoo's tests of {', '.join(modules)} {label}: {db}, log {log_path}")
        result = _run(odoo, pg, db, install, tags, log_path)
        if not keep_db:
            pg.execute(f'DROP DATABASE IF EXISTS "{db}" WITH (FORCE)')
        run_, failing, elapsed = result
        say(
            f"   {run_.tests} tests, {run_.failed + run_.errors} failed, "
            f"{run_.skipped} skipped in {elapsed:.0f} s"
            + ("" if run_.finished else " (did not finish)")
        )
        results[label] = result
    base_run, base_failing, _ = results["without our add-ons"]
    ours_run, ours_failing, _ = results["with our add-ons"]
    only_ours = failing_only_with_ours(base_failing, ours_failing)
    for test in sorted(base_failing):
        say(f"   fails without our add-ons too (not ours): {test}")
    for test in only_ours:
        say(f"   FAILS ONLY WITH OUR ADD-ONS: {test}")
    say(
        f"Odoo's own tests: {base_run.tests} run without our add-ons "
        f"({len(base_failing)} failing), {ours_run.tests} with them "
        f"({len(ours_failing)} failing); {len(only_ours)} fail only with ours"
    )
    return len(only_ours) + (not base_run.finished) + (not ours_run.finished)
