"""Load the contract suite's Hypothesis profile before any test is collected."""

from contract_tests.profiles import register

register()
