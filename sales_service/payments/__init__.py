"""Payments: notifications webhook, transfer proofs, cash, reconciliation, receipts."""
