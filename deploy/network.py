"""The private network (opt-in): a VPC with two private subnets, or the user's; deploy/endpoints.py adds
the security groups, endpoints and Glue connection inside it.

The subnets deploy creates have no route to the internet: Glue reaches AWS only through the endpoints
(https://docs.aws.amazon.com/glue/latest/dg/setup-vpc-for-glue-access.html).
"""

from __future__ import annotations

import ipaddress
from typing import Any

from deploy import tags as t
from deploy.context import Context
from deploy.errors import DeployError
from deploy.resource import Resource, State

AZ_SUFFIXES = ("a", "b")


def _tag_spec(ctx: Context, kind: str, name: str) -> list[dict[str, Any]]:
    return [{"ResourceType": kind, "Tags": t.to_list({**ctx.tags, "Name": name})}]


def _tags(found: dict[str, Any]) -> dict[str, str]:
    return {k: v for k, v in t.from_list(found.get("Tags", [])).items() if k != "Name"}


class Vpc(Resource):
    kind = "ec2-vpc"

    def __init__(self, ctx: Context) -> None:
        super().__init__(ctx, ctx.name("vpc"))
        self.ec2 = ctx.clients("ec2")

    def desired(self) -> State:
        return {"CidrBlock": self.ctx.config.vpc_cidr, "EnableDnsSupport": True, "EnableDnsHostnames": True,
                "Tags": self.ctx.tags}  # fmt: skip

    def read(self) -> State | None:
        found = self.ec2.describe_vpcs(Filters=[{"Name": "tag:Name", "Values": [self.name]}])["Vpcs"]
        if not found:
            return None
        vpc = found[0]
        self.ctx.network.update(vpc_id=vpc["VpcId"], cidr=vpc["CidrBlock"])
        def attribute(name: str) -> bool:
            found = self.ec2.describe_vpc_attribute(VpcId=vpc["VpcId"], Attribute=name[0].lower() + name[1:])
            return bool(found[name]["Value"])

        return {"VpcId": vpc["VpcId"], "CidrBlock": vpc["CidrBlock"], "EnableDnsSupport": attribute("EnableDnsSupport"),
                "EnableDnsHostnames": attribute("EnableDnsHostnames"), "Tags": _tags(vpc)}  # fmt: skip

    def create(self, desired: State) -> None:
        spec = _tag_spec(self.ctx, "vpc", self.name)
        vpc = self.ec2.create_vpc(CidrBlock=desired["CidrBlock"], TagSpecifications=spec)
        self.ctx.network.update(vpc_id=vpc["Vpc"]["VpcId"], cidr=desired["CidrBlock"])
        self.update(desired, {"VpcId": vpc["Vpc"]["VpcId"]}, ("EnableDnsSupport", "EnableDnsHostnames"))

    def update(self, desired: State, current: State, fields: tuple[str, ...]) -> None:
        if "CidrBlock" in fields:
            raise DeployError(f"{self.name} has CIDR {current['CidrBlock']}: set vpc_cidr back, or destroy first")
        for attribute in ("EnableDnsSupport", "EnableDnsHostnames"):  # private DNS of the interface endpoints
            if attribute in fields:
                self.ec2.modify_vpc_attribute(VpcId=current["VpcId"], **{attribute: {"Value": True}})
        if "Tags" in fields:
            self.ec2.create_tags(Resources=[current["VpcId"]], Tags=t.to_list(desired["Tags"]))

    def delete(self, current: State) -> None:
        self.ec2.delete_vpc(VpcId=current["VpcId"])


class Subnet(Resource):
    """A private subnet: no route to the internet; the VPC's main route table takes the gateway endpoints."""

    kind = "ec2-subnet"

    def __init__(self, ctx: Context, index: int) -> None:
        super().__init__(ctx, ctx.name(f"private-{AZ_SUFFIXES[index]}"))
        self.ec2 = ctx.clients("ec2")
        self.index = index

    def desired(self) -> State:
        network = ipaddress.ip_network(self.ctx.config.vpc_cidr)
        cidr = str(list(network.subnets(new_prefix=min(network.prefixlen + 4, 28)))[self.index])
        zone = self.ctx.region + AZ_SUFFIXES[self.index]
        return {"CidrBlock": cidr, "AvailabilityZone": zone, "Tags": self.ctx.tags}

    def read(self) -> State | None:
        found = self.ec2.describe_subnets(Filters=[{"Name": "tag:Name", "Values": [self.name]}])["Subnets"]
        if not found:
            return None
        subnet = found[0]
        self.ctx.network.setdefault("subnets", {})[self.index] = (subnet["SubnetId"], subnet["AvailabilityZone"])
        return {"SubnetId": subnet["SubnetId"], "CidrBlock": subnet["CidrBlock"],
                "AvailabilityZone": subnet["AvailabilityZone"], "Tags": _tags(subnet)}  # fmt: skip

    def create(self, desired: State) -> None:
        subnet = self.ec2.create_subnet(
            VpcId=self.ctx.network["vpc_id"], CidrBlock=desired["CidrBlock"],
            AvailabilityZone=desired["AvailabilityZone"], TagSpecifications=_tag_spec(self.ctx, "subnet", self.name),
        )["Subnet"]  # fmt: skip
        self.ctx.network.setdefault("subnets", {})[self.index] = (subnet["SubnetId"], desired["AvailabilityZone"])

    def update(self, desired: State, current: State, fields: tuple[str, ...]) -> None:
        if set(fields) - {"Tags"}:
            raise DeployError(f"{self.name} differs in {', '.join(fields)}: a subnet is never changed; destroy first")
        self.ec2.create_tags(Resources=[current["SubnetId"]], Tags=t.to_list(desired["Tags"]))

    def delete(self, current: State) -> None:
        self.ec2.delete_subnet(SubnetId=current["SubnetId"])


def network_ids(ctx: Context) -> dict[str, Any]:
    """The VPC's id, CIDR, subnets [(id, zone)] and route tables: the user's (read once), or ours (learnt)."""
    net = ctx.network
    ec2 = ctx.clients("ec2")
    if ctx.config.vpc_id and "cidr" not in net:
        vpc = ec2.describe_vpcs(VpcIds=[ctx.config.vpc_id])["Vpcs"][0]
        subnets = ec2.describe_subnets(SubnetIds=list(ctx.config.subnet_ids))["Subnets"]
        net.update(vpc_id=vpc["VpcId"], cidr=vpc["CidrBlock"],
                   subnets=dict(enumerate((s["SubnetId"], s["AvailabilityZone"]) for s in subnets)))  # fmt: skip
    if "vpc_id" in net and "route_tables" not in net:
        filters = [{"Name": "vpc-id", "Values": [net["vpc_id"]]}]
        tables = ec2.describe_route_tables(Filters=filters)["RouteTables"]
        wanted = {subnet for subnet, _ in net.get("subnets", {}).values()}
        chosen = [r for r in tables if any(a.get("SubnetId") in wanted for a in r.get("Associations", []))]
        chosen = chosen or [r for r in tables if any(a.get("Main") for a in r.get("Associations", []))]
        net["route_tables"] = sorted(r["RouteTableId"] for r in chosen)
    return net


def network(ctx: Context) -> list[Resource]:
    """A VPC and two private subnets unless settings name the user's; nothing without private_network."""
    if not ctx.config.private_network or ctx.config.vpc_id:
        return []
    return [Vpc(ctx), Subnet(ctx, 0), Subnet(ctx, 1)]
