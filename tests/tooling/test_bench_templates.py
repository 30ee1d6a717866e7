"""Benchmark templates are named after the generator's version, so that a
template made by an earlier generator is never reused (issue #34)."""

import shutil

from conftest import REPO

from suite import benchmarks


def test_template_name_carries_the_generator_version():
    version = benchmarks.generator_version()
    assert len(version) == 8
    assert benchmarks.template_name(20000, 42) == f"cs_tpl_{version}_20000_42"
    assert benchmarks.template_name(20000, 42, "dunning3").startswith(
        f"cs_dunning3_{version}_"
    )


def _copy_generator(tmp_path):
    suite = REPO / "setup" / "suite"
    names = []
    for path in benchmarks.generator_files():
        name = path.relative_to(suite)
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(path, tmp_path / name)
        names.append(name)
    return names


def test_any_change_to_the_generator_changes_the_version(tmp_path):
    names = _copy_generator(tmp_path)
    same = benchmarks.generator_version(tmp_path)
    assert same == benchmarks.generator_version()
    for name in names:
        path = tmp_path / name
        original = path.read_text()
        path.write_text(original + "\n# changed\n")
        assert benchmarks.generator_version(tmp_path) != same, name
        path.write_text(original)
    assert benchmarks.generator_version(tmp_path) == same


def test_every_module_of_the_sql_ledger_writer_is_hashed(tmp_path):
    """``fast_ledger`` is a package: each of its modules counts, and so
    does a module added to it."""
    package = REPO / "setup" / "suite" / "fast_ledger"
    modules = set(package.glob("*.py"))
    assert len(modules) > 2
    assert modules <= set(benchmarks.generator_files())
    _copy_generator(tmp_path)
    same = benchmarks.generator_version(tmp_path)
    (tmp_path / "fast_ledger" / "added.py").write_text("")
    assert benchmarks.generator_version(tmp_path) != same


def test_the_bank_lines_writer_is_hashed():
    """The templates hold the bank statement lines ``fast_bank`` writes: a
    change to it makes a new template, as a change to the ledger does."""
    assert REPO / "setup" / "suite" / "fast_bank.py" in benchmarks.generator_files()


def test_a_benchmark_process_reports_its_own_peak_memory():
    """A benchmark runs in a process started by ``setup/bench``, which may
    have just built a template in-process: the benchmark's figure is its own
    peak, not the builder's (Linux keeps ``ru_maxrss`` across exec)."""
    import subprocess
    import sys

    from suite import odoo_env

    ballast = bytearray(300 * 1024 * 1024)  # the builder's memory
    assert odoo_env.peak_rss_mb() > 300
    child = subprocess.run(
        [
            sys.executable,
            "-c",
            "from suite import odoo_env; print(odoo_env.peak_rss_mb())",
        ],
        cwd=REPO / "setup",
        capture_output=True,
        text=True,
        check=True,
    )
    assert float(child.stdout) < 150
    del ballast
