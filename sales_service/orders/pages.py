"""The order page and the way every order action answers, shared by the blueprints that
act on orders (orders, invoices, later payments). HTTP glue, no rules: what may be
done is asked of ``orders.permissions`` through the ``may`` helper."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from functools import wraps

from flask import current_app, flash, redirect, request, url_for
from flask_login import current_user

from sales_service import db, orm
from sales_service.errors import N_
from sales_service.files import services as files
from sales_service.files.models import DocumentType, OrderDocument
from sales_service.i18n import current_language
from sales_service.orders import ordering, review, workflow
from sales_service.orders.lifecycle import STATUS_LABELS
from sales_service.orders.models import ZeroRateClaim
from sales_service.orders.office_calendar import calendar
from sales_service.orders.permissions import Do
from sales_service.orders.queue import sla_for
from sales_service.orders.requirements import REQUIREMENT_LABELS
from sales_service.orders.review import RETURN_TOPICS
from sales_service.orders.workflow import Actor
from sales_service.pnbp.segments import PURPOSE_LABELS, ZERO_RATE_SEGMENTS, BuyerSegment, ClaimRoute, ZeroRatePurpose
from sales_service.sppd import services as sppd
from sales_service.sppd.models import AbstractVersion
from sales_service.web import attempt, render, to_local_date, today

EVENT_LABELS = {
    "create": N_("membuat pesanan"),
    "create_walk_in": N_("mencatat tamu loket dan membuat pesanan"),
    "add_line": N_("menambah produk"),
    "remove_line": N_("menghapus produk"),
    "update_details": N_("mengubah tujuan penggunaan"),
    "abstract": N_("menyimpan abstraksi"),
    "upload": N_("mengunggah surat permohonan"),
    "submit": N_("mengajukan pesanan"),
    "return": N_("mengembalikan untuk perbaikan"),
    "accept": N_("menerima dokumen"),
    "cancel": N_("membatalkan pesanan"),
    "approve_zero_rate": N_("menyetujui tarif Rp0"),
    "continue_full_price": N_("memilih lanjut dengan tarif penuh"),
    "final_size": N_("mencatat ukuran akhir ekstrak"),
    # Written by the invoices capability on the same trail.
    "issue_invoice": N_("menerbitkan invoice"),
    "request_correction": N_("meminta koreksi"),
    "reissue": N_("menjawab koreksi dengan versi baru"),
    "decline_correction": N_("menolak koreksi dengan penjelasan"),
    "new_billing_code": N_("meminta kode billing baru"),
    "sample": N_("mengunggah sampel data"),
}

# The page's own readings of the order, by the column their rows are found by (see OrderReads).
_OWN_READS = {files.documents: OrderDocument.order_id, sppd.abstracts: AbstractVersion.order_id}


def purpose_label(purpose: ZeroRatePurpose) -> str:
    """One of the four Rp0 purposes in the visitor's language."""
    indonesian, english_label = PURPOSE_LABELS[ZeroRatePurpose(purpose)]
    return english_label if current_language() == "en" else indonesian


def current_actor() -> Actor:
    return Actor(current_user._get_current_object())


def register_event_labels(app, labels) -> None:
    """Let a later capability (payments) name the events it writes on an order's timeline,
    without orders importing it: ``{action: N_("label")}``."""
    app.extensions.setdefault("order_event_labels", {}).update(labels)


def register_order_section(app, template: str, context, *, reads: Mapping | None = None) -> None:
    """Let a later capability (invoices, payments) add a section to the order page
    without orders importing it: ``context(session, order, actor, reads) -> dict | None``,
    where ``reads`` is the page's :class:`OrderReads` (what the page and the other sections
    read of the order, read once). The section's own readings of the order may be named with
    ``reads={read: column}`` (see :class:`OrderReads`)."""
    app.extensions.setdefault("order_sections", []).append((template, context))
    app.extensions.setdefault("order_reads", dict(_OWN_READS)).update(reads or {})


class OrderReads:
    """What one order page reads of its order, shared by the page and its sections so each
    reading runs once per request whoever asks first (issue 8, point 21): ``reads(read)`` calls
    ``read(session, order_id)`` (e.g. ``files.documents``, ``sppd.abstracts``) the first time and
    gives the same rows to every later asker.

    A reading named with the column its rows are found by (``{refunds_of_order: Refund.order_id}``:
    its rows are exactly those whose column holds the order's id) is not sent at all when the
    order has none: the first such reading asks, in one statement, which of the named tables hold
    anything of the order (most orders have no refund, receipt, proof or correction; an order in
    review has no payment either).

    Holding the rows for the request also keeps them in the session's identity map, so what
    refers to them (an abstract version's attachment is one of the order's documents) is found
    there instead of being read once per row."""

    def __init__(self, session, order_id: int, named: Mapping | None = None):
        self._session = session
        self._order_id = order_id
        self._read: dict = {}
        self._named = dict(_OWN_READS if named is None else named)
        self._holds: dict | None = None

    def __call__(self, read: Callable[..., Iterable]) -> list:
        if read not in self._read:
            self._read[read] = list(read(self._session, self._order_id)) if self._may_hold(read) else []
        return list(self._read[read])

    def _may_hold(self, read) -> bool:
        if read not in self._named:
            return True
        if self._holds is None:
            self._holds = dict(zip(self._named, orm.holding(self._session, list(self._named.values()),
                                                            self._order_id), strict=True))
        return self._holds[read]


def order_page(order_id: int, *, error: str | None = None, status: int = 200, typed: Mapping | None = None,
               typed_for: str | None = None):
    """The order page; after a refused action, with its reason and what was typed into the
    form of the action ``typed_for`` (an endpoint), so nothing typed is lost."""
    session = db.session()
    actor = current_actor()
    order = workflow.get_order_for(session, order_id, actor.user)
    reads = OrderReads(session, order.id, current_app.extensions.get("order_reads"))
    documents = reads(files.documents)  # before the abstracts: their attachments are among these
    abstracts = reads(sppd.abstracts)
    order_events = reads(workflow.events)
    buyer = ordering.buyer_of(session, order)  # held: the Rp0 route below asks the session for it again
    providers = current_app.extensions.get("order_sections", [])
    sections = [(template, context) for template, context in
                ((t, make(session, order, actor, reads)) for t, make in providers) if context is not None]
    reviewing = actor.may(Do.SEE_REVIEW_DETAILS, order)
    route = ordering.zero_rate_route(session, order)
    sla = sla_for(order, order_events, calendar(session), today=today(), to_local=to_local_date) \
        if reviewing else None
    checks = ordering.requirement_checks(session, order, buyer, abstracts=abstracts, documents=documents,
                                         events=order_events)
    return render(
        "orders/order.html",
        status=status,
        error=error,
        order=order,
        may=lambda do: actor.may(do, order),
        reviewing=reviewing,
        sections=sections,
        events=order_events,
        checks=checks,
        abstract=abstracts[0] if abstracts else None,
        abstracts=abstracts,
        letters=[d for d in documents if d.doc_type == DocumentType.REQUEST_LETTER],
        last_return=ordering.latest_return(session, order, order_events),
        requested_variables=ordering.microdata_requested_variables(order) if reviewing else [],
        sla=sla,
        may_claim_zero=route != ClaimRoute.NONE and order.zero_rate != ZeroRateClaim.REFUSED,
        claim_through_institution=route == ClaimRoute.INSTITUTION_LETTER,
        institution_kinds=[segment for segment in BuyerSegment if segment in ZERO_RATE_SEGMENTS],
        zero_rate_purposes=list(ZeroRatePurpose),
        purpose_label=purpose_label,
        zero_rate_refused=order.zero_rate == ZeroRateClaim.REFUSED,
        zero_rate_pending=order.zero_rate == ZeroRateClaim.PENDING,
        zero_rate_approved=order.zero_rate == ZeroRateClaim.APPROVED,
        return_topics=RETURN_TOPICS,
        return_form_topics=review.return_topics(session, order, checks) if actor.may(Do.RETURN, order) else {},
        requirement_labels=REQUIREMENT_LABELS,
        status_labels=STATUS_LABELS,
        event_labels={**EVENT_LABELS, **current_app.extensions.get("order_event_labels", {})},
        typed_values=lambda endpoint: (typed or {}) if endpoint == typed_for else {},
    )


def refused_action_page(order_id: int, error: str, status: int, *, typed: Mapping | None = None):
    """The order page again after a refused action: the reason, what was typed, the right status.

    Rendered, not redirected: an abstract can be tens of kilobytes, more than a cookie session
    holds, so Post/Redirect/Get would lose it. The address is the order page's all the same:
    the page's forms are sent by htmx (``hx-boost``), which takes ``HX-Replace-Url`` as the
    address to show; without JavaScript the action's address stays, and reopening it leads to
    the order page (``orders.views.reopened_action``), never to a 405."""
    response = order_page(order_id, error=error, status=status, typed=typed, typed_for=request.endpoint)
    response.headers["HX-Replace-Url"] = url_for("orders.show", order_id=order_id)
    return response


def order_action(view):
    """Run an action on an order through the one commit helper: on success commit and
    go back to the order page with the view's message; on a refused action show the
    order page again with the reason and what was typed (and the right status code),
    nothing stored."""

    @wraps(view)
    def wrapper(order_id: int, **kwargs):
        outcome = attempt(lambda: view(order_id, **kwargs))
        if not outcome.ok:
            typed = dict(request.form.to_dict(), **{name: str(value) for name, value in kwargs.items()})
            return refused_action_page(order_id, outcome.error, outcome.status, typed=typed)
        if outcome.result:
            flash(outcome.result, "success")
        return redirect(url_for("orders.show", order_id=order_id))

    return wrapper
