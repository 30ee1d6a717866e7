"""What the matcher reads and what it answers.

Plain Python, no Odoo: the models adapt journal items, partners and bank
statement lines to :class:`OpenItem`, :class:`Partner` and :class:`BankLine`,
build one :class:`~.matcher.Matcher` per run and ask it for :class:`Proposal`
objects, best first. A proposal carries the evidence it rests on as
:class:`Signal` objects, whose parameters keep amounts as :class:`Money`.
"""

from dataclasses import dataclass
from datetime import date

from .currencies import _fmt


@dataclass(frozen=True)
class OpenItem:
    """One open receivable journal item of the company."""

    id: int  # account.move.line id
    partner_id: int  # commercial partner id
    move_name: str  # "INV/2026/00012", "RINV/2026/00003" (credit note)
    currency: str  # ISO code of the item's currency
    residual: float  # open amount, item currency, + invoice, - credit note
    residual_company: float  # the same in company currency, signed
    date: date  # document date
    due_date: date | None = None
    # Payment reference (the invoice number or a structured RF/BE/QRR one),
    # customer reference, sale order names.
    references: tuple[str, ...] = ()
    # Amount that settles the item when paid by discount_date (early payment
    # discount), item currency, signed like residual.
    discount_amount: float | None = None
    discount_date: date | None = None


@dataclass(frozen=True)
class Partner:
    id: int
    name: str
    ibans: tuple[str, ...] = ()


@dataclass(frozen=True)
class BankLine:
    id: int
    amount: float  # line currency, > 0 money received
    currency: str
    date: date
    payer_name: str = ""
    payer_iban: str = ""
    communication: str = ""  # free text
    structured_ref: str = ""  # structured reference field of the import
    partner_id: int | None = None  # partner set on the line by the import


@dataclass(frozen=True)
class Money:
    """An amount in a signal's parameters: kept as a number with its
    currency, so that each reader sees it in the format of their language
    (``str`` gives the English one)."""

    amount: float
    currency: str  # ISO code

    def __str__(self):
        return _fmt(self.amount, self.currency)


@dataclass(frozen=True)
class Signal:
    code: str  # one of SIGNAL_CODES
    strength: float  # 0..1
    # placeholders of SIGNAL_HELP[code]: text, or Money, date and float
    # values that the reader's language formats
    params: tuple[tuple[str, str | Money | date | float], ...] = ()


@dataclass(frozen=True)
class Proposal:
    """Items a bank line pays.

    ``allocations`` are ``(item id, amount)`` pairs, oldest item first, in
    the item's currency and signed like its residual: the amount by which
    the item is settled. For "full", "discount" and "writeoff" that is the
    whole residual (the items are closed); for "partial" the part paid.
    ``difference`` (company currency, > 0) is what is written off to close
    the items of a "discount" or "writeoff" proposal: the bank line brings
    the allocations minus the difference, or plus it when the payer paid a
    little more than the items (signal "overpaid" instead of "writeoff").
    """

    partner_id: int
    allocations: tuple[tuple[int, float], ...]
    confidence: float  # 0..1
    signals: tuple[Signal, ...]
    kind: str  # "full" | "partial" | "discount" | "writeoff"
    difference: float = 0.0

    @property
    def item_ids(self):
        return frozenset(item_id for item_id, _amount in self.allocations)
