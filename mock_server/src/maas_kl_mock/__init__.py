"""maas_kl_mock: a stateful, spec-driven mock of the MaaS_KL video-generation API.

>>> from maas_kl_mock import InProcessMock
>>> mock = InProcessMock()
>>> with mock.client() as client:
...     client.post("/videos/text2video", json={"prompt": "A dog running on the grass"}).json()["code"]
0
"""

from ._asgi import MockApp, create_app
from ._auth import tenant_label
from ._capability import CapabilityMap, CapabilityRule
from ._clock import Clock, ManualClock
from ._core import Call, MockConfig, MockCore, ResponseInvalid
from ._errors import ApiError, SpecError
from ._faults import FaultInjector, FaultPlan, Latency
from ._http import Delivery, Drop, MockRequest, MockResponse
from ._server import MockControl, MockServer, MockServerError
from ._simulate import Lifecycle, Simulator
from ._spec import Spec, load_spec
from ._sqlite_store import SqliteTaskStore
from ._store import MemoryTaskStore, TaskStore
from ._task import Task, TaskKind, Video
from ._transport import InProcessMock

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
