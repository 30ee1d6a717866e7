from odoo import api, fields, models
from odoo.exceptions import UserError

from ..engine import bureau


class ResPartner(models.Model):
    # external credit data: a concern of its own, kept apart from res_partner.py
    _inherit = "res.partner"  # pylint: disable=consider-merging-classes-inherited

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
