"""The import codemod: syntax-aware `prefect` -> `prefect_classic` rewrites, findings, files."""

import os
import textwrap

import pytest

from prefect_classic.compat.codemod import iter_python_files, migrate_paths, migrate_source


def migrated(source: str) -> str:
    return migrate_source(textwrap.dedent(source)).migrated


@pytest.mark.parametrize(
    "before, after",
    [
        ("import prefect\n", "import prefect_classic as prefect\n"),
        ("import prefect as p\n", "import prefect_classic as p\n"),
        ("import prefect.engine.state as s\n", "import prefect_classic.engine.state as s\n"),
        (
            "import prefect.engine.state\n",
            "import prefect_classic.engine.state, prefect_classic as prefect\n",
        ),
        (
            "import os, prefect.engine.state\n",
            "import os, prefect_classic.engine.state, prefect_classic as prefect\n",
        ),
        (
            "import prefect, prefect.engine.state\n",
            "import prefect_classic as prefect, prefect_classic.engine.state\n",
        ),
        (
            "import prefect\nimport prefect.engine.state\n",
            "import prefect_classic as prefect\nimport prefect_classic.engine.state\n",
        ),
        (
            "import prefect_classic as prefect\nimport prefect.engine.state\n",
            "import prefect_classic as prefect\nimport prefect_classic.engine.state\n",
        ),
        (
            "import prefect.engine.state\nimport prefect\n",
            "import prefect_classic.engine.state, prefect_classic as prefect\nimport prefect_classic as prefect\n",
        ),
        (
            "if x:\n    import prefect\nimport prefect.engine.state\n",
            "if x:\n    import prefect_classic as prefect\nimport prefect_classic.engine.state, prefect_classic as prefect\n",
        ),
        ("from prefect import task, Flow\n", "from prefect_classic import task, Flow\n"),
        (
            "from prefect.engine.results import LocalResult\n",
            "from prefect_classic.engine.results import LocalResult\n",
        ),
        (
            "from prefect.engine.cache_validators import all_inputs as ai\n",
            "from prefect_classic.engine.cache_validators import all_inputs as ai\n",
        ),
        ("from prefect import *\n", "from prefect_classic import *\n"),
    ],
)
def test_each_import_form_is_rewritten(before, after):
    assert migrated(before) == after


@pytest.mark.parametrize(
    "source",
    [
        "import prefect_classic as prefect\n",
        "from prefect_classic import task\n",
        "from . import prefect\n",
        "from .prefect import thing\n",
        "import prefecto\n",
        "from prefect_extras import x\n",
        "prefect = 1\nprint(prefect)\n",
        "x = 'import prefect'  # import prefect\n",
    ],
)
def test_unrelated_code_is_left_alone(source):
    assert migrated(source) == source


def test_comments_and_formatting_are_kept():
    source = textwrap.dedent("""\
        # header comment
        from prefect import (  # the names we need
            Flow,    # a flow
            task,
        )
        import prefect   # trailing comment


        def f():
            import prefect.engine.signals
            return prefect.engine.signals.FAIL
        """)
    expected = textwrap.dedent("""\
        # header comment
        from prefect_classic import (  # the names we need
            Flow,    # a flow
            task,
        )
        import prefect_classic as prefect   # trailing comment


        def f():
            import prefect_classic.engine.signals, prefect_classic as prefect
            return prefect.engine.signals.FAIL
        """)
    assert migrated(source) == expected


def test_rewrite_is_idempotent():
    source = "import prefect\nimport prefect.engine.state\nfrom prefect import task\nimport prefect.utilities as u\n"
    once = migrated(source)
    assert once != source
    assert migrated(once) == once


def test_rewritten_submodule_import_keeps_attribute_chains_working():
    """`import prefect.engine.state` then `prefect.engine.state.Success` runs without the shim."""
    code = migrated("import prefect.engine.state\nresult = prefect.engine.state.Success\n")
    namespace: dict = {}
    exec(compile(code, "<migrated>", "exec"), namespace)
    import prefect_classic.engine.state

    assert namespace["result"] is prefect_classic.engine.state.Success


def test_out_of_scope_uses_are_reported_with_line_and_column():
    source = textwrap.dedent("""\
        import prefect
        from prefect import task
        from prefect.agent.local import LocalAgent

        def deploy(flow):
            flow.executor = prefect.environments.LocalEnvironment()
            return prefect.engine.state.Success
        """)
    findings = migrate_source(source, path="flows/deploy.py").findings
    located = [(f.line, f.column, f.message.split(" is not part")[0]) for f in findings]
    assert located == [
        (3, 6, "`prefect.agent` (needed by `prefect.agent.local`)"),
        (6, 21, "`prefect.environments`"),
    ]
    assert all(f.kind == "missing" for f in findings)
    assert str(findings[0]).startswith("flows/deploy.py:3:6: `prefect.agent` (needed by")


def test_backend_era_lines_are_reported_as_backend_findings_with_line_and_column():
    """Storage, run configs and `Secret` are silent; `flow.register(...)`, `Client`, the
    `prefect.tasks.prefect` tasks and artifacts are reported because they behave differently."""
    source = textwrap.dedent("""\
        import atexit
        import prefect
        from prefect import Client, Flow
        from prefect.client import Secret
        from prefect.storage import GitHub
        from prefect.run_configs import LocalRun
        from prefect.tasks.prefect import create_flow_run

        with Flow("parent", storage=GitHub(repo="o/r", path="f.py"), run_config=LocalRun()) as flow:
            create_flow_run(flow_name="child")
        atexit.register(print)
        token = Secret("TOKEN")
        api = prefect.Client()
        flow.register(project_name="etl")
        """)
    findings = migrate_source(source, path="etl.py").findings
    assert [(f.line, f.column, f.kind) for f in findings] == [
        (3, 21, "backend"),
        (7, 6, "backend"),
        (13, 7, "backend"),
        (14, 1, "backend"),
    ]
    register = findings[-1]
    assert str(register).startswith(
        "etl.py:14:1: backend-era: `flow.register(...)` registers nothing"
    )
    assert "prefect-classic run FILE.py" in register.message
    assert "BackendOnlyError" in findings[0].message and "child_flow.run()" in findings[1].message


def test_names_missing_from_prefect_classic_are_reported():
    findings = migrate_source("from prefect.engine.state import Success, NoSuchState\n").findings
    assert [f.message for f in findings] == [
        "`prefect.engine.state.NoSuchState` is not provided by prefect_classic "
        "(`prefect_classic.engine.state` has no `NoSuchState`)."
    ]


def test_attribute_checks_stop_at_non_module_objects():
    """`prefect.context.get(...)` is an attribute of an object, not a module: never reported."""
    source = "import prefect\nx = prefect.context.get('a').whatever\ny = prefect.engine.state.Success.color\n"
    assert migrate_source(source).findings == []


def test_syntax_errors_are_reported_not_rewritten():
    result = migrate_source("import prefect\ndef broken(:\n", path="bad.py")
    assert result.error is not None and "cannot parse" in result.error
    assert not result.changed


def test_diff_is_a_unified_diff_of_the_change():
    diff = migrate_source("import prefect\nx = 1\n", path="a.py").diff()
    assert diff.splitlines() == [
        "--- a.py",
        "+++ a.py",
        "@@ -1,2 +1,2 @@",
        "-import prefect",
        "+import prefect_classic as prefect",
        " x = 1",
    ]


def test_directories_are_searched_skipping_hidden_and_virtualenv_folders(tmp_path):
    (tmp_path / "pkg").mkdir()
    (tmp_path / "pkg" / "a.py").write_text("import prefect\n")
    (tmp_path / "pkg" / "notes.txt").write_text("import prefect\n")
    (tmp_path / ".hidden").mkdir()
    (tmp_path / ".hidden" / "b.py").write_text("import prefect\n")
    (tmp_path / "env").mkdir()
    (tmp_path / "env" / "pyvenv.cfg").write_text("home = /usr\n")
    (tmp_path / "env" / "c.py").write_text("import prefect\n")
    (tmp_path / "z.py").write_text("x = 1\n")
    found = [
        os.path.relpath(p, tmp_path)
        for p in iter_python_files([str(tmp_path), str(tmp_path / "z.py")])
    ]
    assert found == [os.path.join("pkg", "a.py"), "z.py"]


def test_migrate_paths_writes_only_with_write(tmp_path):
    target = tmp_path / "flow.py"
    target.write_text("from prefect import task\n")
    report = migrate_paths([str(tmp_path)])
    assert [r.path for r in report.changed] == [str(target)]
    assert target.read_text() == "from prefect import task\n"
    migrate_paths([str(tmp_path)], write=True)
    assert target.read_text() == "from prefect_classic import task\n"
    assert migrate_paths([str(tmp_path)]).changed == []


def test_write_keeps_encoding_and_line_endings(tmp_path):
    target = tmp_path / "legacy.py"
    original = "# -*- coding: latin-1 -*-\r\nimport prefect\r\nNAME = 'caf\xe9'\r\n".encode(
        "latin-1"
    )
    target.write_bytes(original)
    migrate_paths([str(target)], write=True)
    assert target.read_bytes() == original.replace(
        b"import prefect\r\n", b"import prefect_classic as prefect\r\n"
    )
