"""Reading an Odoo test run's log: counts, failures, and unexpected noise."""

import re
from dataclasses import dataclass, field

LINE = re.compile(
    r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d+ \d+ (?P<level>[A-Z]+) (?P<db>\S+) "
    r"(?P<logger>\S+): (?P<message>.*)$"
)
RESULT = re.compile(r"(\d+) failed, (\d+) error\(s\) of (\d+) tests when loading")
# Lines that report a failing test: the test failure is counted already.
FAILURE_REPORT = re.compile(
    r"^(FAIL|ERROR): |when loading database|at least one error occurred|"
    r"^Module \S+: \d+ failures?, \d+ errors? of \d+ tests|"
    r"^Initiating shutdown|tests? failed"
)


@dataclass
class OdooRun:
    tests: int = 0
    failed: int = 0
    errors: int = 0
    skipped: int = 0
    finished: bool = False
    failures: list = field(default_factory=list)  # "FAIL: Class.test" lines
    noise: list = field(default_factory=list)  # unexpected WARNING/ERROR lines

    @property
    def passed(self):
        return self.tests - self.failed - self.errors - self.skipped

    @property
    def ok(self):
        return self.finished and not (self.failed or self.errors or self.noise)


def parse(lines):
    """Read an Odoo log (an iterable of lines) into an :class:`OdooRun`."""
    run = OdooRun()
    for raw in lines:
        line = raw.rstrip("\n")
        match = LINE.match(line)
        if not match:
            continue
        level, message = match["level"], match["message"].strip()
        result = RESULT.search(message)
        if result and match["logger"] == "odoo.tests.result":
            run.failed, run.errors, run.tests = (int(x) for x in result.groups())
            run.finished = True
            continue
        if level == "INFO" and message.startswith("skipped "):
            run.skipped += 1
            continue
        if level in ("WARNING", "ERROR", "CRITICAL"):
            if message.startswith(("FAIL: ", "ERROR: ")):
                run.failures.append(message)
            elif not FAILURE_REPORT.search(message):
                run.noise.append(line)
    return run
