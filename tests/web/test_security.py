"""Issue 9 through HTTP: cookies, sessions that end, registration that reveals nobody, rate
limits and lockout, security headers, bounded numbers and short echoes."""

import logging
import re
import shutil

import pytest
from flask_login.utils import encode_cookie
from sqlalchemy import select

from sales_service import create_app
from sales_service.accounts.models import User
from sales_service.config import load_settings
from sales_service.headers import CONTENT_SECURITY_POLICY
from sales_service.roles import Role
from tests.conftest import csrf_token, login, web_config
from tests.factories import PASSWORD, make_buyer, make_publication, make_staff

NEW_PASSWORD = "mangga golek dari Cirebon"


def make_app(tmp_path, template_db, **overrides):
    database = tmp_path / "own.db"
    shutil.copyfile(template_db, database)
    return create_app(dict(web_config(tmp_path, database), **overrides))


# -- 1. cookies ------------------------------------------------------------------------------------

def _set_cookie(response, name):
    return next(h for h in response.headers.getlist("Set-Cookie") if h.startswith(name + "="))


def test_session_cookie_is_httponly_samesite_lax_and_secure_by_default(tmp_path, template_db):
    app = make_app(tmp_path, template_db, SESSION_COOKIE_SECURE=True)
    session = app.extensions["sales_db"]["sessionmaker"]()
    make_buyer(session, email="ani@example.test")
    session.commit()
    session.close()
    client = app.test_client()
    cookie = _set_cookie(login(client, "ani@example.test"), "session")
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Secure" in cookie
    assert app.config["REMEMBER_COOKIE_SECURE"] is True
    assert app.config["REMEMBER_COOKIE_HTTPONLY"] is True
    assert app.config["REMEMBER_COOKIE_SAMESITE"] == "Lax"
    app.extensions["sales_db"]["engine"].dispose()


def test_cookie_secure_follows_the_setting():
    assert load_settings({})["SESSION_COOKIE_SECURE"] is True
    assert load_settings({"SALES_COOKIE_SECURE": "0"})["SESSION_COOKIE_SECURE"] is False


def test_over_plain_http_the_cookie_still_says_httponly_and_samesite(client, db_session):
    make_buyer(db_session, email="ani@example.test")
    db_session.commit()
    cookie = _set_cookie(login(client, "ani@example.test"), "session")
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Secure" not in cookie


# -- 2. sessions end -------------------------------------------------------------------------------

@pytest.fixture
def buyer(db_session):
    user = make_buyer(db_session, email="ani@example.test", full_name="Ani Lestari")
    db_session.commit()
    return user


def _saved_session(client) -> str:
    return client.get_cookie("session").value


def _with_session(app, value):
    other = app.test_client()
    other.set_cookie("session", value)
    return other


def test_a_session_cookie_saved_before_logout_no_longer_opens_anything(app, client, buyer):
    login(client, "ani@example.test")
    saved = _saved_session(client)
    assert _with_session(app, saved).get("/akun").status_code == 200  # the copy works while signed in

    client.post("/keluar", data={"csrf_token": csrf_token(client, "/akun")})

    replay = _with_session(app, saved)
    assert replay.get("/akun").status_code == 302
    assert replay.get("/pesanan").status_code == 302


def test_a_remember_me_cookie_from_before_logout_is_refused(app, client, buyer, db_session):
    with app.test_request_context():
        cookie = encode_cookie(buyer.get_id())
    remembered = app.test_client()
    remembered.set_cookie("remember_token", cookie)
    assert remembered.get("/akun").status_code == 200  # a valid remember-me cookie signs in

    login(client, "ani@example.test")
    client.post("/keluar", data={"csrf_token": csrf_token(client, "/akun")})

    stale = app.test_client()
    stale.set_cookie("remember_token", cookie)
    assert stale.get("/akun").status_code == 302


def test_log_out_everywhere_ends_every_session(app, client, buyer):
    login(client, "ani@example.test")
    elsewhere = app.test_client()
    login(elsewhere, "ani@example.test")

    response = client.post("/akun/keluar-semua", data={"csrf_token": csrf_token(client, "/akun")})

    assert response.status_code == 302
    assert client.get("/akun").status_code == 302
    assert elsewhere.get("/akun").status_code == 302


def test_password_change_keeps_this_session_and_ends_the_others(app, client, buyer):
    login(client, "ani@example.test")
    elsewhere = app.test_client()
    login(elsewhere, "ani@example.test")

    response = client.post("/akun", data={"current": PASSWORD, "new": NEW_PASSWORD, "repeated": NEW_PASSWORD,
                                          "csrf_token": csrf_token(client, "/akun")})

    assert response.status_code == 303
    assert "Kata sandi diganti" in client.get("/akun").get_data(as_text=True)
    assert elsewhere.get("/akun").status_code == 302
    fresh = app.test_client()
    assert login(fresh, "ani@example.test", PASSWORD).status_code == 401
    assert login(fresh, "ani@example.test", NEW_PASSWORD).status_code == 302


@pytest.mark.parametrize(("fields", "phrase"), [
    (dict(current="salah sekali ini", new=NEW_PASSWORD, repeated=NEW_PASSWORD), "Kata sandi saat ini salah."),
    (dict(current=PASSWORD, new=NEW_PASSWORD, repeated=NEW_PASSWORD + "x"), "tidak sama"),
    (dict(current=PASSWORD, new="password1", repeated="password1"), "paling sering dipakai"),
    (dict(current=PASSWORD, new="AniLestari2025", repeated="AniLestari2025"), "nama Anda"),
])
def test_password_change_refuses_with_the_reason_and_keeps_the_old_password(app, client, buyer, fields, phrase):
    login(client, "ani@example.test")
    response = client.post("/akun", data=dict(fields, csrf_token=csrf_token(client, "/akun")))
    assert response.status_code == 422
    assert phrase in response.get_data(as_text=True)
    assert login(app.test_client(), "ani@example.test", PASSWORD).status_code == 302


def test_disabling_an_account_ends_its_sessions_and_enabling_does_not_revive_them(app, client, buyer, db_session):
    make_staff(db_session, Role.ADMIN, email="admin@example.test")
    db_session.commit()
    login(client, "ani@example.test")
    saved = _saved_session(client)
    admin = app.test_client()
    login(admin, "admin@example.test")
    token = csrf_token(admin, "/admin/pengguna")

    admin.post(f"/admin/pengguna/{buyer.id}/status", data={"active": "0", "csrf_token": token})
    assert _with_session(app, saved).get("/akun").status_code == 302
    admin.post(f"/admin/pengguna/{buyer.id}/status", data={"active": "1", "csrf_token": token})
    assert _with_session(app, saved).get("/akun").status_code == 302


def test_a_session_from_before_session_generations_is_refused(app, buyer):
    """Cookies issued before migration 0003 hold a bare id: refused, the user signs in again."""
    client = app.test_client()
    with client.session_transaction() as session:
        session["_user_id"] = str(buyer.id)
        session["_fresh"] = True
    assert client.get("/akun").status_code == 302


# -- 3. registration reveals nobody; rate limits; lockout ---------------------------------------------

REGISTRATION = dict(full_name="Dewi Anggraini", password="rambutan merah di Bogor", segment="individual",
                    domicile="indonesia", institution="", phone="", npwp="")


def _register(client, email):
    return client.post("/daftar", data=dict(REGISTRATION, email=email, csrf_token=csrf_token(client, "/daftar")))


@pytest.mark.parametrize("taken", ["ani@example.test", "ADMIN@example.test"])
def test_registering_a_known_address_answers_exactly_as_a_new_one(app, buyer, db_session, caplog, taken):
    make_staff(db_session, Role.ADMIN, email="admin@example.test")
    db_session.commit()
    new_client, known_client = app.test_client(), app.test_client()

    with caplog.at_level(logging.WARNING, logger="sales_service.accounts.services"):
        new = _register(new_client, "baru@example.test")
        known = _register(known_client, taken)

    assert (new.status_code, new.headers["Location"]) == (known.status_code, known.headers["Location"])
    new_page = new_client.get(new.headers["Location"]).get_data(as_text=True)
    known_page = known_client.get(known.headers["Location"]).get_data(as_text=True)
    strip = re.compile(r'name="csrf_token"[^>]*>|"X-CSRFToken": "[^"]+"')
    assert strip.sub("", new_page) == strip.sub("", known_page)
    assert "sudah terdaftar" not in known_page and "Pendaftaran diterima" in known_page
    assert "already has an account" in caplog.text
    db_session.expire_all()
    assert db_session.scalar(select(User).where(User.email == "baru@example.test")) is not None
    assert db_session.scalar(select(User.full_name).where(User.email == taken.lower())) != "Dewi Anggraini"


def test_every_public_form_post_is_rate_limited_per_address(tmp_path, template_db):
    app = make_app(tmp_path, template_db, PUBLIC_POST_RATE_LIMIT="3 per minute")
    # The payment webhook is no form: its sender signs every request (and retries), so it is
    # exempt from the per-address limit; strangers get 401 there (tests/web/test_webhook.py).
    public_posts = [rule for rule in app.url_map.iter_rules() if "POST" in rule.methods
                    and getattr(app.view_functions[rule.endpoint], "public", False)
                    and not getattr(app.view_functions[rule.endpoint], "signed_by_sender", False)]
    assert {rule.rule for rule in public_posts} >= {"/daftar", "/masuk"}
    client = app.test_client()
    for rule in public_posts:
        if rule.arguments:
            continue  # none today; a public POST with an id would need one made here
        statuses = [client.post(rule.rule, data={"csrf_token": csrf_token(client, "/daftar")}).status_code
                    for _ in range(12)]
        assert 429 in statuses, f"{rule.rule} is not rate-limited"
    # Another address is counted apart (ProxyFix is off here, so by REMOTE_ADDR).
    other = client.post("/daftar", data={"csrf_token": csrf_token(client, "/daftar")},
                        environ_base={"REMOTE_ADDR": "198.51.100.9"})
    assert other.status_code != 429
    app.extensions["sales_db"]["engine"].dispose()


def test_ten_failed_logins_lock_the_accounts_password_login(tmp_path, template_db):
    app = make_app(tmp_path, template_db, LOGIN_RATE_LIMIT="1000 per minute")
    session = app.extensions["sales_db"]["sessionmaker"]()
    make_buyer(session, email="ani@example.test")
    session.commit()
    client = app.test_client()

    statuses = [login(client, "ani@example.test", f"tebakan salah {n}").status_code for n in range(10)]
    assert statuses == [401] * 10

    refused = login(client, "ani@example.test", PASSWORD)  # the right password, now refused
    assert refused.status_code == 401
    assert "E-mail atau kata sandi salah." in refused.get_data(as_text=True)  # tells an outsider nothing
    assert login(app.test_client(), "unknown@example.test", PASSWORD).get_data(as_text=True).count(
        "E-mail atau kata sandi salah.") == 1
    session.expire_all()
    assert session.scalar(select(User.locked_until).where(User.email == "ani@example.test")) is not None
    session.close()
    app.extensions["sales_db"]["engine"].dispose()


# -- 5. security headers ---------------------------------------------------------------------------

@pytest.mark.parametrize("path", ["/katalog", "/masuk", "/tidak-ada", "/static/app.css",
                                  "/api/v1/price?item=x&quantity=1", "/healthz"])
def test_every_response_carries_the_security_headers(client, path):
    response = client.get(path)
    response.close()  # a static file is streamed from an open file
    assert response.headers["Content-Security-Policy"] == CONTENT_SECURITY_POLICY
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "same-origin"
    assert "Strict-Transport-Security" not in response.headers  # plain http in tests


def test_the_policy_allows_no_inline_script_or_style():
    directives = dict(d.split(" ", 1) for d in CONTENT_SECURITY_POLICY.split("; "))
    assert directives["default-src"] == "'self'"
    assert directives["script-src"] == "'self'" and directives["style-src"] == "'self'"
    assert directives["object-src"] == "'none'" and directives["frame-ancestors"] == "'none'"
    assert directives["base-uri"] == "'self'" and directives["form-action"] == "'self'"


def test_hsts_is_sent_when_cookies_are_secure(tmp_path, template_db):
    app = make_app(tmp_path, template_db, SESSION_COOKIE_SECURE=True)
    response = app.test_client().get("/katalog", base_url="https://localhost")
    assert response.headers["Strict-Transport-Security"].startswith("max-age=63072000")
    app.extensions["sales_db"]["engine"].dispose()


def test_templates_hold_no_inline_script_handler_or_style():
    from sales_service.config import PROJECT_ROOT

    inline = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>|<style\b|\sstyle=|\son[a-z]+=|javascript:", re.I)
    offenders = [f"{path.name}: {match.group(0)}"
                 for path in (PROJECT_ROOT / "sales_service" / "templates").rglob("*.html")
                 for match in inline.finditer(path.read_text("utf-8"))]
    assert offenders == []
    base = (PROJECT_ROOT / "sales_service" / "templates" / "base.html").read_text("utf-8")
    assert '"includeIndicatorStyles":false' in base  # htmx would inject an inline <style>


# -- 8. no 500 on odd numbers ----------------------------------------------------------------------

ODD_NUMBERS = [str(2**63), str(2**70), "-1", "1e9", "1180591620717411303424"]


@pytest.fixture
def admin_client(app, client, db_session):
    make_staff(db_session, Role.ADMIN, email="admin@example.test")
    db_session.commit()
    login(client, "admin@example.test")
    return client


PRODUCT_FORMS = {
    "publication": dict(title="Statistik Contoh", year="2025", pages="100", language="Indonesia"),
    "microdata": dict(title="Susenas Contoh", year="2024", survey="Susenas", period="Maret 2024",
                      region_level="Kabupaten", file_format="CSV", record_count="1000",
                      full_size_bytes="16000", variables="R101;Provinsi;2\nKAPITA;Pengeluaran;14"),
    "map": dict(title="Peta Contoh", year="2024", coverage="regency", level="desa", regency_code="3310",
                regency_name="Kabupaten Klaten", file_format="Shapefile"),
}
INTEGER_FIELDS = {"publication": ["year", "pages"], "microdata": ["year", "record_count", "full_size_bytes",
                                                                  "variable width"],
                  "map": ["year"]}


@pytest.mark.parametrize("kind", list(PRODUCT_FORMS))
@pytest.mark.parametrize("number", ODD_NUMBERS)
def test_admin_product_forms_answer_odd_numbers_with_422(admin_client, db_session, kind, number):
    token = csrf_token(admin_client, "/admin/produk")
    existing = make_publication(db_session) if kind == "publication" else None
    db_session.commit()
    for field in INTEGER_FIELDS[kind]:
        data = dict(PRODUCT_FORMS[kind], csrf_token=token, active="on")
        if field == "variable width":
            data["variables"] = f"R101;Provinsi;{number}"
        else:
            data[field] = number
        created = admin_client.post(f"/admin/produk/baru/{kind}", data=data)
        assert created.status_code == 422, (field, number, created.status_code)
        assert 'role="alert"' in created.get_data(as_text=True) or "form-error" in created.get_data(as_text=True)
        if existing is not None:
            edited = admin_client.post(f"/admin/produk/{existing.id}/ubah", data=data)
            assert edited.status_code == 422, (field, number)


@pytest.mark.parametrize("number", ODD_NUMBERS)
def test_the_price_api_answers_odd_quantities_with_422(client, number):
    response = client.get(f"/api/v1/price?item=publication-print&quantity={number}")
    assert response.status_code == 422
    assert "error" in response.get_json()


@pytest.mark.parametrize("number", ODD_NUMBERS)
def test_other_integer_inputs_never_answer_500(client, db_session, number):
    buyer = make_buyer(db_session, email="ani@example.test")
    publication = make_publication(db_session)
    db_session.commit()
    assert buyer.id
    for path in (f"/katalog?hal={number}", f"/katalog?tahun={number}", f"/katalog/{publication.id}?var={number}",
                 f"/katalog/{number}", f"/pesanan/{number}"):
        assert client.get(path).status_code < 500, path
    login(client, "ani@example.test")
    token = csrf_token(client, "/katalog")
    response = client.post("/pesanan/tambah", data={"product_id": number, "var": number, "csrf_token": token})
    assert response.status_code < 500


# -- 10. echo less ---------------------------------------------------------------------------------

@pytest.mark.parametrize("parameter", ["item", "on", "quantity"])
def test_the_price_api_repeats_at_most_40_characters_of_what_was_sent(client, parameter):
    values = dict(item="publication-print", quantity="10", on="2026-01-05")
    values[parameter] = "A" * 10_000
    response = client.get("/api/v1/price", query_string=values)
    assert 400 <= response.status_code < 500
    error = response.get_json()["error"]
    assert "A" * 40 + "…" in error and "A" * 41 not in error


# -- 4. the password rule in every door --------------------------------------------------------------

def test_the_cli_and_the_admin_page_refuse_a_common_password(tmp_path, app, admin_client):
    fresh = create_app(web_config(tmp_path, tmp_path / "cli.db"))
    runner = fresh.test_cli_runner()
    runner.invoke(args=["migrate"])
    refused = runner.invoke(args=["create-user", "kasir@example.test", "--name", "Kasir", "--role", "treasurer",
                                  "--password", "password123"])
    assert refused.exit_code != 0 and "paling sering dipakai" in refused.output
    fresh.extensions["sales_db"]["engine"].dispose()

    response = admin_client.post("/admin/pengguna", data=dict(
        full_name="Petugas Baru", email="baru@example.test", password="12345678", role="officer",
        csrf_token=csrf_token(admin_client, "/admin/pengguna")))
    assert response.status_code == 422 and "paling sering dipakai" in response.get_data(as_text=True)


def test_registration_says_why_a_password_is_refused(client):
    response = client.post("/daftar", data=dict(REGISTRATION, email="dewi@example.test", password="dewi@example.test",
                                                 csrf_token=csrf_token(client, "/daftar")))
    assert response.status_code == 422
    assert "alamat e-mail atau nama Anda" in response.get_data(as_text=True)
