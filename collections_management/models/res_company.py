from odoo import api, fields, models
from odoo.exceptions import ValidationError
from odoo.tools import format_date

from ..engine import prediction, worklist
from ..engine.letter import Letter

WORKLIST_DEFAULTS = worklist.Weights()


class ResCompany(models.Model):
    _inherit = "res.company"

    collection_promise_grace_days = fields.Integer(
        string="Promise Grace Period (days)",
        default=3,
        help="Days after a promised date before the promise is judged.",
    )
    collection_max_broken_promises = fields.Integer(
        string="Broken Promises Allowed",
        default=3,
        help="A customer who broke this many promises can make no new one; "
        "0 for no limit.",
    )
    collection_remind_undisputed = fields.Boolean(
        string="Remind the Undisputed Part",
        default=True,
        help="An invoice disputed in part is still reminded for the rest.",
    )
    collection_plan_approval_limit = fields.Monetary(
        string="Collector Approval Limit",
        currency_field="currency_id",
        default=5000.0,
        help="Collectors approve payment plans up to this total; larger ones "
        "need a collections manager.",
    )
    collection_plan_grace_days = fields.Integer(
        string="Instalment Grace Period (days)",
        default=5,
        help="Days after an instalment's due date before the plan is breached.",
    )
    collection_prediction_min_history = fields.Integer(
        string="Paid Invoices to Learn From",
        default=prediction.MIN_HISTORY,
        help="Below this many paid invoices no payment-date model is learnt: "
        "each invoice is expected the customer's median delay.",
    )
    collection_prediction_id = fields.Many2one(
        "collection.prediction",
        string="Payment-Date Model",
        compute="_compute_collection_prediction_id",
    )

    def _compute_collection_prediction_id(self):
        trainings = self.env["collection.prediction"]
        for company in self:
            company.collection_prediction_id = trainings.search(
                [("company_id", "=", company.id)], limit=1
            )

    @api.constrains(
        "collection_promise_grace_days",
        "collection_max_broken_promises",
        "collection_plan_approval_limit",
        "collection_plan_grace_days",
        "collection_prediction_min_history",
    )
    def _check_collection_settings(self):
        for company in self:
            if (
                min(
                    company.collection_promise_grace_days,
                    company.collection_max_broken_promises,
                    company.collection_plan_approval_limit,
                    company.collection_plan_grace_days,
                    company.collection_prediction_min_history,
                )
                < 0
            ):
                raise ValidationError(
                    self.env._(
                        "Collections settings of %(company)s: grace periods, "
                        "broken promises, the approval limit and the paid "
                        "invoices to learn from cannot be negative.",
                        company=company.name,
                    )
                )

    @api.model_create_multi
    def create(self, vals_list):
        companies = super().create(vals_list)
        companies._collections_ensure_default_policy()
        return companies

    def _collections_create_translated(self, model_name, build):
        """Create the records that ``build(env)`` describes, with their
        translatable fields stored in every installed language.

        ``build`` returns a list of values, its translatable strings through
        ``env._`` so that they come out in ``env``'s language; it is called
        once per language and must return the records in the same order.
        Shipped records created in code (one set per company) read in the
        user's language like the ones loaded from XML.
        """
        # sudo: shipped configuration, at install; no "created" message in
        # the installer's language on the records' chatter (nobody made them)
        model = (
            self.env[model_name]
            .sudo()
            .with_context(mail_create_nolog=True, mail_notrack=True)
        )
        base = build(self.with_context(lang="en_US").env)
        records = model.create(base)
        for lang, _name in self.env["res.lang"].get_installed():
            if lang == "en_US":
                continue
            translated = build(self.with_context(lang=lang).env)
            for record, vals, base_vals in zip(records, translated, base, strict=True):
                for fname, value in vals.items():
                    if model._fields[fname].translate and value != base_vals[fname]:
                        record.update_field_translations(fname, {lang: value})
        return records

    def _collections_ensure_default_policy(self):
        """Create the shipped default policy for companies that have none."""
        policies = self.env["collection.policy"].sudo().with_context(active_test=False)
        for company in self:
            if policies.search_count(
                [("company_id", "=", company.id), ("is_default", "=", True)]
            ):
                continue
            policy = company._collections_create_translated(
                "collection.policy",
                lambda env, company=company: [
                    {
                        "name": env._("Standard"),
                        "company_id": company.id,
                        "is_default": True,
                    }
                ],
            )
            company._collections_create_translated(
                "collection.policy.level",
                lambda env, policy=policy: [
                    {
                        "policy_id": policy.id,
                        "sequence": index,
                        "trigger_days": trigger,
                        "min_days_since_previous": spacing,
                        "name": name,
                        **self._collections_default_channels(key),
                    }
                    for index, (key, trigger, spacing, name) in enumerate(
                        [
                            ("courtesy", -3, 0, env._("Courtesy reminder")),
                            ("first", 7, 7, env._("First reminder")),
                            ("second", 21, 10, env._("Second reminder")),
                            ("third", 35, 10, env._("Third reminder")),
                            ("final", 50, 10, env._("Final notice")),
                        ]
                    )
                ],
            )

    def _collections_default_channels(self, key):
        """Channels of a shipped level: email throughout, an SMS from the
        second reminder, a call and a letter for the third, a letter for the
        final notice, which a collector validates before it goes."""
        ref = self.env.ref
        vals = {
            "channel_email": True,
            "mail_template_id": ref(f"collections_management.mail_template_{key}").id,
            "sms_template_id": ref(f"collections_management.sms_template_{key}").id,
        }
        if key in ("second", "third"):
            vals["channel_sms"] = True
        if key == "third":
            vals["channel_call"] = True
        if key in ("third", "final"):
            vals["channel_letter"] = True
        if key == "final":
            vals["needs_validation"] = True
        return vals

    # ------------------------------------------------------------------
    # Worklist priority weights
    # ------------------------------------------------------------------

    collection_weight_amount = fields.Float(
        string="Weight of the Amount Overdue", default=WORKLIST_DEFAULTS.amount
    )
    collection_weight_days = fields.Float(
        string="Weight of the Days Overdue", default=WORKLIST_DEFAULTS.days
    )
    collection_weight_risk = fields.Float(
        string="Weight of the Customer Risk", default=WORKLIST_DEFAULTS.risk
    )
    collection_weight_broken = fields.Float(
        string="Weight of Broken Promises", default=WORKLIST_DEFAULTS.broken_promises
    )
    collection_weight_late = fields.Float(
        string="Weight of the Late-Payment Probability",
        default=WORKLIST_DEFAULTS.late_probability,
    )
    collection_weight_amount_scale = fields.Monetary(
        string="Amount Overdue Counting Half",
        currency_field="currency_id",
        default=WORKLIST_DEFAULTS.amount_scale,
        help="The amount overdue that gives half of the amount's weight.",
    )

    def _collection_worklist_weights(self):
        self.ensure_one()
        return worklist.Weights(
            amount=self.collection_weight_amount,
            days=self.collection_weight_days,
            risk=self.collection_weight_risk,
            broken_promises=self.collection_weight_broken,
            late_probability=self.collection_weight_late,
            amount_scale=self.collection_weight_amount_scale,
        )

    @api.constrains(
        "collection_weight_amount",
        "collection_weight_days",
        "collection_weight_risk",
        "collection_weight_broken",
        "collection_weight_late",
        "collection_weight_amount_scale",
    )
    def _check_collection_weights(self):
        for company in self:
            weights = company._collection_worklist_weights()
            if min(
                weights.amount,
                weights.days,
                weights.risk,
                weights.broken_promises,
                weights.late_probability,
            ) < 0 or not any(
                (
                    weights.amount,
                    weights.days,
                    weights.risk,
                    weights.broken_promises,
                    weights.late_probability,
                )
            ):
                raise ValidationError(
                    self.env._(
                        "Worklist weights of %(company)s: no weight may be "
                        "negative, and at least one must be above 0.",
                        company=company.name,
                    )
                )
            if weights.amount_scale <= 0:
                raise ValidationError(
                    self.env._(
                        "Worklist weights of %(company)s: the amount overdue "
                        "counting half must be above 0.",
                        company=company.name,
                    )
                )

    def _collection_letter(self, recipient, date, name_lines=None, **body):
        """The company's letter to ``recipient`` dated ``date``: letterhead,
        recipient's postal address and "place, date" in the language of the
        environment; ``body`` gives the rest of the ``Letter`` (subject,
        paragraphs, columns, rows...). ``name_lines`` replace the
        recipient's name (a contact "of" its company). Reminder letters and
        the portal's statement share it."""
        self.ensure_one()
        env = self.env
        lang = env.context.get("lang") or env.lang
        return Letter(
            company_lines=[
                self.name,
                *filter(None, [self.street, self.street2]),
                " ".join(filter(None, [self.zip, self.city])),
                " - ".join(filter(None, [self.phone, self.email])),
            ],
            recipient_lines=(name_lines or [recipient.name or ""])
            + [
                line
                for line in recipient._display_address(without_company=True).split("\n")
                if line.strip()
            ],
            place_date=", ".join(
                filter(None, [self.city, format_date(env, date, lang_code=lang)])
            ),
            **body,
        )
