"""Env names that would collide with another env's resources are refused before anything is called."""

from __future__ import annotations

import pytest

from deploy.cli import main
from lakehouse.settings import Settings, SettingsError, validate_env


def test_an_env_ending_in_drift_is_refused_since_it_would_share_the_drift_database() -> None:
    assert Settings.aws("prod", "123456789012", "eu-west-1").database + "_drift" == "lakehouse_prod_drift"
    with pytest.raises(SettingsError, match="'prod-drift' is not valid: a name ending in '-drift'"):
        validate_env("prod-drift")


def test_drift_inside_a_name_is_fine() -> None:
    assert validate_env("drift-lab") == "drift-lab"


def test_the_command_line_says_so_in_one_line(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["plan", "--env", "prod-drift"]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "would share its Glue database with the drift database of env 'prod'" in err
