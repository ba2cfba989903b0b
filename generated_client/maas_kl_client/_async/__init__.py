"""The async client and resources, the sources of `_sync/`: client.py and resource.py by hand, resources.py rendered."""
