"""The `maas-kl` command line (extra `maas-kl-client[cli]`): create, watch and download MaaS_KL tasks.

Nothing here is imported by `import maas_kl_client`; the core SDK keeps httpx and attrs as its
only dependencies, and this subpackage adds rich.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import httpx

    from .._clock import Clock


def main(
    argv: Sequence[str] | None = None, *, clock: Clock | None = None, http_client: httpx.Client | None = None
) -> int:
    """Entry point of the `maas-kl` console script; `clock` and `http_client` are for tests and embedding."""
    args = sys.argv[1:] if argv is None else list(argv)
    try:
        if args in (["--version"], ["-V"]):  # needs neither the [cli] extra nor the parser
            from .. import __version__  # noqa: PLC0415 - the package's __init__ loads nothing else (PEP 562)

            sys.stdout.write(f"maas-kl {__version__}\n")
            return 0
        try:
            from ._main import run  # noqa: PLC0415 - needs the [cli] extra
        except ImportError as missing:
            sys.stderr.write(
                f"maas-kl: error: the command line needs the 'cli' extra ({missing.name} is missing); "
                "install it with: pip install 'maas-kl-client[cli]'\n"
            )
            return 2
        return run(args, clock=clock, http_client=http_client)
    except KeyboardInterrupt:  # before a command runs (loading, parsing): nothing was sent
        sys.stderr.write("maas-kl: interrupted; nothing was sent.\n")
        return 130


__all__ = ["main"]
