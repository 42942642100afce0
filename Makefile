# Imago: `make run` and `make test` do everything on a fresh Debian machine.
SHELL := /bin/bash
SWIFT ?= swift
# Libraries the build links against, and command-line tools the tests drive.
BUILD_PACKAGES := pkg-config libavformat-dev libavcodec-dev libswscale-dev libavutil-dev libncursesw5-dev libdlib-dev libsqlite3-dev
TEST_PACKAGES := ffmpeg rtmpdump tmux screen curl openssl python3-pip
# PyPI tools the API tests drive: schemathesis checks the server against its OpenAPI document,
# prometheus-client parses /metrics.
PYTHON_TEST_TOOLS := schemathesis prometheus-client
# Only for `make bench`: the players the render benchmark compares against.
BENCH_PACKAGES := mpv timg nginx libnginx-mod-rtmp
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
RUN_ARGS ?=
# Fuzzing: the libFuzzer harnesses in Fuzz/ (a package of their own), built with libFuzzer and AddressSanitizer.
FUZZ_SECONDS ?= 60
# Seconds per harness when `make test` fuzzes each one after the unit tests.
FUZZ_SMOKE_SECONDS ?= 3
# debug: a first build takes ~5 min on 2 cores, release more than 15 (swift-crypto and NIO dominate).
FUZZ_CONFIG ?= debug
FUZZ_TARGETS ?= FuzzHandshake FuzzChunkParser FuzzAMF0 FuzzFLVVideoTag FuzzFLVAudioTag FuzzAVCConfig \
	FuzzHEVCConfig FuzzAV1Config FuzzH264SPS FuzzAudioSpecificConfig FuzzSession
# --sanitize=fuzzer makes SwiftPM link libFuzzer's main; swiftc honours only its last -sanitize= flag, and SwiftPM
# passes one per sanitizer in no fixed order, so -Xswiftc repeats both in one flag (else coverage may be missing).
# -O on the debug build: the session and chunk-parser harnesses run ~25x faster (generic NIO code is
# specialised), for about a minute more of build time; AddressSanitizer and coverage work the same.
FUZZ_BUILD := $(SWIFT) build -c $(FUZZ_CONFIG) --package-path Fuzz --scratch-path .build-fuzz \
	--sanitize=fuzzer --sanitize=address -Xswiftc -sanitize=fuzzer,address -Xswiftc -O

.PHONY: deps python-tools install-missing build run test fuzz fuzz-build fuzz-smoke fuzz-corpus bench clean

## deps: install the Debian packages that are missing (apt-get update first, only when something is missing)
deps:
	@$(MAKE) --no-print-directory install-missing PACKAGES="$(BUILD_PACKAGES) $(TEST_PACKAGES)"

## python-tools: install the PyPI tools the tests use, when missing
python-tools:
	@missing=""; \
	for tool in $(PYTHON_TEST_TOOLS); do python3 -m pip show -q $$tool >/dev/null 2>&1 || missing="$$missing $$tool"; done; \
	if [ -n "$$missing" ]; then \
	  echo "Installing missing Python tools:$$missing"; \
	  python3 -m pip install -q $$missing || python3 -m pip install -q --user --break-system-packages $$missing; \
	fi

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

## test: build and run every test (unit and end-to-end with real ffmpeg publishers), then fuzz each parser briefly
test: deps python-tools
	$(SWIFT) build --build-tests
	$(SWIFT) test --skip-build
	@$(MAKE) --no-print-directory fuzz-smoke

## fuzz: build the fuzz harnesses and run each for FUZZ_SECONDS (default 60); crashing inputs go to Fuzz/Findings/
fuzz: fuzz-build
	Fuzz/run.sh "$$($(FUZZ_BUILD) --show-bin-path)" $(FUZZ_SECONDS) $(FUZZ_TARGETS)

fuzz-build:
	$(FUZZ_BUILD)

## fuzz-smoke: fuzz each harness for FUZZ_SMOKE_SECONDS (default 3), as `make test` does
fuzz-smoke:
	@$(MAKE) --no-print-directory fuzz FUZZ_SECONDS=$(FUZZ_SMOKE_SECONDS)

## fuzz-corpus: regenerate the seed corpus Fuzz/Corpus/ from the publisher captures
fuzz-corpus:
	python3 Fuzz/make-corpus.py

## bench: every benchmark (ingest, decode, render, faces, join, capacity); prints figures, asserts nothing
bench: build
	@$(MAKE) --no-print-directory install-missing PACKAGES="$(BENCH_PACKAGES)"
	.build/release/imago bench ingest
	.build/release/imago bench decode
	.build/release/imago bench render
	.build/release/imago bench faces
	.build/release/imago bench join
	.build/release/imago bench capacity

clean:
	rm -rf .build .build-fuzz
