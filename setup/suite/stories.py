"""What the demo adds so that every role's day can be walked at once.

The generated history gives invoices, payments, disputes and bank lines;
a collector's morning needs more: calls to make today, promises due today
and promises just broken, reminders waiting for validation, a payment-plan
request to approve. They are made here through the add-ons' own services,
as a collector (or the customer, on the portal) would make them, before the
day's collections run; the users read their notifications in Odoo (the demo
has no mail server).
"""

from datetime import timedelta

from . import generator

# per collector: customers with a call due today, a promise due today and
# a promise broken (its day and the grace period passed, nothing paid)
CALLS, PROMISES_DUE, PROMISES_BROKEN = 6, 3, 3
# and reminders waiting for the collector's validation
VALIDATIONS = 3


def prepare(env, today, log=print):
    """Make the stories of the demo's collectors as of ``today``; return
    their counts. Call before the daily run."""
    users = {
        user.login: user
        for user in env["res.users"].search([("login", "in", list(generator.USERS))])
    }
    counts = {"calls": 0, "promises_due": 0, "promises_broken": 0, "plans": 0}
    for user in users.values():
        if not user.share:
            # no mail server in the demo: notifications land in Odoo's inbox
            user.notification_type = "inbox"
    for company in env["res.company"].search([]):
        _validation_levels(env, company)
    for login in ("collector.fr", "collector.us"):
        collector = users[login]
        company = collector.company_id
        customers = _overdue_customers(env, company, collector, today)
        as_collector = env(
            user=collector.id, context=dict(env.context, lang=collector.lang)
        )
        picks = iter(customers)
        for partner, _invoices in _take(picks, CALLS):
            partner.with_company(company).activity_schedule(
                "mail.mail_activity_data_call",
                date_deadline=today,
                user_id=collector.id,
            )
            counts["calls"] += 1
        Promise = as_collector["collection.promise"].with_company(company)
        for partner, invoices in _take(picks, PROMISES_DUE):
            promise = Promise._collection_record(
                partner,
                invoices,
                sum(invoices.mapped("amount_residual")),
                today + timedelta(days=1),
            )
            # made a week ago for today
            promise.sudo().write(
                {"date": today - timedelta(days=7), "promise_date": today}
            )
            counts["promises_due"] += 1
        grace = company.collection_promise_grace_days
        for partner, invoices in _take(picks, PROMISES_BROKEN):
            promise = Promise._collection_record(
                partner,
                invoices,
                sum(invoices.mapped("amount_residual")),
                today + timedelta(days=1),
            )
            _backdate(
                promise,
                today - timedelta(days=grace + 15),
                today - timedelta(days=grace + 2),
            )
            counts["promises_broken"] += 1
        counts["key_accounts"] = counts.get("key_accounts", 0) + _to_validate(
            env, collector, list(_take(picks, VALIDATIONS))
        )
        for partner, invoices in _take(picks, 1):
            # the customer asked for a plan on the portal: the collector
            # (or a manager, above the collector's limit) approves it
            as_collector["collection.payment.plan"].with_company(
                company
            )._collection_record(partner, invoices, 3, source="portal")
            counts["plans"] += 1
    env["collection.promise"]._cron_review(today=today)
    env.cr.commit()
    log("stories: " + ", ".join(f"{k}={v}" for k, v in counts.items()))
    return counts


def _to_validate(env, collector, customers):
    """A "Key accounts" policy whose reminders a collector validates before
    they go, followed by a few of ``collector``'s customers: the day's run
    leaves their reminders waiting in the collector's worklist. Returns how
    many customers."""
    company = collector.company_id
    Policy = env["collection.policy"].with_company(company)
    # the demo's data, named in the language of the company's collector
    # (the US company's partner took the French administrator's language)
    french = (collector.lang or "").startswith("fr")
    name = "Grands comptes" if french else "Key accounts"
    key = Policy.search([("company_id", "=", company.id), ("name", "=", name)])
    if not key:
        default = Policy.search(
            [("company_id", "=", company.id), ("is_default", "=", True)]
        )
        key = Policy.with_context(lang=collector.lang).create(
            {"name": name, "company_id": company.id}
        )
        for level in default.level_ids:
            level.copy({"policy_id": key.id, "needs_validation": True})
    for partner, _invoices in customers:
        partner.with_company(company).collection_policy_id = key
    return len(customers)


def _backdate(promise, made, pay_by):
    """The promise as if made on ``made`` for ``pay_by``: the services
    rightly refuse a date in the past, so the demo writes the history."""
    promise.env.cr.execute(
        "UPDATE collection_promise SET date = %s, promise_date = %s WHERE id = %s",
        (made, pay_by, promise.id),
    )
    promise.invalidate_recordset(["date", "promise_date"])


def _take(iterator, count):
    for _index, pick in zip(range(count), iterator, strict=False):
        yield pick


def _validation_levels(env, company):
    """The final notice of the default policy waits for a collector's
    validation, as a formal notice should (the demo's reminders to
    validate)."""
    policy = env["collection.policy"].search(
        [("company_id", "=", company.id), ("is_default", "=", True)], limit=1
    )
    levels = policy.level_ids.sorted("trigger_days")
    levels[-2:].write({"needs_validation": True})


def _overdue_customers(env, company, collector, today):
    """[(customer, its overdue invoices)] followed by ``collector`` in
    ``company``, with no promise, dispute or plan in progress, the largest
    debts first."""
    moves = env["account.move"].search(
        [
            ("company_id", "=", company.id),
            ("move_type", "=", "out_invoice"),
            ("state", "=", "posted"),
            ("payment_state", "in", ("not_paid", "partial")),
            ("invoice_date_due", "<", today),
        ]
    )
    by_partner = {}
    for move in moves.filtered(lambda m: not m.collection_commitment_state):
        partner = move.commercial_partner_id
        by_partner.setdefault(partner, env["account.move"])
        by_partner[partner] |= move
    mine = [
        (partner, invoices[:2])
        for partner, invoices in by_partner.items()
        if partner.with_company(company).collector_id == collector
    ]
    mine.sort(key=lambda pair: -sum(pair[1].mapped("amount_residual")))
    return mine
