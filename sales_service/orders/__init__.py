"""Orders: lifecycle, review and correction loop, SLA clock, audit trail."""
