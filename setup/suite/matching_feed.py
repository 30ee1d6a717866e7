"""A synthetic book of open items and a bank feed paying it, with known truth.

Plain Python, for the cash matching engine's tests and benchmark:

- :func:`make_book` builds customers and open receivable items the way a
  company's book looks: names with legal forms, bank accounts for most
  customers, invoice numbers per year, some structured references (RF,
  Belgian), customer and sale order references, a few credit notes and
  early payment discounts, two currencies, and amounts that repeat (price
  list amounts), so that an amount alone is ambiguous;
- :func:`make_feed` draws bank lines paying those items as payers really
  write them, in a fixed mix (:data:`DEFAULT_MIX`), each line with the set of
  items it truly pays;
- :func:`score` runs a :class:`Matcher` over a feed and returns the figures
  the benchmark reports.
"""

import math
import re
import time
from datetime import date, timedelta

from cash_matching.engine.matching import BankLine, OpenItem, Partner
from cash_matching.engine.references import compact, make_be, make_rf

TODAY = date(2026, 3, 31)

# Share of each kind of bank line, as the product issue describes real feeds:
# - clean: the invoice number or the structured reference, as printed;
# - mangled: the reference with a typo, other spaces, separators or case,
#   leading zeros dropped, or cut short (8 significant characters at least);
# - payer: no reference, a known account (IBAN) or the customer's name;
# - several: several invoices of one customer (a credit note deducted at
#   times) in one amount, quoted or not;
# - partial: part of one invoice, quoting it;
# - discount: an early payment with its discount, or the amount less a bank
#   fee within the write-off tolerance, quoting the invoice;
# - third_party: someone unknown, no usable reference; pays nothing open
#   (the amount equals an open item's at times).
DEFAULT_MIX = (
    ("clean", 0.55),
    ("mangled", 0.15),
    ("payer", 0.10),
    ("several", 0.07),
    ("partial", 0.05),
    ("discount", 0.03),
    ("third_party", 0.05),
)


class Truth(frozenset):
    """The ids of the items a line truly pays (empty: none), with the
    ``kind`` of line of :data:`DEFAULT_MIX` it was drawn as."""

    kind = ""

    def __new__(cls, ids=(), kind=""):
        truth = super().__new__(cls, ids)
        truth.kind = kind
        return truth

    def __reduce__(self):
        return (Truth, (frozenset(self), self.kind))


def rate(from_currency, to_currency, day):
    """Exchange rate of the synthetic book (amount_to = amount_from * rate):
    about 1.08 USD a EUR, drifting a few percent from day to day."""
    if from_currency == to_currency:
        return 1.0
    usd_per_eur = 1.08 + 0.03 * math.sin(day.toordinal() / 37)
    if (from_currency, to_currency) == ("EUR", "USD"):
        return usd_per_eur
    if (from_currency, to_currency) == ("USD", "EUR"):
        return 1.0 / usd_per_eur
    return None


# Customers -------------------------------------------------------------------

SURNAMES = (
    "Dupont Martin Bernard Thomas Petit Robert Richard Durand Dubois Moreau "
    "Laurent Simon Michel Lefebvre Leroy Roux David Bertrand Morel Fournier "
    "Girard Bonnet Dupuis Lambert Fontaine Rousseau Vincent Mercier Blanc "
    "Guérin Boyer Garnier Chevalier François Legrand Gauthier Perrin Robin "
    "Clément Morin Nicolas Henry Roussel Mathieu Masson Marchand Duval Denis "
    "Dumont Lemaire Noël Meyer Müller Schmidt Schneider Fischer Weber Wagner "
    "Becker Schulz Hoffmann Koch Bauer Richter Klein Wolf Schröder Neumann "
    "Schwarz Zimmermann Braun Krüger Hofmann Hartmann Lange Werner Krause "
    "Peeters Janssens Maes Jacobs Mertens Willems Claes Goossens Wouters "
    "Dubois Lambrecht DeVries Bakker Visser Smit Meijer Mulder Bos Vos "
    "Dekker Smith Jones Taylor Brown Williams Wilson Johnson Davies Evans "
    "Walker Wright Thompson Hughes Edwards Green Hall Wood Harris Clarke "
    "Jackson Turner Cooper Hill Ward Morris Moore King Baker Carter Parker"
).split()
TRADES = (
    "Transports Boulangerie Menuiserie Plomberie Imprimerie Conseil Optique "
    "Jardins Pharma Bois Acier Vins Outillage Logistique Studio Énergie "
    "Bâtiment Textile Électricité Informatique Traiteur Garage Peinture "
    "Logistik Bau Holz Metallbau Elektro Druckerei Beratung Maschinenbau "
    "Spedition Software Gartenbau Transport Bouw Installatie Techniek Handel "
    "Consulting Engineering Foods Motors Systems Print Design Supplies "
    "Services Trading Shipping Solutions Digital Medical Retail Interiors"
).split()
BRANDS = (
    "Nova Alpha Tecno Euro Inter Pro Omni Vita Agri Cosmo Flexi Hydro Opti "
    "Medi Aero Bio Geo Info Multi Neo Ultra Vero Zeta Kappa Sigma Orion Atlas"
).split()
BRAND_ENDS = "tek lux nova gen ris tron form line max dis plus vest".split()
CITIES = (
    "Lyon Lille Nantes Bordeaux Rennes Berlin Hamburg Köln Gent Antwerpen "
    "Liège Utrecht Leeds Bristol Toulouse Dijon Mainz Brugge Namur Delft"
).split()
FIRST_NAMES = (
    "Jean Marie Pierre Sophie Luc Anne Paul Claire Hans Petra Jan Els Tom "
    "Emma Lucas Léa Noah Julia Felix Sarah"
).split()
LEGAL_FORMS = {
    "FR": ("SARL", "SAS", "SA", "S.A.R.L.", "EURL", "SASU"),
    "DE": ("GmbH", "AG", "GmbH & Co. KG", "KG"),
    "BE": ("SPRL", "SA", "NV", "BV", "SRL"),
    "NL": ("BV", "B.V.", "NV"),
    "GB": ("Ltd", "Limited", "PLC", "LLP"),
    "US": ("Inc", "LLC", "Inc.", "Corp", "Co"),
}
COUNTRIES = (
    ("FR", 0.42),
    ("DE", 0.2),
    ("BE", 0.12),
    ("NL", 0.1),
    ("GB", 0.1),
    ("US", 0.06),
)
BBAN_LENGTH = {"FR": 23, "DE": 18, "BE": 12, "NL": 14, "GB": 18, "US": 0}
# Prices of a price list: amounts many invoices share.
PRICE_LIST = (
    59.90, 99.00, 119.00, 142.80, 180.00, 238.80, 299.00, 358.80, 480.00,
    598.80, 720.00, 850.00, 1020.00, 1190.00, 1428.00, 2400.00, 2980.00,
)  # fmt: skip


def _weighted(rng, pairs):
    roll, acc = rng.random(), 0.0
    for value, weight in pairs:
        acc += weight
        if roll < acc:
            return value
    return pairs[-1][0]


def make_iban(country, rng):
    """A valid IBAN of ``country`` with random account digits."""
    country = country if BBAN_LENGTH.get(country) else "FR"
    bban = "".join(rng.choice("0123456789") for _ in range(BBAN_LENGTH[country]))
    digits = "".join(str(int(char, 36)) for char in bban + country + "00")
    return f"{country}{98 - int(digits) % 97:02d}{bban}"


def _company_name(rng, country):
    surname, trade = rng.choice(SURNAMES), rng.choice(TRADES)
    style = rng.random()
    if style < 0.4:
        core = f"{surname} {trade}"
    elif style < 0.55:
        core = f"{trade} {surname}"
    elif style < 0.7:
        core = f"{surname} & {rng.choice(SURNAMES)}"
    elif style < 0.85:
        core = f"{rng.choice(BRANDS)}{rng.choice(BRAND_ENDS)} {trade}"
    else:
        core = f"{surname} {trade} {rng.choice(CITIES)}"
    return f"{core} {rng.choice(LEGAL_FORMS[country])}"


def _partners(n_partners, rng):
    partners, countries, taken = [], {}, set()
    for partner_id in range(1, n_partners + 1):
        country = _weighted(rng, COUNTRIES)
        for _attempt in range(8):
            if rng.random() < 0.08:
                name = f"{rng.choice(FIRST_NAMES)} {rng.choice(SURNAMES)}"
            else:
                name = _company_name(rng, country)
            if compact(name) not in taken:
                break
        taken.add(compact(name))
        ibans = ()
        if rng.random() < 0.7:
            ibans = (make_iban(country, rng),)
            if rng.random() < 0.1:
                ibans += (make_iban(country, rng),)
        partners.append(Partner(partner_id, name, ibans))
        countries[partner_id] = country
    return partners, countries


# Open items ------------------------------------------------------------------


def _amount(rng):
    if rng.random() < 0.3:
        return rng.choice(PRICE_LIST)
    return round(math.exp(rng.uniform(math.log(25), math.log(25000))), 2)


def _customer_reference(rng, day):
    style = rng.random()
    if style < 0.4:
        return f"PO-{rng.randrange(10**5, 10**6)}"
    if style < 0.7:
        return f"BC {day.year}-{rng.randrange(1000, 10000)}"
    return f"45{rng.randrange(10**7, 10**8)}"  # an ERP's purchase order number


def make_book(
    n_items, n_partners, rng, *, company_currency="EUR", today=TODAY, usd_share=0.1
):
    """``(items, partners)``: ``n_items`` open :class:`OpenItem` of
    ``n_partners`` customers (:class:`Partner`), drawn with ``rng``.

    A few customers have many open items (the sizes are Pareto-like), ~70 %
    have a known bank account, ~3 % of the items are credit notes (RINV/),
    ~8 % of the invoices offer an early payment discount, customers of one
    country in ten are invoiced in USD, and 30 % of the amounts come from a
    price list so that amounts repeat. Company currency: ``company_currency``
    (EUR or USD)."""
    partners, countries = _partners(n_partners, rng)
    usd_partners = {p.id for p in partners if rng.random() < usd_share}
    weights = [rng.paretovariate(1.4) for _ in partners]
    owners = rng.choices([p.id for p in partners], weights=weights, k=n_items)
    drafts = []
    for partner_id in owners:
        day = today - timedelta(days=rng.randrange(0, 400))
        drafts.append((day, partner_id, rng.random() < 0.03))
    drafts.sort(key=lambda draft: draft[0])
    sequences = {}
    sale_orders = {}
    items = []
    for item_id, (day, partner_id, is_credit_note) in enumerate(drafts, 1):
        prefix = "RINV" if is_credit_note else "INV"
        number = sequences[prefix, day.year] = sequences.get((prefix, day.year), 0) + 1
        name = f"{prefix}/{day.year}/{number:05d}"
        currency = "USD" if partner_id in usd_partners else "EUR"
        amount = _amount(rng)
        references = []
        discount_amount = discount_date = None
        if is_credit_note:
            amount = -round(amount * rng.uniform(0.05, 0.5), 2)
        else:
            style = rng.random()
            if style < 0.15:
                references.append(make_rf(str(100000 + item_id)))
            elif style < 0.25 and countries[partner_id] == "BE":
                references.append(make_be(4_000_000 + item_id))
            if rng.random() < 0.3:
                references.append(_customer_reference(rng, day))
            if rng.random() < 0.25:
                # a sale order invoiced in two parts at times
                order = sale_orders.get(partner_id)
                if order is None or rng.random() < 0.7:
                    order = f"S{len(sale_orders) + 10001:05d}"
                    sale_orders[partner_id] = order
                references.append(order)
            if rng.random() < 0.08:
                discount_amount = round(amount * 0.98, 2)
                discount_date = day + timedelta(days=10)
        company_rate = rate(currency, company_currency, day)
        items.append(
            OpenItem(
                id=item_id,
                partner_id=partner_id,
                move_name=name,
                currency=currency,
                residual=amount,
                residual_company=round(amount * company_rate, 2),
                date=day,
                due_date=day + timedelta(days=30),
                references=tuple(references),
                discount_amount=discount_amount,
                discount_date=discount_date,
            )
        )
    return items, partners


# Bank lines ------------------------------------------------------------------


def mangle(reference, rng):
    """``reference`` as a hurried payer types it: one typo (a character
    replaced, added, dropped or two swapped), other spaces, separators or
    case, the leading zeros of its number dropped, or cut short after 8
    significant characters at least (one or two characters dropped)."""
    how = _weighted(
        rng,
        (
            ("typo", 0.35),
            ("spaces", 0.15),
            ("case", 0.1),
            ("separator", 0.1),
            ("zeros", 0.15),
            ("truncate", 0.15),
        ),
    )
    if how == "zeros":
        stripped = re.sub(r"(?<![0-9])0+(?=[0-9])", "", reference)
        if stripped != reference:
            return stripped.replace("/", rng.choice(("/", "-", " ")))
        how = "typo"
    if how == "truncate" and len(compact(reference)) > 9:
        # what a bank's field or a hurried payer drops: the last characters
        keep = rng.randint(
            max(8, len(compact(reference)) - 2), len(compact(reference)) - 1
        )
        kept, out = 0, []
        for char in reference:
            if char.isalnum():
                if kept == keep:
                    break
                kept += 1
            out.append(char)
        return "".join(out).rstrip("/- ")
    if how == "spaces":
        text = compact(reference)
        size = rng.choice((3, 4))
        return " ".join(text[i : i + size] for i in range(0, len(text), size))
    if how == "case":
        return reference.lower().replace("/", rng.choice(("/", " ", "")))
    if how == "separator":
        return reference.replace("/", rng.choice(("-", " ", ".", "")))
    return _typo(reference, rng)


def _typo(reference, rng):
    positions = [i for i, char in enumerate(reference) if char.isdigit()]
    if not positions or rng.random() < 0.15:
        positions = [i for i, char in enumerate(reference) if char.isalnum()]
    at = rng.choice(positions)
    chars = list(reference)
    op = rng.choice(("replace", "add", "drop", "swap"))
    digit = rng.choice("0123456789")
    if op == "replace":
        others = "0123456789" if chars[at].isdigit() else "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
        chars[at] = rng.choice(others.replace(chars[at].upper(), ""))
    elif op == "add":
        chars.insert(at, digit if chars[at].isdigit() else chars[at])
    elif op == "drop" and len(positions) > 1:
        del chars[at]
    else:
        follow = [
            i for i in positions if i + 1 < len(chars) and chars[i + 1] != chars[i]
        ]
        follow = [i for i in follow if chars[i + 1].isalnum()]
        if follow:
            at = rng.choice(follow)
            chars[at], chars[at + 1] = chars[at + 1], chars[at]
        else:
            chars[at] = "0" if chars[at] != "0" else "1"
    return "".join(chars)


def bank_name(name, rng):
    """A customer's name as a bank writes it in the payer field."""
    style = rng.random()
    if style < 0.3:
        return name.upper()
    if style < 0.5:
        words = name.split()
        return " ".join(words[:-1] if len(words) > 2 else words).upper()
    if style < 0.6:
        words = name.split()
        return " ".join(words[-1:] + words[:-1]).upper()  # legal form first
    if style < 0.7:
        return name[:18].upper()
    return name


THIRD_PARTY_NAMES = (
    "Alice Johnson",
    "Kowalski Anna",
    "Rossi Giulia",
    "Factor Finance Partners",
    "Citystore Refunds",
    "Okafor Chinedu",
    "Yamada Hiro",
    "Lindqvist Erik",
    "Fernandez Carmen",
    "Union Mutuelle Prevoyance",
)
THIRD_PARTY_TEXTS = (
    "Payment",
    "Transfer",
    "Refund order 58213",
    "Contract 2026-118",
    "Rent April",
    "Reimbursement",
    "Membership fee 2026",
    "Donation",
    "",
)
TEMPLATES = (
    "{0}",
    "{0}",
    "Invoice {0}",
    "Payment {0}",
    "Facture {0}",
    "Rechnung {0}",
    "Factuur {0} betaling",
    "/INV/{0}",
    "Inv. {0} - thank you",
    "SEPA CT {0} EREF NOTPROVIDED",
)
GENERIC_TEXTS = (
    "Payment",
    "Virement",
    "Settlement",
    "Règlement fournisseur",
    "Zahlung",
    "Monthly statement",
    "",
)


class _Draw:
    """Open items not paid yet, drawn at random, each at most once."""

    def __init__(self, items, rng):
        self.rng = rng
        self.invoices = [item for item in items if item.residual > 0]
        rng.shuffle(self.invoices)
        self.at = 0
        self.used = set()

    def take(self, condition=None, tries=400):
        """An unpaid invoice (meeting ``condition``), now paid; None when
        none is found."""
        if condition is None:
            while self.at < len(self.invoices):
                item = self.invoices[self.at]
                self.at += 1
                if item.id not in self.used:
                    self.used.add(item.id)
                    return item
            return None
        for _ in range(tries):
            item = self.invoices[self.rng.randrange(len(self.invoices))]
            if item.id not in self.used and condition(item):
                self.used.add(item.id)
                return item
        return None


class _Feed:
    def __init__(self, items, partners, rng, company_currency, rate_function):
        self.rng = rng
        self.partners = {partner.id: partner for partner in partners}
        self.draw = _Draw(items, rng)
        self.by_partner = {}
        for item in sorted(items, key=lambda item: (item.date, item.id)):
            self.by_partner.setdefault(item.partner_id, []).append(item)
        self.company_currency = company_currency
        self.rate = rate_function
        self.count = 0
        self.items = items

    def _payer(self, partner_id):
        """Payer name and IBAN of a line a customer sends."""
        partner = self.partners[partner_id]
        rng = self.rng
        name = bank_name(partner.name, rng) if rng.random() < 0.9 else ""
        if partner.ibans and rng.random() < 0.85:
            iban = rng.choice(partner.ibans)
        else:
            iban = make_iban("FR", rng)  # an account the book does not know
        return name, iban

    def _line(self, item, amount, communication="", structured="", day=None):
        self.count += 1
        payer, iban = self._payer(item.partner_id)
        currency = item.currency
        if day is None:
            day = TODAY - timedelta(days=self.rng.randrange(0, 10))
            day = max(day, item.date + timedelta(days=1))
        if self.rate is not None and currency != self.company_currency:
            if self.rng.random() < 0.3:  # paid from an account in company currency
                amount = round(
                    amount * self.rate(currency, self.company_currency, day), 2
                )
                currency = self.company_currency
        return BankLine(
            id=self.count,
            amount=round(amount, 2),
            currency=currency,
            date=day,
            payer_name=payer,
            payer_iban=iban,
            communication=communication,
            structured_ref=structured,
        )

    def _reference(self, item):
        """How the payer quotes ``item``: its structured reference at times,
        else its number."""
        structured = [r for r in item.references if r.startswith(("RF", "+++"))]
        if structured and self.rng.random() < 0.8:
            return structured[0]
        return item.move_name

    def _quote(self, item):
        """Communication and structured field quoting ``item`` cleanly."""
        reference = self._reference(item)
        if reference != item.move_name and self.rng.random() < 0.5:
            return self.rng.choice(GENERIC_TEXTS), reference
        return self.rng.choice(TEMPLATES).format(reference), ""

    def clean(self):
        item = self.draw.take()
        if item is None:
            return None
        communication, structured = self._quote(item)
        line = self._line(item, item.residual, communication, structured)
        return line, Truth({item.id}, "clean")

    def mangled(self):
        item = self.draw.take()
        if item is None:
            return None
        text = self.rng.choice(("{0}", "Inv {0}", "fact {0}", "Payment {0}"))
        communication = text.format(mangle(self._reference(item), self.rng))
        line = self._line(item, item.residual, communication)
        return line, Truth({item.id}, "mangled")

    def payer(self):
        item = self.draw.take()
        if item is None:
            return None
        line = self._line(item, item.residual, self.rng.choice(GENERIC_TEXTS))
        return line, Truth({item.id}, "payer")

    def several(self):
        """Two to five of a customer's oldest open items (a credit note
        deducted at times) in one amount."""
        first = self.draw.take(
            lambda item: (
                sum(1 for other in self._oldest(item) if other.residual > 0) >= 2
            )
        )
        if first is None:
            return None
        self.draw.used.discard(first.id)
        oldest = self._oldest(first)
        invoices = [item for item in oldest if item.residual > 0]
        count = min(len(invoices), self.rng.choice((2, 2, 2, 3, 3, 4)))
        chosen = self.rng.sample(invoices, count)
        notes = [item for item in oldest if item.residual < 0]
        if notes and self.rng.random() < 0.5 and len(chosen) < 5:
            chosen.append(notes[0])
        if sum(item.residual for item in chosen) <= 0:
            chosen = [item for item in chosen if item.residual > 0]
        total = sum(item.residual for item in chosen)
        self.draw.used.update(item.id for item in chosen)
        if self.rng.random() < 0.5:
            names = ", ".join(item.move_name for item in chosen)
            communication = f"Invoices {names}"
        else:
            communication = self.rng.choice(GENERIC_TEXTS)
        line = self._line(chosen[0], total, communication)
        return line, Truth({item.id for item in chosen}, "several")

    def _oldest(self, item, count=8):
        """The oldest unpaid items of ``item``'s customer in its currency."""
        return [
            other
            for other in self.by_partner[item.partner_id]
            if other.currency == item.currency and other.id not in self.draw.used
        ][:count]

    def partial(self):
        """Part of one invoice, quoting it. An invoice in instalments is
        paid in part the way Odoo allocates a payment registered on it: its
        instalments by due date, the first ones in full, the last reached
        in part; those are the truth."""
        item = self.draw.take(lambda item: item.residual >= 100)
        if item is None:
            return None
        instalments = sorted(
            (
                other
                for other in self.by_partner[item.partner_id]
                if other.move_name == item.move_name
                and other.currency == item.currency
                and other.residual > 0
                and (other.id == item.id or other.id not in self.draw.used)
            ),
            key=lambda other: (other.due_date or other.date, other.id),
        )
        share = self.rng.choice((0.25, 0.3, 0.4, 0.5, 0.6, 0.75))
        amount = round(sum(other.residual for other in instalments) * share, 2)
        if self.rng.random() < 0.5:
            amount = float(max(10, round(amount, -1)))  # a round sum
        paid, left = [], amount
        for other in instalments:
            paid.append(other)
            left -= other.residual
            if left <= 0:
                break
        self.draw.used.update(other.id for other in paid)
        reference = self._reference(item)
        text = self.rng.choice(
            ("{0}", "Acompte {0}", "Part payment {0}", "Teilzahlung {0}")
        )
        line = self._line(item, amount, text.format(reference))
        return line, Truth({other.id for other in paid}, "partial")

    def discount(self):
        """An early payment with its discount, else a bank fee deducted."""
        if self.rng.random() < 0.6:
            item = self.draw.take(lambda item: item.discount_amount is not None)
            if item is not None:
                day = item.discount_date - timedelta(days=self.rng.randint(0, 7))
                day = max(day, item.date)
                communication, structured = self._quote(item)
                line = self._line(
                    item, item.discount_amount, communication, structured, day=day
                )
                return line, Truth({item.id}, "discount")
        item = self.draw.take(lambda item: item.residual >= 100)
        if item is None:
            return None
        fee = round(self.rng.uniform(0.3, 0.9) * min(5.0, 0.01 * item.residual), 2)
        communication, structured = self._quote(item)
        line = self._line(item, item.residual - fee, communication, structured)
        return line, Truth({item.id}, "discount")

    def third_party(self):
        rng = self.rng
        self.count += 1
        if rng.random() < 0.5:
            # the amount of an open item, which it does not pay
            other = self.items[rng.randrange(len(self.items))]
            amount, currency = abs(other.residual), other.currency
        else:
            amount, currency = _amount(rng), self.company_currency
        line = BankLine(
            id=self.count,
            amount=round(amount, 2),
            currency=currency,
            date=TODAY - timedelta(days=rng.randrange(0, 10)),
            payer_name=rng.choice(THIRD_PARTY_NAMES).upper(),
            payer_iban=make_iban(rng.choice(("DE", "NL", "GB")), rng),
            communication=rng.choice(THIRD_PARTY_TEXTS),
        )
        return line, Truth((), "third_party")


def make_feed(
    items,
    partners,
    count,
    rng,
    *,
    company_currency="EUR",
    rate=None,
    mix=DEFAULT_MIX,
):
    """``count`` bank lines paying ``items``, as ``(BankLine, truth)``
    pairs: ``truth`` is a :class:`Truth`, the frozenset of the ids of the
    items the line pays (empty for a third party) with the line's ``kind``.

    Kinds are drawn in the shares of ``mix``; each item is paid at most once
    across the feed. Lines are in their items' currency; with ``rate``, 30 %
    of the lines paying items in another currency than ``company_currency``
    come in company currency, converted at the line's date. Fewer lines come
    back when the book runs out of items."""
    unknown = {kind for kind, _share in mix} - {kind for kind, _share in DEFAULT_MIX}
    if unknown:
        raise ValueError(f"unknown kinds of bank lines: {', '.join(sorted(unknown))}")
    feed = _Feed(items, partners, rng, company_currency, rate)
    kinds = [kind for kind, share in mix for _ in range(round(share * count))]
    kinds += [mix[0][0]] * (count - len(kinds))
    rng.shuffle(kinds)
    lines = []
    for kind in kinds[:count]:
        entry = getattr(feed, kind)()
        if entry is None and kind != "clean":
            entry = feed.clean()
        if entry is not None:
            lines.append(entry)
    return lines


def score(matcher, feed, threshold=0.95, *, remove=True):
    """Figures of ``matcher`` over ``feed`` (``(BankLine, truth)`` pairs).

    A line is reconciled automatically ("auto") when its best proposal's
    confidence reaches ``threshold``; that is right when the proposal's items
    are exactly the truth (a third party's line reconciled is wrong). With
    ``remove``, the items of each auto line leave the matcher, as in a run.

    Returns ``auto_precision`` (right among auto), ``auto_share`` (auto
    among all lines), ``top3_recall`` (lines paying items whose truth is
    among the first three proposals), ``lines_per_s`` (match calls), and
    ``lines``, ``auto``, ``errors`` and ``by_kind`` (``{kind: {"lines",
    "auto", "errors", "top3"}}``)."""
    auto = errors = paying = found = 0
    by_kind = {}
    elapsed = 0.0
    for line, truth in feed:
        started = time.perf_counter()
        proposals = matcher.match(line, limit=3)
        elapsed += time.perf_counter() - started
        figures = by_kind.setdefault(
            getattr(truth, "kind", ""), {"lines": 0, "auto": 0, "errors": 0, "top3": 0}
        )
        figures["lines"] += 1
        sets = [frozenset(i for i, _amount in p.allocations) for p in proposals]
        if truth:
            paying += 1
            if frozenset(truth) in sets[:3]:
                found += 1
                figures["top3"] += 1
        if proposals and proposals[0].confidence >= threshold:
            auto += 1
            figures["auto"] += 1
            if not truth or sets[0] != frozenset(truth):
                errors += 1
                figures["errors"] += 1
            if remove:
                matcher.remove(sets[0])
    return figures_of(len(feed), auto, errors, paying, found, elapsed) | {
        "by_kind": by_kind
    }


def figures_of(lines, auto, errors, paying, found, elapsed):
    """The benchmark's figures from its counts: ``auto`` lines reconciled
    automatically, ``errors`` among them, ``found`` of the ``paying`` lines
    (those with a truth) with their truth in the top three proposals."""
    return {
        "auto_precision": round((auto - errors) / auto, 4) if auto else 1.0,
        "auto_share": round(auto / lines, 4) if lines else 0.0,
        "top3_recall": round(found / paying, 4) if paying else 1.0,
        "lines_per_s": round(lines / elapsed, 1) if elapsed else 0.0,
        "lines": lines,
        "auto": auto,
        "errors": errors,
    }
