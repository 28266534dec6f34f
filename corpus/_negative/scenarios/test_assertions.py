"""Plain assertion failures: wrong values, wrong close codes, wrong messages."""


def test_plain_assert_false():
    connected = False
    assert connected


def test_expected_one_close_code_got_another():
    received = {"type": "websocket.close", "code": 4003}
    assert received == {"type": "websocket.close", "code": 4001}


def test_message_content_differs():
    assert {"type": "chat", "text": "hi"} == {"type": "chat", "text": "hello"}


def test_http_status_differs():
    status = 404
    assert status == 200


def test_counts_differ():
    players = ["alice"]
    assert len(players) == 2, "both players should be in the room"
