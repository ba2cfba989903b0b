"""make bench-batch's script runs end to end on a small served batch and prints the issue's target line."""

from __future__ import annotations

import re

import pytest

from bench import bench_batch


def test_the_batch_bench_compares_both_sides_and_says_met_or_missed(capsys: pytest.CaptureFixture[str]) -> None:
    args = ["--jobs", "4", "--latency-ms", "20", "--submitted-seconds", "0", "--processing-seconds", "0.5"]
    assert bench_batch.main(args) == 0
    out = capsys.readouterr().out.splitlines()
    assert sum("4/4 succeeded" in line for line in out) == 3  # gather's, the batch's, the batch's with a journal
    assert any(re.fullmatch(r"  requests: batch \d+ vs gather \d+", line) for line in out)
    assert re.fullmatch(r"target: async batch of 4 vs asyncio\.gather ≤ 1\.1× — \d+\.\d\d (met|missed)", out[-1])  # noqa: RUF001
