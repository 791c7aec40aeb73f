"""The `prefect-classic` command: run flows from files, migrate `prefect` imports, the shim.

    prefect-classic run flow.py [--name FLOW] [--param k=v …] [--param-file p.json]
                                [--executor local|local-dask|dask[:ADDRESS]] [--quiet]
    prefect-classic migrate PATH… [--write | --check]
    prefect-classic shim run script.py [ARGS…]      prefect-classic shim info
    prefect-classic visualize flow.py -o flow.png [--name FLOW]
    prefect-classic version
"""
import logging
import os
import shutil
import sys
from typing import Any, Optional, Sequence

import click

from prefect_classic.cli.flows import (
    TaskRunProgress,
    failed_task_names,
    find_flow,
    imports_prefect,
    load_flows,
    make_executor,
    parse_params,
    state_table,
)

__all__ = ["cli"]


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
def cli() -> None:
    """prefect-classic: run Prefect 1 style flows, and migrate code from `prefect`."""


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
                click.echo(f"note: {path} imports `prefect`; running it through the prefect_classic shim "
                           f"(`prefect-classic migrate {path}` rewrites the imports).", err=True)
        elif not quiet:
            click.echo(f"note: {path} imports `prefect`, but the shim is off: {conflict}.", err=True)
    return find_flow(load_flows(path), path, name)


def _progress_printer(stream: Any) -> Any:
    def show(finished: int, total: int) -> None:
        stream.write(f"\r{finished}/{total} task runs finished")
        stream.flush()

    return show


@cli.command()
@click.argument("path", type=click.Path(dir_okay=False))
@click.option("--name", "-n", default=None, help="The flow to run when the file defines several.")
@click.option("--param", "-p", "params", multiple=True, metavar="KEY=VALUE",
              help="A parameter value (parsed as JSON when valid JSON, else a string); repeatable.")
@click.option("--param-file", type=click.Path(dir_okay=False), default=None,
              help="A JSON file with an object of parameter values (--param wins).")
@click.option("--executor", "-e", default=None, metavar="local|local-dask|dask[:ADDRESS]",
              help="Where tasks run (default: the flow's executor, else the configured default).")
@click.option("--quiet", "-q", is_flag=True, help="No logs or progress; just the table and the verdict.")
def run(path: str, name: Optional[str], params: Sequence[str], param_file: Optional[str],
        executor: Optional[str], quiet: bool) -> None:
    """Run the flow defined in PATH once and print each task's final state.

    Exits 0 when the flow run succeeds and 1 when it fails (naming the failed tasks).
    """
    from prefect_classic.utilities.logging import temporary_logger_config

    parameters = parse_params(params, param_file)
    executor_obj = make_executor(executor)
    flow = _load_flow(path, name, quiet)
    live = not quiet and sys.stderr.isatty()
    progress = TaskRunProgress(len(flow.tasks), on_change=_progress_printer(sys.stderr) if live else None)
    level = logging.CRITICAL + 1 if quiet else (logging.WARNING if live else None)
    try:
        with temporary_logger_config(level=level):
            state = flow.run(parameters=parameters, executor=executor_obj, run_on_schedule=False,
                             task_runner_state_handlers=[progress])
    except ValueError as exc:  # unknown parameters
        raise click.ClickException(str(exc)) from exc
    finally:
        if live:
            sys.stderr.write("\n")
    click.echo(state_table(flow, state))
    if state.is_successful():
        click.echo(f"Flow run of {flow.name!r} succeeded: {type(state).__name__}"
                   # runs on other processes are not counted here: show the count only when complete
                   + (f" ({progress.finished} task runs)" if progress.finished >= len(flow.tasks) else ""))
        return
    failed = failed_task_names(flow, state)
    detail = f"failed tasks: {', '.join(failed)}" if failed else (state.message or "no task failed")
    click.echo(f"Flow run of {flow.name!r} FAILED ({type(state).__name__}): {detail}", err=True)
    sys.exit(1)


# --- visualize ------------------------------------------------------------------------------------
@cli.command()
@click.argument("path", type=click.Path(dir_okay=False))
@click.option("--output", "-o", required=True, type=click.Path(dir_okay=False),
              help="The image to write; the extension picks the format (png, svg, pdf, …).")
@click.option("--name", "-n", default=None, help="The flow to draw when the file defines several.")
def visualize(path: str, output: str, name: Optional[str]) -> None:
    """Draw the flow defined in PATH with graphviz."""
    try:
        import graphviz  # noqa: F401
    except ImportError as exc:
        raise click.ClickException(
            "visualize needs the graphviz Python package: `pip install 'prefect-classic[viz]'`.") from exc
    if shutil.which("dot") is None:
        raise click.ClickException(
            "visualize needs the Graphviz `dot` program on PATH (e.g. `apt-get install graphviz` or "
            "`brew install graphviz`).")
    flow = _load_flow(path, name, quiet=True)
    stem, ext = os.path.splitext(output)
    fmt = ext.lstrip(".").lower() or "png"
    flow.visualize(filename=stem, format=fmt)
    click.echo(f"wrote {stem}.{fmt}")


# --- migrate --------------------------------------------------------------------------------------
@cli.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(exists=True))
@click.option("--write", "-w", is_flag=True, help="Rewrite the files in place.")
@click.option("--check", is_flag=True, help="Change nothing; exit 1 when any file would change (for CI).")
def migrate(paths: Sequence[str], write: bool, check: bool) -> None:
    """Rewrite `prefect` imports to `prefect_classic` in the Python files under PATHS.

    Prints a unified diff unless --write or --check. Uses of Prefect 1 APIs that prefect_classic
    does not provide are reported as warnings (FILE:LINE:COL) and do not change the exit status.
    """
    from prefect_classic.compat.codemod import migrate_paths

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
    click.echo(f"{n_changed} of {n_files} file(s) {verb}; {len(report.findings)} warning(s).", err=True)
    if report.errors or (check and n_changed):
        sys.exit(1)


# --- shim -----------------------------------------------------------------------------------------
@cli.group()
def shim() -> None:
    """The `prefect` import shim: run unchanged Prefect 1 code on prefect_classic."""


@shim.command("run", context_settings={"ignore_unknown_options": True, "allow_interspersed_args": False})
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
    click.echo(f"  {compat.SHIM_ENV_VAR}=1 python script.py         (the .pth hook"
               + (f" at {pth})" if pth else "; NOT FOUND in site-packages, reinstall prefect-classic)"))
    click.echo("  prefect-classic shim run script.py [ARGS…]")
    click.echo("  import prefect_classic.compat; prefect_classic.compat.install()   (in code)")
    click.echo(f"Environment: {compat.SHIM_ENV_VAR}={os.environ.get(compat.SHIM_ENV_VAR, '')!r}; "
               f"shim active in this process: {compat.is_installed()}")
    if conflict:
        click.echo(f"Conflict: {conflict}; the shim refuses to install without --force "
                   f"({compat.SHIM_ENV_VAR}=force).")
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

