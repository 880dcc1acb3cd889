import pytest

from sales_service.accounts import services
from sales_service.accounts.models import Domicile
from sales_service.accounts.npwp import NpwpInvalid
from sales_service.errors import InvalidInput
from sales_service.pnbp.segments import BuyerSegment
from sales_service.roles import Role
from tests.factories import PASSWORD, make_buyer, make_staff


def register(session, **overrides):
    fields = dict(email="ani@example.test", password=PASSWORD, full_name="Ani Lestari",
                  segment=BuyerSegment.INDIVIDUAL, domicile=Domicile.INDONESIA)
    fields.update(overrides)
    return services.register_buyer(session, **fields)


def test_registered_buyer_can_log_in_with_any_case_of_email(session):
    buyer = register(session, email="Ani@Example.TEST")
    assert buyer.role == Role.BUYER
    assert services.authenticate(session, "ani@example.test", PASSWORD).id == buyer.id
    assert buyer.password_hash != PASSWORD


def test_wrong_password_and_unknown_email_get_the_same_message(session):
    register(session)
    with pytest.raises(services.InvalidCredentials) as wrong_password:
        services.authenticate(session, "ani@example.test", "salah-sekali")
    with pytest.raises(services.InvalidCredentials) as unknown:
        services.authenticate(session, "nobody@example.test", PASSWORD)
    assert wrong_password.value.message == unknown.value.message


def test_second_registration_with_same_email_is_refused(session):
    register(session)
    with pytest.raises(services.EmailTaken, match="sudah terdaftar"):
        register(session, email="ANI@example.test")


@pytest.mark.parametrize("npwp, stored", [
    ("01.234.567.8-901.000", "012345678901000"),  # 15 digits, usual punctuation
    ("012345678901000", "012345678901000"),
    ("3201 2345 6789 0001", "3201234567890001"),  # 16-digit NIK-based NPWP
])
def test_private_company_npwp_is_kept_as_digits(session, npwp, stored):
    buyer = register(session, segment=BuyerSegment.PRIVATE_COMPANY, institution="PT Maju", npwp=npwp)
    assert buyer.npwp == stored


@pytest.mark.parametrize("npwp, message", [
    ("", "wajib diisi"),
    ("01.234.567.8-901.00", "15 atau 16 digit; yang diisi 14 digit"),
    ("01234567890100012", "yang diisi 17 digit"),
    ("NPWP 0123456789", "hanya boleh berisi angka"),
])
def test_private_company_needs_a_valid_npwp(session, npwp, message):
    with pytest.raises(NpwpInvalid, match=message):
        register(session, segment=BuyerSegment.PRIVATE_COMPANY, institution="PT Maju", npwp=npwp)


def test_individual_may_leave_npwp_empty_but_not_give_a_wrong_one(session):
    assert register(session).npwp is None
    with pytest.raises(NpwpInvalid):
        register(session, email="b@example.test", npwp="123")


@pytest.mark.parametrize("segment", [BuyerSegment.CENTRAL_GOVERNMENT, BuyerSegment.PRIVATE_COMPANY,
                                     BuyerSegment.FOREIGN_MISSION])
def test_institutional_segments_must_name_the_institution(session, segment):
    with pytest.raises(InvalidInput, match="instansi"):
        register(session, segment=segment, npwp="012345678901000")


@pytest.mark.parametrize("overrides, message", [
    ({"email": "not-an-email"}, "e-mail tidak sah"),
    ({"password": "short"}, "minimal 8"),
    ({"full_name": "  "}, "Nama lengkap"),
])
def test_registration_input_errors_are_named(session, overrides, message):
    with pytest.raises(InvalidInput, match=message):
        register(session, **overrides)


def test_staff_accounts_have_no_buyer_role(session):
    with pytest.raises(InvalidInput):
        services.create_staff(session, email="x@example.test", password=PASSWORD, full_name="X", role=Role.BUYER)
    officer = make_staff(session, Role.OFFICER)
    assert officer.is_staff and officer.segment is None


def test_deactivated_account_cannot_log_in_and_admin_cannot_deactivate_self(session):
    admin = make_staff(session, Role.ADMIN)
    buyer = make_buyer(session, email="c@example.test")
    services.set_active(session, buyer.id, False, acting=admin)
    with pytest.raises(services.InvalidCredentials):
        services.authenticate(session, "c@example.test", PASSWORD)
    with pytest.raises(services.Conflict):
        services.set_active(session, admin.id, False, acting=admin)


# -- issue 9: password rule everywhere, sessions that end, lockout, quiet registration ---------------

def test_registration_and_staff_creation_refuse_weak_passwords(session):
    from sales_service.accounts.passwords import WeakPassword

    with pytest.raises(WeakPassword, match="paling sering dipakai"):
        register(session, password="12345678")
    with pytest.raises(WeakPassword, match="nama Anda"):
        register(session, password="ani@example.test")
    with pytest.raises(WeakPassword, match="minimal 8"):
        services.create_staff(session, email="o@example.test", password="pendek", full_name="Oki",
                              role=Role.OFFICER)


def test_a_known_address_registers_nothing_and_says_so_only_in_the_log(session, caplog):
    first = register(session)
    with caplog.at_level("WARNING"):
        again = services.request_registration(
            session, email="ANI@example.test", password="mangga golek dari Cirebon", full_name="Penyusup",
            segment=BuyerSegment.INDIVIDUAL, domicile=Domicile.INDONESIA)
    assert again.user is None
    assert f"user {first.id}" in caplog.text
    assert services.authenticate(session, "ani@example.test", PASSWORD).full_name == "Ani Lestari"


def test_ending_sessions_changes_the_session_id(session):
    buyer = register(session)
    before = buyer.get_id()
    assert services.user_for_session(session, before) is buyer
    services.log_out_everywhere(session, buyer.id)
    assert services.user_for_session(session, before) is None
    assert services.user_for_session(session, buyer.get_id()) is buyer
    assert services.user_for_session(session, str(buyer.id)) is None  # a bare id from before 0003
    assert services.user_for_session(session, "x:1") is None


def test_lockout_after_ten_failures_in_the_window_and_release_after_it(session):
    from datetime import UTC, datetime, timedelta

    register(session)
    start = datetime(2026, 11, 24, 8, 0, tzinfo=UTC)
    for minute in range(9):
        assert services.sign_in(session, "ani@example.test", "salah", now=start + timedelta(minutes=minute)) is None
    assert services.sign_in(session, "ani@example.test", PASSWORD, now=start + timedelta(minutes=9)) is not None
    # a success clears the count; ten more failures lock, the right password is then refused
    for minute in range(10):
        services.sign_in(session, "ani@example.test", "salah", now=start + timedelta(minutes=10 + minute))
    locked_at = start + timedelta(minutes=19)
    assert services.sign_in(session, "ani@example.test", PASSWORD, now=locked_at + timedelta(minutes=14)) is None
    assert services.sign_in(session, "ani@example.test", PASSWORD, now=locked_at + timedelta(minutes=16)) is not None


def test_failures_spread_beyond_the_window_do_not_lock(session):
    from datetime import UTC, datetime, timedelta

    register(session)
    start = datetime(2026, 11, 24, 8, 0, tzinfo=UTC)
    for n in range(20):
        services.sign_in(session, "ani@example.test", "salah", now=start + timedelta(minutes=16 * n))
    assert services.sign_in(session, "ani@example.test", PASSWORD, now=start + timedelta(minutes=16 * 20)) is not None
