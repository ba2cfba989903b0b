"""Pipeline: the stages of `MockCore.handle` and its mounted routes (control API, video files).

A stage may import `state/`, `media/` and the shared values (`_http`, `_errors`, `_spec`)
and the inspector's static files; never `_core`, a face,
the cassettes or the proxy.
"""
