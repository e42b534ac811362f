# Two commands on a fresh machine:
#   make lab    the course: venv, dependencies, Docker daemon, lab image, JupyterLab
#   make test   everything the test suite needs, then the whole suite
# Both are safe to run again; they redo only what is missing.

PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
PORT   ?= 8888
PYTEST_ARGS ?=

.PHONY: lab test lint daemon image browser unit bench clean-lab help test-vm test-vm-base test-vm-nodes engine hub hub-grade hub-stop test-hub ci-setup test-binder

help:
	@echo "make lab    start the course in JupyterLab (127.0.0.1:$(PORT))"
	@echo "make test   the whole test suite and the lessons on each engine, side by side (ENGINES=...)"
	@echo "make unit   only the tests that need nothing (no daemon, dot or browser)"
	@echo "make lint   ruff and mypy on labcheck/ (make test runs them first)"
	@echo "make bench  the benchmarks in bench/"
	@echo "make engine build the Docker engine VM (no root needed; see README)"
	@echo "make test-vm the engine VM end to end as an unprivileged user (about 45 min):"
	@echo "            make test-vm-base (no lesson 09) and make test-vm-nodes (lesson 09) are its halves"
	@echo "make hub STUDENTS='ann bob' [ENGINE=vm]  the course on a JupyterHub, an engine per student (root)"
	@echo "make test-hub  three students at once on a real hub, in Chromium (root)"
	@echo "make test-binder the Binder image built with repo2docker and run as Binder runs it"

$(VENV)/.lab: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e '.[lab]'
	touch $@

$(VENV)/.test: pyproject.toml $(VENV)/.lab
	$(PY) -m pip install -q -e '.[test,graders]'
	touch $@

daemon: $(VENV)/.lab
	@PYTHON=$(PY) bash scripts/ensure-docker.sh

image: $(VENV)/.lab daemon
	@$(VENV)/bin/labcheck doctor

browser:
	@bash scripts/ensure-browser.sh

# The student's copy of the lessons (labcheck workspace): outputs cleared, and a lesson
# you changed is never overwritten (an update arrives beside it; see WORKSPACE/UPDATES.md).
WORKSPACE ?= workspace
lab: image
	@$(VENV)/bin/labcheck workspace '$(WORKSPACE)'
	@echo "Starting JupyterLab on your lessons ($(WORKSPACE)/); open the URL with its token printed below."
	$(VENV)/bin/jupyter lab --no-browser --ip=127.0.0.1 --port=$(PORT) \
		--ServerApp.root_dir='$(WORKSPACE)' $(if $(filter 0,$(shell id -u)),--allow-root,)

# ruff and mypy (settings in pyproject.toml): zero findings on labcheck/, before any test runs
lint: $(VENV)/.test
	$(VENV)/bin/ruff check labcheck
	$(VENV)/bin/mypy

# The suite and the lessons on each engine of ENGINES, side by side
# (python -m labcheck.live.engines.matrix; its docstring says how): the machine's daemon
# first (everything), then Debian unstable's current engine and Engine 29 (from
# ENGINE_ARCHIVES, when it is there) each in its own network namespace and copy of the tree.
ENGINES ?= distribution sid 29
ENGINE_ARCHIVES ?= ../shared/engines
test: lint $(VENV)/.test daemon browser
	@$(PY) -m labcheck.live.engines.matrix $(ENGINES) --archives '$(ENGINE_ARCHIVES)' \
		--pytest-args '$(PYTEST_ARGS)'

unit: $(VENV)/.test
	$(PY) -m pytest -m "not docker and not dot and not browser" $(PYTEST_ARGS)

bench: $(VENV)/.test daemon
	$(PY) bench/run.py

clean-lab: $(VENV)/.lab
	$(VENV)/bin/labcheck reset --all

# The Docker engine in a QEMU VM (README: "No Docker? No root?"). Not part of
# `make test`: the end-to-end run takes well over 8 minutes under emulation.
engine: $(VENV)/.lab
	@bash scripts/ensure-qemu.sh
	$(VENV)/bin/labcheck engine build

test-vm:
	@bash scripts/test-vm.sh

# CI's two halves of test-vm: the base in a lane beside make test, lesson 09's three nodes
# in the VM once the lanes have ended (an emulated VM starved of CPU by the other lanes
# misses dockerd's fixed 20 s deadline to attach a container to an overlay)
test-vm-base:
	@LABCHECK_VM_TEST_PARTS=base bash scripts/test-vm.sh

test-vm-nodes:
	@LABCHECK_VM_TEST_PARTS=lesson09 bash scripts/test-vm.sh

# The course for a class (README: "A class on one machine"; docs/large-classes.md): JupyterHub
# as root, each student a Unix user of their own whose server runs inside their own rootless
# engine's namespaces. HUB_HOME holds the hub's venv (Debian's python3, so every student can
# run it) and the proxy; HUB_DIR the class (passwords, hand-ins, grade sheet).
HUB_HOME ?= /var/lib/labcheck-hub
HUB_DIR  ?= $(HUB_HOME)/class
HUB_PORT ?= 8000
STUDENTS ?=
# Each student's engine: auto (rootless Docker where user namespaces work, else the VM),
# rootless, or vm (the engine VM, built once into $(HUB_HOME)/vm-engine).
ENGINE ?= auto
hub:
	@test -n "$(STUDENTS)" || { echo "make hub STUDENTS='ann bob ...' (the class's names)"; exit 2; }
	@bash scripts/ensure-hub.sh '$(HUB_HOME)' '$(ENGINE)'
	$(HUB_HOME)/venv/bin/labcheck hub --dir '$(HUB_DIR)' start --students '$(STUDENTS)' \
		--port $(HUB_PORT) --lessons lessons --engine '$(ENGINE)'

hub-grade:
	$(HUB_HOME)/venv/bin/labcheck hub --dir '$(HUB_DIR)' grade

hub-stop:
	$(HUB_HOME)/venv/bin/labcheck hub --dir '$(HUB_DIR)' stop

# Three students on a real hub at once, two rootless and one on the VM engine, in Chromium
# (tests/hub/test_hub.py).
test-hub: $(VENV)/.test browser
	@bash scripts/ensure-hub.sh '$(HUB_HOME)' all
	LABCHECK_TEST_HUB=1 LABCHECK_HUB_HOME='$(HUB_HOME)' $(PY) -m pytest tests/hub -p no:cacheprovider $(PYTEST_ARGS)

# What every CI stage needs from the package archives, installed one apt at a time before
# .ci/run starts its stages side by side (two apt-gets at once would fight over the lock).
ci-setup: lint daemon browser
	@bash scripts/ensure-qemu.sh
	@bash scripts/ensure-hub.sh '$(HUB_HOME)'
# The Binder image (binder/Dockerfile) built with repo2docker and run as Binder runs it,
# in a Docker engine of its own in a network namespace (scripts/test-binder.py; root).
# What the build downloads is fetched on the host first and cached in ~/.cache/labcheck/binder.
test-binder: $(VENV)/.lab
	@$(PY) scripts/test-binder.py
