"""Serve a database with Odoo on a free loopback port, for checks and
screenshots, and talk to it as a user would."""

import contextlib
import subprocess
import time

from . import runtime


def wait_http(url, seconds=120):
    import requests  # noqa: PLC0415 - installed with Odoo

    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            if requests.get(url, timeout=5).status_code < 500:
                return
        except requests.RequestException:
            pass
        time.sleep(1)
    raise RuntimeError(f"{url} did not answer in {seconds} s")


@contextlib.contextmanager
def serving(odoo_rt, pg, db):
    """Yield the base URL of an Odoo serving ``db`` until the block ends."""
    port = runtime.free_port()
    proc = subprocess.Popen(
        odoo_rt.command(
            f"--addons-path={odoo_rt.addons_path}",
            *pg.odoo_args(),
            "-d",
            db,
            f"--db-filter=^{db}$",
            "--http-interface=127.0.0.1",
            f"--http-port={port}",
            "--max-cron-threads=0",
            "--log-level=warn",
        ),
        env=odoo_rt.env(),
    )
    base = f"http://127.0.0.1:{port}"
    try:
        wait_http(f"{base}/web/login")
        yield base
    finally:
        proc.terminate()
        proc.wait(30)


class Client:
    """A logged-in session speaking Odoo's JSON-RPC, as the web client does."""

    def __init__(self, base, db, login, password):
        import requests  # noqa: PLC0415

        self.base = base
        self.session = requests.Session()
        result = self.rpc(
            "/web/session/authenticate",
            {"db": db, "login": login, "password": password},
        )
        self.uid = result["uid"]

    def rpc(self, path, params):
        response = self.session.post(
            self.base + path,
            json={"jsonrpc": "2.0", "method": "call", "params": params},
            timeout=120,
        )
        response.raise_for_status()
        payload = response.json()
        if payload.get("error"):
            error = payload["error"].get("data", {}).get("message") or payload["error"]
            raise RuntimeError(f"{path}: {error}")
        return payload["result"]

    def call(self, model, method, *args, **kwargs):
        return self.rpc(
            f"/web/dataset/call_kw/{model}/{method}",
            {"model": model, "method": method, "args": list(args), "kwargs": kwargs},
        )

    def get(self, path):
        response = self.session.get(self.base + path, timeout=120)
        return response.status_code, response.text
