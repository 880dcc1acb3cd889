"""Steps of the web journeys of issue 8 (profiles, Rp0 claims, forms that keep what was typed),
as a browser would take them through the Flask test client: sign in, read a page, post a form
with its CSRF token."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from io import BytesIO

from pypdf import PdfReader
from werkzeug.datastructures import FileStorage, MultiDict
from werkzeug.test import encode_multipart

from tests.conftest import csrf_token, login

_CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


def sign_in_as(client, email: str) -> None:
    """Sign out whoever is signed in, then sign in as ``email``."""
    signed_in = _CSRF.search(client.get("/katalog").get_data(as_text=True))
    if signed_in:
        client.post("/keluar", data={"csrf_token": signed_in.group(1)})
    assert login(client, email).status_code == 302


def send(client, path: str, *, follow: bool = False, **data):
    """Post a form (multipart, as the pages send files) with the session's CSRF token; a file is
    given as ``(bytes, filename)``."""
    # Encoded here in memory: the test client would spool a body over 500 kB to a temporary file
    # it never closes, and the warning would surface in whichever later test collects it.
    fields = {name: FileStorage(BytesIO(value[0]), value[1]) if isinstance(value, tuple) else value
              for name, value in data.items()}
    boundary, body = encode_multipart(dict(fields, csrf_token=csrf_token(client, "/katalog")))
    return client.post(path, data=body, content_type=f"multipart/form-data; boundary={boundary}",
                       follow_redirects=follow)


def text_of(response) -> str:
    return response.get_data(as_text=True)


def page(client, path: str) -> str:
    response = client.get(path)
    assert response.status_code == 200, (path, response.status_code)
    return text_of(response)


def order_version(html: str) -> str:
    return re.search(r'name="version" value="(\d+)"', html).group(1)


class _ElementText(HTMLParser):
    VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}

    def __init__(self, element_id: str):
        super().__init__(convert_charrefs=True)
        self.element_id, self.depth, self.found, self.parts = element_id, 0, False, []

    def handle_starttag(self, tag, attrs):
        if self.depth:
            self.depth += tag not in self.VOID
        elif dict(attrs).get("id") == self.element_id and not self.found:
            self.found, self.depth = True, 1

    def handle_endtag(self, tag):
        if self.depth:
            self.depth -= 1

    def handle_data(self, data):
        if self.depth:
            self.parts.append(data)


def element_text(html: str, element_id: str) -> str:
    """The text inside the element with ``element_id`` (tags removed, spaces collapsed)."""
    reader = _ElementText(element_id)
    reader.feed(html)
    assert reader.found, f"no element #{element_id}"
    return " ".join(" ".join(reader.parts).split())


def pdf_text(data: bytes) -> str:
    return " ".join(" ".join(p.extract_text() for p in PdfReader(BytesIO(data)).pages).split())


class _FormReader(HTMLParser):
    """The fields a browser would send from one form: hidden and text inputs, ticked boxes and
    radios, selected options, textareas; inputs outside it that name it with ``form=``."""

    def __init__(self, form_id: str):
        super().__init__(convert_charrefs=True)
        self.form_id, self.inside, self.action, self.method = form_id, False, None, "get"
        self.fields: list[tuple[str, str]] = []
        self._select, self._textarea, self._text = None, None, ""

    def _owned(self, attrs: dict) -> bool:
        return attrs.get("form") == self.form_id or (self.inside and "form" not in attrs)

    def handle_starttag(self, tag, attrs):
        attrs = {k: (v if v is not None else "") for k, v in attrs}
        if tag == "form" and attrs.get("id") == self.form_id:
            self.inside, self.action, self.method = True, attrs.get("action"), attrs.get("method", "get").lower()
        elif tag == "input" and self._owned(attrs) and "name" in attrs and "disabled" not in attrs:
            kind = attrs.get("type", "text")
            if kind in ("checkbox", "radio"):
                if "checked" in attrs:
                    self.fields.append((attrs["name"], attrs.get("value", "on")))
            elif kind not in ("submit", "button", "file", "image", "reset"):
                self.fields.append((attrs["name"], attrs.get("value", "")))
        elif tag == "select" and self._owned(attrs):
            self._select = attrs.get("name")
        elif tag == "option" and self._select and "selected" in attrs:
            self.fields.append((self._select, attrs.get("value", "")))
        elif tag == "textarea" and self._owned(attrs):
            self._textarea, self._text = attrs.get("name"), ""

    def handle_data(self, data):
        if self._textarea:
            self._text += data

    def handle_endtag(self, tag):
        if tag == "form" and self.inside:
            self.inside = False
        elif tag == "select":
            self._select = None
        elif tag == "textarea" and self._textarea:
            self.fields.append((self._textarea, self._text))
            self._textarea = None


def read_form(html: str, form_id: str) -> tuple[str, str, list[tuple[str, str]]]:
    """``(method, action, fields)`` of the form ``form_id`` as the page shows it now."""
    reader = _FormReader(form_id)
    reader.feed(html)
    assert reader.action is not None, f"no form #{form_id}"
    return reader.method, reader.action, reader.fields


def submit_form(client, html: str, form_id: str, *, tick: dict | None = None, untick: tuple = (),
                button: tuple[str, str] | None = None, follow: bool = True):
    """Submit form ``form_id`` as a browser without JavaScript would, after ticking (setting)
    the fields in ``tick`` and clearing those named in ``untick``, pressing ``button`` (name, value)."""
    method, action, fields = read_form(html, form_id)
    fields = [(name, value) for name, value in fields if name not in untick and name not in (tick or {})]
    for name, value in (tick or {}).items():
        fields += [(name, v) for v in (value if isinstance(value, list) else [value])]
    if button:
        fields.append(button)
    data = MultiDict(fields)
    if method == "post":
        return client.post(action, data=data, follow_redirects=follow)
    return client.get(action, query_string=data, follow_redirects=follow)
