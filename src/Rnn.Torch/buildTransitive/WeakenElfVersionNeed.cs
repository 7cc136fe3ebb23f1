#nullable enable
// MSBuild inline task (compiled by RoslynCodeTaskFactory from LibTorchSharpGlibcxxFix.targets beside it; shipped in the
// RnnMl.Torch package under buildTransitive/, not compiled into Rnn.Torch).
// Marks one symbol-version requirement of an ELF64 shared library as weak, so that the dynamic loader
// accepts the library on a system whose libstdc++ lacks that version. See the .targets file for why.
using System;
using System.IO;
using System.Text;
using Microsoft.Build.Framework;
using Microsoft.Build.Utilities;

public class RnnMlWeakenElfVersionNeed : Task
{
    private const uint ShtGnuVerneed = 0x6ffffffe;
    private const ushort VerFlgWeak = 0x2;

    private static readonly string[] LibStdCxxCandidates =
    {
        "/usr/lib/x86_64-linux-gnu/libstdc++.so.6",
        "/lib/x86_64-linux-gnu/libstdc++.so.6",
        "/usr/lib64/libstdc++.so.6",
        "/usr/lib/libstdc++.so.6",
        "/usr/lib/aarch64-linux-gnu/libstdc++.so.6",
        "/lib/aarch64-linux-gnu/libstdc++.so.6",
    };

    [Required] public ITaskItem[] Files { get; set; } = Array.Empty<ITaskItem>();
    [Required] public string VersionName { get; set; } = "";

    public override bool Execute()
    {
        string? libstdcxx = null;
        foreach (var candidate in LibStdCxxCandidates)
        {
            if (File.Exists(candidate)) { libstdcxx = candidate; break; }
        }
        if (libstdcxx == null)
        {
            Log.LogMessage(MessageImportance.Low, "RnnMl: no system libstdc++.so.6 found; leaving libLibTorchSharp.so as shipped.");
            return true;
        }
        if (ContainsVersionString(File.ReadAllBytes(libstdcxx), VersionName))
        {
            Log.LogMessage(MessageImportance.Low, $"RnnMl: {libstdcxx} provides {VersionName}; no fix needed.");
            return true;
        }

        foreach (var item in Files)
        {
            var path = item.ItemSpec;
            try
            {
                var result = Patch(path, VersionName);
                Log.LogMessage(MessageImportance.Normal, $"RnnMl: {path}: {result}");
            }
            catch (Exception e)
            {
                Log.LogError($"RnnMl: could not mark {VersionName} weak in {path}: {e.Message}");
            }
        }
        return !Log.HasLoggedErrors;
    }

    private static bool ContainsVersionString(byte[] data, string name)
    {
        // Compiled against netstandard2.0 by RoslynCodeTaskFactory, so no Span search here.
        var needle = Encoding.ASCII.GetBytes(name + "\0");
        for (int i = 0; i + needle.Length <= data.Length; i++)
        {
            if (data[i] != needle[0]) continue;
            int k = 1;
            while (k < needle.Length && data[i + k] == needle[k]) k++;
            if (k == needle.Length) return true;
        }
        return false;
    }

    /// <summary>Sets VER_FLG_WEAK on the named vernaux entry; returns what it did.</summary>
    private static string Patch(string path, string versionName)
    {
        var originalTime = File.GetLastWriteTimeUtc(path);
        var data = File.ReadAllBytes(path);
        if (data.Length < 64 || data[0] != 0x7f || data[1] != (byte)'E' || data[2] != (byte)'L' || data[3] != (byte)'F')
            throw new InvalidDataException("not an ELF file");
        if (data[4] != 2 || data[5] != 1)
            throw new InvalidDataException("only 64-bit little-endian ELF is supported");

        ulong shoff = BitConverter.ToUInt64(data, 0x28);
        int shentsize = BitConverter.ToUInt16(data, 0x3A);
        int shnum = BitConverter.ToUInt16(data, 0x3C);

        for (int s = 0; s < shnum; s++)
        {
            int sh = checked((int)shoff + s * shentsize);
            uint type = BitConverter.ToUInt32(data, sh + 4);
            if (type != ShtGnuVerneed) continue;

            int offset = checked((int)BitConverter.ToUInt64(data, sh + 0x18));
            uint link = BitConverter.ToUInt32(data, sh + 0x28);
            uint count = BitConverter.ToUInt32(data, sh + 0x2C);
            int strSh = checked((int)shoff + (int)link * shentsize);
            int strOffset = checked((int)BitConverter.ToUInt64(data, strSh + 0x18));

            int vn = offset;
            for (uint n = 0; n < count; n++)
            {
                int auxCount = BitConverter.ToUInt16(data, vn + 2);
                int aux = vn + (int)BitConverter.ToUInt32(data, vn + 8);
                for (int a = 0; a < auxCount; a++)
                {
                    ushort flags = BitConverter.ToUInt16(data, aux + 4);
                    uint nameOffset = BitConverter.ToUInt32(data, aux + 8);
                    if (ReadCString(data, strOffset + (int)nameOffset) == versionName)
                    {
                        if ((flags & VerFlgWeak) != 0)
                            return $"{versionName} already weak (nothing to do)";
                        var patched = (ushort)(flags | VerFlgWeak);
                        data[aux + 4] = (byte)(patched & 0xff);
                        data[aux + 5] = (byte)(patched >> 8);
                        var temp = path + ".rnnml-tmp";
                        File.WriteAllBytes(temp, data);
                        File.Replace(temp, path, null);
                        // Keep the copy's time stamp so that incremental copies still see it as up to date.
                        File.SetLastWriteTimeUtc(path, originalTime);
                        return $"marked {versionName} weak";
                    }
                    uint next = BitConverter.ToUInt32(data, aux + 12);
                    if (next == 0) break;
                    aux += (int)next;
                }
                uint vnNext = BitConverter.ToUInt32(data, vn + 12);
                if (vnNext == 0) break;
                vn += (int)vnNext;
            }
        }
        return $"does not require {versionName} (nothing to do)";
    }

    private static string ReadCString(byte[] data, int start)
    {
        int end = start;
        while (end < data.Length && data[end] != 0) end++;
        return Encoding.ASCII.GetString(data, start, end - start);
    }
}
