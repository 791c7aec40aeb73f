"""`prefect_classic.compat.install()`: `prefect.*` imports are the `prefect_classic.*` module objects."""

import pickle
import sys
import types

import pytest

import prefect_classic
import prefect_classic.engine.state
from prefect_classic import compat


def test_without_the_shim_prefect_is_not_importable():
    with pytest.raises(ModuleNotFoundError):
        import prefect  # noqa: F401


def test_submodule_import_gives_the_same_module_and_classes(shim):
    import prefect.engine.state as s

    assert s is prefect_classic.engine.state
    assert s.Success is prefect_classic.engine.state.Success


def test_top_level_names_and_context_are_shared(shim):
    import prefect
    from prefect import Flow, Task

    assert prefect is prefect_classic
    assert Task is prefect_classic.Task and Flow is prefect_classic.Flow
    assert prefect.context is prefect_classic.context


def test_aliased_modules_keep_their_own_spec_and_name(shim):
    """The import system's alias spec must not overwrite the real module's `__spec__`."""
    import prefect.engine.results as results

    assert results.__name__ == "prefect_classic.engine.results"
    assert results.__spec__.name == "prefect_classic.engine.results"
    assert sys.modules["prefect.engine.results"] is sys.modules["prefect_classic.engine.results"]


def test_isinstance_agrees_across_both_names(shim):
    from prefect.engine.state import Failed, State

    state = prefect_classic.engine.state.Failed("x")
    assert isinstance(state, Failed) and isinstance(state, State)


def test_monkeypatching_through_one_name_is_seen_through_the_other(shim, monkeypatch):
    import prefect.engine.state

    monkeypatch.setattr(prefect.engine.state, "Success", "patched")
    assert prefect_classic.engine.state.Success == "patched"


def test_pickle_written_with_prefect_names_loads_under_the_shim(shim):
    """Prefect 1 pickles name `prefect.engine.state.Success`; they load into prefect_classic classes."""
    data = pickle.dumps(prefect_classic.engine.state.Success(result=42), protocol=0)
    legacy = data.replace(b"prefect_classic.", b"prefect.")
    assert b"prefect.engine.state" in legacy and b"prefect_classic" not in legacy
    restored = pickle.loads(legacy)
    assert type(restored) is prefect_classic.engine.state.Success
    assert restored.result == 42


def test_pickle_written_under_the_shim_loads_without_it(shim):
    import prefect.engine.state

    data = pickle.dumps(prefect.engine.state.Cached(result=[1, 2]))
    compat.uninstall()
    restored = pickle.loads(data)
    assert type(restored) is prefect_classic.engine.state.Cached
    assert restored.result == [1, 2]


def test_missing_submodule_raises_module_not_found_naming_both_paths(shim):
    with pytest.raises(ModuleNotFoundError) as exc:
        import prefect.no_such_module  # noqa: F401
    assert "prefect.no_such_module" in str(exc.value)
    assert "prefect_classic.no_such_module" in str(exc.value)


def test_install_is_idempotent(shim):
    compat.install()
    finders = [f for f in sys.meta_path if type(f).__name__ == "PrefectAliasFinder"]
    assert len(finders) == 1


def test_uninstall_removes_finder_and_aliases(shim):
    import prefect.engine.state  # noqa: F401

    compat.uninstall()
    assert not compat.is_installed()
    assert not [name for name in sys.modules if name == "prefect" or name.startswith("prefect.")]
    with pytest.raises(ModuleNotFoundError):
        import prefect  # noqa: F401
    assert sys.modules["prefect_classic.engine.state"] is prefect_classic.engine.state


def test_install_refuses_when_a_real_prefect_distribution_is_installed(fake_prefect_dist):
    with pytest.raises(compat.ShimConflictError) as exc:
        compat.install()
    message = str(exc.value)
    assert "`prefect` distribution 1.4.1 is installed" in message
    assert "force" in message
    assert not compat.is_installed()


def test_install_force_shadows_a_real_prefect_distribution(fake_prefect_dist):
    compat.install(force=True)
    import prefect

    assert prefect is prefect_classic


def test_install_refuses_when_another_prefect_module_is_already_imported(monkeypatch):
    monkeypatch.setitem(sys.modules, "prefect", types.ModuleType("prefect"))
    with pytest.raises(compat.ShimConflictError, match="already imported"):
        compat.install()


def test_install_from_env_reports_a_conflict_instead_of_raising(fake_prefect_dist, capsys):
    assert compat.install_from_env({"PREFECT_CLASSIC_SHIM": "1"}) is False
    assert "Refusing to install" in capsys.readouterr().err
    assert compat.install_from_env({"PREFECT_CLASSIC_SHIM": "force"}) is True


@pytest.mark.parametrize("value", ["", "0", "false", "off"])
def test_install_from_env_does_nothing_when_the_variable_is_off(value):
    assert compat.install_from_env({"PREFECT_CLASSIC_SHIM": value}) is False
    assert not compat.is_installed()


def test_run_script_runs_as_main_with_argv_and_the_shim(tmp_path, capsys):
    helper = tmp_path / "helper_mod.py"
    helper.write_text("VALUE = 'from the script folder'\n")
    script = tmp_path / "script.py"
    script.write_text(
        "import sys\nimport prefect\nimport helper_mod\n"
        "if __name__ == '__main__':\n"
        "    print(prefect.__name__, sys.argv, helper_mod.VALUE)\n"
    )
    compat.run_script(str(script), ["--flag", "x"])
    out = capsys.readouterr().out
    assert out.strip() == f"prefect_classic {[str(script), '--flag', 'x']} from the script folder"
