#!/usr/bin/env python3
"""Keeps the documentation true: every fenced code block in README.md and docs/*.md says what it
is in an HTML comment on the line above it, and the blocks that can be checked are checked.

    <!-- doc: flow -->               a whole flow: `triage check` reports nothing
    <!-- doc: file NAME [clean] -->  a file later blocks of the same page use; `clean`: a flow that
                                     `triage check` also reports nothing about
    <!-- doc: run [exit=N] [after SETUP] -->
                                     shell commands, run in order in the page's scratch folder (after
                                     the SETUP command, if any); the lines starting `$ ` are commands
                                     and the lines under each are its output, compared; without `$ `
                                     every line is a command
    <!-- doc: output-of [exit=N] COMMAND -->
                                     the block is what COMMAND prints (stdout and stderr)
    <!-- doc: json-of [exit=N] COMMAND -->
                                     the block holds the JSON documents COMMAND prints on stdout
                                     (laid out for reading; compared as data)
    <!-- doc: compile [WRAPPER] -->  C++ that compiles against the public headers; WRAPPER, a file
                                     in tests/docs/, holds the block's context (`// @block@` marks
                                     where the block goes; its #include lines go first)
    <!-- doc: no-run REASON -->      shown only; the reason says why it cannot be checked

In compared output a line `...` stands for any number of lines and `…` for any text within a
line. Each page gets a scratch folder holding a copy of examples/; `triage` there is the build's,
and $TRIAGE_SOURCE is the source tree (for fixtures a command needs).

    docs_truth.py SOURCE_DIR TRIAGE CXX INCLUDE_DIR...
    docs_truth.py --self-test
"""
import concurrent.futures
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile

MARKER = re.compile(r"^\s*<!-- doc: (\S+)\s*(.*?)\s*-->\s*$")
FENCE = re.compile(r"^(\s*)(`{3,})(\S*)\s*$")
TIMEOUT = 60


def blocks(text):
    """(line number, language, body, marker kind, marker argument) of every fenced block."""
    lines = text.split("\n")
    i = 0
    while i < len(lines):
        m = FENCE.match(lines[i])
        if not m:
            i += 1
            continue
        indent, ticks, language = m.group(1), m.group(2), m.group(3)
        end = i + 1
        while end < len(lines) and lines[end].strip() != ticks:
            end += 1
        body = [line[len(indent):] if line.startswith(indent) else line.lstrip() for line in lines[i + 1:end]]
        above = i - 1
        while above >= 0 and not lines[above].strip():
            above -= 1
        marker = MARKER.match(lines[above]) if above >= 0 else None
        yield i + 1, language, "\n".join(body) + "\n", marker.group(1) if marker else None, \
            marker.group(2) if marker else ""
        i = end + 1


def exit_status(argument):
    """A marker's `exit=N` (default 0) and the rest of its argument."""
    m = re.match(r"exit=(\d+)(?:\s+(.*))?$", argument)
    return (int(m.group(1)), m.group(2) or "") if m else (0, argument)


def documents(text):
    """The JSON documents in `text`, one after another, whatever the layout."""
    decoder, out, at = json.JSONDecoder(), [], 0
    while True:
        while at < len(text) and text[at].isspace():
            at += 1
        if at == len(text):
            return out
        value, at = decoder.raw_decode(text, at)
        out.append(value)


def matches(expected, actual):
    """Whether `actual` output is what `expected` shows, with `...` lines and `…` in lines."""
    want = [line.rstrip() for line in expected.rstrip("\n").split("\n")]
    have = [line.rstrip() for line in actual.rstrip("\n").split("\n")]

    def line_ok(w, h):
        if "…" not in w:
            return w == h
        return re.fullmatch(".*".join(re.escape(part) for part in w.split("…")), h) is not None

    # Small inputs: a plain recursive match with memo is enough.
    memo = {}

    def from_(i, j):
        if (i, j) in memo:
            return memo[(i, j)]
        if i == len(want):
            result = j == len(have)
        elif want[i].strip() == "...":
            result = any(from_(i + 1, k) for k in range(j, len(have) + 1))
        else:
            result = j < len(have) and line_ok(want[i], have[j]) and from_(i + 1, j + 1)
        memo[(i, j)] = result
        return result

    return from_(0, 0)


class Page:
    def __init__(self, source, triage, cxx, includes, name):
        self.source, self.cxx, self.includes, self.name = source, cxx, includes, name
        self.scratch = tempfile.mkdtemp(prefix="triage-docs-")
        shutil.copytree(os.path.join(source, "examples"), os.path.join(self.scratch, "examples"))
        bin_dir = os.path.join(self.scratch, ".bin")
        os.mkdir(bin_dir)
        os.symlink(os.path.abspath(triage), os.path.join(bin_dir, "triage"))
        self.env = dict(os.environ, PATH=bin_dir + os.pathsep + os.environ.get("PATH", ""), NO_COLOR="1",
                        TZ="UTC", LC_ALL="C.UTF-8", TRIAGE_SOURCE=os.path.abspath(source))
        self.failures = []
        self.compiles = []  # (line, command), run by finish()

    def fail(self, line, message):
        self.failures.append(f"{self.name}:{line}: {message}")

    def shell(self, command):
        # Documented commands are shell command lines (pipes, redirections), so a shell runs them.
        done = subprocess.run(["bash", "-o", "pipefail", "-c", command], cwd=self.scratch, env=self.env,
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=TIMEOUT)
        return done.returncode, done.stdout.decode("utf-8", "replace")

    def check_flow(self, line, path):
        status, output = self.shell(f"triage check {path}")
        if status != 0 or re.search(r"^\S.*: (error|warning|note)\[T\d+\]", output, re.M):
            self.fail(line, f"the flow does not check cleanly (exit {status}):\n{output}")

    def run_block(self, line, body, argument):
        expected_status, argument = exit_status(argument)
        if argument.startswith("after "):  # a setup the reader need not see
            status, output = self.shell(argument[len("after "):])
            if status != 0:
                return self.fail(line, f"the setup `{argument}` exited {status}:\n{output}")
        elif argument:
            return self.fail(line, f"unknown run argument '{argument}'")
        lines = body.rstrip("\n").split("\n")
        commands = []  # (command, expected output or None)
        if any(l.startswith("$ ") for l in lines):
            for l in lines:
                if l.startswith("$ "):
                    commands.append([l[2:], []])
                elif commands and commands[-1][0].endswith("\\") and not commands[-1][1]:
                    commands[-1][0] = commands[-1][0][:-1] + l
                elif commands:
                    commands[-1][1].append(l)
            commands = [(c, "\n".join(out) if out else None) for c, out in commands]
        else:
            text = re.sub(r"\\\n", " ", body)
            commands = [(l, None) for l in text.split("\n") if l.strip() and not l.lstrip().startswith("#")]
        for command, expected in commands:
            status, output = self.shell(command)
            if status != expected_status:
                self.fail(line, f"`{command}` exited {status}, expected {expected_status}:\n{output}")
            elif expected is not None and not matches(expected, output):
                self.fail(line, f"`{command}` printed:\n{output}\nthe page shows:\n{expected}")

    def output_of(self, line, body, argument):
        expected_status, argument = exit_status(argument)
        status, output = self.shell(argument)
        if status != expected_status:
            self.fail(line, f"`{argument}` exited {status}, expected {expected_status}:\n{output}")
        elif not matches(body, output):
            self.fail(line, f"`{argument}` printed:\n{output}\nthe page shows:\n{body}")

    def json_of(self, line, body, argument):
        expected_status, argument = exit_status(argument)
        done = subprocess.run(["bash", "-o", "pipefail", "-c", argument], cwd=self.scratch, env=self.env,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=TIMEOUT)
        if done.returncode != expected_status:
            return self.fail(line, f"`{argument}` exited {done.returncode}, expected {expected_status}:\n"
                             + done.stderr.decode("utf-8", "replace"))
        try:
            want, have = documents(body), documents(done.stdout.decode("utf-8"))
        except ValueError as e:
            return self.fail(line, f"not JSON: {e}")
        if want != have:
            self.fail(line, f"`{argument}` printed:\n{json.dumps(have, indent=1)}\nthe page shows:\n"
                      f"{json.dumps(want, indent=1)}")

    def compile_cpp(self, line, body, argument):
        code = body
        if argument:
            with open(os.path.join(self.source, "tests", "docs", argument), encoding="utf-8") as f:
                wrapper = f.read()
            if "// @block@" not in wrapper:
                return self.fail(line, f"tests/docs/{argument} has no `// @block@` line")
            # The block's #include lines go before the wrapper; the rest where it says.
            includes = [l for l in body.split("\n") if l.startswith("#include")]
            rest = [l for l in body.split("\n") if not l.startswith("#include")]
            code = "\n".join(includes) + "\n" + wrapper.replace("// @block@", "\n".join(rest))
        path = os.path.join(self.scratch, f"block_{line}.cpp")
        with open(path, "w", encoding="utf-8") as f:
            f.write(code)
        command = [self.cxx, "-std=c++20", "-fsyntax-only"] + [f"-I{d}" for d in self.includes] + [path]
        self.compiles.append((line, command))

    def finish(self):
        """Compiles the page's C++ blocks, as many at a time as there are cores."""
        def run(job):
            line, command = job
            done = subprocess.run(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=300)
            return line, done.returncode, done.stdout.decode("utf-8", "replace")
        with concurrent.futures.ThreadPoolExecutor(max_workers=os.cpu_count() or 1) as pool:
            for line, status, output in pool.map(run, self.compiles):
                if status != 0:
                    self.fail(line, "the C++ does not compile:\n" + output[-3000:])

    def check(self, line, language, body, kind, argument):
        if kind is None:
            return self.fail(line, "a code block without a `<!-- doc: … -->` marker above it")
        if kind == "no-run":
            if not argument:
                self.fail(line, "`no-run` needs a reason")
        elif kind == "flow":
            path = os.path.join(self.scratch, f"block_{line}.flow")
            with open(path, "w", encoding="utf-8") as f:
                f.write(body)
            self.check_flow(line, path)
        elif kind == "file":
            name, _, rest = argument.partition(" ")
            clean = rest.strip() == "clean"
            if not name or name.startswith("/") or ".." in name.split("/") or rest.strip() not in ("", "clean"):
                return self.fail(line, "`file` needs a relative file name, then `clean` or nothing")
            path = os.path.join(self.scratch, name)
            os.makedirs(os.path.dirname(path), exist_ok=True)
            with open(path, "w", encoding="utf-8") as f:
                f.write(body)
            if clean:
                self.check_flow(line, name)
        elif kind == "run":
            self.run_block(line, body, argument)
        elif kind == "output-of":
            self.output_of(line, body, argument)
        elif kind == "json-of":
            self.json_of(line, body, argument)
        elif kind == "compile":
            self.compile_cpp(line, body, argument)
        else:
            self.fail(line, f"unknown marker `{kind}`")


def self_test():
    """The checker's own rules, on pages made up here: each must pass or fail as stated."""
    assert matches("a\n...\nz\n", "a\nb\nc\nz\n") and matches("a\n...\n", "a\n")
    assert not matches("a\nz\n", "a\nb\nz\n") and not matches("x … y", "xy")
    assert matches("by … (at …)", "by 2026 (at noon)") and not matches("by …!", "by 2026")
    assert documents('{"a": 1,\n "b": [2]}\n{"c": 3}') == [{"a": 1, "b": [2]}, {"c": 3}]
    page = "text\n\n```\nunmarked\n```\n\n<!-- doc: no-run shown only -->\n```sh\nrm -rf /\n```\n"
    kinds = [(kind, argument) for _, _, _, kind, argument in blocks(page)]
    assert kinds == [(None, ""), ("no-run", "shown only")], kinds
    assert exit_status("exit=3 triage diff a b") == (3, "triage diff a b") and exit_status("exit=1") == (1, "")
    assert exit_status("triage check x") == (0, "triage check x")
    print("docs truth self-test: ok")
    return 0


def main():
    if sys.argv[1:] == ["--self-test"]:
        return self_test()
    source, triage, cxx, includes = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4:]
    pages = ["README.md"] + sorted("docs/" + name for name in os.listdir(os.path.join(source, "docs"))
                                   if name.endswith(".md"))
    failures, counts = [], {}
    for name in pages:
        with open(os.path.join(source, name), encoding="utf-8") as f:
            text = f.read()
        page = Page(source, triage, cxx, includes, name)
        try:
            for line, language, body, kind, argument in blocks(text):
                counts[kind] = counts.get(kind, 0) + 1
                page.check(line, language, body, kind, argument)
            page.finish()
        finally:
            shutil.rmtree(page.scratch, ignore_errors=True)
        failures += page.failures
    for failure in failures:
        print(failure, file=sys.stderr)
    summary = ", ".join(f"{n} {k}" for k, n in sorted(counts.items(), key=lambda kv: str(kv[0])))
    print(f"docs truth: {len(pages)} pages, {summary}; {len(failures)} failures")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
