"""The checklist's three states (issue 8, point 7): met, missing, or returned for correction."""

import pytest

from sales_service.orders.requirements import Requirement, check_requirements
from sales_service.pnbp.schedule import ProductKind

BASE = dict(kinds={ProductKind.MICRODATA}, zero_rate_claimed=False, needs_npwp=False, has_npwp=False,
            has_abstract=True, has_request_letter=False)


@pytest.mark.parametrize("extra, expected", [
    ({}, {Requirement.ABSTRACT: "met"}),
    ({"has_abstract": False}, {Requirement.ABSTRACT: "missing"}),
    ({"returned": [Requirement.ABSTRACT]}, {Requirement.ABSTRACT: "to_fix"}),
    ({"has_abstract": False, "returned": [Requirement.ABSTRACT]}, {Requirement.ABSTRACT: "missing"}),
    ({"has_purpose": False}, {Requirement.PURPOSE: "missing", Requirement.ABSTRACT: "met"}),
    ({"has_purpose": True, "returned": [Requirement.PURPOSE]},
     {Requirement.PURPOSE: "to_fix", Requirement.ABSTRACT: "met"}),
    ({"zero_rate_claimed": True, "has_request_letter": True, "zero_rate_claim_complete": False},
     {Requirement.ABSTRACT: "met", Requirement.REQUEST_LETTER: "met", Requirement.ZERO_RATE_CLAIM: "missing"}),
])
def test_states(extra, expected):
    checks = check_requirements(**dict(BASE, **extra))
    assert {check.requirement: check.state for check in checks} == expected
