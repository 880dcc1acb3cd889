"""Segment change requests (issue 8, point 1): asked by the buyer, decided by an officer."""

import pytest

from sales_service.accounts import services
from sales_service.accounts.models import SegmentRequestStatus
from sales_service.errors import Conflict, InvalidInput, PermissionDenied
from sales_service.pnbp.segments import BuyerSegment
from sales_service.roles import Role
from tests.factories import make_buyer, make_staff


def test_a_request_waits_for_an_officer_and_only_one_at_a_time(session):
    buyer = make_buyer(session)
    officer = make_staff(session, Role.OFFICER)
    request = services.request_segment_change(session, buyer.id, segment="student", reason="Mahasiswa S2.")
    assert buyer.segment == BuyerSegment.INDIVIDUAL and services.count_pending_segment_requests(session) == 1
    with pytest.raises(Conflict, match="masih menunggu"):
        services.request_segment_change(session, buyer.id, segment="student", reason="Lagi.")
    with pytest.raises(PermissionDenied):
        services.decide_segment_change(session, request.id, approve=True, officer=buyer)
    services.decide_segment_change(session, request.id, approve=True, officer=officer)
    assert buyer.segment == BuyerSegment.STUDENT and request.status == SegmentRequestStatus.APPROVED
    assert services.count_pending_segment_requests(session) == 0
    with pytest.raises(Conflict, match="sudah diputuskan"):
        services.decide_segment_change(session, request.id, approve=False, note="x", officer=officer)


def test_a_company_segment_needs_an_npwp_and_an_institution_needs_a_name(session):
    buyer = make_buyer(session)
    with pytest.raises(InvalidInput, match="NPWP"):
        services.request_segment_change(session, buyer.id, segment="private_company", institution="PT Maju",
                                        reason="Kini atas nama perusahaan.")
    with pytest.raises(InvalidInput, match="Nama instansi"):
        services.request_segment_change(session, buyer.id, segment="regional_government", reason="Pindah kerja.")
