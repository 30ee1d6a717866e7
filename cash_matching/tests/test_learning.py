from odoo import fields
from odoo.tests import tagged

from ..engine import learning
from ..engine.matching import DEFAULT_MODEL
from .common import CashMatchingCommon

NAME_ONLY = {"name": 1.0, "amount_exact": 1.0, "kind_full": 1.0, "items": 1.0}
REFERENCE = {"reference": 1.0, "amount_exact": 1.0, "kind_full": 1.0, "items": 1.0}


@tagged("post_install", "-at_install")
class TestLearning(CashMatchingCommon):
    def _decisions(self, count):
        """``count`` decided proposals: those resting on the payer's name
        alone were rejected, those quoting a reference accepted."""
        line = self._receive(10.0, "learning")
        start = fields.Datetime.from_string("2026-11-01 08:00:00")
        vals = []
        for n in range(count):
            by_name = n % 2 == 0
            vals.append(
                {
                    "statement_line_id": line.id,
                    "features": NAME_ONLY if by_name else REFERENCE,
                    "confidence": 0.97,
                    "state": "rejected" if by_name else "accepted",
                    "decided_by": "user",
                    "decision_date": fields.Datetime.add(start, minutes=n),
                }
            )
        return self.env["cash.match.proposal"].create(vals)

    def test_too_few_decisions_keep_the_defaults(self):
        self._decisions(10)
        result = self.env["cash.match.proposal"]._cash_match_learn(self.company)
        self.assertEqual(result["state"], "too_few")
        self.assertEqual(self.company.cash_match_learning_state, "too_few")
        self.assertEqual(self.company.cash_match_learning_samples, 10)
        self.assertFalse(self.company.cash_match_weights)

    def test_decisions_of_one_kind_keep_the_defaults(self):
        decisions = self._decisions(80)
        decisions.filtered(lambda p: p.state == "rejected").state = "accepted"
        self.company.cash_match_weights = {"version": 1, "weights": {"name": 0.1}}
        result = self.env["cash.match.proposal"]._cash_match_learn(self.company)
        self.assertEqual(result["state"], "one_kind")
        self.assertEqual(self.company.cash_match_learning_state, "one_kind")
        self.assertEqual(self.company.cash_match_learning_samples, 80)
        self.assertFalse(self.company.cash_match_weights)

    def test_rejected_name_matches_lower_their_confidence(self):
        self._decisions(80)
        before = learning.predict(None, NAME_ONLY)
        self.assertGreaterEqual(before, 0.95)  # the defaults trust a name
        result = self.env["cash.match.proposal"]._cash_match_learn(self.company)
        self.assertEqual(result["state"], "used")
        self.assertEqual(self.company.cash_match_learning_state, "used")
        # measured on the newest fifth: the defaults reconciled the rejected
        # name matches, the learned weights do not
        self.assertEqual(self.company.cash_match_learning_default_score, 0.5)
        self.assertEqual(self.company.cash_match_learning_learned_score, 1.0)
        model = self.company.cash_match_weights
        # the weights measured: learnt from the oldest 64, the newest 16 kept
        # to measure them
        self.assertEqual(model["samples"], 64)
        self.assertLess(model["weights"]["name"], DEFAULT_MODEL["weights"]["name"])
        self.assertLess(learning.predict(model, NAME_ONLY), 0.5)
        self.assertGreater(learning.predict(model, REFERENCE), 0.5)
        # and the matcher of the next run uses them
        matcher = self.env["account.bank.statement.line"]._cash_match_matcher(
            self.company
        )
        self.assertEqual(matcher.model["weights"], model["weights"])
