"""`make demo`: the SDK end to end (four tasks, live progress, a final table) on a local mock or the real service."""
