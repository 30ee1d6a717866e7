"""Each add-on installs alone with what its manifest names.

For each add-on: a fresh database, ``-i ADDON`` alone (Odoo brings the
dependencies its manifest names, and the stock auto-install add-ons they
pull), no demo data, no tests, ``--stop-after-init``. The install passes when
Odoo exits 0, logs no WARNING or ERROR line, and the database has the add-on
installed; the result says which of our other add-ons came with it.
"""

import datetime
import subprocess
import time
from dataclasses import dataclass, field

from . import odoo_log, runtime


@dataclass
class Install:
    addon: str
    ok: bool = False
    seconds: float = 0.0
    modules: int = 0
    ours: list = field(default_factory=list)  # our other add-ons installed
    problems: list = field(default_factory=list)
    log: str = ""

    def line(self):
        came = ", ".join(self.ours) if self.ours else "none of ours"
        state = "installed" if self.ok else "FAILED: " + "; ".join(self.problems)
        return (
            f"{self.addon} alone: {state} in {self.seconds:.0f} s "
            f"({self.modules} modules; with it: {came})"
        )


def run(odoo, pg, addon, addons_path, log_dir, cwd=None):
    """Install ``addon`` alone in a database of its own, dropped afterwards."""
    result = Install(addon)
    db = f"cs_alone_{addon}_{datetime.datetime.now():%Y%m%d_%H%M%S}"
    log_path = log_dir / f"{db}.log"
    result.log = str(log_path)
    cmd = odoo.command(
        f"--addons-path={addons_path}",
        *pg.odoo_args(),
        "-d",
        db,
        "-i",
        addon,
        "--without-demo=all",
        "--stop-after-init",
        "--max-cron-threads=0",
        f"--http-port={runtime.free_port()}",
        "--http-interface=127.0.0.1",
        "--log-level=info",
        f"--logfile={log_path}",
    )
    started = time.monotonic()
    proc = subprocess.run(cmd, env=odoo.env(), cwd=cwd or runtime.REPO)
    result.seconds = time.monotonic() - started
    if proc.returncode:
        result.problems.append(f"Odoo exited with {proc.returncode}")
    with open(log_path, encoding="utf-8", errors="replace") as handle:
        noise = odoo_log.parse(handle).noise
    if noise:
        result.problems.append(f"{len(noise)} WARNING/ERROR lines in {log_path}")
        for line in noise[:10]:
            print(f"  {line}", flush=True)
    try:
        rows = pg.execute(
            "SELECT name FROM ir_module_module WHERE state = 'installed'", dbname=db
        )
        installed = {row[0] for row in rows}
    except Exception as exc:  # no database: Odoo failed early
        installed = set()
        result.problems.append(f"cannot read {db}: {exc}")
    result.modules = len(installed)
    result.ours = sorted(set(runtime.ADDONS) & installed - {addon})
    if addon not in installed:
        result.problems.append(f"{addon} is not installed")
    result.ok = not result.problems
    try:
        pg.execute(f'DROP DATABASE IF EXISTS "{db}" WITH (FORCE)')
    except Exception as exc:  # a leftover database harms nobody
        print(f"note: could not drop {db}: {exc}", flush=True)
    return result
