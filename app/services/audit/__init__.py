"""The audit trail: who changed what, when, before → after, and why."""
