"""Live delivery of private messages: a real Socket.IO client receives the ``message`` event.

The app (the suite's own, same database) is served by a real HTTP server on a free port in a
background thread; python-socketio clients connect to it with API tokens, as the mobile app
would, and messages are sent to it over HTTP. The clients use the long-polling transport:
delivery (an emit to the recipient's ``user:<id>`` room) is the same for every transport, and
the development server this fixture runs closes websockets only after a 3 s timeout.
"""

from __future__ import annotations

import json
import re
import threading
import time
import urllib.request
from http.cookiejar import CookieJar

import pytest
import socketio
from werkzeug.serving import make_server

WAIT = 5.0


@pytest.fixture
def live_server(app):
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(5)


class Listener:
    """A python-socketio client that records the ``message`` events it receives."""

    def __init__(self, base: str, token: str) -> None:
        self.events: list[tuple[float, dict]] = []
        self.arrived = threading.Event()
        self.client = socketio.Client(reconnection=False)
        self.client.on("message", self._on_message)
        self.client.connect(base, auth={"token": token}, transports=["polling"],
                            wait_timeout=WAIT)

    def _on_message(self, data):
        self.events.append((time.perf_counter(), data))
        self.arrived.set()

    def close(self) -> None:
        self.client.disconnect()


@pytest.fixture
def listeners(live_server):
    made: list[Listener] = []

    def _listen(token_headers: dict) -> Listener:
        token = token_headers["Authorization"].split(" ", 1)[1]
        listener = Listener(live_server, token)
        made.append(listener)
        return listener

    yield _listen
    for listener in made:
        listener.close()


def post_json(url: str, headers: dict, payload: dict) -> tuple[int, dict]:
    request = urllib.request.Request(url, data=json.dumps(payload).encode(), method="POST",
                                     headers={**headers, "Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=WAIT) as resp:
        return resp.status, json.loads(resp.read())


def test_recipient_receives_a_message_sent_over_the_api(live_server, listeners, make_user,
                                                         api_token):
    alice, bobby, carol = make_user("alice"), make_user("bobby"), make_user("carol")
    bobby_socket = listeners(api_token(bobby))
    alice_socket = listeners(api_token(alice))
    carol_socket = listeners(api_token(carol))
    started = time.perf_counter()
    status, sent = post_json(f"{live_server}/api/v1/messages/bobby", api_token(alice),
                             {"body": "你好，**鲍比**！"})
    assert status == 201
    assert bobby_socket.arrived.wait(WAIT), "the recipient got no live message"
    arrived_at, data = bobby_socket.events[0]
    assert data == {
        "conversation_id": sent["conversation_id"],
        "message": {
            "id": sent["id"],
            "sender": {"username": "alice", "display_name": "alice", "avatar_initials": "A",
                       "avatar_hue": alice.avatar_hue},
            "body_html": "<p>你好，<strong>鲍比</strong>！</p>\n",
            "created_at": sent["created_at"],
        },
    }
    assert arrived_at - started < WAIT
    # The sender's other tabs hear it too; nobody else does.
    assert alice_socket.arrived.wait(WAIT)
    time.sleep(0.2)
    assert carol_socket.events == []
    assert len(bobby_socket.events) == 1


def test_recipient_receives_a_message_sent_from_the_web_form(live_server, listeners,
                                                             make_user, api_token):
    make_user("alice")
    bobby = make_user("bobby")
    bobby_socket = listeners(api_token(bobby))
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(CookieJar()))

    def csrf(path: str) -> str:
        html = opener.open(live_server + path, timeout=WAIT).read().decode()
        return re.search(r'name="csrf-token" content="([^"]+)"', html).group(1)

    login = urllib.parse.urlencode({"username": "alice", "password": "password123",
                                    "csrf_token": csrf("/login")}).encode()
    opener.open(live_server + "/login", data=login, timeout=WAIT)
    form = urllib.parse.urlencode({"body": "网页上发的私信",
                                   "csrf_token": csrf("/messages")}).encode()
    page = opener.open(live_server + "/messages/bobby", data=form, timeout=WAIT)
    assert page.status == 200 and "网页上发的私信" in page.read().decode()
    assert bobby_socket.arrived.wait(WAIT)
    assert "网页上发的私信" in bobby_socket.events[0][1]["message"]["body_html"]


def test_a_refused_message_is_not_delivered(live_server, listeners, make_user, api_token):
    from forum.services import blocks

    alice, bobby = make_user("alice"), make_user("bobby")
    blocks.set_blocked(bobby, alice, True)
    bobby_socket = listeners(api_token(bobby))
    with pytest.raises(urllib.error.HTTPError) as err:
        post_json(f"{live_server}/api/v1/messages/bobby", api_token(alice), {"body": "你好"})
    assert err.value.code == 403
    time.sleep(0.3)
    assert bobby_socket.events == []
