"""The command line: one plan end to end, and one-line errors with a non-zero exit, no stack trace."""

from __future__ import annotations

from pathlib import Path

import pytest
from botocore.exceptions import ClientError

from deploy import cli
from deploy.context import DeployConfig
from deploy.errors import describe_client_error


def _denied(operation: str, message: str) -> ClientError:
    return ClientError({"Error": {"Code": "AccessDeniedException", "Message": message}}, operation)


@pytest.mark.subprocess  # plan builds the release: pip wheel, pip install for the Lambda zip
def test_plan_from_the_command_line_reaches_the_endpoint_of_aws_endpoint_url(
    aws: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert cli.main(["plan", "--env", "dev"]) == 0
    out = capsys.readouterr().out
    assert "plan dev: account 123456789012, region eu-west-1" in out
    assert "+ create    glue-job               lakehouse-dev-bronze_to_silver" in out
    assert out.rstrip().splitlines()[-1].startswith("summary: ")


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["plan", "--env", "Dev_1"], "deploy: env 'Dev_1' is not valid: use 2 to 21 characters"),
        (["plan", "--env", "dev", "--profile", "nope"], "deploy: AWS profile 'nope' not found"),
    ],
)
def test_user_errors_are_one_line_on_stderr(
    aws: str, argv: list[str], message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert cli.main(argv) == 1
    err = capsys.readouterr().err
    assert err.startswith(message) and len(err.strip().splitlines()) == 1


def test_a_missing_region_is_one_line(
    aws: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    for name in ("AWS_REGION", "AWS_DEFAULT_REGION"):
        monkeypatch.delenv(name)
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "none"))
    assert cli.main(["apply", "--env", "dev"]) == 1
    err = capsys.readouterr().err
    assert err == "deploy: no AWS region: pass --region, or set AWS_REGION or the profile's region\n"


def test_access_denied_names_the_action_in_one_line(
    aws: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    message = "User: arn:aws:iam::123456789012:user/ci is not authorized to perform: glue:CreateJob on resource: x"

    def denied(*_: object, **__: object) -> None:
        raise _denied("CreateJob", message)

    monkeypatch.setattr(cli, "run", denied)
    assert cli.main(["apply", "--env", "dev"]) == 1
    assert capsys.readouterr().err == (
        "deploy: access denied: this identity may not call glue:CreateJob; grant it and run deploy again\n"
    )


def test_access_denied_without_an_action_in_the_message_names_the_operation() -> None:
    assert "s3:PutBucketPolicy" in describe_client_error(_denied("PutBucketPolicy", "Access Denied"), "s3")


def test_bad_arguments_exit_2(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["deploy-everything", "--env", "dev"]) == 2
    assert "invalid choice" in capsys.readouterr().err


def test_no_client_is_given_an_endpoint_url_so_the_sdk_settings_decide() -> None:
    sources = (Path(__file__).parents[2] / "deploy").glob("*.py")
    assert [p.name for p in sources if "endpoint_url" in p.read_text()] == []


def test_the_profiles_are_set_from_the_command_line() -> None:
    options = cli.parse(["plan", "--env", "prod", "--production", "--replica-region", "eu-central-1",
                         "--private-network", "--vpc-id", "vpc-1", "--subnet", "subnet-a", "--subnet", "subnet-b",
                         "--key-admin", "arn:aws:iam::123456789012:role/admin"])  # fmt: skip
    config = cli.deploy_config(options)
    assert (config.production, config.replica_region, config.kms_deletion_window_days) == (True, "eu-central-1", 30)
    assert (config.private_network, config.vpc_id, config.subnet_ids) == (True, "vpc-1", ("subnet-a", "subnet-b"))
    assert config.key_administrators == ("arn:aws:iam::123456789012:role/admin",)
    assert cli.deploy_config(cli.parse(["plan", "--env", "dev"])) == DeployConfig()


def test_production_without_a_replica_region_is_one_line_and_exit_2(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exited:
        cli.parse(["plan", "--env", "prod", "--production"])
    assert exited.value.code == 2
    assert capsys.readouterr().err.strip().splitlines()[-1].endswith(
        "--production needs --replica-region: name the second region for the replicas"
    )
