"""Proxy: the recording, judging proxy in front of the real service: app, CLI, conformance judge, upstream pool.

May import every other part (it serves through the ASGI face and records cassettes); only `_cli` imports it.
"""
