"""The peer for the watermark benchmark: invisible-watermark's DWT-DCT (PyPI `invisible-watermark`, MIT; the scheme
Stable Diffusion's reference scripts mark their images with), applied frame by frame to a video.

Run by `Benchmarks/provenance/run` with the Python of a venv of its own (`ensure_venv`), as
    peer_dwtdct.py embed IN OUT PAYLOAD_HEX    every frame of IN marked with the 64 payload bits; OUT lossless (CRF 0)
    peer_dwtdct.py embed IN OUT --unmarked     the same trip through BGR and back without the mark: the reference
                                               for the peer's PSNR, so that the colour conversion is not counted
    peer_dwtdct.py read IN [--frames N]        prints the 64 bits as hex: each bit's majority over N frames spread
                                               evenly over the video (the most a per-image scheme can pool)
The package imports torch at the top for its RivaGAN method, which this benchmark does not use; a stand-in module
keeps the 2 GB wheel out of the venv (DWT-DCT needs only numpy, OpenCV and PyWavelets).
"""
import os
import subprocess
import sys
import types

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.abspath(os.path.join(HERE, "..", ".."))
VENV = os.path.join(ROOT, ".build", "watermark-peer-venv")
PACKAGES = ["opencv-python-headless==5.1.0.95", "PyWavelets==1.9.0", "numpy==2.4.6"]


def ensure_venv():
    """The venv's python, created on first use (PyPI only)."""
    python = os.path.join(VENV, "bin", "python")
    probe = subprocess.run([python, "-c", "import cv2, pywt, numpy, imwatermark.maxDct"], stdout=subprocess.DEVNULL,
                           stderr=subprocess.DEVNULL) if os.path.exists(python) else None
    if probe is None or probe.returncode != 0:
        subprocess.run([sys.executable, "-m", "venv", VENV], check=True)
        pip = [os.path.join(VENV, "bin", "pip"), "install", "--quiet", "--disable-pip-version-check"]
        subprocess.run(pip + ["--no-deps", "invisible-watermark==0.2.0"], check=True)
        subprocess.run(pip + PACKAGES, check=True)
    return python


def probe_video(path):
    out = subprocess.run(["ffprobe", "-v", "error", "-select_streams", "v:0", "-count_packets", "-show_entries",
                          "stream=width,height,nb_read_packets,r_frame_rate", "-of", "csv=p=0", path],
                         check=True, stdout=subprocess.PIPE, text=True).stdout.strip().split(",")
    return int(out[0]), int(out[1]), out[2], int(out[3])


def frames(path, width, height, select=None):
    """BGR frames of a video, read through an ffmpeg pipe one at a time."""
    import numpy as np
    vf = ["-vf", f"select='{select}'", "-vsync", "0"] if select else []
    proc = subprocess.Popen(["ffmpeg", "-v", "error", "-i", path, *vf, "-f", "rawvideo", "-pix_fmt", "bgr24", "-"],
                            stdout=subprocess.PIPE)
    size = width * height * 3
    while True:
        data = proc.stdout.read(size)
        if len(data) < size:
            break
        yield np.frombuffer(data, dtype=np.uint8).reshape(height, width, 3)
    proc.wait()


def main():
    sys.modules.setdefault("torch", types.ModuleType("torch"))  # only rivaGan uses it
    import numpy as np
    from imwatermark import WatermarkDecoder, WatermarkEncoder
    command = sys.argv[1]
    if command == "embed":
        source, out = sys.argv[2], sys.argv[3]
        marking = sys.argv[4] != "--unmarked"
        width, height, rate, _ = probe_video(source)
        encoder = WatermarkEncoder()
        if marking:
            encoder.set_watermark("bytes", bytes.fromhex(sys.argv[4]))
        writer = subprocess.Popen(["ffmpeg", "-v", "error", "-y", "-f", "rawvideo", "-pix_fmt", "bgr24", "-s",
                                   f"{width}x{height}", "-r", rate, "-i", "-", "-c:v", "libx264", "-preset", "ultrafast",
                                   "-crf", "0", "-pix_fmt", "yuv420p", out], stdin=subprocess.PIPE)
        for frame in frames(source, width, height):
            marked = encoder.encode(frame.copy(), "dwtDct") if marking else frame
            writer.stdin.write(np.ascontiguousarray(marked).tobytes())
        writer.stdin.close()
        if writer.wait() != 0:
            raise SystemExit(f"ffmpeg could not write {out}")
    elif command == "read":
        source = sys.argv[2]
        count = int(sys.argv[sys.argv.index("--frames") + 1]) if "--frames" in sys.argv else 15
        width, height, _, total = probe_video(source)
        step = max(total // count, 1)
        decoder = WatermarkDecoder("bits", 64)
        votes, seen = np.zeros(64), 0
        for frame in frames(source, width, height, select=f"not(mod(n\\,{step}))"):
            votes += np.array(decoder.decode(frame, "dwtDct"), dtype=float)
            seen += 1
        bits = votes * 2 > seen
        print(f"{int(''.join('1' if b else '0' for b in bits), 2):016x}")
    else:
        raise SystemExit(f"unknown command {command}")


if __name__ == "__main__":
    main()
