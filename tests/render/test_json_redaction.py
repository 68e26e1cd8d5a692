"""--json output redacts every registered secret in one pass over the text (render/json json_text): raw,
as the JSON encoder escapes it, in keys and values; and falls back to string-by-string redaction when a
replacement would change the JSON's shape."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest

from leastforce.render.json import json_text
from leastforce.values import secrets


@pytest.fixture(autouse=True)
def clean() -> Iterator[None]:
    secrets.forget_all()
    yield
    secrets.forget_all()


def test_a_secret_is_redacted_in_values_and_keys_and_the_rest_is_untouched() -> None:
    secrets.register("s3cr3t-token-value")
    body = {"a": "before s3cr3t-token-value after", "s3cr3t-token-value": [1, "plain"], "n": 2.5}
    out = json.loads(json_text(body))
    assert out == {"a": "before [REDACTED] after", "[REDACTED]": [1, "plain"], "n": 2.5}


def test_a_secret_with_characters_json_escapes_is_found_as_written() -> None:
    secrets.register('pa"ss\\word\t42')
    text = json_text({"error": 'login failed for pa"ss\\word\t42'})
    assert "ss" not in text.replace("[REDACTED]", "") or "word" not in text
    assert json.loads(text) == {"error": "login failed for [REDACTED]"}


def test_url_encoded_and_base64_forms_are_redacted_too() -> None:
    secrets.register("client+secret/value")
    text = json_text({"u": "client%2Bsecret%2Fvalue", "b": "Y2xpZW50K3NlY3JldC92YWx1ZQ=="})
    assert "secret" not in text and "Y2xpZW50K3NlY3JldC92YWx1ZQ" not in text


def test_a_secret_that_looks_like_json_layout_never_matches_across_two_strings() -> None:
    secrets.register('abcdef",\n    "ghijkl')  # as the text lays out two list items
    body = {"x": ["abcdef", "ghijkl"], "z": 'abcdef",\n    "ghijkl'}
    out = json.loads(json_text(body))
    assert out == {"x": ["abcdef", "ghijkl"], "z": "[REDACTED]"}


def test_the_output_is_indented_as_the_standard_encoder_writes_it() -> None:
    body = {"status": 0, "result": {"list": [1, {"k": "é"}], "empty": [], "none": None}}
    assert json_text(body) == json.dumps(body, indent=2, ensure_ascii=False)
