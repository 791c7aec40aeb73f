"""Bootstrap of the `prefect` import shim for `PREFECT_CLASSIC_SHIM=1`.

`prefect_classic_shim.pth` (installed in site-packages) imports this module at interpreter start
only when the variable is set. It uses the standard library alone: prefect_classic is imported when
the program first imports `prefect`, so configuration is read then, as `import prefect` did in
Prefect 1 (environment variables set by the script before that import still count).
"""
import os
import sys

__all__ = ["activate"]

ENV_VAR = "PREFECT_CLASSIC_SHIM"


class _LazyShimFinder:
    """Waits for the first `prefect` import, then installs `prefect_classic.compat`'s shim."""

    def find_spec(self, fullname, path=None, target=None):
        if fullname != "prefect" and not fullname.startswith("prefect."):
            return None
        _remove()
        from prefect_classic.compat import shim

        if not shim.install_from_env():  # a real `prefect` is installed: already explained on stderr
            return None
        return shim.PrefectAliasFinder().find_spec(fullname, path, target)


def _remove():
    sys.meta_path[:] = [f for f in sys.meta_path if not isinstance(f, _LazyShimFinder)]


def activate():
    """Arm the shim: the first `import prefect…` installs it (see `prefect_classic.compat.install`)."""
    value = os.environ.get(ENV_VAR, "").strip().lower()
    if value in ("", "0", "false", "no", "off"):
        return
    if not any(isinstance(f, _LazyShimFinder) for f in sys.meta_path):
        sys.meta_path.insert(0, _LazyShimFinder())
