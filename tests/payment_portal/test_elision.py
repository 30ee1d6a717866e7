import pytest

from payment_portal.engine.elision import MARK, elides, fill_name, join_de


@pytest.mark.parametrize(
    "name, expected",
    [
        ("Imprimerie Vasseur", "Relevé d'Imprimerie Vasseur"),
        ("Fromagerie Lemoine", "Relevé de Fromagerie Lemoine"),
        ("Atelier Morel", "Relevé d'Atelier Morel"),
        ("Éditions Roux", "Relevé d'Éditions Roux"),
        ("Yves Rocher", "Relevé d'Yves Rocher"),
        ("Hôtel du Parc", "Relevé d'Hôtel du Parc"),  # mute h
        ("Hachette Livre", "Relevé de Hachette Livre"),  # aspirated h
        ("Haut-Marnais SARL", "Relevé de Haut-Marnais SARL"),
        ("Le Bon Marché", "Relevé du Bon Marché"),
        ("Les Caves Réunies", "Relevé des Caves Réunies"),
        ("La Poste", "Relevé de La Poste"),
        ("L'Oréal", "Relevé de L'Oréal"),
        ("3M France", "Relevé de 3M France"),
        ("Lemoine", "Relevé de Lemoine"),
    ],
)
def test_statement_of_a_name(name, expected):
    assert join_de("Relevé de ", name) == expected


def test_only_the_word_de_is_elided():
    assert join_de("Monde ", "Atelier") == "Monde Atelier"
    assert join_de("De ", "Atelier Morel", " :") == "D'Atelier Morel :"


def test_fill_name_elides_in_french_only():
    assert fill_name(f"Relevé de {MARK}", "Imprimerie", "fr_FR") == (
        "Relevé d'Imprimerie"
    )
    assert fill_name(f"Statement of {MARK}", "Imprimerie", "en_US") == (
        "Statement of Imprimerie"
    )
    assert fill_name("Relevé", "Imprimerie", "fr_FR") == "Relevé"


@pytest.mark.parametrize("name", ["", "  ", "-Tiret"])
def test_nothing_to_elide(name):
    assert not elides(name)
