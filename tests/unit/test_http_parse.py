"""The dev server's request-head parser never fails with anything but a
``BadRequest`` (an HTTP answer), whatever bytes a client sends."""
from __future__ import annotations

from urllib.parse import unquote_to_bytes

from hypothesis import given, settings, strategies as st

from myframework.local.httpserver import BadRequest, parse_head

TOKEN = st.text(alphabet="!#$%&'*+-.^_`|~0123456789"
                         "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz",
                min_size=1, max_size=20)


@settings(max_examples=500)
@given(st.binary(max_size=300))
def test_any_bytes_parse_or_give_a_bad_request(head: bytes) -> None:
    try:
        _, target, version, headers = parse_head(head)
    except BadRequest as exc:
        refused: BadRequest | None = exc
    else:
        refused = None
        assert target.startswith("/")
        assert target.isascii()
        assert version in ("HTTP/1.1", "HTTP/1.0")
        for name, value in headers:
            assert name
            assert "\r" not in value
            assert "\n" not in value
    if refused is not None:
        assert 400 <= refused.status <= 505
        assert refused.message


@settings(max_examples=200)
@given(TOKEN, st.lists(st.tuples(TOKEN, st.text(
    alphabet=st.characters(min_codepoint=0x20, max_codepoint=0x7E), max_size=40)), max_size=8),
    st.text(alphabet=st.characters(min_codepoint=0x21, max_codepoint=0xFFFF,
                                   exclude_categories=["Cs"],
                                   exclude_characters="%\x7f"), max_size=30))
def test_well_formed_heads_round_trip(method: str, headers: list[tuple[str, str]],
                                      path: str) -> None:
    raw_target = ("/" + path).encode("utf-8")
    head = b"%s %s HTTP/1.1" % (method.encode(), raw_target)
    for name, value in headers:
        head += b"\r\n%s: %s" % (name.encode(), value.encode())
    got_method, target, version, got_headers = parse_head(head)
    assert got_method == method
    assert version == "HTTP/1.1"
    assert got_headers == [(n, v.strip(" \t")) for n, v in headers]
    # Non-ASCII bytes are percent-encoded, ASCII kept as sent.
    assert target.isascii()
    assert unquote_to_bytes(target) == raw_target
