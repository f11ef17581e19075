"""nbgrader configuration for the kit: run stock nbgrader commands from this folder.

    nbgrader generate_assignment rnn    nbgrader autograde rnn    nbgrader formgrader
"""

import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent
# Kernels started by nbgrader must import `autograder` (hidden tests) and `course_utils`.
# Later assignments import the earlier solutions as generated modules in build/layers.
os.environ["PYTHONPATH"] = os.pathsep.join(
    [str(ROOT), str(ROOT / "build" / "layers"), *filter(None, [os.environ.get("PYTHONPATH")])])
sys.path.insert(0, str(ROOT))
from autograder.export import ensure_layer_modules  # noqa: E402

ensure_layer_modules()
# Harmless warnings on stderr must not zero a test cell; keep kernels quiet and headless.
os.environ.setdefault("PYTHONWARNINGS", "ignore::DeprecationWarning")
os.environ.setdefault("MPLBACKEND", "Agg")
os.environ.setdefault("TQDM_DISABLE", "1")
os.environ.setdefault("PYDEVD_DISABLE_FILE_VALIDATION", "1")
os.environ.setdefault("JUPYTER_PLATFORM_DIRS", "1")
os.environ.setdefault("KIT_GRADING", "1")

c = get_config()  # noqa: F821 - provided by traitlets when nbgrader loads this file

c.CourseDirectory.root = str(ROOT)
c.CourseDirectory.source_directory = "assignments"
c.CourseDirectory.release_directory = "release"
c.CourseDirectory.submitted_directory = "submitted"
c.CourseDirectory.autograded_directory = "autograded"
c.CourseDirectory.feedback_directory = "feedback"
c.CourseDirectory.db_url = f"sqlite:///{ROOT / 'gradebook.db'}"
c.CourseDirectory.course_id = "rnn-course"
# Generated layer modules and caches are not part of a release.
c.CourseDirectory.ignore = [".ipynb_checkpoints", "*.pyc", "__pycache__", "feedback", "*.db"]

c.Execute.timeout = 300
c.Execute.interrupt_on_timeout = True
c.OverwriteCells.add_missing_cells = True
c.ClearSolutions.code_stub = {"python": "# YOUR CODE HERE\nraise NotImplementedError()"}
c.ClearSolutions.text_stub = "YOUR ANSWER HERE"
c.Exchange.root = str(ROOT / "exchange")
sys.dont_write_bytecode = True
