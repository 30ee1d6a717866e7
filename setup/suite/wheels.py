"""The add-ons' wheels, as OCA builds them: ``pip wheel --no-deps ./ADDON``
with each add-on's ``pyproject.toml`` (build backend whool, fetched by pip
from PyPI into an isolated build environment; no Odoo needed).

whool puts in the wheel the add-on's files that git tracks, under
``odoo/addons/ADDON/``; its version is the manifest's, followed by the number
of commits since the manifest's version last changed; its dependencies are
the manifest's (``odoo-addon-X==18.0.*`` for an add-on, the Python packages
of ``external_dependencies``). ``check`` proves a wheel complete: its files
are exactly ``git ls-files ADDON`` (but pyproject.toml), every file the
manifest names (data, demo, assets) is in it, its metadata says the manifest's
version and dependencies.

``install`` puts wheels into a throwaway folder (``pip install --no-deps
--target``): Odoo finds the add-ons in ``TARGET/odoo/addons``.
"""

import ast
import fnmatch
import re
import subprocess
import sys
import zipfile
from dataclasses import dataclass, field
from email.parser import HeaderParser
from pathlib import Path

from . import runtime

REPO = runtime.REPO


@dataclass
class Wheel:
    addon: str
    path: Path | None = None
    files: int = 0
    size: int = 0
    version: str = ""
    problems: list = field(default_factory=list)

    def line(self):
        if not self.path:
            return f"{self.addon}: no wheel ({'; '.join(self.problems)})"
        state = "complete" if not self.problems else "; ".join(self.problems)
        return (
            f"{self.path.name}: {self.files} files of the add-on, "
            f"{self.size / 1024:.0f} KiB, {state}"
        )


def _git(*args):
    return subprocess.run(
        ["git", *args], cwd=REPO, capture_output=True, text=True, check=True
    ).stdout.splitlines()


def build(addons, out_dir):
    """Build each add-on's wheel into ``out_dir``; a :class:`Wheel` each."""
    out_dir = Path(out_dir)
    results = []
    for addon in addons:
        before = set(out_dir.glob("*.whl"))
        proc = subprocess.run(
            [
                sys.executable,
                "-m",
                "pip",
                "wheel",
                "--no-deps",
                "--disable-pip-version-check",
                "--quiet",
                "--wheel-dir",
                str(out_dir),
                f"./{addon}",
            ],
            cwd=REPO,
            capture_output=True,
            text=True,
        )
        made = sorted(set(out_dir.glob("*.whl")) - before)
        wheel = Wheel(addon)
        if proc.returncode or len(made) != 1:
            wheel.problems.append(
                f"pip wheel failed (exit {proc.returncode}): "
                f"{(proc.stderr or proc.stdout).strip()[-1500:]}"
            )
        else:
            wheel.path = made[0]
            check(wheel)
        results.append(wheel)
    return results


def _manifest(addon):
    return ast.literal_eval((REPO / addon / "__manifest__.py").read_text())


def check(wheel):
    """Fill ``wheel``'s counts and problems from its archive."""
    addon = wheel.addon
    prefix = f"odoo/addons/{addon}/"
    wheel.size = wheel.path.stat().st_size
    with zipfile.ZipFile(wheel.path) as archive:
        names = archive.namelist()
        metadata_name = next(
            (n for n in names if n.endswith(".dist-info/METADATA")), None
        )
        metadata = HeaderParser().parsestr(
            archive.read(metadata_name).decode() if metadata_name else ""
        )
    inside = {name[len(prefix) :] for name in names if name.startswith(prefix)}
    elsewhere = [
        name
        for name in names
        if not name.startswith(prefix) and ".dist-info/" not in name
    ]
    wheel.files = len(inside)
    tracked = {
        path[len(addon) + 1 :]
        for path in _git("ls-files", "--", addon)
        if path != f"{addon}/pyproject.toml"
    }
    missing, extra = sorted(tracked - inside), sorted(inside - tracked)
    if missing:
        wheel.problems.append(f"missing {len(missing)} tracked files: {missing[:5]}")
    if extra:
        wheel.problems.append(f"{len(extra)} files git does not track: {extra[:5]}")
    if elsewhere:
        wheel.problems.append(f"files outside odoo/addons/{addon}: {elsewhere[:5]}")
    untracked = _git("ls-files", "--others", "--exclude-standard", "--", addon)
    if untracked:
        wheel.problems.append(
            f"not in the wheel, git does not track them: {untracked[:5]} (git add)"
        )
    manifest = _manifest(addon)
    named = [*manifest.get("data", []), *manifest.get("demo", [])]
    absent = [path for path in named if path not in inside]
    for globs in manifest.get("assets", {}).values():
        for item in globs:
            pattern = item[-1] if isinstance(item, (list, tuple)) else item
            if not pattern.startswith(f"{addon}/"):
                continue  # another add-on's asset
            if not fnmatch.filter(inside, pattern[len(addon) + 1 :]):
                absent.append(pattern)
    for required in ("__manifest__.py", "__init__.py"):
        if required not in inside:
            absent.append(required)
    if absent:
        wheel.problems.append(f"files the manifest names are missing: {absent[:5]}")
    wheel.version = metadata.get("Version", "")
    version = manifest.get("version", "")
    if not re.fullmatch(re.escape(version) + r"(\.\d+)?", wheel.version):
        wheel.problems.append(
            f"version {wheel.version or 'absent'}, the manifest says {version}"
        )
    if metadata.get("Name") != f"odoo-addon-{addon}":
        wheel.problems.append(f"distribution named {metadata.get('Name')}")
    requires = {
        re.split(r"[<>=!~;\s\[]", dist, maxsplit=1)[0].lower()
        for dist in metadata.get_all("Requires-Dist") or []
    }
    ours = [dep for dep in manifest.get("depends", []) if dep in runtime.ADDONS]
    python = manifest.get("external_dependencies", {}).get("python", [])
    wanted = {*(f"odoo-addon-{dep}" for dep in ours), *(dep.lower() for dep in python)}
    if wanted - requires:
        wheel.problems.append(f"Requires-Dist lacks {sorted(wanted - requires)}")


def install(wheels, target):
    """``pip install --no-deps --target target`` the wheels; the folder of
    add-ons to put on Odoo's addons path, or None when pip failed."""
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "install",
            "--no-deps",
            "--no-compile",
            "--disable-pip-version-check",
            "--quiet",
            "--target",
            str(target),
            *(str(wheel.path) for wheel in wheels),
        ],
        capture_output=True,
        text=True,
    )
    if proc.returncode:
        sys.stdout.write(proc.stdout[-2000:] + proc.stderr[-2000:])
        return None
    return Path(target) / "odoo" / "addons"
