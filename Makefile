# The two commands of the README's quick start, plus what they need.
#   make demo   solve the example team into out/ (schedule, calendars, report)
#   make test   the whole test suite (unit, integration, property, calendar parsers)
# Both install cmake and libclang-dev (needed to build HiGHS) when they are missing.

CARGO ?= cargo
CONFIG ?= configs/example.toml
OUT ?= out

.PHONY: demo test deps lint bench bench-serve

demo: deps
	$(CARGO) build --release
	./target/release/rota check $(CONFIG)
	./target/release/rota solve $(CONFIG) -o $(OUT)

test: deps
	$(CARGO) test --all-targets
	$(CARGO) test --doc
	python3 tests/ical_check.py

lint: deps
	$(CARGO) fmt --check
	$(CARGO) clippy --all-targets --all-features -- -D warnings

bench: deps
	$(CARGO) run --release --features bench --example bench

# rota serve's requests/s and latency on loopback (docs/serve.md); runs the release binary.
bench-serve: deps
	$(CARGO) build --release --bin rota --example serve_bench
	./target/release/examples/serve_bench

# HiGHS is built from source by highs-sys: cmake, a C++ compiler and libclang (bindgen).
# libclang-cpp (present on some images) is not libclang: bindgen cannot load it.
# The second iCalendar parser used by the tests is Python's `icalendar`; the report's
# layout test renders it in Debian's headless `chromium`.
deps:
	@missing=""; \
	command -v cmake >/dev/null 2>&1 || missing="$$missing cmake"; \
	command -v c++ >/dev/null 2>&1 || missing="$$missing g++"; \
	ls /usr/lib/llvm-*/lib/libclang.so* >/dev/null 2>&1 || ls /usr/lib/*/libclang-[0-9]*.so* >/dev/null 2>&1 || missing="$$missing libclang-dev"; \
	command -v python3 >/dev/null 2>&1 || missing="$$missing python3 python3-pip"; \
	command -v chromium >/dev/null 2>&1 || missing="$$missing chromium"; \
	if [ -n "$$missing" ]; then \
		echo "installing:$$missing"; \
		SUDO=""; [ "$$(id -u)" = 0 ] || SUDO=sudo; \
		$$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq $$missing; \
	fi
	@python3 -c "import icalendar" 2>/dev/null || { \
		python3 -m pip --version >/dev/null 2>&1 || { \
			SUDO=""; [ "$$(id -u)" = 0 ] || SUDO=sudo; \
			$$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq python3-pip; }; \
		python3 -m pip install --quiet icalendar 2>/dev/null \
			|| python3 -m pip install --quiet --break-system-packages icalendar; }
