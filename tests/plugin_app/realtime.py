"""A feature the kernel has never heard of: a noticeboard.

It plugs a stream and a command into the socket exactly as messaging does,
without a line in intranet/: people at canteen.test follow `board.lobby`;
anyone else may not post to it or read it.
"""

from typing import Any

from django.db import OperationalError, transaction
from django.http import Http404
from pydantic import BaseModel, StrictStr

from intranet.plugins import Budget, StreamQuery, command, streams
from intranet.realtime import record
from intranet.sql import table

BOARD = "board.lobby"


class Notice(BaseModel):
    text: StrictStr


def may_read(user) -> bool:
    return user.email.endswith("@canteen.test") and user.first_name != "Carol"


@streams
def board_streams() -> StreamQuery:
    from profiles.models import User

    return StreamQuery(
        f"SELECT u.id, %s FROM {table(User)} u"  # noqa: S608 - tables only
        " WHERE u.id IN (SELECT id FROM asked) AND u.email LIKE %s"
        " AND u.first_name <> %s",
        (BOARD, "%@canteen.test", "Carol"),
    )


@command("notice.post", Notice, budget=Budget(burst=3, per_second=0.5))
def post(user, data: Notice) -> dict[str, Any]:
    if not may_read(user):
        raise Http404("No such board.")
    with transaction.atomic():
        event = record(BOARD, {"type": "notice.posted", "text": data.text})
    return {"type": "notice.ack", "cursor": event["cursor"]}


class Nothing(BaseModel):
    pass


@command("notice.fail", Nothing)
def fail(user, data: Nothing) -> None:
    # What a database hiccup looks like to a handler.
    raise OperationalError("server closed the connection unexpectedly")
