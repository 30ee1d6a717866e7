import datetime
import logging

from markupsafe import Markup, escape

from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.tools.misc import format_date, formatLang

from ..engine import learning, matching

_logger = logging.getLogger(__name__)

# Learning needs this many decided proposals; the newest fifth of them
# measures the learned weights against the defaults before they are used.
LEARNING_MIN_SAMPLES = 50
LEARNING_HOLDOUT = 0.2


class CashMatchProposal(models.Model):
    _name = "cash.match.proposal"
    _description = "Cash Matching Proposal"
    _order = "statement_line_id desc, rank, id"
    _check_company_auto = True

    statement_line_id = fields.Many2one(
        "account.bank.statement.line",
        string="Bank Transaction",
        required=True,
        index=True,
        ondelete="cascade",
        check_company=True,
    )
    company_id = fields.Many2one(
        related="statement_line_id.company_id", store=True, index=True
    )
    company_currency_id = fields.Many2one(related="company_id.currency_id")
    rank = fields.Integer(default=1, help="1 for the best proposal of its line.")
    partner_id = fields.Many2one("res.partner", string="Customer", index=True)
    move_line_ids = fields.Many2many(
        "account.move.line",
        string="Journal Items",
        help="The open receivable items this proposal pays.",
    )
    move_ids = fields.Many2many(
        "account.move", string="Documents", compute="_compute_move_ids"
    )
    allocation = fields.Json(
        help="Amount applied to each item, in the item's currency: {item id: amount}.",
    )
    confidence = fields.Float(digits=(16, 4), aggregator="avg")
    kind = fields.Selection(
        [
            ("full", "Paid in full"),
            ("partial", "Partial payment"),
            ("discount", "Paid with early-payment discount"),
            ("writeoff", "Paid with a small difference"),
        ],
        required=True,
        default="full",
    )
    difference = fields.Monetary(
        currency_field="company_currency_id",
        help="Amount written off (discount or small difference) to close the "
        "items, in the company's currency.",
    )
    signals = fields.Json(help="The signals behind the confidence.")
    features = fields.Json(help="What learning reads from this proposal.")
    explanation = fields.Html(compute="_compute_explanation", sanitize=False)
    state = fields.Selection(
        [
            ("proposed", "Proposed"),
            ("accepted", "Accepted"),
            ("rejected", "Rejected"),
        ],
        default="proposed",
        required=True,
        index=True,
    )
    decided_by = fields.Selection(
        [("auto", "Automatically"), ("user", "By a user")], readonly=True
    )
    decision_date = fields.Datetime(readonly=True)
    decision_user_id = fields.Many2one("res.users", readonly=True)

    @api.depends("move_line_ids")
    def _compute_move_ids(self):
        for proposal in self:
            proposal.move_ids = proposal.move_line_ids.move_id

    def _signal_sentences(self):
        """The engine's signals (``engine.matching.SIGNAL_HELP``), in the
        user's language."""
        _ = self.env._
        return {
            "iban": _("The payer's account %(iban)s is a bank account of %(partner)s."),
            "name": _(
                "The payer's name %(payer)s is close to %(partner)s "
                "(%(similarity)s %% alike)."
            ),
            "partner": _("The bank import already named the customer %(partner)s."),
            "payer_other": _(
                "The payer's account %(iban)s belongs to another customer."
            ),
            "reference": _("The communication quotes %(reference)s."),
            "reference_fuzzy": _(
                "The communication quotes %(reference)s approximately "
                "(%(how)s): %(found)s."
            ),
            "structured": _(
                "The structured reference %(reference)s has valid check digits."
            ),
            "amount_exact": _(
                "The amount is exactly what %(document)s leaves open: %(amount)s."
            ),
            "amount_sum": _(
                "The amount is the total of %(count)s open items: %(amount)s."
            ),
            "partial": _(
                "The amount %(amount)s pays part of %(document)s, "
                "open for %(residual)s."
            ),
            "discount": _(
                "Paid by %(discount_date)s with the early payment discount: "
                "%(difference)s is deducted."
            ),
            "writeoff": _(
                "The difference of %(difference)s is within the write-off "
                "tolerance of %(tolerance)s."
            ),
            "overpaid": _(
                "The line brings %(difference)s more than the items, within the "
                "write-off tolerance of %(tolerance)s."
            ),
            "credit_note": _("The open credit note %(document)s is deducted."),
            "currency": _(
                "The amount was converted from %(from)s to %(to)s at %(rate)s."
            ),
            "ambiguous": _("Another match scores close: %(other)s."),
        }

    def _fuzzy_method_names(self):
        """How the engine read a reference approximately
        (``engine.matching.FUZZY_METHODS``), in the user's language."""
        _ = self.env._
        return {
            "missing leading zeros": _("missing leading zeros"),
            "one typo": _("one typo"),
            "number without its prefix": _("number without its prefix"),
            "truncated": _("cut short"),
        }

    @api.model
    def _cash_match_stored_params(self, params):
        """The engine's signal parameters as stored (JSON): amounts, dates
        and numbers kept as values, formatted when a reader sees them."""
        stored = {}
        for key, value in params:
            if isinstance(value, matching.Money):
                value = {"amount": value.amount, "currency": value.currency}
            elif isinstance(value, datetime.date):
                value = {"date": value.isoformat()}
            elif isinstance(value, float):
                value = {"number": value}
            stored[key] = value
        return stored

    def _cash_match_param_texts(self, params):
        """The stored parameters of a signal as text in the user's language
        (amounts with their currency, dates and numbers in its format)."""
        env = self.env
        Currency = env["res.currency"].with_context(active_test=False)
        lang = env["res.lang"]._lang_get(env.lang or "en_US") or env[
            "res.lang"
        ]._lang_get("en_US")
        methods = self._fuzzy_method_names()
        texts = {}
        for key, value in params.items():
            if isinstance(value, dict) and "currency" in value:
                code = value["currency"]
                currency = Currency.search([("name", "=", code)], limit=1)
                value = formatLang(env, value["amount"], currency_obj=currency)
                if not currency:
                    value = f"{value} {code}"
            elif isinstance(value, dict) and "date" in value:
                value = format_date(env, value["date"])
            elif isinstance(value, dict) and "number" in value:
                value = lang.format("%.6g", value["number"], grouping=True)
            elif key == "how":
                value = methods.get(value, value)
            texts[key] = value
        return texts

    @api.depends("signals")
    @api.depends_context("lang")
    def _compute_explanation(self):
        # at display, in the reader's language: the signals keep the facts
        sentences = self._signal_sentences()
        for proposal in self:
            items = []
            for code, strength, stored in proposal.signals or []:
                sentence = sentences.get(code, code)
                params = proposal._cash_match_param_texts(stored or {})
                # the values escaped once, by Markup's ``%``
                try:
                    text = Markup(escape(sentence)) % params
                except (KeyError, TypeError, ValueError):
                    text = sentence
                strength_text = self.env._(
                    "(%(percent)s%%)", percent=round(strength * 100)
                )
                items.append(
                    Markup("<li>%s <small class='text-muted'>%s</small></li>")
                    % (text, strength_text)
                )
            proposal.explanation = (
                Markup("<ul class='mb-0'>%s</ul>") % Markup().join(items)
                if items
                else False
            )

    def _compute_display_name(self):
        for proposal in self:
            names = ", ".join(proposal.move_line_ids.move_id.mapped("name"))
            proposal.display_name = (
                f"{proposal.partner_id.display_name or ''} {names} "
                f"({proposal.confidence:.0%})"
            ).strip()

    def action_accept(self):
        """Reconcile the bank transaction with the documents of this proposal."""
        self.ensure_one()
        # before the entries: a user who may not decide changes nothing
        self.check_access("write")
        self._cash_match_check_proposed()
        self.statement_line_id._cash_match_apply(self, by="user")
        return True

    def action_reject(self):
        """This proposal is wrong: it is remembered for learning."""
        self._cash_match_check_proposed()
        self._cash_match_decide("rejected", "user")
        return True

    def _cash_match_check_proposed(self):
        decided = self.filtered(lambda proposal: proposal.state != "proposed")
        if decided:
            raise UserError(
                self.env._(
                    "%(proposals)s was decided already; to change a match, undo "
                    "it on its bank transaction.",
                    proposals=", ".join(decided.mapped("display_name")),
                )
            )

    def _cash_match_decide(self, state, by):
        self.write(
            {
                "state": state,
                "decided_by": by,
                "decision_date": fields.Datetime.now(),
                "decision_user_id": self.env.uid,
            }
        )

    # ------------------------------------------------------------------
    # Learning
    # ------------------------------------------------------------------

    @api.model
    def _cron_cash_match_learn(self):
        for company in self.env["res.company"].search([]):
            self._cash_match_learn(company)

    @api.model
    def _cash_match_learn(self, company):
        """Fit the signal weights of ``company`` on its decided proposals,
        measure them against the default weights on the newest decisions,
        and use them only when they do better. Returns the figures."""
        decided = self.search(
            [
                ("company_id", "=", company.id),
                ("state", "in", ("accepted", "rejected")),
                ("features", "!=", False),
            ],
            order="decision_date, id",
        )
        samples = [(p.features, p.state == "accepted") for p in decided]
        values = {
            "cash_match_learning_date": fields.Datetime.now(),
            "cash_match_learning_samples": len(samples),
        }
        split = int(len(samples) * (1 - LEARNING_HOLDOUT))
        train, holdout = samples[:split], samples[split:]
        try:
            if len(samples) < LEARNING_MIN_SAMPLES:
                raise learning.TooFewDecisions("too few decisions")
            model = learning.fit(train)
        except ValueError as error:
            _logger.info("cash matching learning of %s: %s", company.name, error)
            one_kind = isinstance(error, learning.OneKindOfDecision)
            state = "one_kind" if one_kind else "too_few"
            # the matching goes back to the default weights
            values |= {"cash_match_learning_state": state, "cash_match_weights": False}
            company.write(values)
            return {"state": state, "samples": len(samples)}
        threshold = company.cash_match_auto_threshold
        before = learning.evaluate(None, holdout, threshold=threshold)
        after = learning.evaluate(model, holdout, threshold=threshold)
        better = learning.is_better(after, before)
        values |= {
            "cash_match_learning_default_score": before["precision"],
            "cash_match_learning_learned_score": after["precision"],
            "cash_match_learning_state": "used" if better else "not_better",
            # the weights measured, not weights fitted again on all decisions
            "cash_match_weights": model if better else False,
        }
        company.write(values)
        return {
            "state": values["cash_match_learning_state"],
            "before": before,
            "after": after,
        }
