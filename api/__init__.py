"""HTTP API for briefing: `create_app()` in api.main; routes in api.routes, one per resource."""
