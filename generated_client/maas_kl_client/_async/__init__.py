"""The async client and resources, the sources of `_sync/`: all by hand but the rendered families.py."""
