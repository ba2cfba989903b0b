"""Generator for generated_client/: spec transform, openapi-python-client, overlay, rendered spec data."""
