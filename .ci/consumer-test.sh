#!/usr/bin/env bash
# Consumer test: uses RnnMl the way an app outside this repository does.
# Packs the libraries into a temporary local feed, creates two fresh console apps in a temporary folder outside the
# repository (no Directory.Build.* or Directory.Packages.props in scope, a nuget.config with only that feed and
# nuget.org), referencing only packages:
#   Train    (RnnMl.MLNet + libtorch-cpu): trains a tiny binary classifier through
#            mlContext.BinaryClassification.Trainers.RecurrentTextClassifier, evaluates, SaveRnnModel, ExportRnnModelToOnnx;
#            run from its build output, then "reload" in a second process from its *published* folder
#            (so libLibTorchSharp.so is patched by the package's buildTransitive targets in both, on Debian 12 / Ubuntu 22.04);
#   OnnxScore (RnnMl.Onnx only): scores the exported model on ONNX Runtime; its published folder must hold no libtorch;
#   NoTorch  (RnnMl.MLNet without a libtorch package): must get build warning RNNML001.
# The packed RnnMl.Torch must hold its buildTransitive targets.
# Prints one line: consumer: ok train_acc=… reload_identical=… onnx_identical=…   and exits non-zero on any failure.
# CONFIGURATION (default Debug, which reuses the build that `dotnet test` just made) selects the packed build.
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
configuration="${CONFIGURATION:-Debug}"
start=$SECONDS

fail() { echo "consumer: FAILED: $*" >&2; exit 1; }

work="$(mktemp -d "${TMPDIR:-/tmp}/rnnml-consumer.XXXXXX")"
# A unique package version, so that restore cannot take a stale RnnMl package from the NuGet cache; the assemblies keep
# their own version (PackageVersion changes only the package).
version="1.0.0-consumer.$(date +%s).$$"
cleanup() {
  if [ -n "${RNNML_CONSUMER_KEEP:-}" ]; then echo "consumer: kept $work" >&2; else rm -rf "$work"; fi
  for id in rnnml.text rnnml.torch rnnml.export rnnml.mlnet rnnml.onnx; do
    rm -rf "${NUGET_PACKAGES:-${HOME:-/root}/.nuget/packages}/$id/$version"
  done
}
trap cleanup EXIT

# Nothing of the repository (or any other folder) may leak build files into the apps.
d="$work"
while [ "$d" != "/" ]; do
  for f in Directory.Build.props Directory.Build.targets Directory.Packages.props; do
    [ -e "$d/$f" ] && fail "$d/$f would be in scope of the consumer apps; set TMPDIR to a folder without one above it"
  done
  d="$(dirname "$d")"
done
case "$work" in "$repo"/*) fail "the temporary folder $work is inside the repository" ;; esac

log="$work/log.txt"
rid="$(dotnet --info | sed -nE 's/^ *RID: *([^ ]+).*/\1/p' | head -n 1)"
[ -n "$rid" ] || fail "dotnet --info names no RID"
run() { echo ">>> $((SECONDS - start)) s: $*" >>"$log"; "$@" >>"$log" 2>&1 || { tail -n 40 "$log" >&2; fail "$* (log above)"; }; }

# 1. Pack into a local feed.
feed="$work/feed"
# Build as README's pack command does (a no-op right after `dotnet test` in Debug), then pack that build: a global
# PackageVersion on a building pack would restore and rebuild every library.
run dotnet build "$repo/RnnMl.Packages.slnf" -c "$configuration"
run dotnet pack "$repo/RnnMl.Packages.slnf" -c "$configuration" --no-build -o "$feed" -p:PackageVersion="$version"
for id in RnnMl.Text RnnMl.Torch RnnMl.Export RnnMl.MLNet RnnMl.Onnx; do
  [ -f "$feed/$id.$version.nupkg" ] || fail "dotnet pack made no $id.$version.nupkg"
done
entries="$(unzip -Z1 "$feed/RnnMl.Torch.$version.nupkg")"
for f in buildTransitive/RnnMl.Torch.targets buildTransitive/LibTorchSharpGlibcxxFix.targets buildTransitive/WeakenElfVersionNeed.cs; do
  grep -qx "$f" <<<"$entries" || fail "RnnMl.Torch.$version.nupkg has no $f"
done

# 2. The apps: only the feed and nuget.org (through the ordinary client) as sources.
cat >"$work/nuget.config" <<XML
<?xml version="1.0" encoding="utf-8"?>
<configuration>
  <packageSources>
    <clear />
    <add key="rnnml-local" value="$feed" />
    <add key="nuget.org" value="https://api.nuget.org/v3/index.json" />
  </packageSources>
</configuration>
XML
app() { # name, package references (id=version ...)
  local name="$1"; shift
  mkdir -p "$work/$name"
  cp "$repo/.ci/consumer/${name/NoTorch/Train}/Program.cs" "$work/$name/Program.cs"
  {
    echo '<Project Sdk="Microsoft.NET.Sdk">'
    echo '  <PropertyGroup><OutputType>Exe</OutputType><TargetFramework>net10.0</TargetFramework><ImplicitUsings>enable</ImplicitUsings><Nullable>enable</Nullable></PropertyGroup>'
    echo '  <ItemGroup>'
    for ref in "$@"; do echo "    <PackageReference Include=\"${ref%=*}\" Version=\"${ref#*=}\" />"; done
    echo '  </ItemGroup>'
    echo '</Project>'
  } >"$work/$name/$name.csproj"
}
app Train "RnnMl.MLNet=$version" "libtorch-cpu=2.10.0"
app OnnxScore "RnnMl.Onnx=$version"

# 3. An app that forgot its libtorch package is warned at build time (RNNML001); one that has it is not.
app NoTorch "RnnMl.MLNet=$version"
dotnet msbuild "$work/NoTorch/NoTorch.csproj" -restore -t:RnnMlCheckLibTorchPackage -nologo >"$work/notorch.txt" 2>&1 \
  || { cat "$work/notorch.txt" >&2; fail "restoring an app from the feed"; }
grep -q "warning RNNML001" "$work/notorch.txt" || fail "an app without a libtorch package got no warning RNNML001"

# 4. Train: publish (which builds first), so that both the build and the publish output are patched.
run dotnet publish "$work/Train" -c Release -r "$rid" --self-contained false -o "$work/Train/pub"
grep -q "RNNML001" "$log" && fail "the Train app got warning RNNML001 although it references libtorch-cpu"
data="$work/data"; mkdir -p "$data"
built="$work/Train/bin/Release/net10.0/$rid/Train"
[ -x "$built" ] || fail "no build output at $built"
train_line="$("$built" train "$data" 2>>"$log")" || { tail -n 40 "$log" >&2; fail "Train train (build output)"; }
train_acc="${train_line#train_acc=}"
run "$work/Train/pub/Train" reload "$data"

# 5. OnnxScore: publish and check that no libtorch came along.
run dotnet publish "$work/OnnxScore" -c Release -r "$rid" --self-contained false -o "$work/OnnxScore/pub"
torchy="$(find "$work/OnnxScore/pub" \( -iname '*libtorch*' -o -iname '*LibTorchSharp*' -o -iname 'TorchSharp*' -o -iname 'libc10*' \) | head -n 3)"
[ -z "$torchy" ] || fail "the published ONNX app holds torch files: $torchy"
run "$work/OnnxScore/pub/OnnxScore" "$data"

# 6. Compare: the reload bit for bit, ONNX Runtime within 1e-5 and with the same predicted labels.
compare="$(paste "$data/scores-train.txt" "$data/scores-reload.txt" "$data/scores-onnx.txt" | awk '
  { n++; if ($1 == $2) same++; d = $1 - $3; if (d < 0) d = -d; if (d > max) max = d;
    if (($1 > 0.5) == ($3 > 0.5) && d <= 1e-5) onnx++ }
  END { printf "%d %d %d %.1e", n, same, onnx, max }')"
read -r n same onnx max <<<"$compare"
[ "$n" -gt 0 ] || fail "no scores were written"
[ "$same" -eq "$n" ] || fail "the reloaded model scored $((n - same)) of $n texts differently"
[ "$onnx" -eq "$n" ] || fail "ONNX Runtime disagreed on $((n - onnx)) of $n texts (max |Δp| = $max)"
awk -v a="$train_acc" 'BEGIN { exit !(a >= 0.9) }' || fail "train accuracy $train_acc is below 0.9"

echo "consumer: ok train_acc=$train_acc reload_identical=$same/$n onnx_identical=$onnx/$n (max |Δp| $max) in $((SECONDS - start)) s"
