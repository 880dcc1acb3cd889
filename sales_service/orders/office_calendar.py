"""The office calendar: working days are Indonesian working days minus the office's own
leave days, which the admin keeps. Never commits."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from sales_service.errors import N_, Conflict, NotFound
from sales_service.orders.models import LeaveDay
from sales_service.orders.sla import WorkingCalendar
from sales_service.orders.workflow import Actor
from sales_service.text import clean_text


def calendar(session: Session) -> WorkingCalendar:
    return WorkingCalendar(session.scalars(select(LeaveDay.day)))


def leave_days(session: Session) -> list[LeaveDay]:
    return list(session.scalars(select(LeaveDay).order_by(LeaveDay.day.desc())))


def add_leave_day(session: Session, actor: Actor, day: date, note: str) -> LeaveDay:
    actor.require_admin()
    note = clean_text(note, N_("Keterangan"), max_length=200)
    if session.scalar(select(LeaveDay.id).where(LeaveDay.day == day)) is not None:
        raise Conflict("Tanggal {day} sudah tercatat sebagai hari cuti kantor.", day=day.isoformat())
    leave = LeaveDay(day=day, note=note, created_by=actor.user.full_name)
    session.add(leave)
    session.flush()
    return leave


def remove_leave_day(session: Session, actor: Actor, leave_id: int) -> None:
    actor.require_admin()
    leave = session.get(LeaveDay, leave_id)
    if leave is None:
        raise NotFound("Hari cuti tidak ditemukan.")
    session.delete(leave)
    session.flush()
