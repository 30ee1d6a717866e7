"""The exemplars' rows read back as templates, and the column checks.

Each shape gets templates of its move, lines, payment and follower rows.
Every column the writer does not compute (``columns``) must be equal in the
two exemplars of a shape (``Shapes.same``), and so must their taxes, tags
and follower subtypes; the values the ORM derives from others (payment
reference, bank account, delivery date, instalment labels, payment labels)
are matched to a rule that holds on both. Anything else raises
``Unsupported``: a column is never copied stale.
"""

from collections import defaultdict

from .columns import (
    EARLY_PAYMENT_COLUMNS,
    ENTRY_MOVE,
    FOLLOWER_COLUMNS,
    FULL_COLUMNS,
    FULL_PAYMENT_COLUMNS,
    INVOICE_MOVE,
    LINE_COLUMNS,
    PARTIAL_COLUMNS,
    PAYMENT_COLUMNS,
    PAYMENT_MOVE,
)
from .documents import _Shape
from .rows import Unsupported, _Template


class Shapes:
    """Templates from the exemplars' rows (an ``Exemplars`` mixin: it uses
    ``w``, the writer, ``env``, ``made`` and ``posted``)."""

    def read(self, marks):
        cr = self.env.cr
        rows = {}
        for table, mark in marks.items():
            cr.execute(f'SELECT * FROM "{table}" WHERE id > %s ORDER BY id', [mark])
            rows[table] = self.fetch(cr)
        for table, column, mark in (
            (
                "account_move_line_account_tax_rel",
                "account_move_line_id",
                "account_move_line",
            ),
            (
                "account_account_tag_account_move_line_rel",
                "account_move_line_id",
                "account_move_line",
            ),
            (
                "mail_followers_mail_message_subtype_rel",
                "mail_followers_id",
                "mail_followers",
            ),
            ("account_move__account_payment", "payment_id", "account_payment"),
        ):
            cr.execute(f'SELECT * FROM "{table}" WHERE "{column}" > %s', [marks[mark]])
            rows[table] = self.fetch(cr)
        return rows

    @staticmethod
    def fetch(cr):
        columns = [d.name for d in cr.description]
        return columns, [dict(zip(columns, row, strict=True)) for row in cr.fetchall()]

    def build(self, rows):
        w = self.w
        self.columns = {table: rows[table][0] for table in rows}
        self.rows = {table: rows[table][1] for table in rows}
        self.lines = defaultdict(list)
        for row in self.rows["account_move_line"]:
            self.lines[row["move_id"]].append(row)
        self.taxes = defaultdict(list)
        for row in self.rows["account_move_line_account_tax_rel"]:
            self.taxes[row["account_move_line_id"]].append(row["account_tax_id"])
        self.tags = defaultdict(list)
        for row in self.rows["account_account_tag_account_move_line_rel"]:
            self.tags[row["account_move_line_id"]].append(row["account_account_tag_id"])
        self.subtypes = defaultdict(list)
        for row in self.rows["mail_followers_mail_message_subtype_rel"]:
            self.subtypes[row["mail_followers_id"]].append(
                row["mail_message_subtype_id"]
            )
        self.followers = defaultdict(list)
        for row in self.rows["mail_followers"]:
            self.followers[row["res_model"], row["res_id"]].append(row)
        moves = {row["id"]: row for row in self.rows["account_move"]}
        payments = {row["id"]: row for row in self.rows["account_payment"]}
        matched = defaultdict(list)
        for row in self.rows["account_move__account_payment"]:
            matched[row["payment_id"]].append(row["invoice_id"])
        for key, kind, record_a, record_b in self.made:
            if kind in ("payment", "early"):
                pair = [payments[record_a.id], payments[record_b.id]]
                for payment in pair:
                    # the ORM writer links early payments to their invoice
                    # only (matched_payment_ids)
                    if len(matched[payment["id"]]) != (kind == "early"):
                        raise Unsupported(f"{kind} payment: matched invoices")
                shape = self.payment_shape(
                    pair, [moves[p["move_id"]] for p in pair], kind == "early"
                )
            else:
                pair = [moves[record_a.id], moves[record_b.id]]
                shape = self.document_shape(kind, pair)
                co = w.cos[key[1]]
                journal = self.env["account.journal"].browse(pair[0]["journal_id"])
                if co.sale_journal not in (None, journal):
                    raise Unsupported(f"{co.record.name}: two sale journals")
                co.sale_journal = journal
            w.shapes[key] = shape
        for co in w.cos.values():
            self.company_templates(co, moves)

    def same(self, what, rows, variable):
        """The exemplars of a shape agree on every column not in
        ``variable``."""
        first, second = rows
        differ = [
            column
            for column in first
            if column not in variable and first[column] != second[column]
        ]
        if differ:
            raise Unsupported(
                f"{what}: the exemplars differ in {', '.join(differ)}, which this "
                "writer does not compute"
            )

    def template(self, table, what, rows, variable):
        self.same(what, rows, variable)
        return _Template(self.columns[table], rows[0], variable)

    def line(self, what, kind, rows):
        """Template of a journal item, its tags (and taxes)."""
        ids = [row["id"] for row in rows]
        for table in (self.tags, self.taxes):
            if table[ids[0]] != table[ids[1]]:
                raise Unsupported(f"{what}: exemplars with other taxes or tags")
        template = self.template(
            "account_move_line", f"{what} ({kind})", rows, LINE_COLUMNS[kind]
        )
        return template, tuple(self.taxes[ids[0]]), tuple(self.tags[ids[0]])

    def follower(self, what, moves):
        followers = [self.followers["account.move", move["id"]] for move in moves]
        if not followers[0] and not followers[1]:
            return None
        for move, rows in zip(moves, followers, strict=True):
            if [row["partner_id"] for row in rows] != [move["partner_id"]]:
                raise Unsupported(f"{what}: followers other than the customer")
        rows = [rows[0] for rows in followers]
        if self.subtypes[rows[0]["id"]] != self.subtypes[rows[1]["id"]]:
            raise Unsupported(f"{what}: followers with other subtypes")
        template = self.template("mail_followers", what, rows, FOLLOWER_COLUMNS)
        return template, tuple(self.subtypes[rows[0]["id"]])

    def document_shape(self, kind, moves):
        what = f"{kind} {moves[0]['name']}"
        shape = _Shape()
        shape.move = self.template("account_move", what, moves, INVOICE_MOVE)
        lines = [self.lines[move["id"]] for move in moves]
        by_type = [defaultdict(list), defaultdict(list)]
        for index, move_lines in enumerate(lines):
            for row in move_lines:
                by_type[index][row["display_type"]].append(row)
        if set(by_type[0]) != {"product", "tax", "payment_term"}:
            raise Unsupported(f"{what}: lines of type {sorted(by_type[0])}")
        for rows in zip(*(t["product"] for t in by_type), strict=True):
            if rows[0]["product_id"] != rows[1]["product_id"]:
                raise Unsupported(f"{what}: product lines out of order")
            template, taxes, tags = self.line(what, "product", rows)
            shape.products[rows[0]["product_id"]] = (template, taxes, tags)
        taxes = list(zip(*(t["tax"] for t in by_type), strict=True))
        if len(taxes) != 1:
            raise Unsupported(f"{what}: {len(taxes)} tax lines")
        template, _taxes, tags = self.line(what, "tax", taxes[0])
        shape.lines["tax"] = [(template, tags)]
        terms = [
            sorted(t["payment_term"], key=lambda r: (r["date_maturity"], r["id"]))
            for t in by_type
        ]
        shape.lines["term"] = []
        for rows in zip(*terms, strict=True):
            template, _taxes, tags = self.line(what, "term", rows)
            shape.lines["term"].append((template, tags))
        shape.follower = self.follower(what, moves)
        shape.rules = self.document_rules(what, moves, terms)
        return shape

    def document_rules(self, what, moves, terms):
        """How the values the ORM derives from others came out: the payment
        reference (the name, or a constant), the delivery date (the invoice
        date, or none) and the label of instalments."""
        rules = {}
        posted = {self.posted[move["id"]] for move in moves}
        if len(posted) != 1:
            raise Unsupported(f"{what}: is_manually_modified once posted")
        rules["manually_modified"] = posted.pop()
        if all(move["payment_reference"] == move["name"] for move in moves):
            rules["payment_reference"] = "name"
        elif moves[0]["payment_reference"] == moves[1]["payment_reference"]:
            rules["payment_reference"] = ("constant", moves[0]["payment_reference"])
        else:
            raise Unsupported(f"{what}: payment reference")
        banks = [self.w.partner_bank(move["partner_id"]) for move in moves]
        if all(
            move["partner_bank_id"] == bank and bank
            for move, bank in zip(moves, banks, strict=True)
        ):
            rules["partner_bank"] = "customer"
        elif moves[0]["partner_bank_id"] == moves[1]["partner_bank_id"]:
            rules["partner_bank"] = ("constant", moves[0]["partner_bank_id"])
        else:
            raise Unsupported(f"{what}: bank account")
        if all(move["delivery_date"] == move["invoice_date"] for move in moves):
            rules["delivery_date"] = True
        elif all(move["delivery_date"] is None for move in moves):
            rules["delivery_date"] = False
        else:
            raise Unsupported(f"{what}: delivery date")
        label = "{name}"
        if len(terms[0]) > 1:
            # "<reference> installment #1" in the language the ORM used.
            reference = moves[0]["payment_reference"] or ""
            first = terms[0][0]["name"]
            if not first.endswith("1"):
                raise Unsupported(f"{what}: instalment label {first}")
            if reference:
                label = "{name}" + first[len(reference) : -1] + "{number}"
            else:
                label = "{name} " + first[:-1] + "{number}"
        for move, move_terms in zip(moves, terms, strict=True):
            reference = move["payment_reference"] or ""
            for index, row in enumerate(move_terms):
                name = reference
                if len(move_terms) > 1:
                    name = label.format(name=reference, number=index + 1).lstrip()
                if row["name"] != name:
                    raise Unsupported(f"{what}: receivable line label {row['name']}")
        rules["installment"] = label
        return rules

    def payment_shape(self, payments, moves, early=False):
        """A payment's templates; ``early``: paid early with a discount,
        with the discount's lines (``LINE_COLUMNS["epd_*"]``)."""
        what = f"payment {moves[0]['name']}"
        shape = _Shape()
        shape.payment = self.template(
            "account_payment",
            what,
            payments,
            EARLY_PAYMENT_COLUMNS if early else PAYMENT_COLUMNS,
        )
        if early:
            # the wizard's payments without a discount (see SETTLED)
            shape.rules["full_payment"] = _Template(
                self.columns["account_payment"], payments[0], FULL_PAYMENT_COLUMNS
            )
        shape.move = self.template("account_move", what, moves, PAYMENT_MOVE)
        kinds = defaultdict(list)
        for payment, move in zip(payments, moves, strict=True):
            rows = self.lines[move["id"]]
            for row in rows:
                if row["account_id"] == payment["outstanding_account_id"]:
                    kinds["liquidity"].append(row)
                elif row["account_id"] == payment["destination_account_id"]:
                    kinds["counterpart"].append(row)
                elif not early:
                    raise Unsupported(f"{what}: journal item {row['name']}")
                elif row["display_type"] != "epd":
                    kinds["epd_exchange"].append(row)
                elif row["tax_repartition_line_id"]:
                    kinds["epd_tax"].append(row)
                else:
                    kinds["epd_base"].append(row)
        for kind, rows in kinds.items():
            if len(rows) != 2:
                raise Unsupported(f"{what}: {len(rows)} {kind} lines in the exemplars")
            template, taxes, tags = self.line(what, kind, rows)
            shape.lines[kind] = [
                (template, tags, taxes) if kind.startswith("epd") else (template, tags)
            ]
        labels = set()
        for payment, move in zip(payments, moves, strict=True):
            for row in self.lines[move["id"]]:
                if row["account_id"] not in (
                    payment["outstanding_account_id"],
                    payment["destination_account_id"],
                ):
                    continue  # an early payment discount's
                if not row["name"].endswith(payment["memo"]):
                    raise Unsupported(f"{what}: journal item label {row['name']}")
                labels.add(row["name"][: -len(payment["memo"])])
        if len(labels) != 1:
            raise Unsupported(f"{what}: journal item labels {labels}")
        shape.rules["payment_label"] = labels.pop()
        shape.follower = self.follower(what, moves)
        return shape

    def company_templates(self, co, moves):
        """Partial and full reconcile rows, exchange difference entries."""
        w = self.w
        partials = [
            row
            for row in self.rows["account_partial_reconcile"]
            if row["company_id"] == co.id
        ]
        if partials:
            for row in partials[1:]:
                self.same(
                    f"{co.record.name} partial", (partials[0], row), PARTIAL_COLUMNS
                )
            co.partial = _Template(
                self.columns["account_partial_reconcile"], partials[0], PARTIAL_COLUMNS
            )
        fulls = self.rows["account_full_reconcile"]
        if fulls:
            for row in fulls[1:]:
                self.same("full reconcile", (fulls[0], row), FULL_COLUMNS)
            w.full_template = _Template(
                self.columns["account_full_reconcile"], fulls[0], FULL_COLUMNS
            )
        exchanges = [
            move
            for move in moves.values()
            if move["journal_id"] == co.exchange_journal.id
            and len(self.lines[move["id"]]) == 2
        ]
        if len(exchanges) < 2:
            return
        what = f"{co.record.name} exchange difference"
        shape = _Shape()
        shape.move = self.template("account_move", what, exchanges[:2], ENTRY_MOVE)
        kinds = {"fix": [], "gain_loss": []}
        for move in exchanges[:2]:
            for row in self.lines[move["id"]]:
                kinds["fix" if row["sequence"] % 2 == 0 else "gain_loss"].append(row)
        for kind, rows in kinds.items():
            template, _taxes, tags = self.line(what, kind, rows)
            shape.lines[kind] = [(template, tags)]
        if any(self.followers["account.move", move["id"]] for move in exchanges):
            raise Unsupported(f"{what}: followers")
        w.shapes["exchange", co.key] = shape
