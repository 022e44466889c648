"""Fixtures of the fault suite (issue 18); helpers live in faultkit.py."""
import pytest

from faultkit import make_cli


@pytest.fixture()
def cli():
    return make_cli()
