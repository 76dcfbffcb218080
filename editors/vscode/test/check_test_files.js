// Every example flow has its token test, and each test holds the example as it is today: the
// lines of test/NAME.flow.test that are not its header or `^^^`/`<-` assertions must be the lines
// of examples/NAME.flow (examples/shared/NAME.flow: test/shared_NAME.flow.test). Otherwise an
// edited example would be tested in its old form, or a new one not at all.
//   node check_test_files.js EXAMPLES_DIR TEST_DIR
'use strict';
const fs = require('fs');
const path = require('path');

// The rule vscode-tmgrammar-test itself uses for an assertion line (comment token '#').
const isAssertion = (line) => line.startsWith('#') && /^\s*(\^|<~*-+)/.test(line.slice(1));

function examples(dir) {
  const found = [];
  for (const [sub, prefix] of [['', ''], ['shared', 'shared_']]) {
    const folder = path.join(dir, sub);
    for (const name of fs.readdirSync(folder).filter((n) => n.endsWith('.flow')).sort()) {
      found.push({ flow: path.join(folder, name), test: `${prefix}${name}.test`, shown: path.join('examples', sub, name) });
    }
  }
  return found;
}

function main([examplesDir, testDir]) {
  if (!examplesDir || !testDir) {
    console.error('usage: check_test_files.js EXAMPLES_DIR TEST_DIR');
    return 2;
  }
  const wanted = examples(examplesDir);
  let problems = 0;
  for (const e of wanted) {
    const testPath = path.join(testDir, e.test);
    if (!fs.existsSync(testPath)) {
      console.log(`${e.shown}: no token test ${testPath} (draft one with test/annotate.js)`);
      problems++;
      continue;
    }
    const lines = fs.readFileSync(testPath, 'utf8').split(/\r?\n/);
    const header = `# SYNTAX TEST "source.triage" "${e.shown}"`;
    if (lines[0] !== header) {
      console.log(`${testPath}:1: the header should be ${header}`);
      problems++;
    }
    const source = lines.slice(1).filter((l) => !isAssertion(l)).join('\n');
    const flow = fs.readFileSync(e.flow, 'utf8').split(/\r?\n/).join('\n');
    if (source !== flow) {
      const a = source.split('\n');
      const b = flow.split('\n');
      let i = 0;
      while (i < a.length && i < b.length && a[i] === b[i]) i++;
      console.log(`${testPath}: differs from ${e.shown} at the example's line ${i + 1}:\n  test:    ${a[i]}\n  example: ${b[i]}`);
      problems++;
    }
  }
  const known = new Set(wanted.map((e) => e.test));
  for (const name of fs.readdirSync(testDir).filter((n) => n.endsWith('.flow.test'))) {
    if (!known.has(name)) {
      console.log(`${path.join(testDir, name)}: no example flow of that name`);
      problems++;
    }
  }
  if (problems > 0) {
    console.log(`token tests: ${problems} problem(s)`);
    return 1;
  }
  console.log(`token tests: all ${wanted.length} example flows, as they are`);
  return 0;
}

process.exitCode = main(process.argv.slice(2));
