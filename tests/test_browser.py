"""The releases as a student meets them: JupyterLab in a real browser.

JupyterLab runs from the student environment (`.venv-student`, exactly the student
dependencies) on 127.0.0.1 with a token; Debian's Chromium, headless, is driven by
Selenium through Debian's chromedriver (nothing is downloaded). Each released notebook,
with the solution filled in, is run top to bottom with JupyterLab's own "Run All": no cell
may end in an error, no progress bar may fall back to text ("IProgress not found"), and
every figure must be an image the browser drew. The blank `rnn` release must stop at its
first visible test with the stub's NotImplementedError. Screenshots go to
`build/browser/` for a person to look at.

The labs run at their grading size (KIT_GRADING=1) to keep this test to a few minutes;
they still draw every figure. Where Chromium, chromedriver or selenium is missing the test
skips and says how to install them (`make test` installs them with apt where it can).
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import socket
import subprocess
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from autograder.course import Course, release_files, solution_submission
from autograder.layout import REPO_ROOT, available_assignments
from autograder.notebooks import answer_cells, grade_meta

STUDENT_BIN = REPO_ROOT / ".venv-student" / "bin"
SHOTS = REPO_ROOT / "build" / "browser"
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
CHROMEDRIVER = shutil.which("chromedriver")
RUN_SECONDS = 240  # one notebook's Run All, at grading size

try:
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service
except ImportError:  # pragma: no cover - the dev extra installs it
    webdriver = None  # type: ignore[assignment]

if webdriver is None or not CHROMIUM or not CHROMEDRIVER:
    pytest.skip("browser test skipped: needs Debian's chromium and chromium-driver "
                "(`apt-get install chromium chromium-driver`, which `make test` runs where it "
                "can) and selenium (the dev extra)", allow_module_level=True)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _student_env(home: Path) -> dict[str, str]:
    """A student's session: the student venv first on PATH, none of the kit's settings
    (no PYTHONPATH, no Agg backend, bars not disabled), Jupyter's state in `home`."""
    drop = ("PYTHONPATH", "MPLBACKEND", "TQDM_DISABLE", "VIRTUAL_ENV", "PYTHONWARNINGS")
    env = {k: v for k, v in os.environ.items()
           if k not in drop and not k.startswith(("JUPYTER", "IPYTHON"))}
    settings = home / "settings" / "@jupyterlab" / "notebook-extension"
    settings.mkdir(parents=True)
    # Every cell stays in the page, so every figure can be measured.
    (settings / "tracker.jupyterlab-settings").write_text(
        json.dumps({"windowingMode": "none"}))
    apputils = home / "settings" / "@jupyterlab" / "apputils-extension"
    apputils.mkdir(parents=True)  # no "official Jupyter news?" toast over the screenshots
    (apputils / "notification.jupyterlab-settings").write_text(
        json.dumps({"fetchNews": "false"}))
    env.update({
        "PATH": f"{STUDENT_BIN}{os.pathsep}{env.get('PATH', '')}",
        "HOME": str(home), "KIT_GRADING": "1",
        "JUPYTER_CONFIG_DIR": str(home / "config"), "JUPYTER_DATA_DIR": str(home / "data"),
        "JUPYTER_RUNTIME_DIR": str(home / "runtime"),
        "JUPYTERLAB_SETTINGS_DIR": str(home / "settings"),
        "JUPYTERLAB_WORKSPACES_DIR": str(home / "workspaces"),
        "MPLCONFIGDIR": str(home / "mpl"),
    })
    return env


@pytest.fixture(scope="module")
def workspace(tmp_path_factory) -> Path:
    """Each release with the solution filled in (`<a>/`), and the blank `rnn_blank/`."""
    root = tmp_path_factory.mktemp("browser")
    course = Course(root / "course")
    space = root / "lab"
    for assignment in available_assignments():
        released = course.generate(assignment)
        notebook = json.loads(released.read_text(encoding="utf-8"))
        folders = {assignment: solution_submission(notebook, assignment)}
        if assignment == "rnn":
            folders["rnn_blank"] = notebook
        for name, content in folders.items():
            folder = space / name
            folder.mkdir(parents=True)
            (folder / f"{assignment}.ipynb").write_text(json.dumps(content), encoding="utf-8")
            release_files(assignment, folder)
    return space


@pytest.fixture(scope="module")
def lab(workspace, tmp_path_factory) -> Iterator[str]:
    """JupyterLab from the student environment; yields its base URL (token in `?token=`)."""
    if not (STUDENT_BIN / "jupyter").exists():
        pytest.fail("the student environment is missing: run `make test` (it builds "
                    ".venv-student)")
    home = tmp_path_factory.mktemp("home")
    port, token = _free_port(), secrets.token_hex(16)
    command = [str(STUDENT_BIN / "jupyter"), "lab", "--no-browser", "--ServerApp.ip=127.0.0.1",
               f"--ServerApp.port={port}", "--ServerApp.port_retries=0",
               f"--IdentityProvider.token={token}", f"--ServerApp.root_dir={workspace}",
               "--LabApp.expose_app_in_browser=True"]
    if os.geteuid() == 0:  # containers and CI machines run as root
        command.append("--allow-root")
    log = (home / "lab.log").open("w")
    server = subprocess.Popen(command, env=_student_env(home), stdout=log,
                              stderr=subprocess.STDOUT, cwd=workspace)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(f"{url}/api/status?token={token}", timeout=2):
                    break
            except OSError:
                if server.poll() is not None or time.monotonic() > deadline:
                    pytest.fail(f"JupyterLab did not start: {(home / 'lab.log').read_text()}")
                time.sleep(0.5)
        yield f"{url}|{token}"
    finally:
        server.terminate()
        try:
            server.wait(timeout=15)
        except subprocess.TimeoutExpired:
            server.kill()
        log.close()


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for flag in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage",
                 "--window-size=1280,1000", "--disable-gpu", "--no-first-run"):
        options.add_argument(flag)
    os.environ.setdefault("SE_OFFLINE", "true")  # Selenium Manager: never download
    driver = webdriver.Chrome(service=Service(executable_path=CHROMEDRIVER), options=options)
    driver.set_script_timeout(RUN_SECONDS)
    try:
        yield driver
    finally:
        driver.quit()


# Run All through JupyterLab's own command, then hand back the notebook as JupyterLab
# holds it (outputs included) and what the page drew for every image output.
RUN_ALL = """
const [path, done] = [arguments[0], arguments[arguments.length - 1]];
(async () => {
  const app = window.jupyterapp;
  let panel = null;
  for (let i = 0; i < 600 && !panel; i++) {
    panel = Array.from(app.shell.widgets('main')).find(w => w.context && w.context.path === path);
    if (!panel) await new Promise(r => setTimeout(r, 100));
  }
  await panel.context.ready;
  await panel.sessionContext.ready;
  app.shell.activateById(panel.id);
  const ran = await app.commands.execute('notebook:run-all-cells');
  await new Promise(r => setTimeout(r, 1500));  // let the last images decode and lay out
  const images = Array.from(panel.node.querySelectorAll('.jp-OutputArea-output img')).map(
    img => { const box = img.getBoundingClientRect();
             return [img.complete, img.naturalWidth, img.naturalHeight, box.width, box.height]; });
  const widgets = panel.node.querySelectorAll(
    '.jp-OutputArea-output .widget-hprogress, .jp-OutputArea-output .widget-progress').length;
  done({ran: ran, notebook: panel.content.model.toJSON(), images: images, widgets: widgets});
})().catch(err => done({error: String(err && err.stack || err)}));
"""


def _open_and_run(browser, lab: str, path: str) -> dict:
    url, token = lab.split("|")
    browser.get(f"{url}/lab/tree/{path}?token={token}")
    deadline = time.monotonic() + 60
    while not browser.execute_script("return !!(window.jupyterapp && "
                                      "window.jupyterapp.shell);"):
        assert time.monotonic() < deadline, "JupyterLab did not load in the browser"
        time.sleep(0.5)
    result = browser.execute_async_script(RUN_ALL, path)
    assert "error" not in result, result.get("error")
    return result


SHUT_DOWN = """
const done = arguments[arguments.length - 1];
const app = window.jupyterapp;
Promise.all(Array.from(app.shell.widgets('main')).filter(w => w.sessionContext).map(
  w => w.sessionContext.shutdown())).then(() => done(true), err => done(String(err)));
"""


@pytest.fixture
def shut_down(browser) -> Iterator[None]:
    """After a test, the kernels it started are shut down (two cores, four notebooks)."""
    yield
    try:
        browser.execute_async_script(SHUT_DOWN)
    except Exception:  # the page may be gone after a failure; the server stops anyway
        pass


def _errors(notebook: dict) -> list[tuple[int, str, str]]:
    return [(i, out.get("ename", ""), out.get("evalue", "")[:300])
            for i, cell in enumerate(notebook["cells"]) if cell["cell_type"] == "code"
            for out in cell.get("outputs", []) if out.get("output_type") == "error"]


def _text(cell: dict) -> str:
    return "".join("".join(out.get("text", "")) for out in cell.get("outputs", []))


def _shoot(browser, name: str, selector: str, index: int = 0) -> Path:
    """A screenshot with the `index`-th element matching `selector` scrolled into view."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    browser.execute_script(
        "const all = document.querySelectorAll(arguments[0]);"
        "const el = all[Math.min(arguments[1], all.length - 1)];"
        "if (el) el.scrollIntoView({block: 'center'});", selector, index)
    time.sleep(0.3)
    path = SHOTS / f"{name}.png"
    browser.save_screenshot(str(path))
    return path


@pytest.mark.parametrize("assignment", available_assignments())
def test_the_solution_runs_in_jupyterlab_and_draws_every_figure(lab, browser, shut_down,
                                                                assignment):
    result = _open_and_run(browser, lab, f"{assignment}/{assignment}.ipynb")
    notebook = result["notebook"]
    _shoot(browser, f"{assignment}-first-figure", ".jp-OutputArea-output img")
    _shoot(browser, f"{assignment}-last-figure", ".jp-OutputArea-output img", 10 ** 6)
    assert not _errors(notebook), _errors(notebook)
    assert result["ran"] is True
    code = [c for c in notebook["cells"] if c["cell_type"] == "code"]
    assert all(c.get("execution_count") for c in code), "Run All left cells unexecuted"
    for index, cell in enumerate(code):
        assert "IProgress not found" not in _text(cell), f"code cell {index}: {_text(cell)}"
    figures = sum("image/png" in out.get("data", {}) for c in code for out in c["outputs"])
    assert figures > 0, "no figure drawn"
    assert len(result["images"]) == figures, (len(result["images"]), figures)
    for complete, natural_w, natural_h, width, height in result["images"]:
        assert complete and natural_w > 0 and natural_h > 0 and width > 0 and height > 0
    # tqdm.auto's bars are ipywidgets: each one the kernel sent is drawn as a progress bar
    bars = sum("application/vnd.jupyter.widget-view+json" in out.get("data", {})
               for c in code for out in c["outputs"])
    if bars:
        _shoot(browser, f"{assignment}-progress-bar", ".jp-OutputArea-output .widget-hprogress")
    assert result["widgets"] >= bars, (result["widgets"], bars)


def test_the_blank_release_stops_at_the_first_visible_test(lab, browser, shut_down):
    result = _open_and_run(browser, lab, "rnn_blank/rnn.ipynb")
    _shoot(browser, "rnn-blank-first-error", ".jp-OutputArea-output[data-mime-type="
           "'application/vnd.jupyter.stderr']")
    notebook = result["notebook"]
    errors = _errors(notebook)
    assert errors, "the blank release ran to the end without an error"
    first_function = next(iter(answer_cells(notebook)))
    index, ename, evalue = errors[0]
    grade_id = grade_meta(notebook["cells"][index]).get("grade_id", "")
    assert grade_id == f"test_{first_function}_visible", (grade_id, ename, evalue)
    assert ename == "NotImplementedError" or (ename == "AssertionError"
                                              and first_function in evalue), (ename, evalue)
    later = [c for c in notebook["cells"][index + 1:] if c["cell_type"] == "code"]
    assert not any(c.get("execution_count") for c in later), "Run All went past the error"
