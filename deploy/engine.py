"""Run resources in order: plan prints, apply prints then changes, destroy deletes what is ours."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence

from deploy.errors import DeployError
from deploy.resource import Action, Change, Resource, State

Out = Callable[[str], None]


def _compare(resource: Resource) -> tuple[Change, State, State | None]:
    current = resource.read()
    desired = resource.desired()
    if current is None:
        return Change(resource.kind, resource.name, "create"), desired, None
    if not resource.owned(current):
        return Change(resource.kind, resource.name, "conflict"), desired, current
    fields = resource.diff(desired, current)
    return Change(resource.kind, resource.name, "update" if fields else "unchanged", fields), desired, current


def reconcile(resources: Sequence[Resource], out: Out, apply: bool) -> list[Change]:
    """Print the plan; with apply, then create or update what differs, in order.

    The plan reads everything before anything changes. Apply then compares each resource the plan
    found different again, just before changing it, since its desired state may use what an earlier
    one created (the key ARN); an unchanged resource stays unchanged whatever came before it.
    A resource that exists but is not ours (not tagged by deploy) stops apply before any change:
    deploy never adopts what it did not create.
    """
    changes = [_compare(resource)[0] for resource in resources]
    for change in changes:
        out(change.line())
    out(summary(changes))
    conflicts = [c for c in changes if c.action == "conflict"]
    if conflicts:
        names = ", ".join(f"{c.kind} {c.name}" for c in conflicts)
        raise DeployError(f"{names}: exists but was not created by deploy; rename or remove it first")
    if apply:
        for resource, planned in zip(resources, changes, strict=True):
            if planned.action == "unchanged":
                continue
            change, desired, current = _compare(resource)
            if current is None:
                resource.create(desired)
            elif change.action == "update":
                resource.update(desired, current, change.fields)
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
    order: tuple[Action, ...] = ("create", "update", "unchanged", "conflict", "delete", "keep", "absent")
    text = {"keep": "kept (not ours)", "conflict": "in conflict (not ours)"}
    return "summary: " + ", ".join(f"{counts[a]} {text.get(a, a)}" for a in order if counts[a])
