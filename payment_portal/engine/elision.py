"""French elision of "de" before a name: "Relevé d'Imprimerie Vasseur",
"Relevé de Fromagerie Lemoine".

A translated sentence puts a name after "de"; French writes "d'" before a
vowel or a mute h, and "du"/"des" for a name that starts with the article
"Le"/"Les". The name itself is never changed. Words with an aspirated h
(no elision: "de Hachette") are the common ones below; an unknown word
starting with h is taken as mute, as most French words are.
"""

import re
import unicodedata

VOWELS = frozenset("aeiouy")
# Common French words starting with an aspirated h (h aspiré).
ASPIRATED_H = (
    "hache",
    "haie",
    "haine",
    "hall",
    "halle",
    "halte",
    "hamac",
    "hameau",
    "hanche",
    "handicap",
    "hangar",
    "hardi",
    "hareng",
    "haricot",
    "harpe",
    "hasard",
    "haut",
    "havre",
    "hennin",
    "hérisson",
    "héron",
    "héros",
    "hêtre",
    "hibou",
    "hiérarchie",
    "hockey",
    "hollande",
    "homard",
    "hongrie",
    "honte",
    "hors",
    "houblon",
    "houille",
    "housse",
    "houx",
    "huit",
    "hurle",
    "hutte",
)
_DE_AT_END = re.compile(r"(?:^|(?<=\s))([Dd])e $")
_ARTICLE = re.compile(r"(Les?) (?=\S)")


def _plain(word):
    """``word`` in lower case without accents."""
    decomposed = unicodedata.normalize("NFD", word.lower())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def elides(name):
    """Whether "de" before ``name`` becomes "d'" (a vowel or a mute h)."""
    word = (name or "").strip()
    if not word:
        return False
    first = _plain(word[0])
    if first in VOWELS:
        return True
    if first != "h":
        return False
    plain = _plain(word.split()[0])
    return not any(plain.startswith(_plain(h)) for h in ASPIRATED_H)


def join_de(before, name, after=""):
    """``before + name + after``, with the "de " that ends ``before``
    elided or contracted for ``name`` as French writes it."""
    match = _DE_AT_END.search(before)
    if not match:
        return before + name + after
    head, d = before[: match.start()], match.group(1)
    article = _ARTICLE.match(name)
    if article:
        rest = name[article.end() :]
        contracted = "du" if article.group(1) == "Le" else "des"
        if d == "D":
            contracted = contracted.capitalize()
        return f"{head}{contracted} {rest}{after}"
    if elides(name):
        return f"{head}{d}'{name}{after}"
    return before + name + after


MARK = "\x00"


def fill_name(text, name, lang):
    """``text`` (a translation with ``MARK`` where the name goes) with
    ``name`` in it, elided when ``lang`` is French."""
    before, _mark, after = text.partition(MARK)
    if not _mark:
        return text
    if (lang or "").startswith("fr"):
        return join_de(before, name, after)
    return before + name + after
