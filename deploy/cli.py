"""`python -m deploy plan|apply|destroy|policy --env ENV [--region R] [--profile P] [--bucket-suffix S]`.

Profiles: `--production --replica-region R` (replicas, 30-day key window, 90 days of old versions),
`--private-network [--vpc-id V --subnet S ...] [--lambda-subnet S ...]`, `--organisation-trail ARN`,
`--key-admin ARN`, `--analyst ARN` (each ARN option repeats).

`policy` prints the IAM policy the deploying identity needs for that env (`--plan-only`: for `plan`).

Errors a user can fix (a missing profile or region, an invalid env, a denied action) are one line
on stderr and a non-zero exit, never a stack trace.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

import boto3
from botocore.exceptions import BotoCoreError, ClientError, NoCredentialsError, NoRegionError, ProfileNotFound

from deploy import engine
from deploy.build import Release, build_release
from deploy.context import Clients, Context, DeployConfig
from deploy.deployer_policy import deployer_policy
from deploy.errors import DeployError, describe_client_error
from deploy.resource import Change
from deploy.stack import stack
from lakehouse.settings import Settings, SettingsError, validate_env

Out = Callable[[str], None]
COMMANDS = ("plan", "apply", "destroy", "policy")


@dataclass(frozen=True)
class Options:
    command: str
    env: str
    region: str | None = None
    profile: str | None = None
    bucket_suffix: str | None = None
    delete_data: bool = False
    dry_run: bool = False
    plan_only: bool = False
    analysts: tuple[str, ...] = ()
    production: str | None = None  # the replica region of a production env
    config: dict[str, Any] = field(default_factory=dict)  # DeployConfig fields the command line set


def parse(argv: Sequence[str]) -> Options:
    parser = argparse.ArgumentParser(prog="python -m deploy", description="Deploy the lakehouse to AWS.")
    commands = "plan: show; apply: show, then change; destroy; policy: print the deployer's IAM policy"
    parser.add_argument("command", choices=COMMANDS, help=commands)
    parser.add_argument("--env", required=True, help="environment name, e.g. dev")
    parser.add_argument("--region", help="AWS region (default: the profile's or AWS_REGION)")
    parser.add_argument("--profile", help="AWS profile (default: the SDK's credential chain)")
    parser.add_argument("--bucket-suffix", help="bucket name suffix (default: -<account id>-<region>)")
    parser.add_argument("--delete-data", action="store_true", help="destroy: also delete data buckets' objects")
    parser.add_argument("--dry-run", action="store_true", help="destroy: only show what would be deleted")
    parser.add_argument("--plan-only", action="store_true", help="policy: only what `plan` needs")
    parser.add_argument("--analyst", action="append", default=[], metavar="ARN",
                        help="an IAM principal that may assume the analyst role (repeat for more)")  # fmt: skip
    profiles = parser.add_argument_group("profiles (docs/deploy.md)")
    profiles.add_argument("--production", action="store_true", help="replicate raw and gold; keep the key 30 days")
    profiles.add_argument("--replica-region", help="with --production: the region of the replicas")
    profiles.add_argument("--private-network", action="store_true", help="Glue in private subnets, VPC endpoints")
    profiles.add_argument("--vpc-id", help="with --private-network: your VPC (default: deploy creates one)")
    profiles.add_argument("--subnet", action="append", default=[], metavar="ID", help="a private subnet of --vpc-id")
    profiles.add_argument("--lambda-subnet", action="append", default=[], metavar="ID",
                          help="run the ingest Lambda in this subnet, routed to your NAT gateway")  # fmt: skip
    profiles.add_argument("--organisation-trail", metavar="ARN", help="an organisation trail that covers the account")
    profiles.add_argument("--key-admin", action="append", default=[], metavar="ARN",
                          help="an administrator of the project key (default: the identity that deploys)")  # fmt: skip
    args = parser.parse_args(list(argv))
    if args.production and not args.replica_region:
        parser.error("--production needs --replica-region: name the second region for the replicas")
    given = {
        "private_network": args.private_network or None,
        "vpc_id": args.vpc_id,
        "subnet_ids": tuple(args.subnet) or None,
        "lambda_subnet_ids": tuple(args.lambda_subnet) or None,
        "organisation_trail": args.organisation_trail,
        "key_administrators": tuple(args.key_admin) or None,
    }
    return Options(args.command, args.env, args.region, args.profile, args.bucket_suffix, args.delete_data,
                   args.dry_run, args.plan_only, tuple(args.analyst), args.replica_region if args.production else None,
                   {k: v for k, v in given.items() if v is not None})  # fmt: skip


def deploy_config(options: Options, config: DeployConfig | None = None) -> DeployConfig:
    """The DeployConfig the command line asks for, over `config` (a caller's; default: the defaults)."""
    if config is None:
        config = DeployConfig.for_production(options.production) if options.production else DeployConfig()
    extra = {**options.config, **({"analyst_principals": options.analysts} if options.analysts else {})}
    return replace(config, **extra) if extra else config


def make_session(options: Options) -> boto3.Session:
    """A Session from the profile and region; endpoints come from AWS_ENDPOINT_URL* as the SDK reads them."""
    try:
        session = boto3.Session(profile_name=options.profile, region_name=options.region)
    except ProfileNotFound as e:
        raise DeployError(f"AWS profile {options.profile!r} not found: check ~/.aws/config or --profile") from e
    if not session.region_name:
        raise DeployError("no AWS region: pass --region, or set AWS_REGION or the profile's region")
    return session


def context(options: Options, session: boto3.Session, config: DeployConfig | None = None,
            tune: Callable[[Settings], Settings] | None = None) -> Context:  # fmt: skip
    """Who we are (STS), then the environment's settings with the default bucket suffix.

    `tune` lets a caller change settings the command line does not expose (job capacity).
    """
    clients = Clients(session)
    try:
        account = clients("sts").get_caller_identity()["Account"]
    except NoCredentialsError as e:
        raise DeployError("no AWS credentials: pass --profile or configure the SDK's credentials") from e
    region = str(session.region_name)
    settings = Settings.aws(options.env, account, region, options.bucket_suffix)
    settings = tune(settings) if tune else settings
    partition = session.get_partition_for_region(region)
    return Context(settings, account, region, clients, config or DeployConfig(), partition)


def run(
    options: Options,
    session: boto3.Session,
    out: Out,
    release: Release | None = None,
    config: DeployConfig | None = None,
    tune: Callable[[Settings], Settings] | None = None,
) -> list[Change]:
    """Plan, apply or destroy one environment with this session; return the changes."""
    ctx = context(options, session, deploy_config(options, config), tune)
    if options.command == "policy":
        out(json.dumps(deployer_policy(ctx, plan_only=options.plan_only), indent=2))
        return []
    out(f"{options.command} {ctx.settings.env}: account {ctx.account_id}, region {ctx.region}")
    if options.command == "destroy":
        resources = stack(ctx, Release.nothing(ctx.config.version))
        return engine.destroy(resources, out, apply=not options.dry_run, delete_data=options.delete_data)
    release = release or build_release(ctx.config.version)
    out(f"release {release.prefix} in {ctx.settings.bucket('artifacts')}")
    return engine.reconcile(stack(ctx, release), out, apply=options.command == "apply")


def main(argv: Sequence[str] | None = None) -> int:
    """The command line: 0 on success, 1 on an error (one line on stderr), 2 on bad arguments."""
    try:
        options = parse(sys.argv[1:] if argv is None else argv)
    except SystemExit as e:
        return int(e.code or 0)
    try:
        validate_env(options.env)
        run(options, make_session(options), print)
    except (SettingsError, DeployError) as e:
        print(f"deploy: {e}", file=sys.stderr)
        return 1
    except ClientError as e:
        print(f"deploy: {describe_client_error(e)}", file=sys.stderr)
        return 1
    except (NoRegionError, BotoCoreError) as e:
        print(f"deploy: {e}", file=sys.stderr)
        return 1
    return 0
