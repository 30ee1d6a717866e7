"""The harness reads Odoo's log to count tests; a misread would make a red
suite look green, so the reader is tested on real log shapes."""

from suite.odoo_log import parse

PREFIX = "2026-11-22 21:06:05,712 7783"

LOG = f"""\
{PREFIX} INFO cs_test odoo.modules.loading: loading 92 modules...
{PREFIX} INFO cs_test odoo.addons.x.tests.test_a: Starting TestA.test_one ...
{PREFIX} INFO cs_test odoo.addons.x.tests.test_a: skipped TestA.test_two : no chrome
{PREFIX} ERROR cs_test odoo.addons.x.tests.test_a: FAIL: TestA.test_three
Traceback (most recent call last):
AssertionError: 1 != 2
{PREFIX} WARNING cs_test odoo.addons.x.models.y: Two fields have the same label
{PREFIX} ERROR cs_test odoo.modules.loading: Module x: 1 failures, 0 errors of 4 tests
{PREFIX} ERROR cs_test odoo.tests.result: 1 failed, 0 error(s) of 4 tests \
when loading database 'cs_test'
"""


def test_counts_and_noise():
    run = parse(LOG.splitlines())
    assert run.finished
    assert (run.tests, run.failed, run.errors, run.skipped) == (4, 1, 0, 1)
    assert run.passed == 2
    assert run.failures == ["FAIL: TestA.test_three"]
    assert len(run.noise) == 1 and "same label" in run.noise[0]
    assert not run.ok


def test_clean_run():
    run = parse(
        [
            f"{PREFIX} INFO db odoo.tests.result: 0 failed, 0 error(s) of 12 tests "
            "when loading database 'db'"
        ]
    )
    assert run.ok and run.passed == 12


def test_unfinished_run_is_not_ok():
    run = parse([f"{PREFIX} CRITICAL db odoo.service.server: Failed to initialize"])
    assert not run.finished and not run.ok
