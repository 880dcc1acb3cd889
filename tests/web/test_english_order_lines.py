"""English price explanations on order lines (issue 8, point 12): the line keeps how it was
priced in both languages, and the buyer reading English sees the English one on the order page."""

from tests.conftest import login
from tests.factories import make_buyer, make_order, make_publication
from tests.web.test_invoice_pages import accepted, issue  # noqa: F401  (fixture)


def test_an_english_reader_sees_how_the_line_was_priced_in_english(client, db_session):
    buyer = make_buyer(db_session, email="abroad@example.test")
    order = make_order(db_session, buyer, make_publication(db_session, pages=120))
    db_session.commit()
    line = order.lines[0]
    assert line.basis_en and line.basis_en != line.basis
    login(client, "abroad@example.test")
    indonesian = client.get(f"/pesanan/{order.id}").get_data(as_text=True)
    assert line.basis in indonesian and line.basis_en not in indonesian
    client.get("/bahasa/en")
    english = client.get(f"/pesanan/{order.id}").get_data(as_text=True)
    assert line.basis_en in english and line.basis not in english


def test_a_line_priced_before_english_was_kept_falls_back_to_indonesian(db_session):
    buyer = make_buyer(db_session)
    order = make_order(db_session, buyer, make_publication(db_session))
    line = order.lines[0]
    line.basis_en = None
    assert line.display_basis("en") == line.basis


def test_the_english_timeline_says_what_was_done_in_the_past_tense(client, accepted):  # noqa: F811
    issue(client, accepted)
    login(client, "ani@example.test")
    client.get("/bahasa/en")
    page = client.get(f"/pesanan/{accepted}").get_data(as_text=True)
    assert "issued the invoice" in page and "accepted the documents" in page
    assert "issue the invoice" not in page
