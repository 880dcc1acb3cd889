"""Who may claim Rp0, and how (PP 7/2015 Pasal 8; the 2024 "Penjualan Nol Rupiah" standard)."""

import pytest

from sales_service.pnbp.segments import BuyerSegment as S
from sales_service.pnbp.segments import ClaimRoute, claim_route, claiming_segment


@pytest.mark.parametrize("segment, abroad, route", [
    (S.CENTRAL_GOVERNMENT, False, ClaimRoute.OWN_RIGHT),
    (S.REGIONAL_GOVERNMENT, False, ClaimRoute.OWN_RIGHT),
    (S.EDUCATION_INSTITUTION, False, ClaimRoute.OWN_RIGHT),
    (S.EDUCATION_INSTITUTION, True, ClaimRoute.NONE),  # "lembaga pendidikan dalam negeri" only
    (S.FOREIGN_MISSION, True, ClaimRoute.OWN_RIGHT),
    (S.INTERNATIONAL_ORGANISATION, True, ClaimRoute.OWN_RIGHT),
    (S.STUDENT, False, ClaimRoute.INSTITUTION_LETTER),
    (S.STUDENT, True, ClaimRoute.INSTITUTION_LETTER),
    (S.INDIVIDUAL, False, ClaimRoute.INSTITUTION_LETTER),
    (S.PRIVATE_COMPANY, False, ClaimRoute.NONE),
    (None, False, ClaimRoute.NONE),
])
def test_claim_route(segment, abroad, route):
    assert claim_route(segment, abroad=abroad) == route


@pytest.mark.parametrize("segment, abroad, institution, expected", [
    (S.REGIONAL_GOVERNMENT, False, None, S.REGIONAL_GOVERNMENT),
    (S.STUDENT, False, None, S.EDUCATION_INSTITUTION),  # a student's usual letter: their university
    (S.INDIVIDUAL, False, S.CENTRAL_GOVERNMENT, S.CENTRAL_GOVERNMENT),
    (S.INDIVIDUAL, False, S.PRIVATE_COMPANY, None),
    (S.PRIVATE_COMPANY, False, None, None),
    (S.EDUCATION_INSTITUTION, True, None, None),
])
def test_claiming_segment(segment, abroad, institution, expected):
    assert claiming_segment(segment, abroad=abroad, institution_segment=institution) == expected
