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
