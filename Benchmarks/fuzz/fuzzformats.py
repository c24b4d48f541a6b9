"""Writers for the fuzzer's inputs: JSON and YAML emitters that can also write broken documents, hand-made
PNG, WAV and safetensors files, subtitle files, the test media made with ffmpeg, and byte-level mutators.

Standard library only. Everything here is deterministic for a given `random.Random`.
"""

import json
import math
import os
import re
import struct
import subprocess
import zlib

# --------------------------------------------------------------------------------------------------------
# Document trees. Ordinary Python values (dict, list, str, int, float, bool, None) plus a few markers that
# let the emitters write things a dict cannot hold.


class Raw:
    """Text written verbatim (e.g. `1e999`, `NaN`, `0x10`); in YAML also any scalar syntax."""

    def __init__(self, text):
        self.text = text

    def __repr__(self):
        return "Raw(%r)" % self.text[:40]


class Pairs:
    """An object whose members may repeat a key (duplicate keys)."""

    def __init__(self, pairs):
        self.pairs = list(pairs)


class Bytes:
    """A string written as these raw bytes between quotes (so it can hold invalid UTF-8)."""

    def __init__(self, data):
        self.data = data

    def __repr__(self):
        return "Bytes(%r)" % self.data[:40]


class Deep:
    """`depth` nested arrays or objects around `leaf` (written without recursion)."""

    def __init__(self, depth, kind="array", leaf="1"):
        self.depth, self.kind, self.leaf = depth, kind, leaf


class Anchor:
    """YAML: `&name node`. JSON writes the node."""

    def __init__(self, name, node):
        self.name, self.node = name, node


class Alias:
    """YAML: `*name`. JSON writes `fallback`."""

    def __init__(self, name, fallback=None):
        self.name, self.fallback = name, fallback


class Tagged:
    """YAML: `!tag node` (e.g. `!!binary`, `!!python/object:os.system`). JSON writes the node."""

    def __init__(self, tag, node):
        self.tag, self.node = tag, node


def is_container(node):
    return isinstance(node, (dict, list, Pairs))


def items_of(node):
    return list(node.items()) if isinstance(node, dict) else list(node.pairs)


_SURROGATE = re.compile("[\ud800-\udfff]")


def _escape_surrogates(text):
    # Lone surrogates (not the U+DC80..U+DCFF that carry raw bytes) are written as \\uXXXX escapes.
    return _SURROGATE.sub(lambda m: "\\u%04x" % ord(m.group(0)), text)


def _encode(text):
    return text.encode("utf-8", "surrogateescape")


def _raw_text(data):
    return data.decode("utf-8", "surrogateescape") if isinstance(data, bytes) else data


# --------------------------------------------------------------------------------------------------------
# JSON


def emit_json(node, pretty=False, ascii_only=False):
    out = []
    _json(node, out, pretty, ascii_only, 0)
    return _encode("".join(out) + ("\n" if pretty else ""))


def _json_number(value):
    if isinstance(value, float):
        if math.isnan(value):
            return "NaN"
        if math.isinf(value):
            return "1e999" if value > 0 else "-1e999"
        return repr(value)
    return str(value)


def _json(node, out, pretty, ascii_only, depth):
    if isinstance(node, Raw):
        out.append(_raw_text(node.text))
    elif isinstance(node, Bytes):
        out.append('"' + node.data.decode("utf-8", "surrogateescape") + '"')
    elif isinstance(node, Deep):
        if node.kind == "array":
            out.append("[" * node.depth + node.leaf + "]" * node.depth)
        else:
            out.append('{"a":' * node.depth + node.leaf + "}" * node.depth)
    elif isinstance(node, (Anchor, Tagged)):
        _json(node.node, out, pretty, ascii_only, depth)
    elif isinstance(node, Alias):
        _json(node.fallback, out, pretty, ascii_only, depth)
    elif node is None:
        out.append("null")
    elif node is True:
        out.append("true")
    elif node is False:
        out.append("false")
    elif isinstance(node, (int, float)):
        out.append(_json_number(node))
    elif isinstance(node, str):
        text = json.dumps(node, ensure_ascii=ascii_only)
        out.append(text if ascii_only else _escape_surrogates(text))
    elif isinstance(node, (dict, Pairs)):
        members = items_of(node)
        if not members:
            out.append("{}")
            return
        inner = "\n" + "  " * (depth + 1) if pretty else ""
        out.append("{")
        for index, (key, value) in enumerate(members):
            if index:
                out.append(",")
            out.append(inner)
            _json(key if isinstance(key, (Bytes, Raw)) else str(key), out, pretty, ascii_only, depth + 1)
            out.append(": " if pretty else ":")
            _json(value, out, pretty, ascii_only, depth + 1)
        out.append(("\n" + "  " * depth if pretty else "") + "}")
    elif isinstance(node, list):
        if not node:
            out.append("[]")
            return
        inner = "\n" + "  " * (depth + 1) if pretty else ""
        out.append("[")
        for index, value in enumerate(node):
            if index:
                out.append(",")
            out.append(inner)
            _json(value, out, pretty, ascii_only, depth + 1)
        out.append(("\n" + "  " * depth if pretty else "") + "]")
    else:
        raise TypeError("cannot emit %r" % (node,))


# --------------------------------------------------------------------------------------------------------
# YAML: block style by default, flow style for some collections, every marker above.

_PLAIN = re.compile(r"[^\W\d_][\w .()/'-]*", re.UNICODE)
_RESERVED = {"true", "false", "null", "yes", "no", "on", "off", "y", "n", "~"}


def yaml_quote(text):
    out = ['"']
    for ch in text:
        code = ord(ch)
        if ch == '"':
            out.append('\\"')
        elif ch == "\\":
            out.append("\\\\")
        elif ch == "\n":
            out.append("\\n")
        elif ch == "\t":
            out.append("\\t")
        elif ch == "\0":
            out.append("\\0")
        elif ch == "\x1b":
            out.append("\\e")
        elif code < 0x20 or code == 0x7F or 0x80 <= code < 0xA0:
            out.append("\\x%02x" % code)
        elif 0xD800 <= code < 0xE000:
            out.append("\\u%04x" % code)
        elif code in (0xFEFF, 0x2028, 0x2029, 0x85):
            out.append("\\u%04x" % code)
        else:
            out.append(ch)
    out.append('"')
    return "".join(out)


class YAMLEmitter:
    def __init__(self, rng, flow_share=0.25, step=2, quote_share=0.2):
        self.rng, self.flow_share, self.step, self.quote_share = rng, flow_share, step, quote_share

    def emit(self, node):
        kind, payload, prefix = self.value(node, 0)
        if kind == "inline":
            text = payload + "\n"
        else:
            text = (prefix + "\n" if prefix else "") + "\n".join(payload) + "\n"
        return _encode(text)

    def scalar(self, node):
        if node is None:
            return self.rng.choice(["null", "~", "null"])
        if node is True:
            return "true"
        if node is False:
            return "false"
        if isinstance(node, float):
            if math.isnan(node):
                return ".nan"
            if math.isinf(node):
                return ".inf" if node > 0 else "-.inf"
            return repr(node)
        if isinstance(node, int):
            return str(node)
        if isinstance(node, str):
            if (len(node) < 200 and _PLAIN.fullmatch(node) and node.strip() == node and node.lower() not in _RESERVED
                    and self.rng.random() >= self.quote_share):
                return node
            return yaml_quote(node)
        raise TypeError(node)

    def key(self, key):
        if isinstance(key, Bytes):
            return '"' + key.data.decode("utf-8", "surrogateescape") + '"'
        if isinstance(key, Raw):
            return _raw_text(key.text)
        return self.scalar(str(key))

    def flow(self, node):
        if isinstance(node, (dict, Pairs)):
            return "{" + ", ".join(self.key(k) + ": " + self.flow(v) for k, v in items_of(node)) + "}"
        if isinstance(node, list):
            return "[" + ", ".join(self.flow(v) for v in node) + "]"
        kind, payload, prefix = self.value(node, 0, force_flow=True)
        return payload

    def value(self, node, indent, force_flow=False):
        """('inline', text, '') or ('block', lines indented by `indent`, prefix for the parent line)."""
        if isinstance(node, Raw):
            return "inline", _raw_text(node.text), ""
        if isinstance(node, Bytes):
            return "inline", '"' + node.data.decode("utf-8", "surrogateescape") + '"', ""
        if isinstance(node, Alias):
            return "inline", "*" + node.name, ""
        if isinstance(node, (Anchor, Tagged)):
            mark = "&" + node.name if isinstance(node, Anchor) else node.tag
            kind, payload, prefix = self.value(node.node, indent, force_flow)
            if kind == "inline":
                return "inline", mark + " " + payload, ""
            return "block", payload, (mark + " " + prefix).strip()
        if isinstance(node, Deep):
            if node.kind == "block" and not force_flow:
                return "block", [" " * indent + "- " * node.depth + node.leaf], ""
            if node.kind == "array":
                return "inline", "[" * node.depth + node.leaf + "]" * node.depth, ""
            return "inline", "{a: " * node.depth + node.leaf + "}" * node.depth, ""
        if isinstance(node, (dict, Pairs, list)):
            members = items_of(node) if not isinstance(node, list) else node
            if not members:
                return "inline", "{}" if not isinstance(node, list) else "[]", ""
            if force_flow or self.rng.random() < self.flow_share:
                return "inline", self.flow(node), ""
            if isinstance(node, list):
                return "block", self.block_sequence(node, indent), ""
            return "block", self.block_mapping(members, indent), ""
        return "inline", self.scalar(node), ""

    def block_mapping(self, members, indent):
        lines, pad = [], " " * indent
        for key, value in members:
            kind, payload, prefix = self.value(value, indent + self.step)
            if kind == "inline":
                lines.append(pad + self.key(key) + ": " + payload)
            else:
                lines.append(pad + self.key(key) + ":" + (" " + prefix if prefix else ""))
                lines.extend(payload)
        return lines

    def block_sequence(self, items, indent):
        lines, pad = [], " " * indent
        for value in items:
            kind, payload, prefix = self.value(value, indent + 2)
            if kind == "inline":
                lines.append(pad + "- " + payload)
            elif prefix:
                lines.append(pad + "- " + prefix)
                lines.extend(payload)
            else:
                lines.append(pad + "- " + payload[0][indent + 2:])
                lines.extend(payload[1:])
        return lines


def emit_yaml(node, rng, **style):
    return YAMLEmitter(rng, **style).emit(node)


# --------------------------------------------------------------------------------------------------------
# Byte-level mutators (shared by every family).

INTERESTING_BYTES = [b"\x00", b"\xff", b"\xfe\xff", b"\xef\xbb\xbf", b"\xc0\xaf", b"\xed\xa0\x80", b"\xf4\x90\x80\x80",
                     b"\x80", b"\xc3", b"\x1b[31m", b"\r", b"\n", b"\t", b"\"", b"\\", b"{", b"[", b"]", b"}", b":",
                     b"&a ", b"*a", b"<<: ", b"- ", b"#", b"'", b"\xe2\x80\xae", b"%", b"!!", b"---\n", b"..."]


def bit_flips(rng, data, count, limit=None, start=0):
    if not data:
        return data
    buf = bytearray(data)
    span = min(len(buf), limit) if limit else len(buf)
    start = min(start, span - 1)
    for _ in range(count):
        pos = rng.randrange(start, span)
        buf[pos] ^= 1 << rng.randrange(8)
    return bytes(buf)


def byte_mutation(rng, data, donors=()):
    """One random byte-level change; returns (bytes, note)."""
    choice = rng.randrange(9)
    n = len(data)
    if choice == 0 or n == 0:
        pos = rng.randrange(n + 1)
        ins = rng.choice(INTERESTING_BYTES) * rng.choice([1, 1, 1, 2, 16, 1000])
        return data[:pos] + ins + data[pos:], "insert %d bytes at %d" % (len(ins), pos)
    if choice == 1:
        count = rng.choice([1, 1, 2, 4, 16, 64])
        return bit_flips(rng, data, count), "%d bit flips" % count
    if choice == 2:
        cut = rng.randrange(n)
        return data[:cut], "truncated to %d bytes" % cut
    if choice == 3:
        a = rng.randrange(n)
        b = min(n, a + rng.choice([1, 2, 8, 64, 512]))
        return data[:a] + data[b:], "deleted bytes %d..%d" % (a, b)
    if choice == 4:
        a = rng.randrange(n)
        b = min(n, a + rng.choice([1, 8, 64, 512]))
        reps = rng.choice([2, 10, 100])
        return data[:a] + data[a:b] * reps + data[b:], "repeated bytes %d..%d x%d" % (a, b, reps)
    if choice == 5 and donors:
        donor = rng.choice(donors)
        if donor:
            a = rng.randrange(len(donor))
            b = min(len(donor), a + rng.randrange(1, 2048))
            pos = rng.randrange(n + 1)
            return data[:pos] + donor[a:b] + data[rng.randrange(pos, n + 1):], "spliced %d donor bytes at %d" % (b - a, pos)
    if choice == 6:
        pos = rng.randrange(n)
        value = rng.choice([b"\x00", b"\xff", b"\x7f", b"\x80"])
        width = rng.choice([1, 2, 4, 8])
        return data[:pos] + value * width + data[pos + width:], "overwrote %d bytes at %d" % (width, pos)
    if choice == 7:
        # replace a run of ASCII digits with an extreme number
        spans = [m.span() for m in re.finditer(rb"-?\d+(\.\d+)?", data)]
        if spans:
            a, b = rng.choice(spans)
            number = rng.choice([b"9223372036854775807", b"-9223372036854775808", b"1e308", b"1e999", b"-0", b"0",
                                 b"5e-324", b"18446744073709551616", b"99999999999999999999999", b"NaN", b"0x7fffffff"])
            return data[:a] + number + data[b:], "number at %d -> %s" % (a, number.decode())
    pos = rng.randrange(n + 1)
    junk = bytes(rng.randrange(256) for _ in range(rng.choice([1, 4, 32, 256])))
    return data[:pos] + junk + data[pos:], "inserted %d random bytes at %d" % (len(junk), pos)


# --------------------------------------------------------------------------------------------------------
# PNG


def _png_chunk(kind, body, fix_crc=True):
    crc = zlib.crc32(kind + body) & 0xFFFFFFFF
    if not fix_crc:
        crc ^= 0xDEADBEEF
    return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", crc)


def make_png(width=32, height=24, color_type=2, bit_depth=8, seed=0, interlace=0):
    channels = {0: 1, 2: 3, 3: 1, 4: 2, 6: 4}[color_type]
    bpp = channels * bit_depth // 8 or 1
    rows = []
    for y in range(height):
        row = bytearray([0])
        for x in range(width):
            for c in range(max(1, bpp)):
                row.append((x * 7 + y * 13 + c * 50 + seed) & 0xFF)
        rows.append(bytes(row))
    raw = b"".join(rows)
    ihdr = struct.pack(">IIBBBBB", width, height, bit_depth, color_type, 0, 0, interlace)
    chunks = [_png_chunk(b"IHDR", ihdr)]
    if color_type == 3:
        chunks.append(_png_chunk(b"PLTE", bytes((i * 3 + k * 80) & 0xFF for i in range(256) for k in range(3))))
    chunks.append(_png_chunk(b"IDAT", zlib.compress(raw, 6)))
    chunks.append(_png_chunk(b"IEND", b""))
    return b"\x89PNG\r\n\x1a\n" + b"".join(chunks)


def png_chunks(data):
    """[(offset, length, kind)] of the chunks of a PNG (stops at the first inconsistency)."""
    out, pos = [], 8
    while pos + 8 <= len(data):
        length = struct.unpack(">I", data[pos:pos + 4])[0]
        kind = data[pos + 4:pos + 8]
        out.append((pos, length, kind))
        pos += 12 + length
    return out


def png_edit_ihdr(data, rng):
    chunks = png_chunks(data)
    if not chunks or chunks[0][2] != b"IHDR":
        return data, "no IHDR"
    pos, length, _ = chunks[0]
    body = bytearray(data[pos + 8:pos + 8 + length])
    field = rng.choice(["width", "height", "both", "depth", "type", "interlace"])
    extreme = [0, 1, 65535, 65536, 100000, 0x7FFFFFFF, 0x80000000, 0xFFFFFFFF]
    if field in ("width", "both"):
        body[0:4] = struct.pack(">I", rng.choice(extreme))
    if field in ("height", "both"):
        body[4:8] = struct.pack(">I", rng.choice(extreme))
    if field == "depth":
        body[8] = rng.choice([0, 1, 2, 3, 5, 16, 255])
    if field == "type":
        body[9] = rng.choice([1, 3, 5, 7, 255])
    if field == "interlace":
        body[12] = rng.choice([1, 2, 255])
    fix = rng.random() < 0.8
    chunk = _png_chunk(b"IHDR", bytes(body), fix_crc=fix)
    return data[:pos] + chunk + data[pos + 12 + length:], "PNG IHDR %s -> %s (crc %s)" % (
        field, bytes(body[:13]).hex(), "fixed" if fix else "wrong")


# --------------------------------------------------------------------------------------------------------
# JPEG


def jpeg_edit_sof(data, rng):
    pos = 2
    while pos + 4 <= len(data):
        if data[pos] != 0xFF:
            break
        marker = data[pos + 1]
        length = struct.unpack(">H", data[pos + 2:pos + 4])[0]
        if marker in (0xC0, 0xC1, 0xC2):
            buf = bytearray(data)
            field = rng.choice(["height", "width", "both", "components", "precision"])
            if field in ("height", "both"):
                buf[pos + 5:pos + 7] = struct.pack(">H", rng.choice([0, 1, 65535, 40000]))
            if field in ("width", "both"):
                buf[pos + 7:pos + 9] = struct.pack(">H", rng.choice([0, 1, 65535, 40000]))
            if field == "components":
                buf[pos + 9] = rng.choice([0, 2, 4, 255])
            if field == "precision":
                buf[pos + 4] = rng.choice([0, 12, 16, 255])
            return bytes(buf), "JPEG SOF %s edited" % field
        if marker == 0xDA:
            break
        pos += 2 + length
    return data, "no SOF"


# --------------------------------------------------------------------------------------------------------
# WAV


def make_wav(samples, channels=1, rate=44100, fmt="s16", extensible=False):
    """`samples` is a flat list of interleaved floats (fmt f32/f64) or ints."""
    if fmt == "f32":
        tag, bits, payload = 3, 32, struct.pack("<%df" % len(samples), *samples)
    elif fmt == "f64":
        tag, bits, payload = 3, 64, struct.pack("<%dd" % len(samples), *samples)
    elif fmt == "u8":
        tag, bits, payload = 1, 8, bytes(int(s) & 0xFF for s in samples)
    elif fmt == "s24":
        tag, bits = 1, 24
        payload = b"".join(struct.pack("<i", int(s))[:3] for s in samples)
    else:
        tag, bits, payload = 1, 16, struct.pack("<%dh" % len(samples), *[int(s) for s in samples])
    block = channels * bits // 8
    if extensible:
        sub = (b"\x03\x00" if tag == 3 else b"\x01\x00") + b"\x00\x00\x00\x00\x10\x00\x80\x00\x00\xaa\x00\x38\x9b\x71"
        fmt_body = struct.pack("<HHIIHHHHI", 0xFFFE, channels, rate, rate * block, block, bits, 22, bits, 0) + sub
    else:
        fmt_body = struct.pack("<HHIIHH", tag, channels, rate, rate * block, block, bits)
    body = b"WAVE" + b"fmt " + struct.pack("<I", len(fmt_body)) + fmt_body + b"data" + struct.pack("<I", len(payload)) + payload
    if len(payload) % 2:
        body += b"\x00"
    return b"RIFF" + struct.pack("<I", len(body)) + body


def wav_edit_header(data, rng):
    pos = data.find(b"fmt ")
    if pos < 0 or pos + 24 > len(data):
        return data, "no fmt chunk"
    buf = bytearray(data)
    field = rng.choice(["tag", "channels", "rate", "byterate", "align", "bits", "datasize", "riffsize", "fmtsize"])
    base = pos + 8
    if field == "tag":
        buf[base:base + 2] = struct.pack("<H", rng.choice([0, 2, 3, 6, 0x55, 0xFFFE, 0xFFFF]))
    elif field == "channels":
        buf[base + 2:base + 4] = struct.pack("<H", rng.choice([0, 3, 64, 255, 256, 65535]))
    elif field == "rate":
        buf[base + 4:base + 8] = struct.pack("<I", rng.choice([0, 1, 7, 8000, 192000, 384000, 0x7FFFFFFF, 0xFFFFFFFF]))
    elif field == "byterate":
        buf[base + 8:base + 12] = struct.pack("<I", rng.choice([0, 1, 0xFFFFFFFF]))
    elif field == "align":
        buf[base + 12:base + 14] = struct.pack("<H", rng.choice([0, 1, 3, 65535]))
    elif field == "bits":
        buf[base + 14:base + 16] = struct.pack("<H", rng.choice([0, 1, 7, 12, 48, 64, 65535]))
    elif field == "datasize":
        d = data.find(b"data")
        if d >= 0:
            buf[d + 4:d + 8] = struct.pack("<I", rng.choice([0, 1, 3, 0x7FFFFFFF, 0xFFFFFFFF]))
    elif field == "riffsize":
        buf[4:8] = struct.pack("<I", rng.choice([0, 4, 0xFFFFFFFF]))
    else:
        buf[pos + 4:pos + 8] = struct.pack("<I", rng.choice([0, 2, 15, 0xFFFFFFF0, 0xFFFFFFFF]))
    return bytes(buf), "WAV header %s edited" % field


# --------------------------------------------------------------------------------------------------------
# MP4 (ISO BMFF) box edits


def mp4_edit_box(data, rng):
    targets = {
        b"mvhd": [(12, 4), (16, 4)], b"mdhd": [(12, 4), (16, 4)], b"tkhd": [(20, 4), (76, 4), (80, 4)],
        b"stts": [(4, 4), (8, 4), (12, 4)], b"stsz": [(8, 4), (4, 4), (12, 4)], b"stco": [(4, 4), (8, 4)],
        b"stsc": [(4, 4), (8, 4)], b"avc1": [(24, 2), (26, 2)], b"mp4a": [(16, 2), (18, 2), (24, 4)],
        b"stss": [(4, 4), (8, 4)], b"elst": [(4, 4), (8, 4), (12, 4)], b"ctts": [(4, 4), (8, 4)],
    }
    found = []
    for kind, fields in targets.items():
        for m in re.finditer(re.escape(kind), data):
            found.append((m.start(), kind, fields))
    if not found or rng.random() < 0.2:
        # a box size field
        boxes = [m.start() - 4 for m in re.finditer(rb"(moov|trak|mdia|minf|stbl|mdat|ftyp|udta|edts)", data) if m.start() >= 4]
        if not boxes:
            return data, "no boxes"
        at = rng.choice(boxes)
        value = rng.choice([0, 1, 7, 8, 0x7FFFFFFF, 0xFFFFFFFF])
        return data[:at] + struct.pack(">I", value) + data[at + 4:], "MP4 box size at %d -> %d" % (at, value)
    at, kind, fields = rng.choice(found)
    offset, width = rng.choice(fields)
    pos = at + 4 + offset  # after the type: version/flags then fields
    if pos + width > len(data):
        return data, "box too short"
    value = rng.choice([0, 1, 0x7FFF, 0xFFFF, 0x7FFFFFFF, 0xFFFFFFFF])
    packed = struct.pack(">I", value & 0xFFFFFFFF) if width == 4 else struct.pack(">H", value & 0xFFFF)
    return data[:pos] + packed + data[pos + width:], "MP4 %s field +%d -> %#x" % (kind.decode(), offset, value)


# --------------------------------------------------------------------------------------------------------
# Safetensors

DTYPE_SIZES = {"F32": 4, "F16": 2, "BF16": 2, "F64": 8, "I64": 8, "I32": 4, "U8": 1, "BOOL": 1, "I8": 1, "I16": 2,
               "U16": 2, "U32": 4, "U64": 8}


def safetensors_tensor_bytes(rng, dtype, count):
    if dtype == "F32":
        values = [rng.choice([0.5, -1.25, 3.0, 1e30, float("nan"), float("inf"), -0.0]) for _ in range(count)]
        return struct.pack("<%df" % count, *values)
    if dtype == "F64":
        return struct.pack("<%dd" % count, *[rng.choice([1.5, -2.0, 1e308, 5e-324]) for _ in range(count)])
    if dtype in ("F16", "BF16"):
        return bytes(rng.randrange(256) for _ in range(2 * count))
    if dtype == "BOOL":
        return bytes(rng.choice([0, 1, 1, 255]) for _ in range(count))
    size = DTYPE_SIZES.get(dtype, 1)
    return bytes(rng.randrange(256) for _ in range(size * count))


def safetensors_file(header, data, length=None, pad=0):
    """Header dict (emitted as compact JSON) + data, with an optional wrong length and trailing spaces."""
    text = emit_json(header) + b" " * pad
    return struct.pack("<Q", len(text) if length is None else length & 0xFFFFFFFFFFFFFFFF) + text + data


def make_safetensors(rng, tensors=None):
    """A valid file: returns (header dict, data bytes)."""
    if tensors is None:
        tensors = []
        for index in range(rng.randint(1, 5)):
            dtype = rng.choice(["F32", "F16", "BF16", "F64", "I64", "I32", "U8", "BOOL"])
            shape = rng.choice([[], [1], [3], [2, 3], [2, 2, 2], [0], [4, 0], [1, 1, 1, 1]])
            tensors.append(("layer%d.%s" % (index, rng.choice(["weight", "bias", "running_mean"])), dtype, shape))
    header, data = {}, b""
    if rng.random() < 0.7:
        header["__metadata__"] = {"format": "pt", "phim.step": "12"}
    for name, dtype, shape in tensors:
        count = 1
        for d in shape:
            count *= d
        blob = safetensors_tensor_bytes(rng, dtype, count)
        header[name] = {"dtype": dtype, "shape": shape, "data_offsets": [len(data), len(data) + len(blob)]}
        data += blob
    return header, data


# --------------------------------------------------------------------------------------------------------
# Subtitles

SRT = """1
00:00:00,000 --> 00:00:00,600
Xin chào, <i>thế giới</i>!

2
00:00:00,500 --> 00:00:01,400
Second cue
with two lines

3
00:00:01,200 --> 00:00:02,000
<b>Bold</b> and {\\an8}tags
"""

VTT = """WEBVTT - a header

NOTE a comment

00:00.000 --> 00:00.800 align:start position:10%
<00:00.000>Karaoke <00:00.300>words <00:00.550>here

cue-2
00:00:00.700 --> 00:00:01.900
<v Speaker>Second <c.yellow>cue</c> — Tiếng Việt
"""

ASS = """[Script Info]
ScriptType: v4.00+
PlayResX: 160
PlayResY: 90

[V4+ Styles]
Format: Name, Fontname, Fontsize, PrimaryColour, SecondaryColour, OutlineColour, BackColour, Bold, Italic, Underline, StrikeOut, ScaleX, ScaleY, Spacing, Angle, BorderStyle, Outline, Shadow, Alignment, MarginL, MarginR, MarginV, Encoding
Style: Default,DejaVu Sans,12,&H00FFFFFF,&H000000FF,&H00000000,&H00000000,0,0,0,0,100,100,0,0,1,1,0,2,10,10,10,1

[Events]
Format: Layer, Start, End, Style, Name, MarginL, MarginR, MarginV, Effect, Text
Dialogue: 0,0:00:00.00,0:00:00.80,Default,,0,0,0,,{\\k30}Kara{\\k40}oke line
Dialogue: 0,0:00:00.60,0:00:01.90,Default,,0,0,0,,Second\\Nline, with, commas
"""


def subtitle_text_mutation(rng, text):
    """A subtitle-aware change of the text; returns (text, note)."""
    choice = rng.randrange(10)
    stamps = list(re.finditer(r"\d+:\d+[:.,]\d+(?:[.,]\d+)?", text))
    if choice < 4 and stamps:
        m = rng.choice(stamps)
        new = rng.choice(["99:99:99,999", "-00:00:01,000", "999999999:00:00,000", "00:00:00,000", "00:59.999",
                          "9223372036854775807:00:00.000", "00:00:00,-5", "1e308:00:00", "00:00", "::", "00:00:00.5000000",
                          "18446744073709551616:00:00.000", "0:0:0.0", "00:00:99.000"])
        return text[:m.start()] + new + text[m.end():], "timestamp -> %s" % new
    if choice == 4:
        return text.replace("\n", "\r\n"), "CRLF"
    if choice == 5:
        cue = rng.choice(["", "\x00\x00", "\x1b[31mred\x1b[0m", "\u202etxet\u202c", "<i>" * 5000, "{\\k99999999}" * 50,
                          "a" * 200000, "😀" * 1000, "<00:00:99.999>late <00:00:00.001>early", "-->", "\n\n\n"])
        lines = text.split("\n")
        pos = rng.randrange(len(lines) + 1)
        lines.insert(pos, cue)
        return "\n".join(lines), "inserted %r" % cue[:30]
    if choice == 6:
        return "\ufeff" + text, "BOM"
    if choice == 7:
        lines = text.split("\n")
        reps = rng.choice([10, 1000, 20000])
        pos = rng.randrange(len(lines))
        return "\n".join(lines[:pos] + lines[pos:pos + 4] * reps + lines[pos:]), "repeated lines x%d" % reps
    if choice == 8:
        return text.replace("-->", rng.choice(["->", "-->-->", "", " --> --> "]), 1), "arrow broken"
    if choice == 9 and rng.random() < 0.7:
        count = rng.choice([1000, 100000, 100001])
        vtt = text.startswith("WEBVTT")
        sep = "." if vtt else ","
        cues = ["WEBVTT\n"] if vtt else []
        for i in range(count):
            ms = i * 5
            cues.append("%s%d\n00:00:%02d%s%03d --> 00:00:%02d%s%03d\n%s\n" % (
                "" if vtt else "", i + 1, ms // 1000 % 60, sep, ms % 1000, (ms + 7) // 1000 % 60, sep, (ms + 7) % 1000,
                "c%d" % i))
        return "\n".join(cues), "%d cues" % count
    return "", "empty"


# --------------------------------------------------------------------------------------------------------
# Media made once per run


def run_ffmpeg(args, cwd):
    # bitexact: no encoder version strings, random stream serials or UIDs, so that the media are the same every run
    output = args[-1]
    args = args[:-1] + ["-fflags", "+bitexact", "-flags:v", "+bitexact", "-flags:a", "+bitexact", "-threads", "1", output]
    subprocess.run(["ffmpeg", "-hide_banner", "-loglevel", "error", "-nostdin", "-y"] + args, cwd=cwd, check=True,
                   stdout=subprocess.DEVNULL)


FFMPEG_MEDIA = [
    # name, ffmpeg arguments (inputs first)
    ("v.mp4", ["-f", "lavfi", "-i", "testsrc=size=160x90:rate=15:duration=1", "-f", "lavfi", "-i",
               "sine=frequency=440:sample_rate=44100:duration=1", "-c:v", "libx264", "-preset", "ultrafast",
               "-pix_fmt", "yuv420p", "-c:a", "aac", "-shortest", "-movflags", "+faststart"]),
    ("v_mute.mp4", ["-f", "lavfi", "-i", "testsrc2=size=96x64:rate=10:duration=1", "-c:v", "libx264", "-preset",
                    "ultrafast", "-pix_fmt", "yuv420p"]),
    ("v_rot.mp4", ["-f", "lavfi", "-i", "testsrc=size=64x48:rate=12:duration=0.5", "-c:v", "libx264", "-preset",
                   "ultrafast", "-pix_fmt", "yuv420p", "-metadata:s:v:0", "rotate=90"]),
    ("v.webm", ["-f", "lavfi", "-i", "testsrc=size=80x60:rate=10:duration=0.6", "-f", "lavfi", "-i",
                "sine=frequency=300:sample_rate=48000:duration=0.6", "-c:v", "libvpx", "-b:v", "100k", "-c:a",
                "libopus", "-shortest"]),
    ("v.avi", ["-f", "lavfi", "-i", "testsrc=size=80x60:rate=10:duration=0.6", "-f", "lavfi", "-i",
               "sine=frequency=500:sample_rate=22050:duration=0.6", "-c:v", "mpeg4", "-c:a", "libmp3lame", "-shortest"]),
    ("v.gif", ["-f", "lavfi", "-i", "testsrc=size=48x32:rate=5:duration=0.6"]),
    ("v_1frame.mp4", ["-f", "lavfi", "-i", "testsrc=size=64x48:rate=25", "-frames:v", "1", "-c:v", "libx264", "-pix_fmt",
                      "yuv420p"]),
    ("v_vfr.mkv", ["-f", "lavfi", "-i", "testsrc=size=64x48:rate=20:duration=1", "-vf", "setpts='N*N/40/TB'",
                   "-fps_mode", "passthrough", "-c:v", "libx264", "-pix_fmt", "yuv420p"]),
    ("v_odd.mkv", ["-f", "lavfi", "-i", "testsrc=size=33x17:rate=7:duration=0.6", "-c:v", "ffv1", "-pix_fmt", "yuv444p"]),
    ("v_10bit.mp4", ["-f", "lavfi", "-i", "testsrc=size=64x48:rate=10:duration=0.5", "-c:v", "libx264", "-pix_fmt",
                     "yuv420p10le"]),
    ("v_alpha.webm", ["-f", "lavfi", "-i", "testsrc=size=48x32:rate=10:duration=0.5", "-vf", "format=yuva420p",
                      "-c:v", "libvpx", "-auto-alt-ref", "0"]),
    ("v_fast.mp4", ["-f", "lavfi", "-i", "testsrc=size=32x24:rate=1000:duration=0.2", "-c:v", "libx264", "-pix_fmt",
                    "yuv420p"]),
    ("a_51.m4a", ["-f", "lavfi", "-i", "sine=frequency=200:sample_rate=48000:duration=0.5", "-af",
                  "pan=5.1|c0=c0|c1=c0|c2=c0|c3=c0|c4=c0|c5=c0", "-c:a", "aac"]),
    ("a.wav", ["-f", "lavfi", "-i", "sine=frequency=330:sample_rate=44100:duration=1", "-ac", "2", "-c:a", "pcm_s16le"]),
    ("a.mp3", ["-f", "lavfi", "-i", "sine=frequency=350:sample_rate=44100:duration=1", "-c:a", "libmp3lame"]),
    ("a.ogg", ["-f", "lavfi", "-i", "sine=frequency=370:sample_rate=48000:duration=1", "-c:a", "libvorbis"]),
    ("a.m4a", ["-f", "lavfi", "-i", "sine=frequency=390:sample_rate=48000:duration=1", "-c:a", "aac"]),
    ("a.flac", ["-f", "lavfi", "-i", "sine=frequency=410:sample_rate=96000:duration=0.5", "-c:a", "flac"]),
    ("a.opus", ["-f", "lavfi", "-i", "sine=frequency=430:sample_rate=48000:duration=0.5", "-c:a", "libopus"]),
    ("i.jpg", ["-f", "lavfi", "-i", "testsrc=size=64x48", "-frames:v", "1"]),
    ("i_big.jpg", ["-f", "lavfi", "-i", "testsrc=size=640x360", "-frames:v", "1"]),
    ("i.bmp", ["-f", "lavfi", "-i", "testsrc=size=40x30", "-frames:v", "1"]),
    ("i.tiff", ["-f", "lavfi", "-i", "testsrc=size=40x30", "-frames:v", "1"]),
    ("i.webp", ["-f", "lavfi", "-i", "testsrc=size=40x30", "-frames:v", "1", "-c:v", "libwebp"]),
    ("i1.gif", ["-f", "lavfi", "-i", "testsrc=size=40x30", "-frames:v", "1"]),
]


def _sine(count, channels, rate, freq=440.0, amp=0.5, scale=1.0):
    return [amp * scale * math.sin(2 * math.pi * freq * (i // channels) / rate) for i in range(count * channels)]


def handmade_media():
    """{name: bytes} of files written without ffmpeg."""
    nan, inf = float("nan"), float("inf")
    out = {
        "i.png": make_png(32, 24, 2),
        "i_rgba.png": make_png(20, 10, 6, seed=3),
        "i_gray.png": make_png(16, 16, 0),
        "i_pal.png": make_png(16, 8, 3),
        "i_ga.png": make_png(8, 8, 4),
        "i_1x1.png": make_png(1, 1, 2),
        "i_tall.png": make_png(2, 600, 2),
        "nan.wav": make_wav([nan, inf, -inf, 0.5, nan] * 800, channels=1, rate=8000, fmt="f32"),
        "nan64.wav": make_wav([nan, -inf, 1e308, -1e308, 5e-324] * 400, channels=2, rate=44100, fmt="f64"),
        "ch255.wav": make_wav(_sine(40, 255, 48000, scale=32000), channels=255, rate=48000),
        "ch64.wav": make_wav(_sine(200, 64, 48000, amp=0.3), channels=64, rate=48000, fmt="f32", extensible=True),
        "one.wav": make_wav([1000], channels=1, rate=44100),
        "empty.wav": make_wav([], channels=2, rate=44100),
        "r8k.wav": make_wav(_sine(4000, 1, 8000, scale=20000), channels=1, rate=8000),
        "r192k.wav": make_wav(_sine(19200, 2, 192000, amp=0.9), channels=2, rate=192000, fmt="f32"),
        "s24.wav": make_wav(_sine(4410, 1, 44100, scale=8000000), channels=1, rate=44100, fmt="s24"),
        "u8.wav": make_wav([128 + int(100 * math.sin(i / 5)) for i in range(4000)], channels=1, rate=8000, fmt="u8"),
        "loud.wav": make_wav([1e6, -1e6] * 4000, channels=1, rate=16000, fmt="f32"),
        "s.srt": SRT.encode(),
        "s.vtt": VTT.encode(),
        "s.ass": ASS.encode(),
    }
    return out


def media_folder(parent):
    """A cache folder named by the recipes, so that changed recipes make new media."""
    import hashlib
    return os.path.join(parent, "media-" + hashlib.sha1(repr(FFMPEG_MEDIA).encode()).hexdigest()[:10])


def build_media(folder):
    """Makes every base media file in `folder` (once); returns {name: bytes}."""
    os.makedirs(folder, exist_ok=True)
    media = {}
    for name, data in handmade_media().items():
        media[name] = data
    for name, args in FFMPEG_MEDIA:
        path = os.path.join(folder, name)
        if not os.path.exists(path):
            try:
                run_ffmpeg(args + [name + ".tmp." + name.rsplit(".", 1)[1]], folder)
                os.replace(os.path.join(folder, name + ".tmp." + name.rsplit(".", 1)[1]), path)
            except (subprocess.CalledProcessError, OSError) as error:
                print("fuzz: warning: could not make %s with ffmpeg: %s" % (name, error), flush=True)
                continue
        with open(path, "rb") as handle:
            media[name] = handle.read()
    for name, data in media.items():
        path = os.path.join(folder, name)
        if not os.path.exists(path):
            with open(path, "wb") as handle:
                handle.write(data)
    return media


MEDIA_KINDS = {
    "image": ["i.png", "i.jpg", "i_big.jpg", "i.bmp", "i.tiff", "i.webp", "i1.gif", "i_rgba.png", "i_gray.png",
              "i_pal.png", "i_ga.png", "i_1x1.png", "i_tall.png"],
    "video": ["v.mp4", "v_mute.mp4", "v_rot.mp4", "v.webm", "v.avi", "v.gif", "v_1frame.mp4", "v_vfr.mkv", "v_odd.mkv",
              "v_10bit.mp4", "v_alpha.webm", "v_fast.mp4"],
    "audio": ["a.wav", "a.mp3", "a.ogg", "a.m4a", "a.flac", "a.opus", "a_51.m4a", "nan.wav", "nan64.wav", "ch255.wav", "ch64.wav",
              "one.wav", "empty.wav", "r8k.wav", "r192k.wav", "s24.wav", "u8.wav", "loud.wav", "v.mp4"],
    "subtitles": ["s.srt", "s.vtt", "s.ass"],
}


def mutate_media(rng, name, data, donors=()):
    """A mutated copy of a media file: (bytes, note). Format-aware header edits where the format is known."""
    ext = name.rsplit(".", 1)[-1]
    roll = rng.random()
    if ext in ("srt", "vtt", "ass"):
        if roll < 0.7:
            text, note = subtitle_text_mutation(rng, data.decode("utf-8", "surrogateescape"))
            return _encode(text), note
        return byte_mutation(rng, data, donors)
    if roll < 0.45:
        if ext == "png":
            return png_edit_ihdr(data, rng)
        if ext == "jpg":
            return jpeg_edit_sof(data, rng)
        if ext == "wav":
            return wav_edit_header(data, rng)
        if ext in ("mp4", "m4a"):
            return mp4_edit_box(data, rng)
    if roll < 0.52:
        count = rng.choice([1, 4, 16, 64])
        return bit_flips(rng, data, count, limit=rng.choice([None, 64, 512, 4096])), "%d bit flips" % count
    if roll < 0.62:
        # in the payload (past the headers), so that the file opens and fails while it is decoded
        count = rng.choice([1, 4, 16, 64, 256])
        return bit_flips(rng, data, count, start=len(data) // 3), "%d bit flips past the first third" % count
    if roll < 0.75:
        cut = rng.choice([0, 1, 8, 12, 44, 100, len(data) // 2, len(data) - 1, rng.randrange(max(1, len(data)))])
        return data[:cut], "truncated to %d bytes" % cut
    return byte_mutation(rng, data, donors)
