"""`KubernetesRun`: a flow run started as a Kubernetes Job."""

from typing import Iterable, Optional, Union

from prefect_classic.run_configs.base import RunConfig, load_yaml_document, read_local_yaml

__all__ = ["KubernetesRun"]

IMAGE_PULL_POLICIES = ("Always", "IfNotPresent", "Never")


class KubernetesRun(RunConfig):
    """Run the flow as a Kubernetes Job (Prefect 1's Kubernetes agent).

    A local `job_template_path` (no scheme, `file://` or `local://`) is read when the run config
    is made and kept as `job_template`; a remote one (`s3://`, `gcs://`, `agent://`…) is kept as
    a path. A YAML string `job_template` is parsed into a dict (PyYAML).

    Args:
        - job_template_path (str, optional): a job template file
        - job_template (str or dict, optional): a job template
        - image (str, optional): the image
        - env (dict, optional): environment variables of the job
        - cpu_limit (float or str, optional): kept as a string
        - cpu_request (float or str, optional): kept as a string
        - memory_limit (str, optional): the memory limit
        - memory_request (str, optional): the memory request
        - service_account_name (str, optional): the job's service account
        - image_pull_secrets (Iterable[str], optional): kept as a list
        - labels (Iterable[str], optional): labels an agent needs to pick up the run
        - image_pull_policy (str, optional): `"Always"`, `"IfNotPresent"` or `"Never"`

    Raises:
        - ValueError: when both template arguments are given, or for another pull policy
    """

    def __init__(
        self,
        *,
        job_template_path: Optional[str] = None,
        job_template: Optional[Union[str, dict]] = None,
        image: Optional[str] = None,
        env: Optional[dict] = None,
        cpu_limit: Optional[Union[float, str]] = None,
        cpu_request: Optional[Union[float, str]] = None,
        memory_limit: Optional[str] = None,
        memory_request: Optional[str] = None,
        service_account_name: Optional[str] = None,
        image_pull_secrets: Optional[Iterable[str]] = None,
        labels: Optional[Iterable[str]] = None,
        image_pull_policy: Optional[str] = None,
    ) -> None:
        super().__init__(env=env, labels=labels)
        if job_template_path is not None and job_template is not None:
            raise ValueError("Cannot provide both `job_template_path` and `job_template`")
        if image_pull_policy is not None and image_pull_policy not in IMAGE_PULL_POLICIES:
            raise ValueError(
                f"Invalid image_pull_policy {image_pull_policy!r}.  "
                "Expected 'Always', 'IfNotPresent', or 'Never'"
            )
        if job_template_path is not None:
            loaded = read_local_yaml(job_template_path)
            if loaded is not None:
                job_template, job_template_path = loaded, None
        elif isinstance(job_template, str):
            job_template = load_yaml_document(job_template)
        self.job_template_path = job_template_path
        self.job_template = job_template
        self.image = image
        self.cpu_limit = None if cpu_limit is None else str(cpu_limit)
        self.cpu_request = None if cpu_request is None else str(cpu_request)
        self.memory_limit = memory_limit
        self.memory_request = memory_request
        self.service_account_name = service_account_name
        self.image_pull_secrets = None if image_pull_secrets is None else list(image_pull_secrets)
        self.image_pull_policy = image_pull_policy
