#!/usr/bin/env python3
"""Generates CTorch's op entry points from ops.txt.

Writes include/ctorch_ops.h (the C declarations) and ../CTorchRuntime/ops.generated.cpp (the C++ bodies).
Each body converts the C arguments to ATen values, calls the expression inside CTORCH_TRY/CTORCH_CATCH
(which turns any C++ exception into a status and the thread's last error) and hands results back through
out-parameters as new owning handles.

Then writes stubs.generated.c: for every function include/ctorch.h and ctorch_ops.h declare, a C function of
the same signature that calls the runtime library's (loader.c loads libPhimTorchRuntime.so on the first
call). Programs link the stubs, not libtorch, so a command that never touches a tensor does not pay the
second libtorch takes to load.
"""
import pathlib
import re

HERE = pathlib.Path(__file__).resolve().parent
ROOT = HERE.parent

LINE = re.compile(r"^(\w+)\((.*)\)\s*->\s*([\w\[\],]+)\s*=\s*(.+)$")


def c_params(kind, name):
    """C parameters for one argument."""
    return {
        "T": [f"ctorch_tensor {name}_"],
        "T?": [f"ctorch_tensor {name}_"],
        "T[]": [f"const ctorch_tensor *{name}_", f"int64_t {name}_count"],
        "S": [f"double {name}_"],
        "S?": [f"double {name}_", f"bool has_{name}"],
        "f": [f"double {name}"],
        "f?": [f"double {name}_", f"bool has_{name}"],
        "i": [f"int64_t {name}"],
        "i?": [f"int64_t {name}_", f"bool has_{name}"],
        "b": [f"bool {name}"],
        "I[]": [f"const int64_t *{name}_", f"int64_t {name}_count"],
        "dt": [f"int {name}_"],
        "dt?": [f"int {name}_"],
        "dev": [f"int {name}_type", f"int {name}_index"],
        "G?": [f"ctorch_generator {name}_"],
        "str": [f"const char *{name}_"],
    }[kind]


def cpp_locals(kind, name):
    """C++ statements binding the argument's ATen value to `name`."""
    return {
        "T": f"const at::Tensor &{name} = ctorch::unwrap({name}_);",
        "T?": f"at::Tensor {name} = {name}_ ? ctorch::unwrap({name}_) : at::Tensor();",
        "T[]": f"std::vector<at::Tensor> {name} = ctorch::unwrap_list({name}_, {name}_count);",
        "S": f"at::Scalar {name}({name}_);",
        "S?": f"c10::optional<at::Scalar> {name} = has_{name} ? c10::optional<at::Scalar>({name}_) : c10::nullopt;",
        "f": None,
        "f?": f"c10::optional<double> {name} = has_{name} ? c10::optional<double>({name}_) : c10::nullopt;",
        "i": None,
        "i?": f"c10::optional<int64_t> {name} = has_{name} ? c10::optional<int64_t>({name}_) : c10::nullopt;",
        "b": None,
        "I[]": f"at::IntArrayRef {name}({name}_, static_cast<size_t>({name}_count));",
        "dt": f"at::ScalarType {name} = ctorch::scalar_type({name}_);",
        "dt?": f"c10::optional<at::ScalarType> {name} = {name}_ < 0 ? c10::nullopt : c10::optional<at::ScalarType>(ctorch::scalar_type({name}_));",
        "dev": f"at::Device {name} = ctorch::device({name}_type, {name}_index);",
        "G?": f"c10::optional<at::Generator> {name} = ctorch::generator({name}_);",
        "str": f"std::string {name}({name}_);",
    }[kind]


RESULT_PARAMS = {
    "T": ["ctorch_tensor *out"],
    "T,T": ["ctorch_tensor *out0", "ctorch_tensor *out1"],
    "T,T,T": ["ctorch_tensor *out0", "ctorch_tensor *out1", "ctorch_tensor *out2"],
    "T[]": ["ctorch_tensor **out", "int64_t *out_count"],
    "f": ["double *out"],
    "i": ["int64_t *out"],
    "b": ["bool *out"],
    "void": [],
}


def result_code(kind, expr):
    if kind == "T":
        return [f"*out = ctorch::wrap({expr});"]
    if kind in ("T,T", "T,T,T"):
        n = kind.count("T")
        lines = [f"auto result = {expr};"]
        lines += [f"*out{k} = ctorch::wrap(std::get<{k}>(result));" for k in range(n)]
        return lines
    if kind == "T[]":
        return [f"ctorch::wrap_list({expr}, out, out_count);"]
    if kind in ("f", "i", "b"):
        return [f"*out = {expr};"]
    if kind == "void":
        return [f"{expr};"]
    raise SystemExit(f"unknown result kind {kind}")


def parse(path):
    ops, section = [], None
    for number, raw in enumerate(path.read_text().splitlines(), 1):
        line = raw.strip()
        if line.startswith("## "):
            section = line[3:]
            continue
        if not line or line.startswith("#"):
            continue
        m = LINE.match(line)
        if not m:
            raise SystemExit(f"ops.txt:{number}: cannot parse '{line}'")
        name, args, result, expr = m.groups()
        parsed = []
        for arg in filter(None, (a.strip() for a in args.split(","))):
            kind, arg_name = arg.rsplit(" ", 1)
            c_params(kind, arg_name)  # validates the kind
            parsed.append((kind, arg_name))
        if result not in RESULT_PARAMS:
            raise SystemExit(f"ops.txt:{number}: unknown result '{result}'")
        ops.append((section, name, parsed, result, expr.strip()))
    return ops


def main():
    ops = parse(HERE / "ops.txt")
    banner = "// Generated by Sources/CTorch/generator/generate.py from ops.txt. Do not edit.\n"
    header = [banner, "#ifndef CTORCH_OPS_H", "#define CTORCH_OPS_H", "",
              "#ifdef __cplusplus", 'extern "C" {', "#endif", ""]
    body = [banner, "#include \"internal.h\"", "", "using ctorch::options;", "", "extern \"C\" {", ""]
    section = None
    for sec, name, args, result, expr in ops:
        if sec != section:
            header.append(f"// MARK: {sec}")
            section = sec
        params = [p for kind, n in args for p in c_params(kind, n)] + RESULT_PARAMS[result]
        signature = f"int ctorch_{name}({', '.join(params) or 'void'})"
        header.append(signature + ";")
        lines = [f"{signature} {{", "    CTORCH_TRY"]
        for kind, n in args:
            local = cpp_locals(kind, n)
            if local:
                lines.append("    " + local)
        lines += ["    " + l for l in result_code(result, expr)]
        lines += ["    CTORCH_CATCH", "}", ""]
        body += lines
    header += ["", "#ifdef __cplusplus", "}", "#endif", "", "#endif", ""]
    body += ['}  // extern "C"', ""]
    (ROOT / "include" / "ctorch_ops.h").write_text("\n".join(header))
    (ROOT.parent / "CTorchRuntime" / "ops.generated.cpp").write_text("\n".join(body))
    functions = declarations((ROOT / "include" / "ctorch.h").read_text()) + \
        declarations((ROOT / "include" / "ctorch_ops.h").read_text())
    (ROOT / "stubs.generated.c").write_text(stubs(functions))
    print(f"{len(ops)} ops, {len(functions)} stubs")


DECLARATION = re.compile(r"^([A-Za-z_][\w\s\*]*?[\s\*])(ctorch_\w+)\(([^)]*)\);", re.M)


def declarations(text):
    """(result type, name, [(parameter declaration, parameter name)]) of each function a header declares."""
    text = re.sub(r"//[^\n]*", "", text)
    text = re.sub(r"\(\s*\n\s*", "(", re.sub(r",\s*\n\s*", ", ", text))
    found = []
    for m in DECLARATION.finditer(text):
        result, name, params = m.group(1).strip(), m.group(2), m.group(3).strip()
        parsed = []
        if params and params != "void":
            for param in params.split(","):
                param = param.strip()
                parsed.append((param, re.search(r"(\w+)$", param).group(1)))
        found.append((result, name, parsed))
    return found


def stubs(functions):
    lines = ["// Generated by Sources/CTorch/generator/generate.py from include/ctorch.h and ctorch_ops.h. Do not edit.",
             "// Each function calls the runtime library's function of the same name, found on the first call.", "",
             '#include "loader.h"', ""]
    for result, name, params in functions:
        signature = f"{result} {name}({', '.join(p for p, _ in params) or 'void'})".replace("* ", "*")
        call = f"impl({', '.join(n for _, n in params)})"
        lines += [f"{signature} {{",
                  f"    static __typeof__({name}) *_Atomic cached;",
                  f"    __typeof__({name}) *impl = cached;",
                  f'    if (!impl) cached = impl = (__typeof__({name}) *)ctorch_runtime_symbol("{name}");',
                  f"    {'' if result == 'void' else 'return '}{call};", "}", ""]
    return "\n".join(lines)


if __name__ == "__main__":
    main()
