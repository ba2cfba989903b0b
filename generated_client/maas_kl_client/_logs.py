"""Logging switched on from the environment (MAAS_KL_LOG=info|debug); no record carries a secret."""

from __future__ import annotations

import logging
import os
import warnings
from collections.abc import Mapping
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

ENV_LOG = "MAAS_KL_LOG"
LEVELS = {"info": logging.INFO, "debug": logging.DEBUG}
logger = logging.getLogger("maas_kl_client")


def redact_url(url: object) -> str:
    """Return the URL with every query value masked: signed video links carry their signature there."""
    parts = urlsplit(str(url))
    if not parts.query:
        return str(url)
    query = urlencode([(name, "***") for name, _ in parse_qsl(parts.query, keep_blank_values=True)], safe="*")
    return urlunsplit(parts._replace(query=query))


class RedactUrls(logging.Filter):
    """Mask query values in the URLs of httpx's own records ("HTTP Request: GET <url> ...")."""

    def filter(self, record: logging.LogRecord) -> bool:
        """Rewrite the record's URL arguments in place; never drops a record."""
        if isinstance(record.args, tuple):
            record.args = tuple(redact_url(a) if _is_url(a) else a for a in record.args)
        return True


def _is_url(value: object) -> bool:
    text = str(value) if type(value).__name__ == "URL" else value
    return isinstance(text, str) and text.startswith(("http://", "https://"))


_FILTER = RedactUrls()
_WARNED: set[str] = set()


class LogSettingWarning(UserWarning):
    """MAAS_KL_LOG holds a value that is not a level; the SDK logs nothing and says so once."""


def configure(environ: Mapping[str, str] = os.environ) -> None:
    """Set up the SDK's logging; every client calls it when built (not the import), and a second call changes nothing.

    It installs `RedactUrls` on httpx's logger, so signed video URLs reach no log record whoever
    turned httpx's logging on, and when MAAS_KL_LOG asks for it, logs the SDK's and httpx's records
    to stderr.
    """
    logging.getLogger("httpx").addFilter(_FILTER)  # a no-op when httpx logs nothing; added once (a set)
    asked = environ.get(ENV_LOG, "").strip().lower()
    level = LEVELS.get(asked)
    if level is None:
        if asked and asked not in _WARNED:  # a typo should not look like "nothing to log"
            _WARNED.add(asked)
            warnings.warn(
                f"{ENV_LOG}={asked[:20]!r} is not a log level; use {' or '.join(LEVELS)} (logging stays off)",
                LogSettingWarning,
                stacklevel=3,
            )
        return
    for name in ("maas_kl_client", "httpx"):
        target = logging.getLogger(name)
        target.setLevel(level)
        if not target.handlers:
            handler = logging.StreamHandler()
            handler.setFormatter(logging.Formatter("[%(asctime)s %(name)s %(levelname)s] %(message)s"))
            handler.addFilter(_FILTER)
            target.addHandler(handler)
            if name == "maas_kl_client":
                logger.debug("logging at %s from %s", logging.getLevelName(level), ENV_LOG)


def log_event(event: object) -> None:
    """Log one client event (MAAS_KL_LOG): requests and responses, retries, recovery lookups and polls."""
    name = type(event).__name__
    fields = getattr(event, "__slots__", ())
    parts = []
    for field in fields:
        value = getattr(event, field)
        if field == "task":
            value = f"{value.task_id} {value.task_status}"
        elif field == "path":
            value = redact_url(value)
        elif isinstance(value, float):
            value = f"{value:.3f}"
        parts.append(f"{field}={value}")
    level = logging.DEBUG if name in {"RequestSent", "PollScheduled"} else logging.INFO
    logger.log(level, "%s %s", name, " ".join(parts))
