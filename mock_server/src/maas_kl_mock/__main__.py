"""`python -m maas_kl_mock serve ...` runs the standalone server."""

from ._cli import main

raise SystemExit(main())
