"""`python -m prefect_classic.cli …` is `prefect-classic …`."""

from prefect_classic.cli import cli

cli(prog_name="prefect-classic")
