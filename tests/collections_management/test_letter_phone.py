import io

import pytest
from pypdf import PdfReader

from collections_management.engine.letter import Letter, render
from collections_management.engine.phone import InvalidPhone, to_e164


@pytest.mark.parametrize(
    "number, country, expected",
    [
        ("06 12 34 56 78", "FR", "+33612345678"),
        ("+33 6 12 34 56 78", None, "+33612345678"),
        ("0033 1 42 68 53 00", "FR", "+33142685300"),
        ("(617) 253-1000", "US", "+16172531000"),
        ("+1 617 253 1000", "FR", "+16172531000"),  # the prefix wins
    ],
)
def test_e164(number, country, expected):
    assert to_e164(number, country) == expected


@pytest.mark.parametrize(
    "number, country, reason",
    [
        (None, "FR", "no phone number"),
        ("  ", "FR", "no phone number"),
        ("n/a", "FR", "not a phone number"),
        ("12345", "FR", "not a valid number"),
        ("06 12", "FR", "not a valid number"),
        ("612345678", None, "not a phone number"),  # no country, no prefix
    ],
)
def test_invalid(number, country, reason):
    with pytest.raises(InvalidPhone, match=reason):
        to_e164(number, country)


def test_letter_pdf_text():
    pdf = render(
        Letter(
            company_lines=[
                "Ardoise & Fils SAS",
                "12 rue de la République",
                "69002 Lyon",
            ],
            recipient_lines=["Boulangerie Martin", "3 place du Marché", "44000 Nantes"],
            place_date="Lyon, le 10 mars 2026",
            subject="Deuxième rappel",
            paragraphs=["Madame, Monsieur,", "Sauf erreur de notre part, ..."],
            columns=["Facture", "Échéance", "Montant"],
            rows=[["FAC/2026/0042", "20/02/2026", "1 200,00 €"]],
            totals=[("Total dû", "1 200,00 €")],
            payment_lines=["IBAN FR76 3000 6000 0112 3456 7890 189"],
            legal=["Indemnité forfaitaire pour frais de recouvrement : 40,00 €"],
        )
    )
    assert pdf.startswith(b"%PDF")
    text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)
    for expected in (
        "Boulangerie Martin",
        "44000 Nantes",
        "Deuxième rappel",
        "FAC/2026/0042",
        "Total dû",
        "Indemnité forfaitaire",
    ):
        assert expected in text
