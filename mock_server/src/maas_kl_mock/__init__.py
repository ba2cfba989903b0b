"""maas_kl_mock: a stateful, spec-driven mock of the MaaS_KL video-generation API.

>>> from maas_kl_mock import InProcessMock
>>> mock = InProcessMock()
>>> with mock.client() as client:
...     client.post("/videos/text2video", json={"prompt": "A dog running on the grass"}).json()["code"]
0
"""

from importlib import import_module
from typing import TYPE_CHECKING, Any

from ._core import Call, MockConfig, MockCore, ResponseInvalid
from ._errors import ApiError, SpecError
from ._http import Delivery, Drop, MockRequest, MockResponse
from ._spec import Spec, load_spec
from .faces.server import MockControl, MockServer, MockServerError
from .faces.transport import InProcessMock
from .pipeline.auth import tenant_label
from .pipeline.capability import CapabilityMap, CapabilityRule
from .pipeline.faults import FaultInjector, FaultPlan, Latency
from .pipeline.simulate import Lifecycle, Simulator
from .state.clock import Clock, ManualClock
from .state.store import MemoryTaskStore, TaskStore
from .state.task import Task, TaskKind, Video

if TYPE_CHECKING:
    from .faces.asgi import MockApp, create_app
    from .state.sqlite_store import SqliteTaskStore

# Imported on first use, so `import maas_kl_mock` loads neither sqlite3 (only a persistent store needs it)
# nor uvicorn (only a served mock does).
_LAZY = {
    "MockApp": ".faces.asgi",
    "create_app": ".faces.asgi",
    "SqliteTaskStore": ".state.sqlite_store",
}

__all__ = [
    "ApiError",
    "Call",
    "CapabilityMap",
    "CapabilityRule",
    "Clock",
    "Delivery",
    "Drop",
    "FaultInjector",
    "FaultPlan",
    "InProcessMock",
    "Latency",
    "Lifecycle",
    "ManualClock",
    "MemoryTaskStore",
    "MockApp",
    "MockConfig",
    "MockControl",
    "MockCore",
    "MockRequest",
    "MockResponse",
    "MockServer",
    "MockServerError",
    "ResponseInvalid",
    "Simulator",
    "Spec",
    "SpecError",
    "SqliteTaskStore",
    "Task",
    "TaskKind",
    "TaskStore",
    "Video",
    "create_app",
    "load_spec",
    "tenant_label",
]


def __getattr__(name: str) -> Any:
    """Import the optional parts of the public API on first use (PEP 562)."""
    if name in _LAZY:
        value = getattr(import_module(_LAZY[name], __name__), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
