"""Inside the private network: security groups, VPC endpoints (private DNS) and the Glue NETWORK connection.

The groups allow only what Glue workers and the endpoints need: workers talk to each other (all TCP,
self: Glue's rule), and reach the interface endpoints (443 within the VPC) and S3 through its gateway
(443 to S3's prefix list); the endpoints take 443 from the workers (and from the Lambda when it runs
inside, whose group sends 443 out, to GitHub through the user's NAT).

Gateway endpoints: https://docs.aws.amazon.com/vpc/latest/privatelink/gateway-endpoints.html; interface
endpoints: https://docs.aws.amazon.com/vpc/latest/privatelink/create-interface-endpoint.html; the Glue
connection: https://docs.aws.amazon.com/glue/latest/dg/connection-properties.html#connection-properties-network.
"""

from __future__ import annotations

import json
from typing import Any

from botocore.exceptions import ClientError

from deploy import tags as t
from deploy.context import UNKNOWN, Context
from deploy.errors import is_not_found
from deploy.network import network_ids
from deploy.resource import Resource, State

GATEWAY = ("s3", "dynamodb")
INTERFACE = ("glue", "kms", "sts", "logs", "secretsmanager", "sns", "athena")
GLUE_GROUP, INGEST_GROUP, ENDPOINT_GROUP = "glue-workers", "ingest", "endpoints"
ANYWHERE = "0.0.0.0/0"
SELF = "self"
Rule = dict[str, Any]


def _rule(source: str, low: int = 443, high: int = 443) -> Rule:
    return {"Protocol": "tcp", "FromPort": low, "ToPort": high, "Source": source}


def _normalise(permissions: list[dict[str, Any]], own: str) -> list[Rule]:
    rules = []
    for p in permissions:
        sources = [g["GroupId"] for g in p.get("UserIdGroupPairs", [])] + [r["CidrIp"] for r in p.get("IpRanges", [])]
        sources += [x["PrefixListId"] for x in p.get("PrefixListIds", [])]
        for source in sources:
            rule = {"Protocol": p["IpProtocol"], "FromPort": p.get("FromPort"), "ToPort": p.get("ToPort")}
            rules.append({**rule, "Source": SELF if source == own else source})
    return sorted(rules, key=lambda r: json.dumps(r, sort_keys=True))


def _permission(rule: Rule, own: str) -> dict[str, Any]:
    source = own if rule["Source"] == SELF else rule["Source"]
    ports = {k: rule[k] for k in ("FromPort", "ToPort") if rule[k] is not None}  # protocol -1 has none
    found: dict[str, Any] = {"IpProtocol": rule["Protocol"], **ports}
    if source.startswith("sg-"):
        found["UserIdGroupPairs"] = [{"GroupId": source}]
    elif source.startswith("pl-"):
        found["PrefixListIds"] = [{"PrefixListId": source}]
    else:
        found["IpRanges"] = [{"CidrIp": source}]
    return found


def s3_prefix_list(ctx: Context) -> str:
    name = f"com.amazonaws.{ctx.region}.s3"
    lists = ctx.clients("ec2").describe_managed_prefix_lists(Filters=[{"Name": "prefix-list-name", "Values": [name]}])
    return str(lists["PrefixLists"][0]["PrefixListId"]) if lists["PrefixLists"] else UNKNOWN


class SecurityGroup(Resource):
    kind = "ec2-security-group"

    def __init__(self, ctx: Context, purpose: str) -> None:
        super().__init__(ctx, ctx.name(purpose))
        self.ec2 = ctx.clients("ec2")
        self.purpose = purpose

    def rules(self) -> tuple[list[Rule], list[Rule]]:
        """(ingress, egress): workers among themselves, to the endpoints and S3; endpoints from workers."""
        net = network_ids(self.ctx)
        if self.purpose == GLUE_GROUP:
            everything = _rule(SELF, 0, 65535)
            return [everything], [everything, _rule(net.get("cidr", UNKNOWN)), _rule(s3_prefix_list(self.ctx))]
        if self.purpose == INGEST_GROUP:  # GitHub through the user's NAT; AWS through the endpoints
            return [], [_rule(ANYWHERE)]
        clients = [GLUE_GROUP, INGEST_GROUP] if self.ctx.config.lambda_subnet_ids else [GLUE_GROUP]
        return [_rule(net.get(f"sg:{group}", UNKNOWN)) for group in clients], []

    def desired(self) -> State:
        ingress, egress = self.rules()
        return {"VpcId": network_ids(self.ctx).get("vpc_id", UNKNOWN), "Ingress": sorted(ingress, key=json.dumps),
                "Egress": sorted(egress, key=json.dumps), "Tags": self.ctx.tags}  # fmt: skip

    def read(self) -> State | None:
        filters = [{"Name": "group-name", "Values": [self.name]}]
        found = self.ec2.describe_security_groups(Filters=filters)["SecurityGroups"]
        if not found:
            return None
        group = found[0]
        self.ctx.network[f"sg:{self.purpose}"] = group["GroupId"]
        own = group["GroupId"]
        return {"GroupId": own, "VpcId": group["VpcId"], "Ingress": _normalise(group.get("IpPermissions", []), own),
                "Egress": _normalise(group.get("IpPermissionsEgress", []), own), "Tags": _tags(group)}  # fmt: skip

    def create(self, desired: State) -> None:
        spec = [{"ResourceType": "security-group", "Tags": t.to_list(desired["Tags"])}]
        self.ec2.create_security_group(GroupName=self.name, Description=f"lakehouse {self.purpose}",
                                       VpcId=desired["VpcId"], TagSpecifications=spec)  # fmt: skip
        current = self.read()
        assert current is not None
        self.update(self.desired(), current, ("Ingress", "Egress"))

    def update(self, desired: State, current: State, fields: tuple[str, ...]) -> None:
        own = current["GroupId"]
        for field, authorize, revoke in (
            ("Ingress", self.ec2.authorize_security_group_ingress, self.ec2.revoke_security_group_ingress),
            ("Egress", self.ec2.authorize_security_group_egress, self.ec2.revoke_security_group_egress),
        ):
            if field not in fields:
                continue
            extra = [_permission(r, own) for r in current[field] if r not in desired[field]]
            missing = [_permission(r, own) for r in desired[field] if r not in current[field]]
            if extra:
                revoke(GroupId=own, IpPermissions=extra)
            if missing:
                authorize(GroupId=own, IpPermissions=missing)
        if "Tags" in fields:
            self.ec2.create_tags(Resources=[own], Tags=t.to_list(desired["Tags"]))

    def delete(self, current: State) -> None:
        self.ec2.delete_security_group(GroupId=current["GroupId"])


def _tags(found: dict[str, Any]) -> dict[str, str]:
    return {k: v for k, v in t.from_list(found.get("Tags", [])).items() if k != "Name"}


class Endpoint(Resource):
    """One VPC endpoint: a gateway (S3, DynamoDB) on the route tables, or an interface with private DNS."""

    kind = "vpc-endpoint"

    def __init__(self, ctx: Context, service: str) -> None:
        super().__init__(ctx, ctx.name(f"endpoint-{service}"))
        self.ec2 = ctx.clients("ec2")
        self.service = service
        self.gateway = service in GATEWAY

    def desired(self) -> State:
        net = network_ids(self.ctx)
        kind = "Gateway" if self.gateway else "Interface"
        service = f"com.amazonaws.{self.ctx.region}.{self.service}"
        found: State = {"ServiceName": service, "VpcEndpointType": kind, "Tags": self.ctx.tags}
        if self.gateway:
            return {**found, "RouteTableIds": net.get("route_tables", [UNKNOWN])}
        subnets = sorted(subnet for subnet, _ in net.get("subnets", {0: (UNKNOWN, "")}).values())
        groups = [net.get(f"sg:{ENDPOINT_GROUP}", UNKNOWN)]
        return {**found, "SubnetIds": subnets, "SecurityGroupIds": groups, "PrivateDnsEnabled": True}

    def read(self) -> State | None:
        filters = [{"Name": "tag:Name", "Values": [self.name]}]
        found = [e for e in self.ec2.describe_vpc_endpoints(Filters=filters)["VpcEndpoints"]
                 if e["State"].lower() not in ("deleted", "deleting")]  # fmt: skip
        if not found:
            return None
        e = found[0]
        self.ctx.network[f"vpce:{self.service}"] = e["VpcEndpointId"]
        state = {"VpcEndpointId": e["VpcEndpointId"], "ServiceName": e["ServiceName"],
                 "VpcEndpointType": e["VpcEndpointType"], "Tags": _tags(e)}  # fmt: skip
        if self.gateway:
            return {**state, "RouteTableIds": sorted(e.get("RouteTableIds", []))}
        groups = sorted(g["GroupId"] for g in e.get("Groups", []))
        return {**state, "SubnetIds": sorted(e.get("SubnetIds", [])), "SecurityGroupIds": groups,
                "PrivateDnsEnabled": e.get("PrivateDnsEnabled")}  # fmt: skip

    def create(self, desired: State) -> None:
        kwargs = {k: v for k, v in desired.items() if k != "Tags"}
        spec = [{"ResourceType": "vpc-endpoint", "Tags": t.to_list({**desired["Tags"], "Name": self.name})}]
        vpc = network_ids(self.ctx)["vpc_id"]
        found = self.ec2.create_vpc_endpoint(VpcId=vpc, TagSpecifications=spec, **kwargs)["VpcEndpoint"]
        self.ctx.network[f"vpce:{self.service}"] = found["VpcEndpointId"]

    def update(self, desired: State, current: State, fields: tuple[str, ...]) -> None:
        changes: dict[str, Any] = {}
        for field, add, remove in (("RouteTableIds", "AddRouteTableIds", "RemoveRouteTableIds"),
                                   ("SubnetIds", "AddSubnetIds", "RemoveSubnetIds"),
                                   ("SecurityGroupIds", "AddSecurityGroupIds", "RemoveSecurityGroupIds")):  # fmt: skip
            if field in fields:
                changes[add] = [x for x in desired[field] if x not in current[field]]
                changes[remove] = [x for x in current[field] if x not in desired[field]]
        if "PrivateDnsEnabled" in fields:
            changes["PrivateDnsEnabled"] = True
        changes = {k: v for k, v in changes.items() if v}
        if changes:
            self.ec2.modify_vpc_endpoint(VpcEndpointId=current["VpcEndpointId"], **changes)
        if "Tags" in fields:
            self.ec2.create_tags(Resources=[current["VpcEndpointId"]], Tags=t.to_list(desired["Tags"]))

    def delete(self, current: State) -> None:
        self.ec2.delete_vpc_endpoints(VpcEndpointIds=[current["VpcEndpointId"]])


class GlueConnection(Resource):
    """The NETWORK connection both jobs name: a private subnet and the workers' security group."""

    kind = "glue-connection"

    def __init__(self, ctx: Context) -> None:
        super().__init__(ctx, ctx.name("network"))
        self.glue = ctx.clients("glue")
        self.arn = ctx.arn("glue", f"connection/{self.name}")

    def desired(self) -> State:
        net = network_ids(self.ctx)
        subnet, zone = net.get("subnets", {0: (UNKNOWN, UNKNOWN)})[0]
        requirements = {"SubnetId": subnet, "SecurityGroupIdList": [net.get(f"sg:{GLUE_GROUP}", UNKNOWN)],
                        "AvailabilityZone": zone}  # fmt: skip
        return {"ConnectionType": "NETWORK", "PhysicalConnectionRequirements": requirements, "Tags": self.ctx.tags}

    def read(self) -> State | None:
        try:
            found = self.glue.get_connection(Name=self.name)["Connection"]
        except ClientError as e:
            if is_not_found(e, "EntityNotFoundException"):
                return None
            raise
        tags = dict(self.glue.get_tags(ResourceArn=self.arn)["Tags"])
        requirements = found.get("PhysicalConnectionRequirements")
        return {"ConnectionType": found.get("ConnectionType"), "PhysicalConnectionRequirements": requirements,
                "Tags": tags}  # fmt: skip

    def _input(self, desired: State) -> dict[str, Any]:
        return {"Name": self.name, "ConnectionType": "NETWORK", "ConnectionProperties": {},
                "PhysicalConnectionRequirements": desired["PhysicalConnectionRequirements"]}  # fmt: skip

    def create(self, desired: State) -> None:
        self.glue.create_connection(ConnectionInput=self._input(desired), Tags=desired["Tags"])

    def update(self, desired: State, current: State, fields: tuple[str, ...]) -> None:
        if set(fields) - {"Tags"}:
            self.glue.update_connection(Name=self.name, ConnectionInput=self._input(desired))
        if "Tags" in fields:
            self.glue.tag_resource(ResourceArn=self.arn, TagsToAdd=desired["Tags"])

    def delete(self, current: State) -> None:
        self.glue.delete_connection(ConnectionName=self.name)


def endpoints(ctx: Context) -> list[Resource]:
    """Groups first (the endpoints and the connection name them), then the endpoints, then the connection."""
    if not ctx.config.private_network:
        return []
    purposes = (GLUE_GROUP, INGEST_GROUP) if ctx.config.lambda_subnet_ids else (GLUE_GROUP,)
    groups: list[Resource] = [*(SecurityGroup(ctx, p) for p in purposes), SecurityGroup(ctx, ENDPOINT_GROUP)]
    return [*groups, *(Endpoint(ctx, s) for s in (*GATEWAY, *INTERFACE)), GlueConnection(ctx)]
