"""Field types every inbound edge shares (REST, forms, the socket)."""

from typing import Annotated

from pydantic import Field, StrictInt

MAX_ID = 2**63 - 1

# A cursor into the catch-up log: 0 for "from the start".
Cursor = Annotated[StrictInt, Field(ge=0, le=MAX_ID)]
