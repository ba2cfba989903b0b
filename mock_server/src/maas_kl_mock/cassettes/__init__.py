"""Cassettes: the recorded-flow format, the recorder that writes it and the replayer stage that plays it back.

May import `pipeline/`, `state/`, `media/` and the shared values; `_core` mounts the replayer, the proxy records.
"""
