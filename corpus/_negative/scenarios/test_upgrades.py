"""Failures after an upgrade or a typo that none of the knowledge base's causes explain."""

import importlib


def test_import_of_a_removed_name():
    from channels.layers import ChannelLayerThatDoesNotExist  # noqa: F401


def test_import_of_a_missing_package():
    importlib.import_module("channels_redis_extras")


def test_attribute_removed_from_a_module():
    import channels.layers

    channels.layers.get_layer_by_alias("default")


def test_name_error_in_test_code():
    assert room_code == "ABC123"  # noqa: F821


def test_unknown_fixture(redis_clustr):
    pass


def test_deprecation_turned_into_an_error():
    import warnings

    warnings.simplefilter("error")
    warnings.warn("settings.USE_L10N is deprecated", DeprecationWarning, stacklevel=1)
