"""The data set generator's progress: a bar on a terminal, lines in a log."""

import io

from suite.generator import Progress


def test_a_log_gets_a_line_per_quarter_not_one_long_line():
    log = io.StringIO()
    progress = Progress(stream=log)
    for done in range(0, 101, 5):
        progress.step("invoices", done, 100)
    lines = log.getvalue().splitlines()
    assert [line.split(" ")[1] for line in lines] == [
        "25/100",
        "50/100",
        "75/100",
        "100/100",
    ]
    assert "\r" not in log.getvalue()


def test_an_empty_phase_is_told_once():
    log = io.StringIO()
    progress = Progress(stream=log)
    progress.step("bank lines", 0, 0)
    progress.step("bank lines", 0, 0)
    lines = log.getvalue().splitlines()
    assert len(lines) == 1
    assert lines[0].startswith("bank lines: 0/0 ")
