from datetime import timedelta

from odoo import api, fields, models
from odoo.exceptions import UserError

from ..engine import worklist as engine

REASONS = [
    (engine.CALL_DUE, "Call Due"),
    (engine.TO_VALIDATE, "Reminder to Validate"),
    (engine.PROMISE_DUE, "Promise Due Today"),
    (engine.PROMISE_BROKEN, "Promise Broken"),
    (engine.DISPUTE_LATE, "Dispute Past Its Deadline"),
    (engine.INSTALMENT_MISSED, "Instalment Missed"),
    (engine.BOUNCED, "Email Bounced"),
    (engine.OVER_LIMIT, "Over Credit Limit"),
    (engine.REPLY, "Customer Reply"),
]
# A broken promise or a bounced email stays on the list this many days.
RECENT_DAYS = 7


class CollectionWorklistItem(models.Model):
    """One thing a collector should do today about one customer, with its
    priority. The daily refresh adds what became due, updates the scores
    and drops what was dealt with elsewhere; an item marked done stays
    done."""

    _name = "collection.worklist.item"
    _description = "Collections Worklist Item"
    _order = "state desc, score desc, amount_overdue desc, id"
    _check_company_auto = True

    company_id = fields.Many2one("res.company", required=True, index=True)
    currency_id = fields.Many2one(related="company_id.currency_id")
    key = fields.Char(
        required=True,
        readonly=True,
        help="What the item is about: the reason and the record, so that a "
        "refresh never adds it twice.",
    )
    partner_id = fields.Many2one(
        "res.partner", string="Customer", required=True, index=True, readonly=True
    )
    user_id = fields.Many2one(
        "res.users", string="Collector", index=True, readonly=True
    )
    reason = fields.Selection(REASONS, required=True, readonly=True)
    date = fields.Date(readonly=True, help="The day it became due.")
    source_ref = fields.Reference(
        selection=[
            ("collection.communication", "Reminder"),
            ("collection.promise", "Promise to Pay"),
            ("collection.dispute", "Dispute"),
            ("collection.payment.plan.line", "Instalment"),
            ("mail.activity", "Activity"),
        ],
        string="About",
        readonly=True,
    )
    activity_id = fields.Many2one("mail.activity", readonly=True)
    team_ids = fields.Many2many(
        "collection.team",
        string="Teams",
        compute="_compute_team_ids",
        search="_search_team_ids",
        help="The collector's teams.",
    )
    amount_overdue = fields.Monetary(readonly=True)
    days_overdue = fields.Integer(readonly=True)
    score = fields.Float(digits=(5, 1), readonly=True, aggregator="max")
    score_parts = fields.Json(
        readonly=True, help="The points each factor added: [[factor, points]]."
    )
    score_explanation = fields.Char(
        string="Why",
        compute="_compute_score_explanation",
        help="The factors that added the most points to the score.",
    )
    state = fields.Selection(
        [("todo", "To Do"), ("done", "Done")], default="todo", required=True
    )

    _sql_constraints = [
        ("key_uniq", "unique(company_id, key)", "An item is on the worklist once."),
    ]

    @api.depends("score_parts")
    @api.depends_context("lang")
    def _compute_score_explanation(self):
        # written when read, in the reader's language and number format
        labels = self._factor_labels()
        lang = self.env["res.lang"]._lang_get(self.env.lang or "en_US")

        def number(points):
            # points of the score, not days nor money: said so
            return self.env._(
                "%(points)s pts", points=lang.format("%.1f", points, grouping=True)
            )

        for item in self:
            item.score_explanation = engine.explain(
                [tuple(part) for part in item.score_parts or []], labels, number=number
            )

    @api.depends("partner_id", "reason")
    def _compute_display_name(self):
        reasons = dict(self._fields["reason"]._description_selection(self.env))
        for item in self:
            item.display_name = (
                f"{item.partner_id.display_name} – {reasons.get(item.reason, '')}"
            )

    def _compute_team_ids(self):
        for item in self:
            item.team_ids = item.user_id.collection_team_ids.filtered(
                lambda t, i=item: t.company_id == i.company_id
            )

    def _search_team_ids(self, operator, value):
        return [("user_id.collection_team_ids", operator, value)]

    # ------------------------------------------------------------------
    # Refresh
    # ------------------------------------------------------------------

    @api.model
    def _cron_refresh(self):
        for company in self.env["res.company"].search([]):
            self.with_company(company)._refresh(company)
            # one company at a time: a failure leaves the others refreshed
            self.env.cr.commit()  # pylint: disable=invalid-commit

    @api.model
    def _refresh(self, company, today=None):
        """Bring the company's worklist up to date; return its open items."""
        today = today or fields.Date.context_today(self.with_company(company))
        found = self._candidates(company, today)
        values = self._scored(company, found, today)
        existing = self.search([("company_id", "=", company.id)])
        by_key = {item.key: item for item in existing}
        new = []
        for key, vals in values.items():
            item = by_key.get(key)
            if not item:
                new.append(vals)
            elif item.state == "todo" and item._changed(vals):
                item.write(vals)
        self.create(new)
        # dealt with elsewhere (the call logged, the reminder validated...)
        existing.filtered(lambda i: i.state == "todo" and i.key not in values).unlink()
        return self.search([("company_id", "=", company.id), ("state", "=", "todo")])

    def _changed(self, vals):
        """Whether writing ``vals`` would change this item (a refresh
        rewrites only what moved)."""
        self.ensure_one()
        for name, value in vals.items():
            current = self[name]
            if isinstance(current, models.BaseModel):
                if name == "source_ref":
                    current = current and f"{current._name},{current.id}"
                else:
                    current = current.id
                value = value or False
            if current != value and not (
                isinstance(current, float) and abs(current - (value or 0.0)) < 1e-6
            ):
                return True
        return False

    @api.model
    def _scored(self, company, found, today):
        """{key: values of the item} of the candidates ``found``, each with
        its score and the explanation of it."""
        facts = self._customer_facts(company, {c["partner"] for c in found}, today)
        weights = company._collection_worklist_weights()
        items = []
        for index, cand in enumerate(found):
            fact = facts[cand["partner"]]
            items.append(
                engine.Item(
                    id=index,
                    customer=cand["partner"],
                    reason=cand["reason"],
                    amount_overdue=fact["amount_overdue"],
                    days_overdue=fact["days_overdue"],
                    risk=fact["risk"],
                    broken_promises=fact["broken_promises"],
                    late_probability=fact["late_probability"],
                )
            )
        values = {}
        for item, score in engine.rank(items, weights):
            cand = found[item.id]
            fact = facts[cand["partner"]]
            values[cand["key"]] = {
                "company_id": company.id,
                "key": cand["key"],
                "partner_id": cand["partner"],
                "user_id": cand.get("user") or fact["collector"],
                "reason": cand["reason"],
                "date": cand["date"],
                "source_ref": cand.get("source"),
                "activity_id": cand.get("activity"),
                "amount_overdue": fact["amount_overdue"],
                "days_overdue": max(fact["days_overdue"], 0),
                "score": score.value,
                "score_parts": [list(part) for part in score.parts],
            }
        return values

    @api.model
    def _add_reply(self, communication, message, collector):
        """A customer's reply to a reminder: an item for its collector."""
        company = communication.company_id
        partner = communication.partner_id.commercial_partner_id
        today = fields.Date.context_today(self.with_company(company))
        cand = {
            "key": f"reply:{message.id}",
            "reason": engine.REPLY,
            "partner": partner.id,
            "date": today,
            "source": f"collection.communication,{communication.id}",
            "user": collector.id,
        }
        values = self._scored(company, [cand], today)[cand["key"]]
        return self.create(values)

    def _factor_labels(self):
        return {
            "amount": self.env._("Amount overdue"),
            "days": self.env._("Days overdue"),
            "risk": self.env._("Risk"),
            "broken_promises": self.env._("Broken promises"),
            "late_probability": self.env._("Late-payment probability"),
            "reason": self.env._("Urgency"),
        }

    @api.model
    def _candidates(self, company, today):
        """[{key, reason, partner, date, source, activity, user}] of what
        is due today in ``company``, one per reason and record."""
        found = []
        company_domain = [("company_id", "=", company.id)]

        calls = self.env["mail.activity"].search(
            [
                ("res_model", "=", "res.partner"),
                (
                    "activity_type_id",
                    "=",
                    self.env.ref("mail.mail_activity_data_call").id,
                ),
                ("date_deadline", "<=", today),
            ]
        )
        partners = self.env["res.partner"].browse(calls.mapped("res_id")).exists()
        # one query for the customers that owe this company something
        owing = {
            partner.id
            for [partner] in self.env["account.move"]._read_group(
                [
                    ("commercial_partner_id", "in", partners.commercial_partner_id.ids),
                    ("company_id", "=", company.id),
                    ("move_type", "=", "out_invoice"),
                    ("state", "=", "posted"),
                    ("payment_state", "in", ("not_paid", "partial")),
                ],
                ["commercial_partner_id"],
            )
        }
        commercial = {p.id: p.commercial_partner_id for p in partners}
        for call in calls:
            partner = commercial.get(call.res_id)
            if not partner or partner.id not in owing:
                continue
            found.append(
                {
                    "key": f"call:{call.id}",
                    "reason": engine.CALL_DUE,
                    "partner": partner.id,
                    "date": call.date_deadline,
                    "source": f"mail.activity,{call.id}",
                    "activity": call.id,
                    "user": call.user_id.id,
                }
            )
        Comm = self.env["collection.communication"]
        for comm in Comm.search(company_domain + [("state", "=", "to_validate")]):
            found.append(
                {
                    "key": f"validate:{comm.id}",
                    "reason": engine.TO_VALIDATE,
                    "partner": comm.partner_id.id,
                    "date": comm.date,
                    "source": f"collection.communication,{comm.id}",
                }
            )
        for comm in Comm.search(
            company_domain
            + [
                ("is_bounced", "=", True),
                ("date", ">=", today - timedelta(days=RECENT_DAYS)),
            ]
        ):
            found.append(
                {
                    "key": f"bounced:{comm.id}",
                    "reason": engine.BOUNCED,
                    "partner": comm.partner_id.id,
                    "date": comm.date,
                    "source": f"collection.communication,{comm.id}",
                }
            )
        Promise = self.env["collection.promise"]
        for promise in Promise.search(
            company_domain + [("state", "=", "open"), ("promise_date", "=", today)]
        ):
            found.append(
                {
                    "key": f"promise_due:{promise.id}",
                    "reason": engine.PROMISE_DUE,
                    "partner": promise.partner_id.id,
                    "date": promise.promise_date,
                    "source": f"collection.promise,{promise.id}",
                    "user": promise.user_id.id,
                }
            )
        for promise in Promise.search(
            company_domain
            + [
                ("state", "=", "broken"),
                ("judged_date", ">=", today - timedelta(days=RECENT_DAYS)),
            ]
        ):
            found.append(
                {
                    "key": f"promise_broken:{promise.id}",
                    "reason": engine.PROMISE_BROKEN,
                    "partner": promise.partner_id.id,
                    "date": promise.judged_date,
                    "source": f"collection.promise,{promise.id}",
                    "user": promise.user_id.id,
                }
            )
        for dispute in self.env["collection.dispute"].search(
            company_domain + [("is_open", "=", True), ("deadline", "<", today)]
        ):
            found.append(
                {
                    "key": f"dispute_late:{dispute.id}",
                    "reason": engine.DISPUTE_LATE,
                    "partner": dispute.partner_id.id,
                    "date": dispute.deadline,
                    "source": f"collection.dispute,{dispute.id}",
                    "user": dispute.user_id.id,
                }
            )
        for line in self.env["collection.payment.plan.line"].search(
            company_domain
            + [
                ("state", "=", "missed"),
                ("plan_id.state", "in", ("active", "breached")),
            ]
        ):
            found.append(
                {
                    "key": f"instalment_missed:{line.id}",
                    "reason": engine.INSTALMENT_MISSED,
                    "partner": line.partner_id.id,
                    "date": line.due_date,
                    "source": f"collection.payment.plan.line,{line.id}",
                    "user": line.plan_id.user_id.id,
                }
            )
        # replies arrive by email (see collection.communication); they stay
        # until a collector marks them done
        for item in self.search(
            company_domain + [("reason", "=", engine.REPLY), ("state", "=", "todo")]
        ):
            found.append(
                {
                    "key": item.key,
                    "reason": engine.REPLY,
                    "partner": item.partner_id.id,
                    "date": item.date,
                    "source": item.source_ref
                    and f"{item.source_ref._name},{item.source_ref.id}",
                    "user": item.user_id.id,
                }
            )
        found.extend(self._more_candidates(company, today))
        return found

    @api.model
    def _more_candidates(self, company, today):
        """Hook for other add-ons (credit_control adds customers newly over
        their credit limit)."""
        return []

    @api.model
    def _customer_facts(self, company, partner_ids, today):
        """{partner id: amount overdue, days overdue, risk, broken promises,
        late probability, collector} in ``company``."""
        facts = {
            pid: {
                "amount_overdue": 0.0,
                "days_overdue": 0,
                "risk": None,
                "broken_promises": 0,
                "late_probability": None,
                "collector": False,
            }
            for pid in partner_ids
        }
        if not facts:
            return facts
        self.env["account.move.line"].flush_model()
        self.env["account.move"].flush_model()
        self.env.cr.execute(
            """
            SELECT aml.partner_id,
                   SUM(aml.amount_residual)
                       FILTER (WHERE aml.date_maturity < %(today)s),
                   MAX(%(today)s - aml.date_maturity)
                       FILTER (WHERE aml.date_maturity < %(today)s),
                   MAX(move.collection_late_probability)
              FROM account_move_line aml
              JOIN account_move move ON move.id = aml.move_id
              JOIN account_account account ON account.id = aml.account_id
             WHERE aml.partner_id = ANY(%(partners)s)
               AND aml.company_id = %(company)s
               AND aml.parent_state = 'posted'
               AND account.account_type = 'asset_receivable'
               AND NOT aml.reconciled
               AND aml.amount_residual > 0
             GROUP BY aml.partner_id
            """,
            {"partners": list(facts), "company": company.id, "today": today},
        )
        for partner_id, overdue, days, probability in self.env.cr.fetchall():
            facts[partner_id].update(
                amount_overdue=company.currency_id.round(overdue or 0.0),
                days_overdue=days or 0,
                late_probability=probability,
            )
        broken = self.env["collection.promise"]._read_group(
            [
                ("company_id", "=", company.id),
                ("partner_id", "in", list(facts)),
                ("state", "=", "broken"),
            ],
            ["partner_id"],
            ["__count"],
        )
        for partner, count in broken:
            facts[partner.id]["broken_promises"] = count
        partners = self.env["res.partner"].browse(list(facts)).with_company(company)
        risks = partners._collection_worklist_risk()
        for partner in partners:
            facts[partner.id]["collector"] = partner.collector_id.id
            facts[partner.id]["risk"] = risks.get(partner.id)
        return facts

    # ------------------------------------------------------------------
    # Actions
    # ------------------------------------------------------------------

    def action_done(self):
        self.write({"state": "done"})

    def action_reopen(self):
        self.write({"state": "todo"})

    def action_open_customer(self):
        self.ensure_one()
        return self.partner_id.with_company(self.company_id).action_collection_360()

    def _open_commitment(self, method):
        self.ensure_one()
        self.state = "done"
        return getattr(self.partner_id.with_company(self.company_id), method)()

    def action_record_promise(self):
        return self._open_commitment("action_collection_promise")

    def action_open_dispute(self):
        return self._open_commitment("action_collection_dispute")

    def action_propose_plan(self):
        return self._open_commitment("action_collection_plan")

    def action_log_call(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "res_model": "collection.call.log",
            "view_mode": "form",
            "target": "new",
            "name": self.env._("Log a Call"),
            "context": {
                "default_partner_id": self.partner_id.id,
                "default_item_id": self.id,
                "default_activity_id": self.activity_id.id,
            },
        }

    def action_refresh(self):
        """The list's Refresh button (it works on the selection, if any,
        but refreshes the whole worklist of the current company)."""
        if not self.env.user.has_group("collections_management.group_collections_user"):
            raise UserError(self.env._("Only collectors refresh the worklist."))
        # sudo: the refresh reads every collector's items to avoid
        # duplicates; what each user then sees follows the record rules.
        self.sudo()._refresh(self.env.company)
        return {
            "type": "ir.actions.client",
            "tag": "soft_reload",
        }
