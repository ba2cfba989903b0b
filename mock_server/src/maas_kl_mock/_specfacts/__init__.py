"""What the spec says, read one way for every product: the generator vendors this package byte for byte.

Written once in `generator/specfacts/`; `make generate` copies it into `maas_kl_client._specfacts`
and `maas_kl_mock._specfacts`, and `python -m generator --check` fails when a copy drifts. Stdlib only.
"""

from ._capability import CapabilityMap, CapabilityRule, Selection
from ._codes import BusinessCode, CodeTable
from ._families import Family, SpecFacts, snake
from ._refs import pointer, resolve
from ._schema import SpecSchemas, UnknownKeywordError, Validator, Violation

__all__ = [
    "BusinessCode",
    "CapabilityMap",
    "CapabilityRule",
    "CodeTable",
    "Family",
    "Selection",
    "SpecFacts",
    "SpecSchemas",
    "UnknownKeywordError",
    "Validator",
    "Violation",
    "pointer",
    "resolve",
    "snake",
]
