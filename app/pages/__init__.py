"""Server-rendered pages for people: years, rankings, units, improvement lists, and fragments
of them to embed; built from the same public services as the API (templates and static assets
ship inside this package)."""
