"""The credit-bureau client against a local fake bureau, over real HTTP.

The fake lives in ``credit_control/tests`` for the Odoo tests too; it is
loaded here by file path, because importing ``credit_control.tests`` would
import Odoo.
"""

import importlib.util
import socket
import sys
from pathlib import Path

import pytest
import requests

from credit_control.engine.bureau import (
    BAD_CREDENTIALS,
    BAD_RESPONSE,
    NOT_FOUND,
    QUOTA,
    TIMEOUT,
    UNAVAILABLE,
    BureauClient,
    BureauError,
    CreditReport,
    CreditsafeClient,
)

REPO = Path(__file__).resolve().parents[2]


def _load_fake_bureau():
    path = REPO / "credit_control" / "tests" / "fake_bureau.py"
    spec = importlib.util.spec_from_file_location("_fake_bureau", path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


FakeBureau = _load_fake_bureau().FakeBureau

REG = "123456789"
VAT = "FR40123456789"
BACKOFF = 0.1


@pytest.fixture(autouse=True)
def _no_proxy(monkeypatch):
    # A developer's proxy settings must not send local traffic elsewhere.
    monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost")
    monkeypatch.setenv("no_proxy", "127.0.0.1,localhost")


@pytest.fixture
def fake():
    with FakeBureau() as bureau:
        yield bureau


@pytest.fixture
def sleeps():
    return []


@pytest.fixture
def make_client(fake, sleeps):
    clients = []

    def make(**kwargs):
        kwargs.setdefault("timeout", 2.0)
        kwargs.setdefault("backoff", BACKOFF)
        kwargs.setdefault("sleep", sleeps.append)  # record, do not wait
        client = CreditsafeClient(
            kwargs.pop("url", fake.url),
            kwargs.pop("username", "user"),
            kwargs.pop("password", "secret"),
            **kwargs,
        )
        clients.append(client)
        return client

    yield make
    for client in clients:
        client.close()


def _error(call, *args, **kwargs):
    with pytest.raises(BureauError) as info:
        call(*args, **kwargs)
    return info.value


# -- happy paths ---------------------------------------------------------------


def test_lookup_by_registration(fake, make_client, sleeps):
    company_id = fake.add_company("FR", REG, VAT)
    client = make_client()

    report = client.lookup("fr", registration=REG, vat="FR99999999999")

    assert report == CreditReport(
        provider_id=company_id,
        name="Acme SARL",
        rating="A",
        description="Very Low Risk",
        score=pytest.approx((85 - 1) / (100 - 1) * 100),
        limit=50000.0,
        currency="EUR",
    )
    assert 84.8 < report.score < 84.9
    assert isinstance(report.limit, float)
    auth, search, fetch = fake.requests
    assert (auth.method, auth.path) == ("POST", "/authenticate")
    assert auth.body == {"username": "user", "password": "secret"}
    assert (search.method, search.path) == ("GET", "/companies")
    # the registration number wins over the VAT number; the country upper-cased
    assert search.query == {"countries": "FR", "regNo": REG}
    assert (fetch.method, fetch.path) == ("GET", f"/companies/{company_id}")
    token = client._token
    assert token and token.count(".") == 2
    assert search.headers["Authorization"] == f"Bearer {token}"
    assert fetch.headers["Authorization"] == f"Bearer {token}"
    assert sleeps == []


def test_lookup_by_vat_only(fake, make_client):
    company_id = fake.add_company("BE", reg_no=None, vat_no="BE0123456789")
    report = make_client().lookup("BE", vat=" BE0123456789 ")
    assert report.provider_id == company_id
    assert fake.requests[1].query == {"countries": "BE", "vatNo": "BE0123456789"}


def test_token_is_kept_between_lookups(fake, make_client):
    fake.add_company()
    client = make_client()
    client.lookup("FR", REG)
    client.lookup("FR", vat=VAT)
    assert fake.paths("POST") == ["/authenticate"]


def test_report_without_figures(fake, make_client):
    fake.add_company(score=None, limit=None, rating="E", description="Not Rated")
    report = make_client().lookup("FR", REG)
    assert (report.rating, report.description) == ("E", "Not Rated")
    assert (report.score, report.limit, report.currency) == (None, None, None)


@pytest.mark.parametrize(
    "score, score_range, expected",
    [
        ("5", (0, 10), 50.0),
        ("1", (1, 100), 0.0),
        ("100", (1, 100), 100.0),
        ("120", (1, 100), 100.0),  # off its own scale: clamped
        ("B", (1, 100), None),  # a provider scoring with letters
        ("50", (100, 100), None),  # a degenerate scale says nothing
    ],
)
def test_score_normalisation(fake, make_client, score, score_range, expected):
    fake.add_company(score=score, score_range=score_range)
    assert make_client().lookup("FR", REG).score == expected


def test_every_request_has_the_timeout(fake, sleeps):
    sent = []

    class RecordingSession(requests.Session):
        def request(self, method, url, **kwargs):
            sent.append((method, url, kwargs.get("timeout")))
            return super().request(method, url, **kwargs)

    fake.add_company()
    with RecordingSession() as session:
        client = CreditsafeClient(
            fake.url + "/", "user", "secret", timeout=3.5, session=session
        )
        client.lookup("FR", REG)
        client.close()  # a given session is the caller's to close
        assert session.adapters  # still open
    assert [(method, timeout) for method, _url, timeout in sent] == [
        ("POST", 3.5),
        ("GET", 3.5),
        ("GET", 3.5),
    ]
    assert sent[0][1] == fake.url + "/authenticate"


# -- errors --------------------------------------------------------------------


@pytest.mark.parametrize("registration, vat", [(None, None), ("", " ")])
def test_lookup_needs_a_number(make_client, fake, registration, vat):
    with pytest.raises(ValueError):
        make_client().lookup("FR", registration, vat)
    assert fake.requests == []


def test_not_found_by_search(fake, make_client):
    fake.add_company()
    error = _error(make_client().lookup, "FR", "999999999")
    assert error.code == NOT_FOUND
    assert fake.paths() == ["/authenticate", "/companies"]


def test_not_found_in_another_country(fake, make_client):
    fake.add_company("FR")
    assert _error(make_client().lookup, "BE", REG).code == NOT_FOUND


def test_not_found_by_report(fake, make_client, sleeps):
    company_id = fake.add_company()
    del fake.reports[company_id]
    error = _error(make_client().lookup, "FR", REG)
    assert (error.code, error.status) == (NOT_FOUND, 404)
    assert sleeps == []  # a 4xx is never retried


def test_bad_credentials(fake, make_client, sleeps):
    fake.add_company()
    error = _error(make_client(password="wrong").lookup, "FR", REG)
    assert (error.code, error.status) == (BAD_CREDENTIALS, 401)
    assert "Invalid credentials" in str(error)
    assert "wrong" not in str(error)
    assert fake.paths() == ["/authenticate"]
    assert sleeps == []


def test_expired_token_reauthenticates_once(fake, make_client):
    fake.add_company()
    client = make_client()
    client.lookup("FR", REG)
    old_token = client._token
    fake.expire_tokens()

    report = client.lookup("FR", REG)

    assert report.rating == "A"
    assert fake.paths()[3:] == [
        "/companies",  # refused: 401
        "/authenticate",
        "/companies",
        f"/companies/{report.provider_id}",
    ]
    assert fake.requests[3].headers["Authorization"] == f"Bearer {old_token}"
    assert fake.requests[5].headers["Authorization"] == f"Bearer {client._token}"
    assert client._token != old_token


def test_token_refused_again_is_bad_credentials(fake, make_client):
    fake.add_company()
    client = make_client()
    client.authenticate()
    fake.fail_next(401, times=5, path="/companies")
    error = _error(client.lookup, "FR", REG)
    assert error.code == BAD_CREDENTIALS
    assert fake.paths() == [
        "/authenticate",
        "/companies",
        "/authenticate",
        "/companies",
    ]


def test_quota_429(fake, make_client, sleeps):
    fake.add_company()
    fake.quota_exhausted = True
    error = _error(make_client().lookup, "FR", REG)
    assert (error.code, error.status) == (QUOTA, 429)
    assert fake.paths() == ["/authenticate", "/companies"]
    assert sleeps == []


@pytest.mark.parametrize(
    "message, code",
    [
        ("Monthly report QUOTA exceeded", QUOTA),
        ("Access denied to this country", BAD_CREDENTIALS),
    ],
)
def test_forbidden(fake, make_client, message, code):
    fake.add_company()
    fake.fail_next(403, body={"message": message}, path="/companies")
    error = _error(make_client().lookup, "FR", REG)
    assert (error.code, error.status) == (code, 403)


def test_server_error_then_success(fake, make_client, sleeps):
    fake.add_company()
    fake.fail_next(503, times=2)
    report = make_client(retries=2).lookup("FR", REG)
    assert report.rating == "A"
    assert sleeps == [BACKOFF, 2 * BACKOFF]
    assert fake.paths() == ["/authenticate"] * 3 + [
        "/companies",
        f"/companies/{report.provider_id}",
    ]


def test_server_error_persisting(fake, make_client, sleeps):
    fake.add_company()
    fake.fail_next(500, times=10)
    error = _error(make_client(retries=2).lookup, "FR", REG)
    assert (error.code, error.status) == (UNAVAILABLE, 500)
    assert len(fake.requests) == 3  # retries + 1
    assert sleeps == [BACKOFF, 2 * BACKOFF]


def test_connection_refused(make_client, sleeps):
    with socket.socket() as probe:  # a port nobody listens on any more
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    error = _error(make_client(url=f"http://127.0.0.1:{port}/v1").lookup, "FR", REG)
    assert error.code == UNAVAILABLE
    assert sleeps == [BACKOFF, 2 * BACKOFF]


def test_timeout(fake, make_client, sleeps):
    fake.add_company()
    client = make_client(timeout=0.2, retries=1)
    client.authenticate()
    fake.delay_next(0.5, times=2)
    error = _error(client.lookup, "FR", REG)
    assert error.code == TIMEOUT
    assert fake.paths() == ["/authenticate", "/companies", "/companies"]
    assert sleeps == [BACKOFF]


def test_timeout_then_success(fake, make_client, sleeps):
    fake.add_company()
    fake.delay_next(0.5)
    report = make_client(timeout=0.2).lookup("FR", REG)
    assert report.rating == "A"
    assert fake.paths("POST") == ["/authenticate", "/authenticate"]
    assert sleeps == [BACKOFF]


@pytest.mark.parametrize(
    "path, body",
    [
        ("/companies/", "<html>Gateway says hello</html>"),  # not JSON
        ("/companies/", {"report": {"companyId": "x"}}),  # no credit score
        ("/companies/", ["report"]),
        ("/companies", {"totalSize": 1}),  # no company list
        ("/companies", {"totalSize": 1, "companies": [{"name": "No id"}]}),
        ("/authenticate", {"access": "no token key"}),
    ],
)
def test_malformed_answer(fake, make_client, path, body):
    fake.add_company()
    fake.fail_next(200, body=body, path=path)
    error = _error(make_client().lookup, "FR", REG)
    assert error.code == BAD_RESPONSE


def test_unexpected_client_error_is_bad_response(fake, make_client, sleeps):
    fake.add_company()
    fake.fail_next(400, body={"message": "Invalid regNo"}, path="/companies")
    error = _error(make_client().lookup, "FR", REG)
    assert (error.code, error.status) == (BAD_RESPONSE, 400)
    assert "Invalid regNo" in str(error)
    assert sleeps == []


def test_wrong_base_url_is_not_a_missing_company(fake, make_client):
    error = _error(make_client(url=fake.url + "/v2").authenticate)
    assert (error.code, error.status) == (BAD_RESPONSE, 404)


def test_other_bureaus_plug_in():
    class Stub(BureauClient):
        def _lookup(self, country, registration, vat):
            provider_id = f"{country}:{registration}:{vat}"
            return CreditReport(provider_id, "", "", "", None, None, None)

    assert Stub().lookup(" be ", "0123", "").provider_id == "BE:0123:None"
    with pytest.raises(TypeError):
        BureauClient()
