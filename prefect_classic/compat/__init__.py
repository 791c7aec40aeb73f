"""Run Prefect 1 code unchanged, then migrate it: the `prefect` import shim and the codemod.

- `install()` / `uninstall()`: make `import prefect…` resolve to the `prefect_classic` modules
  (same objects under both names). Without code changes: `PREFECT_CLASSIC_SHIM=1 python script.py`
  or `prefect-classic shim run script.py`.
- `prefect_classic.compat.codemod`: rewrite `prefect` imports to `prefect_classic`
  (`prefect-classic migrate`).
- Prefect 1 modules outside this project's scope (`prefect.agent`, `prefect.engine.cloud`,
  the integration tasks, …) raise `OutOfScopeImportError` explaining what to use instead.
"""

from prefect_classic.compat.out_of_scope import (
    OUT_OF_SCOPE,
    OutOfScopeImportError,
    explain_out_of_scope,
    install_out_of_scope_finder,
)
from prefect_classic.compat.shim import (
    SHIM_ENV_VAR,
    ShimConflictError,
    find_conflicting_prefect,
    install,
    install_from_env,
    is_installed,
    run_script,
    uninstall,
)

install_out_of_scope_finder()

__all__ = [
    "OUT_OF_SCOPE",
    "SHIM_ENV_VAR",
    "OutOfScopeImportError",
    "ShimConflictError",
    "explain_out_of_scope",
    "find_conflicting_prefect",
    "install",
    "install_from_env",
    "is_installed",
    "run_script",
    "uninstall",
]
