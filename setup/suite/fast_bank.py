"""Write the generator's bank statement lines with SQL, as the ORM writes them.

Odoo creates a statement line and its journal entry one at a time (about
30 ms a line on two cores: over ten minutes for the 21,701 lines of the
20,000-customer dunning data set). This writer makes, for each shape of
line (company and journal, foreign currency or not), two exemplar lines
through the ORM inside a savepoint, reads their rows (the statement line,
its entry, the entry's two journal items), rolls them back, and writes every
line as a copy of its exemplar's rows in which what depends on the line is
computed as Odoo 18.0 computes it:

* ids and the references between the three rows;
* the entry's name in its journal's sequence, as ``create`` then
  ``action_post`` give it (see ``Writer.number``);
* dates (the entry's due date is the day it was created), texts
  (reference, payer, account number), ``internal_index``;
* amounts: each amount column of the exemplars is matched to a rule (the
  line's amount, its foreign amount, their opposites, zero...) that holds
  on both exemplars, and the rule computes it for every line.

A column that differs between the two exemplars and is not computed here,
an amount no rule explains, a negative amount or a write to another table
stops the writer (``fast_ledger.Unsupported``): nothing is copied stale.
``ledger_check`` builds a data set with each writer and compares the
statement lines and their entries row by row.
"""

from collections import defaultdict
from datetime import timedelta

from odoo import fields

from .fast_ledger.rows import RowWriter, Unsupported, _Template

# In COPY order: an entry and its statement line refer to each other, so the
# entries are copied first without it, then linked.
TABLES = ("account_move", "account_bank_statement_line", "account_move_line")
# Besides its rows, creating incoming lines triggers cash_matching's cron.
SIDE_TABLES = {"ir_cron_trigger"}
MAXINT = 2147483647

STATEMENT_COLUMNS = (
    "id",
    "move_id",
    "amount",
    "amount_currency",
    "amount_residual",
    "payment_ref",
    "partner_name",
    "account_number",
    "internal_index",
)
MOVE_COLUMNS = (
    "id",
    "statement_line_id",
    "name",
    "sequence_prefix",
    "sequence_number",
    "date",
    "invoice_date_due",
    "amount_total",
    "amount_total_signed",
    "amount_total_in_currency_signed",
    "amount_residual",
    "amount_residual_signed",
)
LINE_AMOUNTS = (
    "debit",
    "credit",
    "balance",
    "amount_currency",
    "amount_residual",
    "amount_residual_currency",
    "price_subtotal",
    "price_total",
)
LINE_COLUMNS = (
    "id",
    "move_id",
    "statement_line_id",
    "move_name",
    "name",
    "date",
    *LINE_AMOUNTS,
)


def _candidates(amount, foreign):
    """The values an amount column may take for a line of ``amount`` (in
    the company's currency) and ``foreign`` (in the transaction's)."""
    return {
        "amount": amount,
        "-amount": -amount,
        "foreign": foreign,
        "-foreign": -foreign,
        "zero": 0.0,
    }


def _rule(what, values, exemplars):
    """The candidate that gives ``values`` (one per exemplar)."""
    for name in exemplars[0]:
        if all(
            abs(float(value) - candidates[name]) < 0.005
            for value, candidates in zip(values, exemplars, strict=True)
        ):
            return name
    raise Unsupported(f"statement lines: no rule gives {what} {values}")


class _Shape:
    """The templates of one kind of statement line."""

    def __init__(self, journal, foreign_currency_id):
        self.journal = journal
        self.foreign_currency_id = foreign_currency_id
        self.rules = {}


def _same(what, pair_rows, variable):
    """The two exemplars agree on every column not in ``variable``."""
    first, second = pair_rows
    differ = [c for c in first if c not in variable and first[c] != second[c]]
    if differ:
        raise Unsupported(
            f"statement lines ({what}): the exemplars differ in " + ", ".join(differ)
        )


def _amounts(vals):
    amount = vals["amount"]
    foreign = vals.get("amount_currency") if vals.get("foreign_currency_id") else None
    return amount, amount if foreign is None else foreign


class Writer(RowWriter):
    def __init__(self, env):
        self.env, self.cr = env, env.cr
        self.files = {}
        self.id_blocks = {}

    # -- exemplars ---------------------------------------------------------

    def inserts(self):
        """Rows inserted so far by this transaction, per table."""
        self.cr.execute(
            "SELECT relname, n_tup_ins FROM pg_stat_xact_user_tables "
            "WHERE n_tup_ins > 0"
        )
        return dict(self.cr.fetchall())

    def exemplars(self, company, vals_pair):
        """Create two lines with the ORM, read their rows, roll back."""
        Line = self.env["account.bank.statement.line"].with_company(company)
        self.cr.execute("SAVEPOINT fast_bank")
        try:
            before = self.inserts()
            lines = Line.create([dict(vals) for vals in vals_pair])
            self.env.flush_all()
            after = self.inserts()
            touched = {t for t, n in after.items() if n != before.get(t, 0)}
            if touched - set(TABLES) - SIDE_TABLES:
                raise Unsupported(
                    "statement lines write to "
                    + ", ".join(sorted(touched - set(TABLES) - SIDE_TABLES))
                )
            rows = {}
            for table, column, ids in (
                ("account_bank_statement_line", "id", lines.ids),
                ("account_move", "id", lines.move_id.ids),
                ("account_move_line", "move_id", lines.move_id.ids),
            ):
                self.cr.execute(
                    f'SELECT * FROM "{table}" WHERE "{column}" = ANY(%s) ORDER BY id',
                    [ids],
                )
                columns = [d.name for d in self.cr.description]
                rows[table] = (
                    columns,
                    [dict(zip(columns, r, strict=True)) for r in self.cr.fetchall()],
                )
        finally:
            self.cr.execute("ROLLBACK TO SAVEPOINT fast_bank")
            self.env.invalidate_all()
        return rows

    def shape(self, company, journal, vals_list):
        """The templates and rules of the lines ``vals_list`` (one shape)."""
        pair = vals_list[:2]
        if len(pair) == 1:
            other = dict(pair[0])
            other["amount"] = round(other["amount"] + 1.23, 2)
            if other.get("amount_currency"):
                other["amount_currency"] = round(other["amount_currency"] + 1.11, 2)
            pair.append(other)
        if pair[1]["date"] == pair[0]["date"]:
            # exemplars of two dates tell a date from a constant
            pair[1] = dict(pair[1], date=pair[0]["date"] - timedelta(days=1))
        rows = self.exemplars(company, pair)
        shape = _Shape(journal, pair[0].get("foreign_currency_id"))
        exemplars = [_candidates(*_amounts(vals)) for vals in pair]
        statements = rows["account_bank_statement_line"][1]
        moves = rows["account_move"][1]
        self.check_texts(journal, statements, moves, pair)
        # an entry's due date: today (when it was created), not its date
        dues = [m["invoice_date_due"] for m in moves]
        if dues[0] != dues[1] or dues[0] != fields.Date.context_today(self.env.user):
            raise Unsupported(f"statement lines: entry due dates {dues}")
        shape.due = dues[0]
        _same("line", statements, STATEMENT_COLUMNS)
        for column in ("amount", "amount_currency", "amount_residual"):
            shape.rules["st", column] = _rule(
                column, [st[column] for st in statements], exemplars
            )
        shape.statement = _Template(
            rows["account_bank_statement_line"][0], statements[0], STATEMENT_COLUMNS
        )
        _same("entry", moves, MOVE_COLUMNS)
        for column in MOVE_COLUMNS[7:]:
            shape.rules["move", column] = _rule(
                column, [m[column] for m in moves], exemplars
            )
        shape.move = _Template(rows["account_move"][0], moves[0], MOVE_COLUMNS)
        shape.lines = self.line_templates(rows, statements, moves, exemplars)
        return shape

    @staticmethod
    def check_texts(journal, statements, moves, pair):
        """What this writer computes, as the ORM wrote it on the exemplars."""
        for st, move, vals in zip(statements, moves, pair, strict=True):
            if (st["payment_ref"], st["partner_name"], st["account_number"]) != (
                vals["payment_ref"],
                vals.get("partner_name"),
                vals.get("account_number"),
            ):
                raise Unsupported("statement lines: texts changed by the ORM")
            day = move["date"]
            index = f"{day:%Y%m%d}{MAXINT - st['sequence']:0>10}{st['id']:0>10}"
            if st["internal_index"] != index:
                raise Unsupported("statement lines: internal_index")
            prefix = f"{journal.code}/{day.year:04d}/"
            if (move["sequence_prefix"], move["name"]) != (
                prefix,
                f"{prefix}{move['sequence_number']:05d}",
            ):
                raise Unsupported(f"statement lines: entry named {move['name']}")
            if move["statement_line_id"] != st["id"] or st["move_id"] != move["id"]:
                raise Unsupported("statement lines: entry links")

    @staticmethod
    def line_templates(rows, statements, moves, exemplars):
        """Templates and amount rules of the bank account's item, then of
        the suspense account's."""
        by_move = defaultdict(list)
        for line in rows["account_move_line"][1]:
            by_move[line["move_id"]].append(line)
        items = [sorted(by_move[m["id"]], key=lambda r: r["id"]) for m in moves]
        if any(len(pair) != 2 for pair in items):
            raise Unsupported("statement lines: entries of other than two items")
        templates = []
        for index in range(2):
            pair_rows = [pair[index] for pair in items]
            _same(f"item {index + 1}", pair_rows, LINE_COLUMNS)
            for item, st, move in zip(pair_rows, statements, moves, strict=True):
                if (
                    item["name"] != st["payment_ref"]
                    or item["date"] != move["date"]
                    or item["move_name"] != move["name"]
                    or item["statement_line_id"] != st["id"]
                ):
                    raise Unsupported("statement lines: journal item values")
            rules = {
                column: _rule(
                    f"item {index + 1} {column}",
                    [item[column] for item in pair_rows],
                    exemplars,
                )
                for column in LINE_AMOUNTS
            }
            columns = rows["account_move_line"][0]
            templates.append((_Template(columns, pair_rows[0], LINE_COLUMNS), rules))
        return templates

    # -- writing -------------------------------------------------------------

    def write(self, company, journal, vals_list):
        """Write ``vals_list`` (what would be given to ``create``) as the
        ORM would in one call; return the number of lines."""
        if not vals_list:
            return 0
        if any(vals["amount"] <= 0 for vals in vals_list):
            raise Unsupported("statement lines: outgoing or zero amounts")
        by_shape = defaultdict(list)
        for vals in vals_list:
            by_shape[vals.get("foreign_currency_id") or None].append(vals)
        shapes = {
            key: self.shape(company, journal, group) for key, group in by_shape.items()
        }
        made = []
        for vals in vals_list:  # creation order: the ids' order
            made.append(
                (
                    vals,
                    shapes[vals.get("foreign_currency_id") or None],
                    self.next_id("account_bank_statement_line"),
                    self.next_id("account_move"),
                )
            )
        numbers = self.number(journal, made)
        for vals, shape, st_id, move_id in made:
            candidates = _candidates(*_amounts(vals))
            day = vals["date"]
            sequence = shape.statement.row["sequence"]
            st_rule = {
                c: candidates[shape.rules["st", c]] for c in STATEMENT_COLUMNS[2:5]
            }
            self.out(
                "account_bank_statement_line",
                shape.statement.render(
                    (
                        st_id,
                        move_id,
                        st_rule["amount"],
                        st_rule["amount_currency"],
                        st_rule["amount_residual"],
                        vals["payment_ref"],
                        vals.get("partner_name"),
                        vals.get("account_number"),
                        f"{day:%Y%m%d}{MAXINT - sequence:0>10}{st_id:0>10}",
                    )
                ),
            )
            prefix, number, name = numbers[move_id]
            self.out(
                "account_move",
                shape.move.render(
                    (
                        move_id,
                        None,  # statement_line_id, see copy()
                        name,
                        prefix,
                        number,
                        day,
                        shape.due,
                        *(candidates[shape.rules["move", c]] for c in MOVE_COLUMNS[7:]),
                    )
                ),
            )
            for template, rules in shape.lines:
                self.out(
                    "account_move_line",
                    template.render(
                        (
                            self.next_id("account_move_line"),
                            move_id,
                            st_id,
                            name,
                            vals["payment_ref"],
                            day,
                            *(candidates[rules[c]] for c in LINE_AMOUNTS),
                        )
                    ),
                )
        return len(made)

    def number(self, journal, made):
        """``_compute_name`` of entries created together. The create loop
        names the first entry of a year without number yet while it is a
        draft (``_get_last_sequence`` finds none); posting then numbers the
        others by date, then creation order, after the journal's last
        number of their year."""
        counters, numbers = {}, {}

        def name(move_id, prefix):
            counters[prefix] += 1
            number = counters[prefix]
            numbers[move_id] = (prefix, number, f"{prefix}{number:05d}")

        for vals, _shape, _st_id, move_id in made:  # creation order
            prefix = f"{journal.code}/{vals['date'].year:04d}/"
            if prefix not in counters:
                self.cr.execute(
                    "SELECT COALESCE(MAX(sequence_number), 0) FROM account_move "
                    "WHERE journal_id = %s AND sequence_prefix = %s",
                    [journal.id, prefix],
                )
                counters[prefix] = self.cr.fetchone()[0]
                if not counters[prefix]:
                    name(move_id, prefix)
        for vals, _shape, _st_id, move_id in sorted(
            made, key=lambda m: (m[0]["date"], m[3])
        ):
            if move_id not in numbers:
                name(move_id, f"{journal.code}/{vals['date'].year:04d}/")
        return numbers

    def copy(self):
        for table in TABLES:
            handle = self.files.pop(table, None)
            if handle is None:
                continue
            handle.seek(0)
            self.cr.copy_expert(f'COPY "{table}" FROM STDIN', handle)
            handle.close()
        self.cr.execute(
            "UPDATE account_move m SET statement_line_id = l.id "
            "FROM account_bank_statement_line l "
            "WHERE l.move_id = m.id AND m.statement_line_id IS NULL"
        )
        for table in TABLES:
            self.cr.execute(f'ANALYZE "{table}"')
        # what cash_matching's create does after an import of incoming lines
        self.env.ref("cash_matching.ir_cron_cash_match")._trigger()
        self.env.invalidate_all()


def write(env, lines_by_company):
    """``{(company, journal): [vals...]}`` written as the ORM's ``create``
    of each list would; return the number of lines."""
    writer = Writer(env)
    count = 0
    for (company, journal), vals_list in lines_by_company.items():
        count += writer.write(company, journal, vals_list)
    writer.copy()
    return count
