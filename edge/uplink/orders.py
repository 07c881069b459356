"""Orders and plan requests arriving from coordinators' systems: checked, then stored.

The rules live in ``edge.logistics`` (shared with the web page): an order is one
stop in the planner's PROBLEM.json form, checked by the planner's own reader; a
plan request is a whole problem, checked by the reader and the planner's
validation. Accepted orders are stored ``new``, plan requests ``requested`` and
dispatched as soon as they are solved (``dispatch="confirm"`` leaves them
``proposed`` for a coordinator). Both are idempotent: the same id with the same
content is accepted again, the same id with other content is refused.
"""

from __future__ import annotations

from edge.logistics.errors import Rejected
from edge.logistics.orders import ORDER_KEYS, Stored, check_order, configured_sites, store_order
from edge.logistics.plans import check_plan_request, plan_id_of, store_plan_request

__all__ = [
    "ORDER_KEYS",
    "Rejected",
    "Stored",
    "check_order",
    "check_plan_request",
    "configured_sites",
    "plan_id_of",
    "store_order",
    "store_plan_request",
]
