from tests.conftest import csrf_token, login
from tests.factories import make_buyer

FORM = dict(full_name="Dewi Anggraini", email="dewi@example.test", password="kelapa muda tujuh pohon",
            segment="private_company", domicile="indonesia", institution="PT Riset Nusantara", phone="0812")


def test_register_private_company_with_valid_npwp_logs_in(client):
    data = dict(FORM, npwp="01.234.567.8-901.000", csrf_token=csrf_token(client, "/daftar"))
    response = client.post("/daftar", data=data)
    assert response.status_code in (302, 303)
    # Registration does not sign in (it answers alike for known addresses); signing in does.
    login(client, FORM["email"], FORM["password"])
    page = client.get("/akun").get_data(as_text=True)
    assert "Dewi Anggraini" in page and "01.234.567.8-901.000" in page


def test_register_private_company_with_bad_npwp_shows_why_and_keeps_the_form(client):
    data = dict(FORM, npwp="01.234.567.8-901", csrf_token=csrf_token(client, "/daftar"))
    response = client.post("/daftar", data=data)
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "NPWP harus 15 atau 16 digit; yang diisi 12 digit." in page
    assert 'value="Dewi Anggraini"' in page  # what was typed is not lost
    assert client.get("/akun").status_code == 302


def test_register_private_company_without_npwp_is_refused(client):
    data = dict(FORM, npwp="", csrf_token=csrf_token(client, "/daftar"))
    response = client.post("/daftar", data=data)
    assert response.status_code == 422
    assert "NPWP wajib diisi untuk perusahaan swasta." in response.get_data(as_text=True)


def test_login_logout_and_wrong_password(client, db_session):
    make_buyer(db_session, email="buyer@example.test", full_name="Rina")
    db_session.commit()
    wrong = login(client, "buyer@example.test", "keliru-sekali")
    assert wrong.status_code == 401
    assert "E-mail atau kata sandi salah." in wrong.get_data(as_text=True)
    ok = login(client, "buyer@example.test")
    assert ok.status_code == 302
    assert "Rina" in client.get("/akun").get_data(as_text=True)
    client.post("/keluar", data={"csrf_token": csrf_token(client)})
    assert client.get("/akun").status_code == 302


def test_login_is_rate_limited(client, db_session):
    make_buyer(db_session, email="buyer@example.test")
    db_session.commit()
    statuses = [login(client, "buyer@example.test", "salah-salah").status_code for _ in range(6)]
    assert statuses[:5] == [401] * 5
    assert statuses[5] == 429  # limit in tests: 5 per minute
    assert "Terlalu banyak percobaan" in login(client, "buyer@example.test").get_data(as_text=True)


def test_admin_creates_an_officer_who_can_then_log_in(client, db_session):
    from sales_service.roles import Role
    from tests.factories import make_staff

    make_staff(db_session, Role.ADMIN, email="admin@example.test")
    db_session.commit()
    login(client, "admin@example.test")
    response = client.post("/admin/pengguna", data=dict(
        full_name="Petugas Baru", email="baru@example.test", password="kelapa muda tujuh pohon", role="officer",
        csrf_token=csrf_token(client, "/admin/pengguna")))
    assert response.status_code == 302
    assert "baru@example.test" in client.get("/admin/pengguna").get_data(as_text=True)
    client.post("/keluar", data={"csrf_token": csrf_token(client)})
    assert login(client, "baru@example.test").headers["Location"] == "/staf"


def test_behind_a_proxy_the_rate_limit_counts_each_client_apart(tmp_path, template_db):
    import shutil

    from sales_service import create_app
    from tests.conftest import web_config

    database = tmp_path / "proxy.db"
    shutil.copyfile(template_db, database)
    app = create_app(dict(web_config(tmp_path, database), PROXY_HOPS=1))
    client = app.test_client()

    def attempt(address):
        token = csrf_token(client)
        return client.post("/masuk", data={"email": "x@example.test", "password": "salah-salah", "csrf_token": token},
                           headers={"X-Forwarded-For": address}).status_code

    assert [attempt("203.0.113.7") for _ in range(6)][-1] == 429
    assert attempt("198.51.100.9") == 401  # another visitor behind the same proxy is not locked out
    app.extensions["sales_db"]["engine"].dispose()
