"""The private network (opt-in): VPC, endpoints, security groups, the Glue connection, the data perimeter."""

from __future__ import annotations

import json
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError

from deploy.context import DeployConfig
from lakehouse.settings import Settings
from tests.deploy.conftest import Deployer
from tests.support.aws import ACCOUNT_ID, REGION

S = Settings.aws("dev", ACCOUNT_ID, REGION)
PRIVATE = DeployConfig(private_network=True)
INTERFACES = ("athena", "glue", "kms", "logs", "secretsmanager", "sns", "sts")
JOB_ROLE = f"arn:aws:iam::{ACCOUNT_ID}:role/lakehouse-dev-glue-jobs"


def _endpoints(session: boto3.Session) -> dict[str, dict[str, Any]]:
    found: list[Any] = session.client("ec2").describe_vpc_endpoints()["VpcEndpoints"]
    return {e["ServiceName"].rsplit(".", 1)[1]: e for e in found}


def _groups(session: boto3.Session) -> dict[str, dict[str, Any]]:
    found: list[Any] = session.client("ec2").describe_security_groups()["SecurityGroups"]
    return {g["GroupName"]: g for g in found if g["GroupName"].startswith("lakehouse-dev")}


def test_private_subnets_gateway_and_interface_endpoints_with_private_dns(
    deploy: Deployer, session: boto3.Session
) -> None:
    deploy("apply", config=PRIVATE)
    ec2 = session.client("ec2")
    (vpc,) = ec2.describe_vpcs(Filters=[{"Name": "tag:Name", "Values": ["lakehouse-dev-vpc"]}])["Vpcs"]
    assert ec2.describe_vpc_attribute(VpcId=vpc["VpcId"], Attribute="enableDnsHostnames")["EnableDnsHostnames"]["Value"]
    subnets = ec2.describe_subnets(Filters=[{"Name": "vpc-id", "Values": [vpc["VpcId"]]}])["Subnets"]
    assert sorted(s["AvailabilityZone"] for s in subnets) == [f"{REGION}a", f"{REGION}b"]
    assert not any(s["MapPublicIpOnLaunch"] for s in subnets)
    endpoints = _endpoints(session)
    assert sorted(endpoints) == sorted(("dynamodb", "s3", *INTERFACES))
    assert {endpoints[s]["VpcEndpointType"] for s in ("s3", "dynamodb")} == {"Gateway"}
    assert endpoints["s3"]["RouteTableIds"]
    for service in INTERFACES:
        assert endpoints[service]["PrivateDnsEnabled"] is True
        assert sorted(endpoints[service]["SubnetIds"]) == sorted(s["SubnetId"] for s in subnets)
        assert [g["GroupName"] for g in endpoints[service]["Groups"]] == ["lakehouse-dev-endpoints"]


def test_security_groups_allow_only_what_workers_and_endpoints_need(deploy: Deployer, session: boto3.Session) -> None:
    deploy("apply", config=PRIVATE)
    groups = _groups(session)
    workers, endpoints = groups["lakehouse-dev-glue-workers"], groups["lakehouse-dev-endpoints"]
    (ingress,) = workers["IpPermissions"]
    assert (ingress["IpProtocol"], ingress["FromPort"], ingress["ToPort"]) == ("tcp", 0, 65535)
    assert [p["GroupId"] for p in ingress["UserIdGroupPairs"]] == [workers["GroupId"]]
    assert not ingress.get("IpRanges")
    egress = {(p["FromPort"], p["ToPort"]): p for p in workers["IpPermissionsEgress"]}
    assert sorted(egress) == [(0, 65535), (443, 443)]
    assert [p["GroupId"] for p in egress[(0, 65535)]["UserIdGroupPairs"]] == [workers["GroupId"]]
    https = egress[(443, 443)]
    assert [r["CidrIp"] for r in https["IpRanges"]] == ["10.42.0.0/16"]  # the interface endpoints
    assert [p["PrefixListId"].startswith("pl-") for p in https["PrefixListIds"]] == [True]  # S3's gateway
    (into,) = endpoints["IpPermissions"]
    assert (into["FromPort"], into["ToPort"], into["UserIdGroupPairs"][0]["GroupId"]) == (443, 443, workers["GroupId"])
    assert endpoints["IpPermissionsEgress"] == []


def test_both_jobs_run_in_the_network_through_one_glue_connection(deploy: Deployer, session: boto3.Session) -> None:
    deploy("apply", config=PRIVATE)
    glue = session.client("glue")
    connection = glue.get_connection(Name="lakehouse-dev-network")["Connection"]
    assert connection["ConnectionType"] == "NETWORK"
    requirements = connection["PhysicalConnectionRequirements"]
    assert requirements["SecurityGroupIdList"] == [_groups(session)["lakehouse-dev-glue-workers"]["GroupId"]]
    assert requirements["AvailabilityZone"] == f"{REGION}a"
    for job in ("lakehouse-dev-bronze_to_silver", "lakehouse-dev-silver_to_gold"):
        assert glue.get_job(JobName=job)["Job"]["Connections"] == {"Connections": ["lakehouse-dev-network"]}


def _as(session: boto3.Session, principal: str, vpce: str | None = None, via: str | None = None) -> Any:
    """An S3 client whose requests AWS would see as `principal`'s, through `vpce`, called via `via`."""
    s3 = session.client("s3")

    def headers(request: Any, **_: Any) -> None:
        request.headers["x-test-principal-arn"] = principal
        for header, value in (("x-test-source-vpce", vpce), ("x-test-called-via", via)):
            if value:
                request.headers[header] = value

    s3.meta.events.register("before-sign.s3", headers)
    return s3


def test_the_perimeter_lets_the_jobs_in_only_through_the_s3_endpoint(deploy: Deployer, session: boto3.Session) -> None:
    deploy("apply", config=PRIVATE)
    silver, key = S.bucket("silver"), "github/events/x.parquet"
    vpce = _endpoints(session)["s3"]["VpcEndpointId"]
    _as(session, JOB_ROLE, vpce).put_object(Bucket=silver, Key=key, Body=b"x")
    with pytest.raises(ClientError, match=r"403|AccessDenied"):
        _as(session, JOB_ROLE).get_object(Bucket=silver, Key=key)
    session.client("s3").get_object(Bucket=silver, Key=key)  # the deployer, from outside
    policy = json.loads(session.client("s3").get_bucket_policy(Bucket=silver)["Policy"])
    (perimeter,) = [s for s in policy["Statement"] if s["Sid"] == "DenyOutsideTheNetwork"]
    assert JOB_ROLE not in perimeter["Condition"]["ArnNotLikeIfExists"]["aws:PrincipalArn"]


def test_the_perimeter_lets_an_analyst_read_gold_through_athena_only(deploy: Deployer, session: boto3.Session) -> None:
    deploy("apply", config=PRIVATE)
    gold, key = S.bucket("gold"), "github/events/daily/x.parquet"
    session.client("s3").put_object(Bucket=gold, Key=key, Body=b"x")
    analyst = f"arn:aws:iam::{ACCOUNT_ID}:role/lakehouse-dev-analyst"
    assert _as(session, analyst, via="athena.amazonaws.com").get_object(Bucket=gold, Key=key)["Body"].read() == b"x"
    with pytest.raises(ClientError, match=r"403|AccessDenied"):
        _as(session, analyst).get_object(Bucket=gold, Key=key)


def test_second_apply_with_the_network_changes_nothing_and_destroy_leaves_none_of_it(
    deploy: Deployer, session: boto3.Session
) -> None:
    deploy("apply", config=PRIVATE)
    again = deploy("apply", config=PRIVATE)
    assert again.change_calls == []
    deploy("destroy", config=PRIVATE)
    ec2 = session.client("ec2")
    assert ec2.describe_vpcs(Filters=[{"Name": "tag:Name", "Values": ["lakehouse-dev-vpc"]}])["Vpcs"] == []
    assert [e for e in ec2.describe_vpc_endpoints()["VpcEndpoints"] if e["State"].lower() != "deleted"] == []
    assert _groups(session) == {}
    assert session.client("glue").get_connections()["ConnectionList"] == []


def test_the_users_vpc_gets_the_endpoints_and_deploy_creates_no_vpc(deploy: Deployer, session: boto3.Session) -> None:
    ec2 = session.client("ec2")
    vpc = ec2.create_vpc(CidrBlock="10.9.0.0/16")["Vpc"]["VpcId"]
    subnets = tuple(
        ec2.create_subnet(VpcId=vpc, CidrBlock=f"10.9.{i}.0/24", AvailabilityZone=f"{REGION}{z}")["Subnet"]["SubnetId"]
        for i, z in enumerate("ab")
    )
    applied = deploy("apply", config=DeployConfig(private_network=True, vpc_id=vpc, subnet_ids=subnets))
    assert not [c for c in applied.changes if c.kind in ("ec2-vpc", "ec2-subnet")]
    assert {e["VpcId"] for e in _endpoints(session).values()} == {vpc}
    assert sorted(_endpoints(session)["glue"]["SubnetIds"]) == sorted(subnets)
    https = [p for p in _groups(session)["lakehouse-dev-glue-workers"]["IpPermissionsEgress"] if p["FromPort"] == 443]
    assert [r["CidrIp"] for r in https[0]["IpRanges"]] == ["10.9.0.0/16"]


def test_the_lambda_inside_the_network_gets_its_subnets_and_443_out_and_loses_its_exemption(
    deploy: Deployer, session: boto3.Session
) -> None:
    ec2 = session.client("ec2")
    vpc = ec2.create_vpc(CidrBlock="10.9.0.0/16")["Vpc"]["VpcId"]
    subnets = tuple(
        ec2.create_subnet(VpcId=vpc, CidrBlock=f"10.9.{i}.0/24", AvailabilityZone=f"{REGION}{z}")["Subnet"]["SubnetId"]
        for i, z in enumerate("ab")
    )
    inside = DeployConfig(private_network=True, vpc_id=vpc, subnet_ids=subnets, lambda_subnet_ids=subnets[:1])
    deploy("apply", config=inside)
    groups = _groups(session)
    ingest = groups["lakehouse-dev-ingest"]
    conf = session.client("lambda").get_function(FunctionName="lakehouse-dev-ingest")["Configuration"]
    assert (conf["VpcConfig"]["SubnetIds"], conf["VpcConfig"]["SecurityGroupIds"]) == (
        [subnets[0]], [ingest["GroupId"]]
    )  # fmt: skip
    (out,) = ingest["IpPermissionsEgress"]
    assert (out["FromPort"], out["ToPort"], out["IpRanges"]) == (443, 443, [{"CidrIp": "0.0.0.0/0"}])
    assert ingest["IpPermissions"] == []
    (into,) = groups["lakehouse-dev-endpoints"]["IpPermissions"]
    sources = {p["GroupId"] for p in into["UserIdGroupPairs"]}
    assert sources == {ingest["GroupId"], groups["lakehouse-dev-glue-workers"]["GroupId"]}
    policy = json.loads(session.client("s3").get_bucket_policy(Bucket=S.bucket("raw"))["Policy"])
    (perimeter,) = [s for s in policy["Statement"] if s["Sid"] == "DenyOutsideTheNetwork"]
    assert f"arn:aws:iam::{ACCOUNT_ID}:role/lakehouse-dev-ingest" not in perimeter["Condition"]["ArnNotLikeIfExists"][
        "aws:PrincipalArn"
    ]
    assert deploy("apply", config=inside).change_calls == []
