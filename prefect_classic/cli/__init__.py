"""The `prefect-classic` command: run flows from files, migrate `prefect` imports, the shim.

prefect-classic run flow.py [--name FLOW] [--param k=v …] [--param-file p.json]
                            [--executor local|local-dask|dask[:ADDRESS]]
                            [--log-level LEVEL | --quiet] [--report run.json|run.html …]
prefect-classic migrate PATH… [--write | --check]
prefect-classic shim run script.py [ARGS…]      prefect-classic shim info
prefect-classic visualize flow.py -o flow.png [--name FLOW]
prefect-classic cache ls|clear [--expired] [--task NAME] [--dir DIR …] [--results] [--yes]
prefect-classic version
"""

import logging
import os
import shutil
import sys
from contextlib import contextmanager
from typing import Any, Iterator, Optional, Sequence

import click

from prefect_classic.cli.cache import cache
from prefect_classic.cli.flows import (
    PATH_HINT,
    check_required_parameters,
    failed_task_names,
    find_flow,
    imports_prefect,
    load_flows,
    looks_like_flow_file,
    make_executor,
    parse_params,
    resolve_executor,
    state_table,
)

__all__ = ["cli"]


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
def cli() -> None:
    """prefect-classic: run Prefect 1 style flows, and migrate code from `prefect`."""


cli.add_command(cache)


@cli.command()
def version() -> None:
    """Print the prefect_classic version."""
    import prefect_classic

    click.echo(prefect_classic.__version__)


# --- run ------------------------------------------------------------------------------------------
def _load_flow(path: str, name: Optional[str], quiet: bool) -> Any:
    if imports_prefect(path):
        from prefect_classic import compat

        conflict = compat.find_conflicting_prefect() if not compat.is_installed() else None
        if conflict is None:
            compat.install()
            if not quiet:
                click.echo(
                    f"note: {path} imports `prefect`; running it through the prefect_classic shim "
                    f"(`prefect-classic migrate {path}` rewrites the imports).",
                    err=True,
                )
        elif not quiet:
            click.echo(
                f"note: {path} imports `prefect`, but the shim is off: {conflict}.", err=True
            )
    return find_flow(load_flows(path), path, name)


_LEVELS = ["DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"]


@contextmanager
def _log_level(level: Optional[int]) -> Iterator[None]:
    """Set the `prefect` logger's level for a block, and the environment's
    `PREFECT__LOGGING__LEVEL` so worker processes started meanwhile log at that level too."""
    if level is None:
        yield
        return
    logger = logging.getLogger("prefect")
    old_level, old_env = logger.level, os.environ.get("PREFECT__LOGGING__LEVEL")
    logger.setLevel(level)
    os.environ["PREFECT__LOGGING__LEVEL"] = logging.getLevelName(min(level, logging.CRITICAL))
    try:
        yield
    finally:
        logger.setLevel(old_level)
        if old_env is None:
            os.environ.pop("PREFECT__LOGGING__LEVEL", None)
        else:
            os.environ["PREFECT__LOGGING__LEVEL"] = old_env


@cli.command()
@click.argument("path", required=False, type=click.Path(dir_okay=False))
@click.option("--name", "-n", default=None, help="The flow to run when the file defines several.")
@click.option(
    "--param",
    "-p",
    "params",
    multiple=True,
    metavar="KEY=VALUE",
    help="A parameter value (parsed as JSON when valid JSON, else a string); repeatable.",
)
@click.option(
    "--param-file",
    type=click.Path(dir_okay=False),
    default=None,
    help="A JSON file with an object of parameter values (--param wins).",
)
@click.option(
    "--executor",
    "-e",
    default=None,
    metavar="local|local-dask|dask[:ADDRESS]",
    help="Where tasks run (default: the flow's executor, else the configured default).",
)
@click.option(
    "--log-level",
    "-l",
    type=click.Choice(_LEVELS, case_sensitive=False),
    default=None,
    help="Show logs from this level up (default: config `logging.level`, "
    "e.g. PREFECT__LOGGING__LEVEL=DEBUG; INFO when unset).",
)
@click.option(
    "--quiet", "-q", is_flag=True, help="No logs or progress; just the table and the verdict."
)
@click.option(
    "--report",
    "-r",
    "reports",
    multiple=True,
    type=click.Path(dir_okay=False),
    metavar="FILE",
    help="Write a run report: FILE.json (every task run's state, times, run count, cache hits) "
    "or FILE.html (timeline, graph, filterable table, tracebacks); repeatable.",
)
def run(
    path: Optional[str],
    name: Optional[str],
    params: Sequence[str],
    param_file: Optional[str],
    executor: Optional[str],
    log_level: Optional[str],
    quiet: bool,
    reports: Sequence[str],
) -> None:
    """Run the flow defined in PATH once: logs and a progress line while it runs, then each
    task's final state.

    Exits 0 when the flow run succeeds and 1 when it fails (naming the failed tasks).
    """
    from prefect_classic.cli.live import Redactor, RunDisplay, collect_secrets
    from prefect_classic.cli.report import REPORT_FORMATS, build_report, write_report
    from prefect_classic.cli.tracking import RunTracker

    if path is None:
        hint = f" {PATH_HINT}" if any(looks_like_flow_file(p) for p in params) else ""
        raise click.UsageError(f"Missing argument 'PATH' (the flow file).{hint}")
    for report in reports:
        if os.path.splitext(report)[1].lower() not in REPORT_FORMATS:
            raise click.BadParameter(
                f"{report!r}: a report is a .json or .html file", param_hint="--report"
            )
    parameters = parse_params(params, param_file)
    executor_obj = make_executor(executor)
    flow = _load_flow(path, name, quiet)
    check_required_parameters(flow, parameters)
    executor_obj = resolve_executor(flow, executor_obj)
    level = (
        logging.CRITICAL + 1
        if quiet
        else (logging.getLevelName(log_level.upper()) if log_level else None)
    )
    tracker = RunTracker(len(flow.tasks))
    tracker.serve()
    redactor = Redactor(collect_secrets(flow))
    try:
        with _log_level(level), RunDisplay(tracker, executor_obj, redactor, quiet=quiet):
            state = flow.run(
                parameters=parameters,
                executor=executor_obj,
                run_on_schedule=False,
                task_runner_state_handlers=[tracker],
            )
            tracker.reconcile(flow, state)
    except ValueError as exc:  # unknown parameters
        raise click.ClickException(str(exc)) from exc
    finally:
        tracker.close()
    for value in collect_secrets(flow, state):
        redactor.add(value)
    click.echo(state_table(flow, state, redactor))
    if reports:
        data = build_report(
            flow, state, tracker, redactor.data, parameters=parameters, executor=executor_obj
        )
        for report in reports:
            click.echo(f"report: {write_report(report, data)}", err=True)
    if state.is_successful():
        click.echo(
            f"Flow run of {flow.name!r} succeeded: {type(state).__name__} ({tracker.done} task runs)"
        )
        return
    failed = failed_task_names(flow, state)
    detail = f"failed tasks: {', '.join(failed)}" if failed else (state.message or "no task failed")
    click.echo(
        redactor(f"Flow run of {flow.name!r} FAILED ({type(state).__name__}): {detail}"), err=True
    )
    sys.exit(1)


# --- visualize ------------------------------------------------------------------------------------
@cli.command()
@click.argument("path", type=click.Path(dir_okay=False))
@click.option(
    "--output",
    "-o",
    required=True,
    type=click.Path(dir_okay=False),
    help="The file to write; the extension picks the format (png, svg, pdf, …; .dot and .gv "
    "write the graph's source without Graphviz).",
)
@click.option("--name", "-n", default=None, help="The flow to draw when the file defines several.")
@click.option("--horizontal", is_flag=True, help="Lay the graph out from left to right.")
def visualize(path: str, output: str, name: Optional[str], horizontal: bool) -> None:
    """Draw the flow defined in PATH with graphviz."""
    from prefect_classic.utilities.visualization import SOURCE_FORMATS

    stem, ext = os.path.splitext(output)
    fmt = ext.lstrip(".").lower() or "png"
    try:
        import graphviz  # noqa: F401
    except ImportError as exc:
        raise click.ClickException(
            "visualize needs the graphviz Python package: `pip install 'prefect-classic[viz]'`."
        ) from exc
    if fmt not in SOURCE_FORMATS and shutil.which("dot") is None:
        raise click.ClickException(
            "visualize needs the Graphviz `dot` program on PATH (e.g. `apt-get install graphviz` or "
            "`brew install graphviz`) to draw images; a .dot file needs no program: `-o flow.dot`."
        )
    flow = _load_flow(path, name, quiet=True)
    flow.visualize(filename=stem, format=fmt, horizontal=horizontal)
    click.echo(f"wrote {stem}.{fmt}")


# --- migrate --------------------------------------------------------------------------------------
@cli.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(exists=True))
@click.option("--write", "-w", is_flag=True, help="Rewrite the files in place.")
@click.option(
    "--check", is_flag=True, help="Change nothing; exit 1 when any file would change (for CI)."
)
def migrate(paths: Sequence[str], write: bool, check: bool) -> None:
    """Rewrite `prefect` imports to `prefect_classic` in the Python files under PATHS.

    Prints a unified diff unless --write or --check. Uses of Prefect 1 APIs that prefect_classic
    does not provide are reported as warnings (FILE:LINE:COL) and do not change the exit status.
    """
    try:
        from prefect_classic.compat.codemod import migrate_paths
    except ImportError as exc:
        if exc.name is None or not exc.name.startswith("libcst"):
            raise
        raise click.ClickException(
            "migrate needs libcst, which is not installed: `pip install 'prefect-classic[migrate]'` "
            "(or `pip install libcst`)."
        ) from exc

    if write and check:
        raise click.UsageError("--write and --check cannot be combined.")
    report = migrate_paths(paths, write=write)
    for result in report.files:
        if result.error is not None:
            click.echo(f"error: {result.path}: {result.error}", err=True)
        elif result.changed and check:
            click.echo(f"would migrate {result.path}")
        elif result.changed and write:
            click.echo(f"migrated {result.path}")
        elif result.changed:
            click.echo(result.diff(), nl=False)
    for finding in report.findings:
        click.echo(f"warning: {finding}", err=True)
    n_changed, n_files = len(report.changed), len(report.files)
    verb = "would change" if not write else "changed"
    click.echo(
        f"{n_changed} of {n_files} file(s) {verb}; {len(report.findings)} warning(s).", err=True
    )
    if report.errors or (check and n_changed):
        sys.exit(1)


# --- shim -----------------------------------------------------------------------------------------
@cli.group()
def shim() -> None:
    """The `prefect` import shim: run unchanged Prefect 1 code on prefect_classic."""


@shim.command(
    "run", context_settings={"ignore_unknown_options": True, "allow_interspersed_args": False}
)
@click.option("--force", is_flag=True, help="Shadow a real `prefect` package if one is installed.")
@click.argument("script", type=click.Path(dir_okay=False))
@click.argument("args", nargs=-1, type=click.UNPROCESSED)
def shim_run(script: str, args: Sequence[str], force: bool) -> None:
    """Run SCRIPT as `__main__` (like `python SCRIPT ARGS…`) with `import prefect` mapped to
    prefect_classic."""
    from prefect_classic import compat

    try:
        compat.run_script(script, args, force=force)
    except compat.ShimConflictError as exc:
        raise click.ClickException(str(exc)) from exc
    except FileNotFoundError as exc:
        raise click.ClickException(str(exc)) from exc


@shim.command("info")
def shim_info() -> None:
    """Show how to turn the shim on and whether anything would stop it."""
    from prefect_classic import compat

    pth = _find_pth()
    conflict = compat.find_conflicting_prefect()
    click.echo("Turn the `prefect` import shim on with one of:")
    click.echo(
        f"  {compat.SHIM_ENV_VAR}=1 python script.py         (the .pth hook"
        + (f" at {pth})" if pth else "; NOT FOUND in site-packages, reinstall prefect-classic)")
    )
    click.echo("  prefect-classic shim run script.py [ARGS…]")
    click.echo("  import prefect_classic.compat; prefect_classic.compat.install()   (in code)")
    click.echo(
        f"Environment: {compat.SHIM_ENV_VAR}={os.environ.get(compat.SHIM_ENV_VAR, '')!r}; "
        f"shim active in this process: {compat.is_installed()}"
    )
    if conflict:
        click.echo(
            f"Conflict: {conflict}; the shim refuses to install without --force "
            f"({compat.SHIM_ENV_VAR}=force)."
        )
    else:
        click.echo("No real `prefect` package found: the shim can be installed.")


def _find_pth() -> Optional[str]:
    import site

    dirs = list(site.getsitepackages()) + [site.getusersitepackages()]
    for directory in dirs:
        candidate = os.path.join(directory, "prefect_classic_shim.pth")
        if os.path.isfile(candidate):
            return candidate
    return None
