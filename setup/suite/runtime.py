"""Where Odoo and PostgreSQL are, and how to run Odoo against our add-ons.

Odoo is found the way an Odoo developer expects: the Python running these
commands imports ``odoo`` (installed with pip, or ``pip install -e`` of a
source tree), or ``ODOO_PATH`` names an Odoo 18.0 source tree (the folder
that holds ``odoo-bin``). PostgreSQL is reached through the usual libpq
variables (``PGHOST``, ``PGPORT``, ``PGUSER``, ``PGPASSWORD``); without them,
a local server on 127.0.0.1:5432 with the role ``odoo`` (password ``odoo``),
which we install, start and create when the user is root.
"""

import importlib
import os
import shutil
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
ADDONS = (
    "collections_management",
    "credit_control",
    "payment_portal",
    "cash_matching",
    "cash_matching_collections",
)
ODOO_PATH_VAR = "ODOO_PATH"


@dataclass
class Odoo:
    """An importable Odoo 18: its package folder and, for a source tree, the
    folder added to ``sys.path``."""

    package_dir: Path
    source_root: Path | None

    @property
    def addons_path(self):
        paths = [self.package_dir / "addons"]
        top_addons = self.package_dir.parent / "addons"
        if top_addons.is_dir():
            paths.append(top_addons)
        paths.append(REPO)
        return ",".join(str(path) for path in paths)

    def env(self):
        """Process environment that makes ``python -m odoo`` work."""
        env = dict(os.environ)
        if self.source_root:
            env["PYTHONPATH"] = os.pathsep.join(
                filter(None, [str(self.source_root), env.get("PYTHONPATH")])
            )
        return env

    def command(self, *args):
        return [sys.executable, "-m", "odoo", *args]


def find_odoo():
    """``(Odoo, None)`` when Odoo 18 can be used, else ``(None, reason)``."""
    source = os.environ.get(ODOO_PATH_VAR)
    if source:
        root = Path(source).expanduser().resolve()
        if not (root / "odoo" / "release.py").is_file():
            return None, (
                f"{ODOO_PATH_VAR}={source} is not an Odoo source tree "
                "(no odoo/release.py in it)"
            )
        sys.path.insert(0, str(root))
    else:
        root = None
    try:
        release = importlib.import_module("odoo.release")
    except ImportError as exc:
        return None, (
            f"this Python ({sys.executable}) cannot import odoo ({exc}); "
            f"install Odoo 18.0 with pip or set {ODOO_PATH_VAR} to an Odoo 18.0 "
            "source tree"
        )
    if release.version_info[0] != 18:
        return None, f"odoo {release.version} found, 18.0 is needed"
    package_dir = Path(release.__file__).resolve().parent
    if root is None and not (package_dir / "addons" / "base").is_dir():
        return None, f"odoo at {package_dir} has no addons/base"
    return Odoo(package_dir=package_dir, source_root=root), None


@dataclass
class Postgres:
    host: str
    port: int
    user: str
    password: str

    def odoo_args(self):
        return [
            f"--db_host={self.host}",
            f"--db_port={self.port}",
            f"--db_user={self.user}",
            f"--db_password={self.password}",
        ]

    def connect(self, dbname="postgres"):
        import psycopg2  # installed with Odoo

        return psycopg2.connect(
            host=self.host,
            port=self.port,
            user=self.user,
            password=self.password,
            dbname=dbname,
            connect_timeout=5,
        )

    def databases(self):
        conn = self.connect()
        try:
            with conn.cursor() as cr:
                cr.execute("SELECT datname FROM pg_database WHERE NOT datistemplate")
                return {row[0] for row in cr.fetchall()}
        finally:
            conn.close()

    def execute(self, sql, dbname="postgres"):
        conn = self.connect(dbname)
        conn.autocommit = True
        try:
            with conn.cursor() as cr:
                cr.execute(sql)
                return cr.fetchall() if cr.description else None
        finally:
            conn.close()


def _port_open(host, port):
    try:
        with socket.create_connection((host, port), timeout=2):
            return True
    except OSError:
        return False


def _as_postgres(sql):
    subprocess.run(
        ["su", "postgres", "-c", f'psql -v ON_ERROR_STOP=1 -qc "{sql}"'],
        check=True,
        stdout=subprocess.DEVNULL,
    )


def ensure_postgres(log=print):
    """A reachable PostgreSQL, started (and installed) when we may.

    Raises ``RuntimeError`` with a message that says what to do when none can
    be had.
    """
    explicit = any(os.environ.get(var) for var in ("PGHOST", "PGPORT", "PGUSER"))
    pg = Postgres(
        host=os.environ.get("PGHOST", "127.0.0.1"),
        port=int(os.environ.get("PGPORT", "5432")),
        user=os.environ.get("PGUSER", "odoo"),
        password=os.environ.get("PGPASSWORD", "odoo"),
    )
    if pg.user == "postgres":
        raise RuntimeError(
            "Odoo refuses to run as the PostgreSQL superuser 'postgres': set "
            "PGUSER to another role that may create databases"
        )
    if not _port_open(pg.host, pg.port):
        if explicit or os.geteuid() != 0:
            raise RuntimeError(
                f"no PostgreSQL answers on {pg.host}:{pg.port}; start one, or set "
                "PGHOST/PGPORT/PGUSER/PGPASSWORD to reach yours"
            )
        _start_local_postgres(log)
        for _attempt in range(60):
            if _port_open(pg.host, pg.port):
                break
            time.sleep(0.5)
        else:
            raise RuntimeError("the local PostgreSQL did not start in 30 s")
    try:
        pg.connect().close()
    except Exception as exc:
        if explicit or os.geteuid() != 0:
            raise RuntimeError(
                f"PostgreSQL on {pg.host}:{pg.port} refused {pg.user}: {exc}"
            ) from exc
        log(f"creating the PostgreSQL role {pg.user}")
        _as_postgres(
            f"CREATE ROLE {pg.user} LOGIN CREATEDB SUPERUSER PASSWORD '{pg.password}'"
        )
        pg.connect().close()
    return pg


def _start_local_postgres(log):
    if not shutil.which("pg_ctlcluster"):
        log("installing PostgreSQL (Debian package postgresql)")
        env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
        subprocess.run(["apt-get", "update", "-qq"], check=True, env=env)
        subprocess.run(
            ["apt-get", "install", "-y", "-qq", "postgresql"],
            check=True,
            env=env,
            stdout=subprocess.DEVNULL,
        )
    clusters = subprocess.run(
        ["pg_lsclusters", "-h"], capture_output=True, text=True, check=True
    ).stdout.split("\n")
    clusters = [line.split() for line in clusters if line.strip()]
    if not clusters:
        raise RuntimeError("PostgreSQL is installed but has no cluster")
    version, name = clusters[0][0], clusters[0][1]
    log(f"starting PostgreSQL {version}/{name}")
    subprocess.run(["pg_ctlcluster", version, name, "start"], check=False)


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def pip_install(*requirement_files, quiet=True):
    """Install our requirement files into the running Python."""
    args = [sys.executable, "-m", "pip", "install", "--disable-pip-version-check"]
    if quiet:
        args.append("-q")
    for path in requirement_files:
        args += ["-r", str(REPO / path)]
    env = dict(os.environ, PIP_ROOT_USER_ACTION="ignore")
    return subprocess.run(args, env=env).returncode
