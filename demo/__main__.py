"""`python -m demo` (what `make demo` runs)."""

from demo.main import main

raise SystemExit(main())
