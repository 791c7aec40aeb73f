"""Packaging glue that setup.cfg cannot express: install the `prefect` shim's `.pth` hook.

`prefect_classic_shim.pth` must sit directly in site-packages (Python only reads `.pth` files
there). It does nothing unless `PREFECT_CLASSIC_SHIM` is set. It is copied to the top of the
wheel for regular installs (`build_py`) and for editable installs (`editable_wheel`).
"""
import os
import shutil

from setuptools import setup
from setuptools.command.build_py import build_py

SHIM_PTH = "prefect_classic_shim.pth"
SHIM_PTH_SOURCE = os.path.join(os.path.dirname(os.path.abspath(__file__)), SHIM_PTH)


class BuildPyWithShimPth(build_py):
    """build_py that also puts the shim's `.pth` hook at the top of the built tree."""

    def run(self):
        super().run()
        self.copy_file(SHIM_PTH_SOURCE, os.path.join(self.build_lib, SHIM_PTH), preserve_mode=False)


cmdclass = {"build_py": BuildPyWithShimPth}

try:
    from setuptools.command.editable_wheel import editable_wheel
except ImportError:  # setuptools < 64: no PEP 660 editable installs
    editable_wheel = None

if editable_wheel is not None:

    class EditableWheelWithShimPth(editable_wheel):
        """editable_wheel that also puts the shim's `.pth` hook at the top of the wheel."""

        def _run_build_commands(self, dist_name, unpacked_wheel, build_lib, tmp_dir):
            outputs = super()._run_build_commands(dist_name, unpacked_wheel, build_lib, tmp_dir)
            shutil.copyfile(SHIM_PTH_SOURCE, os.path.join(unpacked_wheel, SHIM_PTH))
            return outputs

    cmdclass["editable_wheel"] = EditableWheelWithShimPth

setup(cmdclass=cmdclass)
