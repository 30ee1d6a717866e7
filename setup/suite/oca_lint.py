"""OCA's checks of the add-ons' data files, run offline by setup/test's lint.

* ``oca-checks-odoo-module`` (XML, CSV, manifests) and ``oca-checks-po``
  (.po/.pot files), from the PyPI package ``oca-odoo-pre-commit-hooks`` that
  requirements-test.txt pins;
* prettier with ``@prettier/plugin-xml`` on the XML files, as OCA's
  pre-commit does: the versions and options are read from the prettier hook
  of ``.pre-commit-config.yaml``; the two npm packages are installed with the
  machine's npm into a cache folder outside the repository;
* ``.pre-commit-config.yaml`` names the versions requirements-test.txt pins.

Each function returns ``(ok, message)``; ``ok`` is None when the check could
not run (prettier without Node.js), with the reason in ``message``.
"""

import re
import shutil
import subprocess
import sys
from pathlib import Path

from . import runtime

REPO = runtime.REPO
PRECOMMIT = REPO / ".pre-commit-config.yaml"
CACHE = Path.home() / ".cache" / "collections-suite"

# Checks disabled, with the reason (as OCA's template does).
PO_DISABLED = {
    # entries sorted by msgid and a msgstr equal to its msgid blanked: our
    # catalogues keep Odoo's export order (setup/i18n), and a French term that
    # reads as the English one is a translation (setup/i18n --check reports a
    # blank msgstr as untranslated). OCA's template disables it too.
    "po-pretty-format",
}

# The tools setup/test pins in requirements-test.txt, and the repository
# whose pre-commit hook runs each one.
HOOK_REPOS = {
    "ruff": "https://github.com/astral-sh/ruff-pre-commit",
    "pylint-odoo": "https://github.com/OCA/pylint-odoo",
    "oca-odoo-pre-commit-hooks": "https://github.com/OCA/odoo-pre-commit-hooks",
}


def _files(*patterns):
    out = subprocess.run(
        ["git", "ls-files", "--", *patterns],
        cwd=REPO,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    return [line for line in out.splitlines() if line]


def module_checks(addons):
    """oca-checks-odoo-module on the add-on folders."""
    proc = subprocess.run(
        [sys.executable, "-m", "oca_pre_commit_hooks.cli", *addons],
        cwd=REPO,
    )
    return proc.returncode == 0, "oca-checks-odoo-module found problems"


def po_checks(addons):
    """oca-checks-po on every tracked .po and .pot file of the add-ons."""
    files = _files(*(f"{addon}/i18n/*.po*" for addon in addons))
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "oca_pre_commit_hooks.cli_po",
            f"--disable={','.join(sorted(PO_DISABLED))}",
            *files,
        ],
        cwd=REPO,
    )
    return proc.returncode == 0, "oca-checks-po found problems"


def _precommit_config():
    import yaml  # noqa: PLC0415 - requirements-test.txt

    return yaml.safe_load(PRECOMMIT.read_text(encoding="utf-8"))


def _prettier_hook(config):
    for repo in config["repos"]:
        for hook in repo.get("hooks", []):
            if hook["id"] == "prettier":
                return hook
    raise LookupError(f"no prettier hook in {PRECOMMIT.name}")


def pins(_addons=None):
    """The revs of .pre-commit-config.yaml are the pins of requirements-test.txt."""
    pinned = {}
    for line in (REPO / "requirements-test.txt").read_text().splitlines():
        match = re.match(r"^([A-Za-z0-9_.-]+)==(\S+)", line.strip())
        if match:
            pinned[match[1].lower()] = match[2]
    repos = _precommit_config()["repos"]
    revs = {repo["repo"]: str(repo.get("rev", "")) for repo in repos}
    wrong = []
    for package, url in HOOK_REPOS.items():
        want = pinned.get(package)
        have = revs.get(url, "").removeprefix("v")
        if want is None or have != want:
            wrong.append(
                f"{package}: requirements-test.txt {want or 'unpinned'}, "
                f"{PRECOMMIT.name} {have or 'absent'}"
            )
    for problem in wrong:
        print(f"  {problem}", flush=True)
    return not wrong, "pre-commit revs differ from requirements-test.txt pins"


def _prettier_install(packages):
    """The folder of node_modules holding ``packages`` (npm specs), installed
    on first use; ``(None, why)`` when it cannot be had."""
    if not (shutil.which("node") and shutil.which("npm")):
        return None, "no Node.js/npm on this machine (Debian package nodejs, npm)"
    folder = CACHE / ("npm-" + "-".join(re.sub(r"\W+", "_", p) for p in packages))
    modules = folder / "node_modules"
    if all((modules / p.rsplit("@", 1)[0]).is_dir() for p in packages):
        return modules, None
    folder.mkdir(parents=True, exist_ok=True)
    proc = subprocess.run(
        [
            "npm",
            "install",
            "--prefix",
            str(folder),
            "--no-audit",
            "--no-fund",
            "--loglevel=error",
            *packages,
        ],
        capture_output=True,
        text=True,
    )
    if proc.returncode:
        return None, f"npm install {' '.join(packages)} failed: {proc.stderr[-500:]}"
    return modules, None


def prettier(addons):
    """prettier --check with plugin-xml on the add-ons' XML files."""
    hook = _prettier_hook(_precommit_config())
    packages = hook["additional_dependencies"]
    modules, why = _prettier_install(packages)
    if modules is None:
        return None, f"prettier skipped: {why}"
    writing = ("--write", "--list-different")
    options = [arg for arg in hook["args"] if arg not in writing]
    files = _files(*(f"{addon}/*.xml" for addon in addons))
    proc = subprocess.run(
        [
            "node",
            str(modules / "prettier" / "bin" / "prettier.cjs"),
            f"--plugin={modules / '@prettier' / 'plugin-xml' / 'src' / 'plugin.js'}",
            *options,
            "--check",
            *files,
        ],
        cwd=REPO,
    )
    return proc.returncode == 0, (
        f"prettier found XML files to format ({', '.join(packages)}; "
        "run: pre-commit run prettier --all-files)"
    )
