"""A local fake of a Creditsafe Connect style credit bureau, for tests.

:class:`FakeBureau` serves the protocol that
:class:`credit_control.engine.bureau.CreditsafeClient` speaks, on 127.0.0.1
and a free port, so that no test reaches the internet::

    with FakeBureau() as fake:
        company_id = fake.add_company("FR", "123456789")
        client = CreditsafeClient(fake.url, "user", "secret")
        client.lookup("FR", registration="123456789")

Switches simulate the bureau's failures (:meth:`~FakeBureau.fail_next`,
:meth:`~FakeBureau.delay_next`, :meth:`~FakeBureau.expire_tokens`,
:attr:`~FakeBureau.quota_exhausted`) and :attr:`~FakeBureau.requests` records
what the client sent.

Plain Python without Odoo and without side effect at import, so that both the
plain tests (which load this file by path) and the Odoo tests can use it.
"""

import base64
import itertools
import json
import sys
import threading
from dataclasses import dataclass, field
from http import HTTPStatus
from http.client import responses
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, unquote, urlsplit


@dataclass(frozen=True)
class Request:
    """One request received: ``query`` maps each parameter to its (last)
    value, ``body`` is the decoded JSON body (``None`` if none or not JSON)."""

    method: str
    path: str
    query: dict = field(default_factory=dict)
    headers: dict = field(default_factory=dict)
    body: object = None


class FakeBureau:
    """A fake credit bureau on a local HTTP server; a context manager.

    ``url`` is the base URL to give the client (it ends with ``prefix``, like
    Creditsafe's ``/v1``). ``companies`` maps ``(country, "regNo", number)``
    and ``(country, "vatNo", number)`` to the search entry of a company,
    ``reports`` maps a company id to its report JSON; :meth:`add_company`
    fills both, tests may edit them directly. Paths in :attr:`requests` are
    relative to the prefix (``/authenticate``); a request outside it is
    recorded with its full path and answered 404.

    Valid credentials are ``username`` / ``password``; each authentication
    issues a new token, all valid until :meth:`expire_tokens`. With
    :attr:`quota_exhausted` set, the company endpoints answer 429 (the
    authentication still works, as the quota counts searches and reports).
    """

    def __init__(self, username="user", password="secret", prefix="/v1"):
        self.username = username
        self.password = password
        self.prefix = prefix.rstrip("/")
        self.companies = {}
        self.reports = {}
        self.requests = []
        self.quota_exhausted = False
        self.tokens = set()
        self._failures = []  # [path prefix or None, status, body, times left]
        self._delays = []  # [seconds, times left]
        self._serial = itertools.count(1)
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        self._server = None
        self._thread = None
        self.url = None

    # -- life cycle --------------------------------------------------------

    def start(self):
        """Start serving on a free port of 127.0.0.1; return ``self``."""
        self._stopping.clear()
        self._server = _Server(("127.0.0.1", 0), _handler_class(self))
        host, port = self._server.server_address[:2]
        self.url = f"http://{host}:{port}{self.prefix}"
        self._thread = threading.Thread(
            target=self._server.serve_forever,
            kwargs={"poll_interval": 0.01},  # a quick stop() between tests
            name="fake-bureau",
            daemon=True,
        )
        self._thread.start()
        return self

    def stop(self):
        """Stop serving and free the port."""
        if self._server is None:
            return
        self._stopping.set()  # wakes handlers sleeping in delay_next
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)
        self._server = self._thread = None

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc_info):
        self.stop()

    # -- data ----------------------------------------------------------------

    def add_company(
        self,
        country="FR",
        reg_no="123456789",
        vat_no="FR40123456789",
        name="Acme SARL",
        rating="A",
        description="Very Low Risk",
        score=85,
        limit=50000,
        currency="EUR",
        *,
        company_id=None,
        score_range=(1, 100),
    ):
        """Add a company findable by ``reg_no`` and ``vat_no``; return its id.

        Figures are served as strings, as Creditsafe does; ``score`` and
        ``limit`` may be ``None`` (the report then has no such block), and so
        may ``reg_no`` or ``vat_no`` (not searchable that way).
        """
        country = country.upper()
        company_id = company_id or f"{country}-X-{reg_no or vat_no}"
        entry = {
            "id": company_id,
            "name": name,
            "regNo": reg_no,
            "vatNo": vat_no,
            "country": country,
        }
        rating_json = {"commonValue": rating, "commonDescription": description}
        if limit is not None:
            rating_json["creditLimit"] = {"value": str(limit), "currency": currency}
        if score is not None:
            rating_json["providerValue"] = {
                "value": str(score),
                "maxValue": str(score_range[1]),
                "minValue": str(score_range[0]),
            }
        with self._lock:
            if reg_no:
                self.companies[(country, "regNo", reg_no)] = entry
            if vat_no:
                self.companies[(country, "vatNo", vat_no)] = entry
            self.reports[company_id] = {
                "report": {
                    "companyId": company_id,
                    "companySummary": {"businessName": name, "country": country},
                    "creditScore": {"currentCreditRating": rating_json},
                }
            }
        return company_id

    # -- failure switches ------------------------------------------------------

    def fail_next(self, status, times=1, body=None, *, path=None):
        """Answer the next ``times`` requests with ``status`` and ``body``.

        ``body``: a dict or list (sent as JSON), a str or bytes (sent as is,
        e.g. broken JSON), or ``None`` for ``{"message": <reason>}``. With
        ``path`` (relative to the prefix, e.g. ``"/companies"``), only the
        requests whose path starts with it count.
        """
        with self._lock:
            self._failures.append([path, status, body, times])

    def delay_next(self, seconds, times=1):
        """Wait ``seconds`` before answering the next ``times`` requests."""
        with self._lock:
            self._delays.append([seconds, times])

    def expire_tokens(self):
        """Make every token issued so far invalid (answered with 401)."""
        with self._lock:
            self.tokens.clear()

    def paths(self, method=None):
        """The paths requested so far, in order (of ``method`` only if given)."""
        return [r.path for r in self.requests if method in (None, r.method)]

    # -- protocol ----------------------------------------------------------------

    def _take_delay(self):
        with self._lock:
            for delay in self._delays:
                if delay[1] > 0:
                    delay[1] -= 1
                    return delay[0]
        return 0

    def _take_failure(self, path):
        with self._lock:
            for failure in self._failures:
                prefix, status, body, times = failure
                if times > 0 and (prefix is None or path.startswith(prefix)):
                    failure[3] -= 1
                    return status, body
        return None

    def _new_token(self):
        # JWT-shaped (header.payload.signature) but signed by nobody.
        def encode(data):
            raw = json.dumps(data).encode()
            return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()

        serial = next(self._serial)
        token = ".".join(
            [
                encode({"alg": "HS256", "typ": "JWT"}),
                encode({"sub": self.username, "jti": serial}),
                f"fake-signature-{serial}",
            ]
        )
        with self._lock:
            self.tokens.add(token)
        return token

    def _answer(self, request):
        """Answer a recorded request: return ``(status, body)``."""
        delay = self._take_delay()
        if delay:
            self._stopping.wait(delay)
        failure = self._take_failure(request.path)
        if failure:
            return failure
        if request.path == "/authenticate":
            if request.method != "POST":
                return HTTPStatus.METHOD_NOT_ALLOWED, None
            body = request.body if isinstance(request.body, dict) else {}
            if (body.get("username"), body.get("password")) != (
                self.username,
                self.password,
            ):
                return HTTPStatus.UNAUTHORIZED, {"message": "Invalid credentials"}
            return HTTPStatus.OK, {"token": self._new_token()}
        if request.path != "/companies" and not request.path.startswith("/companies/"):
            return HTTPStatus.NOT_FOUND, {"message": "Resource not found"}
        if request.method != "GET":
            return HTTPStatus.METHOD_NOT_ALLOWED, None
        authorization = request.headers.get("Authorization", "")
        with self._lock:
            valid = authorization.startswith("Bearer ") and (
                authorization[len("Bearer ") :] in self.tokens
            )
        if not valid:
            return HTTPStatus.UNAUTHORIZED, {"message": "Invalid or expired token"}
        if self.quota_exhausted:
            return HTTPStatus.TOO_MANY_REQUESTS, {"message": "Quota exceeded"}
        if request.path == "/companies":
            return self._search(request.query)
        company_id = unquote(request.path[len("/companies/") :])
        with self._lock:
            report = self.reports.get(company_id)
        if report is None:
            return HTTPStatus.NOT_FOUND, {"message": f"Company {company_id} not found"}
        return HTTPStatus.OK, report

    def _search(self, query):
        countries = query.get("countries", "").upper().replace(" ", "").split(",")
        countries = [country for country in countries if country]
        keys = [key for key in ("regNo", "vatNo") if query.get(key)]
        if not countries or not keys:
            return HTTPStatus.BAD_REQUEST, {
                "message": "countries and regNo or vatNo are required"
            }
        found = []
        with self._lock:
            for country in countries:
                entry = self.companies.get((country, keys[0], query[keys[0]]))
                if entry is not None:
                    found.append(dict(entry))
        return HTTPStatus.OK, {"totalSize": len(found), "companies": found}


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request, client_address):
        # A client that gave up (timeout) closes its socket before a delayed
        # answer: that is expected, not worth a traceback in the test output.
        if isinstance(sys.exc_info()[1], ConnectionError):
            return
        super().handle_error(request, client_address)


def _handler_class(bureau):
    class Handler(BaseHTTPRequestHandler):
        server_version = "FakeBureau/1.0"

        def log_message(self, *args):
            pass  # quiet: the tests assert on bureau.requests instead

        def _serve(self):
            split = urlsplit(self.path)
            path = split.path
            inside = path.startswith(bureau.prefix + "/")
            if inside:
                path = path[len(bureau.prefix) :]
            query = {k: v[-1] for k, v in parse_qs(split.query).items()}
            length = int(self.headers.get("Content-Length") or 0)
            raw = self.rfile.read(length) if length else b""
            try:
                body = json.loads(raw) if raw else None
            except ValueError:
                body = None
            request = Request(self.command, path, query, dict(self.headers), body)
            with bureau._lock:
                bureau.requests.append(request)
            if inside:
                status, answer = bureau._answer(request)
            else:  # a client that lost the prefix gets what a real server says
                status, answer = HTTPStatus.NOT_FOUND, None
            if answer is None:
                answer = {"message": responses.get(int(status), "Error")}
            if isinstance(answer, (dict, list)):
                answer = json.dumps(answer)
            if isinstance(answer, str):
                answer = answer.encode()
            self.send_response(int(status))
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(answer)))
            self.end_headers()
            self.wfile.write(answer)

        do_GET = do_POST = do_PUT = do_DELETE = _serve

    return Handler
