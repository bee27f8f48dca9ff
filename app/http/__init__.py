"""The HTTP edge: what every request passes through before and after the routers.

One module per concern, wired as small pure ASGI middlewares (or Starlette's own where it fits):
request id and JSON logs (`logging`), Prometheus metrics (`metrics`), security headers
(`security`), CORS, the request body limit (`limits`), rate limits (`rate_limit`) and HTTP
caching with ETags from the data revision (`caching`). `edge.install_http_edge()` wires them
into the app in a documented order.
"""

from app.http.edge import install_http_edge

__all__ = ["install_http_edge"]
