using System.Diagnostics;
using System.IO.Compression;

namespace RnnMl.Torch.Tests.Build;

/// <summary>
/// Guards the hard-linked copy-local files of Directory.Build.props: without them each project that references libtorch
/// copies 1.0-1.5 GB of natives into its bin folder, and the repository's fourteen such projects filled a CI disk.
/// </summary>
public sealed class CopyLocalHardLinkTests
{
    [HardLinkFact]
    public void LibTorchCpuInTheOutput_IsTheNuGetCacheFileNotACopy()
    {
        var output = HardLinkFactAttribute.OutputLibTorchCpu;
        var cached = HardLinkFactAttribute.CachedLibTorchCpu();
        Assert.NotEmpty(cached);
        var (_, inode, links) = HardLinkFactAttribute.Stat(output);
        Assert.True(links >= 2, $"{output} has {links} link(s): it was copied, not hard-linked from the NuGet cache "
            + "(a bin folder built before Directory.Build.props switched hard links on keeps its copies, as incremental "
            + "builds skip unchanged files: delete this project's bin folder once)");
        Assert.Contains(cached, path => HardLinkFactAttribute.Stat(path).Inode == inode);
    }

    [HardLinkFact]
    public void LibTorchSharpInTheNuGetCache_IsStillThePackagesOriginal()
    {
        // The GLIBCXX fix rewrites the output's libLibTorchSharp.so on systems that need it; with hard links it must
        // replace that file (a rename), never write through the link into the NuGet cache, or every later build and
        // every other project would get a file that differs from its package.
        const string entry = "runtimes/linux-x64/native/libLibTorchSharp.so";
        var packages = Directory.Exists(Path.Combine(HardLinkFactAttribute.NuGetCache, "torchsharp"))
            ? Directory.GetFiles(Path.Combine(HardLinkFactAttribute.NuGetCache, "torchsharp"), "torchsharp.*.nupkg", SearchOption.AllDirectories)
            : [];
        int compared = 0;
        foreach (var package in packages)
        {
            var extracted = Path.Combine(Path.GetDirectoryName(package)!, entry);
            if (!File.Exists(extracted)) continue;
            compared++;
            using var zip = ZipFile.OpenRead(package);
            using var original = new MemoryStream();
            using (var stream = (zip.GetEntry(entry) ?? throw new InvalidDataException($"{package} has no {entry}")).Open())
                stream.CopyTo(original);
            Assert.True(original.ToArray().AsSpan().SequenceEqual(File.ReadAllBytes(extracted)),
                $"{extracted} differs from the {entry} entry of {package}: a build wrote into the NuGet cache");
        }
        Assert.True(compared > 0, $"no TorchSharp package with {entry} under {HardLinkFactAttribute.NuGetCache}");
    }
}

/// <summary>Runs on Linux when the NuGet cache and the test output are on one file system (else links are impossible).</summary>
public sealed class HardLinkFactAttribute : FactAttribute
{
    internal static readonly string OutputLibTorchCpu =
        Path.Combine(AppContext.BaseDirectory, "runtimes", "linux-x64", "native", "libtorch_cpu.so");

    internal static string NuGetCache =>
        Environment.GetEnvironmentVariable("NUGET_PACKAGES") is { Length: > 0 } set
            ? set
            : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages");

    public HardLinkFactAttribute()
    {
        if (!OperatingSystem.IsLinux() || !File.Exists(OutputLibTorchCpu))
        {
            Skip = "the hard-link check reads libtorch's linux-x64 natives and stat(1); this is not such a machine";
            return;
        }
        var cached = CachedLibTorchCpu();
        if (cached.Length == 0)
            Skip = $"no libtorch-cpu-linux-x64 package under {NuGetCache}";
        else if (Stat(cached[0]).Device != Stat(OutputLibTorchCpu).Device)
            Skip = $"the NuGet cache ({NuGetCache}) is on another file system than the test output; MSBuild copies there";
    }

    internal static string[] CachedLibTorchCpu()
    {
        var root = Path.Combine(NuGetCache, "libtorch-cpu-linux-x64");
        return Directory.Exists(root)
            ? Directory.GetFiles(root, "libtorch_cpu.so", SearchOption.AllDirectories)
            : [];
    }

    /// <summary>Device, inode and link count of a file, from stat(1) (.NET has no API for the link count).</summary>
    internal static (string Device, string Inode, int Links) Stat(string path)
    {
        using var process = Process.Start(new ProcessStartInfo("stat", ["-L", "-c", "%d %i %h", path])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        })!;
        var text = process.StandardOutput.ReadToEnd().Trim();
        process.WaitForExit();
        var parts = text.Split(' ');
        if (process.ExitCode != 0 || parts.Length != 3)
            throw new InvalidOperationException($"stat {path} printed '{text}' (exit {process.ExitCode})");
        return (parts[0], parts[1], int.Parse(parts[2]));
    }
}
