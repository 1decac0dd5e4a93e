# snapshotpdf: `make run` sets everything up and renders the sample; `make test` checks it all.
VENV := .venv
PY := $(VENV)/bin/python
# Debian packages: Pango for WeasyPrint, HarfBuzz's fast font subsetter, the PDF tools
# the tests check with (pdftotext, pdffonts, pdftoppm, qpdf), and the Noto fonts of every
# other script, which `make fonts` copies into fonts/ (fonts/scripts.toml lists them).
# pdftoppm (poppler-utils) also draws `snapshotpdf preview`'s page images; chromium and its
# chromedriver are the browser tests/system/test_preview.py opens the preview in.
SYSTEM_PACKAGES := libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 poppler-utils qpdf \
	fonts-noto-core fonts-noto-cjk chromium chromium-driver

.PHONY: run test test-fast lint docs setup system-deps fonts sample clean

run: setup
	$(VENV)/bin/snapshotpdf build --outdir outputs

# Every tier: unit, integration (renders through session fixtures), system (subprocesses,
# kills, SMTP, the wheel), on every core: a test file stays on one worker, and the files
# that read the sample's builds share one (tests/conftest.py), so no build is made twice.
test: setup
	$(PY) -m pytest -q -n auto --dist loadgroup

# The unit tier only: no WeasyPrint, no rendering; on every core, about half a minute.
test-fast: setup
	$(PY) -m pytest -q -n auto tests/unit

# The command-line reference, docs/cli.md, regenerated from every command's --help, and
# the template reference, docs/templates.md, from the record model and the context object,
# and every limit, docs/limits.md, from snapshotpdf/limits.py.
docs: setup
	$(PY) scripts/cli_reference.py
	$(PY) scripts/template_reference.py
	$(PY) scripts/limits_reference.py

# Approve the current look after a deliberate layout change: re-renders the visual-regression
# cases into tests/approved/ (small PNGs); look at them, then commit them with the change.
.PHONY: approve
approve: setup
	$(PY) tests/support/approve_images.py
	SNAPSHOTPDF_APPROVE=1 $(PY) -m pytest -q tests/integration/test_booklet.py -k approved

lint: setup
	$(VENV)/bin/ruff check snapshotpdf tests scripts benchmarks
	$(VENV)/bin/ruff format --check snapshotpdf tests scripts benchmarks
	$(VENV)/bin/mypy snapshotpdf
	$(VENV)/bin/lint-imports
	$(PY) scripts/cli_reference.py --check
	$(PY) scripts/template_reference.py --check
	$(PY) scripts/limits_reference.py --check

setup: system-deps $(VENV)/.installed fonts

# The script fonts (Arabic, Devanagari, CJK, ...): fonts/scripts.toml's files copied from
# their packages into fonts/ (git ignores them; a wheel built after this carries them).
fonts: system-deps $(VENV)/.installed
	$(PY) scripts/install_fonts.py

system-deps:
	@missing=""; \
	for p in $(SYSTEM_PACKAGES); do \
	  dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q "ok installed" || missing="$$missing $$p"; \
	done; \
	if [ -n "$$missing" ]; then \
	  if ! command -v apt-get >/dev/null; then \
	    echo "please install:$$missing (Debian names)"; exit 1; fi; \
	  sudo=""; [ "$$(id -u)" = 0 ] || sudo=sudo; \
	  echo "installing system packages:$$missing"; \
	  $$sudo apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive $$sudo apt-get install -y -qq --no-install-recommends $$missing; \
	fi

$(VENV)/.installed: pyproject.toml
	python3 -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e '.[dev]'
	touch $@

# Regenerate the bundled sample survey (inputs/sample-survey.xlsx) from scripts/make_sample.py.
sample: setup
	$(PY) scripts/make_sample.py

clean:
	rm -rf $(VENV) outputs/*.pdf ./dist ./build
