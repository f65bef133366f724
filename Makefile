# The course's commands. A fresh machine needs only `make lab` (students) or `make test` (everyone);
# both create .venv and install requirements.txt on first use.

PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
# Run every tool from the venv, so nothing installed elsewhere on the machine leaks in.
export PATH := $(abspath $(BIN)):$(PATH)

.PHONY: setup lab test bench release autograde feedback grades lint clean student-mode instructor-mode \
	student-kit exchange-release collect

setup: $(STAMP)

$(STAMP): requirements.txt pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements.txt
	@touch $(STAMP)

# Jupyter refuses to run as root unless told; containers and CI machines often are root.
ROOT_FLAG := $(if $(filter 0,$(shell id -u)),--allow-root)

## Students: open JupyterLab on the course (release/ holds your notebooks).
lab: setup
	$(BIN)/jupyter lab --notebook-dir=. $(ROOT_FLAG) $(LAB_ARGS)

## Everyone: the whole test suite (unit tests, notebooks, nbgrader pipeline, lint).
test: setup
	$(BIN)/python -m pytest -n auto --dist load $(PYTEST_ARGS)

## Everyone: how fast the course runs here (notebooks, training vs the machine's bound, grading); a table
## and reports/bench.json. BENCH_ARGS="--quick", "--suite", "--compare-threads": see python -m tools.bench -h.
bench: setup
	$(BIN)/python -m tools.bench $(BENCH_ARGS)

## Instructors: rebuild reference outputs from source/ solutions, then generate release/.
release: setup
	$(BIN)/python -m tools.build_reference
	$(BIN)/python -m tools.release

## Instructors: what students receive, in dist/student-kit/ (ASSIGNMENT=... for one kit; default: all).
student-kit: setup
	$(BIN)/python -m tools.student_kit $(ASSIGNMENT)

# The nbgrader exchange of a shared server or JupyterHub: EXCHANGE=... or $$NBGRADER_EXCHANGE, else
# nbgrader's default /usr/local/share/nbgrader/exchange.
EXCHANGE_ARG = $(if $(EXCHANGE),--exchange $(EXCHANGE))

## Instructors on a server: release ASSIGNMENT=... to the exchange (students fetch it there).
exchange-release: setup
	$(BIN)/python -m tools.exchange release $(ASSIGNMENT) $(EXCHANGE_ARG)

## Instructors on a server: collect ASSIGNMENT=...'s submissions from the exchange into submitted/.
collect: setup
	$(BIN)/python -m tools.exchange collect $(ASSIGNMENT) $(EXCHANGE_ARG)

## Instructors: grade everything in submitted/ (STUDENT=... ASSIGNMENT=... to narrow it; JOBS=... workers,
## default one per core; SANDBOX=audit to grade without bubblewrap).
autograde: setup
	$(BIN)/python -m tools.grade autograde $(if $(ASSIGNMENT),--assignment $(ASSIGNMENT)) $(if $(STUDENT),--student $(STUDENT)) \
		$(if $(JOBS),--jobs $(JOBS)) $(if $(SANDBOX),--sandbox $(SANDBOX))

## Instructors: per-student feedback pages in feedback/.
feedback: setup
	$(BIN)/python -m tools.grade feedback $(if $(ASSIGNMENT),--assignment $(ASSIGNMENT)) $(if $(STUDENT),--student $(STUDENT))

## Instructors: grades.csv and a class report in reports/.
grades: setup
	$(BIN)/python -m tools.grade report

# The instructor-only parts of nbgrader's JupyterLab extension (formgrader, create-assignment) and the
# exchange-based lists this local course does not use. Validate stays on in both modes.
NBGRADER_INSTRUCTOR_PLUGINS := @jupyter/nbgrader:formgrader @jupyter/nbgrader:create-assignment \
	@jupyter/nbgrader:assignment-list @jupyter/nbgrader:course-list
NBGRADER_INSTRUCTOR_SERVER := nbgrader.server_extensions.formgrader nbgrader.server_extensions.assignment_list \
	nbgrader.server_extensions.course_list

## A student install: hide (and lock) the instructor plugins in this .venv.
student-mode: setup
	$(BIN)/jupyter labextension disable --level=sys_prefix $(NBGRADER_INSTRUCTOR_PLUGINS)
	$(BIN)/jupyter labextension lock --level=sys_prefix $(NBGRADER_INSTRUCTOR_PLUGINS)
	for ext in $(NBGRADER_INSTRUCTOR_SERVER); do $(BIN)/jupyter server extension disable --sys-prefix $$ext; done

## Undo student-mode.
instructor-mode: setup
	$(BIN)/jupyter labextension unlock --level=sys_prefix $(NBGRADER_INSTRUCTOR_PLUGINS)
	$(BIN)/jupyter labextension enable --level=sys_prefix $(NBGRADER_INSTRUCTOR_PLUGINS)
	for ext in $(NBGRADER_INSTRUCTOR_SERVER); do $(BIN)/jupyter server extension enable --sys-prefix $$ext; done

lint: setup
	$(BIN)/ruff check .

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache
