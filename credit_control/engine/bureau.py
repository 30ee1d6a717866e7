"""Client of an external credit bureau: a company's rating, score and limit.

:class:`BureauClient` is the small interface the Odoo models call: one
:meth:`~BureauClient.lookup` by country and registration or VAT number, which
returns a :class:`CreditReport` or raises a :class:`BureauError`. The error's
``code`` (one of the constants below) is the contract with the Odoo side,
which words the message for the user in their language.

:class:`CreditsafeClient` implements it on the shape of Creditsafe's Connect
API: ``POST /authenticate`` for a token, ``GET /companies`` to find the
company, ``GET /companies/{id}`` for its credit report. Another bureau plugs
in as another subclass.

No Odoo here: the module is plain Python on ``requests``, tested in CI against
a local fake server (``credit_control/tests/fake_bureau.py``).
"""

import abc
import logging
import math
import time
from dataclasses import dataclass
from urllib.parse import quote

import requests
import urllib3

_logger = logging.getLogger(__name__)

CREDITSAFE_LIVE_URL = "https://connect.creditsafe.com/v1"
CREDITSAFE_SANDBOX_URL = "https://connect.sandbox.creditsafe.com/v1"

BAD_CREDENTIALS = "bad_credentials"
NOT_FOUND = "not_found"
QUOTA = "quota"
TIMEOUT = "timeout"
UNAVAILABLE = "unavailable"
BAD_RESPONSE = "bad_response"


class BureauError(Exception):
    """A lookup that failed, with a ``code`` saying why.

    ``code`` is one of :data:`BAD_CREDENTIALS`, :data:`NOT_FOUND`,
    :data:`QUOTA`, :data:`TIMEOUT`, :data:`UNAVAILABLE`, :data:`BAD_RESPONSE`;
    the message is plain English for logs, ``status`` the HTTP status when
    there was one.
    """

    def __init__(self, code, message, status=None):
        super().__init__(message)
        self.code = code
        self.message = message
        self.status = status


@dataclass(frozen=True)
class CreditReport:
    """What the bureau says of a company.

    ``score`` is on 0..100, higher is safer, whatever the bureau's own scale;
    ``score``, ``limit`` and ``currency`` are ``None`` when the bureau gave
    none.
    """

    provider_id: str
    name: str
    rating: str
    description: str
    score: float | None
    limit: float | None
    currency: str | None


class BureauClient(abc.ABC):
    """Interface of a credit bureau: subclasses implement :meth:`_lookup`."""

    def lookup(
        self, country: str, registration: str | None = None, vat: str | None = None
    ) -> CreditReport:
        """Return the :class:`CreditReport` of a company.

        ``country`` is an ISO 3166 alpha-2 code (any case); at least one of
        ``registration`` (e.g. a French SIREN) and ``vat`` is needed, else
        :class:`ValueError`. Raises :class:`BureauError` when the bureau cannot
        answer.
        """
        # Blank fields come straight from partner forms: treat them as absent.
        country = (country or "").strip().upper()
        registration = (registration or "").strip() or None
        vat = (vat or "").strip() or None
        if not country:
            raise ValueError("a country is needed to look a company up")
        if not registration and not vat:
            raise ValueError("a registration or VAT number is needed")
        return self._lookup(country, registration, vat)

    @abc.abstractmethod
    def _lookup(self, country, registration, vat):
        """Do the lookup; arguments already checked and normalised."""


class CreditsafeClient(BureauClient):
    """Client of Creditsafe's Connect API (or anything speaking its protocol).

    ``base_url`` is e.g. :data:`CREDITSAFE_LIVE_URL`. The token is fetched on
    the first call and kept; a call refused with 401 (the token expired)
    re-authenticates once and is repeated. Timeouts, connection errors and 5xx
    answers are retried ``retries`` more times, waiting ``backoff``, then
    ``2 * backoff``, ``4 * backoff``... seconds (through ``sleep``, injectable
    for tests); 4xx answers are never retried, they would fail again.

    Not thread-safe (it keeps a token and a session): use one per thread.
    """

    def __init__(
        self,
        base_url,
        username,
        password,
        timeout=10.0,
        retries=2,
        backoff=0.5,
        session=None,
        sleep=time.sleep,
    ):
        self.base_url = base_url.rstrip("/")
        self.username = username
        self.password = password
        self.timeout = timeout
        self.retries = retries
        self.backoff = backoff
        self.sleep = sleep
        self._own_session = session is None
        self.session = requests.Session() if session is None else session
        self._token = None

    def __repr__(self):
        # No password in logs or tracebacks.
        return f"<{type(self).__name__} {self.base_url} user={self.username!r}>"

    def __enter__(self):
        return self

    def __exit__(self, *exc_info):
        self.close()

    def close(self):
        """Close the HTTP session, if the client opened it itself."""
        if self._own_session:
            self.session.close()

    # -- public calls ------------------------------------------------------

    def authenticate(self):
        """Fetch a fresh token and keep it; return it.

        Called on demand by :meth:`lookup`; callable alone to check
        credentials (e.g. a "test connection" button). Raises
        :class:`BureauError` (:data:`BAD_CREDENTIALS` when refused).
        """
        self._token = None
        response = self._send(
            "POST",
            "/authenticate",
            json={"username": self.username, "password": self.password},
        )
        if response.status_code in (401, 403) and not _is_quota(response):
            raise BureauError(
                BAD_CREDENTIALS,
                f"The credit bureau refused the credentials of {self.username!r}"
                f" (HTTP {response.status_code}): {_error_message(response)}",
                response.status_code,
            )
        # A 404 here is a wrong base URL, not a missing company.
        data = self._json(response, "authentication", not_found=False)
        token = data.get("token") if isinstance(data, dict) else None
        if not isinstance(token, str) or not token:
            raise BureauError(
                BAD_RESPONSE, "The credit bureau's authentication gave no token"
            )
        self._token = token
        return token

    def _lookup(self, country, registration, vat):
        company = self.search(country, registration, vat)
        return self.report(company["id"], fallback_name=company.get("name"))

    def search(self, country, registration=None, vat=None):
        """Return the first company found, as the bureau's JSON dict.

        The registration number is preferred over the VAT number: it names
        one legal entity, where a VAT number may be shared (VAT groups) or
        missing from the bureau's records. Raises :class:`BureauError` with
        code :data:`NOT_FOUND` when nothing matches.
        """
        params = {"countries": country.upper()}
        if registration:
            params["regNo"] = registration
        elif vat:
            params["vatNo"] = vat
        else:
            raise ValueError("a registration or VAT number is needed")
        data = self._json(self._call("GET", "/companies", params=params), "search")
        companies = data.get("companies") if isinstance(data, dict) else None
        if not isinstance(companies, list):
            raise BureauError(BAD_RESPONSE, "The company search gave no company list")
        if not companies or data.get("totalSize") == 0:
            number = registration or vat
            raise BureauError(
                NOT_FOUND, f"No company {number!r} in {params['countries']}"
            )
        company = companies[0]
        if not isinstance(company, dict) or not company.get("id"):
            raise BureauError(BAD_RESPONSE, "The company search gave a company no id")
        return company

    def report(self, company_id, fallback_name=None):
        """Return the :class:`CreditReport` of a company by the bureau's id."""
        # The id goes in the path: quote everything, "/" included.
        path = "/companies/" + quote(str(company_id), safe="")
        data = self._json(self._call("GET", path), "report")
        try:
            return _parse_report(data, company_id, fallback_name)
        except (KeyError, TypeError, AttributeError) as exc:
            raise BureauError(
                BAD_RESPONSE,
                f"The credit report of {company_id!r} is malformed"
                f" ({type(exc).__name__}: {exc})",
            ) from exc

    # -- transport -----------------------------------------------------------

    def _call(self, method, path, **kwargs):
        """Send an authenticated request; re-authenticate once on a 401."""
        if self._token is None:
            self.authenticate()
        response = self._send(method, path, headers=self._auth_headers(), **kwargs)
        if response.status_code == 401:
            # Tokens expire after a while: get a new one and retry, once.
            _logger.info("Credit bureau token refused, authenticating again")
            self.authenticate()
            response = self._send(method, path, headers=self._auth_headers(), **kwargs)
            if response.status_code == 401:
                self._token = None
                raise BureauError(
                    BAD_CREDENTIALS,
                    "The credit bureau refused a fresh token: "
                    + _error_message(response),
                    401,
                )
        return response

    def _auth_headers(self):
        return {"Authorization": f"Bearer {self._token}", "Accept": "application/json"}

    def _send(self, method, path, **kwargs):
        """Send a request, retrying transport failures and 5xx answers.

        Returns the response of any status below 500; raises TIMEOUT or
        UNAVAILABLE once the retries are spent.
        """
        url = self.base_url + path
        attempts = max(self.retries, 0) + 1
        for attempt in range(attempts):
            if attempt:
                self.sleep(self.backoff * 2 ** (attempt - 1))
            try:
                response = self.session.request(
                    method, url, timeout=self.timeout, **kwargs
                )
            except requests.RequestException as exc:
                # Only transport trouble is worth another try; anything else
                # (an invalid URL, a redirect loop...) would fail the same way.
                if not isinstance(exc, (requests.Timeout, requests.ConnectionError)):
                    raise BureauError(
                        UNAVAILABLE, f"Cannot reach the credit bureau: {exc}"
                    ) from exc
                error = _transport_error(exc, attempts, self.timeout)
                _logger.warning(
                    "Credit bureau %s %s, attempt %d/%d: %s",
                    method,
                    path,
                    attempt + 1,
                    attempts,
                    exc,
                )
                if attempt + 1 == attempts:
                    raise error from exc
                continue
            if response.status_code < 500:
                return response
            _logger.warning(
                "Credit bureau %s %s, attempt %d/%d: HTTP %d",
                method,
                path,
                attempt + 1,
                attempts,
                response.status_code,
            )
            if attempt + 1 == attempts:
                raise BureauError(
                    UNAVAILABLE,
                    f"The credit bureau is unavailable (HTTP {response.status_code}"
                    f" after {attempts} attempts): {_error_message(response)}",
                    response.status_code,
                )
        raise AssertionError("unreachable: the last attempt returns or raises")

    def _json(self, response, what, not_found=True):
        """Check the status of a (non-5xx) answer and return its JSON body."""
        status = response.status_code
        if status == 429 or (status == 403 and _is_quota(response)):
            raise BureauError(
                QUOTA,
                f"The credit bureau's quota is exhausted: {_error_message(response)}",
                status,
            )
        if status == 403:
            # Authenticated but not allowed: the account lacks this service or
            # country, which the user fixes with the bureau, like credentials.
            raise BureauError(
                BAD_CREDENTIALS,
                f"The credit bureau denied the {what}: {_error_message(response)}",
                status,
            )
        if status == 404 and not_found:
            raise BureauError(NOT_FOUND, f"The credit bureau found no {what}", status)
        if not 200 <= status < 300:
            raise BureauError(
                BAD_RESPONSE,
                f"Unexpected answer to the {what} (HTTP {status}): "
                + _error_message(response),
                status,
            )
        try:
            return response.json()
        except ValueError as exc:
            raise BureauError(
                BAD_RESPONSE, f"The {what} answer is not JSON: {exc}", status
            ) from exc


def _transport_error(exc, attempts, timeout):
    """The BureauError of a timeout or connection error."""
    # A read timeout while the body is being read surfaces from requests as a
    # ConnectionError wrapping urllib3's ReadTimeoutError: still a timeout.
    wrapped = exc.args[0] if exc.args else None
    if isinstance(exc, requests.Timeout) or isinstance(
        wrapped, urllib3.exceptions.TimeoutError
    ):
        return BureauError(
            TIMEOUT,
            f"The credit bureau did not answer within {timeout} s"
            f" ({attempts} attempts)",
        )
    return BureauError(
        UNAVAILABLE,
        f"Cannot reach the credit bureau ({attempts} attempts): {exc}",
    )


def _error_message(response):
    """The bureau's own error message, or the start of the body."""
    try:
        data = response.json()
    except ValueError:
        data = None
    if isinstance(data, dict):
        parts = [str(data[key]) for key in ("message", "details") if data.get(key)]
        if parts:
            return " - ".join(parts)
    return (response.text or response.reason or "").strip()[:200]


def _is_quota(response):
    # Creditsafe answers 403 for several reasons; only its message tells an
    # exhausted quota (the user waits or buys more) from a denied service.
    return "quota" in _error_message(response).lower()


def _parse_report(data, company_id, fallback_name):
    """Build a CreditReport from the report JSON; KeyError if a key misses."""
    report = data["report"]
    rating = report["creditScore"]["currentCreditRating"]
    common = rating["commonValue"]
    if not isinstance(common, str) or not common:
        raise KeyError("commonValue")
    name = (report.get("companySummary") or {}).get("businessName") or fallback_name
    if not name:
        raise KeyError("businessName")
    limit = rating.get("creditLimit") or {}
    return CreditReport(
        provider_id=str(report.get("companyId") or company_id),
        name=name,
        rating=common,
        description=rating.get("commonDescription") or "",
        score=_normalised_score(rating.get("providerValue")),
        limit=_number(limit.get("value")),
        currency=limit.get("currency") or None,
    )


def _normalised_score(provider_value):
    """The provider's score on 0..100, or None if it has no numeric one."""
    if not provider_value:
        return None
    value = _number(provider_value.get("value"))
    low = _number(provider_value.get("minValue"))
    high = _number(provider_value.get("maxValue"))
    if value is None or low is None or high is None or high <= low:
        return None
    # Clamped: a value off its own scale must not push the score past 0..100.
    return min(100.0, max(0.0, (value - low) / (high - low) * 100))


def _number(value):
    """A float from the bureau's string figures; None if absent or not one.

    Figures arrive as strings ("50000"); some local providers score with
    letters, which leaves the common rating meaningful, so a figure that is
    not a number is dropped rather than failing the whole report.
    """
    if value is None or isinstance(value, bool):
        return None
    try:
        number = float(str(value).strip())
    except ValueError:
        return None
    return number if math.isfinite(number) else None
