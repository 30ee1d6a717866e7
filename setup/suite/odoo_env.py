"""Open an Odoo environment on a database from inside our own process."""

import contextlib
import shutil
from pathlib import Path

MARKER = "collections_suite.generated"
_parsed = []


@contextlib.contextmanager
def environment(odoo_rt, pg, db, log_level="warn", addons_path=None):
    """Yield a superuser ``env`` on ``db``; commit on success."""
    import odoo  # noqa: PLC0415 - found by runtime.find_odoo()
    from odoo.tools import config  # noqa: PLC0415

    # Odoo's configuration can be parsed once per process; later
    # environments (another database) reuse it.
    if not _parsed:
        _parsed.append(db)
        config.parse_config(
            [
                f"--addons-path={addons_path or odoo_rt.addons_path}",
                *pg.odoo_args(),
                "-d",
                db,
                f"--log-level={log_level}",
                "--without-demo=all",
            ]
        )
    registry = odoo.modules.registry.Registry(db)
    try:
        with registry.cursor() as cr:
            yield odoo.api.Environment(cr, odoo.SUPERUSER_ID, {})
            cr.commit()
    finally:
        # no idle connection left in Odoo's pool: the database can then be
        # copied (CREATE DATABASE ... TEMPLATE) or dropped by this process
        odoo.sql_db.close_db(db)


def filestore(db):
    from odoo.tools import config  # noqa: PLC0415

    return Path(config.filestore(db))


def generated_state(pg, db):
    """``None`` when ``db`` was not made by our tools, ``"building"`` while
    (or when a failure left it) half-built, ``"done"`` when complete."""
    try:
        rows = pg.execute(
            f"SELECT value FROM ir_config_parameter WHERE key = '{MARKER}'", dbname=db
        )
    except Exception:  # not an Odoo database, or not reachable
        return None
    if not rows:
        return None
    return "building" if rows[0][0] == "building" else "done"


def is_generated(pg, db):
    """Whether ``db`` is a complete database made by our tools."""
    return generated_state(pg, db) == "done"


def copy_database(pg, source, target):
    """``target`` as a copy of ``source`` (database and filestore), the way
    Odoo's database manager duplicates one, in seconds."""
    pg.execute(f'CREATE DATABASE "{target}" WITH TEMPLATE "{source}"')
    src, dst = filestore(source), filestore(target)
    if src.is_dir():
        shutil.copytree(src, dst, dirs_exist_ok=True)


def drop_database(pg, db):
    pg.execute(f'DROP DATABASE IF EXISTS "{db}" WITH (FORCE)')
    with contextlib.suppress(Exception):
        shutil.rmtree(filestore(db))


def peak_rss_mb():
    """Peak resident memory of this process, in MB.

    Linux's ``getrusage`` keeps ``ru_maxrss`` across ``exec``: a benchmark
    started by ``setup/bench`` right after it built a template in-process
    reported the builder's 3.3 GB as its own. ``VmHWM`` is the high-water
    mark of this process's own memory."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024  # kB
    except OSError:
        pass
    import resource  # noqa: PLC0415

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
