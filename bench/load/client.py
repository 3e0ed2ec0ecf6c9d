"""What a browser does for a simulated user: keep cookies, fill in forms as the page sends them, time each request.

No Django here: the load generator runs in its own process and only speaks HTTP to gunicorn.
"""

import asyncio
import base64
import hashlib
import hmac
import struct
import time
from dataclasses import dataclass, field
from html.parser import HTMLParser

import aiohttp

REQUEST_TIMEOUT = aiohttp.ClientTimeout(total=60)


def totp_code(secret: str, at: float | None = None) -> str:
    """RFC 6238, as an authenticator app computes it: 6 digits, 30-second steps, SHA-1."""
    key = base64.b32decode(secret)
    counter = int((time.time() if at is None else at) // 30)
    digest = hmac.new(key, struct.pack(">Q", counter), hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    value = struct.unpack(">I", digest[offset : offset + 4])[0] & 0x7FFFFFFF
    return f"{value % 1_000_000:06d}"


@dataclass
class Form:
    action: str
    method: str
    fields: dict[str, str] = field(default_factory=dict)
    choices: dict[str, list[str]] = field(default_factory=dict)  # radios and selects: the values offered
    texts: list[str] = field(default_factory=list)  # textareas and text inputs, to be typed into


class _FormParser(HTMLParser):
    """Every <form> on a page with what a browser would send: hidden and pre-filled values, ticked boxes, the
    selected options, and the choices a person could make."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.forms: list[Form] = []
        self._select: str | None = None
        self._textarea: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {name: value or "" for name, value in attrs}
        if tag == "form":
            self.forms.append(Form(values.get("action", ""), values.get("method", "get").lower()))
        elif not self.forms:
            return
        elif tag == "input":
            self._input(self.forms[-1], values)
        elif tag == "textarea" and values.get("name"):
            self._textarea = values["name"]
            self.forms[-1].fields[values["name"]] = ""
            self.forms[-1].texts.append(values["name"])
        elif tag == "select" and values.get("name"):
            self._select = values["name"]
            self.forms[-1].choices.setdefault(values["name"], [])
        elif tag == "option" and self._select:
            self._option(self.forms[-1], self._select, values)

    def handle_endtag(self, tag: str) -> None:
        if tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None

    def handle_data(self, data: str) -> None:
        if self._textarea and self.forms:
            self.forms[-1].fields[self._textarea] += data

    @staticmethod
    def _input(form: Form, values: dict[str, str]) -> None:
        name, kind = values.get("name"), values.get("type", "text")
        if not name or kind in {"submit", "button", "file"}:
            return
        if kind in {"radio", "checkbox"}:
            form.choices.setdefault(name, []).append(values.get("value", "on"))
            if "checked" in values:
                form.fields[name] = values.get("value", "on")
            return
        form.fields[name] = values.get("value", "")
        if kind in {"text", "search"}:
            form.texts.append(name)

    @staticmethod
    def _option(form: Form, select: str, values: dict[str, str]) -> None:
        value = values.get("value", "")
        if value:
            form.choices[select].append(value)
        if "selected" in values:
            form.fields[select] = value


def forms_in(html: str) -> list[Form]:
    parser = _FormParser()
    parser.feed(html)
    return parser.forms


def post_form(html: str, *, containing: str) -> Form:
    """The page's POST form that has a field named `containing`."""
    for form in forms_in(html):
        if form.method == "post" and (containing in form.fields or containing in form.choices):
            return form
    raise LookupError(f"no form with a field {containing!r} on the page")


@dataclass
class Sample:
    kind: str
    started: float
    seconds: float
    status: int  # 0 when the request failed before an answer
    ok: bool
    error: str = ""


@dataclass
class Browser:
    """One person's browser: its own cookies, one connection at a time, every request recorded."""

    base: str
    samples: list[Sample]
    session: aiohttp.ClientSession = field(init=False)
    last_location: str = ""  # where the last answer redirected to

    def __post_init__(self) -> None:
        # unsafe=True: keep cookies for an IP address (127.0.0.1), as a browser does.
        self.session = aiohttp.ClientSession(
            cookie_jar=aiohttp.CookieJar(unsafe=True), timeout=REQUEST_TIMEOUT, raise_for_status=False
        )

    async def close(self) -> None:
        await self.session.close()

    async def get(self, kind: str, path: str, *, expect: int = 200, record: bool = True) -> str:
        return await self._request(kind, "GET", path, None, expect, record)

    async def post(self, kind: str, path: str, data: dict[str, str], *, expect: int = 302, record: bool = True) -> str:
        return await self._request(kind, "POST", path, data, expect, record)

    async def _request(
        self, kind: str, method: str, path: str, data: dict[str, str] | None, expect: int, record: bool
    ) -> str:
        started = time.monotonic()
        status, body, error = 0, "", ""
        try:
            async with self.session.request(
                method, self.base + path, data=data, allow_redirects=False, headers={"Referer": self.base + path}
            ) as response:
                status = response.status
                body = await response.text()
                location = response.headers.get("Location", "")
        except (TimeoutError, aiohttp.ClientError) as failure:
            error, location = type(failure).__name__, ""
        seconds = time.monotonic() - started
        ok = status == expect
        if not ok and not error:
            error = f"{method} {kind}: {status} (expected {expect}){' to ' + location if location else ''}"
        if record:
            self.samples.append(Sample(kind, started, seconds, status, ok, error))
        self.last_location = location
        return body


async def sign_in(browser: Browser, *, email: str, password: str, totp_secret: str) -> None:
    """Through allauth's pages, as a person does: the password, then the authenticator's code."""
    page = await browser.get("sign-in", "/accounts/login/", record=False)
    form = post_form(page, containing="login")
    await browser.post(
        "sign-in", "/accounts/login/", {**form.fields, "login": email, "password": password}, record=False
    )
    if not browser.last_location.endswith("/accounts/2fa/authenticate/"):
        raise RuntimeError(f"signing in {email} did not ask for the authenticator code")
    for _ in range(3):  # a busy server may check the code in the next 30-second step: wait for a fresh one
        if 30 - time.time() % 30 < 5:
            await asyncio.sleep(30 - time.time() % 30 + 0.5)
        page = await browser.get("sign-in", "/accounts/2fa/authenticate/", record=False)
        form = post_form(page, containing="code")
        code = {**form.fields, "code": totp_code(totp_secret)}
        await browser.post("sign-in", "/accounts/2fa/authenticate/", code, record=False)
        if browser.last_location and "/accounts/" not in browser.last_location:
            return
        await asyncio.sleep(30 - time.time() % 30 + 0.5)
    raise RuntimeError(f"the authenticator code for {email} was refused three times")
