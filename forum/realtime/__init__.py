"""Real time over Socket.IO: ``emit`` (the one way to push an event), ``presence`` (who has a
topic open), ``rendering`` (a new reply as readers see it) and ``sockets`` (connections,
rooms, client events; registered by create_app through ``sockets.init_app``).

Push from anywhere (web process, Celery worker, CLI)::

    from forum import realtime
    realtime.emit_to_user(user_id, "notification", {...})
    realtime.emit_to_topic(topic_id, "reply_created", {...})
    realtime.emit_to_moderators("queue_changed", {...})

With ``REDIS_URL`` set the event goes through the Redis message queue, so it reaches the
browsers connected to every web process; a Celery worker uses a write-only client of the
queue (flask-socketio's "emitting from an external process"). Emitting never raises: a
broken queue is logged and the page or task goes on.
"""

from forum.realtime.emit import (
    MODERATORS_ROOM,
    emit_to_moderators,
    emit_to_topic,
    emit_to_user,
    topic_room,
    user_room,
)

__all__ = ["MODERATORS_ROOM", "emit_to_moderators", "emit_to_topic", "emit_to_user",
           "topic_room", "user_room"]
