"""What the demo data set holds, decided before anything is written.

The plan is plain Python and reproducible: the same seed, size and day give
the same customers, invoices, payments and bank lines. The writer
(``generator.py``) turns it into records through Odoo's ORM. Keeping the
decisions here keeps them testable without Odoo and lets a faster writer
reuse them.
"""

import math
import random
from dataclasses import dataclass, field
from datetime import date, timedelta

# Behaviour segments: share of customers, days late (mean, spread), share of
# invoices with a partial payment, share disputed, payment term.
SEGMENTS = {
    "reliable": dict(share=0.45, late=(-3, 3), partial=0.01, dispute=0.01),
    "slow": dict(share=0.20, late=(12, 8), partial=0.04, dispute=0.02),
    "chronic": dict(share=0.12, late=(35, 20), partial=0.08, dispute=0.03),
    "disputer": dict(share=0.08, late=(15, 10), partial=0.03, dispute=0.25),
    "difficulty": dict(share=0.10, late=(60, 40), partial=0.30, dispute=0.05),
    "key_account": dict(share=0.05, late=(4, 5), partial=0.02, dispute=0.03),
}

# How customers' accounts payable pay, per segment: the share paying in a
# monthly run on the last working day of the month, on a fixed day of the
# month, or on a fixed weekday; the others pay on any working day.
PAYMENT_RUNS = {
    "reliable": dict(month_end=0.10, month_day=0.05, weekday=0.15),
    "slow": dict(month_end=0.30, month_day=0.15, weekday=0.20),
    "chronic": dict(month_end=0.30, month_day=0.15, weekday=0.15),
    "disputer": dict(month_end=0.20, month_day=0.10, weekday=0.20),
    "difficulty": dict(month_end=0.15, month_day=0.10, weekday=0.10),
    "key_account": dict(month_end=0.50, month_day=0.20, weekday=0.20),
}
RUN_DAYS = (5, 10, 15, 20, 25)  # the fixed days of the month payers choose
RUN_PERIOD = {"month_end": 30, "month_day": 30, "weekday": 7, "any": 1}

FR_TRADES = [
    "Boulangerie",
    "Atelier",
    "Garage",
    "Transports",
    "Menuiserie",
    "Pharmacie",
    "Cabinet",
    "Imprimerie",
    "Fromagerie",
    "Librairie",
    "Hôtel",
    "Brasserie",
    "Quincaillerie",
    "Ébénisterie",
    "Maison",
    "Comptoir",
]
FR_NAMES = [
    "Martin",
    "Bernard",
    "Dubois",
    "Thomas",
    "Robert",
    "Richard",
    "Petit",
    "Durand",
    "Leroy",
    "Moreau",
    "Simon",
    "Laurent",
    "Lefèvre",
    "Michel",
    "Garcia",
    "David",
    "Bertrand",
    "Roux",
    "Vincent",
    "Fournier",
    "Morel",
    "Girard",
    "André",
    "Mercier",
    "Dupont",
    "Lambert",
    "Bonnet",
    "François",
]
FR_FORMS = ["SARL", "SAS", "SA", "EURL", ""]
FR_CITIES = [
    ("Paris", "75011"),
    ("Lyon", "69003"),
    ("Marseille", "13008"),
    ("Toulouse", "31000"),
    ("Nantes", "44000"),
    ("Lille", "59000"),
    ("Bordeaux", "33000"),
    ("Strasbourg", "67000"),
    ("Rennes", "35000"),
]
FR_STREETS = [
    "rue de la République",
    "avenue Jean Jaurès",
    "place du Marché",
    "boulevard Victor Hugo",
    "rue des Lilas",
    "quai de la Loire",
]
US_NAMES = [
    "Smith",
    "Johnson",
    "Williams",
    "Brown",
    "Jones",
    "Miller",
    "Davis",
    "Wilson",
    "Anderson",
    "Taylor",
    "Moore",
    "Jackson",
    "Lee",
    "Thompson",
    "White",
    "Harris",
    "Clark",
    "Lewis",
    "Walker",
    "Young",
    "King",
    "Wright",
]
US_TRADES = [
    "Hardware",
    "Logistics",
    "Bakery",
    "Dental",
    "Printing",
    "Consulting",
    "Motors",
    "Foods",
    "Electric",
    "Plumbing",
    "Builders",
    "Outfitters",
]
US_FORMS = ["Inc.", "LLC", "Co.", "Corp.", ""]
US_CITIES = [
    ("Boston", "02110"),
    ("Chicago", "60601"),
    ("Austin", "78701"),
    ("Denver", "80202"),
    ("Seattle", "98101"),
    ("Atlanta", "30303"),
]
US_STREETS = [
    "Main Street",
    "Oak Avenue",
    "Maple Drive",
    "Market Street",
    "Harbor Road",
    "Elm Street",
]

PRODUCTS = [
    # (key, English name, French name, list price)
    ("consulting", "Consulting day", "Journée de conseil", 850.0),
    ("maintenance", "Maintenance contract", "Contrat de maintenance", 240.0),
    ("supplies", "Office supplies", "Fournitures de bureau", 35.0),
    ("training", "Training session", "Session de formation", 1200.0),
    ("delivery", "Delivery", "Livraison", 45.0),
]

# Bank line kinds and their share, mirroring real bank feeds (issue #8).
BANK_LINE_MIX = [
    ("clean_ref", 0.55),
    ("mangled_ref", 0.15),
    ("no_ref_known_payer", 0.10),
    ("grouped", 0.07),
    ("partial", 0.05),
    ("discount_or_diff", 0.03),
    ("third_party", 0.05),
]


@dataclass
class Customer:
    key: int
    company: str  # "fr" or "us"
    name: str
    segment: str
    lang: str
    country: str
    street: str
    city: str
    zip: str
    email: str | None
    phone: str | None
    bank_account: str
    payment_term: str  # xml id suffix of an account.payment.term
    payer_name: str  # how the bank writes the payer's name
    habit: object = None  # how it pays: a Habit, drawn by make_plan


@dataclass
class Invoice:
    key: int
    customer: int
    company: str
    currency: str
    invoice_date: date
    lines: list  # [(product key, quantity, unit price)]
    # Outcome, decided now; the writer applies it.
    paid_date: date | None = None  # full payment on that day
    partial_share: float = 0.0  # share paid on paid_date, the rest stays open
    group: int | None = None  # payments sharing a group are one payment
    refund_share: float = 0.0  # credit note for this share of the invoice
    write_off: bool = False  # the unpaid rest is written off
    disputed: bool = False
    bank_line: str | None = None  # paid through an unmatched bank line


@dataclass
class SaleOrder:
    customer: int
    company: str
    confirmed: bool
    lines: list


@dataclass
class Plan:
    today: date
    seed: int
    customers: list = field(default_factory=list)
    invoices: list = field(default_factory=list)
    sale_orders: list = field(default_factory=list)

    def counts(self):
        return {
            "customers": len(self.customers),
            "invoices": len(self.invoices),
            "paid": sum(
                1 for inv in self.invoices if inv.paid_date and not inv.bank_line
            ),
            "credit_notes": sum(1 for inv in self.invoices if inv.refund_share),
            "bank_lines": len(
                {
                    (inv.bank_line, inv.group or inv.key)
                    for inv in self.invoices
                    if inv.bank_line
                }
            ),
            "sale_orders": len(self.sale_orders),
        }


def iban(country, bban):
    """A valid IBAN: ``country`` + check digits + ``bban``."""
    digits = "".join(str(int(c, 36)) for c in bban + country + "00")
    return f"{country}{98 - int(digits) % 97:02d}{bban}"


def _weighted(rng, pairs):
    roll, acc = rng.random(), 0.0
    for value, weight in pairs:
        acc += weight
        if roll < acc:
            return value
    return pairs[-1][0]


def _customer(rng, key, taken):
    company = "fr" if rng.random() < 0.6 else "us"
    segment = _weighted(rng, [(name, seg["share"]) for name, seg in SEGMENTS.items()])
    if company == "fr":
        surname = rng.choice(FR_NAMES)
        name = f"{rng.choice(FR_TRADES)} {surname} {rng.choice(FR_FORMS)}".strip()
        city, zip_code = rng.choice(FR_CITIES)
        street = f"{rng.randint(1, 120)} {rng.choice(FR_STREETS)}"
        lang = "fr_FR" if rng.random() < 0.9 else "en_US"
        country = "FR"
        phone = (
            f"+33 {rng.randint(1, 5)} {rng.randint(10, 99)} {rng.randint(10, 99)} "
            f"{rng.randint(10, 99)} {rng.randint(10, 99)}"
        )
        account = iban(
            "FR",
            f"{rng.randint(10000, 99999)}{rng.randint(10000, 99999)}"
            f"{rng.randint(10**10, 10**11 - 1)}{rng.randint(10, 97)}",
        )
    else:
        surname = rng.choice(US_NAMES)
        name = f"{surname} {rng.choice(US_TRADES)} {rng.choice(US_FORMS)}".strip()
        city, zip_code = rng.choice(US_CITIES)
        street = f"{rng.randint(100, 9999)} {rng.choice(US_STREETS)}"
        lang = "en_US" if rng.random() < 0.92 else "fr_FR"
        country = "US"
        phone = (
            f"+1 {rng.choice(['617', '312', '512', '303', '206'])} "
            f"{rng.randint(200, 989)} {rng.randint(1000, 9999)}"
        )
        account = iban(
            "DE", f"{rng.randint(10**7, 10**8 - 1)}{rng.randint(10**9, 10**10 - 1)}"
        )
    base, suffix = name, 2
    while name in taken:
        name = f"{base} ({suffix})"
        suffix += 1
    taken.add(name)
    roll = rng.random()
    if roll < 0.04:
        phone = rng.choice(["12345", "06 12", "n/a", "+33 0"])  # unusable numbers
    elif roll < 0.07:
        phone = None
    slug = "".join(c for c in name.lower() if c.isalnum())[:24] or f"c{key}"
    email = None if rng.random() < 0.03 else f"ap@{slug}.example"
    if segment == "key_account":
        term = (
            "account_payment_term_end_following_month"
            if rng.random() < 0.3
            else "account_payment_term_45days"
        )
    elif segment == "reliable" and rng.random() < 0.25:
        term = "account_payment_term_30days_early_discount"
    elif rng.random() < 0.1:
        term = "account_payment_term_advance_60days"  # instalments
    else:
        term = rng.choice(
            [
                "account_payment_term_30days",
                "account_payment_term_30days",
                "account_payment_term_15days",
                "account_payment_term_21days",
            ]
        )
    payer = (
        name.upper()
        if rng.random() < 0.7
        else rng.choice(
            [
                f"M. {surname.upper()}",
                f"{surname.upper()} HOLDING",
                name.split()[0].upper(),
            ]
        )
    )
    return Customer(
        key,
        company,
        name,
        segment,
        lang,
        country,
        street,
        city,
        zip_code,
        email,
        phone,
        account,
        term,
        payer,
    )


TERM_DAYS = {
    "account_payment_term_immediate": 0,
    "account_payment_term_15days": 15,
    "account_payment_term_21days": 21,
    "account_payment_term_30days": 30,
    "account_payment_term_45days": 45,
    "account_payment_term_end_following_month": 45,
    "account_payment_term_30days_early_discount": 30,
    "account_payment_term_advance_60days": 60,
}


def make_plan(
    customers=300, seed=42, today=None, invoices_per_customer=10, history_days=730
):
    """The data set for ``customers`` customers, about ten invoices each over
    two years, their payments, recent unmatched bank lines and sale orders."""
    today = today or date.today()
    rng = random.Random(seed)
    plan = Plan(today=today, seed=seed)
    taken = set()
    for key in range(customers):
        plan.customers.append(_customer(rng, key, taken))
    groups = iter(range(1, 10**9))
    for customer in plan.customers:
        customer.habit = _habit(random.Random(f"habit-{seed}-{customer.key}"), customer)
        invoices = _customer_invoices(
            rng,
            customer,
            today,
            invoices_per_customer,
            history_days,
            len(plan.invoices),
        )
        _group_monthly_payments(rng, customer, invoices, groups)
        plan.invoices.extend(invoices)
    plan.invoices.sort(key=lambda inv: (inv.invoice_date, inv.key))
    for index, invoice in enumerate(plan.invoices):
        invoice.key = index
    _route_recent_payments_to_bank(plan, rng)
    for customer in plan.customers:
        if rng.random() < 0.2:
            for _order in range(rng.randint(1, 3)):
                product = rng.choice(PRODUCTS)
                plan.sale_orders.append(
                    SaleOrder(
                        customer=customer.key,
                        company=customer.company,
                        confirmed=rng.random() < 0.6,
                        lines=[(product[0], rng.randint(1, 10), product[3])],
                    )
                )
    return plan


@dataclass
class Habit:
    """How one customer pays, the same over the years: its own usual delay
    around its segment's, how that delay drifts, how much later it pays
    bigger invoices, and its payment run."""

    delay: float  # usual days after the due date
    spread: float  # spread of one invoice's delay around it
    drift: float  # days added per year over the history
    amount_effect: float  # days added per doubling of the amount
    run: str  # "month_end", "month_day", "weekday" or "any"
    run_day: int = 0  # day of the month, or weekday (Monday 0)
    discount: float = 0.0  # chance of paying early for an early-payment discount


def _habit(rng, customer):
    """A customer's paying habit, drawn from the customer's own random
    stream (seed and key): the same customer keeps the same habit whatever
    is drawn for the customers before it. (The plan's other draws do follow
    the payments: a partial payment is only drawn for an invoice paid by
    today.)"""
    mean, spread = SEGMENTS[customer.segment]["late"]
    if customer.segment == "difficulty":
        drift = rng.uniform(0.0, 30.0)  # getting worse
    elif customer.segment in ("slow", "chronic") and rng.random() < 0.3:
        drift = rng.uniform(-10.0, 10.0)
    else:
        drift = 0.0
    run = _weighted(rng, list(PAYMENT_RUNS[customer.segment].items()) + [("any", 1.0)])
    run_day = (
        rng.choice(RUN_DAYS)
        if run == "month_day"
        else rng.choice([1, 3, 4])  # Tuesday, Thursday or Friday
        if run == "weekday"
        else 0
    )
    return Habit(
        delay=rng.gauss(mean, 0.6 * spread) - RUN_PERIOD[run] / 2,
        spread=0.5 * spread,
        drift=drift,
        amount_effect=0.0 if customer.segment == "reliable" else rng.uniform(0, 4),
        run=run,
        run_day=run_day,
        # Accounts payable that take discounts take nearly all of them.
        discount=0.9 if rng.random() < 0.4 else 0.05,
    )


def _payment_day(habit, day):
    """The first day on or after ``day`` on which the customer's payment
    run pays; banks credit on working days only."""
    following = date(day.year + day.month // 12, day.month % 12 + 1, 1)
    if habit.run == "month_end":
        day = following - timedelta(days=1)
        while day.weekday() >= 5:  # the last working day of the month
            day -= timedelta(days=1)
        return day
    if habit.run == "month_day":
        run = day.replace(day=habit.run_day)
        day = run if run >= day else following.replace(day=habit.run_day)
    elif habit.run == "weekday":
        day += timedelta(days=(habit.run_day - day.weekday()) % 7)
    while day.weekday() >= 5:
        day += timedelta(days=1)
    return day


def _customer_invoices(rng, customer, today, per_customer, history_days, first_key):
    """A customer's invoices over the history and how each was settled."""
    segment, habit = SEGMENTS[customer.segment], customer.habit
    count = max(1, int(rng.gauss(per_customer, per_customer / 3)))
    if customer.segment == "key_account":
        count *= 2
    home = "EUR" if customer.company == "fr" else "USD"
    other = "USD" if customer.company == "fr" else "EUR"
    foreign = rng.random() < 0.08
    scale = 6.0 if customer.segment == "key_account" else 1.0
    invoices = []
    for _ in range(count):
        day = today - timedelta(days=rng.randint(0, history_days))
        lines = []
        for _line in range(rng.randint(1, 3)):
            product = rng.choice(PRODUCTS)
            price = round(product[3] * scale * rng.uniform(0.8, 1.25), 2)
            lines.append((product[0], rng.randint(1, 8), price))
        invoice = Invoice(
            key=first_key + len(invoices),
            customer=customer.key,
            company=customer.company,
            currency=other if foreign else home,
            invoice_date=day,
            lines=lines,
        )
        due = day + timedelta(days=TERM_DAYS[customer.payment_term])
        late = habit.delay + habit.spread * rng.gauss(0.0, 1.0)
        late += habit.drift * ((day - today).days + history_days / 2) / 365
        amount = sum(quantity * price for _product, quantity, price in lines)
        late += habit.amount_effect * math.log2(amount / (500.0 * scale))
        early = (
            customer.payment_term.endswith("early_discount")
            and rng.random() < habit.discount
        )
        if early:
            late = -TERM_DAYS[customer.payment_term] + rng.randint(1, 6)  # discount
        invoice.disputed = rng.random() < segment["dispute"]
        if invoice.disputed:
            late += rng.randint(20, 90)
            if rng.random() < 0.5:
                invoice.refund_share = rng.choice([0.1, 0.2, 0.5, 1.0])
        if customer.segment == "difficulty" and rng.random() < 0.08:
            late = 10**4  # never paid
        paid = max(day, due + timedelta(days=round(late)))
        if late < 10**4 and not (early and not invoice.disputed):
            paid = _payment_day(habit, paid)  # early: within the discount's days
        if paid <= today and invoice.refund_share < 1.0:
            invoice.paid_date = paid
            if rng.random() < segment["partial"]:
                invoice.partial_share = rng.choice([0.3, 0.5, 0.7])
        if (
            customer.segment == "difficulty"
            and not invoice.paid_date
            and (today - due).days > 300
            and rng.random() < 0.5
        ):
            invoice.write_off = True
        invoices.append(invoice)
    return invoices


def _group_monthly_payments(rng, customer, invoices, groups):
    """Key accounts and some slow payers pay a month's invoices at once."""
    if not (
        customer.segment == "key_account"
        or (customer.segment == "slow" and rng.random() < 0.3)
    ):
        return
    home = "EUR" if customer.company == "fr" else "USD"
    by_month = {}
    for invoice in invoices:
        if (
            invoice.paid_date
            and not invoice.partial_share
            and not invoice.refund_share
            and invoice.currency == home
        ):
            by_month.setdefault(invoice.paid_date.strftime("%Y%m"), []).append(invoice)
    for month_invoices in by_month.values():
        if len(month_invoices) > 1:
            group = next(groups)
            pay_day = max(inv.paid_date for inv in month_invoices)
            for invoice in month_invoices:
                invoice.group, invoice.paid_date = group, pay_day


def _route_recent_payments_to_bank(plan, rng):
    """Payments of the last ten days arrive as bank lines not matched yet,
    written the way payers write them."""
    recent = [
        inv
        for inv in plan.invoices
        if inv.paid_date
        and (plan.today - inv.paid_date).days <= 10
        and not inv.write_off
        and not inv.refund_share
    ]
    for invoice in recent:
        if invoice.group:
            invoice.bank_line = "grouped"
            continue
        kind = _weighted(rng, [(k, w) for k, w in BANK_LINE_MIX if k != "grouped"])
        invoice.bank_line = kind
        if kind == "partial" and not invoice.partial_share:
            invoice.partial_share = rng.choice([0.3, 0.5])


def mangle(reference, rng):
    """A reference as a hurried payer types it: a typo, spaces, truncation."""
    how = rng.choice(["typo", "spaces", "truncate", "case", "separator"])
    if how == "typo" and len(reference) > 4:
        pos = rng.randrange(len(reference) - 1)
        chars = list(reference)
        chars[pos], chars[pos + 1] = chars[pos + 1], chars[pos]
        return "".join(chars)
    if how == "spaces":
        return " ".join(reference[i : i + 3] for i in range(0, len(reference), 3))
    if how == "truncate":
        return reference[: max(4, len(reference) - 2)]
    if how == "case":
        return reference.lower()
    return reference.replace("/", "-")


def communication(kind, names, customer, rng):
    """The free text of a bank line paying invoices ``names``."""
    if kind == "clean_ref":
        return rng.choice(["{0}", "Invoice {0}", "Payment {0}", "Facture {0}"]).format(
            names[0]
        )
    if kind == "mangled_ref":
        return rng.choice(["{0}", "Inv {0}", "fact {0}"]).format(mangle(names[0], rng))
    if kind in ("no_ref_known_payer", "third_party"):
        return rng.choice(
            ["Payment", "Virement", "Settlement", "Règlement fournisseur", ""]
        )
    if kind == "grouped":
        return "Invoices " + ", ".join(names)
    if kind in ("partial", "discount_or_diff"):
        return rng.choice(["{0}", "Acompte {0}", "Part payment {0}"]).format(names[0])
    raise ValueError(kind)
