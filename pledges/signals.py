"""Outward notifications of the pledge services.

``pledge_transitioned`` is sent inside the transition's transaction, after the state and the
event row are written: a receiver may add rows of its own (e.g. a pending certificate) that
commit or roll back together with the decision, and queue work with ``transaction.on_commit``.
"""

from django.dispatch import Signal

# Arguments: pledge, from_state, to_state, actor, reason, event (the AuditEvent row).
pledge_transitioned = Signal()
