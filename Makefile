# Two commands on a fresh machine: `make demo` (instructor run) and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(abspath $(VENV))/bin
STUDENT_VENV := .venv-student
export PATH := $(BIN):$(PATH)
export PIP_DISABLE_PIP_VERSION_CHECK := 1

.PHONY: demo test lab release verify lint clean

demo: $(VENV)/.installed
	$(BIN)/python -m autograder demo

test: $(VENV)/.installed $(STUDENT_VENV)/.installed
	$(BIN)/ruff check .
	$(BIN)/mypy
	$(BIN)/python -m autograder verify
	$(BIN)/python -m pytest -q

lab: release
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

# What a student has: only the student dependencies, none of the kit's packages; the
# tests run released notebooks in it to prove a release works on its own.
$(STUDENT_VENV)/.installed: pyproject.toml $(VENV)/.installed
	@test -x $(STUDENT_VENV)/bin/python || $(PYTHON) -m venv $(STUDENT_VENV)
	$(STUDENT_VENV)/bin/python -m pip install -q $$($(BIN)/python tools/student_requirements.py)
	@touch $@

clean:
	rm -rf release submitted autograded feedback gradebook.db demo build exchange
