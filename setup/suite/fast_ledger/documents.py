"""The documents in memory until they are written.

Reconciliation changes a journal item's residuals, matching number and full
reconcile long after its document is made, so the receivable, payment and
exchange difference lines are kept as objects (``_Aml``) with their move
(``_Move``) and partials (``_Partial``), and written once everything is
reconciled (``flush``). ``_Shape`` holds the templates of a kind of
document, ``_Company`` what the writer needs of a company.
"""


class _Move:
    __slots__ = (
        "id",
        "kind",
        "co",
        "shape",
        "name",
        "prefix",
        "number",
        "date",
        "partner",
        "cur",
        "values",
        "amls",
        "sort_ref",
        "payment_id",
        "reversed",
        "touched",
        "invoice",
    )

    def __init__(self, kind, co, shape, move_date, partner, cur):
        self.kind, self.co, self.shape = kind, co, shape
        self.date, self.partner, self.cur = move_date, partner, cur
        self.id = self.name = self.prefix = self.number = None
        self.payment_id = self.reversed = None
        self.invoice = None  # an early payment's invoice (matched_payment_ids)
        # Reconciled by a call of the ORM writer's own (not from _post): it
        # marks the invoice is_manually_modified, see write_credit_notes.
        self.touched = False
        self.values = {}
        self.amls = []  # the lines written at the end (reconcilable ones)
        self.sort_ref = ""


class _Aml:
    """A journal item written at the end: reconciliation changes it."""

    __slots__ = (
        "id",
        "move",
        "kind",
        "template",
        "tags",
        "taxes",
        "extra",
        "account",
        "partner",
        "cur",
        "comp",
        "date",
        "maturity",
        "balance",
        "amount_currency",
        "residual",
        "residual_currency",
        "partials",
        "full",
    )

    def __init__(self, move, kind, template, cur, balance, amount_currency):
        self.move, self.kind, self.template = move, kind, template
        self.tags = self.taxes = ()
        self.extra = ()
        self.account = template.row["account_id"]
        self.partner = move.partner["id"] if move.partner else None
        self.cur, self.comp = cur, move.co.cur
        self.date = move.date
        self.maturity = None
        self.balance = self.residual = balance
        self.amount_currency = self.residual_currency = amount_currency
        self.partials = []  # (partial, True when this line is its debit)
        self.id = self.full = None

    def is_reconciled(self):
        return self.comp.is_zero(self.residual) and self.cur.is_zero(
            self.residual_currency
        )


class _Partial:
    __slots__ = ("id", "debit", "credit", "amounts", "full", "exchange_move")

    def __init__(self, debit, credit, amount, debit_currency, credit_currency):
        self.debit, self.credit = debit, credit
        self.amounts = (  # as written
            debit.comp.text(amount),
            debit.cur.text(debit_currency),
            credit.cur.text(credit_currency),
        )
        self.id = self.full = self.exchange_move = None


class _Values:
    """What Odoo's reconciliation keeps of a journal item while it plans a
    batch of partials."""

    __slots__ = ("aml", "residual", "residual_currency")

    def __init__(self, aml):
        self.aml = aml
        self.residual = aml.residual
        self.residual_currency = aml.residual_currency


class _Shape:
    """The templates of one kind of document."""

    def __init__(self):
        self.move = None
        self.products = {}  # product id -> (template, tax ids, tag ids)
        self.lines = {}  # line kind -> [(template, tag ids)]
        self.follower = None  # (template, subtype ids)
        self.payment = None
        self.rules = {}


class _Company:
    def __init__(self, key, company):
        self.key, self.record, self.id = key, company, company.id
        self.cur = None
        self.tax = company.account_sale_tax_id
        self.per_line = company.tax_calculation_rounding_method == "round_per_line"
        self.sale_journal = self.bank_journal = self.exchange_journal = None
        self.partial = self.full = self.exchange = None
        self.groups = []  # payment groups: [(plan invoices, early discount)]
