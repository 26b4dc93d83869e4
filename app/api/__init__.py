"""The HTTP API: routers, request parameters, caching of responses."""
