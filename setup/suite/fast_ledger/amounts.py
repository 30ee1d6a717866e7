"""Amounts as ``account`` computes them: rounding, rates, taxes, terms.

``_Cur`` rounds as ``res.currency`` does and formats a monetary column as the
ORM writes it. The ``Amounts`` mixin of the writer converts between
currencies with Odoo's own rates, and mirrors ``account.tax``'s computation
of a percent, price-excluded sale tax (one repartition line) and
``_compute_terms``' instalments and early payment discount; other taxes and
terms raise ``Unsupported``.
"""

from collections import defaultdict
from datetime import timedelta

from odoo.tools import (
    float_compare,
    float_is_zero,
    float_repr,
    float_round,
)

from .rows import Unsupported


class _Cur:
    """A currency's rounding, as ``res.currency`` applies it."""

    def __init__(self, record):
        self.id = record.id
        self.rounding = record.rounding
        self.digits = record.decimal_places

    def round(self, amount):
        return float_round(amount, precision_rounding=self.rounding)

    def is_zero(self, amount):
        return float_is_zero(amount, precision_rounding=self.rounding)

    def compare(self, amount1, amount2):
        return float_compare(amount1, amount2, precision_rounding=self.rounding)

    def text(self, amount):
        """The column value the ORM writes for a monetary ``amount``."""
        return float_repr(self.round(amount), self.digits)


class Amounts:
    """Currency conversion, taxes and payment terms (a ``Writer`` mixin: it
    uses ``env``, ``cache`` and the companies' currencies)."""

    def rate(self, co, cur, day):
        """``_get_conversion_rate`` from the company's currency to ``cur``."""
        key = (co.id, cur.id, day)
        if key not in self.cache:
            currency = self.env["res.currency"]
            self.cache[key] = currency._get_conversion_rate(
                co.record.currency_id, currency.browse(cur.id), co.record, day
            )
        return self.cache[key]

    def convert(self, co, cur, amount, day):
        """``res.currency._convert`` of ``amount`` from ``cur`` to the
        company's currency."""
        if not amount:
            return 0.0
        key = (co.id, cur.id, day, "to company")
        if key not in self.cache:
            currency = self.env["res.currency"]
            self.cache[key] = currency._get_conversion_rate(
                currency.browse(cur.id), co.record.currency_id, co.record, day
            )
        return co.cur.round(amount * self.cache[key])

    def due_date(self, term_line, day):
        key = (term_line.id, day)
        if key not in self.cache:
            self.cache[key] = term_line._get_due_date(day)
        return self.cache[key]

    def taxes(self, co, cur, rate, lines, sign, is_refund):
        """Amounts of an invoice's ``lines`` [(quantity, price unit)] for its
        percent, price-excluded tax, mirroring ``account.tax``:
        ``_add_tax_details_in_base_lines``, ``_round_base_lines_tax_details``,
        the repartition of ``_add_accounting_data_in_base_lines_tax_details``
        (one tax line of factor 1) and ``_prepare_tax_lines``.

        Returns the base lines as [(amount_currency, balance, price_subtotal,
        price_total)] and the tax line as (amount_currency, balance,
        tax_base_amount)."""
        comp, per_line, percent = co.cur, co.per_line, co.tax.amount
        details = []
        for quantity, price_unit in lines:
            raw_base = quantity * (price_unit * (1 - (0.0 / 100.0)))
            if per_line:
                raw_base = cur.round(raw_base)
            tax_c = (raw_base + 0.0) * percent / 100.0
            if per_line:
                tax_c = cur.round(tax_c)
            base_c = raw_base + 0.0
            d = {
                "excluded_c": base_c,
                "included_c": base_c + tax_c,
                "tax_c": tax_c,
                "base_c": base_c,
            }
            for key in ("excluded", "included", "tax", "base"):
                d[key] = d[key + "_c"] / rate if rate else 0.0
                if per_line:
                    d[key] = comp.round(d[key])
            d["subtotal"], d["total"] = d["excluded_c"], d["included_c"]
            details.append(d)
        # _round_base_lines_tax_details: round, then give the rounding
        # difference of the totals to the line of the smallest total.
        sums = defaultdict(float)
        for d in details:
            for key, currency in (
                ("excluded_c", cur),
                ("excluded", comp),
                ("included_c", cur),
                ("included", comp),
            ):
                d[key] = currency.round(d[key])
            d["delta_c"] = d["delta"] = 0.0
            for key, currency in (
                ("tax_c", cur),
                ("tax", comp),
                ("base_c", cur),
                ("base", comp),
            ):
                sums["raw_" + key] += d[key]
                d[key] = currency.round(d[key])
                sums[key] += d[key]
        for key, currency in (
            ("tax_c", cur),
            ("tax", comp),
            ("base_c", cur),
            ("base", comp),
        ):
            sums["raw_" + key] = currency.round(sums["raw_" + key])
        smallest = min(details, key=lambda d: d["included_c"])
        for key in ("base_c", "base"):
            delta = sums["raw_" + key] - sums[key]
            smallest["delta" + key[4:]] += delta
            smallest[key] += delta
        for key in ("tax_c", "tax"):
            smallest[key] += sums["raw_" + key] - sums[key]
        # One repartition line of factor 1 (rounded in the document's
        # currency, as account does), then _prepare_tax_lines.
        invert = 1 if is_refund else -1  # tax_tag_invert of the base lines
        tax_line = [0.0, 0.0, 0.0]
        base_lines = []
        for d in details:
            rep_c = cur.round(d["tax_c"] * 1.0 * 1.0)
            rep = cur.round(d["tax"] * 1.0 * 1.0)
            if round(abs((d["tax_c"] - rep_c) / cur.rounding)) or round(
                abs((d["tax"] - rep) / comp.rounding)
            ):
                raise Unsupported("tax repartition rounding difference")
            base_lines.append(
                (
                    cur.round(sign * (d["excluded_c"] + d["delta_c"])),
                    comp.round(sign * (d["excluded"] + d["delta"])),
                    cur.round(d["subtotal"]),
                    cur.round(d["total"]),
                )
            )
            tax_line[0] += sign * rep_c
            tax_line[1] += sign * rep
            tax_line[2] += sign * d["base"] * invert
        if cur.is_zero(tax_line[0]) and comp.is_zero(tax_line[1]):
            raise Unsupported("document without tax amount")
        return base_lines, (
            cur.round(tax_line[0]),
            comp.round(tax_line[1]),
            comp.round(tax_line[2]),
        )

    def due_amounts(self, co, cur, term, day, tax_c, tax, untaxed_c, untaxed):
        """``_compute_terms`` as ``_compute_needed_terms`` calls it: the
        receivable lines [(due date, balance, amount_currency)] and the early
        payment discount (date, balance, amount_currency)."""
        comp = co.cur
        total = tax + untaxed
        total_c = tax_c + untaxed_c
        discount = (None, 0.0, 0.0)
        if term.early_discount:
            if term.early_pay_discount_computation != "included":
                raise Unsupported(f"payment term {term.name}: discount computation")
            percentage = term.discount_percentage / 100.0
            discount = (
                day + timedelta(days=term.discount_days or 0),
                comp.round(total * (1 - percentage)),
                cur.round(total_c * (1 - percentage)),
            )
        residual, residual_c = total, total_c
        dues = {}
        lines = term.line_ids
        for index, line in enumerate(lines):
            due = self.due_date(line, day)
            if index == len(lines) - 1:
                amount, amount_c = residual, residual_c
            elif line.value == "percent":
                amount = comp.round(total * (line.value_amount / 100.0))
                amount_c = cur.round(total_c * (line.value_amount / 100.0))
            else:
                raise Unsupported(f"payment term {term.name}: fixed amounts")
            residual -= amount
            residual_c -= amount_c
            if due in dues:
                raise Unsupported(f"payment term {term.name}: two lines due together")
            dues[due] = (amount, amount_c)
        return [(due, b, c) for due, (b, c) in dues.items()], discount
