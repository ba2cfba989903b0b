"""Contract suite: schemathesis and Hypothesis hold the spec, the SDK and the mock together."""
