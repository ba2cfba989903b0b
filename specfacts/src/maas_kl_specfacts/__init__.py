"""What the spec says, read one way for every product: the generator, the SDK, the mock and the contract suite.

A workspace distribution of its own (`maas-kl-specfacts`), stdlib only, that both products depend on,
so it exists once in the tree and in each installation (decision W1).
"""

from ._capability import CapabilityMap, CapabilityRule, Selection
from ._codes import BusinessCode, CodeTable
from ._families import Family, SpecFacts, snake
from ._images import ImageLimits, image_fields, image_limits
from ._refs import pointer, resolve
from ._schema import SpecSchemas, UnknownKeywordError, Validator, Violation
from ._statuses import TaskStatuses

__all__ = [
    "BusinessCode",
    "CapabilityMap",
    "CapabilityRule",
    "CodeTable",
    "Family",
    "ImageLimits",
    "Selection",
    "SpecFacts",
    "SpecSchemas",
    "TaskStatuses",
    "UnknownKeywordError",
    "Validator",
    "Violation",
    "image_fields",
    "image_limits",
    "pointer",
    "resolve",
    "snake",
]
