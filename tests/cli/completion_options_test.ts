/**
 * Typer's root options `--show-completion [SHELL]` and `--install-completion [SHELL]`, run
 * through the real CLI with a temporary home folder: what they print, which files they write,
 * that a second install changes nothing and that rc files are only ever appended to.
 */
import assert from "node:assert/strict";
import * as path from "node:path";
import { runQualytics, runQualyticsProcess, tempDir } from "../helpers/cli.ts";

const SHELLS = ["bash", "zsh", "fish"] as const;

async function script(shell: string): Promise<string> {
  const result = await runQualytics(["completions", shell]);
  assert.equal(result.code, 0, result.stderr);
  return result.stdout;
}

/** Every file under `dir` (relative path → bytes, or `-> target` for links). */
async function snapshot(dir: string): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  async function walk(folder: string): Promise<void> {
    for await (const entry of Deno.readDir(folder)) {
      const full = path.join(folder, entry.name);
      const key = path.relative(dir, full);
      if (entry.isSymlink) out[key] = `-> ${await Deno.readLink(full)}`;
      else if (entry.isDirectory) await walk(full);
      else out[key] = Array.from(await Deno.readFile(full)).join(",");
    }
  }
  await walk(dir);
  return out;
}

Deno.test("--show-completion SHELL prints the completion script and nothing else", async () => {
  for (const shell of SHELLS) {
    const expected = await script(shell);
    for (const args of [["--show-completion", shell], [`--show-completion=${shell}`]]) {
      const result = await runQualytics(args);
      assert.equal(result.code, 0, `${args}: ${result.stderr}`);
      assert.equal(result.stdout, expected, args.join(" "));
      assert.equal(result.stderr, "", args.join(" "));
    }
  }
  const debug = await runQualytics(["--debug", "--show-completion", "fish"]);
  assert.equal(debug.code, 0, debug.stderr);
  assert.equal(debug.stdout, await script("fish"));
});

Deno.test("--show-completion without a shell detects it from $SHELL", async () => {
  for (
    const [shellPath, shell] of [["/bin/bash", "bash"], ["/usr/bin/zsh", "zsh"], [
      "/usr/local/bin/fish",
      "fish",
    ]]
  ) {
    const result = await runQualytics(["--show-completion"], { env: { SHELL: shellPath } });
    assert.equal(result.code, 0, result.stderr);
    assert.equal(result.stdout, await script(shell), shellPath);
  }
});

Deno.test("an unknown or undetectable shell is a usage error naming the choices", async () => {
  const cases: Array<[string[], Record<string, string>]> = [
    [["--show-completion"], { SHELL: "/bin/tcsh" }],
    [["--show-completion"], {}],
    [["--show-completion", "powershell"], { SHELL: "/bin/bash" }],
    [["--install-completion"], { SHELL: "/usr/bin/ksh" }],
    [["--install-completion", "tcsh"], {}],
  ];
  for (const [args, env] of cases) {
    await using tmp = await tempDir();
    const result = await runQualytics(args, { env, home: tmp.path });
    const label = `${args.join(" ")} SHELL=${env.SHELL}`;
    assert.equal(result.code, 2, label);
    assert.equal(result.stdout, "", label);
    assert.match(result.stderr, /bash, zsh(,| or) fish/, label);
    assert.match(result.stderr, /qualytics completions <shell>/, label);
    assert.deepEqual(await snapshot(tmp.path), {}, `${label} wrote nothing`);
  }
});

Deno.test("the root help lists both options with examples", async () => {
  const result = await runQualytics(["--help"]);
  assert.equal(result.code, 0);
  assert.match(result.stdout, /--install-completion \[shell\]\s+Install completion/);
  assert.match(result.stdout, /--show-completion \[shell\]\s+Show completion/);
  assert.match(result.stdout, /\$ qualytics --install-completion\b/);
});

Deno.test("--install-completion bash writes the script and appends one source line", async () => {
  await using tmp = await tempDir();
  const home = tmp.path;
  // No final newline and bytes that are not UTF-8: kept as they are.
  const before = new Uint8Array([
    ...new TextEncoder().encode("export PATH=$PATH:~/bin\n# caf"),
    0xe9,
    ...new TextEncoder().encode("\nalias ll='ls -l'"),
  ]);
  await Deno.writeFile(path.join(home, ".bashrc"), before);
  const result = await runQualytics(["--install-completion", "bash"], { home });
  assert.equal(result.code, 0, result.stderr);
  assert.equal(result.stdout, "");
  const file = path.join(home, ".bash_completions", "qualytics.sh");
  assert.equal(await Deno.readTextFile(file), await script("bash"));
  const line = `source '${file}'`;
  const after = await Deno.readFile(path.join(home, ".bashrc"));
  assert.deepEqual(after, new Uint8Array([...before, ...new TextEncoder().encode(`\n${line}\n`)]));
  assert.ok(result.stderr.includes(file), result.stderr);
  assert.ok(result.stderr.includes(path.join(home, ".bashrc")), result.stderr);
  assert.match(result.stderr, /[Rr]estart your shell/);

  const state = await snapshot(home);
  const again = await runQualytics(["--install-completion", "bash"], { home });
  assert.equal(again.code, 0, again.stderr);
  assert.equal(again.stdout, "");
  assert.deepEqual(await snapshot(home), state);
  assert.match(again.stderr, /already/);
});

Deno.test("--install-completion zsh writes ~/.zfunc/_qualytics and the two .zshrc lines", async () => {
  await using tmp = await tempDir();
  const home = tmp.path;
  const result = await runQualytics(["--install-completion"], {
    home,
    env: { SHELL: "/bin/zsh" },
  });
  assert.equal(result.code, 0, result.stderr);
  assert.equal(result.stdout, "");
  assert.equal(
    await Deno.readTextFile(path.join(home, ".zfunc", "_qualytics")),
    await script("zsh"),
  );
  assert.equal(
    await Deno.readTextFile(path.join(home, ".zshrc")),
    "fpath+=~/.zfunc\nautoload -Uz compinit && compinit\n",
  );
  assert.match(result.stderr, /[Rr]estart your shell/);
  const state = await snapshot(home);
  const again = await runQualytics(["--install-completion", "zsh"], { home });
  assert.equal(again.code, 0, again.stderr);
  assert.deepEqual(await snapshot(home), state);

  // A .zshrc set up by the original (Typer's one line) gets nothing more; an existing one is
  // appended to after its last line.
  await Deno.writeTextFile(
    path.join(home, ".zshrc"),
    "fpath+=~/.zfunc; autoload -Uz compinit; compinit\n",
  );
  await runQualytics(["--install-completion", "zsh"], { home });
  assert.equal(
    await Deno.readTextFile(path.join(home, ".zshrc")),
    "fpath+=~/.zfunc; autoload -Uz compinit; compinit\n",
  );
  await Deno.writeTextFile(path.join(home, ".zshrc"), "setopt autocd\n");
  await runQualytics(["--install-completion", "zsh"], { home });
  assert.equal(
    await Deno.readTextFile(path.join(home, ".zshrc")),
    "setopt autocd\nfpath+=~/.zfunc\nautoload -Uz compinit && compinit\n",
  );
});

Deno.test("--install-completion fish writes only the fish completions file", async () => {
  await using tmp = await tempDir();
  const home = tmp.path;
  const result = await runQualytics(["--install-completion=fish"], { home });
  assert.equal(result.code, 0, result.stderr);
  assert.equal(result.stdout, "");
  const state = await snapshot(home);
  assert.deepEqual(Object.keys(state), [
    path.join(".config", "fish", "completions", "qualytics.fish"),
  ]);
  assert.equal(
    await Deno.readTextFile(path.join(home, ".config", "fish", "completions", "qualytics.fish")),
    await script("fish"),
  );
  const again = await runQualytics(["--install-completion", "fish"], { home });
  assert.equal(again.code, 0, again.stderr);
  assert.deepEqual(await snapshot(home), state);
});

Deno.test("--install-completion appends through a symlinked rc file", async () => {
  await using tmp = await tempDir();
  const home = tmp.path;
  await Deno.mkdir(path.join(home, "dotfiles"));
  await Deno.writeTextFile(path.join(home, "dotfiles", "bashrc"), "set -o vi\n");
  await Deno.symlink(path.join(home, "dotfiles", "bashrc"), path.join(home, ".bashrc"));
  const result = await runQualytics(["--install-completion", "bash"], { home });
  assert.equal(result.code, 0, result.stderr);
  assert.ok((await Deno.lstat(path.join(home, ".bashrc"))).isSymlink);
  assert.equal(
    await Deno.readTextFile(path.join(home, "dotfiles", "bashrc")),
    `set -o vi\nsource '${path.join(home, ".bash_completions", "qualytics.sh")}'\n`,
  );
});

Deno.test("--install-completion reports a file it cannot write and exits 1", async () => {
  await using tmp = await tempDir();
  const home = tmp.path;
  // A file where the folder should be.
  await Deno.writeTextFile(path.join(home, ".zfunc"), "not a folder\n");
  const result = await runQualytics(["--install-completion", "zsh"], { home });
  assert.equal(result.code, 1);
  assert.equal(result.stdout, "");
  assert.ok(result.stderr.includes(path.join(home, ".zfunc", "_qualytics")), result.stderr);
  assert.equal(result.stderr.trim().split("\n").length, 1, result.stderr);
  assert.equal(await Deno.readTextFile(path.join(home, ".zfunc")), "not a folder\n");

  // An rc file that is a folder.
  await using other = await tempDir();
  await Deno.mkdir(path.join(other.path, ".bashrc"));
  const rc = await runQualytics(["--install-completion", "bash"], { home: other.path });
  assert.equal(rc.code, 1);
  assert.ok(rc.stderr.includes(path.join(other.path, ".bashrc")), rc.stderr);
});

Deno.test("the installed bash completion loads in a real interactive bash", async () => {
  await using tmp = await tempDir();
  const home = tmp.path;
  const result = await runQualyticsProcess(["--install-completion"], {
    home,
    env: { SHELL: "/bin/bash" },
  });
  assert.equal(result.code, 0, result.stderr);
  assert.equal(result.stdout, "");
  let bash: Deno.CommandOutput;
  try {
    bash = await new Deno.Command("bash", {
      args: ["-ic", "complete -p qualytics"],
      clearEnv: true,
      env: { HOME: home, PATH: Deno.env.get("PATH") ?? "" },
      stdin: "null",
      stdout: "piped",
      stderr: "piped",
    }).output();
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return; // no bash on this machine
    throw error;
  }
  const out = new TextDecoder().decode(bash.stdout);
  assert.match(out, /complete -F _qualytics qualytics/, new TextDecoder().decode(bash.stderr));
});
