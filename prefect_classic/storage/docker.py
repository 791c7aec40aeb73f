"""`Docker` storage: flows baked into a Docker image (constructs and serializes; no image build).

Nothing here imports the `docker` SDK: building and pushing an image is the job of a
deployment tool, and `build()` raises `BackendOnlyError` saying so.
"""

import os
import re
import sys
from pathlib import PurePosixPath
from typing import TYPE_CHECKING, Any, Dict, List, Optional, Union

from prefect_classic.storage.base import Storage
from prefect_classic.utilities.storage import (
    extract_flow_from_file,
    flow_from_bytes_pickle,
    slugify,
)

if TYPE_CHECKING:
    from prefect_classic.core.flow import Flow

__all__ = ["Docker"]


def _package_version() -> str:
    package = sys.modules[__name__.split(".")[0]]
    return str(getattr(package, "__version__", "0"))


class Docker(Storage):
    """Flows pickled into `<prefect_directory>/flows/` of a Docker image built from `base_image`
    (or `dockerfile`) and pushed to `registry_url`.

    Args:
        - registry_url (str, optional): the registry to push to
        - base_image (str, optional): the image to build on (default: a Python image of this
            interpreter's version)
        - dockerfile (str, optional): a Dockerfile to build from instead of `base_image`
        - dockerignore (str, optional): a `.dockerignore` for the build context
        - python_dependencies (List[str], optional): packages to `pip install`
        - image_name (str, optional): the image name (default: generated at build)
        - image_tag (str, optional): the image tag (default: generated at build)
        - env_vars (dict, optional): environment variables of the image
        - files (dict, optional): `{absolute source path: destination}` to copy in
        - prefect_version (str, optional): the Prefect version to install in the image
        - local_image (bool, optional): use a local base image without pulling it
        - ignore_healthchecks (bool, optional): skip the build-time health checks
        - base_url (str, optional): the Docker daemon (default `DOCKER_HOST` or the local socket)
        - tls_config (bool or docker.tls.TLSConfig, optional): TLS settings for the daemon
        - build_kwargs (dict, optional): keyword arguments of the image build
        - prefect_directory (str, optional): where flows go in the image (default `/opt/prefect`)
        - path (str, optional): the flow's file in the image when `stored_as_script`
        - stored_as_script (bool, optional): the flow is kept as a `.py` file (default False)
        - extra_dockerfile_commands (List[str], optional): extra Dockerfile lines
        - **kwargs (Any): the `Storage` arguments

    Raises:
        - ValueError: when both `base_image` and `dockerfile` are given, or a `files` source
            path is not absolute
    """

    def __init__(
        self,
        registry_url: Optional[str] = None,
        base_image: Optional[str] = None,
        dockerfile: Optional[str] = None,
        dockerignore: Optional[str] = None,
        python_dependencies: Optional[List[str]] = None,
        image_name: Optional[str] = None,
        image_tag: Optional[str] = None,
        env_vars: Optional[dict] = None,
        files: Optional[dict] = None,
        prefect_version: Optional[str] = None,
        local_image: bool = False,
        ignore_healthchecks: bool = False,
        base_url: Optional[str] = None,
        tls_config: Union[bool, Any] = False,
        build_kwargs: Optional[dict] = None,
        prefect_directory: str = "/opt/prefect",
        path: Optional[str] = None,
        stored_as_script: bool = False,
        extra_dockerfile_commands: Optional[List[str]] = None,
        **kwargs: Any,
    ) -> None:
        if base_image and dockerfile:
            raise ValueError("Only one of `base_image` and `dockerfile` can be provided.")
        relative = [p for p in (files or {}) if not os.path.isabs(p)]
        if relative:
            raise ValueError(
                f"Provided paths {', '.join(relative)} are not absolute file paths, please "
                "provide absolute paths only."
            )
        self.registry_url = registry_url
        self.image_name = image_name
        self.image_tag = image_tag
        self.python_dependencies = list(python_dependencies or []) + ["wheel"]
        self.prefect_directory = prefect_directory
        self.path = path
        self.env_vars: Dict[str, str] = dict(env_vars or {})
        self.env_vars.setdefault("PREFECT__USER_CONFIG_PATH", f"{prefect_directory}/config.toml")
        self.files = dict(files or {})
        self.local_image = local_image
        self.ignore_healthchecks = ignore_healthchecks
        default_daemon = (
            "npipe:////./pipe/docker_engine"
            if sys.platform == "win32"
            else "unix://var/run/docker.sock"
        )
        self.base_url = base_url or os.environ.get("DOCKER_HOST", default_daemon)
        self.tls_config = tls_config
        self.build_kwargs = dict(build_kwargs or {})
        self.rm_build_kwarg = self.build_kwargs.pop("rm", True)
        self.extra_dockerfile_commands = extra_dockerfile_commands
        self.prefect_version = prefect_version or _package_version().split("+")[0]
        self.installation_commands: List[str] = []
        self.dockerfile = dockerfile
        self.dockerignore = dockerignore
        if dockerfile is None and base_image is None:
            python = f"{sys.version_info.major}.{sys.version_info.minor}"
            if re.match(r"^\d+\.\d+\.\d+$", self.prefect_version):
                base_image = f"prefecthq/prefect:{self.prefect_version}-python{python}"
            else:
                base_image = f"python:{python}-slim"
        self.base_image = base_image
        super().__init__(stored_as_script=stored_as_script, **kwargs)

    def add_flow(self, flow: "Flow") -> str:
        """Record the flow and its path inside the image.

        Args:
            - flow (Flow): the flow

        Returns:
            - str: `path`, or `<prefect_directory>/flows/<flow-name>.prefect`

        Raises:
            - ValueError: when a flow of that name was already added
        """
        self._check_new_name(flow)
        location = self.path or f"{self.prefect_directory}/flows/{slugify(flow.name)}.prefect"
        self.flows[flow.name] = location
        self._flows[flow.name] = flow
        return location

    def get_flow(self, flow_name: str) -> "Flow":
        """Load a flow from its path (as inside the built image).

        Args:
            - flow_name (str): the flow's name

        Returns:
            - Flow: the flow

        Raises:
            - ValueError: when no flow of that name was added
        """
        self._check_contained(flow_name)
        location = self.flows[flow_name]
        if self.stored_as_script:
            return extract_flow_from_file(file_path=location, flow_name=flow_name)
        with open(location, "rb") as f:
            return flow_from_bytes_pickle(f.read())

    @property
    def name(self) -> str:
        """The full image name, `<registry_url>/<image_name>:<image_tag>`.

        Raises:
            - ValueError: when the image name or tag is not set yet
        """
        if self.image_name is None or self.image_tag is None:
            raise ValueError("Docker storage is missing required fields image_name and image_tag")
        return f"{PurePosixPath(self.registry_url or '', self.image_name)}:{self.image_tag}"

    def build(self, push: bool = True) -> "Storage":
        """Building (and pushing) the image is not done here.

        Args:
            - push (bool, optional): push the image to `registry_url` (default True)

        Raises:
            - BackendOnlyError: always
        """
        self.run_basic_healthchecks()
        self._remote_only("build", "builds a Docker image (and pushes it) for a Prefect agent")
