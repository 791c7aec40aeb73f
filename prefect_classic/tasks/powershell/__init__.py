"""`PowershellTask`: run a PowerShell command in a subprocess."""

from prefect_classic.tasks.powershell.powershell import PowershellTask

__all__ = ["PowershellTask"]
