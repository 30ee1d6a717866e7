"""Rows as COPY text: the machinery shared by the SQL writers.

A SQL writer queues each row it makes as a line of PostgreSQL's COPY text
format in a temporary file per table, and copies the files at the end: no
row goes through the ORM or an INSERT. Ids come from each table's own
sequence, reserved 10,000 at a time, so that a row's id is known when the
rows referring to it are made. An exemplar's row becomes a ``_Template``:
its columns rendered once, the variable ones replaced per row.
``suite.fast_bank`` writes its statement lines with the same ``RowWriter``
and ``_Template``, and refuses what it does not mirror with the same
``Unsupported``.
"""

import tempfile
from datetime import date, datetime


class Unsupported(Exception):
    """The plan or the database holds a case this writer does not mirror."""


def _text(value):
    if value is None:
        return r"\N"
    if value is True or value is False:
        return "t" if value else "f"
    if isinstance(value, str):
        if "\\" in value or "\t" in value or "\n" in value or "\r" in value:
            value = (
                value.replace("\\", "\\\\")
                .replace("\t", "\\t")
                .replace("\n", "\\n")
                .replace("\r", "\\r")
            )
        return value
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    if isinstance(value, (dict, list)):
        raise Unsupported("json values (e.g. analytic distributions) in exemplars")
    return str(value)  # int, Decimal; floats arrive formatted


class RowWriter:
    """Rows queued as COPY text per table; ids reserved by blocks.
    Subclasses set ``cr``, ``files = {}`` and ``id_blocks = {}``."""

    def next_id(self, table):
        """A new id from ``table``'s sequence (reserved 10,000 at a time)."""
        block = self.id_blocks.get(table)
        if not block or block[0] > block[1]:
            self.cr.execute("SELECT nextval(pg_get_serial_sequence(%s, 'id'))", [table])
            first = self.cr.fetchone()[0]
            self.cr.execute(
                "SELECT setval(pg_get_serial_sequence(%s, 'id'), %s)",
                [table, first + 9999],
            )
            block = self.id_blocks[table] = [first, first + 9999]
        block[0] += 1
        return block[0] - 1

    def out(self, table, line):
        """Queue a row of ``table`` (COPY text) for the final write."""
        if table not in self.files:
            self.files[table] = tempfile.TemporaryFile("w+", encoding="utf-8")
        self.files[table].write(line + "\n")


class _Template:
    """An exemplar's row, copied with other values in ``variable``."""

    def __init__(self, columns, row, variable):
        self.row = row
        self.parts = [_text(row[column]) for column in columns]
        self.index = [columns.index(column) for column in variable]

    def render(self, values):
        """The COPY line of the row with ``values`` (in ``variable``'s
        order)."""
        parts = self.parts.copy()
        for index, value in zip(self.index, values, strict=True):
            parts[index] = _text(value)
        return "\t".join(parts)
