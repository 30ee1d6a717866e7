import json
from collections import defaultdict
from datetime import timedelta

from markupsafe import Markup

from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError
from odoo.tools import format_amount
from odoo.tools.misc import formatLang

from ..engine import bureau, holds, scoring

BAND_RANK = {"low": 0, "medium": 1, "high": 2, "blocked": 3}
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

    # ------------------------------------------------------------------
    # Risk score and periodic review
    # ------------------------------------------------------------------

    credit_review_date = fields.Date(
        string="Last Credit Review", company_dependent=True, readonly=True
    )
    credit_score = fields.Float(
        string="Risk Score",
        company_dependent=True,
        readonly=True,
        help="0 (safest) to 100 (riskiest), from the customer's payment "
        "behaviour and its external credit data, at the last review.",
    )
    credit_score_details = fields.Text(company_dependent=True, readonly=True)
    credit_score_breakdown = fields.Html(
        string="Score Breakdown", compute="_compute_credit_score_breakdown"
    )
    credit_profile_locked = fields.Boolean(
        string="Profile Set by Hand",
        company_dependent=True,
        help="The credit review keeps this customer's risk profile.",
    )
    credit_bureau_ref = fields.Char(string="Bureau Reference", readonly=True)
    credit_bureau_rating = fields.Char(string="Bureau Rating", readonly=True)
    credit_bureau_score = fields.Float(
        string="Bureau Score",
        readonly=True,
        help="The bureau's score, 0 (riskiest) to 100 (safest).",
    )
    credit_bureau_limit = fields.Float(string="Bureau Recommended Limit", readonly=True)
    credit_bureau_currency = fields.Char(readonly=True)
    credit_bureau_date = fields.Date(string="Bureau Report Date", readonly=True)

    @api.depends_context("company", "lang")
    def _compute_credit_score_breakdown(self):
        labels = {
            "days_late": self.env._("Average days late"),
            "trend": self.env._("Trend of the delays"),
            "on_time": self.env._("Invoices not paid on time"),
            "overdue": self.env._("Share overdue"),
            "overdue_age": self.env._("Age of the oldest overdue invoice"),
            "promises": self.env._("Broken promises"),
            "disputes": self.env._("Disputes"),
            "usage": self.env._("Credit usage"),
            "external": self.env._("External credit data"),
        }
        row = Markup("<tr><td>%s</td><td class='text-end text-nowrap'>%s</td></tr>")
        for partner in self:
            details = json.loads(partner.credit_score_details or "[]")
            if not details:
                partner.credit_score_breakdown = False
                continue
            rows = [
                row
                % (
                    labels.get(key, key),
                    self.env._(
                        "%(points)s points",
                        points=formatLang(self.env, points, digits=1),
                    ),
                )
                for key, points in details
            ]
            partner.credit_score_breakdown = Markup(
                "<table class='table table-sm'><thead><tr><th>%s</th>"
                "<th class='text-end'>%s</th></tr></thead><tbody>%s</tbody>"
                "<tfoot><tr class='fw-bold'><td>%s</td>"
                "<td class='text-end text-nowrap'>%s</td></tr></tfoot></table>"
            ) % (
                self.env._("Factor"),
                self.env._("Points of Risk"),
                Markup("").join(rows),
                self.env._("Risk score (0 safest, 100 riskiest)"),
                self.env._(
                    "%(points)s points out of 100",
                    points=formatLang(self.env, partner.credit_score, digits=1),
                ),
            )

    def _credit_behaviours(self, company, today):
        """{commercial partner id: scoring.Behaviour} in ``company``."""
        partners = self.commercial_partner_id.with_company(company)
        ids = tuple(partners.ids) or (0,)
        cr = self.env.cr
        self.env.flush_all()
        # days late of the invoices paid in the last year: paid on the day
        # their last payment was reconciled
        cr.execute(
            """
            WITH paid AS (
                SELECT m.commercial_partner_id AS partner,
                       GREATEST(MAX(apr.max_date) - m.invoice_date_due, 0) AS late,
                       MAX(apr.max_date) AS paid_on
                  FROM account_move m
                  JOIN account_move_line l ON l.move_id = m.id
                  JOIN account_account a ON a.id = l.account_id
                       AND a.account_type = 'asset_receivable'
                  JOIN account_partial_reconcile apr ON apr.debit_move_id = l.id
                 WHERE m.company_id = %(company)s
                   AND m.move_type = 'out_invoice' AND m.state = 'posted'
                   AND m.payment_state IN ('paid', 'in_payment')
                   AND m.commercial_partner_id IN %(ids)s
                 GROUP BY m.id
                HAVING MAX(apr.max_date) >= %(year_ago)s
            )
            SELECT partner, COUNT(*), AVG(late),
                   AVG(late) FILTER (WHERE paid_on >= %(recent)s),
                   AVG(late) FILTER (WHERE paid_on < %(recent)s),
                   AVG(CASE WHEN late = 0 THEN 1.0 ELSE 0.0 END)
              FROM paid GROUP BY partner
            """,
            {
                "company": company.id,
                "ids": ids,
                "year_ago": today - timedelta(days=365),
                "recent": today - timedelta(days=91),
            },
        )
        history = {row[0]: row[1:] for row in cr.fetchall()}
        year_ago = today - timedelta(days=365)
        broken = dict(
            self.env["collection.promise"]
            .sudo()
            ._read_group(
                [
                    ("company_id", "=", company.id),
                    ("partner_id", "in", partners.ids),
                    ("state", "=", "broken"),
                    ("judged_date", ">=", year_ago),
                ],
                ["partner_id"],
                ["__count"],
            )
        )
        disputes = dict(
            self.env["collection.dispute"]
            .sudo()
            ._read_group(
                [
                    ("company_id", "=", company.id),
                    ("partner_id", "in", partners.ids),
                    ("date", ">=", year_ago),
                ],
                ["partner_id"],
                ["__count"],
            )
        )
        situations = partners._credit_situations(company, today=today)
        result = {}
        for partner in partners:
            count, avg, recent, older, on_time = history.get(
                partner.id, (0, 0.0, None, None, None)
            )
            situation = situations[partner.id]
            open_amount = max(situation.exposure, 0.0)
            result[partner.id] = scoring.Behaviour(
                paid_count=count,
                avg_days_late=float(avg or 0.0),
                recent_avg_days_late=float(recent) if recent is not None else None,
                older_avg_days_late=float(older) if older is not None else None,
                on_time_share=float(on_time) if on_time is not None else None,
                overdue_amount=situation.overdue_amount,
                open_amount=open_amount,
                oldest_overdue_days=situation.oldest_overdue_days,
                broken_promises=broken.get(partner, 0),
                disputes=disputes.get(partner, 0),
                credit_usage=(
                    situation.exposure / situation.limit if situation.limit else None
                ),
                external_score=partner.credit_bureau_score
                if partner.credit_bureau_date
                else None,
            )
        return result

    def _credit_review(self, company, today=None):
        """Score these customers in ``company``, move each to the profile of
        its score band (unless set by hand), and give the credit managers a
        task on every downgrade and when a profile's review date comes."""
        today = today or fields.Date.context_today(self)
        # the notes on the customers are written in the company's language
        partners = self.commercial_partner_id.with_company(company).with_context(
            lang=company.partner_id.lang or self.env.lang
        )
        behaviours = partners._credit_behaviours(company, today)
        profiles = self.env["credit.risk.profile"].search(
            [("company_id", "=", company.id), ("score_band", "!=", False)]
        )
        by_band = {profile.score_band: profile for profile in profiles}
        for partner in partners:
            value, factors = scoring.score(behaviours[partner.id])
            band = scoring.band(value)
            old = partner.credit_risk_profile_id
            review_due = bool(old) and (
                not partner.credit_review_date
                or partner.credit_review_date + timedelta(days=old.review_interval_days)
                <= today
            )
            partner.write(
                {
                    "credit_score": value,
                    "credit_score_details": json.dumps(scoring.explain(factors)),
                }
            )
            new = by_band.get(band)
            downgrade = False
            if new and new != old and not partner.credit_profile_locked:
                downgrade = BAND_RANK.get(old.score_band, -1) < BAND_RANK[
                    band
                ] and bool(old)
                partner.with_context(
                    credit_profile_reason=partner.env._(
                        " (risk score %(score)s)",
                        score=formatLang(partner.env, value, digits=1),
                    )
                ).credit_risk_profile_id = new
            if downgrade or review_due:
                partner._credit_task(
                    lambda env, new=new, value=value, downgrade=downgrade: (
                        env._(
                            "Credit downgraded to %(profile)s (score %(score)s)",
                            profile=new.with_env(env).name,
                            score=formatLang(env, value, digits=1),
                        )
                        if downgrade
                        else env._(
                            "Credit review due (score %(score)s)",
                            score=formatLang(env, value, digits=1),
                        )
                    )
                )
            if review_due or downgrade or not partner.credit_review_date:
                partner.credit_review_date = today
        partners._credit_refresh_holds(company)

    def _credit_task(self, make_summary):
        """A to-do on this customer for each credit manager of the company,
        whose summary ``make_summary(env)`` is written in the manager's
        language."""
        company = self.env.company
        managers = self.env.ref("credit_control.group_credit_manager").users.filtered(
            lambda u: company in u.company_ids and not u.share
        ) - self.env.ref("base.user_root")
        for manager in managers:
            as_manager = self.with_context(lang=manager.lang or self.env.lang)
            as_manager.activity_schedule(
                "mail.mail_activity_data_todo",
                summary=make_summary(as_manager.env),
                user_id=manager.id,
            )

    @api.model
    def _cron_credit_review(self):
        """Review the customers of every company, committing after each
        company (a review is idempotent: a second one the same day changes
        nothing)."""
        self._credit_review_companies(self.env["res.company"].search([]), commit=True)

    @api.model
    def _credit_review_companies(self, companies, today=None, commit=False):
        """Review the customers with receivables or confirmed orders."""
        self.env.flush_all()  # the customers are found in SQL
        for company in companies:
            self.env.cr.execute(
                """
                SELECT DISTINCT p.commercial_partner_id
                  FROM account_move_line l
                  JOIN account_account a ON a.id = l.account_id
                  JOIN res_partner p ON p.id = l.partner_id
                 WHERE l.company_id = %(company)s
                   AND a.account_type = 'asset_receivable'
                   AND l.parent_state = 'posted'
                 UNION
                SELECT DISTINCT p.commercial_partner_id
                  FROM sale_order so JOIN res_partner p ON p.id = so.partner_id
                 WHERE so.company_id = %(company)s AND so.state = 'sale'
                """,
                {"company": company.id},
            )
            ids = [row[0] for row in self.env.cr.fetchall()]
            partners = self.browse(ids).with_company(company)
            partners._credit_review(company, today)
            if commit:
                self.env.cr.commit()  # pylint: disable=invalid-commit

    # ------------------------------------------------------------------
    # External credit data
    # ------------------------------------------------------------------

    @api.model
    def _credit_bureau_client(self):
        """The configured bureau client; a clear error when none is set."""
        params = self.env["ir.config_parameter"].sudo()
        url = params.get_param("credit_control.bureau_url")
        if not url:
            raise UserError(
                self.env._(
                    "No credit bureau is configured: set its URL and credentials "
                    "in Collections > Configuration > Settings."
                )
            )
        return bureau.CreditsafeClient(
            url,
            params.get_param("credit_control.bureau_username") or "",
            params.get_param("credit_control.bureau_password") or "",
            timeout=float(params.get_param("credit_control.bureau_timeout") or 10),
        )

    def action_credit_fetch_report(self):
        """Read the customer's credit report from the bureau and show its
        rating, score and recommended limit on the customer."""
        self.ensure_one()
        partner = self.commercial_partner_id
        messages = {
            bureau.BAD_CREDENTIALS: self.env._(
                "The credit bureau refused the credentials: check them in the settings."
            ),
            bureau.NOT_FOUND: self.env._(
                "The credit bureau does not know %(customer)s: check its country "
                "and its company registry or VAT number.",
                customer=partner.display_name,
            ),
            bureau.QUOTA: self.env._(
                "The credit bureau's quota is used up: try again later or raise "
                "the quota with the bureau."
            ),
            bureau.TIMEOUT: self.env._(
                "The credit bureau did not answer in time: try again later."
            ),
            bureau.UNAVAILABLE: self.env._(
                "The credit bureau cannot be reached: try again later."
            ),
            bureau.BAD_RESPONSE: self.env._(
                "The credit bureau's answer could not be read."
            ),
        }
        if not partner.country_id or not (partner.company_registry or partner.vat):
            raise UserError(
                self.env._(
                    "Set the country and the company registry or VAT number of "
                    "%(customer)s to look it up.",
                    customer=partner.display_name,
                )
            )
        client = self._credit_bureau_client()
        try:
            report = client.lookup(
                partner.country_id.code,
                registration=partner.company_registry or None,
                vat=partner.vat or None,
            )
        except bureau.BureauError as exc:
            raise UserError(messages.get(exc.code, str(exc))) from exc
        partner.write(
            {
                "credit_bureau_ref": report.provider_id,
                "credit_bureau_rating": report.rating,
                "credit_bureau_score": report.score or 0.0,
                "credit_bureau_limit": report.limit or 0.0,
                "credit_bureau_currency": report.currency,
                "credit_bureau_date": fields.Date.context_today(self),
            }
        )
        partner.message_post(
            body=self.env._(
                "Credit report: rating %(rating)s (%(description)s), score "
                "%(score)s, recommended limit %(limit)s %(currency)s.",
                rating=report.rating,
                description=report.description,
                score=report.score,
                limit=report.limit,
                currency=report.currency or "",
            ),
            subtype_xmlid="mail.mt_note",
        )
        return True

    def _collection_worklist_risk(self):
        """The risk score of the last credit review, read 0..1."""
        risks = super()._collection_worklist_risk()
        for partner in self.filtered("credit_review_date"):
            risks[partner.id] = partner.credit_score / 100.0
        return risks
