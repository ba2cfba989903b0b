"""Video files: signed per-tenant URLs on the mock itself, serving a small real H.264 MP4.

The file (`data/sample.mp4`, about 3 KB) was made once with
`ffmpeg -f lavfi -i testsrc=size=160x90:rate=10:duration=1 -c:v libx264 -profile:v baseline
-pix_fmt yuv420p -crf 40 -movflags +faststart -an sample.mp4`.
"""

from __future__ import annotations

import hashlib
import hmac
import os
from functools import cache
from importlib import resources

FILES_PREFIX = "/files/videos/"


@cache
def sample_mp4() -> bytes:
    """Return the MP4 every succeeded task serves."""
    return (resources.files("maas_kl_mock") / "data" / "sample.mp4").read_bytes()


class VideoSigner:
    """Signs video URLs so a URL only opens the video for the tenant it was issued to."""

    def __init__(self, secret: bytes | None = None) -> None:
        self._secret = secret or os.urandom(32)

    def signature(self, tenant: str, video_id: str) -> str:
        """Return a short HMAC over tenant and video id."""
        return hmac.new(self._secret, f"{tenant}\0{video_id}".encode(), hashlib.sha256).hexdigest()[:32]

    def url(self, base_url: str, tenant: str, video_id: str) -> str:
        """Return the download URL of `video_id` for `tenant`, on the mock at `base_url`."""
        return f"{base_url}{FILES_PREFIX}{video_id}.mp4?sig={self.signature(tenant, video_id)}"

    def verify(self, tenant: str, video_id: str, signature: str) -> bool:
        """Whether `signature` was issued for this tenant and video."""
        return hmac.compare_digest(self.signature(tenant, video_id), signature)
