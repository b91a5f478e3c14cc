"""A child process that reads its job, says it started, then ignores everything (a library
call that never returns): what `clipper.ui.child_process` must end when cancelled."""

from __future__ import annotations

import time

from clipper.ui.child_process import ChildSide, exit_child

if __name__ == "__main__":
    side = ChildSide.start("stuck child")
    side.send("started", side.job)
    time.sleep(120)  # the cancel is never looked at
    exit_child(0)
