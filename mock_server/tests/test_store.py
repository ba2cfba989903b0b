from maas_kl_mock import MemoryTaskStore, Task, Video


def make(n: int, tenant: str = "t", created: float = 0.0, external: str | None = None) -> Task:
    return Task(
        task_id=str(n),
        tenant=tenant,
        kind="text2video",
        created_at=created,
        submitted_for=1,
        processing_for=3,
        model="MaaS_KL_V1",
        mode="std",
        external_task_id=external,
        video=Video(f"v{n}", 5.1),
    )


def test_store_is_bounded_and_forgets_the_oldest() -> None:
    store = MemoryTaskStore(max_tasks=100)
    for n in range(1_000):
        store.add(make(n, external=f"e{n}"), now=0.0)
    assert len(store) == 100
    assert store.evicted_total == 900
    assert store.get("t", "text2video", "0") is None
    assert store.get("t", "text2video", "e999") is not None
    assert store.video("v0") is None
    assert not store.has_external("t", "e0"), "an evicted task frees its external_task_id"


def test_store_expires_by_retention() -> None:
    store = MemoryTaskStore(retention_seconds=10)
    store.add(make(1, created=0.0), now=0.0)
    store.add(make(2, created=20.0), now=20.0)
    assert [t.task_id for t in store.tasks()] == ["2"]


def test_unfinished_counts_free_slots_over_time() -> None:
    store = MemoryTaskStore()
    store.add(make(1), now=0.0)
    store.add(make(2, tenant="u"), now=0.0)
    assert store.unfinished("t", 3.9) == 1
    assert store.unfinished("t", 4.0) == 0
    assert store.tenants() == {"t": 1, "u": 1}
