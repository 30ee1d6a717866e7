import json
from datetime import timedelta

from markupsafe import Markup

from odoo import api, fields, models
from odoo.tools.misc import formatLang

from ..engine import scoring

BAND_RANK = {"low": 0, "medium": 1, "high": 2, "blocked": 3}


class ResPartner(models.Model):
    # credit review and scoring: a concern of its own, kept apart from res_partner.py
    _inherit = "res.partner"  # pylint: disable=consider-merging-classes-inherited

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

    def _collection_worklist_risk(self):
        """The risk score of the last credit review, read 0..1."""
        risks = super()._collection_worklist_risk()
        for partner in self.filtered("credit_review_date"):
            risks[partner.id] = partner.credit_score / 100.0
        return risks
