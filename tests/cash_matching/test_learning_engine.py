"""Learning the matching weights from reviewers' decisions."""

import ast
import json
from datetime import date
from pathlib import Path

import pytest

from cash_matching.engine import learning
from cash_matching.engine.matching import (
    DEFAULT_MODEL,
    FEATURES,
    BankLine,
    Matcher,
    OpenItem,
    Partner,
)

DAY = date(2026, 3, 2)


def book(count=30):
    """``count`` customers, each with a bank account and one invoice."""
    partners, items = [], []
    for n in range(1, count + 1):
        name = f"{NAMES[n % 7]} {TRADES[n // 7 % 7]} SARL"  # all different
        partners.append(Partner(n, name, (f"FR{n:025d}",)))
        items.append(
            OpenItem(
                id=n,
                partner_id=n,
                move_name=f"INV/2026/{n:05d}",
                currency="EUR",
                residual=100.0 + n * 13.37,
                residual_company=100.0 + n * 13.37,
                date=date(2026, 1, 1),
            )
        )
    return items, partners


NAMES = ("Dupont", "Weber", "Janssens", "Smith", "Rossi", "Garcia", "Novak")
TRADES = ("Transports", "Bau", "Print", "Foods", "Optics", "Studio", "Tools")


def lines(items, partners, how):
    """A line per customer paying its invoice, saying who pays ``how``."""
    out = []
    for item, partner in zip(items, partners, strict=True):
        kw = {
            "reference": {"communication": item.move_name},
            "iban": {"payer_iban": partner.ibans[0]},
            "name": {"payer_name": partner.name.upper()},
        }[how]
        out.append(BankLine(item.id, item.residual, "EUR", DAY, **kw))
    return out


def decisions(matcher, items, partners):
    """Reviewers accept matches by reference or account, reject matches by
    name (their customers' names are misleading, say)."""
    samples = []
    for how, accepted in (("reference", True), ("iban", True), ("name", False)):
        for bank_line in lines(items, partners, how):
            best = matcher.match(bank_line)[0]
            samples.append((learning.features(best), accepted))
    return samples


@pytest.fixture(scope="module")
def setting():
    items, partners = book()
    default = Matcher(items, partners, company_currency="EUR")
    return items, partners, default, decisions(default, items, partners)


def test_features(setting):
    items, partners, default, _samples = setting
    best = default.match(lines(items, partners, "name")[0])[0]
    features = learning.features(best)
    assert set(features) <= set(FEATURES)
    assert features["kind_full"] == 1.0
    assert features["items"] == 1.0
    assert features["name"] == 1.0 and features["amount_exact"] == 1.0


def test_learning_lowers_what_reviewers_reject(setting):
    items, partners, default, samples = setting
    model = learning.fit(samples)
    assert model["version"] == 1
    assert (model["samples"], model["accepted"]) == (90, 60)
    assert model["weights"]["name"] < DEFAULT_MODEL["weights"]["name"]
    assert json.loads(json.dumps(model)) == model  # a plain JSON value
    learned = Matcher(items, partners, company_currency="EUR", weights=model)
    for bank_line in lines(items, partners, "name")[:5]:
        before = default.match(bank_line)[0].confidence
        after = learned.match(bank_line)[0].confidence
        assert before >= 0.95 > 0.5 > after
    for bank_line in lines(items, partners, "reference")[:5]:
        assert learned.match(bank_line)[0].confidence > 0.9


def test_learned_confidence_is_the_model_on_the_features(setting):
    items, partners, _default, samples = setting
    model = learning.fit(samples)
    learned = Matcher(items, partners, company_currency="EUR", weights=model)
    for how in ("reference", "iban", "name"):
        for bank_line in lines(items, partners, how)[:3]:
            for proposal in learned.match(bank_line):
                predicted = learning.predict(model, learning.features(proposal))
                assert proposal.confidence == pytest.approx(predicted, abs=1e-6)


def test_unseen_features_keep_their_default(setting):
    _items, _partners, _default, samples = setting
    model = learning.fit(samples)
    assert "structured" in model["defaulted"]
    assert model["weights"]["structured"] == DEFAULT_MODEL["weights"]["structured"]


def test_evaluate_and_compare(setting):
    _items, _partners, _default, samples = setting
    before = learning.evaluate(None, samples, threshold=0.95)
    after = learning.evaluate(learning.fit(samples), samples, threshold=0.95)
    assert set(before) == {"precision", "auto_share", "accuracy", "log_loss", "samples"}
    assert before["precision"] == pytest.approx(2 / 3, abs=0.01)  # names go auto
    assert after["precision"] == 1.0
    assert after["log_loss"] < before["log_loss"]
    assert learning.is_better(after, before)
    assert not learning.is_better(before, after)
    empty = learning.evaluate(None, [])
    assert empty["samples"] == 0 and empty["precision"] == 1.0


@pytest.mark.parametrize(
    "samples, error, message",
    [
        (
            [({"reference": 1.0}, True)] * 5 + [({"name": 1.0}, False)] * 5,
            learning.TooFewDecisions,
            "at least 20",
        ),
        (
            [({"reference": 1.0}, True)] * 25,
            learning.OneKindOfDecision,
            "both accepted and rejected",
        ),
        (
            [({"name": 1.0}, False)] * 25,
            learning.OneKindOfDecision,
            "both accepted and rejected",
        ),
    ],
)
def test_fit_refuses_too_little(samples, error, message):
    with pytest.raises(error, match=message):
        learning.fit(samples)


def test_scikit_learn_is_imported_by_fit_only():
    source = Path(learning.__file__).read_text()
    tree = ast.parse(source)
    top_level = [
        node for node in tree.body if isinstance(node, ast.Import | ast.ImportFrom)
    ]
    assert all("sklearn" not in ast.unparse(node) for node in top_level)
    assert "import pickle" not in source
