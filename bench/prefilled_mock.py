"""`maas-kl-mock serve` with a store filled before it listens: 1k-100k stored tasks without 100k HTTP creates.

`python bench/prefilled_mock.py TASKS SERVE-FLAGS...` parses the flags as `maas-kl-mock serve` does,
builds the same core, adds TASKS tasks through the core's own create path (in process, no sockets),
then serves it with the CLI's own uvicorn settings (`maas_kl_mock._cli._serve`). Bench only.
"""

from __future__ import annotations

import sys

import orjson
import uvloop
from maas_kl_mock import MockCore, MockRequest
from maas_kl_mock._cli import _listen, _serve, build_parser, config_from_args

BODY = orjson.dumps({"model_name": "kling-v1", "prompt": "A dog running on the grass"})


def fill(core: MockCore, tasks: int, token: str) -> None:
    """Create `tasks` tasks for `token`'s tenant through MockCore.handle, as HTTP creates would."""
    headers = {"authorization": f"Bearer {token}", "content-type": "application/json"}
    path = "/v1/ai/default/kling/videos/text2video"
    for _ in range(tasks):
        response = core.handle(MockRequest("POST", path, headers, BODY))
        if response.status != 200:
            raise SystemExit(f"prefill failed: {response.status} {response.body[:200]!r}")
    core.calls.clear()


def main() -> int:
    """Fill, then serve until stopped."""
    tasks = int(sys.argv[1])
    parser = build_parser()
    args = parser.parse_args(["serve", *sys.argv[2:]])
    core = MockCore(config_from_args(args))
    token = sorted(core.config.tokens)[0] if core.config.tokens else "bench-token"
    fill(core, tasks, token)
    return uvloop.run(_serve(args, core, _listen(parser, args.host, args.port)))


if __name__ == "__main__":
    raise SystemExit(main())
