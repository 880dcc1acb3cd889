"""Every route declares who may call it, and the server enforces it."""

import pytest

from sales_service.roles import Role
from tests.conftest import csrf_token, login
from tests.factories import make_buyer, make_staff


def _routes(app):
    for rule in app.url_map.iter_rules():
        if rule.endpoint == "static":
            continue
        view = app.view_functions[rule.endpoint]
        yield rule, view


def _url(rule) -> str:
    values = {name: 1 for name in rule.arguments}
    if "kind" in rule.arguments:
        values["kind"] = "publication"
    if "language" in rule.arguments:
        values["language"] = "en"
    path = rule.rule
    for name, value in values.items():
        path = path.replace(f"<int:{name}>", str(value)).replace(f"<{name}>", str(value))
    return path


def test_every_route_is_marked_public_or_names_its_roles(app):
    unmarked = [rule.rule for rule, view in _routes(app)
                if not getattr(view, "public", False) and not getattr(view, "allowed_roles", None)]
    assert unmarked == []


def _restricted(app, predicate):
    return [(rule, view) for rule, view in _routes(app)
            if getattr(view, "allowed_roles", None) and predicate(view.allowed_roles)]


def test_anonymous_visitors_are_sent_to_login_on_every_restricted_route(app, client):
    routes = _restricted(app, lambda roles: True)
    assert len(routes) >= 6
    for rule, _view in routes:
        method = "GET" if "GET" in rule.methods else "POST"
        response = client.open(_url(rule), method=method, data={"csrf_token": csrf_token(client)})
        assert response.status_code == 302, rule.rule
        assert "/masuk" in response.headers["Location"], rule.rule


def test_a_buyer_gets_403_on_every_staff_and_admin_route(app, client, db_session):
    make_buyer(db_session, email="buyer@example.test")
    db_session.commit()
    login(client, "buyer@example.test")
    routes = _restricted(app, lambda roles: Role.BUYER not in roles)
    assert {"/staf", "/admin/produk", "/admin/pengguna"} <= {rule.rule for rule, _ in routes}
    token = csrf_token(client)
    for rule, _view in routes:
        method = "GET" if "GET" in rule.methods else "POST"
        response = client.open(_url(rule), method=method, data={"csrf_token": token})
        assert response.status_code == 403, rule.rule
        assert "tidak berhak" in response.get_data(as_text=True)


@pytest.mark.parametrize("role, allowed", [(Role.OFFICER, False), (Role.TREASURER, False), (Role.ADMIN, True)])
def test_only_admins_manage_users_and_catalogue(client, db_session, role, allowed):
    make_staff(db_session, role, email="staff@example.test")
    db_session.commit()
    login(client, "staff@example.test")
    assert client.get("/staf").status_code == 200
    for path in ("/admin/pengguna", "/admin/produk", "/admin/produk/baru/map"):
        assert client.get(path).status_code == (200 if allowed else 403), path


def test_post_without_csrf_token_is_refused(client, db_session):
    make_buyer(db_session, email="buyer@example.test")
    db_session.commit()
    response = client.post("/masuk", data={"email": "buyer@example.test", "password": "kelapa muda tujuh pohon"})
    assert response.status_code == 400
    assert "token CSRF" in response.get_data(as_text=True)
    assert client.get("/akun").status_code == 302  # still not signed in


def test_htmx_post_needs_the_csrf_header_too(client, db_session):
    make_buyer(db_session, email="buyer@example.test")
    db_session.commit()
    login(client, "buyer@example.test")
    refused = client.post("/keluar", headers={"HX-Request": "true"})
    assert refused.status_code == 400
    accepted = client.post("/keluar", headers={"HX-Request": "true", "X-CSRFToken": csrf_token(client)})
    assert accepted.status_code == 302


def test_login_next_parameter_cannot_redirect_off_site(client, db_session):
    make_buyer(db_session, email="buyer@example.test")
    db_session.commit()
    token = csrf_token(client)
    for target in ("https://evil.example/", "//evil.example/x", "/\\evil.example"):
        response = client.post(f"/masuk?next={target}",
                               data={"email": "buyer@example.test", "password": "kelapa muda tujuh pohon",
                                     "csrf_token": token})
        assert response.headers["Location"] == "/katalog"
        client.post("/keluar", data={"csrf_token": token})
