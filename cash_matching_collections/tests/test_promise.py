from freezegun import freeze_time

from odoo import fields
from odoo.tests import tagged

from odoo.addons.cash_matching.tests.common import CashMatchingCommon


@tagged("post_install", "-at_install")
class TestMatchedPromise(CashMatchingCommon):
    """A payment applied by the matching is a payment like any other for
    collections: the promise it fulfils is kept."""

    @freeze_time("2026-11-16")
    def test_matched_payment_keeps_a_promise(self):
        invoice = self._invoice(self.leroy, 640.0)
        promise = self.env["collection.promise"]._collection_record(
            self.leroy, invoice, 640.0, fields.Date.from_string("2026-11-20")
        )
        line = self._receive(640.0, invoice.name)
        self._match(line)
        self.assertEqual(promise.state, "kept")
