"""Pydantic schemas named by role (…Create, …Put, …Read)."""
