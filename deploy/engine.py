"""Run resources in order: plan prints, apply prints then changes, destroy deletes what is ours."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence

from deploy.resource import Action, Change, Resource

Out = Callable[[str], None]


def reconcile(resources: Sequence[Resource], out: Out, apply: bool) -> list[Change]:
    """Compare each resource with its desired state; with apply, create or update what differs.

    Resources run in order and one at a time, so a later resource's desired state may use what an
    earlier one created (a key ARN, a role).
    """
    changes = []
    for resource in resources:
        current = resource.read()
        desired = resource.desired()
        if current is None:
            change = Change(resource.kind, resource.name, "create")
        else:
            fields = resource.diff(desired, current)
            change = Change(resource.kind, resource.name, "update" if fields else "unchanged", fields)
        out(change.line())
        changes.append(change)
        if apply and current is None:
            resource.create(desired)
        elif apply and change.action == "update" and current is not None:
            resource.update(desired, current, change.fields)
    out(summary(changes))
    return changes


def destroy(resources: Sequence[Resource], out: Out, apply: bool, delete_data: bool) -> list[Change]:
    """Delete, in reverse order, each resource that exists and is ours; leave every other alone."""
    found = [(r, r.read()) for r in reversed(resources)]
    for resource, current in found:
        if current is not None and resource.owned(current):
            resource.check_destroy(current, delete_data)
    changes = []
    for resource, current in found:
        action: Action = "absent"
        if current is not None:
            action = "delete" if resource.owned(current) else "keep"
        change = Change(resource.kind, resource.name, action)
        out(change.line())
        changes.append(change)
        if apply and action == "delete" and current is not None:
            resource.delete(current)
    out(summary(changes))
    return changes


def summary(changes: Sequence[Change]) -> str:
    counts = Counter(c.action for c in changes)
    order: tuple[Action, ...] = ("create", "update", "unchanged", "delete", "keep", "absent")
    text = {"keep": "kept (not ours)"}
    return "summary: " + ", ".join(f"{counts[a]} {text.get(a, a)}" for a in order if counts[a])
