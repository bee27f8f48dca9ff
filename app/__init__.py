"""PAR Index service: administrative reform index results, rankings and breakdowns."""

# The one place the release is numbered: pyproject.toml reads it (dynamic version), the API
# reports it (OpenAPI info.version) and ETags carry it.
__version__ = "1.1.0"
