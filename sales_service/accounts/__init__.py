"""Accounts: buyers who register themselves, staff created by an admin, roles."""
