"""CORS for browser clients on other origins, through Starlette's CORSMiddleware.

Off unless `cors.allow_origins` lists origins. Browsers may send the API key and the caching
headers, and may read the headers clients need: ETag (to revalidate), X-Request-ID (to report a
problem), Retry-After (after a 429) and Content-Disposition (export file names). No cookies
are used, so credentials mode stays off.
"""

from typing import Final

ALLOW_METHODS: Final = ("GET", "POST", "PUT", "PATCH", "DELETE")
ALLOW_HEADERS: Final = (
    "Authorization",
    "X-API-Key",
    "Content-Type",
    "If-None-Match",
    "Accept-Language",
    "X-Request-ID",
)
EXPOSE_HEADERS: Final = ("ETag", "X-Request-ID", "Retry-After", "Content-Disposition")
PREFLIGHT_MAX_AGE_S: Final = 600
