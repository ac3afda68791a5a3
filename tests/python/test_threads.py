"""The simulation releases the GIL (other Python threads run meanwhile) and Ctrl-C
stops it: KeyboardInterrupt within a moment, and the module works on afterwards."""

import _thread
import os
import signal
import threading
import time

import pytest

import ccsim
from conftest import LONG


def test_python_threads_run_while_a_simulation_runs():
    ticks = []
    stop = threading.Event()

    def ticker():
        while not stop.is_set():
            ticks.append(time.monotonic())
            time.sleep(0.01)

    thread = threading.Thread(target=ticker)
    thread.start()
    try:
        # About a second of work on one thread (8 days of 480,000 calls).
        started = time.monotonic()
        day = ccsim.run(LONG, replications=8, threads=1)
        ended = time.monotonic()
    finally:
        stop.set()
        thread.join()
    assert day.data["replications"] == 8
    during = [t for t in ticks if started < t < ended]
    # Holding the GIL, the run would have let the ticker in once at most.
    assert len(during) >= 5, f"{len(during)} ticks during a run of {ended - started:.2f} s"


def interrupt_after(seconds, how):
    def fire():
        time.sleep(seconds)
        if how == "interrupt_main":
            _thread.interrupt_main()
        else:
            os.kill(os.getpid(), signal.SIGINT)

    timer = threading.Thread(target=fire)
    timer.start()
    return timer


@pytest.mark.parametrize("how", ["interrupt_main", "SIGINT"])
def test_ctrl_c_stops_a_long_run_with_keyboard_interrupt(how):
    # 100,000 replications: minutes of work, stopped after half a second.
    timer = interrupt_after(0.5, how)
    started = time.monotonic()
    with pytest.raises(KeyboardInterrupt):
        ccsim.run(LONG, threads=2)
    took = time.monotonic() - started
    timer.join()
    assert took < 10, f"took {took:.1f} s to stop"
    # Nothing is left cancelled: the next run goes on to the end.
    assert ccsim.run(LONG, replications=2).data["replications"] == 2


def test_ctrl_c_stops_a_staffing_search():
    timer = interrupt_after(0.5, "interrupt_main")
    started = time.monotonic()
    with pytest.raises(KeyboardInterrupt):
        ccsim.staff("scenarios/retail-helpdesk.toml", replications=20000, threads=2)
    took = time.monotonic() - started
    timer.join()
    assert took < 10, f"took {took:.1f} s to stop"
