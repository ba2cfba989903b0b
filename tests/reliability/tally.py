"""How many inputs the fuzz tests tried, by target; the conftest prints it in pytest's summary."""

from collections import Counter

FUZZ_TRIED: Counter[str] = Counter()
