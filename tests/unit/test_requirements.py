import pytest

from sales_service.orders.requirements import Requirement, check_requirements
from sales_service.pnbp.schedule import ProductKind

P, M, MAP = ProductKind.PUBLICATION, ProductKind.MICRODATA, ProductKind.MAP


def needed(**kw):
    base = dict(kinds={P}, zero_rate_claimed=False, needs_npwp=False, has_npwp=False, has_abstract=False,
                has_request_letter=False)
    base.update(kw)
    return {c.requirement: c.met for c in check_requirements(**base)}


@pytest.mark.parametrize("kinds, expected", [
    ({P}, {}),
    ({M}, {Requirement.ABSTRACT: False}),
    ({MAP}, {Requirement.ABSTRACT: False}),
    ({P, M}, {Requirement.ABSTRACT: False}),
])
def test_publications_need_nothing_microdata_and_maps_need_an_abstract(kinds, expected):
    assert needed(kinds=kinds) == expected


def test_rp0_claim_needs_a_request_letter_and_companies_an_npwp():
    assert needed(zero_rate_claimed=True) == {Requirement.REQUEST_LETTER: False}
    assert needed(zero_rate_claimed=True, has_request_letter=True) == {Requirement.REQUEST_LETTER: True}
    assert needed(needs_npwp=True, has_npwp=True) == {Requirement.NPWP: True}
    assert needed(kinds={M}, has_abstract=True, needs_npwp=True) == {Requirement.ABSTRACT: True,
                                                                     Requirement.NPWP: False}
