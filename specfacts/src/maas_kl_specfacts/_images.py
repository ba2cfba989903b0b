"""Image fields (`x-image`): the limits a schema cannot check (format, bytes, pixels, ratio), read one way."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

JSON = Any
IMAGE = "x-image"


@dataclass(frozen=True, slots=True)
class ImageLimits:
    """What the spec allows for one image field."""

    formats: tuple[str, ...]
    max_bytes: int
    min_side: int
    max_ratio: float

    @classmethod
    def of(cls, schema: Mapping[str, JSON]) -> ImageLimits:
        """Read the limits of a field schema that carries `x-image`."""
        data = schema[IMAGE]
        return cls(
            tuple(str(f) for f in data["formats"]),
            int(data["max_bytes"]),
            int(data["min_side_px"]),
            float(data["max_aspect_ratio"]),
        )


def image_fields(schema: Mapping[str, JSON]) -> dict[str, ImageLimits]:
    """Return the image fields of an object schema (`$ref`s inlined), with their limits, in schema order."""
    properties = schema.get("properties") or {}
    return {name: ImageLimits.of(field) for name, field in properties.items() if IMAGE in field}


def image_limits(document: Mapping[str, JSON]) -> tuple[ImageLimits, ...]:
    """Return the limits of every component schema of a spec document that is an image (carries `x-image`)."""
    schemas = (document.get("components") or {}).get("schemas") or {}
    return tuple(ImageLimits.of(s) for s in schemas.values() if isinstance(s, Mapping) and IMAGE in s)
