"""The fuzzer's case families: each builds one `Case` (files to create, the phim command line, the outputs it
may write) from its own `random.Random`, so a case depends only on the run's seed and its index.

Families: project (JSON/YAML project files), media (mutated pictures, videos, sounds, subtitles), make (articles
for `phim make`), safetensors (`phim model info`), targets (special output paths and non-regular inputs),
generate (`phim train` on damaged training sets, `phim sample` on damaged model folders).
"""

import copy
import json
import math
import os
import re
import struct

from fuzzformats import (Alias, Anchor, Bytes, Deep, MEDIA_KINDS, Pairs, Raw, Tagged, byte_mutation, emit_json,
                         emit_yaml, items_of, make_safetensors, make_wav, mutate_media, safetensors_file)


class Case:
    """What one case does. Paths are relative to the case's working folder (its cwd)."""

    def __init__(self, family, index):
        self.family = family
        self.index = index
        self.args = []          # phim's arguments (after the binary)
        self.actions = []       # (kind, path, payload): file/bytes, dir, fifo, chardev/(major, minor), symlink/target
        self.outputs = []       # paths phim may create or replace on success
        self.required = []      # outputs that must be regular, non-empty (and valid) files after exit 0
        self.stdin = None       # a file given as standard input (default /dev/null)
        self.notes = []         # what was done, for the report
        self.interrupt = None   # (seconds, signal number): the harness interrupts phim this long after the start
        self.formats = {}       # output path -> what it is ("json", "png", "mp4"), when neither -o nor its name says

    def file(self, path, data):
        self.actions.append(("file", path, data if isinstance(data, bytes) else data.encode("utf-8", "surrogateescape")))

    def mkdir(self, path):
        self.actions.append(("dir", path, None))

    def fifo(self, path):
        self.actions.append(("fifo", path, None))

    def chardev(self, path, major=1, minor=3):
        self.actions.append(("chardev", path, (major, minor)))

    def symlink(self, path, target):
        self.actions.append(("symlink", path, target))

    def note(self, text):
        self.notes.append(text)

    def input_size(self):
        return sum(len(payload) for kind, _, payload in self.actions if kind == "file")


class Context:
    """What every case may use: the base media ({name: bytes}), the examples, the run's options."""

    def __init__(self, media, examples, quick):
        self.media, self.examples, self.quick = media, examples, quick


def chance(rng, p):
    return rng.random() < p


def weighted(rng, table):
    total = sum(weight for _, weight in table)
    pick = rng.random() * total
    for value, weight in table:
        pick -= weight
        if pick < 0:
            return value
    return table[-1][0]


# --------------------------------------------------------------------------------------------------------
# Valid seed projects

COLORS = ["#000", "#fff8", "#112233", "#11223380", "rgb(10, 20, 30)", "rgba(255, 0, 0, 0.5)", "white", "red", "navy",
          "#0f2027", "RGB(1,2,3)", " #abc "]
TEXTS = ["Xin chào", "Hello, world", "Tiếng Việt có dấu: Đêm đầy sao", "مرحبا بالعالم", "😀 emoji 👍🏽",
         "A longer line that needs wrapping because it does not fit in a small frame", "Line one\nLine two", "Phim"]
WORDS = ["solar", "panels", "máy học", "data", "🔥", "Đà Lạt", "x"]
FONTS = ["DejaVu Sans", "DejaVu Serif", "DejaVu Sans Mono"]
TRANSITIONS = ["cut", "fade", "dissolve", "wipeleft", "wiperight", "wipeup", "wipedown", "slideleft", "slideright",
               "zoomin", "circleopen", "circleclose"]
EASINGS = ["linear", "easeIn", "easeOut", "easeInOut"]
LAYER_TYPES = ["color", "gradient", "image", "video", "title", "subtitle", "backdrop", "presenter", "keywords", "bullets",
               "chart"]


def r3(x):
    return round(x, 3)


def rpoint(rng):
    point = {}
    if chance(rng, 0.8):
        point["x"] = r3(rng.random())
    if chance(rng, 0.8):
        point["y"] = r3(rng.random())
    return point


def rarea(rng):
    width, height = r3(rng.uniform(0.2, 0.9)), r3(rng.uniform(0.2, 0.9))
    return {"x": r3(rng.uniform(0, 1 - width)), "y": r3(rng.uniform(0, 1 - height)), "width": width, "height": height}


def text_style(rng, layer):
    if chance(rng, 0.5):
        layer["position"] = rng.choice(["center", "top", "bottom"]) if chance(rng, 0.6) else rpoint(rng)
    if chance(rng, 0.3):
        layer["font"] = rng.choice(FONTS)
    if chance(rng, 0.5):
        layer["fontSize"] = rng.choice([6, 9, 12, 20, 40])
    for key in ("color", "outlineColor", "boxColor"):
        if chance(rng, 0.3):
            layer[key] = rng.choice(COLORS)
    if chance(rng, 0.2):
        layer["outlineWidth"] = rng.choice([0, 1, 2.5])
    if chance(rng, 0.2):
        layer["maxWidth"] = rng.choice([0.3, 0.9, 1])
    if chance(rng, 0.2):
        layer["align"] = rng.choice(["left", "center", "right"])


def make_layer(rng, kind, duration, media):
    layer = {"type": kind}
    if kind == "color":
        layer["color"] = rng.choice(COLORS)
    elif kind == "gradient":
        layer["colors"] = [rng.choice(COLORS) for _ in range(rng.randint(2, 4))]
        if chance(rng, 0.5):
            layer["shape"] = rng.choice(["linear", "radial"])
        if chance(rng, 0.5) and layer.get("shape") != "radial":
            layer["angle"] = rng.choice([0, 90, 135, -45, 720.5])
    elif kind == "image":
        layer["path"] = media["image"]
        if chance(rng, 0.5):
            layer["fit"] = rng.choice(["cover", "contain", "stretch"])
        if chance(rng, 0.5):
            layer["zoom"] = {"from": rng.choice([0.1, 1, 1.2]), "to": rng.choice([1, 1.15, 10])}
        if chance(rng, 0.4):
            layer["pan"] = {"from": rpoint(rng), "to": rpoint(rng)}
    elif kind == "video":
        layer["path"] = media["video"]
        if chance(rng, 0.6):
            cut_from = r3(rng.uniform(0, 0.3))
            layer["cutFrom"] = cut_from
            if chance(rng, 0.7):
                layer["cutTo"] = r3(cut_from + rng.uniform(0.1, 0.6))
        if chance(rng, 0.4):
            layer["fit"] = rng.choice(["cover", "contain", "stretch"])
        if chance(rng, 0.4):
            layer["volume"] = rng.choice([0, 0.5, 1, 10])
        if chance(rng, 0.2):
            layer["mute"] = chance(rng, 0.5)
    elif kind in ("title", "subtitle"):
        layer["text"] = rng.choice(TEXTS)
        text_style(rng, layer)
    elif kind == "backdrop":
        layer["colors"] = [rng.choice(COLORS) for _ in range(rng.randint(2, 4))]
        if chance(rng, 0.6):
            layer["motif"] = rng.choice(["bubbles", "blocks", "waves", "dots"])
        if chance(rng, 0.5):
            layer["seed"] = rng.choice([0, 1, 42, -7])
        if chance(rng, 0.4):
            layer["motion"] = rng.choice([0, 1, 2.5, 10])
    elif kind == "presenter":
        if chance(rng, 0.6):
            layer["seed"] = rng.choice([0, 3, 99, -1])
        if chance(rng, 0.5):
            layer["area"] = rarea(rng)
        if chance(rng, 0.4):
            layer["lipSync"] = chance(rng, 0.5)
    elif kind in ("keywords", "bullets"):
        field = "words" if kind == "keywords" else "items"
        layer[field] = [rng.choice(WORDS + TEXTS[:3]) for _ in range(rng.randint(1, 5))]
        if chance(rng, 0.5):
            layer["area"] = rarea(rng)
        if chance(rng, 0.4):
            layer["cardColor" if kind == "keywords" else "bulletColor"] = rng.choice(COLORS)
        if chance(rng, 0.4):
            layer["stagger"] = rng.choice([0, 0.1, 0.35])
        if chance(rng, 0.3):
            layer["font"] = rng.choice(FONTS)
        if chance(rng, 0.3):
            layer["fontSize"] = rng.choice([5, 10, 18])
        if chance(rng, 0.3):
            layer["color"] = rng.choice(COLORS)
    elif kind == "chart":
        count = rng.randint(1, 6)
        layer["values"] = [rng.choice([0, 1, 2.5, 40, 1000000, 3.14159]) for _ in range(count)]
        if chance(rng, 0.6):
            layer["labels"] = [rng.choice(["a", "2024", "Tháng 1", "😀", ""]) for _ in range(count)]
        if chance(rng, 0.4):
            layer["unit"] = rng.choice(["%", " USD", "tỷ", ""])
        if chance(rng, 0.4):
            layer["area"] = rarea(rng)
        if chance(rng, 0.4):
            layer["barColors"] = [rng.choice(COLORS) for _ in range(rng.randint(1, 3))]
        if chance(rng, 0.4):
            layer["grow"] = rng.choice([0, 0.3, 0.8])
        if chance(rng, 0.3):
            layer["fontSize"] = rng.choice([5, 10])
    # the fields every layer shares
    if chance(rng, 0.25):
        layer["start"] = r3(rng.uniform(0, duration * 0.4))
    if chance(rng, 0.25):
        layer["stop"] = r3(rng.uniform(layer.get("start", 0) + 0.05, duration * 0.95))
    if chance(rng, 0.2):
        layer["opacity"] = rng.choice([0, 0.5, 1])
    return layer


def make_transition(rng, limit):
    duration = r3(rng.uniform(0, limit))
    roll = rng.random()
    if roll < 0.25:
        return rng.choice(TRANSITIONS)
    transition = {}
    if chance(rng, 0.8):
        transition["name"] = rng.choice(TRANSITIONS)
    if chance(rng, 0.8):
        transition["duration"] = duration
    if chance(rng, 0.5):
        transition["easing"] = rng.choice(EASINGS)
    return transition


def seed_project(rng, ctx, media, kitchen_sink=True):
    """A valid project (a dict) at a tiny size that uses the files named in `media`."""
    quick = ctx.quick
    width, height = rng.choice([(160, 90), (96, 54), (64, 36)] if quick else [(160, 90), (320, 180), (192, 108), (96, 54)])
    project = {}
    if chance(rng, 0.2):
        project["$schema"] = "../Schemas/project.schema.json"
    project["width"], project["height"] = width, height
    if chance(rng, 0.8):
        project["fps"] = rng.choice([10, 12, 15, 15, "30000/1001" if not quick else 10, 12.5])
    if chance(rng, 0.3):
        project["background"] = rng.choice(COLORS)
    if chance(rng, 0.5):
        defaults = {}
        if chance(rng, 0.5):
            defaults["duration"] = rng.choice([0.4, 0.6])
        if chance(rng, 0.5):
            defaults["transition"] = make_transition(rng, 0.1)
        if chance(rng, 0.3):
            defaults["font"] = rng.choice(FONTS)
        if chance(rng, 0.3):
            defaults["fit"] = rng.choice(["cover", "contain", "stretch"])
        project["defaults"] = defaults
    clip_count = rng.randint(2, 4) if kitchen_sink else rng.randint(1, 3)
    kinds = LAYER_TYPES[:]
    rng.shuffle(kinds)
    if not kitchen_sink:
        kinds = kinds[:rng.randint(1, 4)]
    clips = [{"layers": []} for _ in range(clip_count)]
    durations = [r3(rng.uniform(0.25, 0.6) if quick else rng.uniform(0.3, 1.0)) for _ in range(clip_count)]
    for index, kind in enumerate(kinds):
        clip = index % clip_count
        clips[clip]["layers"].append(make_layer(rng, kind, durations[clip], media))
    for clip, duration in zip(clips, durations):
        cut_videos = [l for l in clip["layers"] if l.get("type") == "video" and "cutTo" in l]
        if not cut_videos or chance(rng, 0.5):
            clip["duration"] = duration
        else:
            # the clip lasts cutTo - cutFrom of its first video layer: make that its planned duration
            first = [l for l in clip["layers"] if l.get("type") == "video"][0]
            if "cutTo" not in first:
                clip["duration"] = duration
            else:
                first["cutTo"] = r3(first.get("cutFrom", 0) + duration)
        if chance(rng, 0.6):
            clip["transition"] = make_transition(rng, 0.1)
        if chance(rng, 0.15):
            clip["narration"] = rng.choice(TEXTS)
        # put the layers first or last among the keys at random, like hand-written files
        if chance(rng, 0.5):
            layers = clip.pop("layers")
            clip["layers"] = layers
    project["clips"] = clips
    inherits = [c.get("transition") for c in clips if isinstance(c.get("transition"), str)
                or (isinstance(c.get("transition"), dict) and "duration" not in c["transition"])]
    if inherits or "defaults" in project:
        defaults = project.setdefault("defaults", {})
        transition = defaults.get("transition")
        if isinstance(transition, dict):
            transition["duration"] = r3(rng.uniform(0, 0.1))
        else:
            defaults["transition"] = {"name": transition or rng.choice(TRANSITIONS), "duration": r3(rng.uniform(0, 0.1))}
    if kitchen_sink or chance(rng, 0.4):
        tracks = []
        for _ in range(rng.randint(1, 3)):
            track = {"path": media["audio"]}
            for key, values in (("start", [0, 0.2]), ("cutFrom", [0, 0.1]), ("cutTo", [0.5, 0.9]), ("volume", [0, 0.5, 1, 10]),
                                ("fadeIn", [0, 0.2]), ("fadeOut", [0, 0.3]), ("loop", [True, False]), ("duck", [True, False]),
                                ("role", ["music", "speech"])):
                if chance(rng, 0.4):
                    track[key] = rng.choice(values)
            if track.get("role") == "speech":
                track.pop("duck", None)
            if "cutTo" in track and track.get("cutFrom", 0) >= track["cutTo"]:
                del track["cutTo"]
            tracks.append(track)
        project["audio"] = tracks
    if kitchen_sink or chance(rng, 0.3):
        subtitles = {"path": media["subtitles"]}
        for key, values in (("offset", [0, 0.2, -0.3]), ("position", ["bottom", "top", {"x": 0.5, "y": 0.8}]),
                            ("font", FONTS), ("fontSize", [8, 12]), ("color", COLORS), ("outlineColor", COLORS),
                            ("outlineWidth", [0, 1]), ("boxColor", COLORS), ("maxWidth", [0.5, 1]),
                            ("align", ["left", "center", "right"]), ("highlight", COLORS)):
            if chance(rng, 0.3):
                subtitles[key] = rng.choice(values)
        project["subtitles"] = subtitles
    if chance(rng, 0.4):
        project["loudness"] = rng.choice([-14, -23, -70, -5])
    if chance(rng, 0.5):
        output = {}
        if chance(rng, 0.6):
            output["crf"] = rng.choice([0, 23, 51])
        if chance(rng, 0.6):
            output["preset"] = rng.choice(["ultrafast", "superfast", "veryfast", "fast", "medium"])
        if chance(rng, 0.3):
            output["audioBitrate"] = rng.choice([32000, 128000, 512000])
        project["output"] = output
    return project


def adapt_demo_json(rng, ctx, media):
    project = json.loads(ctx.examples["demo.json"])
    project["width"], project["height"], project["fps"] = 160, 90, 15
    scale = 0.12

    def shrink(node):
        if isinstance(node, dict):
            for key, value in list(node.items()):
                if key == "duration" and isinstance(value, (int, float)):
                    node[key] = r3(value * scale)
                elif key == "fontSize":
                    node[key] = max(6, round(value * scale))
                elif key == "path":
                    node[key] = media["video"] if value.endswith(".avi") else media["image"]
                elif key == "cutFrom":
                    node[key] = 0
                elif key == "cutTo":
                    node[key] = r3(4 * scale)
                elif key == "stop" or key == "start":
                    node[key] = r3(value * scale)
                else:
                    shrink(value)
        elif isinstance(node, list):
            for value in node:
                shrink(value)

    shrink(project)
    return project


def adapt_demo_yaml(ctx, media):
    text = ctx.examples["demo.yaml"]
    scale = 0.12
    text = re.sub(r"(?m)^width: \d+", "width: 160", text)
    text = re.sub(r"(?m)^height: \d+", "height: 90", text)
    text = re.sub(r"(?m)^fps: \d+", "fps: 15", text)
    text = re.sub(r"\b(duration|start|stop): (\d+(?:\.\d+)?)", lambda m: "%s: %s" % (m.group(1), r3(float(m.group(2)) * scale)), text)
    text = re.sub(r"\bfontSize: (\d+)", lambda m: "fontSize: %d" % max(6, round(int(m.group(1)) * scale)), text)
    text = re.sub(r"media/[\w.]+\.jpg", media["image"], text)
    text = re.sub(r"media/[\w.]+\.avi", media["video"], text)
    text = re.sub(r"cutFrom: \d+", "cutFrom: 0", text)
    text = re.sub(r"cutTo: \d+", "cutTo: %s" % r3(4 * scale), text)
    return text


# --------------------------------------------------------------------------------------------------------
# Structural mutation of document trees

EXTREME_NUMBERS = [-9223372036854775808, 9223372036854775807, 9223372036854775808, 18446744073709551616, 10 ** 30,
                   -10 ** 30, 1e308, -1e308, 1e15, -1e15, 5e-324, -5e-324, -0.0, 0, -1, 1, 2147483647, 2147483648,
                   -2147483649, 4294967296, 1e-300, 2 ** 53 + 1, 86400.0001, float("inf"), float("-inf"), float("nan"),
                   Raw("1E400"), Raw("-0"), Raw("0x10"), Raw("01"), Raw(".5"), Raw("1."), Raw("+1"), Raw("1e"),
                   Raw("123456789012345678901234567890123456789012345678901234567890e-300"), Raw("Infinity"),
                   Raw("0.0000000000000000000000000000000000000000000000000000000000000000000001e-330")]
YAML_NUMBERS = [Raw(".inf"), Raw("-.inf"), Raw(".nan"), Raw("0x7fffffffffffffff"), Raw("0xffffffffffffffff"),
                Raw("0o777"), Raw("1_000"), Raw("+.inf"), Raw("0x"), Raw("!!float 1e999"), Raw("!!int 9223372036854775808")]
WRONG_TYPES = [None, True, False, "1", "", [], {}, [1, 2], {"x": 1}, 0, "fade", ["#fff"], [[[]]], "0.5"]
HUGE = "A" * 3_000_000
WEIRD_STRINGS = ["", " ", "\n", "a\nb", "line\r\nbreak", "\x00", "nul\x00byte", "\x1b[31mred\x1b[0m",
                 "\x1b]0;title\x07", "\u202eevil\u202c", "\u2066isolate\u2069", "\u200f", "\ufeff", "\ud800", "\udfff x",
                 "😀" * 100, "e\u0301" * 1000, "a" * 100_000, HUGE, "../../../../etc/passwd", "/dev/zero", "/dev/stdin",
                 "/proc/self/mem", "/", "~", "~/no-such-file.png", "~nosuchuser/x.png", "./" * 2000, "a/" * 3000 + "x",
                 "%s%n%x", "{0}", "$(touch INJECTED)", "`touch INJECTED`", "null", "true", "1e308", "#", "#gggggg",
                 "rgb(1e308, -1, nan)", "rgba(0,0,0,1e999)", "rgb(", "rgb(" * 1000, "transparent", "currentColor",
                 "30000/0", "0/0", "1/1000000000000000000000", "9223372036854775807/1", "-30/1", " 30 / 1 ", "\t",
                 "ﬁ ligature ǅ title-case", "x" * 201, "y" * 5001, "Ａ" * 3000]
WEIRD_BYTES = [b"\xff\xfe", b"abc\xc3(", b"\xed\xa0\x80", b"\xc0\xaf", b"\x80" * 10, b"\xf8\x88\x80\x80\x80",
               b"ok\xe2\x82"]
UNKNOWN_KEYS = ["widht", "duraton", "colour", "__proto__", "constructor", "$ref", "", " ", "type", "k" * 10000, "\x00",
                "\x1b[31mkey", "ke\u0301y", "layers", "clips", "transition", "path", "\u202ekey", "fps\n", "Width"]
DUP_COUNTS = [2, 3, 5, 16, 17, 64, 65, 100, 1000, 1001, 3000]


class Slots:
    """Every place in a tree that holds a value, as (container, key) pairs; the root sits in a holder list."""

    def __init__(self, root):
        self.holder = [root]
        self.slots = []
        stack = [(self.holder, 0, "$")]
        seen = 0
        while stack and seen < 50000:
            container, key, path = stack.pop()
            seen += 1
            self.slots.append((container, key, path))
            node = get_slot(container, key)
            if isinstance(node, dict):
                for k in node:
                    stack.append((node, k, "%s.%s" % (path, str(k)[:20])))
            elif isinstance(node, list):
                for i in range(min(len(node), 200)):
                    stack.append((node, i, "%s[%d]" % (path, i)))
            elif isinstance(node, Pairs):
                for i in range(len(node.pairs)):
                    stack.append((node, i, "%s.%s" % (path, str(node.pairs[i][0])[:20])))
            elif isinstance(node, (Anchor, Tagged)):
                stack.append((node, "node", path))

    @property
    def root(self):
        return self.holder[0]


def get_slot(container, key):
    if isinstance(container, Pairs):
        return container.pairs[key][1]
    if isinstance(container, (Anchor, Tagged)):
        return container.node
    return container[key]


def set_slot(container, key, value):
    if isinstance(container, Pairs):
        container.pairs[key] = (container.pairs[key][0], value)
    elif isinstance(container, (Anchor, Tagged)):
        container.node = value
    else:
        container[key] = value


def key_name(container, key):
    if isinstance(container, dict):
        return str(key)
    if isinstance(container, Pairs):
        return str(container.pairs[key][0])
    return ""


def containers(slots, kind):
    return [(c, k, p) for c, k, p in slots.slots if isinstance(get_slot(c, k), kind)]


def weird_string(rng):
    if chance(rng, 0.15):
        return Bytes(rng.choice(WEIRD_BYTES))
    return rng.choice(WEIRD_STRINGS)


VALID_EXTREMES = {
    "opacity": [0, 1, 5e-324, 0.999999999], "seed": [9007199254740992, -9007199254740992, 9007199254740991, -1], "fontSize": [1, 16384, 4000, 1000], "outlineWidth": [0, 16384, 4000, 500], "maxWidth": [5e-324, 1, 0.01],
    "from": [0.1, 10], "to": [0.1, 10], "x": [0, 1], "y": [0, 1], "width": [0.01, 1], "height": [0.01, 1],
    "stagger": [0, 60, 5e-324], "grow": [0, 60, 5e-324], "volume": [0, 10, 5e-324], "crf": [0, 51],
    "preset": ["placebo", "ultrafast", "veryslow"], "audioBitrate": [32000, 512000], "loudness": [-70, -5],
    "motion": [0, 10], "angle": [1e308, -1e308, 5e-324, 360, -720, 1e15],
    "offset": [1e308, -1e308, -1e15, 1e15, -5e-324, 86400], "start": [5e-324, 1e15, 1e308], "cutFrom": [1e15, 1e308, 5e-324, 0.999],
    "cutTo": [1e308, 5e-324, 1e15], "fadeIn": [1e308, 1e15, 5e-324], "fadeOut": [1e308, 1e15], "stop": [5e-324, 1e-9],
    "fps": [240, 1, "30000/1001", "1/1", "240/1", "2147483647/2147483647", "9223372036854775807/9223372036854775807",
            "1/4294967296", 239.99999, 23.976, 59.94, "007/1"],
    "duration": [5e-324, 0.001, 1 / 240, 1e-9], "values": [[1e15, 0], [5e-324], [0] * 12, [1e15] * 12, [0, 0, 0],
                                                           [999999999999999.9, 1e-300], [0.5, 1e15, 3]],
    "labels": [["x" * 200] * 12, ["\n"], []], "words": [["w" * 200] * 8, ["🔥" * 50]], "items": [["long item " * 20] * 8],
    "colors": [["#000", "#fff", "#f00", "#0f0"], ["transparent", "transparent"]], "barColors": [["#000"] * 100],
    "text": ["x" * 5000, "x" * 5001, "w " * 2500, "\n" * 4999, "ﷺ" * 5000],
}


ALL_OPS = [("extreme", 16), ("wrong_type", 10), ("weird_string", 10), ("delete", 8), ("unknown_field", 6),
           ("duplicate_key", 5), ("duplicate_element", 8), ("deep_nest", 3), ("empty", 5), ("valid_extreme", 14),
           ("swap", 4), ("big_frame", 2)]
YAML_OPS = [("anchor_alias", 6), ("merge_key", 3), ("tag", 4)]
# mutations that keep a project valid (or nearly), so that it reaches the renderer
VALID_OPS = [("valid_extreme", 70), ("limit_dup", 12), ("big_frame", 5), ("long_text", 13)]


def mutate_tree(rng, root, yaml=False, notes=None, quick=False, ops=None, count=None):
    """Applies 1..5 structural mutations; returns the new root."""
    notes = notes if notes is not None else []
    if count is None:
        count = weighted(rng, [(1, 50), (2, 25), (3, 15), (5, 10)])
    if ops is None:
        ops = ALL_OPS + (YAML_OPS if yaml else [])
    for _ in range(count):
        slots = Slots(root)
        if not slots.slots:
            break
        op = weighted(rng, ops)
        container, key, path = rng.choice(slots.slots)
        node = get_slot(container, key)
        if op == "extreme":
            numbers = [(c, k, p) for c, k, p in slots.slots if isinstance(get_slot(c, k), (int, float)) and not isinstance(get_slot(c, k), bool)]
            if numbers and chance(rng, 0.8):
                container, key, path = rng.choice(numbers)
            value = rng.choice(EXTREME_NUMBERS + (YAML_NUMBERS if yaml else []))
            set_slot(container, key, value)
            notes.append("%s = %r" % (path, value))
        elif op == "wrong_type":
            value = copy.deepcopy(rng.choice(WRONG_TYPES))
            set_slot(container, key, value)
            notes.append("%s = %r" % (path, value))
        elif op == "weird_string":
            strings = [(c, k, p) for c, k, p in slots.slots if isinstance(get_slot(c, k), str)]
            if strings and chance(rng, 0.8):
                container, key, path = rng.choice(strings)
            value = weird_string(rng)
            set_slot(container, key, value)
            notes.append("%s = %r" % (path, value if not isinstance(value, str) else value[:40]))
        elif op == "delete":
            if isinstance(container, dict) and container is not slots.holder:
                del container[key]
                notes.append("deleted %s" % path)
            elif isinstance(container, list) and container is not slots.holder and container:
                del container[key]
                notes.append("deleted %s" % path)
        elif op == "unknown_field":
            dicts = containers(slots, dict)
            if dicts:
                c, k, p = rng.choice(dicts)
                name = rng.choice(UNKNOWN_KEYS)
                get_slot(c, k)[name if name not in get_slot(c, k) else name + "_"] = rng.choice([1, "x", None, {"a": []}])
                notes.append("unknown field %r in %s" % (name[:20], p))
        elif op == "duplicate_key":
            dicts = [(c, k, p) for c, k, p in containers(slots, dict) if get_slot(c, k)]
            if dicts:
                c, k, p = rng.choice(dicts)
                members = list(get_slot(c, k).items())
                dup = rng.choice(members)
                value = rng.choice([dup[1], copy.deepcopy(rng.choice(WRONG_TYPES)), rng.choice(EXTREME_NUMBERS)])
                members.insert(rng.randrange(len(members) + 1), (dup[0], value))
                set_slot(c, k, Pairs(members))
                notes.append("duplicate key %s.%s" % (p, dup[0]))
        elif op == "duplicate_element":
            lists = [(c, k, p) for c, k, p in containers(slots, list) if get_slot(c, k)]
            if lists:
                c, k, p = rng.choice(lists)
                items = get_slot(c, k)
                n = rng.choice(DUP_COUNTS[:8] if quick else DUP_COUNTS)
                element = rng.choice(items)
                at = rng.randrange(len(items) + 1)
                copies = [copy.deepcopy(element) for _ in range(n)] if n <= 100 else [element] * n
                items[at:at] = copies
                notes.append("%s: element duplicated x%d" % (p, n))
        elif op == "deep_nest":
            depth = rng.choice([129, 1000, 10000, 100000] if not quick else [129, 1000, 10000])
            kind = rng.choice(["array", "object"] + (["block"] * 2 if yaml else []))
            set_slot(container, key, Deep(depth, kind))
            notes.append("%s nested %d deep (%s)" % (path, depth, kind))
        elif op == "empty":
            targets = containers(slots, (list, dict))
            if targets:
                c, k, p = rng.choice(targets)
                set_slot(c, k, [] if isinstance(get_slot(c, k), list) else {})
                notes.append("%s emptied" % p)
        elif op == "valid_extreme":
            named = [(c, k, p) for c, k, p in slots.slots if key_name(c, k) in VALID_EXTREMES]
            if named:
                c, k, p = rng.choice(named)
                value = copy.deepcopy(rng.choice(VALID_EXTREMES[key_name(c, k)]))
                set_slot(c, k, value)
                notes.append("%s = %s" % (p, repr(value)[:60]))
        elif op == "swap":
            if len(slots.slots) > 3:
                (c1, k1, p1), (c2, k2, p2) = rng.sample(slots.slots[1:], 2)
                v1, v2 = get_slot(c1, k1), get_slot(c2, k2)
                if not contains(v1, v2) and not contains(v2, v1):
                    set_slot(c1, k1, copy.deepcopy(v2))
                    set_slot(c2, k2, copy.deepcopy(v1))
                    notes.append("swapped %s and %s" % (p1, p2))
        elif op == "big_frame":
            if isinstance(root, dict):
                root["width"], root["height"] = rng.choice([(16384, 2), (2, 16384), (8192, 8192), (16384, 4096),
                                                             (16386, 2), (8194, 8192), (4096, 4096)])
                root["fps"] = 1
                for clip in root.get("clips", []) if isinstance(root.get("clips"), list) else []:
                    if isinstance(clip, dict):
                        clip["duration"] = 1
                        clip["transition"] = "cut"
                if isinstance(root.get("clips"), list):
                    del root["clips"][1:]
                root.pop("defaults", None)
                notes.append("frame %sx%s, one frame" % (root["width"], root["height"]))
        elif op == "limit_dup":
            clips = root.get("clips") if isinstance(root, dict) else None
            if isinstance(clips, list) and clips and isinstance(clips[0], dict):
                what = rng.choice(["layers", "videos", "audio", "clips", "texts"])
                clip = clips[0]
                if what == "layers":
                    n = 1000 if not quick else 200
                    clip["layers"] = [{"type": "color", "color": "#ff000008"}] * (n - 1) + [{"type": "title", "text": "x"}]
                elif what == "texts":
                    n = rng.choice([100, 300] if not quick else [50])
                    clip["layers"] = [{"type": rng.choice(["title", "subtitle"]), "text": "t%d" % i, "opacity": 0.5,
                                       "position": {"x": (i % 10) / 10, "y": (i // 10 % 10) / 10}} for i in range(n)]
                elif what == "videos":
                    n = 16
                    clip["layers"] = [{"type": "video", "path": "v.mp4", "opacity": 0.3}] * n
                    notes.append("needs v.mp4")
                elif what == "audio":
                    n = 64 if not quick else 16
                    root["audio"] = [{"path": "a.wav", "volume": 0.1}] * n
                    notes.append("needs a.wav")
                else:
                    n = 10000 if not quick else 2000
                    clips[:] = [{"duration": 0.1, "layers": [{"type": "color", "color": "red"}]}] * n
                    root.pop("defaults", None)
                notes.append("%s x%d (the limit)" % (what, n))
        elif op == "long_text":
            texts = [(c, k, p) for c, k, p in slots.slots if key_name(c, k) in ("text", "unit") or
                     (isinstance(get_slot(c, k), str) and isinstance(c, list) and p.endswith("]") and
                      any(x in p for x in ("words", "items", "labels")))]
            if texts:
                c, k, p = rng.choice(texts)
                limit = 5000 if key_name(c, k) == "text" else 200
                unit = rng.choice(["x", "w ", "😀", "e\u0301", "ﷺ", "\u0e01\u0e34\u0e4d", "\n", "Đ"])
                value = (unit * limit)[:limit]
                set_slot(c, k, value)
                notes.append("%s = %r x%d" % (p, unit, limit))
        elif op == "anchor_alias":
            candidates = [(c, k, p) for c, k, p in slots.slots if c is not slots.holder and not isinstance(c, (Anchor, Tagged))]
            if len(candidates) >= 2:
                (c1, k1, p1), (c2, k2, p2) = rng.sample(candidates, 2)
                name = "a%d" % rng.randrange(100)
                source = get_slot(c1, k1)
                if not isinstance(source, (Anchor, Alias)) and not contains(source, get_slot(c2, k2)):
                    set_slot(c1, k1, Anchor(name, source))
                    # the alias must come after the anchor in the document: the walk order is not the document
                    # order, so sometimes this makes an alias to an anchor not yet seen (an error, also worth trying)
                    set_slot(c2, k2, Alias(name, copy.deepcopy(source)))
                    notes.append("YAML alias *%s (%s) at %s" % (name, p1, p2))
        elif op == "merge_key":
            dicts = [(c, k, p) for c, k, p in containers(slots, dict) if c is not slots.holder]
            if dicts:
                c, k, p = rng.choice(dicts)
                target = get_slot(c, k)
                value = rng.choice([copy.deepcopy(target), 5, "x", [copy.deepcopy(target), {"a": 1}], None, [1, 2]])
                members = [("<<", Raw("*m")) if False else ("<<", value)] + list(target.items())
                set_slot(c, k, Pairs(members) if rng.random() < 0.5 else dict(members))
                notes.append("YAML merge key in %s" % p)
        elif op == "tag":
            tag = rng.choice(["!!binary", "!!python/object:os.system", "!!str", "!!int", "!!float", "!!bool", "!!null",
                              "!custom", "!!map", "!!seq", "!!set", "!!omap", "!!timestamp", "!<tag:yaml.org,2002:str>",
                              "!!python/object/apply:os.system", "!%21"])
            set_slot(container, key, Tagged(tag, node))
            notes.append("YAML tag %s at %s" % (tag, path))
        root = slots.root
    return root


def contains(tree, node):
    if tree is node:
        return True
    if isinstance(tree, dict):
        return any(contains(v, node) for v in tree.values())
    if isinstance(tree, list):
        return any(contains(v, node) for v in tree[:300])
    if isinstance(tree, Pairs):
        return any(contains(v, node) for _, v in tree.pairs)
    if isinstance(tree, (Anchor, Tagged)):
        return contains(tree.node, node)
    return False


# --------------------------------------------------------------------------------------------------------
# YAML text mutations

def yaml_text_mutation(rng, text):
    choice = rng.randrange(12)
    lines = text.split("\n")
    if choice == 0:
        levels = rng.choice([3, 6, 9])
        bomb = ["lol0: &l0 [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol]"]
        for level in range(1, levels + 1):
            bomb.append("lol%d: &l%d [%s]" % (level, level, ", ".join(["*l%d" % (level - 1)] * 10)))
        where = rng.choice(["top", "clips"])
        if where == "clips":
            return "\n".join(bomb) + "\n" + re.sub(r"(?m)^clips:.*$", "clips: *l%d\nunused:" % levels, text, count=1), \
                "alias bomb (10^%d) as clips" % levels
        return "\n".join(bomb) + "\n" + text, "alias bomb (10^%d) at the top" % levels
    if choice == 1:
        doc = rng.choice(["---\nwidth: 2\n", "...\n---\n", "--- !!str\nx\n", "---\n" + text, "\n---\n---\n---\n"])
        return text + "\n" + doc, "multiple documents"
    if choice == 2:
        head = rng.choice(["%YAML 1.1\n---\n", "%YAML 1.3\n---\n", "%TAG ! tag:example.com,2000:\n---\n", "%FOO bar\n---\n",
                           "--- |\n", "? [a]\n: b\n"])
        return head + text, "directive %r" % head.strip()[:20]
    if choice == 3:
        indexes = [i for i, l in enumerate(lines) if l.startswith("  ")]
        if indexes:
            i = rng.choice(indexes)
            lines[i] = "\t" + lines[i].lstrip(" ")
            return "\n".join(lines), "tab indentation at line %d" % (i + 1)
    if choice == 4:
        indexes = [i for i, l in enumerate(lines) if re.search(r"text: ", l)]
        if indexes:
            i = rng.choice(indexes)
            lines[i] = re.sub(r"text: .*?(,|\}|$)", lambda m: "text: " + "B" * 3_000_000 + m.group(1), lines[i], count=1)
            return "\n".join(lines), "3 MB plain scalar"
    if choice == 5:
        indexes = [i for i, l in enumerate(lines) if re.match(r"\s*-?\s*\w+: \S", l)]
        if indexes:
            i = rng.choice(indexes)
            tag = rng.choice(["!!binary", "!!python/object:os.system", "!!str", "!!int", "!!float", "!!timestamp",
                              "!custom", "!!set", "!!null"])
            lines[i] = re.sub(r": (\S)", ": %s \\1" % tag, lines[i], count=1)
            return "\n".join(lines), "tag %s at line %d" % (tag, i + 1)
    if choice == 6:
        depth = rng.choice([1000, 10000, 100000])
        return text + "\nnested:\n  " + "- " * depth + "x\n", "block nesting %d deep" % depth
    if choice == 7:
        depth = rng.choice([500, 2000])
        nested = "".join(" " * i + "a:\n" for i in range(depth)) + " " * depth + "b: 1\n"
        return text + "\nnested:\n" + re.sub(r"(?m)^", "  ", nested), "mapping nesting %d deep" % depth
    if choice == 8:
        return text + "\nself: &r [*r]\n", "recursive alias"
    if choice == 9:
        indexes = [i for i, l in enumerate(lines) if re.match(r"\w+: ", l)]
        if indexes:
            i = rng.choice(indexes)
            lines.insert(i + 1, lines[i].split(":")[0] + ": 2")
            return "\n".join(lines), "duplicate top-level key at line %d" % (i + 1)
    if choice == 10:
        indexes = [i for i, l in enumerate(lines) if re.search(r"text: ", l) and "{" not in l]
        if indexes:
            i = rng.choice(indexes)
            indent = len(lines[i]) - len(lines[i].lstrip())
            lines[i] = lines[i].split("text:")[0] + "text: " + rng.choice(["|", ">-", "|+", "|2"])
            lines.insert(i + 1, " " * (indent + 2) + "block\n" + " " * (indent + 2) + "scalar \x1b[31m")
            return "\n".join(lines), "block scalar"
    return text.replace("\n", "\r\n") if chance(rng, 0.5) else text.replace("\n", "\r"), "line endings"


def emit_project(rng, tree, fmt):
    if fmt == "json":
        return emit_json(tree, pretty=chance(rng, 0.5), ascii_only=chance(rng, 0.2))
    return emit_yaml(tree, rng, flow_share=rng.choice([0.0, 0.2, 0.5]), step=rng.choice([2, 2, 4]),
                     quote_share=rng.choice([0.0, 0.3]))


def estimate_cost(tree):
    """(seconds of video, frames, pixels) of a project, or None if it cannot tell. Used to send expensive valid
    projects to --dry-run instead of rendering them."""
    def num(value, default):
        return value if isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value) else default

    if not isinstance(tree, dict):
        return 0, 0, 0
    width, height = num(tree.get("width"), 160), num(tree.get("height"), 90)
    fps = tree.get("fps", 30)
    fps = num(fps, 30) if not isinstance(fps, str) else 30
    defaults = tree.get("defaults") if isinstance(tree.get("defaults"), dict) else {}
    default_duration = num(defaults.get("duration"), 4)
    clips = tree.get("clips") if isinstance(tree.get("clips"), list) else []
    total = 0.0
    for clip in clips:
        if not isinstance(clip, dict):
            continue
        duration = num(clip.get("duration"), None)
        if duration is None:
            duration = default_duration
            layers = clip.get("layers") if isinstance(clip.get("layers"), list) else []
            for layer in layers:
                if isinstance(layer, dict) and layer.get("type") == "video" and "cutTo" in layer:
                    duration = num(layer.get("cutTo"), 0) - num(layer.get("cutFrom"), 0)
                    break
        total += max(0.0, min(duration, 1e9))
    fps = max(1.0, min(fps, 240.0))
    return total, total * fps, max(1, width) * max(1, height)


def count_nodes(tree, kind_key):
    """How many layers/clips/audio tracks the project holds (a rough measure of work)."""
    if not isinstance(tree, dict):
        return 0
    clips = tree.get("clips") if isinstance(tree.get("clips"), list) else []
    if kind_key == "clips":
        return len(clips)
    if kind_key == "audio":
        return len(tree.get("audio")) if isinstance(tree.get("audio"), list) else 0
    return max([len(c.get("layers")) for c in clips if isinstance(c, dict) and isinstance(c.get("layers"), list)] or [0])


# --------------------------------------------------------------------------------------------------------
# Family 1: project files

def base_media_names(rng):
    return {"image": rng.choice(["i.png", "i.jpg", "i_rgba.png", "i.bmp", "i_pal.png"]),
            "video": rng.choice(["v.mp4", "v.mp4", "v_mute.mp4", "v.webm", "v_rot.mp4"]),
            "audio": rng.choice(["a.wav", "a.mp3", "v.mp4", "a.ogg", "a.m4a"]),
            "subtitles": rng.choice(["s.srt", "s.vtt", "s.ass"])}


def add_media_files(case, ctx, media):
    for name in sorted(set(media.values())):
        if name in ctx.media:
            case.file(name, ctx.media[name])


def render_command(rng, case, tree, project_name, quick, dry_share=0.15):
    """Chooses render or --dry-run (expensive valid projects always go to --dry-run)."""
    seconds, frames, pixels = estimate_cost(tree)
    limit = 3.0 if quick else 8.0
    heavy = seconds > limit or frames * pixels > 6e7 or count_nodes(tree, "clips") > 50
    many = count_nodes(tree, "layers") > 100 or count_nodes(tree, "audio") > 16
    if heavy or (many and chance(rng, 0.7)) or chance(rng, dry_share):
        case.args = ["render", project_name, "--dry-run"]
        if heavy:
            case.note("dry run (the render would last %.0f s of video)" % seconds)
        return
    case.args = ["render", project_name, "-o", "out.mp4"]
    if chance(rng, 0.25):
        case.args.append("--preview")
    case.outputs = ["out.mp4"]
    case.required = ["out.mp4"]


def family_project(rng, ctx, case):
    media = base_media_names(rng)
    template = weighted(rng, [("kitchen_sink", 30), ("random", 20), ("valid_extreme", 30), ("demo_json", 10),
                              ("demo_yaml", 10)])
    fmt = "yaml" if template == "demo_yaml" else weighted(rng, [("json", 55), ("yaml", 45)])
    case.note("template %s, %s" % (template, fmt))
    tree = None
    if template == "demo_yaml":
        media["image"], media["video"] = "i.jpg", "v.mp4"
        text = adapt_demo_yaml(ctx, media)
        data = None
    else:
        if template == "demo_json":
            tree = adapt_demo_json(rng, ctx, media)
        else:
            tree = seed_project(rng, ctx, media, kitchen_sink=(template != "random"))
        if template == "valid_extreme":
            tree = mutate_tree(rng, tree, notes=case.notes, quick=ctx.quick, ops=VALID_OPS, count=rng.choice([1, 1, 2, 3]))
            if any("needs v.mp4" in n for n in case.notes):
                media["video"] = "v.mp4"
            if any("needs a.wav" in n for n in case.notes):
                media["audio"] = "a.wav"
        elif chance(rng, 0.85):
            tree = mutate_tree(rng, tree, yaml=(fmt == "yaml"), notes=case.notes, quick=ctx.quick)
        data = emit_project(rng, tree, fmt)
        text = data.decode("utf-8", "surrogateescape")
    if fmt == "yaml" and (template == "demo_yaml" or chance(rng, 0.3)):
        for _ in range(rng.choice([1, 1, 2])):
            text, note = yaml_text_mutation(rng, text)
            case.note(note)
        data = None
    if data is None:
        data = text.encode("utf-8", "surrogateescape")
    if chance(rng, 0.25) and template != "valid_extreme":
        donors = [ctx.examples["demo.json"].encode(), ctx.examples["demo.yaml"].encode()]
        for _ in range(rng.choice([1, 1, 2, 4])):
            data, note = byte_mutation(rng, data, donors)
            case.note(note)
    name = weighted(rng, [("p." + ("json" if fmt == "json" else "yaml"), 80), ("p.yml" if fmt == "yaml" else "p.JSON", 8),
                          ("project", 8), ("p.txt", 4)])
    case.file(name, data)
    add_media_files(case, ctx, media)
    render_command(rng, case, tree if tree is not None else {}, name, ctx.quick)


# --------------------------------------------------------------------------------------------------------
# Family 2: media

def verify_case(rng, ctx, case):
    """`phim verify` on a signed MP4 (its manifest, boxes or media damaged, or intact), or on other media."""
    source = "signed.mp4" if chance(rng, 0.8) else rng.choice([n for n in MEDIA_KINDS["video"] if n in ctx.media])
    data = ctx.media[source]
    donors = [ctx.media[n] for n in rng.sample(sorted(ctx.media), 3)]
    for _ in range(rng.choice([0, 1, 1, 2, 3])):
        data, note = mutate_media(rng, source, data, donors)
        case.note("%s: %s" % (source, note))
    name = "m.mp4" if chance(rng, 0.9) else "m.txt"
    case.file(name, data)
    case.args = ["verify", name] + (["--json"] if chance(rng, 0.5) else [])


def label_case(rng, ctx, case):
    """`phim label` on a video (a signed Phim MP4 or other media, damaged or intact): a labelled MP4 or one error line."""
    names = [n for n in MEDIA_KINDS["video"] if n in ctx.media] + (["signed.mp4"] if "signed.mp4" in ctx.media else [])
    source = rng.choice(names)
    data = ctx.media[source]
    donors = [ctx.media[n] for n in rng.sample(sorted(ctx.media), 3)]
    for _ in range(rng.choice([0, 1, 1, 2])):
        data, note = mutate_media(rng, source, data, donors)
        case.note("%s: %s" % (source, note))
    name = "in." + source.rsplit(".", 1)[1]
    case.file(name, data)
    case.args = ["label", name, "-o", "out.mp4", "--preset", "ultrafast"] + (["--source-type", "digitalCapture"] if chance(rng, 0.3) else [])
    case.outputs = ["out.mp4"]
    case.required = ["out.mp4"]


def family_media(rng, ctx, case):
    if "signed.mp4" in ctx.media and chance(rng, 0.1):
        return verify_case(rng, ctx, case)
    if chance(rng, 0.08):
        return label_case(rng, ctx, case)
    kind = weighted(rng, [("image", 30), ("video", 25), ("audio", 30), ("subtitles", 15)])
    source = rng.choice([n for n in MEDIA_KINDS[kind] if n in ctx.media])
    data = ctx.media[source]
    donors = [ctx.media[n] for n in rng.sample(sorted(ctx.media), 3)]
    for _ in range(rng.choice([1, 1, 1, 2, 3])):
        data, note = mutate_media(rng, source, data, donors)
        case.note("%s: %s" % (source, note))
    ext = source.rsplit(".", 1)[1]
    if chance(rng, 0.1):
        ext = rng.choice(["png", "mp4", "wav", "srt", "txt", "jpg"])
        case.note("renamed to .%s" % ext)
    name = "m." + ext
    case.file(name, data)
    if chance(rng, 0.2):
        case.args = ["probe", name] + (["--json"] if chance(rng, 0.5) else [])
        return
    media = base_media_names(rng)
    media[kind] = name
    use_as = kind
    if chance(rng, 0.1):
        use_as = rng.choice(["image", "video", "audio", "subtitles"])
        media[use_as] = name
        case.note("used as %s" % use_as)
    tree = seed_project(rng, ctx, media, kitchen_sink=False)
    # make sure the mutated file is used
    clip = tree["clips"][0]
    if use_as in ("image", "video"):
        layer = make_layer(rng, use_as, clip.get("duration", 0.5), media)
        clip["layers"].insert(rng.randrange(len(clip["layers"]) + 1), layer)
        if use_as == "video" and "duration" not in clip and "cutTo" not in layer:
            clip["duration"] = 0.5
    elif use_as == "audio":
        tracks = tree.setdefault("audio", [])
        track = {"path": name}
        for key, values in (("start", [0, 0.1]), ("cutTo", [0.4, 5]), ("loop", [True]), ("duck", [True]),
                            ("role", ["music", "music", "speech"]), ("fadeIn", [0.2]), ("volume", [2])):
            if chance(rng, 0.3):
                track[key] = rng.choice(values)
        if track.get("role") == "speech":
            track.pop("duck", None)
        tracks.append(track)
        if chance(rng, 0.3):
            tree["loudness"] = -16
    else:
        tree["subtitles"] = {"path": name}
        if chance(rng, 0.3):
            tree["subtitles"]["highlight"] = "yellow"
    fmt = weighted(rng, [("json", 70), ("yaml", 30)])
    project_name = "p." + fmt
    case.file(project_name, emit_project(rng, tree, fmt))
    other = {k: v for k, v in media.items() if v != name}
    add_media_files(case, ctx, other)
    render_command(rng, case, tree, project_name, ctx.quick, dry_share=0.05)


# --------------------------------------------------------------------------------------------------------
# Family 3: articles for phim make

SHORT_ARTICLES = {
    "en": "# Solar power\n\nThe sun delivers more energy in one hour than people use in a year. Solar panels turn about "
          "20% of that light into electricity.\n\n## Why it spread\n\nPrices fell by 90% since 2010. A crew can fit a "
          "home system in one day.\n",
    "vi": "# Máy học là gì?\n\nMáy học là một nhánh của trí tuệ nhân tạo. Máy tính tự tìm ra quy luật từ dữ liệu.\n\n"
          "- Học có giám sát\n- Học không giám sát\n\nĐộ chính xác có thể tăng từ 50% lên 95%.\n",
    "topic": "Solar power",
    "outline": "# Coffee\n\n- Beans come from cherries\n- Roasting changes the taste\n- Brewing takes 4 minutes\n",
}


def article_mutation(rng, text):
    """One change to an article; returns (bytes, note)."""
    choice = rng.randrange(22)
    data = text.encode("utf-8")
    if choice < 5:
        return byte_mutation(rng, data)
    if choice == 5:
        encoding = rng.choice(["utf-16", "utf-16-le", "utf-16-be", "utf-32", "utf-8-sig", "latin-1", "cp1258"])
        return text.encode(encoding, "replace"), "encoded as %s" % encoding
    if choice == 6:
        return rng.choice([b"", b"\n", b"   \n\t\n", b"\xef\xbb\xbf", b"\x00" * 1000]), "empty/whitespace"
    if choice == 7:
        return bytes(rng.randrange(256) for _ in range(rng.choice([16, 4096]))), "binary"
    if choice == 8:
        words = rng.choice([500, 3000, 20000])
        return (" ".join(["word%d" % (i % 50) for i in range(words)]) + rng.choice(["", "."])).encode(), "one sentence of %d words" % words
    if choice == 9:
        n = rng.choice([10_000, 200_000])
        return ("# Title\n\n" + "a" * n + "\n").encode(), "one word of %d letters" % n
    if choice == 10:
        run = rng.choice(["-", ".", "!", "?", "*", "#", "…", "—", "=", "|", "`"]) * rng.choice([3, 100, 10000])
        return (text + "\n" + run + "\n" + run + " ok.\n").encode(), "punctuation run"
    if choice == 11:
        return ("# 😀🔥\n\n" + "👨‍👩‍👧‍👦 🇻🇳 🏳️‍🌈 " * rng.choice([5, 500]) + "\n").encode(), "emoji"
    if choice == 12:
        base = "Tiếng Việt có dấu rất đẹp. Mặt trời mọc ở đằng đông."
        import unicodedata
        decomposed = unicodedata.normalize("NFD", base)
        stacked = "a" + "\u0301\u0323\u0309" * rng.choice([10, 1000])
        return ("# " + decomposed + "\n\n" + decomposed + " " + stacked + ".\n").encode(), "NFD + stacked combining marks"
    if choice == 13:
        return ("\n".join(rng.choice(["# H", "## H2", "- item", "1. item", "###### h6", "* x", "> quote"])
                          for _ in range(rng.choice([5, 500]))) + "\n").encode(), "headings/lists only"
    if choice == 14:
        return ("# Numbers\n\nRevenue grew 1e308% to $99999999999999999999 and 9223372036854775807 users, "
                "-5% of 0.0000001 tỷ USD, 50% 60% 70% 80% 90% 100% 110% 120% 130% 140% 150% 160% 170%.\n").encode(), "extreme numbers"
    if choice == 15:
        return (text + "\n\u202eevil\u202c \x1b[31mred\x1b[0m \u200f مرحبا بالعالم שלום\n").encode(), "bidi/ANSI/RTL"
    if choice == 16:
        return text.replace("\n", rng.choice(["\r\n", "\r", "\u2028", "\x0b"])).encode(), "line endings"
    if choice == 17:
        return ("```\n" + text + "\n```\n<script>x</script> ![img](x.png) [link](http://x) | a | b |\n|---|---|\n").encode(), "markdown constructs"
    if choice == 18:
        return ("#" * 10000 + " heading\n\n" + "  " * 2000 + "- deep\n").encode(), "huge heading/indent"
    if choice == 19:
        return ("$(touch INJECTED) `touch INJECTED` '; touch INJECTED; ' \"$HOME\" {text} {output}.\n" + text).encode(), "shell metacharacters"
    if choice == 20:
        return (text * rng.choice([2, 10])).encode(), "repeated"
    return ("Sentence. " * rng.choice([300, 3000])).encode(), "many tiny sentences"


def family_make(rng, ctx, case):
    quick = ctx.quick
    base_name = weighted(rng, [("en", 25), ("vi", 20), ("topic", 8), ("outline", 10), ("solar-power.md", 10 if not quick else 3),
                               ("may-hoc-la-gi.md", 10 if not quick else 3)])
    text = SHORT_ARTICLES.get(base_name) or ctx.examples[base_name]
    if base_name.endswith(".md") and chance(rng, 0.5):
        paragraphs = text.split("\n\n")
        text = "\n\n".join(paragraphs[:rng.randint(1, max(1, len(paragraphs) // 2))])
        case.note("%s truncated" % base_name)
    case.note("article %s" % base_name)
    if chance(rng, 0.8):
        data, note = article_mutation(rng, text)
        case.note(note)
    else:
        data = text.encode()
    name = weighted(rng, [("a.md", 70), ("a.txt", 20), ("article", 5), ("a.pdf", 5)])
    case.file(name, data)
    render = chance(rng, 0.08 if quick else 0.25)
    if render:
        duration = rng.choice([3, 4, 5, 6, 8] if not quick else [3, 4])
        case.args = ["make", name, "-o", "out.mp4", "--duration", str(duration), "--preview"]
        case.outputs = ["out.mp4", "out.srt", "out.vtt"]
        case.required = ["out.mp4", "out.srt", "out.vtt"]
        if chance(rng, 0.3):
            case.args += ["--storyboard", "sb.json"]
            case.outputs += ["sb.json", "sb.assets"]
            case.required.append("sb.json")
    else:
        case.args = ["make", name, "--no-render", "--storyboard", "sb.json"]
        case.outputs = ["sb.json", "sb.assets"]
        case.required = ["sb.json"]
        # Quick runs bound the narration: English is spoken by Festival, about ten times slower than espeak-ng, and
        # a whole article in a debug build would take most of the case's 30 s.
        if quick and len(data) > 800:
            case.args += ["--duration", "20"]
    # options
    if chance(rng, 0.35):
        for _ in range(rng.choice([1, 1, 2, 3])):
            option = rng.choice(["seed", "rate", "pitch", "duration", "aspect", "lang", "style", "voice", "karaoke",
                                 "timings", "llm", "tts", "music", "images"])
            if option == "duration" and render:
                continue
            add_make_option(rng, ctx, case, option, data, render)
    return case


def add_make_option(rng, ctx, case, option, article, render):
    if option == "seed":
        value = rng.choice(["-5", "0", "9007199254740992", "-9007199254740992", "9007199254740993", "9223372036854775807",
                            "-9223372036854775808", "99999999999999999999", "1.5", "0x10"])
    elif option == "rate":
        value = rng.choice(["nan", "inf", "-inf", "0.5", "2", "2.0000001", "0.4999", "-1", "1e-300", "1e308", "0", "one"])
    elif option == "pitch":
        value = rng.choice(["-1", "0", "100", "101", "9223372036854775807", "50.5"])
    elif option == "duration":
        value = rng.choice(["0.001", "1e-300", "nan", "-1", "inf", "1e308", "0", "3", "30", "86400", "86401", "5e-324"])
    elif option == "aspect":
        value = rng.choice(["9:16", "1:1", "16:9", "4:3", "", ":", "16:9\n", "１６:９"])
    elif option == "lang":
        value = rng.choice(["vi", "en", "auto", "xx", "", "VI", "vi\x01"])
    elif option == "style":
        value = rng.choice(["explainer", "ad", "tutorial", "story", "bogus", ""])
    elif option == "voice":
        value = rng.choice(["vi", "en-us", "en+f3", "", "zz", "../../../../etc/passwd", "a" * 1000, "en\nus", "en+\x1b[31m",
                            "mb-us1", "en+nonexistent"])
    elif option in ("karaoke", "timings"):
        case.args.append("--" + option)
        case.note("--" + option)
        return
    elif option == "llm":
        value = rng.choice(["http://127.0.0.1:9/v1", "http://[::1]:1/", "ftp://x", "http://", "not a url",
                            "http://127.0.0.1:9/" + "a" * 5000])
    elif option == "tts":
        wav_name = "voice.wav"
        source = rng.choice(["a.wav", "nan.wav", "ch255.wav", "one.wav", "empty.wav", "r192k.wav", "u8.wav"])
        wav = ctx.media[source]
        if chance(rng, 0.5):
            wav, note = mutate_media(rng, source, wav)
            case.note("tts wav %s: %s" % (source, note))
        case.file(wav_name, wav)
        value = rng.choice(["cp voice.wav {output}", "true", "false", "exit 3", "printf RIFF > {output}", "cat > {output}",
                            "head -c 100000 /dev/urandom > {output}", "cp voice.wav {output}; echo {text} >/dev/null",
                            "cp voice.wav {nosuch} {output}", "cp voice.wav", "cp voice.wav {output} {text} 2>/dev/null; true"])
        case.args += ["--tts-command", value]
        case.note("--tts-command %r (%s)" % (value, source))
        return
    elif option == "music":
        kind = rng.choice(["none", "generated", "file", "file", "dir", "missing", "dev"])
        if kind in ("none", "generated"):
            value = kind
        elif kind == "file":
            source = rng.choice([n for n in MEDIA_KINDS["audio"] if n in ctx.media] + ["i.png"])
            data, note = mutate_media(rng, source, ctx.media[source]) if chance(rng, 0.7) else (ctx.media[source], "valid")
            value = "music." + source.rsplit(".", 1)[1]
            case.file(value, data)
            case.note("music %s: %s" % (source, note))
        elif kind == "dir":
            value = "."
        elif kind == "missing":
            value = "no-such-music.mp3"
        else:
            value = rng.choice(["/dev/null", "/dev/zero", "/dev/stdin"])
    elif option == "images":
        add_images_folder(rng, ctx, case, article)
        return
    else:
        return
    case.args += ["--" + option, value]
    case.note("--%s %r" % (option, value[:60]))


def article_words(article):
    text = article.decode("utf-8", "replace").lower()
    words = [w for w in re.findall(r"[a-z]{4,30}", text)]
    return words or ["solar", "panels", "sun"]


def add_images_folder(rng, ctx, case, article):
    folder = "pics"
    case.mkdir(folder)
    words = article_words(article)
    used = set()
    for _ in range(rng.randint(1, 3)):
        stem = "-".join(rng.sample(words, min(len(words), rng.choice([1, 2]))))
        if stem in used:
            continue
        used.add(stem)
        kind = rng.choice(["image", "image", "image", "video", "fifo", "dir", "dangling", "dev", "big"])
        if kind in ("image", "video"):
            source = rng.choice([n for n in MEDIA_KINDS[kind] if n in ctx.media])
            data = ctx.media[source]
            if chance(rng, 0.6):
                data, note = mutate_media(rng, source, data)
                case.note("picture %s: %s" % (source, note))
            case.file("%s/%s.%s" % (folder, stem, source.rsplit(".", 1)[1]), data)
        elif kind == "big":
            from fuzzformats import png_edit_ihdr
            data, note = png_edit_ihdr(ctx.media["i.png"], rng)
            case.file("%s/%s.png" % (folder, stem), data)
            case.note("picture %s" % note)
        elif kind == "fifo":
            case.fifo("%s/%s.jpg" % (folder, stem))
            case.note("FIFO %s.jpg in --images" % stem)
        elif kind == "dir":
            case.mkdir("%s/%s.png" % (folder, stem))
            case.note("folder %s.png in --images" % stem)
        elif kind == "dangling":
            case.symlink("%s/%s.png" % (folder, stem), "/nonexistent/x.png")
            case.note("dangling symlink in --images")
        else:
            case.symlink("%s/%s.jpg" % (folder, stem), rng.choice(["/dev/zero", "/dev/null"]))
            case.note("device symlink in --images")
    case.args += ["--images", folder]


# --------------------------------------------------------------------------------------------------------
# Family 4: safetensors

def family_safetensors(rng, ctx, case):
    header, data = make_safetensors(rng)
    length, pad = None, rng.choice([0, 0, 0, 7])
    roll = rng.random()
    names = [k for k in header if k != "__metadata__"]
    if roll < 0.15:
        length = rng.choice([0, 1, 7, 8, 2, 100_000_001, 2 ** 31, 2 ** 63, 2 ** 64 - 1, len(emit_json(header)) + 1,
                             len(emit_json(header)) - 1, len(emit_json(header)) + len(data) + 100])
        case.note("header length %d" % length)
    elif roll < 0.35 and names:
        entry = header[rng.choice(names)]
        what = rng.choice(["offsets", "offsets", "shape", "dtype"])
        if what == "offsets":
            value = rng.choice([[5, 1], [0, 10 ** 12], [0, 2 ** 64 - 1], [-1, 3], [0], [0, 0, 0], [1.5, 2], ["0", "4"],
                                [2 ** 63, 2 ** 63 + 4], [0, len(data) + 1], None])
            entry["data_offsets"] = value
        elif what == "shape":
            value = rng.choice([[-1], [2 ** 32, 2 ** 32], [2 ** 63], [2] * 64, [0, 2 ** 62], [1.5], ["2"], [[2]], None,
                                [9223372036854775807, 2], [3037000500, 3037000500], [-2, -2]])
            entry["shape"] = value
        else:
            value = rng.choice(["F8_E4M3", "f32", "", "C64", "I8", "U64", 5, None, "F32\x00", "BF16 "])
            entry["dtype"] = value
        case.note("%s = %r" % (what, value))
    elif roll < 0.45 and len(names) >= 2:
        a, b = header[names[0]], header[names[1]]
        kind = rng.choice(["overlap", "hole", "same"])
        if kind == "overlap" and a["data_offsets"][1] > 0:
            b["data_offsets"] = [a["data_offsets"][1] - 1, b["data_offsets"][1]]
        elif kind == "hole":
            b["data_offsets"] = [b["data_offsets"][0] + 1, b["data_offsets"][1] + 1]
            data += b"\x00"
        else:
            b["data_offsets"] = list(a["data_offsets"])
        case.note("offsets %s" % kind)
    elif roll < 0.52:
        count = rng.choice([1000, 10000, 100000])
        header = {"t%d" % i: {"dtype": "U8", "shape": [1], "data_offsets": [i, i + 1]} for i in range(count)}
        data = bytes(count)
        case.note("%d tensors" % count)
    elif roll < 0.58:
        header = rng.choice([[], "x", 5, None, {}, {"__metadata__": {"a": "b"}}, {"__metadata__": {"a": 1}},
                             {"__metadata__": "x"}, {"t": "x"}, {"t": {}}, {"t": {"dtype": "F32"}}])
        data = b""
        case.note("header %r" % (header,))
    elif roll < 0.65 and names:
        name = rng.choice([weird_string(rng), "\n", "\x1b[2J", "n" * 1_000_000, "a.b" * 1000, "__metadata__"])
        entry = header.pop(names[0])
        header[name if isinstance(name, str) else "bytes"] = entry
        if isinstance(name, Bytes):
            header = Pairs([(name if k == "bytes" else k, v) for k, v in header.items()])
        case.note("tensor name %r" % (name if isinstance(name, str) else name.data)[:30])
    elif roll < 0.8:
        header = mutate_tree(rng, header, notes=case.notes, quick=ctx.quick)
    blob = safetensors_file(header, data, length=length, pad=pad)
    if chance(rng, 0.25):
        for _ in range(rng.choice([1, 2])):
            blob, note = byte_mutation(rng, blob)
            case.note(note)
    name = rng.choice(["m.safetensors", "m.safetensors", "model.bin"])
    case.file(name, blob)
    case.args = ["model", "info", name] + (["--json"] if chance(rng, 0.5) else [])


# --------------------------------------------------------------------------------------------------------
# Family 5: output targets and non-regular inputs

OLD = b"OLD CONTENT - must survive a failed run\n"


def output_target(rng, case, path):
    """Puts something at an output path; returns a note."""
    kind = rng.choice(["fifo", "chardev", "symlink_dev", "dir", "existing", "existing", "dev_full"])
    if kind == "fifo":
        case.fifo(path)
    elif kind == "chardev":
        case.chardev(path)
    elif kind == "symlink_dev":
        case.chardev("nulldev")
        case.symlink(path, "nulldev")
    elif kind == "dev_full":
        case.symlink(path, "/dev/full")
    elif kind == "dir":
        case.mkdir(path)
        if chance(rng, 0.5):
            case.file(path + "/keep.txt", OLD)
    else:
        case.file(path, OLD)
    return "%s at %s" % (kind, path)


def simple_project(rng, ctx, case, media=None):
    media = media or {"image": "i.png", "video": "v.mp4", "audio": "a.wav", "subtitles": "s.srt"}
    tree = {"width": 64, "height": 36, "fps": 10,
            "clips": [{"duration": 0.3, "layers": [{"type": "color", "color": "red"}, {"type": "title", "text": "Hi"}]}]}
    if chance(rng, 0.5):
        tree["clips"].append({"duration": 0.3, "transition": "dissolve",
                              "layers": [{"type": "image", "path": media["image"]}, {"type": "video", "path": media["video"]}]})
        tree["audio"] = [{"path": media["audio"], "role": rng.choice(["music", "speech"])}]
        tree["subtitles"] = {"path": media["subtitles"]}
        add_media_files(case, ctx, media)
    return tree


def family_targets(rng, ctx, case):
    mode = weighted(rng, [("render_out", 30), ("make_storyboard", 15), ("make_out", 6 if not ctx.quick else 2),
                          ("input", 30), ("media_input", 12), ("names", 7), ("interrupt", 0 if ctx.quick else 10)])
    case.note(mode)
    if mode == "interrupt":
        # SIGTERM or SIGINT while phim works: it must stop cleanly (exit 1, one error line, nothing left behind).
        # The only cases whose outcome depends on timing, so --quick leaves them out.
        import signal as signals
        media = {"image": "i.png", "video": "v.mp4", "audio": rng.choice(["a.wav", "a.mp3"]), "subtitles": "s.vtt"}
        if chance(rng, 0.7):
            tree = seed_project(rng, ctx, media, kitchen_sink=True)
            for clip in tree["clips"]:
                if "duration" in clip:
                    clip["duration"] = r3(clip["duration"] * 3)
            if chance(rng, 0.5):
                case.file("out.mp4", OLD)
            case.file("p.json", emit_json(tree))
            add_media_files(case, ctx, media)
            case.args = ["render", "p.json", "-o", "out.mp4"]
            case.outputs = case.required = ["out.mp4"]
        else:
            case.file("a.md", SHORT_ARTICLES[rng.choice(["en", "vi"])])
            if chance(rng, 0.5):
                case.args = ["make", "a.md", "-o", "out.mp4", "--duration", "6", "--preview", "--storyboard", "sb.json"]
                case.outputs = ["out.mp4", "out.srt", "out.vtt", "sb.json", "sb.assets"]
            else:
                case.args = ["make", "a.md", "--no-render", "--storyboard", "sb.json"]
                case.outputs = ["sb.json", "sb.assets"]
            case.required = [o for o in case.outputs if not o.endswith(".assets")]
            if chance(rng, 0.5):
                case.file("sb.json", OLD)
                case.mkdir("sb.assets")
                case.file("sb.assets/narration.wav", OLD)
        case.interrupt = (r3(rng.uniform(0.05, 1.5)), rng.choice([signals.SIGTERM, signals.SIGINT]))
        case.note("signal %d after %.2f s" % (case.interrupt[1], case.interrupt[0]))
    elif mode == "render_out":
        case.file("p.json", emit_json(simple_project(rng, ctx, case)))
        target = weighted(rng, [("out.mp4", 70), ("long", 10), ("nosuch/out.mp4", 5), ("out.mp4/", 5), ("p.json", 5), ("", 5)])
        if target == "long":
            target = "o" * rng.choice([236, 240, 250, 251, 255]) + ".mp4"
            case.note("output name of %d characters" % len(target))
        elif target in ("out.mp4",):
            case.note(output_target(rng, case, target))
        else:
            case.note("output %r" % target)
        case.args = ["render", "p.json", "-o", target]
        if target:
            case.outputs = [target.rstrip("/")]
            case.required = [target.rstrip("/")]
        if chance(rng, 0.3):
            case.args.append("--preview")
    elif mode in ("make_storyboard", "make_out"):
        case.file("a.md", SHORT_ARTICLES[rng.choice(["en", "vi", "outline"])])
        if mode == "make_storyboard":
            case.args = ["make", "a.md", "--no-render", "--storyboard", "sb.json"]
            case.outputs, case.required = ["sb.json", "sb.assets"], ["sb.json"]
        else:
            case.args = ["make", "a.md", "-o", "out.mp4", "--duration", "4", "--preview", "--storyboard", "sb.json"]
            case.outputs = ["out.mp4", "out.srt", "out.vtt", "sb.json", "sb.assets"]
            case.required = ["out.mp4", "out.srt", "out.vtt", "sb.json"]
        target = rng.choice(case.outputs)
        if target == "sb.assets":
            kind = rng.choice(["file", "fifo", "old"])
            if kind == "file":
                case.file("sb.assets", OLD)
            elif kind == "fifo":
                case.fifo("sb.assets")
            else:
                case.file("sb.json", OLD)
                case.mkdir("sb.assets")
                case.file("sb.assets/narration.wav", OLD)
                case.file("sb.assets/mine.txt", OLD)
            case.note("sb.assets: %s" % kind)
        elif target == "sb.json" and chance(rng, 0.3):
            target = "s" * rng.choice([240, 248, 252]) + ".json"
            case.args[case.args.index("sb.json")] = target
            case.outputs = [o for o in case.outputs if not o.startswith("sb.")] + [target, target[:-5] + ".assets"]
            case.required = [o for o in case.required if o != "sb.json"] + [target]
            case.note("storyboard name of %d characters" % len(target))
        else:
            case.note(output_target(rng, case, target))
    elif mode == "input":
        command = rng.choice(["render", "render", "make", "model", "probe"])
        special = rng.choice(["fifo", "dir", "/dev/zero", "/dev/null", "/dev/stdin", "/dev/urandom", "zero_link",
                              "stdin_project", "missing", "/proc/self/status", "/"])
        name = {"render": "p.json", "make": "a.md", "model": "m.safetensors", "probe": "m.mp4"}[command]
        if special == "fifo":
            case.fifo(name)
        elif special == "dir":
            case.mkdir(name)
        elif special == "zero_link":
            case.symlink(name, "/dev/zero")
        elif special == "stdin_project":
            case.file("stdin.txt", emit_json(simple_project(rng, ctx, case)) if command == "render" else SHORT_ARTICLES["en"].encode())
            case.stdin = "stdin.txt"
            name = "/dev/stdin"
        elif special == "missing":
            name = "no-such-" + name
        else:
            name = special
        case.note("%s input: %s" % (command, special))
        if command == "render":
            case.args = ["render", name, "-o", "out.mp4"]
            case.outputs, case.required = ["out.mp4"], ["out.mp4"]
        elif command == "make":
            case.args = ["make", name, "--no-render", "--storyboard", "sb.json"]
            case.outputs, case.required = ["sb.json", "sb.assets"], ["sb.json"]
        elif command == "model":
            case.args = ["model", "info", name]
        else:
            case.args = ["probe", name]
    elif mode == "media_input":
        media = {"image": "i.png", "video": "v.mp4", "audio": "a.wav", "subtitles": "s.srt"}
        role = rng.choice(["image", "video", "audio", "subtitles", "music", "images"])
        special = rng.choice(["fifo", "dir", "zero_link", "null_link", "chardev", "dangling", "urandom_link"])
        path = {"image": "x.png", "video": "x.mp4", "audio": "x.wav", "subtitles": "x.srt", "music": "x.mp3",
                "images": "pics"}[role]
        if special == "fifo":
            case.fifo(path)
        elif special == "dir":
            case.mkdir(path)
        elif special == "chardev":
            case.chardev(path)
        elif special == "dangling":
            case.symlink(path, "/nonexistent/file")
        else:
            case.symlink(path, {"zero_link": "/dev/zero", "null_link": "/dev/null", "urandom_link": "/dev/urandom"}[special])
        case.note("%s is %s" % (role, special))
        if role in ("music", "images"):
            case.file("a.md", SHORT_ARTICLES["en"])
            case.args = ["make", "a.md", "--no-render", "--storyboard", "sb.json", "--" + role, path]
            case.outputs, case.required = ["sb.json", "sb.assets"], ["sb.json"]
        else:
            media[role] = path
            tree = simple_project(rng, ctx, case, media)
            if len(tree["clips"]) == 1:
                tree["clips"].append({"duration": 0.3, "layers": [{"type": "image", "path": media["image"]},
                                                                  {"type": "video", "path": media["video"]}]})
                tree["audio"] = [{"path": media["audio"]}]
                tree["subtitles"] = {"path": media["subtitles"]}
                add_media_files(case, ctx, {k: v for k, v in media.items() if k != role})
            case.file("p.json", emit_json(tree))
            case.args = ["render", "p.json", "-o", "out.mp4"]
            case.outputs, case.required = ["out.mp4"], ["out.mp4"]
    else:
        # file names with control characters, bidi controls or invalid UTF-8, existing or not
        weird = rng.choice(["a\nb.json", "\x1b[31mred.json", "\u202enosj.json", "sp ace.json", "-dash.json",
                            "x\udcff.json", "tab\t.json", "ü\u0308.json", "--help.json", "😀.yaml"])
        exists = chance(rng, 0.5)
        if exists:
            case.file(weird, emit_json(simple_project(rng, ctx, case)))
        case.args = ["render", "--", weird, "-o", "out.mp4"] if weird.startswith("-") else ["render", weird, "-o", "out.mp4"]
        if chance(rng, 0.5):
            out = rng.choice(["o\nut.mp4", "\x1b[2Jout.mp4", "out\u202e.mp4"])
            case.args[-1] = out
        case.outputs = [case.args[-1]]
        case.required = [case.args[-1]]
        case.note("weird name %r (%s)" % (weird, "exists" if exists else "missing"))


# --------------------------------------------------------------------------------------------------------
# Family 6: training sets and model folders

def family_generate(rng, ctx, case):
    """`phim train` on a set whose labels.json or clips are damaged (or absurd), `phim sample` on a model folder whose
    model.json or weights are: one error line, exit 2, no run folder left; or, for a set that works, a run."""
    videos = [n for n in MEDIA_KINDS["video"] if n in ctx.media]
    donors = [ctx.media[n] for n in rng.sample(sorted(ctx.media), 3)]
    if chance(rng, 0.6) and videos:
        case.mkdir("set")
        case.mkdir("set/clips")
        clips = []
        for index in range(rng.choice([1, 1, 2, 3])):
            source = rng.choice(videos)
            data = ctx.media[source]
            if chance(rng, 0.3):
                data, note = mutate_media(rng, source, data, donors)
                case.note("%s: %s" % (source, note))
            name = "clips/%d.%s" % (index, source.rsplit(".", 1)[1])
            case.file("set/" + name, data)
            clips.append(name)
        labels = {"kind": rng.choice(["cut", "shapes"]), "version": 1, "size": rng.choice([16, 32, 64, 160]),
                  "frames": rng.choice([2, 3, 4]), "fps": rng.choice([8, 16]),
                  "classes": rng.choice([[], ["a", "b"]]),
                  "clips": [{"file": c, "class": rng.choice([0, 1])} if chance(rng, 0.5) else {"file": c} for c in clips]}
        tree = mutate_tree(rng, labels, notes=case.notes, quick=ctx.quick) if chance(rng, 0.7) else labels
        case.file("set/labels.json", emit_json(tree))
        case.args = ["train", "set", "-o", "run", "--steps", "1", "--batch", "1", "--width", "4",
                     "--checkpoint-every", "1", "--sample-every", "1"]
        case.outputs = ["run", "set/cache"]
    else:
        config = {"architecture": "phim-mocogan-1", "size": rng.choice([16, 32, 64]), "frames": rng.choice([2, 4]),
                  "classes": rng.choice([0, 2]), "contentDimension": 8, "motionNoiseDimension": 4, "motionDimension": 8,
                  "classDimension": 4, "generatorWidth": 4, "discriminatorWidth": 4}
        sidecar = {"format": "phim-video-generator-1", "config": config, "classes": ["a", "b"] if config["classes"] else [],
                   "fps": 8, "step": 1, "seed": 1, "batch": 1, "dataset": "shapes", "clips": 4,
                   "settings": {"learningRate": 0.0002, "beta1": 0, "beta2": 0.99, "r1Gamma": 0.2, "r1Interval": 16,
                                "reconstructionWeight": 10, "emaDecay": 0.999, "augment": True}}
        if chance(rng, 0.3):
            config[rng.choice(sorted(config))] = rng.choice([0, -1, 4096, 2 ** 31, 2 ** 62, 1e300, "64", None, [64]])
        tree = mutate_tree(rng, sidecar, notes=case.notes, quick=ctx.quick) if chance(rng, 0.6) else sidecar
        case.mkdir("model")
        case.file("model/model.json", emit_json(tree))
        header, data = make_safetensors(rng)
        blob = safetensors_file(header, data)
        if chance(rng, 0.3):
            blob, note = byte_mutation(rng, blob)
            case.note(note)
        case.file("model/model.safetensors", blob)
        case.args = ["sample", "model", "-o", "out", "--count", "1", "--scale", "1"]
        if chance(rng, 0.3):
            case.args += rng.choice([["--class", "1"], ["--class", "b"], ["--frames", "3"], ["--seed", "7"]])
        case.outputs = ["out"]



# --------------------------------------------------------------------------------------------------------
# Family 7: faces (phim faces, phim consent, phim swap)

def family_faces(rng, ctx, case):
    """`phim faces` on damaged media; `phim consent create` with a damaged photo or odd strings; `phim consent show`
    and `phim swap` with a damaged consent record, source or target. Each either writes its outputs or fails cleanly."""
    if "consent.json" not in ctx.media or "face.jpg" not in ctx.media or "face.mp4" not in ctx.media:
        case.args = ["faces", "missing.mp4"]
        return

    def damaged(source, rounds):
        data = ctx.media[source]
        donors = [ctx.media[n] for n in rng.sample(sorted(ctx.media), 3)]
        for _ in range(rounds):
            data, note = mutate_media(rng, source, data, donors)
            case.note("%s: %s" % (source, note))
        return data

    def consent_record():
        data = ctx.media["consent.json"]
        if chance(rng, 0.6):
            try:
                tree = json.loads(data.decode("utf-8"))
                tree = mutate_tree(rng, tree, notes=case.notes, quick=ctx.quick)
                data = emit_json(tree)
            except ValueError:
                pass
        elif chance(rng, 0.5):
            data, note = byte_mutation(rng, data)
            case.note("consent.json: " + note)
        return data

    kind = weighted(rng, [("faces", 30), ("create", 20), ("show", 20), ("swap", 30), ("train", 10), ("model", 10)])
    if kind == "faces":
        source = rng.choice(["face.jpg", "face.mp4"] + [n for n in MEDIA_KINDS["video"] if n in ctx.media][:2])
        name = "m." + source.rsplit(".", 1)[1]
        case.file(name, damaged(source, rng.choice([0, 1, 1, 2])))
        case.args = ["faces", name, "--sheet", "s.png"] + (["--json"] if chance(rng, 0.5) else [])
        case.outputs = ["s.png"]
        case.required = ["s.png"]
    elif kind == "create":
        case.file("p.jpg", damaged("face.jpg", rng.choice([0, 1, 1, 2])))
        def argument():
            # Strings a command line can carry (no NUL, no lone surrogates), odd as they are.
            text = weird_string(rng)
            if not isinstance(text, str) or "\0" in text or any(0xD800 <= ord(c) <= 0xDFFF for c in text):
                return "x\u202e\u0007 \t"
            return text
        name = argument() if chance(rng, 0.3) else "Someone"
        purpose = argument() if chance(rng, 0.3) else "fuzzing"
        case.args = ["consent", "create", "--name", name, "--image", "p.jpg", "--purpose", purpose, "-o", "c.json"]
        if chance(rng, 0.2):
            case.args += ["--expires", rng.choice(["2099-01-01", "1999-01-01", "tomorrow", "2099-13-45", ""])]
        case.outputs = ["c.json"]
        case.required = ["c.json"]
        case.formats["c.json"] = "json"
    elif kind == "show":
        case.file("c.json", consent_record())
        case.args = ["consent", "show", "c.json"]
    elif kind == "swap":
        case.file("c.json", consent_record() if chance(rng, 0.5) else ctx.media["consent.json"])
        case.file("s.jpg", damaged("face.jpg", rng.choice([0, 0, 1])))
        case.file("t.mp4", damaged("face.mp4", rng.choice([0, 1, 1, 2])))
        case.args = ["swap", "--source", "s.jpg", "--target", "t.mp4", "--consent", "c.json", "-o", "out.mp4",
                     "--preset", "ultrafast"]
        if chance(rng, 0.2):
            case.args += rng.choice([["--target-face", "2"], ["--color", "histogram"], ["--detect-every", "1"],
                                     ["--keep-source-lighting"], ["--report", "r.json"]])
        case.outputs = ["out.mp4"] + (["r.json", "r.png"] if "--report" in case.args else [])
        case.required = ["out.mp4"]
    elif kind == "train":
        # A few steps of a tiny model on a damaged source, target or consent: a run folder, or nothing.
        case.file("c.json", consent_record() if chance(rng, 0.4) else ctx.media["consent.json"])
        case.file("s.jpg", damaged("face.jpg", rng.choice([0, 0, 1])))
        case.file("t.mp4", damaged("face.mp4", rng.choice([0, 1, 1, 2])))
        case.args = ["swap", "train", "--source", "s.jpg", "--target", "t.mp4", "--consent", "c.json", "-o", "run",
                     "--steps", "2", "--batch", "2", "--encoder-width", "4", "--decoder-width", "4"]
        case.outputs = ["run"]
        case.required = ["run/model.json"]
    else:
        # `phim swap --model` with a run folder whose description or weights are damaged or made up.
        case.file("c.json", ctx.media["consent.json"])
        case.file("s.jpg", ctx.media["face.jpg"])
        case.file("t.mp4", ctx.media["face.mp4"])
        sidecar = {"kind": "phim-face-swap", "step": 1,
                   "config": {"architecture": "phim-df-1", "size": 64, "encoderWidth": 4, "decoderWidth": 4, "latent": 16},
                   "source": {"files": ["s.jpg"], "faces": 1, "descriptor": {"values": [0.0] * 128}},
                   "target": {"files": ["t.mp4"], "faces": 1, "descriptor": {"values": [0.0] * 128}},
                   "consentSHA256": "00" * 32, "consentName": "x"}
        sidecar = mutate_tree(rng, sidecar, notes=case.notes, quick=ctx.quick) if chance(rng, 0.7) else sidecar
        case.mkdir("run")
        case.file("run/model.json", emit_json(sidecar))
        shapes = rng.choice([[[4, 3, 5, 5]], [[2, 2]], [], [[1 << 20, 1 << 20]]])
        header, offset, data = {}, 0, b""
        for k, shape in enumerate(shapes):
            count = 1
            for d in shape:
                count *= d
            size = min(count * 4, 4096)
            header["encoder.layers.%d.weight" % k] = {"dtype": "F32", "shape": shape, "data_offsets": [offset, offset + size]}
            data += bytes(rng.randrange(256) for _ in range(size))
            offset += size
        weights = safetensors_file(header, data)
        if chance(rng, 0.3):
            weights, note = byte_mutation(rng, weights)
            case.note("model.safetensors: " + note)
        case.file("run/model.safetensors", weights)
        case.args = ["swap", "--source", "s.jpg", "--target", "t.mp4", "--consent", "c.json", "--model", "run", "-o", "out.mp4",
                     "--preset", "ultrafast"]
        case.outputs = ["out.mp4"]
        case.required = ["out.mp4"]

# Family 8: detect (phim detect with damaged media or a damaged detector folder)

def detector_folder(rng, case, quick):
    """A made-up detector (87 features), its description or weights damaged or not."""
    d = 87
    sidecar = {"kind": "phim-detector", "architecture": "spectral-linear-1", "features": d, "temperature": 1.5,
               "threshold": 0.5, "trainedOn": {"realVideos": ["a.mp4"], "fakeVideos": ["b.mp4"], "frames": 10}}
    if chance(rng, 0.5):
        sidecar = mutate_tree(rng, sidecar, notes=case.notes, quick=quick)
    case.mkdir("det")
    case.file("det/model.json", emit_json(sidecar))
    tensors = {"bias": [0.1], "mean": [0.0] * d, "scale": [1.0] * d, "weights": [0.01 * ((k % 7) - 3) for k in range(d)]}
    if chance(rng, 0.3):
        name = rng.choice(sorted(tensors))
        tensors[name] = tensors[name][: rng.choice([0, 1, d - 1])] or [float("nan")]
        case.note("det: %s resized" % name)
    header, data = {}, b""
    for name in sorted(tensors):
        values = tensors[name]
        blob = struct.pack("<%df" % len(values), *values)
        header[name] = {"dtype": "F32", "shape": [len(values)], "data_offsets": [len(data), len(data) + len(blob)]}
        data += blob
    weights = safetensors_file(header, data)
    if chance(rng, 0.3):
        weights, note = byte_mutation(rng, weights)
        case.note("det/model.safetensors: " + note)
    case.file("det/model.safetensors", weights)


def family_detect(rng, ctx, case):
    """`phim detect FILE --model det` on damaged media or with a damaged detector. Either it prints a verdict or
    fails cleanly; it writes nothing."""
    videos = [n for n in MEDIA_KINDS["video"] if n in ctx.media] + [n for n in ("face.jpg", "face.mp4") if n in ctx.media]
    if not videos:
        case.args = ["detect", "missing.mp4", "--model", "det"]
        return
    source = rng.choice(videos)
    data = ctx.media[source]
    donors = [ctx.media[n] for n in rng.sample(sorted(ctx.media), 3)]
    for _ in range(rng.choice([0, 1, 1, 2])):
        data, note = mutate_media(rng, source, data, donors)
        case.note("%s: %s" % (source, note))
    name = "m." + source.rsplit(".", 1)[1]
    case.file(name, data)
    detector_folder(rng, case, ctx.quick)
    case.args = ["detect", name, "--model", "det"] + (["--json"] if chance(rng, 0.5) else [])
    if chance(rng, 0.3):
        case.args += ["--heatmap", "h.png"]
        case.outputs = ["h.png"]
        case.required = ["h.png"]


FAMILIES = {
    "project": family_project,
    "media": family_media,
    "make": family_make,
    "safetensors": family_safetensors,
    "targets": family_targets,
    "generate": family_generate,
    "faces": family_faces,
    "detect": family_detect,
}

WEIGHTS = {"project": 34, "media": 20, "make": 11, "safetensors": 13, "targets": 13, "generate": 9, "faces": 8, "detect": 4}
QUICK_WEIGHTS = {"project": 38, "media": 20, "make": 5, "safetensors": 15, "targets": 14, "generate": 8, "faces": 6, "detect": 3}


def build_case(rng, ctx, index):
    weights = QUICK_WEIGHTS if ctx.quick else WEIGHTS
    family = weighted(rng, sorted(weights.items()))
    case = Case(family, index)
    FAMILIES[family](rng, ctx, case)
    return case
