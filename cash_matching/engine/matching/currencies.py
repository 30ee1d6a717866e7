"""Amounts in a currency's minor units, and as read.

The matcher compares amounts as integers of the currency's minor unit (the
cent, or what ISO 4217 says for the currencies listed in ``_DECIMALS``), so
that sums of residuals are exact; :class:`~.types.Money` and the
allocations of a proposal turn them back into amounts.
"""

# Currencies whose minor unit is not the cent (ISO 4217).
_DECIMALS = {
    "BHD": 3,
    "CLP": 0,
    "IQD": 3,
    "ISK": 0,
    "JOD": 3,
    "JPY": 0,
    "KRW": 0,
    "KWD": 3,
    "LYD": 3,
    "OMR": 3,
    "PYG": 0,
    "TND": 3,
    "UGX": 0,
    "VND": 0,
    "XAF": 0,
    "XOF": 0,
}


def decimals(currency):
    return _DECIMALS.get(currency, 2)


def _units(amount, currency):
    return round(amount * 10 ** decimals(currency))


def _money(units, currency):
    return round(units / 10 ** decimals(currency), decimals(currency))


def _fmt(amount, currency):
    return f"{amount:,.{decimals(currency)}f} {currency}"
