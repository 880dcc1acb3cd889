"""Fixtures for the services layer beyond the shared ones in tests/conftest.py."""

import pytest

from sales_service.invoices.gateway import SimulatedSimponi
from sales_service.roles import Role
from tests.committed import committing  # noqa: F401  (fixture for the concurrency tests)
from tests.factories import make_staff
from tests.services.test_invoices import Clock


@pytest.fixture
def officer(tariffs_loaded):
    """An officer, as most service tests need one (a test file may define its own)."""
    return make_staff(tariffs_loaded, Role.OFFICER, full_name="Petugas Satu")


@pytest.fixture
def gateway():
    """The simulated payment network on a fixed clock; its notifications go nowhere (tests apply them)."""
    return SimulatedSimponi(first_digit=8, webhook_url="http://127.0.0.1:9/unused",
                            webhook_secret="whsec_" + "A" * 44, clock=Clock())
