# Two commands on a fresh machine: `make demo` (instructor run) and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(abspath $(VENV))/bin
STUDENT_VENV := .venv-student
export PATH := $(BIN):$(PATH)
export PIP_DISABLE_PIP_VERSION_CHECK := 1

.PHONY: demo test lab release verify lint clean browser

demo: $(VENV)/.installed
	$(BIN)/python -m autograder demo

test: $(VENV)/.installed $(STUDENT_VENV)/.installed browser
	$(BIN)/ruff check .
	$(BIN)/mypy
	$(BIN)/python -m autograder verify
	$(BIN)/python -m pytest -q

# A local preview of every release: --force ships the earlier solutions whatever their
# due dates (the real `make release` refuses to before every student's deadline).
lab: $(VENV)/.installed
	$(BIN)/python -m autograder release --force
	$(BIN)/jupyter lab --notebook-dir=release

release: $(VENV)/.installed
	$(BIN)/python -m autograder release

verify: $(VENV)/.installed
	$(BIN)/python -m autograder verify

lint: $(VENV)/.installed
	$(BIN)/ruff check .
	$(BIN)/mypy

# The instructor environment: the kit itself (editable), tests, and the optional Dask extra.
$(VENV)/.installed: pyproject.toml
	@$(PYTHON) tools/check_python.py
	@# The sandbox's system-call filter needs the system's libseccomp (Debian ships it with apt).
	@ldconfig -p 2>/dev/null | grep -q 'libseccomp\.so\.2' || \
		(apt-get update -qq && apt-get install -y -qq libseccomp2) || \
		echo "warning: libseccomp2 missing: sandboxes will run without their seccomp filter"
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e ".[dev,cluster]"
	@touch $@

# What a student has: exactly the student dependencies (pyproject's `student` extra, the
# same list as environment-student.yml), none of the kit's packages; the tests run released
# notebooks in it to prove a release works on its own. Rebuilt from scratch when the list
# changes, so nothing dropped from it lingers.
$(STUDENT_VENV)/.installed: pyproject.toml $(VENV)/.installed
	rm -rf $(STUDENT_VENV)
	$(PYTHON) -m venv $(STUDENT_VENV)
	$(STUDENT_VENV)/bin/python -m pip install -q $$($(BIN)/python tools/student_requirements.py)
	@touch $@

# tests/test_browser.py drives Debian's Chromium with Debian's chromedriver (never a
# downloaded browser); where apt cannot install them, that test skips and says why.
browser:
	@(command -v chromium && command -v chromedriver) >/dev/null 2>&1 || \
		(apt-get update -qq && apt-get install -y -qq chromium chromium-driver) || \
		echo "warning: chromium/chromium-driver missing: tests/test_browser.py will skip"

clean:
	rm -rf release submitted autograded feedback gradebook.db demo build exchange
