"""Invoices and their versions, billing codes and the billing gateway, documents (PDF, QR), verification."""
