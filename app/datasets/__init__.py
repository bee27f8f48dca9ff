"""Bundled data sets: Lam Dong as published, and a synthetic demo."""
