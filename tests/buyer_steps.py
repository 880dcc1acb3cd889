"""Steps of the web journeys of issue 8 (profiles, Rp0 claims, forms that keep what was typed),
as a browser would take them through the Flask test client: sign in, read a page, post a form
with its CSRF token."""

from __future__ import annotations

import re
from io import BytesIO

from pypdf import PdfReader

from tests.conftest import csrf_token, login

_CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


def sign_in_as(client, email: str) -> None:
    """Sign out whoever is signed in, then sign in as ``email``."""
    signed_in = _CSRF.search(client.get("/katalog").get_data(as_text=True))
    if signed_in:
        client.post("/keluar", data={"csrf_token": signed_in.group(1)})
    assert login(client, email).status_code == 302


def send(client, path: str, *, follow: bool = False, **data):
    """Post a form (multipart, as the pages send files) with the session's CSRF token."""
    return client.post(path, data=dict(data, csrf_token=csrf_token(client, "/katalog")),
                       content_type="multipart/form-data", follow_redirects=follow)


def text_of(response) -> str:
    return response.get_data(as_text=True)


def page(client, path: str) -> str:
    response = client.get(path)
    assert response.status_code == 200, (path, response.status_code)
    return text_of(response)


def order_version(html: str) -> str:
    return re.search(r'name="version" value="(\d+)"', html).group(1)


def element_text(html: str, element_id: str) -> str:
    """The text inside the element with ``element_id`` (tags removed, spaces collapsed)."""
    match = re.search(rf'id="{element_id}"[^>]*>(.*?)</(p|td|th|span|article|section|div|ul|strong|li)>',
                      html, re.DOTALL)
    assert match, f"no element #{element_id}"
    return " ".join(re.sub(r"<[^>]+>", " ", match.group(1)).split())


def pdf_text(data: bytes) -> str:
    return " ".join(" ".join(p.extract_text() for p in PdfReader(BytesIO(data)).pages).split())
