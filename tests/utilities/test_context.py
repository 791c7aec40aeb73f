"""The run context: a thread-local stack of overlays with dict and attribute access."""

import threading

import pytest

import prefect_classic
from prefect_classic.configuration import config
from prefect_classic.utilities.context import Context, context, snapshot


def test_package_context_is_the_global_context():
    assert prefect_classic.context is context


def test_block_adds_keys_and_removes_them_on_exit():
    assert "a" not in context
    with context(a=1, b=2) as ctx:
        assert ctx is context
        assert context.get("a") == 1
        assert context["b"] == 2
        assert context.a == 1
    assert "a" not in context and context.get("a") is None
    assert context.get("a", "default") == "default"


def test_block_accepts_mappings_and_keywords():
    with context({"a": 1}, {"b": 2}, c=3):
        assert (context.a, context.b, context.c) == (1, 2, 3)


def test_nested_blocks_shadow_and_restore():
    with context(a=1, b=1):
        with context(a=2):
            assert (context.a, context.b) == (2, 1)
            with context(a=3, c=3):
                assert (context.a, context.b, context.c) == (3, 1, 3)
            assert context.a == 2 and "c" not in context
        assert context.a == 1
    assert "a" not in context


def test_exit_restores_even_after_an_error():
    depth = context.depth()
    with pytest.raises(ValueError):
        with context(a=1):
            raise ValueError()
    assert context.depth() == depth and "a" not in context


def test_entering_a_block_does_not_copy_the_config():
    with context(a=1):
        assert context.config is config
        assert context.to_dict()["config"] is config
    # one overlay per block, holding only the keys added
    depth = context.depth()
    with context(x=1):
        assert context.depth() == depth + 1
        assert context._stack().layers[-1] == {"x": 1}


def test_missing_attribute_raises_attribute_error():
    with pytest.raises(AttributeError, match="has no attribute 'nothing_here'"):
        _ = context.nothing_here
    with pytest.raises(KeyError):
        context["nothing_here"]


def test_setting_and_deleting_keys_within_a_block():
    with context(a=1):
        context.b = 2
        context["c"] = 3
        assert context.b == 2 and context.c == 3
        del context.a  # hides the key for the rest of the block
        assert "a" not in context
        with pytest.raises(KeyError):
            del context["never_set"]
    assert "b" not in context and "c" not in context


def test_deleting_a_key_set_by_an_outer_block_is_undone_on_exit():
    with context(a=1):
        with context(b=1):
            del context["a"]
            assert "a" not in context
            assert "a" not in context.to_dict()
        assert context.a == 1


def test_blocks_restore_shadowed_values_and_writes_in_any_order():
    with context(a=1, b=1):
        with context(a=2):
            context.b = 2
            context.update(c=3)
            del context.a
            context.a = 4
            assert (context.a, context.b, context.c) == (4, 2, 3)
        assert (context.a, context.b) == (1, 1) and "c" not in context
        context.b = 5  # written in the outer block: undone when it exits
    assert "a" not in context and "b" not in context


def test_exiting_an_outer_block_also_undoes_blocks_left_open_inside_it():
    outer, inner = context(a=1), context(a=2, b=2)
    outer.__enter__()
    inner.__enter__()
    outer.__exit__(None, None, None)
    assert "a" not in context and "b" not in context


def test_the_same_block_can_be_entered_again_inside_itself():
    block = context(a=1)
    with block:
        with context(a=2):
            with block:
                context.b = 1
                assert context.a == 1
            assert context.a == 2 and "b" not in context
        assert context.a == 1
    assert "a" not in context


def test_memo_recomputes_when_the_visible_keys_may_have_changed():
    calls = []

    def compute(ctx):
        calls.append(1)
        return ctx.get("a")

    with context(a=1):
        assert context.memo(0, compute) == 1 and context.memo(0, compute) == 1
        assert len(calls) == 1
        context.a = 2  # a write
        assert context.memo(0, compute) == 2
        with context(b=1):  # a block entered
            assert context.memo(0, compute) == 2
        assert context.memo(0, compute) == 2  # ...and exited
        assert context.memo(1, compute) == 2  # another key
        assert len(calls) == 5
        assert context.memo(1, lambda ctx: "other") == "other"  # another computation


def test_to_dict_is_a_flat_snapshot():
    with context(a=1):
        with context(a=2, b=3):
            flat = context.to_dict()
            assert flat["a"] == 2 and flat["b"] == 3
            flat["a"] = 99
            assert context.a == 2
            assert set(context.keys()) >= {"a", "b", "config", "caches"}
            assert dict(context.items())["b"] == 3
            assert len(context) == len(flat)


def test_update_and_setdefault_write_to_the_innermost_block():
    with context():
        context.update({"x": 1}, y=2)
        assert context.setdefault("x", 5) == 1
        assert context.setdefault("z", 5) == 5
        assert (context.x, context.y, context.z) == (1, 2, 5)
    assert "x" not in context and "z" not in context


def test_snapshot_drops_config_and_logger():
    with context(a=1, logger=object()):
        flat = snapshot()
        assert flat["a"] == 1 and "config" not in flat and "logger" not in flat


def test_a_contextvars_copy_run_in_another_thread_gets_its_own_stack():
    import contextvars

    seen = {}

    def worker():
        seen["a"] = context.get("a")
        with context(a="thread"):
            seen["inside"] = context.a

    with context(a="main"):
        copied = contextvars.copy_context()
        t = threading.Thread(target=copied.run, args=(worker,))
        t.start()
        t.join()
        assert context.a == "main" and context.depth() >= 2
    assert seen == {"a": None, "inside": "thread"}


def test_context_is_thread_local():
    seen = {}

    def worker():
        seen["before"] = context.get("a")
        with context(a="thread"):
            seen["inside"] = context.a
        seen["config"] = context.get("config") is config

    with context(a="main"):
        t = threading.Thread(target=worker)
        t.start()
        t.join()
        assert context.a == "main"
    assert seen == {"before": None, "inside": "thread", "config": True}


def test_fresh_context_has_base_keys_and_reset_restores_them():
    ctx = Context(a=1)
    assert ctx.a == 1 and ctx.config is config and isinstance(ctx.caches, dict)
    ctx.b = 2
    ctx.clear()
    assert "config" not in ctx and len(ctx) == 0
    ctx.reset()  # back to how it was created
    assert ctx.config is config and ctx.a == 1 and "b" not in ctx


def test_clear_inside_a_block_hides_keys_until_the_block_exits():
    with context(a=1):
        with context(b=2):
            context.clear()
            assert "a" not in context and "config" not in context
        assert context.a == 1 and context.config is config


def test_context_refuses_to_be_pickled():
    """Code must read the context where it runs; workers get a plain snapshot() instead."""
    import cloudpickle

    with pytest.raises(TypeError, match="prefect.context"):
        cloudpickle.dumps(Context(a=1))


def test_config_keys_given_to_a_block_merge_over_the_configuration():
    level = config.logging.level
    with context(config={"logging": {"extra": 1}, "NEW": {"x": 1}}):
        assert context.config.logging.extra == 1 and context.config.logging.level == level
        assert context.config.NEW.x == 1  # dicts merged into the config read as attributes
        assert "NEW" not in config and "extra" not in config.logging
    assert context.config is config and "NEW" not in context.config
    # handing the current configuration back in (as set_temporary_config does) gives the block
    # its own copy, as in Prefect 1: later changes to the global configuration do not show in it
    with context(config=config):
        assert context.config is not config and context.config.logging.level == level
        config.logging.level = "CHANGED"
        try:
            assert context.config.logging.level == level
        finally:
            config.logging.level = level


def test_config_keys_given_to_a_fresh_context_merge_too():
    ctx = Context({"config": {"cloud": {"send_flow_run_logs": "X"}}})
    assert (
        ctx.config.cloud.send_flow_run_logs == "X"
        and ctx.config.logging.level == config.logging.level
    )


def test_other_dict_values_stay_plain_dicts():
    with context(section={"x": 1}):
        with pytest.raises(AttributeError):
            _ = context.section.x


def test_logger_is_available_outside_runs_in_every_thread():
    import logging

    seen = []
    t = threading.Thread(target=lambda: seen.append(context.get("logger")))
    t.start()
    t.join()
    assert context.get("logger") is logging.getLogger("prefect") is seen[0]


def test_fresh_context_reads_the_module_config(monkeypatch):
    from prefect_classic.configuration import Config
    from prefect_classic.utilities import context as context_module

    fake = Config(context=Config(secrets=Config(token="t"), key="from-config"))
    monkeypatch.setattr(context_module, "config", fake)
    ctx = Context(key="explicit")
    assert ctx.key == "explicit" and ctx.secrets.token == "t" and ctx.config is fake


def test_repr_lists_the_keys():
    with context(zzz_key=1):
        assert "'zzz_key'" in repr(context)
        assert repr(context).startswith("<Context: ")


def test_tags_helper_accumulates_through_context():
    from prefect_classic import tags

    with tags("a"):
        with tags("b", "c"):
            assert context.tags == {"a", "b", "c"}
        assert context.tags == {"a"}
    assert "tags" not in context
