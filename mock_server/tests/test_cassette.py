"""Scrubbing: what a cassette, a report or an error message may never hold."""

from __future__ import annotations

from maas_kl_mock.cassettes.format import SCRUBBED, Scrubber

KEY = "sk-live-0123456789abcdef"


def test_a_learned_key_is_scrubbed_anywhere() -> None:
    scrub = Scrubber()
    scrub.learn(f"Bearer {KEY}")
    assert scrub.text(f"the key {KEY} leaked") == f"the key {SCRUBBED} leaked"
    assert scrub.json({KEY: [f"x{KEY}y"]}) == {SCRUBBED: [f"x{SCRUBBED}y"]}


def test_bearer_tokens_and_url_query_values_are_scrubbed() -> None:
    scrub = Scrubber()
    text = "Authorization: Bearer abc.def and https://cdn.example/v.mp4?sig=deadbeef&Expires=99#t"
    assert scrub.text(text) == (
        f"Authorization: Bearer {SCRUBBED} and https://cdn.example/v.mp4?sig={SCRUBBED}&Expires={SCRUBBED}#t"
    )


def test_a_raw_query_keeps_its_names_only() -> None:
    assert Scrubber().query("api_key=abc&limit=5&flag") == f"api_key={SCRUBBED}&limit={SCRUBBED}&flag"


def test_a_url_without_query_is_kept() -> None:
    assert Scrubber().text("https://example.com/frame.png") == "https://example.com/frame.png"
