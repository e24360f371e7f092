"""Bounds of every id and date a request may carry (API and pages).

A database id is a 64-bit integer: a larger number in a URL or a filter would overflow the
database driver (a 500) instead of finding nothing. Dates outside MIN_DATE..MAX_DATE are refused
before any arithmetic (a day's end in UTC, a range's length) can overflow Python's datetime.
"""

import datetime as dt
from typing import Annotated

from pydantic import Field

MAX_ID = 2**63 - 1
MIN_DATE = dt.date(1900, 1, 1)
MAX_DATE = dt.date(2199, 12, 31)

Id = Annotated[int, Field(ge=1, le=MAX_ID)]
BoundedDate = Annotated[dt.date, Field(ge=MIN_DATE, le=MAX_DATE)]
