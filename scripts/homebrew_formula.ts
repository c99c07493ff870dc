/**
 * Prints a Homebrew formula for the release binaries, from the SHA256SUMS that
 * scripts/compile.ts writes.
 *
 *   deno run -A scripts/homebrew_formula.ts --dist dist --version 0.1.0 > qualytics.rb
 */
import * as path from "node:path";

const args = Deno.args;
const option = (name: string, fallback: string) =>
  args.includes(name) ? args[args.indexOf(name) + 1] : fallback;
const dist = option("--dist", "dist");
const version = option("--version", JSON.parse(Deno.readTextFileSync("deno.json")).version);
const base = option(
  "--base-url",
  `https://github.com/qualytics/qualytics-cli-deno/releases/download/v${version}`,
);
const sums = new Map<string, string>();
for (const line of Deno.readTextFileSync(path.join(dist, "SHA256SUMS")).split("\n")) {
  const [sum, file] = line.trim().split(/\s+/);
  if (sum && file) sums.set(file, sum);
}
const entry = (file: string) => {
  const sum = sums.get(file);
  if (!sum) throw new Error(`${file} is missing from ${dist}/SHA256SUMS`);
  return `      url "${base}/${file}"\n      sha256 "${sum}"`;
};
console.log(`class Qualytics < Formula
  desc "Command-line tool for the Qualytics data-quality platform"
  homepage "https://qualytics.ai"
  version "${version}"
  license "MIT"

  on_macos do
    on_arm do
${entry("qualytics-darwin-arm64")}
    end
    on_intel do
${entry("qualytics-darwin-x64")}
    end
  end

  on_linux do
    on_arm do
${entry("qualytics-linux-arm64")}
    end
    on_intel do
${entry("qualytics-linux-x64")}
    end
  end

  def install
    bin.install Dir["qualytics-*"].first => "qualytics"
  end

  test do
    assert_match "Qualytics CLI Version", shell_output("#{bin}/qualytics --version")
  end
end`);
