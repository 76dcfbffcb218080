#!/usr/bin/env python3
"""Sizes a reader can hold in mind: no file under src/ longer than 700 lines, no function longer
than 80, unless a `// long because: ...` comment says why (in a file's first 5 lines, or in the 3
lines above a function or its first line). Prints each violation; exits 1 if there is one.

Usage: tests/source_lengths.py SOURCE_DIR

Functions are found by braces, not by a C++ parser: a '{' at namespace or class level whose
declaration has a parameter list opens a function body; string and character literals and
comments are skipped. Good enough for this code base's style (clang-format'ed, no macros that
open scopes)."""
import pathlib
import re
import sys

MAX_FILE_LINES = 700
MAX_FUNCTION_LINES = 80
REASON = "long because:"
NOT_FUNCTIONS = re.compile(r"^(namespace|struct|class|union|enum|extern)\b|^(template\s*<.*>\s*)?(struct|class|union)\b")


def code_only(text):
    """The text with literals and comments blanked, newlines kept (so offsets map to lines)."""
    out = []
    i, n = 0, len(text)
    while i < n:
        c = text[i]
        if text.startswith("//", i):
            end = text.find("\n", i)
            end = n if end < 0 else end
            out.append(" " * (end - i))
            i = end
        elif text.startswith("/*", i):
            end = text.find("*/", i + 2)
            end = n if end < 0 else end + 2
            out.append("".join(ch if ch == "\n" else " " for ch in text[i:end]))
            i = end
        elif text.startswith('R"', i) and (i == 0 or not (text[i - 1].isalnum() or text[i - 1] == "_")):
            delim_end = text.find("(", i + 2)
            closing = ")" + text[i + 2:delim_end] + '"'
            end = text.find(closing, delim_end)
            end = n if end < 0 else end + len(closing)
            out.append("".join(ch if ch == "\n" else " " for ch in text[i:end]))
            i = end
        elif c in "\"'":
            j = i + 1
            while j < n and text[j] != c and text[j] != "\n":
                j += 2 if text[j] == "\\" else 1
            out.append(" " * (j + 1 - i))
            i = j + 1
        else:
            out.append(c)
            i += 1
    return "".join(out)


def check_file(path, lines, violations):
    text = "\n".join(lines)
    if len(lines) > MAX_FILE_LINES and not any(REASON in l for l in lines[:5]):
        violations.append(f"{path}: {len(lines)} lines (more than {MAX_FILE_LINES}); split it by family, "
                          f"or say why not in a '// {REASON} ...' comment at the top")
    # Preprocessor lines are not declarations.
    code = code_only("\n".join(" " * len(l) if l.lstrip().startswith("#") else l for l in lines))
    stack = []  # per open brace: ("scope" | "function" | "other", start line)
    statement_start = 0  # offset where the current declaration began
    line_of = lambda offset: code.count("\n", 0, offset)
    for i, c in enumerate(code):
        if c in ";":
            statement_start = i + 1
        elif c == "{":
            inside_function = any(kind != "scope" for kind, _ in stack)
            declaration = code[statement_start:i].strip()
            if inside_function:
                kind = "other"
            elif NOT_FUNCTIONS.match(declaration) or not declaration:
                kind = "scope"
            elif "(" in declaration and "=" not in declaration.split("(")[0]:
                kind = "function"
            else:
                kind = "other"  # an initializer: `= {`
            first = statement_start + (len(code[statement_start:i]) - len(code[statement_start:i].lstrip()))
            stack.append((kind, line_of(first)))
            statement_start = i + 1
        elif c == "}":
            if not stack:
                continue
            kind, start = stack.pop()
            statement_start = i + 1
            if kind != "function":
                continue
            end = line_of(i)
            length = end - start + 1
            if length <= MAX_FUNCTION_LINES:
                continue
            nearby = lines[max(0, start - 3):start] + lines[start:start + 2]
            if any(REASON in l for l in nearby):
                continue
            name = re.sub(r"\s+", " ", lines[start].strip())[:90]
            violations.append(f"{path}:{start + 1}: a function of {length} lines (more than {MAX_FUNCTION_LINES}): "
                              f"{name}; split it, or say why not in a '// {REASON} ...' comment")


def main():
    root = pathlib.Path(sys.argv[1] if len(sys.argv) > 1 else ".")
    violations = []
    for path in sorted((root / "src").rglob("*")):
        if path.suffix in (".cpp", ".hpp"):
            check_file(path.relative_to(root), path.read_text(encoding="utf-8").split("\n"), violations)
    for v in violations:
        print(v)
    return 1 if violations else 0


if __name__ == "__main__":
    sys.exit(main())
