"""The web face: the FastAPI app, its server, headers, cache, API routers and HTML pages."""
