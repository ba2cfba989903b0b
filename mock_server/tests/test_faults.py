import pytest
from maas_kl_mock import Drop, FaultInjector, FaultPlan, Latency
from maas_kl_mock.pipeline.faults import parse_rate_limit
from mock_harness import API, Harness, body


def test_seeded_faults_repeat_exactly() -> None:
    plan = FaultPlan(rate=0.3, seed=42)
    first = [FaultInjector(plan).draw(True) for _ in range(1)]
    a, b = FaultInjector(plan), FaultInjector(plan)
    assert [a.draw(True) for _ in range(200)] == [b.draw(True) for _ in range(200)]
    assert first


def test_fault_rate_is_honoured() -> None:
    injector = FaultInjector(FaultPlan(rate=0.2, seed=7))
    drawn = [injector.draw(False) for _ in range(5000)]
    share = sum(f is not None for f in drawn) / len(drawn)
    assert 0.17 < share < 0.23
    assert {f.kind for f in drawn if f} == {"429", "500", "503", "504", "reset", "truncate"}


def test_server_faults_map_to_the_reference_codes() -> None:
    for kind, status, code in [("429", 429, 1303), ("500", 500, 5000), ("503", 503, 5001), ("504", 504, 5002)]:
        harness = Harness(faults=FaultPlan(rate=1.0, kinds={kind: 1.0}, after_store=0.0))
        response = harness.send("POST", f"{API}/text2video", {"prompt": "x"})
        assert (response.status, body(response)["code"]) == (status, code)
        assert set(body(response)) == {"code", "message", "request_id"}
        if status in (429, 503):
            assert response.header("Retry-After") == "1"
        assert len(harness.core.store) == 0


def test_faults_after_the_task_was_stored() -> None:
    harness = Harness(faults=FaultPlan(rate=1.0, kinds={"504": 1.0}, after_store=1.0))
    response = harness.send("POST", f"{API}/text2video", {"prompt": "x", "external_task_id": "k"})
    assert (response.status, body(response)["code"]) == (504, 5002)
    assert len(harness.core.store) == 1
    harness.core.faults.plan = FaultPlan()
    assert harness.query("text2video", "k")["code"] == 0, "the task is recoverable by external_task_id"
    assert harness.core.faults.injected["504-after-store"] == 1


@pytest.mark.parametrize("kind", ["reset", "truncate"])
def test_connection_faults_are_drops(kind: str) -> None:
    harness = Harness(faults=FaultPlan(rate=1.0, kinds={kind: 1.0}, after_store=1.0))
    response = harness.send("POST", f"{API}/text2video", {"prompt": "x"})
    assert response.delivery.drop is (Drop.RESET if kind == "reset" else Drop.TRUNCATE)
    assert len(harness.core.store) == 1


def test_lost_response_scenario_stores_then_drops(harness: Harness) -> None:
    response = harness.send("POST", f"{API}/text2video", {"prompt": "x"}, headers={"prefer": "scenario=lost-response"})
    assert response.delivery.drop is Drop.RESET
    assert len(harness.core.store) == 1


def test_rate_limit_window_is_429_1302_per_tenant() -> None:
    harness = Harness(faults=FaultPlan(rate_limit=(2, 1.0)))
    assert [harness.send("GET", f"{API}/text2video/x").status for _ in range(3)] == [404, 404, 429]
    limited = harness.send("GET", f"{API}/text2video/x")
    assert body(limited)["code"] == 1302
    assert limited.header("Retry-After") == "1"
    assert harness.send("GET", f"{API}/text2video/x", token="tenant-b").status == 404
    harness.clock.advance(1.0)
    assert harness.send("GET", f"{API}/text2video/x").status == 404


@pytest.mark.parametrize(
    ("text", "low", "high"),
    [("fixed:20", 0.02, 0.02), ("uniform:5-50", 0.005, 0.05), ("normal:30,10", 0.0, 0.2), ("exp:10", 0.0, 1.0)],
)
def test_latency_distributions(text: str, low: float, high: float) -> None:
    injector = FaultInjector(FaultPlan(latency=Latency.parse(text)))
    draws = [injector.latency() for _ in range(200)]
    assert all(low <= d <= high for d in draws)
    assert str(Latency.parse(text)) == text


def test_latency_reaches_the_response() -> None:
    harness = Harness(faults=FaultPlan(latency=Latency.parse("fixed:25")))
    assert harness.send("GET", f"{API}/text2video/x").delivery.delay == 0.025


@pytest.mark.parametrize("text", ["", "fast", "uniform:5", "gauss:1,2"])
def test_bad_latency_is_explained(text: str) -> None:
    with pytest.raises(ValueError, match="latency"):
        Latency.parse(text)


def test_bad_plans_are_refused() -> None:
    with pytest.raises(ValueError, match="between 0 and 1"):
        FaultPlan(rate=2)
    with pytest.raises(ValueError, match="unknown fault kinds"):
        FaultPlan(kinds={"teapot": 1.0})
    with pytest.raises(ValueError, match="REQUESTS/SECONDS"):
        parse_rate_limit("ten")
