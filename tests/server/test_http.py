"""``parse_json``: the one strict, bounded JSON reader of bodies and frames."""

from __future__ import annotations

import pytest

from mockgenesys.server.http import MAX_JSON_DEPTH, JsonRefused, parse_json


def test_parse_json_reads_ordinary_json() -> None:
    assert parse_json(b'{"a": [1, 2.5, "x", null, true]}') == {"a": [1, 2.5, "x", None, True]}
    assert parse_json('{"text": "h\\u00e9"}') == {"text": "hé"}


@pytest.mark.parametrize("depth", [MAX_JSON_DEPTH + 1, 1000, 250_000])
def test_parse_json_refuses_nesting_past_the_limit_without_recursing(depth: int) -> None:
    with pytest.raises(JsonRefused, match=f"deeper than {MAX_JSON_DEPTH}"):
        parse_json(b"[" * depth + b"]" * depth)
    with pytest.raises(JsonRefused):
        parse_json(b"[" * depth)  # unbalanced too: never a RecursionError


def test_parse_json_accepts_the_limit_and_wide_bodies() -> None:
    assert parse_json(b"[" * MAX_JSON_DEPTH + b"]" * MAX_JSON_DEPTH) is not None
    wide = b"[" + b",".join([b"[[1]]"] * 5000) + b"]"  # many brackets, little depth: walked, accepted
    assert len(parse_json(wide)) == 5000
    deep_in_wide = b"[" + b"[]," * 100 + b"[" * 70 + b"]" * 70 + b"]"
    with pytest.raises(JsonRefused):
        parse_json(deep_in_wide)


@pytest.mark.parametrize("text", [b"NaN", b'{"a": Infinity}', b"1e400", b'"\\ud800"', b"\xff\xfe", b"{nope", b""])
def test_parse_json_refuses_what_strict_json_does_not_allow(text: bytes) -> None:
    with pytest.raises(JsonRefused):
        parse_json(text)
