"""Video files: signed per-tenant URLs on the mock itself; the bytes come from `mp4`, the HTTP rules from `cdn`."""

from __future__ import annotations

import hmac
import os

FILES_PREFIX = "/files/videos/"


class VideoSigner:
    """Signs video URLs so a URL only opens the video for the tenant it was issued to."""

    def __init__(self, secret: bytes | None = None) -> None:
        self._secret = secret or os.urandom(32)

    def signature(self, tenant: str, video_id: str) -> str:
        """Return a short HMAC over tenant and video id."""
        # hmac.digest: the one-shot C path, the same bytes as hmac.new(...).digest() without a Python HMAC object
        return hmac.digest(self._secret, f"{tenant}\0{video_id}".encode(), "sha256").hex()[:32]

    def url(self, base_url: str, tenant: str, video_id: str) -> str:
        """Return the download URL of `video_id` for `tenant`, on the mock at `base_url`."""
        return f"{base_url}{FILES_PREFIX}{video_id}.mp4?sig={self.signature(tenant, video_id)}"

    def verify(self, tenant: str, video_id: str, signature: str) -> bool:
        """Whether `signature` was issued for this tenant and video."""
        return hmac.compare_digest(self.signature(tenant, video_id), signature)
