"""Imports of officials' files: parsed, checked in full, staged, diffed and applied all or
nothing."""
