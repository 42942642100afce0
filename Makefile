# Imago: `make run` and `make test` do everything on a fresh Debian machine.
SHELL := /bin/bash
SWIFT ?= swift
# Libraries the build links against, and command-line tools the tests drive.
BUILD_PACKAGES := pkg-config libavformat-dev libavcodec-dev libswscale-dev libavutil-dev libncursesw5-dev libdlib-dev libsqlite3-dev
TEST_PACKAGES := ffmpeg tmux screen
# Only for `make bench`: the players the render benchmark compares against.
BENCH_PACKAGES := mpv timg
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
RUN_ARGS ?=

.PHONY: deps install-missing build run test bench clean

## deps: install the Debian packages that are missing (apt-get update first, only when something is missing)
deps:
	@$(MAKE) --no-print-directory install-missing PACKAGES="$(BUILD_PACKAGES) $(TEST_PACKAGES)"

install-missing:
	@missing=""; \
	for package in $(PACKAGES); do \
	  dpkg-query -W -f='$${Status}' $$package 2>/dev/null | grep -q "install ok installed" || missing="$$missing $$package"; \
	done; \
	if [ -n "$$missing" ]; then \
	  echo "Installing missing packages:$$missing"; \
	  $(SUDO) apt-get update && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y --no-install-recommends $$missing; \
	fi

## build: optimised build of the imago binary (.build/release/imago)
build: deps
	$(SWIFT) build -c release --product imago

## run: build and start the monitor with the embedded relay and the demo stream
run: build
	.build/release/imago --demo $(RUN_ARGS)

## test: build and run every test (unit and end-to-end with real ffmpeg publishers)
test: deps
	$(SWIFT) build --build-tests
	$(SWIFT) test --skip-build

## bench: every benchmark (ingest, decode, render, faces); prints figures, asserts nothing
bench: build
	@$(MAKE) --no-print-directory install-missing PACKAGES="$(BENCH_PACKAGES)"
	.build/release/imago bench ingest
	.build/release/imago bench decode
	.build/release/imago bench render
	.build/release/imago bench faces

clean:
	rm -rf .build
