"""Taking over a row claimed by a process that is certainly dead (see `briefing.processes`)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, and_, or_, select
from sqlalchemy.orm import InstrumentedAttribute, Session

from briefing.processes import is_dead


def or_dead_holder(
    claimable: ColumnElement[bool], session: Session, key: InstrumentedAttribute[Any], row_id: object,
    status: InstrumentedAttribute[str], held: str, holder: InstrumentedAttribute[str | None],
) -> ColumnElement[bool]:
    """`claimable`, or also: the row is still `held` by the process that claimed it, when that
    process is certainly dead. Conditional on that same holder, so of several processes
    taking the row over in one UPDATE each, one wins."""
    owner = session.scalar(select(holder).where(key == row_id, status == held))
    if owner and is_dead(owner):
        return or_(claimable, and_(status == held, holder == owner))
    return claimable
