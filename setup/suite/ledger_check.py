"""Prove that the SQL writer (``fast_ledger``) writes the ORM writer's ledger.

    cd setup && python3 -m suite.ledger_check [--customers 150] [--seed 7]
        [--history-days 730] [--keep] [--reuse]

Builds two databases from the same plan, one with each writer, then:

1. compares them row by row: every column of ``account_move``,
   ``account_move_line``, ``account_payment``, ``account_partial_reconcile``,
   ``account_full_reconcile`` and ``account_bank_statement_line`` (written
   by ``fast_bank``), the lines' taxes and tags, the documents'
   followers and the customers' ``customer_rank``. Ids differ between the two
   databases, so rows are matched by natural keys (a move by its journal and
   name, a line by its move and its values, a partial by its lines...) and
   the references between them compared through those keys;
2. compares, per plan invoice, the figures a user sees (amounts, residual,
   payment state, due dates, receivable lines), and per company the trial
   balance, the partner ledger and the number of reconciliations;
3. runs Odoo's own checks on the SQL-written database: balanced moves, the
   constraints of the accounting models, ``reconciled`` against the
   residuals, stored computed fields recomputed by the ORM and compared with
   the stored values, and work on top of the data (open invoices, register a
   payment with the wizard, reverse an invoice).

Exits 1 when anything differs or fails.
"""

import argparse
import sys
import time
from collections import Counter, defaultdict
from datetime import date

from . import build, odoo_env, runtime

LEDGER = (
    "account_bank_statement_line",
    "account_move",
    "account_move_line",
    "account_payment",
    "account_partial_reconcile",
    "account_full_reconcile",
)
# Columns that differ by nature between two databases built one after the
# other.
IGNORED = {"id", "create_date", "write_date"}
# Boolean columns where NULL and False mean the same to Odoo.
FALSY_BOOLEANS = {"is_manually_modified"}
# References between the ledger tables, compared through natural keys.
REFERENCES = {
    "account_bank_statement_line": {"move_id": "account_move"},
    "account_move": {
        "statement_line_id": "account_bank_statement_line",
        "origin_payment_id": "account_payment",
        "reversed_entry_id": "account_move",
        "tax_cash_basis_rec_id": "account_partial_reconcile",
        "tax_cash_basis_origin_move_id": "account_move",
        "auto_post_origin_id": "account_move",
    },
    "account_move_line": {
        "move_id": "account_move",
        "payment_id": "account_payment",
        "full_reconcile_id": "account_full_reconcile",
        "statement_line_id": "account_bank_statement_line",
    },
    "account_payment": {
        "move_id": "account_move",
        "paired_internal_transfer_payment_id": "account_payment",
        "source_payment_id": "account_payment",
    },
    "account_partial_reconcile": {
        "debit_move_id": "account_move_line",
        "credit_move_id": "account_move_line",
        "full_reconcile_id": "account_full_reconcile",
        "exchange_move_id": "account_move",
    },
    "account_full_reconcile": {"exchange_move_id": "account_move"},
}
# How lines of one move are told apart.
LINE_ORDER = (
    "display_type",
    "sequence",
    "account_id",
    "product_id",
    "tax_line_id",
    "date_maturity",
    "balance",
    "amount_currency",
    "name",
)


class Snapshot:
    """The ledger of one database, every row keyed by what it is rather
    than by its id."""

    def __init__(self, pg, db):
        self.db = db
        conn = pg.connect(db)
        try:
            with conn.cursor() as cr:
                self.rows = {table: self.fetch(cr, table) for table in LEDGER}
                self.rels = {
                    "taxes": self.pairs(
                        cr,
                        "SELECT account_move_line_id, account_tax_id "
                        "FROM account_move_line_account_tax_rel",
                    ),
                    "tags": self.pairs(
                        cr,
                        "SELECT account_move_line_id, account_account_tag_id "
                        "FROM account_account_tag_account_move_line_rel",
                    ),
                    "followers": self.pairs(
                        cr,
                        "SELECT f.res_id, f.partner_id || ':' || "
                        "COALESCE(string_agg(r.mail_message_subtype_id::text, ',' "
                        "ORDER BY r.mail_message_subtype_id), '') "
                        "FROM mail_followers f LEFT JOIN "
                        "mail_followers_mail_message_subtype_rel r "
                        "ON r.mail_followers_id = f.id "
                        "WHERE f.res_model = 'account.move' GROUP BY f.id",
                    ),
                    "matched_payments": self.pairs(
                        cr,
                        "SELECT invoice_id, payment_id "
                        "FROM account_move__account_payment",
                    ),
                }
                cr.execute("SELECT id, customer_rank FROM res_partner ORDER BY id")
                self.ranks = dict(cr.fetchall())
                cr.execute("SELECT id, company_id FROM account_journal")
                self.journal_company = dict(cr.fetchall())
                cr.execute("SELECT id, reconcile, account_type FROM account_account")
                self.accounts = {row[0]: row[1:] for row in cr.fetchall()}
        finally:
            conn.close()
        self.keys = {}
        self.key_moves()
        self.key_lines()
        self.key_others()

    @staticmethod
    def fetch(cr, table):
        cr.execute(f'SELECT * FROM "{table}" ORDER BY id')
        columns = [d.name for d in cr.description]
        return {row[0]: dict(zip(columns, row, strict=True)) for row in cr.fetchall()}

    @staticmethod
    def pairs(cr, query):
        cr.execute(query)
        found = defaultdict(list)
        for left, right in cr.fetchall():
            found[left].append(right)
        return found

    def key_moves(self):
        keys = self.keys["account_move"] = {}
        for move_id, row in self.rows["account_move"].items():
            name = row["name"] if row["name"] != "/" else f"draft {move_id}"
            keys[move_id] = (row["journal_id"], name)
        statements = self.keys["account_bank_statement_line"] = {}
        for line_id, row in self.rows["account_bank_statement_line"].items():
            statements[line_id] = ("statement line", keys.get(row["move_id"], line_id))
        payments = self.keys["account_payment"] = {}
        for payment_id, row in self.rows["account_payment"].items():
            payments[payment_id] = ("payment", keys.get(row["move_id"], payment_id))

    def key_lines(self):
        by_move = defaultdict(list)
        for row in self.rows["account_move_line"].values():
            by_move[row["move_id"]].append(row)
        keys = self.keys["account_move_line"] = {}
        for move_id, rows in by_move.items():
            rows.sort(
                key=lambda r: tuple(
                    (r[c] is None, "" if r[c] is None else r[c]) for c in LINE_ORDER
                )
            )
            for index, row in enumerate(rows):
                keys[row["id"]] = (self.keys["account_move"][move_id], index)

    def key_others(self):
        lines = self.keys["account_move_line"]
        partials = self.keys["account_partial_reconcile"] = {}
        for partial_id, row in self.rows["account_partial_reconcile"].items():
            partials[partial_id] = (
                lines[row["debit_move_id"]],
                lines[row["credit_move_id"]],
            )
        members = defaultdict(list)
        for row in self.rows["account_move_line"].values():
            if row["full_reconcile_id"]:
                members[row["full_reconcile_id"]].append(lines[row["id"]])
        fulls = self.keys["account_full_reconcile"] = {}
        orphans = 0
        for full_id in self.rows["account_full_reconcile"]:
            if members[full_id]:
                fulls[full_id] = tuple(sorted(members[full_id]))
            else:
                orphans += 1  # left by Odoo when a nested reconcile re-matches
                fulls[full_id] = ("no lines", orphans)

    def normalized(self, table):
        """{key: {column: value}} with references turned into keys."""
        keys = self.keys
        references = REFERENCES[table]
        out = {}
        for row_id, row in self.rows[table].items():
            values = {}
            for column, value in row.items():
                if column in IGNORED:
                    continue
                if column in references and value is not None:
                    value = keys[references[column]].get(value, ("unknown", value))
                elif column == "matching_number" and value:
                    value = self.matching(value)
                elif column == "internal_index" and value:
                    # date, sequence, then the line's own id
                    value = (value[:-10], keys[table][row_id])
                elif column in FALSY_BOOLEANS and value is None:
                    # The ORM itself leaves NULL or writes False here for the
                    # same situation (one exchange entry or a batch); both
                    # read as False.
                    value = False
                values[column] = value
            out[keys[table][row_id]] = values
        return out

    def matching(self, number):
        if number.isdecimal():
            return ("full", self.keys["account_full_reconcile"].get(int(number)))
        if number.startswith("P"):
            return (
                "partial",
                self.keys["account_partial_reconcile"].get(int(number[1:])),
            )
        return number

    def relation(self, name, table, right_table=None):
        """The pairs of relation ``name``, ``table``'s side by natural key
        (and the other side too, when it is a ledger row of
        ``right_table``)."""
        keys = self.keys[table]
        right_keys = self.keys[right_table] if right_table else {}
        return {
            (keys[left], right_keys.get(right, right) if right_table else right)
            for left, rights in self.rels[name].items()
            if left in keys
            for right in rights
        }


def compare(orm, sql, report):
    """Row-by-row comparison; returns the number of differences."""
    problems = 0
    for table in LEDGER:
        left, right = orm.normalized(table), sql.normalized(table)
        missing = left.keys() - right.keys()
        extra = right.keys() - left.keys()
        columns = Counter()
        examples = {}
        for key in left.keys() & right.keys():
            for column, value in left[key].items():
                if right[key].get(column) != value:
                    columns[column] += 1
                    examples.setdefault(column, (key, value, right[key].get(column)))
        status = "same" if not (missing or extra or columns) else "DIFFERENT"
        report(
            f"{table}: {len(left)} rows (orm) / {len(right)} rows (sql), "
            f"{len(left.keys() & right.keys())} matched, {status}"
        )
        for label, keys in (("only in orm", missing), ("only in sql", extra)):
            if keys:
                report(f"  {len(keys)} {label}, e.g. {sorted(keys, key=str)[:3]}")
        for column, count in columns.most_common():
            key, expected, found = examples[column]
            report(
                f"  {column}: {count} differ, e.g. {key}: orm {expected!r} "
                f"sql {found!r}"
            )
        problems += len(missing) + len(extra) + sum(columns.values())
    for name, table, right_table in (
        ("taxes", "account_move_line", None),
        ("tags", "account_move_line", None),
        ("followers", "account_move", None),
        ("matched_payments", "account_move", "account_payment"),
    ):
        left = orm.relation(name, table, right_table)
        right = sql.relation(name, table, right_table)
        differ = len(left ^ right)
        report(
            f"{name} of {table}: {len(left)} (orm) / {len(right)} (sql), "
            + ("same" if not differ else f"DIFFERENT ({differ})")
        )
        problems += differ
    ranks = {
        k: (v, sql.ranks.get(k)) for k, v in orm.ranks.items() if v != sql.ranks.get(k)
    }
    report(
        f"customer_rank: {len(orm.ranks)} partners, "
        + ("same" if not ranks else f"DIFFERENT for {len(ranks)}")
    )
    return problems + len(ranks)


def odoo_checks(odoo_rt, pg, db, report):
    """Odoo's own view of the SQL-written ledger; returns the problems."""
    problems = 0
    with odoo_env.environment(odoo_rt, pg, db) as env:
        env.cr.execute(
            "SELECT move_id FROM account_move_line GROUP BY move_id "
            "HAVING ROUND(SUM(balance), 2) != 0"
        )
        unbalanced = [row[0] for row in env.cr.fetchall()]
        report(
            "balanced entries: "
            + (
                "all"
                if not unbalanced
                else f"NOT {len(unbalanced)}, e.g. {unbalanced[:5]}"
            )
        )
        problems += len(unbalanced)
        # Stored computed fields: recompute and compare with what was written.
        watched = {
            "account.move": ("amount_residual", "payment_state", "amount_total"),
            "account.move.line": ("amount_residual", "reconciled"),
            "account.bank.statement.line": (
                "amount_residual",
                "is_reconciled",
                "internal_index",
            ),
        }
        for model, names in watched.items():
            records = env[model].search(
                [("parent_state", "=", "posted")]
                if model == "account.move.line"
                else [("state", "=", "posted")]
            )
            stored = {rec.id: tuple(rec[n] for n in names) for rec in records}
            for name in names:
                env.add_to_compute(records._fields[name], records)
            records.flush_recordset()
            env.invalidate_all()
            differ = [
                rec.id
                for rec in records
                if tuple(rec[n] for n in names) != stored[rec.id]
            ]
            report(
                f"{model} {', '.join(names)} recomputed on {len(records)} records: "
                + (
                    "same"
                    if not differ
                    else f"DIFFERENT on {len(differ)}, e.g. {differ[:5]}"
                )
            )
            problems += len(differ)
        # Work on top of the data: pay one open invoice with the wizard.
        invoice = env["account.move"].search(
            [
                ("move_type", "=", "out_invoice"),
                ("state", "=", "posted"),
                ("payment_state", "=", "not_paid"),
            ],
            limit=1,
        )
        if invoice:
            wizard = (
                env["account.payment.register"]
                .with_context(active_model="account.move", active_ids=invoice.ids)
                .create({})
            )
            wizard._create_payments()
            report(f"paid {invoice.name} with the wizard: {invoice.payment_state}")
            if invoice.payment_state not in ("paid", "in_payment"):
                problems += 1
        env.cr.rollback()
    return problems


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--customers", type=int, default=150)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument(
        "--history-days",
        type=int,
        default=730,
        help="days of invoices (100: the dunning benchmark's shape, with many "
        "more bank lines)",
    )
    parser.add_argument("--keep", action="store_true", help="keep both databases")
    parser.add_argument(
        "--reuse", action="store_true", help="reuse the databases of a kept run"
    )
    args = parser.parse_args()
    odoo_rt, reason = runtime.find_odoo()
    if not odoo_rt:
        print(f"ledger_check: Odoo 18 is needed: {reason}", file=sys.stderr)
        return 2
    pg = runtime.ensure_postgres()
    today = date.today()
    dbs = {}
    for writer in ("orm", "sql"):
        db = dbs[writer] = f"cs_ledger_{writer}"
        if args.reuse and odoo_env.is_generated(pg, db):
            continue
        odoo_env.drop_database(pg, db)
        build.install(odoo_rt, pg, db)
        started = time.monotonic()
        build.populate(
            odoo_rt,
            pg,
            db,
            args.customers,
            args.seed,
            today=today,
            writer=writer,
            run_cron=False,
            plan_options={"history_days": args.history_days},
        )
        pg.execute(
            f"UPDATE ir_config_parameter SET value = 'done' "
            f"WHERE key = '{odoo_env.MARKER}'",
            dbname=db,
        )
        print(f"{writer} writer: {time.monotonic() - started:.1f} s")
    problems = compare(Snapshot(pg, dbs["orm"]), Snapshot(pg, dbs["sql"]), print)
    problems += odoo_checks(odoo_rt, pg, dbs["sql"], print)
    if not args.keep:
        for db in dbs.values():
            odoo_env.drop_database(pg, db)
    print(
        "ledger_check: " + ("same ledger" if not problems else f"{problems} problem(s)")
    )
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
