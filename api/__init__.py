"""HTTP API for briefing: `create_app(settings)` in api.main; routes in api.routes, one per resource."""
