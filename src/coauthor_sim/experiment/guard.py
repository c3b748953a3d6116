"""Whether a local process pool may be started from here, or would re-run the caller's script.

With the ``spawn`` start method (which the runner's pools always use, as ``import mesa`` would
force), every worker process imports the user's main script again. A script that calls
``run_sweep`` (or anything that starts a pool) at its top level, without
``if __name__ == "__main__":``, then makes each worker try to start a pool of its own while it
is still starting ("An attempt has been made to start a new process before the current
process has finished its bootstrapping phase"): the worker dies,
the pool is rebuilt, and the sweep crawls along for ever. ``pool_hazard`` finds that case
before any process starts, so the runner can do the runs in the calling process instead and
say why; inside a worker that is importing the script it raises a clear error.
"""

from __future__ import annotations

import ast
import multiprocessing
import os
import sys

GUARD = 'if __name__ == "__main__":'


class UnguardedScriptError(RuntimeError):
    """A worker process, while importing the user's script, was asked to start processes."""


def pool_hazard() -> str | None:
    """Why a local process pool must not be started from the current call, or None if it may.

    Raises ``UnguardedScriptError`` when called in a worker that is still importing the main
    script (the script's unguarded top-level code reached us a second time)."""
    process = multiprocessing.current_process()
    if getattr(process, "_inheriting", False):
        raise UnguardedScriptError(
            "a worker process, while starting, ran the script's top-level code, which starts "
            f"processes again: put that code under `{GUARD}`"
        )
    if process.daemon:
        return "this is a worker process, which cannot start worker processes of its own"
    where = unguarded_main_line()
    if where is None:
        return None
    path, line = where
    return (
        f"{path}:{line} starts worker processes from the top level of the script, outside "
        f"`{GUARD}`; each worker would run the script again. Running in this process only: "
        "put the call under the guard to use every core"
    )


def unguarded_main_line() -> tuple[str, int] | None:
    """The file and line of the main script's top-level code that led to this call, when that
    line is outside every ``if __name__ == "__main__":`` block; None otherwise (guarded, or
    no script file: Jupyter, ``python -c``, an interactive session)."""
    main = sys.modules.get("__main__")
    path = getattr(main, "__file__", None)
    if not path or not os.path.isfile(path):
        return None
    frame = sys._getframe(1)
    while frame is not None:
        code = frame.f_code
        if (
            code.co_name == "<module>"
            and frame.f_globals.get("__name__") == "__main__"
            and _same_file(code.co_filename, path)
        ):
            break
        frame = frame.f_back
    if frame is None:
        return None
    line = frame.f_lineno
    try:
        with open(path, encoding="utf-8") as handle:
            tree = ast.parse(handle.read())
    except (OSError, SyntaxError, UnicodeDecodeError):
        return None
    guarded = any(
        isinstance(node, ast.If)
        and _is_main_test(node.test)
        and node.body[0].lineno <= line <= (node.body[-1].end_lineno or line)
        for node in ast.walk(tree)
    )
    return None if guarded else (path, line)


def _same_file(a: str, b: str) -> bool:
    try:
        return os.path.samefile(a, b)
    except OSError:
        return False


def _is_main_test(test: ast.expr) -> bool:
    """``__name__ == "__main__"``, either way round."""
    if not (isinstance(test, ast.Compare) and len(test.ops) == 1):
        return False
    if not isinstance(test.ops[0], ast.Eq):
        return False
    sides = [test.left, test.comparators[0]]
    names = [s for s in sides if isinstance(s, ast.Name) and s.id == "__name__"]
    mains = [s for s in sides if isinstance(s, ast.Constant) and s.value == "__main__"]
    return len(names) == 1 and len(mains) == 1
