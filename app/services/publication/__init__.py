"""Publication of years, corrections as revisions, year snapshots and the audit trail."""
