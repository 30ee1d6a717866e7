from collections import defaultdict

from odoo import api, fields, models
from odoo.exceptions import AccessError
from odoo.tools import format_amount

from ..engine import holds

# What only a credit manager decides on a customer: a user who may edit
# contacts for another reason (Odoo's "Contact Creation", a salesperson with
# CRM) must not lift a hold by the way.
CREDIT_MANAGER_FIELDS = (
    "credit_hold",
    "credit_hold_reason",
    "credit_risk_profile_id",
    "credit_profile_locked",
)


class ResPartner(models.Model):
    _inherit = "res.partner"

    credit_risk_profile_id = fields.Many2one(
        "credit.risk.profile",
        string="Risk Profile",
        company_dependent=True,
        tracking=True,
        domain="[('company_id', '=', current_company_id)]",
    )
    credit_hold = fields.Boolean(
        company_dependent=True,
        tracking=True,
        help="Put on hold by hand: no order of this customer is confirmed "
        "without a credit manager's release.",
    )
    credit_hold_reason = fields.Char(
        string="Hold Reason", company_dependent=True, tracking=True
    )
    credit_hold_causes = fields.Char(
        company_dependent=True,
        readonly=True,
        help="The automatic hold causes found at the last check, to log when "
        "they change.",
    )
    credit_effective_limit = fields.Monetary(
        string="Credit Limit Applied",
        compute="_compute_credit_figures",
        currency_field="credit_currency_id",
        help="The customer's own limit, else its risk profile's.",
    )
    credit_has_limit = fields.Boolean(compute="_compute_credit_figures")
    credit_exposure = fields.Monetary(
        string="Exposure",
        compute="_compute_credit_figures",
        currency_field="credit_currency_id",
        help="Open receivables, draft invoices (when the company counts them) "
        "and confirmed orders not yet invoiced, in the company's currency.",
    )
    credit_available = fields.Monetary(
        compute="_compute_credit_figures", currency_field="credit_currency_id"
    )
    credit_hold_summary = fields.Char(
        string="Credit Status", compute="_compute_credit_figures"
    )
    credit_currency_id = fields.Many2one(
        "res.currency",
        string="Currency of the Credit Figures",
        compute="_compute_credit_figures",
    )

    @api.depends_context("company", "lang")
    def _compute_credit_figures(self):
        company = self.env.company
        situations = self._credit_situations(company)
        for partner in self:
            situation = situations[partner.commercial_partner_id.id]
            partner.credit_currency_id = company.currency_id
            partner.credit_has_limit = situation.limit is not None
            partner.credit_effective_limit = situation.limit or 0.0
            partner.credit_exposure = situation.exposure
            partner.credit_available = (
                max(situation.limit - situation.exposure, 0.0)
                if situation.limit is not None
                else 0.0
            )
            causes = holds.reasons(situation, company.currency_id.decimal_places)
            partner.credit_hold_summary = partner._credit_causes_text(
                causes, situation, company
            )

    # ------------------------------------------------------------------
    # Figures
    # ------------------------------------------------------------------

    def _credit_limit(self, company):
        """The limit that applies in ``company`` (company currency), or
        ``None`` when the customer has neither a limit of its own nor a risk
        profile."""
        self.ensure_one()
        # sudo: Odoo's own limit of the customer is an accounting field, yet
        # it applies to whoever reads the credit figures (salespeople too)
        partner = self.commercial_partner_id.sudo().with_company(company)
        if partner.use_partner_credit_limit:
            return partner.credit_limit
        if partner.credit_risk_profile_id:
            return partner.credit_risk_profile_id.credit_limit
        return None

    def _credit_limit_holds(self, company):
        """Whether going over the limit of ``_credit_limit`` holds the
        customer's orders in ``company``, or is a warning only. It holds
        where someone chose it: the company for every limit, or the
        customer's risk profile for its customers. Odoo's own Sales Credit
        Limit of a customer is otherwise a warning, as in Odoo."""
        self.ensure_one()
        # sudo: as in _credit_limit, whoever reads the credit figures
        partner = self.commercial_partner_id.sudo().with_company(company)
        profile = partner.credit_risk_profile_id
        return bool(company.credit_hold_over_limit or profile.hold_over_limit)

    def _credit_situations(self, company, order=None, today=None):
        """{commercial partner id: holds.Situation} in ``company``, from a
        few SQL aggregates (whatever the number of invoices and orders).
        ``order``, when given, is the order being confirmed: it is counted
        as the order amount and left out of the confirmed orders."""
        today = today or fields.Date.context_today(self)
        partners = self.commercial_partner_id.with_company(company)
        cr = self.env.cr
        self.env.flush_all()
        # Simple queries on ids (no joins to plan): an order's confirmation
        # runs them, and with thousands of invoices PostgreSQL's planning of
        # joined aggregates weighed as much as their execution.
        cr.execute(
            "SELECT id, commercial_partner_id FROM res_partner"
            " WHERE commercial_partner_id = ANY(%s::int[])",
            [partners.ids],
        )
        commercial_of = dict(cr.fetchall())
        members = list(commercial_of)
        cr.execute(
            "SELECT id FROM account_account WHERE account_type = 'asset_receivable'"
        )
        accounts = [row[0] for row in cr.fetchall()]
        cr.execute("SELECT id FROM collection_policy_level WHERE is_credit_hold")
        hold_levels = [row[0] for row in cr.fetchall()]
        receivables = defaultdict(lambda: [0.0, 0.0, None, False])
        cr.execute(
            """
            SELECT l.partner_id,
                   SUM(l.amount_residual),
                   SUM(l.amount_residual) FILTER (
                       WHERE l.amount_residual > 0
                         AND COALESCE(l.date_maturity, l.date) < %(today)s),
                   MIN(COALESCE(l.date_maturity, l.date)) FILTER (
                       WHERE l.amount_residual > 0
                         AND COALESCE(l.date_maturity, l.date) < %(today)s),
                   BOOL_OR(l.collection_level_id = ANY(%(hold_levels)s::int[]))
              FROM account_move_line l
             WHERE l.company_id = %(company)s
               AND l.partner_id = ANY(%(members)s::int[])
               AND l.account_id = ANY(%(accounts)s::int[])
               AND l.parent_state = 'posted'
               AND NOT l.reconciled
             GROUP BY l.partner_id
            """,
            {
                "company": company.id,
                "members": members,
                "accounts": accounts,
                "hold_levels": hold_levels,
                "today": today,
            },
        )
        for partner_id, residual, overdue, oldest, dunning in cr.fetchall():
            figures = receivables[commercial_of[partner_id]]
            figures[0] += residual or 0.0
            figures[1] += overdue or 0.0
            if oldest and (figures[2] is None or oldest < figures[2]):
                figures[2] = oldest
            figures[3] = figures[3] or bool(dunning)
        drafts = defaultdict(float)
        if company.credit_include_draft_invoices:
            cr.execute(
                """
                SELECT commercial_partner_id, SUM(amount_total_signed)
                  FROM account_move
                 WHERE company_id = %(company)s AND state = 'draft'
                   AND move_type IN ('out_invoice', 'out_refund')
                   AND commercial_partner_id = ANY(%(ids)s::int[])
                 GROUP BY commercial_partner_id
                """,
                {"company": company.id, "ids": partners.ids},
            )
            drafts.update(cr.fetchall())
        # what confirmed orders still have to invoice, converted at the
        # order's own rate (the rate of its quotation)
        cr.execute(
            """
            SELECT so.partner_id,
                   SUM(sol.price_total
                       * (sol.product_uom_qty - sol.qty_invoiced)
                       / sol.product_uom_qty
                       / COALESCE(NULLIF(so.currency_rate, 0), 1))
              FROM sale_order so
              JOIN sale_order_line sol ON sol.order_id = so.id
             WHERE so.partner_id = ANY(%(members)s::int[])
               AND so.company_id = %(company)s
               AND so.state = 'sale'
               AND so.id != %(order)s
               AND sol.product_uom_qty > 0
               AND sol.qty_invoiced < sol.product_uom_qty
             GROUP BY so.partner_id
            """,
            {
                "company": company.id,
                "members": members,
                "order": (order._origin.id if order else 0) or 0,
            },
        )
        orders = defaultdict(float)
        for partner_id, amount in cr.fetchall():
            orders[commercial_of[partner_id]] += amount or 0.0
        rounding = company.currency_id.decimal_places
        result = {}
        for partner in partners:
            residual, overdue, oldest, dunning = receivables[partner.id]
            oldest_days = (today - oldest).days if oldest else 0
            profile = partner.credit_risk_profile_id
            order_amount = 0.0
            if order and order.partner_id.commercial_partner_id.id == partner.id:
                order_amount = order.currency_id._convert(
                    order.amount_total, company.currency_id, company, today
                )
            result[partner.id] = holds.Situation(
                manual_hold=partner.credit_hold,
                exposure=round(
                    residual + drafts[partner.id] + orders[partner.id],
                    rounding,
                ),
                order_amount=round(order_amount, rounding),
                limit=partner._credit_limit(company),
                limit_holds=partner._credit_limit_holds(company),
                oldest_overdue_days=oldest_days,
                overdue_amount=round(overdue, rounding),
                overdue_tolerance=profile.max_overdue_days if profile else None,
                dunning_hold=dunning,
            )
        return result

    def _credit_causes_text(self, causes, situation, company, manual_reason=None):
        """One sentence per hold cause, with the amounts, in the language of
        the environment (the reader's). ``manual_reason``: the reason of a
        hold set by hand, when not the customer's current one."""
        self.ensure_one()
        cur = company.currency_id
        texts = []
        for cause in causes:
            if cause == holds.MANUAL:
                texts.append(
                    self.env._(
                        "On credit hold: %(reason)s",
                        reason=manual_reason
                        or self.commercial_partner_id.with_company(
                            company
                        ).credit_hold_reason
                        or self.env._("set by hand"),
                    )
                )
            elif cause == holds.OVER_LIMIT:
                texts.append(
                    self.env._(
                        "Over the credit limit by %(excess)s (exposure %(exposure)s "
                        "with this order, limit %(limit)s)",
                        excess=format_amount(self.env, holds.excess(situation), cur),
                        exposure=format_amount(
                            self.env, situation.exposure + situation.order_amount, cur
                        ),
                        limit=format_amount(self.env, situation.limit, cur),
                    )
                )
            elif cause == holds.OVERDUE:
                texts.append(
                    self.env._(
                        "Overdue invoices: %(amount)s, the oldest %(days)s days late "
                        "(%(tolerance)s tolerated)",
                        amount=format_amount(self.env, situation.overdue_amount, cur),
                        days=situation.oldest_overdue_days,
                        tolerance=situation.overdue_tolerance,
                    )
                )
            elif cause == holds.DUNNING:
                texts.append(
                    self.env._(
                        "A reminder level that puts the customer on hold was sent"
                    )
                )
        return "; ".join(texts)

    # ------------------------------------------------------------------
    # Holds set and lifted by themselves, logged
    # ------------------------------------------------------------------

    def _credit_refresh_holds(self, company):
        """Store the automatic hold causes of these customers in ``company``
        and log on each customer's chatter when they change (a hold set or
        lifted by itself)."""
        situations = self._credit_situations(company)
        rounding = company.currency_id.decimal_places
        # the customer's log is everyone's: written in the company's language
        logged = self.with_context(lang=company.partner_id.lang or self.env.lang)
        for partner in logged.commercial_partner_id.with_company(company):
            situation = situations[partner.id]
            causes = holds.reasons(situation, rounding)
            automatic = ",".join(c for c in causes if c != holds.MANUAL)
            if automatic == (partner.credit_hold_causes or ""):
                continue
            partner.credit_hold_causes = automatic or False
            if automatic:
                body = partner.env._(
                    "Credit hold in %(company)s: %(causes)s",
                    company=company.name,
                    causes=partner._credit_causes_text(
                        [c for c in causes if c != holds.MANUAL], situation, company
                    ),
                )
            else:
                body = partner.env._(
                    "Credit hold lifted in %(company)s: its causes are gone.",
                    company=company.name,
                )
            partner.message_post(body=body, subtype_xmlid="mail.mt_note")

    # ------------------------------------------------------------------
    # Dunning policy follows the risk profile
    # ------------------------------------------------------------------

    def _collection_policies(self, company):
        """A customer without a policy of its own follows its risk profile's
        policy, before the policies' own assignment rules."""
        result = super()._collection_policies(company)
        for partner in self.commercial_partner_id.with_company(company):
            if partner.collection_policy_id:
                continue
            policy = partner.credit_risk_profile_id.collection_policy_id
            if policy:
                result[partner.id] = policy
        return result

    def _credit_check_manager_fields(self, vals):
        """Refuse a change of the credit decisions to who is no credit
        manager (values written unchanged, as forms do, pass)."""
        names = [name for name in CREDIT_MANAGER_FIELDS if name in vals]
        if not names or self.env.su:
            return
        if self.env.user.has_group("credit_control.group_credit_manager"):
            return
        for partner in self or [self.browse()]:
            for name in names:
                current = partner[name] if partner else False
                if isinstance(current, models.BaseModel):
                    current = current.id
                if (current or False) != (vals[name] or False):
                    raise AccessError(
                        self.env._(
                            "Only a credit manager can change the credit hold, "
                            "the risk profile and whether it is set by hand."
                        )
                    )

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            self.browse()._credit_check_manager_fields(vals)
        return super().create(vals_list)

    def write(self, vals):
        self._credit_check_manager_fields(vals)
        if "credit_risk_profile_id" not in vals:
            return super().write(vals)
        company = self.env.company
        before = {
            partner.id: (
                partner.credit_risk_profile_id,
                partner._collection_policy(company),
            )
            for partner in self.with_company(company)
        }
        res = super().write(vals)
        for partner in self.with_company(company):
            old_profile, old_policy = before[partner.id]
            new_policy = partner._collection_policy(company)
            if old_profile == partner.credit_risk_profile_id:
                continue
            partner.message_post(
                body=self.env._(
                    "Risk profile %(old)s → %(new)s%(reason)s: dunning policy "
                    "%(old_policy)s → %(new_policy)s.",
                    old=old_profile.name or self.env._("none"),
                    new=partner.credit_risk_profile_id.name or self.env._("none"),
                    reason=self.env.context.get("credit_profile_reason") or "",
                    old_policy=old_policy.name or self.env._("none"),
                    new_policy=new_policy.name or self.env._("none"),
                ),
                subtype_xmlid="mail.mt_note",
            )
            if old_policy != new_policy:
                partner._collection_open_invoices()._collection_plan()
        return res
