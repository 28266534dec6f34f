"""Runtime errors in test or application code that are not set-up problems."""

import json


def _depth(n):
    return _depth(n + 1)


def test_unbounded_recursion_in_a_helper():
    _depth(0)


def test_key_error_in_a_lookup():
    rooms = {"ABC123": []}
    rooms["XYZ789"].append("alice")


def test_bad_json():
    json.loads("{not json")


def test_none_is_not_subscriptable():
    payload = None
    payload["type"]


def test_attribute_on_none():
    user = None
    user.username


def test_division_by_zero():
    rate = 10 / 0
    assert rate


def test_int_of_text():
    int("abc")


def test_custom_runtime_error():
    raise RuntimeError("the price feed returned no symbols")


def test_missing_file():
    open("/nonexistent/fixtures/prices.json").read()


def test_explicit_fail():
    import pytest

    pytest.fail("the room was never created")
