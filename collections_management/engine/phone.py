"""Phone numbers for SMS: E.164 or a reason why not."""

import phonenumbers


class InvalidPhone(ValueError):
    """The number cannot receive an SMS; ``str()`` says why."""


def to_e164(number, country_code=None):
    """``number`` as E.164 (``+33612345678``), read with the customer's
    country for numbers written without their international prefix."""
    if not number or not number.strip():
        raise InvalidPhone("no phone number")
    try:
        parsed = phonenumbers.parse(number, (country_code or "").upper() or None)
    except phonenumbers.NumberParseException as exc:
        raise InvalidPhone(f"{number!r} is not a phone number ({exc})") from exc
    if not phonenumbers.is_valid_number(parsed):
        raise InvalidPhone(f"{number!r} is not a valid number")
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)
