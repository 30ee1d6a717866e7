"""Structured payment references and their check digits.

Each scheme has ``make_*`` (build a reference from its digits) and
``is_valid_*`` (check one read from a bank line); readers accept the
spacing and case a payer or a bank adds.
"""

import re

_NON_ALNUM = re.compile(r"[^0-9A-Za-z]")


def compact(text):
    """``text`` without spaces, dots, slashes and other separators, upper
    case."""
    return _NON_ALNUM.sub("", text or "").upper()


def _alnum_to_digits(text):
    """ISO 7064 letter substitution: A=10 ... Z=35, digits unchanged."""
    return "".join(str(int(char, 36)) for char in text)


# ISO 11649 creditor reference: RFkk + up to 21 alphanumerics, mod 97 = 1.


def make_rf(body):
    """The ISO 11649 reference of ``body`` (up to 21 letters or digits)."""
    body = compact(body)
    if not 0 < len(body) <= 21:
        raise ValueError("an RF reference holds 1 to 21 letters or digits")
    check = 98 - int(_alnum_to_digits(body + "RF00")) % 97
    return f"RF{check:02d}{body}"


def is_valid_rf(reference):
    ref = compact(reference)
    if not re.fullmatch(r"RF\d{2}[0-9A-Z]{1,21}", ref):
        return False
    return int(_alnum_to_digits(ref[4:] + ref[:4])) % 97 == 1


# Belgian structured communication: +++ddd/dddd/ddddd+++, the last two digits
# are the first ten modulo 97 (97 when the remainder is 0).


def make_be(number):
    digits = f"{int(number):010d}"
    if len(digits) != 10:
        raise ValueError("a Belgian structured communication holds 10 digits")
    check = int(digits) % 97 or 97
    full = f"{digits}{check:02d}"
    return f"+++{full[:3]}/{full[3:7]}/{full[7:]}+++"


def is_valid_be(reference):
    digits = re.sub(r"\D", "", reference or "")
    if len(digits) != 12 or not re.fullmatch(
        r"\s*(\+\+\+|\*\*\*)?\s*\d{3}\s*/?\s*\d{4}\s*/?\s*\d{5}\s*(\+\+\+|\*\*\*)?\s*",
        reference or "",
    ):
        return False
    return (int(digits[:10]) % 97 or 97) == int(digits[10:])


# Swiss QR reference: 27 digits, the last one a recursive modulo 10 check.

_MOD10_TABLE = (0, 9, 4, 6, 8, 2, 7, 1, 3, 5)


def mod10_recursive(digits):
    carry = 0
    for char in digits:
        carry = _MOD10_TABLE[(carry + int(char)) % 10]
    return (10 - carry) % 10


def make_qrr(number):
    digits = f"{int(number):026d}"
    if len(digits) != 26:
        raise ValueError("a QR reference holds 26 digits before its check digit")
    return digits + str(mod10_recursive(digits))


def is_valid_qrr(reference):
    digits = compact(reference)
    if not re.fullmatch(r"\d{27}", digits):
        return False
    return mod10_recursive(digits[:26]) == int(digits[26])


def find_structured_references(text):
    """Valid structured references found in free text, as ``(scheme,
    normalised reference)`` pairs in the order they appear."""
    text = text or ""
    found = []
    for match in re.finditer(r"R\s*F\s*\d\s*\d(?:\s*[0-9A-Za-z]){1,21}", text, re.I):
        candidate = compact(match.group())
        # A reference glued to the next word: try the longest valid prefix.
        for end in range(len(candidate), 4, -1):
            if is_valid_rf(candidate[:end]):
                found.append((match.start(), "rf", candidate[:end]))
                break
    for match in re.finditer(
        r"(?:\+\+\+|\*\*\*)?\s*\d{3}\s*/\s*\d{4}\s*/\s*\d{5}\s*(?:\+\+\+|\*\*\*)?", text
    ):
        if is_valid_be(match.group()):
            digits = re.sub(r"\D", "", match.group())
            found.append((match.start(), "be", make_be(digits[:10])))
    for match in re.finditer(r"(?<!\d)(?:\d\s*){27}(?!\d)", text):
        if is_valid_qrr(match.group()):
            found.append((match.start(), "qrr", compact(match.group())))
    return [(scheme, ref) for _pos, scheme, ref in sorted(found)]
