"""Fixtures for the services layer beyond the shared ones in tests/conftest.py."""

from tests.committed import committing  # noqa: F401  (fixture for the concurrency tests)
