"""Does a French reader read French? A check any add-on's tests can use.

The English left on a French screen is found the way a reader finds it: a
phrase of ours that has a French translation, still in English. The phrases
come from the add-ons' own ``i18n/fr.po``: every msgid with a French msgstr
that differs, cut at its placeholders, and kept when a piece is long enough
to mean something (two words, twelve characters) and is not also in the
French. Amounts written the English way ("4,132.36", "15509.93 €") are found
by their shape.
"""

import re
from pathlib import Path

import polib

from odoo.modules.module import get_module_path

PLACEHOLDER = re.compile(r"%\(\w+\)s|%s|%d|\{\w*\}|<[^>]+>")
# 4,132.36 (English grouping) or 15509.93 / 2800.0 beside a currency
ENGLISH_AMOUNT = re.compile(
    r"\b\d{1,3}(?:,\d{3})+\.\d{1,2}\b"
    r"|\b\d+\.\d{1,2}\s?(?:EUR|€|\$|USD)"
    r"|(?:EUR|€|\$|USD)\s?\d+\.\d{1,2}\b"
)


def english_phrases(modules):
    """{English piece: its msgid} of the French catalogues of ``modules``."""
    phrases = {}
    for module in modules:
        path = Path(get_module_path(module)) / "i18n" / "fr.po"
        for entry in polib.pofile(str(path)):
            if not entry.msgstr or entry.msgstr == entry.msgid or entry.obsolete:
                continue
            for piece in PLACEHOLDER.split(entry.msgid):
                piece = " ".join(piece.split()).strip(" :,.;()")
                if len(piece) >= 12 and " " in piece and piece not in entry.msgstr:
                    phrases.setdefault(piece, entry.msgid)
    return phrases


def english_in(texts, phrases):
    """[(English piece, where)] found in ``texts`` ({where: text})."""
    found = []
    for where, text in texts.items():
        flat = " ".join((text or "").split())
        found += [(piece, where) for piece in phrases if piece in flat]
    return found


def english_amounts_in(texts):
    """[(amount as written, where)] written the English way in ``texts``."""
    return [
        (match.group(0), where)
        for where, text in texts.items()
        for match in ENGLISH_AMOUNT.finditer(" ".join((text or "").split()))
    ]
