"""The video-file route: signed URLs under /files/videos/, served with CDN semantics from the media cache."""

from __future__ import annotations

from urllib.parse import parse_qs

from .._errors import ApiError
from .._http import Delivery, MockRequest, MockResponse
from ..media import cdn as _cdn
from ..media.mp4 import MediaCache, VideoShape
from ..media.video import FILES_PREFIX, VideoSigner
from ..state.clock import Clock
from ..state.store import TaskStore
from .auth import Authenticator


class VideoFiles:
    """Answers GET/HEAD of a video URL the mock handed out; anything else about it is not_found."""

    def __init__(  # noqa: PLR0913  (every collaborator is injected)
        self,
        store: TaskStore,
        signer: VideoSigner,
        auth: Authenticator,
        media: MediaCache,
        *,
        clock: Clock,
        retention_seconds: float,
    ) -> None:
        self.store = store
        self.signer = signer
        self.auth = auth
        self.media = media
        self.clock = clock
        self.retention_seconds = retention_seconds

    def serve(self, request: MockRequest) -> MockResponse:
        """Return the file's answer; a GET's bytes are streamed chunks, marked with their span for the fault stage."""
        if request.method not in ("GET", "HEAD"):
            raise ApiError(
                "invalid_method",
                f"Invalid request method: use GET or HEAD on {FILES_PREFIX}...",
                headers=[("Allow", "GET, HEAD")],
            )
        name = request.path[len(FILES_PREFIX) :]
        if not name.endswith(".mp4") or "/" in name:
            raise _not_found()
        video_id = name[: -len(".mp4")]
        found = self.store.video(video_id)
        signature = parse_qs(request.query).get("sig", [""])[0]
        if found is None:
            raise _not_found()
        task, video = found
        now = self.clock.now()
        if not self.signer.verify(task.tenant, video_id, signature) or task.visible_video(now) is None:
            raise _not_found()
        if now - task.finished_at > self.retention_seconds:
            raise _not_found()
        if self._caller(request, task.tenant) != task.tenant:
            raise _not_found()
        file = self.media.get(VideoShape(video.id, video.duration, video.ratio))
        answer = _cdn.answer(request.method, request.headers, _cdn.Resource(file.size, file.etag, task.finished_at))
        # HEAD, 304 and 416 announce their length without a body; a GET streams its slice of the file.
        if request.method == "HEAD" or answer.stop <= answer.start:
            return MockResponse(answer.status, b"", answer.headers, "video/mp4", answer.length)
        span = (answer.start, answer.stop, file.size)
        delivery = Delivery(0.0, None, file.chunks(answer.start, answer.stop), None, span)
        return MockResponse(answer.status, b"", answer.headers, "video/mp4", answer.length, delivery)

    def _caller(self, request: MockRequest, owner: str) -> str:
        """Return the key's tenant: the route needs no key (a CDN), but another tenant's key must not open it."""
        authorization = request.headers.get("authorization")
        if authorization is None:
            return owner
        try:
            return self.auth.tenant(authorization)
        except ApiError:
            return owner


def _not_found() -> ApiError:
    return ApiError("not_found", "Video not found: the URL is wrong, belongs to another API key, or has expired")
