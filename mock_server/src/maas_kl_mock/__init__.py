"""maas_kl_mock: a stateful, spec-driven mock of the MaaS_KL video-generation API.

>>> from maas_kl_mock import InProcessMock
>>> mock = InProcessMock()
>>> with mock.client() as client:
...     client.post("/videos/text2video", json={"prompt": "A dog running on the grass"}).json()["code"]
0
"""

from ._core import Call, MockConfig, MockCore, ResponseInvalid
from ._errors import ApiError, SpecError
from ._http import Delivery, Drop, MockRequest, MockResponse
from ._spec import Spec, load_spec
from .faces.asgi import MockApp, create_app
from .faces.server import MockControl, MockServer, MockServerError
from .faces.transport import InProcessMock
from .pipeline.auth import tenant_label
from .pipeline.capability import CapabilityMap, CapabilityRule
from .pipeline.faults import FaultInjector, FaultPlan, Latency
from .pipeline.simulate import Lifecycle, Simulator
from .state.clock import Clock, ManualClock
from .state.sqlite_store import SqliteTaskStore
from .state.store import MemoryTaskStore, TaskStore
from .state.task import Task, TaskKind, Video

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
