"""Where a download lands: inside the folder on every platform, and never over an existing file (S18)."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest
from maas_kl_client import DownloadError, DownloadTargetExists
from maas_kl_client._download import PartFile, destination, file_name

from .fakes import sync_client

VIDEO = b"\x00\x00\x00\x18ftypmp42" + bytes(range(256)) * 16


@pytest.mark.parametrize(
    ("url", "name"),
    [
        ("https://cdn.example.com/v/..\\..\\x.mp4", "x.mp4"),  # Windows separators inside one URL segment
        ("https://cdn.example.com/v/a\\b\\..", "video.mp4"),
        ("https://cdn.example.com/v/C:x.mp4", "video.mp4"),  # a drive-relative path on Windows
        ("https://cdn.example.com/v/C:\\x.mp4", "x.mp4"),
        ("https://cdn.example.com/v/clip.mp4:stream", "video.mp4"),  # an NTFS alternate stream
        ("https://cdn.example.com/v/NUL.mp4", "video.mp4"),  # Windows device names
        ("https://cdn.example.com/v/com1", "video.mp4"),
        ("https://cdn.example.com/v/clip.mp4.", "video.mp4"),
        ("https://cdn.example.com/v/a%2F..%2Fb.mp4", "a%2F..%2Fb.mp4"),  # escapes stay literal: one name
        ("https://cdn.example.com/v/" + "a" * 240 + ".mp4", "video.mp4"),
        ("https://cdn.example.com/v/console.mp4", "console.mp4"),  # only exact device names are refused
    ],
)
def test_the_name_taken_from_a_url_is_one_safe_file_name(url: str, name: str, tmp_path: Path) -> None:
    assert file_name(url) == name
    target = destination(url, tmp_path)
    assert target.parent == tmp_path
    assert target.name == name


def test_a_hostile_url_downloads_inside_the_folder(tmp_path: Path) -> None:
    folder = tmp_path / "out"
    folder.mkdir()
    client = sync_client(lambda _r: httpx.Response(200, content=VIDEO))
    path = client.download_video("https://cdn.example.com/v/..\\..\\evil.mp4", folder)
    assert path == folder / "evil.mp4"
    assert sorted(p.name for p in tmp_path.rglob("*")) == ["evil.mp4", "out"]


def test_an_existing_file_is_never_replaced_and_nothing_is_fetched(tmp_path: Path) -> None:
    (tmp_path / "abc.mp4").write_bytes(b"mine")
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, content=VIDEO)

    client = sync_client(handler)
    for path in (tmp_path, tmp_path / "abc.mp4"):  # a folder, or the file itself
        with pytest.raises(DownloadTargetExists) as caught:
            client.download_video("https://cdn.example.com/v/abc.mp4", path)
        assert isinstance(caught.value, DownloadError)
        assert caught.value.path == str(tmp_path / "abc.mp4")
        assert str(tmp_path / "abc.mp4") in str(caught.value)
        assert "overwrite=True" in str(caught.value)
    assert seen == []
    assert (tmp_path / "abc.mp4").read_bytes() == b"mine"
    path = client.download_video("https://cdn.example.com/v/abc.mp4", tmp_path, overwrite=True)
    assert path.read_bytes() == VIDEO
    assert sorted(p.name for p in tmp_path.iterdir()) == ["abc.mp4"]


def test_a_file_that_appears_during_the_download_is_kept(tmp_path: Path) -> None:
    target = tmp_path / "abc.mp4"

    def handler(_request: httpx.Request) -> httpx.Response:
        target.write_bytes(b"someone else's")  # another job, or another program, got there first
        return httpx.Response(200, content=VIDEO)

    with pytest.raises(DownloadTargetExists):
        sync_client(handler).download_video("https://cdn.example.com/v/abc.mp4", tmp_path)
    assert target.read_bytes() == b"someone else's"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["abc.mp4"]  # no part file left


def test_a_part_file_moves_into_place_only_when_the_name_is_free(tmp_path: Path) -> None:
    target = tmp_path / "v.mp4"
    part = PartFile(target)
    part.start_at(0)
    part.write([VIDEO])
    assert part.finish(len(VIDEO)) == target
    assert target.read_bytes() == VIDEO
    assert sorted(p.name for p in tmp_path.iterdir()) == ["v.mp4"]
