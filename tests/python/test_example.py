"""The worked example of docs/python.md runs and draws its two pictures."""

import subprocess
import sys

from conftest import ROOT


def test_the_worked_example_plots_a_day_and_a_staffing(tmp_path):
    done = subprocess.run(
        [sys.executable, str(ROOT / "docs" / "examples" / "python_day.py"), str(tmp_path)],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stderr
    assert "retail-helpdesk: 20 replications, verdict missed" in done.stdout
    assert "staffing: verdict met" in done.stdout
    for name in ("day.png", "staffing.png"):
        picture = (tmp_path / name).read_bytes()
        assert picture.startswith(b"\x89PNG\r\n\x1a\n"), name
        # A plotted figure, not empty axes (about 10 KB at this size and resolution).
        assert len(picture) > 30_000, (name, len(picture))
