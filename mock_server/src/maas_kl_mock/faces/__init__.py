"""Faces: the adapters over `MockCore`: the ASGI app, the httpx transport and respx router, the process launcher.

May import `_core` and everything below it; never the proxy or the CLI.
"""
