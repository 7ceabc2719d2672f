# Two commands on a fresh machine: `make report` and `make test` (each creates .venv if missing).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: report test lab sample bench clean mutation lock

# Installs from constraints.txt: the versions the tests last passed with (`make lock` refreshes it).
$(STAMP): pyproject.toml constraints.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -c constraints.txt -e '.[test]'
	$(BIN)/python -m ipykernel install --sys-prefix --name btchild --display-name "Python (btchild)" >/dev/null
	touch $(STAMP)

# pyarrow apart from the venv (pandas would store all text in Arrow if it were in it): the loader's tests
# run once more with it on the path (tests/test_string_storage.py; issue 16).  --no-deps: numpy is the venv's.
PYARROW := $(VENV)/pyarrow
PYARROW_VERSION ?= 26.0.1
$(PYARROW)/.installed: $(STAMP)
	$(BIN)/python -m pip install --quiet --no-deps --target $(PYARROW) pyarrow==$(PYARROW_VERSION)
	touch $(PYARROW)/.installed

report: $(STAMP)
	$(BIN)/btchild report

test: $(STAMP) $(PYARROW)/.installed
	BTCHILD_TEST_PYARROW=$(abspath $(PYARROW)) $(BIN)/python -m pytest

lab: $(STAMP)
	$(BIN)/python -m pip install --quiet -c constraints.txt -e '.[test,lab]'
	$(BIN)/jupyter lab --MappingKernelManager.default_kernel_name=btchild notebooks/

# Refresh constraints.txt from pyproject.toml, keeping the versions installed here where they fit.
# Run it after changing a dependency, then `make test`, and commit both if the tests pass.
lock: $(STAMP)
	$(BIN)/python -m pip install --quiet uv
	$(BIN)/python -m pip freeze --exclude-editable | grep -v -e btchild -e " @ " > $(VENV)/freeze.txt
	$(BIN)/uv pip compile pyproject.toml --extra test --extra lab --python-version "$$($(BIN)/python -c 'import platform; print(platform.python_version())')" \
		-c $(VENV)/freeze.txt --no-annotate --no-header -o $(VENV)/constraints.new
	(echo "# Versions the tests passed with (make lock refreshes it; see README). Used as pip constraints by make."; \
		cat $(VENV)/constraints.new) > constraints.txt

sample: $(STAMP)
	$(BIN)/btchild sample --seed 2013 --out data/sample

bench: $(STAMP)
	for b in benchmarks/bench_*.py; do $(BIN)/python $$b; done

# Mutation testing of the core arithmetic modules, on demand only (not in CI); README "Mutation testing".
# `make mutation MODULES=quality` for one module; MUTATION_JOBS=2 on a machine with cores to spare.
MODULES ?= periods quality indicators standard targets trends
MUTATION_JOBS ?= 1
mutation: $(STAMP)
	$(BIN)/python -m pip install --quiet -e '.[test,mutation]'
	rm -rf mutants && mkdir mutants && echo '*' > mutants/.gitignore  # fresh copy: mutmut never updates one
	nice -n 19 $(BIN)/python scripts/mutation_run.py $(MODULES) --max-children $(MUTATION_JOBS) \
		> mutants/run.log 2>&1 || { tail -40 mutants/run.log; exit 1; }
	$(BIN)/python scripts/mutation_report.py $(MODULES)

clean:
	rm -rf outputs/* $(VENV)
