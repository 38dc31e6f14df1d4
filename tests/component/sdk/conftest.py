import asyncio, gc, io, threading
import pytest

def _dump(label):
    with open("/tmp/scratch/hang.txt", "a") as f:
        f.write(f"=== hang in teardown of {label}\n")
        for t in [o for o in gc.get_objects() if isinstance(o, asyncio.Task)]:
            if t.done():
                continue
            buf = io.StringIO()
            try:
                t.print_stack(file=buf, limit=40)
            except Exception as e:
                buf.write(repr(e))
            f.write(f"--- {t.get_name()} {t!r}\n{buf.getvalue()}\n")

@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_teardown(item, nextitem):
    timer = threading.Timer(30, _dump, args=(item.nodeid,))
    timer.daemon = True
    timer.start()
    try:
        yield
    finally:
        timer.cancel()
