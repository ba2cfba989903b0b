"""`python -m maas_kl_client.cli` runs the `maas-kl` command line."""

from . import main

raise SystemExit(main())
