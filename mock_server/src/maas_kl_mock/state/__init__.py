"""State: tasks, the stores that keep them (memory, sqlite) and the injected clock; imports nothing else of the mock."""
