"""Write a :mod:`suite.plan` into an Odoo database through the ORM.

Everything is created the way a user's work would create it: posted invoices
with their taxes, credit notes and payments reconciled with them, bank
statement lines waiting for matching, sale orders. ORM calls are batched
(hundreds of records a call) and mail tracking is off, which is what makes
the default size (300 customers) run in about 35 s on two cores.
"""

import gc
import json
import sys
import time
from collections import defaultdict
from contextlib import contextmanager
from datetime import timedelta

from . import plan as planmod
from .ledger_orm import (
    BATCH,
    credit_note_vals,
    early_payment_values,
    invoice_vals,
    pay_early,
    receivable,
)

QUIET_CONTEXT = {
    "tracking_disable": True,
    "mail_create_nolog": True,
    "mail_notrack": True,
    "mail_auto_subscribe_no_notify": True,
    "no_reset_password": True,
}
# Demo logins; each password is the login (a demo database, not a real one).
USERS = {
    "collector.fr": dict(
        name="Camille Roux",
        company="fr",
        lang="fr_FR",
        tz="Europe/Paris",
        role="collector",
    ),
    "collector.us": dict(
        name="Jordan Miles",
        company="us",
        lang="en_US",
        tz="America/New_York",
        role="collector",
    ),
    "sales": dict(
        name="Sam Carter",
        company="us",
        lang="en_US",
        tz="America/New_York",
        role="salesperson",
        both=True,
    ),
    "credit": dict(
        name="Élise Martin",
        company="fr",
        lang="fr_FR",
        tz="Europe/Paris",
        role="credit_manager",
        both=True,
    ),
}


class Progress:
    """A bar per phase on a terminal; in a log (not a terminal), a line at
    each quarter of a phase and at its end."""

    def __init__(self, enabled=True, stream=sys.stderr):
        self.enabled, self.stream = enabled, stream
        self.started = time.monotonic()
        self.tty = hasattr(stream, "isatty") and stream.isatty()
        self.logged = {}

    def step(self, phase, done, total):
        if not self.enabled:
            return
        if not self.tty:
            quarter = 4 * done // total if total else 4
            if quarter > self.logged.get(phase, 0) or (
                done >= total and phase not in self.logged
            ):
                self.logged[phase] = max(quarter, 1)
                self.stream.write(
                    f"{phase}: {done}/{total} {time.monotonic() - self.started:.1f}s\n"
                )
                self.stream.flush()
            return
        width = 30
        filled = int(width * done / total) if total else width
        self.stream.write(
            f"\r{phase:<16} [{'#' * filled}{'.' * (width - filled)}] "
            f"{done}/{total} {time.monotonic() - self.started:6.1f}s"
        )
        if done >= total:
            self.stream.write("\n")
        self.stream.flush()


def _batches(items, size=BATCH):
    for start in range(0, len(items), size):
        yield items[start : start + size]


def generate(env, plan, progress=None, writer="orm"):
    """Write ``plan`` into ``env``'s database; return what was created.

    ``writer="sql"`` writes the invoices, credit notes and payments (early
    ones with their discount included) with :mod:`suite.fast_ledger` (same
    rows, much faster); the rest always goes through the ORM."""
    progress = progress or Progress()
    env = env(context=dict(env.context, **QUIET_CONTEXT))
    companies = _companies(env, plan)
    _currencies(env, companies, plan)
    users = _users(env, companies)
    products = _products(env)
    partners = _partners(env, plan, companies, users, progress)
    if writer == "sql":
        from . import fast_ledger  # noqa: PLC0415 - needs Odoo, imported late

        invoices, refunds, payments = fast_ledger.write(
            env, plan, companies, partners, products, progress
        )
        env.cr.commit()
        env.invalidate_all()
    else:
        invoices = _invoices(env, plan, companies, partners, products, progress)
        refunds = _credit_notes(env, plan, companies, invoices, progress)
        payments = _payments(env, plan, companies, invoices, progress)
    write_offs = _write_offs(env, plan, companies, invoices)
    disputes = _disputes(env, plan, invoices, progress)
    bank_lines = _bank_lines(
        env, plan, companies, partners, invoices, progress, writer=writer
    )
    orders = _sale_orders(env, plan, companies, partners, products, progress)
    _website_languages(env)
    _payment_providers(env, companies)  # committed with the portal user
    portal = _portal_user(env, plan, companies, partners, invoices)
    counts = {
        "companies": len(companies),
        "users": len(users) + 2,
        "customers": len(partners),
        "invoices": len(invoices),
        "credit_notes": refunds,
        "payments": payments,
        "write_offs": write_offs,
        "disputes": disputes,
        "bank_lines": bank_lines,
        "sale_orders": orders,
        "portal_customer": portal.name,
    }
    env["ir.config_parameter"].sudo().set_param(
        "collections_suite.generated",
        json.dumps(
            {"seed": plan.seed, "today": str(plan.today), "counts": counts},
            default=str,
        ),
    )
    return counts


def _companies(env, plan):
    us = env.ref("base.main_company")
    us.write(
        {
            "name": "Northwind Supplies Inc.",
            "street": "1 Harbor Road",
            "city": "Boston",
            "zip": "02110",
            "country_id": env.ref("base.us").id,
            "email": "ar@northwind.example",
            "phone": "+1 617 555 0100",
        }
    )
    fr = env["res.company"].search([("name", "=", "Ardoise & Fils SAS")], limit=1)
    if not fr:
        env.ref("base.EUR").active = True
        vals = {}
        if "iap_enrich_auto_done" in env["res.company"]._fields:
            vals["iap_enrich_auto_done"] = True  # no call to Odoo's IAP service
        fr = env["res.company"].create(
            vals
            | {
                "name": "Ardoise & Fils SAS",
                "currency_id": env.ref("base.EUR").id,
                "country_id": env.ref("base.fr").id,
                "street": "12 rue de la République",
                "city": "Lyon",
                "zip": "69002",
                "email": "recouvrement@ardoise.example",
                "phone": "+33 4 72 00 00 00",
            }
        )
    if not fr.chart_template:
        env["account.chart.template"].try_loading("fr", company=fr, install_demo=False)
    env.user.write({"company_ids": [(4, fr.id), (4, us.id)]})
    # each company writes its chatter notes, tasks and holds in its own
    # language (its partner's), whatever the administrator's
    for company, code in ((us, "en_US"), (fr, "fr_FR")):
        env["res.lang"]._activate_lang(code)
        company.partner_id.lang = code
    # the demo companies hold orders over any credit limit, Odoo's own too
    # (without this choice, Odoo's limit on a customer is a warning)
    (us | fr).credit_hold_over_limit = True
    return {"fr": fr, "us": us}


def _currencies(env, companies, plan):
    """Monthly rates over the history for the other currency of each
    company, drifting a little, so that foreign invoices and payments carry
    exchange differences."""
    eur, usd = env.ref("base.EUR"), env.ref("base.USD")
    (eur | usd | env.ref("base.GBP")).active = True
    rates = []
    for company, currency, base_rate in (
        (companies["us"], eur, 0.92),
        (companies["fr"], usd, 1.09),
    ):
        day = plan.today.replace(day=1) - timedelta(days=760)
        step = 0
        while day <= plan.today:
            rates.append(
                {
                    "name": day,
                    "rate": round(base_rate * (1 + 0.03 * ((step % 7) - 3) / 3), 6),
                    "currency_id": currency.id,
                    "company_id": company.id,
                }
            )
            day = (day + timedelta(days=32)).replace(day=1)
            step += 1
    env["res.currency.rate"].search(
        [("company_id", "in", [c.id for c in companies.values()])]
    ).unlink()
    env["res.currency.rate"].create(rates)


def _users(env, companies):
    users = {}
    # the users' languages must be active: a database initialised with
    # --load-language=fr_FR leaves en_US inactive, and a user whose language
    # is inactive cannot open a spreadsheet dashboard (no date format)
    for code in {spec["lang"] for spec in USERS.values()}:
        env["res.lang"]._activate_lang(code)
    admin = env.ref("base.user_admin")
    admin.write({"company_ids": [(4, c.id) for c in companies.values()]})
    for login, spec in USERS.items():
        company = companies[spec["company"]]
        allowed = list(companies.values()) if spec.get("both") else [company]
        # the same role setup as the add-ons' tests: no demo-only rights
        users[login] = env["res.users"]._collections_create_role_user(
            login,
            spec["role"],
            company,
            env["res.company"].browse([c.id for c in allowed]),
            name=spec["name"],
            password=login,
            email=f"{login}@suite.example",
            lang=spec["lang"],
            tz=spec["tz"],
        )
    return users


def _products(env):
    products = {}
    for key, name, french, price in planmod.PRODUCTS:
        product = env["product.product"].search(
            [("default_code", "=", f"CS-{key}")], limit=1
        ) or env["product.product"].create(
            {
                "name": name,
                "default_code": f"CS-{key}",
                "type": "service",
                "list_price": price,
                "taxes_id": [(5, 0, 0)],
            }
        )
        product.product_tmpl_id.update_field_translations("name", {"fr_FR": french})
        products[key] = product
    return products


def _partners(env, plan, companies, users, progress):
    countries = {"FR": env.ref("base.fr").id, "US": env.ref("base.us").id}
    partners = env["res.partner"]
    customers = plan.customers
    for chunk in _batches(customers):
        partners |= env["res.partner"].create(
            [
                {
                    "name": c.name,
                    "is_company": True,
                    "lang": c.lang,
                    "country_id": countries[c.country],
                    "street": c.street,
                    "city": c.city,
                    "zip": c.zip,
                    "email": c.email or False,
                    "phone": c.phone or False,
                    "customer_rank": 1,
                    "user_id": users["sales"].id,
                    "comment": f"segment: {c.segment}",
                }
                for c in chunk
            ]
        )
        progress.step("customers", len(partners), len(customers))
    env["res.partner.bank"].create(
        [
            {"partner_id": partner.id, "acc_number": c.bank_account}
            for partner, c in zip(partners, customers, strict=True)
        ]
    )
    # Company-dependent settings, written per company in a few calls.
    collectors = {"fr": users["collector.fr"], "us": users["collector.us"]}
    for key, company in companies.items():
        mine = [
            (p, c) for p, c in zip(partners, customers, strict=True) if c.company == key
        ]
        by_term = defaultdict(lambda: env["res.partner"])
        for partner, customer in mine:
            by_term[customer.payment_term] |= partner
        for term, group in by_term.items():
            group.with_company(company).write(
                {"property_payment_term_id": env.ref(f"account.{term}").id}
            )
        env["res.partner"].union(*(p for p, _c in mine)).with_company(company).write(
            {"collector_id": collectors[key].id}
        )
    return partners


def _invoices(env, plan, companies, partners, products, progress):
    currencies = {code: env.ref(f"base.{code}").id for code in ("EUR", "USD", "GBP")}
    terms = {c.key: env.ref(f"account.{c.payment_term}").id for c in plan.customers}
    moves = {}
    done = 0
    for key, company in companies.items():
        todo = [inv for inv in plan.invoices if inv.company == key]
        Move = env["account.move"].with_company(company)
        for chunk in _batches(todo):
            created = Move.create(
                [
                    invoice_vals(
                        env,
                        inv,
                        company,
                        partners[inv.customer],
                        products,
                        currencies,
                        terms[inv.customer],
                    )
                    for inv in chunk
                ]
            )
            created.action_post()
            moves.update(zip((inv.key for inv in chunk), created, strict=True))
            done += len(chunk)
            progress.step("invoices", done, len(plan.invoices))
            env.cr.commit()  # a long generation keeps what it finished
    return moves


def _credit_notes(env, plan, companies, invoices, progress):
    todo = [inv for inv in plan.invoices if inv.refund_share]
    refunds = env["account.move"]
    for key, company in companies.items():
        mine = [inv for inv in todo if inv.company == key]
        if not mine:
            continue
        vals = []
        for inv in mine:
            move = invoices[inv.key]
            day = min(inv.invoice_date + timedelta(days=30), plan.today)
            vals.append(credit_note_vals(move, inv.refund_share, day))
        created = env["account.move"].with_company(company).create(vals)
        created.action_post()
        env["account.move.line"]._reconcile_plan(
            [
                receivable(invoices[inv.key] | refund)
                for inv, refund in zip(mine, created, strict=True)
            ]
        )
        refunds |= created
    progress.step("credit notes", len(refunds), len(todo))
    env.cr.commit()
    return len(refunds)


def _payment_groups(plan, companies, invoices):
    """{company key: (plain groups, early groups)}: one group per payment
    (several invoices paid at once, or one invoice). Early groups are single
    invoices paid within the discount days of an early-discount term."""
    groups = defaultdict(list)
    for inv in plan.invoices:
        if inv.paid_date and not inv.bank_line:
            groups[inv.group or f"i{inv.key}"].append(inv)
    out = {}
    for key in companies:
        mine = [g for g in groups.values() if g[0].company == key]
        early = [
            g
            for g in mine
            if len(g) == 1
            and not g[0].partial_share
            and invoices[g[0].key].invoice_payment_term_id.early_discount
            and (g[0].paid_date - g[0].invoice_date).days
            <= invoices[g[0].key].invoice_payment_term_id.discount_days
        ]
        early_ids = {id(g) for g in early}
        out[key] = ([g for g in mine if id(g) not in early_ids], early)
    return out


def _bank_journal(env, company):
    return env["account.journal"].search(
        [("type", "=", "bank"), ("company_id", "=", company.id)], limit=1
    )


def _payments(env, plan, companies, invoices, progress):
    """One payment per payment group, reconciled with its invoices; then the
    early payments of discount terms (:func:`_early_payments`)."""
    by_company = _payment_groups(plan, companies, invoices)
    total = sum(len(p) + len(e) for p, e in by_company.values())
    done = 0
    for key, company in companies.items():
        journal = _bank_journal(env, company)
        plain = by_company[key][0]
        for chunk in _batches(plain):
            vals = []
            for group in chunk:
                moves = env["account.move"].union(*(invoices[i.key] for i in group))
                share = group[0].partial_share or 1.0
                amount = sum(m.amount_residual for m in moves) * share
                vals.append(
                    {
                        "payment_type": "inbound",
                        "partner_type": "customer",
                        "partner_id": moves[0].commercial_partner_id.id,
                        "amount": moves[0].currency_id.round(amount),
                        "currency_id": moves[0].currency_id.id,
                        "date": group[0].paid_date,
                        "journal_id": journal.id,
                        "memo": ", ".join(moves.mapped("name")),
                    }
                )
            payments = env["account.payment"].with_company(company).create(vals)
            payments.action_post()
            # One reconciliation plan for the whole batch: Odoo reconciles
            # each group on its own, with far fewer queries than one call each.
            env["account.move.line"]._reconcile_plan(
                [
                    receivable(
                        payment.move_id
                        | env["account.move"].union(*(invoices[i.key] for i in group))
                    )
                    for payment, group in zip(payments, chunk, strict=True)
                ]
            )
            done += len(chunk)
            progress.step("payments", done, total)
            env.cr.commit()
    done += _early_payments(env, plan, companies, invoices, by_company)
    progress.step("payments", total, total)
    return total


def _early_payments(env, plan, companies, invoices, by_company=None):
    """Pay the invoices paid early on a discount term with the discount, as
    Odoo's payment wizard does, after the other payments of every company
    (the SQL writer mirrors it: ``fast_ledger.early_payments``).

    The wizard makes the payments' values (one wizard per company and day:
    the discount depends on the payment date; one payment per invoice);
    the payments are then created, posted and reconciled by batches, as the
    wizard's own ``_create_payments`` does one by one, which is too slow for
    thousands of them."""
    by_company = by_company or _payment_groups(plan, companies, invoices)
    # Odoo looks every new environment up among the live ones: free those
    # of the steps before (cycles), or each with_context() gets slow.
    gc.collect()
    # Each payment's move is numbered after the latest payment move of its
    # journal and fiscal year, which Odoo finds by id among all the moves:
    # these payments are dated in the past, after ~100,000 later ones, so
    # each lookup skipped them all (0.06-0.45 s a payment with 20,000
    # customers). One partial index per year answers it at once (0.05 ms,
    # EXPLAIN ANALYZE); they only serve the generation.
    years = range(plan.today.year - 3, plan.today.year + 1)
    for year in years:
        env.cr.execute(
            f"""
            CREATE INDEX IF NOT EXISTS cs_generator_payment_{year}
                ON account_move (journal_id, id)
             WHERE origin_payment_id IS NOT NULL
               AND date BETWEEN '{year}-01-01' AND '{year}-12-31'
            """
        )
    try:
        return _create_early_payments(env, companies, invoices, by_company)
    finally:
        for year in years:
            env.cr.execute(f"DROP INDEX IF EXISTS cs_generator_payment_{year}")
        env.cr.commit()


def _create_early_payments(env, companies, invoices, by_company):
    count = 0
    for key, company in companies.items():
        journal = _bank_journal(env, company)
        by_day = defaultdict(list)
        for group in by_company[key][1]:
            by_day[group[0].paid_date].append(invoices[group[0].key])
        to_process = early_payment_values(env, company, journal, by_day)
        for chunk in _batches(to_process):
            pay_early(env, company, chunk)
            count += len(chunk)
            env.cr.commit()
            # each batch leaves environments in reference cycles; every new
            # one is looked up among them (py-spy: most of the time in
            # Environment.__new__ after a few thousand payments)
            gc.collect()
    return count


def _write_offs(env, plan, companies, invoices):
    """Old invoices of customers in difficulty, written off as bad debts."""
    count = 0
    for key, company in companies.items():
        # Only invoices in the company's currency: a foreign one would also
        # need an exchange difference, which a bad-debt entry does not carry.
        mine = [
            inv
            for inv in plan.invoices
            if inv.write_off
            and inv.company == key
            and invoices[inv.key].currency_id == company.currency_id
        ]
        if not mine:
            continue
        journal = env["account.journal"].search(
            [("type", "=", "general"), ("company_id", "=", company.id)], limit=1
        )
        expense = env["account.account"].search(
            [("account_type", "=", "expense"), ("company_ids", "in", company.id)],
            limit=1,
        )
        vals = []
        for inv in mine:
            move = invoices[inv.key]
            # one credit per open instalment, the loss in one debit
            open_lines = receivable(move)
            label = f"Bad debt {move.name}"
            partner = move.commercial_partner_id.id
            vals.append(
                {
                    "move_type": "entry",
                    "journal_id": journal.id,
                    "date": plan.today,
                    "ref": label,
                    "line_ids": [
                        (
                            0,
                            0,
                            {
                                "account_id": expense.id,
                                "partner_id": partner,
                                "name": label,
                                "debit": sum(open_lines.mapped("amount_residual")),
                            },
                        )
                    ]
                    + [
                        (
                            0,
                            0,
                            {
                                "account_id": line.account_id.id,
                                "partner_id": partner,
                                "name": label,
                                "credit": line.amount_residual,
                            },
                        )
                        for line in open_lines
                    ],
                }
            )
        entries = env["account.move"].with_company(company).create(vals)
        entries.action_post()
        env["account.move.line"]._reconcile_plan(
            [
                receivable(invoices[inv.key] | entry)
                for inv, entry in zip(mine, entries, strict=True)
            ]
        )
        count += len(entries)
    env.cr.commit()
    return count


# What customers contest, and what the collector answers when the invoice
# stands (in the customer's language).
DISPUTE_REASONS = ("price", "quantity", "damaged", "not_delivered", "not_received")
DISPUTE_TEXTS = {
    "en_US": (
        "The customer contests this invoice.",
        "Checked with the order and the delivery note: the invoice is right.",
    ),
    "fr_FR": (
        "Le client conteste cette facture.",
        "Vérifié avec la commande et le bon de livraison : la facture est juste.",
    ),
}


def _disputes(env, plan, invoices, progress):
    """The disputes of the plan's disputed invoices, as collectors recorded
    them: accepted with the invoice's credit note, rejected when the invoice
    was paid after all (in full or in part), still open (new or under
    investigation) on the unpaid ones."""
    import random  # noqa: PLC0415 - local: only this step draws

    rng = random.Random(plan.seed + 2)
    reasons = [
        env.ref(f"collections_management.dispute_reason_{name}")
        for name in DISPUTE_REASONS
    ]
    todo = [inv for inv in plan.invoices if inv.disputed and not inv.write_off]
    # read together, not among all the invoices (prefetching)
    moves = env["account.move"].browse([invoices[inv.key].id for inv in todo])
    vals = []
    for inv, move in zip(todo, moves, strict=True):
        partner = move.commercial_partner_id
        described, answer = DISPUTE_TEXTS.get(partner.lang, DISPUTE_TEXTS["en_US"])
        opened = min(plan.today, inv.invoice_date + timedelta(days=rng.randint(5, 40)))
        values = {
            "partner_id": partner.id,
            "company_id": move.company_id.id,
            "move_ids": [(6, 0, move.ids)],
            "reason_id": rng.choice(reasons).id,
            "description": described,
        }
        credit_notes = move.reversal_move_ids
        if credit_notes:
            settled = credit_notes[0].invoice_date
            values.update(
                state="accepted",
                amount=sum(credit_notes.mapped("amount_total")),
                credit_note_ids=[(6, 0, credit_notes.ids)],
            )
        elif inv.paid_date:
            settled = inv.paid_date
            values.update(
                state="rejected",
                amount=move.currency_id.round(
                    move.amount_total * rng.choice([0.1, 0.2, 0.5, 1.0])
                ),
                resolution=answer,
            )
        else:
            settled = None
            values.update(
                state="investigation" if rng.random() < 0.5 else "new",
                amount=move.currency_id.round(
                    move.amount_residual * rng.choice([0.2, 0.5, 1.0])
                ),
            )
        values["date"] = min(opened, settled) if settled else opened
        values["settled_date"] = settled
        vals.append(values)
    Dispute = env["collection.dispute"]
    done = 0
    for chunk in _batches(vals):
        Dispute.create(chunk)
        done += len(chunk)
        progress.step("disputes", done, len(vals))
        env.cr.commit()
    progress.step("disputes", done, len(vals) or 1)
    return done


@contextmanager
def statement_line_indexes(env):
    """Indexes that let Odoo number new bank statement lines quickly in a
    journal full of payments, while the block runs.

    Each statement line's move name is the next of its bank journal among
    the moves that are not payments; Odoo looks for the latest such move by
    date, then by sequence, through indexes that also hold the payments'
    moves of that journal, and each lookup skips all of them (0.4 s a line
    with 20,000 customers). Indexes of the non-payment moves alone answer at
    once; they only serve the generation and the benchmarks. The moves are
    analysed first: with the statistics of the bulk copy, made before the
    payments, the planner walks the date index of all moves instead (1.3 s a
    line, 41 minutes for the 21,701 lines of the dunning data set)."""
    env.cr.execute(
        """
        CREATE INDEX IF NOT EXISTS cs_generator_statement_sequence
            ON account_move (journal_id, sequence_prefix DESC, sequence_number DESC)
         WHERE origin_payment_id IS NULL;
        CREATE INDEX IF NOT EXISTS cs_generator_statement_date
            ON account_move (journal_id, date)
         WHERE origin_payment_id IS NULL;
        ANALYZE account_move
        """
    )
    try:
        yield
    finally:
        env.cr.execute(
            "DROP INDEX IF EXISTS cs_generator_statement_sequence;"
            "DROP INDEX IF EXISTS cs_generator_statement_date"
        )


def _bank_lines(env, plan, companies, partners, invoices, progress, writer="orm"):
    """Recent payments that reached the bank but are not matched yet;
    ``writer="sql"`` writes them with :mod:`suite.fast_bank` (same rows)."""
    import random  # noqa: PLC0415 - local: only this step draws text

    rng = random.Random(plan.seed + 1)
    groups = defaultdict(list)
    for inv in plan.invoices:
        if inv.bank_line:
            groups[inv.group or f"i{inv.key}"].append(inv)
    lines = bank_line_values(env, plan, companies, invoices, groups, rng)
    if writer == "sql":
        from . import fast_bank  # noqa: PLC0415 - needs Odoo, imported late

        count = fast_bank.write(env, lines)
    else:
        count = 0
        with statement_line_indexes(env):
            for (company, _journal), vals in lines.items():
                env["account.bank.statement.line"].with_company(company).create(vals)
                count += len(vals)
    progress.step("bank lines", count, count or 1)
    env.cr.commit()
    return count


def bank_line_values(env, plan, companies, invoices, groups, rng):
    """``{(company, journal): [statement line values]}`` of the plan's bank
    lines, in creation order."""
    lines = {}
    for key, company in companies.items():
        journal = env["account.journal"].search(
            [("type", "=", "bank"), ("company_id", "=", company.id)], limit=1
        )
        vals = []
        for group in (g for g in groups.values() if g[0].company == key):
            moves = env["account.move"].union(*(invoices[i.key] for i in group))
            customer = plan.customers[group[0].customer]
            kind = group[0].bank_line
            amount = sum(moves.mapped("amount_residual"))
            if kind == "partial":
                amount *= group[0].partial_share or 0.5
            elif kind == "discount_or_diff":
                amount -= rng.choice([0.5, 1.0, 2.5, 7.5, 15.0])
            payer = customer.payer_name
            account = customer.bank_account
            if kind == "third_party":
                payer, account = "FACTOR FINANCE SA", "FR7630006000011234567890189"
            currency = moves[0].currency_id
            line = {
                "journal_id": journal.id,
                "date": group[0].paid_date,
                "payment_ref": planmod.communication(
                    kind, moves.mapped("name"), customer, rng
                )
                or "/",
                "partner_name": payer,
                "account_number": account,
                "amount": currency.round(amount),
            }
            if currency != company.currency_id:
                line["foreign_currency_id"] = currency.id
                line["amount_currency"] = currency.round(amount)
                line["amount"] = company.currency_id.round(
                    currency._convert(
                        amount, company.currency_id, company, group[0].paid_date
                    )
                )
            vals.append(line)
        lines[company, journal] = vals
    return lines


def _sale_orders(env, plan, companies, partners, products, progress):
    salesperson = env["res.users"].search([("login", "=", "sales")])
    count = 0
    for key, company in companies.items():
        mine = [so for so in plan.sale_orders if so.company == key]
        if not mine:
            continue
        orders = (
            env["sale.order"]
            .with_company(company)
            .create(
                [
                    {
                        "partner_id": partners[so.customer].id,
                        "company_id": company.id,
                        "user_id": salesperson.id,
                        "order_line": [
                            (
                                0,
                                0,
                                {
                                    "product_id": products[p].id,
                                    "product_uom_qty": qty,
                                    "price_unit": price,
                                },
                            )
                            for p, qty, price in so.lines
                        ],
                    }
                    for so in mine
                ]
            )
        )
        confirmed = env["sale.order"].union(
            *(order for order, so in zip(orders, mine, strict=True) if so.confirmed)
        )
        confirmed.action_confirm()
        count += len(orders)
    progress.step("sale orders", count, count or 1)
    env.cr.commit()
    return count


def _website_languages(env):
    """The portal speaks each customer's language: English and French (a
    database made with --load-language=fr_FR gives its website French alone,
    and the US company's customers read their portal in French)."""
    if "website" not in env:
        return
    langs = env["res.lang"].search([("code", "in", ("en_US", "fr_FR"))])
    env["website"].search([]).write({"language_ids": [(6, 0, langs.ids)]})


def _payment_providers(env, companies):
    """Odoo's demo payment provider, in test mode and published, in every
    company: each company's portal customers can pay online (payment_demo
    makes it for the main company only)."""
    providers = env["payment.provider"].sudo().with_context(active_test=False)
    base = providers.search([("code", "=", "demo")], order="id", limit=1)
    if not base:
        return providers  # payment_demo not installed: nothing to show
    done = providers
    for company in companies.values():
        provider = providers.search(
            [("code", "=", "demo"), ("company_id", "=", company.id)], limit=1
        ) or base.copy({"company_id": company.id})
        provider.write({"state": "test", "is_published": True})
        done |= provider
    return done


def _portal_user(env, plan, companies, partners, invoices):
    """A French customer with open invoices gets the portal login."""
    open_by_customer = defaultdict(int)
    for inv in plan.invoices:
        if not inv.paid_date and inv.company == "fr" and not inv.write_off:
            open_by_customer[inv.customer] += 1
    customer_key = max(open_by_customer, key=open_by_customer.get)
    partner = partners[customer_key]
    env["res.users"]._collections_create_role_user(
        "portal",
        "portal",
        companies["fr"],
        name=partner.name,
        password="portal",
        partner_id=partner.id,
    )
    env.cr.commit()
    return partner
