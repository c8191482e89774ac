"""Lake Formation: data locations in hybrid access mode, the jobs' and analysts' grants, opt-ins.

Hybrid access mode keeps IAM permissions working for every principal not opted in, so registering
the locations breaks no existing reader; the analyst role is opted in, so for it only the grants
below count: DESCRIBE on the database and SELECT on gold, nothing broader.
"""

from __future__ import annotations

from typing import Any

from botocore.exceptions import ClientError

from deploy import iam
from deploy.context import Context
from deploy.errors import is_not_found
from deploy.resource import Resource, State
from lakehouse.tables import BRONZE, GOLD_TABLES, TABLES

WRITER = ["ALTER", "DELETE", "DESCRIBE", "INSERT", "SELECT"]
BRONZE_WRITER = ["DESCRIBE", "INSERT", "SELECT"]  # partitions registered, data never rewritten


class DataLocation(Resource):
    kind = "lakeformation-location"

    def __init__(self, ctx: Context, bucket: str) -> None:
        super().__init__(ctx, ctx.bucket_arn(bucket))
        self.lf = ctx.clients("lakeformation")

    def desired(self) -> State:
        return {"RoleArn": self.ctx.role_arn(iam.LAKEFORMATION), "HybridAccessEnabled": True}

    def read(self) -> State | None:
        try:
            info = self.lf.describe_resource(ResourceArn=self.name)["ResourceInfo"]
        except ClientError as e:
            if is_not_found(e, "EntityNotFoundException"):
                return None
            raise
        return {"RoleArn": info.get("RoleArn"), "HybridAccessEnabled": bool(info.get("HybridAccessEnabled"))}

    def create(self, desired: State) -> None:
        self.lf.register_resource(ResourceArn=self.name, UseServiceLinkedRole=False, **desired)

    def update(self, desired: State, current: State, fields: tuple[str, ...]) -> None:
        self.lf.update_resource(ResourceArn=self.name, **desired)

    def owned(self, current: State) -> bool:
        return bool(current["RoleArn"] == self.ctx.role_arn(iam.LAKEFORMATION))

    def delete(self, current: State) -> None:
        self.lf.deregister_resource(ResourceArn=self.name)


def _label(resource: dict[str, Any]) -> str:
    if "Table" in resource:
        return f"table {resource['Table']['DatabaseName']}.{resource['Table']['Name']}"
    return f"database {resource['Database']['Name']}"


class Grant(Resource):
    """The permissions of one of our principals on one resource: exactly these, no more."""

    kind = "lakeformation-grant"

    def __init__(self, ctx: Context, role: str, resource: dict[str, Any], permissions: list[str]) -> None:
        super().__init__(ctx, f"{ctx.name(role)} on {_label(resource)}")
        self.lf = ctx.clients("lakeformation")
        self.principal = {"DataLakePrincipalIdentifier": ctx.role_arn(role)}
        self.resource = resource
        self.permissions = sorted(permissions)

    def desired(self) -> State:
        return {"Permissions": self.permissions}

    def read(self) -> State | None:
        try:
            found = self.lf.list_permissions(Principal=self.principal, Resource=self.resource)
        except ClientError as e:
            if is_not_found(e, "EntityNotFoundException"):
                return None
            raise
        held = {
            p
            for entry in found.get("PrincipalResourcePermissions", [])
            if entry.get("Resource", {}).keys() == self.resource.keys()
            for p in entry.get("Permissions", [])
        }
        return {"Permissions": sorted(held)} if held else None

    def _call(self, method: str, permissions: list[str]) -> None:
        if permissions:
            call = getattr(self.lf, method)
            call(Principal=self.principal, Resource=self.resource, Permissions=permissions)

    def create(self, desired: State) -> None:
        self._call("grant_permissions", desired["Permissions"])

    def update(self, desired: State, current: State, fields: tuple[str, ...]) -> None:
        self._call("grant_permissions", sorted(set(desired["Permissions"]) - set(current["Permissions"])))
        self._call("revoke_permissions", sorted(set(current["Permissions"]) - set(desired["Permissions"])))

    def owned(self, current: State) -> bool:
        return True  # the principal is one of our roles

    def delete(self, current: State) -> None:
        self._call("revoke_permissions", current["Permissions"])


class OptIn(Resource):
    """Opts a principal in to Lake Formation permissions on one resource (hybrid access mode)."""

    kind = "lakeformation-opt-in"

    def __init__(self, ctx: Context, role: str, resource: dict[str, Any]) -> None:
        super().__init__(ctx, f"{ctx.name(role)} on {_label(resource)}")
        self.lf = ctx.clients("lakeformation")
        self.principal = {"DataLakePrincipalIdentifier": ctx.role_arn(role)}
        self.resource = resource

    def desired(self) -> State:
        return {"OptedIn": True}

    def read(self) -> State | None:
        found = self.lf.list_lake_formation_opt_ins(Principal=self.principal, Resource=self.resource)
        return {"OptedIn": True} if found.get("LakeFormationOptInsInfoList") else None

    def create(self, desired: State) -> None:
        self.lf.create_lake_formation_opt_in(Principal=self.principal, Resource=self.resource)

    def update(self, desired: State, current: State, fields: tuple[str, ...]) -> None:
        """Nothing: an opt-in has no fields."""

    def owned(self, current: State) -> bool:
        return True

    def delete(self, current: State) -> None:
        self.lf.delete_lake_formation_opt_in(Principal=self.principal, Resource=self.resource)


def governance(ctx: Context) -> list[Resource]:
    s = ctx.settings
    database = {"Database": {"Name": s.database}}

    def table(name: str) -> dict[str, Any]:
        return {"Table": {"DatabaseName": s.database, "Name": name}}

    found: list[Resource] = [DataLocation(ctx, s.bucket(kind)) for kind in sorted({t.bucket for t in TABLES})]
    found.append(Grant(ctx, iam.GLUE_JOBS, database, ["DESCRIBE"]))
    for t in TABLES:
        found.append(Grant(ctx, iam.GLUE_JOBS, table(t.name), BRONZE_WRITER if t is BRONZE else WRITER))
    found.append(Grant(ctx, iam.ANALYST, database, ["DESCRIBE"]))
    for t in GOLD_TABLES:  # analysts read every gold table, and only those
        found += [Grant(ctx, iam.ANALYST, table(t.name), ["SELECT"]), OptIn(ctx, iam.ANALYST, table(t.name))]
    return found
