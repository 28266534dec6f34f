# kb-corpus: websockets >= 14
"""Not warnings-as-errors: a test that fails on its own assertion and also reads a legacy
websockets name. Without ``filterwarnings = error`` the DeprecationWarnings are only listed in
pytest's warnings summary; the failure is the assertion, and no entry may claim the log for the
warnings."""

import websockets.client


def test_greeting_is_upper_case():
    assert websockets.client.connect  # a legacy name: warns on websockets >= 14, fails nothing here
    assert "hello".upper() == "hello"  # the real failure
